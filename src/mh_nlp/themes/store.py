"""Saving and loading trained models in a format whose loading cannot run code.

A model is ``<name>.npz`` — numeric arrays plus one JSON document (the fitted state: parameters, section
numbers, vocabulary, the evidence quotes) — read with ``numpy.load(allow_pickle=False)``, which refuses
object arrays and pickled data. Beside it, ``<name>.json`` records the SHA-256 of the ``.npz`` and the
training metadata; a model is used only when the two agree. Pickle-based models (``.joblib``, the format
of mh-nlp 0.2) are refused: loading a pickle runs whatever code its maker put in it.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import zipfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .. import __version__
from ..paths import models_dir
from ..exceptions import ModelError  # noqa: F401 - defined with every mh-nlp error

MODEL_NAME = "theme-model"
MODEL_SUFFIX = ".npz"
FORMAT = 1  # version of the array/JSON layout
STATE_KEY = "__state_json__"
MAX_ARRAY_BYTES = 1 << 30  # what a model's arrays may unpack to (the default model's: about 20 MB)
MAX_MEMBERS = 1_000  # arrays in one model file


def default_model_path() -> Path:
    return models_dir() / f"{MODEL_NAME}{MODEL_SUFFIX}"


def fast_model_path() -> Path:
    """Where ``mh-nlp train --fast`` writes the fast route's model unless told otherwise (``make fast`` too)."""
    return models_dir() / f"{MODEL_NAME}-fast{MODEL_SUFFIX}"


def model_metadata_or_none(path: Path) -> dict | None:
    """The metadata beside a model file when it is a model's metadata (a JSON object naming this file), else None:
    a ``<name>.json`` that is something else (a user's own file) must not be taken for it, or written over."""
    mpath = metadata_path(Path(path))
    try:
        meta = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or "format" not in meta:
        return None
    # a kept previous model (previous_path) renamed back to the name it had is that model's metadata too
    if Path(path).name in (meta.get("model_file"), meta.get("previous_of")):
        return meta
    # QA 55 #4: a model copied under another name (both files renamed) is described by its metadata all the same:
    # the checksum it records is the file's
    try:
        same = isinstance(meta.get("model_sha256"), str) and meta["model_sha256"] == sha256_file(Path(path))
    except OSError:
        same = False
    return meta if same else None


PREVIOUS = ".previous"  # mine.npz replaced by `train --force` is kept as mine.previous.npz (+ .json), one generation


def previous_path(model_path: Path) -> Path:
    """Where the model that ``train --force`` replaces at ``model_path`` is kept: ``NAME.previous.npz``."""
    model_path = Path(model_path)
    return model_path.with_name(f"{model_path.stem}{PREVIOUS}{model_path.suffix}")


def metadata_path(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".json")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    import scipy
    import sklearn

    return {"mh_nlp": __version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "scipy": scipy.__version__, "python": platform.python_version()}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _refuse_pickle(path: Path) -> None:
    if path.suffix in (".joblib", ".pkl", ".pickle"):
        raise ModelError(f"{path}: pickle-based models are no longer loaded (loading one can run code); "
                         f"run `mh-nlp train` to build a model in the safe .npz format")


def _json_text(obj: dict) -> str:
    """``obj`` as indented JSON, non-ASCII letters as they are unless the text holds something UTF-8 cannot
    (a lone surrogate), which is then written as a ``\\u`` escape and read back the same."""
    text = json.dumps(obj, indent=1, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, indent=1)
    return text + "\n"


def save_model(arrays: dict[str, np.ndarray], state: dict, path: Path, metadata: dict, new_only: bool = False,
               keep_previous: bool = False) -> dict:
    """Write ``path`` (.npz: the arrays and the JSON state) and ``<name>.json``; returns the metadata. ``new_only``:
    a model that appeared at ``path`` meanwhile (another run's, with the same target) is not replaced: ModelError.
    ``keep_previous``: the model found at ``path`` (with its metadata) is kept as :func:`previous_path` (one
    generation: an older one there is replaced), put in place together with the new one; the metadata returned
    then names it under ``"previous"``. A model at ``path`` that does not match its metadata's checksum (damaged) is
    not kept: the copy kept before stays, and the metadata returned says so under ``"previous_damaged"`` (that copy's
    path, or "" when there is none)."""
    path = Path(path)
    if path.suffix != MODEL_SUFFIX:
        raise ModelError(f"{path}: a model file must end in {MODEL_SUFFIX}")
    for name, arr in arrays.items():
        if np.asarray(arr).dtype == object:
            raise ModelError(f"array {name!r} holds Python objects; only numbers and strings are stored")
    payload = {**arrays, STATE_KEY: np.array(json.dumps(state, ensure_ascii=False))}
    _json_text(metadata)  # a value JSON cannot hold fails here, before anything is written

    def write(p: Path) -> None:
        with open(p, "wb") as fh:
            np.savez_compressed(fh, **payload)

    # both files are written beside their places first, then put in place together: an interrupted save leaves the
    # previous model and its metadata, never a new model beside old metadata
    old_meta = model_metadata_or_none(path) if keep_previous and path.is_file() else None
    damaged = old_meta is not None and old_meta.get("model_sha256") != sha256_file(path)
    if damaged:  # a damaged model is not kept over the intact one kept before (QA 47c N5: the rebuild advice did that)
        old_meta = None
    prev = previous_path(path)
    targets = ([prev, metadata_path(prev)] if old_meta is not None else []) + [path, metadata_path(path)]
    # the kept copy first: a save stopped between the renames leaves the old model in place or in its copy
    with written_together(targets) as staged:
        if old_meta is not None:
            import shutil

            shutil.copyfile(path, staged[0])
            kept = {**old_meta, "model_file": prev.name, "previous_of": path.name}
            staged[1].write_text(_json_text(kept), encoding="utf-8")
        model_tmp, meta_tmp = staged[-2:]
        write(model_tmp)
        meta = {
            **metadata,
            "format": FORMAT,
            "model_file": path.name,
            "model_sha256": sha256_file(model_tmp),
            "versions": library_versions(),
            "trained_at": metadata.get("trained_at") or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        meta_tmp.write_text(_json_text(meta), encoding="utf-8")
        if new_only and (path.exists() or metadata_path(path).exists()):  # (raised here, nothing is put in place)
            raise ModelError(f"{path} appeared while this model was trained (another run saved there?); this one is "
                             f"not written: use --force to replace it, or another --model")
    if damaged:
        return {**meta, "previous_damaged": str(prev) if prev.is_file() else ""}
    return {**meta, "previous": str(prev)} if old_meta is not None else meta


@contextmanager
def written_together(paths: list[Path]):
    """A temporary file beside each of ``paths`` (mode as the umask says) for the block to write; when the block
    ends without an error they are put in place together, with SIGINT, SIGTERM and SIGHUP held back until all are (a
    signal that arrives meanwhile is handled right after), so that files that belong together change together.
    Whatever is left of them is removed on the way out."""
    import signal

    staged: list[Path] = []
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{TEMP_MARK}{os.getpid()}-",
                                       suffix=".tmp")
            os.close(fd)
            staged.append(Path(tmp))
            os.chmod(tmp, 0o666 & ~_umask())
        yield staged
        held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP} if hasattr(signal, "pthread_sigmask") else set()
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held) if held else None
        try:
            for tmp, path in zip(staged, paths):
                os.replace(tmp, path)
        finally:
            if held:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)


TEMP_MARK = "mh-nlp-"  # .NAME.mh-nlp-<pid>-XXXXXXXX.tmp: a temporary file of written_together, and whose it is
STALE_SECONDS = 15 * 60  # a save takes a second or two: a temporary file of a model older than this is left over


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):  # another user's process: alive; a number no pid is
        return pid > 0 and not isinstance(pid, bool)
    return True


def stale_temporaries(path: Path, now: float | None = None) -> list[Path]:
    """The temporary files that an interrupted save of the model at ``path`` (``kill -9``, a power cut) left beside
    it and its metadata, and that nobody writes any more (QA 47a D3): ``.NAME.mh-nlp-<pid>-XXXXXXXX.tmp`` whose
    process is gone, and any ``.NAME.XXXXXXXX.tmp`` (the name of mh-nlp before 47b) or of ours older than
    :data:`STALE_SECONDS`. Only names :func:`written_together` makes for the files a save of this model writes are
    looked at: the model, its metadata and the kept previous model (:func:`previous_path`) with its metadata."""
    import re
    import stat
    import time

    path = Path(path)
    now = time.time() if now is None else now
    out = []
    for own in (path, metadata_path(path), previous_path(path), metadata_path(previous_path(path))):
        pattern = re.compile(rf"\.{re.escape(own.name)}\.(?:{TEMP_MARK}(\d+)-)?[a-z0-9_]{{8}}\.tmp")
        try:
            candidates = [(p, m) for p in own.parent.iterdir() if (m := pattern.fullmatch(p.name))]
        except OSError:
            continue
        for p, m in candidates:
            try:
                st = p.lstat()
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):  # a regular file, not a link or anything else
                continue
            pid = m.group(1)
            if (pid is not None and not _alive(int(pid))) or now - st.st_mtime > STALE_SECONDS:
                out.append(p)
    return sorted(out)


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove :func:`stale_temporaries` of the model at ``path``; the ones removed."""
    gone = []
    for p in stale_temporaries(path):
        try:
            p.unlink()
            gone.append(p)
        except OSError:
            pass
    return gone


def retrain_command(path: Path, meta: dict | None = None) -> str:
    """The command that builds the model at ``path`` again: plain `mh-nlp train` for the default model, else one
    that writes to ``path`` (QA 43b: the advice for a damaged model elsewhere rebuilt the default one), with the
    corrections it was trained with when the metadata names their file. A version the review screen trained learnt
    from its reviewed statements, which are no file (QA 47a D9: ``--add review screen (31 reviewed statements)``):
    its advice is to train again there."""
    path = Path(path)
    learnt = meta.get("corrections_file") if meta and meta.get("corrections") else None
    if isinstance(learnt, str) and learnt.startswith("review screen ("):  # no file: the screen's reviewed statements
        return "`mh-nlp serve` and train again on its models page (this version learnt from the screen's reviewed statements)"
    add = f" --add {learnt}" if isinstance(learnt, str) else ""
    if add and not Path(learnt).is_file():  # a model received from someone else (QA 47a D6)
        return (f"`mh-nlp train --add CORRECTIONS --model {path} --force` with the file of corrections it was trained "
                f"with ({learnt[:200]}, not found here), or ask its maker for a new copy")
    if not add and path.resolve() == default_model_path().resolve():
        return "`mh-nlp train`"
    if not add and path.resolve() == fast_model_path().resolve():
        return "`mh-nlp train --fast`"
    return f"`mh-nlp train{add} --model {path} --force`"


DATA_FILES = ("quotes.jsonl", "sections.json", "stance_cues.json")  # under the data folder: a model learns from these
# and from these when they are there
OPTIONAL_DATA_FILES = ("synthetic/statements.jsonl", "synthetic/stance.jsonl", "synthetic/lexicon.jsonl")


def content_sha256(path: Path) -> str:
    """SHA-256 of what a JSON or JSON Lines data file *says*: each record written canonically (keys sorted, no
    spaces; a ``.jsonl`` file's records in their order, blank lines left out), so that re-indenting a file or
    rewriting it with another editor changes nothing (QA 49c N2). A file that does not parse (or is not UTF-8) gets
    ``raw:`` and the SHA-256 of its bytes, which differs from every content checksum: a damaged file always counts as
    changed."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")  # a byte-order mark stays, and json refuses it as the data loaders do (QA 50a N1)

        def canon(value) -> str:
            return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

        if path.suffix == ".jsonl":
            body = "\n".join(canon(json.loads(line)) for line in text.splitlines() if line.strip())
        else:
            body = canon(json.loads(text))
    except (ValueError, RecursionError):  # json's errors and UnicodeDecodeError are ValueErrors
        return "raw:" + hashlib.sha256(raw).hexdigest()
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def data_sha256(missing_ok: bool = False, content: bool = False) -> dict[str, str]:
    """SHA-256 of the data files a model learns from (names relative to the data folder), as a model's metadata
    records them (``training_data_sha256``; with ``content``, :func:`content_sha256` of each, recorded as
    ``training_data_content_sha256``, which ``train --if-needed`` and the out-of-date warnings compare). A missing
    file of :data:`DATA_FILES` raises :class:`~mh_nlp.exceptions.DataNotFound`, unless ``missing_ok`` (then it is left
    out, as a missing optional file always is). About 2 MB are read: a few milliseconds for the bytes, about 30 for
    the content."""
    from ..paths import data_dir, data_file

    digest = content_sha256 if content else sha256_file
    out = {}
    for name in DATA_FILES:
        path = data_dir() / name
        if missing_ok and not path.is_file():
            continue
        out[name] = digest(data_file(*name.split("/")))
    for name in OPTIONAL_DATA_FILES:
        path = data_dir().joinpath(*name.split("/"))
        if path.exists():
            out[name] = digest(path)
    return out


def data_changed(meta: dict) -> list[str]:
    """The data files (names relative to the data folder) whose content differs from what the model's metadata
    recorded when it was trained: changed, added or gone since (QA 49a D4). Compared by :func:`content_sha256`, so
    that a file re-indented or re-saved with the same records is the same data (QA 49c N2); a model trained before
    that checksum was recorded is compared by the files' bytes. A file whose bytes are those recorded is not read
    again for its content (every classify checks: 2 ms instead of 40). Empty when they are the same, or when the
    metadata records none (a model of another make: nothing to compare)."""
    if not isinstance(meta, dict):
        return []
    raw, content = meta.get("training_data_sha256"), meta.get("training_data_content_sha256")
    raw = raw if isinstance(raw, dict) else {}
    recorded = content if isinstance(content, dict) and content else raw
    if not recorded:
        return []
    now = data_sha256(missing_ok=True)
    if recorded is content:  # the same bytes are the same records; the others are compared by what they say
        from ..paths import data_dir

        now = {n: recorded.get(n) if raw.get(n) == sha else content_sha256(data_dir().joinpath(*n.split("/")))
               for n, sha in now.items()}
    order = DATA_FILES + OPTIONAL_DATA_FILES
    names = sorted(set(recorded) | set(now), key=lambda n: (order.index(n) if n in order else len(order), n))
    return [n for n in names if recorded.get(n) != now.get(n)]


def data_files_shown(names: list[str]) -> str:
    """Data file names (relative to the data folder) as a message names them (:func:`~mh_nlp.paths.shown_data_file`)."""
    from ..paths import shown_data_file

    return ", ".join(shown_data_file(*n.split("/")) for n in names)


def stale_data_message(path: Path, meta: dict, changed: list[str] | None = None) -> str | None:
    """``the model was trained on other data: <files> changed since; run …`` for the model at ``path`` whose
    metadata is ``meta`` (``changed``: :func:`data_changed` of it, when known), or None when the data files are those
    it was trained on (QA 49a D4: a model out of date with its data was used without a word). ``info`` says it, and
    ``classify``, ``label`` and ``serve`` warn with it."""
    changed = data_changed(meta) if changed is None else changed
    if not changed:
        return None
    return (f"{path}: the model was trained on other data: {data_files_shown(changed)} changed since; run "
            f"{retrain_command(path, meta)}")


def sections_changed(model_sections, taxonomy_sections, most: int = 4) -> str | None:
    """How the sections of the taxonomy differ from those a model was trained with, in words (``2.28 added; 2.16
    gone``, at most ``most`` named of each), or None when they are the same (QA 49a D8)."""
    model_sections, taxonomy_sections = [str(s) for s in model_sections], [str(s) for s in taxonomy_sections]
    known, now = set(model_sections), set(taxonomy_sections)
    added = [s for s in taxonomy_sections if s not in known]
    gone = [s for s in model_sections if s not in now]

    def few(xs: list[str]) -> str:
        return ", ".join(xs[:most]) + (f" and {len(xs) - most} more" if len(xs) > most else "")

    parts = ([f"{few(added)} added"] if added else []) + ([f"{few(gone)} gone"] if gone else [])
    if not parts and model_sections != taxonomy_sections:
        parts = ["the same sections in another order"]
    return "; ".join(parts) or None


def _looks_like_model(path: Path) -> bool:
    """True when ``path`` is a NumPy archive holding the arrays a trained model has (its state among them): a model
    that lost its metadata, which retraining to the same path replaces without loss."""
    try:
        with zipfile.ZipFile(path) as z:
            return "__state_json__.npy" in z.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def read_metadata(path: Path) -> dict:
    mpath = metadata_path(Path(path))
    if not mpath.exists():
        path = Path(path)
        if path.resolve() in (default_model_path().resolve(), fast_model_path().resolve()) or _looks_like_model(path):
            raise ModelError(f"{mpath}: metadata file missing; refusing to load {path.name} (run "
                             f"{retrain_command(path)})")
        # a file of the user's own that is no model: no advice that would write over it (QA 45a E10)
        raise ModelError(f"{mpath}: metadata file missing, and {path.name} holds no mh-nlp model; give a model "
                         f"that `mh-nlp train` made, with the .json it wrote beside it")
    try:
        meta = json.loads(mpath.read_text(encoding="utf-8"))
    except (ValueError, OSError, RecursionError) as exc:  # not JSON, not UTF-8, a folder, nested too deep
        raise ModelError(f"{mpath}: unreadable metadata ({exc.__class__.__name__})") from None
    if not isinstance(meta, dict):
        raise ModelError(f"{mpath}: unreadable metadata (not a JSON object)")
    if not isinstance(meta.get("versions", {}), dict):
        raise ModelError(f"{mpath}: unreadable metadata (its versions are not a JSON object)")
    return meta


def check_model(path: Path) -> dict:
    """Verify the model file against its metadata; returns the metadata or raises :class:`ModelError`."""
    path = Path(path)
    _refuse_pickle(path)
    if not path.exists():
        if path.resolve() not in (default_model_path().resolve(), fast_model_path().resolve()):  # a typo, most likely
            raise ModelError(f"{path}: no such model file")
        raise ModelError(f"{path}: no trained model (run {retrain_command(path)})")
    if path.is_dir():
        raise ModelError(f"{path}: is a directory, not a model file")
    if path.suffix.lower() == ".json" and path.with_suffix(".npz").exists():
        raise ModelError(f"{path}: the model's metadata; name the model file itself, {path.with_suffix('.npz').name}")
    if path.suffix.lower() != MODEL_SUFFIX:  # QA 44a: a workbook given as --model was told to train over itself
        raise ModelError(f"{path}: not a model file (mh-nlp's models end in {MODEL_SUFFIX}: give one that "
                         f"`mh-nlp train` made, or none for the default model)")
    meta = read_metadata(path)
    if sha256_file(path) != meta.get("model_sha256"):
        # a model trained with corrections is rebuilt from them, at its own path (plain `mh-nlp train` would make the
        # default model)
        rebuild = retrain_command(path, meta)
        raise ModelError(f"{path}: SHA-256 does not match {metadata_path(path).name}; the file is damaged or "
                         f"was changed, refusing to load it (run {rebuild} to rebuild)")
    if meta.get("format") != FORMAT:
        raise ModelError(f"{path}: model format {meta.get('format')!r} is not supported (expected {FORMAT}); "
                         f"run {retrain_command(path, meta)}")
    if meta.get("versions", {}).get("mh_nlp") != __version__:
        raise ModelError(f"{path}: trained by mh-nlp {meta.get('versions', {}).get('mh_nlp')} (installed "
                         f"{__version__}); run {retrain_command(path, meta)}")
    return meta


def load_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict, dict]:
    """Arrays, JSON state and metadata of a checked model. Nothing in the file is executed: it must be a zip of
    ``.npy`` arrays, read with ``allow_pickle=False``."""
    path = Path(path)
    meta = check_model(path)
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path}: not a .npz model file (refusing to interpret it any other way)")
    try:
        _check_sizes(path)
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        state = json.loads(str(arrays.pop(STATE_KEY)))
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, json.JSONDecodeError, MemoryError, RecursionError,
            NotImplementedError, EOFError) as exc:  # NotImplementedError: a zip compression numpy cannot read
        why = " ".join(str(exc).split())[:200]  # one line, whatever numpy's message holds
        raise ModelError(f"{path}: cannot be loaded safely ({exc.__class__.__name__}: {why})") from None
    if not isinstance(state, dict):
        raise ModelError(f"{path}: cannot be loaded safely (its state is not a JSON object)")
    return arrays, state, meta


def _check_sizes(path: Path) -> None:
    """Refuse a model whose arrays would unpack to more than :data:`MAX_ARRAY_BYTES`, from each array's own
    ``.npy`` header, read before any array is (a 1 KB file can declare 50 GiB of zeros)."""
    total = 0
    with zipfile.ZipFile(path) as zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            raise ValueError(f"{len(members):,} arrays (at most {MAX_MEMBERS:,})")
        for info in members:
            with zf.open(info) as fh:
                version = np.lib.format.read_magic(fh)
                shape, _, dtype = (np.lib.format.read_array_header_1_0(fh) if version == (1, 0)
                                   else np.lib.format.read_array_header_2_0(fh))
            total += int(np.prod(shape, dtype=object)) * dtype.itemsize
            if total > MAX_ARRAY_BYTES:
                raise ValueError(f"its arrays would take more than {MAX_ARRAY_BYTES >> 20:,} MB")
