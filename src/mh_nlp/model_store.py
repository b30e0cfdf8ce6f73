"""Saving and loading trained models with a checked metadata file beside them.

joblib files run code when they are loaded, so a model is loaded only after its SHA-256 matches
the one recorded in ``<name>.json`` and the library versions it was trained with match ours.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import joblib

from . import __version__
from .paths import models_dir

MODEL_NAME = "theme-model"


class ModelError(RuntimeError):
    """A model file is missing, damaged, tampered with or incompatible."""


def default_model_path() -> Path:
    return models_dir() / f"{MODEL_NAME}.joblib"


def metadata_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    import numpy
    import scipy
    import sklearn
    import spacy

    return {"mh_nlp": __version__, "scikit-learn": sklearn.__version__, "spacy": spacy.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__, "joblib": joblib.__version__,
            "python": platform.python_version()}


# versions that must match exactly for a pickled model to be trusted
CHECKED = ("mh_nlp", "scikit-learn", "spacy", "numpy", "scipy")


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_model(obj, path: Path, metadata: dict) -> dict:
    """Write the model and ``<name>.json`` (versions, SHA-256 and the caller's metadata); returns the metadata."""
    path = Path(path)
    _atomic_write(path, lambda p: joblib.dump(obj, p, compress=3))
    meta = {
        **metadata,
        "model_file": path.name,
        "model_sha256": sha256_file(path),
        "versions": library_versions(),
        "trained_at": metadata.get("trained_at") or datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    _atomic_write(metadata_path(path), lambda p: p.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n"))
    return meta


def read_metadata(path: Path) -> dict:
    mpath = metadata_path(Path(path))
    if not mpath.exists():
        raise ModelError(f"{mpath}: metadata file missing; refusing to load {Path(path).name} (run `mh-nlp train`)")
    try:
        return json.loads(mpath.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{mpath}: unreadable metadata ({exc.__class__.__name__})") from None


def check_model(path: Path) -> dict:
    """Verify the model file against its metadata; returns the metadata or raises :class:`ModelError`."""
    path = Path(path)
    if not path.exists():
        raise ModelError(f"{path}: no trained model (run `mh-nlp train`)")
    meta = read_metadata(path)
    if sha256_file(path) != meta.get("model_sha256"):
        raise ModelError(f"{path}: SHA-256 does not match {metadata_path(path).name}; the file is damaged or "
                         f"was changed, refusing to load it (run `mh-nlp train` to rebuild)")
    ours = library_versions()
    theirs = meta.get("versions", {})
    bad = [f"{k} {theirs.get(k)} (installed {ours[k]})" for k in CHECKED if theirs.get(k) != ours[k]]
    if bad:
        raise ModelError(f"{path}: trained with other library versions: {', '.join(bad)}; run `mh-nlp train`")
    return meta


def load_model(path: Path):
    """Load a model only after :func:`check_model` passes; returns (object, metadata)."""
    meta = check_model(path)
    try:
        return joblib.load(path), meta
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means an unusable file
        raise ModelError(f"{path}: cannot be loaded ({exc.__class__.__name__})") from None
