"""Round 14, `mix3` (after the gate analysis of rounds 12-13): three experts averaged with equal shares — the page
expert and the random expert of round 12 (``mix.py``) and the default's own weights, learnt on both kinds of held-out
quotes at once. Each keeps its own temperature; the mixture is not recalibrated. Nothing else changes.

Round 15: the default's weights with the share ``MH_NLP_JOINT_SHARE`` (1/3 by default), the two experts half of
the rest each."""
import os
import runpy
from pathlib import Path

import numpy as np

from mh_nlp.themes import examples as ex

JOINT = float(os.environ.get("MH_NLP_JOINT_SHARE", str(1 / 3)))
MIX = runpy.run_path(str(Path(__file__).with_name("mix.py")))  # patches fit (the two experts) and scoring


def decision_function(self, X, E=None):
    X = list(X)
    if not X:
        return np.zeros((0, len(self.classes_)))
    E = self._embed(X) if E is None else E
    F = MIX["_features"](self, self._state_base(), self._design(E, X), E, self._keywords(X))
    G = (F - self.feature_mean_) / self.feature_scale_
    extra = self.memory_weight * self._memory(F[:, :, ex.FEATURES.index("nearest")])
    experts = [*self.experts_, (self.weights_, self.temperature_)]
    shares = [(1 - JOINT) / 2, (1 - JOINT) / 2, JOINT]
    P = sum(s * ex.softmax((G @ w + extra) / t) for s, (w, t) in zip(shares, experts))
    return np.log(P + 1e-300) * self.temperature_  # predict_proba divides by the temperature again


ex.ExampleScores.decision_function = decision_function
