"""The browser review screen (``mh-nlp serve``): bring in notes, review and correct the suggested sections,
see the overview, export, and train the model with the corrections.

The top layer of the package: it may import any other mh_nlp module; nothing else imports it.
FastAPI, uvicorn and Jinja2 are imported only here (and by ``mh-nlp serve``), so the rest stays light.
"""
from __future__ import annotations

__all__ = ["create_app", "default_data_dir"]


def __getattr__(name):  # lazy, so ``import mh_nlp.app`` does not pull in FastAPI
    if name in __all__:
        from . import server

        return getattr(server, name)
    raise AttributeError(name)
