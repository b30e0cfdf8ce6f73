"""How a fitted theme model scores statements: its evidence features, probabilities, confidence and evidence
quotes (NumPy only). The model is explained in :mod:`mh_nlp.themes.model`, which fits it; both the estimator
fitted there (:class:`~mh_nlp.themes.model.ThemeRanker`) and the model loaded from a file
(:class:`FittedRanker`) score with the methods of :class:`RankerScores`, so training and use cannot drift
apart, and classifying a statement does not have to import scikit-learn or SciPy (a second or more of the
start of every command)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..corpus.records import Taxonomy, load_taxonomy, section_key
from .answer import chapter_then_section
from .features import Prepared, StemTfidf, stance_features

FEATURES = ("title_keywords_sim", "title_sim", "keyword_overlap", "chapter_logp", "quote_centroid_sim",
            "nearest_quote_sim", "topic_centroid_sim", "best_in_chapter_gap", "title_top3",
            # the last CORRECTION_FEATURES are 0 unless the model holds an analyst's corrections
            "nearest_correction_sim", "has_corrections", "correction_centroid_sim")
CORRECTION_FEATURES = 3


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def confidence_features(P: np.ndarray, section_chapters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, for the section the product chooses (chapter first): log-odds of its probability and of its
    chapter's mass, and its margin over the runner-up; and the chosen columns."""
    ch, j = chapter_then_section(P, section_chapters)
    rows = np.arange(len(P))
    p = np.clip(P[rows, j], 1e-6, 1 - 1e-6)
    mass = np.clip(np.stack([P[r, section_chapters == c].sum() for r, c in zip(rows, ch)]) if len(P) else p, 1e-6,
                   1 - 1e-6)
    second = np.sort(P, axis=1)[:, -2] if P.shape[1] > 1 else np.zeros(len(P))
    return np.column_stack([np.log(p / (1 - p)), np.log(mass / (1 - mass)), P[rows, j] - second]), j


class RankerScores:
    """The scoring half of the theme ranker: everything but ``fit``. Needs the fitted arrays of
    :attr:`ARRAYS` plus ``classes_``, ``temperature_``, ``lex_vocabulary_``, ``evidence_`` and
    ``n_corrections_``, and the parameters ``encoder`` and ``taxonomy_path``."""

    def _encoder(self):
        enc = getattr(self, "_enc", None)
        if enc is None:
            from .embeddings import get_encoder

            enc = self._enc = get_encoder(self.encoder)
        return enc

    def _taxonomy_arrays(self, tax: Taxonomy) -> None:
        numbers = sorted(tax.sections, key=section_key)
        sec = [tax.sections[s] for s in numbers]
        self.classes_ = np.array(numbers)
        self.section_chapter_ = np.array([s.chapter for s in sec])
        self.section_topic_ = np.array([s.topic or "" for s in sec])
        self.section_known_ = np.array([not s.title.startswith("Onbekend") for s in sec])
        self.section_titles_ = [s.title for s in sec]
        self.section_texts_ = [" ".join(filter(None, [s.title, s.description])) for s in sec]

    def _embed(self, X: Sequence[Prepared]) -> np.ndarray:
        return self._encoder().encode([x.norm for x in X], is_query=True)

    def _chapter_features(self, E: np.ndarray, X: Sequence[Prepared]) -> np.ndarray:
        return np.hstack([E, stance_features([x.norm for x in X])])

    def _chapter_logp(self, coef, intercept, classes, F) -> np.ndarray:
        """log P(chapter of each section | statement) from the chapter model's coefficients."""
        z = F @ np.atleast_2d(coef).T + intercept
        probs = _softmax(z) if len(classes) > 2 else np.hstack([1 / (1 + np.exp(z)), 1 / (1 + np.exp(-z))])
        P = np.full((len(F), int(self.section_chapter_.max()) + 1), 1e-6)
        P[:, np.asarray(classes, dtype=int)] = probs
        return np.log(P[:, self.section_chapter_] + 1e-6)

    def _lex(self, X: Sequence[Prepared]) -> np.ndarray:
        """Keyword overlap: cosine of the stem TF-IDF rows of each statement's lemmas and of each section's text."""
        return self._lex_vectors().similarity([x.lemmas for x in X], self.section_lex_)

    def _lex_vectors(self) -> StemTfidf:
        vec = getattr(self, "_lexv", None)
        if vec is None:
            vec = self._lexv = StemTfidf(self.lex_vocabulary_, self.lex_idf_)
        return vec

    def _pair_features(self, E, lex, chapter_logp, ev_E, ev_y, exclude=None, added=None) -> np.ndarray:
        """(n, S, d) features. ``ev_E``/``ev_y``: evidence quotes (embeddings, section columns); ``exclude``: a
        group label per statement whose evidence is left out (its own page), or None; ``added``: per statement,
        (embeddings, section columns) of corrections, or None for none."""
        S = len(self.classes_)
        n = len(E)
        zs, zt = E @ self.section_E_.T, E @ self.title_E_.T
        cen, knn, tcen = np.zeros((n, S)), np.zeros((n, S)), np.zeros((n, S))
        have, thave = np.zeros((n, S), dtype=bool), np.zeros((n, S), dtype=bool)
        keys = np.zeros(n, dtype=object) if exclude is None else np.asarray(exclude, dtype=object)
        for key in dict.fromkeys(keys.tolist()):  # statements of one page share their evidence
            rows = np.flatnonzero(keys == key)
            keep = np.ones(len(ev_y), dtype=bool) if exclude is None else self.ev_group_mask(key)
            yk, Ek = ev_y[keep], ev_E[keep]
            sims = E[rows] @ Ek.T
            for s in np.unique(yk):
                m = yk == s
                c = Ek[m].sum(axis=0)
                cen[rows, s] = E[rows] @ c / np.linalg.norm(c)
                knn[rows, s] = sims[:, m].max(axis=1)
                have[rows, s] = True
            topics = self.section_topic_[yk]
            for t in np.unique(topics):
                if not t:
                    continue
                c = Ek[topics == t].sum(axis=0)
                cols = np.flatnonzero(self.section_topic_ == t)
                tcen[np.ix_(rows, cols)] = (E[rows] @ c / np.linalg.norm(c))[:, None]
                thave[np.ix_(rows, cols)] = True
        # a section without quotes (or topic-mates) is measured by its title and keywords instead
        cen, knn, tcen = np.where(have, cen, zs), np.where(have, knn, zs), np.where(thave, tcen, zs)
        knn_a, has_a, cen_a = np.zeros((n, S)), np.zeros((n, S)), np.zeros((n, S))
        for i, pair in enumerate(added or []):
            if pair is None or len(pair[1]) == 0:
                continue
            A, ya = pair
            sa = A @ E[i]
            for s in np.unique(ya):
                m = ya == s
                c = A[m].sum(axis=0)
                knn_a[i, s], cen_a[i, s], has_a[i, s] = sa[m].max(), E[i] @ c / np.linalg.norm(c), 1.0
        # within its chapter, how far a section's title similarity is behind the best one (0 for the best)
        gap = np.zeros((n, S))
        for c in np.unique(self.section_chapter_):
            cols = self.section_chapter_ == c
            gap[:, cols] = zs[:, cols] - zs[:, cols].max(axis=1, keepdims=True)
        top3 = (zs >= np.sort(zs, axis=1)[:, [-3]]).astype(float)
        return np.stack([zs, zt, lex, chapter_logp, cen, knn, tcen, gap, top3, knn_a, has_a, cen_a], axis=2)

    def ev_group_mask(self, group) -> np.ndarray:
        return self._ev_groups != group

    def _features_for(self, X: Sequence[Prepared], E: np.ndarray) -> np.ndarray:
        chap = self._chapter_logp(self.chapter_coef_, self.chapter_intercept_, self.chapter_classes_,
                                  self._chapter_features(E, X))
        added = [(self.added_E_, self.added_y_)] * len(X) if len(self.added_y_) else None
        F = self._pair_features(E, self._lex(X), chap, self.ev_E_, self.ev_y_, None, added)
        return (F - self.feature_mean_) / self.feature_scale_

    def decision_function(self, X: Sequence[Prepared], E: np.ndarray | None = None) -> np.ndarray:
        X = list(X)
        if not X:
            return np.zeros((0, len(self.classes_)))
        G = self._features_for(X, self._embed(X) if E is None else E)
        z = G @ self.weights_corrections_ if len(self.added_y_) else G[:, :, :-CORRECTION_FEATURES] @ self.weights_
        z[:, ~self.section_known_] = -1e9
        return z

    def predict_proba(self, X: Sequence[Prepared], E: np.ndarray | None = None) -> np.ndarray:
        return _softmax(self.decision_function(X, E) / self.temperature_)

    def predict(self, X: Sequence[Prepared]) -> np.ndarray:
        """The most probable section per statement (the product chooses the chapter first: :class:`Classifier`)."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def confidence(self, P: np.ndarray) -> np.ndarray:
        """Calibrated probability that the section chosen from ``P`` (chapter first) is right."""
        if not len(P):
            return np.zeros(0)
        F, _ = confidence_features(P, self.section_chapter_)
        return 1 / (1 + np.exp(-(F @ self.confidence_coef_ + self.confidence_intercept_[0])))

    def similar_quotes(self, X: Sequence[Prepared], k: int = 3, E: np.ndarray | None = None) -> list[list[dict]]:
        """The ``k`` anthology quotes nearest to each statement (cosine of the embeddings): the evidence."""
        X = list(X)
        if not X or not len(self.ev_E_):
            return [[] for _ in X]
        S = (self._embed(X) if E is None else E) @ self.ev_E_.T
        order = np.argsort(-S, axis=1, kind="stable")[:, :k]
        return [[{**self.evidence_[j], "similarity": round(float(S[i, j]), 4)} for j in row]
                for i, row in enumerate(order)]

    # ------------------------------------------------------------ state: arrays and JSON only
    ARRAYS = ("section_E_", "title_E_", "lex_idf_", "chapter_coef_", "chapter_intercept_", "chapter_classes_",
              "feature_mean_", "feature_scale_", "weights_", "weights_corrections_", "ev_E_", "ev_y_", "added_E_",
              "added_y_", "confidence_coef_", "confidence_intercept_")

    def get_state(self) -> tuple[dict[str, np.ndarray], dict]:
        """The fitted model as numeric arrays and JSON-able data (no Python objects)."""
        arrays = {name: np.asarray(getattr(self, name)) for name in self.ARRAYS}
        arrays["section_lex"] = np.asarray(self.section_lex_)
        data = {"params": self.get_params(), "temperature": self.temperature_, "classes": self.classes_.tolist(),
                "lex_vocabulary": self.lex_vocabulary_, "evidence": self.evidence_,
                "n_corrections": self.n_corrections_}
        return arrays, data

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], data: dict) -> "RankerScores":
        """The model saved by :meth:`get_state` (``cls(**params)``, then the fitted arrays)."""
        params = data["params"]
        model = cls(**params)
        model._taxonomy_arrays(load_taxonomy(params.get("taxonomy_path")))
        if model.classes_.tolist() != data["classes"]:
            raise ValueError("the model's sections differ from data/sections.json; retrain it")
        for name in cls.ARRAYS:
            setattr(model, name, arrays[name])
        model.section_lex_ = np.asarray(arrays["section_lex"], dtype=np.float64)
        model.temperature_ = float(data["temperature"])
        model.lex_vocabulary_ = {str(k): int(v) for k, v in data["lex_vocabulary"].items()}
        model.evidence_ = data["evidence"]
        model.n_corrections_ = int(data["n_corrections"])
        return model


class FittedRanker(RankerScores):
    """A theme ranker loaded from a model file (:meth:`RankerScores.from_state`): it scores, it is not fitted
    again (train a :class:`~mh_nlp.themes.model.ThemeRanker` for that)."""

    def __init__(self, **params):
        self._params = dict(params)
        self.encoder = params.get("encoder", "e5")
        self.taxonomy_path = params.get("taxonomy_path")

    def get_params(self, deep: bool = True) -> dict:
        return dict(self._params)
