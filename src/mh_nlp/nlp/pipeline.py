"""The configured spaCy pipeline: a normalising tokenizer, lemmas and the rule-based entity ruler."""
from __future__ import annotations

import json
import re
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .spacy_import import import_spacy

spacy = import_spacy()  # without spaCy's command line: a faster start
from spacy.language import Language  # noqa: E402
from spacy.pipeline.span_ruler import (SpanRuler, prioritize_existing_ents_filter,  # noqa: E402
                                       prioritize_new_ents_filter)
from spacy.tokens import Doc, Span  # noqa: E402
from spacy.util import registry  # noqa: E402

from .lookups import LOOKUPS_NAME, package_version
from .normalize import normalize_with_map
from ..exceptions import CorpusError
from ..paths import DataNotFound, data_dir

__all__ = ["load_pipeline", "build_pipeline", "select_base", "load_entity_patterns", "entity_records", "pipeline_info",
           "NormalizingTokenizer", "EntityRulerComponent", "SM_MODEL", "ENTITY_FILES", "TOKENIZER_NAME"]

SM_MODEL = "nl_core_news_sm"
ENTITY_FILES = ("organisations.jsonl", "exploitation.jsonl", "legal.jsonl")
TOKENIZER_NAME = "mh_nlp.NormalizingTokenizer.v1"
RULER_NAME = "mh_entity_ruler"
# the vocabulary size from which texts are processed in memory zones (memory_zone_for): memory stays bounded on
# long runs, while the first texts' words and tokenizer cache stay for the next ones
PERMANENT_WORDS = 50_000
CASES = ("exact", "insensitive")

# Extra tokenizer rules: split "politie/OM", "RIEC_Zeeland", an acronym before a hyphen ("RIEC-convenant") and an
# elided compound hyphen ("Zorg- en ...") and a full stop after "JenV" or "J&V" so that names inside them are whole
# tokens.
_EXTRA_INFIXES = [r"(?<=[\w])/(?=[\w])", r"(?<=[A-Z]{2})-(?=[a-z])",
                  r"(?<=[^\W\d_])_(?=[^\W\d_])"]  # a handle's underscore: @RIEC_Zeeland, @NLA_nl
_EXTRA_SUFFIXES = [r"(?<=[^\W\d_]{2})-$", r"(?<=[a-z][A-Z])\.$", r"(?<=&[A-Z])\.$"]  # JenV., J&V. (QA 44b)
_EXTRA_PREFIXES = [r"^@(?=[^\W\d_])"]  # a handle's @ (@CoMensha: QA 45a), as spaCy splits a hashtag's #

# The normalised text as the tokenizer was given it, with the number of tokens it made: ``doc.text`` joins every
# token in Python, which was a tenth of classifying a cached statement. Read it with :func:`doc_text`.
_TEXT_KEY = "mh_nlp.normalised_text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, taken from what :class:`NormalizingTokenizer` kept when the doc still has the tokens it made
    (a doc joined from others or retokenised falls back to ``doc.text``)."""
    kept = doc.user_data.get(_TEXT_KEY)
    return kept[1] if kept is not None and kept[0] == len(doc) else doc.text


for _name, _default in (("raw_text", None), ("raw_offsets", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def _normalized_getter(doc: Doc) -> str:
    """Lowercased lemmas of the normalised tokens (punctuation and spaces left out)."""
    return " ".join((t.lemma_ or t.text).lower() for t in doc if not (t.is_punct or t.is_space))


if not Doc.has_extension("normalized"):
    Doc.set_extension("normalized", getter=_normalized_getter)


def _with_rules(extra: list[str], pattern: str) -> re.Pattern[str]:
    """``pattern`` with the project's ``extra`` alternatives in front (they win where both match)."""
    return re.compile("|".join(extra + ([pattern] if pattern else [])))


def _add_rules(tokenizer: Any) -> None:
    """Add the project's prefix, infix and suffix rules to a spaCy tokenizer (idempotent). Every assignment makes spaCy
    reload its thousands of special cases, so a new tokenizer gets the rules at construction instead
    (:func:`_rule_tokenizer`); this is for tokenizers loaded from disk or bytes."""
    infix = tokenizer.infix_finditer.__self__.pattern if tokenizer.infix_finditer else ""
    suffix = tokenizer.suffix_search.__self__.pattern if tokenizer.suffix_search else ""
    prefix = tokenizer.prefix_search.__self__.pattern if tokenizer.prefix_search else ""
    if not all(p in prefix for p in _EXTRA_PREFIXES):
        tokenizer.prefix_search = _with_rules(_EXTRA_PREFIXES, prefix).search
    if not all(p in infix for p in _EXTRA_INFIXES):
        tokenizer.infix_finditer = _with_rules(_EXTRA_INFIXES, infix).finditer
    if not all(p in suffix for p in _EXTRA_SUFFIXES):
        tokenizer.suffix_search = _with_rules(_EXTRA_SUFFIXES, suffix).search
    rules = tokenizer.rules or {}
    if any(_ACRONYM_STOP.fullmatch(k) for k in rules):  # a tokenizer from disk (nl_core_news_sm) has them too
        tokenizer.rules = {k: v for k, v in rules.items() if not _ACRONYM_STOP.fullmatch(k)}


# spaCy's Dutch special cases hold every abbreviation in capitals too ("IND.", "BV.", "AFD."): an acronym at the end
# of a sentence ("… bij de IND.") stayed one token with its full stop, so the entity ruler missed it (QA 44a). Dutch
# writes abbreviations in small letters; an all-capitals word with a full stop is an acronym ending a sentence.
_ACRONYM_STOP = re.compile(r"[A-Z]{2,}\.")


def _exceptions(nlp: Language) -> dict[str, Any]:
    """The language's special cases without the all-capitals words with a full stop (:data:`_ACRONYM_STOP`)."""
    return {k: v for k, v in nlp.Defaults.tokenizer_exceptions.items() if not _ACRONYM_STOP.fullmatch(k)}


def _dotted(exceptions: dict[str, Any]) -> dict[str, Any]:
    """The special cases with a full stop (abbreviations such as ``bijv.``, ``o.a.``: 4,517 of spaCy's 4,670 Dutch
    ones), which :class:`NormalizingTokenizer` adds to its tokenizer only when a text contains them. It looks for
    them inside whitespace-free chunks, at a full stop: one with a space (none in spaCy 3.8) stays loaded."""
    return {k: v for k, v in exceptions.items() if "." in k and not any(c.isspace() for c in k)}


def _rule_tokenizer(nlp: Language, lazy: bool = True) -> Any:
    """spaCy's rule tokenizer for ``nlp``'s language (as ``spacy.Tokenizer.v1`` builds it) with the project's
    rules, made in one go: its special cases are loaded once, not once more per changed rule. With ``lazy``, the
    special cases with a full stop are left out (:func:`_dotted`; loading them all took most of a second of every
    start): :class:`NormalizingTokenizer` adds each one the first time a text contains it."""
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    d = nlp.Defaults
    exceptions = _exceptions(nlp)
    dotted = _dotted(exceptions)
    # the same patterns as _add_rules makes of spaCy's (the extra suffixes end in "$", which spaCy adds), each
    # compiled once: the Dutch infix and suffix expressions take a few hundredths of a second to compile
    return Tokenizer(
        nlp.vocab,
        rules={k: v for k, v in exceptions.items() if not (lazy and k in dotted)},
        prefix_search=_with_rules(_EXTRA_PREFIXES, compile_prefix_regex(d.prefixes).pattern if d.prefixes else "").search,
        suffix_search=compile_suffix_regex([s.removesuffix("$") for s in _EXTRA_SUFFIXES] + list(d.suffixes or ())).search,
        infix_finditer=compile_infix_regex(_EXTRA_INFIXES + list(d.infixes or ())).finditer,
        token_match=d.token_match,
        url_match=d.url_match,
    )


class NormalizingTokenizer:
    """Tokenizer that normalises the text first and keeps the map back to the raw text.

    ``pending``: special cases not yet in ``inner`` (:func:`_dotted`). Before a text is tokenised, those that occur
    in it are added, so the tokens are the same as with every special case loaded up front (a unit test compares
    both on every special case and the corpus) while a new pipeline starts without loading thousands of them.
    Inside ``nlp.memory_zone()`` nothing can be added (what is made there is freed at its end): call
    :meth:`add_special_cases_for` with the texts before entering the zone, as :func:`memory_zone_for` does."""

    def __init__(self, vocab: Any, inner: Any, normalize: bool = True, pending: dict[str, Any] | None = None) -> None:
        self.vocab = vocab
        self.inner = inner
        self.normalize = normalize
        self.pending = {k: v for k, v in (pending or {}).items() if k not in inner.rules}
        self._longest = max(map(len, self.pending), default=0)
        _add_rules(inner)

    def _add_pending(self, text: str) -> None:
        """Add to ``inner`` the pending special cases that occur in ``text`` (all have a full stop and no space)."""
        if not self.pending or "." not in text:
            return
        found = set()
        for chunk in text.split():
            first = chunk.find(".")
            if first < 0:
                continue
            last, n = chunk.rfind("."), len(chunk)
            for i in range(last + 1):  # only the pieces that hold a full stop: every pending key has one
                for j in range(max(i + 2, first + 1), min(n, i + self._longest) + 1):
                    if chunk[i:j] in self.pending:
                        found.add(chunk[i:j])
        for key in sorted(found):
            self.inner.add_special_case(key, self.pending.pop(key))

    def add_special_cases_for(self, texts: Iterable[str]) -> None:
        """Add the pending special cases the ``texts`` contain: before a memory zone in which they are tokenised."""
        if self.pending and not self.vocab.in_memory_zone:
            for text in texts:
                self._add_pending(normalize_with_map(text)[0] if self.normalize else text)

    def __call__(self, text: str) -> Doc:
        """Tokenise the normalised ``text``; ``doc._.raw_text``/``raw_offsets`` keep the original."""
        zone = self.vocab.in_memory_zone  # a special case added in a memory zone would be freed at its end
        if not self.normalize:
            if not zone:
                self._add_pending(text)
            return self.inner(text)
        clean, offsets = normalize_with_map(text)
        if not zone:
            self._add_pending(clean)
        doc = self.inner(clean)
        doc.user_data[_TEXT_KEY] = (len(doc), clean)
        doc._.raw_text = text
        doc._.raw_offsets = offsets
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        """Tokenise a stream of texts."""
        for text in texts:
            yield self(text)

    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        """Save the inner tokenizer's rules."""
        self.inner.to_disk(path, **kwargs)

    def from_disk(self, path: str | Path, **kwargs: Any) -> "NormalizingTokenizer":
        """Load the inner tokenizer's rules, then re-add the project's rules."""
        self.inner.from_disk(path, **kwargs)
        _add_rules(self.inner)
        return self

    def to_bytes(self, **kwargs: Any) -> bytes:
        """Serialise the inner tokenizer."""
        return self.inner.to_bytes(**kwargs)

    def from_bytes(self, data: bytes, **kwargs: Any) -> "NormalizingTokenizer":
        """Load the inner tokenizer from bytes, then re-add the project's rules."""
        self.inner.from_bytes(data, **kwargs)
        _add_rules(self.inner)
        return self


@registry.tokenizers(TOKENIZER_NAME)
def create_normalizing_tokenizer(normalize: bool = True) -> Callable[[Language], NormalizingTokenizer]:
    """Registered tokenizer factory: spaCy's rule tokenizer behind :mod:`mh_nlp.nlp.normalize`."""

    def make(nlp: Language) -> NormalizingTokenizer:
        return NormalizingTokenizer(nlp.vocab, _rule_tokenizer(nlp), normalize, _dotted(_exceptions(nlp)))

    return make


ENTITY_LABELS = ("ORG", "UITBUITING", "WET")  # docs/corpus-and-pipeline.md, "Entity labels"
ENTITY_SOURCES = ("anthology", "appendix", "domain", "web")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _record_problem(rec: dict[str, Any]) -> str | None:
    """What is wrong with one entity record as ``docs/corpus-and-pipeline.md`` documents it, or None (QA 49a D5: an
    empty id gave entities without one, a label ``org`` took an organisation out of "organisations", a missing name
    or source passed)."""
    rid = rec.get("id")
    if not _text(rid):
        return "no \"id\": give the entity a short id of its own, such as \"leu\""
    if "#" in rid or any(c.isspace() for c in rid):
        return f"id {rid!r} must be one word without spaces or '#', such as \"leu\""
    if rec.get("label") not in ENTITY_LABELS:
        given = f" {rec['label']!r}" if "label" in rec else ""
        return f"label{given} is not one of {', '.join(ENTITY_LABELS)}: write \"label\": \"ORG\" for an organisation"
    if not _text(rec.get("name")):
        return "no \"name\": write the entity's full name, such as \"Landelijk Expertisecentrum Uitbuiting\""
    if rec.get("source") not in ENTITY_SOURCES:
        given = f" {rec['source']!r}" if "source" in rec else ""
        return (f"source{given} is not one of {', '.join(ENTITY_SOURCES)}: say where the entity comes from "
                "(docs/corpus-and-pipeline.md)")
    if rec["source"] == "web" and not (_text(rec.get("seen_at")) and rec["seen_at"].startswith(("http://", "https://"))):
        return "a \"web\" record needs \"seen_at\": the address (https://...) of a real page that names it"
    aliases = rec.get("aliases")
    if not isinstance(aliases, list) or not aliases:
        return ("\"aliases\" must be a non-empty list, such as [{\"text\": \"LEU\", \"case\": \"exact\"}]: a record "
                "without one finds nothing")
    for alias in aliases:
        if not isinstance(alias, dict):
            return f"alias {alias!r} must be an object, such as {{\"text\": \"LEU\", \"case\": \"exact\"}}"
        if "pattern" in alias:
            pattern = alias["pattern"]
            if not isinstance(pattern, list):
                return "an alias's \"pattern\" must be a list of token patterns, such as [{\"LOWER\": \"riec\"}]"
            from spacy.schemas import validate_token_pattern

            errors = validate_token_pattern(pattern)
            if errors:  # QA 49a D9: was spaCy's "Invalid token patterns for matcher rule ..." without file or line
                return (f"alias pattern {json.dumps(pattern, ensure_ascii=False)[:80]} is not a spaCy token pattern "
                        f"({errors[0]}); see https://spacy.io/usage/rule-based-matching")
            continue
        if not _text(alias.get("text")):
            return "an alias needs a \"text\" that is not empty (or a \"pattern\")"
        if alias.get("case") not in CASES:
            what = f"case {alias['case']!r} is not exact or insensitive" if "case" in alias else "no \"case\""
            return (f"alias {alias['text']!r} has {what}: write \"case\": \"exact\" for an acronym or a name that is "
                    "also an ordinary word, \"insensitive\" otherwise")
        if "alone" in alias and not isinstance(alias["alone"], bool):
            return (f"alias {alias['text']!r} has \"alone\": {json.dumps(alias['alone'])}: write true (not matched "
                    "when a capitalised word follows it, the name of another body) or leave it out")
    return None


def entity_records(directory: str | Path | None = None,
                   files: Iterable[str] = ENTITY_FILES) -> list[tuple[Path, int, dict[str, Any]]]:
    """The records of the entity data files, each with its file and line, every one checked: the fields
    ``docs/corpus-and-pipeline.md`` documents, an id used once over all the files, an alias that no other record
    has (under the case rules: an alias matched in any case clashes with the same words in any case). A
    :class:`CorpusError` of one line names ``file:line`` (and the other line of a clash) and what to write. Linear
    in the number of aliases."""
    base = Path(directory) if directory is not None else data_dir() / "entities"
    records: list[tuple[Path, int, dict[str, Any]]] = []
    ids: dict[str, tuple[Path, int]] = {}
    by_words: dict[str, list[tuple[str, str, str, Path, int]]] = {}  # lower-case alias -> (text, case, id, file, line)

    def at(path: Path, lineno: int, here: Path) -> str:
        return f"line {lineno}" if path == here else f"{path}:{lineno}"

    for name in files:
        path = base / name
        if not path.exists():
            raise DataNotFound(f"entity file not found: {path} (set MH_NLP_DATA to the project's data/ folder)")
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise TypeError(f"a JSON object per line, not {type(rec).__name__}")
            except (ValueError, TypeError, RecursionError) as exc:
                raise CorpusError(f"{path}:{lineno}: not an entity record (a JSON object with aliases): "
                                  f"{exc.__class__.__name__}: {exc}") from None
            problem = _record_problem(rec)
            if problem:
                raise CorpusError(f"{path}:{lineno}: {problem}")
            rid = rec["id"]
            if rid in ids:
                raise CorpusError(f"{path}:{lineno}: id {rid!r} is already the id of the record at {at(*ids[rid], path)}: "
                                  f"two records with one id are merged into one entity; give this one an id of its own")
            ids[rid] = (path, lineno)
            for alias in rec["aliases"]:
                if "pattern" in alias:
                    continue
                text, case = alias["text"], alias["case"]
                for other_text, other_case, other_id, other_path, other_line in by_words.get(text.lower(), ()):
                    if other_id != rid and (text == other_text or "insensitive" in (case, other_case)):
                        raise CorpusError(
                            f"{path}:{lineno}: alias {text!r} ({case}) is already an alias of {other_id!r} at "
                            f"{at(other_path, other_line, path)} ({other_text!r}, {other_case}): an alias names one "
                            f"entity; remove it from one of them")
                by_words.setdefault(text.lower(), []).append((text, case, rid, path, lineno))
            records.append((path, lineno, rec))
    return records


# an alias's id suffix after its case: matched only when no capitalised word follows it ("alone": true in the data
# file). "Aanjaagteam" is the Roemer team, "Aanjaagteam Ondermijning" another (QA 51b N5).
ALONE = "#alone"


def _pattern_id(pattern_id: str) -> tuple[str, str, bool]:
    """``<id>#<case>[#alone]`` -> (id, case, alone)."""
    base, _, rest = pattern_id.partition("#")
    case, _, flag = rest.partition("#")
    return base, case, bool(flag)


def load_entity_patterns(directory: str | Path | None = None, files: Iterable[str] = ENTITY_FILES) -> list[dict[str, Any]]:
    """Read the entity data files (checked: :func:`entity_records`): one SpanRuler pattern per alias, id
    ``<id>#<case>``, followed by :data:`ALONE` for an alias marked ``"alone": true``."""
    patterns: list[dict[str, Any]] = []
    for _path, _lineno, rec in entity_records(directory, files):
        for alias in rec["aliases"]:
            if "pattern" in alias:
                pattern: Any = alias["pattern"]
                suffix = "#pattern"
            else:
                pattern = alias["text"]  # a phrase, matched on LOWER; the case rule is checked after matching
                suffix = "#" + alias["case"] + (ALONE if alias.get("alone") else "")
            patterns.append({"label": rec["label"], "id": rec["id"] + suffix, "pattern": pattern})
    return patterns


# An alias with a Dutch possessive or as the first part of a hyphenated compound, written as one token: "NLA's",
# "CoMensha-cijfers", "Veilig Thuis-medewerker" (an acronym before a hyphen is split by the tokenizer already:
# "RIEC-convenant"). The entity is the whole token (with the alias's words before it); its id is the alias's.
COMPOUND_TAIL = r"(?:'s|-[^\W\d_][\w-]*)"
_PLAIN_ALIAS = re.compile(r"[^\W_]+(?: [^\W_]+)*")
# an alias matched in any case is taken as the start of a compound only from this length: "wav-bestand" is no Wav
# (Wet arbeid vreemdelingen), "Arbeidsinspectie-controles" is the NLA
MIN_LOOSE_COMPOUND = 6


class EntityRulerComponent(SpanRuler):
    """SpanRuler that writes ``doc.ents`` from the project's entity data files.

    Aliases are phrase patterns matched on LOWER (fast); a pattern id ``<id>#exact`` keeps a match only
    when its tokens are exactly the alias's, ``<id>#insensitive`` keeps it in any case. The suffix is
    removed before the spans become ``doc.ents``, so ``ent.ent_id_`` is the canonical id.
    """

    def __init__(self, *args: Any, overwrite_ents: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, phrase_matcher_attr="LOWER", overwrite=overwrite_ents, **kwargs)
        self._then = prioritize_new_ents_filter if overwrite_ents else prioritize_existing_ents_filter
        self.ents_filter = self._case_filter
        self._exact: tuple[int, dict[str, set[tuple[str, ...]]]] = (-1, {})

    missing_patterns: str | None = None  # why the factory could not fill the ruler (warned at the first text if empty)

    def __call__(self, doc: Doc) -> Doc:
        if self.missing_patterns and not self._patterns:
            warnings.warn(self.missing_patterns, stacklevel=2)
            self.missing_patterns = None
        return super().__call__(doc)

    def add_patterns(self, patterns: list[dict[str, Any]]) -> None:
        """Add patterns (without spaCy's W012 note: the phrase docs are tokenised only, by ``make_doc``)."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\[W012\]")
            super().add_patterns(patterns)

    def _exact_table(self) -> dict[str, set[tuple[str, ...]]]:
        """Token tuples of the exact-case aliases per id (rebuilt when the patterns change)."""
        if self._exact[0] != len(self._patterns):
            table: dict[str, set[tuple[str, ...]]] = {}
            for p in self._patterns:
                base, case, _alone = _pattern_id(p.get("id", ""))
                if case == "exact" and isinstance(p["pattern"], str):
                    table.setdefault(base, set()).add(tuple(t.text for t in self.nlp.make_doc(p["pattern"])))
            self._exact = (len(self._patterns), table)
        return self._exact[1]

    def _compound_finders(self) -> list[tuple[re.Pattern[str], dict[str, tuple[str, str]], str]]:
        """For each case rule, one regular expression that finds every plain alias (words and spaces) followed by
        :data:`COMPOUND_TAIL`, the (label, id) of each alias (by its text, or its lower-case text) and the rule.
        One search over a statement's text, however many aliases: token patterns with a regular expression per
        alias halved the pipeline's speed."""
        if getattr(self, "_finders", (-1,))[0] != len(self._patterns):
            tables: dict[str, dict[str, tuple[str, str]]] = {case: {} for case in CASES}
            for p in self._patterns:
                base, case, _alone = _pattern_id(p.get("id", ""))
                if case in CASES and isinstance(p["pattern"], str) and _PLAIN_ALIAS.fullmatch(p["pattern"]) \
                        and (case == "exact" or len(p["pattern"]) >= MIN_LOOSE_COMPOUND):
                    key = p["pattern"] if case == "exact" else p["pattern"].lower()
                    tables[case].setdefault(key, (p["label"], base))
            finders = []
            for case, table in tables.items():
                if table:
                    alternatives = "|".join(re.escape(a).replace("\\ ", r"\s+")
                                            for a in sorted(table, key=lambda a: (-len(a), a)))
                    finders.append((re.compile(rf"(?<![\w'-])(?:{alternatives}){COMPOUND_TAIL}(?![\w'-])",
                                               0 if case == "exact" else re.IGNORECASE), table, case))
            self._finders = (len(self._patterns), finders)
        return self._finders[1]

    def match(self, doc: Doc) -> list[Span]:
        """The aliases' matches, and each alias as a possessive or the first part of a compound that the tokenizer
        kept as one token ("NLA's", "CoMensha-cijfers")."""
        spans = super().match(doc)
        text = doc.text
        if "-" not in text and "'" not in text:
            return spans
        for finder, table, case in self._compound_finders():
            for m in finder.finditer(text):
                sp = doc.char_span(m.start(), m.end())
                if sp is None or "-" not in sp[-1].text and "'" not in sp[-1].text:
                    continue  # not whole tokens, or the tail is a token of its own (an acronym's hyphen)
                alias = re.sub(f"{COMPOUND_TAIL}$", "", m.group())
                alias = " ".join(alias.split())
                label, base = table.get(alias if case == "exact" else alias.lower(), (None, None))
                if base is not None:
                    spans.append(Span(doc, sp.start, sp.end, label=label, span_id=f"{base}#compound"))
        return sorted(set(spans))

    def _case_filter(self, entities: Iterable[Span], spans: Iterable[Span]) -> list[Span]:
        """Drop matches that break their alias's case rule, strip the id suffix, resolve overlaps."""
        exact = self._exact_table()
        kept = []
        for sp in spans:
            base, case, alone = _pattern_id(sp.id_)
            if case == "exact" and tuple(t.text for t in sp) not in exact.get(base, ()):
                continue
            if alone and sp.end < len(sp.doc) and sp.doc[sp.end].text[:1].isupper():
                continue  # another body of that kind, named: "Aanjaagteam Ondermijning"
            kept.append(Span(sp.doc, sp.start, sp.end, label=sp.label, span_id=base))
        return self._then(entities, kept)

    def initialize(self, get_examples: Callable[[], Iterable[Any]], *, nlp: Language | None = None,
                   patterns: list[dict[str, Any]] | None = None) -> None:
        """Keep the patterns loaded from the data files unless ``patterns`` are given."""
        super().initialize(get_examples, nlp=nlp, patterns=list(self.patterns) if patterns is None else patterns)


@Language.factory(RULER_NAME, default_config={"data_dir": None, "files": list(ENTITY_FILES), "overwrite_ents": True},
                  assigns=["doc.ents", "token.ent_type", "token.ent_iob"])
def make_entity_ruler(nlp: Language, name: str, data_dir: str | None, files: list[str],
                      overwrite_ents: bool) -> EntityRulerComponent:
    """Registered factory: the entity ruler, loaded from ``data/entities`` (or ``data_dir``)."""
    ruler = EntityRulerComponent(nlp, name, spans_key=None, annotate_ents=True, overwrite_ents=overwrite_ents,
                                 validate=True)
    try:
        ruler.add_patterns(load_entity_patterns(data_dir, files))
    except DataNotFound as exc:  # a saved pipeline brings its patterns along (from_disk fills the ruler): warn
        ruler.missing_patterns = f"{RULER_NAME}: {exc}; it finds no entities"  # at the first text if it did not
    return ruler


@contextmanager
def memory_zone_for(nlp: Language, texts: Sequence[str]) -> Iterator[None]:
    """The context in which ``nlp`` processes ``texts``: ``nlp.memory_zone()`` (everything made for them is freed
    at its end) once the vocabulary holds :data:`PERMANENT_WORDS` entries, and no zone before that. A word made
    anew in every zone, and a tokenizer whose cache is not kept in a zone, took most of the time of a short
    statement (0.7 ms against 0.35 ms); up to that bound, words and tokenizer cache stay. The tokenizer's pending
    special cases are added before a zone, since nothing made inside one outlives it (outside a zone the tokenizer
    adds them itself)."""
    if len(nlp.vocab) < PERMANENT_WORDS:
        yield
        return
    if hasattr(nlp.tokenizer, "add_special_cases_for"):
        nlp.tokenizer.add_special_cases_for(texts)
    with nlp.memory_zone():
        yield


def select_base() -> str:
    """The base pipeline to use: ``nl_core_news_sm`` when installed, else ``blank``."""
    return SM_MODEL if spacy.util.is_package(SM_MODEL) else "blank"


BLANK_MAX_LENGTH = 10_000_000  # characters: a blank-based pipeline's nlp.max_length (spaCy's default: 1,000,000)


def build_pipeline(base: str | None = None) -> Language:
    """Build a new pipeline on ``base`` (``blank``, a package name or a path; None selects)."""
    base = base or select_base()
    tokenizer_cfg = {"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}}
    if base == "blank":
        # the lemma table comes from the per-user cache (mh_nlp.nlp.lookups), built from spacy-lookups-data once
        lookups_cfg = {"initialize": {"components": {"lemmatizer": {"lookups": {"@misc": LOOKUPS_NAME}}}}}
        nlp = spacy.blank("nl", config={**tokenizer_cfg, **lookups_cfg})
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.add_pipe(RULER_NAME)
        nlp.initialize()
        # spaCy refuses a text over 1,000,000 characters for the memory its parser and NER need; this pipeline
        # has neither (the tokenizer, lemmas and the entity ruler are linear), so a long note is read as it is
        nlp.max_length = BLANK_MAX_LENGTH
    else:
        nlp = spacy.load(base, config=tokenizer_cfg)
        before = {"before": "ner"} if "ner" in nlp.pipe_names else {}
        nlp.add_pipe(RULER_NAME, **before)
    ruler = nlp.get_pipe(RULER_NAME)
    if ruler.missing_patterns:  # a new pipeline has nothing to bring its patterns: an error, not a silent empty answer
        raise DataNotFound(ruler.missing_patterns.split("; it finds")[0])  # (QA 45a: a wheel without data/ found none)
    nlp.meta["mh_nlp_base"] = base
    return nlp


_DEFAULT: dict[str, Language] = {}


def load_pipeline(base: str | None = None) -> Language:
    """The configured pipeline, one cached instance per base (``mh_nlp.load_pipeline(themes=True)`` adds the
    theme classifier: see :func:`mh_nlp.themes.categorizer.load_pipeline`)."""
    key = base or select_base()
    if key not in _DEFAULT:
        _DEFAULT[key] = build_pipeline(key)
    return _DEFAULT[key]


def pipeline_info(nlp: Language) -> dict[str, Any]:
    """What a pipeline is made of: base, tokenizer, components, versions and data files."""
    ruler = nlp.get_pipe(RULER_NAME) if RULER_NAME in nlp.pipe_names else None
    labels: dict[str, int] = {}
    if ruler is not None:
        for p in ruler.patterns:  # one per alias
            labels[p["label"]] = labels.get(p["label"], 0) + 1
    base_dir = data_dir() / "entities"
    return {
        "base": nlp.meta.get("mh_nlp_base", nlp.meta.get("name")),
        "language": nlp.lang,
        "tokenizer": TOKENIZER_NAME if isinstance(nlp.tokenizer, NormalizingTokenizer) else type(nlp.tokenizer).__name__,
        "components": [(name, nlp.get_pipe_meta(name).factory) for name in nlp.pipe_names],
        "versions": {pkg: package_version(pkg) for pkg in ("spacy", "spacy-lookups-data", "wordfreq", SM_MODEL.replace("_", "-"))},
        "data_files": [str(base_dir / f) for f in ENTITY_FILES],
        "patterns_per_label": labels,
    }
