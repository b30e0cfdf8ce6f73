"""Reading statements from .txt/.md/.docx/.csv/.xlsx/.jsonl: splitting, encodings and bad files."""
from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import EXAMPLES, KeywordClassifier  # noqa: E402

from mh_nlp.io.label import label_statements  # noqa: E402
from mh_nlp.io.readers import (MAX_CHARS, ReadError, Statement, clean, detect_encoding, extra_fields,  # noqa: E402
                            read_statements, split_long, split_sentences, text_blocks)
from mh_nlp.io.writers import open_writer  # noqa: E402


def texts(path, **kw) -> list[str]:
    return [s.text for s in read_statements(path, **kw)]


def blocks(s: str, markdown: bool = False) -> list[tuple[int, str, dict]]:
    return list(text_blocks(s.split("\n"), markdown=markdown))


# ---------------------------------------------------------------- text splitting

def test_bullets_paragraphs_and_lines():
    got = blocks("- eerste punt\n- tweede punt dat\n  doorloopt\n\nEen alinea die over twee\nregels loopt.\n"
                 "NLA ziet meer uitbuiting\nRIEC mist zicht")
    assert [(n, t) for n, t, _ in got] == [
        (1, "eerste punt"), (2, "tweede punt dat doorloopt"), (5, "Een alinea die over twee regels loopt."),
        (7, "NLA ziet meer uitbuiting"), (8, "RIEC mist zicht")]


def test_hyphen_break_rejoined_but_compound_hyphen_kept():
    got = [t for _, t, _ in blocks("De aanpak van mensen-\nhandel.\n\nWet- en\nregelgeving schiet tekort.")]
    assert got == ["De aanpak van mensenhandel.", "Wet- en regelgeving schiet tekort."]


def test_sentence_end_followed_by_capital_starts_new_statement():
    got = [t for _, t, _ in blocks("Dit is af.\nDit is nieuw.")]
    assert got == ["Dit is af.", "Dit is nieuw."]


def test_long_note_lines_without_a_full_stop_stay_apart():
    """Note lines typed one by one, without a final full stop, of 60 characters or more were joined into one
    statement as if wrapped (QA 44a D2): a capitalised line after a complete line starts a new statement."""
    notes = ("Te weinig opvangplekken voor mannelijke slachtoffers in Venlo\n"
             "Zorgcoördinator in Venlo is overbelast en heeft geen vervanger\n"
             "RIEC Limburg doet goed werk bij het casusoverleg over huisvesting\n"
             "2 van de 5 gemeenten in Noord-Limburg hebben nog geen aanpak mensenhandel")
    assert [(n, t) for n, t, _ in blocks(notes)] == [
        (1, "Te weinig opvangplekken voor mannelijke slachtoffers in Venlo"),
        (2, "Zorgcoördinator in Venlo is overbelast en heeft geen vervanger"),
        (3, "RIEC Limburg doet goed werk bij het casusoverleg over huisvesting"),
        (4, "2 van de 5 gemeenten in Noord-Limburg hebben nog geen aanpak mensenhandel")]


def test_a_wrapped_paragraph_stays_whole_where_a_line_starts_with_a_name():
    """Text wrapped at a fixed width (an e-mail, a PDF's text) is still rejoined where the next line starts with a
    name: after a function word, and after a full line of a text that is wrapped elsewhere too."""
    text = ("De gemeente Venlo werkt bij de aanpak van arbeidsuitbuiting samen met de\n"
            "NLA en de politie. Zij bespreken signalen van malafide uitzendbureaus in\n"
            "het casusoverleg, waar ook de zorgcoördinator en de woningcorporaties aan\n"
            "deelnemen. Een landelijk dekkend netwerk van zorgcoördinatoren, zoals de commissie\n"
            "Lenferink in 2015 al adviseerde, is er nog steeds niet.")
    assert [t for _, t, _ in blocks(text)] == [
        "De gemeente Venlo werkt bij de aanpak van arbeidsuitbuiting samen met de NLA en de politie. Zij bespreken "
        "signalen van malafide uitzendbureaus in het casusoverleg, waar ook de zorgcoördinator en de "
        "woningcorporaties aan deelnemen. Een landelijk dekkend netwerk van zorgcoördinatoren, zoals de commissie "
        "Lenferink in 2015 al adviseerde, is er nog steeds niet."]


def test_speaker_label_and_markdown_heading_become_extra_fields():
    got = blocks("# Problemen\nJan de Vries (NLA): Wij zien meer meldingen via\nVeilig Thuis.\n"
                 "[00:12:31] Voorzitter: Dank.", markdown=True)
    assert got[0] == (2, "Wij zien meer meldingen via Veilig Thuis.",
                      {"heading": "Problemen", "speaker": "Jan de Vries (NLA)"})
    assert got[1] == (4, "Dank.", {"heading": "Problemen", "speaker": "Voorzitter"})


def test_numbered_and_affiliated_speaker_labels():
    got = blocks("Spreker 1: We zien meer signalen.\n[00:01:05] Spreker 2: De capaciteit is het probleem.\n"
                 "Sanne - Fier: De opvang voor jongens ontbreekt.\nSanne [Fier]: Nog steeds.\n"
                 "Deelnemer 3 (RIEC): Het RIEC deelt meer.\nStap 1: bel de politie.")
    assert [(t, e["speaker"]) for _, t, e in got] == [
        ("We zien meer signalen.", "Spreker 1"), ("De capaciteit is het probleem.", "Spreker 2"),
        ("De opvang voor jongens ontbreekt.", "Sanne - Fier"), ("Nog steeds.", "Sanne [Fier]"),
        ("Het RIEC deelt meer.", "Deelnemer 3 (RIEC)"), ("Stap 1: bel de politie.", "")]


def test_a_speaker_on_a_line_of_its_own_speaks_the_lines_below():
    # Word's and Teams' transcripts: the speaker (and a timestamp) on a line, the words below it
    got = blocks("Spreker 1 00:00:05\nWe zien meer signalen.\n\nEn minder meldingen.\n\n"
                 "Sanne de Vries   0:03\nDe opvang ontbreekt.\n[00:02:10] Jan (NLA)\nDe NLA inspecteert.\n"
                 "Voorzitter: Dank.\nDan de volgende.\n# Ambities\nMeer opvang.", markdown=True)
    assert [(n, t, e["speaker"]) for n, t, e in got] == [
        (2, "We zien meer signalen.", "Spreker 1"), (4, "En minder meldingen.", "Spreker 1"),
        (7, "De opvang ontbreekt.", "Sanne de Vries"), (9, "De NLA inspecteert.", "Jan (NLA)"),
        (10, "Dank.", "Voorzitter"), (11, "Dan de volgende.", "Voorzitter"),  # an inline label takes the turn
        (13, "Meer opvang.", "")]  # a heading ends it


def test_the_lines_below_an_inline_speaker_label_are_its_turn():
    """Lines that follow ``Shamir (CKM): …`` in its paragraph lost the speaker, while those below a speaker on a
    line of its own kept it (QA 44a D11). The turn ends at a blank line, a new speaker, a labelled line
    (``Actiepunt:``), a meta line and a heading."""
    got = blocks("Rotterdam, 24 september 2026\n\nVoorzitter: Welkom bij de rondetafel.\n"
                 "Shamir (CKM): Jongeren komen vaker als dader dan als slachtoffer in beeld.\n"
                 "Dat zien we in alle dertien steden.\nEn de politie herkent de dwang nog te weinig.\n"
                 "Actiepunt: de NLA belt het CKM.\n\nOver jongens is landelijk niets bekend.\n"
                 "Karin (Fier): Wij worden overspoeld.\nDatum: 24 september 2026\nDe opvang zit vol.\n\n"
                 "Jan (NLA): De NLA ziet meer.\n## Ambities\nMeer opvang.", markdown=True)
    assert [(n, e["speaker"]) for n, _, e in got] == [
        (1, ""), (3, "Voorzitter"), (4, "Shamir (CKM)"), (5, "Shamir (CKM)"), (6, "Shamir (CKM)"), (7, ""),
        (9, ""), (10, "Karin (Fier)"), (11, ""), (12, ""), (14, "Jan (NLA)"), (16, "")]
    turns = blocks("Spreker 1 00:00:05\nWe zien meer.\n\nDatum: 12 maart 2026\nDe opvang zit vol.")
    assert [e["speaker"] for _, _, e in turns] == ["Spreker 1", "", ""]  # a meta line ends an announced turn too
    turns = blocks("Ina Hut (CoMensha):\nDe zorgcoördinator ontbreekt.\n\nNog steeds.\n"
                   "Kees (Veilig Thuis): Slachtoffers zijn bang.\nZe melden niets.\n\nKoffiepauze")
    assert [e["speaker"] for _, _, e in turns] == ["Ina Hut (CoMensha)", "Ina Hut (CoMensha)",  # over a blank line
                                                   "Kees (Veilig Thuis)", "Kees (Veilig Thuis)", ""]  # not inline


def test_captions_and_agenda_times_are_no_speaker_lines():
    got = blocks("Opvang:\n- te weinig bedden\nOpening 10:00\nDatum 12:00\nDe opvang zit vol.")
    assert [e["speaker"] for _, _, e in got] == ["", "", "", "", ""]
    assert [t for _, t, _ in got][:2] == ["Opvang:", "te weinig bedden"]


def docx_of(path: Path, *paragraphs: str) -> Path:
    """A Word document of plain paragraphs (python-docx), saved at ``path``."""
    docx = pytest.importorskip("docx")
    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    d.save(path)
    return path


def test_docx_speaker_paragraphs_of_a_transcript(tmp_path):
    path = docx_of(tmp_path / "t.docx", "Spreker 1 00:00:05", "We zien meer signalen.", "Sanne de Vries 0:41",
                   "De opvang ontbreekt.", "Nog steeds.")
    got = [(s.text, s.extra["speaker"]) for s in read_statements(path)]
    assert got == [("We zien meer signalen.", "Spreker 1"), ("De opvang ontbreekt.", "Sanne de Vries"),
                   ("Nog steeds.", "Sanne de Vries")]


def test_lowercase_label_is_not_a_speaker():
    (_, text, extra), = blocks("Let op: de IND deelt te weinig.")
    assert text == "Let op: de IND deelt te weinig." and extra["speaker"] == ""


def test_split_sentences_respects_abbreviations():
    assert split_sentences("De IND deelt o.a. gegevens, bijv. met de NLA. Dat is goed! Klopt dat?") == [
        "De IND deelt o.a. gegevens, bijv. met de NLA.", "Dat is goed!", "Klopt dat?"]


def test_sentence_mode_splits_statements(tmp_path):
    p = tmp_path / "n.txt"
    p.write_text("Eerste zin. Tweede zin.\n", encoding="utf-8")
    got = list(read_statements(p, split="sentence"))
    assert [(s.position, s.text) for s in got] == [(1, "Eerste zin."), (1, "Tweede zin.")]


def test_split_long_keeps_all_text_in_bounded_pieces():
    text = " ".join(f"Zin nummer {i} over mensenhandel." for i in range(3000))
    pieces = split_long(text, 1000)
    assert all(len(p) <= 1000 for p in pieces) and len(pieces) > 1
    assert " ".join(pieces) == text
    assert all(p.endswith(".") for p in pieces)  # cut at sentence ends
    nospace = "x" * 2500
    assert split_long(nospace, 1000) == ["x" * 1000, "x" * 1000, "x" * 500]


# ---------------------------------------------------------------- encodings and bad files

def test_windows_1252_detected_and_warned(tmp_path):
    p = tmp_path / "oud.txt"
    p.write_bytes("Eén slachtoffer – 50 € per dag.\n".encode("cp1252"))
    warnings: list[str] = []
    assert detect_encoding(p) == "cp1252"
    assert texts(p, warn=warnings.append) == ["Eén slachtoffer – 50 € per dag."]
    assert len(warnings) == 1 and "Windows-1252" in warnings[0]


def test_utf8_with_bom_is_not_warned(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeffCoMensha regelt opvang.\n".encode("utf-8"))
    warnings: list[str] = []
    assert texts(p, warn=warnings.append) == ["CoMensha regelt opvang."]
    assert warnings == []


@pytest.mark.parametrize("name, content, message", [
    ("leeg.txt", b"", "empty file"),
    ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ("dia.ppt", b"\xd0\xcf\x11\xe0", "unsupported file type '.ppt'; an old PowerPoint deck: save it as .pptx"),
    ("oud.doc", b"\xd0\xcf\x11\xe0", "unsupported file type '.doc'; an old Word document: save it as .docx"),
    ("oud.xls", b"\xd0\xcf\x11\xe0", "unsupported file type '.xls'; an old Excel workbook: save it as .xlsx"),
    ("notes.rar", b"Rar!", "unsupported file type '.rar' (use .csv, .docx"),
    ("kapot.pdf", b"%PDF-1.4", "not a valid .pdf"),
    ("noext", b"tekst", "unsupported file type"),
    ("witruimte.txt", b"\n\n   \n\t\n", "no statements"),
    ("kapot.docx", b"PK\x03\x04 dit is geen docx", "not a valid .docx"),
    ("kapot.xlsx", b"geen spreadsheet", "not a valid .xlsx"),
])
def test_bad_files_raise_one_line_read_errors(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(ReadError, match=message.replace(".", r"\.").replace("(", r"\(")) as info:
        list(read_statements(p))
    assert "\n" not in str(info.value)


def test_missing_path_and_directory(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        list(read_statements(tmp_path / "nergens.txt"))
    d = tmp_path / "map.txt"
    d.mkdir()
    with pytest.raises(ReadError, match="directory"):
        list(read_statements(d))


def test_one_megabyte_line_is_split_with_one_warning(tmp_path):
    sentence = "De NLA ziet meer arbeidsuitbuiting in de logistiek. "
    line = (sentence * (1_000_000 // len(sentence))).strip()
    p = tmp_path / "groot.txt"
    p.write_text(line + "\n", encoding="utf-8")
    warnings: list[str] = []
    got = list(read_statements(p, warn=warnings.append))
    assert len(got) > 50 and all(len(s.text) <= MAX_CHARS for s in got)
    assert {s.position for s in got} == {1}
    assert " ".join(s.text for s in got) == line
    assert len(warnings) == 1 and "split" in warnings[0]


def test_reading_is_lazy(tmp_path):
    p = tmp_path / "veel.txt"
    p.write_text("".join(f"Regel {i}.\n" for i in range(10000)), encoding="utf-8")
    it = read_statements(p)
    first = next(it)
    assert (first.position, first.text) == (1, "Regel 0.")
    it.close()


# ---------------------------------------------------------------- tables

def test_csv_default_text_column_and_extras_carried():
    got = list(read_statements(EXAMPLES / "notities.csv"))
    assert got[0].text.startswith("We zien meer uitbuiting van arbeidsmigranten")
    assert got[0].position == 2 and got[0].extra == {"datum": "2025-02-03", "spreker": "NLA"}
    assert 10 not in {s.position for s in got}  # the row with an empty text is skipped
    assert len(got) == 9
    assert extra_fields(EXAMPLES / "notities.csv") == ["datum", "spreker"]


def test_csv_semicolon_and_named_column(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("id;Opmerking\n1;De IND deelt te weinig.\n2;Goede samenwerking met RIEC.\n", encoding="utf-8")
    got = list(read_statements(p, column="opmerking"))
    assert [(s.position, s.text, s.extra) for s in got] == [
        (2, "De IND deelt te weinig.", {"id": "1"}), (3, "Goede samenwerking met RIEC.", {"id": "2"})]


def test_csv_without_the_named_column(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("datum,notitie\n2025-01-01,iets\n", encoding="utf-8")
    with pytest.raises(ReadError, match="no text column.*--column.*datum, notitie"):
        list(read_statements(p))
    with pytest.raises(ReadError, match="no column 'tekst'"):
        list(read_statements(p, column="tekst"))


def test_xlsx_rows(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["spreker", "Uitspraak", "score"])
    ws.append(["OM", "Meer vervolgingen voor criminele uitbuiting.", 3])
    ws.append(["RIEC", None, 1])
    ws.append(["NLA", "Controles bij uitzendbureaus.", 2.0])
    p = tmp_path / "n.xlsx"
    wb.save(p)
    got = list(read_statements(p))
    assert [(s.position, s.text, s.extra) for s in got] == [
        (2, "Meer vervolgingen voor criminele uitbuiting.", {"spreker": "OM", "score": "3"}),
        (4, "Controles bij uitzendbureaus.", {"spreker": "NLA", "score": "2"})]


LEADS = ["=", "+", "-", "@", "\t", "\r"]  # the characters our CSV writer guards with a leading '


@pytest.mark.parametrize("lead", LEADS)
def test_our_csv_reads_back_to_the_original_text(tmp_path, lead):
    attack = f'{lead}HYPERLINK("http://x","klik") De NLA ziet meer uitbuiting.'
    originals = [attack, "'" + attack, "De NLA ziet meer uitbuiting."]
    out = tmp_path / "ours.csv"
    with open_writer(out, ["=kolom"]) as w:
        for row in label_statements([Statement("a.txt", i, t, {"=kolom": t}) for i, t in enumerate(originals, 1)],
                                    KeywordClassifier()):
            w.write(row.to_dict())
    with open(out, encoding="utf-8-sig", newline="") as fh:
        assert [r[2] for r in csv.reader(fh)][1:3] == ["'" + attack, "''" + attack]  # written guarded ...
    got = list(read_statements(out, column="statement"))
    assert [s.text for s in got] == [clean(t) for t in originals]  # ... read back as written (text is cleaned)
    assert [s.extra["=kolom"] for s in got] == originals  # a carried column is not cleaned: exactly the original


def test_csv_reader_drops_one_guard_quote_only_before_a_formula_character(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("tekst,bedrag\n"
                 "'=SOM(A1:A3) telt op,'-5\n"
                 "''=x,'De NLA'\n"
                 "'t Is zo 'n zaak,-3\n"
                 "\"'@Jan belt, zegt hij\",'+31\n", encoding="utf-8")
    got = list(read_statements(p))
    assert [(s.text, s.extra["bedrag"]) for s in got] == [
        ("=SOM(A1:A3) telt op", "-5"), ("'=x", "'De NLA'"), ("'t Is zo 'n zaak", "-3"),
        ("@Jan belt, zegt hij", "+31")]


def test_csv_with_guard_quotes_is_not_read_with_quote_character_apostrophe(tmp_path):
    p = tmp_path / "a.csv"  # csv.Sniffer alone takes ' for the quote character here
    p.write_text("statement,spreker\n'-Dit is 'raar',OM\n'@Jan zegt 'ja','-NLA\n", encoding="utf-8")
    got = list(read_statements(p))
    assert [(s.text, s.extra) for s in got] == [("-Dit is 'raar'", {"spreker": "OM"}),
                                               ("@Jan zegt 'ja'", {"spreker": "-NLA"})]


def test_xlsx_reader_keeps_a_leading_quote(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["tekst"])
    wb.active.append(["'=x"])
    p = tmp_path / "n.xlsx"
    wb.save(p)
    assert texts(p) == ["'=x"]  # only the CSV reader undoes the CSV writer's guard


def test_docx_paragraphs_and_list_items(tmp_path):
    pytest.importorskip("docx")
    sys.path.insert(0, str(EXAMPLES))
    import make_docx

    p = make_docx.build(tmp_path / "v.docx")
    got = list(read_statements(p))
    body = [t for style, t in make_docx.CONTENT if style != "Title" and not style.startswith("Heading")]
    assert len(got) == len(body)
    assert got[1].text == body[1] and got[1].extra["heading"] == "Ontwikkelingen"
    assert got[-1].text == body[-1] and got[-1].extra["heading"] == "Ambities"
    assert all(not s.text.startswith(("Ontwikkelingen", "Knelpunten")) for s in got)


def test_jsonl_field_and_column(tmp_path):
    p = tmp_path / "n.jsonl"
    p.write_text(json.dumps({"text": "De OM vervolgt meer.", "id": 7}) + "\n\n"
                 + json.dumps({"text": "", "id": 8}) + "\n"
                 + json.dumps({"text": "NLA controleert.", "id": 9}) + "\n", encoding="utf-8")
    got = list(read_statements(p))
    assert [(s.position, s.text, s.extra) for s in got] == [
        (1, "De OM vervolgt meer.", {"id": "7"}), (4, "NLA controleert.", {"id": "9"})]
    with pytest.raises(ReadError, match="line 1: no field 'body'"):
        list(read_statements(p, column="body"))


def test_markdown_heading_gives_the_text_of_a_heading_line_only():
    from mh_nlp.io.readers import markdown_heading

    assert markdown_heading("## Problemen") == "Problemen"
    assert markdown_heading("   # Wat gaat goed ##") == "Wat gaat goed"
    assert markdown_heading("#Problemen") is None  # no space: not a heading
    assert markdown_heading("    ## code block") is None  # indented four: not a heading
    assert markdown_heading("Er is te weinig opvang. # geen kop") is None


def test_a_markdown_heading_in_a_plain_text_note_is_a_heading_not_a_statement():
    """Analysts write '## Problemen' in .txt notes too (and the screen stores pasted text as .txt)."""
    got = blocks("## Problemen\nTe weinig opvang.\n```\nNog een regel.\n")
    assert got[0] == (2, "Te weinig opvang.", {"heading": "Problemen", "speaker": ""})
    assert [t for _, t, _ in got] == ["Te weinig opvang.", "```", "Nog een regel."]  # fences only mean code in .md


def test_a_documents_own_parts_on_a_line_of_their_own_are_meta():
    """"Inhoudsopgave" above a table of contents, "Bijlagen" or "Samenvatting" on a line of its own was labelled as
    a statement (QA 44b's table of contents); a sentence that starts with such a word stays one."""
    from mh_nlp.io.kinds import kind_of

    for line in ("Inhoudsopgave", "Inhoud", "Colofon", "Bijlage", "Bijlagen", "Samenvatting", "Bronnen"):
        assert kind_of(line) == "meta", line
    assert kind_of("Samenvatting: de opvang van mannen schiet tekort.") == "statement"
    assert kind_of("Inhoud en vorm van de voorlichting op scholen moeten beter.") == "statement"


def test_the_title_line_of_a_transcript_is_meta():
    from mh_nlp.io.kinds import kind_of

    assert kind_of("Transcript rondetafel Zwolle, 12 november 2026") == "meta"
    assert kind_of("Rondetafel Zwolle, 12 november 2026") == "meta"
    assert kind_of("Transcripties van verhoren worden te laat gedeeld met de NLA.") == "statement"
    assert kind_of("Transcript van het verhoor wordt te laat gedeeld met de NLA.") == "statement"
    assert kind_of("Transcript interview NLA") == "meta"


TEAMS_VTT = """WEBVTT

NOTE opgenomen in Teams

0a1b2c3d-1
00:00:00.000 --> 00:00:05.120
<v Sanne de Vries>We zien steeds meer signalen van</v>

0a1b2c3d-2
00:00:05.120 --> 00:00:09.480
<v Sanne de Vries>arbeidsuitbuiting &amp; de meldingen <i>blijven</i> uit.</v>

00:01:02.000 --> 00:01:04.000
<v.loud Jan Bakker>De capaciteit is het probleem.</v>
"""

SRT = """1
00:00:00,000 --> 00:00:03,100
Er is te weinig opvang

2
00:00:03,100 --> 00:00:06,000
voor jongens. De NLA
inspecteert vaker.

3
00:01:00,500 --> 00:01:04,000
Els: Wat goed gaat is de samenwerking met het RIEC.
"""


def test_teams_webvtt_one_statement_per_turn(tmp_path):
    p = tmp_path / "teams.vtt"
    p.write_text(TEAMS_VTT, encoding="utf-8")
    got = [(s.position, s.text, s.extra["speaker"]) for s in read_statements(p)]
    assert got == [("00:00:00", "We zien steeds meer signalen van arbeidsuitbuiting & de meldingen blijven uit.",
                    "Sanne de Vries"), ("00:01:02", "De capaciteit is het probleem.", "Jan Bakker")]
    assert extra_fields(p) == ["heading", "speaker"]


def test_a_speaker_named_only_where_the_turn_starts_keeps_the_turn(tmp_path):
    """A transcript that names the speaker at the start of a turn only: the unnamed cues after it are the same
    turn (they were rows of their own without a speaker, a fragment classified on its own); a greeting that
    opens a turn stays a row of its own instead of being classified with the statement after it (QA 36)."""
    p = tmp_path / "zoom.srt"
    p.write_text("1\n00:00:01,000 --> 00:00:04,000\nSanne: We zien steeds meer arbeidsuitbuiting\n\n"
                 "2\n00:00:04,000 --> 00:00:08,000\nin de distributiecentra.\n\n"
                 "3\n00:00:09,000 --> 00:00:12,000\nJan: Er zijn te weinig opvangplekken voor mannen.\n", encoding="utf-8")
    assert [(s.position, s.text, s.extra["speaker"]) for s in read_statements(p)] == [
        ("00:00:01", "We zien steeds meer arbeidsuitbuiting in de distributiecentra.", "Sanne"),
        ("00:00:09", "Er zijn te weinig opvangplekken voor mannen.", "Jan")]
    p = tmp_path / "teams.vtt"
    p.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Sanne>Goedemorgen allemaal.</v>\n\n"
                 "00:00:05.000 --> 00:00:09.000\n<v Sanne>We zien steeds meer arbeidsuitbuiting</v>\n\n"
                 "00:00:09.000 --> 00:00:12.000\n<v Sanne>in de distributiecentra.</v>\n", encoding="utf-8")
    assert [s.text for s in read_statements(p)] == [
        "Goedemorgen allemaal.", "We zien steeds meer arbeidsuitbuiting in de distributiecentra."]


def test_subrip_without_speakers_reads_sentence_by_sentence(tmp_path):
    p = tmp_path / "opname.srt"
    p.write_text(SRT, encoding="utf-8")
    got = [(s.position, s.text, s.extra["speaker"]) for s in read_statements(p)]
    # cues are joined into sentences; a cue may end one sentence and start the next
    assert got == [("00:00:00", "Er is te weinig opvang voor jongens. De NLA inspecteert vaker.", ""),
                   ("00:01:00", "Wat goed gaat is de samenwerking met het RIEC.", "Els")]
    assert [s.text for s in read_statements(p, split="sentence")][:2] == [
        "Er is te weinig opvang voor jongens.", "De NLA inspecteert vaker."]


def test_a_long_turn_is_cut_at_a_sentence_end(tmp_path):
    from mh_nlp.io.readers import TURN_CHARS

    sentence = "De opvang voor slachtoffers van arbeidsuitbuiting is in onze regio nog altijd te klein. "
    cues = "".join(f"00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000\n<v Jan>{sentence}</v>\n\n" for i in range(20))
    p = tmp_path / "lang.vtt"
    p.write_text("WEBVTT\n\n" + cues, encoding="utf-8")
    got = list(read_statements(p))
    assert len(got) > 1 and all(len(s.text) < TURN_CHARS + len(sentence) for s in got)
    assert all(s.text.endswith(".") and s.extra["speaker"] == "Jan" for s in got)
    assert " ".join(s.text for s in got) == " ".join([sentence.strip()] * 20)


def test_a_subtitle_file_without_cues_is_a_clear_error(tmp_path):
    p = tmp_path / "leeg.vtt"
    p.write_text("WEBVTT\n\nNOTE niets opgenomen\n", encoding="utf-8")
    with pytest.raises(ReadError, match="no cues found"):
        list(read_statements(p))


def test_a_stance_label_is_no_speaker_and_stays_in_the_statement():
    got = blocks("Knelpunt: te weinig opvang voor jongens.\nAmbitie: elke regio een zorgcoördinator.\n"
                 "Succes: de NLA inspecteert vaker.\nJan: De NLA inspecteert vaker.")
    assert [(t, e["speaker"]) for _, t, e in got] == [
        ("Knelpunt: te weinig opvang voor jongens.", ""), ("Ambitie: elke regio een zorgcoördinator.", ""),
        ("Succes: de NLA inspecteert vaker.", ""), ("De NLA inspecteert vaker.", "Jan")]


def test_a_caption_that_names_a_chapter_heads_the_list_below_it():
    got = blocks("## Rondetafel\nKnelpunten:\n- te weinig opvang\n- geen capaciteit\n\nDe NLA ziet meer.\n\n"
                 "Wat gaat goed:\n\nSamenwerking met het RIEC.\nDe volgende partijen werken samen:\n- politie",
                 markdown=True)
    assert [(t, e["heading"]) for _, t, e in got] == [
        ("te weinig opvang", "Knelpunten"), ("geen capaciteit", "Knelpunten"),
        ("De NLA ziet meer.", "Rondetafel"),  # a blank line ends the list under the caption
        ("Samenwerking met het RIEC.", "Wat gaat goed"),  # a blank line right below the caption does not
        ("De volgende partijen werken samen:", "Wat gaat goed"),  # names no chapter: a statement
        ("politie", "Wat gaat goed")]


def test_words_symbol_bullets_in_a_pdfs_text_are_bullets():
    # Word's lists put a Symbol or Wingdings character (private use, U+F0B7 or U+F0A7) before each point; a PDF's
    # text and a copy of the list keep it (LibreOffice's PDF of examples/verslag.docx does)
    got = blocks("Knelpunten\n\uf0b7 Zorgcoördinatoren hebben te weinig uren om alle slachtoffers goed te\n"
                 "begeleiden.\n\uf0a7 Er is geen aanmeldproces.\n◦ Geen opvang.")
    assert [t for _, t, _ in got] == ["Zorgcoördinatoren hebben te weinig uren om alle slachtoffers goed te begeleiden.",
                                      "Er is geen aanmeldproces.", "Geen opvang."]


def test_a_chapters_name_on_a_line_of_its_own_is_a_heading():
    got = blocks("Verslag rondetafel\n\nKnelpunten\n- te weinig opvang\n- Knelpunten\n\nProblemen met huisvesting\n\n"
                 "Knelpunten.\n\n2. Ambities\nElke regio een zorgcoördinator.\n\nWat gaat er goed?\nHet RIEC deelt.")
    assert [(t, e["heading"]) for _, t, e in got] == [
        ("Verslag rondetafel", ""),  # names no chapter: a statement (its kind says meta)
        ("te weinig opvang", "Knelpunten"),
        ("Knelpunten", "Knelpunten"),  # a point of a list is no heading
        ("Problemen met huisvesting", "Knelpunten"),  # more than a chapter's name: a statement
        ("Knelpunten.", "Knelpunten"),  # a sentence
        ("Elke regio een zorgcoördinator.", "2. Ambities"),
        ("Het RIEC deelt.", "Wat gaat er goed")]


def test_docx_caption_paragraph_heads_the_paragraphs_below_it(tmp_path):
    path = docx_of(tmp_path / "c.docx", "Ambities:", "Elke regio een zorgcoördinator.", "Meer voorlichting.", "",
                   "De NLA ziet meer.")
    got = [(s.text, s.extra["heading"]) for s in read_statements(path)]
    assert got == [("Elke regio een zorgcoördinator.", "Ambities"), ("Meer voorlichting.", "Ambities"),
                   ("De NLA ziet meer.", "")]


def test_a_transcribers_note_on_its_own_line_is_chatter():
    from mh_nlp.io.kinds import kind_of

    for note in ("(gelach)", "[onverstaanbaar]", "[inaudible]", "(stilte)", "[spreker valt weg]"):
        assert kind_of(note) == "chatter", note
    assert kind_of("(De NLA ziet meer uitbuiting in de regio Utrecht.)") == "statement"


def test_an_answer_that_says_nothing_is_chatter_and_one_that_goes_on_is_a_statement():
    """QA 48b D6: "Ik weet het niet." was labelled 2.11, chapter 2 at 0.996, and "Geen idee eigenlijk." 2.21: a
    transcript's answers without content have no section to be sorted into. A line that goes on ("Ik weet niet of de
    opvang voldoende is.") says something and stays a statement; so does every anthology quote, written statement and
    outside sentence (checked in ``test_no_corpus_text_is_taken_for_meta_or_chatter``)."""
    from mh_nlp.io.kinds import kind_of

    for line in ("Ik weet het niet.", "Weet ik niet.", "Dat weet ik eigenlijk niet.", "Geen idee eigenlijk.",
                 "Ik heb geen idee.", "Goede vraag.", "Lastige vraag!", "Dat kan ik niet zeggen.",
                 "Ik kan dat moeilijk inschatten.", "Geen commentaar.", "Ik heb verder niets toe te voegen.",
                 "Weet ik eigenlijk niet hoor.", "Daar heb ik geen mening over.",
                 # QA 50a N2: the same with a word before or after, "we" as well as "ik", and close variants
                 "Nee, geen idee.", "Ja, geen idee.", "Nou, ik weet het niet.", "Sorry, ik weet het niet.",
                 "Geen idee, sorry.", "Eerlijk gezegd weet ik het niet.", "Ik zou het niet weten.", "We weten het niet.",
                 "Dat weten we niet.", "Weet het niet.", "Daar kan ik niets over zeggen.", "Lastig te zeggen.",
                 "Moeilijk te zeggen.", "Dat is een lastige vraag.", "Ik heb daar verder niets aan toe te voegen.",
                 "Niets meer aan toe te voegen.", "Geen mening.", "Geen flauw benul.",
                 # QA 50b R1: its words in any order, more than one interjection, an adverb more
                 "Nee sorry, geen idee.", "Nee, sorry, ik weet het niet.", "Geen idee, eerlijk gezegd.", "Ehm, geen idee.",
                 "Uh, ik weet het niet.", "Nee hoor, geen idee.", "Ik heb werkelijk geen idee.", "Zou ik niet weten.",
                 "Dat is moeilijk te zeggen.", "Dat vind ik lastig te zeggen.", "Niet te zeggen.",
                 "Ik heb er geen mening over.", "Daar kan ik geen antwoord op geven.", "Dat is een heel goede vraag.",
                 "Verder niets.", "Ik weet het niet zeker.", "Tja.", "Nee Karim, geen idee."):
        assert kind_of(line) == "chatter", line
    for line in ("Ik weet niet of de opvang voldoende is.", "Geen idee hoe groot de groep slachtoffers is.",
                 "Ik weet het niet, maar de politie heeft te weinig capaciteit.", "Daar heb ik geen zicht op.",
                 "Geen opvang.", "Dat kan ik niet zeggen over de NLA.", "Geen idee waar slachtoffers heen kunnen.",
                 "Ouders weten het niet.", "Niemand weet wat de NLA doet.", "Weet niet waar ik moet melden.",
                 "Dat kan ik niet zeggen, de cijfers ontbreken.", "Geen idee van de omvang.", "Geen zicht.",
                 "Ze weten het niet.", "Gemeenten weten het niet.", "Het OM weet het niet.", "Het is niet goed.",
                 "Niemand weet het.", "Er is geen idee van de omvang van uitbuiting."):
        assert kind_of(line) == "statement", line


def test_no_corpus_text_is_taken_for_meta_or_chatter():
    """The anthology's quotes, the written statements and the outside sentences are all statements: a cue of
    ``notes_cues.txt`` that matched one of them would keep it from ever being labelled."""
    import json

    from mh_nlp.io.kinds import kind_of
    from mh_nlp.paths import data_dir

    files = ["quotes.jsonl", "synthetic/statements.jsonl", "synthetic/stance.jsonl", "external/sentences.jsonl",
             "development/sentences.jsonl"]
    texts = [json.loads(line)["text"] for name in files
             for line in (data_dir() / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(texts) > 7000
    assert [t for t in texts if kind_of(t) != "statement"] == []


def test_a_cue_time_without_hours_is_given_as_hours_minutes_seconds(tmp_path):
    p = tmp_path / "kort.vtt"
    p.write_text("WEBVTT\n\n00:03.120 --> 00:05.000\nDe opvang zit vol.\n\n"
                 "1:02:03.000 --> 1:02:05.000\nDe NLA inspecteert vaker.\n", encoding="utf-8")
    assert [s.position for s in read_statements(p)] == ["00:00:03", "01:02:03"]


def test_a_subtitle_block_without_timing_is_counted_and_a_runaway_block_refused(tmp_path):
    p = tmp_path / "rommel.srt"
    p.write_text("1\n00:00:00,000 --> 00:00:03,000\nDe opvang zit vol.\n\nlosse regel zonder tijd\n\n"
                 "2\n00:00:03,000 --> 00:00:05,000\nDe NLA inspecteert vaker.\n", encoding="utf-8")
    warnings: list[str] = []
    assert [s.text for s in read_statements(p, warn=warnings.append)] == [
        "De opvang zit vol.", "De NLA inspecteert vaker."]
    assert warnings == ["1 block without a cue timing ('00:00:05.120 --> ...') skipped"]
    big = tmp_path / "groot.vtt"
    big.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n" + "woord " * 20_000 + "\n", encoding="utf-8")
    with pytest.raises(ReadError, match="without a blank line"):
        list(read_statements(big))


def test_a_line_of_symbols_or_emoji_is_not_a_statement():
    from mh_nlp.io.kinds import kind_of

    assert kind_of("😀😀") == "chatter" and kind_of("→ ★") == "chatter"
    assert kind_of("😀 Meer opvang voor mannen.") == "statement"
    # figures are meta, no small talk (QA 48b D13)
    assert kind_of("12345") == "meta"
    assert kind_of("€ 1.250.000,00 - € 2.500.000,00 - € 3.750.000,00 - € 5.000.000,00 - € 6.000.000,00") == "meta"
    assert kind_of(", ".join(str(i) for i in range(1, 14))) == "meta"


def test_jsonl_takes_the_default_text_fields_in_any_case(tmp_path):
    """As a table's header and train --add: text, tekst, statement or uitspraak, in any case."""
    f = tmp_path / "n.jsonl"
    f.write_text('{"Tekst": "Meer opvang.", "id": 1}\n{"UITSPRAAK": "Minder zicht."}\n', encoding="utf-8")
    got = list(read_statements(f))
    assert [s.text for s in got] == ["Meer opvang.", "Minder zicht."] and got[0].extra == {"id": "1"}
    f.write_text('{"x": "Meer opvang."}\n', encoding="utf-8")
    with pytest.raises(ReadError, match="no field 'text' \\(nor tekst, statement, uitspraak; choose one with --column\\)"):
        list(read_statements(f))


def test_a_jsonl_text_field_in_another_case_is_not_carried_as_an_extra_column(tmp_path):
    from mh_nlp.io.readers import extra_fields

    f = tmp_path / "n.jsonl"
    f.write_text('{"Tekst": "Meer opvang.", "id": 1}\n', encoding="utf-8")
    assert extra_fields(f) == ["id"]


def test_a_markdown_line_that_is_only_bold_is_a_heading():
    """``**Ambities**`` on a line of its own, as Markdown, Teams and OneNote notes write a heading, was a statement
    and left the lines below it under the heading above it (QA 44a D12a)."""
    got = blocks("### Wat gaat er niet goed?\nMeldingen bij CoMensha komen te laat binnen.\n\n**Ambities**\n"
                 "Een landelijk meldpunt voor arbeidsmigranten.\n\n__Knelpunten__\nTe weinig opvang.\n\n"
                 "**De NLA ziet meer uitbuiting.**", markdown=True)
    assert [(n, t, e["heading"]) for n, t, e in got] == [
        (2, "Meldingen bij CoMensha komen te laat binnen.", "Wat gaat er niet goed?"),
        (5, "Een landelijk meldpunt voor arbeidsmigranten.", "Ambities"), (8, "Te weinig opvang.", "Knelpunten"),
        (10, "De NLA ziet meer uitbuiting.", "Knelpunten")]  # a bold sentence stays a statement


def test_markdown_emphasis_code_and_link_syntax_is_left_out_of_statements(tmp_path):
    """Markdown's own markup stayed in the statements (QA 44a D12b): emphasis, code and links are read as the text
    they show; a ``_`` or ``*`` inside a word or a sum is no emphasis, and a .txt note keeps it all."""
    note = ("## **Knelpunten**\n\n- De **zorgcoördinator** in Venlo is _overbelast_, zie [het rapport]"
            "(https://www.comensha.nl/rapport).\n- `B8` aanvragen duren te lang bij de *IND*.\n"
            "- Meer info: <https://www.nationaalrapporteur.nl>\n- Het veld snake_case_naam en 2*3*4 blijven staan.\n"
            "__Jan (NLA)__: De NLA ziet meer.\n\n| Organisatie | Signaal |\n| --- | --- |\n"
            "| CKM | Daders ronselen bij **praktijkscholen**. |\n")
    got = blocks(note, markdown=True)
    assert [(t, e["heading"], e["speaker"]) for _, t, e in got] == [
        ("De zorgcoördinator in Venlo is overbelast, zie het rapport.", "Knelpunten", ""),
        ("B8 aanvragen duren te lang bij de IND.", "Knelpunten", ""),
        ("Meer info: https://www.nationaalrapporteur.nl", "Knelpunten", ""),
        ("Het veld snake_case_naam en 2*3*4 blijven staan.", "Knelpunten", ""),
        ("De NLA ziet meer.", "Knelpunten", "Jan (NLA)"),
        ("Daders ronselen bij praktijkscholen.", "Knelpunten", "CKM")]
    assert blocks("De **zorgcoördinator** is _overbelast_.")[0][1] == "De **zorgcoördinator** is _overbelast_."
    assert blocks("***Let op***: **_nieuw_** beleid.", markdown=True)[0][1] == "Let op: nieuw beleid."


def test_markdown_markup_on_a_long_line_takes_linear_time():
    import time

    start = time.perf_counter()  # a marker that searched on to the line's end took 20 s here
    got = blocks("a _b " * 20000 + "\n" + "**a " * 30000, markdown=True)
    assert len(got) == 2 and time.perf_counter() - start < 5


def test_markdown_front_matter_comments_tables_and_tags_are_not_statements(tmp_path):
    """A note written in Markdown (Obsidian, a wiki): its YAML front matter, comments, the table's header and rule
    rows and HTML tags were classified as statements, and a table row kept its bars (QA 36)."""
    p = tmp_path / "verslag.md"
    p.write_text("---\ntitle: verslag\ndatum: 2026-12-01\n---\n<!-- concept,\nniet delen -->\n## Problemen\n\n"
                 "| Spreker | Uitspraak |\n| --- | :-: |\n| Jan | Er is te weinig opvang voor mannen. |\n"
                 "| Piet | De wachtlijst \\| de intake duurt lang. |\n\n"
                 "<div>De NLA ziet meer uitbuiting.</div> <!-- bron: notulen -->\n\n"
                 "Kinderen < 18 jaar en > 12 jaar.\n\n| los | tabel |\n|---|---|\n| cel een | |\n", encoding="utf-8")
    got = [(s.position, s.text, s.extra) for s in read_statements(p)]
    assert got == [
        (11, "Er is te weinig opvang voor mannen.", {"heading": "Problemen", "speaker": "Jan"}),
        (12, "De wachtlijst | de intake duurt lang.", {"heading": "Problemen", "speaker": "Piet"}),
        (14, "De NLA ziet meer uitbuiting.", {"heading": "Problemen", "speaker": ""}),
        (16, "Kinderen < 18 jaar en > 12 jaar.", {"heading": "Problemen", "speaker": ""}),
        (20, "cel een", {"heading": "Problemen", "speaker": ""})]
    rule = tmp_path / "lijn.md"  # a rule above the first lines is no front matter: nothing is lost
    rule.write_text("---\nEr is te weinig opvang voor mannen.\n---\nMeer voorlichting.\n", encoding="utf-8")
    assert [s.text for s in read_statements(rule)] == ["Er is te weinig opvang voor mannen.", "Meer voorlichting."]
    txt = tmp_path / "zelfde.txt"  # a .txt is read as it stands
    txt.write_text("| Jan | Er is te weinig opvang. |\n", encoding="utf-8")
    assert [s.text for s in read_statements(txt)] == ["| Jan | Er is te weinig opvang. |"]
    only = tmp_path / "koppen.md"
    only.write_text("## Problemen\n\n<!-- nog invullen -->\n## Ambities\n", encoding="utf-8")
    with pytest.raises(ReadError, match="only headings, comments or markup"):
        list(read_statements(only))


def test_a_jsonl_line_nested_too_deeply_or_with_a_null_text_is_skipped_with_a_warning(tmp_path):
    """A line nested 50,000 deep was a RecursionError (a 500 on the review screen); a null text vanished silently."""
    p = tmp_path / "diep.jsonl"
    p.write_text('{"text": ' + "[" * 50_000 + "]" * 50_000 + "}\n"
                 '{"text": null}\n{"text": "Er is te weinig opvang voor mannen."}\n', encoding="utf-8")
    warnings: list[str] = []
    got = [s.text for s in read_statements(p, warn=warnings.append)]
    assert got == ["Er is te weinig opvang voor mannen."]
    assert warnings == ["line 1: not valid JSON (or nested too deeply, or a number too long), skipped", "line 2: 'text' is null, skipped"]
    # QA 38: the output's columns are read from the file first, and that scan ended the whole run in an error
    assert extra_fields(p) == []
    p.write_text("[" * 5000 + "]" * 5000 + '\n{"text": "Opvang.", "spreker": "Jan"}\n', encoding="utf-8")
    assert extra_fields(p) == ["spreker"]


def test_a_jsonl_of_which_not_one_line_is_an_object_names_its_first_line(tmp_path):
    """QA 41a: a .jsonl whose only line was nested too deeply failed as "no statements", the line unnamed."""
    p = tmp_path / "diep.jsonl"
    p.write_text("[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"^not one line is a JSON object: line 1 is not valid JSON, is nested too"):
        list(read_statements(p, warn=lambda _: None))
    p.write_text('\n[1]\n"tekst"\n', encoding="utf-8")
    with pytest.raises(ReadError, match=r"^not one of its 2 lines is a JSON object: line 2 is JSON but no object"):
        list(read_statements(p, warn=lambda _: None))


@pytest.mark.parametrize("at", [10_000, 70_000, 300_000])  # in the first chunk past 8 KB, and in later chunks
def test_binary_data_anywhere_in_a_text_file_is_refused_and_a_stray_nul_byte_is_a_space(tmp_path, at):
    """QA 37: a NUL past the first 8 KB was dropped silently and the file labelled (stdin refused it). QA 45a E5: one
    stray NUL in UTF-8 text refused a whole note; a few of them are read as spaces, with their offsets."""
    line = b"Er is te weinig opvang voor slachtoffers.\n"
    body = line * (at // len(line))
    f = tmp_path / "n.txt"
    f.write_bytes(body + b"Een zin met een \x00\x01\x02 erin.\n" + line)
    with pytest.raises(ReadError, match=f"binary data \\(a NUL byte\\) at byte {len(body) + 16:,}"):
        detect_encoding(f)
    f.write_bytes(body + b"Een zin met een " + b"\x00" * 17 + b" erin.\n" + line)
    with pytest.raises(ReadError, match="binary data"):
        detect_encoding(f)
    f.write_bytes(body + b"Een zin met een \x00 erin.\n" + line)
    nuls: list[int] = []
    assert detect_encoding(f, nuls=nuls) == "utf-8-sig" and nuls == [len(body) + 16]
    warnings: list[str] = []
    texts = [st.text for st in read_statements(f, warn=warnings.append)]
    assert "Een zin met een erin." in texts and len(texts) == len(body) // len(line) + 2
    assert warnings == [f"1 NUL byte (binary zero) in the text, at byte {len(body) + 16:,}: read as spaces"]
    f.write_bytes(body + line)
    assert detect_encoding(f) == "utf-8-sig"


def test_nul_padding_that_ends_a_text_file_is_left_out_with_a_warning(tmp_path):
    """QA 45c R8: 200 NUL bytes after a note refused it as binary. A run of NUL bytes that ends the file is padding:
    the text before it is read, with a warning; NUL bytes with text after them, or a file of nothing else, are binary."""
    line = b"Er is te weinig opvang voor slachtoffers.\n"
    f = tmp_path / "n.txt"
    for body in (line * 3, line * 3000):  # within the first chunk, and a padding run read in more than one block
        f.write_bytes(body + b"\x00" * 70_000)
        nuls: list[int] = []
        padding: list[int] = []
        assert detect_encoding(f, nuls=nuls, padding=padding) == "utf-8-sig" and nuls == [] and padding == [70_000]
        warnings: list[str] = []
        texts = [st.text for st in read_statements(f, warn=warnings.append)]
        assert texts == ["Er is te weinig opvang voor slachtoffers."] * (len(body) // len(line))
        assert warnings == ["the file ends in 70,000 NUL bytes (binary zero, padding): left out"]
    f.write_bytes(line + b"\x00" * 200 + line)
    with pytest.raises(ReadError, match="binary"):
        detect_encoding(f)
    f.write_bytes(b"\x00" * 200)
    with pytest.raises(ReadError, match="binary"):
        detect_encoding(f)
    f.write_bytes("Opvang ontbreekt.\n".encode("utf-16-le"))  # UTF-16 text that ends in a zero byte of its own
    assert detect_encoding(f) == "utf-16-le"


def test_a_jsonl_line_without_the_text_field_among_good_ones_is_skipped_with_a_warning(tmp_path):
    """QA 38: such a line ended the file there ('stopped'), losing the lines after it, while a null text or a line
    that is not JSON was skipped; a first record without the field still names the field to choose."""
    p = tmp_path / "mid.jsonl"
    p.write_text('{"text": "Er is te weinig opvang."}\n{"spreker": "Jan"}\n{"text": "Meer voorlichting."}\n'
                 '{"x": 1}\n{"text": "Betere zorg."}\n', encoding="utf-8")
    warnings: list[str] = []
    assert [s.text for s in read_statements(p, warn=warnings.append)] == [
        "Er is te weinig opvang.", "Meer voorlichting.", "Betere zorg."]
    assert warnings == ["line 2: no field 'text', skipped", "2 lines had no field 'text' and were skipped"]
    first = tmp_path / "first.jsonl"
    first.write_text('{"inhoud": "Er is te weinig opvang."}\n{"inhoud": "Meer opvang."}\n', encoding="utf-8")
    with pytest.raises(ReadError, match="line 1: no field 'text' .*choose one with --column"):  # no line has it
        list(read_statements(first))
    meta = tmp_path / "meta.jsonl"  # QA 38 re-test: a first metadata line refused the whole file
    meta.write_text('{"bron": "rondetafel 3"}\n{"text": ["Meer", "opvang."]}\n{"text": "Betere zorg."}\n',
                    encoding="utf-8")
    warnings = []
    assert [s.text for s in read_statements(meta, warn=warnings.append)] == ['["Meer", "opvang."]', "Betere zorg."]
    assert warnings == ["line 1: no field 'text', skipped"]
    flag = tmp_path / "flag.jsonl"  # QA 38 re-test 2: true was labelled as the statement "True"
    flag.write_text('{"text": true}\n{"text": "Betere zorg."}\n', encoding="utf-8")
    warnings = []
    assert [s.text for s in read_statements(flag, warn=warnings.append)] == ["Betere zorg."]
    assert warnings == ["line 1: 'text' is true, skipped"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab .?!\n\t", max_size=200), st.integers(min_value=1, max_value=30))
def test_split_long_pieces_are_bounded_and_keep_every_word_in_order(text, max_chars):
    """split_long moves an offset (QA 38: copying the rest at every cut made a 100 MB text take minutes)."""
    pieces = split_long(text, max_chars)
    if len(text) <= max_chars:
        assert pieces == ([text] if text else [])
        return
    assert all(0 < len(p) <= max_chars and p == p.strip() for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())  # nothing lost, nothing added


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_is_refused_as_not_a_regular_file(tmp_path):
    """QA 38 re-test: it was called an empty file."""
    fifo = tmp_path / "pijp.txt"
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match=r"not a regular file \(a named pipe, socket or device\)"):
        list(read_statements(fifo))


@pytest.mark.parametrize("name, content, says", [
    ("verslag.docx", b"Gewoon een notitie.\n", "it is plain text: rename it .txt"),
    ("verslag.docx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "it is a PDF: rename it .pdf"),
    ("lijst.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "it is an old Office file"),
    ("lijst.xlsx", b"PK\x03\x04 geen werkmap", "a zip package, but no valid .xlsx"),
    ("kapot.pdf", b"%PDF-1.4\nniets meer", "damaged: it starts as one"),
    # QA 40 re-test: "rename it .txt" for these made a table or a web page one statement
    ("lijst.xlsx", b"sessie;spreker;tekst\n1;A;Meer opvang nodig.\n", "it is a table (CSV): rename it .csv"),
    ("lijst.xlsx", b'{"tekst": "Meer opvang nodig."}\n', "it is JSON lines: rename it .jsonl"),
    ("verslag.docx", b"<!DOCTYPE html><html><head><title>Aanmelden</title></head></html>", "it is a web page (HTML)"),
])
def test_a_file_that_is_not_what_its_name_says_is_named_in_words(tmp_path, name, content, says):
    """QA 40: the reason was a Python exception's name ("PackageNotFoundError", "BadZipFile")."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=f"not a valid {path.suffix} file") as info:
        list(read_statements(path, warn=lambda w: None))
    assert says in str(info.value) and "Error" not in str(info.value).replace("ReadError", "")


def compound_file(names: list[str], contents: bytes = b"") -> bytes:
    """An OLE compound file (version 3, sectors of 512 bytes) whose directory names the streams ``names`` (after the
    root entry, four entries a sector, the directory's sectors chained through the allocation table in sector 0),
    followed by a sector of ``contents``."""
    import struct
    entries = ["Root Entry", *names]
    sectors = -(-len(entries) // 4)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0))
    header += struct.pack("<109I", 0, *[0xFFFFFFFF] * 108)
    fat = [0xFFFFFFFD] + [n + 1 for n in range(1, sectors)] + [0xFFFFFFFE, 0xFFFFFFFE]
    directory = b""
    for i, name in enumerate(entries):
        raw = name.encode("utf-16-le")
        directory += (raw + bytes(64 - len(raw)) + struct.pack("<HBB", len(raw) + 2, 5 if i == 0 else 2, 1)
                      + bytes(128 - 68))
    directory += bytes(sectors * 512 - len(directory))
    return (header + struct.pack(f"<{len(fat)}I", *fat) + bytes(512 - 4 * len(fat)) + directory
            + contents.ljust(512, b"\0"))


@pytest.mark.parametrize("name", ["verslag.docx", "lijst.xlsx", "dia's.pptx"])
def test_a_password_protected_office_file_is_named_so(tmp_path, name):
    """QA 45b F10: Office saves a .docx with a password as an OLE file holding EncryptionInfo and EncryptedPackage
    streams; it was called an old Office file to save as .docx (which keeps the password). The directory here runs
    over two sectors, the stream's name in the second."""
    path = tmp_path / name
    path.write_bytes(compound_file(["\x06DataSpaces", "DataSpaceMap", "DataSpaceInfo", "EncryptionInfo",
                                    "EncryptedPackage"]))
    with pytest.raises(ReadError) as info:
        list(read_statements(path))
    kind = {".docx": "document", ".xlsx": "workbook", ".pptx": "presentation"}[path.suffix]
    assert str(info.value) == f"the {kind} is protected by a password; save a copy without one"
    (tmp_path / "notitie.txt").write_bytes(path.read_bytes())
    with pytest.raises(ReadError, match="an Office document protected by a password: save a copy without one"):
        list(read_statements(tmp_path / "notitie.txt"))


def test_an_old_word_document_that_mentions_an_encrypted_package_is_still_an_old_office_file(tmp_path):
    """QA 45b F10: only a stream's name in the directory counts, not the words in a stream."""
    path = tmp_path / "verslag.docx"
    path.write_bytes(compound_file(["WordDocument", "1Table"], "EncryptedPackage".encode("utf-16-le")))
    with pytest.raises(ReadError, match=r"not a valid \.docx file \(it is an old Office file"):
        list(read_statements(path))


def retyped(source: Path, path: Path, content_type: bytes) -> Path:
    """``source``'s package under ``path`` with the content type of its main part changed, as Word, Excel or
    PowerPoint write a file with macros or a template (the parts are the same)."""
    import re
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "[Content_Types].xml":
                data, n = re.subn(rb'(PartName="/(?:word/document|xl/workbook|ppt/presentation)\.xml" ContentType=")'
                                  rb'[^"]+', rb"\1" + content_type, data)
                if not n:  # the tests' own decks declare no content types
                    data, n = data.replace(b'content-types"/>', b'content-types"><Override PartName="/ppt/presentation'
                                           b'.xml" ContentType="' + content_type + b'"/></Types>'), 1
                assert n == 1 and content_type in data
            if item.filename == "word/document.xml":  # a macro's project beside the XML is never run, only XML read
                zout.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 Attribute VB_Name")
            zout.writestr(item, data)
    return path


@pytest.mark.parametrize("suffix, content_type", [
    (".docm", b"application/vnd.ms-word.document.macroEnabled.main+xml"),
    (".dotx", b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"),
    (".dotm", b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml"),
    (".xlsm", b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    (".xltx", b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"),
    (".pptm", b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"),
    (".potx", b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"),
])
def test_office_files_with_macros_and_templates_are_read_as_their_kind(tmp_path, suffix, content_type):
    """QA 45b F16: a .docm or .dotx (the package of a .docx, its main part of another content type) was refused
    without a hint, and only counted as "other type" in a folder."""
    text = "De NLA ziet meer arbeidsuitbuiting in distributiecentra."
    if suffix.startswith(".d"):
        docx = pytest.importorskip("docx")
        d = docx.Document()
        d.add_paragraph(text)
        d.save(tmp_path / "bron.docx")
        source = tmp_path / "bron.docx"
    elif suffix.startswith(".x"):
        import openpyxl
        wb = openpyxl.Workbook()
        wb.active.append(["tekst"])
        wb.active.append([text])
        wb.save(tmp_path / "bron.xlsx")
        source = tmp_path / "bron.xlsx"
    else:
        from pptx_samples import pptx, shape
        source = pptx(tmp_path / "bron.pptx", [shape([text])])
    path = retyped(source, tmp_path / f"verslag{suffix}", content_type)
    assert [s.text for s in read_statements(path)] == [text]
    assert extra_fields(path) == ([] if suffix.startswith(".x") else ["heading", "speaker"])
    from mh_nlp.io.readers import notes_in_folder
    found, _left, _unreadable = notes_in_folder(tmp_path)
    assert path in found


@pytest.mark.parametrize("content, says", [
    ("sessie;spreker;tekst\n1;A;Meer opvang nodig.\n2;B;Minder regels.\n", "a table (CSV): rename it .csv"),
    ('datum,bron,tekst\n2025-02-03,NLA,"Meer controles, minder regels."\n2025-02-04,AVIM,"Betere opvang."\n',
     "a table (CSV): rename it .csv"),
    ('{"tekst": "Meer opvang nodig."}\n{"tekst": "Minder regels."}\n', "JSON lines: rename it .jsonl"),
    ("<!DOCTYPE html><html><head><title>Aanmelden</title></head></html>\n", "a web page (HTML)"),
])
def test_a_text_note_that_is_a_table_or_a_web_page_is_read_with_a_warning(tmp_path, content, says):
    """QA 40 re-test: a CSV, JSON lines or a login page saved as .txt was labelled without a word, a table as one
    statement."""
    path = tmp_path / "notities.txt"
    path.write_text(content, encoding="utf-8")
    warnings: list[str] = []
    assert list(read_statements(path, warn=warnings.append))
    assert warnings == [f"read as notes, but it looks like {says}"] or (
        len(warnings) == 1 and warnings[0].startswith(f"read as notes, but it looks like {says}"))


def test_notes_with_commas_and_a_markdown_table_are_no_table(tmp_path):
    prose = tmp_path / "notities.txt"
    prose.write_text("Er is te weinig opvang, zeker in Utrecht.\nDe politie doet veel, maar niet genoeg.\n"
                     "Meer voorlichting, meer handhaving.\n", encoding="utf-8")
    md = tmp_path / "notities.md"
    md.write_text("# Notities\n\n| Spreker | Uitspraak |\n|---|---|\n| A | Meer opvang. |\n| B | Minder regels. |\n",
                  encoding="utf-8")
    for path in (prose, md):
        warnings: list[str] = []
        assert list(read_statements(path, warn=warnings.append)) and warnings == []


def test_a_word_document_named_txt_says_what_it_is(tmp_path):
    """QA 40 re-test: a .docx saved as .txt was only "binary file, not text"."""
    path = tmp_path / "verslag.txt"
    path.write_bytes((EXAMPLES / "verslag.docx").read_bytes())
    with pytest.raises(ReadError, match=r"binary file, not text \(it is a Word document: rename it \.docx\)"):
        list(read_statements(path))


def test_words_second_level_bullet_pasted_as_text_starts_a_statement():
    """QA 44a D14: a Word list pasted into a .txt keeps its second-level bullet as an indented "o", which was read
    as a word continuing the point above ("… is. o Subpunt: …"); an "o" at a line's start without the indent stays a
    word."""
    lines = ["Gemeenten weten niet wie de zorgcoördinator is.", "    o Vooral kleinere gemeenten in Midden-Brabant.",
             "    o nog een punt in kleine letters", "De politie heeft het o zo druk.", "o zo belangrijk is dit."]
    assert [text for _, text, _ in text_blocks(lines)] == [
        "Gemeenten weten niet wie de zorgcoördinator is.", "Vooral kleinere gemeenten in Midden-Brabant.",
        "nog een punt in kleine letters", "De politie heeft het o zo druk.", "o zo belangrijk is dit."]
    # (the last line is a statement of its own since QA 45a: a line in lower case after a full stop starts one)


def test_the_wrap_width_is_measured_per_paragraph():
    """QA 44b: a 72-column e-mail above a blank line made the unpunctuated notes below it look wrapped (joined
    again), and an e-mail below 200 lines of notes was not seen as wrapped (split mid-sentence): each block of lines
    between blank lines is measured on its own."""
    mail = ("Gisteren spraken we met de gemeente Venlo over de opvang van mannelijke\n"
            "slachtoffers van arbeidsuitbuiting; volgens de zorgcoördinator en de\n"
            "NLA zijn er in heel Noord-Limburg maar vier plekken, terwijl er in 2025\n"
            "31 slachtoffers zijn aangemeld bij CoMensha die geen plek kregen.")
    notes = ("Te weinig opvangplekken voor mannelijke slachtoffers in de regio Venlo\n"
             "Zorgcoördinator in Venlo is overbelast en heeft nu geen enkele vervanger\n"
             "RIEC Limburg doet goed werk bij het casusoverleg over de huisvesting")
    whole = " ".join(mail.split("\n"))
    assert [t for _, t, _ in blocks(mail)] == [whole]  # one break before a small letter, lines of one width
    assert [t for _, t, _ in blocks(mail + "\n\n" + notes)] == [whole, *notes.split("\n")]
    many = "\n".join(f"Punt {i}: de gemeente heeft dit besproken." for i in range(1, 206))
    assert [t for _, t, _ in blocks(many + "\n\n" + mail)][-1] == whole


def test_a_note_line_may_end_in_an_adverb_or_a_verbs_particle():
    """QA 44b: "…: veel te weinig", "…: steeds meer" and "… pakt signalen op" joined the capitalised next line as
    if they broke a sentence off; they do so only in wrapped text. An article still joins the line below."""
    notes = ("Opvangplekken voor mannelijke slachtoffers in Venlo: veel te weinig\n"
             "Meldingen bij de NLA over uitzendbureaus: steeds meer\n"
             "Politie Limburg-Noord pakt signalen op\n"
             "RIEC Limburg doet goed werk samen met de\n"
             "NLA en de gemeente")
    assert [t for _, t, _ in blocks(notes)] == [
        "Opvangplekken voor mannelijke slachtoffers in Venlo: veel te weinig",
        "Meldingen bij de NLA over uitzendbureaus: steeds meer", "Politie Limburg-Noord pakt signalen op",
        "RIEC Limburg doet goed werk samen met de NLA en de gemeente"]


def test_a_compound_of_names_broken_at_its_hyphen_is_rejoined_whole():
    """QA 44b N13: "… maar in Noord-" / "Limburg is dat …" became "Noord- Limburg"."""
    assert [t for _, t, _ in blocks("Maar in Noord-\nLimburg is dat anders.\n\nDe mensen-\nhandel neemt toe.")] == [
        "Maar in Noord-Limburg is dat anders.", "De mensenhandel neemt toe."]


def test_markdown_backslash_escapes_are_the_marks_themselves():
    """QA 44b N8: `Een \\*letterlijke\\* ster` lost its stars and kept the backslashes."""
    got = [t for _, t, _ in blocks("Een \\*letterlijke\\* ster en \\_underscore\\_, \\[geen link\\](x).\n\n"
                                   "Een **vet** woord, C:\\temp blijft.", markdown=True)]
    assert got == ["Een *letterlijke* ster en _underscore_, [geen link](x).", "Een vet woord, C:\\temp blijft."]


def test_an_escaped_list_mark_in_markdown_is_text():
    """QA 44c: `1\\. Er is …` (a number that is no list's) lost its "1." as a list's mark would; a plain list keeps
    losing its marks."""
    got = [t for _, t, _ in blocks("1\\. Er is te weinig opvang.\n\n\\- Geen lijst maar een zin.\n\n"
                                   "2. Een punt van een lijst.\n\n- Nog een punt.", markdown=True)]
    assert got == ["1. Er is te weinig opvang.", "- Geen lijst maar een zin.", "Een punt van een lijst.",
                   "Nog een punt."]


def test_a_two_line_paragraph_of_a_wrapped_e_mail_stays_whole():
    """QA 44c R2: measured per paragraph, a two-line paragraph of a 72-column e-mail showed no wrap of its own and was
    split before a capital ("… van de gemeente" / "Venlo sinds januari …"); it takes the text's width."""
    mail = ("De inspecteurs gaven aan dat zij de signalen van arbeidsuitbuiting in de\n"
            "distributiecentra niet meer kunnen oppakken zonder hulp van de NLA en de\n"
            "politie in Limburg-Noord, en dat is al maanden zo in de hele regio hier.\n\n"
            "In het overleg van dinsdag bleek dat de zorgcoördinator van de gemeente\n"
            "Venlo sinds januari 31 slachtoffers heeft begeleid.")
    assert [t for _, t, _ in blocks(mail)][-1] == ("In het overleg van dinsdag bleek dat de zorgcoördinator van de "
                                                   "gemeente Venlo sinds januari 31 slachtoffers heeft begeleid.")


def test_a_label_with_a_value_starts_no_speakers_turn():
    """QA 44d: "Aangiftes: 4" in a factsheet made "Aangiftes" the speaker of the lines below it."""
    got = [(t, e.get("speaker")) for _, t, e in blocks("Aangiftes: 4\nSignalen van scholen nemen toe.\n\n"
                                                        "Jan (NLA): De meldingen nemen toe in de regio.\n"
                                                        "Dat zien we overal.")]
    assert got == [("4", "Aangiftes"), ("Signalen van scholen nemen toe.", ""),
                   ("De meldingen nemen toe in de regio.", "Jan (NLA)"), ("Dat zien we overal.", "Jan (NLA)")]


def test_a_read_error_names_its_file(tmp_path):
    """QA 45a E8: a loop over many files could not tell which one `ReadError: empty file` was about."""
    empty = tmp_path / "leeg.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ReadError) as err:
        list(read_statements(empty))
    assert err.value.path == empty and "leeg.txt" not in str(err.value)  # the CLI puts the name in front itself
    assert ReadError("x").path is None


def test_a_line_in_lower_case_after_a_full_stop_starts_a_statement():
    """QA 45a E6: notes typed without capitals ("… opvang." / "de NLA …") were joined into one statement, which
    --split sentence could not take apart again; after an abbreviation, a colon or mid-sentence a line still joins."""
    lines = ["Er is te weinig opvang voor mannen.", "de NLA ziet meer uitbuiting in distributiecentra.", "",
             "Meer voorlichting, bijv.", "op scholen en in wijkteams.", "", "De knelpunten zijn:", "te weinig tolken",
             "", "Het RIEC werkt samen met de", "politie in Limburg."]
    assert [text for _, text, _ in text_blocks(lines)] == [
        "Er is te weinig opvang voor mannen.", "de NLA ziet meer uitbuiting in distributiecentra.",
        "Meer voorlichting, bijv. op scholen en in wijkteams.", "De knelpunten zijn: te weinig tolken",
        "Het RIEC werkt samen met de politie in Limburg."]


# ---------------------------------------------------------------- QA 45b: minutes, e-mails and lists in plain text

def _kinds(tmp_path, text: str, name: str = "note.txt") -> list[tuple[str, str, str, str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [(s.kind, s.text, s.extra.get("heading", ""), s.extra.get("speaker", "")) for s in read_statements(path)]


@pytest.mark.parametrize("name", ["note.txt", "note.md"])
def test_lettered_and_roman_sub_items_are_statements_of_their_own(tmp_path, name):
    """QA 45b F1: `a.`, `b)`, `i.`, `ii.` start in lower case and were glued to the line above, with the list's title
    `1. Signalering`; each is a statement now, without its mark, under the title as its heading."""
    note = ("1. Signalering\n   a. De NLA ziet meer uitbuiting in distributiecentra.\n"
            "   b. Het aantal meldingen daalt, terwijl het probleem\n   niet kleiner wordt.\n"
            "      i. Dit komt doordat professionals de signalen niet herkennen.\n"
            "      ii. Ook melden zorginstellingen te weinig.\n"
            "2. Zorg en opvang\n   a) Er zijn te weinig opvangplekken voor mannen.\n"
            "   b) De samenwerking met het Leger des Heils verloopt prima.\n")
    got = [(t, h) for _k, t, h, _s in _kinds(tmp_path, note, name)]
    assert got == [("De NLA ziet meer uitbuiting in distributiecentra.", "Signalering"),
                   ("Het aantal meldingen daalt, terwijl het probleem niet kleiner wordt.", "Signalering"),
                   ("Dit komt doordat professionals de signalen niet herkennen.", "Signalering"),
                   ("Ook melden zorginstellingen te weinig.", "Signalering"),
                   ("Er zijn te weinig opvangplekken voor mannen.", "Zorg en opvang"),
                   ("De samenwerking met het Leger des Heils verloopt prima.", "Zorg en opvang")]


def test_a_lower_case_a_or_i_that_goes_on_with_a_sentence_still_joins():
    """QA 45b F1: only a letter (or i-xii) with "." or ")" and a space is a list's mark."""
    assert [t for _, t, _ in blocks("Het gaat om\ni mensen en\na groot deel.\n\nZie de\ni.v.m. regels en\n"
                                    "xiv. punten")] == ["Het gaat om i mensen en a groot deel.",
                                                        "Zie de i.v.m. regels en xiv. punten"]


def test_numbered_agenda_titles_are_headings_and_a_numbered_list_of_short_statements_is_not():
    """QA 45b F8/F19: `3. Stand van zaken signalen`, `3.2 Seksuele uitbuiting`, `Ad 2. Mededelingen` over text were
    statements (and `3.1 ` stayed in the text); a list of short numbered statements stays a list."""
    minutes = ("3. Stand van zaken signalen\n3.1 Arbeidsuitbuiting\nDe NLA ziet meer meldingen.\n"
               "3.2 Seksuele uitbuiting\nChantage komt steeds vaker voor.\n\nAd 2. Mededelingen\n"
               "Het overleg komt twee keer bijeen.\n\n4. Besluiten\n4.1 De stuurgroep besluit een meldformulier in te voeren.\n"
               "4.2 Rondvraag\n")
    got = [(t, e["heading"]) for _, t, e in blocks(minutes)]
    assert got == [("De NLA ziet meer meldingen.", "Arbeidsuitbuiting"),
                   ("Chantage komt steeds vaker voor.", "Seksuele uitbuiting"),
                   ("Het overleg komt twee keer bijeen.", "Mededelingen"),
                   ("De stuurgroep besluit een meldformulier in te voeren.", "Besluiten"), ("Rondvraag", "Besluiten")]
    short = "1. Te weinig opvang voor mannen\n2. Geen zorgcoördinator in de regio\n3. Meer online ronselen\n"
    assert [(t, e["heading"]) for _, t, e in blocks(short)] == [
        ("Te weinig opvang voor mannen", ""), ("Geen zorgcoördinator in de regio", ""), ("Meer online ronselen", "")]
    verb = "1. Signalen blijven liggen\nDe NLA zegt dat het klopt.\n"
    assert [(t, e["heading"]) for _, t, e in blocks(verb)] == [("Signalen blijven liggen", ""),
                                                               ("De NLA zegt dat het klopt.", "")]
    wrapped = "1. De NLA ziet meer\nuitbuiting in de regio.\n2. Te weinig opvang."
    assert [t for _, t, _ in blocks(wrapped)] == ["De NLA ziet meer uitbuiting in de regio.", "Te weinig opvang."]


def test_an_attendee_list_under_its_label_is_meta_and_its_names_are_pseudonymised(tmp_path):
    """QA 45b F3: the bullets under `Aanwezig:` were statements, and `Sanne de Wit, CoMensha` and `Jeroen Bakker –
    politie, AVIM` kept their names under --pseudonymise."""
    from mh_nlp.io.privacy import Pseudonymiser

    note = ("Aanwezig:\n- Petra Jansen (gemeente Arnhem)\n- Sanne de Wit, CoMensha\n- Jeroen Bakker – politie, AVIM\n\n"
            "Agenda\n1. Opening\n2. Casuïstiek\n\nDe NLA ziet meer uitbuiting.\nJeroen zegt dat het klopt.\n")
    path = tmp_path / "note.txt"
    path.write_text(note, encoding="utf-8")
    sts = list(read_statements(path))
    assert [(s.kind, s.text) for s in sts] == [
        ("meta", "Aanwezig:"), ("meta", "Petra Jansen (gemeente Arnhem)"), ("meta", "Sanne de Wit, CoMensha"),
        ("meta", "Jeroen Bakker – politie, AVIM"), ("meta", "Agenda"), ("meta", "Opening"), ("meta", "Casuïstiek"),
        ("statement", "De NLA ziet meer uitbuiting."), ("statement", "Jeroen zegt dat het klopt.")]
    p = Pseudonymiser()
    for s in sts:
        p.learn(s)
    out = [p.apply(s) for s in sts]
    joined = " ".join(o.text + " " + o.extra.get("speaker", "") for o in out)
    assert not any(n in joined for n in ("Petra", "Sanne", "Jeroen", "Bakker")), joined
    assert out[0].text == "Aanwezig:" and out[3].text.endswith("– politie, AVIM") and out[5].text == "Opening"
    assert "Spreker" not in out[4].extra.get("speaker", "") + out[1].extra.get("speaker", "")


def test_e_mail_headers_are_meta_and_never_speakers(tmp_path):
    """QA 45b F4: `Van:`, `Aan:`, `Verzonden:`, `From:`, `Sent:`, `To:`, `Subject:` became speakers (and were
    pseudonymised into `Spreker N`), their values statements."""
    from mh_nlp.io.privacy import Pseudonymiser

    mail = ("Van: Karim El Amrani <k.elamrani@riec-on.nl>\nVerzonden: dinsdag 3 maart 2026 14:12\n"
            "Aan: Petra Jansen <p.jansen@arnhem.nl>\nOnderwerp: RE: input\n\nFrom: Lotte Visser <l.visser@nla.nl>\n"
            "Sent: Wednesday, March 4, 2026 10:02 AM\nTo: Petra Jansen\nSubject: RE: bloemlezing\n\n"
            "Van de NLA: zij zien meer uitbuiting in de regio.\n")
    path = tmp_path / "mail.txt"
    path.write_text(mail, encoding="utf-8")
    sts = list(read_statements(path))
    assert [s.kind for s in sts] == ["meta"] * 8 + ["statement"]
    assert all(not s.extra.get("speaker") for s in sts[:8])
    p = Pseudonymiser()
    for s in sts:
        p.learn(s)
    out = " ".join(p.apply(s).text for s in sts)
    assert "Karim" not in out and "Petra" not in out and "Lotte" not in out and "Van: Spreker" in out


def test_e_mail_noise_is_chatter_or_meta(tmp_path):
    """QA 45b F5/F19: a quoted message's head, a phone's line, a disclaimer, salutations and closings with a name and
    a contact line were statements; quoted lines kept their `>`."""
    mail = ("Beste Karim,\n\nDank voor je mail. Hieronder mijn input.\n\nHet knelpunt is dat signalen blijven liggen.\n\n"
            "Met vriendelijke groet,\n\nT 06-12345678 | www.riec.nl\n\n"
            "Dit bericht is uitsluitend bestemd voor de geadresseerde. Aan dit bericht kunnen geen rechten\n"
            "worden ontleend.\n\n-----Oorspronkelijk bericht-----\nHi Petra,\n\n"
            "Op 28 feb. 2026 om 16:05 schreef Sanne de Wit <s.dewit@comensha.nl>:\n"
            "> Vanuit CoMensha zien we meer aanmeldingen.\n>> Gemeenten denken dat het niet voorkomt.\n>\n"
            "> Groetjes, Sanne\n\nKind regards, Lotte Visser\n\nVerstuurd vanaf mijn iPhone\nSent from my iPhone\n"
            "On Mon, 2 Mar 2026 at 09:30, Petra Jansen wrote:\n> 18 jaar is de grens.\n")
    got = [(k, t) for k, t, _h, _s in _kinds(tmp_path, mail)]
    statements = [t for k, t in got if k == "statement"]
    assert statements == ["Het knelpunt is dat signalen blijven liggen.", "Vanuit CoMensha zien we meer aanmeldingen.",
                          "Gemeenten denken dat het niet voorkomt.", "> 18 jaar is de grens."]


def test_minutes_procedure_and_titles_are_not_statements(tmp_path):
    """QA 45b F8/F9/F17: opening, closing, adoption and an empty question round; the minutes' title; an action of
    only who and when; interjections of a transcript."""
    note = ("Notulen Ketenoverleg Mensenhandel regio Gelderland-Midden\n\n"
            "De voorzitter opent de vergadering om 10:00 en heet iedereen welkom.\nDe agenda wordt ongewijzigd vastgesteld.\n"
            "Het verslag van 11 december wordt zonder wijzigingen vastgesteld.\nEr is geen rondvraag meer.\n"
            "De voorzitter sluit de vergadering om 11:45 en dankt iedereen voor hun inbreng.\n"
            "Actie: RIEC – voor 1 maart\nHmm.\nMm-hmm.\nHmm hmm.\nUhm.\nEh.\nTranscribed by https://otter.ai\n\n"
            "Notulen worden voortaan binnen een week rondgestuurd.\nDe agenda van het RIEC is te vol.\n"
            "Actie: CoMensha – cijfers 2025 rondsturen voor de volgende vergadering\n")
    got = [(k, t) for k, t, _h, _s in _kinds(tmp_path, note)]
    assert [t for k, t in got if k == "statement"] == [
        "Notulen worden voortaan binnen een week rondgestuurd.", "De agenda van het RIEC is te vol.",
        "Actie: CoMensha – cijfers 2025 rondsturen voor de volgende vergadering"]


def test_name_with_a_time_in_brackets_and_whisper_cues(tmp_path):
    """QA 45b F6/F7: `Naam (00:12)` on its own line was a statement and its turn had no speaker; `Naam (00:12): …`
    kept the time in the speaker; `(00:13:05) Naam: …` was not read; Whisper's `[00:00.000 --> 00:06.240] …` kept
    half its timestamp and a bare cue line `00:14:02 --> 00:14:09` was kept as text."""
    note = ("Lotte Visser (00:12)\nWe zien steeds meer uitbuiting.\n\nJeroen Bakker (01:02:03)\nHmm.\n\n"
            "Sanne de Wit (00:12): De samenwerking gaat goed.\n\n(00:13:05) Petra: Er is te weinig opvang.\n\n"
            "Karim El Amrani 00:13:30\nWe willen een ketenregisseur.\n\n[00:00.000 --> 00:06.240]  Jongeren worden ingezet.\n"
            "00:14:02 --> 00:14:09\nHet knelpunt is de capaciteit.\n")
    got = [(k, t, s) for k, t, _h, s in _kinds(tmp_path, note)]
    assert got == [("statement", "We zien steeds meer uitbuiting.", "Lotte Visser"), ("chatter", "Hmm.", "Jeroen Bakker"),
                   ("statement", "De samenwerking gaat goed.", "Sanne de Wit"),
                   ("statement", "Er is te weinig opvang.", "Petra"),
                   ("statement", "We willen een ketenregisseur.", "Karim El Amrani"),
                   ("statement", "Jongeren worden ingezet.", ""), ("statement", "Het knelpunt is de capaciteit.", "")]


def test_english_stance_labels_are_no_speakers_and_name_their_chapter():
    """QA 45b F14: `- Problem: …` and `- Ambition: …` made speakers `Problem`/`Ambition`, lost their label and were
    carried to the next bullets; like `Knelpunt:` they stay in the statement and name its chapter."""
    from mh_nlp.themes.headings import label_chapter

    got = [(t, e["speaker"]) for _, t, e in blocks("- Problem: victims don't know where to go.\n- De IND reageert snel.\n"
                                                    "- Ambition: a national referral mechanism.\n- Te weinig capaciteit.")]
    assert got == [("Problem: victims don't know where to go.", ""), ("De IND reageert snel.", ""),
                   ("Ambition: a national referral mechanism.", ""), ("Te weinig capaciteit.", "")]
    assert [label_chapter(t) for t, _ in got] == [2, None, 4, None]
    assert label_chapter("What goes well: the helpline.") == 3


def test_an_e_mails_signature_below_its_closing_is_meta(tmp_path):
    """QA 45b F5: the name, function, organisation and phone lines below `Met vriendelijke groet,` were statements;
    a paragraph after a closing that reads as text stays one."""
    mail = ("Het knelpunt is de capaciteit.\n\nMet vriendelijke groet,\n\nKarim El Amrani\nSenior adviseur mensenhandel\n"
            "RIEC Oost-Nederland\nT 06-12345678 | www.riec.nl\n\nKind regards,\nLotte Visser\n"
            "Inspecteur | Nederlandse Arbeidsinspectie\n\nGroet,\n\nDe NLA ziet meer uitbuiting in de regio.\n")
    got = [(k, t, s) for k, t, _h, s in _kinds(tmp_path, mail)]
    assert [t for k, t, _s in got if k == "statement"] == ["Het knelpunt is de capaciteit.",
                                                          "De NLA ziet meer uitbuiting in de regio."]
    assert ("meta", "Senior adviseur mensenhandel", "Ondertekening") in got and ("meta", "Lotte Visser", "Ondertekening") in got


def test_checkboxes_are_taken_off_and_a_table_typed_with_bars_is_read_row_by_row():
    """QA 45b F9: `[ ]`/`[x]` stayed in the text; the header row of a bar table in a .txt was joined to its first row."""
    got = [t for _, t, _ in blocks("- [ ] RIEC: voorstel gegevensdeling opstellen\n[x] Cijfers 2025 delen\n\n"
                                   "Nr. | Actie | Wie | Wanneer\n1 | Meldformulier opstellen | NLA | 15 maart\n"
                                   "2 | Uitnodiging bijeenkomst | gemeente | april\nDe NLA | zegt")]
    assert got == ["RIEC: voorstel gegevensdeling opstellen", "Cijfers 2025 delen", "1 | Meldformulier opstellen | NLA | 15 maart",
                   "2 | Uitnodiging bijeenkomst | gemeente | april", "De NLA | zegt"]


def test_a_numbered_title_below_a_chapters_heading_keeps_the_chapter():
    """A numbered title (QA 45b F8) below `Ambities` must not put the chapter's heading out of force."""
    got = [(t, e["heading"]) for _, t, e in blocks("Ambities\n1. Meer opvang\n   a. voor mannen\n2. Meer zorg\n"
                                                    "   a. Een zorgcoördinator in elke regio\n\n## Verslag\n1. Signalen\n"
                                                    "De NLA ziet meer.")]
    assert got == [("voor mannen", "Ambities – Meer opvang"), ("Een zorgcoördinator in elke regio", "Ambities – Meer zorg"),
                   ("De NLA ziet meer.", "Signalen")]


def test_a_short_numbered_point_over_its_explanation_stays_a_statement():
    """QA 45c R1: "1. Te weinig opvang voor mannen" over a line of explanation was taken for an agenda title and
    vanished into the next line's heading. Under a chapter's heading numbered lines are its points, and a line with
    a stance cue ("te weinig", "geen") makes a point; an agenda title over text stays a title."""
    note = ["4. Zorgcoördinatie", "De regio zoekt een vervanger voor de zomer.", "",
            "1. Te weinig opvang voor mannen", "De gemeente zoekt extra plekken.",
            "2. Geen tolk beschikbaar", "Bij het eerste gesprek is vaak geen tolk.", "",
            "Knelpunten", "1. Wachtlijst zorgcoördinator", "Slachtoffers wachten soms acht weken op een intake."]
    got = [(text, extra["heading"]) for _, text, extra in text_blocks(note)]
    assert got[0] == ("De regio zoekt een vervanger voor de zomer.", "Zorgcoördinatie")  # an agenda title
    assert [text for text, _ in got[1:5]] == ["Te weinig opvang voor mannen", "De gemeente zoekt extra plekken.",
                                              "Geen tolk beschikbaar", "Bij het eerste gesprek is vaak geen tolk."]
    assert got[5:] == [("Wachtlijst zorgcoördinator", "Knelpunten"),
                       ("Slachtoffers wachten soms acht weken op een intake.", "Knelpunten")]


def test_a_topic_label_is_no_speaker_and_is_not_carried_to_the_next_lines():
    """QA 45c R4: "Opvang: …", "Signalering: …" and "Note: …" were speakers, left the text and were carried to the
    next lines and bullets."""
    got = [(text, extra["speaker"]) for _, text, extra in text_blocks([
        "Opvang: Er zijn maar twee opvangplekken voor mannen.", "De wachtlijst loopt op tot acht weken.", "",
        "Signalering: Huisartsen herkennen de signalen te weinig.", "- De NLA ziet meer uitbuiting.", "",
        "Note: the police lack capacity.", "Sanne de Vries (NLA): Wij zien meer meldingen."])]
    assert got == [("Opvang: Er zijn maar twee opvangplekken voor mannen.", ""),
                   ("De wachtlijst loopt op tot acht weken.", ""),
                   ("Signalering: Huisartsen herkennen de signalen te weinig.", ""), ("De NLA ziet meer uitbuiting.", ""),
                   ("Note: the police lack capacity.", ""), ("Wij zien meer meldingen.", "Sanne de Vries (NLA)")]


def test_a_list_that_runs_on_in_a_sentence_is_one_statement():
    """QA 45c R5: lettered items that carry a sentence on ("… vaak" / "a. geen Nederlands spreken," / "b. …, en")
    were cut into fragments, each labelled; points of a list stay points."""
    got = [text for _, text, _ in text_blocks([
        "De werkgroep constateert dat slachtoffers vaak", "a. geen Nederlands spreken,",
        "b. hun paspoort moeten inleveren, en", "c. afhankelijk zijn van de werkgever.", "",
        "De werkgroep adviseert de gemeente:", "- een ketenregisseur aan te stellen;", "- meer uren te geven.", "",
        "Uitkomsten:", "a. Te weinig opvang voor mannen.", "b. Geen tolk beschikbaar.", "",
        "Punten:", "- te weinig opvang", "- geen tolk"])]
    assert got == ["De werkgroep constateert dat slachtoffers vaak geen Nederlands spreken, hun paspoort moeten "
                   "inleveren, en afhankelijk zijn van de werkgever.",
                   # after a colon only items that end in an infinitive carry the sentence on (QA 45f U2); points
                   # after "… de volgende knelpunten:" stay points (QA 45e T3)
                   "De werkgroep adviseert de gemeente: een ketenregisseur aan te stellen; meer uren te geven.",
                   "Uitkomsten:", "Te weinig opvang voor mannen.", "Geen tolk beschikbaar.", "Punten:",
                   "te weinig opvang", "geen tolk"]


def test_a_line_broken_after_an_abbreviation_stays_whole():
    """QA 45c R7: after "proc.", "mln.", "c.q.", "okt." … a wrapped line in lower case became a statement of its own
    (since the E6 rule), and after "ca." or "art." a line starting with a number did so before it."""
    got = [text for _, text, _ in text_blocks([
        "De meldingen stegen met 12 proc.", "vooral in de zorg.", "", "Het OM vervolgde in 2021 ca.",
        "200 verdachten.", "", "Zie art.", "273f Sr.", "", "Er is te weinig opvang.", "de NLA ziet meer."])]
    assert got == ["De meldingen stegen met 12 proc. vooral in de zorg.", "Het OM vervolgde in 2021 ca. 200 verdachten.",
                   "Zie art. 273f Sr.", "Er is te weinig opvang.", "de NLA ziet meer."]


def test_a_closing_with_a_wish_is_chatter_and_its_signature_meta(tmp_path):
    """QA 45c R6: "Met vriendelijke groet, en succes met de bloemlezing" was a statement, and so were the name and
    function below it."""
    mail = tmp_path / "mail.txt"
    mail.write_text("Het meldpunt is buiten kantooruren niet bereikbaar.\nMet vriendelijke groet, en succes met de "
                    "bloemlezing\nMarieke de Vries\nBeleidsadviseur veiligheid | Gemeente Goes\n", encoding="utf-8")
    got = [(st.kind, st.text) for st in read_statements(mail)]
    assert got == [("statement", "Het meldpunt is buiten kantooruren niet bereikbaar."),
                   ("chatter", "Met vriendelijke groet, en succes met de bloemlezing"),
                   ("meta", "Marieke de Vries"), ("meta", "Beleidsadviseur veiligheid | Gemeente Goes")]


def test_split_sentence_parts_a_sentence_in_lower_case_but_not_after_an_abbreviation():
    """QA 45c (E6's rest): `--split sentence` kept "… sociale media. de NLA ziet …" as one sentence."""
    from mh_nlp.io.readers import split_sentences

    assert split_sentences("Jongeren worden via sociale media geronseld. de NLA ziet meer uitbuiting. Zie bijv. de "
                           "NLA, o.a. in Zeeland.") == ["Jongeren worden via sociale media geronseld.",
                                                         "de NLA ziet meer uitbuiting.",
                                                         "Zie bijv. de NLA, o.a. in Zeeland."]


def test_the_items_of_an_action_list_are_meta(tmp_path):
    """QA 45c (F9's rest): under "Actielijst" the to-do items ("- [ ] RIEC: voorstel gegevensdeling (deadline 1
    maart)") were labelled as statements; a statement after the list's blank line is one again."""
    note = tmp_path / "acties.txt"
    note.write_text("Actielijst\n- [ ] RIEC: voorstel gegevensdeling (deadline 1 maart)\n- [x] CoMensha: cijfers 2025 "
                    "delen\n* Gemeente Arnhem – uitnodiging ondernemersbijeenkomst – april\n\nDe opvang voor mannen "
                    "blijft een knelpunt.\n", encoding="utf-8")
    got = [(st.kind, st.text) for st in read_statements(note)]
    assert [k for k, _ in got] == ["meta", "meta", "meta", "meta", "statement"]
    assert got[1][1] == "RIEC: voorstel gegevensdeling (deadline 1 maart)"


def test_qa45d_abbreviations_lower_case_and_capitals():
    """QA 45d S1/S2: after "i.s.m.", "t.o.v." (a dot inside) or a word of two letters a sentence in lower case does not
    start, with or without --split sentence; after "Jan." or "ING." a capital does start one (they are names too)."""
    from mh_nlp.io.readers import split_sentences

    assert split_sentences("De NLA werkt i.s.m. de gemeente. Dat gaat t.o.v. vorig jaar beter. Het kwam door Jan. De "
                           "NLA zag het bij de ING. De FIU keek mee.") == [
        "De NLA werkt i.s.m. de gemeente.", "Dat gaat t.o.v. vorig jaar beter.", "Het kwam door Jan.",
        "De NLA zag het bij de ING.", "De FIU keek mee."]
    got = [text for _, text, _ in text_blocks(["De NLA werkt i.s.m.", "de gemeente aan controles.", "",
                                               "Dit gebeurde in okt.", "De gemeente wist het."])]
    assert got == ["De NLA werkt i.s.m. de gemeente aan controles.", "Dit gebeurde in okt.", "De gemeente wist het."]


def test_qa45d_points_ending_in_commas_stay_points():
    """QA 45d S5: points of a list in lower case ending in commas, after a heading, after a lead-in that ends its
    sentence, or numbered, were joined into one statement by the R5 rule."""
    got = [text for _, text, _ in text_blocks([
        "Uit de rondetafel kwamen deze knelpunten naar voren.", "- te weinig opvang,", "- geen tolk,", "",
        "Knelpunten:", "- wachtlijst zorgcoördinator,", "- geen vervanger", "",
        "De werkgroep ziet:", "1. te weinig opvang,", "2. geen tolk."])]
    assert got == ["Uit de rondetafel kwamen deze knelpunten naar voren.", "te weinig opvang,", "geen tolk,",
                   "wachtlijst zorgcoördinator,", "geen vervanger", "De werkgroep ziet:", "te weinig opvang,",
                   "geen tolk."]


def test_qa45d_numbered_topics_under_a_chapter_and_agenda_items_read_as_points():
    """QA 45d S3/S4: "1. Opvang" under "Knelpunten" over its text is a title again ("Knelpunten – Opvang"); an agenda
    item read as a point ("2. Meer samenwerking met gemeenten") ends the title above it, whose heading the text below
    kept ("Opening")."""
    def read(note):
        return [(text, extra["heading"]) for _, text, extra in text_blocks(note)]

    assert read(["Knelpunten", "1. Opvang", "Er zijn maar twee opvangplekken voor mannen.",
                 "2. Wachtlijst zorgcoördinator", "Slachtoffers wachten acht weken."]) == [
        ("Er zijn maar twee opvangplekken voor mannen.", "Knelpunten – Opvang"),
        ("Wachtlijst zorgcoördinator", "Knelpunten"), ("Slachtoffers wachten acht weken.", "Knelpunten")]
    assert read(["Verslag ketenoverleg", "", "1. Opening", "De voorzitter opent de vergadering.", "",
                 "2. Meer samenwerking met gemeenten", "Het RIEC betrekt Middelburg bij het casusoverleg.", "",
                 "3. Zorgcoördinatie", "De regio zoekt een vervanger."]) == [
        ("Verslag ketenoverleg", ""), ("De voorzitter opent de vergadering.", "Opening"),
        ("Meer samenwerking met gemeenten", ""), ("Het RIEC betrekt Middelburg bij het casusoverleg.", ""),
        ("De regio zoekt een vervanger.", "Zorgcoördinatie")]


def test_to_do_is_an_action_lists_label_and_actiepunten_a_chapters_heading(tmp_path):
    """QA 45d S6: "To do:" over a list was labelled itself; "Actiepunten" names chapter 4 (ambitions) as a heading, as
    data/chapter_headings.json says, so its points stay statements under it."""
    note = tmp_path / "todo.txt"
    note.write_text("To do:\n- RIEC: voorstel gegevensdeling\n\nActiepunten\n- Meer opvang voor mannen in de regio.\n",
                    encoding="utf-8")
    got = [(st.kind, st.text, st.extra["heading"]) for st in read_statements(note)]
    assert got == [("meta", "To do:", ""), ("meta", "RIEC: voorstel gegevensdeling", ""),
                   ("statement", "Meer opvang voor mannen in de regio.", "Actiepunten")]


def test_qa45e_sentence_ends_before_lower_case_and_titles_before_names():
    """QA 45e T1: after a particle ("op."), a number ("1.204.") or an address ("www.comensha.nl.") a sentence ends,
    before lower case or a number too; T2: "prof.", "drs.", "ing." and "gem." before a name end none; T3: points
    after a colon or after a line that is no lead-in stay points."""
    from mh_nlp.io.readers import split_sentences

    assert split_sentences("Hij pakt het zelf op. de gemeente houdt de regie. Het waren er 1.204. 300 daarvan waren "
                           "jong. Zie www.comensha.nl. de NLA belt. Volgens prof. Jansen en drs. De Vries. Het duurt 12 "
                           "weken gem. De opvang is vol. Het stijgt. (casus 1.3) Chantage komt vaker voor.") == [
        "Hij pakt het zelf op.", "de gemeente houdt de regie.", "Het waren er 1.204.", "300 daarvan waren jong.",
        "Zie www.comensha.nl.", "de NLA belt.", "Volgens prof. Jansen en drs. De Vries.", "Het duurt 12 weken gem.",
        "De opvang is vol.", "Het stijgt. (casus 1.3)", "Chantage komt vaker voor."]  # (QA 45f U3, U4)
    assert [text for _, text, _ in text_blocks(["wij zien vooral", "- uitbuiting in distributiecentra,",
                                                 "- uitbuiting in de zorg.", "", "Het RIEC wil", "- een meldformulier,",
                                                 "- meer capaciteit."])] == [  # a lead-in broken off mid-clause (U1)
        "wij zien vooral uitbuiting in distributiecentra, uitbuiting in de zorg.",
        "Het RIEC wil een meldformulier, meer capaciteit."]
    got = [text for _, text, _ in text_blocks(["Hij pakt het zelf op.", "de gemeente houdt de regie.", "",
                                               "Het gebeurde volgens prof.", "Jansen vaak.", "",
                                               "De deelnemers noemden de volgende knelpunten:", "- te weinig opvang,",
                                               "- geen tolk,", "", "Wat er volgens de gemeente beter kan",
                                               "- meer uren,", "- een vervanger"])]
    assert got == ["Hij pakt het zelf op.", "de gemeente houdt de regie.", "Het gebeurde volgens prof. Jansen vaak.",
                   "De deelnemers noemden de volgende knelpunten:", "te weinig opvang,", "geen tolk,",
                   "Wat er volgens de gemeente beter kan", "meer uren,", "een vervanger"]


def test_a_markdown_table_is_read_as_a_word_table_every_column_and_its_chapter(tmp_path):
    """A Markdown table with a text column read that column only: | Thema | Knelpunt | Oplossing | lost every
    Oplossing cell, and the row's topic was read as a speaker. It is read as a Word table is now: a row's topic
    label heads its cells, a column named after a chapter gives them that chapter, every cell is read."""
    p = tmp_path / "t.md"
    p.write_text("# Verslag\n\n| Thema | Knelpunt | Oplossing |\n| --- | --- | --- |\n"
                 "| Opvang | Te weinig plekken voor mannelijke slachtoffers in de regio. | Meer opvangplekken voor mannen. |\n"
                 "| Samenwerking | Gemeenten delen nauwelijks informatie met de politie. | Elke gemeente een ketenregisseur. |\n",
                 encoding="utf-8")
    got = [(s.position, s.text, s.extra) for s in read_statements(p)]
    assert got == [
        (5, "Te weinig plekken voor mannelijke slachtoffers in de regio.", {"heading": "Knelpunt – Opvang", "speaker": ""}),
        (5, "Meer opvangplekken voor mannen.", {"heading": "Oplossing – Opvang", "speaker": ""}),
        (6, "Gemeenten delen nauwelijks informatie met de politie.",
         {"heading": "Knelpunt – Samenwerking", "speaker": ""}),
        (6, "Elke gemeente een ketenregisseur.", {"heading": "Oplossing – Samenwerking", "speaker": ""})]
    from mh_nlp.themes.headings import heading_chapter

    assert [heading_chapter(s.extra["heading"]) for s in read_statements(p)] == [2, 4, 2, 4]
    assert heading_chapter("Voorstel") == 4 and heading_chapter("Voorstellen deelnemers") is None


def test_a_short_line_naming_an_organisation_or_a_place_is_no_small_talk():
    """QA 46a #13: small talk may name the person it greets ("Welkom Hamza"), and every capitalised word after the
    first was taken for such a name, so "Ook de NLA en het RIEC." and "Goed dat Fier er is." were chatter: no
    section, no organisations. An organisation, an acronym or a word after a preposition is no greeted name."""
    from mh_nlp.io.kinds import kind_of

    for line in ("Ook de NLA en het RIEC.", "Het gaat goed met Nidos.", "Goed dat Fier er is.", "Mooi dat CoMensha er is.",
                 "Zie ook CoMensha.", "Ook de GGD.", "Ook in Venlo.", "Ja, ook het RIEC."):
        assert kind_of(line) == "statement", line
    for line in ("Welkom Hamza.", "Dank je, Joost.", "Dank aan Henk en Marieke.", "Goedemorgen allemaal."):
        assert kind_of(line) == "chatter", line


def test_titles_with_a_place_and_a_welcome_of_two_sentences_are_no_statements():
    """QA 46a #14, QA 46b D4: the demo's own transcript labelled its title and the chair's welcome as statements
    (3.8 and 3.6), and so were titles naming a meeting and its place, and a policy document's title. Sentences
    about such things stay statements."""
    from mh_nlp.io.kinds import kind_of

    for line in ("Notulen overleg ketenaanpak mensenhandel, gemeente Amersfoort",
                 "Transcript overleg ketenaanpak mensenhandel, gemeente Amersfoort (ingekort)",
                 "Rondetafelgesprek arbeidsuitbuiting, Eindhoven", "Verslag rondetafelgesprek arbeidsuitbuiting Eindhoven",
                 "Transcript focusgroep jeugdzorg en loverboys, Rotterdam",
                 "Beleidsnotitie aanpak mensenhandel gemeente Breda"):
        assert kind_of(line) == "meta", line
    for line in ("Welkom allemaal. Laten we beginnen met wat jullie de afgelopen tijd zien.",
                 "-- dat is alles van mijn kant.", "Dank je. Goed, dan gaan we door naar punt 3."):
        assert kind_of(line) == "chatter", line
    for line in ("Welkom allemaal. De NLA ziet meer uitbuiting in de glastuinbouw.",
                 "Bijeenkomst met gemeenten, politie en NLA over opvang loopt goed.",
                 "Beleidsnotitie van de gemeente biedt te weinig geld voor opvang.",
                 "Notulen worden voortaan gedeeld met de NLA."):
        assert kind_of(line) == "statement", line


@pytest.mark.parametrize("text, kind", [
    # QA 51a D1: small talk after a person's name, given whole (classify, the API, a spreadsheet cell), as a note's
    # reader reads it with the speaker taken off; a statement after a name stays one
    ("Petra de Boer: Eens.", "chatter"),
    ("Karim Yilmaz: Ja, goede vraag.", "chatter"),
    ("Sanne Vos (CoMensha): Goedemorgen allemaal.", "chatter"),
    ("Petra de Boer: Dank jullie wel, we sluiten af.", "chatter"),
    ("Petra de Boer: De opvang is te krap.", "statement"),
    ("Knelpunten: geen.", "statement"),
    ("Ambitie: elke regio een zorgcoördinator.", "statement"),
    # the meeting's own arrangements
    ("Zullen we na de pauze verder gaan?", "chatter"),
    ("Ik moet zo weg, ik heb om elf uur een ander overleg.", "chatter"),
    ("De volgende bijeenkomst is op 12 januari.", "chatter"),
    ("Er moet meer opvang komen.", "statement"),
    ("In januari meer meldingen.", "statement"),
    ("Op maandag is de AVIM dicht.", "statement"),
    # QA 51b N2: "moet" is no word of small talk; N3: agreeing and taking note are
    ("Er moet tijd zijn voor een goed gesprek.", "statement"),
    ("Er moet op maandag iemand aanwezig zijn.", "statement"),
    ("Het moet voor iedereen duidelijk zijn.", "statement"),
    ("Mee eens.", "chatter"), ("Helemaal mee eens.", "chatter"), ("Dat herken ik.", "chatter"),
    ("Interessant.", "chatter"), ("Ik stuur de presentatie na.", "chatter"),
    ("Zullen we een nieuwe datum prikken?", "chatter"),
    ("Helemaal mee eens, de opvang is vol.", "statement"), ("Nieuwe vormen van uitbuiting.", "statement"),
    # QA 51a D9: the chair's question, whether or not it names a chapter, is no participant's statement
    ("Voorzitter: Wat moet er volgens jullie als eerste veranderen?", "meta"),
    ("Interviewer: Hoe vaak ziet u dat?", "meta"),
    ("Voorzitter: De opvang moet beter.", "statement"),
    # QA 51b N6: an interview transcript's I: is the interviewer, its R: the respondent
    ("I: Wat gaat er goed in uw regio?", "meta"), ("Int: En wat kan beter?", "meta"),
    ("R: De samenwerking met de NLA gaat goed.", "statement"), ("I: En de opvang is vol, zegt u.", "statement"),
    # QA 52a D6: a break's arrangements and the answer to thanks are small talk
    ("Voorzitter: Even een korte pauze, koffie staat klaar.", "chatter"), ("R: Graag gedaan.", "chatter"),
    ("De opvang staat onder druk.", "statement"), ("Graag meer opvang.", "statement"),
])
def test_named_small_talk_arrangements_and_the_chairs_questions(text, kind):
    from mh_nlp.io.kinds import kind_of

    assert kind_of(text) == kind, text


def test_a_chairs_question_read_from_a_note_is_meta():
    from mh_nlp.io.kinds import kind_of

    assert kind_of("Wat moet er veranderen?", speaker="Voorzitter") == "meta"
    assert kind_of("Wat moet er veranderen?", speaker="Petra de Boer") == "statement"


def test_a_markdown_plus_bullet_is_taken_off(tmp_path):
    """QA 52a D8: '+ ' is a Markdown bullet as '-' and '*' are; '+31 6 …' is no bullet."""
    from mh_nlp.io.readers import read_statements

    note = tmp_path / "n.md"
    note.write_text("+ de politie heeft geen capaciteit.\n- er is te weinig opvang.\n+31 6 is een nummer.\n",
                    encoding="utf-8")
    assert [s.text for s in read_statements(note)] == ["de politie heeft geen capaciteit.", "er is te weinig opvang.",
                                                       "+31 6 is een nummer."]
