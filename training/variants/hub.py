"""Round 24, `hub`: how much a section draws statements of other sections, as a learnt correction (CSLS, Conneau et
al. 2018). For each section, its hubness is the mean cosine of its centroid (the same weighted centroid as the
``centroid`` feature) to its ``MH_NLP_HUB_K`` (default 50) nearest examples of *other* sections; a section whose
examples sit amid everyone else's (a general one, like 3.6 Jongens/mannen for sentences about victims "in beeld")
has a high hubness. The ``sharp`` slot (weight 0 in the default) becomes that number, the same for every statement,
with a free sign like ``prior`` and ``has_quotes``: CSLS's penalty is 2·cos(x, c_s) − r_s, and ``centroid`` already
carries the cosine. Computed from the examples of each training fold (inside the inner splits as well), never from
held-out quotes. Nothing else changes."""
import os

import numpy as np

from mh_nlp.themes import examples as ex

K = int(os.environ.get("MH_NLP_HUB_K", "50"))
SHARP = ex.FEATURES.index("sharp")
ex.FREE_SIGN = tuple(ex.FREE_SIGN) + ("sharp",)  # read by fit when it learns the weights
_features = ex.ExampleScores._features


def hubness(self, base) -> np.ndarray:
    """(S,): each section's mean cosine to the K nearest examples of other sections (0 for a section without
    examples, whose other features are empty as well)."""
    if "hub" not in base:
        examples_E, sections, bounds, centroids = self._grouped(base)
        ys = np.repeat(sections, np.diff(bounds))
        sims = centroids.astype(np.float32) @ examples_E.T  # (sections with examples, examples)
        sims[ys[None, :] == sections[:, None]] = -np.inf  # its own examples do not count
        k = min(K, sims.shape[1] - 1)
        top = -np.partition(-sims, k - 1, axis=1)[:, :k]
        hub = np.zeros(len(self.classes_))
        hub[sections] = top.mean(axis=1)
        base["hub"] = hub
    return base["hub"]


def features(self, base, D, E, K_, skip=frozenset()):
    F = np.array(_features(self, base, D, E, K_, frozenset(skip) | {"sharp"}))
    F[:, :, SHARP] = hubness(self, base)[None, :]
    return F


ex.ExampleScores._features = features
