"""Machine checks of the gold corpus against the raw PDF extraction.

Every quote records the raw lines its words come from. The checker aligns all quotes (and the
section headings of the taxonomy) of a page with the page's word tokens at once: each raw token
goes to at most one record, the words of a record must appear in order within its lines (its
first word on its first line, its last word on its last line), and a word broken at a line end
(``slach-`` ... ``toffers``) may be rebuilt from two tokens even when text of the other column
stands between them. A quote whose word is not on the page cannot be aligned: that is the
*traceable* check. The share of a page's word tokens that the alignment gives to a quote is
its *coverage*.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .records import RAW_FILE, Quote, Taxonomy
from ..paths import data_file

FOOTER = re.compile(r"^\s*bloemlezing - (?:programma )?samen tegen mensenhandel (\d+)\s*$")
BEAM = 400


@dataclass(frozen=True)
class Token:
    text: str
    line: int  # 1-based line number in the raw file
    last_on_line: bool

    @property
    def wordy(self) -> bool:
        return any(ch.isalnum() for ch in self.text)


@dataclass
class PageText:
    page: int
    first_line: int
    last_line: int  # the footer line
    lines: list[str]  # raw lines first_line..last_line-1

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        for offset, line in enumerate(self.lines):
            parts = merge_spaced_hyphens(line.split())
            for i, part in enumerate(parts):
                out.append(Token(part, self.first_line + offset, i == len(parts) - 1))
        return out


def merge_spaced_hyphens(parts: list[str]) -> list[str]:
    """``['slacht', '-']`` -> ``['slacht -']``: a hyphen set off by a space still ends the word."""
    out: list[str] = []
    for p in parts:
        if p == "-" and out and out[-1][-1:].isalnum():
            out[-1] = out[-1] + " -"
        else:
            out.append(p)
    return out


@lru_cache(maxsize=2)
def _raw_lines(path: str) -> tuple[str, ...]:
    return tuple(Path(path).read_text(encoding="utf-8").split("\n"))


def raw_pages(path: str | Path | None = None) -> dict[int, PageText]:
    """Split the raw extraction into pages at the footer lines."""
    lines = _raw_lines(str(path or data_file("raw", RAW_FILE)))
    pages: dict[int, PageText] = {}
    start = 1
    for n, line in enumerate(lines, 1):
        m = FOOTER.match(line)
        if m:
            page = int(m.group(1))
            pages[page] = PageText(page, start, n, list(lines[start - 1:n - 1]))
            start = n + 1
    return pages


# ---------------------------------------------------------------- matching one token

def _step(tok: Token, words: list[str], i: int, rest: str | None) -> list[tuple[int, str | None]]:
    """Ways raw token ``tok`` can extend a record whose next word is ``words[i]`` (or pending ``rest``)."""
    t = tok.text
    spaced = t.endswith(" -")
    if spaced:
        t_core = t[:-2]
    else:
        t_core = t
    target = rest if rest is not None else (words[i] if i < len(words) else None)
    if target is None:
        return []
    out: list[tuple[int, str | None]] = []
    if not spaced and t == target:
        out.append((i + 1, None))
    if spaced and rest is None and t_core == target and i + 1 < len(words) and words[i + 1] == "-":
        out.append((i + 2, None))  # a real dash at a line end: "toekomstperspectief -"
    if spaced or t.endswith("-"):
        stem = t_core if spaced else t[:-1]
        if stem and len(target) > len(stem) and target.startswith(stem):
            out.append((i, target[len(stem):]))  # broken word, hyphen dropped: slach- + toffers
    if not spaced and len(target) > len(t) and target.startswith(t) and (
        t.endswith(("-", "/", ")")) or tok.last_on_line
    ):
        out.append((i, target[len(t):]))  # kept hyphen or slash at a line end: publiek- + private
    return out


# ---------------------------------------------------------------- page alignment

@dataclass
class Record:
    key: str
    words: list[str]
    lines: tuple[int, int]
    is_quote: bool


@dataclass
class PageReport:
    page: int
    ok: bool
    word_tokens: int = 0
    heading_tokens: int = 0
    covered: int = 0
    uncovered: list[Token] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        denom = self.word_tokens - self.heading_tokens
        return self.covered / denom if denom else 1.0


def _chains(quotes: list[Quote], taxonomy: Taxonomy | None, page: int) -> list[list[Record]]:
    groups: dict[tuple, list[Quote]] = {}
    for q in quotes:
        groups.setdefault((q.column, q.pull_quote), []).append(q)
    chains = [
        [Record(q.id, q.text.split(), tuple(q.lines), True) for q in sorted(g, key=lambda q: q.order)]
        for g in groups.values()
    ]
    if taxonomy is not None:
        for s in taxonomy.sections.values():
            if s.heading and s.heading.page == page:
                chains.append([Record("heading " + s.number, s.heading.text.split(), s.heading.lines, False)])
    return chains


def align_page(page: PageText, chains: list[list[Record]]) -> tuple[dict | None, float]:
    """Best joint alignment: returns (token index -> record key, uncovered word count) or (None, inf).

    Within one raw line a record's tokens are contiguous (a column segment is never split), up to
    tokens without letters or digits (stray bullets, quote marks).
    """
    tokens = page.tokens()
    wordy_before = [0]
    for tok in tokens:
        wordy_before.append(wordy_before[-1] + tok.wordy)
    # state: tuple over chains of (record index, word index, pending rest, last token consumed on this line or -1)
    start = tuple((0, 0, None, -1) for _ in chains)
    # value: (cost, assignment as a linked list ((tok_idx, key), parent))
    states: dict[tuple, tuple[float, tuple | None]] = {start: (0.0, None)}
    for ti, tok in enumerate(tokens):
        new: dict[tuple, tuple[float, tuple | None]] = {}

        def push(state, cost, assign):
            old = new.get(state)
            if old is None or cost < old[0]:
                new[state] = (cost, assign)

        for state, (cost, assign) in states.items():
            push(state, cost + (1.0 if tok.wordy else 0.001), assign)
            for c, (k, i, rest, last) in enumerate(state):
                chain = chains[c]
                if k >= len(chain):
                    continue
                rec = chain[k]
                if not rec.lines[0] <= tok.line <= rec.lines[1]:
                    continue
                if i == 0 and rest is None and tok.line != rec.lines[0]:
                    continue
                if last >= 0 and wordy_before[ti] - wordy_before[last + 1] > 0:
                    continue  # would leave a gap inside this record's segment of the line
                for i2, rest2 in _step(tok, rec.words, i, rest):
                    if i2 >= len(rec.words) and rest2 is None:
                        if tok.line != rec.lines[1]:
                            continue
                        nxt = (k + 1, 0, None, -1)
                    else:
                        nxt = (k, i2, rest2, ti)
                    push(state[:c] + (nxt,) + state[c + 1:], cost, ((ti, rec.key), assign))
        if ti + 1 == len(tokens) or tokens[ti + 1].line != tok.line:
            # end of a raw line: a record whose last line is behind us must be complete
            line = tok.line
            pruned: dict[tuple, tuple[float, tuple | None]] = {}
            for s, v in new.items():
                if all(k >= len(chains[c]) or chains[c][k].lines[1] > line for c, (k, _, _, _) in enumerate(s)):
                    s2 = tuple((k, i, r, -1) for k, i, r, _ in s)
                    if s2 not in pruned or v[0] < pruned[s2][0]:
                        pruned[s2] = v
            new = pruned
        if len(new) > BEAM:
            new = dict(sorted(new.items(), key=lambda kv: kv[1][0])[:BEAM])
        states = new
        if not states:
            return None, float("inf")
    final = [v for s, v in states.items() if all(k >= len(chains[c]) for c, (k, _, _, _) in enumerate(s))]
    if not final:
        return None, float("inf")
    cost, assign = min(final, key=lambda x: x[0])
    mapping: dict[int, str] = {}
    while assign is not None:
        (ti, key), assign = assign
        mapping[ti] = key
    return mapping, cost


def _diagnose(page: PageText, rec: Record) -> str | None:
    """Why one record alone cannot be aligned on its page (None if it can)."""
    mapping, _ = align_page(page, [[rec]])
    if mapping is not None:
        return None
    # find the longest prefix of the record that aligns within its lines
    tokens = [t for t in page.tokens() if rec.lines[0] <= t.line <= rec.lines[1]]
    i, rest, pos = 0, None, 0
    for pos, tok in enumerate(tokens):
        steps = _step(tok, rec.words, i, rest)
        if steps:
            i, rest = steps[0]
            if i >= len(rec.words) and rest is None:
                break
    if i < len(rec.words):
        return f"{rec.key}: word {i + 1} {rec.words[i]!r} not found in order on lines {rec.lines[0]}-{rec.lines[1]}"
    return f"{rec.key}: words found but not starting on line {rec.lines[0]} and ending on line {rec.lines[1]}"


def check_page(page: PageText, quotes: list[Quote], taxonomy: Taxonomy | None) -> PageReport:
    """Align one page's quotes with its raw text; report coverage and every record that fails."""
    chains = _chains(quotes, taxonomy, page.page)
    tokens = page.tokens()
    report = PageReport(page.page, ok=False, word_tokens=sum(t.wordy for t in tokens))
    for chain in chains:
        for rec in chain:
            if not (page.first_line <= rec.lines[0] <= rec.lines[1] < page.last_line):
                report.errors.append(f"{rec.key}: lines {rec.lines} are not on page {page.page} "
                                     f"({page.first_line}-{page.last_line - 1})")
    if report.errors:
        return report
    mapping, _ = align_page(page, chains)
    if mapping is None:
        for chain in chains:
            for rec in chain:
                why = _diagnose(page, rec)
                if why:
                    report.errors.append(why)
        if not report.errors:
            report.errors.append("no joint alignment: records overlap or their order within a column is wrong")
        return report
    report.ok = True
    for ti, tok in enumerate(tokens):
        if not tok.wordy:
            continue
        key = mapping.get(ti)
        if key is None:
            report.uncovered.append(tok)
        elif key.startswith("heading "):
            report.heading_tokens += 1
        else:
            report.covered += 1
    return report


def check_corpus(quotes: list[Quote], taxonomy: Taxonomy | None, pages: list[int] | None = None,
                 raw_path: str | Path | None = None) -> dict[int, PageReport]:
    """Check every quote page (or the given ones)."""
    from .records import QUOTE_PAGES

    raw = raw_pages(raw_path)
    by_page: dict[int, list[Quote]] = {}
    for q in quotes:
        by_page.setdefault(q.page, []).append(q)
    return {p: check_page(raw[p], by_page.get(p, []), taxonomy) for p in (pages or QUOTE_PAGES)}
