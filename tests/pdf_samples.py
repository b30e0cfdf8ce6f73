"""PDF files for the tests, written byte by byte: pages of text lines in Helvetica (WinAnsi), as a word processor's
"save as PDF" lays them out, plus a page whose content stream inflates far beyond any real page (a bomb)."""
from __future__ import annotations

import zlib
from pathlib import Path


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: list[str]) -> bytes:
    body = b"BT /F1 11 Tf 14 TL 56 790 Td " + b" ".join(b"(" + _escape(t) + b") Tj T*" for t in lines) + b" ET"
    return body


def placed(lines: list[tuple[int, str]]) -> bytes:
    """A page's (Flate-compressed) content stream that draws each ``(y, text)`` at its height, in the order given: a
    running header drawn at the top but stored after the page's text, as some PDF writers store it."""
    body = b"BT /F1 11 Tf " + b" ".join(f"1 0 0 1 56 {y} Tm (".encode() + _escape(t) + b") Tj" for y, t in lines)
    return zlib.compress(body + b" ET")


def pdf(path: Path, pages: list[list[str]], streams: dict[int, bytes] | None = None) -> Path:
    """Write a PDF with one page per entry of ``pages`` (its text lines, top to bottom); ``streams`` replaces the
    raw (Flate-compressed) content stream of a page by index. Returns ``path``."""
    streams = streams or {}
    n = len(pages)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(f"{4 + 2 * i} 0 R".encode() for i in range(n))
        + f"] /Count {n} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        data = streams.get(i, zlib.compress(_content(lines)))
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * i} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>".encode())
        objects.append(f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode() + data
                       + b"\nendstream")
    return _write(path, objects)


def bomb_stream(megabytes: int) -> bytes:
    """A Flate stream of ``megabytes`` MB of spaces: about a thousandth of that on disk."""
    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    return b"".join(z.compress(chunk) for _ in range(megabytes)) + z.flush()


def _write(path: Path, objects: list[bytes]) -> Path:
    """Write ``objects`` (numbered from 1, the first the catalogue) as a PDF with its cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def _flate(data: bytes, extra: str = "") -> bytes:
    packed = zlib.compress(data, 9)
    return f"<< {extra}/Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode() + packed + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def shared_pdf(path: Path, pages: int, content: bytes) -> Path:
    """A PDF of ``pages`` pages that all draw one content stream (object 4): stored once, read by every page."""
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>")
    return _write(path, [b"<< /Type /Catalog /Pages 2 0 R >>",
                         f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(), FONT, _flate(content),
                         *[page] * pages])


def form_pdf(path: Path, draws: int, form: bytes) -> Path:
    """A PDF of one page whose small content stream draws one form XObject (``form``, its content) ``draws`` times."""
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
            b"/Resources << /Font << /F1 3 0 R >> /XObject << /X0 6 0 R >> >> >>")
    return _write(path, [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", FONT,
                         page, _flate(b"/X0 Do\n" * draws),
                         _flate(form, "/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                                      "/Resources << /Font << /F1 3 0 R >> >> ")])
