"""Round 47, `lexchap`: the `sharp` slot (weight 0 in the default) becomes a lexical *chapter* centroid: the cosine of
the statement's stem TF-IDF row (the keyword overlap's vectoriser) with the weighted sum of the rows of every example
of the section's chapter (quotes, written statements, corrections, and the written stance statements at
``stance_weight``), unit length — the words a chapter's examples share (its stance: *moet*, *goed*, *steeds meer*,
*te weinig*) beside the stance cues and the chapter ridge. Everything else stays as it is (the rows of lexrows.py, as lexcent.py)."""
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
    ch = np.searchsorted(self.chapters_, self.section_chapter_[y])
    rows, weights = [ROWS(self, D)], [np.asarray(w, dtype=float)]
    if stance is not None and len(stance[1]) and self.stance_weight > 0:
        rows.append(ROWS(self, stance[0]))
        weights.append(np.full(len(stance[2]), float(self.stance_weight)))
        ch = np.concatenate([ch, stance[2]])
    R, wt = sparse.vstack(rows).tocsr(), np.concatenate(weights)
    Y = sparse.csr_matrix((wt, (ch, np.arange(len(ch)))), shape=(len(self.chapters_), len(ch)))
    C = np.asarray((Y @ R).todense())
    C /= np.linalg.norm(C, axis=1, keepdims=True) + 1e-12
    out["lexchap"] = C
    self._lexchap_last = C
    return out


def features(self, base_, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base_, D, E, K, frozenset(skip) | {"sharp"}))
    C = base_.get("lexchap", getattr(self, "_lexchap_last", None))
    sims = np.asarray(ROWS(self, D) @ C.T)  # (n, chapters)
    F[:, :, SHARP] = sims[:, np.searchsorted(self.chapters_, self.section_chapter_)]
    return F


ex.ExampleScores._base = base
ex.ExampleScores._features = features
