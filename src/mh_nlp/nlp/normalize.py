"""Repair PDF/note artefacts in Dutch text, keeping a map from every clean character to the original."""
from __future__ import annotations

import math
import sys
import types
import re
import unicodedata
from functools import lru_cache
from typing import Callable, Iterable

__all__ = ["normalize", "normalize_with_map", "map_span", "hyphen_decision", "word_zipf"]

# Characters replaced one by one (everything else that is a control/format character is dropped).
_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_NEWLINES = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_CHAR_MAP: dict[str, str] = {
    **{c: " " for c in _SPACES},
    **{c: "\n" for c in _NEWLINES},
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-",  # Unicode hyphen and non-breaking hyphen
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
    # bullets become spaces (they start list items; the item text stays)
    "\u2022": " ", "\u25e6": " ", "\u25aa": " ", "\u25ab": " ", "\u2023": " ", "\u25cf": " ", "\u25cb": " ",
    "\u25a0": " ", "\u25a1": " ", "\u27a2": " ", "\u25ba": " ", "\u2043": " ", "\uf0b7": " ", "\uf0a7": " ",
}
_DROP_CATEGORIES = {"Cc", "Cf", "Cs"}  # controls (except newline), soft hyphen, zero-width marks, surrogates

# A page footer on a line of its own: "bloemlezing - programma samen tegen mensenhandel 17".
_FOOTER = re.compile(r"(?im)^[ ]*bloemlezing[ ]*-[ ]*(?:programma[ ]+)?samen[ ]+tegen[ ]+mensenhandel[ ]+\d{1,3}[ ]*(?:\n|$)")
# A word broken at a line end: "slach-\ntoffers", "veroor -\ndelingen".
_LINE_HYPHEN = re.compile(r"(?<!\w)(\w+)([ ]?)-[ ]*\n[ ]*(\w+)")  # (?<!...): from a word's start only
_KEEP_BEFORE = {"en", "of", "tot", "noch", "dan"}  # "zorg- en veiligheidspartners": elided compound part
_SPACE_RUN = re.compile(r"[ ]{2,}")
# a run of punctuation marks without a space ("______", "))))))", "_)._)._).") is cut to this many: spaCy's tokenizer
# takes quadratic time on a long run of suffix characters (9,000 underscores: 6 s; "_)." x 3,000: 16 s, holding the
# GIL), and no more of them says anything
MAX_MARK_RUN = 20
_MARK_RUN = re.compile(r"(?:[^\w\s]|_){%d,}" % (MAX_MARK_RUN + 1))
_PARAGRAPH = re.compile(r"(?<![ ])[ ]*\n[ \n]*\n[ ]*")  # (?<!...): a run of spaces tried from its start only
_LINE_BREAK = re.compile(r"(?<![ ])[ ]*(?<!\n)\n(?!\n)[ ]*")  # linear: a run of spaces tried once


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    """The Dutch word frequencies of ``wordfreq`` (offline; empty if the package is missing)."""
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return {}
    return wordfreq.get_frequency_dict("nl", wordlist="large")


def word_zipf(word: str) -> float:
    """Zipf frequency (0 = unknown, 3 = once per million words) of a lowercase Dutch word."""
    freq = _frequencies().get(word.lower(), 0.0)
    return round(math.log10(freq * 1e9), 2) if freq > 0 else 0.0


def hyphen_decision(left: str, right: str) -> str:
    """How to mend ``left-`` at a line end followed by ``right``: ``join``, ``hyphen`` or ``space``."""
    if right.lower() in _KEEP_BEFORE:
        return "space"  # "wet- en regelgeving"
    if any(c.isdigit() for c in left + right) or right[:1].isupper():
        return "hyphen"  # "18-min", "niet-West-Europese"
    if len(left) >= 2 and (left.isupper() or any(c.isupper() for c in left[1:])):
        return "hyphen"  # an acronym or a name written in capitals inside is a whole word, never a syllable:
        # "NLA-medewerkers", "het RIEC - dat", "CoMensha - dat", "FairWork-medewerkers"
    if word_zipf(left + right) > 0:
        return "join"  # the joined word is attested: "slachtoffers", "informatie"
    if word_zipf(left) >= 2.0 and word_zipf(right) >= 2.0:
        return "hyphen"  # two real words, the joined form unknown: "publiek-private"
    return "join"  # a fragment on either side is a syllable break: "koudwa-tervrees"


class _Text:
    """Text plus, for each character, its offset in the original input."""

    __slots__ = ("text", "offsets")

    def __init__(self, text: str, offsets: list[int]) -> None:
        self.text = text
        self.offsets = offsets

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], Iterable[tuple[int, int] | str]]) -> None:
        """Replace matches; ``repl`` yields kept slices ``(start, end)``, new strings (mapped to the match start) or
        ``(new string, at)`` (mapped to where ``at`` of the text came from)."""
        out: list[str] = []
        offs: list[int] = []
        pos = 0
        text, old = self.text, self.offsets
        for m in pattern.finditer(text):
            out.append(text[pos:m.start()])
            offs.extend(old[pos:m.start()])
            anchor = old[m.start()] if m.start() < len(old) else (old[-1] + 1 if old else 0)
            for piece in repl(m):
                if isinstance(piece, str):
                    out.append(piece)
                    offs.extend([anchor] * len(piece))
                elif isinstance(piece[0], str):
                    out.append(piece[0])
                    offs.extend([old[piece[1]]] * len(piece[0]))
                else:
                    out.append(text[piece[0]:piece[1]])
                    offs.extend(old[piece[0]:piece[1]])
            pos = m.end()
        if pos == 0 and not out:
            return
        out.append(text[pos:])
        offs.extend(old[pos:])
        self.text = "".join(out)
        self.offsets = offs


_ONE_TO_ONE = str.maketrans({k: v for k, v in _CHAR_MAP.items() if len(v) == 1})
_MULTI = re.compile("[" + "".join(k for k, v in _CHAR_MAP.items() if len(v) != 1) + "]")


def _char_pass(text: str, base: list[int] | None) -> _Text:
    """Map odd spaces, quotes, ligatures and bullets; drop controls and invisible format characters."""
    fast = text.translate(_ONE_TO_ONE)
    if fast.replace("\n", "").isprintable() and not _MULTI.search(fast):  # lengths unchanged
        return _Text(fast, list(base) if base is not None else list(range(len(text))))
    out: list[str] = []
    offs: list[int] = []
    for i, ch in enumerate(text):
        src = base[i] if base is not None else i
        rep = _CHAR_MAP.get(ch)
        if rep is None:
            if ch == "\n" or (ch.isprintable() and ch != "\u00ad") or ch == " ":
                rep = ch
            elif unicodedata.category(ch) in _DROP_CATEGORIES:
                continue
            elif unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
                rep = " " if unicodedata.category(ch) == "Zs" else "\n"
            else:
                rep = ch
        out.append(rep)
        offs.extend([src] * len(rep))
    return _Text("".join(out), offs)


def _mend_hyphen(m: re.Match[str]) -> list[tuple[int, int] | str]:
    """Rejoin or keep a line-end hyphen according to :func:`hyphen_decision`."""
    left, spaced, right = m.group(1), m.group(2), m.group(3)
    decision = hyphen_decision(left, right)
    # a dash after a space and a capitalised word is a dash between words ("de Riec - dat"), not a broken word,
    # unless the two make a word ("Mensen -⏎handel", a sentence's first word broken at a line end)
    if decision == "join" and spaced and left[:1].isupper() and word_zipf(left + right) == 0:
        decision = "hyphen"
    lspan, rspan = m.span(1), m.span(3)
    hyphen_at = m.start(2) + len(spaced)
    if decision == "join":
        return [lspan, rspan]
    if decision == "space" or spaced:  # the space stands where the line break was
        return [(lspan[0], hyphen_at + 1), (" ", m.string.index("\n", hyphen_at)), rspan]
    return [(lspan[0], hyphen_at + 1), rspan]


def _one_pass(text: str, base: list[int] | None) -> _Text:
    """One round of all repairs."""
    t = _char_pass(text, base)
    if "\n" in t.text:
        t.sub(_FOOTER, lambda m: [])
        if "-" in t.text:
            t.sub(_LINE_HYPHEN, _mend_hyphen)
        t.sub(_PARAGRAPH, lambda m: ["\n\n"])
        t.sub(_LINE_BREAK, lambda m: [" "])
    t.sub(_SPACE_RUN, lambda m: [" "])
    t.sub(_MARK_RUN, lambda m: [(m.start(), m.start() + MAX_MARK_RUN)])
    # trim the whole text
    start, end = 0, len(t.text)
    while start < end and t.text[start] in " \n":
        start += 1
    while end > start and t.text[end - 1] in " \n":
        end -= 1
    if start or end != len(t.text):
        t.text, t.offsets = t.text[start:end], t.offsets[start:end]
    return t


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise ``text``; also return, per clean character, its offset in ``text``."""
    if not isinstance(text, str):
        raise TypeError(f"normalize expects str, not {type(text).__name__}")
    t = _one_pass(text, None)
    for _ in range(3):  # repairs can expose new ones ("a-\nb-\nc"); stop at the fixpoint
        again = _one_pass(t.text, t.offsets)
        if again.text == t.text:
            break
        t = again
    return t.text, t.offsets


def normalize(text: str) -> str:
    """Normalise ``text``: rejoin broken words, drop footers, straighten quotes, tidy whitespace."""
    return normalize_with_map(text)[0]


def map_span(offsets: list[int], start: int, end: int, original_length: int | None = None) -> tuple[int, int]:
    """Map a span ``[start, end)`` of normalised text to the original text via ``offsets``."""
    if not offsets or start >= end:
        pos = offsets[start] if start < len(offsets) else (original_length or 0)
        return pos, pos
    return offsets[start], offsets[end - 1] + 1


class _CallableModule(types.ModuleType):
    """This module, callable: ``mh_nlp.normalize(text)`` works although ``mh_nlp.normalize`` is this module."""

    def __call__(self, text: str) -> str:
        """Same as :func:`normalize`."""
        return normalize(text)


sys.modules[__name__].__class__ = _CallableModule
