"""The gold corpus: the anthology's taxonomy (``data/sections.json``) and its quotes (``data/quotes.jsonl``)."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal

from ..paths import data_file
from ..exceptions import CorpusError  # noqa: F401 - defined with every mh-nlp error

Column = Literal["left", "right"]
TitleSource = Literal["toc", "heading", "inferred"]

RAW_FILE = "001_e183801bd38c0e25.txt"
QUOTE_PAGES: tuple[int, ...] = tuple(p for p in range(11, 60, 2) if p != 47)  # page 47 is chapter 4's title page


@dataclass(frozen=True)
class Heading:
    page: int
    column: Column
    lines: tuple[int, int]
    text: str


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    chapter: int
    pages: tuple[int, ...]
    title_source: TitleSource
    heading: Heading | None = None
    topic: str | None = None  # shared subject across chapters (written by the project)
    description: str | None = None  # keywords for sections without quotes (written by the project)

    @property
    def key(self) -> tuple[int, int]:
        """Sortable (chapter, index) key: ``"2.11"`` -> ``(2, 11)``."""
        return section_key(self.number)


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    title_source: TitleSource
    pages: tuple[int, int]


@dataclass(frozen=True)
class Taxonomy:
    chapters: dict[int, Chapter]
    sections: dict[str, Section]

    def section(self, number: str) -> Section:
        try:
            return self.sections[number]
        except KeyError:
            raise CorpusError(f"unknown section {number!r}") from None

    def chapter_of(self, number: str) -> Chapter:
        return self.chapters[self.section(number).chapter]


@dataclass(frozen=True)
class Quote:
    """One quote of the anthology, with the section the editors placed it under."""

    id: str
    page: int
    column: Column
    order: int
    section: str
    chapter: int
    text: str
    lines: tuple[int, int]
    alt_sections: tuple[str, ...] = ()
    pull_quote: bool = False
    truncated: Literal["start", "end"] | None = None
    repeat_of: str | None = None
    continues: str | None = None  # id of the part this record continues (a quote running into the next column)
    note: str | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def accepted_sections(self) -> tuple[str, ...]:
        """The section and its layout alternatives: any of them counts as correct."""
        return (self.section, *self.alt_sections)


def section_key(number: str) -> tuple[int, int]:
    try:
        ch, idx = number.split(".")
        return int(ch), int(idx)
    except ValueError:
        raise CorpusError(f"malformed section number {number!r}") from None


def _heading(d: dict | None) -> Heading | None:
    if not d:
        return None
    return Heading(page=int(d["page"]), column=d["column"], lines=tuple(d["lines"]), text=d["text"])


@lru_cache(maxsize=4)
def _load_taxonomy(path: str) -> Taxonomy:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        chapters = {
            int(c["number"]): Chapter(int(c["number"]), c["title"], c["title_source"], tuple(c["pages"]))
            for c in raw["chapters"]
        }
        sections = {
            s["number"]: Section(
                number=s["number"], title=s["title"], chapter=int(s["chapter"]), pages=tuple(s["pages"]),
                title_source=s["title_source"], heading=_heading(s.get("heading")),
                topic=s.get("topic"), description=s.get("description"),
            )
            for s in raw["sections"]
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise CorpusError(f"{path}: malformed taxonomy ({exc})") from None
    return Taxonomy(chapters=chapters, sections=sections)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load the chapters and sections of the anthology."""
    return _load_taxonomy(str(path or data_file("sections.json")))


# "slach- toffers": a hyphen followed by a space and a lower-case word that is not a conjunction
# ("zorg- en veiligheidspartners" is a real hyphen and stays)
UNREPAIRED_HYPHEN = re.compile(r"[^\W\d_]+- (?!(?:en|of|tot|noch|als|dan|t/m)\b)[a-zà-ÿ]\w*")

_QUOTE_FIELDS = {"id", "page", "column", "order", "section", "chapter", "text", "lines", "alt_sections",
                 "pull_quote", "truncated", "repeat_of", "continues", "note"}


_TEXT_FIELDS = ("id", "column", "section", "text")  # required, text
_OPTIONAL_TEXT = ("truncated", "repeat_of", "continues", "note")  # text or null


def _json_type(value) -> str:
    return {"NoneType": "null", "int": "a number", "float": "a decimal number", "bool": "true/false", "list": "a list",
            "dict": "an object", "str": "text"}.get(type(value).__name__, type(value).__name__)


def _check_types(d: dict) -> None:
    """A ``TypeError`` naming the field when a record's field has the wrong type (a number or a list where text
    belongs, text where a list of lines belongs): they ended `corpus stats` and `corpus check` in tracebacks."""
    if not isinstance(d, dict):
        raise TypeError(f"a record is a JSON object, not {_json_type(d)}")
    missing = [k for k in ("id", "page", "column", "order", "section", "chapter", "text", "lines") if k not in d]
    if missing:
        raise TypeError(f"missing field{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}")
    for key in _TEXT_FIELDS:
        if key in d and not isinstance(d[key], str):
            raise TypeError(f"{key!r} must be text, not {_json_type(d[key])}")
    for key in _OPTIONAL_TEXT:
        if d.get(key) is not None and not isinstance(d[key], str):
            raise TypeError(f"{key!r} must be text, not {_json_type(d[key])}")
    alt = d.get("alt_sections")
    if alt is not None and (not isinstance(alt, list) or not all(isinstance(v, str) for v in alt)):
        raise TypeError("'alt_sections' must be a list of section numbers as text")
    lines = d.get("lines")
    if lines is not None and (not isinstance(lines, list) or len(lines) != 2 or
                              not all(isinstance(v, int) and not isinstance(v, bool) for v in lines)):
        raise TypeError("'lines' must be the first and last line number, [first, last]")
    for key in ("page", "order", "chapter"):
        if key in d and (isinstance(d[key], bool) or not isinstance(d[key], int)):
            raise TypeError(f"{key!r} must be a whole number, not {_json_type(d[key])}")
    if "pull_quote" in d and not isinstance(d["pull_quote"], bool):
        raise TypeError(f"'pull_quote' must be true or false, not {_json_type(d['pull_quote'])}")


def quote_from_dict(d: dict) -> Quote:
    _check_types(d)
    return Quote(
        id=d["id"], page=int(d["page"]), column=d["column"], order=int(d["order"]), section=d["section"],
        chapter=int(d["chapter"]), text=d["text"], lines=tuple(d["lines"]),
        alt_sections=tuple(d.get("alt_sections") or ()), pull_quote=bool(d.get("pull_quote", False)),
        truncated=d.get("truncated"), repeat_of=d.get("repeat_of"), continues=d.get("continues"),
        note=d.get("note"),
        extra={k: v for k, v in d.items() if k not in _QUOTE_FIELDS},
    )


def read_quotes(path: str | Path) -> list[Quote]:
    """Read quote records from a JSON-lines file."""
    quotes, n = [], 0
    try:
        with open(path, encoding="utf-8-sig") as fh:  # a byte-order mark (Notepad) is no part of the first record
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    quotes.append(quote_from_dict(json.loads(line)))
                except (KeyError, TypeError, ValueError, RecursionError) as exc:
                    raise CorpusError(f"{path}:{n}: malformed quote record ({exc})") from None
    except UnicodeDecodeError:
        raise CorpusError(f"{path}:{n + 1}: not UTF-8 text; a quotes file is JSON lines in UTF-8") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: a folder, not a quotes file") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read it ({exc.strerror or exc.__class__.__name__})") from None
    return quotes


def load_quotes(path: str | Path | None = None) -> list[Quote]:
    """All quotes of the gold corpus, in reading order (page, column, order)."""
    quotes = read_quotes(path or data_file("quotes.jsonl"))
    return sorted(quotes, key=lambda q: (q.page, q.column != "left", q.pull_quote, q.order))


@lru_cache(maxsize=1)
def quoted_sections() -> frozenset[str]:
    """The sections with at least one anthology quote (``data/quotes.jsonl``); the theme model knows the others from
    the team's written examples only."""
    return frozenset(q.section for q in training_quotes(load_quotes()))


def training_quotes(quotes: Iterable[Quote] | None = None) -> list[Quote]:
    """Quotes usable for training and evaluation: pull quotes (enlarged repeats) left out, and a quote that
    runs from one column into the next (``continues``) joined into one item under its first part's id."""
    body = [q for q in (load_quotes() if quotes is None else quotes) if not q.pull_quote]
    tails = {q.continues: q for q in body if q.continues}
    out = []
    for q in body:
        if q.continues:
            continue
        text, alts, nxt = q.text, list(q.alt_sections), tails.get(q.id)
        while nxt is not None:
            text += " " + nxt.text
            alts += [a for a in nxt.accepted_sections if a != q.section and a not in alts]
            nxt = tails.get(nxt.id)
        out.append(replace(q, text=text, alt_sections=tuple(alts)) if text != q.text else q)
    return _share_repeats(out)


def _share_repeats(quotes: list[Quote]) -> list[Quote]:
    """A text printed twice (``repeat_of``) has the sections of both copies: the anthology placed that very text
    under each, so each copy accepts the other's section (and alternatives) as right too. Two quotes of the
    anthology are printed under two different sections (1.2 and 1.8, 1.5 and 2.23)."""
    by_id = {q.id: q for q in quotes}
    root = {q.id: q.id for q in quotes}
    for q in quotes:  # follow each repeat to its first printing
        r = q
        while r.repeat_of in by_id and r.repeat_of != r.id:
            r = by_id[r.repeat_of]
        root[q.id] = r.id
    union: dict[str, list[str]] = {}
    for q in quotes:
        acc = union.setdefault(root[q.id], [])
        acc += [s for s in q.accepted_sections if s not in acc]
    out = []
    for q in quotes:
        alts = tuple(s for s in union[root[q.id]] if s != q.section)
        out.append(replace(q, alt_sections=alts) if alts != q.alt_sections else q)
    return out


def stats(quotes: list[Quote], taxonomy: Taxonomy) -> dict:
    """Quotes per chapter and per section (pull quotes counted apart, a quote split over two columns once)."""
    body = training_quotes(quotes)
    per_section = Counter(q.section for q in body)
    per_chapter = Counter(q.chapter for q in body)
    return {
        "quotes": len(body),
        "pull_quotes": sum(1 for q in quotes if q.pull_quote),
        "continued": sum(1 for q in quotes if q.continues),  # second parts, joined into their first part's quote
        "per_chapter": {c: per_chapter.get(c, 0) for c in sorted(taxonomy.chapters)},
        "per_section": {s: per_section.get(s, 0) for s in sorted(taxonomy.sections, key=section_key)},
    }


def consistency_errors(quotes: list[Quote], taxonomy: Taxonomy) -> list[str]:
    """Taxonomy, id, duplicate and ordering problems of a list of quotes (empty when consistent)."""
    errors: list[str] = []
    seen_ids: set[str] = set()
    by_id = {q.id: q for q in quotes}
    first_text: dict[str, str] = {}
    for q in quotes:
        where = q.id
        if q.id in seen_ids:
            errors.append(f"{where}: duplicate id")
        seen_ids.add(q.id)
        expected_id = f"p{q.page:03d}-{q.column[0].upper()}{'P' if q.pull_quote else ''}{q.order:02d}"
        if q.id != expected_id:
            errors.append(f"{where}: id should be {expected_id} (page, column, pull quote, order)")
        if q.page not in QUOTE_PAGES:
            errors.append(f"{where}: page {q.page} is not a quote page")
        if q.column not in ("left", "right"):
            errors.append(f"{where}: column must be left or right")
        for s in q.accepted_sections:
            if s not in taxonomy.sections:
                errors.append(f"{where}: section {s} not in the taxonomy")
        if q.section in taxonomy.sections and taxonomy.sections[q.section].chapter != q.chapter:
            errors.append(f"{where}: chapter {q.chapter} does not match section {q.section}")
        if q.section in q.alt_sections:
            errors.append(f"{where}: alt_sections repeats the section")
        if not q.text.strip() or q.text != " ".join(q.text.split()):
            errors.append(f"{where}: text is empty or has stray whitespace")
        m = UNREPAIRED_HYPHEN.search(q.text)
        if m:
            errors.append(f"{where}: line-break hyphen not repaired? {m.group(0)!r}")
        if q.truncated not in (None, "start", "end"):
            errors.append(f"{where}: truncated must be 'start' or 'end'")
        if q.continues is not None:
            head = by_id.get(q.continues)
            if head is None or head.page != q.page or head.column == q.column:
                errors.append(f"{where}: continues {q.continues}, which is not a quote in the other column of the page")
        if q.repeat_of is not None:
            orig = by_id.get(q.repeat_of)
            if orig is None or orig.text != q.text:
                errors.append(f"{where}: repeat_of {q.repeat_of} is not a quote with the same text")
        elif not q.pull_quote:
            if q.text in first_text:
                errors.append(f"{where}: same text as {first_text[q.text]} but neither pull_quote nor repeat_of")
            first_text.setdefault(q.text, q.id)
    # within a column, section numbers never go down
    columns: dict[tuple[int, str, bool], list[Quote]] = {}
    for q in quotes:
        columns.setdefault((q.page, q.column, q.pull_quote), []).append(q)
    for (page, column, pull), qs in sorted(columns.items()):
        qs.sort(key=lambda q: q.order)
        orders = [q.order for q in qs]
        if orders != list(range(1, len(qs) + 1)):
            what = "pull quotes" if pull else "quotes"
            errors.append(f"page {page} {column} {what}: orders are {orders}, expected 1..{len(qs)}")
        if pull:
            continue
        for a, b in zip(qs, qs[1:]):
            if a.section in taxonomy.sections and b.section in taxonomy.sections and \
                    section_key(b.section) < section_key(a.section):
                errors.append(f"{b.id}: section {b.section} follows {a.section} in the same column")
    return errors
