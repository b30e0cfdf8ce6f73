"""Round 43, `tlab`: the one temperature fitted on what is shown — the binary log-loss of 'the section shown (the
chapter-first answer) is one of the accepted sections' against that section's probability — instead of the
likelihood of the accepted sections over all sections. Same inner held-out rows; nothing else changes."""
import numpy as np
from scipy.optimize import minimize_scalar

from mh_nlp.themes import examples as ex
from mh_nlp.themes import model as m
from mh_nlp.themes.answer import chapter_then_section

_STATE = {"chap": None}


def fit_temperature(logits, accepted):
    chap = _STATE["chap"]
    masks = m.accepted_mask(accepted, logits.shape[1])
    rows = np.arange(len(logits))

    def loss(logt):
        P = ex.softmax(logits / np.exp(logt))
        j = chapter_then_section(P, chap)[1]
        p = np.clip(P[rows, j], 1e-9, 1 - 1e-9)
        h = masks[rows, j]
        return -(h * np.log(p) + (~h) * np.log(1 - p)).sum()

    res = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(res.x))


_tax = ex.ExampleScores._taxonomy_arrays


def _taxonomy_arrays(self, tax):
    _tax(self, tax)
    _STATE["chap"] = np.asarray(self.section_chapter_)


m.fit_temperature = fit_temperature
ex.ExampleScores._taxonomy_arrays = _taxonomy_arrays
