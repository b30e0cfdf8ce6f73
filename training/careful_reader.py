"""The careful-reader reference: a reader sorts held-out anthology quotes into the sections, under the same folds as
the model's new_pages (unseen pages) or known_themes protocol, and ``mh-nlp evaluate`` scores the reading beside
the model.

    .venv/bin/python training/careful_reader.py prepare DIR [--context] [--protocol known_themes]
    .venv/bin/python training/careful_reader.py collect DIR --reader NAME [--replace]

``prepare`` writes one packet per fold, ``DIR/fold1`` … ``DIR/fold5``, each with what a reader may see:
``taxonomy.txt`` (the 52 titled sections: number, chapter, title, keywords), ``examples.md`` (the fold's
*training* quotes under their sections) and ``statements.jsonl`` (the fold's held-out quotes, ``id`` and
``text``), and ``BRIEF.md`` (the instructions). The folds are those of the model's ``new_pages`` protocol (the
default: the training quotes come from other pages) or, with ``--protocol known_themes``, of its ``known_themes``
protocol (quotes held out at random, the other quotes of their sections among the examples). Blind (the
default), the statements are shuffled and carry no page; with ``--context`` (new_pages only) they come page by
page in printed order, with a page label, and the section headings removed. The answer key (statement id to
quote id) is ``DIR/key.json``, outside the packets: a reader must not see it. The reader writes ``labels.jsonl``
into each packet: ``{"id": ..., "top3": [three sections]}`` per statement.

``collect`` checks the labels (every statement once, three different titled sections) and adds them to
``data/reference/readings.jsonl`` as ``{"quote_id", "reader", "condition", "protocol", "fold", "top3"}``; the
readings of the same reader, condition and protocol already there are kept unless ``--replace``. ``mh-nlp
evaluate`` reports every reader, condition and protocol found there (the section of a quote and its alt_sections
count as right).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from mh_nlp.corpus.records import load_quotes, load_taxonomy, section_key, training_quotes  # noqa: E402
from mh_nlp.themes.evaluate import READINGS_FILE, protocol_splits  # noqa: E402

BRIEF = """# Brief: sort statements of the anthology into its sections

The anthology *Samen tegen mensenhandel — bloemlezing* collects quotes from round tables on human trafficking;
each quote stands under a numbered section. Chapter 1 = trends and developments, chapter 2 = problems and their
causes, chapter 3 = what goes well, chapter 4 = ambitions and wishes.

Read only the files of this folder:
- `taxonomy.txt`: the sections, one per line: number | chapter | title | keywords;
- `examples.md`: {examples};
- `statements.jsonl`: the statements to sort ({context}).

Do not open anything else (no other folder, no answer key, no search). Read each statement and decide as a careful
analyst would, by its subject and its stance (a trend, a problem, a good practice, an ambition); do not use an
automatic classifier. For every statement give three different section numbers from `taxonomy.txt`, the most
likely first, in `labels.jsonl` in this folder, one line per statement, in the same order:
`{{"id": "...", "top3": ["x.y", "x.y", "x.y"]}}`.
"""
EXAMPLES = {
    "new_pages": "quotes from *other* pages of the anthology under the section they stand under (the statements to "
                 "sort come from a few pages you have not seen)",
    "known_themes": "other quotes of the anthology under the section they stand under (the statements to sort come "
                    "from the same pages, held out at random)",
}
CONTEXT = {
    False: "`id` and `text`, shuffled",
    True: "`id`, `page` and `text`: the quotes of a few pages you have not seen, page by page in printed reading "
          "order, with the section headings removed; a page usually holds one to four consecutive sections",
}


def prepare(out: Path, context: bool, protocol: str = "new_pages") -> None:
    tax = load_taxonomy()
    quotes = training_quotes(load_quotes())
    titled = [s for s in sorted(tax.sections, key=section_key) if not tax.sections[s].title.startswith("Onbekend")]
    taxonomy = "\n".join(f"{s} | chapter {tax.sections[s].chapter} | {tax.sections[s].title} | "
                         f"{tax.sections[s].description}" for s in titled) + "\n"
    if out.exists() and any(out.iterdir()):
        sys.exit(f"error: {out} is not empty; give a new folder")
    key = {}
    if context and protocol != "new_pages":
        sys.exit("error: --context reads pages in order, which only the new_pages folds hold out whole")
    for f, (train, test) in enumerate(protocol_splits(quotes)[protocol], 1):
        d = out / f"fold{f}"
        d.mkdir(parents=True)
        (d / "taxonomy.txt").write_text(taxonomy, encoding="utf-8")
        brief = BRIEF.format(context=CONTEXT[context], examples=EXAMPLES[protocol])
        (d / "BRIEF.md").write_text(brief, encoding="utf-8")
        examples: dict[str, list[str]] = {}
        for i in train:
            examples.setdefault(quotes[i].section, []).append(quotes[i].text)
        lines = []
        for s in sorted(examples, key=section_key):
            lines += [f"## {s} {tax.sections[s].title}"] + [f"- {t}" for t in examples[s]]
        (d / "examples.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        test = [int(i) for i in test]
        if context:
            test.sort()  # the corpus is in printed order
            page_label = {p: f"P{k}" for k, p in enumerate(sorted({quotes[i].page for i in test}), 1)}
        else:
            random.Random(f).shuffle(test)
        with open(d / "statements.jsonl", "w", encoding="utf-8") as fh:
            for k, i in enumerate(test, 1):
                sid = f"{'c' if context else 'f' if protocol == 'new_pages' else 'k'}{f}-{k:03d}"
                key[sid] = {"quote_id": quotes[i].id, "fold": f}
                row = {"id": sid, **({"page": page_label[quotes[i].page]} if context else {}), "text": quotes[i].text}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    condition = "page_context" if context else "blind"
    (out / "key.json").write_text(json.dumps({"condition": condition, "protocol": protocol, "key": key},
                                             indent=0) + "\n", encoding="utf-8")
    print(f"{len(key)} statements in {out}/fold1..{f}; the key is {out}/key.json (keep it from the reader)")


def collect(out: Path, reader: str, replace: bool) -> None:
    tax = load_taxonomy()
    titled = {s for s, sec in tax.sections.items() if not sec.title.startswith("Onbekend")}
    meta = json.loads((out / "key.json").read_text(encoding="utf-8"))
    key, condition, protocol = meta["key"], meta["condition"], meta.get("protocol", "new_pages")
    rows, seen = [], set()
    for d in sorted(out.glob("fold*")):
        path = d / "labels.jsonl"
        if not path.exists():
            sys.exit(f"error: {path} is missing")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            top3 = r.get("top3")
            if r.get("id") not in key or r["id"] in seen:
                sys.exit(f"error: {path}:{n}: unknown or repeated id {r.get('id')!r}")
            if not isinstance(top3, list) or len(set(top3)) != 3 or not set(top3) <= titled:
                sys.exit(f"error: {path}:{n}: top3 must be three different titled sections, not {top3!r}")
            seen.add(r["id"])
            rows.append({"quote_id": key[r["id"]]["quote_id"], "reader": reader, "condition": condition,
                         "protocol": protocol, "fold": key[r["id"]]["fold"], "top3": top3})
    if seen != set(key):
        sys.exit(f"error: {len(set(key) - seen)} statements have no label")
    path = REPO / "data" / READINGS_FILE
    old = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()] if path.exists() else []
    group = (reader, condition, protocol)

    def of(r: dict) -> tuple:
        return r["reader"], r["condition"], r.get("protocol", "new_pages")
    same = [r for r in old if of(r) == group]
    if same and not replace:
        sys.exit(f"error: {path} already holds {len(same)} readings of {reader!r} ({condition}, {protocol}); "
                 "--replace to replace them")
    keep = [r for r in old if of(r) != group]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in keep + rows), encoding="utf-8")
    tmp.replace(path)
    print(f"{len(rows)} readings of {reader!r} ({condition}, {protocol}) written to {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("dir", type=Path)
    p.add_argument("--context", action="store_true", help="statements page by page in printed order")
    p.add_argument("--protocol", choices=("new_pages", "known_themes"), default="new_pages",
                   help="whose folds: unseen pages (default) or quotes held out at random")
    c = sub.add_parser("collect")
    c.add_argument("dir", type=Path)
    c.add_argument("--reader", required=True)
    c.add_argument("--replace", action="store_true")
    a = ap.parse_args()
    prepare(a.dir, a.context, a.protocol) if a.cmd == "prepare" else collect(a.dir, a.reader, a.replace)


if __name__ == "__main__":
    main()
