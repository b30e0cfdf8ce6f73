"""Round 49, `lexcmax` / `lexcmean`: round 46's lexical centroid (lexcent.py: the cosine of the statement's stem
TF-IDF row with each section's weighted sum of its examples' rows) made a *chapter* feature: every section of a
chapter gets the same value, the largest (``lexcmax``) or the mean (``MH_LEXC=mean``) of that cosine over the
chapter's sections. Constant within a chapter, it can move a statement between chapters but never choose between
the sections of one — round 46 raised chapter accuracy on every protocol while the section fell; the answer is the
chapter first (mh_nlp.themes.answer). Everything else as lexcent.py."""
import os
import runpy
from pathlib import Path

import numpy as np

from mh_nlp.themes import examples as ex

runpy.run_path(str(Path(__file__).with_name("lexcent.py")))  # installs round 46's base and features
SHARP = ex.FEATURES.index("sharp")
_features = ex.ExampleScores._features
HOW = os.environ.get("MH_LEXC", "max")


def features(self, base_, D, E, K, skip=frozenset()):
    F = _features(self, base_, D, E, K, skip)
    L = F[:, :, SHARP].copy()
    for c in self.chapters_:
        cols = self.section_chapter_ == c
        F[:, cols, SHARP] = (L[:, cols].max(axis=1) if HOW == "max" else L[:, cols].mean(axis=1))[:, None]
    return F


ex.ExampleScores._features = features
