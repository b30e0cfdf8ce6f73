"""Speed of reading documents into statements (:func:`mh_nlp.io.readers.read_statements`), before any labelling.

Usage:
    .venv/bin/python benchmarks/bench_readers.py [--pages 150] [--repeat 3] [FILE ...]

Without files, writes three documents of the same text into a temporary folder and reads each: a PDF of ``--pages``
pages of running text with a table on every tenth page (the way a report is laid out: lines of about 70 characters,
each page's text placed line by line, as ``tests/pdf_samples.py`` writes PDFs), a Word file and a plain .txt note of
the same paragraphs. With files, reads those instead. Reports the best of ``--repeat`` runs per document: seconds,
statements and statements per second. A script, not a test: nothing here is asserted.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the tests' byte-by-byte PDF writer

# paragraphs made of a subject and a finding taken in turn (11 x 13 pairs), so that no line stands on half of the
# pages (a line that does is a running header, and left out)
SUBJECTS = ("De Arbeidsinspectie", "Het RIEC in de regio", "CoMensha", "De politie", "Veilig Thuis", "De gemeente",
            "Het Openbaar Ministerie", "De zorgcoördinator", "Fier", "Het Coördinatiecentrum", "De jeugdzorg")
FINDINGS = ("ziet steeds meer signalen van uitbuiting in de distributiecentra, vaak van arbeidsmigranten die via een "
            "uitzendbureau werken en bij hun werkgever wonen.",
            "merkt dat slachtoffers zich zelden zelf melden, omdat zij bang zijn hun baan en hun woning kwijt te raken.",
            "hoort dat loverboys minderjarigen vooral online benaderen en vaak binnen een week overgaan tot uitbuiting.",
            "wil dat er in elke regio een ketenregisseur komt met voldoende mandaat om partners bij elkaar te brengen.",
            "vindt dat de casustafel goed werkt: zaken worden sneller opgepakt dan een paar jaar geleden.",
            "heeft te weinig capaciteit om alle meldingen op te volgen, zodat veel signalen blijven liggen.",
            "ziet meer criminele uitbuiting van jongeren, die drugs moeten vervoeren of geld moeten witwassen.",
            "mist een vaste plek in de opvang voor mannelijke slachtoffers, die nu in hotels worden ondergebracht.",
            "werkt goed samen met de wijkteams, die signalen nu eerder doorgeven dan vroeger.",
            "wil de drempel om te melden verlagen door overal bekend te maken waar men terecht kan.",
            "ziet dat informatie delen tussen gemeenten en politie nog vaak vastloopt op de privacyregels.",
            "merkt dat kleinere gemeenten denken dat mensenhandel bij hen niet voorkomt.",
            "vraagt om structureel geld voor voorlichting op scholen over loverboys en sextortion.")
TABLE = [("Organisatie", "Knelpunt", "Voorstel"),
         ("NLA", "Te weinig rechercheurs voor de vele meldingen.", "Meer capaciteit voor de recherche."),
         ("CoMensha", "De zorgcoördinator is overbelast.", "Een tweede zorgcoördinator in elke regio.")]


def _wrapped(text: str, width: int = 70) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def _paragraph(page: int, k: int) -> str:
    """The ``k``-th paragraph of ``page``: a subject and a finding in turn."""
    n = 4 * page + k
    return f"{SUBJECTS[n % len(SUBJECTS)]} {FINDINGS[n % len(FINDINGS)]}"


def _page_stream(page: int) -> bytes:
    """A page of four paragraphs (and on every tenth page a table of three rows), each line placed at its height."""
    from pdf_samples import _escape

    runs, y = [], 780
    for k in range(4):
        for line in _wrapped(_paragraph(page, k)):
            runs.append((57, y, line))
            y -= 14
        y -= 10
    if page % 10 == 0:
        for row in TABLE:
            for x, cell in zip((57, 130, 380), row):
                runs.append((x, y, cell))
            y -= 22
    return zlib.compress(b" ".join(f"BT /F1 11 Tf 1 0 0 1 {x} {y} Tm (".encode() + _escape(t) + b") Tj ET"
                                   for x, y, t in runs))


def write_documents(folder: Path, pages: int) -> list[Path]:
    from pdf_samples import pdf

    paragraphs = [_paragraph(p, k) for p in range(1, pages + 1) for k in range(4)]
    out = [pdf(folder / f"rapport_{pages}p.pdf", [[] for _ in range(pages)],
               streams={i: _page_stream(i + 1) for i in range(pages)})]
    try:
        import docx
    except ImportError:  # python-docx is a dependency; without it, no Word file
        docx = None
    if docx is not None:
        d = docx.Document()
        for text in paragraphs:
            d.add_paragraph(text)
        d.save(folder / f"rapport_{pages}p.docx")
        out.append(folder / f"rapport_{pages}p.docx")
    txt = folder / f"rapport_{pages}p.txt"
    txt.write_text("\n\n".join("\n".join(_wrapped(p)) for p in paragraphs) + "\n", encoding="utf-8")
    out.append(txt)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="documents to read (default: three written here)")
    ap.add_argument("--pages", type=int, default=150, help="pages of the written PDF (default 150)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per document; the best counts (default 3)")
    args = ap.parse_args(argv)
    if args.pages < 1 or args.repeat < 1:
        ap.error("--pages and --repeat must be 1 or more")
    from mh_nlp.io.readers import ReadError, read_statements

    with tempfile.TemporaryDirectory(prefix="mh-nlp-bench-readers-") as tmp:
        files = args.files or write_documents(Path(tmp), args.pages)
        for path in files:
            best, n = float("inf"), 0
            try:
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    n = sum(1 for _ in read_statements(path, warn=lambda m: None))
                    best = min(best, time.perf_counter() - t0)
            except (ReadError, OSError) as exc:
                print(f"{path.name}: cannot be read ({exc})")
                continue
            print(f"{path.name}: {best:.3f} s, {n:,} statements, {n / best:,.0f} statements/s (best of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
