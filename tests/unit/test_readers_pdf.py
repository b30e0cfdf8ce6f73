"""PDF notes: text read page by page as a text note is; page numbers and running headers left out; damaged,
password-protected, scanned and hostile files get one line, never a traceback."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mh_nlp.io.readers import ReadError, extra_fields, read_statements

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pdf_samples import bomb_stream, form_pdf, pdf, placed, shared_pdf  # noqa: E402

PAGES = [
    ["Verslag rondetafel Utrecht, 12 maart 2026", "Knelpunten",
     "Zorgcoördinatoren hebben te weinig uren om alle slachtoffers goed te",
     "begeleiden in de regio.", "Er is geen aanmeldproces voor de opvang van mensen-",
     "handel slachtoffers.", "Pagina 1 van 3"],
    ["Verslag rondetafel Utrecht, 12 maart 2026", "Jan (NLA): we zien meer uitbuiting in distributiecentra.",
     "Pagina 2 van 3"],
    ["Verslag rondetafel Utrecht, 12 maart 2026", "Ambities", "• Elke regio een zorgcoördinator.",
     "• Meer controles bij uitzendbureaus.", "Pagina 3 van 3"],
]


# the 3 running headers and 3 page numbers of PAGES: left out, and counted
HEADERS_LEFT_OUT = ("6 page number and running header or footer line(s) left out "
                    "(such as 'Verslag rondetafel Utrecht, 12 maart 2026')")


def test_pdf_pages_read_as_a_note(tmp_path):
    warnings: list[str] = []
    got = list(read_statements(pdf(tmp_path / "verslag.pdf", PAGES), warn=warnings.append))
    assert warnings == [HEADERS_LEFT_OUT]
    assert [(s.position, s.text, s.extra["heading"], s.extra["speaker"]) for s in got] == [
        ("page 1", "Zorgcoördinatoren hebben te weinig uren om alle slachtoffers goed te begeleiden in de regio.",
         "Knelpunten", ""),
        ("page 1", "Er is geen aanmeldproces voor de opvang van mensenhandel slachtoffers.", "Knelpunten", ""),
        ("page 2", "we zien meer uitbuiting in distributiecentra.", "Knelpunten", "Jan (NLA)"),
        ("page 3", "Elke regio een zorgcoördinator.", "Ambities", ""),
        ("page 3", "Meer controles bij uitzendbureaus.", "Ambities", "")]
    assert extra_fields(tmp_path / "verslag.pdf") == ["heading", "speaker"]


def test_a_header_on_fewer_than_three_pages_stays(tmp_path):
    got = [s.text for s in read_statements(pdf(tmp_path / "kort.pdf", PAGES[:2]))]
    assert got[0] == "Verslag rondetafel Utrecht, 12 maart 2026" and "Pagina 1 van 3" not in got


def test_lines_that_repeat_in_the_text_are_no_running_header(tmp_path):
    """Only a line that stands on its own at the top or bottom of a page can be a running header or footer: not a
    paragraph's line that happens to repeat, nor a transcript's speaker line (its time aside, the same on every
    page)."""
    pages = [[f"Spreker {1 + i % 2} 00:0{i}:05", f"Punt {i}: de NLA ziet dat uitzendbureaus in de regio",
              "steeds vaker werken met onderaannemers.", "Spreker 3 00:09:00", "Dat herken ik.",
              f"Punt {i}: de NLA ziet dat uitzendbureaus in de regio", "steeds vaker werken met onderaannemers."]
             for i in range(4)]
    got = list(read_statements(pdf(tmp_path / "transcript.pdf", pages)))
    assert len(got) == 12
    assert [s.extra["speaker"] for s in got[:3]] == ["Spreker 1", "Spreker 3", "Spreker 3"]
    assert got[0].text == "Punt 0: de NLA ziet dat uitzendbureaus in de regio steeds vaker werken met onderaannemers."


HEADER = ["Regio Oost-Brabant | Rapportage aanpak mensenhandel 2026", "Concept - niet verspreiden"]
BODY = [["Ontwikkelingen", "Gemeenten maken steeds meer werk van het aanpakken van de verschillende",
         "vormen van mensenhandel.", "Knelpunten", "Slachtoffers vallen soms buiten de boot omdat er geen",
         "sluitend beleid is voor hun opvang."],
        ["De zorg- en veiligheidsketen weet elkaar nog niet goed te vinden bij het signaleren",
         "van mogelijke slachtoffers.", "Ambities", "Elke gemeente heeft een duidelijk beleid."],
        ["Alle slachtoffers worden zo snel mogelijk naar de juiste hulp geleid."]]
BODY_READ = ["Gemeenten maken steeds meer werk van het aanpakken van de verschillende vormen van mensenhandel.",
             "Slachtoffers vallen soms buiten de boot omdat er geen sluitend beleid is voor hun opvang.",
             "De zorg- en veiligheidsketen weet elkaar nog niet goed te vinden bij het signaleren van mogelijke "
             "slachtoffers.", "Elke gemeente heeft een duidelijk beleid.",
             "Alle slachtoffers worden zo snel mogelijk naar de juiste hulp geleid."]


def test_a_page_number_below_the_header_lines_is_left_out(tmp_path):
    """Three header lines at the top of each page, the page number the third: 'Pagina 1 van 3' was a statement on
    every page (QA 44a D3a); page numbers are left out wherever they stand among the page's first or last lines."""
    pages = [HEADER + [f"Pagina {i + 1} van 3"] + body for i, body in enumerate(BODY)]
    warnings: list[str] = []
    assert [s.text for s in read_statements(pdf(tmp_path / "kop.pdf", pages), warn=warnings.append)] == BODY_READ
    assert warnings == ["9 page number and running header or footer line(s) left out "
                        "(such as 'Regio Oost-Brabant | Rapportage aanpak mensenhandel 2026')"]


def test_a_running_header_stored_after_the_pages_text_is_left_out(tmp_path):
    """A PDF writer that stores the header and footer after the page's text (drawn at the top and the bottom): the
    running header was a statement on every page (QA 44a D3b)."""
    pages = [body + HEADER + [f"Pagina {i + 1} van 3"] for i, body in enumerate(BODY)]
    streams = {i: placed([(770 - 14 * j, line) for j, line in enumerate(body)] + [(810, HEADER[0]), (40, HEADER[1]),
                                                                                   (26, f"Pagina {i + 1} van 3")])
               for i, body in enumerate(BODY)}
    warnings: list[str] = []
    got = [s.text for s in read_statements(pdf(tmp_path / "achteraan.pdf", pages, streams), warn=warnings.append)]
    assert got == BODY_READ and warnings[0].startswith("9 page number and running header or footer line(s) left out")


SPLIT = "wordt ingehouden voor huur en vervoer en dat zij soms wekenlang zonder loon in"
VENLO = "Gemeente Venlo - Verslag ketenoverleg arbeidsuitbuiting"


@pytest.mark.parametrize("n", [3, 2])
def test_a_paragraph_over_a_page_break_is_rejoined_without_the_running_header(tmp_path, n):
    """The header stored at the bottom of the page's text, above the page number: it was spliced into the sentence
    that runs over the page break (QA 44a D3c); on two pages a line beside the page number on both is a header."""
    rest = "een wachtwoning moeten blijven."
    pages = [([] if i == 1 else [rest]) + [f"Punt {i}. Arbeidsmigranten zien dat hun loon", SPLIT, VENLO, str(i)]
             for i in range(1, n)] + [[rest, VENLO, str(n)]]
    got = [(s.position, s.text) for s in read_statements(pdf(tmp_path / "venlo.pdf", pages))]
    assert got == [(f"page {i}", f"Punt {i}. Arbeidsmigranten zien dat hun loon {SPLIT} {rest}") for i in range(1, n)]


def test_damaged_scanned_and_protected_pdfs_get_one_line(tmp_path):
    (tmp_path / "kapot.pdf").write_bytes(b"%PDF-1.7\n dit is geen pdf")
    with pytest.raises(ReadError, match="not a valid .pdf file"):
        list(read_statements(tmp_path / "kapot.pdf"))
    with pytest.raises(ReadError, match="scanned PDF"):
        list(read_statements(pdf(tmp_path / "scan.pdf", [[], []])))
    pypdf = pytest.importorskip("pypdf")
    for algorithm in ("RC4-128", "AES-256"):
        writer = pypdf.PdfWriter(clone_from=str(pdf(tmp_path / "open.pdf", PAGES)))
        writer.encrypt("geheim", algorithm=algorithm)
        writer.write(tmp_path / "geheim.pdf")
        with pytest.raises(ReadError, match="protected by a password"):
            list(read_statements(tmp_path / "geheim.pdf"))


def test_a_pdf_that_only_restricts_editing_is_read(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    for algorithm in ("RC4-128", "AES-256"):  # AES needs pypdf's crypto extra (cryptography), a dependency
        writer = pypdf.PdfWriter(clone_from=str(pdf(tmp_path / "open.pdf", PAGES)))
        writer.encrypt(user_password="", owner_password="eigenaar", algorithm=algorithm)
        writer.write(tmp_path / "beperkt.pdf")
        assert len(list(read_statements(tmp_path / "beperkt.pdf"))) == 5


def test_pages_without_text_or_that_cannot_be_read_are_counted_in_a_warning(tmp_path, monkeypatch):
    pypdf = pytest.importorskip("pypdf")
    path = pdf(tmp_path / "kapot.pdf", PAGES + PAGES[1:2], streams={1: b"geen zlib-stroom"})  # pypdf reads nothing
    warnings: list[str] = []
    got = [s.position for s in read_statements(path, warn=warnings.append)]
    assert got == ["page 1", "page 1", "page 3", "page 3", "page 4"]
    assert warnings == ["1 page(s) hold no text (page 2): a scanned page is an image of text (OCR reads it)",
                        HEADERS_LEFT_OUT]
    real = pypdf.PageObject.extract_text

    def fails_on_ambities(page, *a, **kw):
        text = real(page, *a, **kw)
        if "Ambities" in text:
            raise ValueError("a damaged page")
        return text

    monkeypatch.setattr(pypdf.PageObject, "extract_text", fails_on_ambities)
    warnings.clear()
    got = [s.position for s in read_statements(pdf(tmp_path / "b.pdf", PAGES + PAGES[1:2]), warn=warnings.append)]
    assert got == ["page 1", "page 1", "page 2", "page 4"]
    assert warnings == ["1 page(s) cannot be read and are skipped (page 3; ValueError)", HEADERS_LEFT_OUT]


def test_a_page_that_unpacks_to_a_bomb_refuses_the_file(tmp_path):
    from mh_nlp.io import safezip

    path = pdf(tmp_path / "bom.pdf", PAGES, streams={1: bomb_stream(200)})
    assert path.stat().st_size < 1_000_000  # 200 MB of content in a few hundred KB
    limit = r"page 2 unpacks to more than 10 MB \(limit 10 MB a stream, a fifth of 50 MB\); raise the limit"
    with pytest.raises(ReadError, match=limit):
        list(read_statements(path))
    with safezip.limits(max_unpacked_mb=1500):  # trusted: read with a higher limit
        assert [s.position for s in read_statements(path)][-1] == "page 3"


TEXT = b"BT /F1 12 Tf 72 720 Td (Er is te weinig opvang voor slachtoffers van mensenhandel.) Tj ET "


def _parsed(monkeypatch) -> list[int]:
    """The sizes of the content streams pypdf builds to parse (0 for one emptied past the limit)."""
    from pypdf.generic import ContentStream

    from mh_nlp.io import readers

    getattr(readers, "_count_pdf_content", lambda: None)()  # (the reader's count first: it empties a stream past
    # the limit)
    sizes: list[int] = []
    built = ContentStream.__init__

    def counting(self, stream, pdf, forced_encoding=None):
        built(self, stream, pdf, forced_encoding)
        sizes.append(len(self.get_data() or b""))

    monkeypatch.setattr(ContentStream, "__init__", counting)
    return sizes


def test_pages_that_share_one_stream_count_it_for_each_page_and_are_refused_before_any_is_parsed(tmp_path,
                                                                                                  monkeypatch):
    """QA 49b D1: 2,000 pages drawing one 9 MB stream (each page under the limit a stream, 323 KB on disk) held the
    screen for 28 minutes: the stream was parsed again for each page, and nothing limited the whole PDF. The pages'
    content together may unpack to --max-unpacked-mb (a stream counted each time a page reads it), summed before any
    page is parsed. Here with a limit of 1 MB: a stream of 150 KB (under the 0.2 MB a stream) shared by 100 pages."""
    from mh_nlp.io import safezip

    path = shared_pdf(tmp_path / "gedeeld.pdf", 100, TEXT + b" " * 150_000)
    assert path.stat().st_size < 20_000  # 15 MB of content
    parsed = _parsed(monkeypatch)
    with safezip.limits(max_unpacked_mb=1), pytest.raises(ReadError) as err:
        list(read_statements(path))
    assert str(err.value) == ("its pages unpack to more than 1 MB of content together (by page 7; limit "
                              "--max-unpacked-mb, 1 MB: a stream that pages share counts for each page that draws it); "
                              "raise the limit with --max-unpacked-mb if the file is trusted")
    assert parsed == []  # refused before a page was parsed
    with safezip.limits(max_unpacked_mb=20), pytest.raises(ReadError, match="no text found"):  # trusted: read
        list(read_statements(path))  # (its one line on every page is a running header: no text is left)
    assert len(parsed) == 100  # each page parses it (pypdf unpacks it once)


def test_a_form_drawn_again_and_again_counts_each_time_and_stops_the_parsing_there(tmp_path, monkeypatch):
    """A page's own stream may be small and draw a form (an XObject) a thousand times: every stream pypdf parses
    counts, forms too, and past the limit nothing more is parsed (pypdf reads on past an error in a form)."""
    from mh_nlp.io import safezip

    path = form_pdf(tmp_path / "formulier.pdf", 50, TEXT + b" " * 150_000)
    parsed = _parsed(monkeypatch)
    with safezip.limits(max_unpacked_mb=1), pytest.raises(ReadError, match=r"^its pages unpack to more than 1 MB of "
                                                                           r"content together \(by page 1;"):
        list(read_statements(path))
    assert sum(parsed) < 1.2 * 1024 * 1024  # not the 50 draws: stopped past the limit
    parsed.clear()
    with safezip.limits(max_unpacked_mb=10):
        assert [s.text for s in read_statements(path)][:1] == ["Er is te weinig opvang voor slachtoffers van "
                                                               "mensenhandel."]
    assert len(parsed) == 51


def test_a_sentence_that_repeats_on_every_page_with_other_numbers_is_text(tmp_path):
    """QA 44b N1: a factsheet page per municipality, "In 2025 zijn 14 / 9 / 21 / 5 signalen … gemeld." below the
    same title: with the numbers aside the sentences repeat, and they were taken off every page as a running
    header. A sentence of four words or more is text; the title stays out."""
    figures = [(14, 6, "Venlo"), (9, 2, "Venray"), (21, 11, "Roermond"), (5, 1, "Weert")]
    pages = [["Factsheet mensenhandel Limburg 2026", f"In 2025 zijn {a} signalen van mensenhandel gemeld bij de "
              "zorgcoördinator.", f"Daarvan gingen er {b} over arbeidsuitbuiting.", f"De gemeente {name} heeft een "
              "eigen aanpak.", f"Gemeente {name}", f"Pagina {i + 1} van 4"] for i, (a, b, name) in enumerate(figures)]
    got = [s.text for s in read_statements(pdf(tmp_path / "factsheet.pdf", pages))]
    for a, b, name in figures:
        assert f"In 2025 zijn {a} signalen van mensenhandel gemeld bij de zorgcoördinator." in got
        assert f"Daarvan gingen er {b} over arbeidsuitbuiting." in got
    assert not any(t.startswith(("Factsheet", "Pagina")) for t in got)


def test_a_bare_number_is_a_page_number_only_where_the_pages_count(tmp_path):
    """QA 44b N2: "31" closing a page (the figure asked for on the line above) and a numbered list's "2" at the
    bottom of page 3 were dropped as page numbers; a bare number that is its page's (or follows one numbering over
    the pages) still goes."""
    pages = [["De opvang in de regio is vol.", "Aantal slachtoffers dat in 2025 geen opvangplek kreeg:", "31"],
             ["Het RIEC brengt gemeenten samen.", "De NLA krijgt veel meldingen.", "2"],
             ["Acties voor het volgende overleg.", "1", "Een plan voor extra opvangplekken voor mannen.", "2", "3"]]
    got = [s.text for s in read_statements(pdf(tmp_path / "getallen.pdf", pages))]
    assert "31" in " ".join(got) and got.count("2") == 1 and "3" not in got  # pages 2 and 3 numbered; the list stays
    numbered = [["Tekst van pagina een is hier.", "- 3 -"], ["Tekst van pagina twee is hier.", "- 4 -"],
                ["Tekst van pagina drie is hier.", "- 5 -"]]  # a numbering that starts after a cover: 2 more
    assert [s.text for s in read_statements(pdf(tmp_path / "na_omslag.pdf", numbered))] == [
        "Tekst van pagina een is hier.", "Tekst van pagina twee is hier.", "Tekst van pagina drie is hier."]


def test_a_header_before_a_paragraph_running_over_the_page_break_leaves_and_repeated_figures_stay(tmp_path):
    """QA 44c: a header above a paragraph that runs on from the page before stayed (and was spliced into the
    sentence), a sentence-like header ("Dit document is vertrouwelijk.") was never removed, and key figures repeated at
    every page's bottom with other numbers ("• 14 signalen gemeld") were removed from every page."""
    head, foot = "Gemeente Venlo | Verslag ketenoverleg", "Dit document is vertrouwelijk."
    pages = [[head, "• 14 signalen gemeld", "De inspecteurs zien dat een arbeidsmigrant die zijn werk verliest ook zijn",
              foot],
             [head, "woning verliest en dan niet durft te melden.", "De NLA krijgt veel meldingen.",
              "• 9 signalen gemeld", foot],
             [head, "Het RIEC brengt partners samen.", "• 21 signalen gemeld", foot]]
    got = [s.text for s in read_statements(pdf(tmp_path / "kop.pdf", pages))]
    assert got == ["14 signalen gemeld", "De inspecteurs zien dat een arbeidsmigrant die zijn werk verliest ook zijn "
                   "woning verliest en dan niet durft te melden.", "De NLA krijgt veel meldingen.", "9 signalen gemeld",
                   "Het RIEC brengt partners samen.", "21 signalen gemeld"]


def test_a_header_with_a_date_whose_day_is_a_page_number_leaves_on_every_page(tmp_path):
    """QA 44d: "Verslag ketenoverleg 3 oktober 2026" was kept on page 3 (spliced into a sentence), where its 3 read
    as the page's number and its key changed; a header counts as it is, too."""
    head = "Verslag ketenoverleg 3 oktober 2026"
    body = ["De opvang in Venlo is vol.", "Het RIEC brengt de partners samen.", "De NLA krijgt veel meldingen.",
            "Veilig Thuis ziet meer jonge slachtoffers."]
    pages = [[head, line, f"Pagina {i} van 4"] for i, line in enumerate(body, start=1)]
    got = [s.text for s in read_statements(pdf(tmp_path / "datum.pdf", pages))]
    assert got == body


def test_a_long_line_broken_before_a_capital_in_a_pdf_is_joined():
    """QA 44d: a PDF's text is laid out, so a long line broken mid-sentence before a name or a number joins the next
    even where no wrap width could be measured ("… in totaal" / "31 slachtoffers …" was split)."""
    from mh_nlp.io.readers import text_blocks

    lines = ["De zorgcoördinator van de gemeente Venlo heeft in het afgelopen jaar in totaal",
             "31 slachtoffers begeleid."]
    assert [t for _, t, _ in text_blocks(lines, laid_out=True)] == [" ".join(lines)]
    assert [t for _, t, _ in text_blocks(lines)] == lines  # typed notes: two lines


def test_a_paragraph_ending_in_a_footnote_marker_or_a_reference_ends_there(tmp_path):
    """QA 45b F2: a line ending in a footnote marker ("… in Nederland.1") or in a reference after a sentence end
    ("… stijgt. (casus 1.3)") ends its paragraph, also before a page break; the marker leaves the text, a number's
    decimals and an abbreviation's number stay; a reference wrapped onto a line of its own stays with its sentence."""
    full = "Het aantal aanmeldingen van slachtoffers van criminele uitbuiting bij CoMensha stijgt. (casus 1.3)"
    pages = [["Naar schatting zijn er jaarlijks 5.000 tot 7.500 slachtoffers in Nederland.1",
              "De overheid ziet er maar 1.000 per jaar, zie artikel 273f.", "Versie 2.1",
              "Dat staat op p.10", "Veel slachtoffers worden opnieuw slachtoffer.”2", full],
             ["Chantage met naaktbeelden komt bij seksuele uitbuiting steeds vaker voor. (casus 2.1)",
              "De zorgcoördinator in onze regio is overbelast en er ontstaat een wachtlijst voor slachtoffers.",
              "(casus 2.3)", "De hulp sluit niet aan."]]
    got = [(s.position, s.text) for s in read_statements(pdf(tmp_path / "rapport.pdf", pages))]
    assert got == [
        ("page 1", "Naar schatting zijn er jaarlijks 5.000 tot 7.500 slachtoffers in Nederland."),
        ("page 1", "De overheid ziet er maar 1.000 per jaar, zie artikel 273f."), ("page 1", "Versie 2.1"),
        ("page 1", "Dat staat op p.10"), ("page 1", "Veel slachtoffers worden opnieuw slachtoffer.”"),
        ("page 1", full),
        ("page 2", "Chantage met naaktbeelden komt bij seksuele uitbuiting steeds vaker voor. (casus 2.1)"),
        ("page 2", "De zorgcoördinator in onze regio is overbelast en er ontstaat een wachtlijst voor slachtoffers. "
                   "(casus 2.3)"),
        ("page 2", "De hulp sluit niet aan.")]


def test_footnotes_at_a_pages_bottom_are_left_out(tmp_path):
    """QA 45b F18: the lines at a page's bottom that start with the numbers of the markers in its text are its
    footnotes: left out and counted; a numbered list at the bottom that no marker points to stays."""
    pages = [["Naar schatting zijn er jaarlijks 5.000 tot 7.500 slachtoffers in Nederland.1",
              "De overheid ziet er maar 1.000 per jaar.2",
              "1 Nationaal Rapporteur Mensenhandel, Slachtoffermonitor 2016-2020, p. 10.",
              "2 Zie ook het mensenhandelbeleid van de gemeente Zoeterwoude", "(2023)."],
             ["De opvang is vol.", "1 Meer opvangplekken voor mannen", "2 Een zorgcoördinator in elke regio"]]
    warnings: list[str] = []
    got = [s.text for s in read_statements(pdf(tmp_path / "noten.pdf", pages), warn=warnings.append)]
    assert got == ["Naar schatting zijn er jaarlijks 5.000 tot 7.500 slachtoffers in Nederland.",
                   "De overheid ziet er maar 1.000 per jaar.", "De opvang is vol.",
                   "1 Meer opvangplekken voor mannen", "2 Een zorgcoördinator in elke regio"]
    assert warnings == ["3 page number, running header or footer and footnote line(s) left out "
                        "(such as '1 Nationaal Rapporteur Mensenhandel, Slachtoffermonitor 2016-2020, p. 10.')"]


def test_a_footnote_marker_or_a_reference_after_a_sentence_end_ends_a_line():
    """QA 45b F2: the end-of-sentence test of a line that the next full line may continue."""
    from mh_nlp.io.readers import _continues

    full = 95
    for prev in ("Naar schatting zijn er jaarlijks tussen de 5.000 en 7.500 slachtoffers in Nederland.1",
                 "Het aantal aanmeldingen van slachtoffers van criminele uitbuiting bij CoMensha stijgt. (casus 1.3)"):
        assert not _continues(prev, "Chantage met naaktbeelden komt steeds vaker voor.", full)
    for prev in ("Het aantal aanmeldingen van slachtoffers van criminele uitbuiting steeg in versie 2.1",
                 "Het aantal aanmeldingen van slachtoffers van criminele uitbuiting bij CoMensha (casus 1.3)"):
        assert _continues(prev, "Chantage met naaktbeelden komt steeds vaker voor.", len(prev))
    assert _continues("De zorgcoördinator is overbelast.", "(casus 2.3)")


def _drawn(runs: list[tuple[float, float, str]], size: int = 10) -> bytes:
    """A page's (Flate-compressed) content stream that draws each ``(x, y, text)`` in a text object of its own,
    ending in a move to the next line, as reportlab draws a table's cells and a column's lines."""
    import zlib

    from pdf_samples import _escape

    return zlib.compress(b" ".join(f"BT /F1 {size} Tf 12 TL 1 0 0 1 {x} {y} Tm (".encode() + _escape(t)
                                   + b") Tj T* ET" for x, y, t in runs))


def test_a_narrow_columns_line_that_could_not_take_the_next_word_joins_it(tmp_path):
    """QA 45b F15: in a narrow column a line stops short where the next word did not fit ("… van WATCH" /
    "Nederland maakt …"): it joins the next line though that starts with a capital; short lines of a list stay."""
    column = ["Het meldpunt van WATCH Nederland maakt het", "voor mensen makkelijker om loverboypraktijken",
              "te melden. Het meldpunt van WATCH", "Nederland maakt het voor mensen makkelijker",
              "om loverboypraktijken te melden, zo gaven", "meerdere deelnemers aan."]
    listed = ["Opvang in Venlo", "Zorgcoördinator overbelast"]
    runs = [(318, 700 - 12 * k, line) for k, line in enumerate(column)]
    runs += [(318, 610 - 12 * k, line) for k, line in enumerate(listed)]
    got = [s.text for s in read_statements(pdf(tmp_path / "kolom.pdf", [[]], streams={0: _drawn(runs)}))]
    assert got == [" ".join(column), *listed]


def test_a_table_cell_naming_a_chapter_is_no_heading(tmp_path):
    """QA 45b F11: pypdf gives a table's cells one by one, on lines of their own; a cell that names a chapter
    ("Knelpunt" over a column) stands on one line with the other cells of its row, so it is no heading. A chapter's
    name alone on its line still is one. Such a row of short cells over cells of text is a table's header (QA 45b
    leftover: the header and the row labels were statements): its cells are read as a Word table's, each column's
    name heading its cells where it names a chapter, the organisation in the first column their speaker."""
    runs = [(57, 760, "Knelpunten"), (57, 740, "Organisatie"), (148, 740, "Knelpunt"), (346, 740, "Voorstel"),
            (57, 722, "NLA"), (148, 722, "Te weinig rechercheurs voor de"), (148, 710, "vele meldingen."),
            (346, 722, "Meer capaciteit voor de"), (346, 710, "recherche."),
            (57, 680, "Wat goed gaat"), (57, 660, "De samenwerking met de gemeente loopt goed.")]
    got = [(s.text, s.extra["heading"], s.extra["speaker"])
           for s in read_statements(pdf(tmp_path / "tabel.pdf", [[]], streams={0: _drawn(runs)}))]
    assert got == [("Te weinig rechercheurs voor de vele meldingen.", "Knelpunten", "NLA"),
                   ("Meer capaciteit voor de recherche.", "Voorstel", "NLA"),
                   ("De samenwerking met de gemeente loopt goed.", "Wat goed gaat", "")]


def test_a_pdf_table_drawn_row_by_row_and_cells_of_several_lines_are_read_cell_by_cell(tmp_path):
    """A PDF writer may draw a table line by line across its cells instead of cell by cell: the cells are put
    together by column and by the gap between rows all the same. Two columns of running text under one short
    heading each, with no row of cells, stay paragraphs."""
    runs = [(57, 760, "Thema"), (200, 760, "Knelpunt"), (380, 760, "Oplossing"),
            (57, 740, "Opvang"), (200, 740, "Te weinig plekken voor"), (380, 740, "Meer plekken voor mannen"),
            (200, 728, "mannelijke slachtoffers."), (380, 728, "in elke regio."),
            (57, 708, "Zorg"), (200, 708, "De zorgcoördinator is"), (380, 708, "Een tweede zorgcoördinator"),
            (200, 696, "overbelast."), (380, 696, "aanstellen.")]
    got = [(s.text, s.extra["heading"])
           for s in read_statements(pdf(tmp_path / "rijen.pdf", [[]], streams={0: _drawn(runs)}))]
    assert got == [("Te weinig plekken voor mannelijke slachtoffers.", "Knelpunt – Opvang"),
                   ("Meer plekken voor mannen in elke regio.", "Oplossing – Opvang"),
                   ("De zorgcoördinator is overbelast.", "Knelpunt – Zorg"),
                   ("Een tweede zorgcoördinator aanstellen.", "Oplossing – Zorg")]
    left = ["Trends", "De NLA ziet meer uitbuiting in", "de glastuinbouw."]
    right = ["Ambities", "Elke regio krijgt een", "zorgcoördinator."]
    runs = [(57, 760 - 12 * k, t) for k, t in enumerate(left)] + [(318, 760 - 12 * k, t) for k, t in enumerate(right)]
    got = [(s.text, s.extra["heading"])
           for s in read_statements(pdf(tmp_path / "kolommen.pdf", [[]], streams={0: _drawn(runs)}))]
    assert got == [("De NLA ziet meer uitbuiting in de glastuinbouw.", "Trends"),
                   ("Elke regio krijgt een zorgcoördinator.", "Ambities")]


def test_a_pdf_tables_header_drawn_as_one_line_centred_over_its_columns_is_read(tmp_path):
    """A browser's or a word processor's PDF draws a header row as one line, each name centred over its column,
    and a row's label centred in its row's height ("NLA" beside the second line of its row's cells): the header's
    names stand apart on the line, and a cell belongs to the column whose name it starts left of the end of."""
    import zlib

    from pdf_samples import _escape

    header = b" ".join(f"BT /F1 11 Tf 1 0 0 1 {x} 740 Tm (".encode() + _escape(t) + b") Tj ET"
                       for x, t in ((41, "Organisatie"), (219, "Knelpunt"), (453, "Voorstel")))
    cells = [(37, 708, "NLA"), (118, 721, "Te weinig rechercheurs voor"), (118, 708, "de vele meldingen."),
             (367, 721, "Meer capaciteit voor de"), (367, 708, "recherche."),
             (37, 667, "CoMensha"), (118, 680, "De zorgcoördinator is"), (118, 667, "overbelast."),
             (367, 680, "Een tweede zorgcoördinator"), (367, 667, "in elke regio."),
             (34, 630, "Dat was de opbrengst van de ronde over knelpunten en voorstellen van vandaag.")]
    body = b" ".join(f"BT /F1 11 Tf 1 0 0 1 {x} {y} Tm (".encode() + _escape(t) + b") Tj ET" for x, y, t in cells)
    stream = zlib.compress(header + b" " + body)
    got = [(s.text, s.extra["heading"], s.extra["speaker"])
           for s in read_statements(pdf(tmp_path / "midden.pdf", [[]], streams={0: stream}))]
    assert got == [("Te weinig rechercheurs voor de vele meldingen.", "Knelpunt", "NLA"),
                   ("Meer capaciteit voor de recherche.", "Voorstel", "NLA"),
                   ("De zorgcoördinator is overbelast.", "Knelpunt", "CoMensha"),
                   ("Een tweede zorgcoördinator in elke regio.", "Voorstel", "CoMensha"),
                   ("Dat was de opbrengst van de ronde over knelpunten en voorstellen van vandaag.", "", "")]


def test_a_pdf_table_of_one_line_rows_keeps_its_rows_and_ends_at_a_heading_below_it(tmp_path):
    """Rows drawn as one line of cells (every column at every height) are rows of their own, not one cell per
    column run together; a chapter's name well below the last row ends the table and heads the text under it."""
    import zlib

    from pdf_samples import _escape

    runs = [(57, 740, "Organisatie"), (130, 740, "Knelpunt"), (380, 740, "Voorstel"),
            (57, 718, "NLA"), (130, 718, "Te weinig rechercheurs."), (380, 718, "Meer capaciteit."),
            (57, 696, "CoMensha"), (130, 696, "De zorgcoördinator is overbelast."), (380, 696, "Een tweede erbij."),
            (57, 640, "Wat goed gaat"), (57, 620, "De casustafel van het RIEC werkt goed.")]
    stream = zlib.compress(b" ".join(f"BT /F1 11 Tf 1 0 0 1 {x} {y} Tm (".encode() + _escape(t) + b") Tj ET"
                                     for x, y, t in runs))
    said: list[str] = []
    got = [(s.text, s.extra["heading"], s.extra["speaker"])
           for s in read_statements(pdf(tmp_path / "rijen.pdf", [[]], streams={0: stream}), warn=said.append)]
    assert said == ["1 table(s) found (page 1): each first row (Organisatie | Knelpunt | Voorstel on page 1) is read "
                    "as the columns' names, not as statements"]  # told from the layout: said, as in Word
    assert got == [("Te weinig rechercheurs.", "Knelpunt", "NLA"), ("Meer capaciteit.", "Voorstel", "NLA"),
                   ("De zorgcoördinator is overbelast.", "Knelpunt", "CoMensha"),
                   ("Een tweede erbij.", "Voorstel", "CoMensha"),
                   ("De casustafel van het RIEC werkt goed.", "Wat goed gaat", "")]


def test_a_footnote_marker_after_a_year_ends_the_sentence(tmp_path):
    """QA 45c R2: "… minder dan in 2019.1" was not seen as a sentence end with a marker: three statements were
    joined and their footnotes labelled. A year's decimals inside a line ("versie 2019.1 van") stay."""
    pages = [["In 2020 werden 1.023 slachtoffers gemeld bij CoMensha, minder dan in 2019.1",
              "Het aantal meldingen daalde vooral door de coronamaatregelen in 2020.2",
              "De NLA gebruikt versie 2019.1 van het instrument.",
              "1 CoMensha, Jaarverslag 2020, p. 12.", "2 Nationaal Rapporteur, Slachtoffermonitor 2016-2020."]]
    got = [s.text for s in read_statements(pdf(tmp_path / "jaren.pdf", pages))]
    assert got == ["In 2020 werden 1.023 slachtoffers gemeld bij CoMensha, minder dan in 2019.",
                   "Het aantal meldingen daalde vooral door de coronamaatregelen in 2020.",
                   "De NLA gebruikt versie 2019.1 van het instrument."]


def test_a_number_after_a_year_is_a_marker_only_where_a_footnote_has_it(tmp_path):
    """QA 45d S7: "versie 2023.1" at a line's end was cut as a footnote marker, and "… in 2020.12" over "gemeenten
    hebben …" lost its 12: a year's number is a marker after "in 2019" and the like, and only where the page has
    that footnote."""
    pages = [["Alle gemeenten werken met het instrument versie 2023.1", "en de ervaringen zijn goed.",
              "Het aantal meldingen steeg naar 1.180 in 2020.12", "gemeenten hebben een zorgcoördinator.",
              "Het aantal signalen lag hoger dan in 2020.3", "Vooral in de glastuinbouw.",
              "3 Nationaal Rapporteur, Dadermonitor 2021."]]
    got = [s.text for s in read_statements(pdf(tmp_path / "jaren2.pdf", pages))]
    assert got == ["Alle gemeenten werken met het instrument versie 2023.1 en de ervaringen zijn goed.",
                   "Het aantal meldingen steeg naar 1.180 in 2020.12 gemeenten hebben een zorgcoördinator.",
                   "Het aantal signalen lag hoger dan in 2020.", "Vooral in de glastuinbouw."]


def test_a_footnote_marker_glued_to_a_number_inside_a_line_is_taken_off(tmp_path):
    """QA 45d S8: "… ten opzichte van 2019.1 De daling …" and "… steeg naar 41,5.3 De IND …" kept their markers, so
    the page's footnotes were not found and were labelled as statements. A number's marker before the next sentence's
    capital is one where the page has that footnote; "1.204 inspecties", "versie 2023.1 en" and a number whose
    page has no such footnote stay as they are."""
    pages = [["Het aantal slachtoffers daalde ten opzichte van 2019.1 De daling is vooral zichtbaar in 2021.2 Meer",
              "meldingen van arbeidsuitbuiting.",
              "Het aantal dagen tot een B8-besluit steeg naar 41,5.3 De IND wijst op personeelstekort.",
              "De NLA deed 1.204 inspecties. Het signaleringsinstrument heet versie 2023.1 en werkt goed.",
              "Het budget steeg met 2.5 Procent is weinig.",
              "1 CoMensha, Jaarverslag 2020, p. 12.", "2 Nationaal Rapporteur, Slachtoffermonitor 2017-2021.",
              "3 IND, Kwartaalrapportage Q4 2022."]]
    said: list[str] = []
    got = [s.text for s in read_statements(pdf(tmp_path / "noten.pdf", pages), warn=said.append)]
    assert got == ["Het aantal slachtoffers daalde ten opzichte van 2019. De daling is vooral zichtbaar in 2021. Meer "
                   "meldingen van arbeidsuitbuiting.",
                   "Het aantal dagen tot een B8-besluit steeg naar 41,5. De IND wijst op personeelstekort.",
                   "De NLA deed 1.204 inspecties. Het signaleringsinstrument heet versie 2023.1 en werkt goed.",
                   "Het budget steeg met 2.5 Procent is weinig."]
    assert any("footnote" in s for s in said)
