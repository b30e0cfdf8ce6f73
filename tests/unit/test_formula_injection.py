"""Outputs opened in a spreadsheet must not evaluate anything a statement starts with (OWASP CSV injection)."""
from __future__ import annotations

import csv
import zipfile

import openpyxl
import pytest

from mh_nlp.readers import read_statements
from mh_nlp.writers import FORMULA_CHARS as FORMULA_START, open_writer

EVIL = '=HYPERLINK("http://x","klik") De NLA ziet meer uitbuiting.'


def record(statement: str) -> dict:
    return {"source": statement, "position": 1, "statement": statement, "section": "1.9", "section_title": "Signalering",
            "chapter": 1, "chapter_title": "Trends", "confidence": 0.5, "chapter_confidence": 0.7, "uncertain": False,
            "top": [], "entity_ids": [], "similar_quotes": [], "extra": {}}


@pytest.mark.parametrize("start", FORMULA_START)
def test_csv_cells_are_guarded_and_read_back_unchanged(tmp_path, start):
    text = start + "1+1 meer samenwerking tussen gemeenten"
    out = tmp_path / "o.csv"
    with open_writer(out) as w:
        w.write(record(text))
        w.write(record("De NLA"))
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["statement"] == "'" + text and rows[0]["source"] == "'" + text
    assert rows[1]["statement"] == "De NLA"  # harmless text unchanged
    back = [s.text for s in read_statements(out, column="statement")]
    assert back[0] == text.strip() and back[1] == "De NLA"


@pytest.mark.parametrize("start", FORMULA_START)
def test_xlsx_cells_are_strings_never_formulas(tmp_path, start):
    text = start + "HYPERLINK(\"http://x\",\"klik\") tekst"
    out = tmp_path / "o.xlsx"
    with open_writer(out) as w:
        w.write(record(text))
    ws = openpyxl.load_workbook(out).active
    cell = ws.cell(row=2, column=3)
    assert cell.value == text and cell.data_type == "s"
    with zipfile.ZipFile(out) as z:
        sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
        assert "<f>" not in z.read(sheet).decode("utf-8")


def test_numbers_stay_numbers(tmp_path):
    out = tmp_path / "o.xlsx"
    with open_writer(out) as w:
        w.write(record(EVIL))
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(row=2, column=8).data_type == "n"  # confidence
