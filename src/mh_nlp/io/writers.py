"""Writing labelled statements (.csv, .jsonl, .xlsx) and theme overviews (.md, .json), atomically.

Every writer writes to a hidden temporary file in the output's own directory and moves it into
place with ``os.replace`` only on :meth:`RowWriter.commit`; an exception or Ctrl-C before that
removes the temporary file, so an interrupted run never leaves a half-written or clobbered output.
Rows come in the nested form of :meth:`mh_nlp.io.label.LabelRow.to_dict`.

One writer at a time: :class:`OutputLock` holds an exclusive lock (``flock``) on a hidden
``.NAME.lock`` beside the output for the whole run, so a second run to the same output refuses at once;
and a writer opened with ``overwrite=False`` moves its file into place with an exclusive create
(``os.link``), so an output that appeared meanwhile is never replaced.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Sequence

from ..corpus.jsonl import json_line
from ..exceptions import OutputError  # noqa: F401 - defined with every mh-nlp error
from ..themes.prediction import is_correction

OUTPUT_SUFFIXES = (".csv", ".jsonl", ".xlsx")
SUMMARY_SUFFIXES = (".md", ".json")
TOP_K = 3
FIXED_FIELDS = (["source", "position", "statement", "kind", "section", "section_title", "chapter", "chapter_title",
                 "confidence", "chapter_confidence", "uncertain"]
                + [f"top{i}{part}" for i in range(1, TOP_K + 1) for part in ("", "_title", "_score")]
                + ["entity_ids", "similar_quotes", "not_dutch", "embedded_chars", "off_subject", "subject_similarity",
                   "read_alone", "section_quote"])


# A text cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"): ``=HYPERLINK(...)`` in a transcript must stay text in our outputs.
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """True for a text cell that a spreadsheet would evaluate: it starts with ``= + - @``, a tab or a CR, also after
    spaces (LibreOffice's import may trim them first: QA 52a D7, ``  =1+1``)."""
    return isinstance(value, str) and value.lstrip(" \u00a0").startswith(FORMULA_CHARS)


def safe_cell(value: Any) -> Any:
    """A cell for a .csv output that no spreadsheet evaluates: a :func:`formula_like` text gets one leading
    ``'``, and so does every part of it after a ``;``, ``,`` or tab that would start a formula (:func:`_dangerous`);
    numbers and other text are returned unchanged.

    A text that already has quotes before such a character (``'=x``) gets one more quote too, so
    :func:`unguard_cell` (used by the CSV reader) gives back every original text exactly.
    """
    if not isinstance(value, str):
        return value
    calls = _last_call(value)
    value = _MID.sub(lambda m: m.group(1) + "'" + m.group(2) if _dangerous(m, calls) else m.group(0), value)
    if formula_like(value.lstrip("'")):
        return "'" + value
    return value


def unguard_cell(text: str) -> str:
    """Undo :func:`safe_cell`: drop one leading ``'`` when the quotes are followed by ``= + - @``, a tab or a CR,
    and one after a separator where :func:`safe_cell` put it."""
    text = text[1:] if text.startswith("'") and formula_like(text.lstrip("'")) else text
    calls = _last_call(text)
    return _MID_GUARDED.sub(lambda m: m.group(1) + m.group(2)[1:] if _dangerous(m, calls) else m.group(0), text)


# A .csv output separated by "," and opened by Excel with Dutch regional settings is split at ";" instead (and a
# tab-separated reading splits at tabs): "Zie bijlage;=cmd|' /C calc'!A0" then has a cell that starts a formula,
# behind the leading-quote guard. Such a part gets a "'" too: always before "=" and "@"; before "+" and "-" only when
# the part calls something ("(", a DDE "|", a sheet "!"), so that "€ 10,-" and "1,-2" stay as they are.
_MID = re.compile(r"([;,\t])('*)(?=[=+\-@])")
_MID_GUARDED = re.compile(r"([;,\t])('+)(?=[=+\-@])")


def _last_call(text: str) -> int:
    """Where the last ``(``, ``|`` or ``!`` of ``text`` stands (-1: none), found once per text."""
    return max(text.rfind(c) for c in "(|!")


def _dangerous(match: re.Match, calls: int) -> bool:
    """Whether the part that follows ``match`` (a separator and quotes, before ``= + - @``) would start a formula that
    does harm: ``=`` or ``@``, or ``+``/``-`` with a call anywhere after it (``calls``: :func:`_last_call`), whatever
    the next separator of a reading."""
    return match.string[match.end()] in "=@" or calls > match.end()


# the names ``train --add`` reads a section from (any case): an input's own column of that name is carried with a
# prefix, so that an output given back as corrections has one section column, the one the analyst corrects
SECTION_COLUMNS = ("section", "sectie")


_NUMBERED = re.compile(r" \(\d+\)$")


def unnumbered(name: str) -> str:
    """A column name without the number the readers give a repeated one (``readers._header_names``: "section (2)"
    -> "section")."""
    return _NUMBERED.sub("", name)


def extra_columns(extra_fields: Sequence[str]) -> list[tuple[str, str]]:
    """(input field, output column) pairs; an input field named like a fixed column (in any case) or like a section
    column (``sectie``) gets an ``input_`` prefix."""
    out, taken = [], set(FIXED_FIELDS)
    reserved = {f.lower() for f in FIXED_FIELDS} | set(SECTION_COLUMNS)
    for name in extra_fields:
        col = name
        while col in taken or unnumbered(col.strip().lower()) in reserved:  # "section (2)" too
            col = f"input_{col}"
        taken.add(col)
        out.append((name, col))
    return out


def header(extra_fields: Sequence[str]) -> list[str]:
    """The column names of a .csv or .xlsx output."""
    return list(FIXED_FIELDS) + [col for _name, col in extra_columns(extra_fields)]


def flat_row(record: dict[str, Any], extras: list[tuple[str, str]]) -> list[Any]:
    """One nested row as the flat cells of a .csv/.xlsx output (top 3 spread over columns, ids joined by ``;``)."""
    cells = [record["source"], record["position"], record["statement"], record.get("kind", "statement"),
             record["section"], record["section_title"],
             "" if record["chapter"] is None else record["chapter"], record["chapter_title"], record["confidence"],
             record["chapter_confidence"], record["uncertain"]]
    top = list(record.get("top") or [])[:TOP_K]
    for i in range(TOP_K):
        if i < len(top):
            cells += [top[i]["section"], top[i]["title"], top[i]["score"]]
        else:
            cells += ["", "", ""]
    cells.append(";".join(record.get("entity_ids") or []))
    # an analyst's statement the model learnt is no anthology quote (QA 51a D7): "reviewed added-14 (2.21, 1.00)"
    quote_cell = lambda e: (f"{'reviewed ' if is_correction(e['id']) else ''}"  # noqa: E731
                            f"{e['id']} ({e['section']}, {e['similarity']:.2f})")
    cells.append("; ".join(quote_cell(e) for e in record.get("similar_quotes") or []))
    embedded = record.get("embedded_chars")
    # QA 48b D8, D14; a mark that does not apply or is not known (a meta line, a row stored before it) stays empty
    mark = lambda v: "" if v is None else bool(v)  # noqa: E731
    cells += [mark(record.get("not_dutch")), "" if embedded is None else embedded]
    alone, quote = record.get("read_alone"), record.get("section_quote")  # QA 48b D5, D1, D9
    similarity = record.get("subject_similarity")  # QA 48c N9: a spreadsheet can sort by it
    cells += [mark(record.get("off_subject")), "" if similarity is None else similarity,
              "" if not alone else f"{alone['section']} ({alone['confidence']:.2f})",
              "" if not quote else quote_cell(quote)]
    extra = record.get("extra") or {}
    cells += [extra.get(name, "") for name, _col in extras]
    return cells


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


TEMP_MARK = "mh-nlp-"  # in every temporary output's name, so that a user's own ".x.csv.backup01.tmp.csv" is never taken for one


def temp_path_for(path: Path) -> tuple[int, Path]:
    """Create a hidden temporary file beside ``path`` (same directory, so ``os.replace`` is atomic)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{TEMP_MARK}", suffix=".tmp" + path.suffix)
    os.chmod(name, 0o666 & ~_umask())
    return fd, Path(name)


def _move_into_place(tmp: Path, path: Path, overwrite: bool) -> None:
    """``os.replace`` (``overwrite``), else an exclusive create: a link that fails when ``path`` exists."""
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputError(f"{path}: was created by another program while this run was writing; not "
                          f"overwritten (use --force to replace it)") from None
    except OSError:  # a file system without hard links (FAT, some network shares): check, then replace
        if path.exists():
            raise OutputError(f"{path}: was created by another program while this run was writing; not "
                              f"overwritten (use --force to replace it)") from None
        os.replace(tmp, path)
        return
    tmp.unlink()


class OutputUnwritable(OutputError):
    """The output's folder refuses the lock file (read-only, no permission): no run can write there."""


class OutputLock:
    """An exclusive lock for writing ``path``: a hidden ``.NAME.lock`` file beside it, locked with
    ``flock`` (released by the system if the process dies) and removed on :meth:`release`."""

    def __init__(self, path: str | Path):
        path = Path(path)
        self.path = path.with_name(f".{path.name}.lock")
        self._fd: int | None = None
        self.leftovers = 0

    def acquire(self) -> "OutputLock":
        """Take the lock or raise :class:`OutputError` when another run holds it."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks; the exclusive create still guards
            return self
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
            except OSError as exc:  # QA 44a: a folder that refuses new files gave a traceback here
                raise OutputUnwritable(f"{self.path.parent / self.path.name[1:-5]}: cannot write there "
                                       f"({exc.strerror or exc.__class__.__name__})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise OutputError(f"{self.path.parent / self.path.name[1:-5]}: another run is writing this output "
                                  f"now; wait for it to finish or choose another output") from None
            try:  # the holder before us may have removed the file after we opened it: lock the current one
                mine, now = os.fstat(fd), os.stat(self.path)
                same = (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)
            except OSError:
                same = False
            if same:
                self._fd = fd
                self.leftovers = self._remove_leftovers()
                return self
            os.close(fd)

    def _remove_leftovers(self) -> int:
        """Remove the temporary outputs (:func:`temp_path_for`) that a run killed outright (``kill -9``, a power
        cut) left beside this output: whoever writes it holds this lock, so they belong to nobody now, and they
        hold statements the user did not ask to keep. How many were removed."""
        import glob

        name = self.path.name[1:-len(".lock")]
        removed = 0
        pattern = f".{glob.escape(name)}.{TEMP_MARK}{'?' * 8}.tmp{glob.escape(Path(name).suffix)}"
        for leftover in self.path.parent.glob(pattern):
            try:
                leftover.unlink()
                removed += 1
            except OSError:
                pass
        return removed

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink()
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


class RowWriter:
    """Base class: a temporary file that becomes ``path`` on :meth:`commit` and vanishes on :meth:`abort`.
    With ``overwrite=False`` the commit never replaces a file that exists by then (:class:`OutputError`)."""

    def __init__(self, path: Path, extra_fields: Sequence[str] = (), overwrite: bool = True, **options: Any):
        self.path = Path(path)
        self.overwrite = overwrite
        self.options = options
        self.extras = extra_columns(extra_fields)
        self.rows = 0
        self.cut_cells = 0  # cells cut to a format's limit (Excel's 32,767 characters)
        self._done = False
        fd, self.tmp = temp_path_for(self.path)
        try:
            self._open(fd)
        except BaseException:  # e.g. Ctrl-C or SIGTERM while openpyxl loads: no temporary file left behind
            self.tmp.unlink(missing_ok=True)
            raise

    def _open(self, fd: int) -> None:
        raise NotImplementedError

    def write(self, record: dict[str, Any]) -> None:
        """Write one row (nested form)."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        """Release the temporary file's handles without finishing it."""
        self._close()

    def commit(self) -> None:
        """Finish the file and move it into place."""
        if self._done:
            return
        try:
            self._close()
            _move_into_place(self.tmp, self.path, self.overwrite)
        except BaseException:
            self.abort()
            raise
        self._done = True

    def abort(self) -> None:
        """Drop the temporary file; the output path is left as it was."""
        if self._done:
            return
        self._done = True
        try:
            self._discard()
        except Exception:  # noqa: BLE001 - we are discarding the file anyway
            pass
        try:
            self.tmp.unlink()
        except FileNotFoundError:
            pass

    def __enter__(self) -> "RowWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


CSV_DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "|": "|"}


class CsvWriter(RowWriter):
    """UTF-8 CSV with a byte-order mark (so Excel shows Dutch accents), one header row.

    Options: ``delimiter`` (``,`` by default; ``;`` for Excel with Dutch regional settings, ``tab``) and
    ``decimal_comma`` (numbers such as confidences written ``0,8123``, as Dutch Excel reads them)."""

    def _open(self, fd: int) -> None:
        delimiter = self.options.get("delimiter") or ","
        if delimiter not in CSV_DELIMITERS:
            raise OutputError(f"unsupported CSV delimiter {delimiter!r} (use {', '.join(sorted(CSV_DELIMITERS))})")
        self._decimal_comma = bool(self.options.get("decimal_comma"))
        self._fh: io.TextIOBase | None = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._fh, delimiter=CSV_DELIMITERS[delimiter])
        self._csv.writerow([safe_cell(c) for c in header([n for n, _c in self.extras])])

    def _value(self, value: Any) -> Any:
        if self._decimal_comma and isinstance(value, float):
            return repr(value).replace(".", ",")
        return safe_cell(value)

    def write(self, record: dict[str, Any]) -> None:
        self._csv.writerow([self._value(c) for c in flat_row(record, self.extras)])
        self.rows += 1

    def _close(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.close()


class JsonlWriter(RowWriter):
    """One JSON object per line (UTF-8), in the nested form: ``top`` and ``entity_ids`` are lists."""

    def _open(self, fd: int) -> None:
        self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json_line(record) + "\n")
        self.rows += 1

    def _close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


class XlsxWriter(RowWriter):
    """An .xlsx workbook in openpyxl's write-only mode (rows stream to openpyxl's temporary file until :meth:`commit`)."""

    def _open(self, fd: int) -> None:
        os.close(fd)
        import openpyxl

        self._wb = openpyxl.Workbook(write_only=True)
        self._ws = self._wb.create_sheet("labels")
        # openpyxl streams the rows to a file of its own in the system's temp folder, which a killed run (kill -9)
        # left there for good; here it is a hidden file beside the output, which the next run to it removes
        # (OutputLock) and an ended run removes as openpyxl does
        from openpyxl.worksheet._writer import ALL_TEMP_FILES, WorksheetWriter

        rows_fd, rows = temp_path_for(self.path)
        os.close(rows_fd)
        ALL_TEMP_FILES.append(str(rows))
        self._ws._writer = WorksheetWriter(self._ws, out=str(rows))
        self._ws._writer.write_top()
        from openpyxl.cell.cell import ERROR_CODES

        self._error_codes = frozenset(ERROR_CODES)  # texts openpyxl would store as error cells
        self._ws.append([self._cell(c) for c in header([n for n, _c in self.extras])])
        self._saved = False

    def write(self, record: dict[str, Any]) -> None:
        self._ws.append([self._cell(c) for c in flat_row(record, self.extras)])
        self.rows += 1

    def _close(self) -> None:
        if not self._saved:
            self._saved = True
            if self.cut_cells:  # said in the workbook itself, where a user of the screen's export sees it
                notes = self._wb.create_sheet("notes")
                notes.append([f"{self.cut_cells:,} cell{'s' if self.cut_cells != 1 else ''} longer than Excel's "
                              f"{XLSX_CELL_CHARS:,} characters cut to that length; a .csv or .jsonl file keeps "
                              "them whole."])
            self._wb.save(self.tmp)

    def _discard(self) -> None:
        """Finish openpyxl's own row stream (a file in the system temp dir) and delete it; never save."""
        self._saved = True
        ws = self._ws
        try:
            ws.close()
        finally:
            writer = getattr(ws, "_writer", None)
            if writer is not None:
                try:
                    writer.cleanup()
                except (OSError, ValueError):
                    pass

    def _cell(self, value: Any) -> Any:
        """A value for ``append``. A :func:`formula_like` text (openpyxl would store ``=...`` as a formula)
        or an error code (``#N/A``) becomes an explicit string cell (``t="inlineStr"``, never ``<f>``) with
        Excel's quote-prefix flag, so it stays text even when the cell is edited in Excel."""
        if isinstance(value, str) and len(value) > XLSX_CELL_CHARS:
            self.cut_cells += 1
        value = _xlsx_safe(value)
        if formula_like(value) or value in self._error_codes:
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(self._ws, value)
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
        return value


XLSX_CELL_CHARS = 32767  # Excel's limit for one cell


def _xlsx_safe(value: Any) -> Any:
    """Strip characters that are illegal in XML cells and keep cells under Excel's 32,767-character limit."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > XLSX_CELL_CHARS:
            value = value[:XLSX_CELL_CHARS]
    return value


WRITERS = {".csv": CsvWriter, ".jsonl": JsonlWriter, ".xlsx": XlsxWriter}


def open_writer(path: str | Path, extra_fields: Sequence[str] = (), overwrite: bool = True, **options) -> RowWriter:
    """A writer for ``path`` chosen by its extension (.csv, .jsonl or .xlsx); ``overwrite=False``: never
    replace a file that exists when the output is committed."""
    path = Path(path)
    cls = WRITERS.get(path.suffix.lower())
    if cls is None:
        raise OutputError(f"unsupported output type {path.suffix or '(no extension)'!r} "
                          f"(use {', '.join(OUTPUT_SUFFIXES)})")
    return cls(path, extra_fields, overwrite, **options)


def write_text_atomic(path: str | Path, text: str, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace`` (an exclusive create when
    not ``overwrite``)."""
    path = Path(path)
    fd, tmp = temp_path_for(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        _move_into_place(tmp, path, overwrite)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def same_file(a: Path, b: Path) -> bool:
    """``a`` and ``b`` name the same file, however spelt (``models/../models/x.npz``, a link)."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_output(path: str | Path, inputs: Sequence[str | Path], force: bool, suffixes: Sequence[str]) -> Path:
    """Validate an output path before any work: type, directory, not an input, no overwrite without force."""
    path = Path(path)
    if path.name.lower() in suffixes:  # "-o .csv": a hidden file without an extension, to Python
        raise OutputError(f"{path}: name the file before its extension (labels{path.name})")
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; name the output file (e.g. {path / 'labels.xlsx'})")
    if path.suffix.lower() not in suffixes:
        raise OutputError(f"{path}: unsupported output type {path.suffix or '(no extension)'!r} "
                          f"(use {', '.join(suffixes)})")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{path}: {parent} is a file, not a folder" if parent.exists()
                          else f"{path}: directory {parent} does not exist")
    for item in inputs:
        if same_file(Path(item), path):
            raise OutputError(f"{path}: is also an input; refusing to write the output over it")
    if (path.exists() or path.is_symlink()) and not force:  # a link to nowhere too (QA 43b: found only at the end)
        raise OutputError(f"{path}: exists{' (a link to ' + os.readlink(path) + ')' if path.is_symlink() else ''}; "
                          "use --force to overwrite it")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{path}: directory {parent} is not writable")
    return path


# ---------------------------------------------------------------- theme overview

def _non_statements(counts: dict[str, Any] | None) -> str:
    """``; 5 meta and 3 chatter lines not labelled`` (or ``dropped``) for an overview line; "" when none."""
    if not counts or not (counts.get("meta") or counts.get("chatter")):
        return ""
    parts = [f"{counts[k]} {k}" for k in ("meta", "chatter") if counts.get(k)]
    lines = "line" if sum(counts.get(k) or 0 for k in ("meta", "chatter")) == 1 else "lines"
    return f"; {' and '.join(parts)} {lines} not labelled" + (" (dropped)" if counts.get("dropped") else "")


def _headings_used(used: list[dict[str, Any]]) -> str:
    """ "Trends → 1 (3), Problemen → 2 (4)": each heading that named a chapter, with its statements."""
    return ", ".join(f"{u['heading']} → {u['chapter']} ({u['statements']})" for u in used)


def _below(total: dict[str, Any]) -> str:
    """`` (confidence below 0.5)``: the threshold of uncertain, for the overview's total line."""
    below = total.get("uncertain_below")
    return f" (confidence below {below:g})" if below is not None else ""


def _n(count: int, noun: str) -> str:
    """``1 statement``, ``2 statements``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _to_check(counts: dict[str, Any]) -> str:
    """``, 2 perhaps off the subject, 1 whose chapter the note's context changed``: what the outputs' columns
    off_subject and read_alone mark, counted (nothing when there is none)."""
    parts = ([f"{counts['off_subject']} perhaps off the subject"] if counts.get("off_subject") else []) + \
        ([f"{counts['context_changed']} whose chapter the note's context changed"] if counts.get("context_changed")
         else [])
    return "".join(f", {p}" for p in parts)


def summary_markdown(summary: dict[str, Any]) -> str:
    """The theme overview (see :meth:`mh_nlp.io.label.Summary.to_dict`) as Markdown tables, one block per input."""
    lines = ["# Theme overview", ""]
    total = summary["total"]
    lines.append(f"{_n(total['statements'], 'statement')} from {total['inputs_ok']} of {_n(total['inputs'], 'input')}"
                 + (f"; {total['uncertain']} uncertain{_below(total)}" if total["uncertain"] else "")
                 + _to_check(total) + _non_statements(total.get("non_statements")) + ".")
    for src in summary["inputs"]:
        lines += ["", f"## {src['source']}", ""]
        if src.get("error"):
            lines.append(f"**error:** {src['error']}")
            if not src["statements"]:
                continue
            lines.append("")
        lines.append(_n(src['statements'], 'statement') + (f", {src['uncertain']} uncertain" if src["uncertain"] else "")
                     + _to_check(src) + _non_statements(src.get("non_statements")))
        if src.get("read_in_order"):
            lines += ["", f"*{src['read_in_order']['reading'].capitalize()}.*"]
        if src.get("chapter_headings"):
            lines += ["", "Headings used as evidence for the chapter: " + _headings_used(src["chapter_headings"]) + "."]
        lines += ["", "| chapter | title | statements |", "| --- | --- | ---: |"]
        lines += [f"| {c['chapter']} | {c['title']} | {c['statements']} |" for c in src["chapters"]]
        lines += ["", "| section | title | statements |", "| --- | --- | ---: |"]
        lines += [f"| {s['section']} | {s['title']} | {s['statements']} |" for s in src["sections"]]
    return "\n".join(lines) + "\n"


def summary_text(summary: dict[str, Any]) -> str:
    """The theme overview as plain text for the terminal."""
    lines = []
    for src in summary["inputs"]:
        if src.get("error") and not src["statements"]:
            lines.append(f"{src['source']}: not labelled ({src['error']})")
            continue
        lines.append(f"{src['source']}: {_n(src['statements'], 'statement')}"
                     + (f", {src['uncertain']} uncertain" if src["uncertain"] else "")
                     + _to_check(src) + _non_statements(src.get("non_statements"))
                     + (f" (stopped: {src['error']})" if src.get("error") else ""))
        if src.get("read_in_order"):
            lines.append(f"  {src['read_in_order']['reading']}")
        if src.get("chapter_headings"):
            lines.append("  headings used as evidence for the chapter: " + _headings_used(src["chapter_headings"]))
        for c in src["chapters"]:
            lines.append(f"  chapter {c['chapter']} {c['title']:<40} {c['statements']:6d}")
        for s in src["sections"]:
            lines.append(f"    {s['section']:<5} {shorten(s['title'], 50):<50} {s['statements']:6d}")
    total = summary["total"]
    lines.append(f"total: {_n(total['statements'], 'statement')} from {total['inputs_ok']} of "
                 f"{_n(total['inputs'], 'input')}"
                 + (f", {total['uncertain']} uncertain{_below(total)}" if total["uncertain"] else "")
                 + _to_check(total) + _non_statements(total.get("non_statements")))
    return "\n".join(lines)


def _summary_text(path: Path, summary: dict[str, Any]) -> str:
    if path.suffix.lower() == ".json":
        return json.dumps(summary, ensure_ascii=False, indent=1) + "\n"
    return summary_markdown(summary)


def write_summary(path: str | Path, summary: dict[str, Any], overwrite: bool = True) -> None:
    """Write the theme overview as .md or .json (atomically)."""
    path = Path(path)
    write_text_atomic(path, _summary_text(path, summary), overwrite)


class StagedSummary:
    """The theme overview written beside ``path`` first (:meth:`commit` puts it in place, :meth:`abort` removes
    it), so that it replaces an earlier one only when the output it describes was written too."""

    def __init__(self, path: str | Path, summary: dict[str, Any], overwrite: bool = True):
        self.path, self.overwrite = Path(path), overwrite
        fd, self.tmp = temp_path_for(self.path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(_summary_text(self.path, summary))
        except BaseException:
            self.tmp.unlink(missing_ok=True)
            raise

    def commit(self) -> None:
        try:
            _move_into_place(self.tmp, self.path, self.overwrite)
        finally:
            self.tmp.unlink(missing_ok=True)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with ``…`` where it was cut."""
    if len(text) <= width:
        return text
    cut = text[:width - 1].rsplit(" ", 1)[0] if " " in text[:width - 1] else text[:width - 1]
    return cut.rstrip(" ,;:") + "…"
