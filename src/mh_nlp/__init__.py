"""mh-nlp: Dutch NLP toolkit that sorts consultation statements about human trafficking into themes."""
from __future__ import annotations

import sys as _sys
from typing import Any

__version__ = "0.3.0"

# Lazy exports: ``import mh_nlp`` stays cheap; spaCy is imported on first use.
_LAZY = {"load_pipeline": ("themes.categorizer", "load_pipeline"), "normalize": ("nlp.normalize", "normalize"),
         "normalize_with_map": ("nlp.normalize", "normalize_with_map"),
         "find_entities": ("nlp.entities", "find_entities"), "find_entities_batch": ("nlp.entities", "find_entities_batch"),
         "load_classifier": ("themes.classifier", "load_classifier"), "Classifier": ("themes.classifier", "Classifier"),
         "label_files": ("io.label", "label_files"), "read_statements": ("io.readers", "read_statements"),
         "Prediction": ("themes.prediction", "Prediction")}
__all__ = ["__version__", *_LAZY]


def __dir__() -> list[str]:
    """The public names, lazily exported ones included (``dir(mh_nlp)`` listed only ``Any`` and ``annotations``)."""
    return sorted(set(globals()) | set(__all__))


def __getattr__(name: str) -> Any:
    """Import a lazily exported function on first access."""
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        if name == "normalize":  # the submodule is callable: mh_nlp.nlp.normalize(text) and mh_nlp.nlp.normalize.<fn>
            value = _sys.modules[f"{__name__}.nlp.normalize"]
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if "spacy" in _sys.modules:  # spaCy is loaded already: registering our factories costs nothing
    from .nlp import pipeline as _pipeline  # noqa: F401,E402
