"""Reading statements from notes and transcripts, lazily: .txt/.md, .docx/.odt/.pdf/.pptx, .vtt/.srt, .csv, .xlsx
and .jsonl.

Every reader yields :class:`Statement` objects one at a time, so a big file is never held whole.
A problem that makes a file unusable raises :class:`ReadError` with a one-line message; smaller
problems (a Windows-1252 file, an over-long statement) go to the ``warn`` callback.

Text files (.txt, .md) are split into one statement per paragraph, bullet or line:

* a blank line, a bullet (``-``, ``*``, ``•``, ``–``, ``1.``, ``1)``, and an indented ``o``: Word's second level), a speaker label
  (``Voorzitter:``, ``Jan de Vries (NLA):``, ``Jan [NLA]:``, ``Jan - NLA:``, ``Spreker 1:``, an optional
  ``[00:12:31]`` timestamp first) or a Markdown heading starts a new statement;
* a line that holds only a speaker (``Spreker 1 00:00:05``, ``Sanne de Vries   0:03``: Word's and Teams'
  transcripts) is no statement: its speaker is the speaker of the lines below it, until the next one
  (:func:`speaker_line`); the lines below an inline label in its paragraph are that speaker's turn too;
* a line that ends in a word broken with a hyphen (``mensen-`` + ``handel``) is rejoined without
  the hyphen (kept before ``en``/``of``: ``Wet- en regelgeving``);
* a line that continues a sentence is rejoined with a space: it starts in lower case, or the line
  before stops mid-sentence (no closing ``.``, ``!``, ``?``, ``:`` or ``;``) after a comma or a function
  word (``de``, ``van``, ``met`` ...), or, for a line that starts with a capital or a digit, the text is
  wrapped at a fixed width (:func:`wrap_width`) and the line before is full (a line starting otherwise:
  the line before is >= 60 characters); otherwise each line is its own statement (so unpunctuated
  one-line notes stay apart, however long).

Markdown headings are not statements: their text is carried in the ``heading`` extra field (so is a caption
that names a chapter, ``Knelpunten:``, for the lines below it up to a blank line: :func:`chapter_caption`), and a
speaker label moves from the text to the ``speaker`` field (a meta label such as ``Datum:``,
``Aanwezig:`` or ``Notulist:`` never does). Every statement gets a ``kind``: ``statement``, ``meta`` or
``chatter`` (:mod:`mh_nlp.io.kinds`). Word tables, workbooks (every sheet not hidden, the header row found below
a title, merged and formula cells) and UTF-16/32 text are read as described at their readers; a
cell or row that cannot be read is counted in a warning, never dropped silently. Statements longer than
:data:`MAX_CHARS` characters (e.g. a 1 MB line) are split into chunks of at most that size, at a
sentence end or a space where possible, with one warning per file.
"""
from __future__ import annotations

import codecs
import contextvars
import csv
import collections
import itertools
import json
import math
import os
import re
import stat
import struct
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from defusedxml import DefusedXmlException

from mh_nlp.corpus.jsonl import CONTROL_CHARS, has_words
from mh_nlp.io.kinds import UPPER, chairs, kind_of, names_only, speaker_label
from mh_nlp.io import safezip
from mh_nlp.io.safezip import check_zip
from mh_nlp.io.writers import unguard_cell
from mh_nlp.exceptions import ReadError, TooBig  # noqa: F401 - defined with every mh-nlp error

MAX_CHARS = 10_000  # longest statement passed to the classifier; longer ones are split
TEXT_COLUMNS = ("text", "tekst", "statement", "uitspraak")  # default text column, in this order
TITLE_LINES = 3  # a title above a table: at most this many lines
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
SUBTITLE_SUFFIXES = {".vtt", ".srt"}  # timed transcripts: Teams, Zoom and transcription software
# the same Office Open XML packages as .docx, .xlsx and .pptx with macros (never run: only the XML parts are read), or
# as a template or slide show: read as those are (QA 45b)
OOXML_VARIANTS = {".docm": ".docx", ".dotx": ".docx", ".dotm": ".docx", ".xlsm": ".xlsx", ".xltx": ".xlsx",
                  ".xltm": ".xlsx", ".pptm": ".pptx", ".potx": ".pptx", ".potm": ".pptx", ".ppsx": ".pptx",
                  ".ppsm": ".pptx"}
DOCUMENT_SUFFIXES = {".docx", ".odt", ".pdf", ".pptx"}  # documents: paragraphs (lines in a PDF), headings, tables
TABLE_SUFFIXES = {".csv", ".xlsx", ".jsonl"}  # tables: one statement per row (a record of .jsonl), other columns carried
DOCUMENT_SUFFIXES |= {v for v, base in OOXML_VARIANTS.items() if base in DOCUMENT_SUFFIXES}
TABLE_SUFFIXES |= {v for v, base in OOXML_VARIANTS.items() if base in TABLE_SUFFIXES}
SUFFIXES = TEXT_SUFFIXES | SUBTITLE_SUFFIXES | DOCUMENT_SUFFIXES | TABLE_SUFFIXES
SUFFIX_LIST = ", ".join(sorted(SUFFIXES - set(OOXML_VARIANTS)))  # the types named in messages (.docm is a .docx)
PACKAGE_SUFFIXES = {".docx", ".odt", ".pptx", ".xlsx", *OOXML_VARIANTS}  # zip packages: checked for bombs first
TEXT_EXTRAS = ("heading", "speaker")  # extra fields of .txt/.md/.docx/.odt/.pdf/.pptx/.vtt/.srt statements
SPLITS = ("paragraph", "sentence")
SAVE_AS = {  # what to do with a file type analysts often have that is not read
    ".doc": "an old Word document: save it as .docx (Word or LibreOffice: Save as)",
    ".rtf": "save it as .docx (Word or LibreOffice: Save as)",
    ".xls": "an old Excel workbook: save it as .xlsx",
    ".ods": "save it as .xlsx or .csv (LibreOffice Calc: Save as)",
    ".ppt": "an old PowerPoint deck: save it as .pptx",
    ".odp": "save it as .pptx (LibreOffice Impress: Save as)",
    ".msg": "an e-mail: save its text as .txt",
    ".eml": "an e-mail: save its text as .txt",
    ".htm": "a web page: save its text as .txt",
    ".html": "a web page: save its text as .txt",
}

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Statement:
    """One statement: its file, position (line, paragraph or row number; ``table T row R`` in a Word
    table), text and carried-through fields."""

    source: str
    position: int | str
    text: str
    extra: dict[str, str] = field(default_factory=dict)
    kind: str = "statement"  # or "meta" / "chatter": not a statement, never labelled (mh_nlp.io.kinds)

    @property
    def heading(self) -> str | None:
        """The heading it stands under (Markdown and Word headings), or None."""
        return (self.extra or {}).get("heading") or None


def reads_as(suffix: str) -> str:
    """The type a file of ``suffix`` (lower case) is read as: ``.xlsx`` for ``.xlsm``, itself for most."""
    return OOXML_VARIANTS.get(suffix, suffix)


def _ignore(_msg: str) -> None:
    """Default warning sink: drop the message."""


FEW_ROWS = 5  # numbers a warning names before " ..."


def _first_few(numbers: Iterable[int | str], few: int = FEW_ROWS) -> str:
    """``3, 7, 12`` for a warning: the first ``few`` numbers (page, slide, row), `` ...`` when there are more."""
    numbers = list(numbers)
    return ", ".join(str(n) for n in numbers[:few]) + (" ..." if len(numbers) > few else "")


# ---------------------------------------------------------------- checks and decoding

def notes_in_folder(folder: Path, exclude: Sequence[Path | None] = ()
                    ) -> tuple[list[Path], dict[str, int], list[Path]]:
    """The files of ``folder`` and its subfolders that can be read (:data:`SUFFIXES`), by path; how many files
    were left out, by reason: ``hidden`` (in a hidden file or folder, ``.git``), ``owner file`` (Word's and Excel's
    ``~$verslag.docx`` beside an open document), ``other type`` (``.jpg``; ``.doc`` and the other types of
    :data:`SAVE_AS` by their suffix, so that the warning can say what to do), ``broken link`` (a symbolic link
    to nothing), ``output`` (the paths of ``exclude``: the run's own output), ``earlier mh-nlp output`` (a
    table with the columns of `mh-nlp label`'s output, :func:`is_labels_output`: labelling it again would count
    its statements twice) and ``mh-nlp report`` (a Markdown overview or evaluation it wrote, :func:`is_report`);
    and the subfolders that could not be read (their notes are missing from the run, so
    they count as inputs that failed). Symbolic links to folders are not followed (a link can lead back up, or to
    another user's files): each counts as ``linked folder``."""
    skip = {Path(p).resolve() for p in exclude if p is not None}
    found: list[Path] = []
    left: dict[str, int] = {}
    unreadable: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=lambda exc: unreadable.append(Path(exc.filename))):
        dirs.sort()
        for name in dirs:  # os.walk lists a link to a folder among the folders and does not go in: say so (QA 45a)
            if Path(root, name).is_symlink():
                hidden = any(part.startswith(".") for part in Path(root, name).relative_to(folder).parts)
                reason = "hidden" if hidden else "linked folder"
                left[reason] = left.get(reason, 0) + 1
        for name in files:
            path = Path(root, name)
            rel = path.relative_to(folder).parts
            suffix = path.suffix.lower()
            reason = ("hidden" if any(part.startswith(".") for part in rel) else
                      "owner file" if rel[-1].startswith("~$") else
                      suffix if suffix in SAVE_AS else
                      "other type" if suffix not in SUFFIXES else
                      "broken link" if not path.exists() else
                      "output" if path.resolve() in skip else
                      "earlier mh-nlp output" if suffix in TABLE_SUFFIXES and is_labels_output(path) else
                      "mh-nlp report" if suffix == ".md" and is_report(path) else None)
            if reason:
                left[reason] = left.get(reason, 0) + 1
            else:
                found.append(path)
    hidden = [d for d in unreadable if any(part.startswith(".") for part in d.relative_to(folder).parts)]
    unreadable = [d for d in unreadable if d not in hidden]
    if hidden:
        left["hidden"] = left.get("hidden", 0) + len(hidden)
    return (sorted(found, key=lambda p: [part.lower() for part in p.relative_to(folder).parts]), left,
            sorted(unreadable))


LABELS_OUTPUT_COLUMNS = {"source", "position", "kind", "section", "confidence"}  # beside the text, `statement`


# the first line of mh-nlp's Markdown reports: `label --summary` (and `demo`), `evaluate` (tests/unit check that the
# writers still begin so)
REPORT_TITLES = ("# Theme overview", "# Evaluation of the theme model")


def is_report(path: Path) -> bool:
    """Whether the Markdown file ``path`` is a report mh-nlp wrote (its first line is one of
    :data:`REPORT_TITLES`): an overview of an earlier run is not a note (QA 43b: its table lines were labelled)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline().strip()
    except OSError:
        return False
    return first in REPORT_TITLES


def is_labels_output(path: Path) -> bool:
    """Whether the table ``path`` is an output of `mh-nlp label` (or the review screen's export): its columns
    besides the text include :data:`LABELS_OUTPUT_COLUMNS`. A file that cannot be read is not (it fails later as
    an input, with its reason)."""
    return LABELS_OUTPUT_COLUMNS <= {f.lower() for f in extra_fields(path)}


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: an old Office file, or a password-protected new one
OLE_DIRECTORY_SECTORS = 64  # sectors of a compound file's directory searched for a stream's name (4 or 32 names each)
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def password_protected(path: Path) -> bool:
    """Whether ``path`` is a .docx, .xlsx or .pptx that Office saved with a password: not a zip package then, but an
    OLE compound file whose directory names the streams ``EncryptionInfo`` and ``EncryptedPackage`` (an old .doc
    has ``WordDocument`` instead). The directory's sectors are followed from the file's header through the allocation
    table (at most :data:`OLE_DIRECTORY_SECTORS` of them, and as many sectors listing the table's): no file is read
    whole, and a name in a stream's contents is not taken for a stream."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(512)
            if len(header) < 512 or not header.startswith(_OLE):
                return False
            shift, = struct.unpack_from("<H", header, 0x1E)
            if shift not in (9, 12):  # sectors of 512 or 4096 bytes: nothing else is a compound file
                return False
            size = 1 << shift
            sector, = struct.unpack_from("<I", header, 0x30)
            fat = list(struct.unpack_from("<109I", header, 0x4C))  # where the allocation table's sectors are
            more, listing = struct.unpack_from("<II", header, 0x44)  # ... past the first 109: in sectors of their own
            for _ in range(min(listing, OLE_DIRECTORY_SECTORS)):  # (a file of more than 7 MB in sectors of 512 bytes)
                if more >= 0xFFFFFFFA:
                    break
                fh.seek((more + 1) * size)
                listed = fh.read(size)
                if len(listed) < size:
                    break
                *places, more = struct.unpack(f"<{size // 4}I", listed)
                fat += places
            for _ in range(OLE_DIRECTORY_SECTORS):
                if sector >= 0xFFFFFFFA:  # end of the chain (or free, or a special sector)
                    return False
                fh.seek((sector + 1) * size)
                data = fh.read(size)
                for at in range(0, len(data) - 127, 128):  # entries of 128 bytes: a name of 32 UTF-16 characters first
                    length, = struct.unpack_from("<H", data, at + 64)  # the name's length in bytes, with its NUL
                    if length == len(_ENCRYPTED_PACKAGE) + 2 and data[at:at + length - 2] == _ENCRYPTED_PACKAGE:
                        return True
                index, slot = divmod(sector, size // 4)
                if index >= len(fat) or fat[index] >= 0xFFFFFFFA:
                    return False
                fh.seek((fat[index] + 1) * size + slot * 4)
                following = fh.read(4)
                if len(following) < 4:
                    return False
                sector, = struct.unpack("<I", following)
    except OSError:
        return False
    return False


_PROTECTED_KINDS = {".docx": "document", ".xlsx": "workbook", ".pptx": "presentation"}


def _not_opened(path: Path, suffix: str) -> ReadError:
    """The error for a .docx, .xlsx or .pptx its reader could not open: protected by a password (as the PDF reader
    says it: saved again as it is, it keeps the password), else what the file is (:func:`what_it_is`)."""
    if password_protected(path):
        return ReadError(f"the {_PROTECTED_KINDS.get(reads_as(suffix), 'document')} is protected by a password; "
                         "save a copy without one")
    return ReadError(f"not a valid {suffix} file ({what_it_is(path, suffix)})")


_SIGNATURES = ((b"%PDF", ".pdf", "a PDF: rename it .pdf"),
               (b"\xd0\xcf\x11\xe0", "", "an old Office file (.doc, .xls, .ppt): save it as .docx, .xlsx or .pptx"),
               (b"{\\rtf", "", "an RTF file: save it as .docx"))


def what_it_is(path: Path, suffix: str) -> str:
    """Why a file named ``suffix`` could not be read as one, in words: what its first bytes say it is (a PDF, an
    old Office file, plain text, another zip package) or that it is damaged."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return "it cannot be read"
    if head.startswith(_OLE) and password_protected(path):
        return "it is an Office document protected by a password: save a copy without one, as .docx, .xlsx or .pptx"
    for magic, its_suffix, what in _SIGNATURES:
        if head.startswith(magic):
            return f"it is {what}" if its_suffix != suffix else "damaged: it starts as one, and then is not"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        for part, kind, its_suffix in (("word/document.xml", "a Word document", ".docx"),
                                       ("xl/workbook.xml", "an Excel workbook", ".xlsx"),
                                       ("ppt/presentation.xml", "a PowerPoint deck", ".pptx")):
            if part in names and its_suffix != reads_as(suffix):
                return f"it is {kind}: rename it {its_suffix}"
        return f"a zip package, but no valid {suffix}: damaged, or another kind of package"
    if b"\x00" not in head:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = head[:exc.start].decode("utf-8") if exc.start > len(head) - 4 else None  # a character cut off
        if text is not None:
            return "it is " + _text_kind(text)
    return "damaged, or a file of another kind"


def _text_kind(text: str) -> str:
    """What a text file is, for the advice of :func:`what_it_is`: a web page, JSON lines, a table, or plain text.
    A table: its first lines (two or more) split, as CSV with quoted cells, into the same number of cells (two or
    more) by one delimiter, and its first line is short cells (a header), not prose."""
    start = text.lstrip("\ufeff \r\n\t").lower()
    if start.startswith(("<!doctype html", "<html")) or "<html" in start[:500]:
        return "a web page (HTML): a download that did not work (a login page?); save the document itself"
    lines = [ln for ln in text.lstrip("\ufeff").splitlines()[:6] if ln.strip()]
    if lines and all(ln.lstrip().startswith("{") and ln.rstrip().endswith("}") for ln in lines[:3]):
        return "JSON lines: rename it .jsonl"
    if len(lines) >= 2:
        for d in _DELIMITERS:
            try:
                rows = list(csv.reader(lines[:-1] if len(lines) > 3 else lines, delimiter=d))  # the last may be cut
            except csv.Error:
                continue
            widths = {len(r) for r in rows}
            if len(widths) == 1 and widths.pop() >= 2 and all(len(c.split()) <= 4 for c in rows[0]):
                return "a table (CSV): rename it .csv"
    return "plain text: rename it .txt"


def check_input(path: Path) -> None:
    """Raise :class:`ReadError` when ``path`` is missing, a directory, empty or of an unsupported type."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise ReadError("no such file") from None
    except OSError as exc:  # in a folder that cannot be searched: Permission denied
        raise ReadError(exc.strerror or str(exc)) from None
    if stat.S_ISDIR(mode):
        raise ReadError("is a directory, not a file")
    if not stat.S_ISREG(mode):  # reading a named pipe would wait for a writer
        raise ReadError("not a regular file (a named pipe, socket or device)")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = f"; {SAVE_AS[suffix]}" if suffix in SAVE_AS else ""
        raise ReadError(f"unsupported file type {suffix or '(no extension)'!r}{hint} (use {SUFFIX_LIST})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None
    if size == 0:
        raise ReadError("empty file")


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: FF FE 00 00
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when ``head`` looks like BOM-less UTF-16 text (zero bytes on every other
    position, as Latin-script text has), else None."""
    n = len(head) // 2 * 2
    if n < 4:
        return None
    even, odd = head[0:n:2], head[1:n:2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd >= 0.3 and zeros_even <= 0.05:
        encoding = "utf-16-le"
    elif zeros_even >= 0.3 and zeros_odd <= 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        head[:n].decode(encoding)
    except UnicodeDecodeError:
        try:  # the sample may end inside a surrogate pair
            head[:n - 2].decode(encoding)
        except UnicodeDecodeError:
            return None
    return encoding


def wide_encoding(head: bytes) -> str | None:
    """UTF-32/UTF-16 by a byte-order mark or by the zero bytes of BOM-less UTF-16 at the start of a text, else None
    (standard input, where :func:`detect_encoding` cannot read a file)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return _utf16_without_bom(head[:8192]) if b"\x00" in head[:8192] else None


NUL_TOLERATED = 16  # stray NUL bytes in an otherwise valid UTF-8 text (an export tool's leftover): read as spaces
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")  # beside a NUL: binary data, not a stray byte


def looks_binary(data: bytes) -> bool:
    """True for bytes that are binary data: zero bytes beyond a few stray ones (:data:`NUL_TOLERATED`), or any
    beside other control bytes or bytes that are no UTF-8 (a cut-off character at the end aside)."""
    if b"\x00" not in data:
        return False
    if data.count(b"\x00") > NUL_TOLERATED or _CONTROL_BYTES.search(data):
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data)  # not final: a chunk may end inside a character
    except UnicodeDecodeError:
        return True
    return False


def _nul_padding(fh, size: int, block: int = 1 << 16) -> int:
    """How many NUL bytes end the open binary file ``fh`` of ``size`` bytes (0 if its last byte is none)."""
    run, end = 0, size
    while end > 0:
        start = max(0, end - block)
        fh.seek(start)
        chunk = fh.read(end - start)
        kept = chunk.rstrip(b"\x00")
        run += len(chunk) - len(kept)
        if kept:
            break
        end = start
    fh.seek(0)
    return run


def detect_encoding(path: Path, chunk_size: int = 1 << 16, nuls: list[int] | None = None,
                    padding: list[int] | None = None) -> str:
    """The encoding of a text file: ``utf-32``/``utf-16`` by their byte-order mark, BOM-less UTF-16 by its
    zero bytes (``utf-16-le``/``utf-16-be``), ``utf-8-sig`` when the whole file is valid UTF-8 (with or
    without BOM), else ``cp1252``. Zero (NUL) bytes make it binary (ReadError), except a few
    (:data:`NUL_TOLERATED`) in a text that is valid UTF-8 and free of other control bytes otherwise (QA 45a: one
    stray byte refused a 101-line note): their offsets go into ``nuls``, and the text is read with them as spaces.
    A run of NUL bytes that ends a text file (an editor or a copy that padded the file, QA 45c R8: 200 of them
    refused a note) is padding, not binary data: the text before it is judged alone, and the run's length goes into
    ``padding`` (read as spaces, like a stray NUL, so it adds nothing). A file of NUL bytes only is binary."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    found: list[int] = []

    def binary() -> ReadError:
        if found[0] < 8192:
            what = what_it_is(path, path.suffix.lower())  # a Word document named .txt: say so
            return ReadError("binary file, not text" + (f" ({what})" if what.startswith("it is") else ""))
        return ReadError(f"binary data (a NUL byte) at byte {found[0]:,}, not text")

    with open(path, "rb") as fh:
        wide = wide_encoding(fh.read(8192))  # told by its first bytes (its zero bytes are its own: no padding)
        if wide:
            return wide
        size = os.fstat(fh.fileno()).st_size
        pad = _nul_padding(fh, size)
        if pad == size:
            pad = 0  # nothing but NUL bytes: binary, found below
        at, limit = 0, size - pad
        while at < limit and (chunk := fh.read(min(chunk_size, limit - at))):
            start = chunk.find(b"\x00")
            while start >= 0 and len(found) <= NUL_TOLERATED:
                found.append(at + start)
                start = chunk.find(b"\x00", start + 1)
            at += len(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if found and (not utf8 or len(found) > NUL_TOLERATED or _CONTROL_BYTES.search(chunk)):
                raise binary()  # binary data: no need to read on
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if found and not utf8:
        raise binary()
    if nuls is not None:
        nuls.extend(found)
    if padding is not None and pad:
        padding.append(pad)
    return "utf-8-sig" if utf8 else "cp1252"


def _open_text(path: Path, warn: Warn):
    """Open a text file with the detected encoding, warning when it is not UTF-8."""
    nuls: list[int] = []
    padding: list[int] = []
    encoding = detect_encoding(path, nuls=nuls, padding=padding)
    if padding:
        warn(f"the file ends in {padding[0]:,} NUL byte{'s' if padding[0] != 1 else ''} (binary zero, padding): left out")
    if nuls:
        warn(f"{len(nuls)} NUL byte{'s' if len(nuls) != 1 else ''} (binary zero) in the text, at byte "
             f"{', '.join(f'{n:,}' for n in nuls[:3])}{' …' if len(nuls) > 3 else ''}: read as spaces")
    if encoding == "cp1252":
        warn("not UTF-8; read as Windows-1252 (cp1252)")
    elif encoding in ("utf-16-le", "utf-16-be"):
        warn(f"no byte-order mark; read as UTF-16 ({'little' if encoding.endswith('le') else 'big'}-endian)")
    # cp1252 leaves five bytes undefined: replace them rather than fail on one stray byte
    return open(path, encoding=encoding, errors="replace", newline="")


# ---------------------------------------------------------------- text handling

_WS = re.compile(r"\s+")
# a bullet: the usual signs, and the Symbol and Wingdings bullets that Word's lists leave in a PDF's text or a
# copy (private use characters U+F000-U+F0FF, e.g. U+F0B7), or a list number
_BULLET = re.compile(r"^\s*(?:[-*+•–—·▪◦○●■□➢►✓✔\uf000-\uf0ff]|\d{1,3}[.)])\s+")
# Word's second-level bullet, a letter "o", as a list pasted into plain text gives it: indented ("    o Subpunt: …",
# QA 44a: it was read as a word that continued the line above)
_SUB_BULLET = re.compile(r"^\s+o\s+(?=\S)")
# a lettered or roman sub-item of a numbered list ("a. …", "b) …", "ii. …"; QA 45b: read as a lower-case word that
# continued the line above): only a letter (or i-xii) with "." or ")" and a space counts, "a" or "i" alone is a word
_LETTER_ITEM = re.compile(r"^(?:[a-z]|ii|iii|iv|vi|vii|viii|ix|xi|xii)[.)]\s+(?=\S)")
# a list's number that is no bullet of :data:`_BULLET`: sub-numbering ("3.1 De stuurgroep …", "3.2. Opvang") before a
# capital, and minutes' "Ad 2. Mededelingen"
_SUB_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){1,2}\.?|(?i:ad)\s+\d{1,2}[.)]?)\s+(?=" + UPPER + ")")
TITLE_WORDS = 5  # a numbered line of at most this many words, without closing punctuation, over text: a title
# finite verbs that make a short numbered line a statement, never a title ("1. Signalen blijven liggen")
_TITLE_VERBS = {"is", "zijn", "was", "waren", "wordt", "worden", "werd", "werden", "heeft", "hebben", "had", "gaat",
                "gaan", "moet", "moeten", "kan", "kunnen", "wil", "willen", "zou", "zouden", "blijft", "blijven",
                "loopt", "lopen", "verloopt", "ontbreekt", "ontbreken", "werkt", "werken", "ziet", "zien", "mist",
                "missen", "stijgt", "stijgen", "daalt", "dalen", "neemt", "nemen", "groeit", "groeien", "ontstaat",
                "krijgt", "krijgen", "doet", "doen", "are", "has", "have", "goes", "works", "needs", "lacks"}
# the label of a list of attendees or agenda items on a line of its own ("Aanwezig:", "Agenda"): the list's lines
# below it are meta (QA 45b: an attendee list's bullets were statements and their names were not pseudonymised)
LIST_LABELS = {"aanwezig", "aanwezigen", "afwezig", "afwezigen", "afgemeld", "afmeldingen", "met kennisgeving afwezig",
               "afwezig met bericht", "deelnemers", "gasten", "present", "attendees", "absent", "apologies",
               "participants", "agenda", "agendapunten",
               # an action list's items: who does what by when (QA 45c: "- [ ] RIEC: voorstel gegevensdeling")
               "actielijst", "acties", "actions", "action items", "to do", "todo"}  # (Actiepunten names chapter 4)
_MD_HEADING = re.compile(r"\s{0,3}#{1,6}\s+(.*)")  # the closing #s are stripped in Python: a pattern
# that also matched them (``(.*?)\s*#*\s*$``) took cubic time on a long run of spaces, "# a" + 4,000 spaces + "b"
_TS = r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?"  # 12:31, [00:12:31], (00:12), 0:03, 00:00:05.120
# the generic labels of transcription software and of our own pseudonyms: Spreker 1, Deelnemer 3, Speaker 2
GENERIC_SPEAKERS = ("spreker", "speaker", "deelnemer", "deelneemster", "respondent", "participant", "geïnterviewde",
                    "interviewee", "interviewer", "persoon")
_NUMBERED = r"(?i:" + "|".join(GENERIC_SPEAKERS) + r")\s+\d{1,3}"
# the particles of Arabic, Berber, Portuguese and other names, and "op" (Dirk-Jan op den Akker), count only before
# the name goes on with a capitalised word, so that "Inzetten op: …" or "Taken bij: …" stay no speaker (QA 52a D1)
# "op" and "uit" only before a Dutch particle ("op den Akker", "Uit de Bogaard"): "Focus op Preventie:" and "Meer op
# Maat:" are captions (QA 52c R1)
_LOOSE_PARTICLES = r"(?:el|al|ben|bin|ibn|abu|bou|ait|von|du|da|di|dos|das|del|la|le)"
_PARTICLE = (rf"(?:van|de|der|den|ten|ter|het|te|in|'t|{_LOOSE_PARTICLES}(?=(?:\s+(?:van|de|der|den|'t))*\s+{UPPER})"
             r"|(?:op|uit)(?=\s+(?:den|de|der|ten|ter|'t|het)\s))")
# a title in small letters before the name ("mevr. Nowak-Lewandowska:", QA 53a D12); "Mevr." is a capitalised word
_SMALL_TITLE = rf"(?:(?:(?:dhr|mevr|mw|mr|dr|drs|ir|prof)\.\s*){{1,3}}(?={UPPER}))"
_WORDS = (rf"(?:{_SMALL_TITLE}?{UPPER}[\w.'’-]*|{_PARTICLE})"
          rf"(?:\s+(?:{UPPER}[\w.'’-]*|{_PARTICLE})){{0,3}}")
_BRACKETS = r"\s*\([^()]{1,40}\)|\s*\[[^\[\]]{1,40}\]"  # Jan (NLA), Jan [NLA]
_AFFILIATION = rf"(?:{_BRACKETS}|\s+[-–]\s+{UPPER}[^:()\[\]]{{0,38}}?)"  # ... or Jan - NLA
_NAME = rf"(?:{_NUMBERED}|{_WORDS}){_AFFILIATION}?"
_SPEAKER = re.compile(rf"^\s*(?:{_TS}\s*)?(?P<name>{_NAME})\s*:\s+(?=\S)")
# a line that holds nothing but a speaker, whose words follow on the next lines (Word's and Teams' transcripts:
# "Spreker 1 00:00:05", "Sanne de Vries   0:03"; "[00:01:05] Jan (NLA)"; "Spreker 2:"; "Jan de Vries (NLA):" with
# its colon, as a wrapped attendee list may hold "Pieter Bakker (politie)" on a line of its own)
_SPEAKER_LINE = re.compile(
    rf"^\s*(?:{_TS}\s+(?P<a>{_NAME})\s*:?|(?P<b>{_NAME})\s+{_TS}|(?P<c>{_NUMBERED}{_AFFILIATION}?)\s*:?"
    rf"|(?P<d>{_WORDS}(?:{_BRACKETS}))\s*:)\s*$")
SPEAKER_AFFILIATION = re.compile(rf"{_AFFILIATION}\s*$")
_TIMESTAMP = re.compile(rf"^\s*{_TS}\s+")
_NAME_TIME = re.compile(rf"\s*{_TS}$")  # "Lotte Visser (00:12)": the time taken for an affiliation (QA 45b)
# a timed cue of Whisper or a subtitle pasted as text: "[00:00.000 --> 00:06.240] …", "00:14:02 --> 00:14:09"
_CUE_RANGE = re.compile(r"^\[?\s*(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\s*-->\s*"
                        r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\s*\]?\s*")
_HYPHEN_END = re.compile(r"(\w)-$")
_KEEP_HYPHEN_BEFORE = {"en", "of", "tot", "noch", "als"}
# a sentence end, also one followed by a footnote marker ("… in Nederland.1", not "versie 2.1") or by a reference in
# brackets ("… stijgt. (casus 1.3)"): QA 45b, a report's paragraphs ending so were joined with the next ones
# a year as a sentence says it ("in 2019", "sinds 2020", "eind 2021"): one with a number after it at a line's end
# holds a footnote's marker; "versie 2023.1" does not (QA 45d S7)
_IN_YEAR = r"(?:in|sinds|tot|vanaf|na|voor|eind|begin|medio|half|dan|jaar|per|t/m)\s+(?:19|20)\d\d"
_SENTENCE_END = re.compile(r"(?:[.!?:;…][\"'”’)\]]*|(?<=[^\W\d_]{2})[.!?…][\"'”’)\]]*\d{1,3}"
                           rf"|\b{_IN_YEAR}\.\d{{1,2}}"  # after a year: "… dan in 2019.1" (QA 45c), not "versie 2023.1"
                           r"|[.!?…][\"'”’)\]]*\s+\([^()]{1,40}\))$")
_ABBREVIATIONS = {"bijv", "bv", "o.a", "d.w.z", "m.b.t", "i.v.m", "t.a.v", "dhr", "mw", "mevr", "mr", "dr",
                  "nr", "etc", "e.d", "e.a", "ca", "z.s.m", "i.p.v", "o.b.v", "t.b.v", "m.n", "resp", "incl",
                  "excl", "art", "jl", "vs", "blz", "evt", "n.a.v", "a.s", "wo", "cf", "zgn"}
# abbreviations that are words or names too ("Jan.", "okt."): a full stop after them ends a sentence before a capital,
# but not before a word in lower case or a number (QA 45c R7, QA 45d S2; :func:`_abbreviation_before_lower`)
_ABBREVIATIONS_BEFORE_LOWER = _ABBREVIATIONS | {
    "proc", "mln", "mld", "mrd", "c.q", "vgl", "max", "min", "ong", "gem", "tel", "prof", "drs", "ing", "ir", "enz",
    "ivm", "t/m", "jan", "feb", "febr", "mrt", "apr", "aug", "sep", "sept", "okt", "nov", "dec", "pag", "hfst",
    "nl", "ma", "di", "vr", "za"}
_NAME_TITLES = {"prof", "drs", "ing", "ir"}  # before a name: "prof. Jansen" (QA 45e T2; "gem." is "gemiddeld" too)
_INITIALISM = re.compile(r"(?:[a-z]\.)+[a-z]")  # "i.s.m", "t.o.v", "e.e.a": single small letters with dots


def _abbreviation_before_lower(word: str) -> bool:
    """True when ``word`` (the last word before a full stop, without it) is an abbreviation where the next word is
    in lower case or a number: a listed one ("nl.", "okt.") or single small letters with dots ("i.s.m."); not an
    acronym ("… door het OM. de IND …"), a particle ("… zelf op."), a number ("1.204.") or an address (QA 45d, 45e)."""
    low = word.lower()
    return (low in _ABBREVIATIONS_BEFORE_LOWER and not word.isupper()) or _INITIALISM.fullmatch(word) is not None


def _title_before_name(word: str) -> bool:
    """True for a title that a name follows ("prof.", "drs.", "ing.", "Ir."; not the bank "ING.")."""
    return word.lower() in _NAME_TITLES and not word.isupper()


# a sentence's end before the next one's first letter or digit, in lower case too ("… media. de NLA …", QA 45c: notes
# typed without capitals); an abbreviation's full stop is no end (split_sentences checks the word before)
_SENT_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[^\W_])")


# the first word of a label that names whom a statement follows, or sums up, never its speaker ("Aldus Jan de Vries:",
# QA 52a D10; "Kortom:", "Ook de NLA:", "Rol van de GGD:", QA 52c R9)
_ATTRIBUTION = {"aldus", "volgens", "zoals", "namens", "kortom", "ook", "dus", "samengevat", "daarnaast", "bovendien",
                "verder", "tenslotte", "vervolgens", "maar", "want", "rol", "focus", "doel", "conclusie", "kern"}


def take_speaker(text: str, match: re.Match | None = None) -> tuple[str, str]:
    """(speaker, text) of a line that may start with a speaker label (``Jan de Vries (NLA): ...``). A meta
    label (``Datum:``, ``Aanwezig:``, ``Notulist:``) or a note label (``Actiepunt:``, ``NB:``) is not a
    speaker: the line is kept whole (see :mod:`mh_nlp.io.kinds`)."""
    match = match or _SPEAKER.match(text)
    if match is None:
        return "", text
    name = clean(match.group("name"))
    if _NAME_TIME.search(name) and _NAME_TIME.sub("", name):  # "Lotte Visser (00:12): …" is Lotte Visser's
        name = _NAME_TIME.sub("", name)
    if not speaker_label(name) or name.split(" ", 1)[0].lower() in _ATTRIBUTION:
        return "", text  # "Aldus Jan de Vries: …", "Volgens Petra: …" name whom a statement follows, not its speaker
    return name, text[match.end():]


def speaker_line(text: str) -> str | None:
    """The speaker of a line that holds nothing but a speaker label, its words on the lines below
    (``Spreker 1 00:00:05``, ``[00:01:05] Jan de Vries``, ``Sanne de Vries (Fier):``), else None. A label with
    neither a timestamp, a number (``Spreker 1``) nor an affiliation (``(NLA)``) is not taken: ``Knelpunten:``
    over a list is a caption, not a speaker; nor is a meta label (``Datum 12:00``)."""
    m = _SPEAKER_LINE.match(text)
    if m is None:
        return None
    name = clean(next(g for g in m.groups() if g))
    if name.endswith(":"):
        name = name[:-1].rstrip()
    bare = SPEAKER_AFFILIATION.sub("", name)
    if not speaker_label(name) or not speaker_label(bare) or kind_of(bare) != "statement":
        return None
    return name


_CAPTION = re.compile(r"^([^:]{1,40}?)\s*:$")


def chapter_caption(line: str) -> str | None:
    """The text of a caption line that names one of the anthology's chapters (``Knelpunten:``, ``Wat gaat
    goed:``, ``Ambities:`` over the points below it), else None. Such a caption is the heading of the lines under
    it (:func:`text_blocks`); a line ending in a colon that names no chapter ("De volgende partijen werken
    samen:") stays a statement."""
    m = _CAPTION.match(line.strip())
    if m is None:
        return None
    from mh_nlp.themes.headings import heading_chapter  # the heading phrases live with the theme model

    return clean(m.group(1)) if heading_chapter(m.group(1)) is not None else None


QUESTION_HEADING_WORDS = 10  # a question on a line of its own up to this long may head what follows


def bare_heading(line: str) -> str | None:
    """The text of a line that is nothing but the name of one of the anthology's chapters, as a heading typed
    without Markdown or a Word heading style (``Knelpunten``, ``2. Ambities``, ``Wat gaat er goed?``), else None.
    Only the name itself counts: ``Problemen met huisvesting`` is a statement, ``- Knelpunten`` a point of a list
    and ``Knelpunten.`` a sentence."""
    text = line.strip()
    if not text or not text[0].isalnum() or text.endswith((".", "!")) or len(text) > 60:
        return None
    from mh_nlp.themes.headings import heading_chapter, question_chapter  # the phrases live with the theme model

    if heading_chapter(text, exact=True) is not None:
        return clean(text.rstrip(":?").strip())
    # a short question of its own that opens a chapter, as notes write down what the table was asked ("Waar lopen
    # we tegenaan?"); not a speaker's question ("Mark: …"), which is what that speaker said, nor one that names its
    # own subject ("Wat zijn de knelpunten bij de NLA?": a statement, QA 48b D3)
    if _chapter_question(text) and not question_subject(text):
        return clean(text)
    return None


def _chapter_question(text: str) -> bool:
    """A short question that opens a chapter ("Waar lopen we tegenaan?", "Wat zijn de knelpunten bij de NLA?"), not a
    speaker's ("Mark: …")."""
    from mh_nlp.themes.headings import question_chapter

    return (text.endswith("?") and len(text.split()) <= QUESTION_HEADING_WORDS and question_chapter(text) is not None
            and not take_speaker(text)[0])


def subject_question(line: str) -> str | None:
    """The text of a question that opens a chapter and names a subject of its own ("Wat zijn de knelpunten bij de
    NLA?", :func:`question_subject`), else None. It is a statement (QA 48b D3), and, as a chair's question in the
    notes, also the heading of the lines under it: the answers keep its chapter as evidence (QA 48c N3)."""
    text = line.strip()
    if not text or not text[0].isalnum() or len(text) > 60 or not _chapter_question(text):
        return None
    return clean(text) if question_subject(text) else None


# the words a chair's question may hold besides what opens a chapter, and say nothing of a subject: "Tot slot: wat
# willen jullie over twee jaar bereikt hebben?", "En wat zien jullie de afgelopen tijd in de praktijk?"
_GENERIC_QUESTION_WORDS = frozenset("""
    de het een en of er nu dan nog wel ook al toch eigenlijk vooral zoal allemaal precies concreet echt nou zo verder
    eerst tot slot als laatste hier daar hierin daarin hierbij daarbij daarnaast in op bij met van voor over aan naar
    uit door om te jullie je jij u we wij ze zij ons onze uw jouw jullie dit dat die deze welke wat waar hoe wie
    waarom wanneer is zijn was waren wordt worden kan kunnen zou zouden wil willen moet moeten gaat gaan heeft hebben
    doen doet afgelopen tijd periode jaar jaren maand maanden week weken komende twee drie vier vijf tien moment
    praktijk regio werk werkveld organisatie dagelijks vandaag straks later toekomst zien ziet merken merkt ervaren
    signaleren horen vinden vindt denken noemen spelen tegenkomen lopen tegenaan
""".split())


def question_subject(question: str) -> list[str]:
    """The words of a question that opens a chapter (:func:`mh_nlp.themes.headings.question_chapter`) which name a
    subject of its own, outside what opens the chapter and :data:`_GENERIC_QUESTION_WORDS`: ``["nla"]`` for "Wat zijn
    de knelpunten bij de NLA?", ``["opvang", "mannen"]`` for "Wat gaat er niet goed bij de opvang van mannen?",
    none for "Waar lopen jullie tegenaan?". Such a question is asked about something: it is a statement, not a
    chapter's heading."""
    from mh_nlp.themes.headings import load_chapter_questions

    text = " ".join(question.lower().split())
    for patterns in load_chapter_questions().values():
        for pattern in patterns:
            text = pattern.sub(" ", text)
    return [w for w in re.findall(r"[^\W\d_]+", text) if w not in _GENERIC_QUESTION_WORDS]


def markdown_heading(line: str) -> str | None:
    """The text of a Markdown heading line (``## Problemen`` -> ``Problemen``), or None for any other line."""
    hm = _MD_HEADING.fullmatch(line[:-1] if line.endswith("\n") else line)
    return clean(hm.group(1).rstrip().rstrip("#")) if hm else None


def clean(text: str) -> str:
    """Collapse runs of whitespace to single spaces and strip the ends; control characters and direction overrides
    (``\x1b``, U+202E, which can make a statement read backwards on a screen) count as whitespace."""
    return _WS.sub(" ", CONTROL_CHARS.sub(" ", text)).strip()


def split_sentences(text: str) -> list[str]:
    """Split a statement into sentences (Dutch abbreviations such as ``bijv.`` and ``o.a.`` do not end one)."""
    out: list[str] = []
    start = 0
    for m in _SENT_BOUNDARY.finditer(text):
        before = text[start:m.start()].rstrip("\"'”’)]")
        word = before.rsplit(" ", 1)[-1].rstrip(".")
        last = word.lower()
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or _title_before_name(word):
            continue
        if not text[m.end():m.end() + 2].lstrip("\"'“‘([")[:1].isupper() and _abbreviation_before_lower(word):
            continue  # "i.s.m. de gemeente", "12 proc. vooral": no sentence starts in lower case after these
        closing = len(m.group()) - len(m.group().lstrip("\"'”’)]"))  # a closing quote or bracket stays with it
        piece = text[start:m.start() + closing].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    joined: list[str] = []  # a reference in brackets after a sentence ("… stijgt. (casus 1.3)") stays with it (QA 45f)
    for piece in out:
        ref = _LEADING_REFERENCE.match(piece)
        if joined and ref and joined[-1].endswith((".", "!", "?", "…")):
            joined[-1] += " " + ref.group()
            piece = piece[ref.end():].strip()
        if piece:
            joined.append(piece)
    return joined


_LEADING_REFERENCE = re.compile(r"\([^()]{1,40}\)[.,;]?(?=\s|$)")  # "(casus 1.3)" before the next sentence


def split_long(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_chars`` characters, at a sentence end or a space if possible.
    Linear in the text's length: it moves an offset instead of copying the rest of the text at every cut (a text
    of 100 MB took minutes that way)."""
    pieces = []
    start, end = 0, len(text)
    while end - start > max_chars:
        window = text[start:start + max_chars]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        if cut > max_chars // 2:
            cut += 1
        else:
            cut = window.rfind(" ")
            if cut < max_chars // 2:
                cut = max_chars
        pieces.append(window[:cut].strip())
        start += cut
        while start < end and text[start].isspace():  # the rest, stripped as a piece is
            start += 1
        if len(pieces) == 1:
            end = len(text.rstrip())
    if not pieces:
        return [text] if text else []
    if start < end:
        pieces.append(text[start:end])
    return [p for p in pieces if p]


def _join(prev: str, line: str) -> str:
    """Rejoin a broken line onto ``prev``: drop a line-end hyphen break, keep the hyphen of a compound before a
    capital (``Noord-`` + ``Limburg``), else join with a space."""
    m = _HYPHEN_END.search(prev)
    if m and line[:1].islower():
        first = line.split(" ", 1)[0].strip(",.;:")
        if first.lower() in _KEEP_HYPHEN_BEFORE:
            return prev + " " + line
        return prev[:-1] + line
    if m and line[:1].isupper():  # a compound of names broken at its own hyphen: "Noord-" + "Limburg" (QA 44b)
        return prev + line
    return prev + " " + line


_FUNCTION_WORDS = {"de", "het", "een", "van", "met", "en", "of", "door", "voor", "bij", "naar", "in", "op", "aan",
                   "dat", "die", "te", "om", "tot", "als", "zoals", "over", "onder", "tussen", "uit", "is", "zijn",
                   "wordt", "worden", "heeft", "hebben", "kan", "kunnen", "moet", "moeten", "maar", "want", "dus",
                   "omdat", "waar", "wat", "wie", "zij", "we", "wij", "ze", "er", "ook", "nog", "niet", "geen",
                   "via", "per", "zonder", "tegen", "na", "sinds", "binnen", "buiten", "naast", "rond", "dan",
                   "wanneer", "terwijl", "zodat", "hun", "haar", "ons", "onze", "deze", "dit", "welke", "steeds",
                   "meer", "minder", "veel", "weinig", "vaak", "the", "and", "of", "to", "a"}
# words that may end a note's line ("Opvang voor mannen: veel te weinig", "Meldingen: steeds meer") though a wrapped
# sentence may break after them too: they join the next line only when the text is wrapped (QA 44b)
_PHRASE_END_WORDS = {"steeds", "meer", "minder", "veel", "weinig", "vaak", "niet", "geen", "ook", "nog",
                     "op", "aan", "uit", "door", "over", "in", "na", "onder"}  # also a verb's particle: "pakt … op"
_GLUE_WORDS = _FUNCTION_WORDS - _PHRASE_END_WORDS  # a line ending in one of these goes on on the next line
# a lead-in that reads as a heading, a question without its mark ("Wat er volgens de gemeente beter kan"), and an
# item that ends in an infinitive ("een ketenregisseur aan te stellen;"), which finishes the sentence above it
_QUESTION_START = re.compile(r"(?:wat|welke|hoe|waar|wie|waarom|wanneer)\b", re.IGNORECASE)
_INFINITIVE_END = re.compile(r"\bte \w+(?:en|ën|n)\b[^\w]*(?:en|of)?\s*$")
LAID_OUT_WIDTH = 60  # a PDF's text is laid out: a line this long broken mid-sentence was wrapped (QA 44d: where no
# width could be measured, "… oud-minister Leen" / "Lenferink adviseerde …" was split)
WRAP_SAMPLE = 200  # first lines of a text on which its wrap width is measured (:func:`wrap_width`)
WRAP_MIN = 40  # a shorter line continued in lower case says nothing of a fixed wrap width (a bullet's second line)
WRAP_FULL = (0.8, 1.25)  # a line this share of the wrap width long is full (the next word did not fit); a longer
# line was not wrapped at that width


def wrap_width(lines: Iterable[str]) -> int | None:
    """The width a text is hard-wrapped at (an e-mail, a PDF's text: sentences broken wherever the line was full):
    the median length of its lines of at least :data:`WRAP_MIN` characters that a lower-case line continues
    mid-sentence, when there are two or more (or one, in a paragraph whose lines but the last are about equally
    long); else None: its lines were typed one by one, as notes are."""
    widths, prev, lengths = [], "", []
    for line in lines:
        line = clean(line)
        if len(prev) >= WRAP_MIN and line[:1].islower() and not _SENTENCE_END.search(prev):
            widths.append(len(prev))
        prev = line
        lengths.append(len(line))
    if len(widths) >= 2:
        return sorted(widths)[len(widths) // 2]
    # one such break in a short paragraph whose lines but the last all fill the same width: a short e-mail
    body = lengths[:-1]
    if widths and len(body) >= 2 and min(body) >= WRAP_FULL[0] * max(body):
        return max(body)
    return None


_BRACKETED = re.compile(r"\([^()]{1,40}\)[.,;]?$")  # "(casus 2.3)" alone on a line: the tail of the sentence above


_FULL_STOP = re.compile(r"[.!?…][\"'”’)\]]*$")  # a sentence's end (not a colon's or semicolon's, after which a list runs on)


def _abbreviated(line: str) -> bool:
    """True when ``line`` ends in an abbreviation's full stop before a word in lower case or a number (``bijv.``,
    ``o.a.``, ``i.s.m.``, ``okt.``, ``nl.``, ``J.``: :func:`_abbreviation_before_lower`)."""
    return _abbreviation_before_lower(line.rstrip("\"'”’)]").rsplit(" ", 1)[-1].rstrip(".!?…"))


def _continues(prev_line: str, line: str, width: int | None = None) -> bool:
    """True when ``line`` continues the sentence that the previous physical line ``prev_line`` broke off.
    ``width``: the text's wrap width (:func:`wrap_width`). A line that starts with a capital or a digit
    (``Zorgcoördinator …``, ``NLA …``, ``2 van de 5 …``) after a line that stops after neither a comma, a hyphen
    nor a function word is a new note line, unless the text is wrapped and the line before it is full (QA 44a:
    unpunctuated note lines of 60 characters and more were joined)."""
    if line[:1] in ",;)" or _BRACKETED.match(line):
        return True
    if line[:1].islower():  # a sentence's next words; but after a full stop a new one (QA 45a: ". de NLA …" was
        return not _FULL_STOP.search(prev_line) or _abbreviated(prev_line)  # one statement, and --split kept it)
    if line[:1].isdigit() and _FULL_STOP.search(prev_line) and _abbreviated(prev_line):
        return True  # "… in 2021 ca." / "200 verdachten.", "Zie art." / "273f Sr." (QA 45c)
    if prev_line.endswith(".") and _title_before_name(prev_line.rsplit(" ", 1)[-1].rstrip(".")):
        return True  # "… volgens prof." / "Jansen …" (QA 45e)
    if _SENTENCE_END.search(prev_line):
        return False
    if prev_line.endswith((",", "-")):
        return True
    if prev_line.rsplit(" ", 1)[-1].lower() in _GLUE_WORDS:
        return True
    # a capital, a digit, or anything else that is no lower-case letter (“Wij …”, € 2 miljoen, 's-Hertogenbosch, (NLA))
    return width is not None and WRAP_FULL[0] * width <= len(prev_line) <= WRAP_FULL[1] * width


class _Layout:
    """What a note's lines say about the lines below them, for :func:`text_blocks` (text notes and PDFs) and the
    .docx, .odt and .pptx readers alike: the heading, a caption's list (``Knelpunten:``, until a blank line after
    its first point) and a speaker's turn (announced on a line of its own)."""

    def __init__(self) -> None:
        self.heading = self.turn = self.caption = ""
        self.caption_used = False
        self.titled = False  # the last paragraph was a heading or a caption (:meth:`paragraph`)
        self.listed = ""  # the label of a list of attendees or agenda items the next paragraphs may be entries of

    def new_heading(self, text: str) -> None:
        self.heading, self.turn, self.caption, self.caption_used = text, "", "", False

    def blank(self) -> None:
        if self.caption_used:  # the list under a caption ends at a blank line
            self.caption, self.caption_used = "", False

    def announces(self, line: str) -> str:
        """What ``line`` announces (and remembers), when it is a caption that names a chapter (``"caption"``), a
        chapter's name on a line of its own (``"heading"``: :func:`bare_heading`) or a speaker on a line of its own
        (``"speaker"``): no statement, but what the lines below it stand under; else ``""``."""
        if (named := chapter_caption(line)) is not None:
            self.caption, self.caption_used = named, False
            return "caption"
        if (named := bare_heading(line)) is not None:
            self.new_heading(named)
            return "heading"
        if (asked := subject_question(line)) is not None:  # a statement, and the heading of the lines under it
            self.new_heading(asked)
            return ""
        if (announced := speaker_line(line)) is not None:
            self.turn = announced
            return "speaker"
        return ""

    def paragraph(self, text: str, heading: bool = False, item: bool = False) -> tuple[str, dict[str, str]] | None:
        """A document's paragraph (cleaned; ``heading``: its style makes it one; ``item``: a list item): the statement
        it holds and its extra fields, or None when it is blank, a heading or announces what follows
        (:meth:`announces`). The entries of a list under ``Aanwezig:`` on a paragraph of its own (each a paragraph or
        a list item: :func:`_listed_item`) carry that label as their speaker, as :func:`text_blocks` gives them, so
        they are meta lines and their names are pseudonymised (QA 53a D2)."""
        self.titled = False
        listed, self.listed = self.listed, ""
        if text and not heading and listed and _listed_item(text, item):
            self.listed = listed
            return text, {"heading": self.caption or self.heading, "speaker": listed}
        if text and not heading:
            self.listed = list_label(text)
        if not text:
            self.blank()
        elif heading:
            self.new_heading(text)
            self.titled = True
        elif not (announced := self.announces(text)):
            speaker, text = take_speaker(text)
            return text, self.extra(speaker)
        else:
            self.titled = announced in ("heading", "caption")
        return None

    def heading_line(self, text: str, above: str) -> dict[str, str] | None:
        """The extra fields of a heading or caption paragraph just read (:attr:`titled`), as :func:`text_blocks` gives
        a heading line (:data:`HEADING_LINE`; ``above``: the heading before it), or None for any other paragraph:
        :func:`lone_headings` keeps those nothing stands under, which the readers make meta rows (QA 48b D3)."""
        return {"heading": above, "speaker": "", HEADING_LINE: "1"} if self.titled and text else None

    def extra(self, speaker: str) -> dict[str, str]:
        """The extra fields of a statement that starts here (``speaker``: its own label, if any)."""
        if speaker and self.turn:  # in a transcript of turns, an inline label starts the next turn
            self.turn = speaker
        self.caption_used = bool(self.caption)
        return {"heading": self.caption or self.heading, "speaker": speaker or self.turn}


_MD_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*:?-+:?\s*$")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")  # <div>, </span>, <br/>: not "< 18 jaar"
FRONT_MATTER_LINES = 100  # a YAML block longer than this at the top of a .md is read as text
_YAML_LINE = re.compile(r"""^(\s+\S|\s*-\s|\s*#|\s*["']?[\w][\w .'"-]*["']?\s*:(\s|$))""")


_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")  # [text](url "title"), ![alt](src)
_MD_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>")  # <https://...>
_MD_CODE = re.compile(r"(`+)([^`]+)\1")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")  # Markdown's backslash escapes (QA 44b)
_MD_ESCAPE_BASE = 0xF0000  # a private-use plane: an escaped mark waits there while the markup is taken off
_MD_ESCAPED = re.compile("[\U000F0000-\U000F007F]")
_MD_ESCAPED_LIST = re.compile(r"\s*(?:\d{1,3}\\[.)]|\\[-*+])\s")  # a list's mark escaped: "1\. In 2025 …"
# emphasis: **x**, __x__, *x*, _x_ around words; not a _ or * inside a word or a sum (snake_case, 2*3). What it
# holds never holds its own marker: a pattern that searched on to the line's end for each marker took minutes
# on a 100 KB line
_EMPHASIS_MARKS = ((r"\*\*\*", "*"), (r"\*\*", "*"), ("__", "_"), (r"\*", "*"), ("_", "_"))
_MD_EMPHASIS = re.compile(r"(?<![\w*])(?:" + "|".join(
    rf"{m}(?=[^\s{c}])([^{c}]+?)(?<=[^\s{c}]){m}" for m, c in _EMPHASIS_MARKS) + r")(?![\w*])")
_MD_BOLD_LINE = re.compile(r"(\*\*|__)(?=\S)([^*_]+?)(?<=\S)\1")


def _md_inline(text: str) -> str:
    """``text`` without Markdown's inline markup: a link as its text (``[het rapport](https://...)``), an address
    in angle brackets as the address, code and emphasis (``**x**``, ``_x_``) as their words."""
    # an escaped mark (\* \_ \` \[ …) is the mark itself, never markup: kept aside in the private-use area meanwhile
    text = _MD_ESCAPE.sub(lambda m: chr(_MD_ESCAPE_BASE + ord(m.group(1))), text)
    text = _MD_AUTOLINK.sub(r"\1", _MD_LINK.sub(r"\1", text))
    text = _MD_CODE.sub(lambda m: m.group(2).strip(), text)
    for _ in range(3):  # nested emphasis (***x***, **_x_**) is taken off layer by layer
        text, n = _MD_EMPHASIS.subn(lambda m: next(g for g in m.groups() if g is not None), text)
        if not n:
            break
    return _MD_ESCAPED.sub(lambda m: chr(ord(m.group(0)) - _MD_ESCAPE_BASE), text)


def _md_bold_heading(line: str) -> str | None:
    """The text of a Markdown line that is only bold text (``**Ambities**``, ``__Knelpunten:__``), as a heading is
    often written; None for any other line, and for a bold sentence (``**De NLA ziet meer.**``)."""
    m = _MD_BOLD_LINE.fullmatch(line)
    if m is None or len(m.group(2)) > 60 or m.group(2).endswith((".", "!")):
        return None
    return clean(m.group(2).rstrip(":"))


def _markdown_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(line number, line) of a Markdown file without what is not text of the note: a YAML front matter block
    at the top (``---`` ... ``---``) and HTML comments (``<!-- ... -->``, also over several lines; a line
    they empty is left blank so that paragraphs stay apart)."""
    it = enumerate(lines, start=1)
    head: list[tuple[int, str]] = []
    for number, line in it:
        head.append((number, line))
        if len(head) == 1 and line.strip().lstrip("\ufeff") != "---":
            break
        if len(head) > 1 and line.strip() in ("---", "..."):
            if all(_YAML_LINE.match(x) for _n, x in head[1:-1] if x.strip()):  # key: value lines, lists, comments
                head = [(n, "") for n, _ in head]  # the front matter, as blank lines
            break  # else a rule above the note's first lines: read as it stands
        if len(head) > FRONT_MATTER_LINES:
            break
    in_comment = False
    for number, line in itertools.chain(head, it):
        kept, rest = [], line
        while rest:
            if in_comment:
                end = rest.find("-->")
                rest, in_comment = ("", True) if end < 0 else (rest[end + 3:], False)
            else:
                start = rest.find("<!--")
                if start < 0:
                    kept.append(rest)
                    break
                kept.append(rest[:start])
                rest, in_comment = rest[start + 4:], True
        yield number, " ".join(k for k in kept if k.strip()) if len(kept) > 1 else "".join(kept)


def _md_cells(line: str) -> list[str]:
    """The cells of a Markdown table row (``| a | b |``; ``\\|`` is a bar inside a cell)."""
    inner = line.strip()[1:-1]
    return [clean(_md_inline(c.replace("\\|", "|"))) for c in re.split(r"(?<!\\)\|", inner)]


def _md_table(rows: list[tuple[int, str]], layout: "_Layout") -> Iterator[tuple[int, str, dict[str, str]]]:
    """The statements of a Markdown table: its header row (the row above the ``| --- |`` rule) is no statement;
    a speaker and a text column are found as in a Word table (:func:`_table_layout`), else every cell is read."""
    cells = [(n, _md_cells(line)) for n, line in rows]
    ruled = len(cells) > 1 and all(_MD_TABLE_RULE.match(c) or not c for c in cells[1][1])
    body = [(n, c) for i, (n, c) in enumerate(cells) if not (ruled and i == 1)]
    heading = layout.extra("")["heading"]
    for n, text, said in _table_statements([[(c, object()) for c in row] for _n, row in body], 0, heading,
                                           ruled=ruled, where=lambda r, c: body[r - 1][0]):
        yield n, text, said


def _pipe_table(rows: list[tuple[int, str]], layout: "_Layout") -> Iterator[tuple[int, str, dict[str, str]]]:
    """The statements of a table typed with bars in a .txt (QA 45b: its rows were joined): with a Markdown rule row
    (``| --- |``) as a Markdown table (:func:`_md_table`), else one statement a row, without the header row (its
    cells read as column names: short, without a digit, ``Nr. | Actie | Wie | Wanneer``)."""
    cells = [_md_cells(line) for _n, line in rows]
    if len(cells) > 1 and all(_MD_TABLE_RULE.match(c) or not c for c in cells[1]):
        yield from _md_table(rows, layout)
        return
    start = 1 if len(cells) > 1 and all(len(c) <= 40 and len(c.split()) <= HEADER_WORDS and not re.search(r"[\d!?]", c)
                                        for c in cells[0]) else 0
    for (n, _line), row in zip(rows[start:], cells[start:]):
        if text := " | ".join(c for c in row if c):
            yield n, text, layout.extra("")


_LETTER_RUNS = re.compile(r"[^\W\d_]+")  # words of letters (a value such as "4" has none)
_LABEL = re.compile(UPPER + r"[\w'’-]*(?:\s+[\w'’-]+){0,2}:\s")  # Stap 1: ..., Actiepunt: ..., NB: ...


def _turn(layout: _Layout, inline: str, speaker: str, line: str, labelled: bool) -> str:
    """The speaker of the inline label whose turn goes on after a statement of a text note starts with ``line``
    (``speaker``: its own label; ``labelled``: it starts with a label, a speaker's or not). A new speaker starts
    a turn; a labelled line that names no speaker (``Actiepunt:``, ``Knelpunt:``, ``Stap 1:``) ends one, and a meta line
    (``Datum: ...``) ends the turn announced on a line of its own too (:meth:`_Layout.announces`). A blank line, a
    heading or a caption ends an inline label's turn (:func:`text_blocks`), also where the label took over an
    announced turn; an announced turn goes on over blank lines (Word and Teams put them between its paragraphs)."""
    if speaker:  # a label with a value only ("Aangiftes: 4", a factsheet's) is no turn that goes on (QA 44d)
        return speaker if len(_LETTER_RUNS.findall(line)) >= 3 else ""
    if (inline or layout.turn) and kind_of(line) == "meta":
        layout.turn = ""
        return ""
    return "" if labelled or _LABEL.match(line) else inline


_CHECKBOX = re.compile(r"^\[[ xX✓✔]?\]\s+(?=\S)")  # a to-do list's box: "[ ] RIEC: …", "[x] …" (QA 45b)
_PIPE_ROW = re.compile(r"^[^|]*\|[^|]*\|")  # a table typed with bars in a .txt: "Nr. | Actie | Wie | Wanneer"
# an e-mail's closing on a line of its own; the short lines right below it are its signature (name, function,
# organisation, phone), meta lines under the label SIGNATURE
_CLOSING = re.compile(r"(?:(?:met )?(?:vriendelijke|hartelijke|beste) )?groet(?:en|jes)?|mvg|"
                      r"(?:kind |best |warm |warmest |with kind )?regards|(?:yours )?sincerely|cheers|best",
                      re.IGNORECASE)
# a closing with a wish on its line: "Met vriendelijke groet, en succes met de bloemlezing" (QA 45c)
_CLOSING_WISH = re.compile(rf"(?:{_CLOSING.pattern}),\s+(?:en |and )?(?:veel )?(?:succes|tot|fijne|prettige|fijn|prettig|"
                           r"good luck|see you|have a)(?:\s+[\w'’-]+){0,6}\s*[.!]?", re.IGNORECASE)
SIGNATURE = "Ondertekening"
SIGNATURE_LINES = 5  # a signature has at most this many lines, each of at most 8 words and no sentence


def _signature(block: list[str]) -> bool:
    """True when the lines of ``block`` (cleaned, up to a blank line) are an e-mail's signature below its closing."""
    return 0 < len(block) <= SIGNATURE_LINES and all(
        len(x.split()) <= 8 and len(x) <= 70 and not _SENTENCE_END.search(x) and _BULLET.match(x) is None
        for x in block)


_QUOTE_MARKS = re.compile(r"^(?:>+[ \t]*)+(?=[^\d\s]|$)")  # an e-mail's quoted line: "> …", ">> …"; not "> 18 jaar"
_LEVELS = "123a-"  # a list's levels, outer first: 1., 3.1, 3.1.2, a./i., a bullet sign


def _list_level(line: str) -> str | None:
    """The level of a list's mark a (cleaned) line starts with (:data:`_LEVELS`), or None for a line without one."""
    if _LETTER_ITEM.match(line):
        return "a"
    if m := _SUB_NUMBER.match(line):
        mark = m.group(0).strip()
        return "1" if mark[:1] in "Aa" else str(min(mark.rstrip(".").count(".") + 1, 3))
    if m := _BULLET.match(line):
        return "1" if m.group(0).strip()[:1].isdigit() else "-"
    return None


def _stance_cue(text: str) -> bool:
    """True when ``text`` holds one of the stance cues the theme model reads ("te weinig", "geen", "meer", "moet" …):
    a point made, not the title of an agenda item."""
    from mh_nlp.themes.features import has_stance_cue

    return has_stance_cue(text)


def _numbered_title(line: str, before: str, after: str, under_chapter: bool = False) -> str | None:
    """The title of a numbered line that is the title of what follows it, as minutes number their agenda items
    (``3. Stand van zaken signalen``, ``3.2 Seksuele uitbuiting``, ``Ad 2. Mededelingen``, ``1. Signalering`` over
    ``a. …``), else None. ``before``/``after``: the line right above it and the next line that is not blank (cleaned).
    A title has at most :data:`TITLE_WORDS` words, none a common finite verb (:data:`_TITLE_VERBS`), starts with a
    capital and ends in no punctuation; a line right
    after or right before a line numbered at its own level is an item of a list (``1. Te weinig opvang`` /
    ``2. Geen zorgcoördinator``: two short statements); text or a deeper list must follow it. Over text, a line with
    a stance cue (:func:`_stance_cue`) is a point, and ``under_chapter`` (below a heading that names a chapter) every
    line but a topic's name (``1. Opvang``, :func:`_topic_label`) is."""
    level = _list_level(line)
    if level not in ("1", "2", "3"):
        return None
    m = _SUB_NUMBER.match(line) or _BULLET.match(line)
    rest = line[m.end():].strip().rstrip(":").rstrip()
    if not rest[:1].isupper() or len(rest.split()) > TITLE_WORDS or len(rest) > 60 or rest[-1:] in ".!?;,)" or \
            any(w in _TITLE_VERBS for w in rest.lower().split()):
        return None
    if not after or (before and _list_level(before) == level):
        return None
    below = _list_level(after)
    if below is None:  # text below: a title only where it makes no point of its own (QA 45c: "1. Te weinig opvang
        # voor mannen" over a line of explanation vanished into the next line's heading); under a chapter's heading,
        # whose numbered lines are that chapter's points, only a topic's name ("1. Opvang": QA 45d S4)
        if (not _topic_label(rest)) if under_chapter else _stance_cue(rest):
            return None
        return rest if not _continues(line, after) else None
    return rest if _LEVELS.index(below) > _LEVELS.index(level) else None


_RUN_ON = (",", ";", " en", " of")  # how a list's items that run on in one sentence end


def list_label(line: str) -> str:
    """The label of ``line`` when it heads a list of attendees or agenda items (:data:`LIST_LABELS`: ``Aanwezig:``),
    else ``""``."""
    label = line.rstrip(":").strip()
    return label if label.lower() in LIST_LABELS else ""


def _listed_item(line: str, item: bool) -> bool:
    """True when ``line`` (without its list mark; ``item``: it had one) is an entry of a list of attendees or agenda
    items under its label (:data:`LIST_LABELS`): a short line (at most 12 words) that is no sentence, and without a
    list mark only a person's name (``Petra Jansen (gemeente Arnhem)``, ``Jeroen Bakker – politie``)."""
    if len(line.split()) > 12 or line.endswith(("!", "?")) or (line.endswith(".") and not line.endswith(").")):
        return False
    return item or names_only(re.split(r"\s[-–—]\s", line, maxsplit=1)[0])


HEADING_LINE = "_heading_line"  # extra field of a heading line under which nothing stands (text_blocks): a meta row


def text_blocks(lines: Iterable[str], markdown: bool = False, max_chars: int = MAX_CHARS,
                laid_out: bool = False, cells: set[int] | frozenset[int] = frozenset(),
                tables: set[int] | frozenset[int] = frozenset(),
                heading_rows: bool = False) -> Iterator[tuple[int, str, dict[str, str]]]:
    """Group raw lines into statements: yields (first line number, text, extra fields). In Markdown, front
    matter and comments are left out, inline markup is read as the text it shows (:func:`_md_inline`), a line of
    bold text alone is a heading (:func:`_md_bold_heading`) and a table is read row by row (:func:`_md_table`).
    ``cells``: the numbers of lines that are a table's cells (a PDF's, :func:`_row_cells`): never a heading.
    ``tables``: the numbers of lines that are the rows of a table found in a PDF (:func:`_pipe_rows`).
    ``heading_rows``: a heading line (Markdown, bold, a chapter's name or caption, a numbered title) under which no
    line stands before the next heading or the end is yielded too, with the extra field :data:`HEADING_LINE` (the
    readers make it a ``meta`` row): it is in no statement's ``heading`` either, and was lost without a word (QA 48b
    D3: a note of questions taken as headings)."""
    blocks = _text_blocks(lines, markdown, max_chars, laid_out, cells, tables)
    if heading_rows:
        yield from lone_headings(blocks)
    else:
        yield from (block for block in blocks if HEADING_LINE not in block[2])


def lone_headings(blocks: Iterable[tuple]) -> Iterator[tuple]:
    """``blocks`` (position, text, extra) with a heading line (extra :data:`HEADING_LINE`) kept only where nothing
    stands under it before the next heading line or the end; the others are the heading of what follows, and in its
    ``heading`` field."""
    pending = None  # the last heading line, until a line stands under it
    for block in blocks:
        if HEADING_LINE not in block[2]:
            pending = None
            yield block
        else:
            if pending is not None:
                yield pending
            pending = block
    if pending is not None:
        yield pending


def _text_blocks(lines: Iterable[str], markdown: bool, max_chars: int, laid_out: bool, cells: set[int] | frozenset[int],
                 tables: set[int] | frozenset[int]) -> Iterator[tuple[int, str, dict[str, str]]]:
    """:func:`text_blocks`' work, every heading line included (its extra fields: the heading above it, and
    :data:`HEADING_LINE`)."""

    def heading_line(number: int, text: str, above: str) -> tuple[int, str, dict[str, str]]:
        return number, text, {"heading": above, "speaker": "", HEADING_LINE: "1"}

    numbered = iter(_markdown_lines(lines) if markdown else enumerate(lines, start=1))
    ahead: collections.deque[tuple[int, str]] = collections.deque()  # lines read ahead, not yet grouped

    def in_order() -> Iterator[tuple[int, str]]:
        while ahead or (nxt := next(numbered, None)) is not None:
            yield ahead.popleft() if ahead else nxt

    def block_width() -> int | None:
        """The wrap width (:func:`wrap_width`) of the block of lines that comes next, up to a blank line (at most
        :data:`WRAP_SAMPLE` lines), read ahead: an e-mail wrapped at 72 columns above a blank line and notes typed
        line by line below it are each read as what they are (QA 44b)."""
        block = list(itertools.takewhile(lambda item: item[1].strip(), ahead))
        while len(block) == len(ahead) and len(block) < WRAP_SAMPLE:
            if (nxt := next(numbered, None)) is None:
                break
            ahead.append(nxt)
            if not nxt[1].strip():
                break
            block.append(nxt)
        own = wrap_width(line for _n, line in block[:WRAP_SAMPLE])
        # a paragraph of one or two lines shows no wrap of its own: the text's width counts (QA 44c: a 72-column
        # e-mail's two-line paragraphs were split mid-sentence); a longer one without a wrap is typed line by line
        return own if own is not None or len(block) > 2 else text_width

    ahead.extend(itertools.islice(numbered, WRAP_SAMPLE))
    text_width = wrap_width(line for _n, line in ahead)  # the width of the text as a whole, its first lines
    width = block_width()
    layout = _Layout()
    table: list[tuple[int, str]] = []
    buf: str | None = None
    buf_line = 0
    buf_extra: dict[str, str] = {}
    last_line = ""
    in_fence = False
    inline = ""  # the speaker of an inline label (``Jan (NLA): ...``): the next lines of its paragraph are its turn
    running = False  # the statement being read began as a lead-in a list's items may carry on (not a point itself)
    items_run = False  # and list items have carried it on
    listed = ""  # the label of the list of attendees or agenda items the next lines may be entries of ("Aanwezig")
    before = ""  # the line right above, cleaned ("" after a blank line)
    base = titled = ""  # the heading above a list of numbered titles, and the last such title's heading
    title_level = "1"  # the list level of that title (:func:`_list_level`)
    closed = 0  # after an e-mail's closing: 2, 1 after a blank line below it; its signature may follow
    signed = 0  # lines of a signature still to come

    def block_ahead() -> list[str]:
        """The lines ahead up to a blank line (at most one more than a signature has), cleaned."""
        while len(ahead) <= SIGNATURE_LINES and (nxt := next(numbered, None)) is not None:
            ahead.append(nxt)
        return [clean(x) for x in itertools.takewhile(str.strip, (x for _n, x in
                                                                   itertools.islice(ahead, SIGNATURE_LINES + 1)))]

    def pipe_row_next() -> bool:
        while not ahead and (nxt := next(numbered, None)) is not None:
            ahead.append(nxt)
        return bool(ahead) and _PIPE_ROW.match(ahead[0][1]) is not None

    def after() -> str:
        """The next line that is not blank (looking at most two lines ahead), cleaned; read ahead."""
        while len(ahead) < 2 and (nxt := next(numbered, None)) is not None:
            ahead.append(nxt)
        return next((clean(x) for _n, x in itertools.islice(ahead, 2) if x.strip()), "")

    def flush():
        nonlocal buf
        out = (buf_line, buf, buf_extra) if buf and buf.strip() else None
        buf = None
        return out

    for number, raw in in_order():
        if markdown and not in_fence and _MD_TABLE_ROW.match(raw):
            if (done := flush()) is not None:
                yield done
            table.append((number, raw))
            inline = ""
            continue
        if number in tables or (not markdown and not laid_out and _PIPE_ROW.match(raw) and (table or pipe_row_next())):
            if (done := flush()) is not None:  # rows typed with bars: read as a Markdown table, never joined
                yield done
            table.append((number, "|" + raw.strip().strip("|") + "|"))
            inline = ""
            continue
        if table:
            yield from _md_table(table, layout) if markdown else _pipe_table(table, layout)
            table = []
        line = clean(_HTML_TAG.sub(" ", raw) if markdown and not in_fence and "<" in raw else raw)
        if not laid_out and not in_fence and (quoted := _QUOTE_MARKS.match(line)):  # an e-mail's "> …", ">> …"
            line = line[quoted.end():]
        above, before = before, line
        if markdown and line.startswith("```"):
            in_fence = not in_fence
            continue
        if not line or (markdown and (in_fence or re.fullmatch(r"[-*_=]{3,}", line))):
            if (done := flush()) is not None:
                yield done
            if not line:
                layout.blank()
                width = block_width()
                if inline and layout.turn == inline:  # an inline label's turn lasts for its paragraph
                    layout.turn = ""
                listed = ""
                closed, signed = closed - 1 if closed else 0, 0
            inline = ""
            continue
        if closed and not laid_out:  # the first lines after an e-mail's closing: its signature?
            block = [line] + block_ahead()[:SIGNATURE_LINES]
            signed = len(block) if _signature(block) else 0
            closed = 0
        if signed:  # "Karim El Amrani", "Senior adviseur mensenhandel", "T 06-12345678 | www.riec.nl"
            if (done := flush()) is not None:
                yield done
            signed -= 1
            buf, buf_line, last_line, inline = line, number, line, ""
            buf_extra = {"heading": layout.caption or layout.heading, "speaker": SIGNATURE}
            continue
        escaped_mark = False
        if markdown:
            if (bold := _md_bold_heading(line)) is not None:  # **Ambities** on a line of its own: a heading
                if (done := flush()) is not None:
                    yield done
                yield heading_line(number, bold, layout.caption or layout.heading)
                layout.new_heading(bold)
                inline = ""
                continue
            escaped_mark = _MD_ESCAPED_LIST.match(line) is not None  # "1\. …", "\- …": the mark is text, no list
            line = _md_inline(line)
        md_heading = markdown_heading(raw)  # in a .txt too: a note's '## Problemen' is no statement
        if markdown and md_heading is not None:
            md_heading = clean(_md_inline(md_heading))
        above_heading = layout.caption or layout.heading
        announced = md_heading is None and number not in cells and layout.announces(line)
        title = None  # a numbered line over text may be an agenda item's title (QA 45b); only such a line reads ahead
        if md_heading is None and not announced and not laid_out and not escaped_mark and \
                _list_level(line) in ("1", "2", "3"):
            title = _numbered_title(line, above, after(), _names_chapter(layout.caption or layout.heading))
        if md_heading is not None or announced or title is not None:
            if (done := flush()) is not None:
                yield done
            if announced != "speaker" and (md_heading or line):  # a heading, caption or title, not a speaker's line
                yield heading_line(number, md_heading if md_heading is not None else line, above_heading)
            if title is not None:  # below a chapter's heading the title keeps it: "Ambities – Meer opvang"
                if (layout.caption or layout.heading) != titled:
                    base = layout.caption or layout.heading
                titled = f"{base} – {title}" if base and _names_chapter(base) else title
                title_level = _list_level(line)
            if md_heading is not None or title is not None:
                layout.new_heading(md_heading if md_heading is not None else titled)
            inline = listed = ""
            continue
        if titled and layout.heading == titled and (level := _list_level(line)) in ("1", "2", "3") and \
                level <= title_level:  # the next agenda item, read as a point: the title above is over (QA 45d S3)
            layout.new_heading(base)
            titled = ""
        speaker = ""
        bullet = None if escaped_mark else _BULLET.match(line) or (None if laid_out else (
            _LETTER_ITEM.match(line) or _SUB_NUMBER.match(line)))  # a., ii), 3.1: in a PDF's text maybe a word
        if bullet:
            line = line[bullet.end():]
        sub = bullet is None and _SUB_BULLET.match(raw) is not None and line.startswith("o ")
        if sub:
            line = line[2:].lstrip()
        box = None if laid_out else _CHECKBOX.match(line)
        if box:  # "- [ ] RIEC: voorstel …": the box is no text, and "RIEC" is the action's owner, no speaker
            line, bullet = line[box.end():], bullet or box
        if listed and line and _listed_item(line, bool(bullet or sub)):  # "- Petra Jansen (gemeente Arnhem)"
            if (done := flush()) is not None:
                yield done
            buf, buf_line, last_line, inline = line, number, line, ""
            buf_extra = {"heading": layout.caption or layout.heading, "speaker": listed}  # the label: a meta line
            continue
        listed = "" if laid_out else list_label(line)  # "Aanwezig:" over a list
        if not laid_out and (cue := _CUE_RANGE.match(line)):  # a timed cue's words have no speaker of their own
            line, inline, layout.turn = line[cue.end():], "", ""
        sm = None if box else _SPEAKER.match(line)
        if sm:
            speaker, line = take_speaker(line, sm)
        else:
            tm = _TIMESTAMP.match(line)
            if tm:
                line = line[tm.end():]
        if not line:
            continue
        # a list that runs on in a sentence ("… slachtoffers vaak" / "a. geen Nederlands spreken," / "b. …, en"):
        # its items in lower case, joined by commas, "en" or "of", are the sentence's words (QA 45c), not points
        # (only after a lead-in that is no point of a list itself, never a numbered point: QA 45d S5; a lead-in that
        # breaks off mid-clause, "… wij zien vooral", and is no question-like heading, "Wat er beter kan"; after a
        # colon only where the first item ends in an infinitive, "een ketenregisseur aan te stellen;", not where points
        # follow, "… de volgende knelpunten:" / "- te weinig opvang,": QA 45e T3, QA 45f U1/U2)
        run_on = (bullet is not None and not sub and not sm and buf is not None and line[:1].islower()
                  and not bullet.group(0).strip()[:1].isdigit()
                  and (items_run and last_line.endswith(_RUN_ON)
                       or running and not items_run and line.rstrip().endswith(_RUN_ON)
                       and (last_line[-1:].isalnum() and not _QUESTION_START.match(buf or "")
                            or last_line.endswith(":") and _INFINITIVE_END.search(line) is not None)))
        items_run = items_run or run_on
        new = not run_on and bullet or sub or sm or listed or buf is None or last_line.endswith("--") or not _continues(
            last_line, line, width or (len(last_line) if laid_out and len(last_line) >= LAID_OUT_WIDTH else None))
        # (a PDF: the line was full; "-----Original Message-----" is no word broken at a hyphen)
        last_line = line
        if not laid_out and (_CLOSING.fullmatch(line.rstrip(",").strip()) or _CLOSING_WISH.fullmatch(line)):
            closed = 2
        if new:
            running, items_run = not (bullet or sub), False  # a statement that list items may carry on: no point
            if (done := flush()) is not None:
                yield done
            inline = _turn(layout, inline, speaker, line, labelled=sm is not None)
            buf, buf_line = line, number
            buf_extra = layout.extra(speaker or inline)
        else:
            buf = _join(buf, line)
        if len(buf) > max_chars:  # keep memory flat on a paragraph without any break
            yield buf_line, buf, buf_extra
            buf = None
    if table:
        yield from _md_table(table, layout) if markdown else _pipe_table(table, layout)
    if (done := flush()) is not None:
        yield done


# ---------------------------------------------------------------- per format

def _read_text(path: Path, warn: Warn, max_chars: int) -> Iterator[tuple[int, str, dict[str, str]]]:
    markdown = path.suffix.lower() in {".md", ".markdown"}
    with _open_text(path, warn) as fh:
        head = fh.read(8192)
        kind = _text_kind(head)
        if not kind.startswith("plain text") and not (markdown and "table" in kind):  # (Markdown has tables)
            warn(f"read as notes, but it looks like {kind}")
        fh.seek(0)
        yield from text_blocks((ln.rstrip("\r\n") for ln in fh), markdown=markdown, max_chars=max_chars,
                               heading_rows=True)


_CUE_TIMING = re.compile(r"^\s*(?P<start>(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*"
                         r"(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}")
# a tag holds no "<": from every "<" the search then stops at the next one (linear), where "[^>]" ran on to the end
# of the cue each time (quadratic: a cue of 30,000 "<v " took half a minute)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^<>]{1,200})>")
_TAG = re.compile(r"</?[^<>]*>")
_VTT_SKIP = ("NOTE", "STYLE", "REGION")  # WebVTT blocks that hold no words said


def _hms(start: str) -> str:
    """A cue's start time as ``HH:MM:SS`` (``00:03.120`` and ``0:00:03,120`` both ``00:00:03``)."""
    parts = start.replace(",", ".").split(".")[0].split(":")
    h, m, sec = ([0] * (3 - len(parts)) + [int(x) for x in parts])[-3:]
    return f"{h:02d}:{m:02d}:{sec:02d}"


CUE_CHARS = 100_000  # a block this long without a blank line is no cue: the file is refused (memory stays flat)


def _cues(lines: Iterable[str], warn: Warn) -> Iterator[tuple[str, str, str]]:
    """(start time, speaker, text) of every cue of a WebVTT or SubRip file: a block of lines with a timing line
    (``00:00:05.120 --> 00:00:09.480``, SubRip with a comma), its cue number or id above it, its text below.
    The speaker is the cue's voice (``<v Sanne de Vries>``, as Teams writes it) or a speaker label in its text
    (``Sanne: ...``); other tags (``<i>``, ``<c.geel>``) and HTML entities are taken out. A block without a timing
    line (other than the ``WEBVTT`` header and ``NOTE``, ``STYLE``, ``REGION`` blocks) is counted in a warning."""
    import html

    block: list[str] = []
    size = skipped = 0
    for raw in itertools.chain(lines, [""]):  # the last cue ends at the end of the file
        line = raw.strip().lstrip("\ufeff")
        if line:
            block.append(line)
            size += len(line)
            if size > CUE_CHARS:
                raise ReadError(f"more than {CUE_CHARS:,} characters without a blank line: not a timed transcript")
            continue
        if not block:
            continue
        timing = next(((i, m) for i, b in enumerate(block) if (m := _CUE_TIMING.match(b))), None)
        if timing is not None and not block[0].startswith(_VTT_SKIP):
            body = " ".join(block[timing[0] + 1:])
            voice = _VOICE.search(body)
            text = clean(html.unescape(_TAG.sub(" ", body)))
            speaker = clean(voice.group(1)) if voice else ""
            if not speaker:
                speaker, text = take_speaker(text)
            if text:
                yield _hms(timing[1].group("start")), speaker, text
        elif not block[0].startswith(("WEBVTT", *_VTT_SKIP)):
            skipped += 1
        block, size = [], 0
    if skipped:
        warn(f"{skipped} block{'s' if skipped != 1 else ''} without a cue timing ('00:00:05.120 --> ...') skipped")


TURN_CHARS = 600  # a speaker's turn longer than this is cut at the next sentence end (about five sentences)


def _read_subtitles(path: Path, warn: Warn, max_chars: int) -> Iterator[tuple[str, str, dict[str, str]]]:
    """A timed transcript (.vtt, .srt): one statement per speaker's turn (its cues joined; a cue is a fragment
    of a sentence), a long turn cut at a sentence end after :data:`TURN_CHARS` characters; where the cues name
    no speaker, one statement per sentence. A cue without a speaker after one with a speaker continues that
    speaker's turn (a transcript may name the speaker only where the turn starts). Chatter that opens a turn
    ("Goedemorgen allemaal.") stays a row of its own, so that it is not classified with what follows. The
    position is the start time of the statement's first cue."""
    with _open_text(path, warn) as fh:
        cues = _cues((ln.rstrip("\r\n") for ln in fh), warn)
        start, speaker, buf = "", "", ""
        found = False
        for cue_start, cue_speaker, text in cues:
            found = True
            cue_speaker = cue_speaker or speaker
            sentence_ends = _SENTENCE_END.search(buf) is not None
            turn_ends = cue_speaker != speaker or (sentence_ends and (
                not cue_speaker or len(buf) >= TURN_CHARS or kind_of(buf) != "statement"))
            if buf and (turn_ends or len(buf) + len(text) > max_chars):
                yield start, buf, {"heading": "", "speaker": speaker}
                buf = ""
            if not buf:
                start, speaker = cue_start, cue_speaker
            buf = _join(buf, text) if buf else text
        if buf:
            yield start, buf, {"heading": "", "speaker": speaker}
        if not found:
            raise ReadError("no cues found (a .vtt or .srt file holds timed cues: "
                            "'00:00:05.120 --> 00:00:09.480' and the words below it)")


_TITLE_STYLES = ("heading", "kop", "title", "titel")
SPEAKER_HEADERS = {"spreker", "sprekers", "naam", "wie", "deelnemer", "persoon", "speaker", "name", "who",
                   "organisatie", "partij", "namens"}
TEXT_HEADERS = set(TEXT_COLUMNS) | {"inbreng", "opmerking", "opmerkingen", "notitie", "notities", "bijdrage",
                                    "toelichting", "omschrijving", "text", "comment", "remark", "uitspraken"}


def _short(text: str) -> bool:
    """A cell that reads like a name or a label, not a sentence: at most 40 characters and 5 words, no
    closing ``.``, ``!`` or ``?``."""
    return len(text) <= 40 and len(text.split()) <= 5 and not text.rstrip().endswith((".", "!", "?"))


HEADER_WORDS = 4  # a column's name has at most this many words ("Wat gaat er goed"): a longer cell is the table's data


def _header_like(rows: list[list[str]]) -> bool:
    """True when the first of a table's ``rows`` (two or more) may be its header: its cells are all short
    (:func:`_short`) and of at most :data:`HEADER_WORDS` words, as column names are ("Opvang | Te weinig plekken
    voor mannen" is a row of data: QA 44b; "Wat gaat er mis" a name: QA 44c)."""
    return len(rows) > 1 and any(rows[0]) and all(_short(c) and len(c.split()) <= HEADER_WORDS for c in rows[0] if c)


def _table_layout(rows: list[list[str]]) -> tuple[int, int | None, int | None]:
    """How a Word table reads: (number of header rows, speaker column, text column).

    A first row whose short cells name a statement column (``Uitspraak``, ``Tekst``, ``Inbreng`` ...) is a
    header: its named speaker and text columns are used. Without a header, a table of two or more columns
    reads as speaker + statement when one column holds only short, name-like cells and another holds the
    longer texts. Otherwise (None, None) and the table is read cell by cell."""
    if not rows:
        return 0, None, None
    first = [c.lower().strip(" :") for c in rows[0]]
    if any(first) and all(_short(c) for c in rows[0] if c) and any(c in TEXT_HEADERS for c in first):
        text_col = next(i for i, c in enumerate(first) if c in TEXT_HEADERS)
        speaker_col = next((i for i, c in enumerate(first) if c in SPEAKER_HEADERS and i != text_col), None)
        return 1, speaker_col, text_col
    width = max(len(r) for r in rows)
    if width < 2:
        return 0, None, None
    body = rows[1:] if _header_like(rows) else rows
    stats = []
    for col in range(width):
        cells = [r[col] for r in body if col < len(r) and r[col]]
        short = sum(_short(c) for c in cells) / len(cells) if cells else 1.0
        mean = sum(len(c) for c in cells) / len(cells) if cells else 0.0
        stats.append((short, mean, len(cells)))
    text_col = max(range(width), key=lambda c: stats[c][1])
    speakers = [c for c in range(width) if c != text_col and stats[c][2] and stats[c][0] >= 0.8]
    if not speakers or stats[text_col][0] >= 0.5 or stats[text_col][1] <= stats[speakers[0]][1]:
        return 0, None, None
    header_rows = 1 if body is not rows else 0
    return header_rows, speakers[0], text_col


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# what Word shows of the runs they wrap: tracked insertions, moved-to text, content controls, smart tags, custom XML,
# links, simple fields (their result) and bidirectional runs; deleted and moved-from text (w:del, w:moveFrom) is not
_DOCX_SHOWN = {_W + t for t in ("ins", "moveTo", "sdt", "sdtContent", "smartTag", "customXml", "hyperlink",
                                 "fldSimple", "dir", "bdo")}
_DOCX_BLOCKS = {_W + t for t in ("sdt", "sdtContent", "customXml")}  # around paragraphs and tables
_DOCX_SPACES = {_W + t for t in ("tab", "ptab", "br", "cr")}
# the styles of a table of contents' entries and its title, in English and Dutch Word ("toc 1", "Inhopg 1",
# "TOC Heading", "Kop van inhoudsopgave")
_DOCX_TOC_STYLE = re.compile(r"^(toc ?\d|inhopg ?\d|toc ?heading|tocheading|kop van inhoudsopgave)", re.IGNORECASE)
_DOCX_NOTES = [_W + t for t in ("commentReference", "footnoteReference", "endnoteReference")]


def _docx_alternative(el):
    """The one alternative of ``mc:AlternateContent`` that is read: the first (``mc:Choice``, then ``mc:Fallback``)
    that holds a text box or text, else the first (Word writes a text box twice, as DrawingML and as VML)."""
    choices = [c for c in el if c.tag in (_MC + "Choice", _MC + "Fallback")]
    return next((c for c in choices if next(c.iter(_W + "txbxContent", _W + "t"), None) is not None),
                choices[0] if choices else None)


def _docx_placeholder(sdt) -> bool:
    """True for a content control that shows its placeholder (``Klik of tik om tekst in te voeren.``): a
    template's field not filled in."""
    return sdt.find(f"{_W}sdtPr/{_W}showingPlcHdr") is not None


def _docx_contents(sdt) -> bool:
    """True for a content control that holds a table of contents (Word's own): the headings again, no statements."""
    gallery = sdt.find(f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery")
    return gallery is not None and gallery.get(_W + "val", "").lower() == "table of contents"


def _docx_blocks(el) -> Iterator:
    """The paragraphs (``w:p``) and tables (``w:tbl``) of a document body or cell in document order, also those
    inside content controls and custom XML; a table of contents is left out."""
    for child in el:
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag in _DOCX_BLOCKS and not (child.tag == _W + "sdt" and _docx_contents(child)):
            yield from _docx_blocks(child)


def _docx_shown(p) -> bool:
    """False for a paragraph inside a content control that shows its placeholder."""
    return not any(a.tag == _W + "sdt" and _docx_placeholder(a) for a in p.iterancestors())


def _docx_text(p) -> str:
    """The text Word shows of paragraph ``p``: its runs, also inside tracked insertions, moved-to text, content
    controls, smart tags, custom XML, links and fields (a field's result, never its code); not deleted or
    moved-from text, a content control's placeholder, nor text boxes (:func:`_docx_boxes`)."""
    if not _docx_shown(p):
        return ""
    parts: list[str] = []
    fields: list[bool] = []  # the complex fields open here: True once past their code ("separate")

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if tag == _W + "r":
                run(child)
            elif tag in _DOCX_SHOWN and not (tag == _W + "sdt" and _docx_placeholder(child)):
                walk(child)
            elif tag == _MC + "AlternateContent" and (chosen := _docx_alternative(child)) is not None:
                walk(chosen)

    def run(r) -> None:
        for child in r:
            tag = child.tag
            if tag == _W + "fldChar":
                kind = child.get(_W + "fldCharType")
                if kind == "begin":
                    fields.append(False)
                elif kind == "separate" and fields:
                    fields[-1] = True
                elif kind == "end" and fields:
                    fields.pop()
            elif not all(fields):  # a field's code (and the fields inside it) is not shown
                continue
            elif tag == _W + "t":
                parts.append(child.text or "")
            elif tag in _DOCX_SPACES:
                parts.append(" ")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")

    walk(p)
    return "".join(parts)


class _DocxFields:
    """The complex fields open at each paragraph, over the whole body, to tell a table of contents made as a field
    in plain paragraph styles (QA 44b): Word writes ``TOC \\o "1-3"`` as the code of a field whose result is the
    entries, one paragraph each, until the field's end some paragraphs later. A paragraph is an entry when a TOC
    field is open in it, or when it links to a heading's ``_Toc`` bookmark as Word's entries do."""

    def __init__(self) -> None:
        self.open: list[str | None] = []  # the code's first word of each field open, None until its code is read

    def in_toc(self, p) -> bool:
        toc = "TOC" in self.open
        for el in p.iter(_W + "fldChar", _W + "instrText", _W + "hyperlink"):
            tag = el.tag
            if tag == _W + "fldChar":
                kind = el.get(_W + "fldCharType")
                if kind == "begin":
                    self.open.append(None)
                elif kind == "end" and self.open:
                    self.open.pop()
            elif tag == _W + "instrText":
                if self.open and self.open[-1] is None and (words := (el.text or "").split()):
                    self.open[-1] = words[0].upper()
            elif (el.get(_W + "anchor") or "").startswith("_Toc"):
                toc = True
            toc = toc or "TOC" in self.open
        return toc


def _docx_boxes(el) -> Iterator:
    """The text boxes (``w:txbxContent``) anchored in ``el``, each once (one alternative of
    ``mc:AlternateContent``); boxes inside a box are its paragraphs' own, and a deleted one is left out."""
    for child in el:
        tag = child.tag
        if tag == _W + "txbxContent":
            yield child
        elif tag == _MC + "AlternateContent":
            if (chosen := _docx_alternative(child)) is not None:
                yield from _docx_boxes(chosen)
        elif tag not in (_W + "del", _W + "moveFrom"):
            yield from _docx_boxes(child)


def _docx_box_paragraphs(el) -> Iterator:
    """The paragraphs of text box ``el`` (also in its tables), not those of the boxes anchored in them."""
    for child in el:
        if child.tag == _W + "p":
            yield child
        elif child.tag != _W + "txbxContent":
            yield from _docx_box_paragraphs(child)


def _docx_box_texts(p) -> Iterator[list[str]]:
    """The paragraphs' texts of each text box anchored in paragraph ``p``, and of the boxes anchored in those, in
    reading order."""
    for box in _docx_boxes(p):
        paragraphs = list(_docx_box_paragraphs(box))
        yield [_docx_text(q) for q in paragraphs]
        for q in paragraphs:
            yield from _docx_box_texts(q)


def _docx_cell_text(tc) -> str:
    """The text of a table cell: its paragraphs (also inside content controls) and their text boxes, and the
    cells of a table inside it row by row."""
    texts: list[str] = []
    for block in _docx_blocks(tc):
        if block.tag == _W + "tbl":  # each cell once, also one merged over rows
            texts += [_docx_cell_text(inner) for inner in dict.fromkeys(c for row in _docx_grid(block) for c in row)]
        else:
            texts += [_docx_text(block), *(text for box in _docx_box_texts(block) for text in box)]
    return "\n".join(texts)


DOCX_SPAN_CAP = 64  # Word's tables have at most 63 columns: a cell "spanning" a billion is read as spanning this many


def _docx_parts(el, name: str) -> Iterator:
    """The rows (``name`` ``tr``) of a table or the cells (``tc``) of a row, also inside content controls (a
    template's repeating section) and custom XML."""
    for child in el:
        if child.tag == _W + name:
            yield child
        elif child.tag in _DOCX_BLOCKS:
            yield from _docx_parts(child, name)


def _docx_number(el, path: str, default: int) -> int:
    """The ``w:val`` number of ``el``'s child at ``path`` (``w:tcPr/w:gridSpan``), ``default`` when missing or not a
    number."""
    found = el.find(path)
    try:
        return int(found.get(_W + "val")) if found is not None else default
    except (TypeError, ValueError):
        return default


def _docx_grid(tbl) -> list[list[object]]:
    """The rows of Word table ``tbl`` as their distinct cells (``w:tc``): a cell merged across columns once, a cell
    merged down from the row above (``w:vMerge``) as that cell, as python-docx gives them; rows and cells inside
    content controls too."""
    grid: list[list[object]] = []
    above: dict[int, object] = {}  # grid column -> the cell that covers it in the row above
    for tr in _docx_parts(tbl, "tr"):
        column = _docx_number(tr, f"{_W}trPr/{_W}gridBefore", 0)
        row: list[object] = []
        here: dict[int, object] = {}
        for tc in _docx_parts(tr, "tc"):
            span = min(max(1, _docx_number(tc, f"{_W}tcPr/{_W}gridSpan", 1)), DOCX_SPAN_CAP)
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(_W + "val", "continue") == "continue":
                tc = above.get(column, tc)
            if not row or row[-1] is not tc:
                row.append(tc)
            here.update(dict.fromkeys(range(column, column + span), tc))
            column += span
        grid.append(row)
        above = here
    return grid


def _docx_table(tbl, number: int, heading: str, warn: Warn) -> Iterator[tuple[str, str, dict[str, str]]]:
    """The statements of Word table ``number`` (``w:tbl``; :func:`_docx_grid`, :func:`_table_statements`)."""
    try:
        grid = [[(clean(_docx_cell_text(tc)), tc) for tc in row] for row in _docx_grid(tbl)]
    except Exception as exc:  # noqa: BLE001 - a damaged table must not end the document
        warn(f"table {number} cannot be read ({exc.__class__.__name__}); skipped")
        return
    yield from _table_statements(grid, number, heading, warn)


def _table_statements(grid: list[list[tuple[str, object]]], number: int, heading: str, warn: Warn = _ignore,
                      ruled: bool = False, where: Callable[[int, int | None], object] | None = None
                      ) -> Iterator[tuple[object, str, dict[str, str]]]:
    """The statements of table ``number`` of a document, its rows as (text, cell identity) pairs: speaker +
    statement rows (:func:`_table_layout`), or cell by cell, a header-like first row (:func:`_header_like`) above
    longer cells left out as Markdown's header row is. A cell that spans rows (the same identity in the row below)
    is read once. ``ruled``: the first row is the header for certain (a Markdown table's, above its ``| --- |``
    rule). ``where``: the position of row r's statement (cell c, None for the row's text column); by default
    ``table N row r`` (``cell c``)."""
    rows = [[text for text, _tc in r] for r in grid]
    header_rows, speaker_col, text_col = _table_layout(rows)
    if ruled and rows:
        header_rows = 1
    labelled = False  # the first column labels the rows (| Opvang | Te weinig plekken voor mannen | … |)
    if text_col is None and (ruled or _header_like(rows)):
        labelled = _row_labels(rows[1:], headed=True)
        if ruled or labelled or not all(_short(c) for r in rows[1:] for c in r if c):
            header_rows = 1  # a header row above cells that are read one by one (Thema | Signaal | Actie): no statement
    labelled = labelled or text_col is None and _row_labels(rows[header_rows:], headed=header_rows > 0)
    named = ruled or (any(c.lower().strip(" :") in TEXT_HEADERS for c in rows[0]) if rows else False)
    columns = _chapter_columns(rows[header_rows - 1] if header_rows else [])
    header = rows[header_rows - 1] if header_rows else []
    speakers_named = (speaker_col is not None and speaker_col < len(header)
                      and header[speaker_col].lower().strip(" :") in SPEAKER_HEADERS)
    if where is None:
        def where(r: int, c: int | None) -> str:
            return f"table {number} row {r}" if c is None or len(grid[r - 1]) == 1 else f"table {number} row {r} cell {c + 1}"
    if header_rows and not named:  # a header told from its shape alone: said, so that a row of data is not lost unseen
        warn(f"table {number}: its first row ({' | '.join(c for c in rows[0] if c)[:80]}) is read as the columns' "
             "names, not as statements")
    above: dict[int, object] = {}  # column -> cell element of the row above (vertically merged cells)
    for r, cells in enumerate(grid, start=1):
        if r <= header_rows:
            continue
        used: set[int] = set()
        row_heading, label, row_speaker = heading, "", ""
        if labelled and cells and not _spanning([t for t, _tc in cells]):  # a row's label ("Opvang") is no
            # statement but the heading of the row's cells (QA 44b); a row merged over the table's width is text
            used.add(0)
            if cells[0][0]:
                row_heading, label = _labelled_heading(heading, cells[0][0]), cells[0][0]
        if text_col is not None and text_col < len(cells):
            text, tc = cells[text_col]
            used.add(text_col)
            speaker = cells[speaker_col][0] if speaker_col is not None and speaker_col < len(cells) else ""
            if speaker_col is not None:
                used.add(speaker_col)
            said = {"heading": heading, "speaker": speaker.rstrip(":").strip()}
            if said["speaker"] and (_names_chapter(said["speaker"]) or _topic_label(said["speaker"])):
                # | Wat gaat goed | … |, | Opvang | … |: a heading, no speaker (QA 45c), of the row's other cells too
                label = said["speaker"]
                row_heading = _labelled_heading(heading, label)
                said = {"heading": row_heading, "speaker": ""}
            said["heading"] = _column_heading(said["heading"], columns.get(text_col), label)
            if said["speaker"] and speakers_named:  # | Organisatie | Knelpunt | Voorstel |: the other cells too
                row_speaker = said["speaker"]
            if text and above.get(text_col) is not tc:  # a statement merged over rows is read once
                yield where(r, None), text, said
        for c, (text, tc) in enumerate(cells):
            if c in used or not text or above.get(c) is tc:
                continue
            speaker, text = take_speaker(text)
            yield where(r, c), text, {"heading": _column_heading(row_heading, columns.get(c), label),
                                      "speaker": speaker or row_speaker}
        above = {c: tc for c, (_t, tc) in enumerate(cells)}


ROW_LABEL_WORDS = 2  # a row's label has at most this many words ("Opvang", "Veilig Thuis"); "Te weinig opvang" is data


def _row_labels(rows: list[list[str]], headed: bool) -> bool:
    """True when the first column of a table's data ``rows`` (header left out) labels the rows: two or more rows
    (one under a header row, ``headed``) whose first cell is a label (:func:`_row_label`), every other first cell
    empty, and each labelled row holding a longer text in another cell (| Opvang | Te weinig plekken voor mannen |)."""
    rows = [row for row in rows if not _spanning(row)]  # a row merged over the table's width labels nothing
    labelled = [row for row in rows if len(row) >= 2 and row[0]]
    return (len(labelled) >= (1 if headed else 2) and all(len(row) >= 2 for row in rows if any(row))
            and all(_row_label(row[0]) and any(len(c.split()) > ROW_LABEL_WORDS + 1 for c in row[1:])
                    for row in labelled))


def _spanning(row: list[str]) -> bool:
    """True for a row of one cell merged over the table's width (one cell, or cells that all hold its text)."""
    return len(row) == 1 or bool(row[0]) and all(c == row[0] for c in row)


def _row_label(cell: str) -> bool:
    """A chapter's name ("Wat gaat goed"), or at most ``ROW_LABEL_WORDS`` words without closing punctuation."""
    short = len(cell.split()) <= ROW_LABEL_WORDS and not cell.rstrip().endswith((".", "!", "?"))
    return short or _names_chapter(cell)


def _names_chapter(label: str) -> bool:
    """True for a label that names one of the anthology's chapters ("Knelpunten", "Wat gaat goed")."""
    from mh_nlp.themes.headings import heading_chapter  # the chapter names of data/chapter_headings.json

    return heading_chapter(label.rstrip(":").strip()) is not None


def _topic_label(label: str) -> bool:
    """True for a label that names what a point is about or what kind of point it is (``Opvang``, ``Knelpunt``:
    the cue file's *not speakers* and meta labels, :func:`~mh_nlp.io.kinds.speaker_label`), never who said it."""
    return not speaker_label(label)


def _chapter_columns(header: list[str]) -> dict[int, str]:
    """The columns of a table whose name (``header``: the cells of its header row) names one of the anthology's
    chapters (| Organisatie | Knelpunt | Voorstel |: 1 and 2), each with that name."""
    return {c: name.rstrip(":").strip() for c, name in enumerate(header) if name and _names_chapter(name)}


def _column_heading(heading: str, column: str | None, label: str = "") -> str:
    """The heading of a cell in a column named after a chapter (``column``; :func:`_chapter_columns`): that name,
    which is then the evidence for the cell's stance, with the row's ``label`` after it ("Knelpunt – Opvang"); a
    cell of another column, or under a heading that names the same chapter (a slide "Ambities" over | Tafel |
    Ambitie |), keeps ``heading``, the heading of its row."""
    from mh_nlp.themes.headings import heading_chapter

    if not column or heading_chapter(heading) == heading_chapter(column):
        return heading
    label = label.rstrip(":").strip()
    return f"{column} – {label}" if label and not _names_chapter(label) else column


def _labelled_heading(heading: str, label: str) -> str:
    """The heading of a labelled row's cells: the label where it names a chapter ("Wat gaat goed"), which is then
    the evidence for their stance; else the label below the heading above the table ("Knelpunten – Opvang")."""
    label = label.rstrip(":").strip()
    if _names_chapter(label) or not heading:
        return label
    return f"{heading} – {label}"


_DOCX_LIST_STYLE = re.compile(r"^(?:list (?:bullet|number)|lijstnummering|lijstopsommingsteken)(?: ?(\d))?$")
_DOCX_LIST_TEXT = re.compile(r"^(?:list|lijst)")  # List Paragraph, List Continue 2, Lijstalinea: text inside a list
DOCX_LOOKAHEAD = 8  # paragraphs looked at for the item below a list item (empty ones are passed over)


def _docx_list_level(p, style) -> int | None:
    """The level of a list item (0: the top level) by its own numbering (``w:ilvl``), else by its style (``List
    Number 2``: 1, as Word's built-in list styles each have a one-level list of their own), else by its style's
    numbering; None for a paragraph that is no list item (numbering taken off with ``numId`` 0 included)."""
    for el in (p, None if style is None else style.element):
        num = None if el is None else el.find(f"{_W}pPr/{_W}numPr")
        if num is None:
            if el is p and style is not None and (m := _DOCX_LIST_STYLE.match((style.name or "").lower())):
                return int(m.group(1) or 1) - 1
            continue
        number = num.find(_W + "numId")
        if number is not None and number.get(_W + "val") == "0":
            return None
        ilvl = num.find(_W + "ilvl")
        value = "" if ilvl is None else ilvl.get(_W + "val", "")
        return min(int(value), 8) if value.isdigit() else 0
    return None


def _docx_item_heading(text: str) -> str | None:
    """The heading a list item with items below it is (``Knelpunten in de keten``, ``Ambities voor 2027``): it names
    a chapter as a heading does, beginning with one of its phrases (:func:`mh_nlp.themes.headings.heading_chapter`),
    and is shaped as :func:`bare_heading` wants it (no sentence, no label with its text: ``Knelpunt: te weinig
    opvang`` is a point); else None."""
    if not text or not text[0].isalnum() or text.endswith((".", "!")) or len(text) > 60 or ":" in text.rstrip(":"):
        return None
    from mh_nlp.themes.headings import heading_chapter

    return clean(text.rstrip(":?").strip()) if heading_chapter(text) is not None else None


def _docx_next_level(blocks: list, i: int, parent) -> int | None:
    """The list level of the first paragraph with text after ``blocks[i]`` (None: no list item, or a table first)."""
    from docx.text.paragraph import Paragraph

    for block in blocks[i + 1:i + 1 + DOCX_LOOKAHEAD]:
        if block.tag == _W + "tbl":
            return None
        if any(t.text and t.text.strip() for t in block.iter(_W + "t")):
            return _docx_list_level(block, Paragraph(block, parent).style)
    return None


_WORD_MAIN_TYPES = ("application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
                    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")  # .dotm


def _docx_document(path: str):
    """The python-docx document of a .docx, or of a .docm, .dotx or .dotm: the same package and XML, its main part
    of another content type, which ``docx.Document`` refuses (their macros are never run: only XML is read)."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.part import PartFactory
    from docx.package import Package
    from docx.parts.document import DocumentPart

    for content_type in _WORD_MAIN_TYPES:
        PartFactory.part_type_for.setdefault(content_type, DocumentPart)
    part = Package.open(path).main_document_part
    if part.content_type not in (CT.WML_DOCUMENT_MAIN, *_WORD_MAIN_TYPES):
        raise ValueError(f"not a Word document: its content type is {part.content_type!r}")
    return part.document


def _read_docx(path: Path, warn: Warn, max_chars: int) -> Iterator[tuple[int | str, str, dict[str, str]]]:
    """Paragraphs and tables in document order, with all the text Word shows (:func:`_docx_text`): a paragraph's
    position is its number (body paragraphs counted from 1, empty ones and those inside content controls
    included), a table row's ``table T row R``, a text box's paragraph ``text box B paragraph P`` (read after the
    paragraph that anchors it). Comments and footnotes are not read (a warning counts them).

    A list item that names a chapter and has items one level deeper below it is their heading (:func:`_docx_item_
    heading`), and so is one that is only a chapter's name (:func:`bare_heading`); such an item's heading ends at
    the next item of its level or above that is no heading, where the heading above the list comes back (QA 45b:
    ``Wat goed gaat`` as an item was the heading of the ambitions two items on), and that of an item over deeper
    items also at the text after the list (an item that is a chapter's name over plain paragraphs is a title typed
    as a list item: they stand under it)."""
    try:
        import docx  # noqa: F401 - python-docx, opened by _docx_document
        from docx.opc.exceptions import PackageNotFoundError
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadError("python-docx is not installed (pip install python-docx)") from None
    # a decompression bomb, or a part too large to build in memory, is refused before python-docx unpacks it
    check_zip(path, error=TooBig, whole_parts=True)
    try:
        document = _docx_document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _not_opened(path, path.suffix.lower()) from None
    except Exception as exc:  # noqa: BLE001 - lxml and zip errors of a damaged package
        raise ReadError(f"cannot read .docx file ({exc.__class__.__name__})") from None
    layout = _Layout()
    body = document.element.body
    parent = document._body  # noqa: SLF001 - python-docx's container of the body's blocks
    paragraphs = tables = boxes = 0
    fields = _DocxFields()
    items: list[tuple[int, str, str, bool]] = []  # list items read as headings: (level, the heading before, the
    # heading, whether items one level deeper follow it: then the text after the list ends it too)
    try:
        blocks = list(_docx_blocks(body))
        for i, block in enumerate(blocks):
            if block.tag == _W + "tbl":
                tables += 1
                yield from _docx_table(block, tables, layout.heading, warn)
                continue
            paragraphs += 1
            style = Paragraph(block, parent).style
            name = ((style.name if style is not None else "") or "").lower()
            toc_style = _DOCX_TOC_STYLE.match(name) or (style is not None and _DOCX_TOC_STYLE.match(style.style_id or ""))
            if fields.in_toc(block) or toc_style:
                continue  # an entry of a table of contents made as a field (QA 44b): the headings again, no statements
            heading = name.startswith(_TITLE_STYLES)
            text = clean(_docx_text(block))
            level = None if heading else _docx_list_level(block, style)
            if items and layout.heading != items[-1][2]:
                items.clear()  # a heading of another kind took over
            if text and items:  # an item of the level of one read as a heading or above it, or text after the list
                ended = [it for it in items if level is None and it[3] and not _DOCX_LIST_TEXT.match(name)
                         or level is not None and level <= it[0]]
                if ended:
                    layout.new_heading(ended[0][1])
                    del items[items.index(ended[0]):]
            before = layout.heading
            item_heading = _docx_item_heading(text) if level is not None else None
            below = _docx_next_level(blocks, i, parent) if item_heading else None
            group = below is not None and below > level
            if group:
                layout.new_heading(item_heading)
                yield paragraphs, text, {"heading": before, "speaker": "", HEADING_LINE: "1"}
            elif (said := layout.paragraph(text, heading, level is not None)) is not None:
                yield paragraphs, *said
            elif (titled := layout.heading_line(text, before)) is not None:
                yield paragraphs, text, titled
            if level is not None and layout.heading != before:
                items.append((level, before, layout.heading, group))
            for box in _docx_box_texts(block):  # read as table cells are: the heading above, a speaker's label
                boxes += 1
                for number, text in enumerate(box, start=1):
                    if text := clean(text):
                        speaker, text = take_speaker(text)
                        yield f"text box {boxes} paragraph {number}", text, {"heading": layout.heading,
                                                                           "speaker": speaker}
    except RecursionError:  # elements nested thousands deep: no word processor writes that
        raise ReadError("cannot read .docx file (its elements are nested too deeply)") from None
    notes = len({(el.tag, el.get(_W + "id")) for el in body.iter(*_DOCX_NOTES)})  # a text box holds them twice
    if notes:
        warn(f"{notes} footnote(s) and comment(s) are not read")


_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODF_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODF_CONTAINERS = {_ODF_TEXT + t for t in ("list", "list-item", "list-header", "section")}
_ODF_ROW_GROUPS = {_ODF_TABLE + t for t in ("table-header-rows", "table-rows", "table-row-group")}
_ODF_HIDDEN = {_ODF_TEXT + t for t in ("note", "tracked-changes", "bookmark-ref")} | {_ODF_OFFICE + "annotation"}
ODT_REPEAT_CAP = 64  # a cell "repeated" 1,000 times (an empty row's filler) is read at most this often


def _odf_count(value: str | None, cap: int) -> int:
    """A repeat count of an OpenDocument attribute (``text:c``, ``number-columns-repeated``): 1 when missing or not a
    number, at most ``cap``."""
    try:
        return max(1, min(int(value or 1), cap))
    except ValueError:
        return 1


def _odf_text(el) -> str:
    """The words of an OpenDocument paragraph: spaces (``text:s``), tabs and line breaks as spaces; footnotes,
    comments and tracked (deleted) changes left out."""
    parts = [el.text or ""]
    for child in el:
        tag = child.tag
        if tag == _ODF_TEXT + "s":
            parts.append(" " * _odf_count(child.get(_ODF_TEXT + "c"), 8))
        elif tag in (_ODF_TEXT + "tab", _ODF_TEXT + "line-break"):
            parts.append(" ")
        elif tag not in _ODF_HIDDEN:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _odt_table(table, number: int, heading: str, warn: Warn = _ignore
               ) -> Iterator[tuple[str, str, dict[str, str]]]:
    """An OpenDocument table as (text, cell) rows for :func:`_table_statements`; a cell covered by a merge
    is empty."""
    grid: list[list[tuple[str, object]]] = []

    def rows(el):
        for child in el:
            if child.tag == _ODF_TABLE + "table-row":
                yield child
            elif child.tag in _ODF_ROW_GROUPS:
                yield from rows(child)

    for row in rows(table):
        cells: list[tuple[str, object]] = []
        for cell in row:
            if cell.tag not in (_ODF_TABLE + "table-cell", _ODF_TABLE + "covered-table-cell"):
                continue
            text = clean(" ".join(_odf_text(p) for p in cell.iter(_ODF_TEXT + "p")))
            repeat = _odf_count(cell.get(_ODF_TABLE + "number-columns-repeated"), ODT_REPEAT_CAP)
            cells += [(text, object()) for _ in range(repeat)]
        grid.append(cells)  # a repeated row (number-rows-repeated) is an empty row's filler: read once
    yield from _table_statements(grid, number, heading, warn)


def _read_odt(path: Path, warn: Warn, max_chars: int) -> Iterator[tuple[int | str, str, dict[str, str]]]:
    """An OpenDocument text (LibreOffice Writer, .odt): headings, paragraphs, list items and tables in document
    order, read as the .docx reader reads them (a paragraph's position is its number, a table row's ``table T
    row R``). Footnotes and comments are not read (a warning counts them); deleted text of tracked changes is
    left out."""
    from defusedxml import ElementTree as ET  # refuses DTDs' entities (bombs, external files): _XML_REFUSED

    # a decompression bomb, or a part too large to build in memory, is refused before anything is unpacked
    check_zip(path, error=TooBig, whole_parts=True)
    try:
        with zipfile.ZipFile(path) as zf:
            content = zf.read("content.xml")
        root = ET.fromstring(content)
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise ReadError(f"not a valid .odt file ({what_it_is(path, '.odt')})") from None
    except ET.ParseError:
        raise ReadError("cannot read .odt file (its content.xml is damaged)") from None
    body = root.find(f"{_ODF_OFFICE}body/{_ODF_OFFICE}text")
    if body is None:
        raise ReadError("not an OpenDocument text (.odt holds no text body)")
    layout = _Layout()
    count = {"paragraphs": 0, "tables": 0}

    def walk(el):
        for child in el:
            tag = child.tag
            if tag in _ODF_CONTAINERS:
                yield from walk(child)
            elif tag == _ODF_TABLE + "table":
                count["tables"] += 1
                yield from _odt_table(child, count["tables"], layout.heading, warn)
            elif tag in (_ODF_TEXT + "h", _ODF_TEXT + "p"):
                count["paragraphs"] += 1
                style = child.get(_ODF_TEXT + "style-name", "")
                heading = tag == _ODF_TEXT + "h" or style.startswith(("Title", "Heading"))
                before, text = layout.heading, clean(_odf_text(child))
                if (said := layout.paragraph(text, heading)) is not None:
                    yield count["paragraphs"], *said
                elif (titled := layout.heading_line(text, before)) is not None:
                    yield count["paragraphs"], text, titled

    try:
        yield from walk(body)
    except RecursionError:  # elements nested thousands deep: no word processor writes that
        raise ReadError("cannot read .odt file (its elements are nested too deeply)") from None
    notes = sum(1 for _ in body.iter(_ODF_TEXT + "note")) + sum(1 for _ in body.iter(_ODF_OFFICE + "annotation"))
    if notes:
        warn(f"{notes} footnote(s) and comment(s) are not read")


_PML = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_DML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_OFFICE_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SLIDE_PART = re.compile(r"ppt/slides/slide(\d+)\.xml")
_NOT_SAID = {"sldNum", "dt", "ftr"}  # placeholders of a slide's number, date and footer
_TITLES = {"title", "ctrTitle"}  # placeholders of a slide's title
_NOTES_PART = re.compile(r"ppt/notesSlides/notesSlide\d+\.xml")


def _placeholder(shape) -> str:
    """The placeholder type of a slide's shape (``title``, ``body``, ``sldNum`` ...), "" for a text box or table."""
    ph = shape.find(f"{_PML}nvSpPr/{_PML}nvPr/{_PML}ph")
    return "" if ph is None else ph.get("type", "body")


def _pptx_slides(zf: zipfile.ZipFile) -> list[str]:
    """The slide parts of a PowerPoint package in the order of the presentation (``ppt/presentation.xml``), else by
    their number."""
    import posixpath
    from defusedxml import ElementTree as ET  # refuses DTDs' entities (bombs, external files): _XML_REFUSED

    names = set(zf.namelist())
    try:
        rels = ET.fromstring(zf.read("ppt/_rels/presentation.xml.rels"))
        target = {r.get("Id"): r.get("Target") or "" for r in rels.iter(_PACKAGE_REL + "Relationship")}
        order = []
        for slide in ET.fromstring(zf.read("ppt/presentation.xml")).iter(_PML + "sldId"):
            t = target.get(slide.get(_OFFICE_REL + "id"), "")
            name = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("ppt", t))
            if name in names:
                order.append(name)
        if order:
            return order
    except (KeyError, ET.ParseError):
        pass
    return sorted((n for n in names if _SLIDE_PART.fullmatch(n)), key=lambda n: int(_SLIDE_PART.fullmatch(n).group(1)))


def _dml_text(paragraph) -> str:
    """The words of a DrawingML paragraph (``a:p``): its runs and fields, a line break as a space."""
    return clean("".join((el.text or "") if el.tag == _DML + "t" else " " for el in paragraph.iter()
                         if el.tag in (_DML + "t", _DML + "br")))


def _read_pptx(path: Path, warn: Warn, max_chars: int) -> Iterator[tuple[str, str, dict[str, str]]]:
    """A PowerPoint deck (.pptx), slide by slide in the order shown: each paragraph of a text box or placeholder
    is a statement under the slide's title as its heading (``Knelpunten`` as a slide title is evidence for the
    chapter); a table is read as a Word table is. Position ``slide S`` (``slide S table T row R``). The slide
    number, date and footer are left out; the speaker notes and the text of SmartArt and charts (parts of their
    own) are not read, and a warning counts them."""
    from defusedxml import ElementTree as ET  # refuses DTDs' entities (bombs, external files): _XML_REFUSED

    # a decompression bomb, or a part too large to build in memory, is refused before anything is unpacked
    check_zip(path, error=TooBig, whole_parts=True)
    try:
        with zipfile.ZipFile(path) as zf:
            parts = [(number, zf.read(name)) for number, name in enumerate(_pptx_slides(zf), start=1)]
            notes = [zf.read(n) for n in zf.namelist() if _NOTES_PART.fullmatch(n)]
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise _not_opened(path, path.suffix.lower()) from None
    if not parts:
        raise ReadError("not a PowerPoint deck (.pptx holds no slides)")
    layout = _Layout()
    damaged, graphics = [], []
    for number, xml in parts:
        try:
            root = ET.fromstring(xml)
        except ET.ParseError:
            damaged.append(number)
            continue
        if any(g.get("uri", "").endswith(("/diagram", "/chart")) for g in root.iter(_DML + "graphicData")):
            graphics.append(number)
        shapes = [(el, _placeholder(el)) for el in root.iter() if el.tag in (_PML + "sp", _DML + "tbl")]
        before = layout.heading
        layout.new_heading(clean(" ".join(_dml_text(p) for shape, kind in shapes if kind in _TITLES
                                          for p in shape.iter(_DML + "p"))))
        if layout.heading:  # a slide's title: a meta row when nothing stands under it (lone_headings)
            yield f"slide {number}", layout.heading, {"heading": before, "speaker": "", HEADING_LINE: "1"}
        tables = 0
        for shape, kind in shapes:
            if shape.tag == _DML + "tbl":
                tables += 1
                grid = [[(_dml_text_all(tc), object()) for tc in tr.iter(_DML + "tc")]
                        for tr in shape.iter(_DML + "tr")]
                for where, text, extra in _table_statements(grid, tables, layout.heading):
                    yield f"slide {number} {where}", text, extra
                continue
            if kind in _TITLES or kind in _NOT_SAID:
                continue
            for paragraph in shape.iter(_DML + "p"):
                before, text = layout.heading, _dml_text(paragraph)
                if (said := layout.paragraph(text)) is not None:
                    yield f"slide {number}", *said
                elif (titled := layout.heading_line(text, before)) is not None:
                    yield f"slide {number}", text, titled
    if damaged:
        warn(f"{len(damaged)} slide(s) cannot be read and are skipped (slide {_first_few(damaged)})")
    if graphics:
        warn(f"the text of SmartArt and charts is not read ({len(graphics)} slide(s): slide {_first_few(graphics)}); "
             "copy it into a text box to have it labelled")
    with_notes = sum(1 for xml in notes if _notes_text(xml))
    if with_notes:
        warn(f"the speaker notes of {with_notes} slide(s) are not read; copy them into a note to have them labelled")


def _notes_text(xml: bytes) -> bool:
    """True when a notes part (``ppt/notesSlides/...``) holds words in its notes placeholder."""
    from defusedxml import ElementTree as ET  # refuses DTDs' entities (bombs, external files): _XML_REFUSED

    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return False
    return any(_placeholder(sp) == "body" and any(_dml_text(p) for p in sp.iter(_DML + "p"))
               for sp in root.iter(_PML + "sp"))


def _dml_text_all(cell) -> str:
    """The words of a table cell (``a:tc``): its paragraphs joined."""
    return clean(" ".join(_dml_text(p) for p in cell.iter(_DML + "p")))


PDF_MAX_PAGES = 5_000  # pages read of one PDF (a longer one is read up to here, with a warning)
PDF_PAGE_CHARS = 200_000  # characters kept of one page's text (a real page holds a few thousand)
PDF_MARGIN_LINES = 4  # lines at the top and at the bottom of a page's text where a running header, footer or page
# number is looked for (pypdf gives them where the PDF stores them: first, last, or a page number below the header)
PDF_STREAM_SHARE = 0.2  # share of --max-unpacked-mb one PDF stream may unpack to (10 MB: a page's text is KBs)
# share of --max-unpacked-mb that the content a PDF's pages draw may unpack to together (50 MB: a page of text is 5-30
# KB, so some thousands of pages), counted as the pages are read: a stream that several pages share, or a form that
# a page draws again and again, counts each time it is read (QA 49b D1: 2,000 pages sharing one 9 MB stream, each
# under the limit a stream, held the screen for half an hour)
PDF_CONTENT_SHARE = 1.0
_PAGE_NUMBER = re.compile(r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?"
                          r"(?:\s*(?:van|of|/)\s*\d{1,4})?$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_BARE_NUMBER = re.compile(r"^[-–—]?\s*(\d{1,4})\s*[-–—]?$")  # 3, - 3 -: a page number only where the pages count on


# a PDF line's left and right edge, its baseline and the width of " " + its first word, in points
_Place = tuple[float, float, float, float]
# a run of text on a PDF line: its left and right edge, its text and the width of a space in its font
_Part = tuple[float, float, str, float]


class _LinePlaces:
    """pypdf's visitor of a page's text runs (``extract_text(visitor_text=...)``): where each line of the text stands
    (:data:`_Place`, in points, widths from the font's metrics), or None where that cannot be told (a run holding
    more than one line, a font without metrics)."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, list[float], float, object]] = []
        self.fonts: dict[int, object] = {}
        self.seen: str | None = None  # the text pypdf gave while visiting
        self.parts: list[list[_Part] | None] = []  # the runs of each line (after places()), None where not known

    def __call__(self, text, cm, tm, font, size) -> None:
        if text:
            try:
                m = [tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                     tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]]
                scale = float(size or 0) * (m[0] ** 2 + m[1] ** 2) ** 0.5 / 1000
            except (TypeError, ValueError, IndexError):  # an odd matrix: no place, but the text stays in line
                m, scale = [0.0, 0.0, 0.0, 0.0], 0.0
            self.runs.append((text, m, scale, font))

    def _width(self, font, scale: float, text: str) -> float | None:
        if font is None or not scale:
            return None
        if id(font) not in self.fonts:
            try:
                from pypdf.generic._font import Font  # the font's metrics, as pypdf reads them for its own spacing

                self.fonts[id(font)] = Font.from_font_resource(font)
            except Exception:  # noqa: BLE001 - no metrics: the line's place stays unknown
                self.fonts[id(font)] = None
        metrics = self.fonts[id(font)]
        return None if metrics is None else metrics.get_text_width(text) * scale

    def places(self, text: str) -> list[_Place | None]:
        """The place of each line of ``text`` (the page's text as pypdf gives it, ``text.splitlines()``)."""
        try:
            return self._places(text)
        except Exception:  # noqa: BLE001 - an odd matrix or font: where the lines stand is not known
            return [None] * len(text.splitlines())

    def _places(self, text: str) -> list[_Place | None]:
        lines = text.splitlines()
        self.parts = [None] * len(lines)
        joined = "".join(run[0] for run in self.runs)
        if self.seen != text or joined.splitlines() != lines or "\r" in joined:
            return [None] * len(lines)
        out: list[_Place | None] = []
        parts: list[list[_Part] | None] = []
        cur: list[float] | None | bool = None
        runs: list[_Part] = []
        for piece_text, m, scale, font in self.runs:
            for k, piece in enumerate(piece_text.split("\n")):
                if k:
                    out.append(tuple(cur) if isinstance(cur, list) else None)
                    parts.append(runs if isinstance(cur, list) else None)
                    cur, runs = None, []
                if not piece.strip() or cur is False:
                    continue
                if k:  # a second line in one run: where it stands is not known
                    cur = False
                    continue
                indent = self._width(font, scale, piece[:len(piece) - len(piece.lstrip())])
                width = self._width(font, scale, piece.rstrip())
                lead = self._width(font, scale, " " + piece.split()[0])
                space = self._width(font, scale, " ")
                if indent is None or width is None or lead is None or space is None:
                    cur = False
                    continue
                if cur is None:
                    cur = [m[2] + indent, m[2] + width, m[3], lead]
                else:
                    cur[1] = max(cur[1], m[2] + width)
                runs.append((m[2] + indent, m[2] + width, piece.strip(), space))
        if cur is not None or len(out) < len(lines):
            out.append(tuple(cur) if isinstance(cur, list) else None)
            parts.append(runs if isinstance(cur, list) else None)
        self.parts = parts[:len(lines)] + [None] * (len(lines) - len(parts))
        return out[:len(lines)] + [None] * (len(lines) - len(out))


class _PdfBudget:
    """What the content streams a PDF's pages draw may unpack to together (:data:`PDF_CONTENT_SHARE`), counted as pypdf
    builds each one (:func:`_count_pdf_content`). Past it, the streams built after are emptied, so that nothing more is
    parsed (pypdf takes any error in a form as a warning and reads on), and the reader refuses the file."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.over = False

    def add(self, size: int) -> bool:
        """Count ``size`` bytes; False once the budget is spent."""
        self.used += size
        self.over = self.over or self.used > self.limit
        return not self.over


_PDF_BUDGET: "contextvars.ContextVar[_PdfBudget | None]" = contextvars.ContextVar("mh_nlp_pdf_budget", default=None)
_READ_DEADLINE: "contextvars.ContextVar[tuple[float, float] | None]" = contextvars.ContextVar("mh_nlp_read_deadline",
                                                                                           default=None)


@contextmanager
def read_time_limit(seconds: float | None):
    """Within it, a PDF whose pages are still being read ``seconds`` after it began is refused (:class:`TooBig`,
    naming the page): the review screen's upload check, which holds every other upload while it reads (QA 49c N1: a
    PDF within the content budget, 48 pages of 1 MB of drawing instructions each, took 200 s). Checked before each
    page, so one page may run over it; ``mh-nlp label`` reads without a limit. None or 0: no limit."""
    if not seconds:
        yield
        return
    token = _READ_DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _READ_DEADLINE.reset(token)


def _count_pdf_content() -> None:
    """Count every content stream pypdf builds (a page's, a form's) against the :class:`_PdfBudget` of the PDF this
    thread is reading, if any (elsewhere nothing changes): a wrapper of ``ContentStream.__init__``, installed once.
    pypdf has limits per stream and per page, not per file."""
    from pypdf.generic import ContentStream

    if getattr(ContentStream, "_mh_nlp_counted", False):
        return
    built = ContentStream.__init__

    def counted(self, stream, pdf, forced_encoding=None):
        built(self, stream, pdf, forced_encoding)
        budget = _PDF_BUDGET.get()
        if budget is not None and not budget.add(len(self.get_data() or b"")):
            self.set_data(b"")  # over the budget: nothing of it is parsed

    ContentStream.__init__ = counted
    ContentStream._mh_nlp_counted = True


def _page_content_size(page, most: int) -> int:
    """How many bytes a page's own content streams unpack to, counted stream by stream until past ``most`` (pypdf
    keeps a stream once it is unpacked, so a stream that pages share is unpacked once)."""
    from pypdf.generic import ArrayObject, StreamObject

    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    size = 0
    for stream in contents if isinstance(contents, ArrayObject) else [contents]:
        stream = stream.get_object() if stream is not None else None
        if isinstance(stream, StreamObject):
            size += len(stream.get_data() or b"")
            if size > most:
                break
    return size


def _pdf_pages(path: Path, warn: Warn, places: dict[int, list[_Place | None]] | None = None,
               parts: dict[int, list[list[_Part] | None]] | None = None) -> list[tuple[int, list[str]]]:
    """(page number, text lines) of each page of a PDF that can be read; a damaged page is counted in a warning.
    A stream that unpacks to more than a fifth of ``--max-unpacked-mb`` (:data:`mh_nlp.io.safezip.LIMITS`; 10 of
    50 MB) stops pypdf there and refuses the file: a decompression bomb; so does content that the pages draw, together,
    past ``--max-unpacked-mb`` (:data:`PDF_CONTENT_SHARE`; each time a page reads it: a stream many pages share, a form
    drawn again and again), summed for the pages' own streams before any page is parsed. ``places`` (if given) gets the place of each
    line of each page (:class:`_LinePlaces`), ``parts`` the runs of text each line is made of."""
    import logging
    import warnings

    try:
        import pypdf
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadError("pypdf is not installed (pip install pypdf)") from None
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its notes on repairing a file are no user's business
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = pypdf.PdfReader(str(path), strict=False)
            if reader.is_encrypted:  # a PDF that only restricts printing or copying opens without a password
                try:
                    opened = reader.decrypt("")
                except Exception:  # noqa: BLE001 - an encryption pypdf cannot undo
                    opened = 0
                if not opened:
                    raise ReadError("the PDF is protected by a password; save a copy without one")
            n = len(reader.pages)
        except ReadError:
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf's errors of a damaged or hostile file
            raise ReadError(f"not a valid .pdf file ({what_it_is(path, '.pdf')})") from None
        pages: list[tuple[int, list[str]]] = []
        bad: dict[int, str] = {}
        whole = safezip.LIMITS.max_unpacked_mb
        mb = whole * PDF_STREAM_SHARE  # what one stream (a page's text) may unpack to
        cap = {f"{k}_maximum_output_length": int(mb * 1024 * 1024)
               for k in ("zlib", "lzw", "run_length", "brotli", "jbig2", "array_based_stream")}
        budget = _PdfBudget(int(whole * PDF_CONTENT_SHARE * 1024 * 1024))

        def too_big(i: int) -> TooBig:
            if budget.over:
                return TooBig(f"its pages unpack to more than {whole * PDF_CONTENT_SHARE:,.0f} MB of content "
                              f"together (by page {i + 1}; limit --max-unpacked-mb, {whole:,.0f} MB: a stream that "
                              "pages share counts for each page that draws it); raise the limit with "
                              "--max-unpacked-mb if the file is trusted")
            return TooBig(f"page {i + 1} unpacks to more than {mb:,.0f} MB (limit {mb:,.0f} MB a stream, a fifth "
                          f"of {whole:,.0f} MB); raise the limit with --max-unpacked-mb if the file is trusted")

        counted = _PdfBudget(budget.limit)  # first the pages' own streams, summed before any page is parsed
        for i in range(min(n, PDF_MAX_PAGES)):
            try:
                with pypdf.apply_configuration(**cap):
                    size = _page_content_size(reader.pages[i], min(cap["zlib_maximum_output_length"],
                                                                   counted.limit - counted.used))
            except pypdf.errors.LimitReachedError:
                raise too_big(i) from None
            except Exception:  # noqa: BLE001 - a damaged page: its reading below says so
                continue
            if size > cap["array_based_stream_maximum_output_length"]:  # as pypdf says of the streams of one page
                raise too_big(i)
            if not counted.add(size):
                budget.over = True
                raise too_big(i)
        _count_pdf_content()  # then all that pypdf parses, forms too, as it parses it
        deadline = _READ_DEADLINE.get()
        for i in range(min(n, PDF_MAX_PAGES)):
            if deadline is not None and time.monotonic() > deadline[0]:
                raise TooBig(f"its pages take more than {deadline[1]:,.0f} s to read (stopped before page {i + 1} of "
                             f"{n:,}: heavy drawing content); label it with `mh-nlp label`, or raise the limit with "
                             "--max-read-seconds")
            try:
                visitor = _LinePlaces()
                with pypdf.apply_configuration(**cap):
                    token = _PDF_BUDGET.set(budget)
                    try:
                        text = None
                        if places is not None:  # one pass gives the text and where its lines stand
                            try:
                                text = visitor.seen = reader.pages[i].extract_text(visitor_text=visitor) or ""
                            except pypdf.errors.LimitReachedError:
                                raise
                            except Exception:  # noqa: BLE001 - read the text alone; where its lines stand is not known
                                visitor = _LinePlaces()
                        if text is None:
                            text = reader.pages[i].extract_text() or ""
                    finally:
                        _PDF_BUDGET.reset(token)
                if budget.over:
                    raise too_big(i)
            except pypdf.errors.LimitReachedError:  # a decompression bomb: refused as a whole, as a .docx is
                raise too_big(i) from None
            except TooBig:
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged page must not end the document
                bad[i + 1] = exc.__class__.__name__
                continue
            if len(text) > PDF_PAGE_CHARS:
                warn(f"page {i + 1} holds {len(text):,} characters; only its first {PDF_PAGE_CHARS:,} are read")
                text = text[:PDF_PAGE_CHARS]
            pages.append((i + 1, [clean(line) for line in text.splitlines()]))
            if places is not None:
                places[i + 1] = visitor.places(text)
                if parts is not None:
                    parts[i + 1] = visitor.parts
    if n > PDF_MAX_PAGES:
        warn(f"only the first {PDF_MAX_PAGES:,} of its {n:,} pages are read")
    empty = [number for number, lines in pages if not any(lines)]
    if empty and len(empty) < len(pages):
        warn(f"{len(empty)} page(s) hold no text (page {_first_few(empty)}): a scanned page is an image of text "
             "(OCR reads it)")
    if bad:
        why = next(iter(bad.values()))
        if not pages:
            raise ReadError(f"no page can be read ({why})")
        warn(f"{len(bad)} page(s) cannot be read and are skipped (page {_first_few(bad)}; {why})")
    return pages


def _margins(n: int) -> set[int]:
    """The indexes of the first and last :data:`PDF_MARGIN_LINES` lines of a page of ``n`` lines: where a running
    header, footer or page number may stand."""
    return set(range(min(PDF_MARGIN_LINES, n))) | set(range(max(n - PDF_MARGIN_LINES, 0), n))


def _page_offsets(pages: list[tuple[int, list[str]]]) -> set[int]:
    """The differences between a bare number at the top or bottom of a page and the page's number (its place in the
    file) that two or more pages share: the page numbering, also one that starts after a cover (QA 44c). A bare "31"
    closing one page's list is no page number (QA 44b). A PDF of one page: 0."""
    seen: dict[int, int] = {}
    for number, lines in pages:
        for i in _margins(len(lines)):
            if m := _BARE_NUMBER.match(lines[i]):
                seen[int(m.group(1)) - number] = seen.get(int(m.group(1)) - number, 0) + 1
    return {offset for offset, count in seen.items() if count >= 2} or ({0} if len(pages) == 1 else set())


def _margin_keys(line: str, page: int, offsets: set[int]) -> set[str]:
    """A line as a running header or footer repeats it: as it is (``Verslag ketenoverleg 3 oktober 2026``), and with
    its numbers aside when one of them is the page's number (``Rapportage 2026 - pagina 3``). A line whose numbers
    change from page to page otherwise is text (QA 44b/44c: a factsheet's "In 2025 zijn 14 signalen … gemeld." and
    "• 14 signalen …" on every page, other numbers aside, were taken off every page)."""
    keys = {"=" + line}
    numbering = offsets | {0}
    if any(int(d) - page in numbering for d in _DIGITS.findall(line) if len(d) <= 4):
        keys.add("#" + _DIGITS.sub("#", line))
    return keys


def _running_lines(pages: list[tuple[int, list[str]]], offsets: set[int]) -> set[str]:
    """The keys (:func:`_margin_keys`) of a PDF's running header and footer lines: a line among the first or last
    :data:`PDF_MARGIN_LINES` of the text of at least half of the pages, at least three; of a PDF of two pages, a line
    beside the page number on both (without one, a repeated line may as well be the text's). A bare number is never
    one: it is a page number or text (:func:`_page_number`)."""
    seen: dict[str, int] = {}
    for number, lines in pages:
        if len(pages) >= 3:
            near = _margins(len(lines))
        else:
            near = {j for i in _margins(len(lines)) if _PAGE_NUMBER.match(lines[i]) for j in (i - 1, i + 1)
                    if 0 <= j < len(lines)}
        keys = {k for i in near if not _BARE_NUMBER.match(lines[i]) for k in _margin_keys(lines[i], number, offsets)}
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
    least = max(3, len(pages) / 2) if len(pages) >= 3 else 2
    return {key for key, count in seen.items() if count >= least}


def _page_number(lines: list[str], i: int, page: int, offsets: set[int]) -> bool:
    """True when ``lines[i]`` is a page number (``Pagina 3 van 12``, ``Page 3 of 12``, ``- 3 -``, ``3``) on a line
    of its own: not a number that a sentence runs through (a line that stops mid-sentence above, lower case below),
    and a bare number only where it is ``page`` plus one of ``offsets`` (:func:`_page_offsets`)."""
    if _PAGE_NUMBER.match(lines[i]) is None:
        return False
    if (bare := _BARE_NUMBER.match(lines[i])) and int(bare.group(1)) - page not in offsets:
        return False
    return (i == 0 or i == len(lines) - 1 or _SENTENCE_END.search(lines[i - 1]) is not None
            or not lines[i + 1][:1].islower())


def _page_text(lines: list[str], running: set[str], page: int, offsets: set[int]) -> list[int]:
    """The indexes of a page's lines that are its text: a page number among its first or last
    :data:`PDF_MARGIN_LINES` lines is left out wherever it stands, and running lines (:func:`_running_lines`) are
    taken off the top and the bottom one after another, in whatever order the PDF stores them and the page number.
    A line that starts in lower case (a sentence running on) or a transcript's speaker line (``Spreker 1 00:03:15``
    heads many pages) stops that."""
    n = len(lines)
    numbers = {i for i in _margins(n) if _page_number(lines, i, page, offsets)}

    def margin(i: int) -> bool:
        return i in numbers or (not lines[i][:1].islower() and speaker_line(lines[i]) is None
                                and not _BARE_NUMBER.match(lines[i])
                                and not running.isdisjoint(_margin_keys(lines[i], page, offsets)))

    start, end = 0, n
    while start < min(PDF_MARGIN_LINES, end) and margin(start):
        start += 1
    while end > max(start, n - PDF_MARGIN_LINES) and margin(end - 1):
        end -= 1
    return [i for i in range(start, end) if i not in numbers]


# a footnote marker glued to a sentence end or a closing quote or bracket: "in Nederland.1", "(2023).4", "”2"; not a
# number's decimals ("2.1", "€ 2.000": no word before the mark) nor "p.10", "nr.3" (an abbreviation: see _note_mark)
_NOTE_MARK = re.compile(r"(?<=[^\W\d_)\]])(?:[.!?…][\"'”’)\]]*|[\"”’)\]]+)(?P<n>\d{1,3})(?=\s|$)")
_FOOTNOTE = re.compile(r"^(\d{1,3})\s+\S")  # "1 Nationaal Rapporteur Mensenhandel, …" at a page's bottom
FOOTNOTE_LINES = 4  # lines one footnote may run over
FOOTNOTE_SCAN = 60  # last lines of a page searched for its footnotes


_YEAR_MARK = re.compile(rf"\b{_IN_YEAR}\.(?P<n>\d{{1,2}})$", re.IGNORECASE)  # "… dan in 2019.1" ending a line (QA 45c)
# a marker glued to a number inside a line, before the next sentence's capital: "… ten opzichte van 2019.1 De daling",
# "… steeg naar 41,5.3 De IND" (QA 45d S8); not "1.204 inspecties", "versie 2023.1 en", and only where the page has
# that footnote (_note_marks)
_INLINE_MARK = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?\.(?P<n>\d{1,2})"
                          r"(?=\s+[\"'“‘(]?" + UPPER + ")")


def _note_marks(line: str, noted: set[int] | None = None) -> Iterator[re.Match]:
    """The footnote markers in a line of a PDF's text (:data:`_NOTE_MARK`): a word of two letters or more before the
    mark, no abbreviation (``p.10``, ``nr.3``, ``blz.12`` keep their numbers); and one after a year that ends the
    line (:data:`_YEAR_MARK`; ``versie 2.1`` and a year's decimals inside a line stay), when ``noted`` (the numbers
    of the page's footnotes, if known) holds it: "… in 2020.12" over "gemeenten hebben …" is a number (QA 45d).
    Likewise one glued to a number inside the line before a capital (:data:`_INLINE_MARK`, "… van 2019.1 De daling"),
    in the order they stand."""
    found = []
    for m in _NOTE_MARK.finditer(line):
        word = re.search(r"[\w.]*$", line[:m.start()]).group().strip(".")
        if len(word) >= 2 and word.lower() not in _ABBREVIATIONS:
            found.append(m)
    if (m := _YEAR_MARK.search(line)) and (noted is None or int(m.group("n")) in noted):
        found.append(m)
    found += [m for m in _INLINE_MARK.finditer(line) if noted is None or int(m.group("n")) in noted]
    yield from sorted(found, key=lambda m: m.start("n"))


def _without_marks(line: str, noted: set[int]) -> str:
    """``line`` without its footnote markers (:func:`_note_marks`; ``noted``: the numbers of its page's footnotes):
    "in Nederland.1" -> "in Nederland."."""
    for m in reversed(list(_note_marks(line, noted))):
        line = line[:m.start("n")] + line[m.end("n"):]
    return line


def _footnotes(lines: list[str]) -> int:
    """How many of a page's last ``lines`` (its text, without page number and running lines) are its footnotes:
    a run of lines at the bottom that starts with a small number (``1 Nationaal Rapporteur …``), the numbers one
    after another, each a marker in the page's text (``… in Nederland.1``), a footnote running over at most
    :data:`FOOTNOTE_LINES` lines, among the last :data:`FOOTNOTE_SCAN`. A list at a page's bottom whose numbers no
    marker uses stays (QA 45b)."""
    best, n = len(lines), len(lines)
    marks = {int(m.group("n")) for line in lines for m in _note_marks(line)}
    if not marks:
        return 0
    numbers: list[tuple[int, int]] = []  # (index, number) of the lines from ``start`` down that start with a number
    for start in range(n - 1, max(n - FOOTNOTE_SCAN, 0) - 1, -1):
        if not (m := _FOOTNOTE.match(lines[start])):
            continue
        numbers.insert(0, (start, int(m.group(1))))
        ends = [i for i, _ in numbers[1:]] + [n]
        if (all(number in marks for _, number in numbers)
                and all(b == a + 1 for (_, a), (_, b) in zip(numbers, numbers[1:]))
                and all(end - i <= FOOTNOTE_LINES for (i, _), end in zip(numbers, ends))):
            best = start
    return n - best


PDF_SAME_EDGE = 2.0  # points: lines whose left edges are this close stand in one column
PDF_COLUMN_LINES = 3  # lines broken mid-sentence a column needs before its width is measured (the widest of them)


def _unfit_breaks(lines: list[str], text: list[int], at: list[_Place | None]) -> set[int]:
    """The places ``k`` in ``text`` (a page's text lines' indexes) where ``lines[text[k]]`` goes on with the sentence
    of the line above although it starts with a capital: the line above stops mid-sentence and could not take this
    line's first word, measured in points against the column's width (the widest of its lines that a lower-case line
    continues, of the lines that share its left edge; a column needs :data:`PDF_COLUMN_LINES` of them) and the next
    line stands at the column's line spacing. A narrow column leaves a line short where a long
    word did not fit (QA 45b: "… te melden. Het meldpunt van WATCH" / "Nederland maakt het …" was split)."""
    column: dict[int, list[int]] = {}
    for k, i in enumerate(text):
        if at[i] is not None:
            column.setdefault(round(at[i][0]), []).append(k)

    measured: dict[float, tuple[float, float] | None] = {}

    def measure(x: float) -> tuple[float, float] | None:
        """The width and the line spacing of the column of lines whose left edge is ``x``."""
        if x not in measured:
            near = range(round(x - PDF_SAME_EDGE), round(x + PDF_SAME_EDGE) + 1)
            own = sorted(k for edge in near for k in column.get(edge, []) if abs(at[text[k]][0] - x) <= PDF_SAME_EDGE)
            pairs = [(p, q) for p, q in zip(own, own[1:]) if q == p + 1 and at[text[p]][2] > at[text[q]][2]]
            gaps = sorted(at[text[p]][2] - at[text[q]][2] for p, q in pairs)
            wrapped = [at[text[p]][1] - at[text[p]][0] for p, q in pairs if lines[text[q]][:1].islower()]
            # no column of wrapped text (a list of short lines): nothing to measure
            measured[x] = (max(wrapped), gaps[len(gaps) // 2]) if len(wrapped) >= PDF_COLUMN_LINES else None
        return measured[x]

    out = set()
    for k in range(1, len(text)):
        a, b = at[text[k - 1]], at[text[k]]
        above, line = lines[text[k - 1]], lines[text[k]]
        if (a is None or b is None or abs(a[0] - b[0]) > PDF_SAME_EDGE or not line[:1].isupper()
                or _SENTENCE_END.search(above) or above.endswith(("-", ","))
                or bare_heading(line) is not None or chapter_caption(line) is not None):
            continue
        if (column_is := measure(a[0])) is None:
            continue
        width, spacing = column_is
        if 0 < a[2] - b[2] <= 1.2 * spacing and a[1] - a[0] + b[3] > width:
            out.add(k)
    return out


def _row_cells(text: list[int], at: list[_Place | None]) -> set[int]:
    """The indexes of a page's lines that stand on one baseline with the line before or after them in the text, left
    or right of it: the cells of a table's row, which pypdf gives one by one ("Organisatie", "Knelpunt", "Voorstel").
    A chapter's name among them is a column's name, no heading (QA 45b)."""
    out = set()
    for i, j in zip(text, text[1:]):
        a, b = at[i], at[j]
        if a is not None and b is not None and abs(a[2] - b[2]) < 1 and (b[0] >= a[1] or a[0] >= b[1]):
            out |= {i, j}
    return out


PDF_ROW_GAP = 1.25  # a cell's next line stands at most this many of the table's line steps below the one above
PDF_TABLE_END = 2.2  # a line this many line steps below the table's lowest line so far is no longer the table's
PDF_CELL_GAP = 4  # runs of a PDF line this many spaces apart are cells of a table's row


def _line_cells(line: str, place: _Place | None, runs: list[_Part] | None) -> list[tuple[float, float, str]]:
    """The cells a PDF line holds, as (left, right, text): its runs of text grouped where they stand apart by more
    than a few spaces (a table's row drawn as one line: "Organisatie     Knelpunt     Voorstel"), else the line as
    one cell; [] for a line whose place is not known."""
    if place is None:
        return []
    groups: list[list] = []
    for x0, x1, text, space in runs or []:
        if groups and x0 - groups[-1][1] < max(PDF_CELL_GAP * space, 6.0):
            glue = "" if x0 - groups[-1][1] < space / 2 else " "
            groups[-1][1], groups[-1][2] = max(groups[-1][1], x1), groups[-1][2] + glue + text
        else:
            groups.append([x0, x1, text])
    if len(groups) < 2:
        return [(place[0], place[1], line)]
    return [(x0, x1, clean(text)) for x0, x1, text in groups]


def _pdf_table(lines: list[str], text: list[int], at: list[_Place | None], runs: list[list[_Part] | None],
               start: int) -> tuple[int, list[list[str]]] | None:
    """A table of a PDF page that starts at ``text[start]`` (indexes into the page's ``lines``, in reading order,
    placed by ``at``, made of ``runs``): (the index in ``text`` after its last line, its rows of cells, the header
    first), or None. Its header is two or more short cells side by side on one baseline (``Organisatie``,
    ``Knelpunt``, ``Voorstel``: no sentence), on lines of their own or as runs of one line standing apart
    (:func:`_line_cells`). A line below belongs to the first column whose header cell it starts left of the end of
    (so a header centred over its column counts too), as long as it ends before the next header cell starts; a
    line that crosses it, stands left of the table or cannot be placed ends the table, and so does a gap of more
    than two rows. A cell is a column's run of lines each one line step below the one above (a larger gap starts
    the next row's cell; where every column has a line at every height, each line is a cell of its own); cells that
    overlap in height are one row (a cell centred in its row as well). It takes
    two rows of two or more cells (or one row filling every column) to be a table, so that two columns of running
    text are never read as one."""
    head: list[tuple[float, float, str]] = []
    k, baseline = start, None
    while k < len(text) and (p := at[text[k]]) is not None and (baseline is None or abs(p[2] - baseline) < 1) and (
            not head or p[0] >= head[-1][1]):
        head += _line_cells(lines[text[k]], p, runs[text[k]])
        baseline = p[2]
        k += 1
    if len(head) < 2 or not all(_short(t) for _x0, _x1, t in head):
        return None
    placed: list[tuple[int, float, str]] = []  # (column, baseline, text)
    ends: list[int] = []  # for each placed cell, the index in text after its line
    while k < len(text) and (p := at[text[k]]) is not None:
        cells = _line_cells(lines[text[k]], p, runs[text[k]])
        columns = []
        for x0, x1, _t in cells:
            column = next((c for c, h in enumerate(head) if x0 < h[1]), None)
            if x0 < head[0][0] - 6 or column is None or (column + 1 < len(head) and x1 > head[column + 1][0] - 2):
                break
            columns.append(column)
        if len(columns) < len(cells):
            break
        placed += [(c, p[2], t) for c, (_x0, _x1, t) in zip(columns, cells)]
        k += 1
        ends += [k] * len(cells)
    heights = sorted({baseline, *(base for _c, base, _t in placed)}, reverse=True)
    pitch = min((a - b for a, b in zip(heights, heights[1:]) if a - b > 1), default=None)
    if pitch is None:
        return None
    floor = next((b for a, b in zip(heights, heights[1:]) if a - b > PDF_TABLE_END * pitch), None)
    if floor is not None:  # a gap wider than two rows' ends the table (a heading below it): lines from there on
        n = next(n for n, (_c, base, _t) in enumerate(placed) if base <= floor)
        placed, k = placed[:n], (ends[n - 1] if n else k)
    by_column: dict[int, list[float]] = {}
    at_height: dict[float, set[int]] = {}
    for column, base, _t in placed:
        by_column.setdefault(column, []).append(base)
        at_height.setdefault(round(base), set()).add(column)
    # a cell's line step: the smallest step between a column's lines; None where every column has a line at every
    # height, a table of one-line cells (then every line is a cell of its own, and rows are not run together)
    steps = [a - b for bases in by_column.values() for a, b in zip(bases, bases[1:]) if a - b > 1]
    one_line = all(len(columns) == len(head) for columns in at_height.values())
    step = min(steps) if steps and not one_line else None
    cells_: list[list] = []  # [column, top baseline, bottom baseline, text]
    open_cell: dict[int, list] = {}
    for column, base, t in placed:
        cell = open_cell.get(column)
        if cell is not None and step is not None and 0 < cell[2] - base <= PDF_ROW_GAP * step:
            cell[2] = base
            cell[3] = cell[3] + t if cell[3].endswith("-") else f"{cell[3]} {t}"
            continue
        open_cell[column] = [column, base, base, t]
        cells_.append(open_cell[column])
    rows: list[list] = []  # [top, bottom, cells]
    for column, top, bottom, t in sorted(cells_, key=lambda c: (-c[1], c[0])):
        if rows and top >= rows[-1][1] - 1 and not rows[-1][2][column]:  # overlaps the row above in height
            row = rows[-1]
            row[1] = min(row[1], bottom)
        else:
            row = [top, bottom, [""] * len(head)]
            rows.append(row)
        row[2][column] = t
    full = [r[2] for r in rows if sum(bool(c) for c in r[2]) >= 2]
    if len(full) < 2 and not any(all(r[2]) for r in rows):
        return None
    return k, [[t for _x0, _x1, t in head]] + [r[2] for r in rows]


def _pipe_rows(rows: list[list[str]]) -> list[str]:
    """A PDF table's rows (:func:`_pdf_table`) as the lines of a Markdown table, the header above its rule, so that
    the notes reader reads it as any table (:func:`_md_table`)."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
    return [line(rows[0]), line(["---"] * len(rows[0])), *(line(r) for r in rows[1:])]


def _read_pdf(path: Path, warn: Warn, max_chars: int) -> Iterator[tuple[str, str, dict[str, str]]]:
    """A PDF's text, page by page, read as a text note is (:func:`text_blocks`: broken lines rejoined, also over a
    page break, bullets, speakers, a chapter's name on a line of its own as a heading); position ``page P``. Page
    numbers and the running header and footer are left out (:func:`_page_text`); a line repeated in the text stays.
    A scanned PDF holds images of text and no text: a one-line error says so."""
    places: dict[int, list[_Place | None]] = {}
    parts: dict[int, list[list[_Part] | None]] = {}
    pages, at, runs = [], {}, {}
    for number, lines in _pdf_pages(path, warn, places, parts):
        shown = [i for i, line in enumerate(lines) if line]
        pages.append((number, [lines[i] for i in shown]))
        at[number] = [places[number][i] for i in shown] if number in places else [None] * len(shown)
        runs[number] = [parts[number][i] for i in shown] if number in parts else [None] * len(shown)
    offsets = _page_offsets(pages)
    running = _running_lines(pages, offsets)
    kept, where, left, cells, tabled = [], [], [], set(), set()
    headers: list[tuple[int, str]] = []  # (page, header row) of each table found, said in a warning
    notes = 0
    for number, lines in pages:
        text = _page_text(lines, running, number, offsets)
        noted: set[int] = set()  # the numbers of the page's footnotes
        if footnotes := _footnotes([lines[i] for i in text]):
            notes += footnotes
            noted = {int(m.group(1)) for i in text[-footnotes:] if (m := _FOOTNOTE.match(lines[i]))}
            text = text[:-footnotes]
        shown = set(text)
        left += [line for i, line in enumerate(lines) if i not in shown]
        row_cells, unfit = _row_cells(text, at[number]), _unfit_breaks(lines, text, at[number])
        skip_to = 0
        for k, i in enumerate(text):
            if k < skip_to:  # a line of the table read above
                continue
            if ((i in row_cells or len(_line_cells(lines[i], at[number][i], runs[number][i])) > 1)
                    and (found := _pdf_table(lines, text, at[number], runs[number], k)) is not None):
                skip_to, rows = found  # a table: its rows as a Markdown table's, between blank lines
                headers.append((number, " | ".join(c for c in rows[0] if c)))
                for row in ["", *_pipe_rows([[_without_marks(c, noted) for c in r] for r in rows]), ""]:
                    kept.append(row)
                    where.append(number)
                    if row:
                        tabled.add(len(kept))
                continue
            if k in unfit:  # the line above could not take its first word: one line, as text_blocks reads it
                kept[-1] += " " + _without_marks(lines[i], noted)
                continue
            kept.append(_without_marks(lines[i], noted))
            where.append(number)
            if i in row_cells:
                cells.add(len(kept))
    if left:
        what = "page number, running header or footer and footnote" if notes else \
            "page number and running header or footer"
        warn(f"{len(left)} {what} line(s) left out (such as {left[0]!r})")
    if headers:  # told from the layout alone, as a Word table's header is: said, so that no row is lost unseen
        page, first = headers[0]
        warn(f"{len(headers)} table(s) found (page {_first_few(sorted({p for p, _h in headers}))}): each first row "
             f"({first[:80]} on page {page}) is read as the columns' names, not as statements")
    if not kept:
        raise ReadError("no text found (a scanned PDF holds images of text: run it through OCR first)")
    for first, text, extra in text_blocks(kept, max_chars=max_chars, laid_out=True, cells=cells, tables=tabled,
                                          heading_rows=True):
        yield f"page {where[first - 1]}", text, extra


# ---------------------------------------------------------------- tables: .csv and .xlsx

HEADER_SCAN = 20  # rows searched for the header row
# the most columns a table may have: Excel's (A to XFD). A CSV has no limit of its own, and one of 3 million columns
# (12 MB) took the review screen's column page 85 s, 3.7 GB and 387 MB of HTML (QA 49b D2)
MAX_COLUMNS = 16_384


def _too_wide(number: int, cells: int, what: str = "row") -> TooBig:
    return TooBig(f"{what} {number} has {cells:,} cells: more than {MAX_COLUMNS:,} columns, the most a table may have "
                  "(Excel's limit); a table of notes has far fewer")


def _pick_column(header: list[str], column: str | None) -> int:
    """Index of the text column: ``column`` (the name as written, else in any case) or the first of
    :data:`TEXT_COLUMNS`."""
    stripped = [h.strip() for h in header]
    lowered = [h.lower() for h in stripped]
    if column is not None:
        if column.strip() in stripped:  # the name as written first: "Tekst,tekst" and --column tekst
            return stripped.index(column.strip())
        if column.strip().lower() in lowered:
            return lowered.index(column.strip().lower())
        raise ReadError(f"no column {column!r} (columns: {', '.join(h for h in header if h) or 'none'})")
    for name in TEXT_COLUMNS:
        if name in lowered:
            return lowered.index(name)
    raise ReadError(f"no text column: name one with --column (columns: {', '.join(h for h in header if h) or 'none'}), "
                    "or give the header's row with --header-row if that row is a title")


def _header_names(row: Iterable) -> list[str]:
    """Header cells as strings, with names for empty cells; a name that comes again (the same, letter for letter)
    gets its number ("tekst", "tekst (2)"), so that no column is read or carried under another's name."""
    real = [str(c).strip() if c is not None and str(c).strip() else None for c in row]
    given = {n for n in real if n}  # a number is never a name the file has itself ("tekst,tekst,tekst (2)")
    names = []
    for i, n in enumerate(real):  # an empty header cell: "column3", unless the file has a column3 of its own
        if n is None:
            n = f"column{i + 1}"
            while n in given:
                n += "_"
            given.add(n)
        names.append(n)
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        if seen[name] == 1:
            out.append(name)
            continue
        candidate = _numbered(name, given, seen[name])
        given.add(candidate)
        out.append(candidate)
    return out


def _numbered(name: str, taken: set[str], n: int = 2) -> str:
    """``name (n)`` with the first number from ``n`` on that is not ``taken``."""
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"


def _cell(value) -> str:
    """A cell value as text (numbers without a trailing ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _filled(row: Sequence) -> list[str]:
    return [_cell(c).strip() for c in row if c is not None and _cell(c).strip()]


def find_header(rows: Sequence[tuple[int, Sequence]], column: str | None = None) -> int:
    """Index in ``rows`` ((row number, cells) of a table's first rows) of the header row: the first row
    naming ``column`` or a default text column (:data:`TEXT_COLUMNS`); else the first row of two or more
    short, non-numeric cells (column names) with a row below it; else the first non-empty row."""
    wanted = {column.strip().lower()} if column else set(TEXT_COLUMNS)
    for i, (_n, row) in enumerate(rows):
        if any(c.lower() in wanted for c in _filled(row)):
            return i
    for i, (_n, row) in enumerate(rows):
        cells = _filled(row)
        later = any(_filled(r) for _m, r in rows[i + 1:])
        if len(cells) >= 2 and later and all(len(c) <= 40 and not _is_number(c) for c in cells):
            return i
    return next((i for i, (_n, row) in enumerate(rows) if _filled(row)), 0)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _split_header(rows: Iterator[tuple[int, list]], column: str | None, header_row: int | None,
                  where: str) -> tuple[int, list[str], list[tuple[int, list]], Iterator[tuple[int, list]]]:
    """(header row number, header names, skipped non-empty rows above it, the rows after it)."""
    head: list[tuple[int, list]] = []
    for item in rows:
        if header_row is None and not _filled(item[1]):
            continue  # an empty row holds neither a header nor a statement (a sheet can have a million of them)
        head.append(item)
        enough = item[0] >= header_row if header_row is not None else len(head) >= HEADER_SCAN
        if enough:
            break
    if header_row is not None:
        index = next((i for i, (n, _r) in enumerate(head) if n == header_row), None)
        if index is None:
            raise ReadError(f"{where}has no row {header_row} (--header-row)")
    else:
        index = find_header(head, column)
    if not head or not _filled(head[index][1]):
        raise ReadError(f"{where}no header row")
    number, cells = head[index]
    if len(cells) > MAX_COLUMNS:  # a workbook's row (a CSV's are refused as they are read)
        raise _too_wide(number, len(cells), f"{where}header row")
    above = [(n, r) for n, r in head[:index] if _filled(r)]
    rest = head[index + 1:]

    def after() -> Iterator[tuple[int, list]]:
        yield from rest
        yield from rows

    return number, _header_names(cells), above, after()


def _rows(header: list[str], col: int, rows: Iterable[tuple[int, list]]) -> Iterator[tuple[int, str, dict[str, str]]]:
    for number, row in rows:
        cells = list(row) + [None] * (len(header) - len(row))
        text = clean(_cell(cells[col]))
        extra = {h: _cell(v) for i, (h, v) in enumerate(zip(header, cells)) if i != col}
        yield number, text, extra


def _above_warning(where: str, above: list[tuple[int, list]], number: int,
                   option: str = "; use --header-row to choose another") -> str:
    rows = _first_few(n for n, _r in above)
    return (f"{where}{len(above)} row{'s' if len(above) > 1 else ''} above the header row {number} "
            f"read as a title, not as statements (row {rows}{option})")


_DELIMITERS = ",;\t|"


class _OneColumn(csv.excel):
    """A table of one text column: one statement a line, its commas and semicolons kept (not cut into cells)."""
    delimiter = "\x1f"


def _past_titles(lines: list[str]) -> list[str]:
    """The lines from the table on: a block of at most three lines at the top, followed by a blank line, is a
    title ("Verslag rondetafel Utrecht, 3 februari") when it shares no delimiter with the next line after it that
    has one, so that its commas do not choose the delimiter of a ``;`` table. A table's own first rows before a
    blank line share its delimiter and stay; a block that leaves a quote open is the start of a cell with a blank
    line in it, not a title. At most five such blocks."""
    def delimiters(line: str) -> set[str]:
        return {d for d in _DELIMITERS if d in line}

    for _ in range(5):
        i = 0
        while i < len(lines) and not lines[i].strip():
            i += 1
        j = i
        while j < len(lines) and lines[j].strip():
            j += 1
        k = j
        while k < len(lines) and not lines[k].strip():
            k += 1
        if j - i > TITLE_LINES or j == k or k >= len(lines) or sum(ln.count('"') for ln in lines[i:j]) % 2:
            return lines[i:]
        after, inside = set(), False
        for ln in lines[k:k + HEADER_SCAN]:  # the next line with a delimiter that starts outside a quoted cell
            if not inside and delimiters(ln):
                after = delimiters(ln)
                break
            inside ^= ln.count('"') % 2 == 1
        if not after or any(delimiters(ln) & after for ln in lines[i:j]):
            return lines[i:]
        lines = lines[k:]
    return lines


class _Delimited(csv.excel):
    """A CSV dialect with the delimiter of a header that names the text column (quoted with ``"``, doubled inside)."""

    def __init__(self, delimiter: str, header: str):
        super().__init__()
        self.delimiter = delimiter
        self.skipinitialspace = header.count(delimiter + " ") == header.count(delimiter)  # "id, tekst, thema"


def _csv_dialect(sample: str, header_row: int | None = None, column: str | None = None):
    """The CSV dialect of a file that starts with ``sample``: its header at ``header_row`` when given; else the
    first of the first four lines (titles above a blank line passed over, :func:`_past_titles`; a line inside a
    quoted cell does not count) that names the text column — ``column`` or one of :data:`TEXT_COLUMNS` — alone
    (one column: one statement a line) or as a cell between delimiters (that delimiter), so that a title above it
    does not decide; else the first line that has a delimiter."""
    names = {column.strip().lower()} if column and column.strip() else set(TEXT_COLUMNS)

    def cell(text: str) -> str:
        return text.strip().strip('"').strip().lower()

    lines = sample.splitlines()
    lines = lines[header_row - 1:] if header_row is not None else _past_titles(lines)
    top, inside = [], False
    for ln in lines:
        if len(top) > (0 if header_row is not None else TITLE_LINES):
            break
        if ln.strip() and not inside:
            top.append(ln)
        inside ^= ln.count('"') % 2 == 1
    for ln in top:  # the header that names the text column: its delimiter (the one that splits it into most cells)
        if cell(ln) in names:
            return _OneColumn()
        named = [d for d in _DELIMITERS if d in ln and any(cell(c) in names for c in ln.split(d))]
        if named:
            delimiter = max(named, key=ln.count)
            return _Delimited(delimiter, ln)
    # else the delimiter is guessed from the first line that has one (statements may hold tabs or semicolons)
    line = next((ln for ln in lines[:HEADER_SCAN] if any(d in ln for d in _DELIMITERS)), lines[0] if lines else "")
    try:
        dialect = csv.Sniffer().sniff(line or sample, delimiters=_DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    if dialect.quotechar != '"' or not dialect.doublequote:
        # the Sniffer can take the ' of our formula guard ('=x, see writers.safe_cell) for a quote
        # character; spreadsheets and our writer quote fields with " (doubled inside a field)
        dialect.quotechar, dialect.doublequote = '"', True
    return dialect


def _csv_records(fh, dialect, warn: Warn | None = None) -> Iterator[tuple[int, list]]:
    """(row number as a spreadsheet shows it, cells): a cell with line breaks is one row. A cell whose later
    lines hold the separator is most likely an unclosed quote that swallowed the rows after it: ``warn`` says so."""
    reader = csv.reader(fh, dialect)
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 27))
    line = 0
    try:
        for number, record in enumerate(reader, start=1):
            if len(record) > MAX_COLUMNS:
                raise _too_wide(number, len(record))
            lines, line = reader.line_num - line, reader.line_num
            if warn and lines > 1 and any(dialect.delimiter in c.partition("\n")[2] for c in record):
                warn(f"row {number}: a quoted cell runs over {lines} lines of the file and holds the separator "
                     f"{dialect.delimiter!r}: an unclosed quote (\")? Those lines were read as one cell, not as rows")
            yield number, [unguard_cell(c) for c in record]
    except csv.Error as exc:
        raise ReadError(f"malformed CSV at line {reader.line_num}: {exc}") from None


def _csv_table(path: Path, warn: Warn, column: str | None, header_row: int | None, pick: bool = True,
               option: str = "; use --header-row to choose another"):
    """(open file, header row number, header, text column, rows after the header) of a .csv file."""
    fh = _open_text(path, warn)
    try:
        sample = fh.read(8192)
        fh.seek(0)
        records = _csv_records(fh, _csv_dialect(sample, header_row, column), warn)
        number, header, above, rest = _split_header(records, column, header_row, "")
        col = _pick_column(header, column) if pick else -1
        if above:
            warn(_above_warning("", above, number, option))
        return fh, number, header, col, rest
    except BaseException:
        fh.close()
        raise


def csv_columns(path: str | Path, header_row: int | None = None) -> list[str]:
    """The column names of a .csv file as :func:`read_statements` names them ([] for an empty header); TooBig for a
    table wider than :data:`MAX_COLUMNS`."""
    try:
        fh, _n, header, _col, _rest = _csv_table(Path(path), _ignore, None, header_row, pick=False)
    except TooBig:
        raise
    except ReadError:
        return []
    fh.close()
    return header


def _read_csv(path: Path, warn: Warn, column: str | None,
              header_row: int | None = None) -> Iterator[tuple[int, str, dict[str, str]]]:
    fh, _number, header, col, rest = _csv_table(path, warn, column, header_row)
    ragged: list[int] = []  # the first few row numbers: enough for the warning, flat on a million rows

    def checked() -> Iterator[tuple[int, list]]:
        for number, row in rest:
            if len(ragged) <= FEW_ROWS and any(c.strip() for c in row[len(header):]):
                ragged.append(number)
            yield number, row

    with fh:
        yield from _rows(header, col, checked())
    if ragged:
        warn(f"row{'s' if len(ragged) > 1 else ''} {_first_few(ragged)}: more cells than the header row has columns; "
             "the cells past the last column were left out")


# ---------------------------------------------------------------- .xlsx

def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_REF = re.compile(r"([A-Z]+)(\d+)")


def _sheet_scan(wb, ws) -> tuple[list[tuple[int, int, int, int]], set[tuple[int, int]], set[int]]:
    """Merged ranges (first row, first column, last row, last column; 1-based rows, 0-based columns),
    the cells holding a formula without a stored value and the hidden rows' numbers (hidden by hand or by a
    filter), read from the sheet's XML in one streaming pass."""
    from defusedxml import ElementTree as ET  # refuses DTDs' entities (bombs, external files): _XML_REFUSED

    merges: list[tuple[int, int, int, int]] = []
    formulas: set[tuple[int, int]] = set()
    hidden: set[int] = set()
    archive = getattr(wb, "_archive", None)
    member = getattr(ws, "_worksheet_path", None)
    if archive is None or member is None:
        return merges, formulas, hidden
    row = 0
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with archive.open(member) as fh:
        for _event, el in ET.iterparse(fh, events=("end",)):
            if el.tag == ns + "c":
                f = el.find(ns + "f")
                if f is not None:
                    v = el.find(ns + "v")
                    if v is None or v.text is None:
                        m = _REF.fullmatch(el.get("r", ""))
                        if m:
                            formulas.add((int(m.group(2)), _col_index(m.group(1))))
                el.clear()
            elif el.tag == ns + "row":
                r = el.get("r", "")
                row = int(r) if r.isdigit() else row + 1
                if el.get("hidden", "").lower() in ("1", "true"):
                    hidden.add(row)
                el.clear()
            elif el.tag == ns + "mergeCell":
                a, _, b = el.get("ref", "").partition(":")
                ma, mb = _REF.fullmatch(a), _REF.fullmatch(b or a)
                if ma and mb:
                    merges.append((int(ma.group(2)), _col_index(ma.group(1)), int(mb.group(2)), _col_index(mb.group(1))))
    return merges, formulas, hidden


def _shown(rows: Iterator[tuple[int, list]], hidden: set[int], left: list[int] | None = None,
           keep: int | None = None) -> Iterator[tuple[int, list]]:
    """The rows that are not hidden (but ``keep``, a header row given by its number); the numbers of the hidden
    rows that hold something go to ``left`` (QA 45b: a hidden row was labelled without a word)."""
    for number, values in rows:
        if number in hidden and number != keep:
            if left is not None and _filled(values):
                left.append(number)
            continue
        yield number, values


def shown_rows(wb, ws, header_row: int | None = None) -> Iterator[tuple[int, list]]:
    """(row number, values) of a sheet of an open workbook (:func:`_xlsx_open`), its hidden rows left out as the
    reader leaves them out (but the ``header_row`` given)."""
    return _shown(_numbered_rows(ws), _sheet_scan(wb, ws)[2], keep=header_row)


def _numbered_rows(ws) -> Iterator[tuple[int, list]]:
    """(row number, values) of a read-only sheet, empty rows included."""
    expected = 1
    for row in ws.iter_rows():
        number = next((c.row for c in row if getattr(c, "row", None)), expected)
        yield number, [c.value for c in row]
        expected = number + 1


def _unmerge(rows: Iterator[tuple[int, list]], merges: list[tuple[int, int, int, int]],
             text_col: Callable[[], int | None]) -> Iterator[tuple[int, list]]:
    """Give merged cells their value, once: a merged cell covering the text column is that row's
    statement (in its first row only); elsewhere its value fills its first column in every row it covers."""
    if not merges:
        yield from rows
        return
    starting: dict[int, list[tuple[int, int, int, int]]] = {}
    for m in merges:
        starting.setdefault(m[0], []).append(m)
    active: list[tuple[tuple[int, int, int, int], object]] = []
    for number, row in rows:
        active = [(m, v) for m, v in active if m[2] >= number]
        for m in starting.pop(number, []):
            value = row[m[1]] if m[1] < len(row) else None
            active.append((m, value))
        tc = text_col()
        for (r0, c0, _r1, c1), value in active:
            if c1 >= len(row):
                row = list(row) + [None] * (c1 + 1 - len(row))
            for c in range(c0, c1 + 1):
                row[c] = None
            if tc is not None and c0 <= tc <= c1:
                if number == r0:
                    row[tc] = value
            else:
                row[c0] = value
        yield number, row


def _sheet_warnings(where: str, one: str, many: str, rows: list[int]) -> str:
    """How many ``rows`` of a sheet something holds: ``one`` said of one row, ``many`` of more."""
    return f"{where}{len(rows)} {one if len(rows) == 1 else many} (row {_first_few(rows)})"


def _xlsx_open(path: Path):
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadError("openpyxl is not installed (pip install openpyxl)") from None
    check_zip(path, error=TooBig)  # a decompression bomb is refused before openpyxl unpacks it
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)  # parses with defusedxml, when installed
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors of a damaged workbook
        if any(isinstance(e, DefusedXmlException) for e in exception_chain(exc)):  # openpyxl wraps the refusal
            raise ReadError(_XML_REFUSED) from None
        raise _not_opened(path, path.suffix.lower()) from None
    for ws in wb.worksheets:
        if hasattr(ws, "reset_dimensions"):  # rows as the cells stand, not padded to the size the file declares
            ws.reset_dimensions()  # (a 1.5 KB workbook can declare 16,384 columns and a million rows)
    return wb


_HIDDEN_SHEETS = {"hidden": "hidden", "veryHidden": "very hidden: Excel's Unhide does not list it"}


def _xlsx_sheets(wb, sheets: Sequence[str] | None, warn: Warn = _ignore, named: bool = True) -> list:
    """The worksheets to read: every sheet that is not hidden (a hidden one is named in a warning: a draft or a
    note kept out of sight, QA 45b), or those named in ``sheets`` (case-insensitive), hidden or not. ``named``:
    whether the caller has a ``--sheet`` to name a hidden sheet with (``train --add`` has not: unhide it)."""
    if not wb.worksheets:
        raise ReadError("workbook has no sheets")
    if not sheets:
        shown = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") not in _HIDDEN_SHEETS]
        left = [f"{ws.title!r} ({_HIDDEN_SHEETS[ws.sheet_state]})" for ws in wb.worksheets if ws not in shown]
        one = "one" if len(left) > 1 else "it"
        if not shown:
            raise ReadError(f"every sheet is hidden ({', '.join(left)}); " + (
                "name the sheets to read with --sheet" if named else f"unhide {one} in Excel to read it"))
        if left:
            warn(f"{len(left)} hidden sheet{'s' if len(left) > 1 else ''} left out: {', '.join(left)}; "
                 + (f"to read {one}, name it with --sheet" if named else f"to read {one}, unhide it in Excel"))
        return shown
    by_name = {ws.title.lower(): ws for ws in wb.worksheets}
    out = []
    for name in sheets:
        ws = by_name.get(name.strip().lower())
        if ws is None:
            raise ReadError(f"no sheet {name!r} (sheets: {', '.join(ws.title for ws in wb.worksheets)})")
        if ws not in out:
            out.append(ws)
    return out


def _xlsx_layouts(wb, sheets: Sequence[str] | None, column: str | None, header_row: int | None,
                  warn: Warn) -> list[tuple[object, list, set, set, int, list[str], int]]:
    """(sheet, merges, formula cells, hidden rows, header row number, header, text column) of every sheet to
    read. A sheet without a text column is skipped with a warning when all sheets are read (an error when it was
    chosen with ``sheets``); an empty sheet is skipped; a hidden row is passed over (the header row given by its
    number is not)."""
    out = []
    problems = []
    for ws in _xlsx_sheets(wb, sheets, warn):
        where = f"sheet {ws.title!r}: "
        merges, formulas, hidden = _sheet_scan(wb, ws)
        try:
            number, header, _above, _rest = _split_header(_shown(_numbered_rows(ws), hidden, keep=header_row),
                                                          column, header_row, where)
            col = _pick_column(header, column)
        except TooBig:  # a header wider than any table: the file is refused, not the sheet skipped
            raise
        except ReadError as exc:
            message = str(exc) if str(exc).startswith(where) else where + str(exc)
            if sheets:
                raise ReadError(message) from None
            if "no header row" not in message:  # an empty sheet holds nothing to lose
                problems.append(message)
            continue
        out.append((ws, merges, formulas, hidden, number, header, col))
    if out or len(problems) > 1:  # said once: a lone sheet's problem is the error itself (QA 52a D13)
        for message in problems:
            warn(f"{message}; sheet skipped")
    if not out:
        raise ReadError(problems[0] if len(problems) == 1 else
                        f"no sheet has a text column (sheets: {', '.join(ws.title for ws in wb.worksheets)})")
    return out


def _sheet_key(layouts: list) -> str:
    """The column that carries a row's sheet name when several sheets are read: ``sheet``, or ``sheet (2)``, … when
    a sheet has a column of that name itself (its values are kept, and the sheet's name is not lost)."""
    taken = {h for *_rest, header, col in layouts for i, h in enumerate(header) if i != col}
    return "sheet" if "sheet" not in taken else _numbered("sheet", taken)


def _read_xlsx(path: Path, warn: Warn, column: str | None, sheets: Sequence[str] | None = None,
               header_row: int | None = None) -> Iterator[tuple[int, str, dict[str, str]]]:
    from openpyxl.cell.cell import ERROR_CODES

    wb = _xlsx_open(path)
    try:
        layouts = _xlsx_layouts(wb, sheets, column, header_row, warn)
        several = len(layouts) > 1  # then each row carries its sheet's name
        sheet_key = _sheet_key(layouts)
        for ws, merges, formulas, hidden, number, header, col in layouts:
            where = f"sheet {ws.title!r}: "
            state: dict[str, int | None] = {"col": None}
            left: list[int] = []
            rows = _shown(_unmerge(_numbered_rows(ws), merges, lambda: state["col"]), hidden, left, keep=number)
            _n, _h, above, rest = _split_header(rows, column, number, where)
            state["col"] = col
            if above:
                warn(_above_warning(where, above, number))
            no_value: list[int] = []
            empty_cells: list[int] = []
            errors: list[int] = []
            last = number
            try:
                for r, values in rest:
                    last = r
                    values = list(values) + [None] * (len(header) - len(values))
                    if (r, col) in formulas and values[col] is None:
                        no_value.append(r)
                        continue
                    if isinstance(values[col], str) and values[col] in ERROR_CODES:
                        errors.append(r)
                        continue
                    lost = [c for c in range(len(header)) if c != col and (r, c) in formulas and values[c] is None]
                    if lost:
                        empty_cells.append(r)
                    for _position, text, extra in _rows(header, col, [(r, values[:len(header)])]):
                        if several:
                            extra = {sheet_key: ws.title, **extra}
                        yield r, text, extra
            except ReadError:
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged sheet: keep what was read, say what was not
                warn(f"{where}cannot be read after row {last} ({exc.__class__.__name__}); the rest of the sheet "
                     f"was not read")
            if no_value:
                warn(_sheet_warnings(where, "statement is a formula without a stored value, not read",
                                     "statements are formulas without a stored value, not read", no_value)
                     + "; open and save the workbook in Excel or LibreOffice to store the values")
            if errors:
                warn(_sheet_warnings(where, "statement is an error value (#N/A, #REF! ...), not read",
                                     "statements are error values (#N/A, #REF! ...), not read", errors))
            if empty_cells:
                warn(_sheet_warnings(where, "row has other formula cells without a stored value, left empty",
                                     "rows have other formula cells without a stored value, left empty",
                                     empty_cells))
            if left:
                warn(_hidden_rows(where, left))
    finally:
        wb.close()


def xlsx_columns(path: str | Path, sheets: Sequence[str] | None = None, column: str | None = None,
                 header_row: int | None = None) -> list[str]:
    """The carried fields of an .xlsx input: ``sheet`` when more than one sheet is read, then the columns of
    every sheet read (text column excluded) in order of first appearance; [] if the workbook cannot be read."""
    try:
        wb = _xlsx_open(Path(path))
    except ReadError:
        return []
    try:
        layouts = _xlsx_layouts(wb, sheets, column, header_row, _ignore)
        names: dict[str, None] = {_sheet_key(layouts): None} if len(layouts) > 1 else {}
        for _ws, _m, _f, _h, _n, header, col in layouts:
            names.update((h, None) for i, h in enumerate(header) if i != col)
        return list(names)
    except ReadError:
        return []
    finally:
        wb.close()


def sheet_names(path: str | Path) -> list[str]:
    """The sheet names of an .xlsx file (for a choice of sheets); ReadError for a damaged workbook."""
    wb = _xlsx_open(Path(path))
    try:
        return [ws.title for ws in wb.worksheets]
    finally:
        wb.close()


def _jsonl_text_key(record: dict) -> str:
    """The text field of a .jsonl record without --column: the default text fields, in any case, as in a table's
    header (:data:`TEXT_COLUMNS`); ``text`` when it has none of them."""
    names = {str(k).strip().lower(): k for k in record}
    return next((names[c] for c in TEXT_COLUMNS if c in names), "text")


_SURROGATE = re.compile("[\ud800-\udfff]")  # after json.loads a pair is one character: what is left is alone


def _read_jsonl(path: Path, warn: Warn, column: str | None) -> Iterator[tuple[int, str, dict[str, str]]]:
    key = column or "text"
    bad = empty = missing = read = first_missing = surrogates = 0
    first_bad = ""
    with _open_text(path, warn) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):  # nested deeper than Python's parser goes; a number of 4,300+ digits
                bad += 1
                if bad == 1:
                    first_bad = f"line {number} is not valid JSON, is nested too deeply or holds a number too long"
                    warn(f"line {number}: not valid JSON (or nested too deeply, or a number too long), skipped")
                continue
            if not isinstance(record, dict):
                bad += 1
                if bad == 1:
                    first_bad = f"line {number} is JSON but no object ({{...}})"
                    warn(f"line {number}: not a JSON object, skipped")
                continue
            if not column:
                key = _jsonl_text_key(record)
            if key not in record:
                missing += 1  # a line without it (a metadata line) is skipped, like a null text, and the rest read
                if missing == 1:
                    first_missing = number
                    if read:
                        warn(f"line {number}: no field {key!r}, skipped")
                continue
            if missing and not read:  # lines before the first with a text: warned now that the field is found
                warn(f"line {first_missing}: no field {key!r}, skipped")
            read += 1
            text = record[key]
            # true/false is no statement either, nor NaN or Infinity (Python's JSON reader takes them)
            if text is None or isinstance(text, bool) or isinstance(text, float) and not math.isfinite(text):
                empty += 1
                if empty == 1:
                    warn(f"line {number}: {key!r} is {json.dumps(text)}, skipped")
                continue
            extra = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                     for k, v in record.items() if k != key}
            if isinstance(text, (list, dict)):  # as JSON, like the other fields, not as Python writes it
                text = json.dumps(text, ensure_ascii=False)
            text = text if isinstance(text, str) else _cell(text)
            if _SURROGATE.search(text) or any(_SURROGATE.search(k) or _SURROGATE.search(v) for k, v in extra.items()):
                surrogates += 1  # "\ud800" alone is valid JSON but no text: it cannot be stored or written as UTF-8
                if surrogates == 1:
                    warn(f"line {number}: a \\u escape that is half of a character (a lone surrogate), replaced by "
                         f"\ufffd")
                text = _SURROGATE.sub("\ufffd", text)
                extra = {_SURROGATE.sub("\ufffd", k): _SURROGATE.sub("\ufffd", v) for k, v in extra.items()}
            yield number, clean(text), extra
    if bad and not (read or missing):  # not one line was a JSON object: say the first, not just "no statements"
        raise ReadError(f"not one {'' if bad == 1 else f'of its {bad} '}line{'' if bad == 1 else 's'} is a JSON "
                        f"object: {first_bad}")
    if bad > 1:
        warn(f"{bad} lines were not valid JSON objects and were skipped")
    if empty > 1:
        warn(f"{empty} lines had a null (or true/false) {key!r} and were skipped")
    if missing and not read:  # no line has it: most likely the wrong field, so say which to choose
        raise ReadError(f"line {first_missing}: no field {key!r}" + (
            "" if column else f" (nor {', '.join(TEXT_COLUMNS[1:])}; choose one with --column)"))
    if missing > 1:
        warn(f"{missing} lines had no field {key!r} and were skipped")


# ---------------------------------------------------------------- public API

def open_text(path: str | Path, warn: Warn | None = None):
    """A text file opened as :func:`read_statements` opens it: its encoding detected (UTF-8 with or without
    byte-order mark, UTF-16/32, else Windows-1252 with a warning)."""
    return _open_text(Path(path), warn or _ignore)


def table_rows(path: str | Path, warn: Warn | None = None) -> Iterator[tuple[str, list[str], Iterator[tuple[int, list]]]]:
    """The raw rows of a .csv file, or of each sheet of an .xlsx workbook, found as :func:`read_statements`
    finds them — encoding detected, header row found below a title (:func:`find_header`, rows above it warned),
    the formula guard of our own .csv output undone, the workbook checked for decompression bombs — for a
    caller that needs more than one column (``train --add``): per table, (where — ``""`` or ``"sheet 'X': "``,
    header names, the rows below the header as (row number as the spreadsheet shows it, cell values)). Each
    table's rows must be read before the next table is asked for. An empty sheet is left out; hidden sheets and
    hidden rows are left out with a warning, as ``label`` leaves them out (QA 45b). A formula cell without a stored
    value is :data:`NO_VALUE`, an empty text that can be told from an empty cell."""
    path = Path(path)
    check_input(path)
    if path.suffix.lower() == ".csv":
        fh, _number, header, _col, rest = _csv_table(path, warn or _ignore, None, None, pick=False, option="")
        with fh:
            yield "", header, rest
        return
    wb = _xlsx_open(path)
    try:
        for ws in _xlsx_sheets(wb, None, warn or _ignore, named=False):
            where = f"sheet {ws.title!r}: "
            left: list[int] = []
            _merges, formulas, hidden = _sheet_scan(wb, ws)
            try:
                number, header, above, rest = _split_header(_shown(_no_value(_numbered_rows(ws), formulas), hidden,
                                                                   left), None, None, where)
            except ReadError:
                continue  # no header row: an empty sheet
            if above and warn:
                warn(_above_warning(where, above, number, option=""))
            yield where, header, _then_hidden(rest, left, where, warn or _ignore)
    finally:
        wb.close()


class FormulaWithoutValue(str):
    """The value :func:`table_rows` gives a formula cell of a workbook that holds no stored value (written by a
    program, never opened in Excel): an empty text to every reader, but one that a caller can tell from an empty
    cell (QA 47a D12: ``train --add`` called it "empty or missing text")."""


NO_VALUE = FormulaWithoutValue("")


def _no_value(rows: Iterator[tuple[int, list]], formulas: set[tuple[int, int]]) -> Iterator[tuple[int, list]]:
    """``rows`` with :data:`NO_VALUE` in each cell of ``formulas`` (row, 0-based column) that has no value."""
    if not formulas:
        yield from rows
        return
    by_row: dict[int, list[int]] = {}
    for fr, c in formulas:
        by_row.setdefault(fr, []).append(c)
    for r, values in rows:
        cols = by_row.get(r)
        if cols:
            values = list(values)
            for c in cols:
                if c < len(values) and values[c] is None:
                    values[c] = NO_VALUE
        yield r, values


def _then_hidden(rows: Iterator[tuple[int, list]], left: list[int], where: str, warn: Warn
                 ) -> Iterator[tuple[int, list]]:
    """``rows``, then a warning naming the hidden rows that were passed over (``left``, filled while they are read)."""
    yield from rows
    if left:
        warn(_hidden_rows(where, left))


def _hidden_rows(where: str, left: list[int]) -> str:
    """The warning that names a sheet's hidden rows that were left out (``left``: their numbers)."""
    return (_sheet_warnings(where, "hidden row left out", "hidden rows left out", left)
            + ("; unhide it in Excel to read it" if len(left) == 1 else "; unhide them in Excel to read them"))


def read_statements(path: str | Path, *, column: str | None = None, split: str = "paragraph",
                    max_chars: int = MAX_CHARS, warn: Warn | None = None, source: str | None = None,
                    sheets: Sequence[str] | None = None, header_row: int | None = None) -> Iterator[Statement]:
    """Yield the statements of one file lazily; raises :class:`ReadError` for an unusable file (its message
    says what is wrong, without the file's name; its ``path`` attribute names the file).

    ``sheets`` chooses the sheets of an .xlsx input (default: all); ``header_row`` is the header's row
    number in a .csv/.xlsx input (default: found, see :func:`find_header`)."""
    if not isinstance(path, (str, os.PathLike)):  # None, a list of paths (QA 43b: os.PathLike's own message)
        raise TypeError(f"read_statements reads one file: give its path (a str or Path), not "
                        f"{type(path).__name__}")
    path = Path(path)
    try:
        yield from _statements_of(path, column=column, split=split, max_chars=max_chars, warn=warn, source=source,
                                  sheets=sheets, header_row=header_row)
    except ReadError as exc:  # a loop over thousands of files can say which one (QA 45a E8)
        exc.path = path
        raise


def wordless_message(lines: Sequence[str]) -> str:
    """What is said of a file's lines that hold no word (``mh-nlp label``, the review screen's documents table), in
    the words of ``mh-nlp classify``: they are kept as rows, meta (a figure, marks) or chatter (emoji), not classified."""
    shown = ", ".join(repr(t[:20]) for t in lines[:FEW_ROWS]) + (" ..." if len(lines) > FEW_ROWS else "")
    return (f"{len(lines)} line{'s hold' if len(lines) > 1 else ' holds'} no words ({shown}); not classified: kept as "
            f"{'rows' if len(lines) > 1 else 'a row'} of kind meta (a figure, marks) or chatter (emoji)")


def _opens_chapter(text: str, extra: dict[str, str]) -> bool:
    """True for a question of the meeting's chair that opens one of the anthology's chapters ("Voorzitter: En wat
    gaat er goed?", :func:`mh_nlp.themes.headings.question_chapter`): round tables were led through the four
    chapters, so the answers after it stand under it as under a heading."""
    from mh_nlp.themes.headings import question_chapter

    return len(text) <= 200 and chairs(extra.get("speaker", "")) and question_chapter(text) is not None


def _statements_of(path: Path, *, column: str | None, split: str, max_chars: int, warn: Warn | None,
                   source: str | None, sheets: Sequence[str] | None, header_row: int | None) -> Iterator[Statement]:
    """:func:`read_statements`' work, once its path is checked to be one."""
    from mh_nlp.themes.headings import heading_chapter

    warn = warn or _ignore
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    check_input(path)
    suffix = reads_as(path.suffix.lower())
    source = source if source is not None else str(path)
    try:
        if suffix in TEXT_SUFFIXES:
            blocks = _read_text(path, warn, max_chars)
        elif suffix == ".docx":
            blocks = lone_headings(_read_docx(path, warn, max_chars))
        elif suffix == ".odt":
            blocks = lone_headings(_read_odt(path, warn, max_chars))
        elif suffix == ".pdf":
            blocks = _read_pdf(path, warn, max_chars)
        elif suffix == ".pptx":
            blocks = lone_headings(_read_pptx(path, warn, max_chars))
        elif suffix in SUBTITLE_SUFFIXES:
            blocks = _read_subtitles(path, warn, max_chars)
        elif suffix == ".csv":
            blocks = _read_csv(path, warn, column, header_row)
        elif suffix == ".xlsx":
            blocks = _read_xlsx(path, warn, column, sheets, header_row)
        else:
            blocks = _read_jsonl(path, warn, column)
        long_pieces = 0
        any_text = False
        asked: tuple[str, str] | None = None  # a chair's question that opens a chapter, and the heading it stood under
        held: list[Statement] = []  # heading lines with nothing under them, before any text: a file of headings only
        wordless: list[str] = []  # lines without a word ("42", "?!"): never classified, said once (QA 48b D13)
        for position, text, extra in blocks:
            if not text:
                continue  # an empty statement is skipped
            if HEADING_LINE in extra:  # a heading nothing stands under: a meta row, so that no line is lost (QA 48b D3)
                row = Statement(source, position, text, {k: v for k, v in extra.items() if k != HEADING_LINE}, "meta")
                if any_text:
                    yield row
                else:
                    held.append(row)
                continue
            if held and not any_text:
                yield from held
            if _opens_chapter(text, extra):  # no statement: the heading of the answers below it (QA 46a)
                heading = extra.get("heading", "")  # one that names a chapter itself stays the answers' heading
                asked = (text, heading) if heading_chapter(heading) is None else None
                any_text = True
                yield Statement(source, position, text, extra, "meta")
                continue
            if asked is not None:
                if extra.get("heading", "") != asked[1]:  # a new part of the document: the question is over
                    asked = None
                else:
                    extra = {**extra, "heading": asked[0]}
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
                    if not has_words(chunk):
                        wordless.append(chunk)
                    yield Statement(source, position, chunk, extra, kind_of(chunk, extra.get("speaker", "")))
        if wordless:
            warn(wordless_message(wordless))
        if long_pieces > 1:
            warn(f"{long_pieces} over-long statements were split into pieces of at most {max_chars:,} characters")
        if not any_text:
            raise ReadError("no statements found (the file holds no text, or only headings, comments or markup)")
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None
    except DefusedXmlException:  # a part check_zip did not scan (a renamed part) still declares entities
        raise ReadError(_XML_REFUSED) from None


def exception_chain(exc: BaseException, limit: int = 10) -> list[BaseException]:
    """``exc`` and what it was raised from or during, innermost last (at most ``limit``): a library that wraps an
    error in one of its own still lets the reason be found."""
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and len(chain) < limit:
        chain.append(e)
        e = e.__cause__ or e.__context__
    return chain


_XML_REFUSED = ("an XML part with a document type or entity declarations, which Office never writes (they can make "
                "a few KB expand to gigabytes): a hostile file")


def extra_fields(path: str | Path, column: str | None = None, sheets: Sequence[str] | None = None,
                 header_row: int | None = None) -> list[str]:
    """The extra field names the statements of ``path`` will carry (for a fixed output header); [] if unknown."""
    path = Path(path)
    suffix = reads_as(path.suffix.lower())
    try:
        check_input(path)
        if suffix in TEXT_SUFFIXES | SUBTITLE_SUFFIXES | DOCUMENT_SUFFIXES:
            return list(TEXT_EXTRAS)
        if suffix == ".xlsx":
            return xlsx_columns(path, sheets, column, header_row)
        if suffix == ".csv":
            fh, _n, header, col, _rest = _csv_table(path, _ignore, column, header_row)
            fh.close()
            return [h for i, h in enumerate(header) if i != col]
        keys: dict[str, None] = {}
        with _open_text(path, _ignore) as fh:
            for i, line in enumerate(fh):
                if i >= 1000:
                    break
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, RecursionError):  # the reader skips such a line with a warning
                    continue
                if isinstance(record, dict):
                    key = column or _jsonl_text_key(record)
                    keys.update((k, None) for k in record if k != key)
        return list(keys)
    except (ReadError, OSError):
        return []
