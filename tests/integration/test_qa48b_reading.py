"""QA 48b: what is read and how it is classed, the same in ``mh-nlp label``, ``mh-nlp classify`` and the library
(keyword test classifier): a line taken as a heading is never lost (D3), chatter and meta lines get no section from
``classify`` either (D4), and a line of figures is meta, said as ``classify`` says it (D13)."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import KeywordClassifier, use_fakes  # noqa: E402

from mh_nlp.cli import main  # noqa: E402

QUESTIONS = ["Wat gaat er niet goed bij de opvang van mannen?", "Wat kan er beter in de samenwerking met de NLA?",
             "Waarom lukt het niet om slachtoffers snel op te vangen?", "Wat zijn de knelpunten bij de NLA?",
             "Wat gaat er goed bij de politie?", "Welke trends zien jullie bij arbeidsuitbuiting?",
             "Hoe werkt de samenwerking met gemeenten?"]  # QA 48b appendix D


def run(*args, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def clf(monkeypatch) -> KeywordClassifier:
    return use_fakes(monkeypatch)


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------- D3: no line taken as a heading is lost

def test_a_note_of_questions_keeps_every_question(clf, tmp_path):
    """7 questions separated by blank lines gave 2 rows: 5 were taken as chapter headings, 3 of them appeared in no
    row or column. A question that names its own subject is a statement now: 7 rows, 7 statements."""
    note = tmp_path / "questions.txt"
    note.write_text("\n\n".join(QUESTIONS) + "\n", encoding="utf-8")
    out, summary = tmp_path / "q.csv", tmp_path / "q.json"
    r = run("label", note, "-o", out, "--summary", summary, "--quiet")
    assert r.exit_code == 0, r.output
    rows = read_rows(out)
    assert [row["statement"] for row in rows] == QUESTIONS
    assert {row["kind"] for row in rows} == {"statement"} and all(row["section"] for row in rows)
    assert json.loads(summary.read_text(encoding="utf-8"))["total"]["statements"] == 7


def test_a_heading_with_nothing_under_it_is_a_meta_row_and_counted(clf, tmp_path):
    """A heading followed by another heading (or by the end of the note) stood over no statement and vanished; it is
    a meta row now, counted with the other lines. A heading over statements stays what it was: their heading."""
    note = tmp_path / "n.md"
    note.write_text("# Verslag rondetafel\n\n## Problemen\n\n- Te weinig capaciteit bij de politie.\n\n"
                    "Wat gaat er goed?\n\nWaar lopen we tegenaan?\n\n- Gegevens delen lukt niet.\n\n"
                    "Wat willen we bereiken?\n", encoding="utf-8")
    out, summary = tmp_path / "n.csv", tmp_path / "n.json"
    r = run("label", note, "-o", out, "--summary", summary, "--quiet")
    assert r.exit_code == 0, r.output
    got = [(row["kind"], row["statement"], row["heading"], row["section"]) for row in read_rows(out)]
    assert got == [("meta", "Verslag rondetafel", "", ""),
                   ("statement", "Te weinig capaciteit bij de politie.", "Problemen", "2.16"),
                   ("meta", "Wat gaat er goed?", "Problemen", ""),
                   ("statement", "Gegevens delen lukt niet.", "Waar lopen we tegenaan?", "2.11"),
                   ("meta", "Wat willen we bereiken?", "Waar lopen we tegenaan?", "")]
    total = json.loads(summary.read_text(encoding="utf-8"))["total"]
    assert total["statements"] == 2 and total["non_statements"]["meta"] == 3
    assert sum(clf.batches) == 2  # a heading row is never classified


def test_only_headings_is_still_no_statement(clf, tmp_path):
    note = tmp_path / "h.md"
    note.write_text("## Problemen\n\n## Ambities\n", encoding="utf-8")
    r = run("label", note, "-o", tmp_path / "h.csv")
    assert r.exit_code == 1 and "no statements found" in r.output
    assert not (tmp_path / "h.csv").exists()


def test_a_question_heading_without_a_subject_still_heads_the_answers():
    from mh_nlp.io.readers import bare_heading, question_subject

    for q in ("Waar lopen we tegenaan?", "Tot slot: wat willen jullie over twee jaar bereikt hebben?",
              "Wat zien jullie de afgelopen tijd?", "Welke knelpunten zien jullie?"):
        assert bare_heading(q) is not None and question_subject(q) == [], q
    assert question_subject("Wat zijn de knelpunten bij de NLA?") == ["nla"]
    assert bare_heading("Wat zijn de knelpunten bij de NLA?") is None



def test_a_question_with_a_subject_is_a_statement_and_heads_the_answers_under_it(clf, tmp_path):
    """QA 48c N3: the D3 fix made "Wat zijn de knelpunten bij de NLA?" a statement, and the answers under it lost it
    as their heading (the chapter's evidence). It is both: a row of its own, and the heading of the lines below."""
    lines = ["Wat gaat er goed bij de politie?", "De aangifte wordt snel opgenomen.",
             "Wat zijn de knelpunten bij de NLA?", "De NLA reageert pas na weken op een melding.",
             "Er zijn te weinig inspecteurs.", "Wat kan er beter in de samenwerking met gemeenten?",
             "Gemeenten moeten vaste aanspreekpunten krijgen."]
    note = tmp_path / "qnote.txt"
    note.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "qn.csv"
    r = run("label", note, "-o", out, "--quiet")
    assert r.exit_code == 0, r.output
    rows = read_rows(out)
    assert [row["statement"] for row in rows] == lines and {row["kind"] for row in rows} == {"statement"}
    heads = [lines[0]] * 2 + [lines[2]] * 3 + [lines[5]] * 2
    assert [row["heading"] for row in rows] == heads

# ---------------------------------------------------------------- D13: a figure is no small talk

def test_a_line_of_figures_is_meta_and_said_as_classify_says_it(clf, tmp_path):
    """"42", "2025" and "15%" became chatter rows without a word; ``classify`` says "holds no words; not
    classified". They are meta rows now (emoji only stay chatter), and a warning names them in the same words."""
    from mh_nlp.io.kinds import kind_of

    assert [kind_of(t) for t in ("42", "2025", "15%", "👍")] == ["meta", "meta", "meta", "chatter"]
    note = tmp_path / "cijfers.txt"
    note.write_text("Er is te weinig capaciteit.\n42\n2025\n15%\n👍\n", encoding="utf-8")
    out = tmp_path / "c.csv"
    r = run("label", note, "-o", out)
    assert r.exit_code == 0, r.output
    assert [(row["statement"], row["kind"]) for row in read_rows(out)] == [
        ("Er is te weinig capaciteit.", "statement"), ("42", "meta"), ("2025", "meta"), ("15%", "meta"),
        ("👍", "chatter")]
    assert "4 lines hold no words ('42', '2025', '15%', '👍'); not classified" in r.output
    r = run("classify", "42")
    assert r.exit_code == 1 and "'42' holds no words; not classified" in r.output


# ---------------------------------------------------------------- D4: classify reads a line's kind as label does

def test_classify_gives_chatter_and_meta_their_kind_and_no_section(clf, tmp_path):
    """``classify`` gave "Ja.", "Goedemorgen allemaal." and "12 maart 2026" a section, while ``label`` and the review
    page mark them chatter and meta with none. They get their kind now, are never classified, and --json gives a
    null section; a statement's object says "kind": "statement"."""
    lines = ["Ja.", "Goedemorgen allemaal.", "12 maart 2026", "Er is te weinig capaciteit bij de politie."]
    r = run("classify", "--json", *lines)
    assert r.exit_code == 0, r.output
    got = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(g["text"], g["kind"], g["section"]) for g in got] == [
        ("Ja.", "chatter", None), ("Goedemorgen allemaal.", "chatter", None), ("12 maart 2026", "meta", None),
        ("Er is te weinig capaciteit bij de politie.", "statement", "2.16")]
    assert set(got[0]) == set(got[3]) and got[0]["top"] == [] and got[0]["confidence"] is None
    assert clf.batches == [1]  # only the statement was classified
    note = tmp_path / "n.txt"
    note.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("label", note, "-o", tmp_path / "n.csv", "--quiet")
    assert [row["kind"] for row in read_rows(tmp_path / "n.csv")] == [g["kind"] for g in got]
    r = run("classify", "Ja.", "De samenwerking met de NLA gaat goed.")
    assert r.exit_code == 0
    assert "Ja.\n  chatter: not classified, no section (as in mh-nlp label)\n" in r.stdout
    assert "section 3.9" in r.stdout
    r = run("classify", "Ja.", "Klopt.")  # nothing but chatter: said, and no error
    assert r.exit_code == 0 and r.stdout.count("chatter: not classified") == 2


def test_an_organisations_acronym_is_no_small_talk():
    """QA 48c N6: "OM" and "Het OM." (the Openbaar Ministerie) were chatter, as "om" is a small-talk word in lower
    case, so classify and the API dropped them since the D4 fix; small talk stays small talk."""
    from mh_nlp.io.kinds import kind_of

    assert [kind_of(t) for t in ("OM", "Het OM.", "Het OM en de NLA.")] == ["statement"] * 3
    assert [kind_of(t) for t in ("Om 10 uur koffie.", "Ja.", "Tot ziens", "Dank je, NLA")] == ["chatter"] * 4
