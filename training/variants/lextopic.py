"""Round 50, `lextopic`: the `sharp` slot (weight 0 in the default) becomes a lexical *topic* centroid: the cosine of
the statement's stem TF-IDF row (the keyword overlap's vectoriser) with the weighted sum of the rows of every example
of the section's topic (``topic`` in data/sections.json: its sections in all chapters; quotes, written statements,
corrections, and the written stance statements at ``stance_weight``), unit length — the words of a subject whatever
its stance, beside the topic ridge on the sentence encoder (docs/theme-model.md: the topic is where the model fails
most). Everything else stays as it is (the rows of lexrows.py, as lexchap.py)."""
import runpy
from pathlib import Path

import numpy as np
from scipy import sparse

from mh_nlp.themes import examples as ex

_shared = runpy.run_path(str(Path(__file__).with_name("lexrows.py")))
_shared["install"]()
ROWS = _shared["rows"]
SHARP = ex.FEATURES.index("sharp")
_base = ex.ExampleScores._base
_features = ex.ExampleScores._features


def base(self, D, E, y, w, is_quote, stance=None):
    out = _base(self, D, E, y, w, is_quote, stance)
    T = self.section_topic_.max() + 1
    tp = self.section_topic_[y]
    rows, weights = [ROWS(self, D)], [np.asarray(w, dtype=float)]
    if stance is not None and len(stance[1]) and self.stance_weight > 0:
        rows.append(ROWS(self, stance[0]))
        weights.append(np.full(len(stance[1]), float(self.stance_weight)))
        tp = np.concatenate([tp, stance[1]])
    R, wt = sparse.vstack(rows).tocsr(), np.concatenate(weights)
    Y = sparse.csr_matrix((wt, (tp, np.arange(len(tp)))), shape=(T, len(tp)))
    C = np.asarray((Y @ R).todense())
    C /= np.linalg.norm(C, axis=1, keepdims=True) + 1e-12
    out["lextopic"] = C
    self._lextopic_last = C
    return out


def features(self, base_, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base_, D, E, K, frozenset(skip) | {"sharp"}))
    C = base_.get("lextopic", getattr(self, "_lextopic_last", None))
    F[:, :, SHARP] = np.asarray(ROWS(self, D) @ C.T)[:, self.section_topic_]
    return F


ex.ExampleScores._base = base
ex.ExampleScores._features = features
