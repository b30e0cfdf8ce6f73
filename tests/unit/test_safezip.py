"""Decompression bombs in .docx/.xlsx inputs: refused from the zip's directory before a parser unpacks them,
in the readers and in ``mh-nlp label`` (with ``--max-unpacked-mb`` to raise the limit)."""
from __future__ import annotations

import codecs
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_label import EXAMPLES, use_fakes  # noqa: E402

from mh_nlp.cli import main  # noqa: E402
from mh_nlp.io import safezip  # noqa: E402
from mh_nlp.exceptions import TooBig  # noqa: E402
from mh_nlp.io.readers import ReadError, read_statements  # noqa: E402


def bomb(path: Path, unpacked_mb: int, name: str = "word/document.xml", zip64: bool = True) -> Path:
    """examples/verslag.docx with ``name`` replaced by ``unpacked_mb`` MB of zeros (deflated: tiny)."""
    src = zipfile.ZipFile(EXAMPLES / "verslag.docx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != name:
                z.writestr(info, src.read(info.filename))
        big = zipfile.ZipInfo(name)
        big.compress_type = zipfile.ZIP_DEFLATED
        with z.open(big, "w", force_zip64=zip64) as fh:
            for _ in range(unpacked_mb):
                fh.write(b"0" * (1 << 20))
    return path


def read_in_child(path: Path, max_mb: float | None = None) -> tuple[str, float]:
    """(error message or "", peak RSS in MB) of reading ``path`` in a fresh process (this one's peak is blurred
    by whatever ran before; VmHWM, since ru_maxrss survives the exec)."""
    code = ("import json, sys\n"
            "from mh_nlp.io import safezip\n"
            "from mh_nlp.io.readers import ReadError, read_statements\n"
            "err = ''\n"
            f"with safezip.limits(max_unpacked_mb={max_mb!r}):\n"
            "    try:\n"
            "        list(read_statements(sys.argv[1]))\n"
            "    except ReadError as exc:\n"
            "        err = str(exc)\n"
            "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM:')][0]\n"
            "print(json.dumps([err, int(hwm.split()[1]) / 1024]))\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    err, peak = json.loads(out.stdout.splitlines()[-1])
    return err, peak


def entries(path: Path, n: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for i in range(n):
            z.writestr(f"e{i}.xml", b"")
    return path


def test_bomb_docx_and_xlsx_are_refused_before_parsing(tmp_path):
    for suffix in (".docx", ".xlsx"):
        path = bomb(tmp_path / f"bomb{suffix}", 120)
        assert path.stat().st_size < 1_000_000
        with pytest.raises(ReadError, match=r"unpacks to 12\d MB \(limit 50 MB\).*--max-unpacked-mb"):
            list(read_statements(path))
    err, peak = read_in_child(path)
    assert "unpacks to" in err and peak < 150, (err, peak)  # nothing was unpacked


def test_the_xml_parts_a_reader_builds_in_memory_may_take_a_fifth_of_the_limit(tmp_path):
    """A 141 KB .docx whose document.xml unpacked to 46 MB (under the 50 MB limit) made the review screen grow by
    1.4 GB, and so did six parts of 8 MB: python-docx and ElementTree build the parts whole, so together they may
    take at most a fifth of the limit (10 MB)."""
    says = "the package's XML parts unpack to more than 10 MB"
    for suffix in (".docx", ".odt", ".pptx"):
        name = {".docx": "word/document.xml", ".odt": "content.xml", ".pptx": "ppt/slides/slide1.xml"}[suffix]
        with pytest.raises(ReadError, match=says):
            list(read_statements(bomb(tmp_path / f"b{suffix}", 12, name=name)))
    several = tmp_path / "several.docx"
    with zipfile.ZipFile(bomb(tmp_path / "six.docx", 2), "a", zipfile.ZIP_DEFLATED) as z:  # 2 MB document.xml
        for part in ("styles", "numbering", "header1", "footer1", "settings"):
            z.writestr(f"word/extra/{part}.xml", b"0" * (2 << 20))  # each small, 12 MB together
    (tmp_path / "six.docx").rename(several)
    with pytest.raises(ReadError, match=says):
        list(read_statements(several))
    err, peak = read_in_child(bomb(tmp_path / "b.docx", 40))
    assert says in err and peak < 300, (err, peak)
    # openpyxl reads a sheet as a stream: a workbook's part may be larger (refused later for other reasons here)
    with pytest.raises(ReadError) as caught:
        list(read_statements(bomb(tmp_path / "b.xlsx", 12, name="xl/worksheets/sheet1.xml")))
    assert "XML parts" not in str(caught.value)


def test_entry_count_is_read_from_the_end_record(tmp_path):
    path = entries(tmp_path / "many.xlsx", 6000)
    assert safezip.declared_entries(path) == 6000
    with pytest.raises(ReadError, match="6,000 entries"):
        list(read_statements(path))
    assert safezip.declared_entries(EXAMPLES / "verslag.docx") == len(zipfile.ZipFile(EXAMPLES / "verslag.docx").namelist())
    assert safezip.declared_entries(EXAMPLES / "notities.csv") is None  # not a zip: left to the reader


def test_limits_can_be_raised_for_one_run(tmp_path):
    path = bomb(tmp_path / "b.docx", 60)
    with pytest.raises(ReadError, match="limit 50 MB"):
        list(read_statements(path))
    with safezip.limits(max_unpacked_mb=400):  # 60 MB in one part: within a fifth of 400
        with pytest.raises(ReadError) as caught:  # past the size check: now the parser finds no valid XML
            list(read_statements(path))
        assert "limit" not in str(caught.value)
    assert safezip.LIMITS.max_unpacked_mb == 50
    assert len(list(read_statements(EXAMPLES / "verslag.docx"))) > 5  # a normal document is untouched


def test_a_package_that_understates_its_size_unpacks_no_further(tmp_path):
    """A package that declares 1 KB and holds 100 MB: zipfile would inflate all 100 MB before truncating;
    the check inflates in 1 MB steps and refuses it."""
    path = bomb(tmp_path / "liar.docx", 100, zip64=False)
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("word/document.xml")
    # the uncompressed size: offset 22 of the local header, offset 24 of the central directory entry
    assert data[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    data[info.header_offset + 22:info.header_offset + 26] = struct.pack("<I", 1024)
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
    while data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
        central = data.rfind(b"PK\x01\x02", 0, central)
        assert central >= 0
    data[central + 24:central + 28] = struct.pack("<I", 1024)
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo("word/document.xml").file_size == 1024
    err, peak = read_in_child(path)
    assert "more than the package declares" in err and peak < 150, (err, peak)
    err, peak = read_in_child(bomb(tmp_path / "honest.docx", 100), max_mb=1000)  # the same bomb, let through
    assert peak > 150, (err, peak)  # (so the measure above can tell)


def understate(path: Path, name: str, size: int = 1024) -> None:
    """Make the directory and local header of entry ``name`` declare ``size`` bytes."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(name)
    data[info.header_offset + 22:info.header_offset + 26] = struct.pack("<I", size)
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
    while data[central + 46:central + 46 + len(name)] != name.encode():
        central = data.rfind(b"PK\x01\x02", 0, central)
    data[central + 24:central + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["deflate", "header"])
def test_a_damaged_entry_does_not_hide_a_bomb_behind_it(tmp_path, damage):
    """A QA pass found that the check stopped at the first entry it could not unpack, so a broken entry placed
    first let an understated 100 MB member through. Every entry is counted now, and a damaged one refuses the file."""
    path = tmp_path / "hidden.docx"
    src = bomb(tmp_path / "liar.docx", 100, zip64=False)
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("aaa.bin", b"x" * 5000)  # first in the directory
        for info in z.infolist():
            out.writestr(info, z.read(info.filename))
    understate(path, "word/document.xml")
    data = bytearray(path.read_bytes())
    first = zipfile.ZipFile(path).getinfo("aaa.bin")
    if damage == "deflate":  # its compressed bytes replaced by an invalid deflate block
        start = first.header_offset + 30 + len("aaa.bin")
        data[start:start + first.compress_size] = b"\xff" * first.compress_size
        path.write_bytes(bytes(data))
    else:  # its local header is not where the directory says
        central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
        while data[central + 46:central + 46 + 7] != b"aaa.bin":
            central = data.rfind(b"PK\x01\x02", 0, central)
        data[central + 42:central + 46] = struct.pack("<I", 1)
        path.write_bytes(bytes(data))
    with pytest.raises(safezip.ZipLimitError, match="aaa.bin: an entry that cannot be unpacked"):
        safezip.check_zip(path)
    err, peak = read_in_child(path)
    assert "cannot be unpacked" in err and peak < 150, (err, peak)


def test_label_cli_refuses_a_bomb_in_one_line_and_takes_the_option(tmp_path, monkeypatch):
    use_fakes(monkeypatch)
    path = bomb(tmp_path / "b.docx", 60)
    r = CliRunner().invoke(main, ["label", str(path), "-o", str(tmp_path / "out.csv")])
    assert r.exit_code != 0 and "Traceback" not in r.output
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("mh-nlp: error:")]
    assert any("unpacks to" in ln and "--max-unpacked-mb" in ln for ln in errors), r.stderr
    r = CliRunner().invoke(main, ["label", str(path), "-o", str(tmp_path / "out.csv"), "--max-unpacked-mb", "400"])
    assert r.exit_code != 0 and "unpacks to" not in r.stderr and ".docx" in r.stderr  # past the limit: bad XML
    r = CliRunner().invoke(main, ["label", str(EXAMPLES / "verslag.docx"), str(path), "-o", str(tmp_path / "o.csv")])
    assert (tmp_path / "o.csv").exists() and "unpacks to" in r.stderr  # the good file is labelled, the bomb reported


def test_train_add_refuses_a_bomb_in_one_line(tmp_path):
    from mh_nlp.io.additions import read_additions
    from mh_nlp.themes.train import AdditionsError

    path = bomb(tmp_path / "corrections.xlsx", 120, name="xl/worksheets/sheet1.xml")
    with pytest.raises(AdditionsError, match=r"corrections.xlsx: .*unpacks to 12\d MB \(limit 50 MB\)$"):
        read_additions(path)
    out = tmp_path / "m.npz"
    res = CliRunner().invoke(main, ["train", "--add", str(path), "--model", str(out)])
    assert res.exit_code == 1 and len(res.output.strip().splitlines()) == 1 and "unpacks to" in res.output
    assert not out.exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
@pytest.mark.parametrize("where", [10, safezip.STEP - 4])  # at the start, and cut in two by an inflating step
def test_an_xml_part_with_entity_declarations_is_refused_before_parsing(tmp_path, encoding, where):
    """QA 38: a padded entity ("<!ENTITY e 'aaa…'>" used a hundred times) grows less than expat's billion-laughs
    guard allows, so a 6.5 KB .xlsx became 100 MB of text after every size check (minutes of CPU, 785 MB, and every
    other upload of the screen waiting). Office never writes a DTD; a part with one is refused, unpacked or not."""
    for compression in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        path = tmp_path / f"e{compression}.xlsx"
        head = "x" * where
        xml = (f'<?xml version="1.0"?><!--{head}--><!DOCTYPE worksheet [<!ENTITY e "{"a" * 1000}">]>'
               '<worksheet><sheetData><row><c t="inlineStr"><is><t>&e;&e;</t></is></c></row></sheetData></worksheet>')
        with zipfile.ZipFile(path, "w", compression) as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("xl/worksheets/sheet1.xml", xml.encode(encoding))
        with pytest.raises(safezip.ZipLimitError, match="sheet1.xml: an XML part with a document type or entity "
                                                        "declarations, which Office never writes"):
            safezip.check_zip(path)
    plain = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as zf:  # the words in a text are no declaration
        zf.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet><t>&lt;!DOCTYPE html&gt; in een '
                    'notitie</t></worksheet>' + " " * where)
    safezip.check_zip(plain)


def test_the_example_packages_pass_the_declaration_check():
    for path in EXAMPLES.iterdir():
        if path.suffix in (".docx", ".xlsx", ".odt", ".pptx"):
            safezip.check_zip(path)


def _renamed_with_entities(src: Path, out: Path, part: str, renamed: str) -> Path:
    """``src`` with ``part`` moved to ``renamed`` (a name check_zip does not scan) and given a DTD whose entity
    the part uses, the package's references updated so that the reader still follows it there."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            base = part.rsplit("/", 1)[1].encode()
            data = data.replace(base, renamed.rsplit("/", 1)[1].encode())
            name = info.filename
            if name == part:
                name = renamed
                root = data.index(b"<", data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0)
                data = (b'<!DOCTYPE x [<!ENTITY e "Slachtoffers werken zonder contract.">]>' + data[root:]
                        ).replace(b"Meer voorlichting", b"&e;&e;&e;")
            zout.writestr(name, data)
    return out


def test_a_renamed_part_with_entity_declarations_is_refused_when_it_is_parsed(tmp_path, monkeypatch):
    """QA 38 re-test: check_zip scans parts named .xml or .rels; a slide or sheet renamed .bin (the package's
    references followed it) was parsed with its entities expanded. The readers now parse with defusedxml."""
    import openpyxl

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from pptx_samples import pptx, shape

    deck = pptx(tmp_path / "deck.pptx", [shape(["Meer voorlichting op scholen."])])
    book = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["tekst"])
    wb.active.append(["Meer voorlichting op scholen."])
    wb.save(book)
    for src, part, renamed in ((deck, "ppt/slides/slide1.xml", "ppt/slides/slide1.bin"),
                               (book, "xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.bin")):
        assert [s.text for s in read_statements(src)][-1:] == ["Meer voorlichting op scholen."]
        bad = _renamed_with_entities(src, tmp_path / f"bad{src.suffix}", part, renamed)
        with pytest.raises(safezip.ZipLimitError, match=f"{renamed}: an XML part with a document type"):
            safezip.check_zip(bad)  # every part but pictures is scanned (a .docx's renamed part was read silently)
        from mh_nlp.io import readers

        with monkeypatch.context() as m:  # and behind that scan, the parser refuses it too
            m.setattr(readers, "check_zip", lambda *a, **k: None)
            with pytest.raises(ReadError, match="an XML part with a document type or entity declarations"):
                list(read_statements(bad))


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "0", "vijftig"])
def test_an_environment_limit_that_is_no_size_is_refused_not_used(monkeypatch, value):
    """QA 40: MH_NLP_MAX_UNPACKED_MB=nan (or inf) passed every comparison and switched the bomb limit off."""
    from mh_nlp.io import safezip

    monkeypatch.setenv("MH_NLP_MAX_UNPACKED_MB", value)
    assert "is not a size in MB" in safezip.env_problem()
    assert safezip._default_limits().max_unpacked_mb == 50.0  # the safe default, never the value
    monkeypatch.setenv("MH_NLP_MAX_UNPACKED_MB", "30")
    assert safezip.env_problem() is None and safezip._default_limits().max_unpacked_mb == 30.0


def test_train_says_when_the_environment_limit_is_no_size(monkeypatch, tmp_path):
    """QA 40 re-test: `train --add` took MH_NLP_MAX_UNPACKED_MB=nan as 50 without a word, where label refuses it."""
    from click.testing import CliRunner

    from mh_nlp.cli import main

    monkeypatch.setenv("MH_NLP_MAX_UNPACKED_MB", "nan")
    r = CliRunner().invoke(main, ["train", "--add", str(tmp_path / "none.csv"), "--model", str(tmp_path / "m.npz")])
    assert r.exit_code == 1 and "the default limit of 50 MB holds" in r.stderr and "no such file" in r.stderr
    assert not (tmp_path / "m.npz").exists()


MAC_PRINTER = (b"\x00\x01\x00\x00PRINTER\x00" + bytes(range(1, 40)) + b'<?xml version="1.0" encoding="UTF-8"?>\n'
               b'<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">'
               b'<plist version="1.0"><dict/></plist>')


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_a_binary_part_holding_a_doctype_is_no_xml_and_passes(tmp_path, compression):
    """QA 44a D1: PowerPoint and Excel for Mac keep the printer's settings as a binary part (a DEVMODE holding an
    Apple property list with a DOCTYPE); such a deck, workbook or document was refused as "a hostile file". A part
    that does not start as XML (past byte order marks and white space) is read by no XML parser, so it is not
    scanned; one that does start as XML is, however much white space comes first."""
    for part in ("ppt/printerSettings/printerSettings1.bin", "xl/printerSettings/printerSettings1.bin",
                 "word/printerSettings/printerSettings1.bin"):
        path = tmp_path / "mac.zip"
        with zipfile.ZipFile(path, "w", compression) as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr(part, MAC_PRINTER)
        safezip.check_zip(path)
    for lead in (b"", b"\xef\xbb\xbf", b" " * (safezip.STEP + 10), b"\r\n\t ", "\ufeff".encode("utf-16-le")):
        doctype = '<!DOCTYPE x [<!ENTITY e "aaa">]><x>&e;</x>'
        body = doctype.encode("utf-16-le") if lead.startswith(b"\xff\xfe") else doctype.encode()
        path = tmp_path / "hostile.zip"
        with zipfile.ZipFile(path, "w", compression) as zf:
            zf.writestr("ppt/printerSettings/printerSettings1.bin", lead + body)
        with pytest.raises(safezip.ZipLimitError, match="an XML part with a document type"):
            safezip.check_zip(path)


def test_a_deck_with_mac_printer_settings_is_read(tmp_path):
    """The whole way: a .pptx with that part is labelled, as PowerPoint shows it."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from pptx_samples import pptx, shape

    deck = pptx(tmp_path / "deck.pptx", [shape(["Meer voorlichting op scholen."])])
    mac = tmp_path / "mac.pptx"
    with zipfile.ZipFile(deck) as zin, zipfile.ZipFile(mac, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        zout.writestr("ppt/printerSettings/printerSettings1.bin", MAC_PRINTER)
    assert [s.text for s in read_statements(mac)][-1:] == ["Meer voorlichting op scholen."]


HOSTILE = '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document><t>Er is opvang &x; nodig</t></w:document>'


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_an_xml_part_in_an_encoding_the_scan_cannot_read_is_refused(tmp_path, compression):
    """QA 49b D4: the DOCTYPE/ENTITY scan reads UTF-8 and UTF-16; a document.xml in UTF-32 (lxml reads it) with an
    external entity was accepted and labelled, and one in EBCDIC was not scanned at all. A part in UTF-32 (a byte
    order mark, or '<' as 00 00 00 3C or 3C 00 00 00), in EBCDIC ('<?xm' as 4C 6F A7 94) or declaring an encoding
    whose markup is not those bytes (UTF-7, UTF-32) is refused; UTF-8, UTF-16 and ASCII-like declarations pass."""
    declared = '<?xml version="1.0" encoding="{}"?>'
    refused = [("UTF-32", codecs.BOM_UTF32_LE + HOSTILE.encode("utf-32-le")),
               ("UTF-32", codecs.BOM_UTF32_BE + HOSTILE.encode("utf-32-be")),
               ("UTF-32", HOSTILE.encode("utf-32-le")), ("UTF-32", HOSTILE.encode("utf-32-be")),
               ("UTF-32", (declared.format("UTF-32") + HOSTILE).encode("utf-32-be")),
               ("EBCDIC", (declared.format("IBM037") + HOSTILE).encode("cp037")),
               ("'UTF-7'", (declared.format("UTF-7") + "+ADwAIQ-DOCTYPE x").encode()),
               ("'UTF-32'", codecs.BOM_UTF16_LE + (declared.format("UTF-32") + "<x/>").encode("utf-16-le"))]
    for i, (what, data) in enumerate(refused):
        path = tmp_path / f"r{i}.docx"
        with zipfile.ZipFile(path, "w", compression) as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("word/document.xml", data)
        with pytest.raises(ReadError) as err:  # not a limit: nothing is too large (QA 49c N6)
            safezip.check_zip(path)
        assert not isinstance(err.value, (safezip.ZipLimitError, TooBig))
        assert str(err.value) == (f"word/document.xml: an XML part in {what}, which Office never writes (UTF-8 or "
                                  "UTF-16 only) and the check for entity declarations cannot read: a hostile or "
                                  "damaged file"), what
        with pytest.raises(ReadError, match="an XML part in"):  # and the readers refuse it so (a 400 on the screen)
            list(read_statements(path))
    fine = "<w:document><t>Er is te weinig opvang.</t></w:document>"
    for data in ((declared.format("UTF-8") + fine).encode(), codecs.BOM_UTF8 + (declared.format("utf-8") + fine).encode(),
                 codecs.BOM_UTF16_LE + (declared.format("UTF-16") + fine).encode("utf-16-le"),
                 (declared.format("UTF-16") + fine).encode("utf-16-be"),
                 (declared.format("windows-1252") + fine).encode("cp1252"),
                 (declared.format("ISO-8859-1") + fine).encode("latin-1"), fine.encode()):
        path = tmp_path / "goed.docx"
        with zipfile.ZipFile(path, "w", compression) as zf:
            zf.writestr("word/document.xml", data)
        safezip.check_zip(path)
