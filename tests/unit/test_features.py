"""The fast feature transforms give exactly what their plain counterparts give."""
from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings, strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from mh_nlp.corpus.records import load_quotes
from mh_nlp.themes.baselines import CharNgrams, StanceCues
from mh_nlp.themes.features import Prepared, load_cues

CORPUS = [q.text.lower() for q in load_quotes()[:200]]
EDGE = ["", "   ", "a", "ab", "x y", "één  twee\tdrie\nvier", "nla-inspectie; 12,5%", "aaaa aaaa aaaa", "ß ǆ"]


def _pair(**kw):
    params = dict(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, **kw)
    return TfidfVectorizer(**params).fit(CORPUS), CharNgrams(**params).fit(CORPUS)


def test_char_ngrams_equal_scikit_learn():
    plain, fast = _pair()
    texts = CORPUS[::3] + EDGE
    assert np.abs((plain.transform(texts) - fast.transform(texts)).toarray()).max() < 1e-12
    assert np.abs((plain.transform(texts) - fast.transform(texts)).toarray()).max() < 1e-12  # cached words
    assert fast.transform([]).shape == (0, len(fast.vocabulary_))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdeéë -.\n\t", max_size=40), min_size=1, max_size=5))
def test_char_ngrams_equal_scikit_learn_on_any_text(texts):
    plain, fast = _pair()
    assert np.abs((plain.transform(texts) - fast.transform(texts)).toarray()).max() < 1e-12


def test_char_ngrams_pickle_without_their_cache():
    import pickle

    _, fast = _pair()
    fast.transform(CORPUS[:5])
    assert "word_ids_" in fast.__dict__
    again = pickle.loads(pickle.dumps(fast))
    assert "word_ids_" not in again.__dict__
    assert np.allclose(again.transform(CORPUS[:5]).toarray(), fast.transform(CORPUS[:5]).toarray())


def _plain_cue_counts(cues: StanceCues, text: str) -> np.ndarray:
    """The cue features counted the slow way: every pattern's regex on the text."""
    row = np.zeros(len(cues.groups_) + len(cues.patterns_))
    gi = {g: i for i, g in enumerate(cues.groups_)}
    for j, (g, pat) in enumerate(cues.patterns_):
        n = len(pat.findall(text))
        row[gi[g]] += n
        row[len(cues.groups_) + j] = 1.0 if n else 0.0
    row[: len(cues.groups_)] = np.log1p(row[: len(cues.groups_)])
    return row


def test_stance_cue_prefilter_changes_nothing():
    cues = StanceCues().fit([])
    texts = [q.text for q in load_quotes()[:150]] + [
        "STEEDS MEER zaken; Waarom? Te Weinig.", "nietniet geen-geen", "Er is méér dan genoeg", "ſteeds meer"]
    got = cues.transform([Prepared(t, "", "") for t in texts]).toarray()
    want = np.stack([_plain_cue_counts(cues, t) for t in texts])
    assert np.array_equal(got, want)
    assert got[-4, :].sum() > 0  # upper-case cues are found


def test_every_cue_is_a_phrase_of_the_data_file():
    cues = load_cues()
    assert all(isinstance(c, str) and c == c.strip() and c for group in cues.values() for c in group)
    assert {"trend", "problem", "good", "ambition"} <= set(cues)
    assert all(re.search(r"\w", c) for group in cues.values() for c in group)


def test_stem_tfidf_equals_scikit_learn():
    from mh_nlp.themes.features import StemTfidf, stems

    fitted = TfidfVectorizer(analyzer=stems, sublinear_tf=True).fit(CORPUS)
    ours = StemTfidf({k: int(v) for k, v in fitted.vocabulary_.items()}, fitted.idf_)
    texts = CORPUS[::3] + EDGE + ["slachtoffers slachtoffers slachtofferschap uitbuiting", "qqqqqq zzzzzz"]
    dense = ours.transform(texts)
    assert np.abs(fitted.transform(texts).toarray() - dense).max() < 1e-12
    assert np.allclose(np.linalg.norm(dense[dense.any(axis=1)], axis=1), 1.0) and not dense[-1].any()
    rows = fitted.transform(CORPUS[:7]).toarray()
    assert np.abs(ours.similarity(texts, rows) - fitted.transform(texts).toarray() @ rows.T).max() < 1e-12
    assert ours.transform([]).shape == (0, len(fitted.vocabulary_))


def _stance_the_slow_way(texts):
    """stance_features' cue counts with only the case-insensitive patterns (no lower-case fast path)."""
    from mh_nlp.themes.features import _cue_patterns

    pats = _cue_patterns()[0]
    return np.log1p(np.array([[len(p.findall(t)) for p in pats] for t in texts], dtype=float))


_CUE_PHRASES = sorted({c for group in load_cues().values() for c in group})
_PIECES = st.one_of(st.sampled_from(_CUE_PHRASES), st.sampled_from(_CUE_PHRASES).map(str.upper),
                    st.sampled_from(_CUE_PHRASES).map(str.title),
                    st.sampled_from(["ſ", "İ", "ı", "é", "É", "K", "ß", "µ", "\u0307", " ", "-", ".", "?", "s", "x1"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), min_size=1, max_size=5))
def test_stance_cues_lower_case_fast_path_counts_as_ignorecase(texts):
    from mh_nlp.themes.features import _cue_patterns, stance_features

    n = len(_cue_patterns()[0])
    assert np.array_equal(stance_features(texts)[:, :n], _stance_the_slow_way(texts))


def test_stance_cues_are_found_in_any_case_and_in_the_corpus_as_before():
    from mh_nlp.themes.features import _cue_patterns, stance_features

    n = len(_cue_patterns()[0])
    texts = [q.text for q in load_quotes()] + ["STEEDS MEER zaken; Waarom? Te Weinig.", "ſteeds meer", "İS STEEDS MEER"]
    got = stance_features(texts)[:, :n]
    assert np.array_equal(got, _stance_the_slow_way(texts))
    assert got[-3].sum() > 0 and got[-2].sum() > 0  # upper case, and the long s that IGNORECASE lets match "s"
