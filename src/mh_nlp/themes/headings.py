"""Headings as evidence: a note organised under the anthology's four chapters ("## Trends", "## Problemen", "## Wat
gaat goed", "## Ambities", as round tables were) says the stance of every statement under each heading, and the
stance (the chapter) is what a statement read on its own gets wrong most often.

:func:`heading_chapter` maps a heading to the chapter it names (``data/chapter_headings.json``; None for a heading
that names no chapter, or two); :func:`label_chapter` reads a statement's own leading label the same way
("Knelpunt: te weinig opvang"). :func:`chapter_evidence` weighs each statement's section probabilities by it, as a
likelihood: each section of the named chapter by ``HEADING_WEIGHT`` (0.9), each section of the other three chapters
by a third of the rest (a ratio of 27 to 1), so a heading is strong evidence but not a rule (a statement that
clearly belongs elsewhere can still go there, as an analyst sometimes writes a remark under the wrong heading). The weight is a fixed prior — "a heading is right
nine times in ten" — not a fitted value. ``mh-nlp evaluate`` measures what it gives on the anthology's held-out
pages, each quote under its own chapter's title (*Headings* in ``reports/evaluation.md``).
NumPy and the standard library only.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Sequence

import numpy as np

from ..corpus.records import load_taxonomy
from ..exceptions import CorpusError
from ..paths import data_file

__all__ = ["HEADING_WEIGHT", "chapter_evidence", "chapter_headings_problems", "heading_chapter", "label_chapter",
           "load_chapter_headings", "question_chapter"]

HEADING_WEIGHT = 0.9  # the share of the probability a heading gives its chapter's sections (a prior, not fitted)

_NUMBERING = re.compile(r"^\s*(?:(?:hoofdstuk|deel|thema)\s+)?(?:\d+(?:\.\d+)*|[ivx]+|[a-z])[.):]\s+|^\s*\d+(?:\.\d+)*\s+")
_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=2)
def load_chapter_headings(path: str | None = None) -> dict[int, tuple[str, ...]]:
    """Chapter -> the heading phrases that name it (normalised as :func:`_normal`), checked
    (:func:`chapter_headings_problems`): a :class:`CorpusError` of one line naming the file and the first problem."""
    where = path or data_file("chapter_headings.json")
    try:
        with open(where, encoding="utf-8") as f:  # closed at once (QA 45a: a ResourceWarning in every run)
            raw = json.load(f)
    except (ValueError, RecursionError) as exc:  # damaged: one line naming the file
        raise CorpusError(f"{where}: not a chapter -> heading phrases table ({exc.__class__.__name__}: {exc})") from None
    problems = chapter_headings_problems(raw, load_taxonomy().chapters)
    if problems:
        more = f" (and {len(problems) - 1} more: `mh-nlp corpus check` lists them)" if len(problems) > 1 else ""
        raise CorpusError(f"{where}: {problems[0]}{more}")
    return {int(k): tuple(_normal(p) for p in v) for k, v in raw.items() if not k.startswith("_")}


def chapter_headings_problems(raw, chapters) -> list[str]:
    """Every problem of a chapter -> heading phrases table as read from JSON (``data/chapter_headings.json``), each
    one line without the file's name; empty when it is usable. ``chapters``: the taxonomy's chapters. A key is a
    chapter of the taxonomy (or a note, ``_...``), a value a list of phrases with words, and no phrase, once
    normalised as headings are, stands under two chapters: such a heading names two chapters, so it names none
    (QA 49a D10: ``"Ambities"`` under chapter 2 too turned the usual ``## Ambities`` off without a word, a key
    ``"5"`` was "evidence for chapter 5", which does nothing). Linear in the number of phrases."""
    if not isinstance(raw, dict):
        return ["the table is a JSON object of chapter -> list of heading phrases, such as {\"4\": [\"ambities\"]}"]
    known = ", ".join(map(str, sorted(chapters)))
    problems: list[str] = []
    first: dict[str, tuple[int, str]] = {}  # normalised phrase -> (chapter, phrase as written)
    for key, phrases in raw.items():
        if key.startswith("_"):  # a note
            continue
        if not (key.isascii() and key.isdigit() and str(int(key)) == key):
            problems.append(f"key {key!r} is not a chapter number: write the chapter as \"1\" to \"{max(chapters)}\" "
                            f"(or start a note's key with _)")
            continue
        chapter = int(key)
        if chapter not in chapters:
            problems.append(f"key \"{key}\": chapter {chapter} is not one of the taxonomy's chapters ({known}): put "
                            f"its phrases under one of those")
            continue
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            problems.append(f"chapter {chapter}: the phrases must be a list of text, such as [\"ambities\", \"wensen\"]")
            continue
        for phrase in phrases:
            normal = _normal(phrase)
            if not normal:
                problems.append(f"chapter {chapter}: the phrase {phrase!r} has no words once numbering and punctuation "
                                f"are off: it names nothing; remove it")
                continue
            other = first.setdefault(normal, (chapter, phrase))
            if other[0] != chapter:
                same = "" if other[1] == phrase else f" (written {other[1]!r})"
                problems.append(f"the phrase {phrase!r} is under chapter {other[0]}{same} and chapter {chapter}: a "
                                f"heading that names two chapters names none, so it would count for neither; keep it "
                                f"under one")
    return problems


def _normal(text: str) -> str:
    """Lower case, numbering ("2.", "II)", "Hoofdstuk 3:") and punctuation off, spaces single."""
    text = _NUMBERING.sub("", text.lower(), count=1)
    return " ".join(_NON_WORD.sub(" ", text).split())


def heading_chapter(heading: str | None, path: str | None = None, exact: bool = False) -> int | None:
    """The chapter a heading names, or None: the heading (normalised) is one of the chapter's phrases or begins
    with one (``exact``: is one), and names no other chapter anywhere ("Problemen en oplossingen", "Wat gaat goed
    en wat kan beter": None). A heading that is a question ("En wat gaat er goed?", a chair's question over the
    answers) names the chapter whose question patterns alone it holds (:func:`question_chapter`)."""
    if not heading:
        return None
    text = _normal(heading)
    if not text:
        return None
    table = load_chapter_headings(path)
    named = {ch for ch, phrases in table.items()
             if any(text == p or (not exact and text.startswith(p + " ") and not _negated(text[len(p) + 1:]))
                    for p in phrases)}
    padded = f" {text} "
    mentioned = {ch for ch, phrases in table.items() if any(f" {p} " in padded for p in phrases)}
    if len(named) == 1 and mentioned <= named:
        return named.pop()
    if not named and not exact and heading.rstrip().endswith("?"):
        return question_chapter(heading)
    return None


def _negated(rest: str) -> bool:
    """True when what follows a chapter's phrase turns it around ("Wat werkt" + "niet", "nog niet")."""
    return rest.startswith(("niet ", "nog niet ")) or rest in ("niet", "nog niet")


@lru_cache(maxsize=1)
def load_chapter_questions() -> dict[int, tuple[re.Pattern, ...]]:
    """Chapter -> the patterns of a question that opens it (``data/chapter_questions.json``)."""
    where = data_file("chapter_questions.json")
    try:
        with open(where, encoding="utf-8") as f:
            raw = json.load(f)
        return {int(k): tuple(re.compile(p) for p in v) for k, v in raw.items() if not k.startswith("_")}
    except (ValueError, TypeError, AttributeError, RecursionError, re.error) as exc:
        raise CorpusError(f"{where}: not a chapter -> question patterns table ({exc.__class__.__name__}: {exc})") from None


def question_chapter(question: str | None) -> int | None:
    """The chapter a question opens ("Waar lopen jullie tegenaan?" -> 2, "En wat gaat er goed?" -> 3, "Wat willen
    jullie over twee jaar bereikt hebben?" -> 4), or None: the patterns of exactly one chapter are found in it."""
    if not question or not question.rstrip().endswith("?"):
        return None
    text = " ".join(question.lower().split())
    found = {ch for ch, patterns in load_chapter_questions().items() if any(p.search(text) for p in patterns)}
    return found.pop() if len(found) == 1 else None


_LABEL = re.compile(r"^\s*(?:[-*•–]\s+)?([^\W\d_][^:]{0,39}?)\s*:\s*\S")


def label_chapter(text: str | None, path: str | None = None) -> int | None:
    """The chapter a statement's own leading label names, or None: the words before its first colon (at most 40
    characters), read as :func:`heading_chapter` reads a heading ("Knelpunt: te weinig opvang" -> 2, "Ambitie: ..."
    -> 4, "Wat goed gaat: ..." -> 3). Notes often mark each point this way instead of putting it under a heading;
    the label counts as the heading of that one statement."""
    m = _LABEL.match(text or "")
    return heading_chapter(m.group(1), path) if m else None


def chapter_evidence(P: np.ndarray, column_chapters: Sequence[int], chapters: Sequence[int | None],
                     weight: float = HEADING_WEIGHT) -> np.ndarray:
    """``P`` (n, S) with each row that has a chapter (``chapters[i]``, None: no heading evidence) weighed toward
    that chapter's sections (``column_chapters``: the chapter of each column): the named chapter's sections times
    ``weight``, the others' times ``(1 - weight)`` shared by the other chapters (a third each of four),
    renormalised. Rows without a chapter, or with one no column has, are unchanged."""
    P = np.asarray(P, dtype=float)
    out = P.copy()
    cols = np.asarray(column_chapters)
    others = max(len(np.unique(cols)) - 1, 1)
    named = np.array([-1 if c is None else c for c in chapters])
    rows = np.flatnonzero(np.isin(named, cols))  # a chapter that some column has
    if len(rows):
        Q = P[rows] * np.where(cols[None, :] == named[rows, None], weight, (1.0 - weight) / others)
        total = Q.sum(axis=1, keepdims=True)
        keep = total[:, 0] > 0
        out[rows[keep]] = Q[keep] / total[keep]
    return out
