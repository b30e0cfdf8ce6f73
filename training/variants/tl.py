"""Round 29, `tl`: the conditional logit's weights learnt on the section's log-likelihood plus its topic's (the log
of the probability mass of the sections sharing the true section's topic; 2.11 / 3.8 / 4.9 are one subject under three
stances), weight ``MH_NLP_TOPIC_WEIGHT`` (0.5 by default). The chapter's term of rounds 10-11 (chl.py) with the topic
in place of the chapter."""
import os

import numpy as np
from scipy.optimize import minimize

from mh_nlp.themes import examples as ex
from mh_nlp.themes import model as m

TOPIC_OF = {}  # the section columns' topics, set when the model reads its taxonomy
TOPIC_WEIGHT = float(os.environ.get("MH_NLP_TOPIC_WEIGHT", "0.5"))
_taxonomy_arrays = ex.ExampleScores._taxonomy_arrays


def taxonomy_arrays(self, tax):
    _taxonomy_arrays(self, tax)
    TOPIC_OF["columns"] = np.asarray(self.section_topic_)


def conditional_logit(F, y, allowed, l2, nonneg=()):
    n, _, d = F.shape
    rows = np.arange(n)
    tp = TOPIC_OF["columns"]
    mask = (tp[None, :] == tp[y][:, None]).astype(float)  # (n, sections): the sections of each row's true topic

    def loss(w):
        z = np.where(allowed[None, :], F @ w, -1e9)
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        p = np.exp(z - lse[:, None])
        expected = np.einsum("ns,nsd->nd", p, F)
        mass = (p * mask).sum(axis=1)
        within = np.einsum("ns,nsd->nd", p * mask / mass[:, None], F)
        value = -(z[rows, y] - lse).sum() - TOPIC_WEIGHT * np.log(mass + 1e-300).sum() + 0.5 * l2 * n * w @ w
        grad = -(F[rows, y] - expected).sum(axis=0) - TOPIC_WEIGHT * (within - expected).sum(axis=0) + l2 * n * w
        return value, grad

    bounds = [(0.0, None) if i in nonneg else (None, None) for i in range(d)]
    return minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B", bounds=bounds).x


ex.ExampleScores._taxonomy_arrays = taxonomy_arrays
m.conditional_logit = conditional_logit
