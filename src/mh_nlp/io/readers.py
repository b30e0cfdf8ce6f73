"""Reading statements from notes and transcripts: .txt/.md, .docx, .csv, .xlsx and .jsonl, lazily.

Every reader yields :class:`Statement` objects one at a time, so a big file is never held whole.
A problem that makes a file unusable raises :class:`ReadError` with a one-line message; smaller
problems (a Windows-1252 file, an over-long statement) go to the ``warn`` callback.

Text files (.txt, .md) are split into one statement per paragraph, bullet or line:

* a blank line, a bullet (``-``, ``*``, ``•``, ``–``, ``1.``, ``1)``), a speaker label
  (``Voorzitter:``, ``Jan de Vries (NLA):``, an optional ``[00:12:31]`` timestamp first) or a
  Markdown heading starts a new statement;
* a line that ends in a word broken with a hyphen (``mensen-`` + ``handel``) is rejoined without
  the hyphen (kept before ``en``/``of``: ``Wet- en regelgeving``);
* a line that continues a sentence is rejoined with a space: it starts in lower case, or the line
  before stops mid-sentence (no closing ``.``, ``!``, ``?``, ``:`` or ``;``) after a comma, a function
  word (``de``, ``van``, ``met`` ...) or at a wrapped width (>= 60 characters); otherwise each line is
  its own statement (so unpunctuated one-line notes stay apart).

Markdown headings are not statements: their text is carried in the ``heading`` extra field, and a
speaker label moves from the text to the ``speaker`` field. Statements longer than
:data:`MAX_CHARS` characters (e.g. a 1 MB line) are split into chunks of at most that size, at a
sentence end or a space where possible, with one warning per file.
"""
from __future__ import annotations

import codecs
import csv
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mh_nlp.io.safezip import check_zip
from mh_nlp.io.writers import unguard_cell

MAX_CHARS = 10_000  # longest statement passed to the classifier; longer ones are split
TEXT_COLUMNS = ("text", "tekst", "statement", "uitspraak")  # default text column, in this order
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
SUFFIXES = TEXT_SUFFIXES | {".docx", ".csv", ".xlsx", ".jsonl"}
TEXT_EXTRAS = ("heading", "speaker")  # extra fields of .txt/.md/.docx statements
SPLITS = ("paragraph", "sentence")

Warn = Callable[[str], None]


class ReadError(Exception):
    """An input file that cannot be read (the message is one line, without the file name)."""


@dataclass(frozen=True)
class Statement:
    """One statement: its file, position (line, paragraph or row number), text and carried-through fields."""

    source: str
    position: int
    text: str
    extra: dict[str, str] = field(default_factory=dict)


def _ignore(_msg: str) -> None:
    """Default warning sink: drop the message."""


# ---------------------------------------------------------------- checks and decoding

def check_input(path: Path) -> None:
    """Raise :class:`ReadError` when ``path`` is missing, a directory, empty or of an unsupported type."""
    if not path.exists():
        raise ReadError("no such file")
    if path.is_dir():
        raise ReadError("is a directory, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"unsupported file type {suffix or '(no extension)'!r} "
                        f"(use {', '.join(sorted(SUFFIXES))})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None
    if size == 0:
        raise ReadError("empty file")


def detect_encoding(path: Path, chunk_size: int = 1 << 16) -> str:
    """``utf-8-sig`` when the whole file is valid UTF-8, else ``cp1252``; binary files raise ReadError."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with open(path, "rb") as fh:
        first = True
        while chunk := fh.read(chunk_size):
            if first and b"\x00" in chunk[:8192]:
                raise ReadError("binary file, not text")
            first = False
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    return "utf-8-sig" if utf8 else "cp1252"


def _open_text(path: Path, warn: Warn):
    """Open a text file with the detected encoding, warning when it is not UTF-8."""
    encoding = detect_encoding(path)
    if encoding == "cp1252":
        warn("not UTF-8; read as Windows-1252 (cp1252)")
    # cp1252 leaves five bytes undefined: replace them rather than fail on one stray byte
    return open(path, encoding=encoding, errors="replace", newline="")


# ---------------------------------------------------------------- text handling

_WS = re.compile(r"\s+")
_BULLET = re.compile(r"^\s*(?:[-*•–—·▪]|\d{1,3}[.)])\s+")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_SPEAKER = re.compile(
    r"^\s*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*)?"  # optional timestamp
    r"(?P<name>(?:[A-ZÀ-Ý][\w.'’-]*|van|de|der|den|ten|ter|het|te|in|'t)"
    r"(?:\s+(?:[A-ZÀ-Ý][\w.'’-]*|van|de|der|den|ten|ter|het|te|in|'t)){0,3}"
    r"(?:\s*\([^()]{1,40}\))?)\s*:\s+(?=\S)")
_TIMESTAMP = re.compile(r"^\s*\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s+")
_HYPHEN_END = re.compile(r"(\w)-$")
_KEEP_HYPHEN_BEFORE = {"en", "of", "tot", "noch", "als"}
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")
_ABBREVIATIONS = {"bijv", "bv", "o.a", "d.w.z", "m.b.t", "i.v.m", "t.a.v", "dhr", "mw", "mevr", "mr", "dr",
                  "nr", "etc", "e.d", "e.a", "ca", "z.s.m", "i.p.v", "o.b.v", "t.b.v", "m.n", "resp", "incl",
                  "excl", "art", "jl", "vs", "blz", "evt", "n.a.v", "a.s", "wo", "cf", "zgn"}
_SENT_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-ZÀ-Ý0-9])")


def clean(text: str) -> str:
    """Collapse runs of whitespace to single spaces and strip the ends."""
    return _WS.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Split a statement into sentences (Dutch abbreviations such as ``bijv.`` and ``o.a.`` do not end one)."""
    out: list[str] = []
    start = 0
    for m in _SENT_BOUNDARY.finditer(text):
        before = text[start:m.start()].rstrip("\"'”’)]")
        last = before.rsplit(" ", 1)[-1].rstrip(".").lower()
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        piece = text[start:m.start()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def split_long(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_chars`` characters, at a sentence end or a space if possible."""
    pieces = []
    while len(text) > max_chars:
        window = text[:max_chars]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        if cut > max_chars // 2:
            cut += 1
        else:
            cut = window.rfind(" ")
            if cut < max_chars // 2:
                cut = max_chars
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        pieces.append(text)
    return [p for p in pieces if p]


def _join(prev: str, line: str) -> str:
    """Rejoin a broken line onto ``prev``: drop a line-end hyphen break, else join with a space."""
    m = _HYPHEN_END.search(prev)
    if m and line[:1].islower():
        first = line.split(" ", 1)[0].strip(",.;:")
        if first.lower() in _KEEP_HYPHEN_BEFORE:
            return prev + " " + line
        return prev[:-1] + line
    return prev + " " + line


_FUNCTION_WORDS = {"de", "het", "een", "van", "met", "en", "of", "door", "voor", "bij", "naar", "in", "op", "aan",
                   "dat", "die", "te", "om", "tot", "als", "zoals", "over", "onder", "tussen", "uit", "is", "zijn",
                   "wordt", "worden", "heeft", "hebben", "kan", "kunnen", "moet", "moeten", "maar", "want", "dus",
                   "omdat", "waar", "wat", "wie", "zij", "we", "wij", "ze", "er", "ook", "nog", "niet", "geen",
                   "via", "per", "zonder", "tegen", "na", "sinds", "binnen", "buiten", "naast", "rond", "dan",
                   "wanneer", "terwijl", "zodat", "hun", "haar", "ons", "onze", "deze", "dit", "welke", "steeds",
                   "meer", "minder", "veel", "weinig", "vaak", "the", "and", "of", "to", "a"}
WRAP_WIDTH = 60  # a line at least this long that stops mid-sentence looks hard-wrapped


def _continues(prev_line: str, line: str) -> bool:
    """True when ``line`` continues the sentence that the previous physical line ``prev_line`` broke off."""
    if line[:1].islower() or line[:1] in ",;)":
        return True
    if _SENTENCE_END.search(prev_line):
        return False
    if prev_line.endswith((",", "-")):
        return True
    last = prev_line.rsplit(" ", 1)[-1].lower()
    return last in _FUNCTION_WORDS or len(prev_line) >= WRAP_WIDTH


def text_blocks(lines: Iterable[str], markdown: bool = False,
                max_chars: int = MAX_CHARS) -> Iterator[tuple[int, str, dict[str, str]]]:
    """Group raw lines into statements: yields (first line number, text, extra fields)."""
    heading = ""
    buf: str | None = None
    buf_line = 0
    buf_extra: dict[str, str] = {}
    last_line = ""
    in_fence = False

    def flush():
        nonlocal buf
        out = (buf_line, buf, buf_extra) if buf and buf.strip() else None
        buf = None
        return out

    for number, raw in enumerate(lines, start=1):
        line = clean(raw)
        if markdown and line.startswith("```"):
            in_fence = not in_fence
            continue
        if not line or (markdown and (in_fence or re.fullmatch(r"[-*_=]{3,}", line))):
            if (done := flush()) is not None:
                yield done
            continue
        if markdown and (hm := _MD_HEADING.match(raw)):
            if (done := flush()) is not None:
                yield done
            heading = clean(hm.group(1))
            continue
        speaker = ""
        bullet = _BULLET.match(line)
        if bullet:
            line = line[bullet.end():]
        sm = _SPEAKER.match(line)
        if sm:
            speaker = clean(sm.group("name"))
            line = line[sm.end():]
        else:
            tm = _TIMESTAMP.match(line)
            if tm:
                line = line[tm.end():]
        if not line:
            continue
        new = bullet or sm or buf is None or not _continues(last_line, line)
        last_line = line
        if new:
            if (done := flush()) is not None:
                yield done
            buf, buf_line = line, number
            buf_extra = {"heading": heading, "speaker": speaker}
        else:
            buf = _join(buf, line)
        if len(buf) > max_chars:  # keep memory flat on a paragraph without any break
            yield buf_line, buf, buf_extra
            buf = None
    if (done := flush()) is not None:
        yield done


# ---------------------------------------------------------------- per format

def _read_text(path: Path, warn: Warn, max_chars: int) -> Iterator[tuple[int, str, dict[str, str]]]:
    markdown = path.suffix.lower() in {".md", ".markdown"}
    with _open_text(path, warn) as fh:
        yield from text_blocks((ln.rstrip("\r\n") for ln in fh), markdown=markdown, max_chars=max_chars)


def _read_docx(path: Path, warn: Warn, max_chars: int) -> Iterator[tuple[int, str, dict[str, str]]]:
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadError("python-docx is not installed (pip install python-docx)") from None
    check_zip(path, error=ReadError)  # a decompression bomb is refused before python-docx unpacks it
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReadError(f"not a valid .docx file ({exc.__class__.__name__})") from None
    except Exception as exc:  # noqa: BLE001 - lxml and zip errors of a damaged package
        raise ReadError(f"cannot read .docx file ({exc.__class__.__name__})") from None
    heading = ""
    for number, par in enumerate(document.paragraphs, start=1):
        text = clean(par.text)
        if not text:
            continue
        style = (par.style.name if par.style is not None else "") or ""
        if style.lower().startswith(("heading", "kop", "title", "titel")):
            heading = text
            continue
        speaker = ""
        sm = _SPEAKER.match(text)
        if sm:
            speaker, text = clean(sm.group("name")), text[sm.end():]
        yield number, text, {"heading": heading, "speaker": speaker}


def _pick_column(header: list[str], column: str | None) -> int:
    """Index of the text column: ``column`` (case-insensitive) or the first of :data:`TEXT_COLUMNS`."""
    lowered = [h.strip().lower() for h in header]
    if column is not None:
        if column.strip().lower() in lowered:
            return lowered.index(column.strip().lower())
        raise ReadError(f"no column {column!r} (columns: {', '.join(h for h in header if h) or 'none'})")
    for name in TEXT_COLUMNS:
        if name in lowered:
            return lowered.index(name)
    raise ReadError(f"no text column: name one with --column (columns: {', '.join(h for h in header if h) or 'none'})")


def _header_names(row: Iterable) -> list[str]:
    """Header cells as strings, with names for empty cells."""
    return [str(c).strip() if c is not None and str(c).strip() else f"column{i + 1}" for i, c in enumerate(row)]


def _cell(value) -> str:
    """A cell value as text (numbers without a trailing ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(header: list[str], col: int, rows: Iterable[tuple[int, list]]) -> Iterator[tuple[int, str, dict[str, str]]]:
    for number, row in rows:
        cells = list(row) + [None] * (len(header) - len(row))
        text = clean(_cell(cells[col]))
        extra = {h: _cell(v) for i, (h, v) in enumerate(zip(header, cells)) if i != col}
        yield number, text, extra


def _csv_dialect(sample: str):
    """The CSV dialect of a file that starts with ``sample``."""
    try:
        # the delimiter is guessed from the header line: statements may hold tabs or semicolons
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample.strip() else sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    if dialect.quotechar != '"' or not dialect.doublequote:
        # the Sniffer can take the ' of our formula guard ('=x, see writers.safe_cell) for a quote
        # character; spreadsheets and our writer quote fields with " (doubled inside a field)
        dialect.quotechar, dialect.doublequote = '"', True
    return dialect


def csv_columns(path: str | Path) -> list[str]:
    """The column names of a .csv file as :func:`read_statements` names them ([] for an empty header)."""
    with _open_text(Path(path), _ignore) as fh:
        first = fh.readline()
    header = next(csv.reader([first], _csv_dialect(first)), [])
    return _header_names([unguard_cell(h) for h in header]) if any(h.strip() for h in header) else []


def _read_csv(path: Path, warn: Warn, column: str | None) -> Iterator[tuple[int, str, dict[str, str]]]:
    with _open_text(path, warn) as fh:
        sample = fh.read(8192)
        fh.seek(0)
        dialect = _csv_dialect(sample)
        reader = csv.reader(fh, dialect)
        csv.field_size_limit(max(csv.field_size_limit(), 1 << 27))
        try:
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                raise ReadError("no header row")
            header = _header_names([unguard_cell(h) for h in header])
            col = _pick_column(header, column)
            yield from _rows(header, col, ((reader.line_num, [unguard_cell(c) for c in r]) for r in reader))
        except csv.Error as exc:
            raise ReadError(f"malformed CSV at line {reader.line_num}: {exc}") from None


def _read_xlsx(path: Path, warn: Warn, column: str | None) -> Iterator[tuple[int, str, dict[str, str]]]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadError("openpyxl is not installed (pip install openpyxl)") from None
    check_zip(path, error=ReadError)  # a decompression bomb is refused before openpyxl unpacks it
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors of a damaged workbook
        raise ReadError(f"not a valid .xlsx file ({exc.__class__.__name__})") from None
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise ReadError("workbook has no sheets")
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(c is not None and str(c).strip() for c in header):
            raise ReadError("no header row in the first sheet")
        header = _header_names(header)
        col = _pick_column(header, column)
        yield from _rows(header, col, enumerate(rows, start=2))
    finally:
        wb.close()


def _read_jsonl(path: Path, warn: Warn, column: str | None) -> Iterator[tuple[int, str, dict[str, str]]]:
    key = column or "text"
    bad = 0
    with _open_text(path, warn) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                if bad == 1:
                    warn(f"line {number}: not valid JSON, skipped")
                continue
            if not isinstance(record, dict):
                bad += 1
                if bad == 1:
                    warn(f"line {number}: not a JSON object, skipped")
                continue
            if key not in record:
                raise ReadError(f"line {number}: no field {key!r}" + ("" if column else " (choose one with --column)"))
            text = record[key]
            extra = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                     for k, v in record.items() if k != key}
            yield number, clean(text if isinstance(text, str) else _cell(text)), extra
    if bad > 1:
        warn(f"{bad} lines were not JSON objects and were skipped")


# ---------------------------------------------------------------- public API

def read_statements(path: str | Path, *, column: str | None = None, split: str = "paragraph",
                    max_chars: int = MAX_CHARS, warn: Warn | None = None,
                    source: str | None = None) -> Iterator[Statement]:
    """Yield the statements of one file lazily; raises :class:`ReadError` for an unusable file."""
    path = Path(path)
    warn = warn or _ignore
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    check_input(path)
    suffix = path.suffix.lower()
    source = source if source is not None else str(path)
    try:
        if suffix in TEXT_SUFFIXES:
            blocks = _read_text(path, warn, max_chars)
        elif suffix == ".docx":
            blocks = _read_docx(path, warn, max_chars)
        elif suffix == ".csv":
            blocks = _read_csv(path, warn, column)
        elif suffix == ".xlsx":
            blocks = _read_xlsx(path, warn, column)
        else:
            blocks = _read_jsonl(path, warn, column)
        long_pieces = 0
        any_text = False
        for position, text, extra in blocks:
            if not text:
                continue  # an empty statement is skipped
            pieces = split_sentences(text) if split == "sentence" else [text]
            for piece in pieces:
                chunks = split_long(piece, max_chars) if len(piece) > max_chars else [piece]
                if len(chunks) > 1:
                    long_pieces += 1
                    if long_pieces == 1:
                        warn(f"statement at position {position} is {len(piece):,} characters long; "
                             f"split into pieces of at most {max_chars:,}")
                for chunk in chunks:
                    any_text = True
                    yield Statement(source, position, chunk, extra)
        if long_pieces > 1:
            warn(f"{long_pieces} over-long statements were split into pieces of at most {max_chars:,} characters")
        if not any_text:
            raise ReadError("no statements found (the file holds no text)")
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None


def extra_fields(path: str | Path, column: str | None = None) -> list[str]:
    """The extra field names the statements of ``path`` will carry (for a fixed output header); [] if unknown."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        check_input(path)
        if suffix in TEXT_SUFFIXES or suffix == ".docx":
            return list(TEXT_EXTRAS)
        if suffix in {".csv", ".xlsx"}:
            reader = _read_csv(path, _ignore, column) if suffix == ".csv" else _read_xlsx(path, _ignore, column)
            try:
                for _pos, _text, extra in reader:
                    return list(extra)
            finally:
                reader.close()
            return []
        keys: dict[str, None] = {}
        key = column or "text"
        with _open_text(path, _ignore) as fh:
            for i, line in enumerate(fh):
                if i >= 1000:
                    break
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    keys.update((k, None) for k in record if k != key)
        return list(keys)
    except (ReadError, OSError):
        return []
