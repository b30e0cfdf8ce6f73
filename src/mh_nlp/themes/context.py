"""Reading statements *in order*: the statements of one note or transcript, one after the other, as a sequence
in which the theme tends to stay the same from one statement to the next.

A round table's notes run by theme: on an anthology page the next quote stands under the same section as the
one before it in 0.96 of cases. Read on their own, statements of a new page get their section right about a third
of the time; read in order, each statement's neighbours count as evidence too. The model behind it is a hidden
Markov chain over the sections: the section stays the same from one statement to the next with probability
``stay`` and otherwise moves to any other section alike; each statement's own section probabilities are its
evidence. :func:`read_in_order` returns, for every statement, the probability of each section given the whole
sequence (forward-backward).

Not every note runs by theme as an anthology page does, so :func:`read_note` lets each note choose its own
``stay``: the value, among :data:`STAYS` up to the one learnt from the order of the training quotes
(:func:`stay_probability`), under which the note's statements are most likely (the marginal likelihood of the
chain). A note whose statements change subject every time gets ``1 / S``, and each statement is read on its own
again; a note that stays on one theme gets the learnt value. ``mh-nlp evaluate`` measures both kinds of note on
the held-out pages (*Read in order* in ``reports/evaluation.md``): on 2026-12-03, notes made up of quotes that
change section at every statement went from 0.38 read alone to 0.32 read in order (0.18 with the learnt ``stay``
for every note), and the anthology's own pages from 0.35 to 0.82.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["STAYS", "note_reading", "read_in_order", "read_note", "stay_probability"]

STAYS = (0.2, 0.4, 0.6, 0.8, 0.9)  # the stay probabilities a note may choose from, besides 1 / S and the learnt one


def note_reading(stay: float | None, brief: bool = False) -> str:
    """How a note was read, in words, from the stay :func:`read_note` chose for it (None: not read in order). A
    stay below all of :data:`STAYS` is ``1 / S``: the note changed theme too often, and each statement was read
    on its own. ``brief``: a few words, for a table cell."""
    if stay is None:
        return "statement by statement" if brief else "each statement read on its own"
    if stay < STAYS[0]:
        return ("themes change: statement by statement" if brief else
                "read in order, but its statements change theme too often to help each other: each read on its own")
    if brief:
        return f"theme holds ({stay:.2f})"
    return (f"read in order as one note: the next statement keeps the theme with probability {stay:.2f}"
            + (" (the theme mostly holds)" if stay >= 0.8 else ""))


def stay_probability(sections: Sequence, groups: Sequence) -> float | None:
    """How often the next statement of a sequence has the same section as the one before: consecutive entries of
    ``sections`` with the same ``groups`` value (e.g. the page) form a sequence. Laplace-smoothed (one stay and
    one change added); ``None`` when there is no pair at all."""
    sections, groups = list(sections), list(groups)
    pairs = [(a, b) for a, b, g, h in zip(sections, sections[1:], groups, groups[1:]) if g == h]
    if not pairs:
        return None
    same = sum(a == b for a, b in pairs)
    return (same + 1.0) / (len(pairs) + 2.0)


def _forward(L: np.ndarray, stays: np.ndarray, keep: bool = False) -> tuple[np.ndarray | None, np.ndarray]:
    """The chain's forward pass for each of ``stays`` at once: the log marginal likelihood of the note (k,) and,
    with ``keep``, the normalised forward messages (k, n, S). ``L``: (n, S) evidence, rows in reading order, no
    zeros."""
    S = L.shape[1]
    stay = np.asarray(stays, dtype=float)[:, None]
    move = (1.0 - stay) / (S - 1)
    z = L[0].sum()
    f = np.repeat(L[:1] / z, len(stay), axis=0)
    ll = np.full(len(stay), np.log(z))
    fwd = np.empty((len(stay),) + L.shape) if keep else None
    if keep:
        fwd[:, 0] = f
    for t in range(1, len(L)):
        g = (move * f.sum(axis=1, keepdims=True) + (stay - move) * f) * L[t]  # f @ T, T: stay on the diagonal
        z = g.sum(axis=1, keepdims=True)
        f = g / z
        ll += np.log(z[:, 0])
        if keep:
            fwd[:, t] = f
    return fwd, ll


def read_in_order(P: np.ndarray, stay: float) -> np.ndarray:
    """Section probabilities of a sequence of statements read in order.

    ``P``: (n, S) probabilities of each statement read on its own (rows in reading order); ``stay``: the
    probability that a statement has the section of the one before it (0 < stay < 1; with ``1 / S`` the
    statements are read on their own again). Returns the (n, S) posterior given the whole sequence."""
    P = np.asarray(P, dtype=float)
    n, S = P.shape
    if n <= 1 or S <= 1:
        return P.copy()
    if not 0.0 < stay < 1.0:
        raise ValueError(f"stay must lie strictly between 0 and 1, not {stay}")
    L = np.clip(P, 1e-12, None)
    fwd = _forward(L, np.array([stay]), keep=True)[0][0]
    move = (1.0 - stay) / (S - 1)
    bwd = np.ones_like(L)
    for t in range(n - 2, -1, -1):
        b = L[t + 1] * bwd[t + 1]
        b = move * b.sum() + (stay - move) * b  # T @ b (T is symmetric)
        bwd[t] = b / b.sum()
    post = fwd * bwd
    return post / post.sum(axis=1, keepdims=True)


def note_log_likelihood(P: np.ndarray, stays: Sequence[float]) -> np.ndarray:
    """log of the chain's marginal likelihood of a note (``P`` as each statement's evidence) under each of
    ``stays`` (one forward pass for all of them)."""
    return _forward(np.clip(np.asarray(P, dtype=float), 1e-12, None), np.asarray(stays, dtype=float))[1]


def read_note(P: np.ndarray, max_stay: float) -> tuple[np.ndarray, float]:
    """A note read in order with the stay probability that suits it best (module docstring): the one among
    ``1 / S``, :data:`STAYS` below ``max_stay`` and ``max_stay`` itself under which the note is most likely.
    Returns the (n, S) section probabilities and the stay chosen (``1 / S``: each statement read on its own)."""
    P = np.asarray(P, dtype=float)
    n, S = P.shape
    alone = 1.0 / S
    if n <= 1 or S <= 1 or max_stay <= alone:
        return P.copy(), alone
    grid = [alone] + [g for g in STAYS if alone < g < max_stay] + [max_stay]
    best = grid[int(np.argmax(note_log_likelihood(P, grid)))]  # the first of equals: the least sticky
    return (P.copy() if best == alone else read_in_order(P, best)), best
