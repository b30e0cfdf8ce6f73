"""Round 50, `lextopic`: the `sharp` slot (weight 0 in the default) becomes a lexical *topic* centroid: the cosine of
the statement's stem TF-IDF row (the keyword overlap's vectoriser) with the weighted sum of the rows of every example
of the section's topic (``topic`` in data/sections.json: its sections in all chapters; quotes, written statements,
corrections, and the written stance statements at ``stance_weight``), unit length — the words of a subject whatever
its stance, beside the topic ridge on the sentence encoder (docs/theme-model.md: the topic is where the model fails
most). Everything else stays as it is (the rows of lexrows.py, as lexchap.py)."""
import runpy
from pathlib import Path

L = runpy.run_path(str(Path(__file__).with_name("lexrows.py")))


def make(m, D, y, w, stance):
    return L["centroids"](m, D, m.section_topic_[y], m.section_topic_.max() + 1, w, stance,
                          stance[1] if stance is not None else None)


L["slot"]("lextopic", make, lambda m, C, D: (L["rows"](m, D) @ C.T)[:, m.section_topic_])
