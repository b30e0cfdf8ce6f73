"""What the theme model reads of a statement: the spaCy view (:class:`Prepared`), word stems and their TF-IDF,
stance cues and sentence form. NumPy and the standard library only (no scikit-learn), so that loading a model
and classifying a statement start fast; the training side (:mod:`mh_nlp.themes.model`) uses the same functions."""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..exceptions import CorpusError
from ..paths import data_file


@dataclass(frozen=True)
class Prepared:
    """One statement as the classifier sees it."""

    norm: str  # normalised text
    lemmas: str  # lower-case lemmas of the word tokens, space separated
    entities: str  # entity ids/labels as tokens (``ent_nla ent_uitbuiting_criminele``)


def prepare(texts: Sequence[str], base: str | None = None, batch_size: int = 256, entities: bool = True
            ) -> list[Prepared]:
    """Texts -> :class:`Prepared`, through the spaCy pipeline of ``base`` (``nlp.pipe``; its tokenizer normalises,
    so ``doc.text`` is the normalised text). With ``entities=False`` the entity ruler is not run (a model that
    reads only the text and lemmas, as theme model v3, is then faster) and ``entities`` is empty; nor are the
    components that only mark sentences or entities (``sentencizer``, ``ner``), which the lemmas do not use."""
    from ..nlp.pipeline import RULER_NAME, load_pipeline, memory_zone_for

    nlp = load_pipeline(base)
    texts = [str(t) for t in texts]
    if entities:
        with memory_zone_for(nlp, texts):
            return [prepare_doc(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]
    table = _lookup_table(nlp)  # the blank pipeline's lookup lemmatizer, done here word by word (below)
    skip = {RULER_NAME, "sentencizer", "ner"} | ({"lemmatizer"} if table is not None else set())
    with memory_zone_for(nlp, texts):  # the components one by one, without those: the shared pipeline is unchanged
        docs = (nlp.make_doc(t) for t in texts)
        for name, proc in nlp.pipeline:
            if name not in skip:
                docs = proc.pipe(docs, batch_size=batch_size) if hasattr(proc, "pipe") else map(proc, docs)
        return [prepare_doc(doc, table, entities=False) for doc in docs]


def _lookup_table(nlp):
    """A dict-like ``word -> lemma`` that gives the same lemmas as ``nlp``'s lemmatizer, when that is the Dutch
    lookup lemmatizer (the blank pipeline's), which fills in a token without a lemma from its lower-case text;
    else None (a trained pipeline's lemmatizer runs as it is)."""
    from spacy.lang.nl.lemmatizer import DutchLemmatizer

    if "lemmatizer" not in nlp.pipe_names:
        return None
    lem = nlp.get_pipe("lemmatizer")
    if (type(lem) is not DutchLemmatizer or lem.mode != "lookup" or lem.overwrite
            or lem.lemmatize != lem.lookup_lemmatize):
        return None
    table = lem.lookups.get_table("lemma_lookup", {})
    cached = _LOOKUPS.get(id(table))
    if cached is None or cached.table is not table:  # one per table, so its memo is kept between calls
        cached = _LOOKUPS[id(table)] = _CachedLookup(table)
    return cached


class _CachedLookup:
    """``get(word)`` as the lookup lemmatizer does it (``table.get(word, word)``), remembered in a plain dict
    (spaCy's table hashes every key anew) of at most ``limit`` words."""

    def __init__(self, table, limit: int = 50_000):
        self.table, self.memo, self.limit = table, {}, limit

    def get(self, word: str) -> str:
        lemma = self.memo.get(word)
        if lemma is None:
            if len(self.memo) >= self.limit:
                self.memo.clear()
            lemma = self.memo[word] = self.table.get(word, word)
        return lemma


_LOOKUPS: dict[int, _CachedLookup] = {}
_LEMMA_ATTRS = None
_doc_text = None


def prepare_doc(doc, table=None, entities: bool = True) -> Prepared:
    """The classifier's view of a ``Doc`` made by our pipeline (normalising tokenizer, lemmas, entities).
    Lemmas are read as one array (no ``Token`` object per word): the lower-case lemma, else the lower-case word,
    of every token that is neither punctuation nor space. With ``table`` (:func:`_lookup_table`), the lemmatizer
    has not run: a token without a lemma gets ``table.get(lower-case word)``, as the lemmatizer would give it."""
    global _LEMMA_ATTRS, _doc_text
    if _LEMMA_ATTRS is None:
        from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LOWER

        from ..nlp.pipeline import doc_text as _doc_text

        _LEMMA_ATTRS = [LEMMA, LOWER, IS_PUNCT, IS_SPACE]
    strings = doc.vocab.strings
    rows = doc.to_array(_LEMMA_ATTRS).tolist()
    if table is None:
        words = (strings[lemma].lower() or strings[lower] for lemma, lower, punct, space in rows if not (punct or space))
    else:
        words = ((strings[lemma] if lemma else table.get(strings[lower])).lower() or strings[lower]
                 for lemma, lower, punct, space in rows if not (punct or space))
    ents = (" ".join("ent_" + _NON_WORD.sub("_", (e.ent_id_ or e.label_).lower()) for e in doc.ents)
            if entities else "")
    return Prepared(_doc_text(doc), " ".join(words), ents)


_NON_WORD = re.compile(r"\W+")


@lru_cache(maxsize=2)
def load_cues(path: str | None = None) -> dict[str, list[str]]:
    where = path or data_file("stance_cues.json")
    try:
        raw = json.loads(Path(where).read_text(encoding="utf-8"))  # (QA 43b: an open file left to the GC)
        cues = {k: v for k, v in raw.items() if not k.startswith("_")}
        if not all(isinstance(v, list) and all(isinstance(c, str) for c in v) for v in cues.values()):
            raise ValueError("each stance's cues must be a list of phrases")
        return cues
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:  # damaged: one line naming the file
        raise CorpusError(f"{where}: not a table of stance cues ({exc.__class__.__name__}: {exc})") from None


_WORD = re.compile(r"\w+")
STEM = 6


def stems(text: str) -> list[str]:
    """Words of three letters or more cut to their first six letters: a crude Dutch stemmer for keyword overlap."""
    return [w[:STEM] for w in _WORD.findall(text.lower()) if len(w) > 2]


class StemTfidf:
    """TF-IDF rows of word stems (:func:`stems`) for a fitted vocabulary and idf: sublinear term frequency
    (1 + log count) times idf, each row scaled to unit length. The rows equal those of scikit-learn's
    ``TfidfVectorizer(analyzer=stems, sublinear_tf=True)`` with the same vocabulary and idf (a unit test compares
    them): the model is fitted with scikit-learn and scores with this, which needs NumPy only."""

    def __init__(self, vocabulary: Mapping[str, int], idf: np.ndarray):
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)

    @classmethod
    def fit(cls, texts: Sequence[str]) -> "StemTfidf":
        """Vocabulary and idf of ``texts``, fitted by scikit-learn (imported here: scoring needs NumPy only)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(analyzer=stems, sublinear_tf=True).fit(texts)
        return cls({k: int(v) for k, v in vec.vocabulary_.items()}, vec.idf_)

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and weights of the non-zero entries of ``text``'s row."""
        ids, w = self._entries(text)
        return np.array(ids, dtype=np.int64), np.array(w, dtype=np.float64)

    def _entries(self, text: str) -> tuple[list[int], list[float]]:
        """:meth:`row` as Python lists, in plain Python arithmetic: for a short statement NumPy's per-call cost was
        most of the time."""
        vocab = self.vocabulary
        idf = getattr(self, "_idf_list", None)
        if idf is None:
            idf = self._idf_list = self.idf.tolist()
        counts = Counter(vocab[s] for s in stems(text) if s in vocab)
        ids = list(counts)
        w = [(math.log(c) + 1.0) * idf[j] for j, c in counts.items()]
        norm = math.sqrt(sum(v * v for v in w))
        return ids, ([v / norm for v in w] if norm else w)

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Dense rows, ``(len(texts), len(vocabulary))``."""
        out = np.zeros((len(texts), len(self.idf)))
        for i, text in enumerate(texts):
            ids, w = self.row(text)
            out[i, ids] = w
        return out

    def similarity(self, texts: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """Dot products of each text's row with each of ``rows`` (``(m, len(vocabulary))``): ``(len(texts), m)``.
        All texts at once: each non-zero entry picks its column of ``rows``, weighted, and each text's entries are
        summed (a text without a known stem stays 0)."""
        out = np.zeros((len(texts), len(rows)))
        ids, w, sizes = [], [], []
        for text in texts:
            i, v = self._entries(text)
            ids += i
            w += v
            sizes.append(len(i))
        if ids:
            sizes = np.array(sizes)
            some = np.flatnonzero(sizes)
            starts = np.r_[0, np.cumsum(sizes)[:-1]][some]
            picked = np.asarray(rows).T[np.array(ids)] * np.array(w)[:, None]
            out[some] = np.add.reduceat(picked, starts, axis=0)
        return out


# sentence form: ambitions are often nominal or infinitive phrases ("Meer daders vervolgen", "Betere bescherming")
AMBITION_OPENERS = frozenset(("meer", "betere", "beter", "minder", "goede", "alle", "iedere", "elke", "structurele",
                              "structureel", "voldoende", "snellere", "sterkere", "grotere", "duidelijke", "een"))
FINITE_VERBS = frozenset(("is", "zijn", "was", "waren", "wordt", "worden", "werd", "werden", "heeft", "hebben",
                          "had", "hadden", "kan", "kunnen", "moet", "moeten", "zou", "zouden", "wil", "willen",
                          "gaat", "gaan", "ziet", "zien", "zie", "komt", "komen", "blijft", "blijven", "lijkt",
                          "neemt", "nemen", "vindt", "vinden", "weet", "weten", "krijgt", "krijgen", "mag", "mogen"))


@lru_cache(maxsize=2)
def _cue_patterns(path: str | None = None) -> tuple[list[re.Pattern], list[re.Pattern], re.Pattern]:
    """One pattern per cue group, case-insensitive; the same patterns for lower-case text (about four times
    faster); and which texts the second may be used for. ``re.IGNORECASE`` is not quite ``str.lower``: it lets
    ``ſ`` match ``s``, and ``İ`` lower-cases to two characters. So the fast patterns are used only for a text made
    of characters below U+0250 for which the two agree on every character of the cues (checked here, once)."""
    cues = load_cues(path)
    groups = [sorted(cues[g], key=len, reverse=True) for g in sorted(cues)]

    def compile_all(lower: bool) -> list[re.Pattern]:
        return [re.compile(r"(?<!\w)(?:" + "|".join(re.escape(c.lower() if lower else c) for c in group)
                           + r")(?!\w)", 0 if lower else re.IGNORECASE) for group in groups]

    chars = "".join(map(chr, range(0x250)))
    lowered: dict[str, set[str]] = {}  # lower-case character -> the characters that lower-case to it
    for t in chars:
        lowered.setdefault(t.lower(), set()).add(t)
    word = re.compile(r"\w")
    differ = {t for t in chars if len(t.lower()) != 1 or bool(word.match(t)) != bool(word.match(t.lower()))}
    for p in {ch for group in groups for c in group for ch in c.lower()}:  # every character of the cues
        differ |= set(re.findall(re.escape(p), chars, re.IGNORECASE)) ^ lowered.get(p, set())
    safe = re.compile("[" + "".join(re.escape(t) for t in chars if t not in differ) + "]*")
    return compile_all(False), compile_all(True), safe


def has_stance_cue(text: str) -> bool:
    """True when ``text`` holds a stance cue of any group (``data/stance_cues.json``: "te weinig", "geen", "moet" …),
    matched as :func:`stance_features` matches them."""
    return any(p.search(text) for p in _cue_patterns()[0])


def stance_features(texts: Sequence[str], path: str | None = None) -> np.ndarray:
    """Per text: log(1 + count) of each stance cue group (``data/stance_cues.json``) and the sentence form
    (opens with an ambition word, has no common finite verb, ends in an infinitive-like word, is a question)."""
    pats, lower_pats, safe = _cue_patterns(path)
    rows = []
    for text in texts:  # plain Python numbers, one array at the end: element-wise NumPy was most of the time
        low = text.lower()
        words = _WORD.findall(low)
        counts = ([len(pat.findall(low)) for pat in lower_pats] if safe.fullmatch(text)
                  else [len(pat.findall(text)) for pat in pats])
        rows.append(counts + [
            bool(words) and words[0] in AMBITION_OPENERS,
            bool(words) and not FINITE_VERBS.intersection(words),
            bool(words) and words[-1].endswith("en"),
            "?" in text,
        ])
    out = np.array(rows, dtype=float).reshape(len(texts), len(pats) + 4)
    out[:, :len(pats)] = np.log1p(out[:, :len(pats)])
    return out
