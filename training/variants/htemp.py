"""Round 42, `htemp`: a temperature for the chapter and one within it. The probabilities become
P(s) = P(chapter c(s)) * P(s | c(s)), with P(s | c) the softmax of z / T over the sections of c and P(c) the softmax
over chapters of a * logsumexp_{s in c}(z_s / T): a = 1 is today's one temperature T. (T, a) are fitted together by
the same negative log-likelihood of the accepted sections on the same held-out rows of the inner splits as today's
temperature. Nothing else changes (the weights, the correction term with T)."""
import numpy as np
from scipy.optimize import minimize

from mh_nlp.themes import examples as ex
from mh_nlp.themes import model as m

_STATE = {"chap": None, "a": 1.0}


def hlogp(z, chap, T, a):
    u = z / T
    cs = np.unique(chap)
    L = np.stack([np.logaddexp.reduce(u[:, chap == c], axis=1) for c in cs], axis=1)  # (n, C)
    Lc = a * L
    logPc = Lc - np.logaddexp.reduce(Lc, axis=1, keepdims=True)
    idx = np.searchsorted(cs, chap)
    return u - L[:, idx] + logPc[:, idx]


def fit_temperature(logits, accepted):
    chap = _STATE["chap"]
    masks = m.accepted_mask(accepted, logits.shape[1])

    def nll(p):
        lp = hlogp(logits, chap, np.exp(p[0]), np.exp(p[1]))
        return -np.log((np.exp(lp) * masks).sum(axis=1) + 1e-12).sum()

    res = minimize(nll, np.zeros(2), method="L-BFGS-B", bounds=[(-3.0, 3.0), (-3.0, 3.0)])
    _STATE["a"] = float(np.exp(res.x[1]))
    return float(np.exp(res.x[0]))


_tax = ex.ExampleScores._taxonomy_arrays


def _taxonomy_arrays(self, tax):
    _tax(self, tax)
    _STATE["chap"] = np.asarray(self.section_chapter_)


_fit = ex.ExampleRanker.fit


def fit(self, *args, **kwargs):
    out = _fit(self, *args, **kwargs)
    self.chapter_a_ = _STATE["a"]
    print(f"    [htemp] T {self.temperature_:.3f} a {self.chapter_a_:.3f}", flush=True)
    return out


def predict_proba(self, X, E=None):
    z = self.decision_function(X, E)
    lp = hlogp(z, np.asarray(self.section_chapter_), self.temperature_, getattr(self, "chapter_a_", 1.0))
    return np.exp(lp - np.logaddexp.reduce(lp, axis=1, keepdims=True))


m.fit_temperature = fit_temperature
ex.ExampleScores._taxonomy_arrays = _taxonomy_arrays
ex.ExampleRanker.fit = fit
ex.ExampleScores.predict_proba = predict_proba
