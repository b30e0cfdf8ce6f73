"""Round 9, `cmargin` (not taken): the `sharp` slot (weight 0 in the default) becomes how much better the section's
centroid fits than the best other section of its chapter (its centroid cosine minus the highest of the others)."""
import numpy as np

from mh_nlp.themes import examples as ex

SHARP, CEN = ex.FEATURES.index("sharp"), ex.FEATURES.index("centroid")
_features = ex.ExampleScores._features


def features(self, base, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base, D, E, K, frozenset(skip) | {"sharp"}))
    F[:, :, SHARP] = 0.0
    ch = self.section_chapter_
    for c in np.unique(ch):
        cols = np.flatnonzero(ch == c)
        if len(cols) < 2:
            continue
        C = F[:, cols, CEN]
        first, second = np.sort(C, axis=1)[:, -1:], np.sort(C, axis=1)[:, -2:-1]
        F[:, cols, SHARP] = C - np.where(C >= first, second, first)
    return F


ex.ExampleScores._features = features
