"""Outputs that open right in Dutch Excel: ';' between fields, decimal commas, section numbers as text."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import KeywordClassifier, use_fakes  # noqa: E402

from mh_nlp.cli import main  # noqa: E402
from mh_nlp.io.readers import read_statements  # noqa: E402


@pytest.fixture
def note(tmp_path, monkeypatch) -> Path:
    use_fakes(monkeypatch)
    p = tmp_path / "n.txt"
    p.write_text("De IND mag gegevens niet delen, zegt de NLA.\n\nMeer samenwerking met het RIEC.\n", encoding="utf-8")
    return p


def run(*args):
    r = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in r.output
    return r


def test_excel_nl_semicolons_and_decimal_commas(note, tmp_path):
    out = tmp_path / "o.csv"
    assert run("label", note, "-o", out, "--excel-nl", "-q").exit_code == 0
    raw = out.read_text(encoding="utf-8-sig")
    header = raw.splitlines()[0]
    assert header.startswith("source;position;statement;kind;section;")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert rows[0]["statement"] == "De IND mag gegevens niet delen, zegt de NLA."  # the comma stays inside the field
    assert rows[0]["confidence"] == "0,8" and rows[0]["top2_score"] == "0,12"
    assert rows[1]["section"] == "3.9"  # a section number keeps its dot
    # our own reader reads the output back (';' found from the header line)
    assert [s.text for s in read_statements(out, column="statement")] == [r["statement"] for r in rows]


def test_delimiter_option_and_its_limits(note, tmp_path):
    out = tmp_path / "o.csv"
    assert run("label", note, "-o", out, "--delimiter", ";", "-q").exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert rows[0]["confidence"] == "0.8"  # decimal points unless --excel-nl
    for option in (["--delimiter", ";"], ["--excel-nl"]):
        r = run("label", note, "-o", tmp_path / "o.jsonl", *option)
        assert r.exit_code == 1 and r.stderr.startswith("mh-nlp: error:") and len(r.stderr.splitlines()) == 1
        assert "are for .csv outputs" in r.stderr and not (tmp_path / "o.jsonl").exists()
    r = run("label", note, "-o", tmp_path / "m.csv", "--min-confidence", "nan")
    assert r.exit_code == 2 and "'nan' is not a number" in r.stderr and not (tmp_path / "m.csv").exists()
    r = run("label", note, "-o", tmp_path / "p.csv", "--delimiter", ",", "--excel-nl")
    assert r.exit_code == 1 and "decimal commas" in r.stderr


def test_xlsx_section_numbers_are_text_cells(note, tmp_path):
    import openpyxl

    p = tmp_path / "s.txt"
    p.write_text("Werving gebeurt online.\n", encoding="utf-8")
    out = tmp_path / "o.xlsx"
    r = run("label", note, p, "-o", out, "-q", "--excel-nl")
    assert r.exit_code == 0  # --excel-nl: nothing to do here, and (QA 40) said so instead of ignored without a word
    assert "--delimiter and --excel-nl are for .csv outputs, so they are ignored" in r.stderr
    ws = openpyxl.load_workbook(out).worksheets[0]
    names = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        cells = dict(zip(names, row))
        for col in ("section", "top1", "top2", "top3"):
            assert cells[col].data_type == "s" and isinstance(cells[col].value, str)
        assert isinstance(cells["confidence"].value, float)
    assert "1.5" in [ws.cell(r, names.index("section") + 1).value for r in range(2, ws.max_row + 1)]


def test_workbook_sheets_and_header_row_through_the_cli(note, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ochtend"
    ws["A1"] = "Rondetafel 14 maart"
    ws.append(["spreker", "uitspraak"])
    ws.append(["Jan", "Te weinig capaciteit bij de politie."])
    ws2 = wb.create_sheet("Middag")
    ws2.append(["tekst"])
    ws2.append(["Meer voorlichting op scholen."])
    p = tmp_path / "w.xlsx"
    wb.save(p)
    out = tmp_path / "o.csv"
    r = run("label", p, "-o", out, "-q")
    assert r.exit_code == 0, r.output
    assert "1 row above the header row 2" in r.stderr
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(x["sheet"], x["position"], x["spreker"], x["section"]) for x in rows] == [
        ("Ochtend", "3", "Jan", "2.16"), ("Middag", "2", "", "4.3")]
    out2 = tmp_path / "o2.csv"
    assert run("label", p, "-o", out2, "-q", "--sheet", "Middag").exit_code == 0
    with open(out2, encoding="utf-8-sig", newline="") as fh:
        assert [x["statement"] for x in csv.DictReader(fh)] == ["Meer voorlichting op scholen."]
    r = run("label", p, "-o", tmp_path / "o3.csv", "--sheet", "Avond")
    assert r.exit_code == 1 and not (tmp_path / "o3.csv").exists()
    assert f"mh-nlp: error: {p}: no sheet 'Avond' (sheets: Ochtend, Middag)" in r.stderr
