"""Readers that lose nothing: Word tables, every sheet of a workbook, title rows, merged and formula cells,
UTF-16/32 text and CSV row numbers. Every fixture is made here (python-docx, openpyxl)."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from mh_nlp.io.readers import ReadError, detect_encoding, extra_fields, read_statements, sheet_names

NOTES = ["De NLA ziet meer arbeidsuitbuiting in distributiecentra.",
         "Gegevens delen tussen gemeente en zorg loopt vast op de AVG.",
         "RIEC's zijn aan tafel."]


def collect(path, **kw):
    warnings: list[str] = []
    got = list(read_statements(path, warn=warnings.append, **kw))
    return got, warnings


# ---------------------------------------------------------------- .docx

@pytest.fixture
def docx_with_tables(tmp_path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Rondetafel", level=1)
    d.add_paragraph("Inleiding door de voorzitter over de aanpak.")
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Spreker", "Uitspraak"
    for speaker, text in [("Jan (NLA)", NOTES[0]), ("Els", NOTES[1]), ("Piet", NOTES[2])]:
        row = t.add_row()
        row.cells[0].text, row.cells[1].text = speaker, text
    d.add_paragraph("Tussen de tabellen.")
    t2 = d.add_table(rows=0, cols=2)  # no header: a name column and a text column
    for speaker, text in [("Kees", "Meer voorlichting op scholen is nodig."), ("Anna", "Oplossing taalbarrières.")]:
        row = t2.add_row()
        row.cells[0].text, row.cells[1].text = speaker, text
    t3 = d.add_table(rows=2, cols=1)  # one column: cell by cell
    t3.rows[0].cells[0].text = "De gemeente belt CoMensha."
    t3.rows[1].cells[0].text = "Volgende keer de IND uitnodigen."
    d.add_paragraph("Slotwoord over de volgende bijeenkomst.")
    p = tmp_path / "verslag.docx"
    d.save(p)
    return p


def test_docx_tables_read_in_document_order_with_speakers(docx_with_tables):
    got, warnings = collect(docx_with_tables)
    assert [(s.position, s.text, s.extra["speaker"]) for s in got] == [
        (2, "Inleiding door de voorzitter over de aanpak.", ""),
        ("table 1 row 2", NOTES[0], "Jan (NLA)"),
        ("table 1 row 3", NOTES[1], "Els"),
        ("table 1 row 4", NOTES[2], "Piet"),
        (3, "Tussen de tabellen.", ""),
        ("table 2 row 1", "Meer voorlichting op scholen is nodig.", "Kees"),
        ("table 2 row 2", "Oplossing taalbarrières.", "Anna"),
        ("table 3 row 1", "De gemeente belt CoMensha.", ""),
        ("table 3 row 2", "Volgende keer de IND uitnodigen.", ""),
        (4, "Slotwoord over de volgende bijeenkomst.", ""),
    ]
    assert all(s.extra["heading"] == "Rondetafel" for s in got)
    assert warnings == []


def test_docx_table_of_other_cells_is_read_cell_by_cell_and_merged_cells_once(tmp_path):
    import docx

    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    a = t.cell(0, 0).merge(t.cell(0, 2))  # one cell over three columns
    a.text = "Een zin over de gehele breedte van de tabel."
    t.cell(1, 0).text, t.cell(1, 1).text, t.cell(1, 2).text = "Eerste.", "Tweede punt.", "Derde punt hier."
    p = tmp_path / "t.docx"
    d.save(p)
    got, _ = collect(p)
    assert [(s.position, s.text) for s in got] == [
        ("table 1 row 1", "Een zin over de gehele breedte van de tabel."),
        ("table 1 row 2 cell 1", "Eerste."), ("table 1 row 2 cell 2", "Tweede punt."),
        ("table 1 row 2 cell 3", "Derde punt hier.")]


# ---------------------------------------------------------------- .xlsx

@pytest.fixture
def workbook(tmp_path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ochtend"
    ws["A1"] = "Verslag rondetafel 14 maart"
    ws.merge_cells("A1:C1")  # a title row over the header
    ws.append(["Spreker", "Uitspraak", "Nr"])  # row 2
    ws.append(["Jan", NOTES[0], 1])  # row 3
    ws.append(["Els", None, 2])  # row 4: text merged over B4:C4
    ws["B4"] = NOTES[1]
    ws.merge_cells("B4:C4")
    ws.append(["Piet", NOTES[2], "=C3*10"])  # row 5: a formula without a stored value in a carried column
    ws.append(["Kees", '="Geen opgeslagen waarde"', 4])  # row 6: the statement is such a formula
    ws.append(["Anna", "Oplossing taalbarrières.", 5])  # row 7
    ws2 = wb.create_sheet("Middag")
    ws2.append(["tekst", "organisatie"])
    ws2.append(["Meer voorlichting op scholen is nodig.", "GGD"])
    ws2.append([None, None])
    ws2.append(["De IND deelt te weinig.", "IND"])  # row 4
    ws3 = wb.create_sheet("Leeg")  # an empty sheet: nothing to read, nothing lost
    ws3.title = "Leeg"
    p = tmp_path / "notities.xlsx"
    wb.save(p)
    return p


def test_xlsx_every_sheet_title_row_merged_and_formula_cells(workbook):
    got, warnings = collect(workbook)
    assert [(s.extra.get("sheet"), s.position, s.text) for s in got] == [
        ("Ochtend", 3, NOTES[0]), ("Ochtend", 4, NOTES[1]), ("Ochtend", 5, NOTES[2]),
        ("Ochtend", 7, "Oplossing taalbarrières."),
        ("Middag", 2, "Meer voorlichting op scholen is nodig."), ("Middag", 4, "De IND deelt te weinig.")]
    assert got[0].extra["Spreker"] == "Jan" and got[1].extra["Spreker"] == "Els"
    assert got[1].extra["Nr"] == ""  # the merged cell is read once, as the statement
    assert got[4].extra["organisatie"] == "GGD"
    joined = "\n".join(warnings)
    assert "sheet 'Ochtend': 1 row above the header row 2" in joined
    assert "sheet 'Ochtend': 1 statement is a formula without a stored value, not read (row 6)" in joined
    assert "sheet 'Ochtend': 1 row has other formula cells without a stored value, left empty (row 5)" in joined
    assert extra_fields(workbook) == ["sheet", "Spreker", "Nr", "organisatie"]
    assert sheet_names(workbook) == ["Ochtend", "Middag", "Leeg"]


def test_xlsx_sheet_choice_and_header_row(workbook):
    got, _ = collect(workbook, sheets=["middag"])
    assert [(s.position, s.text) for s in got] == [(2, "Meer voorlichting op scholen is nodig."),
                                                  (4, "De IND deelt te weinig.")]
    assert "sheet" not in got[0].extra  # one sheet read: no sheet column
    with pytest.raises(ReadError, match="no sheet 'Avond' \\(sheets: Ochtend, Middag, Leeg\\)"):
        list(read_statements(workbook, sheets=["Avond"]))
    # the header row named: the title row is the header, its first column the text column
    with pytest.raises(ReadError, match="no text column"):
        list(read_statements(workbook, sheets=["Ochtend"], header_row=1))
    got, _ = collect(workbook, sheets=["Ochtend"], header_row=2, column="spreker")
    assert [s.text for s in got][:2] == ["Jan", "Els"]


def test_xlsx_sheet_without_text_column_is_skipped_with_a_warning(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["tekst"])
    wb.active.append(["Een uitspraak."])
    other = wb.create_sheet("Deelnemers")
    other.append(["naam", "organisatie"])
    other.append(["Jan", "NLA"])
    p = tmp_path / "w.xlsx"
    wb.save(p)
    got, warnings = collect(p)
    assert [s.text for s in got] == ["Een uitspraak."]
    assert any("sheet 'Deelnemers': no text column" in w and "sheet skipped" in w for w in warnings)


def test_a_lone_sheets_problem_is_said_once_as_the_error(tmp_path):
    """QA 52a D13: --header-row beyond the only sheet printed its message twice, as a warning and as the error."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["tekst"])
    wb.active.append(["Een uitspraak."])
    p = tmp_path / "w.xlsx"
    wb.save(p)
    warnings: list[str] = []
    with pytest.raises(ReadError, match="has no row 99") as err:
        list(read_statements(p, header_row=99, warn=warnings.append))
    assert "sheet skipped" not in str(err.value) and not any("row 99" in w for w in warnings), warnings


@pytest.fixture
def hidden_workbook(tmp_path) -> Path:
    """A round table's sheet with a hidden row (row 3), a hidden draft sheet and a very hidden one (not even listed by
    Excel's Unhide), as QA 45b's workbook had them."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rondetafel"
    ws.append(["tekst", "organisatie"])
    ws.append([NOTES[0], "NLA"])
    ws.append(["Concept: nog niet delen.", "gemeente"])
    ws.append([NOTES[1], "GGD"])
    ws.row_dimensions[3].hidden = True
    draft = wb.create_sheet("Concept")
    draft.append(["tekst"])
    draft.append(["CONCEPT NIET GEBRUIKEN: interne opmerking over een lopend onderzoek."])
    draft.sheet_state = "hidden"
    internal = wb.create_sheet("Intern")
    internal.append(["tekst"])
    internal.append(["Interne notitie: naam informant Jan Jansen, 06-11223344."])
    internal.sheet_state = "veryHidden"
    p = tmp_path / "rondetafel.xlsx"
    wb.save(p)
    return p


def test_xlsx_hidden_sheets_and_rows_are_left_out_and_said(hidden_workbook):
    """QA 45b F13: a very hidden sheet held an informant's name and phone number, and it was labelled with the rest
    without a word (so was a hidden row)."""
    got, warnings = collect(hidden_workbook)
    assert [(s.position, s.text) for s in got] == [(2, NOTES[0]), (4, NOTES[1])]
    assert "sheet" not in got[0].extra  # one sheet read
    assert warnings == ["2 hidden sheets left out: 'Concept' (hidden), 'Intern' (very hidden: Excel's Unhide does not "
                        "list it); to read one, name it with --sheet",
                        "sheet 'Rondetafel': 1 hidden row left out (row 3); unhide it in Excel to read it"]
    assert extra_fields(hidden_workbook) == ["organisatie"]
    # named, a hidden sheet is read
    got, warnings = collect(hidden_workbook, sheets=["Rondetafel", "intern"])
    assert [(s.extra["sheet"], s.text) for s in got] == [
        ("Rondetafel", NOTES[0]), ("Rondetafel", NOTES[1]),
        ("Intern", "Interne notitie: naam informant Jan Jansen, 06-11223344.")]
    assert not any("hidden sheet" in w for w in warnings)


def test_xlsx_a_hidden_row_given_as_the_header_row_is_still_the_header(hidden_workbook):
    got, warnings = collect(hidden_workbook, sheets=["Rondetafel"], header_row=3, column="gemeente")
    assert [(s.position, s.text) for s in got] == [(4, "GGD")]
    assert not any("hidden row" in w for w in warnings)


def test_xlsx_a_workbook_of_hidden_sheets_only_says_to_name_one(tmp_path):
    import openpyxl

    import zipfile

    wb = openpyxl.Workbook()
    wb.active.append(["tekst"])
    wb.active.append([NOTES[0]])
    wb.create_sheet("Leeg").sheet_state = "veryHidden"
    saved = tmp_path / "zichtbaar.xlsx"
    wb.save(saved)
    p = tmp_path / "verborgen.xlsx"  # openpyxl will not hide every sheet: the workbook's part is changed after
    with zipfile.ZipFile(saved) as zin, zipfile.ZipFile(p, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'state="visible"', b'state="hidden"')
                assert b'state="hidden"' in data and b'state="visible"' not in data
            zout.writestr(item, data)
    with pytest.raises(ReadError, match=r"every sheet is hidden \('Sheet' \(hidden\), 'Leeg' \(very hidden: .*\); "
                                        r"name the sheets to read with --sheet"):
        list(read_statements(p))
    assert [s.text for s in read_statements(p, sheets=["Sheet"])] == [NOTES[0]]


# ---------------------------------------------------------------- text encodings

@pytest.mark.parametrize("encoding,bom,expected", [
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"), ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32"), ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("utf-16-le", b"", "utf-16-le"), ("utf-16-be", b"", "utf-16-be")])
def test_unicode_text_files_are_read(tmp_path, encoding, bom, expected):
    text = "Voorzitter: Welkom.\r\n\r\n" + "\r\n\r\n".join(NOTES) + "\r\nOplossing taalbarrières – één zin.\r\n"
    p = tmp_path / "notepad.txt"
    p.write_bytes(bom + text.encode(encoding))
    assert detect_encoding(p) == expected
    got, warnings = collect(p)
    assert [s.text for s in got] == ["Welkom.", *NOTES, "Oplossing taalbarrières – één zin."]
    assert got[0].extra["speaker"] == "Voorzitter"
    assert all("\x00" not in s.text for s in got)
    assert bool(warnings) == (bom == b"")  # BOM-less UTF-16 is said


def test_utf16_csv_and_binary_still_refused(tmp_path):
    p = tmp_path / "n.csv"
    p.write_bytes(codecs.BOM_UTF16_LE + "tekst;spreker\r\nDe NLA ziet meer.;Jan\r\n".encode("utf-16-le"))
    assert [(s.position, s.text, s.extra) for s in read_statements(p)] == [(2, "De NLA ziet meer.", {"spreker": "Jan"})]
    b = tmp_path / "b.txt"
    b.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ReadError, match="binary"):
        list(read_statements(b))


# ---------------------------------------------------------------- CSV rows

def test_csv_position_is_the_spreadsheet_row_after_multiline_cells(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text('tekst,spreker\n"Eerste regel\nen tweede regel.",Jan\nKort punt.,Els\n"Nog een\n\nmet witregel.",Piet\n'
                 "Laatste.,Kees\n", encoding="utf-8")
    got = list(read_statements(p))
    assert [(s.position, s.text) for s in got] == [
        (2, "Eerste regel en tweede regel."), (3, "Kort punt."), (4, "Nog een met witregel."), (5, "Laatste.")]


def test_csv_unclosed_quote_and_ragged_rows_are_said(tmp_path):
    """An unclosed quote swallowed the rows after it, and cells past the header's last column were dropped, both
    without a word (QA 36); the multi-line cells of the test above stay silent."""
    p = tmp_path / "n.csv"
    p.write_text('tekst;spreker\n"Er is te weinig opvang.";Jan\n"Ongesloten quote;Piet\nNog een regel.;Kees\n',
                 encoding="utf-8")
    got, warnings = collect(p)
    assert len(got) == 2 and len(warnings) == 1, (got, warnings)
    assert warnings[0].startswith("row 3: a quoted cell runs over 2 lines") and "unclosed quote" in warnings[0]
    p.write_text('tekst,a\n"Er is te weinig opvang",1,2,3\nkort,5,,\n', encoding="utf-8")
    got, warnings = collect(p)
    assert [(s.text, s.extra) for s in got] == [("Er is te weinig opvang", {"a": "1"}), ("kort", {"a": "5"})]
    assert warnings == ["row 2: more cells than the header row has columns; the cells past the last column were "
                        "left out"]
    p.write_text('tekst,spreker\n"Eerste regel\nen tweede regel.",Jan\nKort punt.,Els\n', encoding="utf-8")
    assert collect(p)[1] == []


def test_a_csv_wider_than_excel_allows_is_refused_when_the_row_is_read(tmp_path):
    """QA 49b D2: a 12 MB CSV of 3 million columns was read, and its column page took 85 s and 3.7 GB. A row of more
    than Excel's 16,384 columns refuses the file (TooBig: the review screen's 413), a data row as the header; a table
    of 16,384 columns is read."""
    from mh_nlp.io.readers import TooBig, csv_columns

    MAX_COLUMNS = 16_384  # noqa: N806 - readers.MAX_COLUMNS
    p = tmp_path / "breed.csv"
    header = "tekst," + ",".join(f"k{i}" for i in range(MAX_COLUMNS - 1))
    p.write_text(header + "\nEr is te weinig opvang." + ",x" * (MAX_COLUMNS - 1) + "\n", encoding="utf-8")
    assert [s.text for s in read_statements(p)] == ["Er is te weinig opvang."]
    assert len(csv_columns(p)) == MAX_COLUMNS
    said = ("row {} has 16,385 cells: more than 16,384 columns, the most a table may have (Excel's limit); a table of "
            "notes has far fewer")
    p.write_text(header + ",een te veel\nEr is te weinig opvang.\n", encoding="utf-8")
    for read in (lambda: list(read_statements(p)), lambda: csv_columns(p)):
        with pytest.raises(TooBig) as err:
            read()
        assert str(err.value) == said.format(1)
    p.write_text("tekst,spreker\nEr is te weinig opvang.,Jan\nMeer voorlichting." + ",x" * MAX_COLUMNS + "\n",
                 encoding="utf-8")
    with pytest.raises(TooBig) as err:
        list(read_statements(p))
    assert str(err.value) == said.format(3)


def test_a_workbook_header_wider_than_excel_allows_is_refused(tmp_path, monkeypatch):
    """The same limit for a workbook's header row (Excel cannot make one; a hand-made package can, up to ZZZ)."""
    import openpyxl

    from mh_nlp.io import readers

    monkeypatch.setattr(readers, "MAX_COLUMNS", 3, raising=False)
    wb = openpyxl.Workbook()
    wb.active.append(["tekst", "a", "b", "c"])
    wb.active.append(["Er is te weinig opvang.", 1, 2, 3])
    wb.save(tmp_path / "breed.xlsx")
    with pytest.raises(readers.TooBig, match=r"^sheet 'Sheet': header row 1 has 4 cells: more than 3 columns"):
        list(read_statements(tmp_path / "breed.xlsx"))


def test_csv_title_row_above_header_is_found_and_said(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("Verslag rondetafel\n\nspreker;uitspraak\nJan;De NLA ziet meer.\nEls;Oplossing taalbarrières.\n",
                 encoding="utf-8")
    got, warnings = collect(p)
    assert [(s.position, s.text, s.extra) for s in got] == [
        (4, "De NLA ziet meer.", {"spreker": "Jan"}), (5, "Oplossing taalbarrières.", {"spreker": "Els"})]
    assert any("1 row above the header row 3" in w for w in warnings)
    assert extra_fields(p) == ["spreker"]


def test_docx_statement_merged_over_rows_is_read_once(tmp_path):
    import docx

    d = docx.Document()
    t = d.add_table(rows=4, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Spreker", "Uitspraak"
    t.cell(1, 0).text, t.cell(1, 1).text = "Jan", "Een uitspraak die over twee rijen is samengevoegd."
    t.cell(1, 1).merge(t.cell(2, 1))
    t.cell(2, 0).text = "Els"
    t.cell(3, 0).text, t.cell(3, 1).text = "Piet", "Daarna nog een punt."
    p = tmp_path / "m.docx"
    d.save(p)
    got, _ = collect(p)
    assert [(s.position, s.text, s.extra["speaker"]) for s in got] == [
        ("table 1 row 2", "Een uitspraak die over twee rijen is samengevoegd.", "Jan"),
        ("table 1 row 4", "Daarna nog een punt.", "Piet")]


def test_a_workbook_that_declares_a_huge_sheet_is_read_as_its_cells_stand(tmp_path):
    """A 1.5 KB workbook can declare A1:XFD3000 (16,384 columns): openpyxl padded every row to it, and the header
    search recounted the rows it kept at every row (quadratic), which froze the review screen for minutes."""
    import zipfile

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    cell = '<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'
    files = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{office}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {ns} xmlns:r="{office}"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/>'
        '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{office}/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet {ns}><dimension ref="A1:XFD3000"/><sheetData>'
        f'<row r="1">{cell.format("A1", "tekst")}</row><row r="2">{cell.format("A2", "Meer opvang nodig.")}</row>'
        f'<row r="3000">{cell.format("XFD3000", "x")}</row></sheetData></worksheet>',
    }
    path = tmp_path / "declared.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    statements = list(read_statements(path))
    assert [(s.position, s.text) for s in statements] == [(2, "Meer opvang nodig.")]
    assert len(statements[0].extra) < 100  # the columns that hold something, not the 16,384 declared


def test_a_title_with_a_comma_above_a_semicolon_table_keeps_its_columns(tmp_path):
    """QA 39: "Verslag rondetafel Utrecht, 3 februari" above a `;` header made the comma the delimiter, so the
    columns were the title's two halves and every row one raw line."""
    from mh_nlp.io.readers import read_statements

    path = tmp_path / "verslag.csv"
    path.write_text("Verslag rondetafel Utrecht, 3 februari\n\nwie;uitspraak\n"
                    "Jan;Er is te weinig opvang, zeker voor mannen.\nEls;Meer zicht op uitbuiting nodig.\n",
                    encoding="utf-8")
    rows = list(read_statements(path, column="uitspraak"))
    assert [(r.text, r.extra["wie"]) for r in rows] == [("Er is te weinig opvang, zeker voor mannen.", "Jan"),
                                                       ("Meer zicht op uitbuiting nodig.", "Els")]
    assert [r.text for r in read_statements(path, column="uitspraak", header_row=3)] == [r.text for r in rows]


def test_two_columns_of_one_name_are_kept_apart(tmp_path):
    """QA 39: `tekst,tekst,wie`: the second column's sentences were carried under the first one's name and lost."""
    from mh_nlp.io.readers import read_statements

    path = tmp_path / "dubbel.csv"
    path.write_text("tekst,tekst,wie\nK0,Slachtoffers arbeidsmigranten worden laat herkend.,Jan\n", encoding="utf-8")
    [row] = list(read_statements(path, column="tekst (2)"))
    assert row.text == "Slachtoffers arbeidsmigranten worden laat herkend." and row.extra == {"tekst": "K0", "wie": "Jan"}


def test_semicolons_inside_quoted_statements_do_not_make_the_delimiter(tmp_path):
    """A `,` table whose quoted statements hold commas and, in some, a `;`: the delimiter stays the comma."""
    from mh_nlp.io.readers import read_statements

    lines = ["id,tekst"] + [f'{i},"Er is, zeker in regio {i}, te weinig opvang; echt te weinig."' for i in range(7)] \
        + [f'{i},"Meer zicht, veel meer, op uitbuiting."' for i in range(7, 13)]
    path = tmp_path / "komma.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(read_statements(path))
    assert len(rows) == 13 and rows[0].text == "Er is, zeker in regio 0, te weinig opvang; echt te weinig."
    assert rows[0].extra == {"id": "0"}


@pytest.mark.parametrize("content, column, text, extra", [
    # QA 39 re-test of the reader: a comma in a multi-line quoted cell of a ; table; rows shorter than the header
    ('id;tekst;wie\n1;"Er is te weinig opvang, zeker\nin de regio, zeker";Jan\n2;"Meer zicht, graag\nop uitbuiting";Piet\n',
     None, "Er is te weinig opvang, zeker in de regio, zeker", {"id": "1", "wie": "Jan"}),
    ("tekst;wie;datum\nMeer opvang, echt.;Jan\nMeer zorg, ook.;Piet\nGeen zicht, helaas.;Kees;3-2\n",
     None, "Meer opvang, echt.", {"wie": "Jan", "datum": ""}),
    # a title with a comma, a blank line, then a ; table with decimal commas
    ("Verslag Utrecht, 3 februari\n\nid;tekst;score\n1;Meer opvang.;0,5\n2;Meer zicht op uitbuiting.;1,25\n",
     None, "Meer opvang.", {"id": "1", "score": "0,5"}),
    # the file's own "tekst (2)" is never renamed by the numbering of a repeated "tekst"
    ("tekst,tekst,tekst (2)\nA,B,C\n", "tekst (2)", "C", {"tekst": "A", "tekst (3)": "B"}),
    # the name as written wins over one in another case
    ("Tekst,tekst\nA,B\n", "tekst", "B", {"Tekst": "A"}),
    # an empty header cell is never given the name of a real column
    ("tekst,,column2\na,b,c\n", None, "a", {"column2_": "b", "column2": "c"}),
])
def test_tables_that_the_delimiter_and_header_rules_must_read(tmp_path, content, column, text, extra):
    from mh_nlp.io.readers import read_statements

    path = tmp_path / "t.csv"
    path.write_text(content, encoding="utf-8")
    first = next(iter(read_statements(path, column=column)))
    assert (first.text, first.extra) == (text, extra)


@pytest.mark.parametrize("content, delimiter", [
    # QA 39: a table's own first rows before a blank line are no title (the field-count try, then the first title
    # rule, took them for one and read nothing)
    ("tekst;score\nGoed;3,5\n\nMinder;2,0\n", ";"),
    ("tekst;sectie\nEerste punt;A\nTweede;B\n\nOpvang, zorg, en zo;C\n", ";"),
    ("tekst\tsectie\nEerste\tA\n\nJa, nee, misschien\tB\n", "\t"),
    ("tekst;sectie\r\nEerste;A\r\n\r\nJa, nee, wel;B\r\n", ";"),
    ("tekst;sectie\nA;1\n\nalleen tekst\nB, c;2\n", ";"),
    ('tekst;sectie\n"Eerste alinea, met komma\n\ntweede alinea, nog een";A\nDrie;B\n', ";"),
    # titles above a blank line are passed over
    ("Verslag Utrecht, 3 februari\n\nid;tekst;score\n1;Meer opvang.;0,5\n", ";"),
    ("Verslag, Utrecht\nTweede, regel\n\ntekst;sectie\nEen;A\n", ";"),
    ("Titel; met puntkomma\n\nid,tekst\n1,a\n", ","),
    # QA 39 re-test: a quoted cell with a blank line in it is no title block, before or after the blank
    ('id;tekst\n1;"Eerste punt.\n\nTweede punt, met komma."\n2;Meer handhaving nodig\n', ";"),
    ('tekst;score\n\n"Eerste punt.\n\nTweede punt, met komma.\nSlot.";3,5\n"Zorg; welzijn";3\n', ";"),
    # several title blocks, one without any delimiter
    ('Verslag rondetafel Utrecht, 3 februari\n\nAanwezig: gemeente; politie; GGD\n\nConcept\n\n'
     'tekst,score\nMeer handhaving nodig,3\n"Zorg; welzijn",4\n', ","),
    ("Verslag rondetafel Utrecht, 3 februari\n\nConcept\n\ntekst;score\nMeer handhaving nodig;3\n", ";"),
])
def test_the_delimiter_of_tables_with_blank_lines_and_titles(content, delimiter):
    from mh_nlp.io.readers import _csv_dialect

    assert _csv_dialect(content).delimiter == delimiter


def test_a_table_of_one_text_column_keeps_its_commas(tmp_path):
    """QA 39: a CSV whose header is `tekst` alone cut "Meer handhaving, minder regels" at the comma (every version
    before), with a warning about more cells than the header."""
    from mh_nlp.io.readers import read_statements

    path = tmp_path / "een.csv"
    warnings: list[str] = []
    path.write_text('tekst\nMeer handhaving, minder regels\nSignalen; worden gemist\n"Geciteerd, met ""quotes"""\n',
                    encoding="utf-8")
    assert [r.text for r in read_statements(path, warn=warnings.append)] == [
        "Meer handhaving, minder regels", "Signalen; worden gemist", 'Geciteerd, met "quotes"']
    assert warnings == []


@pytest.mark.parametrize("title", ["Verslag Utrecht, 3 februari\n\n", "Verslag Utrecht, 3 februari\n",
                                   "Verslag; rondetafel\nUtrecht, 3 februari\n\n"])
def test_a_title_with_a_comma_does_not_cut_a_one_column_table(tmp_path, title):
    """QA 40b: with a title holding a comma above a `tekst` header, the comma became the delimiter and every
    statement lost its part after the first comma (with or without a blank line below the title)."""
    from mh_nlp.io.readers import read_statements

    path = tmp_path / "een.csv"
    path.write_text(title + "tekst\nMeer handhaving, minder regels\nOpvang; te weinig plekken\n", encoding="utf-8")
    warnings: list[str] = []
    assert [r.text for r in read_statements(path, warn=warnings.append)] == [
        "Meer handhaving, minder regels", "Opvang; te weinig plekken"]
    assert len(warnings) == 1 and "read as a title" in warnings[0]


def test_a_title_right_above_the_header_does_not_choose_the_delimiter(tmp_path):
    """QA 40b: "Verslag Utrecht, 3 februari" directly above an `id;tekst` table (no blank line) made the comma the
    delimiter, and the read failed with "no text column"; the header naming the text column now chooses it."""
    from mh_nlp.io.readers import read_statements

    path = tmp_path / "t.csv"
    path.write_text("Verslag Utrecht, 3 februari\nid;tekst\n1;Meer handhaving, minder regels\n2;Opvang\n",
                    encoding="utf-8")
    assert [r.text for r in read_statements(path, warn=lambda w: None)] == ["Meer handhaving, minder regels", "Opvang"]
    other = tmp_path / "o.csv"  # a header that names no text column: --column names it, and the error says how
    other.write_text("Verslag Utrecht, 3 februari\nid;opmerking\n1;Meer handhaving, minder regels\n", encoding="utf-8")
    assert [r.text for r in read_statements(other, column="opmerking", warn=lambda w: None)] == [
        "Meer handhaving, minder regels"]
    with pytest.raises(ReadError, match="--header-row if that row is a title"):
        list(read_statements(other, warn=lambda w: None))


@pytest.mark.parametrize("content, expected", [
    # QA 40 re-test: a line that is `tekst` alone inside a quoted cell, or a short row, made the table one column
    ('id,tekst,thema\n1,"Opmerking bij de\ntekst\nvan het plan",x\n2,"Meer groen, minder asfalt",y\n',
     ["Opmerking bij de\ntekst\nvan het plan", "Meer groen, minder asfalt"]),
    ("tekst;thema;wijk\nMeer groen;natuur;Noord\nTekst\nMinder regels;bestuur;Zuid\n",
     ["Meer groen", "Tekst", "Minder regels"]),
    # the delimiter of the header that names the text column is the one used, not the Sniffer's comma
    ("id;tekst;thema;plaats, datum\n1;Meer groen;x;Utrecht, 3 feb\n2;Minder regels;y;Zeist, 4 feb\n",
     ["Meer groen", "Minder regels"]),
    ("id\ttekst\tnaam, voornaam\n1\tMeer groen\tJansen, Piet\n", ["Meer groen"]),
])
def test_the_header_naming_the_text_column_decides_the_delimiter(tmp_path, content, expected):
    from mh_nlp.io.readers import read_statements

    path = tmp_path / "t.csv"
    path.write_text(content, encoding="utf-8")
    got = [r.text for r in read_statements(path, warn=lambda w: None)]
    assert [" ".join(t.split()) for t in got] == [" ".join(t.split()) for t in expected]


def test_a_workbook_with_its_own_sheet_column_keeps_it_and_the_sheet_names(tmp_path):
    """QA 40 re-test: with a column of its own named `sheet`, the sheets' names were not added (and notes read in
    order ran on across sheets); they now come under `sheet (2)`, and the workbook's own column stays as it is."""
    import openpyxl

    from mh_nlp.io.readers import read_statements

    wb = openpyxl.Workbook()
    a = wb.active
    a.title = "Utrecht"
    b = wb.create_sheet("Zwolle")
    for ws, text in ((a, "Meer opvang."), (b, "Minder regels.")):
        ws.append(["sheet", "vraag", "tekst"])
        ws.append(["ronde", "2", text])
    path = tmp_path / "w.xlsx"
    wb.save(path)
    assert extra_fields(path) == ["sheet (2)", "sheet", "vraag"]
    assert [st.extra for st in read_statements(path, warn=lambda w: None)] == [
        {"sheet (2)": "Utrecht", "sheet": "ronde", "vraag": "2"}, {"sheet (2)": "Zwolle", "sheet": "ronde", "vraag": "2"}]
