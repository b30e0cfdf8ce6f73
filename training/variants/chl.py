"""Round 10, `chl` (not taken): the conditional logit's weights learnt on the section's log-likelihood plus its
chapter's (the log of the chapter's probability mass), since the answer is chosen chapter first. Round 11 weighs the
chapter's term 0.5 or 2 (``MH_NLP_CHAPTER_WEIGHT``; 1 by default)."""
import os

import numpy as np
from scipy.optimize import minimize

from mh_nlp.themes import examples as ex
from mh_nlp.themes import model as m

CHAPTER_WEIGHT = float(os.environ.get("MH_NLP_CHAPTER_WEIGHT", "1"))


def group_term(groups, weight):
    """A conditional logit learnt on the section's log-likelihood plus ``weight`` times that of its group (the log
    of the probability mass of the sections in the true section's group); ``groups()`` gives each section column's
    group. Round 29 (tl.py) uses it with the topics."""

    def conditional_logit(F, y, allowed, l2, nonneg=()):
        n, _, d = F.shape
        rows = np.arange(n)
        g = groups()
        mask = (g[None, :] == g[y][:, None]).astype(float)  # (n, sections): the sections of each row's true group

        def loss(w):
            z = np.where(allowed[None, :], F @ w, -1e9)
            z = z - z.max(axis=1, keepdims=True)
            lse = np.log(np.exp(z).sum(axis=1))
            p = np.exp(z - lse[:, None])
            expected = np.einsum("ns,nsd->nd", p, F)
            mass = (p * mask).sum(axis=1)
            within = np.einsum("ns,nsd->nd", p * mask / mass[:, None], F)
            value = -(z[rows, y] - lse).sum() - weight * np.log(mass + 1e-300).sum() + 0.5 * l2 * n * w @ w
            grad = -(F[rows, y] - expected).sum(axis=0) - weight * (within - expected).sum(axis=0) + l2 * n * w
            return value, grad

        bounds = [(0.0, None) if i in nonneg else (None, None) for i in range(d)]
        return minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B", bounds=bounds).x

    return conditional_logit


def patch(attribute, weight):
    """Learn the weights with ``group_term``, the groups being the model's ``attribute`` (its section columns'
    chapters, ``section_chapter_``, or topics, ``section_topic_``), read when the model reads its taxonomy."""
    seen = {}
    taxonomy_arrays = ex.ExampleScores._taxonomy_arrays

    def remember(self, tax):
        taxonomy_arrays(self, tax)
        seen["columns"] = np.asarray(getattr(self, attribute))

    ex.ExampleScores._taxonomy_arrays = remember
    m.conditional_logit = group_term(lambda: seen["columns"], weight)


if globals().get("PATCH", True):  # tl.py runs this file with PATCH = False for patch() alone
    patch("section_chapter_", CHAPTER_WEIGHT)
