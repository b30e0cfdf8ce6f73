"""What a theme prediction for one statement looks like (shared by the classifier, the CLI and the writers)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, Sequence


@dataclass(frozen=True)
class Candidate:
    section: str
    title: str
    score: float


@dataclass(frozen=True)
class Evidence:
    """An anthology quote near the statement: why the model may be right (or not)."""

    id: str
    page: int | None
    section: str
    similarity: float
    text: str


@dataclass(frozen=True)
class Prediction:
    """The theme of one statement: section, its chapter, probabilities and the top sections."""

    section: str
    section_title: str
    chapter: int
    chapter_title: str
    confidence: float  # calibrated probability that ``section`` is right (top[].score: the section probabilities)
    chapter_confidence: float  # probability of ``chapter`` (sum over its sections)
    top: tuple[Candidate, ...] = field(default_factory=tuple)  # best first, at least 3
    similar_quotes: tuple[Evidence, ...] = field(default_factory=tuple)  # nearest anthology quotes, best first
    # the sentence encoder saw only this many leading characters (a long statement); None: all of it
    embedded_chars: int | None = None
    # read in order (``in_order=True``): the stay probability its note was read with (:func:`read_note`; 1 / S:
    # each statement on its own, as the note kept changing theme); None: read on its own
    note_stay: float | None = None
    # the chapter its heading named ("## Problemen": 2), used as evidence (mh_nlp.themes.headings); None: none
    heading_chapter: int | None = None
    # the chapter its own leading label named ("Knelpunt: ...": 2), used as evidence in place of a heading's; None: none
    label_chapter: int | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["top"] = [asdict(c) for c in self.top]
        d["similar_quotes"] = [asdict(e) for e in self.similar_quotes]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Prediction":
        """The prediction that :meth:`to_dict` gave ``d``."""
        d = dict(d)
        d["top"] = tuple(Candidate(**c) for c in d.get("top", ()))
        d["similar_quotes"] = tuple(Evidence(**e) for e in d.get("similar_quotes", ()))
        return cls(**d)


ENTITY_FIELDS = ("text", "label", "id", "start", "end")


def prediction_json(text: str, p: Prediction, entities: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One statement's prediction as the JSON of ``mh-nlp classify --json`` and ``POST /api/classify``
    (``kind`` ``statement``; scores rounded to 4 decimals, the top 3 sections, the entities' public fields)."""
    return {
        "text": text, "kind": "statement", "section": p.section, "section_title": p.section_title, "chapter": p.chapter,
        "chapter_title": p.chapter_title, "confidence": round(float(p.confidence), 4),
        "chapter_confidence": round(float(p.chapter_confidence), 4),
        "top": [{"section": c.section, "title": c.title, "score": round(float(c.score), 4)} for c in p.top[:3]],
        "entities": [{k: e.get(k) for k in ENTITY_FIELDS} for e in entities],
        "similar_quotes": [{"id": e.id, "page": e.page, "section": e.section, "similarity": round(float(e.similarity), 4),
                            "text": e.text} for e in p.similar_quotes],
        "embedded_chars": p.embedded_chars,
        # a statement's own leading label ("Ambitie: ...") named this chapter, and counted in place of its heading
        **({"label_chapter": p.label_chapter} if p.label_chapter is not None else {}),
    }


def nonstatement_json(text: str, kind: str | None) -> dict[str, Any]:
    """A meta or chatter line (:func:`mh_nlp.io.kinds.kind_of`: "Ja.", "Goedemorgen allemaal.", "12 maart 2026") in
    the JSON of ``mh-nlp classify --json`` and ``POST /api/classify``: its ``kind`` and the keys of
    :func:`prediction_json`, with no section (null), as ``mh-nlp label`` and the review screen give it none
    (QA 48b D4); ``kind`` None: a text the API skipped (empty, or without a word)."""
    return {"text": text, "kind": kind, "section": None, "section_title": None, "chapter": None,
            "chapter_title": None, "confidence": None, "chapter_confidence": None, "top": [], "entities": [],
            "similar_quotes": [], "embedded_chars": None}


class ThemeClassifier(Protocol):
    """Anything that turns statements into predictions (the trained model implements this)."""

    def predict_details(self, texts: Sequence[str]) -> list[Prediction]: ...
