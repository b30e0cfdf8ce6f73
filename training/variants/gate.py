"""Round 36, `gate`: closeness gated by stance. The ``sharp`` slot (weight 0 in the default) becomes the section's
``nearest`` cosine times the chapter ridge's score of the section's chapter, clipped to [0, 1]: a statement close to
a section's examples but written in another stance (an ambition in the words of a good practice) gets less of that
section's closeness than one that also reads in its chapter's stance. The weights stay non-negative and are learnt
by the conditional logit as usual. Nothing else changes."""
import numpy as np

from mh_nlp.themes import examples as ex

SHARP, NEAREST, CHAPTER = (ex.FEATURES.index(f) for f in ("sharp", "nearest", "chapter"))
_features = ex.ExampleScores._features


def features(self, base, D, E, K_, skip=frozenset()):
    F = np.array(_features(self, base, D, E, K_, frozenset(skip) | {"sharp"}))
    F[:, :, SHARP] = F[:, :, NEAREST] * np.clip(F[:, :, CHAPTER], 0.0, 1.0)
    return F


ex.ExampleScores._features = features
