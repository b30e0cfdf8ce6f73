"""Round 54, `cuechap`: the statement's stance cues (data/stance_cues.json: the log-counts of each cue group and the
four sentence-form flags, as in the design rows) times "the section lies in chapter c", for each of the four
chapters, as more features of the conditional logit (free sign). The chapter ridge learns the cues from every example,
most of them written statements; these weights are learnt on the anthology's quotes held out inside the training data,
so that they read the stance as the anthology's fragments show it. Everything else stays as it is."""
import numpy as np

from mh_nlp.themes import examples as ex
from mh_nlp.themes.features import stance_features

_features = ex.ExampleScores._features
BASE = ex.FEATURES


def features(self, base_, D, E, K, skip=frozenset()):
    F = np.asarray(_features(self, base_, D, E, K, skip))[:, :, :len(BASE)]
    cues = np.asarray(D)[:, np.asarray(E).shape[1]:]  # (n, cue columns)
    inside = (self.section_chapter_[None, :] == self.chapters_[:, None]).astype(float)  # (chapters, S)
    X = cues[:, None, :, None] * inside.T[None, :, None, :]  # (n, S, cues, chapters)
    return np.concatenate([F, X.reshape(len(D), len(self.classes_), -1)], axis=2)


N_CUES = stance_features(["x"]).shape[1]  # the cue groups of data/stance_cues.json and 4 sentence-form flags
EXTRA = tuple(f"cue{g}_ch{c}" for g in range(N_CUES) for c in range(1, 5))
ex.FEATURES = BASE + EXTRA
ex.FREE_SIGN = tuple(ex.FREE_SIGN) + EXTRA
ex.ExampleScores._features = features
