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
    if not args:
        print("usage: python -m mh_nlp.io.notes_eval GOLD.tsv [...]", file=sys.stderr)
        return 2
    for path in args:
        print(json.dumps({"gold": path, **evaluate(path)}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
