"""The review screen's database: SQLite in the data directory, WAL mode, schema versioned by migrations.

Every write is its own transaction (``commit`` per decision), so a decision the browser saw confirmed
survives a killed server, and two tabs correcting at once both land (decisions are appended, never
overwritten: the latest decision of a statement is its final label). An undone decision leaves ``decisions`` for
``undone_decisions``, as it was, with who undid it and when (QA 46b D14): the record of the work keeps it, and
nothing that reads ``decisions`` (the final labels, the counts, the training) sees it.

Migrations are an ordered list of functions; ``schema_version`` holds how many have run. Opening a
database runs the missing ones in order, each in one transaction.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import stat
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..corpus.jsonl import folded, normal_form

DB_NAME = "mh-nlp.sqlite"
DEFAULT_PROJECT = 1


def _in(expr: str, values: list) -> str:
    """``expr IN (?, ?, ...)`` with one placeholder per value; ``0`` (matches nothing) for no values."""
    return f"{expr} IN ({','.join('?' * len(values))})" if values else "0"


def _id_parts(ids: Iterable[int], size: int = 500) -> Iterator[list[int]]:
    """The distinct ``ids``, in parts of at most ``size``: each part one query, within SQLite's limit of bound
    parameters."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------- migrations

def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run ``;``-separated statements inside the current transaction (``executescript`` would commit it)."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _m1_initial(db: sqlite3.Connection) -> None:
    _script(db, """
    CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
        name TEXT NOT NULL, kind TEXT NOT NULL, file TEXT, text_column TEXT,
        status TEXT NOT NULL, total INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0,
        error TEXT, created_at TEXT NOT NULL);
    CREATE TABLE statements (
        id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES documents(id),
        position INTEGER NOT NULL, text TEXT NOT NULL, extra TEXT NOT NULL DEFAULT '{}',
        section TEXT, chapter INTEGER, confidence REAL, chapter_confidence REAL,
        top TEXT NOT NULL DEFAULT '[]', entities TEXT NOT NULL DEFAULT '[]', similar TEXT NOT NULL DEFAULT '[]',
        model_version INTEGER);
    CREATE INDEX statements_document ON statements(document_id);
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY, statement_id INTEGER NOT NULL REFERENCES statements(id),
        section TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL);
    CREATE INDEX decisions_statement ON decisions(statement_id);
    CREATE TABLE model_versions (
        version INTEGER PRIMARY KEY, path TEXT NOT NULL, created_at TEXT NOT NULL,
        corrections INTEGER NOT NULL DEFAULT 0, metadata TEXT NOT NULL DEFAULT '{}');
    """)
    db.execute("INSERT INTO projects (id, name, created_at) VALUES (?, 'default', ?)", (DEFAULT_PROJECT, now()))


def _m2_decision_context(db: sqlite3.Connection) -> None:
    """Decisions record the model version whose suggestion was judged and whether it was accepted; model
    versions keep their evaluation; settings hold the model in use."""
    _script(db, """
    ALTER TABLE decisions ADD COLUMN model_version INTEGER;
    ALTER TABLE decisions ADD COLUMN action TEXT NOT NULL DEFAULT 'correct';
    ALTER TABLE model_versions ADD COLUMN evaluation TEXT;
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """)
    # decisions made before version 2 that agree with the suggestion were acceptances
    db.execute("""UPDATE decisions SET action = 'accept' WHERE section =
                  (SELECT s.section FROM statements s WHERE s.id = decisions.statement_id)""")


def _m3_resumable_jobs(db: sqlite3.Connection) -> None:
    """A document keeps how it is split into statements, so a job the server left unfinished can resume."""
    db.execute("ALTER TABLE documents ADD COLUMN split TEXT NOT NULL DEFAULT 'paragraph'")


def _m4_kinds(db: sqlite3.Connection) -> None:
    """Statements keep their kind (``statement``, ``meta``, ``chatter``: meta and chatter lines get no section);
    a decision may be *not a statement* (``action = 'not_statement'``, no section), so ``decisions.section``
    becomes nullable (SQLite cannot drop NOT NULL: the table is rebuilt); documents keep the sheets and header
    row they were read with."""
    _script(db, """
    ALTER TABLE statements ADD COLUMN kind TEXT NOT NULL DEFAULT 'statement';
    ALTER TABLE documents ADD COLUMN sheets TEXT;
    ALTER TABLE documents ADD COLUMN header_row INTEGER;
    CREATE TABLE decisions_new (
        id INTEGER PRIMARY KEY, statement_id INTEGER NOT NULL REFERENCES statements(id),
        section TEXT, who TEXT NOT NULL, at TEXT NOT NULL, model_version INTEGER,
        action TEXT NOT NULL DEFAULT 'correct');
    INSERT INTO decisions_new (id, statement_id, section, who, at, model_version, action)
        SELECT id, statement_id, section, who, at, model_version, action FROM decisions;
    DROP TABLE decisions;
    ALTER TABLE decisions_new RENAME TO decisions;
    CREATE INDEX decisions_statement ON decisions(statement_id);
    """)


def _m5_in_order(db: sqlite3.Connection) -> None:
    """A document may be one note read in order (``mh-nlp label --in-order``): its statements' neighbours count."""
    db.execute("ALTER TABLE documents ADD COLUMN in_order INTEGER NOT NULL DEFAULT 0")


def _m6_note_stay(db: sqlite3.Connection) -> None:
    """How a note read in order was read: the stay probability it chose (``Prediction.note_stay``); NULL for a
    document read statement by statement, or read before this version."""
    db.execute("ALTER TABLE documents ADD COLUMN note_stay REAL")


def _m7_note_column(db: sqlite3.Connection) -> None:
    """A table of several sessions read in order one note per value of a column (``label --note-column``): the
    column, and the stay each note chose (a JSON list); NULL for one note, or a document read before this version."""
    db.execute("ALTER TABLE documents ADD COLUMN note_column TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN note_stays TEXT")


def _m8_warnings(db: sqlite3.Connection) -> None:
    """What the reader left out of a document (a sheet without a text column, formulas without a stored value, an
    empty row of a table …): a JSON list of its warnings, as ``mh-nlp label`` prints them; NULL for none, or a
    document read before this version."""
    db.execute("ALTER TABLE documents ADD COLUMN warnings TEXT")


def _m9_search(db: sqlite3.Connection) -> None:
    """Each statement's text as the review search compares it (:func:`folded`: no accents, case or repeated
    spaces), kept beside it so that a search stays in SQL; filled for the statements already there."""
    db.execute("ALTER TABLE statements ADD COLUMN search TEXT")
    rows = db.execute("SELECT id, text FROM statements").fetchall()
    db.executemany("UPDATE statements SET search = ? WHERE id = ?", [(folded(t), i) for i, t in rows])


def _m10_search_index(db: sqlite3.Connection) -> None:
    """An index on the folded texts, so that the review finds a statement's earlier decisions (the same text in
    another row: :meth:`Store.earlier_decisions`) by look-up, not by reading every statement."""
    db.execute("CREATE INDEX statements_search ON statements(search)")


def _m11_undone_decisions(db: sqlite3.Connection) -> None:
    """An undone decision is kept (QA 46b D14: undo deleted it without a trace): it moves, with its own id and every
    column, to ``undone_decisions``, which adds who undid it and when (``undo`` numbers the undos in their order).
    ``decisions`` keeps only the decisions that
    stand, so the final labels, the counts and the training read it as before. Nothing to copy: the decisions undone
    before this version were deleted."""
    _script(db, """
    CREATE TABLE undone_decisions (
        undo INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, statement_id INTEGER NOT NULL REFERENCES statements(id),
        section TEXT, who TEXT NOT NULL, at TEXT NOT NULL, model_version INTEGER,
        action TEXT NOT NULL DEFAULT 'correct', undone_by TEXT NOT NULL, undone_at TEXT NOT NULL);
    CREATE INDEX undone_decisions_statement ON undone_decisions(statement_id);
    """)


def _m12_checks(db: sqlite3.Connection) -> None:
    """What the model says a statement should be checked for (QA 48b D1, D5, D9; the screen lost it, QA 48c): perhaps
    not about the subject (``off_subject`` 0/1, ``subject_similarity``), read in order its own reading where the note's
    context gave it another chapter (``alone_section``, ``alone_confidence``), and the section's own nearest quote where
    none of those shown is of it (``section_quote``, JSON). NULL for meta and chatter lines and for the statements
    labelled before this version: their model's reading of them was not kept."""
    _script(db, """
    ALTER TABLE statements ADD COLUMN off_subject INTEGER;
    ALTER TABLE statements ADD COLUMN subject_similarity REAL;
    ALTER TABLE statements ADD COLUMN alone_section TEXT;
    ALTER TABLE statements ADD COLUMN alone_confidence REAL;
    ALTER TABLE statements ADD COLUMN section_quote TEXT;
    """)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m1_initial, _m2_decision_context, _m3_resumable_jobs,
                                                          _m4_kinds, _m5_in_order, _m6_note_stay, _m7_note_column,
                                                          _m8_warnings, _m9_search, _m10_search_index,
                                                          _m11_undone_decisions, _m12_checks]
NOT_STATEMENT = "not_statement"  # the action of a "not a statement" decision
NOT_A_STATEMENT = "not a statement"  # its kind in the rows, the export and the overview
API_DOCUMENT = "corrections sent through the API"  # the pseudo-document of POST /api/corrections (kind 'api')
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Run the migrations the database lacks (up to ``target``), each in its own transaction; returns the version."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = db.execute("SELECT version FROM schema_version").fetchone()
    version = row[0] if row else 0
    if row is None:
        db.execute("INSERT INTO schema_version (version) VALUES (0)")
    if version > len(MIGRATIONS):
        raise RuntimeError(f"database schema version {version} is newer than this mh-nlp knows "
                           f"({len(MIGRATIONS)}); upgrade mh-nlp")
    for i in range(version, target):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[i](db)
            db.execute("UPDATE schema_version SET version = ?", (i + 1,))
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
    return max(version, target)


def _rollback(db: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already (it rolls back by itself on a full disk, and a
    second ROLLBACK would hide that error behind "no transaction is active")."""
    if db.in_transaction:
        db.execute("ROLLBACK")


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # a confirmed decision is on disk
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=30000")
    return db


class DatabaseDamaged(RuntimeError):
    """The database file fails SQLite's quick_check or is not a database (one line for the user)."""


def storage_problem(exc: BaseException, where: Path | str) -> tuple[int, str] | None:
    """(HTTP status, message in words) when ``exc`` is a full disk, a read-only data folder or a busy
    database; None for anything else."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or "disk is full" in text or "disk full" in text:
        return 507, f"the disk is full: nothing could be saved in {where}; free some space and try again"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text or "read-only" in text:
        return 503, f"the data folder {where} is read-only: nothing can be saved (check its permissions or the disk)"
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return 503, "the database is busy (locked by another program); try again in a moment"
    return None


def check_database(path: Path) -> None:
    """Refuse a damaged database with one line: SQLite's ``quick_check`` must say ok."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            rows = db.execute("PRAGMA quick_check(5)").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "unable to open" in str(exc)):
            return  # not damage: a busy or unreadable file is reported when it is opened
        rows = [(str(exc),)]
    result = "; ".join(str(r[0]) for r in rows)
    if result != "ok":
        raise DatabaseDamaged(f"{path} is damaged (SQLite quick_check: {result[:200]}); restore it from a backup, "
                              f"or move it away to start with an empty database")


# The final label of a statement row (``s``, latest decision ``dec``): a "not a statement" decision has none; else
# the decision's section, else the suggestion (meta and chatter rows have none). Its final kind: "not a statement"
# after such a decision, "statement" once an analyst gave it a section, else the kind it was read with.
FINAL_SECTION = f"(CASE WHEN dec.action = '{NOT_STATEMENT}' THEN NULL ELSE coalesce(dec.section, s.section) END)"
# The review's "to check" filter (QA 48c): rows whose chapter the note's context changed (read in order, their own
# reading is of another chapter; QA 48b D1), rows perhaps not about the subject (D5), or either.
CHECK_FILTERS = {"any": "(s.alone_section IS NOT NULL OR s.off_subject = 1)",
                 "context": "s.alone_section IS NOT NULL", "off_subject": "s.off_subject = 1"}
# statements with a suggestion labelled before the checks were kept (schema 12): the check filters cannot know them
# (QA 48c N1); counted for the review page, never a filter of its own
CHECKS_UNKNOWN = "(s.kind = 'statement' AND s.section IS NOT NULL AND s.off_subject IS NULL)"


def _checks(d: dict) -> dict:
    """A stored statement row's checks as ``classify --json`` names them: ``off_subject`` (True/False; None for a meta
    or chatter line, or a statement labelled before schema version 12), ``subject_similarity``, ``read_alone``
    (``{"section", "confidence"}`` or None) and ``section_quote`` (an evidence object or None)."""
    if "off_subject" in d:
        d["off_subject"] = None if d["off_subject"] is None else bool(d["off_subject"])
    if "alone_section" in d:
        section, confidence = d.pop("alone_section"), d.pop("alone_confidence", None)
        d["read_alone"] = None if section is None else {"section": section, "confidence": confidence}
    if "section_quote" in d:
        try:
            d["section_quote"] = json.loads(d["section_quote"]) if d["section_quote"] else None
        except ValueError:
            d["section_quote"] = None
    return d


FINAL_KIND = (f"(CASE WHEN dec.action = '{NOT_STATEMENT}' THEN '{NOT_A_STATEMENT}' "
              f"WHEN dec.section IS NOT NULL THEN 'statement' ELSE s.kind END)")


def _document(row: sqlite3.Row) -> dict:
    from ..themes.context import note_reading, notes_reading

    d = dict(row)
    stay = d.get("note_stay")
    d["note_reading"] = None if stay is None else {"brief": note_reading(stay, brief=True), "text": note_reading(stay)}
    try:
        stays = json.loads(d["note_stays"]) if d.get("note_stays") else None
    except ValueError:
        stays = None
    d["note_stays"] = stays
    try:
        d["warnings"] = json.loads(d["warnings"]) if d.get("warnings") else []
    except ValueError:
        d["warnings"] = []
    if stays and len(stays) > 1:  # a table of several notes (note_column)
        by = str(d.get("note_column"))
        d["note_reading"] = {"brief": notes_reading(stays, by, brief=True), "text": notes_reading(stays, by)}
    try:
        d["sheets"] = json.loads(d["sheets"]) if d.get("sheets") else None
    except ValueError:
        d["sheets"] = None
    return d


LOCK_NAME = "serve.lock"  # the pid of the server using the folder, for the message (the lock is on the folder)
_FOLDER_LOCKS: dict[str, int] = {}  # data folder -> the open folder that holds its lock in this process


class FolderInUse(RuntimeError):
    """Another server is using the data folder (one line for the user)."""


def lock_data_folder(data_dir: Path) -> None:
    """One server process per data folder. A second one would resume the first one's unfinished labelling as its own
    and store every statement twice, and both would write the same model versions; it is refused with
    :class:`FolderInUse` before it changes anything. The lock is ``flock`` on the folder itself (a lock file could be
    deleted, or be a folder or a link, and the next server would not see it); it goes with the process, also when it
    is killed, and a second app in the same process (tests) shares it. The pid goes to :data:`LOCK_NAME`, never
    through a link."""
    import fcntl

    key = str(Path(data_dir).resolve())
    if key in _FOLDER_LOCKS:
        return
    if not Path(data_dir).exists():  # made here, so that a folder that cannot be made is said as such (QA 43b)
        try:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FolderInUse(f"cannot make the data folder {data_dir} ({exc.strerror or exc}): choose another "
                              "folder with --data") from None
    try:
        fd = os.open(data_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise FolderInUse(f"cannot open the data folder to lock it ({exc.strerror or exc})") from None
    pid_file = Path(data_dir) / LOCK_NAME
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        other = ""
        with contextlib.suppress(OSError):
            pf = os.open(pid_file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            try:
                other = os.read(pf, 32).decode("ascii", "replace").strip()
            finally:
                os.close(pf)
        who = f" (pid {other})" if other.isdigit() else ""
        raise FolderInUse(f"another mh-nlp serve{who} is using this data folder; stop it first, or start this one "
                          f"with another --data") from None
    _FOLDER_LOCKS[key] = fd
    with contextlib.suppress(OSError):  # a read-only folder, or a link or folder by that name: no pid, still locked
        pf = os.open(pid_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
        try:
            if stat.S_ISREG(os.fstat(pf).st_mode):
                os.write(pf, str(os.getpid()).encode("ascii"))
        finally:
            os.close(pf)


class Store:
    """All reads and writes of the review screen. One connection per thread; every write commits at once."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / DB_NAME
        self._local = threading.local()
        check_database(self.path)
        if not self.path.exists() and not os.access(self.data_dir, os.W_OK | os.X_OK):
            raise RuntimeError("the data folder cannot be written, so the screen cannot make its database there; "
                               "choose another folder with --data")
        try:
            db = connect(self.path)
            try:
                migrate(db)
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            problem = storage_problem(exc, self.data_dir)
            if problem:
                raise RuntimeError(problem[1]) from None
            raise DatabaseDamaged(f"{self.path}: cannot open the database ({exc}); restore it from a backup, "
                                  f"or move it away to start with an empty database") from None

    @property
    def read_only(self) -> bool:
        """The data folder or the database file cannot be written (warned at start)."""
        return not os.access(self.data_dir, os.W_OK) or (self.path.exists() and not os.access(self.path, os.W_OK))

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.path)
            db.create_function("py_lower", 1, lambda t: t.lower() if isinstance(t, str) else t, deterministic=True)
            db.create_function("py_fold", 1, lambda t: folded(t) if isinstance(t, str) else t,
                               deterministic=True)
        return db

    def _write(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            cur = db.execute(sql, tuple(params))
            db.execute("COMMIT")
            return cur
        except BaseException:
            _rollback(db)
            raise

    # -------------------------------------------------------- settings
    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        self._write("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value))

    def forget_setting(self, key: str) -> None:
        self._write("DELETE FROM settings WHERE key = ?", (key,))

    # -------------------------------------------------------- documents
    def _remember_max_id(self, table: str) -> None:
        """Before rows of ``table`` are deleted (in the open transaction): its highest id so far, so that
        :meth:`_next_id` never gives it again."""
        self.db.execute(f"""INSERT INTO settings (key, value)
                            SELECT 'removed_max_id_{table}', coalesce(max(id), 0) FROM {table} WHERE true
                            ON CONFLICT(key) DO UPDATE SET
                            value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))""")

    @staticmethod
    def _next_id(table: str) -> str:
        """SQL for a new row's id that never reuses one of a removed document, statement or decision (SQLite would
        give the highest removed id again: a stale tab's decision would land on another statement, and a stale tab's
        undo would take back a decision made after the one it saw)."""
        return (f"(SELECT max(coalesce((SELECT max(id) FROM {table}), 0), coalesce((SELECT CAST(value AS INTEGER) "
                f"FROM settings WHERE key = 'removed_max_id_{table}'), 0)) + 1)")

    def add_document(self, name: str, kind: str, file: str | None, status: str = "labelling",
                     text_column: str | None = None, sheets: list[str] | None = None,
                     header_row: int | None = None, in_order: bool = False, note_column: str | None = None) -> int:
        cur = self._write("INSERT INTO documents (id, project_id, name, kind, file, text_column, status, created_at, "
                          f"sheets, header_row, in_order, note_column) VALUES ({self._next_id('documents')}, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (DEFAULT_PROJECT, name, kind, file, text_column, status, now(),
                           json.dumps(sheets, ensure_ascii=False) if sheets else None, header_row, int(in_order),
                           note_column))
        return int(cur.lastrowid)

    def update_document(self, doc_id: int, **fields: Any) -> None:
        allowed = {"status", "total", "done", "error", "text_column", "split", "note_stay", "note_column", "note_stays",
                   "warnings"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"cannot update {sorted(set(fields) - allowed)}")
        cols = ", ".join(f"{k} = ?" for k in fields)
        self._write(f"UPDATE documents SET {cols} WHERE id = ?", [*fields.values(), doc_id])

    def claim_document(self, doc_id: int, expected: str, status: str) -> bool:
        """Move a document from status ``expected`` to ``status`` in one write; False when it was not in
        ``expected`` (another request got there first)."""
        cur = self._write("UPDATE documents SET status = ? WHERE id = ? AND status = ?", (status, doc_id, expected))
        return cur.rowcount == 1

    def delete_document(self, doc_id: int) -> dict | None:
        """Remove a document with its statements and their decisions in one transaction (a file brought in twice,
        or by mistake); returns the removed document (its ``file`` is the caller's to delete), None when there is
        none. A document still being read or labelled is not removed: ``ValueError``."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                _rollback(db)
                return None
            if row["status"] in ("queued", "labelling"):
                raise ValueError(f"document {doc_id} is being labelled: remove it when it is done")
            for table in ("documents", "statements", "decisions"):  # their ids are never given again (_next_id)
                self._remember_max_id(table)
            for table in ("decisions", "undone_decisions"):  # its statements' record goes with them
                db.execute(f"DELETE FROM {table} WHERE statement_id IN (SELECT id FROM statements WHERE document_id = ?)",
                           (doc_id,))
            db.execute("DELETE FROM statements WHERE document_id = ?", (doc_id,))
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
        return _document(row)

    def document(self, doc_id: int) -> dict | None:
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _document(row) if row else None

    def documents(self, include_api: bool = False) -> list[dict]:
        """The documents brought in, with their counts; ``include_api``: with the pseudo-document that holds the
        corrections sent through ``POST /api/corrections`` (``kind`` ``api``), as the screen lists it (QA 46b D11)."""
        rows = self.db.execute(f"""
            SELECT d.*, (SELECT count(*) FROM statements s WHERE s.document_id = d.id) AS statements,
                   (SELECT count(*) FROM statements s LEFT JOIN decisions dec ON dec.id = {self._LATEST}
                     WHERE s.document_id = d.id AND {FINAL_KIND} != 'statement') AS other_lines,
                   (SELECT count(*) FROM statements s JOIN decisions dec ON dec.id = {self._LATEST}
                     WHERE s.document_id = d.id AND {FINAL_KIND} = 'statement') AS reviewed,
                   (SELECT count(DISTINCT x.statement_id) FROM decisions x JOIN statements s ON s.id = x.statement_id
                     WHERE s.document_id = d.id) AS decided,
                   (SELECT count(*) FROM statements s WHERE s.document_id = d.id
                     AND {CHECK_FILTERS['any']}) AS to_check
            FROM documents d {'' if include_api else "WHERE d.kind != 'api'"} ORDER BY d.id""").fetchall()
        return [_document(r) for r in rows]

    def unfinished_documents(self) -> list[dict]:
        """Documents a stopped server left ``queued`` or ``labelling``, with how many statements are stored."""
        rows = self.db.execute("""
            SELECT d.*, (SELECT count(*) FROM statements s WHERE s.document_id = d.id) AS stored
            FROM documents d WHERE d.status IN ('queued', 'labelling') AND d.kind != 'api' ORDER BY d.id""")
        return [_document(r) for r in rows.fetchall()]

    def api_document(self) -> int:
        """The pseudo-document of the corrections sent through ``POST /api/corrections`` (made at the first)."""
        found = self.api_document_id()
        return found if found is not None else self.add_document(API_DOCUMENT, "api", None, "done")

    def api_document_id(self) -> int | None:
        """The API's pseudo-document, if a correction has made it."""
        row = self.db.execute("SELECT id FROM documents WHERE kind = 'api' ORDER BY id LIMIT 1").fetchone()
        return int(row[0]) if row else None

    # -------------------------------------------------------- statements
    def add_statements(self, doc_id: int, rows: list[dict], done: int) -> None:
        """Insert a labelled batch and the document's progress in one transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT INTO statements (id, document_id, position, text, extra, section, chapter, confidence, "
                "chapter_confidence, top, entities, similar, model_version, kind, search, off_subject, "
                "subject_similarity, alone_section, alone_confidence, section_quote) "
                f"VALUES ({self._next_id('statements')},?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(doc_id, r["position"], r["text"], json.dumps(r.get("extra") or {}, ensure_ascii=False),
                  r.get("section"), r.get("chapter"), r.get("confidence"), r.get("chapter_confidence"),
                  json.dumps(r.get("top") or [], ensure_ascii=False),
                  json.dumps(r.get("entities") or [], ensure_ascii=False),
                  json.dumps(r.get("similar") or [], ensure_ascii=False), r.get("model_version"),
                  r.get("kind") or "statement", folded(r["text"]),
                  None if r.get("off_subject") is None else int(bool(r["off_subject"])), r.get("subject_similarity"),
                  (r.get("read_alone") or {}).get("section"), (r.get("read_alone") or {}).get("confidence"),
                  None if not r.get("section_quote") else json.dumps(r["section_quote"], ensure_ascii=False))
                 for r in rows])
            db.execute("UPDATE documents SET done = ? WHERE id = ?", (done, doc_id))
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise

    _LATEST = """(SELECT x.id FROM decisions x WHERE x.statement_id = s.id ORDER BY x.id DESC LIMIT 1)"""

    def statements(self, *, document: int | None = None, ids: Iterable[int] | None = None,
                   include_api: bool = False) -> list[dict]:
        """Statements with their latest decision (``final_section``: the decision, else the suggestion). Those of the
        API's pseudo-document only with ``include_api``, or when ``document`` names it."""
        where, params = [], []
        if document is not None:
            where.append("s.document_id = ?")
            params.append(document)
        if ids is not None:
            ids = list(ids)
            where.append(_in("s.id", ids))
            params += ids
        if not include_api and document is None:
            where.append("d.kind != 'api'")
        sql = f"""SELECT s.*, d.name AS document, d.kind AS document_kind, dec.section AS decided_section, dec.who AS decided_by,
                         dec.at AS decided_at, dec.action AS decision, dec.id AS decision_id,
                         {FINAL_SECTION} AS final_section,
                         {FINAL_KIND} AS final_kind
                  FROM statements s JOIN documents d ON d.id = s.document_id
                  LEFT JOIN decisions dec ON dec.id = {self._LATEST}
                  {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY s.document_id, s.id"""
        return self._rows(sql, params)

    # -------------------------------------------------------- filtered, paged, aggregated in SQL (100,000 statements)
    _FILTERED_FROM = """
        FROM statements s JOIN documents d ON d.id = s.document_id
        LEFT JOIN (SELECT statement_id, max(id) AS id FROM decisions GROUP BY statement_id) l ON l.statement_id = s.id
        LEFT JOIN decisions dec ON dec.id = l.id"""

    @staticmethod
    def _where(document: int | None = None, final_sections: Iterable[str] | None = None,
               below: float | None = None, state: str = "", q: str = "", after: tuple[int, int] | None = None,
               kinds: Iterable[str] | None = None, include_api: bool = True, check: str = "") -> tuple[str, list[Any]]:
        # the corrections sent through the API are statements of the screen too (QA 46b D11: trained on, but on no
        # page, export or undo); ``include_api=False`` leaves them out, as GET /api/statements always did
        where, params = ([] if include_api or document is not None else ["d.kind != 'api'"]), []
        if document is not None:
            where.append("s.document_id = ?")
            params.append(document)
        if final_sections is not None:
            final_sections = list(final_sections)
            where.append(_in(FINAL_SECTION, final_sections))
            params += final_sections
        if kinds is not None:  # final kinds: statement, meta, chatter, "not a statement"
            kinds = list(kinds)
            where.append(_in(FINAL_KIND, kinds))
            params += kinds
        if below is not None:
            where.append("s.section IS NOT NULL AND s.confidence < ?")  # lines without a suggestion are not uncertain
            params.append(below)
        if check:  # what the model says to check (QA 48c): CHECK_FILTERS
            where.append(CHECKS_UNKNOWN if check == "unknown" else CHECK_FILTERS[check])
        if state == "open":
            where.append("dec.id IS NULL")
        elif state == "done":
            where.append("dec.id IS NOT NULL")
        if q:  # matched without accents, case or repeated spaces (QA 43a: "coordinatie" missed "zorgcoördinatie"),
            # in the folded copy kept beside each text (a row written without it is folded here, in Python)
            where.append("instr(coalesce(s.search, py_fold(s.text)), ?) > 0")
            params.append(folded(q))
        if after is not None:  # keyset: past this (document, statement)
            where.append("(s.document_id, s.id) > (?, ?)")
            params += list(after)
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def _rows(self, sql: str, params: list[Any]) -> list[dict]:
        out = []
        for r in self.db.execute(sql, params).fetchall():
            d = dict(r)
            d.pop("search", None)  # the folded copy the search reads: not part of a statement
            for k in ("top", "entities", "similar", "extra"):
                d[k] = json.loads(d[k]) if d[k] else ([] if k != "extra" else {})
            _checks(d)
            out.append(d)
        return out

    _COLUMNS = f"""SELECT s.*, d.name AS document, d.kind AS document_kind, dec.section AS decided_section, dec.who AS decided_by,
                          dec.at AS decided_at, dec.action AS decision, dec.id AS decision_id,
                          {FINAL_SECTION} AS final_section,
                          {FINAL_KIND} AS final_kind"""

    def count_filtered(self, **filters: Any) -> int:
        where, params = self._where(**filters)
        return int(self.db.execute(f"SELECT count(*) {self._FILTERED_FROM} {where}", params).fetchone()[0])

    def page_filtered(self, limit: int, offset: int = 0, **filters: Any) -> list[dict]:
        """One page of the filtered statements (in document order), with their latest decisions."""
        where, params = self._where(**filters)
        return self._rows(f"{self._COLUMNS} {self._FILTERED_FROM} {where} ORDER BY s.document_id, s.id "
                          f"LIMIT ? OFFSET ?", [*params, int(limit), int(offset)])

    def earlier_decisions(self, rows: list[dict]) -> dict[int, dict]:
        """For each statement of ``rows`` that is not decided, the section of the latest decision on another
        statement with the same text (folded, as the search compares it), in any document, unless that decision
        is *not a statement*: ``{statement id: {"section", "who",
        "document", "document_id"}}``. A transcript brought in again, revised, or a line said twice, shows what was
        decided before, to take with one click; nothing is decided for the analyst."""
        open_rows = [r for r in rows if not r.get("decision") and r.get("kind") == "statement"]
        keys = {r["id"]: folded(r["text"]) for r in open_rows}
        if not keys:
            return {}
        texts = sorted(set(keys.values()))
        found: dict[str, list[dict]] = {}
        for r in self.db.execute(
                f"""SELECT s.id, s.search, s.document_id, d.name AS document, dec.section, dec.who
                    FROM statements s JOIN documents d ON d.id = s.document_id
                    JOIN decisions dec ON dec.id = {self._LATEST}
                    WHERE s.search IN ({','.join('?' * len(texts))}) ORDER BY dec.id""", texts):
            found.setdefault(r["search"], []).append(dict(r))
        out = {}
        for sid, key in keys.items():
            others = [e for e in found.get(key, []) if e["id"] != sid]
            if others and others[-1]["section"]:  # the latest verdict on the text; "not a statement" offers nothing
                latest = others[-1]
                out[sid] = {k: latest[k] for k in ("section", "who", "document", "document_id")}
        return out

    def iter_filtered(self, chunk: int = 1000, **filters: Any):
        """All filtered statements in document order, ``chunk`` at a time (keyset pagination: memory stays flat)."""
        after = None
        while True:
            where, params = self._where(after=after, **filters)
            rows = self._rows(f"{self._COLUMNS} {self._FILTERED_FROM} {where} ORDER BY s.document_id, s.id LIMIT ?",
                              [*params, int(chunk)])
            if not rows:
                return
            yield from rows
            after = (rows[-1]["document_id"], rows[-1]["id"])

    def extra_keys(self, **filters: Any) -> list[str]:
        """The extra field names of the filtered statements, in order of first appearance."""
        where, params = self._where(**filters)
        rows = self.db.execute(f"SELECT j.key, min(s.id) AS first {self._FILTERED_FROM}, json_each(s.extra) j {where} "
                               f"GROUP BY j.key ORDER BY first, j.key", params).fetchall()
        return [r[0] for r in rows]

    def final_counts(self, document: int | None = None) -> tuple[dict[str, int], dict[str, int], int, int]:
        """Statements and reviewed statements per final section, and both totals (statements only: rows whose
        final kind is meta, chatter or not a statement are counted by :meth:`kind_counts`)."""
        where, params = self._where(document=document, kinds=["statement"])
        per, reviewed, total, done = {}, {}, 0, 0
        for final, n, r in self.db.execute(f"SELECT {FINAL_SECTION}, count(*), count(dec.id) "
                                           f"{self._FILTERED_FROM} {where} GROUP BY 1", params):
            total += n
            done += r
            if final:
                per[final], reviewed[final] = n, r
        return per, reviewed, total, done

    def kind_counts(self, document: int | None = None) -> dict[str, int]:
        """Rows per final kind (``statement``, ``meta``, ``chatter``, ``not a statement``)."""
        where, params = self._where(document=document)
        return {k: int(n) for k, n in self.db.execute(f"SELECT {FINAL_KIND}, count(*) {self._FILTERED_FROM} {where} "
                                                      f"GROUP BY 1", params)}

    def statement_sources(self, ids: Iterable[int]) -> dict[int, dict]:
        """The document of each statement still there (``document_id``, ``document``, ``document_kind``); a statement
        of a removed document is left out (QA 46b D8: a model's evidence names reviewed statements by id)."""
        out: dict[int, dict] = {}
        for part in _id_parts(ids):
            for r in self.db.execute(
                    f"SELECT s.id, d.id, d.name, d.kind FROM statements s JOIN documents d ON d.id = s.document_id "
                    f"WHERE {_in('s.id', part)}", part):
                out[int(r[0])] = {"document_id": int(r[1]), "document": r[2], "document_kind": r[3]}
        return out

    def statement(self, statement_id: int) -> dict | None:
        rows = self.statements(ids=[statement_id], include_api=True)
        return rows[0] if rows else None

    # -------------------------------------------------------- decisions
    def _statement_and_latest(self, statement_id: int, columns: str) -> tuple[sqlite3.Row, sqlite3.Row | None]:
        """The statement's ``columns`` and its latest decision (None: none), in the open transaction; ``KeyError``
        when there is no such statement."""
        st = self.db.execute(f"SELECT {columns} FROM statements WHERE id = ?", (statement_id,)).fetchone()
        if st is None:
            raise KeyError(statement_id)
        return st, self.db.execute("SELECT id, section, who, at, action FROM decisions WHERE statement_id = ? "
                                   "ORDER BY id DESC LIMIT 1", (statement_id,)).fetchone()

    def decide(self, statement_id: int, section: str | None, who: str, model_version: int | None = None,
               seen: int | None | object = ...) -> dict:
        """Record a decision (committed before returning). Accept = the section the model suggested; no section
        (``None``) = *not a statement*: the row keeps no section and is never trained on. ``seen``: the id of the
        decision the analyst saw on the row (``None``: none); when another decision has been made since (another
        tab, another analyst), the new one still counts (it is the latest) and the answer says which one it
        replaced (``replaced``), so that the screen can say so. When the latest decision is already this one, by the
        same analyst (a key pressed twice, a double click), it is answered as it is and not made again: one undo
        then takes it back."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")  # the latest decision, read and superseded as one step
        try:
            st, latest = self._statement_and_latest(statement_id, "section, model_version")
            if latest is not None and latest["section"] == section and latest["who"] == who and \
                    (latest["action"] == NOT_STATEMENT) == (section is None):  # made already (a press sent twice)
                db.execute("COMMIT")
                return {**dict(latest), "statement_id": statement_id,
                        "kind": NOT_A_STATEMENT if section is None else "statement"}
            action = NOT_STATEMENT if section is None else "accept" if st["section"] == section else "correct"
            at = now()
            did = db.execute("INSERT INTO decisions (id, statement_id, section, who, at, model_version, action) "
                             f"VALUES ({self._next_id('decisions')}, ?, ?, ?, ?, ?, ?)",
                             (statement_id, section, who, at,
                              st["model_version"] if model_version is None else model_version, action)).lastrowid
            db.execute("COMMIT")
        except sqlite3.IntegrityError:  # its document was removed a moment ago
            _rollback(db)
            raise KeyError(statement_id) from None
        except BaseException:
            _rollback(db)
            raise
        out = {"id": int(did), "statement_id": statement_id, "section": section, "who": who, "at": at,
               "action": action, "kind": NOT_A_STATEMENT if section is None else "statement"}
        if seen is not ... and latest is not None and latest["id"] != seen:
            out["replaced"] = dict(latest)
        return out

    def undecide(self, statement_id: int, seen: int | None = None, who: str = "analyst") -> dict:
        """Undo a statement's latest decision (one made by mistake): the decision before it, if any, counts again,
        else the statement is back to *not reviewed* (its suggestion stays). The undone decision is kept in
        ``undone_decisions`` with ``who`` undid it and when (QA 46b D14); it counts nowhere any more. Returns how many
        decisions were undone (0 or 1), the undone one (``undone_decision``, None for none) and the decision that now
        counts (``None``: not reviewed). ``KeyError`` when there is no such statement. ``seen``: the id of the decision
        to undo, as the analyst saw it; when the latest is another one (decided again meanwhile, in another tab),
        nothing is undone: ``ValueError`` names who decided it."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")  # the latest decision, read and moved as one step
        try:
            st, latest = self._statement_and_latest(statement_id, "kind")
            if seen is not None and (latest is None or latest["id"] != seen):
                owner = db.execute("SELECT statement_id FROM decisions WHERE id = ?", (seen,)).fetchone()
                gone = db.execute("SELECT statement_id, undone_by, undone_at FROM undone_decisions WHERE id = ?",
                                  (seen,)).fetchone()
                if (owner or gone) is not None and (owner or gone)[0] != statement_id:  # a mix-up of the client's
                    raise LookupError(f"decision {seen} is not a decision on statement {statement_id}")
                if owner is None and gone is None and \
                        seen >= db.execute(f"SELECT {self._next_id('decisions')}").fetchone()[0]:
                    raise LookupError(f"there is no decision {seen}: no decision has had that id")
                if owner is None:  # undone meanwhile (kept since version 11: who undid it, and when)
                    said = "this decision was undone meanwhile" + (f" by {gone['undone_by']} ({gone['undone_at']})"
                                                                   if gone is not None else "")
                    if latest is not None and latest["id"] > seen:
                        said += (f"; the row was decided again by {latest['who']} "
                                 f"({'not a statement' if latest['section'] is None else latest['section']})")
                    raise ValueError(said + ": reload the page to see it")
                raise ValueError("this row was decided again meanwhile" + (
                    "" if latest is None else
                    f" by {latest['who']} ({'not a statement' if latest['section'] is None else latest['section']})")
                                 + ": reload the page to see it")
            undone, kept = 0, None
            if latest is not None:
                self._remember_max_id("decisions")  # its id is never given to another decision
                undone_at = now()
                db.execute("INSERT INTO undone_decisions (id, statement_id, section, who, at, model_version, action, "
                           "undone_by, undone_at) SELECT id, statement_id, section, who, at, model_version, action, "
                           "?, ? FROM decisions WHERE id = ?", (who, undone_at, latest["id"]))
                undone = db.execute("DELETE FROM decisions WHERE id = ?", (latest["id"],)).rowcount
                kept = {**dict(latest), "undone_by": who, "undone_at": undone_at}
            now_counts = db.execute("SELECT id, statement_id, section, who, at, action FROM decisions "
                                    "WHERE statement_id = ? ORDER BY id DESC LIMIT 1", (statement_id,)).fetchone()
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
        decision = None if now_counts is None else {
            **dict(now_counts), "kind": NOT_A_STATEMENT if now_counts["section"] is None else "statement"}
        return {"statement_id": statement_id, "undone": undone, "kind": st["kind"], "decision": decision,
                "undone_decision": kept}

    def undone_decisions(self, statement_ids: Iterable[int] | None = None) -> list[dict]:
        """The undone decisions (of ``statement_ids``, else all), oldest undo first, with their statement's text and
        document: the trace an undo leaves (QA 46b D14)."""
        sql = ("SELECT u.undo, u.id, u.statement_id, u.section, u.action, u.who, u.at, u.model_version, u.undone_by, "
               "u.undone_at, s.text, s.document_id, d.name AS document FROM undone_decisions u "
               "JOIN statements s ON s.id = u.statement_id JOIN documents d ON d.id = s.document_id")
        if statement_ids is None:
            return [{k: r[k] for k in r.keys() if k != "undo"} for r in self.db.execute(sql + " ORDER BY u.undo")]
        out: list[dict] = []
        for part in _id_parts(statement_ids):
            out += [dict(r) for r in self.db.execute(f"{sql} WHERE {_in('u.statement_id', part)}", part)]
        return sorted(out, key=lambda r: r.pop("undo"))

    def add_correction(self, text: str, section: str, who: str) -> dict:
        """A correction sent without a document (``POST /api/corrections``): a statement of the API document. The
        same text sent again is a new decision on the statement it made before (the latest counts), not a second
        statement that would count twice in training and in the scores."""
        doc = self.api_document()
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            key = normal_form(text)  # as train --add compares statements: case, accents, punctuation, spaces
            row = next((r for r in db.execute("SELECT id, text FROM statements WHERE document_id = ? ORDER BY id",
                                              (doc,)) if normal_form(r[1]) == key), None)
            if row is not None:
                sid = row[0]
            else:
                pos = db.execute("SELECT coalesce(max(position), 0) + 1 FROM statements WHERE document_id = ?",
                                 (doc,)).fetchone()[0]
                sid = db.execute(f"INSERT INTO statements (id, document_id, position, text, search) "
                                 f"VALUES ({self._next_id('statements')}, ?, ?, ?, ?)",
                                 (doc, pos, text, folded(text))).lastrowid
            at = now()
            did = db.execute("INSERT INTO decisions (id, statement_id, section, who, at, action) "
                             f"VALUES ({self._next_id('decisions')}, ?, ?, ?, ?, 'correct')",
                             (sid, section, who, at)).lastrowid
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
        return {"id": int(did), "statement_id": int(sid), "text": text, "section": section, "who": who, "at": at,
                "action": "correct"}

    def reviewed(self) -> list[dict]:
        """Every statement with a decision (its latest) that gives it a section: what the model learns from and is
        measured on. A statement whose latest decision is *not a statement* is left out."""
        rows = self.db.execute(f"""
            SELECT s.id AS statement_id, s.text, s.extra, s.section AS suggested, dec.section, dec.action, dec.who,
                   dec.at, d.name AS document, d.kind AS document_kind
            FROM statements s JOIN documents d ON d.id = s.document_id
            JOIN decisions dec ON dec.id = {self._LATEST}
            WHERE dec.action != '{NOT_STATEMENT}' AND dec.section IS NOT NULL ORDER BY dec.id""").fetchall()
        return [{**dict(r), "extra": json.loads(r["extra"]) if r["extra"] else {}} for r in rows]

    def decision_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM decisions").fetchone()[0])

    # -------------------------------------------------------- model versions
    def add_model_version(self, path: str, metadata: dict, corrections: int, version: int | None = None) -> int:
        cur = self._write("INSERT INTO model_versions (version, path, created_at, corrections, metadata) VALUES (?,?,?,?,?)",
                          (version, path, now(), corrections, json.dumps(metadata, ensure_ascii=False)))
        return int(cur.lastrowid)

    def set_model_metadata(self, version: int, metadata: dict) -> None:
        """Replace a model version's recorded metadata (QA 49a D6: the record of a version whose file was replaced
        on disk says so, and by which version)."""
        self._write("UPDATE model_versions SET metadata = ? WHERE version = ?",
                    (json.dumps(metadata, ensure_ascii=False), version))

    def next_model_version(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(version), 0) + 1 FROM model_versions").fetchone()[0])

    def set_evaluation(self, version: int, evaluation: dict) -> None:
        self._write("UPDATE model_versions SET evaluation = ? WHERE version = ?",
                    (json.dumps(evaluation, ensure_ascii=False), version))

    def model_versions(self) -> list[dict]:
        """Every model version's record; ``removed``: how many of the reviewed statements it learnt from have gone
        with a removed document since (known for versions trained on the screen since 2026-12-06)."""
        out = []
        for r in self.db.execute("SELECT * FROM model_versions ORDER BY version").fetchall():
            d = dict(r)
            d["metadata"] = json.loads(d["metadata"] or "{}")
            d["evaluation"] = json.loads(d["evaluation"]) if d["evaluation"] else None
            learnt = (d["evaluation"] or {}).get("statements") if isinstance(d["evaluation"], dict) else None
            if learnt:  # looked up by primary key: every page shows the model in use, so no scan of all statements
                d["removed"] = int(self.db.execute(
                    "SELECT count(*) FROM json_each(?) j LEFT JOIN statements s ON s.id = j.value WHERE s.id IS NULL",
                    (json.dumps(learnt),)).fetchone()[0])
            out.append(d)
        return out

    def model_version(self, version: int) -> dict | None:
        return next((m for m in self.model_versions() if m["version"] == version), None)
