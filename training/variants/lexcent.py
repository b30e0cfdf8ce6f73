"""Round 46, `lexcent`: the `sharp` slot (weight 0 in the default) becomes a lexical centroid: the cosine of the
statement's stem TF-IDF row (the keyword overlap's vectoriser) with the weighted sum of the rows of the section's
examples (quotes, written statements, corrections; each kind's weight), unit length — what the words of a section's
examples have in common, beside the sentence encoder's centroid. Everything else stays as it is."""
import runpy
from pathlib import Path

import numpy as np
from scipy import sparse

from mh_nlp.themes import examples as ex

_shared = runpy.run_path(str(Path(__file__).with_name("lexrows.py")))
_shared["install"]()
ROWS = _shared["rows"]
SHARP = ex.FEATURES.index("sharp")
_base = ex.ExampleScores._base
_features = ex.ExampleScores._features


def base(self, D, E, y, w, is_quote, stance=None):
    out = _base(self, D, E, y, w, is_quote, stance)
    S = len(self.classes_)
    Y = sparse.csr_matrix((w, (y, np.arange(len(y)))), shape=(S, len(y)))
    C = np.asarray((Y @ ROWS(self, D)).todense())
    C /= np.linalg.norm(C, axis=1, keepdims=True) + 1e-12
    out["lexcent"] = C
    self._lexcent_last = C  # the last base made in fit is the one of all examples: scoring uses it
    return out


def features(self, base_, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base_, D, E, K, frozenset(skip) | {"sharp"}))
    C = base_.get("lexcent", getattr(self, "_lexcent_last", None))
    F[:, :, SHARP] = np.asarray(ROWS(self, D) @ C.T)
    return F


ex.ExampleScores._base = base
ex.ExampleScores._features = features
