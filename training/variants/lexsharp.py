"""Round 39, `lexsharp`: the written lexicon as a feature of its own. The `sharp` slot (weight 0 in the default)
becomes the stem TF-IDF overlap of a statement with the section's lexicon terms alone (the same vectorizer as the
keywords feature), learnt with its own weight; the keywords feature (title, description and lexicon) unchanged.
`_keywords` returns both overlaps side by side, so that every row selection of the fit keeps them together."""
import numpy as np

from mh_nlp.corpus.written import load_lexicon
from mh_nlp.themes import examples as ex

SHARP = ex.FEATURES.index("sharp")
_keywords, _features, _keyword_texts = (ex.ExampleScores._keywords, ex.ExampleScores._features,
                                        ex.ExampleScores._keyword_texts)


def keyword_texts(self, tax):
    terms = load_lexicon(tax)
    self._lexicon_only = [" ".join(terms.get(s, ())) for s in self.classes_]
    return _keyword_texts(self, tax)


def keywords(self, X):
    K = _keywords(self, X)
    rows = getattr(self, "_lexicon_rows", None)
    if rows is None or rows[0] is not self._lexv:
        self._lexicon_rows = rows = (self._lexv, self._lexv.transform(self._lexicon_only))
    return np.hstack([K, self._lexv.similarity([x.lemmas for x in X], rows[1])])


def features(self, base, D, E, K, skip=frozenset()):
    S = K.shape[1] // 2
    F = np.array(_features(self, base, D, E, K[:, :S], frozenset(skip) | {"sharp"}))
    F[:, :, SHARP] = K[:, S:]
    return F


ex.ExampleScores._keyword_texts = keyword_texts
ex.ExampleScores._keywords = keywords
ex.ExampleScores._features = features
