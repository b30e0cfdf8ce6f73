"""Round 48, `stembi`: the keyword overlap also counts pairs of neighbouring stems (``aangif+doen``,
``onder+radar``, ``vrouwe+opvang``) within a clause (never across , ; : . ! ? | or brackets), so that a lexicon's
phrase of two or three words counts most where its words stand together; a section's keyword text joins its
description's phrases and lexicon terms with ' ; ' so that no pair spans two terms. Unigrams as before."""
import re

from mh_nlp.themes import examples as ex
from mh_nlp.themes import features as ft

_stems = ft.stems
_CLAUSE = re.compile(r"[,;:.!?|()\[\]]")


def stems(text: str) -> list[str]:
    out = _stems(text)
    for clause in _CLAUSE.split(text):
        s = _stems(clause)
        out += [f"{a}+{b}" for a, b in zip(s, s[1:])]
    return out


_keyword_texts = ex.ExampleScores._keyword_texts


def keyword_texts(self, tax):
    texts = _keyword_texts(self, tax)  # sets n_lexicon_; rebuilt with ' ; ' between the terms
    from mh_nlp.corpus.written import load_lexicon
    from pathlib import Path

    terms = {}
    if self.lexicon:
        beside = Path(self.taxonomy_path).parent / "synthetic" / "lexicon.jsonl" if self.taxonomy_path else None
        terms = load_lexicon(tax, beside)
    return [" ; ".join([t, *terms.get(s, ())]) for s, t in zip(self.classes_, self.section_texts_)]


ft.stems = stems
ex.ExampleScores._keyword_texts = keyword_texts
