"""Round 38, `lex`: the text the `keywords` feature compares a statement with becomes the section's title and
description plus a written lexicon of its subject (40 terms or short phrases a section, written from the taxonomy
alone; MH_NLP_LEXICON, one JSON object a line: {"section", "terms", ...}). With MH_NLP_LEXICON_EMBED=1 (`lexE`) the
title feature's embedding of the section text is made of the same longer text. Nothing else changes."""
import json
import os

from mh_nlp.themes import examples as ex

PATH = os.environ.get("MH_NLP_LEXICON", "/work/exp/lex/lexicon.jsonl")
TERMS = {}
with open(PATH, encoding="utf-8") as f:
    for line in f:
        if line.strip():
            row = json.loads(line)
            TERMS[row["section"]] = row["terms"]
EMBED = os.environ.get("MH_NLP_LEXICON_EMBED") == "1"
_arrays = ex.ExampleScores._taxonomy_arrays
EXTENDED = {}  # a section's own text -> that text with its lexicon


def _taxonomy_arrays(self, tax):
    _arrays(self, tax)
    longer = [t + " " + " ".join(TERMS.get(s, [])) for s, t in zip(self.classes_, self.section_texts_)]
    EXTENDED.update(zip(self.section_texts_, longer))
    if EMBED:
        self.section_texts_ = longer


class LexTfidf(ex.StemTfidf):
    @classmethod
    def fit(cls, texts):
        return super().fit([EXTENDED.get(t, t) for t in texts])

    def transform(self, texts):
        return super().transform([EXTENDED.get(t, t) for t in texts])


ex.ExampleScores._taxonomy_arrays = _taxonomy_arrays
ex.StemTfidf = LexTfidf
