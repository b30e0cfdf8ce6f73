"""The answer to a row of section probabilities: the chapter first, then the section within it.

A statement's *chapter* is the chapter with the most probability mass (the sum over its sections), and its
*section* the most probable section of that chapter; ``top`` lists that section first and then the other sections
by probability. So the chapter shown is always the most probable chapter, ``section`` is always ``top[0]``, ``top``
never repeats a section, and the confidence shown is the section's own calibrated probability. A section of
another chapter may then be more probable than the answer on its own (the first alternative shows it with its
probability); it loses because its chapter as a whole is less probable. Chosen on 2026-12-05 under the choice rule
of ``docs/theme-model.md`` (*The development set and the choice rule*), against the most probable section alone.

NumPy only: used by the model files' scoring, the classifier, the screen and the evaluation alike.
"""
from __future__ import annotations

import numpy as np


def chapter_then_section(P: np.ndarray, section_chapters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the chapter with most probability mass, then the most probable section within it
    (column indices), so that chapter and section always agree."""
    section_chapters = np.asarray(section_chapters)
    chapters = np.unique(section_chapters)
    mass = np.stack([P[:, section_chapters == c].sum(axis=1) for c in chapters], axis=1)
    best_ch = chapters[mass.argmax(axis=1)]
    masked = np.where(section_chapters[None, :] == best_ch[:, None], P, -np.inf)
    return best_ch, masked.argmax(axis=1)


def answer_order(P: np.ndarray, section_chapters: np.ndarray, k: int = 3) -> np.ndarray:
    """(n, min(k, sections)) column indices per row: the answer (:func:`chapter_then_section`) first, then the
    other sections by probability (ties in column order)."""
    P = np.asarray(P)
    n, S = P.shape
    k = max(1, min(k, S))
    if n == 0:
        return np.zeros((0, k), dtype=int)
    _, j = chapter_then_section(P, section_chapters)
    order = np.argsort(-P, axis=1, kind="stable")
    rest = order[order != j[:, None]].reshape(n, S - 1)
    return np.hstack([j[:, None], rest[:, :k - 1]])
