"""The written training set (``data/synthetic/statements.jsonl``): statements the team wrote on purpose for a
section, from its title and description, in the anthology's style. They are training examples only — never
quotes, never test items — and every accuracy figure comes from anthology quotes and external sentences.

Beside them, the written *stance* statements (``data/synthetic/stance.jsonl``, :class:`StanceStatement`): one
subject of a topic written in each of the four stances, for the model's topic and chapter evidence only; and the
written *lexicon* (``data/synthetic/lexicon.jsonl``, :func:`read_lexicon`): for each titled section the words and
short phrases of its subject, which the model's keyword overlap reads beside the section's title and description.

This module reads and checks both sets (fields, sections or topics, duplicates, copies of quotes, of external test
sentences and of development sentences). The near-copy check by sentence embeddings needs an encoder and lives with the theme model
(:func:`mh_nlp.themes.written.near_copies`); here everything is plain text.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .jsonl import Unique, json_rows, normal_form  # noqa: F401 - normal_form: also from here
from .records import Taxonomy, section_key
from ..paths import data_dir
from ..exceptions import WrittenSetError  # noqa: F401 - defined with every mh-nlp error

MIN_PER_SECTION = 40  # written statements every titled section must have
MIN_WORDS, MAX_WORDS = 3, 35
FIELDS = ("id", "section", "text", "written_from", "batch")
WRITTEN_FROM = ("taxonomy",)


@dataclass(frozen=True)
class Written:
    """One written training statement (not a quote: see the module docstring)."""

    id: str
    section: str
    text: str
    written_from: str
    batch: str
    row: int  # 1-based line of the file


def written_path() -> Path:
    return data_dir() / "synthetic" / "statements.jsonl"


def titled(taxonomy: Taxonomy) -> list[str]:
    """Sections with a known title (written statements exist only for these)."""
    return [s for s in sorted(taxonomy.sections, key=section_key)
            if not taxonomy.sections[s].title.startswith("Onbekend")]


def without_examples(taxonomy: Taxonomy, sections: Iterable[str]) -> list[str]:
    """The titled sections of ``taxonomy`` that none of ``sections`` (the section of every example a model learns
    from) names: a model could never predict them (QA 49a D1)."""
    have = set(sections)
    return [s for s in titled(taxonomy) if s not in have]


def too_few(written: Sequence[Written], taxonomy: Taxonomy) -> dict[str, int]:
    """Each titled section with fewer than :data:`MIN_PER_SECTION` written statements, and how many it has:
    ``corpus check`` fails on them, ``train`` warns (QA 49a D7)."""
    counts = Counter(w.section for w in written)
    return {s: counts[s] for s in titled(taxonomy) if counts[s] < MIN_PER_SECTION}


def _text(where: str, raw: str, min_words: int) -> str:
    """The text with its spaces collapsed, of ``min_words`` to :data:`MAX_WORDS` words."""
    text = " ".join(raw.split())
    if not text:
        raise WrittenSetError(f"{where}: empty text")
    words = len(text.split())
    if not min_words <= words <= MAX_WORDS:
        raise WrittenSetError(f"{where}: {words} words (a statement has {min_words}-{MAX_WORDS})")
    return text


def _titled_section(taxonomy: Taxonomy, where: str, raw: str) -> str:
    """A row's section: one of the taxonomy with a known title (written material exists only for these)."""
    sec = raw.strip()
    if sec not in taxonomy.sections:
        raise WrittenSetError(f"{where}: unknown section {sec!r}")
    if taxonomy.sections[sec].title.startswith("Onbekend"):
        raise WrittenSetError(f"{where}: section {sec} has no known title; write only for titled sections")
    return sec


def read_written(taxonomy: Taxonomy, path: str | Path | None = None) -> list[Written]:
    """The written statements, each row checked: valid JSON with every field, a titled section, an id
    ``w-<section>-<nnn>``, a text of 3-35 words, ``written_from`` known, no repeated id or text. The first bad row
    raises :class:`WrittenSetError` with a one-line message naming it."""
    path = Path(path or written_path())
    out: list[Written] = []
    seen = Unique(WrittenSetError)
    for n, where, d in json_rows(path, "the written training set", FIELDS, WrittenSetError):
        sec = _titled_section(taxonomy, where, d["section"])
        if not re.fullmatch(rf"w-{re.escape(sec)}-\d{{3,}}", d["id"]):  # QA 49a D11: the id names its section
            raise WrittenSetError(f"{where}: id {d['id']!r} does not fit section {sec}: a written statement's id is "
                                  f"w-<its section>-<nnn>, here w-{sec}-nnn (data/synthetic/README.md)")
        text = _text(where, d["text"], MIN_WORDS)
        if d["written_from"] not in WRITTEN_FROM:
            raise WrittenSetError(f"{where}: written_from must be one of {', '.join(WRITTEN_FROM)}")
        seen.check(where, n, d["id"], text)
        out.append(Written(d["id"], sec, text, d["written_from"], d["batch"], n))
    return out


def load_written(taxonomy: Taxonomy, path: str | Path | None = None) -> list[Written]:
    """The written set, or an empty list when the file is absent (a model then learns from quotes only)."""
    path = Path(path or written_path())
    return read_written(taxonomy, path) if path.exists() else []


@dataclass(frozen=True)
class StanceStatement:
    """One written *stance* statement (``data/synthetic/stance.jsonl``): not a quote and not an example of a
    section, but of a *topic* (``topic`` in ``data/sections.json``) in a chapter's stance (1 a trend, 2 a problem,
    3 what goes well, 4 an ambition). They come in quadruples — the same ``subject`` of a topic written once in
    each stance — so that they teach the stance apart from the subject. The theme model's topic and chapter
    classifiers learn from them; its section evidence never does."""

    id: str
    topic: str
    subject: str
    chapter: int
    text: str
    written_from: str
    batch: str
    row: int


STANCE_FIELDS = ("id", "topic", "subject", "text", "written_from", "batch")
STANCE_MIN_WORDS = 2  # a flip-over fragment ("Onderbezetting AVIM.") is a stance statement too


def stance_path() -> Path:
    return data_dir() / "synthetic" / "stance.jsonl"


def read_stance(taxonomy: Taxonomy, path: str | Path | None = None) -> list[StanceStatement]:
    """The stance statements, each row checked: valid JSON with every field, a ``topic`` of ``sections.json``, a
    ``chapter`` of the taxonomy, a text of 2-35 words, ``written_from: stance``, no repeated id or text. The
    first bad row raises :class:`WrittenSetError` with a one-line message naming it."""
    path = Path(path or stance_path())
    topics = {s.topic for s in taxonomy.sections.values() if s.topic}
    chapters = {s.chapter for s in taxonomy.sections.values()}
    out: list[StanceStatement] = []
    seen = Unique(WrittenSetError)
    for n, where, d in json_rows(path, "the written stance statements", STANCE_FIELDS, WrittenSetError,
                                 ("chapter",)):
        if d["topic"] not in topics:
            raise WrittenSetError(f"{where}: unknown topic {d['topic']!r} (the topics of data/sections.json)")
        if d["chapter"] not in chapters:
            raise WrittenSetError(f"{where}: chapter {d['chapter']} is not one of {sorted(chapters)}")
        text = _text(where, d["text"], STANCE_MIN_WORDS)
        if d["written_from"] != "stance":
            raise WrittenSetError(f"{where}: written_from must be stance")
        seen.check(where, n, d["id"], text)
        out.append(StanceStatement(d["id"], d["topic"], d["subject"].strip(), d["chapter"], text, d["written_from"],
                                   d["batch"], n))
    return out


def load_stance(taxonomy: Taxonomy, path: str | Path | None = None) -> list[StanceStatement]:
    """The stance statements, or an empty list when the file is absent (the topic and chapter evidence then learn
    from the quotes and written statements only)."""
    path = Path(path or stance_path())
    return read_stance(taxonomy, path) if path.exists() else []


LEXICON_FIELDS = ("section", "written_from", "batch")  # and "terms", a list of texts
LEXICON_MAX_WORDS = 3  # a term is a word or a short phrase: "melding", "aangifte doen", "Meld Misdaad Anoniem"


def lexicon_path() -> Path:
    return data_dir() / "synthetic" / "lexicon.jsonl"


def read_lexicon(taxonomy: Taxonomy, path: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """The written lexicon: for each titled section its ``terms`` — words and short phrases of its subject, written
    from the taxonomy (``written_from: taxonomy``), which the theme model's keyword overlap reads beside the
    section's title and description. A section may have one row per ``batch`` (a later batch adds terms to the
    earlier ones, in the order of the file). Each row checked: valid JSON with every field, a titled section that
    no other row of the same batch names, ``terms`` a non-empty list of texts of 1-3 words, none of them (in any
    capitalisation) a term of the same section in this or an earlier row. The first bad row raises
    :class:`WrittenSetError` with a one-line message naming it."""
    path = Path(path or lexicon_path())
    out: dict[str, tuple[str, ...]] = {}
    rows: dict[tuple[str, str], int] = {}
    seen: dict[str, dict[str, int]] = {}  # per section: each term (lower case) and the row that gave it
    for n, where, d in json_rows(path, "the written lexicon", LEXICON_FIELDS, WrittenSetError):
        sec = _titled_section(taxonomy, where, d["section"])
        key = (sec, str(d["batch"]))
        if key in rows:
            raise WrittenSetError(f"{where}: section {sec} repeats row {rows[key]} (one row a section and batch)")
        if d["written_from"] not in WRITTEN_FROM:
            raise WrittenSetError(f"{where}: written_from must be one of {', '.join(WRITTEN_FROM)}")
        terms = d.get("terms")
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
            raise WrittenSetError(f"{where}: terms must be a non-empty list of texts")
        have = seen.setdefault(sec, {})
        clean = []
        for raw in terms:
            term = " ".join(raw.split())
            if not 1 <= len(term.split()) <= LEXICON_MAX_WORDS:
                raise WrittenSetError(f"{where}: term {raw!r} has {len(term.split())} words (a term has 1-"
                                      f"{LEXICON_MAX_WORDS})")
            if term.lower() in have:
                raise WrittenSetError(f"{where}: term {term!r} appears twice" + (
                    f" (also in row {have[term.lower()]})" if have[term.lower()] != n else ""))
            have[term.lower()] = n
            clean.append(term)
        rows[key] = n
        out[sec] = out.get(sec, ()) + tuple(clean)
    return out


def load_lexicon(taxonomy: Taxonomy, path: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """The written lexicon, or no terms when the file is absent (the keyword overlap then reads each section's title
    and description only)."""
    path = Path(path or lexicon_path())
    return read_lexicon(taxonomy, path) if path.exists() else {}


def named(texts: Iterable[str | tuple[str, str]]) -> list[tuple[str | None, str]]:
    """(id, text) of each of ``texts``: a text alone has no id (None), a pair (id, text) keeps its id."""
    return [(None, t) if isinstance(t, str) else (str(t[0]), t[1]) for t in texts]


def naming(what: str, id_: str | None, text: str, width: int = 50) -> str:
    """``an anthology quote p011-L02 'Minder zicht op zorg/opvang …'``: what a statement copies, with the id and the
    start of its text when known, so that the writer finds it without a search (QA 49a D12)."""
    if id_ is None:
        return what
    start = " ".join(text.split())
    if len(start) > width:
        start = start[:width].rsplit(" ", 1)[0] + " …"
    return f"{what} {id_} '{start}'"


def copies(records: Sequence[Written | StanceStatement], quote_texts: Iterable[str | tuple[str, str]],
           external_texts: Iterable[str | tuple[str, str]],
           development_texts: Iterable[str | tuple[str, str]] = ()) -> list[str]:
    """A written record equal (after :func:`normal_form`) to an anthology quote, an external test sentence or a
    development sentence. Each may be given as its text or as (id, text): the message then names it."""
    errors = []
    for what, texts in (("an anthology quote", quote_texts), ("an external test sentence", external_texts),
                        ("a development sentence", development_texts)):
        keys: dict[str, tuple[str | None, str]] = {}
        for id_, t in named(texts):
            keys.setdefault(normal_form(t), (id_, t))
        errors += [f"{w.id} (row {w.row}): equal to {naming(what, *keys[k])}" for w in records
                   if (k := normal_form(w.text)) in keys]
    return errors


def written_errors(written: Sequence[Written], taxonomy: Taxonomy, quote_texts: Iterable[str | tuple[str, str]],
                   external_texts: Iterable[str | tuple[str, str]],
                   development_texts: Iterable[str | tuple[str, str]] = ()) -> list[str]:
    """Problems of the set as a whole: a titled section with fewer than :data:`MIN_PER_SECTION` statements
    (:func:`too_few`), a statement equal (after :func:`normal_form`) to an anthology quote, an external test
    sentence or a development sentence (:func:`copies`)."""
    errors = [f"section {s}: {n} written statements (at least {MIN_PER_SECTION})"
              for s, n in too_few(written, taxonomy).items()]
    return errors + copies(written, quote_texts, external_texts, development_texts)
