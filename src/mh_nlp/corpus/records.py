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
    if not isinstance(number, str):  # QA 49a D3: a number 2.28 was an AttributeError traceback
        raise CorpusError(f"malformed section number {number!r}: a section number is text such as \"2.28\"")
    try:
        ch, idx = number.split(".")
        return int(ch), int(idx)
    except ValueError:
        raise CorpusError(f"malformed section number {number!r} (a section number is <chapter>.<n>, such as "
                          "\"2.28\")") from None


SECTION_NUMBER = re.compile(r"[1-9][0-9]*\.[1-9][0-9]*")  # "2.28": no "2.x", "2.028" or " 2.28"
TITLE_SOURCES: tuple[str, ...] = ("toc", "heading", "inferred")
UNTITLED = "Onbekend (kop op ontbrekende pagina N)"  # how a section whose heading is on a missing page is titled


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pages_ok(value) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_int(p) and p > 0 for p in value)


def _titled(section: dict) -> str:
    title = section.get("title")
    return f", {json.dumps(title[:60], ensure_ascii=False)}" if isinstance(title, str) and title.strip() else ""


def _heading_problem(d) -> str | None:
    if d is None:
        return None
    if not (isinstance(d, dict) and _is_int(d.get("page")) and d.get("column") in ("left", "right")
            and isinstance(d.get("lines"), list) and len(d["lines"]) == 2 and all(map(_is_int, d["lines"]))
            and isinstance(d.get("text"), str)):
        return ("\"heading\" must be null or {\"page\": N, \"column\": \"left\" or \"right\", \"lines\": [first, last], "
                "\"text\": \"...\"}")
    return None


def taxonomy_problems(raw) -> list[str]:
    """Every problem of a taxonomy as read from JSON (``data/sections.json``), each one line without the file's
    name, naming the chapter or section and saying what to write instead; empty when it is usable. Linear in the
    number of sections. QA 49a D2/D3/D9: duplicate numbers, a section in a chapter that does not exist, a number
    that contradicts its ``chapter``, an empty title, ``"chapter": "2"`` and ``"number": 2.28`` passed every check
    or ended in a traceback far from the file."""
    if not isinstance(raw, dict):
        return [f"the taxonomy is a JSON object with \"chapters\" and \"sections\", not {_json_type(raw)}"]
    problems: list[str] = []
    for key in ("chapters", "sections"):
        if not isinstance(raw.get(key), list) or not raw[key]:
            problems.append(f"\"{key}\" must be a non-empty list of objects"
                            + ("" if key in raw else f" (there is no \"{key}\")"))
    if problems:
        return problems
    chapters: dict[int, int] = {}  # chapter -> its place in the list (1-based)
    for i, c in enumerate(raw["chapters"], 1):
        if not isinstance(c, dict):
            problems.append(f"chapter no. {i} of \"chapters\" is {_json_type(c)}, not an object")
            continue
        n = c.get("number")
        where = f"chapter {n}" if _is_int(n) else f"chapter no. {i} of \"chapters\""
        if not _is_int(n) or n < 1:
            problems.append(f"{where}: \"number\" must be a whole number such as {i}, not {_json_type(n)}"
                            + (f" {json.dumps(n, ensure_ascii=False)}" if isinstance(n, (str, int, float)) else ""))
        elif n in chapters:
            problems.append(f"chapter {n} appears twice in \"chapters\" (no. {chapters[n]} and no. {i}): give each "
                            f"chapter its own number")
        else:
            chapters[n] = i
        if not isinstance(c.get("title"), str) or not c["title"].strip():
            problems.append(f"{where} has no title: write its \"title\" as text")
        if c.get("title_source") not in TITLE_SOURCES:
            problems.append(f"{where}: \"title_source\" must be one of {', '.join(TITLE_SOURCES)}")
        if not (isinstance(c.get("pages"), list) and len(c["pages"]) == 2 and all(map(_is_int, c["pages"]))):
            problems.append(f"{where}: \"pages\" must be its first and last page, [first, last]")
    known = ", ".join(map(str, sorted(chapters)))
    seen: dict[str, int] = {}  # section number -> its place in the list (1-based)
    for i, s in enumerate(raw["sections"], 1):
        if not isinstance(s, dict):
            problems.append(f"section no. {i} of \"sections\" is {_json_type(s)}, not an object")
            continue
        n, ch = s.get("number"), s.get("chapter")
        if isinstance(n, str) and n.strip():
            where = f"section {n}"
        elif isinstance(n, (int, float)) and not isinstance(n, bool):
            where = f"section {n}"
        else:
            where = f"section no. {i} of \"sections\""
        number_ok = False
        if "number" not in s:
            problems.append(f"{where} has no \"number\": give it one such as \"2.28\" (text: <chapter>.<n>)")
        elif isinstance(n, (int, float)) and not isinstance(n, bool):
            example = n if isinstance(n, float) else "2.28"
            problems.append(f"{where}: \"number\" must be text such as \"{example}\" (in quotes), not a number: a "
                            f"number loses the 0 of \"2.10\"")
        elif not isinstance(n, str):
            problems.append(f"{where}: \"number\" must be text such as \"2.28\", not {_json_type(n)}")
        elif not SECTION_NUMBER.fullmatch(n):
            problems.append(f"{where}: \"number\" must be <chapter>.<n> in whole numbers, such as \"2.28\" (no "
                            f"letters, leading 0 or spaces)")
        elif n in seen:
            first = raw["sections"][seen[n] - 1]
            problems.append(f"section {n} appears twice in \"sections\" (no. {seen[n]}{_titled(first)} and no. {i}"
                            f"{_titled(s)}): a number names one section; give the other one a number of its own")
        else:
            seen[n] = i
            number_ok = True
        if not _is_int(ch):
            if "chapter" not in s:
                problems.append(f"{where} has no \"chapter\": give the number of its chapter, such as "
                                f"{n.split('.')[0] if number_ok else 2}")
            else:
                problems.append(f"{where}: \"chapter\" must be a whole number such as "
                                f"{n.split('.')[0] if number_ok else 2}, not {_json_type(ch)}"
                                + (f" {json.dumps(ch, ensure_ascii=False)}" if isinstance(ch, (str, float)) else ""))
        elif ch not in chapters:
            problems.append(f"{where}: chapter {ch} is not one of the taxonomy's chapters ({known}): add it to "
                            f"\"chapters\" first, or use one of those")
        elif number_ok and int(n.split(".")[0]) != ch:
            problems.append(f"{where}: the number says chapter {n.split('.')[0]}, \"chapter\" says {ch}: make them "
                            f"agree (a section of chapter {ch} is numbered {ch}.<n>)")
        title = s.get("title")
        if "title" not in s or title is None or (isinstance(title, str) and not title.strip()):
            problems.append(f"{where} has no title: write its \"title\" (or \"{UNTITLED}\" when its heading is on a "
                            f"missing page)")
        elif not isinstance(title, str):
            problems.append(f"{where}: \"title\" must be text, not {_json_type(title)}")
        if s.get("title_source") not in TITLE_SOURCES:
            problems.append(f"{where}: \"title_source\" must be one of {', '.join(TITLE_SOURCES)}"
                            + (f", not {json.dumps(s['title_source'], ensure_ascii=False)}" if "title_source" in s else
                               " (there is none)"))
        if not _pages_ok(s.get("pages")):
            problems.append(f"{where}: \"pages\" must be a list of page numbers, such as [37]")
        for key in ("topic", "description"):
            if s.get(key) is not None and not isinstance(s[key], str):
                problems.append(f"{where}: \"{key}\" must be text or null, not {_json_type(s[key])}")
        bad = _heading_problem(s.get("heading"))
        if bad:
            problems.append(f"{where}: {bad}")
    return problems


def _heading(d: dict | None) -> Heading | None:
    if not d:
        return None
    return Heading(page=int(d["page"]), column=d["column"], lines=tuple(d["lines"]), text=d["text"])


def read_taxonomy_file(path: str | Path) -> tuple[dict | None, list[str]]:
    """The taxonomy file as JSON and its problems, each prefixed with the file's name (``(None, [why])`` when it
    is no JSON). ``mh-nlp corpus check`` lists them all; :func:`load_taxonomy` refuses with the first."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8
        return None, [f"{path}: malformed taxonomy, not JSON ({exc.__class__.__name__}: {exc})"]
    return raw, [f"{path}: {p}" for p in taxonomy_problems(raw)]


@lru_cache(maxsize=4)
def _load_taxonomy(path: str) -> Taxonomy:
    raw, problems = read_taxonomy_file(path)
    if problems:
        more = f" (and {len(problems) - 1} more: `mh-nlp corpus check` lists them)" if len(problems) > 1 else ""
        raise CorpusError(problems[0] + more)
    chapters = {
        c["number"]: Chapter(c["number"], c["title"], c["title_source"], tuple(c["pages"])) for c in raw["chapters"]
    }
    sections = {
        s["number"]: Section(
            number=s["number"], title=s["title"], chapter=s["chapter"], pages=tuple(s["pages"]),
            title_source=s["title_source"], heading=_heading(s.get("heading")),
            topic=s.get("topic"), description=s.get("description"),
        )
        for s in raw["sections"]
    }
    return Taxonomy(chapters=chapters, sections=sections)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load the chapters and sections of the anthology, checked (:func:`taxonomy_problems`): a
    :class:`CorpusError` naming the file and the section of the first problem."""
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
