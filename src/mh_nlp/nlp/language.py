"""Whether a statement reads as Dutch. The theme model knows Dutch statements only (the anthology, the written
statements): a statement in English, French, German or another script still gets a section, and the user is told
that it does not read as Dutch. The test is cheap and errs on the side of silence. A text does not read as Dutch
when it has at least :data:`MIN_WORDS` words and either a :data:`ENGLISH_SHARE` share or more of them are English,
French or German function words that Dutch does not have (``data/language/english_words.txt``: "the", "should" …;
``foreign_words.txt``: "les", "und" …), or two or more are and not one is a Dutch function word
(``dutch_words.txt``: "de", "het", "een" …); or when it has at least 20 letters of which fewer than half are Latin
(Cyrillic, Arabic, Chinese …). On the project's 8,160 Dutch texts (quotes, written and stance statements, the
outside sentences, the notes gold sets) the highest share of such words is 0.125; English sentences score 0.3–0.6.
Words that Dutch uses too are never on the lists ("de les", "Den Haag").

Short English and German texts, and those built on words Dutch shares ("Die Polizei arbeitet gut mit den Gemeinden
zusammen.", "We need more shelters.": QA 48b D7), and French ones whose Dutch-looking *de* outweighed their French
function words (QA 55: "Les victimes de la traite … ont besoin de plus de places dans les foyers.") are caught by word
frequencies (``wordfreq``, offline: the Dutch list :mod:`mh_nlp.nlp.normalize` reads too, and the small English,
German and French ones): a text of at least :data:`MIN_FREQ_WORDS` words (:data:`MIN_COUNTED` of them counted) does
not read as Dutch when its words are, on average, :data:`FOREIGN_MARGIN` or more Zipf points (a factor of ten each)
more frequent in English, German or French than in Dutch. Acronyms (``NLA``, ``HR``)
and words none of the lists knows (names) are not counted, so a Dutch note with English loan words ("De NLA doet een
screening van uitzendbureaus.", "Er is een taskforce voor labour exploitation opgericht.") stays Dutch: its Dutch
words outweigh them. On the project's Dutch texts the highest average is 0.50 ("Voorkom victim blaming."; with French
beside English and German too); on 44 English and German sentences written for the test
(``tests/unit/test_language_short_texts.py``) the lowest is 1.31, on its French ones 2.3–3.2.
Texts of one or two words ("The end.") are not judged: a word list is no language model."""
from __future__ import annotations

import math
import re
from functools import lru_cache

from ..paths import data_file

MIN_WORDS = 6
ENGLISH_SHARE = 0.25
MIN_FREQ_WORDS = 3  # words a text needs to be judged by word frequencies
MIN_COUNTED = 2  # of which known to a frequency list and no acronym ("Arbeitsausbeutung nimmt zu.": 2 of 3)
FOREIGN_MARGIN = 1.0  # average Zipf points by which a text's words are more English or German than Dutch
OTHER_LANGUAGES = ("en", "de", "fr")  # wordfreq's small lists, against its large Dutch one
ZIPF_FLOOR = 1.0  # the Zipf frequency of a word a list does not hold (the large Dutch list goes down to 1)
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


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, dict[str, float]]:
    """Word -> Zipf frequency for Dutch (``wordfreq``'s large list, also read by :mod:`mh_nlp.nlp.normalize`),
    English, German and French (its small lists: the words of at least 3 Zipf, so a rarer such word counts as
    unknown, which errs on the side of Dutch); empty without ``wordfreq``."""
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return {}
    return {lang: wordfreq.get_frequency_dict(lang, wordlist="large" if lang == "nl" else "small")
            for lang in ("nl", *OTHER_LANGUAGES)}


def _zipf(freq: float | None) -> float:
    return math.log10(freq * 1e9) if freq else ZIPF_FLOOR


def foreign_margin(text: str) -> tuple[float, int]:
    """How many Zipf points the words of ``text`` are on average more frequent in English, German or French (whichever
    is highest) than in Dutch, and how many words counted (acronyms and words no list holds are not)."""
    lists = _frequencies()
    if not lists:
        return 0.0, 0
    words = [w.lower() for w in _WORD.findall(text) if not (len(w) > 1 and sum(c.isupper() for c in w) >= 2)]
    words = [w for w in words if any(w in freq for freq in lists.values())]
    if not words:
        return 0.0, 0
    dutch = sum(_zipf(lists["nl"].get(w)) for w in words)
    other = max(sum(_zipf(lists[lang].get(w)) for w in words) for lang in OTHER_LANGUAGES)
    return (other - dutch) / len(words), len(words)


def reads_as_dutch(text: str) -> bool:
    """False when ``text`` plainly is not Dutch (see the module); True otherwise, also when it is too short to tell."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 20 and sum(bool(_LATIN.match(c)) for c in letters) < len(letters) / 2:
        return False
    margin, counted = foreign_margin(text)
    if counted >= MIN_COUNTED and len(_WORD.findall(text)) >= MIN_FREQ_WORDS and margin >= FOREIGN_MARGIN:  # QA 48b D7
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


WORD_ZIPF = 2.0  # a word that one of the lists holds at least this often is a word ("xxxxxxxx" 1.3, "asdf" not at all)
PART_ZIPF = 3.0  # a compound's first or last part (4 letters or more) as common as this makes it a word


def _a_word(word: str) -> bool:
    """Whether ``word`` is a word of a language rather than a run of letters: an acronym (``NLA``), a word the Dutch,
    English or German list holds (:data:`WORD_ZIPF`), or a compound that begins or ends with a common Dutch word
    (``Loverboyproblematiek``, ``Zorgcoördinatie``); never one letter repeated (``xxx``, ``aaaa``)."""
    if len(word) > 1 and sum(c.isupper() for c in word) >= 2:
        return True
    w = word.lower()
    if len(set(w)) == 1:
        return len(w) == 1 and w in "aeiou"  # "a", "u" are words; "x", "xxx" are not
    lists = _frequencies()
    if not lists:  # pragma: no cover - wordfreq is a dependency
        return True
    if any(_zipf(freq.get(w)) >= WORD_ZIPF for freq in lists.values() if w in freq):
        return True
    dutch = lists["nl"]
    return any(_zipf(dutch.get(part)) >= PART_ZIPF for i in range(4, len(w) - 3)
               for part in (w[:i], w[i:]) if part in dutch)


def has_real_words(text: str) -> bool:
    """Whether ``text`` has at least one word of a language (:func:`_a_word`): a run of ``x``, ``asdf qwer``, digits or
    punctuation alone has none. Such a text still gets the nearest section, and is marked perhaps not about the
    subject (QA 51a D10); a statement that names the field (an organisation, a form of exploitation) never is. Each of
    the project's 7,818 texts (quotes, written and stance statements, the outside sentences) and of the 359 lines of
    the notes gold sets has a word (``tests/unit/test_language_short_texts.py`` checks the 7,818)."""
    return any(_a_word(w) for w in _WORD.findall(text))
