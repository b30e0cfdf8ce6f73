"""Round 44, `lexE2`: round 38's lexE on today's default — the title feature's embedding of each section's text is
made of its title, description and lexicon terms (both batches of data/synthetic/lexicon.jsonl); the keyword
overlap reads them as before (title, description and terms, once). Nothing else changes."""
from mh_nlp.themes import examples as ex

_arrays = ex.ExampleScores._taxonomy_arrays
_keyword_texts = ex.ExampleScores._keyword_texts


def _taxonomy_arrays(self, tax):
    _arrays(self, tax)
    self._plain_texts = list(self.section_texts_)
    self.section_texts_ = _keyword_texts(self, tax)  # title, description and the lexicon's terms


def keyword_texts(self, tax):
    longer, self.section_texts_ = self.section_texts_, self._plain_texts
    try:
        return _keyword_texts(self, tax)
    finally:
        self.section_texts_ = longer


ex.ExampleScores._taxonomy_arrays = _taxonomy_arrays
ex.ExampleScores._keyword_texts = keyword_texts
