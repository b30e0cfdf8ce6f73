"""Round 57, `tonly`: the `sharp` slot (weight 0 in the default) becomes the cosine of the statement with its
section's *title alone* (``Meer samenwerking``, ``Onvoldoende samenwerking ketenpartijen``), embedded as the title
feature's text is (passage); the title feature keeps title and description together. A title is the anthology's own
short name of the section, where the description's keyword list blurs into one embedding. Everything else as is."""
import numpy as np

from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.themes import examples as ex

SHARP = ex.FEATURES.index("sharp")
_features = ex.ExampleScores._features


def features(self, base_, D, E, K, skip=frozenset()):
    F = np.array(_features(self, base_, D, E, K, frozenset(skip) | {"sharp"}))
    if getattr(self, "_title_E", None) is None:
        tax = load_taxonomy(self.taxonomy_path)
        self._title_E = self._encoder().encode([tax.sections[s].title for s in self.classes_], is_query=False)
    F[:, :, SHARP] = np.asarray(E) @ self._title_E.T
    return F


ex.ExampleScores._features = features
