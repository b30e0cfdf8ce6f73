"""The embedding cache holds a key (SHA-256 of the text) and a vector of every statement embedded, by every command and
by the review screen: it is made for this user alone, whatever the umask (QA 49b D3: 0644 files in a 0755 folder let
another account of the machine confirm a guessed statement and read its embedding)."""
from __future__ import annotations

import os
import sqlite3
import stat
import sys
from pathlib import Path

import numpy as np
import pytest

from mh_nlp.themes import embeddings
from mh_nlp.themes.embeddings import EmbeddingCache


def cache_files(path: Path) -> list[Path]:
    """The database and SQLite's -wal and -shm files beside it."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    before = os.umask(0o022)  # the usual umask of a command: files 0644, folders 0755
    try:
        yield
    finally:
        os.umask(before)


@pytest.fixture
def said(monkeypatch) -> list[str]:
    warnings: list[str] = []
    monkeypatch.setattr(embeddings, "WARN", warnings.append)
    monkeypatch.setattr(embeddings, "_SAID", set())
    return warnings


def vector(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(embeddings.DIM).astype(np.float32)


def loose_cache(folder: Path) -> Path:
    """A cache in ``folder`` holding one vector, its files (the -wal and -shm too) 0644: as a cache made before the
    fix, or another user's. Returns the database's path."""
    folder.mkdir(exist_ok=True)
    path = folder / "embeddings-e5.sqlite"
    EmbeddingCache(path).put({"a" * 64: vector(1)})
    for p in cache_files(path):
        p.chmod(0o644)
    return path


def test_a_new_cache_and_its_wal_files_are_for_this_user_alone_whatever_the_umask(tmp_path, umask_022, said):
    path = tmp_path / "nieuw" / "cache" / "embeddings-e5.sqlite"
    cache = EmbeddingCache(path)
    cache.put({"a" * 64: vector(1)})
    assert [p.name for p in cache_files(path) if p.exists()] == [
        "embeddings-e5.sqlite", "embeddings-e5.sqlite-wal", "embeddings-e5.sqlite-shm"]  # (WAL: written, open)
    assert {p.name: oct(mode(p)) for p in cache_files(path)} == {p.name: "0o600" for p in cache_files(path)}
    assert oct(mode(path.parent)) == "0o700" and oct(mode(path.parent.parent)) == "0o755"  # (a parent: as the umask)
    assert said == []


def test_the_lemma_tables_file_makes_the_cache_folder_private_too(tmp_path, umask_022, monkeypatch):
    from spacy.lookups import Table

    from mh_nlp.nlp import lookups

    table = Table(name=lookups.TABLE)
    table["huizen"] = "huis"
    path = tmp_path / "cache" / "lemma_lookup-nl.npz"
    lookups._write(path, table)
    assert oct(mode(path.parent)) == "0o700" and oct(mode(path)) == "0o600"


def test_an_existing_cache_of_this_user_that_others_can_read_is_tightened_when_opened(tmp_path, umask_022, said):
    """The QA's cache: 0644 files (the -wal and -shm too) in a 0755 folder, made by `classify` before this fix."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o755)
    path = folder / "embeddings-e5.sqlite"
    first = EmbeddingCache(path)
    first.put({"a" * 64: vector(1)})
    for p in (folder, *cache_files(path)):
        p.chmod(0o755 if p == folder else 0o644)
    cache = EmbeddingCache(path)
    assert {p.name: oct(mode(p)) for p in (folder, *cache_files(path))} == {
        "cache": "0o700", **{p.name: "0o600" for p in cache_files(path)}}
    assert set(cache.get(["a" * 64])) == {"a" * 64} and said == []
    path.chmod(0o444)  # a cache made read-only on purpose stays read-only: only the others' permissions go
    assert oct(mode(EmbeddingCache(path).path)) == "0o400"


def test_a_cache_others_can_read_that_is_not_this_users_is_said_once_and_gets_no_new_statement(tmp_path, said,
                                                                                              monkeypatch):
    """Another user's cache (the group's, $MH_NLP_CACHE pointing at it) cannot be made private by this user: one
    warning says so, and what is embedded now is not written into it (it is read as a read-only cache)."""
    folder = tmp_path / "gedeeld"
    path = loose_cache(folder)
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 4242)  # as another user sees it: not theirs
    cache = EmbeddingCache(path)
    again = EmbeddingCache(path)
    assert said == [f"the embedding cache {path}, {path}-wal, {path}-shm can be read by other users of this machine "
                    "and is not yours to make private (chmod go-rwx): the statements embedded now are not kept in it; "
                    "set MH_NLP_CACHE to a folder of your own"]
    assert cache.read_only and again.read_only and set(cache.get(["a" * 64])) == {"a" * 64}
    cache.put({"b" * 64: vector(2)})
    monkeypatch.undo()
    with sqlite3.connect(path) as db:
        assert [k for (k,) in db.execute("SELECT key FROM vectors")] == ["a" * 64]
    assert oct(mode(path)) == "0o644"  # not changed


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="a file of another user is made with chown, which takes root")
def test_serve_says_at_start_that_the_cache_is_not_private(tmp_path, monkeypatch):
    """`mh-nlp serve` writes every uploaded statement into the cache: it says so at start, before the address."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.app.test_security import Server

    folder = tmp_path / "gedeeld"
    path = loose_cache(folder)
    for p in cache_files(path):
        os.chown(p, 65534, 65534)  # nobody's
    monkeypatch.setenv("MH_NLP_CACHE", str(folder))
    server = Server(tmp_path / "data")
    try:
        start = "".join(server.output)
    finally:
        server.stop()
    assert f"mh-nlp: warning: the embedding cache {path}" in start and "set MH_NLP_CACHE to a folder of your own" in start
    assert start.index("warning: the embedding cache") < start.index("http://127.0.0.1:")


def test_a_folder_that_holds_other_files_keeps_its_permissions(tmp_path, umask_022, said):
    """QA 49c N4: $MH_NLP_CACHE naming a team's folder (2775, with a report in it) made it 0700 without a word,
    cutting the group off from its own files. Only the cache's files are made private there."""
    folder = tmp_path / "team"
    folder.mkdir()
    folder.chmod(0o2775)
    (folder / "report.docx").write_bytes(b"x")
    path = folder / "embeddings-e5.sqlite"
    EmbeddingCache(path).put({"a" * 64: vector(1)})
    assert oct(mode(folder)) == "0o2775"
    assert all(oct(mode(p)) == "0o600" for p in cache_files(path) if p.exists())
    assert said == []


def test_the_users_own_cache_that_cannot_be_tightened_is_not_called_someone_elses(tmp_path, said, monkeypatch):
    """QA 49c N5: on a read-only file system the user's own 0644 cache was said to be "not yours to make private"."""
    folder = tmp_path / "ro"
    path = loose_cache(folder)

    def refuse(*_args, **_kw):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "chmod", refuse)
    assert not embeddings.make_private(path)
    assert len(said) == 1 and "cannot be made private (chmod go-rwx failed: a read-only file system?)" in said[0]
    assert "not yours" not in said[0]
