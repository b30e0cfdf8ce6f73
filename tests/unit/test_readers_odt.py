"""OpenDocument text (.odt, LibreOffice Writer): read like a Word document; damaged files and bombs refused."""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from mh_nlp.io.readers import ReadError, extra_fields, read_statements

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from odf_samples import NS, REPORT, odt  # noqa: E402


def test_odt_headings_paragraphs_lists_and_captions(tmp_path):
    warnings: list[str] = []
    got = list(read_statements(odt(tmp_path / "verslag.odt", REPORT), warn=warnings.append))
    assert warnings == ["2 footnote(s) and comment(s) are not read"]
    texts = [s.text for s in got]
    assert texts == ["Zorgcoördinatoren hebben te weinig uren.", "Er is geen aanmeldproces voor de opvang.",
                     "meer controles bij uitzendbureaus.", "Elke regio een zorgcoördinator.",
                     "Opmerking over de NLA."]
    # footnotes, comments and deleted text of tracked changes are not statements
    assert not any("Voetnoot" in t or "Geschrapte" in t or "commentaar" in t for t in texts)
    assert [s.extra["heading"] for s in got[:3]] == ["Knelpunten"] * 3
    assert got[2].extra["speaker"] == "Jan (NLA)"
    assert got[3].extra["heading"] == "Ambities"  # the caption heads the list below it
    assert [s.position for s in got][:2] == [2, 3]  # paragraph numbers, the heading counted as in .docx
    assert extra_fields(tmp_path / "verslag.odt") == ["heading", "speaker"]


def test_odt_table_of_speakers_and_statements(tmp_path):
    def row(*cells):
        return "<table:table-row>" + "".join(
            f"<table:table-cell><text:p>{c}</text:p></table:table-cell>" for c in cells) + "</table:table-row>"
    body = ('<text:h text:outline-level="1">Wat goed gaat</text:h><table:table table:name="T1">'
            + row("Spreker", "Uitspraak") + row("Sanne", "De samenwerking met de AVIM loopt goed.")
            + row("Piet", "Het RIEC deelt sneller signalen.") + "</table:table>")
    got = list(read_statements(odt(tmp_path / "t.odt", body)))
    assert [(s.position, s.text, s.extra["speaker"], s.extra["heading"]) for s in got] == [
        ("table 1 row 2", "De samenwerking met de AVIM loopt goed.", "Sanne", "Wat goed gaat"),
        ("table 1 row 3", "Het RIEC deelt sneller signalen.", "Piet", "Wat goed gaat")]


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"PK\x03\x04 dit is geen odt"), "not a valid .odt"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("mimetype", "x"), "not a valid .odt"),
    (lambda p: odt(p, "", content="<office:document-content"), "damaged"),
    (lambda p: odt(p, "", content=f"<office:document-content {NS}/>"), "no text body"),
])
def test_damaged_odt_gets_one_line_error(tmp_path, make, message):
    path = tmp_path / "kapot.odt"
    make(path)
    with pytest.raises(ReadError, match=message):
        list(read_statements(path))


def test_odt_with_odd_numbers_or_deep_nesting_gets_no_traceback(tmp_path):
    body = ('<text:p>Te weinig<text:s text:c="veel"/>opvang.</text:p><table:table><table:table-row>'
            '<table:table-cell table:number-columns-repeated="x"><text:p>Geen zorg.</text:p></table:table-cell>'
            "</table:table-row></table:table>")
    assert [s.text for s in read_statements(odt(tmp_path / "raar.odt", body))] == ["Te weinig opvang.", "Geen zorg."]
    deep = "<text:section>" * 5000 + "<text:p>Diep.</text:p>" + "</text:section>" * 5000
    with pytest.raises(ReadError, match="nested too deeply"):
        list(read_statements(odt(tmp_path / "diep.odt", deep)))


def test_odt_entity_expansion_bomb_is_refused(tmp_path):
    lol = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
           + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 20}">' for p, c in zip("abcdefg", "bcdefgh"))
           + f"]><office:document-content {NS}><office:body><office:text><text:p>&h;</text:p>"
           "</office:text></office:body></office:document-content>")  # 50 * 20**7 bytes if expanded
    with pytest.raises(ReadError, match="document type or entity declarations"):
        list(read_statements(odt(tmp_path / "lol.odt", "", content=lol)))


def test_odt_decompression_bomb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.odt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        with zf.open("content.xml", "w", force_zip64=True) as fh:
            for _ in range(120):
                fh.write(b"\0" * (1 << 20))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(ReadError, match="unpacks to"):
        list(read_statements(path))


def test_an_odt_heading_nothing_stands_under_is_a_meta_row(tmp_path):
    """As in a text note (QA 48b D3 / 48c): the heading was lost without a row."""
    body = ('<text:h text:outline-level="1">Knelpunten</text:h><text:p>Te weinig tolken.</text:p>'
            '<text:h text:outline-level="1">Signalen</text:h>'
            '<text:h text:outline-level="1">Ambities</text:h><text:p>Elke regio een zorgcoördinator.</text:p>'
            '<text:p>Wat gaat er goed?</text:p>')
    got = [(s.text, s.kind, s.extra["heading"]) for s in read_statements(odt(tmp_path / "n.odt", body))]
    assert got[:3] == [("Te weinig tolken.", "statement", "Knelpunten"), ("Signalen", "meta", "Knelpunten"),
                       ("Elke regio een zorgcoördinator.", "statement", "Ambities")]
    assert got[3][:2] == ("Wat gaat er goed?", "meta")  # a chapter's name at the end, nothing under it
