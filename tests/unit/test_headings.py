"""Headings as evidence (mh_nlp.themes.headings): which headings name a chapter, and how a named chapter weighs."""
from __future__ import annotations

import numpy as np
import pytest

from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.themes.headings import HEADING_WEIGHT, chapter_evidence, heading_chapter, label_chapter


def test_every_chapter_title_of_the_taxonomy_names_its_chapter():
    tax = load_taxonomy()
    assert {c: heading_chapter(ch.title) for c, ch in tax.chapters.items()} == {c: c for c in tax.chapters}


@pytest.mark.parametrize("heading, chapter", [
    ("Trends", 1), ("## Ontwikkelingen", 1), ("1. Trends", 1),
    ("Problemen", 2), ("2. Knelpunten rond opvang", 2), ("Wat gaat er mis?", 2), ("Hoofdstuk 2: Problemen", 2),
    ("Wat gaat goed?", 3), ("Goede voorbeelden uit de regio", 3), ("WAT WERKT", 3),
    ("Ambities", 4), ("III) Wensen", 4), ("Aanbevelingen aan het ministerie", 4), ("Wat moet beter", 4),
])
def test_headings_that_name_a_chapter(heading, chapter):
    assert heading_chapter(heading) == chapter


@pytest.mark.parametrize("heading", [
    None, "", "  ", "Opvang", "Aanwezig", "Rondetafel Utrecht", "Toekomstvisie", "Trendy werving",
    "Problemen en oplossingen", "Wat gaat goed en wat kan beter", "Trends en problemen",  # two chapters: none
    "Geen problemen",  # does not begin with the phrase
    "Ontwikkeling van de aanpak", "Zorgen voor slachtoffers",  # words that are as often something else
])
def test_headings_that_name_no_chapter(heading):
    assert heading_chapter(heading) is None


def test_a_named_chapter_weighs_its_sections_and_leaves_other_rows_alone():
    cols = [1, 1, 2, 3, 4]
    P = np.array([[0.1, 0.1, 0.6, 0.1, 0.1], [0.1, 0.1, 0.6, 0.1, 0.1], [0.2, 0.2, 0.2, 0.2, 0.2]])
    Q = chapter_evidence(P, cols, [1, None, 4])
    assert np.allclose(Q.sum(axis=1), 1) and np.array_equal(Q[1], P[1])
    # row 0: chapter 1's sections times 0.9, the rest times 0.1 / 3; ratios within a chapter are kept
    want = P[0] * np.array([HEADING_WEIGHT] * 2 + [(1 - HEADING_WEIGHT) / 3] * 3)
    assert np.allclose(Q[0], want / want.sum()) and Q[0, 0] == pytest.approx(Q[0, 1])
    assert Q[0, :2].sum() > 0.5 > P[0, :2].sum()  # the heading moved it to chapter 1 ...
    # ... and a flat row to chapter 4: the heading is a likelihood, 0.9 for its chapter against 0.1 / 3 for another
    assert Q[2].argmax() == 4 and Q[2, 4] == pytest.approx(0.9 * 0.2 / (0.9 * 0.2 + 4 * 0.2 * 0.1 / 3))
    strong = chapter_evidence(np.array([[0.001, 0.001, 0.996, 0.001, 0.001]]), cols, [1])
    assert strong.argmax() == 2  # evidence, not a rule: a statement that clearly belongs elsewhere stays there


def test_evaluate_reads_each_quote_under_its_chapter_title():
    from mh_nlp.corpus.records import load_quotes, training_quotes
    from mh_nlp.themes.evaluate import under_chapter_headings

    tax = load_taxonomy()
    quotes = training_quotes(load_quotes())[:60]
    columns = sorted(tax.sections)
    H = under_chapter_headings(np.full((len(quotes), len(columns)), 1.0 / len(columns)), quotes, columns, tax)
    chapter_of = np.array([tax.sections[s].chapter for s in columns])
    assert [chapter_of[row.argmax()] for row in H] == [tax.sections[q.section].chapter for q in quotes]


@pytest.mark.parametrize("text, chapter", [
    ("Knelpunt: te weinig opvang voor jongens.", 2), ("Ambitie: elke regio een zorgcoördinator.", 4),
    ("Wat goed gaat: de samenwerking met het RIEC.", 3), ("Trend: steeds jongere slachtoffers.", 1),
    ("Oplossing: meer capaciteit bij de AVIM.", 4), ("Succes: de NLA inspecteert vaker.", 3),
    ("- Problemen rond opvang: wachtlijsten.", 2),
    ("Problemen en oplossingen: beide besproken.", None),  # two chapters: none
    ("De opvang: te weinig bedden.", None), ("Geen label hier.", None), ("", None), (None, None),
    ("Volgens de politie is het zo dat er in deze regio een probleem is: te weinig mensen.", None),  # no label
])
def test_a_statements_own_leading_label_names_a_chapter(text, chapter):
    assert label_chapter(text) == chapter


def test_a_chairs_question_opens_a_chapter_and_its_answers_stand_under_it(tmp_path):
    """Round tables were led through the four chapters: the chair's questions ("Waar lopen jullie tegenaan?", "En
    wat gaat er goed?") were statements (labelled 3.9 and 3.15 in the demo's transcript), and the answers below them
    stood under no heading. A question that opens a chapter is now meta and the heading of the answers, until the
    chair opens another; a question naming two chapters, or none, opens nothing; "Wat werkt niet" is no chapter 3."""
    from mh_nlp.io.readers import read_statements
    from mh_nlp.themes.headings import heading_chapter, question_chapter

    assert [question_chapter(q) for q in ("Wat zien jullie de afgelopen tijd?", "Waar lopen jullie vooral tegenaan?",
                                          "En wat gaat er goed?", "Tot slot: wat willen jullie over twee jaar bereikt hebben?",
                                          "Wat werkt niet?", "Wat gaat er goed en wat kan beter?",
                                          "Kunnen jullie dat toelichten?", "Waar lopen jullie tegenaan")] == [
        1, 2, 3, 4, 2, None, None, None]
    # QA 52a D3: "(En) wat zijn de ambities?" left the ambitions under the chair's question before it
    assert [question_chapter(q) for q in ("En wat zijn de ambities?", "Wat zijn de belangrijkste trends?",
                                          "Wat zijn de successen?", "Wat zijn de knelpunten?")] == [4, 1, 3, 2]
    assert heading_chapter("Wat werkt niet") is None and heading_chapter("Wat werkt") == 3
    note = tmp_path / "t.txt"
    note.write_text("Voorzitter: Waar lopen jullie tegenaan?\n\nMark (politie): Te weinig rechercheurs.\n\n"
                    "Voorzitter: Kunnen jullie dat toelichten?\n\nMark (politie): Ze zitten op andere zaken.\n\n"
                    "Voorzitter: En wat gaat er goed?\n\nSanne: De samenwerking met het RIEC.\n\n"
                    "Sanne: Waar lopen jullie tegenaan?\n", encoding="utf-8")
    got = [(s.kind, s.extra["heading"], s.text) for s in read_statements(note)]
    assert got == [("meta", "", "Waar lopen jullie tegenaan?"),
                   ("statement", "Waar lopen jullie tegenaan?", "Te weinig rechercheurs."),
                   # the chair's other questions are meta too, though they open nothing (QA 51a D9)
                   ("meta", "Waar lopen jullie tegenaan?", "Kunnen jullie dat toelichten?"),
                   ("statement", "Waar lopen jullie tegenaan?", "Ze zitten op andere zaken."),
                   ("meta", "", "En wat gaat er goed?"),
                   ("statement", "En wat gaat er goed?", "De samenwerking met het RIEC."),
                   ("statement", "En wat gaat er goed?", "Waar lopen jullie tegenaan?")]


def test_a_short_question_of_its_own_that_opens_a_chapter_heads_what_follows(tmp_path):
    """Notes write down what the table was asked ("Waar lopen we tegenaan?") over the answers, as a chair's question
    in a transcript; a speaker's question, or a longer one, stays what it is."""
    from mh_nlp.io.readers import bare_heading, read_statements

    assert bare_heading("Waar lopen we tegenaan?") == "Waar lopen we tegenaan?"
    assert bare_heading("Wat gaat er goed?") == "Wat gaat er goed"
    for line in ("Mark: Waar lopen we tegenaan?", "Kunnen jullie dat toelichten?", "Waar lopen we tegenaan",
                 "Waar lopen we tegenaan als de gemeente en de politie hun informatie niet met elkaar delen?"):
        assert bare_heading(line) is None, line
    note = tmp_path / "n.txt"
    note.write_text("Waar lopen we tegenaan?\n- Te weinig opvang voor mannen.\n\nWat willen we bereiken?\n"
                    "- Elke regio een ketenregisseur.\n", encoding="utf-8")
    assert [(s.extra["heading"], s.text) for s in read_statements(note)] == [
        ("Waar lopen we tegenaan?", "Te weinig opvang voor mannen."),
        ("Wat willen we bereiken?", "Elke regio een ketenregisseur.")]
