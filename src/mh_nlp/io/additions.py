"""An analyst's corrections for ``mh-nlp train --add``: a .csv, .xlsx or .jsonl file with a text column and a
section column, read here and checked row by row by :func:`mh_nlp.themes.train.check_additions`.

Column names are matched as ``label`` matches them: case-insensitive, the text in ``text``, ``tekst``,
``statement`` or ``uitspraak`` and the section in ``section`` or ``sectie``. Every message names the row as the
file shows it — a spreadsheet's row number (the header is row 1) or a .jsonl file's line — and a workbook is
checked for decompression bombs before it is opened."""
from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from ..corpus.records import Taxonomy
from ..themes.train import Addition, AdditionsError, check_additions
from .readers import TEXT_COLUMNS
from .safezip import ZipLimitError, check_zip

SECTION_COLUMNS = ("section", "sectie")
SUFFIXES = (".csv", ".xlsx", ".jsonl")


def _columns(header: list[str], path: Path) -> tuple[int, int]:
    """Indexes of the text and section columns in ``header``."""
    lowered = [str(h or "").strip().lower() for h in header]
    text = next((lowered.index(c) for c in TEXT_COLUMNS if c in lowered), None)
    section = next((lowered.index(c) for c in SECTION_COLUMNS if c in lowered), None)
    if text is None or section is None:
        found = ", ".join(str(h).strip() for h in header if str(h or "").strip()) or "none"
        raise AdditionsError(f"{path}: needs a text column ({', '.join(TEXT_COLUMNS)}) and a section column "
                             f"({', '.join(SECTION_COLUMNS)}) in its first row (found: {found})")
    return text, section


def _table(rows, path: Path) -> list[tuple[int, object, object]]:
    """(row number, text, section) of each non-empty row below the header; ``rows``: (number, cells)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        raise AdditionsError(f"{path}: no rows")
    t, s = _columns(list(first[1]), path)
    out = []
    for n, cells in rows:
        cells = list(cells)
        if not any(c is not None and str(c).strip() for c in cells):
            continue  # an empty row (a spreadsheet still counts it)
        get = lambda i: cells[i] if i < len(cells) else None  # noqa: E731
        out.append((n, get(t), get(s)))
    return out


def _csv(path: Path) -> list[tuple[int, object, object]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return _table(enumerate(csv.reader(fh, dialect), 1), path)  # a record is a spreadsheet row


def _xlsx(path: Path) -> list[tuple[int, object, object]]:
    from openpyxl import load_workbook

    check_zip(path, hint="")  # a file of corrections has no reason to come near the limit
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return _table(enumerate(wb.worksheets[0].iter_rows(values_only=True), 1), path)
    finally:
        wb.close()


def _jsonl(path: Path) -> list[tuple[int, object, object]]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            raise AdditionsError(f"{path}: line {n}: not valid JSON") from None
        if not isinstance(rec, dict):
            raise AdditionsError(f"{path}: line {n}: expected a JSON object with a text and a section")
        keys = {str(k).strip().lower(): k for k in rec}
        text = next((rec[keys[c]] for c in TEXT_COLUMNS if c in keys), None)
        section = next((rec[keys[c]] for c in SECTION_COLUMNS if c in keys), None)
        out.append((n, text, section))
    return out  # no rows at all: check_additions says so


def read_additions(path: str | Path, taxonomy: Taxonomy | None = None) -> list[Addition]:
    """An analyst's labelled statements, every row checked (:func:`~mh_nlp.themes.train.check_additions`): a
    missing column, an empty text, a missing, unknown or untitled section or a repeated statement raises
    :class:`~mh_nlp.themes.train.AdditionsError` naming the row as the file shows it."""
    path = Path(path)
    if not path.is_file():
        raise AdditionsError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise AdditionsError(f"{path}: unsupported file type {suffix or '(none)'} (use .csv, .xlsx or .jsonl)")
    try:
        rows = {".csv": _csv, ".xlsx": _xlsx, ".jsonl": _jsonl}[suffix](path)
    except AdditionsError:
        raise
    except ZipLimitError as exc:
        raise AdditionsError(f"{path}: {exc}") from None
    except zipfile.BadZipFile:
        raise AdditionsError(f"{path}: not a valid .xlsx file") from None
    except Exception as exc:  # a damaged file: one line for the user, whatever the parser raised
        raise AdditionsError(f"{path}: cannot be read as {suffix} ({exc.__class__.__name__})") from None
    return check_additions(rows, path, "line" if suffix == ".jsonl" else "row", taxonomy)
