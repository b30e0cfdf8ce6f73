"""Shared helpers for the labelling tests: a deterministic keyword classifier and a fake entity finder.

Import explicitly (``from conftest_label import KeywordClassifier``) after putting ``tests/`` on
``sys.path``; this is not a pytest conftest.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

from mh_nlp.themes.prediction import Candidate, Prediction

TESTS_DIR = Path(__file__).resolve().parent
REPO = TESTS_DIR.parent
EXAMPLES = REPO / "examples"

# A `mh-nlp label` run in a child process with a slow keyword classifier (format with tests=, inp=, out=, workers=),
# for the tests that interrupt, terminate or race a run
SLOW_LABEL_SCRIPT = """
import sys, time
sys.path.insert(0, {tests!r})
from conftest_label import KeywordClassifier, fake_entities
from mh_nlp.cli import label as cli_label
from mh_nlp.cli import main

class Slow(KeywordClassifier):
    def predict_details(self, texts):
        time.sleep(0.05)
        return super().predict_details(texts)

cli_label._load_classifier = lambda model: Slow()
cli_label._find_entities = fake_entities
main(["label", {inp!r}, "-o", {out!r}, "--batch-size", "10", "--workers", {workers!r}], prog_name="mh-nlp")
"""

CHAPTERS = {1: "Trends en ontwikkelingen", 2: "Problemen en oorzaken", 3: "Wat gaat er goed?", 4: "Ambities"}
SECTIONS = {
    "1.5": "Digitalisering",
    "2.11": "Beperkte mogelijkheid gegevensuitwisseling",
    "2.16": "Gebrek aan middelen en capaciteit",
    "3.9": "Meer samenwerking",
    "4.3": "Meer bewustwording/onderwijs",
    "1.1": "Minder zicht en meldingsbereidheid",
}
KEYWORDS = [  # first match wins
    ("online", "1.5"), ("sociale media", "1.5"),
    ("gegevens", "2.11"), ("delen", "2.11"), ("avg", "2.11"),
    ("capaciteit", "2.16"), ("te weinig", "2.16"),
    ("samenwerking", "3.9"),
    ("voorlichting", "4.3"), ("scholen", "4.3"), ("willen", "4.3"),
]
ORGS = ["NLA", "AVIM", "RIEC", "CoMensha", "Veilig Thuis", "OM", "IND"]


class KeywordClassifier:
    """Keyword -> section; confidence 0.8 on a keyword hit, else section 1.1 with confidence 0.2."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def predict_details(self, texts: Sequence[str]) -> list[Prediction]:
        self.batches.append(len(texts))
        out = []
        for text in texts:
            low = text.lower()
            hit = next((sec for kw, sec in KEYWORDS if kw in low), None)
            section, conf = (hit, 0.8) if hit else ("1.1", 0.2)
            others = [s for s in SECTIONS if s != section][:2]
            top = (Candidate(section, SECTIONS[section], conf),
                   Candidate(others[0], SECTIONS[others[0]], (1 - conf) * 0.6),
                   Candidate(others[1], SECTIONS[others[1]], (1 - conf) * 0.4))
            chapter = int(section.split(".")[0])
            out.append(Prediction(section=section, section_title=SECTIONS[section], chapter=chapter,
                                  chapter_title=CHAPTERS[chapter], confidence=conf,
                                  chapter_confidence=min(1.0, conf + 0.1), top=top))
        return out


def fake_entities(texts: Sequence[str]) -> list[list[dict[str, Any]]]:
    """Organisation mentions found by exact, word-bounded match (offsets into the text as given)."""
    out = []
    for text in texts:
        found = []
        for org in ORGS:
            for m in re.finditer(rf"\b{re.escape(org)}\b", text):
                found.append({"text": m.group(), "label": "ORG", "id": org.lower().replace(" ", "_"),
                              "start": m.start(), "end": m.end()})
        out.append(sorted(found, key=lambda e: e["start"]))
    return out


def use_fakes(monkeypatch, classifier: KeywordClassifier | None = None) -> KeywordClassifier:
    """Make the CLI use the keyword classifier and the fake entity finder; returns the classifier."""
    from mh_nlp.cli import label as cli_label

    clf = classifier or KeywordClassifier()
    monkeypatch.setattr(cli_label, "_load_classifier", lambda model: clf)
    monkeypatch.setattr(cli_label, "_find_entities", fake_entities)
    return clf


def run(*args, input=None):
    """``mh-nlp ARGS`` in this process (click's runner, exceptions not caught), never with a traceback in its output."""
    from click.testing import CliRunner

    from mh_nlp.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a .csv output (UTF-8 with BOM) as dicts."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
