"""Import spaCy without its command line, which spaCy's own ``__init__`` loads for one function.

``spacy/__init__.py`` does ``from .cli.info import info``: that loads ``spacy.cli`` and with it typer, requests,
Weasel and the model-download code — a third of the time ``import spacy`` takes, and so a good part of a cold
``mh-nlp classify`` (``benchmarks/bench_startup.py``), for ``spacy.info()``, which mh-nlp never calls.

:func:`import_spacy` imports spaCy with a placeholder ``spacy.cli.info`` in ``sys.modules`` and takes the
placeholder out again at once. ``spacy.info()`` still works (it loads the real one when called), ``import spacy.cli``
afterwards gets the real command line, and if spaCy does not import with the placeholder (another version), it is
imported the plain way. Every module of ours that imports spaCy at its top calls this first.
"""
from __future__ import annotations

import sys
import types

_PLACEHOLDERS = ("spacy.cli.info", "spacy.cli")


def _remove_placeholders(made: dict[str, types.ModuleType]) -> None:
    for name in _PLACEHOLDERS:
        if sys.modules.get(name) is made.get(name):
            sys.modules.pop(name, None)


def import_spacy() -> types.ModuleType:
    """The ``spacy`` module, imported without ``spacy.cli`` when it is not imported yet."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    cli = types.ModuleType("spacy.cli")
    cli.__path__ = []  # a package, so that spacy.cli.info can be its submodule
    info = types.ModuleType("spacy.cli.info")
    made = {"spacy.cli": cli, "spacy.cli.info": info}

    def spacy_info(*args, **kwargs):
        """spaCy's ``spacy.info``, from its command line loaded now."""
        _remove_placeholders(made)
        from spacy.cli.info import info as real

        return real(*args, **kwargs)

    info.info = spacy_info
    if any(name in sys.modules for name in _PLACEHOLDERS):  # someone imported spacy.cli on its own: keep it
        import spacy

        return spacy
    sys.modules.update(made)
    try:
        import spacy
    except Exception:  # noqa: BLE001 - another spaCy that needs its command line at import: the plain way
        _remove_placeholders(made)
        sys.modules.pop("spacy", None)
        import spacy
    finally:
        _remove_placeholders(made)
    return spacy
