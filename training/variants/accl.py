"""Round 58, `accl`: the conditional logit's weights learnt on the likelihood of the *accepted* sections (the quote's
section or one of its ``alt_sections``: 84 of the 573 quotes have some), log sum_{s accepted} p_s, as the protocols
count an answer right and as the temperature is already fitted — instead of the quote's one section. The held-out
rows' accepted sections are found by making the fit's own inner splits again (same folds, same seed) and checked
against the rows' sections. Everything else stays as it is."""
import numpy as np
from scipy.optimize import minimize

from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.themes import examples as ex
from mh_nlp.themes import model as m

_fit, _cl = ex.ExampleRanker.fit, m.conditional_logit
ROWS: dict = {}


def fit(self, X, y, kinds=None, groups=None, accepted=None, sources=None, stance=None):
    from sklearn.model_selection import GroupKFold, KFold

    n = len(y)
    self._taxonomy_arrays(load_taxonomy(self.taxonomy_path))
    col = {s: j for j, s in enumerate(self.classes_)}
    kinds_ = np.array(list(kinds) if kinds is not None else ["quote"] * n)
    groups_ = np.array([str(g) for g in (groups if groups is not None else range(n))], dtype=object)
    acc = ([[col[s] for s in a if s in col] or [col[y[i]]] for i, a in enumerate(accepted)]
           if accepted is not None else [[col[s]] for s in y])
    q = np.flatnonzero(kinds_ == "quote")
    splits = []
    if len(q) >= 2 * self.inner_folds:
        k = min(self.inner_folds, len(set(groups_[q].tolist())))
        if k >= 2:
            splits += list(GroupKFold(k).split(q, groups=groups_[q]))
        splits += list(KFold(self.inner_folds, shuffle=True, random_state=self.seed).split(q))
    ROWS["accepted"] = [acc[i] for _, te in splits for i in q[te]]
    try:
        return _fit(self, X, y, kinds=kinds, groups=groups, accepted=accepted, sources=sources, stance=stance)
    finally:
        ROWS.clear()


def conditional_logit(F, y, allowed, l2, nonneg=()):
    accepted = ROWS.get("accepted")
    if accepted is None or len(accepted) != len(y):
        return _cl(F, y, allowed, l2, nonneg)
    assert all(int(t) in a for t, a in zip(y, accepted)), "the inner splits were not made again alike"
    n, S, d = F.shape
    M = np.zeros((n, S), dtype=bool)
    for i, a in enumerate(accepted):
        M[i, a] = True

    def loss(w):
        z = np.where(allowed[None, :], F @ w, -1e9)
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        pa = np.where(M, p, 0.0)
        mass = pa.sum(axis=1)
        q = pa / mass[:, None]  # the accepted sections' share of their mass
        grad = -(np.einsum("ns,nsd->nd", q, F) - np.einsum("ns,nsd->nd", p, F)).sum(axis=0) + l2 * n * w
        return -np.log(mass).sum() + 0.5 * l2 * n * w @ w, grad

    bounds = [(0.0, None) if i in nonneg else (None, None) for i in range(d)]
    return minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B", bounds=bounds).x


ex.ExampleRanker.fit = fit
m.conditional_logit = conditional_logit
