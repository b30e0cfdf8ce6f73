"""An analyst's corrections for ``mh-nlp train --add``: a .csv, .xlsx or .jsonl file with a text column and a
section column, read here and checked row by row by :func:`mh_nlp.themes.train.check_additions`.

Files are read as ``label`` reads them (:func:`mh_nlp.io.readers.table_rows`, :func:`~mh_nlp.io.readers.open_text`):
UTF-8 with or without byte-order mark, UTF-16/32 or Windows-1252; the header row found below a title; every sheet
of a workbook that has the columns (hidden sheets and hidden rows left out, with a warning); a workbook checked for decompression bombs before it is opened. Column names
are matched case-insensitively: the text in ``text``, ``tekst``, ``statement`` or ``uitspraak`` and the section in
``section`` or ``sectie``. So a ``label`` output (or the review screen's export) whose sections an analyst corrected
can be given back as it is: with a ``kind`` column the text is read from ``statement`` (an input's own ``text``
column may ride along), and rows that are not statements or were left without a section are left out with a
warning. Every message
names the row as the file shows it — a spreadsheet's row number (and sheet) or a .jsonl file's line."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from ..corpus.records import Taxonomy
from ..themes.train import Addition, AdditionsError, check_additions
from .readers import TEXT_COLUMNS, ReadError, open_text, table_rows
from .safezip import ZipLimitError, check_zip
from .writers import SECTION_COLUMNS, unnumbered

KIND_COLUMN = "kind"  # mh-nlp label's output and the screen's export: only rows of kind "statement" are statements
# with a kind column, the text comes from "statement": an input's own "text" column may ride along in an output
OUTPUT_TEXT_COLUMN = "statement"
SUFFIXES = (".csv", ".xlsx", ".jsonl")
MAX_ADDITIONS = 20_000  # as many statements as the review screen takes in one upload

Row = tuple[object, object, object]  # (row number as the file shows it, text, section)
TITLE_COLUMN = "section_title"  # a label output's: the title of the section the row had when it was written


def _find(names: list[str], wanted: tuple[str, ...], first: str | None = None) -> int | None:
    """The column of ``names`` that is one of ``wanted`` (any case), or None. Two such columns (``section`` and
    ``sectie``, or ``Text`` and ``text``) are an :class:`AdditionsError`: which one holds what to learn cannot be
    told. ``first``: a column that wins over the others when present (a ``label`` output's ``statement``)."""
    lowered = [str(h or "").strip().lower() for h in names]
    if first is not None and lowered.count(first) == 1:
        return lowered.index(first)
    base = [unnumbered(h) for h in lowered]  # a repeated name is numbered by the readers: "section (2)"
    found = [i for i, h in enumerate(base) if h in wanted]
    if len(found) > 1:
        both = " and ".join(repr(str(names[i]).strip()) for i in found)
        raise AdditionsError(f"two columns for the same thing, {both}: keep the one that holds what to learn, and "
                             "delete or rename the other")
    return found[0] if found else None


def _columns(names: list[str], where: str) -> tuple[int | None, int | None, int | None]:
    """The kind, text and section columns of a table's header or a .jsonl record's keys (:func:`_find`): with a
    kind column (a ``label`` output, a screen export) the text is its ``statement``. ``where`` starts the message
    of two columns for one thing."""
    try:
        k = _find(names, (KIND_COLUMN,))
        t = _find(names, TEXT_COLUMNS, first=None if k is None else OUTPUT_TEXT_COLUMN)
        return k, t, _find(names, SECTION_COLUMNS)
    except AdditionsError as exc:
        raise AdditionsError(f"{where}: {exc}") from None


DECISION_COLUMN = "decision"  # the screen's export: accept, correct, or empty for a row not reviewed
SUGGESTED_COLUMN = "top1"  # a label output's: the section the model suggested (its first)
NOT_THERE = object()  # a column the file does not have


def _count_unchecked(unchecked: dict[str, int], section, decision, suggested) -> None:
    """Count a row kept as a correction that nobody may have checked: in a screen export a row without a decision,
    in a ``label`` output a row whose section is still the model's suggestion (``top1``). Only said, never left out:
    an analyst may have read and agreed with a suggestion."""
    if decision is not NOT_THERE:
        why = "were not reviewed on the screen (no decision)" if not str(decision or "").strip() else None
    elif suggested is not NOT_THERE and str(suggested or "").strip() == str(section or "").strip():
        why = "keep the section the model suggested (top1)"
    else:
        why = None
    if why is not None:
        unchecked[why] = unchecked.get(why, 0) + 1


def _text(value) -> object:
    """A cell as the statement's text: a number cell (a statement that is a number) as text, as ``label`` reads it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return value


def _left_out(kind, section, skipped: dict[str, int]) -> bool:
    """Whether a row of a ``label`` output or a screen export is left out (and counted in ``skipped``): a row that
    is not a statement (meta, chatter, not a statement), or a statement left without a section (uncertain, not
    decided). A file of corrections without a kind column is checked strictly instead."""
    kind = str(kind or "").strip().lower()
    if kind and kind != "statement":
        why = "not statements (meta, chatter, not a statement)"
    elif section is None or not str(section).strip():
        why = "statements without a section (uncertain or not decided)"
    else:
        return False
    skipped[why] = skipped.get(why, 0) + 1
    return True


def _tables(path: Path, warn: Callable[[str], None], titles: dict, unchecked: dict
            ) -> tuple[list[Row], dict[str, int]]:
    """(rows, rows left out by reason: :func:`_left_out`) of a .csv file or of every sheet of a workbook with a
    text and a section column; ``titles`` gets each row's ``section_title`` cell, when the table has one, and
    ``unchecked`` the rows that kept the model's suggestion (:func:`_count_unchecked`)."""
    out: list[Row] = []
    skipped: dict[str, int] = {}
    missing: list[tuple[str, str]] = []  # (where, the columns found) of each table without the two columns
    for where, header, rows in table_rows(path, warn):
        k, t, s = _columns(header, f"{path}: {where[:-2]}" if where else str(path))
        if t is None or s is None:
            missing.append((where, ", ".join(h for h in header if not h.startswith("column")) or "none"))
            for _ in rows:  # read past it: the next sheet comes after
                pass
            continue
        sheet = f" ({where[:-2]})" if where else ""  # a workbook's rows name their sheet: "row 3 (sheet 'Blad1')"
        lowered = [str(h or "").strip().lower() for h in header]
        ti = lowered.index(TITLE_COLUMN) if lowered.count(TITLE_COLUMN) == 1 else None
        di, pi = (lowered.index(c) if lowered.count(c) == 1 else None for c in (DECISION_COLUMN, SUGGESTED_COLUMN))
        for n, cells in rows:
            cells = list(cells)
            if not any(c is not None and str(c).strip() for c in cells):
                continue  # an empty row (a spreadsheet still counts it)
            get = lambda i: cells[i] if i < len(cells) else None  # noqa: E731
            if k is not None and _left_out(get(k), get(s), skipped):
                continue
            out.append((f"{n}{sheet}" if sheet else n, _text(get(t)), get(s)))
            if ti is not None:
                titles[out[-1][0]] = get(ti)
            _count_unchecked(unchecked, get(s), get(di) if di is not None else NOT_THERE,
                             get(pi) if pi is not None else NOT_THERE)
    if not out and missing:
        raise AdditionsError(f"{path}: needs a text column ({', '.join(TEXT_COLUMNS)}) and a section column "
                             f"({', '.join(SECTION_COLUMNS)}) (" + "; ".join(f"{w}found: {f}" for w, f in missing) + ")")
    for where, _found in missing:
        warn(f"{where[:-2]} has no text and section columns; left out")
    return out, skipped


def _jsonl(path: Path, warn: Callable[[str], None], titles: dict, unchecked: dict
           ) -> tuple[list[Row], dict[str, int]]:
    out: list[Row] = []
    skipped: dict[str, int] = {}
    with open_text(path, warn) as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line.lstrip("\ufeff"))
            except (json.JSONDecodeError, RecursionError):
                raise AdditionsError(f"{path}: line {n}: not valid JSON (or nested too deeply)") from None
            if not isinstance(rec, dict):
                raise AdditionsError(f"{path}: line {n}: expected a JSON object with a text and a section")
            names = list(rec)
            k, t, s = _columns(names, f"{path}: line {n}")
            section = rec[names[s]] if s is not None else None
            if k is not None and _left_out(rec[names[k]], section, skipped):
                continue
            text = rec[names[t]] if t is not None else None
            out.append((n, _text(text), section))
            if TITLE_COLUMN in rec:
                titles[n] = rec[TITLE_COLUMN]
            top = rec.get("top")
            first = (top[0].get("section") if isinstance(top, list) and top and isinstance(top[0], dict)
                     else rec.get(SUGGESTED_COLUMN, NOT_THERE))
            _count_unchecked(unchecked, section, rec.get(DECISION_COLUMN, NOT_THERE), first)
    return out, skipped  # no rows at all: check_additions says so


def read_additions(path: str | Path, taxonomy: Taxonomy | None = None,
                   warn: Callable[[str], None] | None = None) -> list[Addition]:
    """An analyst's labelled statements, every row checked (:func:`~mh_nlp.themes.train.check_additions`): a
    missing column, an empty text, a missing, unknown or untitled section or a repeated statement raises
    :class:`~mh_nlp.themes.train.AdditionsError` naming the row as the file shows it. ``warn`` hears what was left
    out (rows of a ``label`` output that are not statements or have no section, a sheet without the columns, rows
    above a header, an encoding other than UTF-8), each message starting with the file's name."""
    path = Path(path)
    say = (lambda m: warn(f"{path}: {m}")) if warn else (lambda m: None)
    if path.is_dir():
        raise AdditionsError(f"{path}: is a folder; give the file of corrections (.csv, .xlsx or .jsonl)")
    if not path.is_file():
        raise AdditionsError(f"{path}: " + ("not a regular file (a named pipe or a device); give the file of "
                                            "corrections" if path.exists() else "no such file"))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise AdditionsError(f"{path}: unsupported file type {suffix or '(none)'} (use .csv, .xlsx or .jsonl)")
    try:
        if suffix == ".xlsx":
            check_zip(path, hint="")  # first, with no hint at an option train does not have
        titles: dict = {}
        unchecked: dict[str, int] = {}
        rows, skipped = (_jsonl if suffix == ".jsonl" else _tables)(path, say, titles, unchecked)
    except AdditionsError:
        raise
    except ZipLimitError as exc:
        raise AdditionsError(f"{path}: {exc}") from None
    except ReadError as exc:
        raise AdditionsError(f"{path}: {exc}") from None
    except Exception as exc:  # a damaged file: one line for the user, whatever the parser raised
        raise AdditionsError(f"{path}: cannot be read as {suffix} ({exc.__class__.__name__})") from None
    for what, count in skipped.items():
        say(f"{count} row{'s' if count > 1 else ''} left out: {what}")
    for why, count in unchecked.items():  # QA 44a: a label output given back taught every unchecked guess
        say(f"{count} of {len(rows)} row{'s' if len(rows) != 1 else ''} {why}: "
            f"{'it is learnt as a correction' if count == 1 else 'they are learnt as corrections'} too; empty the "
            "section of the rows you did not check (or delete them)")
    if len(rows) > MAX_ADDITIONS:
        raise AdditionsError(f"{path}: {len(rows):,} rows (at most {MAX_ADDITIONS:,} corrections in one file): "
                             "corrections are the statements an analyst reviewed, not a whole corpus")
    unit = "line" if suffix == ".jsonl" else "row"
    _spreadsheet_tens(rows, titles, path, unit, taxonomy)
    return check_additions(rows, path, unit, taxonomy, warn=say)


def _spreadsheet_tens(rows: list[Row], titles: dict, path: Path, unit: str, taxonomy: Taxonomy | None) -> None:
    """A spreadsheet turns the text 3.10 into the number 3.1 and saves it so in a .csv: a row whose section reads
    ``x.1`` while its ``section_title`` is the title of ``x.10`` is refused (it would teach 3.1 what 3.10 is)."""
    if not titles:
        return
    if taxonomy is None:
        from ..corpus.records import load_taxonomy

        taxonomy = load_taxonomy()
    for n, _, section in rows:
        title = titles.get(n)
        number = str(section).strip() if section is not None else ""
        ten = taxonomy.sections.get(number + "0") if number.endswith(".1") else None
        if ten is None or not isinstance(title, str) or title.strip().casefold() != ten.title.casefold():
            continue
        own = taxonomy.sections.get(number)
        if own is not None and own.title.casefold() == ten.title.casefold():
            continue
        raise AdditionsError(f"{path}: {unit} {n}: section {number} with the title of {number}0 ({ten.title!r}): a "
                             f"spreadsheet turns {number}0 into {number}; write the section as {number}0 (as text), "
                             f"or, if {number} is meant, change or empty its section_title")
