"""The theme classifier as a spaCy component: ``nlp(text)`` gives themes and entities together.

>>> from mh_nlp import load_pipeline                               # doctest: +SKIP
>>> nlp = load_pipeline(themes=True)                               # doctest: +SKIP
>>> doc = nlp("De NLA ziet meer arbeidsuitbuiting in distributiecentra.")  # doctest: +SKIP
>>> doc._.theme.section, max(doc.cats, key=doc.cats.get), doc.ents  # doctest: +SKIP

``doc.cats`` holds the probability of every section of the taxonomy (they sum to 1);
``doc._.theme`` the :class:`~mh_nlp.themes.prediction.Prediction` (chapter first, then the best section
in it, so the two agree; top 3). The component reads the ``Doc`` made by our pipeline (normalised
text, lemmas, entities), so it must sit after the entity ruler of :func:`mh_nlp.load_pipeline`.
Saved with ``nlp.to_disk``, the model travels with the pipeline and is checked again on loading.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..nlp.spacy_import import import_spacy

import_spacy()  # without spaCy's command line: a faster start
from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc  # noqa: E402
from spacy.util import minibatch  # noqa: E402

from .store import MODEL_NAME, MODEL_SUFFIX, default_model_path, metadata_path
from ..nlp.pipeline import RULER_NAME, NormalizingTokenizer

THEMES_NAME = "mh_themes"

if not Doc.has_extension("theme"):
    Doc.set_extension("theme", default=None)


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
        """The trained classifier, loaded (after its checks) on first use."""
        if self._classifier is None:
            from .classifier import load_classifier

            self._classifier = load_classifier(self.model)
        return self._classifier

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.classifier.classes_)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        clf = self.classifier
        for batch in minibatch(docs, size=batch_size):
            P, predictions = clf.proba_details_from_docs(batch)
            for doc, row, prediction in zip(batch, P, predictions):
                doc.cats = {label: float(p) for label, p in zip(clf.classes_, row)}
                doc._.theme = prediction
                yield doc

    def _model_path(self) -> Path:
        return Path(self.model) if self.model else default_model_path()

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Copy the model and its metadata file into ``path``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.classifier  # noqa: B018 - refuse to save a model that does not pass its checks
        src = self._model_path()
        shutil.copyfile(src, path / f"{MODEL_NAME}{MODEL_SUFFIX}")
        shutil.copyfile(metadata_path(src), path / f"{MODEL_NAME}.json")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "ThemeCategorizer":
        """Load the model saved by :meth:`to_disk` (checked like any model)."""
        from .classifier import load_classifier

        self.model = str(Path(path) / f"{MODEL_NAME}{MODEL_SUFFIX}")
        self._classifier = load_classifier(self.model)
        return self


@Language.factory(THEMES_NAME, default_config={"model": None}, assigns=["doc.cats", "doc._.theme"],
                  requires=["doc.ents", "token.lemma"])
def make_theme_categorizer(nlp: Language, name: str, model: str | None) -> ThemeCategorizer:
    """Registered factory: the theme classifier (default model: ``models/theme-model.npz``)."""
    return ThemeCategorizer(nlp, name, model)


_WITH_THEMES: dict[str, Language] = {}


def load_pipeline(base: str | None = None, themes: bool = False) -> Language:
    """The configured pipeline (one cached instance per base); ``themes=True`` adds the theme classifier
    (``mh_themes``: ``doc.cats`` and ``doc._.theme``) with the default model. ``mh_nlp.load_pipeline`` is this."""
    from ..nlp.pipeline import build_pipeline, load_pipeline as base_pipeline, select_base

    if not themes:
        return base_pipeline(base)
    key = base or select_base()
    if key not in _WITH_THEMES:
        nlp = build_pipeline(key)
        nlp.add_pipe(THEMES_NAME)
        _WITH_THEMES[key] = nlp
    return _WITH_THEMES[key]
