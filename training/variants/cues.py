"""Round 30, `cues2` / `cuebag`: the stance cues (``data/stance_cues.json``, 110 phrases in four stance groups and
three form groups) extended from Dutch grammar and the four stances to about 390 phrases (``MH_NLP_CUES`` names the
file; the round's file is kept beside this one as ``stance_cues2.json``). ``cues2``: the same seven group counts from
the larger lists. ``cuebag`` (``MH_NLP_CUEBAG=1``): every phrase its own feature as well (log of 1 + its count), so
that the ridges learn what each cue is worth instead of one weight for its group. Only the design rows of the ridges
change; the similarities do not use the cues."""
import os
import re
from pathlib import Path

import numpy as np

from mh_nlp.themes import examples as ex
from mh_nlp.themes import features as ft

CUES = os.environ.get("MH_NLP_CUES", str(Path(__file__).with_name("stance_cues2.json")))
BAG = os.environ.get("MH_NLP_CUEBAG", "0") == "1"
_plain = ft.stance_features


def _bag_patterns():
    cues = ft.load_cues(CUES)
    phrases = sorted({c.lower() for k in sorted(cues) for c in cues[k]})
    return [re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)") for p in phrases]


PATTERNS = _bag_patterns() if BAG else []


def stance_features(texts, path=None):
    out = _plain(texts, CUES)
    if not BAG:
        return out
    bag = np.log1p(np.array([[len(p.findall(t.lower())) for p in PATTERNS] for t in texts], dtype=float))
    return np.hstack([out, bag.reshape(len(texts), len(PATTERNS))])


ex.stance_features = stance_features
