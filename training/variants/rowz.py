"""Round 21, `rowz`: every evidence feature but ``prior`` and ``has_quotes`` standardised *per statement* over the
sections (the statement's mean over the sections taken off, divided by its standard deviation over them) before the
model's usual standardisation and weights, so that a long statement, whose cosines to the sections lie close
together, is not given a flatter distribution than a short one. ``MH_NLP_ROWZ=sims``: the four cosine features only
(``nearest``, ``sharp``, ``centroid``, ``title``). The memory term (a verbatim example) keeps the raw cosine."""
import os

import numpy as np

from mh_nlp.themes import examples as ex

NAMES = (("nearest", "sharp", "centroid", "title") if os.environ.get("MH_NLP_ROWZ") == "sims"
         else tuple(f for f in ex.FEATURES if f not in ex.FREE_SIGN))
COLS = [ex.FEATURES.index(f) for f in NAMES]
NEAREST = ex.FEATURES.index("nearest")
_features = ex.ExampleScores._features


def features(self, base, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base, D, E, K, skip), dtype=np.float64)
    self._raw_nearest = F[:, :, NEAREST].copy()
    for k in COLS:
        if ex.FEATURES[k] in skip:
            continue
        f = F[:, :, k]
        F[:, :, k] = (f - f.mean(axis=1, keepdims=True)) / (f.std(axis=1, keepdims=True) + 1e-9)
    return F


def decision_function(self, X, E=None):
    X = list(X)
    if not X:
        return np.zeros((0, len(self.classes_)))
    E = self._embed(X) if E is None else E
    skip = frozenset(f for f, w in zip(ex.FEATURES, self.weights_) if w == 0)
    F = self._features(self._state_base(), self._design(E, X), E, self._keywords(X), skip)
    live = self.weights_ != 0
    z = ((F[:, :, live] - self.feature_mean_[live]) / self.feature_scale_[live]) @ self.weights_[live]
    z = z + self.memory_weight * self._memory(self._raw_nearest)
    weight, floor = self.correction_term_
    corrections = np.flatnonzero(np.asarray(self.examples_kind_) == ex.KINDS.index("correction")) if weight else []
    if len(corrections):
        z = z + weight * self._closeness(E, self.examples_E_[corrections], self.examples_y_[corrections], floor)
    return z


ex.ExampleScores._features = features
ex.ExampleScores.decision_function = decision_function
