"""Round 17, `kwparts`: the `keywords` feature's stems (six-letter word starts) plus, for every word of nine
letters or more, its five-letter pieces (marked ``#``), so that the parts of a Dutch compound meet the section's
title and keywords ("arbeidsuitbuiting" and "uitbuiting")."""
from mh_nlp.themes import features as f

LONG, PIECE = 9, 5


def stems(text: str) -> list[str]:
    words = [w for w in f._WORD.findall(text.lower()) if len(w) > 2]
    out = [w[:f.STEM] for w in words]
    for w in words:
        if len(w) >= LONG:
            out += ["#" + w[i:i + PIECE] for i in range(len(w) - PIECE + 1)]
    return out


f.stems = stems
