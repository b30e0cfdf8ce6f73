"""The theme classifier as a spaCy component: ``nlp(text)`` gives themes and entities together.

>>> from mh_nlp import load_pipeline                               # doctest: +SKIP
>>> nlp = load_pipeline(themes=True)                               # doctest: +SKIP
>>> doc = nlp("De NLA ziet meer arbeidsuitbuiting in distributiecentra.")  # doctest: +SKIP
>>> doc._.theme.section, max(doc.cats, key=doc.cats.get), doc.ents  # doctest: +SKIP

``doc.cats`` holds the probability of every section the model knows (the 52 with a title; they sum to 1);
``doc._.theme`` the :class:`~mh_nlp.themes.prediction.Prediction` (chapter first, then the best section
in it, so the two agree; top 3). It is kept in the ``Doc`` as plain data (``doc._.theme_data``, the prediction's
``to_dict()``), so a themed ``Doc`` serialises (``to_bytes``, ``DocBin``, ``nlp.pipe(n_process=2)``) like any other.
The component reads the ``Doc`` made by our pipeline (normalised text, lemmas, entities), so it must sit after the
lemmatizer and the entity ruler of :func:`mh_nlp.load_pipeline`; placed before them it refuses the first document.
Saved with ``nlp.to_disk``, the model travels with the pipeline and is checked again on loading (the taxonomy,
``data/sections.json``, is read from the installed data, as for every model). ``nlp.to_bytes`` carries only which
model file the component uses and its SHA-256, and ``from_bytes`` refuses when that file is not there.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..corpus.jsonl import has_words
from ..exceptions import check_count
from ..nlp.spacy_import import import_spacy

import_spacy()  # without spaCy's command line: a faster start
from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc  # noqa: E402
from spacy.util import minibatch  # noqa: E402

from .prediction import Prediction
from .store import MODEL_NAME, MODEL_SUFFIX, ModelError, default_model_path, metadata_path, model_metadata_or_none, sha256_file
from ..nlp.pipeline import RULER_NAME, NormalizingTokenizer

THEMES_NAME = "mh_themes"


def _theme(doc: Doc) -> Prediction | None:
    data = doc._.theme_data
    return Prediction.from_dict(data) if data else None


# The prediction is stored as plain data (msgpack can serialise it); ``doc._.theme`` rebuilds the dataclass.
if not Doc.has_extension("theme_data"):
    Doc.set_extension("theme_data", default=None)
if not Doc.has_extension("theme"):
    Doc.set_extension("theme", getter=_theme)


class ThemeCategorizer:
    """Fills ``doc.cats`` (section -> probability) and ``doc._.theme`` from the trained theme model."""

    def __init__(self, nlp: Language, name: str = THEMES_NAME, model: str | None = None) -> None:
        if not isinstance(nlp.tokenizer, NormalizingTokenizer) or RULER_NAME not in nlp.pipe_names:
            raise ValueError(f"{name}: needs the mh-nlp pipeline (normalising tokenizer and {RULER_NAME}); "
                             f"use mh_nlp.load_pipeline(themes=True)")
        self.name = name
        self.model = model
        self._classifier: Any = None

    @property
    def classifier(self) -> Any:
        """The trained classifier, loaded (after its checks) on first use; one loaded copy per model file is shared
        by every pipeline of the process (a model is some 70 MB, and ``load_pipeline`` makes a new pipeline each
        call)."""
        if self._classifier is None:
            self._classifier = _shared_classifier(self._model_path())
        return self._classifier

    @property
    def labels(self) -> tuple[str, ...]:
        """The sections the model knows. Before the model is loaded, they come from its metadata file, so that spaCy
        reading a saved pipeline's meta does not load (or need) another model than the one in the folder."""
        if self._classifier is None:
            meta = model_metadata_or_none(self._model_path()) or {}
            labels = meta.get("labels")
            return tuple(labels) if isinstance(labels, list) and all(isinstance(x, str) for x in labels) else ()
        return tuple(self.classifier.classes_)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        check_count("batch_size", batch_size, f"{self.name}: ")
        clf = self.classifier
        for batch in minibatch(docs, size=batch_size):
            for doc in batch:
                self._check_order(doc)
            # an empty or blank document, or one without a word ("?!", "12345"), has nothing to classify: no cats,
            # no theme (the classifier refuses such a text)
            full = [doc for doc in batch if has_words(doc.text)]
            P, predictions = clf.proba_details_from_docs(full) if full else (None, [])
            results = {id(doc): (row, prediction) for doc, row, prediction in zip(full, P if full else [], predictions)}
            for doc in batch:
                if id(doc) in results:
                    row, prediction = results[id(doc)]
                    doc.cats = {label: float(p) for label, p in zip(clf.classes_, row)}
                    doc._.theme_data = prediction.to_dict()
                yield doc

    def _check_order(self, doc: Doc) -> None:
        """Refuse a document that the lemmatizer and the entity ruler have not read yet: placed before them, the
        component would classify without lemmas (other probabilities) and without entities."""
        if len(doc) and not (doc.has_annotation("LEMMA") and doc.has_annotation("ENT_IOB")):
            raise ValueError(f"{self.name}: the document has no lemmas or entities yet; put {self.name} after the "
                             f"lemmatizer and {RULER_NAME} (nlp.add_pipe({self.name!r}, last=True))")

    def _model_path(self) -> Path:
        return Path(self.model) if self.model else default_model_path()

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Copy the model and its metadata file into ``path``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.classifier  # noqa: B018 - refuse to save a model that does not pass its checks
        src = self._model_path()
        for source, target in ((src, path / f"{MODEL_NAME}{MODEL_SUFFIX}"), (metadata_path(src), path / f"{MODEL_NAME}.json")):
            if not (target.exists() and os.path.samefile(source, target)):  # saved again into the folder it came from
                shutil.copyfile(source, target)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "ThemeCategorizer":
        """Load the model saved by :meth:`to_disk` (checked like any model)."""
        from .classifier import load_classifier

        self.model = str(Path(path) / f"{MODEL_NAME}{MODEL_SUFFIX}")
        self._classifier = load_classifier(self.model)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """Which model file the component uses, and its SHA-256 (the model itself travels only with ``to_disk``)."""
        src = self._model_path()
        self.classifier  # noqa: B018 - the same checks as to_disk
        return json.dumps({"model": str(src.resolve()), "sha256": sha256_file(src)}).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "ThemeCategorizer":
        """Use the model file named by :meth:`to_bytes` when it is here and unchanged; otherwise refuse."""
        from .classifier import load_classifier

        try:
            ref = json.loads(data)
            model, sha = str(ref["model"]), str(ref["sha256"])
        except (ValueError, KeyError, TypeError):
            raise ModelError(f"{self.name}: these bytes do not name a theme model") from None
        if not Path(model).is_file() or sha256_file(Path(model)) != sha:
            raise ModelError(f"{self.name}: the pipeline's bytes name the model {model}, which is not on this machine "
                             f"or has changed since; the bytes do not carry the model itself: save the pipeline with "
                             f"nlp.to_disk and load it with spacy.load")
        self.model = model
        self._classifier = load_classifier(model)
        return self


_LOADED: dict[tuple, Any] = {}  # (model file, its SHA-256, its metadata's mtime and size) -> classifier, shared


def _shared_classifier(path: Path) -> Any:
    """The classifier of the model file ``path``, loaded once per file as it is now: a file changed or replaced since
    (another SHA-256, or other metadata) is loaded and checked again."""
    from .classifier import load_classifier

    try:  # the file's checksum: a model changed in place (same size and time) is loaded and checked again
        meta = path.with_suffix(".json").stat()
        key = (str(path.resolve()), sha256_file(path), meta.st_mtime_ns, meta.st_size)
    except OSError:
        return load_classifier(path)  # says what is wrong with the path
    if key not in _LOADED:
        if len(_LOADED) >= 4:  # a few models at most are in use at once
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = load_classifier(path)
    return _LOADED[key]


@Language.factory(THEMES_NAME, default_config={"model": None}, assigns=["doc.cats", "doc._.theme"],
                  requires=["doc.ents", "token.lemma"])
def make_theme_categorizer(nlp: Language, name: str, model: str | None) -> ThemeCategorizer:
    """Registered factory: the theme classifier (default model: ``models/theme-model.npz``)."""
    return ThemeCategorizer(nlp, name, model)


def load_pipeline(base: str | None = None, themes: bool = False) -> Language:
    """A new configured pipeline, yours to change (each call builds one, about a quarter of a second);
    ``themes=True`` adds the theme classifier (``mh_themes``: ``doc.cats`` and ``doc._.theme``) with the default
    model. ``mh_nlp.load_pipeline`` is this. The classifier and ``find_entities`` keep a pipeline of their own, so
    adding or removing components here does not change their results."""
    from ..nlp.pipeline import build_pipeline, select_base

    nlp = build_pipeline(base or select_base())
    if themes:
        nlp.add_pipe(THEMES_NAME)
    return nlp
