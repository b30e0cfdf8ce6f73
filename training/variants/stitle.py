"""Round 53, `stitle`: the section text the `title` feature embeds (title and description) begins with its chapter's
title (``Problemen en oorzaken: Onvoldoende samenwerking ketenpartijen …``, ``Wat gaat er goed?: Meer
samenwerking …``), so that the cosine to a section's text also reads the stance of its chapter. The keyword overlap
keeps the texts without it. Everything else stays as it is."""
from mh_nlp.themes import examples as ex

_arrays = ex.ExampleScores._taxonomy_arrays
_keyword_texts = ex.ExampleScores._keyword_texts


def taxonomy_arrays(self, tax):
    _arrays(self, tax)
    self._plain_texts = list(self.section_texts_)
    self.section_texts_ = [f"{tax.chapters[int(c)].title}: {t}" for c, t in zip(self.section_chapter_, self.section_texts_)]


def keyword_texts(self, tax):
    titled = self.section_texts_
    self.section_texts_ = self._plain_texts
    try:
        return _keyword_texts(self, tax)
    finally:
        self.section_texts_ = titled


ex.ExampleScores._taxonomy_arrays = taxonomy_arrays
ex.ExampleScores._keyword_texts = keyword_texts
