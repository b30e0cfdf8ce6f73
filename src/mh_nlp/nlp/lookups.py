"""The lookup lemmatizer's table (``spacy-lookups-data``), kept in the per-user cache as plain arrays.

spaCy builds the Dutch table (213,000 words) from a gzipped JSON file, hashing every word and filling a Bloom
filter one entry at a time: about 0.6 s at every start of a pipeline, most of a one-statement command. The
table that build gives is saved once as an ``.npz`` of three arrays (the hashed words, the lemmas as one
NUL-separated UTF-8 block, the Bloom filter's bytes) and read back in about 0.1 s. The file is read with
``allow_pickle=False``, so it cannot run code; its name holds the versions of spaCy and spacy-lookups-data,
so an upgrade builds a new one; an unreadable or inconsistent file is rebuilt, a cache that cannot be written
is done without. The table read back is equal to the one spaCy builds (a test compares them).

The pipeline asks for it in spaCy's way: the lemmatizer's ``[initialize]`` setting ``lookups`` names the
registered function ``mh_nlp.LemmaLookups.v1``.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
from preshed.bloom import BloomFilter

from .spacy_import import import_spacy

import_spacy()  # without spaCy's command line: a faster start
from spacy.lookups import Lookups, Table, load_lookups  # noqa: E402
from spacy.util import registry  # noqa: E402

from ..paths import cache_dir, private_folder

__all__ = ["LOOKUPS_NAME", "TABLE", "lemma_lookups", "cache_path", "package_version"]

LOOKUPS_NAME = "mh_nlp.LemmaLookups.v1"
TABLE = "lemma_lookup"  # the one table the lookup lemmatizer needs
FORMAT = 1
_SEP = "\x00"


def package_version(pkg: str) -> str:
    """The installed version of a distribution, or ``"not installed"``."""
    import importlib.metadata as md

    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return "not installed"


def cache_path(lang: str = "nl") -> Path:
    """The cache file of ``lang``'s table for the installed spaCy and spacy-lookups-data."""
    return cache_dir() / f"{TABLE}-{lang}-spacy{package_version('spacy')}-data{package_version('spacy-lookups-data')}-v{FORMAT}.npz"


def _read(path: Path) -> Table | None:
    """The table saved at ``path``, or None when it is missing, unreadable or inconsistent."""
    try:
        with np.load(path, allow_pickle=False) as z:
            keys, values, bloom = z["keys"], z["values"], z["bloom"]
        words = values.tobytes().decode("utf-8").split(_SEP) if len(values) else []
    except (OSError, ValueError, KeyError, UnicodeDecodeError, EOFError, zipfile.BadZipFile):
        return None
    if keys.dtype != np.uint64 or keys.ndim != 1 or len(words) != len(keys) or bloom.dtype != np.uint8:
        return None
    table = Table(name=TABLE)
    put = OrderedDict.__setitem__  # the keys are hashed already and the Bloom filter comes whole
    for key, word in zip(keys.tolist(), words):
        put(table, key, word)
    try:
        table.bloom = BloomFilter().from_bytes(bloom.tobytes())
    except Exception:  # noqa: BLE001 - damaged filter bytes: rebuild the file
        return None
    return table


def _write(path: Path, table: Table) -> None:
    """Save ``table`` at ``path`` atomically; a cache that cannot be written is skipped silently."""
    words = list(table.values())
    if not all(isinstance(w, str) and _SEP not in w for w in words):
        return  # not a plain word -> lemma table: leave it to spaCy
    try:
        private_folder(path.parent)  # the cache's folder, for this user alone (the file: mkstemp's 0600)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=np.fromiter(table.keys(), dtype=np.uint64, count=len(table)),
                         values=np.frombuffer(_SEP.join(words).encode("utf-8"), dtype=np.uint8),
                         bloom=np.frombuffer(table.bloom.to_bytes(), dtype=np.uint8))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass


def lemma_lookups(lang: str = "nl") -> Lookups:
    """The lookups the lookup lemmatizer of ``lang`` needs: from the cache, else built by spaCy (and cached)."""
    path = cache_path(lang)
    table = _read(path) if path.exists() else None
    if table is None:
        lookups = load_lookups(lang=lang, tables=[TABLE])
        _write(path, lookups.get_table(TABLE))
        return lookups
    lookups = Lookups()
    lookups.set_table(TABLE, table)
    return lookups


@registry.misc(LOOKUPS_NAME)
def create_lemma_lookups(lang: str = "nl") -> Lookups:
    """Registered for the lemmatizer's ``[initialize.components.lemmatizer] lookups`` setting."""
    return lemma_lookups(lang)
