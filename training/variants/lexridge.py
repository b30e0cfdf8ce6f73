"""Round 52, `lexridge`: the `sharp` slot (weight 0 in the default) becomes a *discriminative* lexical score: a ridge
classifier (scikit-learn's Ridge, alpha ``MH_LEXALPHA``, 1 by default) from the stem TF-IDF rows of the examples
(the keyword overlap's vectoriser; quotes, written statements, corrections at each kind's weight) to one-hot sections,
fitted wherever the sentence encoder's ridges are (inner splits and the final fit) — which of a section's words tell it
from the others, where round 46's centroid took all of them. Everything else stays as it is (rows of lexrows.py)."""
import os
import runpy
from pathlib import Path

import numpy as np

from mh_nlp.themes import examples as ex

_shared = runpy.run_path(str(Path(__file__).with_name("lexrows.py")))
_shared["install"]()
ROWS = _shared["rows"]
SHARP = ex.FEATURES.index("sharp")
ALPHA = float(os.environ.get("MH_LEXALPHA", "1"))
_base = ex.ExampleScores._base
_features = ex.ExampleScores._features


def base(self, D, E, y, w, is_quote, stance=None):
    from sklearn.linear_model import Ridge

    out = _base(self, D, E, y, w, is_quote, stance)
    Y = (np.asarray(y)[:, None] == np.arange(len(self.classes_))[None, :]).astype(float)
    r = Ridge(alpha=ALPHA, solver="sparse_cg").fit(ROWS(self, D), Y, sample_weight=np.asarray(w, dtype=float))
    out["lexridge"] = r
    self._lexridge_last = r
    return out


def features(self, base_, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base_, D, E, K, frozenset(skip) | {"sharp"}))
    r = base_.get("lexridge", getattr(self, "_lexridge_last", None))
    F[:, :, SHARP] = r.predict(ROWS(self, D))
    return F


ex.ExampleScores._base = base
ex.ExampleScores._features = features
