"""PowerPoint decks (.pptx): slide by slide in the order shown, a slide's title as the heading of its points."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mh_nlp.io.readers import ReadError, extra_fields, read_statements

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pptx_samples import pptx, shape, smartart, table  # noqa: E402

SLIDES = [
    shape(["Opbrengst rondetafels Utrecht"], "ctrTitle") + shape(["12 maart 2026"], "subTitle"),
    shape(["Ambities"], "title") + table([["Tafel", "Ambitie"], ["Tafel 1", "Elke regio een zorgcoördinator."]])
    + shape(["7"], "sldNum"),
    shape(["Knelpunten"], "title") + shape(["Te weinig opvangplekken voor mannen", "",
                                            "Jan (NLA): gegevensdeling loopt vast"], "body")
    + shape(["Samen tegen mensenhandel"], "ftr"),
]


def test_slides_in_the_order_shown_with_their_titles_as_headings(tmp_path):
    path = pptx(tmp_path / "opbrengst.pptx", SLIDES, order=[0, 2, 1])  # the third slide part is shown second
    got = [(s.position, s.text, s.kind, s.extra["heading"], s.extra["speaker"]) for s in read_statements(path)]
    assert got == [
        ("slide 1", "12 maart 2026", "meta", "Opbrengst rondetafels Utrecht", ""),
        ("slide 2", "Te weinig opvangplekken voor mannen", "statement", "Knelpunten", ""),
        ("slide 2", "gegevensdeling loopt vast", "statement", "Knelpunten", "Jan (NLA)"),
        ("slide 3 table 1 row 2", "Elke regio een zorgcoördinator.", "statement", "Ambities", "Tafel 1")]
    assert extra_fields(path) == ["heading", "speaker"]


def test_speaker_notes_and_smartart_are_not_read_and_said_so(tmp_path):
    warnings: list[str] = []
    slides = [SLIDES[0], SLIDES[2] + smartart()]
    path = pptx(tmp_path / "met.pptx", slides, notes=["Vertel hier over de opvang in Utrecht.", ""])
    got = [s.text for s in read_statements(path, warn=warnings.append)]
    assert "Vertel hier over de opvang in Utrecht." not in got and "Te weinig opvangplekken voor mannen" in got
    assert warnings == ["the text of SmartArt and charts is not read (1 slide(s): slide 2); copy it into a text box "
                        "to have it labelled",
                        "the speaker notes of 1 slide(s) are not read; copy them into a note to have them labelled"]
    warnings.clear()
    list(read_statements(pptx(tmp_path / "zonder.pptx", SLIDES, notes=[""]), warn=warnings.append))
    assert warnings == []  # an empty notes page is nothing left out


def test_a_damaged_slide_is_counted_and_a_damaged_deck_gets_one_line(tmp_path):
    warnings: list[str] = []
    path = pptx(tmp_path / "deels.pptx", SLIDES, raw={1: b"<p:sld"})
    assert [s.position for s in read_statements(path, warn=warnings.append)][-1] == "slide 3"
    assert warnings == ["1 slide(s) cannot be read and are skipped (slide 2)"]
    (tmp_path / "kapot.pptx").write_bytes(b"PK\x03\x04 geen pptx")
    with pytest.raises(ReadError, match="not a valid .pptx file"):
        list(read_statements(tmp_path / "kapot.pptx"))
    with pytest.raises(ReadError, match="holds no slides"):
        list(read_statements(pptx(tmp_path / "leeg.pptx", [])))


def test_a_slide_with_only_a_title_is_a_meta_row(tmp_path):
    """A section slide ("Knelpunten" and nothing more) left no row; as a heading with nothing under it in a text note
    (QA 48b D3 / 48c) it is a meta row now. A title with text under it stays the heading only."""
    path = pptx(tmp_path / "d.pptx", [shape(["Knelpunten"], "title"),
                                      shape(["Ambities"], "title") + shape(["Meer opvang voor mannen."], "body")])
    got = [(s.position, s.text, s.kind, s.extra["heading"]) for s in read_statements(path)]
    assert got == [("slide 1", "Knelpunten", "meta", ""),
                   ("slide 2", "Meer opvang voor mannen.", "statement", "Ambities")]
