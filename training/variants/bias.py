"""Round 16, `bias`: a learnt bias for every section that has anthology quotes — one more feature per section,
(the section is s) x ``has_quotes``, free sign and the same l2 penalty, learnt with the other weights on the held-out
quotes, so that a section that draws too many or too few statements is corrected. ``MH_NLP_BIAS=topic``: one bias
per topic instead. A section known only from written statements gets none (without quotes it would only learn to
be pushed away). ``MH_NLP_BIAS=chapter`` (round 18): one bias per chapter, on every section of the chapter."""
import os

import numpy as np

from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.themes import examples as ex

BASE = ex.FEATURES
LEVEL = os.environ.get("MH_NLP_BIAS", "section")
_tax = ex.ExampleScores.__new__(ex.ExampleScores)
_tax.taxonomy_path = None
_tax._taxonomy_arrays(load_taxonomy())
CHAPTERS = np.unique(np.asarray(_tax.section_chapter_))
N_GROUPS = (len(_tax.classes_) if LEVEL == "section" else len(CHAPTERS) if LEVEL == "chapter"
            else int(_tax.section_topic_.max()) + 1)
ex.FEATURES = BASE + tuple(f"bias@{j}" for j in range(N_GROUPS))
ex.FREE_SIGN = ("prior", "has_quotes") + ex.FEATURES[len(BASE):]
_features = ex.ExampleScores._features


def features(self, base, D, E, K, skip=frozenset()):
    F = np.asarray(_features(self, base, D, E, K, frozenset(s for s in skip if s in BASE)))
    S = F.shape[1]
    if LEVEL == "chapter":
        group = np.searchsorted(CHAPTERS, np.asarray(self.section_chapter_))
    else:
        group = np.arange(S) if LEVEL == "section" else self.section_topic_
    onehot = (group[:, None] == np.arange(N_GROUPS)[None, :]).astype(float)  # (S, G)
    quoted = F[0, :, BASE.index("has_quotes")] if len(F) else np.zeros(S)
    if LEVEL == "chapter":
        quoted = np.ones(S)  # the stance concerns every section of the chapter
    B = np.broadcast_to(onehot * quoted[:, None], (len(F), S, N_GROUPS))
    return np.concatenate([F, B], axis=2)


ex.ExampleScores._features = features
