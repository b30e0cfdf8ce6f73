"""The off-subject mark (QA 48b D5): a statement that comes near no section's title and keywords is marked as perhaps
not about the subject; the anthology's own quotes hardly ever are."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.corpus.records import load_quotes, training_quotes
from mh_nlp.themes.classifier import OFF_SUBJECT_BELOW

ROOT = Path(__file__).resolve().parents[2]


def _off_topic() -> list[str]:
    lines = (ROOT / "training" / "off_subject_sentences.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_off_topic_sentences_are_mostly_marked_and_quotes_hardly_ever(trained):
    _, _, clf = trained
    off = clf.predict_details(_off_topic())
    quotes = clf.predict_details([q.text for q in training_quotes(load_quotes())])
    assert sum(p.off_subject for p in off) >= 0.6 * len(off)
    assert sum(p.off_subject for p in quotes) <= 0.01 * len(quotes)
    for p in off + quotes:  # these all have words: the mark needs the similarity below the threshold
        assert not p.off_subject or p.subject_similarity < OFF_SUBJECT_BELOW


def test_a_short_statement_that_names_an_organisation_of_the_field_is_not_marked(trained):
    """QA 48c N5: "NLA" and "De NLA." are far from every section's text, but about the subject."""
    _, _, clf = trained
    got = clf.predict_details(["NLA", "De NLA.", "Morgen wordt het zonnig en 22 graden."])
    assert got[0].subject_similarity < OFF_SUBJECT_BELOW  # far from every section's text …
    assert not got[0].off_subject and not got[1].off_subject  # … and still about the subject
    assert got[2].off_subject


def test_the_mark_is_in_the_json_of_classify(trained):
    path, _, _ = trained
    res = CliRunner().invoke(main, ["classify", "--json", "--model", str(path),
                                    "Snijd de uien fijn en bak ze in boter.",
                                    "Er is te weinig opvang voor slachtoffers van arbeidsuitbuiting."])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert [r["off_subject"] for r in rows] == [True, False]
    assert all(isinstance(r["subject_similarity"], float) for r in rows)


def test_label_writes_the_similarity_the_mark_is_judged_by(trained, tmp_path):
    """QA 48c N9: label's files had off_subject but not subject_similarity, which classify --json and the API give."""
    path, _, clf = trained
    texts = ["Snijd de uien fijn en bak ze in boter.", "Er is te weinig opvang voor slachtoffers van arbeidsuitbuiting."]
    src = tmp_path / "note.txt"
    src.write_text("\n".join(texts) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["label", str(src), "-o", str(out), "--model", str(path)])
    assert res.exit_code == 0, res.output
    import csv
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    want = [p.subject_similarity for p in clf.predict_details(texts)]
    assert [float(r["subject_similarity"]) for r in rows] == pytest.approx(want, abs=1e-4)
    assert [r["off_subject"] for r in rows] == ["True", "False"]


def test_a_text_without_a_word_is_marked_whatever_its_similarity(trained):
    """QA 51a D10: a run of x got a section and no mark (its similarity to the sections' texts is about 0.82). A text
    of which no word is a word of a language is marked; the same with one real word of the field, or a real
    statement, is not."""
    path, _, clf = trained
    texts = ["xxxxxxxxxxxxxxxxxxxxxxxx", "xxx xxx xxx", "asdf qwer zxcv", "NLA xxxx", "Loverboyproblematiek.",
             "De opvang is vol."]
    got = clf.predict_details(texts)
    assert got[0].subject_similarity >= OFF_SUBJECT_BELOW  # the similarity alone would not mark it …
    assert [p.off_subject for p in got] == [True, True, True, False, False, False]  # … having no word does
    res = CliRunner().invoke(main, ["classify", "--model", str(path), texts[0]])
    assert res.exit_code == 0, res.output
    assert "perhaps not about the subject: none of its words is a word of a language" in res.output
