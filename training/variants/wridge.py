"""Round 26, `wridge`: a fourth ridge classifier, for the section, fitted on the written statements (and any
corrections) only, never on an anthology quote, as the score of the ``sharp`` slot (weight 0 in the default;
non-negative, like ``ridge``). Seen before the round (``/work/exp/s43/wdiag.py``, no choice made on it): a plain
logistic regression on the written statements alone gets 0.551 of the development sentences, above the default
model's 0.537, and 0.277 of all quotes; the section ridge learns from the quotes as well, and with them each
page's wording. This feature is the same for every inner split (the written set does not change), so the weights
learn how far a quote can be placed by a classifier that never saw a quote. The same design rows, standardisation
and penalty as the section ridge. Nothing else changes."""
import numpy as np

from mh_nlp.themes import examples as ex

SHARP = ex.FEATURES.index("sharp")
_base = ex.ExampleScores._base
_features = ex.ExampleScores._features


def base(self, D, E, y, w, is_quote, stance=None):
    b = _base(self, D, E, y, w, is_quote, stance)
    S = len(self.classes_)
    keep = ~np.asarray(is_quote, dtype=bool)
    Z = (D[keep] - b["design_mean"]) / b["design_scale"]
    Y = np.zeros((keep.sum(), S))
    Y[np.arange(keep.sum()), y[keep]] = 1.0
    b["wridge"] = ex.ridge_fit(Z, Y, w[keep], self.ridge_lambda)
    return b


def features(self, base_, D, E, K_, skip=frozenset()):
    F = np.array(_features(self, base_, D, E, K_, frozenset(skip) | {"sharp"}))
    W, c = base_["wridge"]
    F[:, :, SHARP] = ((D - base_["design_mean"]) / base_["design_scale"]) @ W + c
    return F


ex.ExampleScores._base = base
ex.ExampleScores._features = features
ex.ExampleScores._BASE_ARRAYS = ex.ExampleScores._BASE_ARRAYS + ("wridge_",)  # fit keeps it as wridge_, scoring reads it
