"""Round 47, `lexchap`: the `sharp` slot (weight 0 in the default) becomes a lexical *chapter* centroid: the cosine of
the statement's stem TF-IDF row (the keyword overlap's vectoriser) with the weighted sum of the rows of every example
of the section's chapter (quotes, written statements, corrections, and the written stance statements at
``stance_weight``), unit length — the words a chapter's examples share (its stance: *moet*, *goed*, *steeds meer*,
*te weinig*) beside the stance cues and the chapter ridge. Everything else stays as it is (the rows of lexrows.py, as lexcent.py)."""
import runpy
from pathlib import Path

import numpy as np

L = runpy.run_path(str(Path(__file__).with_name("lexrows.py")))


def make(m, D, y, w, stance):
    chapter = np.searchsorted(m.chapters_, m.section_chapter_[y])
    return L["centroids"](m, D, chapter, len(m.chapters_), w, stance, stance[2] if stance is not None else None)


L["slot"]("lexchap", make,
          lambda m, C, D: (L["rows"](m, D) @ C.T)[:, np.searchsorted(m.chapters_, m.section_chapter_)])
