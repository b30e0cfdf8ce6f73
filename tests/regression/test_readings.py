"""The careful-reader readings (data/reference/readings.jsonl): every reading covers each quote of the new_pages
folds once, in the fold that held it out, with three different titled sections; training/careful_reader.py makes
the same packets again, with the answer key kept out of them."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
from mh_nlp.paths import data_dir
from mh_nlp.themes.evaluate import READINGS_FILE, protocol_splits

REPO = Path(__file__).resolve().parents[2]


def test_every_reading_covers_each_held_out_quote_once_in_its_fold():
    tax = load_taxonomy()
    quotes = training_quotes(load_quotes())
    fold_of = {quotes[i].id: f for f, (_, test) in enumerate(protocol_splits(quotes)["new_pages"], 1) for i in test}
    titled = {s for s, sec in tax.sections.items() if not sec.title.startswith("Onbekend")}
    readings = defaultdict(list)
    for line in (data_dir() / READINGS_FILE).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        readings[(r["reader"], r["condition"])].append(r)
        assert len(set(r["top3"])) == 3 and set(r["top3"]) <= titled
        assert fold_of[r["quote_id"]] == r["fold"]
    assert {c for _, c in readings} == {"blind", "page_context"}
    for rows in readings.values():
        assert sorted(r["quote_id"] for r in rows) == sorted(fold_of)


def test_the_packets_hold_no_answer(tmp_path):
    out = tmp_path / "packets"
    subprocess.run([sys.executable, str(REPO / "training" / "careful_reader.py"), "prepare", str(out)], check=True,
                   capture_output=True)
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))["key"]
    quotes = training_quotes(load_quotes())
    by_id = {q.id: q for q in quotes}
    for f, (train, test) in enumerate(protocol_splits(quotes)["new_pages"], 1):
        fold = out / f"fold{f}"
        assert sorted(p.name for p in fold.iterdir()) == ["BRIEF.md", "examples.md", "statements.jsonl", "taxonomy.txt"]
        examples = {line[2:] for line in (fold / "examples.md").read_text(encoding="utf-8").splitlines()
                    if line.startswith("- ")}
        assert examples == {quotes[i].text for i in train}  # the training pages' quotes, nothing else
        rows = [json.loads(x) for x in (fold / "statements.jsonl").read_text(encoding="utf-8").splitlines()]
        assert all(set(r) == {"id", "text"} for r in rows)  # blind: no page, no section
        assert sorted(key[r["id"]]["quote_id"] for r in rows) == sorted(quotes[i].id for i in test)
        assert all(by_id[key[r["id"]]["quote_id"]].text == r["text"] for r in rows)
