"""Where the project's files live: data (``$MH_NLP_DATA``, else ``data/`` at the repository root in a checkout,
else the copy a ``pip install`` puts in ``<prefix>/share/mh-nlp/data``), models (``$MH_NLP_MODELS``, else
``models/`` in a checkout, else ``$XDG_DATA_HOME/mh-nlp/models`` or ``~/.local/share/mh-nlp/models``) and the
per-user cache (``$MH_NLP_CACHE`` or ``~/.cache/mh-nlp``)."""
from __future__ import annotations

import os
import stat
import sysconfig
from pathlib import Path
from .exceptions import DataNotFound  # noqa: F401 - defined with every mh-nlp error

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALLED_DATA = Path("share") / "mh-nlp" / "data"  # under an installation's data prefix (pyproject: data-files)


def in_checkout() -> bool:
    """True when the package runs from the project's repository (``make setup``, ``pip install -e``), False when
    it was installed from a wheel or with ``pip install <path>`` (then ``REPO_ROOT`` is no repository)."""
    return (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "src" / "mh_nlp").is_dir()


def installed_data_dir() -> Path | None:
    """The data folder a ``pip install`` placed beside the package (the environment's, else the user's), or None."""
    schemes = [None, f"{os.name}_user"]
    for scheme in schemes:
        try:
            base = sysconfig.get_path("data", scheme) if scheme else sysconfig.get_path("data")
        except KeyError:  # no such scheme on this platform
            continue
        if base and (Path(base) / INSTALLED_DATA / "sections.json").is_file():
            return Path(base) / INSTALLED_DATA
    return None


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
    """The data directory: ``$MH_NLP_DATA`` if set, else ``<repo>/data`` in a checkout, else the installed copy
    (:func:`installed_data_dir`)."""
    env = os.environ.get("MH_NLP_DATA")
    if env:
        return Path(env)
    if not in_checkout() and (installed := installed_data_dir()) is not None:
        return installed
    return REPO_ROOT / "data"


def data_file(*parts: str) -> Path:
    """Path of a file under the data directory; raises :class:`DataNotFound` if it is missing."""
    path = data_dir().joinpath(*parts)
    if not path.exists():
        raise DataNotFound(f"data file not found: {path} (set MH_NLP_DATA to the project's data/ folder, or "
                           f"reinstall mh-nlp: its package brings a copy)")
    return path


def shown_data_file(*parts: str) -> str:
    """A data file's path as messages name it: ``data/sections.json`` in a checkout's own data folder, else the
    whole path (the folder ``$MH_NLP_DATA`` names, or the installed copy), so that the file meant is the one opened."""
    folder = data_dir()
    if folder == REPO_ROOT / "data":
        return "/".join(("data", *parts))
    return shown(folder.joinpath(*parts))


def models_dir() -> Path:
    """The models directory: ``$MH_NLP_MODELS`` if set, else ``<repo>/models`` in a checkout, else the user's
    ``$XDG_DATA_HOME/mh-nlp/models`` (``~/.local/share/mh-nlp/models``), where ``mh-nlp train`` puts the model of
    an installed package (an installation's own folders are often not the user's to write)."""
    env = os.environ.get("MH_NLP_MODELS")
    if env:
        return Path(env)
    if in_checkout():
        return REPO_ROOT / "models"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mh-nlp" / "models"


def cache_dir() -> Path:
    """The per-user cache (embeddings, the lemma table): ``$MH_NLP_CACHE``, else ``$XDG_CACHE_HOME/mh-nlp``, else
    ``~/.cache/mh-nlp``. Everything in it can be deleted; it is rebuilt when needed. The embedding cache holds a key
    and a vector of every statement embedded, so the folder is made for this user alone (:func:`private_folder`) and
    so are its files (:func:`private_file`)."""
    env = os.environ.get("MH_NLP_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mh-nlp"


def _shared_on_purpose(folder: Path, st: os.stat_result) -> bool:
    """A folder whose permissions are not the cache's to change: one with the sticky bit (``/tmp``), or the home
    folder ($MH_NLP_CACHE may name either)."""
    if st.st_mode & stat.S_ISVTX:
        return True
    try:
        return folder.resolve() == Path.home().resolve()
    except (RuntimeError, OSError):  # no home folder known
        return False


# the names of what the cache keeps in its folder: the embeddings (and a damaged one moved aside, SQLite's -wal and
# -shm), the lemma table and its temporary file while it is written
CACHE_NAMES = ("embeddings-", "lemma_lookup-", ".lemma_lookup-")


def _cache_only(folder: Path) -> bool:
    """True when ``folder`` holds nothing but the cache's own files (:data:`CACHE_NAMES`)."""
    try:
        return all(name.startswith(CACHE_NAMES) for name in os.listdir(folder))
    except OSError:
        return False


def private_folder(folder: Path) -> None:
    """Make ``folder`` (its parents as the umask says) for this user alone: a new one 0700 whatever the umask, and an
    existing one of this user's that others may enter and that holds nothing but the cache's files is tightened to
    that (QA 49b D3: the embedding cache's folder was 0755). A folder that holds other files too ($MH_NLP_CACHE naming
    a team's folder: QA 49c N4) or is shared on purpose (:func:`_shared_on_purpose`) keeps its permissions: the cache's
    files in it are private. OSError when it cannot be made, as ``mkdir``."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        st = folder.stat()
    except OSError:
        return
    if st.st_mode & 0o077 and st.st_uid == os.geteuid() and not _shared_on_purpose(folder, st) \
            and _cache_only(folder):
        try:
            os.chmod(folder, stat.S_IMODE(st.st_mode) & 0o700)
        except OSError:  # (a read-only file system: the files' own permissions still hold)
            pass


def private_file(path: Path) -> bool:
    """Make the file ``path`` (if it is there) readable and writable by this user alone: the group's and others'
    permissions taken away when it is this user's (its owner's stay: a read-only cache stays read-only). False when
    others may read or write it and it cannot be made private (another user's file), else True."""
    try:
        st = path.stat()
    except OSError:  # not there (or not to be seen): nothing of it to protect here
        return True
    if not st.st_mode & 0o077:
        return True
    if st.st_uid != os.geteuid():
        return False
    try:
        os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o077)
    except OSError:
        return False
    return True


def new_private_file(path: Path) -> None:
    """Create ``path`` empty for this user alone (0600 whatever the umask) when it is not there, so that whatever
    writes it next (SQLite, which gives its -wal and -shm files the database file's permissions) keeps it private."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
