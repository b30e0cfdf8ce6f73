"""Round 10, `chl` (not taken): the conditional logit's weights learnt on the section's log-likelihood plus its
chapter's (the log of the chapter's probability mass), since the answer is chosen chapter first. Round 11 weighs the
chapter's term 0.5 or 2 (``MH_NLP_CHAPTER_WEIGHT``; 1 by default)."""
import os

import numpy as np
from scipy.optimize import minimize

from mh_nlp.themes import examples as ex
from mh_nlp.themes import model as m

CHAPTER_OF = {}  # the section columns' chapters, set when the model reads its taxonomy
CHAPTER_WEIGHT = float(os.environ.get("MH_NLP_CHAPTER_WEIGHT", "1"))
_taxonomy_arrays = ex.ExampleScores._taxonomy_arrays


def taxonomy_arrays(self, tax):
    _taxonomy_arrays(self, tax)
    CHAPTER_OF["columns"] = np.asarray(self.section_chapter_)


def conditional_logit(F, y, allowed, l2, nonneg=()):
    n, _, d = F.shape
    rows = np.arange(n)
    ch = CHAPTER_OF["columns"]
    chapters = np.unique(ch)
    in_chapter = (ch[:, None] == chapters[None, :]).astype(float)  # (sections, chapters)
    yc = np.searchsorted(chapters, ch[y])
    mask = in_chapter[:, yc].T  # (n, sections): the sections of each row's true chapter

    def loss(w):
        z = np.where(allowed[None, :], F @ w, -1e9)
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        p = np.exp(z - lse[:, None])
        expected = np.einsum("ns,nsd->nd", p, F)
        mass = (p * mask).sum(axis=1)
        within = np.einsum("ns,nsd->nd", p * mask / mass[:, None], F)
        value = -(z[rows, y] - lse).sum() - CHAPTER_WEIGHT * np.log(mass + 1e-300).sum() + 0.5 * l2 * n * w @ w
        grad = -(F[rows, y] - expected).sum(axis=0) - CHAPTER_WEIGHT * (within - expected).sum(axis=0) + l2 * n * w
        return value, grad

    bounds = [(0.0, None) if i in nonneg else (None, None) for i in range(d)]
    return minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B", bounds=bounds).x


ex.ExampleScores._taxonomy_arrays = taxonomy_arrays
m.conditional_logit = conditional_logit
