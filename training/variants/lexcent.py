"""Round 46, `lexcent`: the `sharp` slot (weight 0 in the default) becomes a lexical centroid: the cosine of the
statement's stem TF-IDF row (the keyword overlap's vectoriser) with the weighted sum of the rows of the section's
examples (quotes, written statements, corrections; each kind's weight), unit length — what the words of a section's
examples have in common, beside the sentence encoder's centroid. Everything else stays as it is."""
import runpy
from pathlib import Path

L = runpy.run_path(str(Path(__file__).with_name("lexrows.py")))
L["slot"]("lexcent", lambda m, D, y, w, stance: L["centroids"](m, D, y, len(m.classes_), w),
          lambda m, C, D: L["rows"](m, D) @ C.T)
