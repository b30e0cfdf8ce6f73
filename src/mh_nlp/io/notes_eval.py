"""Measuring the notes rules on a gold set: statements kept and non-statements caught (:mod:`mh_nlp.io.kinds`),
and person names found for ``--pseudonymise``.

    python -m mh_nlp.io.notes_eval data/notes/gold.tsv data/notes/heldout.tsv data/notes/fresh.tsv

A gold file is tab-separated with a header: ``kind`` (statement, meta, chatter), ``text`` (one raw line of
notes, as a .txt file would hold it) and ``names`` (the person names in it, ``;``-separated).
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from .kinds import KINDS, kind_of
from .readers import text_blocks


def read_gold(path: str | Path) -> list[dict[str, str]]:
    """Rows of a gold file: tab-separated ``kind``, ``text``, ``names`` (person names, ``;``-separated)."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [dict(r) for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    for r in rows:
        if r.get("kind") not in KINDS:
            raise ValueError(f"{path}: unknown kind {r.get('kind')!r} for {r.get('text')!r}")
    return rows


def line_kind(raw: str) -> str:
    """The kind the readers give one raw notes line (bullet, timestamp and speaker handled as in a .txt file)."""
    blocks = list(text_blocks([raw]))
    if not blocks:
        return "meta"  # a heading or separator: not a statement
    _n, text, extra = blocks[0]
    return kind_of(text, extra.get("speaker", ""))


def evaluate(path: str | Path) -> dict:
    """Statements kept (recall of ``statement``), non-statements caught (recall of meta + chatter, as
    not-a-statement), and the lines that went wrong."""
    rows = read_gold(path)
    statements = [r for r in rows if r["kind"] == "statement"]
    others = [r for r in rows if r["kind"] != "statement"]
    got = {id(r): line_kind(r["text"]) for r in rows}
    lost = [r["text"] for r in statements if got[id(r)] != "statement"]
    missed = [r["text"] for r in others if got[id(r)] == "statement"]
    same_kind = sum(1 for r in others if got[id(r)] == r["kind"])
    return {"lines": len(rows), "statements": len(statements), "non_statements": len(others),
            "statements_kept": round(1 - len(lost) / max(len(statements), 1), 4),
            "non_statements_caught": round(1 - len(missed) / max(len(others), 1), 4),
            "non_statement_kind_right": round(same_kind / max(len(others), 1), 4),
            "statements_lost": lost, "non_statements_missed": missed}


def main(argv: list[str] | None = None) -> int:
    import json

    args = sys.argv[1:] if argv is None else argv
    finder = None
    if args[:1] == ["--deduce"]:
        from .privacy import DeduceFinder

        args, finder = args[1:], DeduceFinder()
    if not args:
        print("usage: python -m mh_nlp.io.notes_eval [--deduce] GOLD.tsv [...]", file=sys.stderr)
        return 2
    for path in args:
        names = {"run": evaluate_names(path, finder=finder), "per_line": evaluate_names(path, True, finder)}
        print(json.dumps({"gold": path, **evaluate(path), "pseudonymise": names}, ensure_ascii=False, indent=1))
    return 0



# ---------------------------------------------------------------- names (--pseudonymise)

def _statement(raw: str):
    from .readers import Statement

    blocks = list(text_blocks([raw]))
    if not blocks:
        return None
    _n, text, extra = blocks[0]
    return Statement("gold", 1, text, dict(extra))


def evaluate_names(path: str | Path, per_line: bool = False, finder=None) -> dict:
    """Recall of ``--pseudonymise`` on the gold names: a name counts as caught when none of its words
    (particles aside) is left in the pseudonymised text and speaker. As one run over the whole file (names
    learned from every line first, as ``mh-nlp label --pseudonymise`` does), or ``per_line``: each line
    on its own, nothing learned from other lines. Also the lines without gold names that were changed."""
    import re

    from .privacy import Pseudonymiser

    rows = read_gold(path)
    statements = [(_statement(r["text"]), r) for r in rows]
    shared = Pseudonymiser(finder=finder)
    if not per_line:
        for st, _r in statements:
            if st is not None:
                shared.learn(st)
    particles = {"van", "de", "der", "den", "ten", "ter", "te", "het", "el", "al"}
    total = caught = 0
    missed: list[str] = []
    changed: list[str] = []
    for st, r in statements:
        if st is None:
            continue
        p = Pseudonymiser(finder=finder) if per_line else shared
        if per_line:
            p.learn(st)
        out = p.apply(st)
        shown = f"{out.extra.get('speaker', '')}: {out.text}"
        names = [n for n in r["names"].split(";") if n.strip()]
        for name in names:
            total += 1
            words = [w for w in name.split() if w.lower() not in particles and len(w) > 1]
            left = [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", shown)]
            if left:
                missed.append(f"{name} in {r['text']!r}")
            else:
                caught += 1
        if not names and (out.text != st.text or out.extra.get("speaker") != st.extra.get("speaker")):
            changed.append(f"{r['text']!r} -> {shown!r}")
    return {"names": total, "recall": round(caught / max(total, 1), 4), "missed": missed,
            "lines_without_names_changed": changed}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
