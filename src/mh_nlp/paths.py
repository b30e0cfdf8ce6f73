"""Where the project's files live: data (``data/`` at the repository root, or ``$MH_NLP_DATA``), models
(``models/`` or ``$MH_NLP_MODELS``) and the per-user cache (``$MH_NLP_CACHE`` or ``~/.cache/mh-nlp``)."""
from __future__ import annotations

import os
from pathlib import Path
from .exceptions import DataNotFound  # noqa: F401 - defined with every mh-nlp error

REPO_ROOT = Path(__file__).resolve().parents[2]


def shown(path: str | os.PathLike) -> str:
    """A path as text that any output can hold: a file name whose bytes are not UTF-8 (from a zip made on Windows,
    say), which Python keeps as lone surrogates that no file, table or terminal can take, is read as Windows-1252
    instead (``verslag\\xe9.md`` -> ``verslagé.md``)."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("cp1252", errors="replace")


def data_dir() -> Path:
    """The data directory: ``$MH_NLP_DATA`` if set, else ``<repo>/data``."""
    env = os.environ.get("MH_NLP_DATA")
    return Path(env) if env else REPO_ROOT / "data"


def data_file(*parts: str) -> Path:
    """Path of a file under the data directory; raises :class:`DataNotFound` if it is missing."""
    path = data_dir().joinpath(*parts)
    if not path.exists():
        raise DataNotFound(f"data file not found: {path} (set MH_NLP_DATA to the project's data/ folder)")
    return path


def models_dir() -> Path:
    """The models directory: ``$MH_NLP_MODELS`` if set, else ``<repo>/models``."""
    env = os.environ.get("MH_NLP_MODELS")
    return Path(env) if env else REPO_ROOT / "models"


def cache_dir() -> Path:
    """The per-user cache (embeddings, the lemma table): ``$MH_NLP_CACHE``, else ``$XDG_CACHE_HOME/mh-nlp``, else
    ``~/.cache/mh-nlp``. Everything in it can be deleted; it is rebuilt when needed."""
    env = os.environ.get("MH_NLP_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mh-nlp"
