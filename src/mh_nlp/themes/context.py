"""Reading statements *in order*: the statements of one note or transcript, one after the other, as a sequence
in which the theme tends to stay the same from one statement to the next.

A round table's notes run by theme: on an anthology page the next quote stands under the same section as the
one before it in 0.96 of cases, and where the section changes it stays in its chapter (the anthology's order:
39 of its 42 changes of section). Read on their own, statements of a new page get their section right about a
third of the time; read in order, each statement's neighbours count as evidence too. The model behind it is a
hidden Markov chain over the sections: the section stays the same from one statement to the next with
probability ``stay``; otherwise it moves to another section of the same chapter with probability ``within`` and
to a section of another chapter with the rest, alike among them. Each statement's own section probabilities are
its evidence. :func:`read_in_order` returns, for every statement, the probability of each section given the
whole sequence (forward-backward).

Why the chapter: notes organised by the four questions of a round table (trends, problems, what goes well,
ambitions) keep their chapter for a while but change section at almost every statement. A chain that can only
stay or move anywhere reads such a run as one theme and pulls its statements into one section: on such notes made
up from held-out quotes, reading in order then *cost* accuracy (0.351 read alone, 0.326 in order; under chapter
headings 0.510 and 0.360), where moving within the chapter gains (0.427; 0.531). See ``docs/theme-model.md``.

Not every note runs by theme as an anthology page does, so :func:`read_note` lets each note choose its own
``stay``: the value, among :data:`STAYS` up to the one learnt from the order of the training quotes
(:func:`stay_probability`), under which the note's statements are most likely (the marginal likelihood of the
chain). A note whose statements change subject every time gets ``1 / S``, and each statement is read on its own
again; a note that stays on one theme gets the learnt value. ``within`` is learnt from the training quotes in
printed order (:func:`within_chapter_share`). ``mh-nlp evaluate`` measures pages, made-up notes and notes by
chapter (*Read in order* in ``reports/evaluation.md``).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["STAYS", "learn_order", "note_reading", "notes_reading", "read_in_order", "read_note",
           "stay_probability", "within_chapter_share"]

STAYS = (0.2, 0.4, 0.6, 0.8, 0.9)  # the stay probabilities a note may choose from, besides 1 / S and the learnt one


def note_reading(stay: float | None, brief: bool = False, statements: int | None = None) -> str:
    """How a note was read, in words, from the stay :func:`read_note` chose for it (None: not read in order). A
    stay below all of :data:`STAYS` is ``1 / S``: the note changed theme too often, and each statement was read
    on its own. ``brief``: a few words, for a table cell. ``statements``: how many the note held, when known (one
    statement has no neighbours to read it with)."""
    if statements == 1:
        return "one statement" if brief else "one statement: nothing to read in order; read on its own"
    if stay is None:
        return "statement by statement" if brief else "each statement read on its own"
    if stay < STAYS[0]:
        return ("themes change: statement by statement" if brief else
                "read in order, but its statements change theme too often to help each other: each read on its own")
    how = "theme holds" if stay >= 0.8 else "theme often changes" if stay < 0.5 else "theme often holds"
    if brief:  # the same words as the full sentence (a hover shows it beside the table's cell)
        return f"{how} ({stay:.2f})"
    return (f"read in order as one note: the next statement keeps the theme with probability {stay:.2f}"
            + (" (the theme mostly holds)" if stay >= 0.8 else
               " (the theme often changes: the neighbours count for less)" if stay < 0.5 else
               " (the theme often holds)"))


def notes_reading(stays: Sequence[float], by: str, brief: bool = False) -> str:
    """How a table of several notes (one per value of the column ``by``) was read in order, from the stay each
    note chose: how many kept their theme and how many were read statement by statement."""
    held = sum(s >= STAYS[0] for s in stays)
    if brief:
        if not held:
            return f"{len(stays)} notes by “{by}”, each statement by statement"
        return f"{len(stays)} notes by “{by}”, theme holds in {held} of {len(stays)}"
    return (f"{len(stays)} notes, one per value of '{by}', each read in order: {held} with the theme holding, "
            f"{len(stays) - held} statement by statement")


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


class _Moves:
    """The chain's moves: from section ``i`` the section stays with probability ``stay``; otherwise it moves to
    another section of its own chapter with share ``within`` (alike among them) and to a section of another chapter
    with the rest (alike among them). Without chapters, every other section alike (one group)."""

    def __init__(self, S: int, chapters: Sequence | None, within: float | None):
        if chapters is None or within is None:
            chapters, within = [0] * S, 1.0
        if not 0.0 <= within <= 1.0 or len(chapters) != S:
            raise ValueError(f"within must lie between 0 and 1 (not {within}) and chapters name the {S} sections")
        _, self.group = np.unique(np.asarray(chapters), return_inverse=True)
        self.onehot = np.eye(self.group.max() + 1)[self.group]  # (S, C)
        size = self.onehot.sum(axis=0)[self.group]  # sections in each section's chapter
        share = np.where(size == 1, 0.0, np.where(size == S, 1.0, within))  # nowhere to go: the other kind
        self.inside = share / np.maximum(size - 1, 1)  # per unit of (1 - stay), to each other section of the chapter
        self.outside = (1.0 - share) / np.maximum(S - size, 1)  # … to each section of another chapter

    def forward(self, f: np.ndarray, stay: np.ndarray) -> np.ndarray:
        """``f @ T`` for each row of ``f`` (k, S) with its own ``stay`` (k, 1)."""
        fa, fb = f * ((1.0 - stay) * self.inside), f * ((1.0 - stay) * self.outside)
        in_chapter, out_chapter = (fa @ self.onehot)[:, self.group], (fb @ self.onehot)[:, self.group]
        return stay * f + (in_chapter - fa) + (fb.sum(axis=1, keepdims=True) - out_chapter)

    def backward(self, b: np.ndarray, stay: float) -> np.ndarray:
        """``T @ b`` for one vector ``b`` (S,)."""
        in_chapter = (b @ self.onehot)[self.group]
        return (stay * b + (1.0 - stay) * self.inside * (in_chapter - b)
                + (1.0 - stay) * self.outside * (b.sum() - in_chapter))


def within_chapter_share(sections: Sequence, chapters: Sequence) -> float | None:
    """Of the changes of section between consecutive statements (``sections`` in reading order, ``chapters`` the
    chapter of each), the share that stays in the chapter: a note runs by chapter when its section changes.
    Laplace-smoothed (one change within and one across added); ``None`` when the section never changes."""
    pairs = [(a, b) for a, b, x, y in zip(chapters, chapters[1:], sections, sections[1:]) if x != y]
    if not pairs:
        return None
    return (sum(a == b for a, b in pairs) + 1.0) / (len(pairs) + 2.0)


def learn_order(sections: Sequence, pages: Sequence, chapters: Sequence | None) -> tuple[float | None, float | None]:
    """What the chain learns from training statements in printed order (``sections``, the ``pages`` they stand on,
    the ``chapters`` of their sections): the stay probability within a page (:func:`stay_probability`) and the
    share of changes of section that stay in the chapter (:func:`within_chapter_share`; None without chapters)."""
    return (stay_probability(sections, pages),
            None if chapters is None else within_chapter_share(sections, chapters))


def _forward(L: np.ndarray, stays: np.ndarray, moves: _Moves,
             keep: bool = False) -> tuple[np.ndarray | None, np.ndarray]:
    """The chain's forward pass for each of ``stays`` at once: the log marginal likelihood of the note (k,) and,
    with ``keep``, the normalised forward messages (k, n, S). ``L``: (n, S) evidence, rows in reading order, no
    zeros."""
    stay = np.asarray(stays, dtype=float)[:, None]
    z = L[0].sum()
    f = np.repeat(L[:1] / z, len(stay), axis=0)
    ll = np.full(len(stay), np.log(z))
    fwd = np.empty((len(stay),) + L.shape) if keep else None
    if keep:
        fwd[:, 0] = f
    for t in range(1, len(L)):
        g = moves.forward(f, stay) * L[t]
        z = g.sum(axis=1, keepdims=True)
        f = g / z
        ll += np.log(z[:, 0])
        if keep:
            fwd[:, t] = f
    return fwd, ll


def read_in_order(P: np.ndarray, stay: float, chapters: Sequence | None = None,
                  within: float | None = None) -> np.ndarray:
    """Section probabilities of a sequence of statements read in order.

    ``P``: (n, S) probabilities of each statement read on its own (rows in reading order); ``stay``: the
    probability that a statement has the section of the one before it (0 < stay < 1; with ``1 / S`` and no
    ``chapters`` the statements are read on their own again). ``chapters`` (the chapter of each of the S
    sections) and ``within``: a statement that changes section moves within its chapter with probability
    ``within`` (module docstring); without them, to any other section alike. Returns the (n, S) posterior given
    the whole sequence."""
    P = np.asarray(P, dtype=float)
    n, S = P.shape
    if n <= 1 or S <= 1:
        return P.copy()
    if not 0.0 < stay < 1.0:
        raise ValueError(f"stay must lie strictly between 0 and 1, not {stay}")
    L = np.clip(P, 1e-12, None)
    moves = _Moves(S, chapters, within)
    fwd = _forward(L, np.array([stay]), moves, keep=True)[0][0]
    bwd = np.ones_like(L)
    for t in range(n - 2, -1, -1):
        b = moves.backward(L[t + 1] * bwd[t + 1], stay)
        bwd[t] = b / b.sum()
    post = fwd * bwd
    return post / post.sum(axis=1, keepdims=True)


def note_log_likelihood(P: np.ndarray, stays: Sequence[float], chapters: Sequence | None = None,
                        within: float | None = None) -> np.ndarray:
    """log of the chain's marginal likelihood of a note (``P`` as each statement's evidence) under each of
    ``stays`` (one forward pass for all of them); ``chapters`` and ``within`` as in :func:`read_in_order`."""
    P = np.asarray(P, dtype=float)
    return _forward(np.clip(P, 1e-12, None), np.asarray(stays, dtype=float), _Moves(P.shape[1], chapters, within))[1]


def read_note(P: np.ndarray, max_stay: float, chapters: Sequence | None = None,
              within: float | None = None) -> tuple[np.ndarray, float]:
    """A note read in order with the stay probability that suits it best (module docstring): the one among
    ``1 / S``, :data:`STAYS` below ``max_stay`` and ``max_stay`` itself under which the note is most likely.
    ``chapters`` and ``within`` (as in :func:`read_in_order`): how a statement that changes section moves; ``1 / S``
    always reads each statement on its own. Returns the (n, S) section probabilities and the stay chosen (``1 /
    S``: each statement read on its own)."""
    P = np.asarray(P, dtype=float)
    n, S = P.shape
    alone = 1.0 / S
    if n <= 1 or S <= 1 or max_stay <= alone:
        return P.copy(), alone
    grid = [g for g in STAYS if alone < g < max_stay] + [max_stay]
    ll = np.concatenate([note_log_likelihood(P, [alone]), note_log_likelihood(P, grid, chapters, within)])
    best = ([alone] + grid)[int(np.argmax(ll))]  # the first of equals: the least sticky
    return (P.copy() if best == alone else read_in_order(P, best, chapters, within)), best
