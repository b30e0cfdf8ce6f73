"""QA 48b: what the outputs say about statements the model should be unsure of — one meaning of *uncertain*
(D2), the *not Dutch?* mark in every output (D8), rounding that shows no certainty (D10), the top 3 out of order
explained (D12), a long statement embedded in part (D14). With a keyword test classifier: no model needed."""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import KeywordClassifier, read_csv, run, use_fakes  # noqa: E402

from mh_nlp.cli import main  # noqa: E402
from mh_nlp.io.label import Summary, label_files  # noqa: E402
from mh_nlp.themes import prediction  # noqa: E402

EN = "The police should work more closely with municipalities on labour exploitation cases."


class Fixed(KeywordClassifier):
    """The keyword classifier, with its predictions changed by ``change(prediction)``."""

    def __init__(self, change):
        super().__init__()
        self.change = change

    def predict_details(self, texts):
        return [self.change(p) for p in super().predict_details(texts)]


@pytest.fixture
def note(tmp_path) -> Path:
    p = tmp_path / "note.txt"
    p.write_text("Gegevens delen lukt niet.\n\nIets heel anders.\n", encoding="utf-8")  # 0.8 and 0.2
    return p


# ---------------------------------------------------------------- D2: one meaning of uncertain

def test_label_without_min_confidence_marks_uncertain_below_the_screens_threshold_and_keeps_the_section(
        monkeypatch, tmp_path, note):
    """D2: every row said uncertain=False by default, also at 0.08."""
    use_fakes(monkeypatch)
    out = tmp_path / "o.csv"
    r = run("label", note, "-o", out)
    assert r.exit_code == 0, r.output
    rows = read_csv(out)
    assert [(x["section"], x["confidence"], x["uncertain"]) for x in rows] == [("2.11", "0.8", "False"),
                                                                                ("1.1", "0.2", "True")]
    assert rows[1]["chapter"] == "1"  # kept, as the section
    assert "1 uncertain (confidence below 0.5)" in r.stdout
    assert "1.1" in r.stdout.split("chapter 1")[1]  # the uncertain row still counts under its section


def test_label_with_min_confidence_uses_that_threshold_and_empties_the_section(monkeypatch, tmp_path, note):
    use_fakes(monkeypatch)
    out = tmp_path / "o.jsonl"
    r = run("label", note, "-o", out, "--min-confidence", "0.1")
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["section"], x["uncertain"]) for x in rows] == [("2.11", False), ("1.1", False)]
    r = run("label", note, "-o", out, "--min-confidence", "0.9", "--force")
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["section"], x["uncertain"]) for x in rows] == [("", True), ("", True)]
    assert "2 uncertain (confidence below 0.9)" in r.stdout


def test_library_rows_and_predictions_say_uncertain_as_label_does(note):
    summary = Summary()
    rows = list(label_files([note], KeywordClassifier(), summary=summary))
    assert [(r.uncertain, r.prediction.uncertain, r.to_dict()["section"]) for r in rows] == [
        (False, False, "2.11"), (True, True, "1.1")]
    assert summary.to_dict()["total"]["uncertain"] == 1 and summary.to_dict()["total"]["uncertain_below"] == 0.5
    assert prediction.UNCERTAIN_BELOW == 0.5


def test_classify_says_uncertain_in_json_and_in_words(monkeypatch):
    """D2: classify, --json and the API had no mark at all."""
    use_fakes(monkeypatch)
    r = run("classify", "--json", "Gegevens delen lukt niet.", "Iets heel anders.")
    assert [json.loads(x)["uncertain"] for x in r.stdout.splitlines()] == [False, True]
    r = run("classify", "Gegevens delen lukt niet.", "Iets heel anders.")
    first, second = r.stdout.split("\n\n")[:2]
    assert "confidence 0.80 (chapter" in first and "uncertain" not in first
    assert "confidence 0.20 uncertain (chapter 0.30)" in second


# ---------------------------------------------------------------- D8: not Dutch? in every output

def test_classify_json_has_not_dutch(monkeypatch):
    use_fakes(monkeypatch)
    r = run("classify", "--json", EN, "Er is te weinig opvang voor mannen.")
    assert [json.loads(x)["not_dutch"] for x in r.stdout.splitlines()] == [True, False]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_label_outputs_have_a_not_dutch_column_and_the_warning_names_where(monkeypatch, tmp_path, suffix):
    """D8: no column, and the warning named only the first such statement."""
    if suffix == ".xlsx":
        pytest.importorskip("openpyxl")
    use_fakes(monkeypatch)
    note = tmp_path / "n.txt"
    note.write_text(f"{EN}\n\nEr is te weinig opvang voor mannen.\n\n{EN.replace('cases', 'files')}\n",
                    encoding="utf-8")
    out = tmp_path / f"o{suffix}"
    r = run("label", note, "-o", out)
    assert r.exit_code == 0, r.output
    if suffix == ".csv":
        flags = [x["not_dutch"] for x in read_csv(out)]
        assert flags == ["True", "False", "True"]
    elif suffix == ".jsonl":
        flags = [json.loads(x)["not_dutch"] for x in out.read_text(encoding="utf-8").splitlines()]
        assert flags == [True, False, True]
    else:
        import openpyxl

        ws = openpyxl.load_workbook(out).worksheets[0]
        head = [c.value for c in ws[1]]
        assert [row[head.index("not_dutch")] for row in ws.iter_rows(min_row=2, values_only=True)] == [True, False,
                                                                                                     True]
    assert ("n.txt: 2 statements do not read as Dutch, at 1, 5 (the first: “The police should work more closely…”; "
            "the column not_dutch marks them)") in " ".join(r.stderr.split())


# ---------------------------------------------------------------- D10: rounding that shows no certainty

@pytest.mark.parametrize("value, threshold, shown", [
    (0.9999672, None, ">0.99"), (0.9964, None, ">0.99"), (1.0, None, ">0.99"), (0.99, None, "0.99"),
    (0.00003, None, "<0.01"), (0.0, None, "<0.01"), (0.3149, None, "0.31"),
    (0.4976, 0.5, "0.498"), (0.5047, 0.5, "0.50"), (0.49996, 0.5, "0.4999"), (0.5, 0.5, "0.50"),
    (0.3251, 0.33, "0.325"), (0.3302, 0.33, "0.33"), (0.2999, 0.3, "0.2999")])
def test_a_shown_probability_never_shows_certainty_or_a_side_it_does_not_have(value, threshold, shown):
    assert prediction.shown_probability(value, threshold) == shown


def test_classify_in_words_shows_no_1_00_that_is_not_1(monkeypatch):
    def certain(p):
        top = (replace(p.top[0], score=0.9999672), replace(p.top[1], score=0.00002), replace(p.top[2], score=0.00001))
        return replace(p, confidence=0.9999672, chapter_confidence=0.9964, top=top)

    use_fakes(monkeypatch, Fixed(certain))
    r = run("classify", "Gegevens delen lukt niet.")
    assert "confidence >0.99 (chapter >0.99)" in r.stdout
    assert "(>0.99) | 1.5 Digitalisering (<0.01) | 2.16 Gebrek aan middelen en capaciteit (<0.01)" in r.stdout
    assert "1.00" not in r.stdout and "0.00" not in r.stdout
    r = run("classify", "--json", "Gegevens delen lukt niet.")  # a machine output keeps its numbers
    assert json.loads(r.stdout)["confidence"] == 1.0


def test_classify_in_words_shows_a_value_below_the_threshold_below_it(monkeypatch):
    use_fakes(monkeypatch, Fixed(lambda p: replace(p, confidence=0.4976, top=(replace(p.top[0], score=0.4976),
                                                                               *p.top[1:]))))
    r = run("classify", "Gegevens delen lukt niet.")
    assert "confidence 0.498 uncertain" in r.stdout and "0.50" not in r.stdout


# ---------------------------------------------------------------- D12: the top 3 out of order, explained

def test_classify_says_why_the_top_3_is_not_in_descending_order(monkeypatch):
    def chapter_first(p):  # 4.12-like: the suggestion 0.14, an alternative of another chapter 0.31 alone
        return replace(p, confidence=0.14, chapter_confidence=0.62,
                       top=(replace(p.top[0], score=0.14), replace(p.top[1], score=0.31),
                            replace(p.top[2], score=0.11)))

    use_fakes(monkeypatch, Fixed(chapter_first))
    r = run("classify", "Gegevens delen lukt niet.")
    assert ("  not in descending order: 1.5 higher alone, less probable chapter; 2.11 of the most probable chapter, "
            "chosen first (chapter 2, 0.62)") in r.stdout.splitlines()
    use_fakes(monkeypatch, KeywordClassifier())  # in order: nothing to explain
    assert "descending" not in run("classify", "Gegevens delen lukt niet.").stdout


# ---------------------------------------------------------------- D14: a long statement embedded in part

def test_a_statement_embedded_in_part_is_said_in_words_and_in_a_label_column(monkeypatch, tmp_path):
    def part(p):
        return replace(p, embedded_chars=1998)

    use_fakes(monkeypatch, Fixed(part))
    long = "Gegevens delen lukt niet. " * 90
    r = run("classify", long)
    assert (f"  embedded in part: the first 1,998 of its {len(long.strip()):,} characters (the sentence encoder's "
            "window); its words and organisations all count") in r.stdout.splitlines()
    longer = "Gegevens delen lukt niet. " * 500  # QA 55 #8: past 10,000 characters nothing is read, nor found
    r = run("classify", longer)
    assert (f"  embedded in part: the first 1,998 of its {len(longer.strip()):,} characters (the sentence encoder's "
            "window); its words and organisations count up to character 10,000, where reading stops"
            ) in r.stdout.splitlines()
    note = tmp_path / "n.txt"
    note.write_text(long + "\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert run("label", note, "-o", out).exit_code == 0
    assert [x["embedded_chars"] for x in read_csv(out)] == ["1998"]
    use_fakes(monkeypatch, KeywordClassifier())  # embedded whole: the column is empty, the words say nothing
    assert run("label", note, "-o", out, "--force").exit_code == 0
    assert [x["embedded_chars"] for x in read_csv(out)] == [""]
    assert "embedded in part" not in run("classify", "Gegevens delen lukt niet.").stdout

