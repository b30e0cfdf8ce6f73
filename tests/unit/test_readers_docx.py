""".docx: all text Word shows is read (QA 44a D6) and a table's header row is no statement (QA 44a D9).

Every document is made here with python-docx, the constructs python-docx cannot write as raw WordprocessingML."""
from __future__ import annotations

from pathlib import Path

import pytest

from mh_nlp.io.readers import read_statements

docx = pytest.importorskip("docx")
from docx.oxml import parse_xml  # noqa: E402

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def p(*inner: str) -> str:
    """A raw paragraph (``<w:p>``) of the given inner XML."""
    return f'<w:p {NS}>{"".join(inner)}</w:p>'


def make(path: Path, *blocks: str) -> Path:
    """A Word document of ``blocks``: raw XML (starting with ``<``) or plain paragraphs."""
    d = docx.Document()
    body = d.element.body
    for block in blocks:
        if block.startswith("<"):
            body.insert(len(body) - 1, parse_xml(block))  # before the section properties
        else:
            d.add_paragraph(block)
    d.save(path)
    return path


def read(path: Path) -> tuple[list[tuple[object, str]], list[str]]:
    warnings: list[str] = []
    got = [(s.position, s.text) for s in read_statements(path, warn=warnings.append)]
    return got, warnings


def test_tracked_insertions_and_moved_to_text_are_read_deleted_and_moved_from_text_is_not(tmp_path):
    change = 'w:author="A" w:date="2026-10-01T00:00:00Z"'
    path = make(tmp_path / "w.docx",
                "Eerste punt van het overleg.",
                p(r("De AVIM heeft "),
                  f'<w:del w:id="1" {change}><w:r><w:delText>ruim voldoende</w:delText></w:r></w:del>',
                  f'<w:ins w:id="2" {change}>{r("te weinig")}</w:ins>',
                  r(" capaciteit voor mensenhandelzaken.")),
                p(r("Het aantal meldingen is "),
                  f'<w:moveFrom w:id="3" {change}>{r("sterk ")}</w:moveFrom>',
                  f'<w:moveTo w:id="4" {change}>{r("flink")}</w:moveTo>', r(" gestegen.")),
                "Laatste punt.")
    got, warnings = read(path)
    assert got == [(1, "Eerste punt van het overleg."),
                   (2, "De AVIM heeft te weinig capaciteit voor mensenhandelzaken."),
                   (3, "Het aantal meldingen is flink gestegen."),
                   (4, "Laatste punt.")]
    assert warnings == []


def test_content_controls_around_paragraphs_and_inside_one_are_read_and_numbered(tmp_path):
    path = make(tmp_path / "s.docx",
                "Inleiding van het verslag.",
                f'<w:sdt {NS}><w:sdtPr><w:alias w:val="Samenvatting"/></w:sdtPr><w:sdtContent>'
                f'<w:p>{r("Het RIEC Limburg heeft de casustafel goed op poten gezet.")}</w:p>'
                f'<w:p>{r("De gemeente betaalt mee.")}</w:p></w:sdtContent></w:sdt>',
                p(r("De samenwerking met "),
                  f'<w:sdt><w:sdtPr/><w:sdtContent>{r("Veilig Thuis Limburg-Noord")}</w:sdtContent></w:sdt>',
                  r(" verloopt beter dan vorig jaar.")),
                "Slotopmerking van de voorzitter.")
    got, _ = read(path)
    assert got == [(1, "Inleiding van het verslag."),
                   (2, "Het RIEC Limburg heeft de casustafel goed op poten gezet."),
                   (3, "De gemeente betaalt mee."),
                   (4, "De samenwerking met Veilig Thuis Limburg-Noord verloopt beter dan vorig jaar."),
                   (5, "Slotopmerking van de voorzitter.")]



def test_a_table_of_contents_and_placeholders_of_content_controls_are_no_statements(tmp_path):
    toc = ('<w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj>'
           '</w:sdtPr>')
    unfilled = '<w:sdtPr><w:showingPlcHdr/></w:sdtPr>'
    path = make(tmp_path / "p.docx",
                f'<w:sdt {NS}>{toc}<w:sdtContent><w:p>{r("Inhoud")}</w:p><w:p>{r("Knelpunten")}'
                f'<w:r><w:tab/></w:r>{r("3")}</w:p></w:sdtContent></w:sdt>',
                "Eerste punt van het verslag.",
                f'<w:sdt {NS}>{unfilled}<w:sdtContent><w:p>{r("Klik of tik om tekst in te voeren.")}</w:p>'
                '</w:sdtContent></w:sdt>',
                p(r("Regio: "), f'<w:sdt>{unfilled}<w:sdtContent>{r("Kies een item.")}</w:sdtContent></w:sdt>'),
                f'<w:sdt {NS}><w:sdtPr/><w:sdtContent><w:p>{r("De wachtlijst groeit.")}</w:p></w:sdtContent>'
                '</w:sdt>')
    got, _ = read(path)
    # the table of contents is not counted (as before); the placeholder paragraph is, as an empty one
    assert got == [(1, "Eerste punt van het verslag."), (3, "Regio:"), (4, "De wachtlijst groeit.")]

def fld(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def instr(code: str) -> str:
    return f'<w:r><w:instrText xml:space="preserve">{code}</w:instrText></w:r>'


def test_fields_give_their_shown_result_never_their_code(tmp_path):
    path = make(tmp_path / "f.docx",
                p(r("Sinds "), f'<w:fldSimple w:instr=" DATE \\@ &quot;d MMMM yyyy&quot; ">{r("1 maart 2026")}'
                  '</w:fldSimple>', r(" is er een zorgcoördinator in Venlo.")),
                # IF { MERGEFIELD regio } = "Venlo" "..." "...": the inner field's result is part of the
                # outer field's code, which Word does not show
                p(r("De regio "), fld("begin"), instr(" IF "), fld("begin"), instr(" MERGEFIELD regio "),
                  fld("separate"), r("Venlo"), fld("end"), instr(' = "Venlo" "heeft" "mist" '), fld("separate"),
                  r("heeft"), fld("end"), r(" een zorgcoördinator.")))
    got, _ = read(path)
    assert got == [(1, "Sinds 1 maart 2026 is er een zorgcoördinator in Venlo."),
                   (2, "De regio heeft een zorgcoördinator.")]


def test_smart_tags_and_custom_xml_around_runs_are_read(tmp_path):
    path = make(tmp_path / "t.docx",
                p(f'<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place">{r("Venlo")}'
                  '</w:smartTag>', r(" heeft een zorgcoördinator.")),
                p(r("Melden kan bij "), f'<w:customXml w:element="organisatie">{r("CoMensha")}</w:customXml>',
                  r(" en de politie.")))
    got, _ = read(path)
    assert got == [(1, "Venlo heeft een zorgcoördinator."), (2, "Melden kan bij CoMensha en de politie.")]


def drawing_box(text: str) -> str:
    """A text box as Word writes it: DrawingML (mc:Choice) with a VML copy of the same text (mc:Fallback)."""
    inner = f'<w:txbxContent><w:p>{r(text)}</w:p></w:txbxContent>'
    return ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic>'
            '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f'<wps:wsp><wps:txbx>{inner}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
            f'</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{inner}</v:textbox></v:shape></w:pict>'
            '</mc:Fallback></mc:AlternateContent></w:r>')


def test_text_boxes_are_read_once_after_the_paragraph_that_anchors_them(tmp_path):
    vml = ('<w:r><w:pict><v:shape><v:textbox><w:txbxContent>'
           f'<w:p>{r("Tweede kader, eerste zin.")}</w:p><w:p/><w:p>{r("Tweede kader, laatste zin.")}</w:p>'
           '</w:txbxContent></v:textbox></v:shape></w:pict></w:r>')
    path = make(tmp_path / "k.docx",
                "Slachtoffers wachten te lang op opvang.",
                p(r("De NLA controleert vaker."), drawing_box("In het kader: de NLA vindt vaker uitbuiting.")),
                p(vml),
                "Laatste punt van het verslag.")
    got, warnings = read(path)
    assert got == [(1, "Slachtoffers wachten te lang op opvang."),
                   (2, "De NLA controleert vaker."),
                   ("text box 1 paragraph 1", "In het kader: de NLA vindt vaker uitbuiting."),
                   ("text box 2 paragraph 1", "Tweede kader, eerste zin."),
                   ("text box 2 paragraph 3", "Tweede kader, laatste zin."),
                   (4, "Laatste punt van het verslag.")]
    assert warnings == []


def test_comments_and_footnotes_are_counted_in_a_warning(tmp_path):
    path = make(tmp_path / "c.docx",
                p('<w:commentRangeStart w:id="0"/>', r("Slachtoffers wachten te lang op opvang."),
                  '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'),
                p(r("De wachtlijst groeit."), '<w:r><w:footnoteReference w:id="1"/></w:r>'))
    got, warnings = read(path)
    assert got == [(1, "Slachtoffers wachten te lang op opvang."), (2, "De wachtlijst groeit.")]
    assert warnings == ["2 footnote(s) and comment(s) are not read"]


def test_an_ordinary_document_warns_of_nothing_and_keeps_its_numbers(tmp_path):
    d = docx.Document()
    d.add_heading("Knelpunten", 1)
    d.add_paragraph("Eerste punt.")
    d.add_paragraph("")
    d.add_paragraph("Tweede punt, met een ").add_run("vet").bold = True
    path = tmp_path / "o.docx"
    d.save(path)
    got, warnings = read(path)
    assert got == [(2, "Eerste punt."), (4, "Tweede punt, met een vet")]
    assert warnings == []


def table_of(path: Path, rows: list[list[str]]) -> Path:
    """A document of a paragraph and a table of ``rows`` (a row of one cell is merged over the table's width)."""
    d = docx.Document()
    d.add_paragraph("Boven de tabel.")
    width = max(len(row) for row in rows)
    t = d.add_table(rows=len(rows), cols=width)
    for i, row in enumerate(rows):
        if len(row) == 1:
            t.cell(i, 0).merge(t.cell(i, width - 1))
        for j, text in enumerate(row):
            t.cell(i, j).text = text
    d.save(path)
    return path


def test_the_header_row_of_a_table_read_cell_by_cell_is_no_statement(tmp_path):
    path = table_of(tmp_path / "h.docx", [["Thema", "Signaal", "Actie"],
                                          ["Opvang", "Geen plek voor mannelijke slachtoffers in Twente",
                                           "Zorgcoördinator zoekt plek buiten de regio"],
                                          ["Alle partners willen een gezamenlijk meldpunt voor signalen."]])
    got, _ = read(path)
    # "Opvang" labels its row (QA 44b, 45c): the heading of the row's cells, no statement; the merged row is text
    assert got == [(1, "Boven de tabel."),
                   ("table 1 row 2 cell 2", "Geen plek voor mannelijke slachtoffers in Twente"),
                   ("table 1 row 2 cell 3", "Zorgcoördinator zoekt plek buiten de regio"),
                   ("table 1 row 3", "Alle partners willen een gezamenlijk meldpunt voor signalen.")]


def test_a_table_of_short_cells_only_keeps_its_first_row(tmp_path):
    path = table_of(tmp_path / "k.docx", [["Opvang", "Zorg"], ["Politie", "Gemeente"]])
    got, _ = read(path)
    assert [text for _pos, text in got] == ["Boven de tabel.", "Opvang", "Zorg", "Politie", "Gemeente"]


def test_a_tracked_insertion_in_a_table_cell_is_read(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "Jan (NLA)"
    cell = t.cell(0, 1)._tc  # noqa: SLF001
    cell.remove(cell.p_lst[0])
    cell.append(parse_xml(p(r("We hebben "), f'<w:ins w:id="1" w:author="A">{r("te weinig")}</w:ins>',
                            r(" inspecteurs voor de controles in de regio."))))
    path = tmp_path / "t.docx"
    d.save(path)
    got, _ = read(path)
    assert got == [("table 1 row 1", "We hebben te weinig inspecteurs voor de controles in de regio.")]


def test_a_table_inside_a_table_cell_is_read_with_the_cell(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "Jan (NLA)"
    cell = t.cell(0, 1)
    cell.paragraphs[0].text = "Wat we zien in de regio:"
    inner = cell.add_table(rows=2, cols=1)
    inner.cell(0, 0).text, inner.cell(1, 0).text = "Meer uitbuiting in distributiecentra.", "Minder meldingen."
    path = tmp_path / "n.docx"
    d.save(path)
    got, _ = read(path)
    assert got == [("table 1 row 1",
                    "Wat we zien in de regio: Meer uitbuiting in distributiecentra. Minder meldingen.")]


def test_table_rows_inside_a_content_control_are_read(tmp_path):
    def row(*cells: str) -> str:
        return "<w:tr>" + "".join(f"<w:tc><w:p>{r(c)}</w:p></w:tc>" for c in cells) + "</w:tr>"

    # a template's repeating section: the rows of the table inside one content control
    path = make(tmp_path / "r.docx",
                "Boven de tabel.",
                f'<w:tbl {NS}><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>{row("Spreker", "Uitspraak")}'
                f'<w:sdt><w:sdtPr><w:alias w:val="Inbreng"/></w:sdtPr><w:sdtContent>'
                f'{row("Jan (NLA)", "We zien meer uitbuiting in distributiecentra.")}'
                f'{row("Els", "Gegevens delen loopt vast op de AVG.")}</w:sdtContent></w:sdt></w:tbl>')
    warnings: list[str] = []
    got = [(s.position, s.text, s.extra["speaker"]) for s in read_statements(path, warn=warnings.append)]
    assert got == [(1, "Boven de tabel.", ""),
                   ("table 1 row 2", "We zien meer uitbuiting in distributiecentra.", "Jan (NLA)"),
                   ("table 1 row 3", "Gegevens delen loopt vast op de AVG.", "Els")]
    assert warnings == []


def test_a_first_row_of_data_is_read_and_a_first_row_taken_for_names_is_said(tmp_path):
    """QA 44b N16: a two-column table without a header ("Opvang | Te weinig plekken voor mannen", …) lost its first
    row without a word, taken for the columns' names. Column names have three words at most; a first row left out
    as names, told from its shape alone, is said in a warning (a row of data such as "RIEC | Casustafel | Loopt
    goed" cannot be told from one)."""
    path = table_of(tmp_path / "zonder.docx", [["Opvang", "Te weinig plekken voor mannen"],
                                               ["Zorgcoördinatie", "Geen vervanger bij ziekte in Venlo"],
                                               ["Politie", "Signalen worden pas na weken opgepakt door de AVIM"]])
    got, warnings = read(path)
    assert "Te weinig plekken voor mannen" in [text for _pos, text in got] and warnings == []
    _got, warnings = read(table_of(tmp_path / "kop.docx", [["Thema", "Signaal", "Actie"],
                                                           ["Opvang", "Geen plek voor mannen in Twente",
                                                            "Zorgcoördinator zoekt plek buiten de regio"]]))
    assert warnings == ["table 1: its first row (Thema | Signaal | Actie) is read as the columns' names, not as "
                        "statements"]


def test_the_entries_of_a_table_of_contents_are_no_statements(tmp_path):
    """QA 44b N7: a table of contents that Word made as a field (not in a content control) was read as statements,
    "Knelpunten in de opvang 2". Its entries have Word's TOC styles ("toc 1", "Inhopg 1" in Dutch Word)."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    d = docx.Document()
    for name in ("toc 1", "Inhopg 2"):  # python-docx's template has "TOC Heading" already
        d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("Inhoudsopgave", style="TOC Heading")
    d.add_paragraph("Knelpunten in de opvang\t2", style="toc 1")
    d.add_paragraph("Wat gaat goed\t3", style="Inhopg 2")
    d.add_paragraph("Knelpunten in de opvang", style="Heading 1")
    d.add_paragraph("Er zijn te weinig opvangplekken voor mannen.")
    path = tmp_path / "inhoud.docx"
    d.save(path)
    got, _ = read(path)
    assert [text for _pos, text in got] == ["Er zijn te weinig opvangplekken voor mannen."]


def test_a_table_of_contents_field_in_plain_styles_is_no_statement(tmp_path):
    """QA 44b (left over in stop 44): a table of contents made as a field whose entries have plain paragraph styles
    was read as statements. The entries stand between the TOC field's begin and its end, paragraphs later; in Word's
    own entries each also links to a heading's ``_Toc`` bookmark. A field of another kind (a date, a page number)
    leaves its paragraph a statement."""
    code = '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r>'
    entry = '<w:hyperlink w:anchor="_Toc1234{n}">' + r("{title}") + '<w:r><w:tab/></w:r>' + r("{page}") + '</w:hyperlink>'
    path = make(tmp_path / "inhoud.docx",
                "Inhoudsopgave",
                p(fld("begin"), code, fld("separate"), entry.format(n=1, title="Knelpunten in de opvang", page=2)),
                p(r("Wat gaat goed in de keten"), '<w:r><w:tab/></w:r>', r("3")),  # no link: inside the field still
                p(r("Ambities voor 2030"), '<w:r><w:tab/></w:r>', r("4"), fld("end")),
                "Er zijn te weinig opvangplekken voor mannen.",
                p(r("Een plaatsing vraagt nu "), fld("begin"),
                  '<w:r><w:instrText xml:space="preserve"> NUMPAGES </w:instrText></w:r>', fld("separate"), r("12"),
                  fld("end"), r(" telefoontjes van de zorgcoördinator.")),
                p(entry.format(n=9, title="Los item uit een inhoudsopgave", page=7)))
    got, _ = read(path)
    assert [text for _pos, text in got] == [
        "Inhoudsopgave", "Er zijn te weinig opvangplekken voor mannen.",
        "Een plaatsing vraagt nu 12 telefoontjes van de zorgcoördinator."]


def test_a_rows_label_is_the_heading_of_its_cells_and_no_statement(tmp_path):
    """QA 44b: in | Thema | Signaal | Actie | with rows | Opvang | Te weinig plekken voor mannen | … |, the row's
    label "Opvang" was labelled as a statement. It is the heading of the row's cells now (below the heading above
    the table), and a label that names a chapter is their heading on its own, the evidence for their stance."""
    d = docx.Document()
    d.add_paragraph("Signalen regio Twente", style="Heading 1")
    rows = [["Thema", "Signaal", "Actie"],
            ["Opvang", "Te weinig plekken voor mannen", "Gemeente zoekt locatie"],
            ["Zorgcoördinatie", "Geen vervanger bij ziekte", "Regio overlegt"],
            ["Wat gaat goed", "De casustafel met het RIEC loopt", ""]]
    t = d.add_table(rows=len(rows), cols=3)
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            t.cell(i, j).text = text
    d.save(tmp_path / "twente.docx")
    warnings: list[str] = []
    got = [(st.text, st.extra["heading"]) for st in read_statements(tmp_path / "twente.docx", warn=warnings.append)]
    assert got == [("Te weinig plekken voor mannen", "Signalen regio Twente – Opvang"),
                   ("Gemeente zoekt locatie", "Signalen regio Twente – Opvang"),
                   ("Geen vervanger bij ziekte", "Signalen regio Twente – Zorgcoördinatie"),
                   ("Regio overlegt", "Signalen regio Twente – Zorgcoördinatie"),
                   ("De casustafel met het RIEC loopt", "Wat gaat goed")]
    assert warnings == ["table 1: its first row (Thema | Signaal | Actie) is read as the columns' names, not as "
                        "statements"]
    # fragments of one or two words beside fragments of the same length are the table's data, not labels
    path = table_of(tmp_path / "kort.docx", [["Wachtlijsten", "Meer plekken"], ["Geen tolk", "Tolk regelen"]])
    assert [text for _pos, text in read(path)[0]] == ["Boven de tabel.", "Wachtlijsten", "Meer plekken",
                                                      "Geen tolk", "Tolk regelen"]


def test_a_speaker_column_that_names_chapters_gives_headings(tmp_path):
    """| Knelpunten | a long statement |: read as speaker + statement, the "speaker" named a chapter; it is the
    statement's heading instead, and so evidence for its chapter."""
    path = table_of(tmp_path / "hoofdstukken.docx", [
        ["Knelpunten", "Er zijn in de regio veel te weinig opvangplekken voor mannelijke slachtoffers."],
        ["Ambities", "Elke gemeente heeft in 2028 een zorgcoördinator mensenhandel met genoeg uren."]])
    got = [(st.text[:12], st.extra["heading"], st.extra["speaker"]) for st in read_statements(path)]
    assert got == [("Boven de tab", "", ""), ("Er zijn in d", "Knelpunten", ""), ("Elke gemeent", "Ambities", "")]


def test_column_names_of_four_words_are_a_header(tmp_path):
    """QA 44c R5: "Wat gaat er mis | Wat gaat er goed" (four words each) was read as statements after the header rule
    allowed three words at most."""
    path = table_of(tmp_path / "vier.docx", [["Wat gaat er mis", "Wat gaat er goed"],
                                             ["Te weinig opvang voor mannen in de regio Twente.",
                                              "De zorgcoördinator weet de partners goed te vinden."]])
    got, _ = read(path)
    assert [text for _pos, text in got] == ["Boven de tabel.", "Te weinig opvang voor mannen in de regio Twente.",
                                            "De zorgcoördinator weet de partners goed te vinden."]


def item(text: str, level: int) -> str:
    """A list item of Word's own numbering (``List Paragraph`` with ``w:numPr``) at ``level`` (0: the top)."""
    return p('<w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="%d"/><w:numId w:val="1"/></w:numPr>'
             '</w:pPr>' % level, r(text))


def headed(path: Path) -> list[tuple[str, str]]:
    """The statements with their headings (a heading nothing stands under is a meta row: left out here)."""
    return [(st.text, st.extra["heading"]) for st in read_statements(path) if st.kind != "meta"]


def test_a_list_item_naming_a_chapter_with_items_below_it_is_their_heading_until_its_next_sibling(tmp_path):
    """QA 45b F12: of the numbered items Knelpunten in de keten, Wat goed gaat, Ambities voor 2027 (each with items
    one level deeper) only Wat goed gaat, a chapter's name and nothing more, was a heading, so it was the heading of
    the ambitions and of the text after the list. Made with Word's list styles (List Number, List Number 2), as
    python-docx writes them."""
    d = docx.Document()
    d.add_paragraph("Verslag werksessie", style="Heading 1")
    d.add_paragraph("Signalen uit de praktijk", style="List Number")
    d.add_paragraph("De NLA ziet meer uitbuiting in wasserijen.", style="List Number 2")
    d.add_paragraph("Knelpunten in de keten", style="List Number")
    d.add_paragraph("De zorgcoördinator in onze regio is overbelast.", style="List Number 2")
    d.add_paragraph("Wat goed gaat", style="List Number")
    d.add_paragraph("De samenwerking met Veilig Thuis loopt goed.", style="List Number 2")
    d.add_paragraph("Ambities voor 2027", style="List Number")
    d.add_paragraph("Elke regio een zorgcoördinator met voldoende capaciteit.", style="List Number 2")
    d.add_paragraph("", style="List Number 2")
    d.add_paragraph("Uitzendbureaus verplicht certificeren.", style="List Number 2")
    d.add_paragraph("Volgens de Nationaal Rapporteur zijn er jaarlijks duizenden slachtoffers.")
    d.add_paragraph("Problemen met huisvesting")  # a plain paragraph: a statement, as the guide says
    d.save(tmp_path / "lijst.docx")
    assert headed(tmp_path / "lijst.docx") == [
        ("Signalen uit de praktijk", "Verslag werksessie"),
        ("De NLA ziet meer uitbuiting in wasserijen.", "Verslag werksessie"),
        ("De zorgcoördinator in onze regio is overbelast.", "Knelpunten in de keten"),
        ("De samenwerking met Veilig Thuis loopt goed.", "Wat goed gaat"),
        ("Elke regio een zorgcoördinator met voldoende capaciteit.", "Ambities voor 2027"),
        ("Uitzendbureaus verplicht certificeren.", "Ambities voor 2027"),
        ("Volgens de Nationaal Rapporteur zijn er jaarlijks duizenden slachtoffers.", "Verslag werksessie"),
        ("Problemen met huisvesting", "Verslag werksessie")]


def test_a_list_items_heading_ends_at_a_sibling_that_is_no_heading(tmp_path):
    """QA 45b F12, in Word's own numbering (w:ilvl): an item that is only a chapter's name is a heading as before,
    but a sibling item that is no heading ends it; a labelled point (Knelpunt: …) with items below stays a point; a
    nested heading item ends with its own siblings, its parent's with the parent's."""
    path = make(tmp_path / "lijst.docx",
                '<w:p %s><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>%s</w:p>' % (NS, r("Rondetafel")),
                item("Wat goed gaat", 0),
                item("Te weinig opvang voor mannen.", 0),
                item("Knelpunten", 0),
                item("Problemen met huisvesting", 1),
                item("Arbeidsmigranten wonen in stacaravans.", 2),
                item("Te weinig tolken.", 1),
                item("Knelpunt: wachtlijsten bij de zorgcoördinator", 0),
                item("Drie maanden wachten op een plek.", 1),
                "Tot slot: de volgende bijeenkomst is in mei.")
    assert headed(path) == [
        ("Te weinig opvang voor mannen.", "Rondetafel"),
        ("Arbeidsmigranten wonen in stacaravans.", "Problemen met huisvesting"),
        ("Te weinig tolken.", "Knelpunten"),
        ("Knelpunt: wachtlijsten bij de zorgcoördinator", "Rondetafel"),
        ("Drie maanden wachten op een plek.", "Rondetafel"),
        ("Tot slot: de volgende bijeenkomst is in mei.", "Rondetafel")]


def test_a_chapters_name_typed_as_a_numbered_item_over_plain_paragraphs_stays_their_heading(tmp_path):
    """QA 45b F12's rule ends an item's heading at the text after the list only for an item over deeper items: a
    chapter title typed as a numbered item (1. Knelpunten) heads the plain paragraphs below it, as before."""
    path = make(tmp_path / "titels.docx",
                item("Knelpunten", 0),
                "Er zijn te weinig opvangplekken voor mannen.",
                "De zorgcoördinator is overbelast.",
                item("Ambities", 0),
                "Elke regio een zorgcoördinator.")
    assert headed(path) == [("Er zijn te weinig opvangplekken voor mannen.", "Knelpunten"),
                            ("De zorgcoördinator is overbelast.", "Knelpunten"),
                            ("Elke regio een zorgcoördinator.", "Ambities")]


def test_a_column_named_after_a_chapter_heads_its_cells_and_the_rows_speaker_said_them_all(tmp_path):
    """QA 45b F11 (a PDF's table, here in Word): | Organisatie | Knelpunt | Voorstel |: each cell of the Knelpunt
    column is a problem, of the Voorstel column an ambition; the column's name is their heading (the evidence for
    their chapter), and the organisation of the row said both. Before, the proposals stood under no chapter and the
    model read "We willen dat er in elke regio een zorgcoördinator is" as what goes well."""
    path = table_of(tmp_path / "t.docx", [
        ["Organisatie", "Knelpunt", "Voorstel"],
        ["NLA", "Van de meldingen leidt maar een handvol tot een onderzoek.", "Uitzendbureaus moeten gecertificeerd worden."],
        ["CoMensha", "De zorgcoördinator is overbelast.", "We willen dat er in elke regio een zorgcoördinator is."]])
    got = sorted((s.position, s.text, s.extra["heading"], s.extra["speaker"]) for s in read_statements(path)
                 if s.position != 1)
    assert got == [  # the longer cells' column is the text column ("row 2"), the other is read cell by cell
        ("table 1 row 2", "Uitzendbureaus moeten gecertificeerd worden.", "Voorstel", "NLA"),
        ("table 1 row 2 cell 2", "Van de meldingen leidt maar een handvol tot een onderzoek.", "Knelpunt", "NLA"),
        ("table 1 row 3", "We willen dat er in elke regio een zorgcoördinator is.", "Voorstel", "CoMensha"),
        ("table 1 row 3 cell 2", "De zorgcoördinator is overbelast.", "Knelpunt", "CoMensha")]
    # a row's label (a topic) follows the column's chapter; a column named otherwise keeps the heading of its row
    path = table_of(tmp_path / "l.docx", [
        ["Thema", "Knelpunt", "Actie"],
        ["Opvang", "Geen plek voor mannelijke slachtoffers in Twente.", "Zorgcoördinator zoekt een plek in de regio."]])
    got = [(s.text, s.extra["heading"]) for s in read_statements(path)][1:]
    assert got == [("Geen plek voor mannelijke slachtoffers in Twente.", "Knelpunt – Opvang"),
                   ("Zorgcoördinator zoekt een plek in de regio.", "Opvang")]


def test_a_heading_nothing_stands_under_is_a_meta_row_as_in_a_text_note(tmp_path):
    """QA 48b D3 / 48c: in .txt, .md and .pdf a heading with nothing under it before the next heading is a meta row;
    in .docx it left no row at all. Now alike: no line is lost, and the statements keep their headings."""
    d = docx.Document()
    d.add_paragraph("Verslag rondetafel", style="Heading 1")
    d.add_paragraph("Knelpunten", style="Heading 2")
    d.add_paragraph("Te weinig opvang voor mannen.")
    d.add_paragraph("Signalen", style="Heading 2")  # nothing under it
    d.add_paragraph("Ambities", style="Heading 2")
    d.add_paragraph("Elke regio een zorgcoördinator.")
    d.add_paragraph("Vervolg", style="Heading 2")  # nothing under it, at the end
    d.save(tmp_path / "verslag.docx")
    got = [(s.position, s.text, s.kind, s.extra["heading"]) for s in read_statements(tmp_path / "verslag.docx")]
    assert got == [(1, "Verslag rondetafel", "meta", ""),
                   (3, "Te weinig opvang voor mannen.", "statement", "Knelpunten"),
                   (4, "Signalen", "meta", "Knelpunten"),
                   (6, "Elke regio een zorgcoördinator.", "statement", "Ambities"),
                   (7, "Vervolg", "meta", "Ambities")]
    txt = tmp_path / "verslag.md"  # the same note in Markdown: the same rows
    txt.write_text("# Verslag rondetafel\n\n## Knelpunten\n\nTe weinig opvang voor mannen.\n\n## Signalen\n\n"
                   "## Ambities\n\nElke regio een zorgcoördinator.\n\n## Vervolg\n", encoding="utf-8")
    assert [(s.text, s.kind) for s in read_statements(txt)] == [(t, k) for _p, t, k, _h in got]


def test_an_attendee_list_in_paragraphs_or_list_items_is_meta_and_pseudonymised(tmp_path):
    """QA 53a D2: under a paragraph 'Aanwezig:', the names on paragraphs or list items of their own were statements
    (sent to the theme model) and kept under --pseudonymise; the same list in a .txt was meta and replaced."""
    from mh_nlp.io.privacy import Pseudonymiser

    d = docx.Document()
    for text, style in (("Aanwezig:", None), ("Ionuț Popescu – FNV", None), ("Tesfaye Gebremedhin", None),
                        ("Afwezig:", None), ("Chidi Okafor", "List Bullet"), ("Zhang Wei", "List Number"),
                        ("Chidi Okafor zegt dat de opvang vol is.", None)):
        d.add_paragraph(text, style=style)
    d.save(tmp_path / "lijst.docx")
    statements = list(read_statements(tmp_path / "lijst.docx"))
    assert [s.kind for s in statements] == ["meta"] * 6 + ["statement"]
    p = Pseudonymiser()
    for st in statements:
        p.learn(st)
    text = " ".join(p.apply(st).text for st in statements)
    for name in ("Popescu", "Tesfaye", "Okafor", "Zhang"):
        assert name not in text, text
    assert "– FNV" in text and text.endswith("zegt dat de opvang vol is.")
