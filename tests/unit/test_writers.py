"""Writing labelled rows (.csv/.jsonl/.xlsx) atomically, output checks, and the theme overview."""
from __future__ import annotations

import csv
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import KeywordClassifier  # noqa: E402

from mh_nlp.io.label import LabelRow, Summary, label_statements  # noqa: E402
from mh_nlp.io.readers import Statement  # noqa: E402
from mh_nlp.io.writers import (FORMULA_CHARS, OutputError, check_output, header, open_writer,  # noqa: E402
                            safe_cell, summary_markdown, unguard_cell, write_summary)

STATEMENTS = [
    Statement("a.csv", 2, "Het delen van gegevens loopt vast.", {"spreker": "RIEC", "section": "x"}),
    Statement("a.csv", 3, "Iets heel anders.", {"spreker": "OM", "section": "y"}),
]


def rows(min_confidence=None) -> list[LabelRow]:
    return list(label_statements(STATEMENTS, KeywordClassifier(), min_confidence=min_confidence))


def test_header_renames_colliding_input_columns():
    assert header(["spreker", "section"])[-2:] == ["spreker", "input_section"]


def test_csv_round_trip(tmp_path):
    out = tmp_path / "o.csv"
    with open_writer(out, ["spreker", "section"]) as w:
        for r in rows(min_confidence=0.5):
            w.write(r.to_dict())
    with open(out, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert got[0]["section"] == "2.11" and got[0]["chapter"] == "2" and got[0]["uncertain"] == "False"
    assert got[0]["input_section"] == "x" and got[0]["spreker"] == "RIEC"
    assert got[1]["section"] == "" and got[1]["section_title"] == "" and got[1]["uncertain"] == "True"
    assert got[1]["top1"] == "1.1" and got[1]["top1_score"] == "0.2"  # top 3 still given
    assert got[1]["chapter"] == ""  # chapter confidence 0.3 < 0.5 as well
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]


def test_jsonl_and_xlsx_round_trip(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    for name in ("o.jsonl", "o.xlsx"):
        with open_writer(tmp_path / name, ["spreker"]) as w:
            for r in rows():
                w.write(r.to_dict())
    lines = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[0]["top"][0] == {"section": "2.11", "title": "Beperkte mogelijkheid gegevensuitwisseling",
                                  "score": 0.8}
    assert lines[1]["extra"] == {"spreker": "OM", "section": "y"}
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx", read_only=True).worksheets[0]
    table = [list(r) for r in ws.iter_rows(values_only=True)]
    assert table[0][:5] == ["source", "position", "statement", "kind", "section"]
    assert table[1][:5] == ["a.csv", 2, "Het delen van gegevens loopt vast.", "statement", "2.11"]
    assert len(table) == 3


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_interrupted_write_leaves_old_file_and_no_temp(tmp_path, suffix):
    out = tmp_path / f"o{suffix}"
    out.write_bytes(b"oud")
    with pytest.raises(KeyboardInterrupt):
        with open_writer(out) as w:
            w.write(rows()[0].to_dict())
            raise KeyboardInterrupt
    assert out.read_bytes() == b"oud"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_check_output_refusals(tmp_path):
    inp = tmp_path / "in.csv"
    inp.write_text("tekst\nx\n", encoding="utf-8")
    with pytest.raises(OutputError, match="also an input"):
        check_output(inp, [inp], force=True, suffixes=(".csv",))
    with pytest.raises(OutputError, match="also an input"):
        check_output(tmp_path / "." / "in.csv", [Path(str(inp))], force=True, suffixes=(".csv",))
    existing = tmp_path / "out.csv"
    existing.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="exists; use --force"):
        check_output(existing, [inp], force=False, suffixes=(".csv",))
    assert check_output(existing, [inp], force=True, suffixes=(".csv",)) == existing
    dangling = tmp_path / "dang.csv"  # QA 43b: a link to nowhere was found only after all the work
    dangling.symlink_to(tmp_path / "nowhere.csv")
    with pytest.raises(OutputError, match=r"dang.csv: exists \(a link to .*nowhere.csv\); use --force"):
        check_output(dangling, [inp], force=False, suffixes=(".csv",))
    with pytest.raises(OutputError, match="does not exist"):
        check_output(tmp_path / "nee" / "o.csv", [inp], force=False, suffixes=(".csv",))
    with pytest.raises(OutputError, match="unsupported output type '.txt'"):
        check_output(tmp_path / "o.txt", [inp], force=False, suffixes=(".csv",))
    with pytest.raises(OutputError, match=r"name the file before its extension \(labels.csv\)"):  # QA 38: was
        check_output(tmp_path / ".csv", [inp], force=False, suffixes=(".csv",))  # "'(no extension)'"


def test_summary_counts_and_formats(tmp_path):
    summary = Summary()
    for r in rows(min_confidence=0.5):
        summary.add(r)
    summary.fail("b.docx", "not a valid .docx file")
    d = summary.to_dict()
    a = d["inputs"][0]
    assert (a["statements"], a["uncertain"]) == (2, 1)
    assert a["sections"] == [{"section": "2.11", "title": "Beperkte mogelijkheid gegevensuitwisseling",
                              "statements": 1}]
    assert a["chapters"] == [{"chapter": 2, "title": "Problemen en oorzaken", "statements": 1}]
    assert d["total"] == {"inputs": 2, "inputs_ok": 1, "statements": 2, "uncertain": 1, "uncertain_below": 0.5,
                          "off_subject": 0, "context_changed": 0, "non_statements": {"meta": 0, "chatter": 0}}
    md = summary_markdown(d)
    assert "| 2.11 | Beperkte mogelijkheid gegevensuitwisseling | 1 |" in md
    assert "**error:** not a valid .docx file" in md
    write_summary(tmp_path / "s.json", d)
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8")) == json.loads(json.dumps(d))


# ---------------------------------------------------------------- formula injection (OWASP CSV injection)

LEADS = ["=", "+", "-", "@", "\t", "\r"]  # every character a spreadsheet takes as the start of a formula
HARMLESS = "De NLA ziet meer uitbuiting."


def formula_record(text: str) -> dict:
    """A labelled row whose statement and carried column ``=kolom`` both hold ``text``; a negative score."""
    record = label_statements([Statement("a.txt", 1, text, {"=kolom": text})], KeywordClassifier())
    record = next(record).to_dict()
    record["top"][0]["score"] = -0.25  # a number the writer writes as a number, even when negative
    return record


def write_formula_rows(path: Path, text: str) -> None:
    with open_writer(path, ["=kolom"]) as w:
        w.write(formula_record(text))
        w.write(formula_record(HARMLESS))


def test_guarded_characters_are_the_owasp_list():
    assert sorted(FORMULA_CHARS) == sorted(LEADS)


@pytest.mark.parametrize("lead", LEADS)
def test_safe_cell_quotes_formula_starts_and_unguard_undoes_it(lead):
    text = f'{lead}HYPERLINK("http://x","klik") De NLA'
    assert safe_cell(text) == "'" + text
    assert unguard_cell(safe_cell(text)) == text
    quoted = "'" + text  # already behind a quote: one more, so reading gives exactly this text back
    assert safe_cell(quoted) == "''" + text and unguard_cell(safe_cell(quoted)) == quoted


def test_safe_cell_leaves_other_text_and_numbers():
    for value in (HARMLESS, "2.11", "", "'t Is zo", "a=b", "  '=x", -0.25, 0, True):
        assert safe_cell(value) == value and type(safe_cell(value)) is type(value)
        if isinstance(value, str):
            assert unguard_cell(value) == value


def test_a_formula_after_spaces_is_guarded_too():
    """QA 52a D7: '  =1+1' was written as it is; a spreadsheet that trims spaces on import would evaluate it."""
    for value in (" =x", "  =1+1", "\u00a0=HYPERLINK(\"x\")", " -5"):
        assert safe_cell(value) == "'" + value and unguard_cell(safe_cell(value)) == value


@pytest.mark.parametrize("lead", LEADS)
def test_csv_formula_cells_start_with_a_quote(tmp_path, lead):
    text = f'{lead}HYPERLINK("http://x","klik") De NLA'
    out = tmp_path / "o.csv"
    write_formula_rows(out, text)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        head, row, plain = list(csv.reader(fh))
    col = dict(zip(head, row))
    assert head[-1] == "'=kolom"  # a column name is a text cell too
    assert col["statement"] == "'" + text and col["'=kolom"] == "'" + text
    assert col["top1_score"] == "-0.25" and col["confidence"] == "0.2"  # numbers stay numbers
    assert dict(zip(head, plain))["statement"] == HARMLESS and dict(zip(head, plain))["'=kolom"] == HARMLESS
    for cell in head + row + plain:  # no cell of the file starts a formula
        assert not cell.startswith(FORMULA_CHARS) or cell == "-0.25"


@pytest.mark.parametrize("lead", LEADS)
def test_xlsx_formula_cells_are_string_cells(tmp_path, lead):
    openpyxl = pytest.importorskip("openpyxl")
    text = f'{lead}HYPERLINK("http://x","klik") De NLA'
    out = tmp_path / "o.xlsx"
    write_formula_rows(out, text)
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    cells = dict(re.findall(r'<c r="([A-Z]+\d+)"[^>]*?t="(\w+)"', sheet))
    ws = openpyxl.load_workbook(out).worksheets[0]
    names = [c.value for c in ws[1]]
    stmt, extra, score = (names.index(n) for n in ("statement", "=kolom", "top1_score"))
    for cell in (ws[1][extra], ws[2][stmt], ws[2][extra]):
        assert cell.data_type == "s" and cells[cell.coordinate] == "inlineStr"
        assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    assert ws[2][stmt].value == text and ws[2][extra].value == text  # the original text, no quote added
    assert ws[2][score].value == -0.25 and ws[2][score].data_type == "n"
    assert ws[3][stmt].value == HARMLESS and not ws[3][stmt].quotePrefix


def test_xlsx_error_code_text_stays_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "o.xlsx"
    write_formula_rows(out, "#N/A")
    ws = openpyxl.load_workbook(out).worksheets[0]
    cell = ws[2][[c.value for c in ws[1]].index("statement")]
    assert cell.value == "#N/A" and cell.data_type == "s"


def test_jsonl_keeps_formula_text_as_is(tmp_path):
    out = tmp_path / "o.jsonl"
    write_formula_rows(out, "=1+1")
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["statement"] == "=1+1" and first["extra"] == {"=kolom": "=1+1"}


def test_jsonl_keeps_one_row_on_one_line_whatever_the_statement_holds(tmp_path):
    """A line or paragraph separator in a statement (U+2028 from a Word paste) was written raw: valid JSON, but a
    reader splitting on line breaks saw two broken rows."""
    out = tmp_path / "o.jsonl"
    write_formula_rows(out, "Eerste regel\u2028tweede\u2029derde\x85vierde")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["statement"] == "Eerste regel\u2028tweede\u2029derde\x85vierde", lines[0]


def test_a_long_section_title_in_the_overview_is_cut_at_a_word():
    from mh_nlp.io.writers import shorten

    title = "Aangiftebereidheid en de positie van slachtoffers in het strafproces"
    assert shorten(title, 50) == "Aangiftebereidheid en de positie van…" and len(shorten(title, 50)) <= 50
    assert shorten("Kwetsbare groepen", 50) == "Kwetsbare groepen"
    assert shorten("x" * 80, 50) == "x" * 49 + "…"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="ab;,\t'=+-@(|! ", max_size=16))
def test_no_part_of_a_csv_cell_starts_a_formula_whatever_the_separator_excel_splits_at(text):
    """QA 38: a ','-separated output opened by Excel with Dutch regional settings is split at ';': "Zie bijlage;
    =cmd|' /C calc'!A0" had a cell that started a DDE formula behind the leading-quote guard. Every part after a
    separator is guarded too, and the CSV reader gives back the original text exactly."""
    cell = safe_cell(text)
    assert unguard_cell(cell) == text
    for sep in ";,\t":
        for part in cell.split(sep)[1:]:
            assert not (part[:1] in ("=", "@") or (part[:1] in ("+", "-") and any(c in part for c in "(|!"))), cell


def test_ordinary_dutch_text_with_separators_is_left_alone():
    for text in ("€ 10,- per uur", "1,-2", "jongens, meisjes; mannen", "Zie bijlage; de samenwerking loopt"):
        assert safe_cell(text) == text
    assert safe_cell("Zie bijlage;=cmd|' /C calc'!A0;x") == "Zie bijlage;'=cmd|' /C calc'!A0;x"


def test_an_xlsx_output_streams_its_rows_beside_the_output_not_to_the_system_temp_folder(tmp_path, monkeypatch):
    """QA 38 re-test: openpyxl streamed the rows to /tmp/openpyxl.*, which a killed run left there for good; the
    next run to the output removes what is beside it (OutputLock), so the rows now stream there."""
    import tempfile

    from mh_nlp.io.writers import OutputLock

    system = tmp_path / "system-tmp"
    system.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    out = tmp_path / "o.xlsx"
    for finish in ("commit", "abort", "killed"):
        w = open_writer(out, ["spreker", "section"])
        w.write(rows()[0].to_dict())
        hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(".o.xlsx.")]
        assert len(hidden) == 2 and not list(system.iterdir()), hidden  # the output and its rows, both beside it
        if finish != "killed":
            getattr(w, finish)()
            assert not [p for p in tmp_path.iterdir() if p.name.startswith(".o.xlsx.")]
        else:  # as after kill -9: the next run's lock removes both
            lock = OutputLock(out).acquire()
            assert lock.leftovers == 2 and not [p for p in tmp_path.iterdir() if p.name.startswith(".o.xlsx.")
                                                and p.name != ".o.xlsx.lock"]
            lock.release()
            w.abort()  # (the test's process lives on: its writer is closed, with its files already gone)
    assert out.exists() and not list(system.iterdir())
