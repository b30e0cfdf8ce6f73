"""Round 27, `topicfirst`: the answer chosen *topic* first instead of chapter first (round 3c). A section's topic is
its subject (``topic`` in ``data/sections.json``; 2.11, 3.8 and 4.9 share one), and its chapter the stance. The
model's probabilities stay as they are; only which section is shown first changes: the topic with the most
probability mass (the sum over its sections), then its most probable section; ``top`` that section, then the others
by probability; the confidence that section's probability. ``MH_NLP_ANSWER=marg``: the section whose topic mass
times chapter mass is largest (both marginals at once; ties by the section's probability). Only the harness's
answer is changed (``evaluate.predictions``, which ``score`` uses); nothing else."""
import os

import numpy as np

from mh_nlp.themes import evaluate as ev

MODE = os.environ.get("MH_NLP_ANSWER", "topic")


def _mass(P: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """(n, S): for each column, the summed probability of all columns of its group."""
    out = np.zeros_like(P)
    for g in np.unique(groups):
        m = groups == g
        out[:, m] = P[:, m].sum(axis=1, keepdims=True)
    return out


def predictions(P, columns, taxonomy):
    P = np.asarray(P)
    n, S = P.shape
    topics = np.array([taxonomy.sections[c].topic or c for c in columns])
    chapters = np.array([taxonomy.sections[c].chapter for c in columns])
    if MODE == "marg":
        key = np.log(_mass(P, topics) + 1e-12) + np.log(_mass(P, chapters) + 1e-12) + 1e-9 * P
    else:
        key = _mass(P, topics) + 1e-9 * P  # the topic's mass first, its most probable section within it
    j = key.argmax(axis=1) if n else np.zeros(0, dtype=int)
    order = np.argsort(-P, axis=1, kind="stable")
    rest = order[order != j[:, None]].reshape(n, S - 1)
    top = np.hstack([j[:, None], rest[:, :2]])
    conf = P[np.arange(n), j] if n else np.zeros(0)
    return [columns[r[0]] for r in top], conf, [[columns[k] for k in r] for r in top]


ev.predictions = predictions
