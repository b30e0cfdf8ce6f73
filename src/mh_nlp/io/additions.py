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
import re
from dataclasses import replace
from pathlib import Path
from typing import Callable

from ..corpus.records import Taxonomy
from ..themes.train import Addition, AdditionsError, check_additions
from .kinds import is_formula
from .readers import MAX_CHARS, TEXT_COLUMNS, FormulaWithoutValue, ReadError, open_text, table_rows
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


UNCHANGED = "keep the section the model suggested (top1)"
NOT_REVIEWED = "not reviewed"


def _not_reviewed(decision, skipped: dict[str, int]) -> bool:
    """Whether a row of the review screen's export (it has a ``decision`` column) is left out because nobody
    reviewed it: on the screen, agreeing with a suggestion is *accept*, which writes a decision, so an empty one
    means not reviewed, and the screen's own training leaves such rows out too (QA 47a D8)."""
    if decision is NOT_THERE or str(decision or "").strip():
        return False
    skipped[NOT_REVIEWED] = skipped.get(NOT_REVIEWED, 0) + 1
    return True


def _agrees(section, decision, suggested) -> bool:
    """A row whose section is the one the model suggested: accepted on the screen (``decision`` accept), or a
    ``label`` output's row left at ``top1``. Learnt as a confirmation, not a correction (QA 51a D3)."""
    if decision is not NOT_THERE and str(decision or "").strip().lower() == "accept":
        return True
    return suggested is not NOT_THERE and bool(str(suggested or "").strip()) and \
        str(suggested).strip() == str(section or "").strip()


def _note_suggestion(unchecked: dict[str, int], agreed: set, row, section, decision, suggested) -> None:
    """What a row says of the model's suggestion: counted when nobody may have checked it (:func:`_count_unchecked`),
    and its number kept in ``agreed`` when it keeps the suggestion (:func:`_agrees`)."""
    _count_unchecked(unchecked, section, decision, suggested)
    if _agrees(section, decision, suggested):
        agreed.add(row)


def _count_unchecked(unchecked: dict[str, int], section, decision, suggested) -> None:
    """Count a row of a ``label`` output kept as a correction that nobody may have checked: its section is still
    the model's suggestion (``top1``). Only said, never left out: an analyst may have read and agreed with a
    suggestion; a file in which every row is so is refused unless asked for (:func:`read_additions`). A screen
    export's rows have a decision (the others are left out, :func:`_not_reviewed`)."""
    if (decision is NOT_THERE and suggested is not NOT_THERE
            and str(suggested or "").strip() == str(section or "").strip()):
        unchecked[UNCHANGED] = unchecked.get(UNCHANGED, 0) + 1


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


def _tables(path: Path, warn: Callable[[str], None], titles: dict, unchecked: dict, agreed: set
            ) -> tuple[list[Row], dict[str, int]]:
    """(rows, rows left out by reason: :func:`_left_out`) of a .csv file or of every sheet of a workbook with a
    text and a section column; ``titles`` gets each row's ``section_title`` cell, when the table has one, and
    ``unchecked`` and ``agreed`` the rows that kept the model's suggestion (:func:`_note_suggestion`)."""
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
            if _not_reviewed(get(di) if di is not None else NOT_THERE, skipped):
                continue
            for cell, what in ((get(t), "text"), (get(s), "section")):
                if isinstance(cell, FormulaWithoutValue):  # QA 47a D12: was "empty or missing text"
                    raise AdditionsError(f"{path}: row {n}{sheet}: the {what} is a formula with no saved value (the "
                                         "workbook was written by a program and never saved in Excel): open and save "
                                         "it in Excel or LibreOffice, or paste the values over the formulas")
            out.append((f"{n}{sheet}" if sheet else n, _text(get(t)), get(s)))
            decision, suggested = (get(di) if di is not None else NOT_THERE), (get(pi) if pi is not None else NOT_THERE)
            if ti is not None:  # with the model's suggestion, to tell which of the two the analyst changed
                titles[out[-1][0]] = (get(ti), None if suggested is NOT_THERE else suggested)
            _note_suggestion(unchecked, agreed, out[-1][0], get(s), decision, suggested)
    if not out and missing:
        raise AdditionsError(f"{path}: needs a text column ({', '.join(TEXT_COLUMNS)}) and a section column "
                             f"({', '.join(SECTION_COLUMNS)}) (" + "; ".join(f"{w}found: {f}" for w, f in missing) + ")")
    for where, _found in missing:
        warn(f"{where[:-2]} has no text and section columns; left out")
    return out, skipped


def _jsonl(path: Path, warn: Callable[[str], None], titles: dict, unchecked: dict, agreed: set
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
            if t is None or s is None:  # QA 47a D12: {"text": …, "label": "2.16"} was told only "no section"
                found = ", ".join(repr(str(name))[:40] for name in names[:10]) or "none"
                raise AdditionsError(f"{path}: line {n}: needs a text key ({', '.join(TEXT_COLUMNS)}) and a section "
                                     f"key ({', '.join(SECTION_COLUMNS)}) (found: {found})")
            section = rec[names[s]]
            if k is not None and _left_out(rec[names[k]], section, skipped):
                continue
            # the screen's .jsonl export keeps its review columns under "extra" (QA 47c N1: read as a label output)
            extra = rec.get("extra") if isinstance(rec.get("extra"), dict) else {}
            decision = rec.get(DECISION_COLUMN, extra.get(DECISION_COLUMN, NOT_THERE))
            if _not_reviewed(decision, skipped):
                continue
            out.append((n, _text(rec[names[t]]), section))
            top = rec.get("top")
            first = (top[0].get("section") if isinstance(top, list) and top and isinstance(top[0], dict)
                     else rec.get(SUGGESTED_COLUMN, extra.get(SUGGESTED_COLUMN, NOT_THERE)))
            if TITLE_COLUMN in rec:
                titles[n] = (rec[TITLE_COLUMN], None if first is NOT_THERE else first)
            _note_suggestion(unchecked, agreed, n, section, decision, first)
    return out, skipped  # no rows at all: check_additions says so


def read_additions(path: str | Path, taxonomy: Taxonomy | None = None,
                   warn: Callable[[str], None] | None = None, learn_suggestions: bool = False) -> list[Addition]:
    """An analyst's labelled statements, every row checked (:func:`~mh_nlp.themes.train.check_additions`): a
    missing column, an empty text, a missing, unknown or untitled section or a repeated statement raises
    :class:`~mh_nlp.themes.train.AdditionsError` naming the row as the file shows it. ``warn`` hears what was left
    out (rows of a ``label`` output that are not statements or have no section, a sheet without the columns, rows
    above a header, an encoding other than UTF-8), each message starting with the file's name.

    What is no statement is refused too (:func:`no_statement`: a text longer than :data:`MAX_CHARS`, a spreadsheet
    formula), and so is a ``label`` output in which every row still has the model's suggestion, unless
    ``learn_suggestions``; rows whose characters look mis-decoded and rows that give an anthology quote another
    section are learnt with a warning naming them (QA 47a D2, D8, D10)."""
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
        agreed: set = set()  # the rows that keep the model's suggestion: learnt as confirmations (QA 51a D3)
        rows, skipped = (_jsonl if suffix == ".jsonl" else _tables)(path, say, titles, unchecked, agreed)
    except AdditionsError:
        raise
    except ZipLimitError as exc:
        raise AdditionsError(f"{path}: {exc}") from None
    except ReadError as exc:
        raise AdditionsError(f"{path}: {exc}") from None
    except Exception as exc:  # a damaged file: one line for the user, whatever the parser raised
        raise AdditionsError(f"{path}: cannot be read as {suffix} ({exc.__class__.__name__})") from None
    for what, count in skipped.items():
        if what == NOT_REVIEWED:
            total = count + len(rows) + sum(c for w, c in skipped.items() if w != NOT_REVIEWED)
            say(f"{count} of {total} rows were not reviewed on the screen (no decision): left out, as the screen's "
                "own training leaves them out; to learn one, accept or correct it on the screen and export again "
                "(or write accept or correct in its decision cell)")
            continue
        say(f"{count} row{'s' if count > 1 else ''} left out: {what}")
    if not rows and skipped.get(NOT_REVIEWED):
        raise AdditionsError(f"{path}: none of its rows was reviewed on the screen (no decision): nothing to learn; "
                             "accept or correct statements on the screen and export again")
    unit = "line" if suffix == ".jsonl" else "row"
    _titles_agree(rows, titles, path, unit, taxonomy, say)  # first: a changed title is no unchanged suggestion
    if rows and unchecked.get(UNCHANGED) == len(rows) and not learn_suggestions:  # QA 47a D8
        raise AdditionsError(f"{path}: every one of its {len(rows):,} row{'s' if len(rows) != 1 else ''} still has "
                             "the section the model suggested (top1), so nothing was corrected, and learning the "
                             "model's own guesses as corrections would only make them weigh more: correct the "
                             "sections that are wrong (and empty or delete the rows you did not check), or pass "
                             "--learn-suggestions if you checked every row and agree")
    for why, count in unchecked.items():  # QA 44a: a label output given back taught every unchecked guess
        say(f"{count} of {len(rows)} row{'s' if len(rows) != 1 else ''} {why}: "
            f"{'it is learnt' if count == 1 else 'they are learnt'} too, as confirmations (like an anthology quote, "
            "not as corrections); empty the section of the rows you did not check (or delete them)")
    if len(rows) > MAX_ADDITIONS:
        raise AdditionsError(f"{path}: {len(rows):,} rows (at most {MAX_ADDITIONS:,} corrections in one file): "
                             "corrections are the statements an analyst reviewed, not a whole corpus")
    additions = check_additions(rows, path, unit, taxonomy, warn=say, checks=(too_long, formula))
    additions = [replace(a, confirmed=True) if a.row in agreed else a for a in additions]  # QA 51a D3
    _warn_mis_decoded(additions, unit, say)
    _warn_quotes(additions, unit, say)
    return additions


# ---------------------------------------------------------------- texts that are no statement (QA 47a D1, D2, D10)

def too_long(text: str) -> str | None:
    """Why a text is too long for a correction: more than :data:`MAX_CHARS` characters, what ``classify``, ``label``
    and the screen read of a text (a whole document pasted into a cell, or 50 MB of it: QA 47a D1)."""
    if len(text) <= MAX_CHARS:
        return None
    return (f"the text is {len(text):,} characters long (a correction is one statement, of at most {MAX_CHARS:,} "
            f"characters, the part of a text the model reads): split it into statements, or shorten it")


def formula(text: str) -> str | None:
    """Why a text is a spreadsheet formula, not a statement (``=HYPERLINK(…)``, ``@SUM(…)``, ``=2+2``, ``=A1``,
    ``=cmd|' /C calc'!A0``; :func:`~mh_nlp.io.kinds.is_formula`, the rule by which ``label`` reads a line as no
    statement): a bullet (``- Te weinig opvang``), ``+31 …``, ``=Meer opvang nodig.`` (a note's remark) or a formula
    followed by words (``@SUM(A1:A2) opvang is vol``, a statement to ``label``) is none."""
    stripped = text.strip()
    if not is_formula(stripped):
        return None
    return (f"the text is a spreadsheet formula ({stripped[:40]!r}), not a statement: delete the row, or put "
            "the statement itself in the cell")


# UTF-8 read as Windows-1252 ("Ã«" for ë, "â€™" for ’), a replacement character, or Windows-1252 punctuation
# inside a word (a Mac Roman "ë" read as "‘": "cli‘ntondersteuning"; Shift-JIS: "ƒeƒLƒXƒg")
_MIS_DECODED = re.compile(r"Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                          r"\u2013-\u203a\u20ac\u2122]|â€|Â[\u00a0-\u00bf]|\ufffd"
                          r"|(?<=[^\W\d_])[\u0192\u201e\u2020\u2021\u02c6\u2030\u2039\u203a\u2018\u201c\u201d"
                          r"\u2022\u02dc\u2122](?=[^\W\d_])")


def mis_decoded(text: str) -> str | None:
    """The first few characters around what looks like a wrong encoding in ``text``, or None."""
    m = _MIS_DECODED.search(text)
    if m is None:
        return None
    start = max(0, m.start() - 12)
    return text[start:m.end() + 12]


def _rows_named(rows: list, unit: str) -> str:
    shown = ", ".join(str(r) for r in rows[:8])
    return f"{unit}{'s' if len(rows) > 1 else ''} {shown}" + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")


def _warn_mis_decoded(additions: list[Addition], unit: str, say: Callable[[str], None]) -> None:
    found = [(a.row, frag) for a in additions if (frag := mis_decoded(a.text))]
    if found:
        one = len(found) == 1
        say(f"{_rows_named([r for r, _ in found], unit)} look{'s' if one else ''} mis-decoded (a wrong encoding: "
            f"{found[0][1]!r}); learnt as {'it reads' if one else 'they read'}: save the file as UTF-8 and train "
            "again if the characters are wrong")


def _warn_quotes(additions: list[Addition], unit: str, say: Callable[[str], None]) -> None:
    """A warning for each correction that is an anthology quote word for word (compared as corrections are, by
    :func:`~mh_nlp.corpus.jsonl.normal_form`) given a section the anthology does not: the analyst may mean it, but
    the quote no longer gets its own section (QA 47a D10)."""
    from ..corpus.jsonl import normal_form
    from ..corpus.records import load_quotes, training_quotes

    quotes = {normal_form(q.text): q for q in training_quotes(load_quotes())}
    clashes = [(a, q) for a in additions if (q := quotes.get(normal_form(a.text))) is not None
               and a.section not in q.accepted_sections]
    for a, q in clashes[:5]:
        say(f"{unit} {a.row} is anthology quote {q.id}, in section {q.section} there, labelled {a.section} here: the "
            f"model learns it as {a.section} and no longer gives the quote its own section; correct the row if that "
            "is not meant")
    if len(clashes) > 5:
        say(f"{len(clashes) - 5} more {unit}s give an anthology quote another section")


def _titles_agree(rows: list[Row], titles: dict, path: Path, unit: str, taxonomy: Taxonomy | None,
                  say: Callable[[str], None]) -> None:
    """A row's ``section_title`` (a label output's) against its ``section``. The usual correction changes the number
    and leaves the title of the model's suggestion (``top1``) beside it: the number is learnt. Refused (QA 37, QA 51a
    D2): a spreadsheet's 3.10 saved as 3.1 (a row ``x.1`` with the title of ``x.10``); a title changed while the
    number is still the model's suggestion (the analyst corrected the title, and the number alone would be learnt);
    and a title of a third section, neither the number's nor the suggestion's. Without a ``top1`` column, a title of
    another section is warned about and the number learnt; so is a title that is no section's (a section retitled
    since the file was written)."""
    if not titles:
        return
    if taxonomy is None:
        from ..corpus.records import load_taxonomy

        taxonomy = load_taxonomy()
    by_title: dict[str, list[str]] = {}
    for number, sec in taxonomy.sections.items():
        by_title.setdefault(sec.title.strip().casefold(), []).append(number)
    warned = []
    for n, _, section in rows:
        title, suggested = titles.get(n, (None, None))
        number = str(section).strip() if section is not None else ""
        own = taxonomy.sections.get(number)
        if own is None or not isinstance(title, str) or not title.strip():
            continue  # an unknown section is check_additions' to refuse; no title says nothing
        title = title.strip()
        named = by_title.get(title.casefold())
        if named is not None and number in named:
            continue
        if named is not None and number.endswith(".1") and number + "0" in named:
            raise AdditionsError(f"{path}: {unit} {n}: section {number} with the title of {number}0 ({title!r}): a "
                                 f"spreadsheet turns {number}0 into {number}; write the section as {number}0 (as "
                                 f"text), or, if {number} is meant, change or empty its section_title")
        suggested = str(suggested).strip() if suggested is not None else ""
        if suggested and number == suggested:  # the title edited, the number not (QA 51a D2; a typo: QA 51b N4)
            what, fix = ((f"the title of {named[0]}", f"write {named[0]} in the section column if that is meant (or "
                          "undo the title)") if named else
                         ("which is no section's title", "write the section you mean in the section column (or, if the "
                          "section was retitled since, empty section_title)"))
            raise AdditionsError(f"{path}: {unit} {n}: section {number} is the model's suggestion, but its "
                                 f"section_title was changed to {title!r}, {what}: {fix}, then train again")
        if named is None or not suggested:
            warned.append(f"{unit} {n}: section {number} ({own.title}) with the section_title {title!r}"
                          + (f" of {named[0]}" if named else ", no section's title") + f": learnt as {number}")
            continue
        if suggested in named:
            continue  # the number corrected, the suggestion's title left beside it: the usual correction
        raise AdditionsError(f"{path}: {unit} {n}: section {number} ({own.title}) but its section_title is {title!r}, "
                             f"the title of {named[0]}: the two name different sections; write the section you mean "
                             "in the section column (and empty section_title), then train again")
    for line in warned[:3]:
        say(line)
    if len(warned) > 3:
        say(f"{len(warned) - 3} more {unit}s have a section_title of another section or of none; learnt by their "
            "number")
