"""Round 50, `lexnear`: the `sharp` slot (weight 0 in the default) becomes a lexical *nearest example*: the largest
cosine of the statement's stem TF-IDF row (the keyword overlap's vectoriser) with the row of any one example of the
section (quotes, written statements, corrections) — the example that shares most of the statement's words, beside the
sentence encoder's nearest. Everything else stays as it is (the rows of lexrows.py)."""
import runpy
from pathlib import Path

import numpy as np

from mh_nlp.themes import examples as ex

_shared = runpy.run_path(str(Path(__file__).with_name("lexrows.py")))
_shared["install"]()
ROWS = _shared["rows"]
SHARP = ex.FEATURES.index("sharp")
_base = ex.ExampleScores._base
_features = ex.ExampleScores._features


def base(self, D, E, y, w, is_quote, stance=None):
    out = _base(self, D, E, y, w, is_quote, stance)
    out["lexnear"] = (ROWS(self, D).T.tocsr(), np.asarray(y))
    self._lexnear_last = out["lexnear"]
    return out


def features(self, base_, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base_, D, E, K, frozenset(skip) | {"sharp"}))
    Rt, y = base_.get("lexnear", getattr(self, "_lexnear_last", None))
    sims = np.asarray((ROWS(self, D) @ Rt).todense())  # (n, examples)
    out = np.zeros((len(D), len(self.classes_)))
    for s in np.unique(y):
        out[:, s] = sims[:, y == s].max(axis=1)
    F[:, :, SHARP] = out
    return F


ex.ExampleScores._base = base
ex.ExampleScores._features = features
