"""What a line of meeting notes is: a ``statement``, ``meta`` (date, place, attendees, minute-taker, agenda
and action-list headers) or ``chatter`` (greetings, thanks, breaks, procedural and technical lines, and answers
that say nothing to sort: "Ik weet het niet.", "Geen idee.", "Goede vraag.").

Only statements are labelled with a section. The rules are cue patterns in a data file,
``notes_cues.txt`` beside this module, readable and editable without touching code: a line is meta or
chatter only when a cue matches the *whole* line, so short statements ("RIEC's zijn aan tafel.",
"Oplossing taalbarrières.") stay statements. A labelled line (``Datum: 14 maart``) whose label is a meta
label is meta, and such labels are never taken for speakers (:func:`speaker_label`).

>>> kind_of("Datum: 14 maart 2026"), kind_of("Goedemorgen allemaal."), kind_of("RIEC's zijn aan tafel.")
('meta', 'chatter', 'statement')

The gold sets are in ``data/notes/``; :mod:`mh_nlp.io.notes_eval` measures the rules on them
(``python -m mh_nlp.io.notes_eval data/notes/*.tsv``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..corpus.jsonl import has_words

KINDS = ("statement", "meta", "chatter")
CUES_PATH = Path(__file__).with_name("notes_cues.txt")
# the words in lower case inside a person's name (Dutch, Arabic, Berber, Portuguese, Italian …: "Jan van der Berg",
# "Fatima el Idrissi", "Ali bin Said"), one list for the notes' rules and the pseudonymiser (QA 52a D1)
NAME_PARTICLES = ("van", "de", "der", "den", "ten", "ter", "te", "het", "'t", "el", "al", "la", "le", "du", "da", "di",
                  "von", "op", "in", "ben", "bin", "ibn", "abu", "bou", "dos", "das", "del", "des")
_PARTICLES = set(NAME_PARTICLES) | {"mevr", "mevrouw", "dhr", "mw", "mr", "dr", "drs", "ir", "prof"}


def _letters(test) -> str:
    """A regular-expression class body of the letters of the Latin, Greek and Cyrillic scripts that pass ``test``."""
    ranges = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x370, 0x3FF), (0x400, 0x52F), (0x1E00, 0x1EFF))
    return "".join(re.escape(chr(c)) for a, b in ranges for c in range(a, b + 1) if test(chr(c)))


# a capital and a small letter of a name, beyond Latin-1: "Yeşilgöz", "Łukasz", "Ionuț", "Đorđević", "Олена" are names
# as "Öztürk" is (QA 52c: [A-ZÀ-Ý] missed them, so such a speaker kept her name under --pseudonymise)
UPPER = "[" + _letters(str.isupper) + "]"
LOWER = "[" + _letters(str.islower) + "]"


@dataclass(frozen=True)
class Cues:
    """The cue patterns of ``notes_cues.txt``."""

    meta_labels: frozenset[str]
    role_labels: frozenset[str]
    not_speakers: frozenset[str]
    meta: re.Pattern
    chatter: re.Pattern
    chatter_words: frozenset[str]
    mail_labels: frozenset[str] = frozenset()
    answer_anchors: frozenset[str] = frozenset()
    answer_words: frozenset[str] = frozenset()

    def meta_label(self, key: str) -> bool:
        """True for a meta label, also with more words or a number after it (``datum en tijd``), and for an
        e-mail's header field (``Van``, ``Aan``, ``Sent``), which counts alone only."""
        if key in self.meta_labels or key in self.mail_labels:
            return True
        words = key.split()
        return any(" ".join(words[:n]) in self.meta_labels for n in range(1, min(len(words), 3) + 1))


def _pattern(lines: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in lines) or r"(?!)", re.IGNORECASE)


@lru_cache(maxsize=4)
def load_cues(path: str | Path = CUES_PATH) -> Cues:
    """Read a cue file: ``[section]`` headers, one label or pattern a line, ``#`` comments."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), [])
        elif current is not None:
            current.append(line)
    return Cues(frozenset(x.lower() for x in sections.get("meta labels", [])),
                frozenset(x.lower() for x in sections.get("role labels", [])),
                frozenset(x.lower() for x in sections.get("not speakers", [])),
                _pattern(sections.get("meta", [])), _pattern(sections.get("chatter", [])),
                _words(sections.get("chatter words", [])),
                frozenset(x.lower() for x in sections.get("mail header labels", [])),
                _words(sections.get("answer anchors", [])), _words(sections.get("answer words", [])))


def _words(lines: list[str]) -> frozenset[str]:
    return frozenset(w.lower() for line in lines for w in line.split())


def _label_key(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().rstrip(".:").lower())


def speaker_label(label: str) -> bool:
    """True when ``label`` (the ``X`` of ``X: ...``) may be a speaker: not a meta label (``Datum``,
    ``Aanwezig``, ``Notulist`` ...) and not a note label (``Actiepunt``, ``NB`` ...)."""
    cues = load_cues()
    key = _label_key(label)
    return not cues.meta_label(key) and key not in cues.not_speakers and not not_a_name(label)


_TRAILING = re.compile(r"(?<![\s.!?:;…])[\s.!?:;…]+$")  # linear: the run is tried from its start only
_LABELLED = re.compile(r"^([^:]{1,40}?)\s*:\s*(.*)$")
_PARENS = re.compile(r"\([^()]*\)")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")  # between two sentences of a line
# the person a procedural line is said to, after a comma: "Je staat op mute, Pieter" (QA 44a)
_ADDRESSED = re.compile(r",\s*[A-Z][^\W\d_]*(?:\s+[A-Z][^\W\d_]*)?$")


def _name_word(word: str) -> bool:
    """A word of a person's name: capitalised, or a particle (``de``, ``van``, ``ter``)."""
    return word[:1].isupper() or word.lower().strip(".") in _PARTICLES


def names_only(text: str) -> bool:
    """True when ``text`` is a list of person names (``Henk de Graaf``, ``Jan (NLA) en Els``), nothing else."""
    items = [i.strip() for i in re.split(r",|;|&|\ben\b", _PARENS.sub(" ", text)) if i.strip()]
    if not items:
        return False
    for item in items:
        words = _TRAILING.sub("", item).split()
        if not 1 <= len(words) <= 5:
            return False
        if not all(_name_word(w) for w in words):
            return False
        if not any(w[:1].isupper() for w in words):
            return False
    return True


# generic words for a body ("de gemeente", "de politie", "het Aanjaagteam Ondermijning", "Stichting X"): never a
# person's name, nor the first word of one
GENERIC_ORGANISATIONS = frozenset({"gemeente", "politie", "rijk", "provincie", "zorg", "jeugdzorg", "veiligheidshuis",
                                   "aanjaagteam", "veiligheidsregio", "inspectie", "ministerie", "rechtbank",
                                   "stichting", "taskforce", "bureau", "vereniging", "instituut", "centrum"})
# the last word of a body's name ("Jade Zorggroep", "Kenniscentrum X"): no person's name ends so (QA 52a D11)
BODY_ENDINGS = ("groep", "centrum", "instituut", "academie", "fonds", "vereniging", "stichting", "bureau", "partners",
                "collectief", "coalitie", "platform", "netwerk", "alliantie", "diensten", "college", "international")


NOT_NAMES_PATH = Path(__file__).with_name("not_names.txt")


@lru_cache(maxsize=1)
def _not_names() -> frozenset[str]:
    lines = NOT_NAMES_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(" ".join(line.split()).lower() for line in lines if line.strip() and not line.startswith("#"))


def not_a_name(text: str) -> bool:
    """True when ``text`` is a place, country, region, nationality or body of ``not_names.txt`` (``Polen``,
    ``Westland``, ``Sofia``, ``Eurostat``), or a list of them: never a person, though written like one (QA 53a D8, D9).
    """
    words = " ".join(text.replace(",", " ").split()).lower()
    if not words:
        return False
    return words in _not_names() or all(w in _not_names() or w in ("en", "&") for w in words.split())


@lru_cache(maxsize=1)
def organisation_words() -> frozenset[str]:
    """Names and aliases of the organisations in ``data/entities/`` (lower case), never pseudonymised."""
    from ..paths import DataNotFound, data_dir

    out: set[str] = set(GENERIC_ORGANISATIONS)
    try:
        folder = data_dir() / "entities"
        files = [p for p in folder.glob("*.jsonl") if not p.name.startswith("gold")]  # not the gold sets
    except (DataNotFound, OSError):
        files = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            out.add(str(record.get("name", "")).lower())
            texts = [_alias_text(a).lower() for a in record.get("aliases") or [] if isinstance(a, dict)]
            out.update(texts)
            if str(record.get("id", "")).startswith("gemeente-"):  # a place of two words or more is no person either
                out.update(place for t in texts if (place := t.removeprefix("gemeente ")) != t and " " in place)
    return frozenset(w for w in out if w)


def _alias_text(alias: dict) -> str:
    """An alias as text: its ``text``, or the words of a token pattern that spells them out (a municipality's
    ``gemeente`` + ``Den Haag``: QA 51b N1, the pseudonymiser took *gemeente Den Haag* for a person), else ''."""
    if "pattern" not in alias:
        return str(alias.get("text", ""))
    words = []
    for token in alias.get("pattern") or []:
        value = next((token[k] for k in ("ORTH", "TEXT", "LOWER") if isinstance(token, dict) and k in token), None)
        if not isinstance(value, str) or len(token) != 1:
            return ""  # a pattern of sets or operators names no one text
        words.append(value)
    return re.sub(r"\s+([,.)])|(')\s+", lambda m: m.group(1) or m.group(2), " ".join(words))


_PLACE_PREPOSITIONS = {"in", "bij", "met", "uit", "naar", "over", "door", "tegen", "onder", "tussen", "rond", "binnen",
                       "buiten", "via", "zonder", "te"}


def _organisation(word: str) -> bool:
    """A word that names an organisation (``data/entities/``), or an acronym of two or more capitals (``GGD``,
    ``KMar``), never a person's name."""
    return word.lower() in organisation_words() or sum(c.isupper() for c in word) >= 2


def chairs(speaker: str) -> bool:
    """True for a speaker label that names who leads the meeting (the cue file's *role labels*: ``Voorzitter``,
    ``Gespreksleider``, ``Moderator``, ``Interviewer``)."""
    return bool(speaker) and _label_key(speaker) in load_cues().role_labels


# a spreadsheet formula, not a statement (QA 47a D2): =HYPERLINK(…), @SUM(…) (not "- Opvang (…"); =2+2, =(1+2)*3,
# =10% as a whole (not "=10% meer meldingen", QA 47c N4); =A1, =B2*3 — each the whole line: a line that goes on in
# words ("=SOM(A1:A3) als voorbeeld …", "@SUM(A1:A2) opvang is vol") says something and is a statement (QA 55 #1);
# and a DDE call anywhere after a formula's first sign (=cmd|' /C calc'!A0, -cmd|…, @SUM(1+1)*cmd|' /C calc'!A0)
_WHOLE_FORMULA = re.compile(r"[=+\-@][A-Za-z_][A-Za-z0-9_.]*\(.*\)\s*$"
                            r"|=\s*[-+]?[\d(][\d\s.,()+\-*/^%]*$"
                            r"|=\s*\$?[A-Za-z]{1,3}\$?\d+\s*$"
                            r"|[=+\-@][A-Za-z0-9_.]+\|"
                            r"|[=+\-@].*?[A-Za-z0-9_.]\|\s*'")


def is_formula(text: str) -> bool:
    """Whether ``text`` is a spreadsheet formula and nothing else (:data:`_WHOLE_FORMULA`), or holds a DDE call
    after a formula's first sign: one rule for every command — :func:`kind_of` reads it as meta (no note states
    it, QA 47c N4), and a correction of it is refused (``mh_nlp.io.additions.formula``, ``train --add`` and the
    screen's API), so that whatever ``label`` calls a statement can be given back as a correction (QA 55 #1)."""
    return bool(_WHOLE_FORMULA.match(text.strip()))


def read_kind(text: str, read_chars: int) -> str:
    """:func:`kind_of` of a text of which only the first ``read_chars`` characters are classified (``classify`` and
    the API): one whose classified part holds no word is no statement, whatever words come after it (QA 48c N7)."""
    head = text[:read_chars]
    return kind_of(text if has_words(head) else head)


def _name_like(label: str) -> bool:
    """True for the ``X`` of ``X: ...`` that looks like a person's name with an optional affiliation (``Petra de
    Boer``, ``Sanne Vos (CoMensha)``, ``Spreker 2``): one to five words, each capitalised, a particle or a number."""
    words = _PARENS.sub(" ", label).split()
    return 0 < len(words) <= 5 and words[0][:1].isupper() and all(_name_word(w) or w.isdigit() for w in words)


def kind_of(text: str, speaker: str = "") -> str:
    """``statement``, ``meta`` or ``chatter`` for one line of notes (``speaker``: its speaker label, if the
    reader took one off). A line without a word is never a statement: ``meta`` when it holds a figure (``42``,
    ``2025``, ``15%``) or marks only (``?!``), ``chatter`` when emoji only (``👍``)."""
    cues = load_cues()
    line = _TRAILING.sub("", text.strip())
    if not line:
        return "meta" if text.strip() else "statement"
    if speaker:
        key = _label_key(speaker)
        # "Voorzitter: <names>" says who chairs; the chair's (interviewer's) question is no participant's statement
        if cues.meta_label(key) or (key in cues.role_labels and (names_only(line) or text.strip().endswith("?"))):
            return "meta"  # (QA 51a D9)
    m = _LABELLED.match(line)
    if m:
        key = _label_key(m.group(1))
        if cues.meta_label(key) or (key in cues.role_labels and (names_only(m.group(2)) or text.strip().endswith("?"))):
            return "meta"
        if key in cues.not_speakers or key in cues.role_labels:
            line = _TRAILING.sub("", m.group(2)) or line
        elif _name_like(m.group(1)) and m.group(2).strip() and kind_of(m.group(2)) == "chatter":
            return "chatter"  # "Petra de Boer: Eens." in a cell or to classify, as a note's reader reads it (QA 51a D1)
    if cues.meta.fullmatch(line) or is_formula(text):  # a formula pasted with the notes is no statement (QA 47c N4)
        return "meta"
    if cues.chatter.fullmatch(line) or cues.chatter.fullmatch(_ADDRESSED.sub("", line)):
        return "chatter"
    words = _WORD.findall(line)
    if not has_words(line):  # numbers, symbols or emoji only: nothing to sort into a theme; a figure ("42", "2025",
        return "meta" if any(c.isdigit() for c in line) else "chatter"  # "15%") is no small talk (QA 48b D13)
    # small talk may name the person it addresses ("Welkom Hamza", "Dank je, Joost"): up to two capitalised
    # words after the first are taken for names, but not an organisation ("Ook de NLA en het RIEC.", "Goed dat
    # Fier er is.") nor a word after a preposition ("Ook in Venlo."): those lines say something (QA 46a)
    names = [w for i, w in enumerate(words) if i and w[:1].isupper() and not _organisation(w)
             and words[i - 1].lower() not in _PLACE_PREPOSITIONS][:2]
    rest = [w.lower() for w in words if w not in names]
    # an organisation's acronym is no small-talk word in lower case: "Het OM." names the Openbaar Ministerie, not "om"
    # (QA 48c N6)
    acronym = any(w.isupper() and len(w) > 1 and _organisation(w) for w in words)
    if rest and len(words) <= 12 and not acronym and all(w in cues.chatter_words or w.isdigit() for w in rest):
        return "chatter"
    # an answer that says nothing to sort, in any order of its words ("Nee sorry, geen idee.", "Dat vind ik lastig te
    # zeggen."): [answer words] and [answer anchors] only, one anchor at least (QA 48b D6, 50a N2, 50b R1)
    if (rest and len(words) <= 12 and not acronym and any(w in cues.answer_anchors for w in rest)
            and all(w in cues.answer_anchors or w in cues.answer_words for w in rest)):
        return "chatter"
    # small talk of two or three sentences, every one of them small talk ("Welkom allemaal. Laten we beginnen met
    # wat jullie de afgelopen tijd zien.": QA 46a, the demo's own transcript)
    sentences = _SENTENCE_END.split(line)
    if 2 <= len(sentences) <= 3 and all(kind_of(part) == "chatter" for part in sentences):
        return "chatter"
    return "statement"
