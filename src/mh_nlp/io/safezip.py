"""Limits on what a .docx or .xlsx (a zip package) may unpack to, checked before any parser opens it.

A 367 KB .docx whose ``word/document.xml`` is 100 MB of zeros is a valid zip; python-docx would unpack and
parse all of it (the review screen grew by 722 MB on one). :func:`check_zip` refuses such a file before a
parser sees it: the number of entries (read from the end record, before Python builds an object per
entry), the sum of the declared unpacked sizes, and then the real ones: every deflated entry is inflated
in 1 MB steps (memory stays flat) and counted. The last step matters because the declared sizes may lie:
Python's :mod:`zipfile` truncates an entry at its declared size, but only after inflating the whole
compressed stream in one call, so a package that declares 1 KB and holds 100 MB would still cost 100 MB.
Only the methods Office writes (stored, deflated) are accepted.

The limits are module settings (:data:`LIMITS`), so a command can raise them for one run
(``mh-nlp label --max-unpacked-mb``) without every reader passing them along; ``MH_NLP_MAX_UNPACKED_MB``
sets the default.
"""
from __future__ import annotations

import codecs
import contextlib
import os
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from ..exceptions import ReadError, ZipLimitError  # noqa: F401 - defined with every mh-nlp error


@dataclass
class Limits:
    max_unpacked_mb: float = 50.0  # the sum of the unpacked sizes of all entries
    max_entries: int = 5_000


ENV_RANGE = (1.0, 1_000_000.0)  # what MH_NLP_MAX_UNPACKED_MB may say, as --max-unpacked-mb


def env_problem() -> str | None:
    """Why ``$MH_NLP_MAX_UNPACKED_MB`` is not a size the limit can take (None when it is unset or fine): a command
    says so instead of using it (nan or inf would switch the limit off)."""
    env = os.environ.get("MH_NLP_MAX_UNPACKED_MB", "").strip()
    if not env:
        return None
    try:
        value = float(env)
    except ValueError:
        value = float("nan")
    if not ENV_RANGE[0] <= value <= ENV_RANGE[1]:  # also nan
        return (f"MH_NLP_MAX_UNPACKED_MB={env!r} is not a size in MB from {ENV_RANGE[0]:g} to {ENV_RANGE[1]:,.0f}; "
                "unset it or give a number")
    return None


def _default_limits() -> Limits:
    """The limits of this process: $MH_NLP_MAX_UNPACKED_MB when it is a size (:func:`env_problem`), else 50 MB."""
    env = os.environ.get("MH_NLP_MAX_UNPACKED_MB", "").strip()
    return Limits(max_unpacked_mb=float(env)) if env and env_problem() is None else Limits()


LIMITS = _default_limits()


@contextlib.contextmanager
def limits(max_unpacked_mb: float | None = None, max_entries: int | None = None) -> Iterator[Limits]:
    """Temporarily other limits (for one command run)."""
    global LIMITS
    before = LIMITS
    LIMITS = Limits(before.max_unpacked_mb if max_unpacked_mb is None else float(max_unpacked_mb),
                    before.max_entries if max_entries is None else int(max_entries))
    try:
        yield LIMITS
    finally:
        LIMITS = before


_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"


def declared_entries(path: str | Path) -> int | None:
    """The entry count from the zip's end record (zip64 too), without reading the directory; None if there is
    no end record (not a zip)."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        tail_len = min(size, 22 + 65535 + 20)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return None
        entries = struct.unpack("<H", tail[at + 10:at + 12])[0]
        if entries == 0xFFFF and at >= 20 and tail[at - 20:at - 16] == _EOCD64_LOCATOR:
            offset = struct.unpack("<Q", tail[at - 12:at - 4])[0]
            if 0 <= offset < size:
                fh.seek(offset)
                record = fh.read(56)
                if len(record) == 56 and record[:4] == _EOCD64:
                    entries = struct.unpack("<Q", record[32:40])[0]
        return entries


XML_PART_SHARE = 0.2  # share of the limit one part may unpack to when its reader builds it whole in memory


def check_zip(path: str | Path, max_unpacked_mb: float | None = None, max_entries: int | None = None, *,
              error: type[Exception] = ZipLimitError,
              hint: str = "; raise the limit with --max-unpacked-mb if the file is trusted",
              whole_parts: bool = False) -> None:
    """Raise ``error`` (:class:`ZipLimitError`) if the package at ``path`` has more entries or unpacks to more
    bytes than allowed (default: :data:`LIMITS`). A file that is not a zip at all is left to the parser.
    ``whole_parts``: the reader builds the XML parts as trees in memory (python-docx, ElementTree), which takes some
    30 times their size, so the XML parts together may unpack to at most :data:`XML_PART_SHARE` of the limit (10 of
    50 MB, some thousands of pages of text; a 46 MB part made the review screen's memory grow by 1.4 GB, and six of
    8 MB, each under a limit per part, by as much)."""
    max_mb = LIMITS.max_unpacked_mb if max_unpacked_mb is None else max_unpacked_mb
    max_n = LIMITS.max_entries if max_entries is None else max_entries
    try:
        n = declared_entries(path)
    except OSError:
        return  # reported by the reader
    if n is None:
        return
    if n > max_n:
        raise error(f"the package holds {n:,} entries (limit {max_n:,}): more than any Office document has")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        return  # a damaged package: the reader says so
    if len(infos) > max_n:
        raise error(f"the package holds {len(infos):,} entries (limit {max_n:,}): more than any Office document has")
    limit = max_mb * 1024 * 1024
    total = sum(max(0, i.file_size) for i in infos)
    if total > limit:
        raise error(f"the package unpacks to {total / 1024 / 1024:,.0f} MB (limit {max_mb:,.0f} MB){hint}")
    real = xml = 0
    with open(path, "rb") as fh:
        for info in infos:
            if info.flag_bits & 0x1:  # an encrypted entry: a password-protected package, which no reader opens
                raise ReadError(f"{info.filename}: an encrypted part: the document is protected with a password; "
                                "save a copy without one")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise error(f"{info.filename}: a compression method Office does not use ({info.compress_type})")
            is_xml = info.filename.lower().endswith((".xml", ".rels"))
            # every part but pictures is scanned: a reader follows the package's references to any part name
            scan = not info.filename.lower().endswith(PICTURES)
            encoding: list[str] = []
            size = _inflated_size(fh, info, info.file_size + 1, DECLARATIONS if scan else (), encoding)
            if size == DECLARES:
                raise error(f"{info.filename}: an XML part with a document type or entity declarations, which Office "
                            "never writes (they can make a few KB expand to gigabytes): a hostile file")
            if size == FOREIGN:  # nothing too large: a file that cannot be read, a 400, not a 413 (QA 49c N6)
                raise ReadError(f"{info.filename}: an XML part in {encoding[0]}, which Office never writes (UTF-8 or UTF-16 "
                            "only) and the check for entity declarations cannot read: a hostile or damaged file")
            if size is None:  # every entry is counted: a damaged one must not hide the entries after it
                raise error(f"{info.filename}: an entry that cannot be unpacked: a damaged or hostile file")
            if size > info.file_size:
                raise error(f"{info.filename} unpacks to more than the package declares "
                            f"({info.file_size:,} bytes): a damaged or hostile file")
            real += size
            xml += size if is_xml else 0
            if whole_parts and xml > limit * XML_PART_SHARE:
                raise error(f"the package's XML parts unpack to more than {max_mb * XML_PART_SHARE:,.0f} MB (a fifth "
                            f"of the limit: they are read whole into memory){hint}")
            if real > limit:
                raise error(f"the package unpacks to more than {max_mb:,.0f} MB{hint}")


STEP = 1 << 20
# a DTD in an XML part: entity expansion (billion laughs, padded entities that stay under expat's growth limit)
# makes a few KB of XML into gigabytes of text after every size check above, and external entities read files
DECLARATIONS = tuple(w.encode(enc) for w in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))
PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".svg", ".ico", ".webp")
DECLARES = -1  # what _inflated_size returns when the entry holds one of ``look_for``
FOREIGN = -2  # ... when it is XML in an encoding whose markup is not the bytes looked for (:func:`foreign_encoding`)
# XML whose '<' is no byte '<' nor UTF-16's, which lxml (python-docx, python-pptx) reads all the same (QA 49b D4: a
# DOCTYPE with an external entity in a UTF-32 document.xml was accepted): by a byte order mark or the first bytes of
# '<?xml' / '<', as the XML specification's appendix F tells an encoding
_FOREIGN_STARTS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"), (b"\x00\x00\x00<", "UTF-32"),
                   (b"<\x00\x00\x00", "UTF-32"), (b"\x00\x00<\x00", "UTF-32"), (b"\x00<\x00\x00", "UTF-32"),
                   (b"\x4c\x6f\xa7\x94", "EBCDIC"))
_DECLARED = re.compile(r"<\?xml\s[^>]{0,200}?\bencoding\s*=\s*[\"']([^\"']{0,40})[\"']")
# declared encodings whose markup is the bytes scanned: in a part that starts as ASCII, UTF-8 and the single-byte
# encodings that keep ASCII as it is; in one that starts as UTF-16, UTF-16
_ASCII_LIKE = re.compile(r"utf-?8|(us-)?ascii|iso[-_ ]?8859[-_ ]?\d{1,2}|latin-?\d|(windows|cp)-?125\d", re.IGNORECASE)
_UTF16 = re.compile(r"utf-?16([-_]?[lb]e)?|ucs-?2", re.IGNORECASE)


def foreign_encoding(head: bytes) -> str | None:
    """The encoding of an XML part that starts with ``head`` when its markup is not the UTF-8 or UTF-16 bytes that
    :data:`DECLARATIONS` are (UTF-32, EBCDIC, or another encoding declared: ``encoding="UTF-7"``), else None."""
    for start, name in _FOREIGN_STARTS:
        if head.startswith(start):
            return name
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(b"<\x00?\x00"):
        text, allowed = head[2 if head[:1] == b"\xff" else 0:800].decode("utf-16-le", "ignore"), _UTF16
    elif head.startswith(codecs.BOM_UTF16_BE) or head.startswith(b"\x00<\x00?"):
        text, allowed = head[2 if head[:1] == b"\xfe" else 0:800].decode("utf-16-be", "ignore"), _UTF16
    else:
        text, allowed = head[3 if head.startswith(codecs.BOM_UTF8) else 0:400].decode("latin-1"), _ASCII_LIKE
    declared = _DECLARED.match(text)
    if declared and not allowed.fullmatch(declared.group(1).strip()):
        return repr(declared.group(1))[:44]
    return None
# what may stand before an XML document's first '<': byte order marks, white space, and UTF-16's zero bytes. A part
# that starts with anything else is no XML document (QA 44a: PowerPoint and Excel for Mac keep the printer's settings
# as a binary part that holds an Apple property list with a DOCTYPE; such a deck was refused as hostile)
XML_LEAD = b"\xef\xbb\xbf\xff\xfe \t\r\n\x00"


def _inflated_size(fh, info: zipfile.ZipInfo, stop_after: int, look_for: tuple[bytes, ...] = (),
                   encoding: list[str] | None = None) -> int | None:
    """How many bytes the entry really inflates to (counting stops past ``stop_after``), in 1 MB steps; None if its
    local header is not where the directory says; :data:`DECLARES` if its content holds one of ``look_for``;
    :data:`FOREIGN` if ``look_for`` is given and it is XML in an encoding they are not written in (its name goes into
    ``encoding``)."""
    import zlib

    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        return None
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    keep = max((len(w) for w in look_for), default=1) - 1
    seen = b""  # the end of the previous piece, so that a word cut in two is still found
    known = False  # whether the part's first bytes past white space and byte order marks have been seen

    foreign: str | None = None
    begun = False  # whether the part's first bytes have been seen

    def holds(piece: bytes) -> bool:
        nonlocal seen, known, look_for, foreign, begun
        if not begun and piece:
            begun = True
            if foreign := foreign_encoding(piece):
                return True
        if not known and (lead := piece.lstrip(XML_LEAD)):
            known = True
            if lead[:1] != b"<":  # binary (a printer's settings, a font): no XML parser reads past its first byte
                look_for = ()
                return False
        text = seen + piece
        seen = text[-keep:] if keep else b""
        return any(w in text for w in look_for)

    if info.compress_type == zipfile.ZIP_STORED:
        if look_for:
            while left > 0:
                chunk = fh.read(min(STEP, left))
                if not chunk:
                    break
                left -= len(chunk)
                if holds(chunk):
                    return _found(foreign, encoding)
        return info.compress_size
    inflate = zlib.decompressobj(-15)
    size = 0
    tail = b""
    try:
        while (left > 0 or tail) and size <= stop_after:
            if not tail:
                chunk = fh.read(min(STEP, left))
                if not chunk:
                    break
                left -= len(chunk)
            else:
                chunk, tail = tail, b""
            piece = inflate.decompress(chunk, STEP)
            size += len(piece)
            if look_for and holds(piece):
                return _found(foreign, encoding)
            tail = inflate.unconsumed_tail
            if inflate.eof:
                break
    except zlib.error:
        return None
    return size


def _found(foreign: str | None, encoding: list[str] | None) -> int:
    """What :func:`_inflated_size` returns for a part it refuses: :data:`FOREIGN` (its encoding named) or
    :data:`DECLARES`."""
    if foreign is None:
        return DECLARES
    if encoding is not None:
        encoding.append(foreign)
    return FOREIGN
