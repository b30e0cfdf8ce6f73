"""Round 52, `lexridge`: the `sharp` slot (weight 0 in the default) becomes a *discriminative* lexical score: a ridge
classifier (scikit-learn's Ridge, alpha ``MH_LEXALPHA``, 1 by default) from the stem TF-IDF rows of the examples
(the keyword overlap's vectoriser; quotes, written statements, corrections at each kind's weight) to one-hot sections,
fitted wherever the sentence encoder's ridges are (inner splits and the final fit) — which of a section's words tell it
from the others, where round 46's centroid took all of them. Everything else stays as it is (rows of lexrows.py)."""
import os
import runpy
from pathlib import Path

import numpy as np

L = runpy.run_path(str(Path(__file__).with_name("lexrows.py")))
ALPHA = float(os.environ.get("MH_LEXALPHA", "1"))


def make(m, D, y, w, stance):
    from sklearn.linear_model import Ridge

    Y = (np.asarray(y)[:, None] == np.arange(len(m.classes_))[None, :]).astype(float)
    return Ridge(alpha=ALPHA, solver="sparse_cg").fit(L["rows"](m, D), Y, sample_weight=np.asarray(w, dtype=float))


L["slot"]("lexridge", make, lambda m, r, D: r.predict(L["rows"](m, D)))
