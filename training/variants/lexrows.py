"""Shared by rounds 46-52 (lexcent.py, lexchap.py, lextopic.py, lexnear.py, lexridge.py; not a variant of its own):
each example's and statement's stem TF-IDF row (the keyword overlap's vectoriser), found from its design row, and
the 'sharp' slot (weight 0 in the default) given to a feature made of them. ``install()`` makes ``_design`` remember
the lemmas of every statement it makes a row for; ``rows(model, D)`` gives the sparse TF-IDF rows of design rows;
``slot(name, make, score)`` installs a variant: ``make(model, D, y, w, stance)`` is kept wherever the model's ridges
are fitted (inner splits and the final fit), ``score(model, kept, D)`` gives the (statements, sections) feature."""
import numpy as np
from scipy import sparse

from mh_nlp.themes import examples as ex

ROWTEXT: dict[bytes, str] = {}  # a design row -> the lemmas of its statement


def install() -> None:
    design = ex.ExampleScores._design

    def remembering(E, X):
        D = design(E, X)
        for d, x in zip(D, X):
            ROWTEXT[d.tobytes()] = x.lemmas
        return D

    ex.ExampleScores._design = staticmethod(remembering)


def rows(model, D) -> sparse.csr_matrix:
    vec = model._lexv
    data, cols, ptr = [], [], [0]
    for d in D:
        ids, w = vec.row(ROWTEXT[np.asarray(d).tobytes()])
        cols += ids.tolist()
        data += w.tolist()
        ptr.append(len(cols))
    return sparse.csr_matrix((data, cols, ptr), shape=(len(D), len(vec.idf)))


def slot(name: str, make, score) -> None:
    install()
    sharp = ex.FEATURES.index("sharp")
    _base, _features = ex.ExampleScores._base, ex.ExampleScores._features

    def base(self, D, E, y, w, is_quote, stance=None):
        out = _base(self, D, E, y, w, is_quote, stance)
        out[name] = make(self, D, y, w, stance)
        setattr(self, f"_{name}_last", out[name])  # the last made in fit is that of all examples: scoring uses it
        return out

    def features(self, base_, D, E, K, skip=frozenset()):
        F = np.array(_features(self, base_, D, E, K, frozenset(skip) | {"sharp"}))
        F[:, :, sharp] = score(self, base_.get(name, getattr(self, f"_{name}_last", None)), D)
        return F

    ex.ExampleScores._base = base
    ex.ExampleScores._features = features


def centroids(model, D, groups, n, w, stance=None, stance_groups=None) -> np.ndarray:
    """Unit-length weighted sums of the rows of the examples ``D`` by group (and of the written stance statements
    at ``stance_weight``, by ``stance_groups``, when given): one row for each of the ``n`` groups."""
    R, wt, g = [rows(model, D)], [np.asarray(w, dtype=float)], [np.asarray(groups)]
    if stance is not None and len(stance[1]) and model.stance_weight > 0:
        R.append(rows(model, stance[0]))
        wt.append(np.full(len(stance[1]), float(model.stance_weight)))
        g.append(np.asarray(stance_groups))
    g = np.concatenate(g)
    Y = sparse.csr_matrix((np.concatenate(wt), (g, np.arange(len(g)))), shape=(n, len(g)))
    C = np.asarray((Y @ sparse.vstack(R).tocsr()).todense())
    return C / (np.linalg.norm(C, axis=1, keepdims=True) + 1e-12)
