"""Round 12, `mix`: two sets of weights instead of one — one learnt on the quotes held out by page (a new round
table), one on the quotes held out at random (new statements on known themes), each with its own temperature — and
the answer from the average of their two probability distributions (a mixture of the two experts), instead of one
set of weights fitted to both kinds of held-out quotes at once. Memory and correction terms are added to each
expert's scores alike. Nothing else changes.

Round 13 (``MH_NLP_PAGE_SHARE``, 0.5 by default): the page expert's share of the mixture, and the mixture
recalibrated (its log-probabilities divided by one temperature fitted on the held-out quotes of the training folds,
as the default's temperature is)."""
import os

import numpy as np

from mh_nlp.themes import examples as ex
from mh_nlp.themes import model as m

_fit, _cl, _temp = ex.ExampleRanker.fit, m.conditional_logit, m.fit_temperature
_features = ex.ExampleScores._features
SEEN = {}
PAGE_SHARE = float(os.environ.get("MH_NLP_PAGE_SHARE", "0.5"))
RECALIBRATE = "MH_NLP_PAGE_SHARE" in os.environ


def features(self, *args, **kwargs):
    F = _features(self, *args, **kwargs)
    if SEEN.get("recording"):
        SEEN["blocks"].append(len(F))
    return F


def conditional_logit(G, y, allowed, l2, nonneg=()):
    n_page = SEEN["n_page_rows"] = sum(SEEN["blocks"][:SEEN["page_splits"]])
    SEEN["experts"] = [(_cl(G[rows], y[rows], allowed, l2, nonneg), rows)
                       for rows in (slice(0, n_page), slice(n_page, len(y)))]
    SEEN["G"] = G
    return _cl(G, y, allowed, l2, nonneg)


def mixture(Gs, experts, extra=0.0):
    return PAGE_SHARE * ex.softmax((Gs @ experts[0][0] + extra) / experts[0][1]) + (1 - PAGE_SHARE) * ex.softmax(
        (Gs @ experts[1][0] + extra) / experts[1][1])


def fit_temperature(logits, accepted):
    SEEN["temperatures"] = [_temp(SEEN["G"][rows] @ w, accepted[rows]) for w, rows in SEEN["experts"]]
    experts = [(w, t) for (w, _), t in zip(SEEN["experts"], SEEN["temperatures"])]
    SEEN["mix_temperature"] = (_temp(np.log(mixture(SEEN["G"], experts) + 1e-300), accepted) if RECALIBRATE
                               else 1.0)
    return _temp(logits, accepted)


def fit(self, X, y, kinds=None, groups=None, *args, **kwargs):
    q = [i for i, k in enumerate(kinds if kinds is not None else ["quote"] * len(X)) if k == "quote"]
    g = set(str(groups[i]) for i in q) if groups is not None else set(range(len(q)))
    SEEN.clear()
    SEEN.update(recording=True, blocks=[], page_splits=min(self.inner_folds, len(g)))
    try:
        _fit(self, X, y, kinds, groups, *args, **kwargs)
    finally:
        SEEN["recording"] = False
    self.experts_ = [(w, t) for (w, _), t in zip(SEEN["experts"], SEEN["temperatures"])]
    self.mix_temperature_ = SEEN["mix_temperature"]
    return self


def decision_function(self, X, E=None):
    X = list(X)
    if not X:
        return np.zeros((0, len(self.classes_)))
    E = self._embed(X) if E is None else E
    F = _features(self, self._state_base(), self._design(E, X), E, self._keywords(X))
    G = (F - self.feature_mean_) / self.feature_scale_
    extra = self.memory_weight * self._memory(F[:, :, ex.FEATURES.index("nearest")])
    P = mixture(G, self.experts_, extra)
    return np.log(P + 1e-300) / self.mix_temperature_ * self.temperature_  # predict_proba divides by it again


ex.ExampleScores._features = features
m.conditional_logit = conditional_logit
m.fit_temperature = fit_temperature
ex.ExampleRanker.fit = fit
ex.ExampleScores.decision_function = decision_function
