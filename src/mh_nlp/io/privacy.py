"""Pseudonymising notes: person names become ``Spreker 1``, ``Spreker 2`` … consistently within a run.

>>> p = Pseudonymiser()
>>> p.learn_text("Aanwezig: Jan de Vries (NLA), Sanne Verhoeven (gemeente)")
>>> p.text("Volgens Sanne moet de NLA vaker controleren; Jan de Vries is het eens.")
'Volgens Spreker 2 moet de NLA vaker controleren; Spreker 1 is het eens.'

Where the names come from (rules, no statistical model; none is loaded by the default pipeline):

1. **Known names.** Speaker labels and speaker-like columns (``spreker``, ``naam`` …), the names of
   attendee and role lines (``Aanwezig:``, ``Afwezig:``, ``Notulist:``, ``Voorzitter: <name>`` …) and
   every name found by rule 2 are learned in a first pass over all inputs of the run. A learned
   ``Jan de Vries`` is also replaced as ``Jan`` and ``De Vries``/``de Vries`` alone.
2. **Names in the text** by their context: after a title (``dhr.``, ``mevrouw``, ``mw.``), after
   ``volgens``, ``zoals``, ``aldus``, ``collega``, a greeting or thanks (``Welkom Hamza``, ``Dank je wel
   Roos``, ``dank aan Henk``), who a note is about (``slachtoffer``, ``de verdachte``, ``genaamd``, ``een
   zekere``, ``werkgever``, ``gesproken met``), before ``(organisation)``, and at the start of a sentence before a
   reporting verb (``Noor vraagt``, ``Thomas Visser stelde voor``; one-word names only when the word
   is not a common Dutch word).

Organisations are kept: every name and alias in ``data/entities/`` (NLA, CoMensha, Veilig Thuis …)
and any all-capitals word. What is *not* caught: a name mentioned only in running text without such
a context, names inside file names (the ``source`` column) and carried columns that are not
speaker-like (drop them with ``--drop-columns``). The measurement is in ``data/notes/README.md``.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from typing import Iterable

from .kinds import (BODY_ENDINGS, GENERIC_ORGANISATIONS, LOWER, NAME_PARTICLES, UPPER, load_cues, names_only,
                    not_a_name, organisation_words, speaker_label)
from .readers import GENERIC_SPEAKERS, SPEAKER_AFFILIATION, SPEAKER_HEADERS, Statement
from ..exceptions import NameFinderError  # noqa: F401 - defined with every mh-nlp error

PSEUDONYM = "Spreker {n}"
_PARTICLES = NAME_PARTICLES
# words a Dutch surname may begin with ('t Hooft, Uit den Bogaard, Aan de Stegge, Bij de Vaate, Onder de Linden): such a
# word alone is an article or a preposition, never a name
_SURNAME_START = frozenset(_PARTICLES) | {"t", "uit", "aan", "bij", "onder", "over", "voor", "uijt", "vd", "v.d."}
# a capitalised word, whole: "Co" of "CoMensha" and "Fair" of "FairWork" are none (QA 52a D2: "Yilmaz van Co")
_CAP = rf"{UPPER}(?:{LOWER}|['’\-])+(?:-{UPPER}{LOWER}+)?(?![^\W\d_])"
_NAME = rf"{_CAP}(?:\s+(?:(?:{'|'.join(_PARTICLES)})\s+)*{_CAP}){{0,3}}"
_TITLES = r"(?:dhr\.?|de heer|meneer|mevrouw|mevr\.?|mw\.?|mr\.?|dr\.?|drs\.?|ir\.?|prof\.?)"
# an office before a name (QA 52a D2: "Wethouder Van der Laan"); read strictly, since a portfolio may follow it as well
# ("Wethouder Jeugd en Onderwijs", "minister van Justitie": QA 52c R7)
_OFFICES = (r"(?:wethouder|burgemeester|gedeputeerde|minister|staatssecretaris|advocaat|officier van justitie|rechter"
            r"|inspecteur|rechercheur|wijkagent|agent)")
_INITIALS = rf"(?:{UPPER}\.\s?){{1,4}}"  # "P.", "J.M." before a surname: part of the name (QA 52a D2: "Dhr. P. Hendriks")
_BEFORE = (r"(?:volgens|zoals|aldus|collega|wachten (?:nog )?(?:even )?op|het woord (?:terug )?aan|dank aan|"
           r"bedankt|welkom(?: aan)?|dank je(?: wel)?|dank u(?: wel)?|dankjewel|hoi|hallo|vraag van|namens|"
           # who a note is about (QA 53a D3: "Slachtoffer Maria", "De verdachte Kemal T.", "Een zekere Bogdan",
           # "genaamd Irina Petrova", "Mijn werkgever Viktor Sydorenko", "gesproken met Piotr Zieliński")
           r"slachtoffer|verdachte|werkgever|genaamd|een zekere|"
           r"(?:gesproken|gebeld|besproken|overlegd|gemaild|afgesproken|contact) met)")
_VERBS = ("zegt|zei|vertelt|vertelde|geeft aan|gaf aan|stelt|stelde|benadrukt|benadrukte|meldt|meldde|vraagt|vroeg|"
          "merkt|merkte|noemt|noemde|licht|lichtte|reageert|reageerde|antwoordt|antwoordde|belt|stuurt|koppelt|"
          "mailt|regelt|neemt|nam|vindt|vond|denkt|dacht|deelt|deelde|legt|legde|wijst|wees|pleit|pleitte|"
          "zoekt|plant|organiseert|onderzoekt|heeft contact|wil dat|merkt op|stelt voor|stelde voor")
_TITLE_RE = re.compile(rf"\b(?i:{_TITLES})\s+(?P<name>(?:{_INITIALS}\s*)?(?:(?:{'|'.join(_PARTICLES)})\s+)*{_NAME})")
_OFFICE_RE = re.compile(rf"\b(?i:{_OFFICES})\s+(?P<name>{_NAME})")
_BEFORE_RE = re.compile(rf"\b(?i:{_BEFORE})\s+(?P<name>{_NAME})")
_PARENS_RE = re.compile(rf"(?P<name>{_NAME})\s+\((?P<org>[^()]{{1,40}})\)")
_VERB_RE = re.compile(rf"(?:^|(?<=[.!?;:]\s))(?P<name>{_NAME})\s+(?:{_VERBS})\b")
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# a speaker after a subtitle's dialogue dash, inside a cue ("- Olena: Ik werkte in de kas. - Ahmed: Hoeveel uur?"): QA
# 53a D11
_DASH_SPEAKER_RE = re.compile(rf"(?:^|(?<=\s))[-–—]\s*(?P<name>{_NAME}):\s")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # linear: tried from the start of a run
EMAIL_MASK = "[e-mail]"
# a Dutch phone number (06-12345678, 06 1234 5678, 030-1234567, 070 - 345 67 89, +31 6 12345678, 0031 30 1234567:
# QA 52a D2, QA 53a D5), or any number with a country code (+48 601 234 567, 0040 721 234 567, +380 67 123 4567: the
# numbers of the migrants these notes are about, QA 53a D5)
PHONE = re.compile(r"(?<![\w+])(?:(?:\+31[\s-]?(?:\(0\)\s?)?|0031[\s-]?|0)"
                   r"(?:6[\s-]?(?:\d[\s-]?){7}\d|[1-9]\d{1,2}(?:\s?-\s?|\s)?(?:\d[\s-]?){5,6}\d)"
                   r"|\(0[1-9]\d{1,2}\)\s?(?:\d[\s-]?){5,6}\d"  # (030) 123 45 67 (QA 52c R8)
                   r"|(?:\+|00)(?!31)[1-9]\d{0,2}[\s-]?(?:\(0\)\s?)?(?:\d[\s-]?){6,11}\d)(?![\w])")
PHONE_MASK = "[telefoon]"
# an IBAN (NL91 ABNA 0417 1643 00, NL91ABNA0417164300, RO49 AAAA 1B31 0075 9384 0000): QA 53a D6, where a spaced one was
# half masked as a phone number
IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?(?![\w])")
IBAN_MASK = "[iban]"
# a citizen service number after its name (BSN 123456782, burgerservicenummer: 111222333): QA 53a D6
BSN = re.compile(r"(?i)\b(bsn|burgerservicenummer|sofinummer)(\s*(?:nummer|nr\.?)?\s*[:.]?\s*)\d{3}[.\s]?\d{2}[.\s]?\d{4}\b")
BSN_MASK = "[bsn]"


def mask_contacts(text: str) -> str:
    """``text`` with its e-mail addresses, IBANs, citizen service numbers (after *BSN*) and phone numbers (Dutch, and
    any with a country code) replaced by ``[e-mail]``, ``[iban]``, ``[bsn]`` and ``[telefoon]``."""
    text = BSN.sub(lambda m: f"{m.group(1)}{m.group(2)}{BSN_MASK}", IBAN.sub(IBAN_MASK, EMAIL.sub(EMAIL_MASK, text)))
    return PHONE.sub(PHONE_MASK, text)


COMMON_ZIPF = 4.5  # a one-word "name" at a sentence start that is this common a Dutch word is not taken


def _common_word(word: str) -> bool:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - a declared dependency
        return False
    return zipf_frequency(word.lower(), "nl") >= COMMON_ZIPF


# words that come before a name and begin a sentence with a capital, never the first name itself (QA 52a D10: "Zoals
# Jan de Vries zegt" made "Zoals" a first name, and "Zoals bekend …" became "Spreker 2 bekend …")
_CONTEXT_START = frozenset({"volgens", "zoals", "aldus", "collega", "namens", "welkom", "bedankt", "hallo", "hoi",
                            "slachtoffer", "verdachte", "werkgever", "genaamd", "een", "zekere",
                            "dank", "dankjewel", "ook", "en", "maar", "want", "dus", "toen", "daarna", "verder", "vraag",
                            # a title or office ("Volgens Mevrouw Sanne Verhoeven"): the name is what follows it
                            "mevrouw", "meneer", "mevr", "mw", "dhr", "mr", "dr", "drs", "ir", "prof", "wethouder",
                            "burgemeester", "minister", "staatssecretaris", "advocaat", "inspecteur", "rechercheur"})


def _clean_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,:;")
    words = name.split(" ")
    while len(words) > 1 and words[0].lower().rstrip(".") in _CONTEXT_START:
        words = words[1:]
    # "Roos de Wit van La Strada": the name ends before "van" and a body (QA 53a D7: the body was taken into the name)
    for i in range(1, len(words) - 1):
        if words[i] == "van" and _a_body(" ".join(words[i + 1:])):
            words = words[:i]
            break
    name = " ".join(words)
    if not re.search(r"(?:^|\s)[A-Z]\.$", name):  # "P." of "Dhr. P. Hendriks" keeps its full stop; "Jan." does not
        name = name.strip(" .")
    return name if re.match(r"['’][tT] ", name) else name.strip(" '’")  # 't Hooft keeps its apostrophe


def _a_body(text: str) -> bool:
    """``La Strada``, ``Veilig Thuis``, ``de Inspectie SZW``, ``het COA``: an organisation of ``data/entities/`` or a
    generic body's word with its name, not a surname (``Van Dijk``)."""
    words = re.sub(r"^(?:de|het)\s+", "", text.strip(), flags=re.I).split()
    return bool(words) and (" ".join(words).lower() in organisation_words()
                            or (len(words) > 1 and words[0].lower() in GENERIC_ORGANISATIONS))


_NOUN_ENDINGS = ("ing", "heid", "tie", "sie", "schap", "isme", "iteit", "teit", "ij", "erij", "age", "uur")
PEOPLE_LABELS = {"aanwezig", "aanwezigen", "afwezig", "afwezigen", "afmeldingen", "afgemeld", "deelnemers", "gasten",
                 "te gast", "notulist", "notulen", "notulant", "verslag", "verslaglegging", "verslaglegger",
                 "gespreksleider", "gespreksleiding", "moderator", "facilitator", "ter info", "ter informatie",
                 "kopie aan", "cc", "attendees", "present", "minutes", "met kennisgeving afwezig",
                 # who wrote or is reached: a note's "Opgesteld door:" line, a table's "auteur" or "contactpersoon"
                 "auteur", "auteurs", "author", "authors", "opgesteld door", "ingevuld door", "geschreven door",
                 "schrijver", "interviewer", "contactpersoon", "contactpersonen",
                 # who a case register's columns name (QA 53a D4: a "Casushouder" column kept its names)
                 "casushouder", "casushouders", "casusregisseur", "behandelaar", "hulpverlener", "melder", "cliënt",
                 "client", "slachtoffer", "verdachte"}
# an e-mail's header fields that name people ("Van: Karim El Amrani <k.elamrani@…>"): only the label alone, as "van"
# or "to" begins many other lines
MAIL_PEOPLE_LABELS = {"van", "aan", "from", "to", "bcc"}


def _people_label(key: str) -> bool:
    """A label whose line lists people (``Aanwezig namens de gemeente``, ``Notulist``, ``Voorzitter``)."""
    words = key.split()
    return any(" ".join(words[:n]) in PEOPLE_LABELS for n in range(1, min(len(words), 3) + 1)) or \
        key in load_cues().role_labels or key in MAIL_PEOPLE_LABELS


def _is_person(name: str, strict: bool = False, common=None) -> bool:
    """A candidate name that is not an organisation, an acronym or (``strict``, one word) a common word
    (``common``: a test for one; default: a frequent Dutch word or a typical noun ending)."""
    name = _clean_name(name)
    if not name or name.lower() in organisation_words() or name.startswith("Spreker") or not_a_name(name):
        return False
    words = name.split()
    if all(w.lower().rstrip(".") in _CONTEXT_START for w in words):  # "Volgens Dhr. Jansen" gave "Dhr" too
        return False
    if len(words) > 1 and words[0] in ("Het", "het"):  # "Het Aanjaagteam": an article no name starts with
        return _is_person(" ".join(words[1:]), strict, common)
    if any(w.isupper() and len(w) > 1 and not re.fullmatch(_INITIALS, w + " ") for w in words):  # NLA, RIEC, OM (not P.)
        return False
    if all(w.lower() in organisation_words() for w in words):
        return False
    if len(words) > 1 and words[0].lower() in GENERIC_ORGANISATIONS:  # "Gemeente Capelle", "Politie Utrecht": a body
        return False
    if len(words) > 1 and words[-1].lower().endswith(BODY_ENDINGS):  # "Jade Zorggroep" (QA 52a D11)
        return False
    if strict and len(words) == 1:
        word = words[0]
        if word.lower().endswith(_NOUN_ENDINGS) or _common_word(word) or (common is not None and common(word)):
            return False
    return True


def _attendee_names(text: str) -> list[str]:
    """The person names of an attendee or role line (``Aanwezig: Jan (NLA), Els van Dijk``), else []."""
    m = re.match(r"^\s*([^:]{1,40}?)\s*:\s*(.+)$", text)
    if not m:
        return []
    key = re.sub(r"\s+", " ", m.group(1).strip().lower())
    if not _people_label(key):
        return []
    rest = re.sub(r"\([^()]*\)|<[^<>]*>", " ", m.group(2))  # (gemeente Arnhem), <p.jansen@arnhem.nl>
    if key in load_cues().role_labels and not names_only(rest):
        return []  # "Voorzitter: Welkom, we beginnen zo." is what the chair said
    out = []
    for item in re.split(r",|;|&|\ben\b", rest):
        item = _clean_name(re.split(r"\s[-–—|]\s", item, maxsplit=1)[0])  # "Jeroen Bakker – politie"
        if item and names_only(item) and _is_person(item):
            out.append(item)
    return out


def _org_like(text: str) -> bool:
    """``(NLA)``, ``(gemeente Utrecht)``, ``(politie)``: what stands in brackets after a person's name."""
    text = text.strip()
    orgs = organisation_words()
    return text.lower() in orgs or any(w.lower() in orgs for w in text.split()) or any(c.isupper() for c in text)


def _place_at(text: str, start: int) -> bool:
    """True when the name of an organisation or a municipality of two words or more (``Capelle aan den IJssel``,
    ``Den Haag``, ``Veilig Thuis``: those of :func:`~mh_nlp.io.kinds.organisation_words`) begins at ``start`` of
    ``text``: no person's name starts there."""
    rest = text[start:start + 60].lower()
    return any(rest.startswith(place) and not rest[len(place):len(place) + 1].isalnum()
               for place in _multiword_places())


@lru_cache(maxsize=1)
def _multiword_places() -> tuple[str, ...]:
    return tuple(w for w in organisation_words() if " " in w and not w.startswith("gemeente ") and w[:1].isalpha())


def find_names(text: str, common=None) -> list[str]:
    """Person names in ``text`` found by their context (rule 2), in order of appearance; ``common(word)``
    says a one-word candidate is a common word (see :func:`_is_person`)."""
    lower = {w for w in _WORD_RE.findall(text) if w.islower()}

    def is_common(word: str) -> bool:
        return word.lower() in lower or (common is not None and common(word))

    found: dict[int, str] = {}
    for rx, strict in ((_TITLE_RE, False), (_OFFICE_RE, True), (_PARENS_RE, True), (_BEFORE_RE, True), (_VERB_RE, True)):
        for m in rx.finditer(text):
            name = _clean_name(m.group("name"))
            if rx is _PARENS_RE and not _org_like(m.group("org")):
                continue  # "Pauze (15 minuten)"
            if _place_at(text, m.start("name")):
                continue  # "Volgens Capelle aan den IJssel …": the first word of a place's name (QA 51b)
            if m.start("name") not in found and _is_person(name, strict=strict, common=is_common):
                found[m.start("name")] = name
    return [n for _pos, n in sorted(found.items())]


FINDERS = ("rules", "deduce")


class DeduceFinder:
    """Person names found by ``deduce`` (Dutch de-identification, LGPL-3.0-or-later; ``pip install
    'mh-nlp[privacy]'``): its ``persoon`` annotations. Loading takes some 10 s (minutes the first time,
    while deduce builds its lookup structures)."""

    def __init__(self) -> None:
        try:
            from deduce import Deduce
        except ImportError:
            raise NameFinderError("--name-finder deduce needs the deduce package (pip install 'mh-nlp[privacy]')") \
                from None
        import logging

        logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
        self._deduce = Deduce()

    def __call__(self, text: str) -> list[str]:
        doc = self._deduce.deidentify(text)
        return [a.text for a in sorted(doc.annotations, key=lambda a: a.start_char)
                if a.tag.startswith(("persoon", "patient", "naam"))]


def name_finder(name: str):
    """The extra name finder called ``name`` (``rules``: None, the rules alone)."""
    if name == "rules":
        return None
    if name == "deduce":
        return DeduceFinder()
    raise NameFinderError(f"unknown name finder {name!r} (use {', '.join(FINDERS)})")


# letters that Unicode does not decompose into a base letter and a mark: folded by hand (Đorđević = Dordevic)
_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae",
                       "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D"})


def plain_letters(text: str) -> str:
    """``text`` without accents and marks (``Nguyễn Văn An`` -> ``Nguyen Van An``, ``Łukasz`` -> ``Lukasz``): one
    person written with and without them is one person (QA 53a D10)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _shouted(text: str) -> bool:
    """True when every letter of ``text`` (two or more) is a capital: ``JAN DE VRIES``, ``KOVALENKO``."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _template_regex(template: str) -> re.Pattern:
    """The pseudonyms of ``template`` as they stand in a text ("Spreker 2"), any number of up to four digits."""
    return re.compile(r"(?<!\w)" + re.escape(template).replace(r"\{n\}", r"\d{1,4}") + r"(?!\w)")


def _used_pseudonyms(st: Statement, pattern: re.Pattern) -> set[str]:
    """The pseudonyms (``pattern``: :func:`_template_regex`) that a statement's text and fields use themselves."""
    return {found for value in (st.text, *st.extra.values()) for found in pattern.findall(str(value or ""))}


def _free_pseudonym(template: str, given: Iterable[str], taken: set[str]) -> str:
    """The first pseudonym after the ``given`` ones (counted) that is neither given nor ``taken`` by an input."""
    given = set(given)
    n = len(given) + 1
    while template.format(n=n) in taken or template.format(n=n) in given:
        n += 1
    return template.format(n=n)


class Pseudonymiser:
    """Consistent pseudonyms within one run: :meth:`learn` every statement first, then :meth:`apply`.
    ``finder``: an extra callable text -> person names (e.g. :class:`DeduceFinder`), used with the rules."""

    def __init__(self, template: str = PSEUDONYM, finder=None):
        self.template = template
        self.finder = finder
        self.people: dict[str, str] = {}  # full name -> pseudonym
        self._variants: dict[str, str] = {}  # name or part of a name -> pseudonym
        self._folded: dict[str, str] = {}  # a full name without accents, in lower case -> pseudonym
        self._pattern: re.Pattern | None = None
        self._lower: set[str] = set()  # words written in lower case in this run: not one-word names
        self._candidates: list[str] = []  # names found in context while learning, added on first use
        # pseudonyms the input already uses (a transcript's own "Spreker 1"): never given to another person
        self._taken: set[str] = set()
        self._template_re = _template_regex(template)

    # ---------------------------------------------------------------- learning names
    def add(self, name: str) -> str:
        """The pseudonym of ``name`` (a new one for a new person; a first name or surname alone that
        belongs to one known person gets that person's pseudonym)."""
        name = _clean_name(re.sub(r"\([^()]*\)", " ", name))
        if not name:
            return name
        if name in self._variants:
            return self._variants[name]
        known = self._folded.get(plain_letters(name).lower())
        if known is not None:  # "JAN DE VRIES", "Nguyen Van An": a known person in capitals or without accents
            self._variants[name] = known
            self._pattern = None
            return known
        alias = self._new_alias(name)
        self.people[name] = alias
        self._variants[name] = alias
        self._folded[plain_letters(name).lower()] = alias
        forms = [name]  # the forms of this person's name learnt here

        def put(form: str) -> None:
            if form not in self._variants:
                self._variants[form] = alias
                forms.append(form)

        words = name.split()
        if words[0].lower().lstrip("'’") in _SURNAME_START:  # a surname alone (De Boer, 't Hooft, Bij de Vaate):
            # its first word is an ordinary one ("De", "Bij"), no first name
            if len(words) > 1:  # "de Boer" inside "Sanne de Boer" is the same surname
                put(" ".join([words[0].lower(), *words[1:]]))
        elif len(words) > 1:
            first = words[0]
            surname = " ".join(w for w in words[1:] if not re.fullmatch(_INITIALS, w + " "))
            if not re.fullmatch(_INITIALS, first + " "):  # "P." of "P. Hendriks" is no first name to replace alone
                put(first)
            for form in {surname, surname[:1].upper() + surname[1:]}:
                if not _common_word(form) or len(form.split()) > 1:
                    put(form)
        # the same forms in capitals and without accents ("ÇELIK benadrukt", "Nguyen" for "Nguyễn"): QA 53a D1, D10
        for form in [f for f in forms if len(f) > 2]:
            for other in (form.upper(), plain_letters(form), plain_letters(form).upper()):
                if other.lower() not in organisation_words() and not _common_word(other):
                    self._variants.setdefault(other, alias)
        self._pattern = None
        return alias

    def _new_alias(self, name: str) -> str:
        """The pseudonym of a person new to this pseudonymiser: the next free number (a subclass may share them)."""
        return _free_pseudonym(self.template, self.people.values(), self._taken)

    def learn_speaker(self, speaker: str) -> None:
        # the person without an affiliation: Jan (NLA), Jan [NLA] and Jan - NLA are all Jan
        speaker = _clean_name(SPEAKER_AFFILIATION.sub("", re.sub(r"\([^()]*\)", " ", speaker).strip()))
        if not speaker_label(speaker) or _people_label(speaker.lower()):  # the label of a list: "Aanwezig", "Van"
            return
        cues = load_cues()
        generic = re.sub(r"\s+\d{1,3}$", "", speaker).lower()  # Spreker 1, Deelnemer 3: nobody's name
        if not speaker or speaker.lower() in cues.role_labels or generic in set(GENERIC_SPEAKERS) | {"moderator"}:
            return
        # a speaker in capitals (JAN DE VRIES:, <v IONUȚ POPESCU>, a Deelnemer column's ÖZTÜRK, M.) is read as the name
        # it is, one word like any name at a sentence's start (QA 53a D1: taken for an acronym, it kept the name)
        shouted = _shouted(speaker)
        person = " ".join(w.capitalize() if w.lower() not in NAME_PARTICLES else w.lower() for w in speaker.split()) \
            if shouted else speaker
        # "Popescu, Ionuț" (a display name in Teams or Outlook) is "Ionuț Popescu" (QA 53a D10)
        turned = re.fullmatch(r"([^,]+),\s*([^,]+)", person)
        if turned and names_only(turned.group(1)) and names_only(turned.group(2)):
            person = f"{turned.group(2).strip()} {turned.group(1).strip()}"
        if _is_person(person, strict=shouted and len(person.split()) == 1):
            alias = self.add(person)
            if speaker != person:
                self._variants.setdefault(speaker, alias)
                self._pattern = None

    def _common(self, word: str) -> bool:
        return word.lower() in self._lower

    def learn_text(self, text: str) -> None:
        for name in _attendee_names(text):
            self.add(name)
        for m in _DASH_SPEAKER_RE.finditer(text):
            self.learn_speaker(m.group("name"))
        self._lower.update(w for w in _WORD_RE.findall(text) if w.islower())
        self._candidates.extend(find_names(text))
        if self.finder is not None:
            self._candidates.extend(_clean_name(n) for n in self.finder(text) if _is_person(n))

    def _renumber(self) -> None:
        """Give a new pseudonym to a person whose pseudonym the input turned out to use itself (a transcript's own
        ``Spreker 2``, seen after the person was learnt): two people never share one. Everyone is numbered again
        over the free numbers, in order of first appearance, so that the numbers keep that order."""
        if not any(a in self._taken for a in self.people.values()):
            return
        new = {}
        n = 0
        for alias in dict.fromkeys(self.people.values()):  # in order of first appearance
            n += 1
            while self.template.format(n=n) in self._taken:
                n += 1
            new[alias] = self.template.format(n=n)
        self.people = {k: new.get(v, v) for k, v in self.people.items()}
        self._variants = {k: new.get(v, v) for k, v in self._variants.items()}
        self._pattern = None

    def _settle(self) -> None:
        """Add the names found in context, now that every lower-case word of the run is known."""
        self._renumber()
        for name in self._candidates:
            if name not in self._variants and _is_person(name, strict=True, common=self._common) or \
                    (len(name.split()) > 1 and name not in self._variants):
                self.add(name)
        self._candidates.clear()

    def learn(self, st: Statement) -> None:
        """Learn the names of one statement: speaker, speaker-like columns, attendee lines, names in context."""
        self._taken |= _used_pseudonyms(st, self._template_re)
        for key, value in st.extra.items():
            if key == "speaker" or key.strip().lower() in SPEAKER_HEADERS - {"organisatie", "partij", "namens"}:
                if value:
                    self.learn_speaker(value)
            elif value and isinstance(value, str) and _people_label(key.strip().lower()):  # a 'notulist' column
                self.learn_text(f"{key}: {value}")
        speaker = st.extra.get("speaker", "").strip().lower()
        if speaker and (speaker in load_cues().role_labels or _people_label(speaker)):  # "Voorzitter: Henk de Graaf"
            self.learn_text(f"{speaker}: {st.text}")
        else:
            self.learn_text(st.text)

    # ---------------------------------------------------------------- replacing them
    def _regex(self) -> re.Pattern | None:
        if self._pattern is None and self._variants:
            names = sorted(self._variants, key=len, reverse=True)
            self._pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")
        return self._pattern

    def text(self, text: str) -> str:
        """``text`` with every known name (and any new one found in context) replaced."""
        self._settle()
        found = _attendee_names(text) + find_names(text, common=self._common)
        if self.finder is not None and text:
            found += [_clean_name(n) for n in self.finder(text) if _is_person(n, strict=True, common=self._common)]
        for name in found:
            if name not in self._variants:
                self.add(name)
        rx = self._regex()
        if rx is None or not text:
            return text
        return rx.sub(lambda m: self._variants[m.group(0)], text)

    def speaker(self, speaker: str) -> str:
        """A speaker label with the person replaced (``Jan de Vries (NLA)`` -> ``Spreker 1 (NLA)``); a role
        (``Voorzitter``) is kept."""
        if not speaker:
            return speaker
        self.learn_speaker(speaker)
        return self.text(speaker)

    def apply(self, st: Statement, drop: Iterable[str] = ()) -> Statement:
        """The statement with names replaced in its text, speaker and speaker-like columns."""
        extra = {}
        dropped = {d.strip().lower() for d in drop}
        for key, value in st.extra.items():
            if key.strip().lower() in dropped:
                continue
            if key == "speaker" or key.strip().lower() in SPEAKER_HEADERS - {"organisatie", "partij", "namens"}:
                value = self.speaker(value)
            elif value and isinstance(value, str):  # a heading, an attendee-like column ('notulist'), any other
                value = self.text(value)  # text column ('opmerking: gebeld met ...'): every name learnt is replaced
            extra[key] = mask_contacts(value) if isinstance(value, str) else value
        speaker = st.extra.get("speaker", "").strip().lower()
        if speaker and (speaker in load_cues().role_labels or _people_label(speaker)):
            for name in _attendee_names(f"{speaker}: {st.text}"):
                if name not in self._variants:
                    self.add(name)
        return replace(st, text=mask_contacts(self.text(st.text)), extra=extra)


def drop_columns(st: Statement, drop: Iterable[str]) -> Statement:
    """The statement without the carried columns named in ``drop`` (case-insensitive)."""
    dropped = {d.strip().lower() for d in drop}
    if not dropped:
        return st
    return replace(st, extra={k: v for k, v in st.extra.items() if k.strip().lower() not in dropped})


class _Registered(Pseudonymiser):
    """A document's pseudonymiser in a :class:`PseudonymRegister`: its pseudonyms come from the register, and when it
    replaces names it knows, after the names of its own document, those the other documents learnt."""

    def __init__(self, register: "PseudonymRegister"):
        super().__init__(register.template, register.finder)
        self.register = register
        self._borrowed = False
        self._taken |= register.taken

    def _new_alias(self, name: str) -> str:
        return self.register.alias(name)

    def _settle(self) -> None:
        if not self._borrowed:  # the names it learnt first, then those other documents learnt, then the names it
            self._borrowed = True  # finds in context (Pseudonymiser._settle)
            for name, alias in self.register.known().items():
                self._variants.setdefault(name, alias)
            self._pattern = None
        super()._settle()


class PseudonymRegister:
    """Pseudonyms over several documents (a batch of files, an export of the review screen): each document has a
    :class:`Pseudonymiser` of its own (:meth:`of`), which learns that document's names only, so that a first name or
    a surname alone is the person of that name known in *that* document (one pseudonymiser for all gave a bare
    "Sanne" the pseudonym of another session's Sanne: QA 46b D3); every pseudonym comes from this one register, so
    the same full name is the same pseudonym in every document, and no number is given twice or is one an input uses
    itself (a transcript's own "Spreker 2": :meth:`see` every statement before any is learnt). ``finder`` as for a
    Pseudonymiser."""

    def __init__(self, template: str = PSEUDONYM, finder=None):
        self.template = template
        self.finder = finder
        self.people: dict[str, str] = {}  # full name -> pseudonym, over all documents
        self.taken: set[str] = set()
        self.documents: dict[object, Pseudonymiser] = {}
        self._template_re = _template_regex(template)

    def alias(self, name: str) -> str:
        """The pseudonym of the full ``name``: the one it has, else the next free number."""
        if name not in self.people:
            self.people[name] = _free_pseudonym(self.template, set(self.people.values()), self.taken)
        return self.people[name]

    def of(self, document: object) -> Pseudonymiser:
        """The pseudonymiser of ``document`` (any key: a path, a document id), numbering from this register. When it
        replaces names, a name it did not learn from its own document but another document knows (a first name in a
        table whose full name stands in the minutes beside it) takes that pseudonym, so that no known name is left."""
        if document not in self.documents:
            self.documents[document] = _Registered(self)
        return self.documents[document]

    def known(self) -> dict[str, str]:
        """Every name and part of a name learnt from any document (speakers, attendees, speaker columns), with its
        pseudonym (the first document's where two documents know a name differently)."""
        out: dict[str, str] = {}
        for p in self.documents.values():
            for name, alias in p._variants.items():
                out.setdefault(name, alias)
        return out

    def see(self, st: Statement) -> None:
        """First pass: the pseudonyms the inputs use themselves (``Spreker 2``), over all documents."""
        self.taken |= _used_pseudonyms(st, self._template_re)

    def learn(self, document: object, st: Statement) -> None:
        """Second pass: the names of one statement of ``document``."""
        self.of(document).learn(st)
