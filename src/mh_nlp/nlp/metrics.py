"""Precision, recall and F1 for labelled spans (exact boundaries and label)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Hashable, Iterable, Sequence

__all__ = ["PRF", "prf", "span_scores"]


@dataclass(frozen=True)
class PRF:
    """True positives, false positives and false negatives, with P/R/F1 derived from them."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0.0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """The counts and scores as a plain dict."""
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision,
                "recall": self.recall, "f1": self.f1, "support": self.tp + self.fn}


def prf(gold: Iterable[Hashable], pred: Iterable[Hashable]) -> PRF:
    """Score two multisets of items (e.g. ``(doc, start, end, label)`` tuples)."""
    g, p = Counter(gold), Counter(pred)
    tp = sum((g & p).values())
    return PRF(tp, sum(p.values()) - tp, sum(g.values()) - tp)


def span_scores(gold: Sequence[Iterable[tuple[int, int, str]]], pred: Sequence[Iterable[tuple[int, int, str]]],
                labels: Iterable[str] | None = None) -> dict[str, PRF]:
    """Per-label and micro ("ALL") scores of ``(start, end, label)`` spans, document by document."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold documents but {len(pred)} predicted")
    g_items = [(i, s, e, lab) for i, doc in enumerate(gold) for s, e, lab in doc]
    p_items = [(i, s, e, lab) for i, doc in enumerate(pred) for s, e, lab in doc]
    names = sorted(set(labels) if labels is not None else {x[3] for x in g_items + p_items})
    scores = {lab: prf([x for x in g_items if x[3] == lab], [x for x in p_items if x[3] == lab]) for lab in names}
    scores["ALL"] = prf(g_items, p_items)
    return scores
