"""Shared by rounds 46-47 (lexcent.py, lexchap.py; not a variant of its own): each example's and statement's stem
TF-IDF row (the keyword overlap's vectoriser), found from its design row. ``install()`` makes ``_design`` remember
the lemmas of every statement it makes a row for; ``rows(model, D)`` gives the sparse TF-IDF rows of design rows."""
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
