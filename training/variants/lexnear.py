"""Round 50, `lexnear`: the `sharp` slot (weight 0 in the default) becomes a lexical *nearest example*: the largest
cosine of the statement's stem TF-IDF row (the keyword overlap's vectoriser) with the row of any one example of the
section (quotes, written statements, corrections) — the example that shares most of the statement's words, beside the
sentence encoder's nearest. Everything else stays as it is (the rows of lexrows.py)."""
import runpy
from pathlib import Path

import numpy as np

L = runpy.run_path(str(Path(__file__).with_name("lexrows.py")))


def score(m, kept, D):
    Rt, y = kept
    sims = (L["rows"](m, D) @ Rt).toarray()  # (statements, examples)
    out = np.zeros((len(D), len(m.classes_)))
    for s in np.unique(y):
        out[:, s] = sims[:, y == s].max(axis=1)
    return out


L["slot"]("lexnear", lambda m, D, y, w, stance: (L["rows"](m, D).T.tocsr(), np.asarray(y)), score)
