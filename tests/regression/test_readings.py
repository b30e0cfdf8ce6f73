"""The careful-reader readings (data/reference/readings.jsonl): every reading covers each held-out quote of its
protocol's folds (new_pages, or known_themes) once, in the fold that held it out, with three different titled
sections; training/careful_reader.py makes the same packets again, with the answer key kept out of them."""
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
    splits = protocol_splits(quotes)
    fold_of = {p: {quotes[i].id: f for f, (_, test) in enumerate(splits[p], 1) for i in test}
               for p in ("new_pages", "known_themes")}
    titled = {s for s, sec in tax.sections.items() if not sec.title.startswith("Onbekend")}
    readings = defaultdict(list)
    for line in (data_dir() / READINGS_FILE).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        protocol = r.get("protocol", "new_pages")
        readings[(r["reader"], r["condition"], protocol)].append(r)
        assert len(set(r["top3"])) == 3 and set(r["top3"]) <= titled
        assert fold_of[protocol][r["quote_id"]] == r["fold"]
    assert {(c, p) for _, c, p in readings} == {("blind", "new_pages"), ("page_context", "new_pages"),
                                                ("blind", "known_themes")}
    for (_, _, protocol), rows in readings.items():
        assert sorted(r["quote_id"] for r in rows) == sorted(fold_of[protocol])


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


def test_known_themes_packets_show_the_other_quotes_of_a_section_and_hold_no_answer(tmp_path):
    out = tmp_path / "packets"
    subprocess.run([sys.executable, str(REPO / "training" / "careful_reader.py"), "prepare", str(out), "--protocol",
                    "known_themes"], check=True, capture_output=True)
    meta = json.loads((out / "key.json").read_text(encoding="utf-8"))
    assert (meta["condition"], meta["protocol"]) == ("blind", "known_themes")
    quotes = training_quotes(load_quotes())
    for f, (train, test) in enumerate(protocol_splits(quotes)["known_themes"], 1):
        fold = out / f"fold{f}"
        examples = {line[2:] for line in (fold / "examples.md").read_text(encoding="utf-8").splitlines()
                    if line.startswith("- ")}
        assert examples == {quotes[i].text for i in train}
        rows = [json.loads(x) for x in (fold / "statements.jsonl").read_text(encoding="utf-8").splitlines()]
        assert all(set(r) == {"id", "text"} for r in rows)
        assert sorted(meta["key"][r["id"]]["quote_id"] for r in rows) == sorted(quotes[i].id for i in test)
        assert "have not seen" not in (fold / "BRIEF.md").read_text(encoding="utf-8")  # the pages are not unseen
    refused = subprocess.run([sys.executable, str(REPO / "training" / "careful_reader.py"), "prepare",
                              str(tmp_path / "ctx"), "--protocol", "known_themes", "--context"], capture_output=True,
                             text=True)
    assert refused.returncode != 0 and "only the new_pages folds" in refused.stderr
