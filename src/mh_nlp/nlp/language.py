"""Whether a statement reads as Dutch. The theme model knows Dutch statements only (the anthology, the written
statements): a statement in English, French, German or another script still gets a section, and the user is told
that it does not read as Dutch. The test is cheap and errs on the side of silence. A text does not read as Dutch
when it has at least :data:`MIN_WORDS` words and either a :data:`ENGLISH_SHARE` share or more of them are English,
French or German function words that Dutch does not have (``data/language/english_words.txt``: "the", "should" …;
``foreign_words.txt``: "les", "und" …), or two or more are and not one is a Dutch function word
(``dutch_words.txt``: "de", "het", "een" …); or when it has at least 20 letters of which fewer than half are Latin
(Cyrillic, Arabic, Chinese …). On the project's 8,160 Dutch texts (quotes, written and stance statements, the
outside sentences, the notes gold sets) the highest share of such words is 0.125; English sentences score 0.3–0.6.
Shorter texts ("Victims need support.") are not judged, and a French or German sentence built on words Dutch shares
("de", "la", "die", "in") can pass as Dutch: a word list is no language model. Words that Dutch uses too are never on
the lists ("de les", "Den Haag")."""
from __future__ import annotations

import re
from functools import lru_cache

from ..paths import data_file

MIN_WORDS = 6
ENGLISH_SHARE = 0.25
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


@lru_cache(maxsize=4)
def _words(name: str) -> frozenset[str]:
    lines = data_file("language", name).read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def foreign_words() -> frozenset[str]:
    """English, French and German function words that Dutch does not have (one set, made once: it is read for
    every statement labelled)."""
    return _words("english_words.txt") | _words("foreign_words.txt")


def dutch_words() -> frozenset[str]:
    return _words("dutch_words.txt")


def reads_as_dutch(text: str) -> bool:
    """False when ``text`` plainly is not Dutch (see the module); True otherwise, also when it is too short to tell."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 20 and sum(bool(_LATIN.match(c)) for c in letters) < len(letters) / 2:
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return True
    foreign = foreign_words()
    other = sum(w in foreign for w in words)
    dutch = dutch_words()
    if other >= 2 and not any(w in dutch for w in words):
        return False
    return other / len(words) < ENGLISH_SHARE
