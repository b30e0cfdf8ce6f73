"""The written training set (``data/synthetic/statements.jsonl``): statements the team wrote on purpose for a
section, from its title and description, in the anthology's style. They are training examples only — never
quotes, never test items — and every accuracy figure comes from anthology quotes and external sentences.

This module reads and checks the set (fields, sections, duplicates, copies of quotes and of external test
sentences). The near-copy check by sentence embeddings needs an encoder and lives with the theme model
(:func:`mh_nlp.themes.written.near_copies`); here everything is plain text.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .records import Taxonomy, section_key
from ..paths import data_dir

MIN_PER_SECTION = 40  # written statements every titled section must have
MIN_WORDS, MAX_WORDS = 3, 35
FIELDS = ("id", "section", "text", "written_from", "batch")
WRITTEN_FROM = ("taxonomy",)


class WrittenSetError(ValueError):
    """A written statement that cannot be used (the message names the file and row)."""


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


def normal_form(text: str) -> str:
    """Text compared for copies: lower case, accents and punctuation dropped, spaces collapsed."""
    t = unicodedata.normalize("NFKD", text.casefold())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", t))


def titled(taxonomy: Taxonomy) -> list[str]:
    """Sections with a known title (written statements exist only for these)."""
    return [s for s in sorted(taxonomy.sections, key=section_key)
            if not taxonomy.sections[s].title.startswith("Onbekend")]


def read_written(taxonomy: Taxonomy, path: str | Path | None = None) -> list[Written]:
    """The written statements, each row checked: valid JSON with every field, a titled section, a text of
    3-35 words, ``written_from`` known, no repeated id or text. The first bad row raises
    :class:`WrittenSetError` with a one-line message naming it."""
    path = Path(path or written_path())
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise WrittenSetError(f"{path}: no such file (the written training set)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WrittenSetError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    out: list[Written] = []
    ids: dict[str, int] = {}
    texts: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}: row {n}"
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            raise WrittenSetError(f"{where}: not valid JSON") from None
        if not isinstance(d, dict) or any(not isinstance(d.get(f), str) for f in FIELDS):
            raise WrittenSetError(f"{where}: needs the text fields {', '.join(FIELDS)}")
        sec, text = d["section"].strip(), " ".join(d["text"].split())
        if sec not in taxonomy.sections:
            raise WrittenSetError(f"{where}: unknown section {sec!r}")
        if taxonomy.sections[sec].title.startswith("Onbekend"):
            raise WrittenSetError(f"{where}: section {sec} has no known title; write only for titled sections")
        if not text:
            raise WrittenSetError(f"{where}: empty text")
        words = len(text.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            raise WrittenSetError(f"{where}: {words} words (a statement has {MIN_WORDS}-{MAX_WORDS})")
        if d["written_from"] not in WRITTEN_FROM:
            raise WrittenSetError(f"{where}: written_from must be one of {', '.join(WRITTEN_FROM)}")
        if d["id"] in ids:
            raise WrittenSetError(f"{where}: id {d['id']} repeats row {ids[d['id']]}")
        key = normal_form(text)
        if key in texts:
            raise WrittenSetError(f"{where}: same text as row {texts[key]}")
        ids[d["id"]], texts[key] = n, n
        out.append(Written(d["id"], sec, text, d["written_from"], d["batch"], n))
    return out


def load_written(taxonomy: Taxonomy, path: str | Path | None = None) -> list[Written]:
    """The written set, or an empty list when the file is absent (a model then learns from quotes only)."""
    path = Path(path or written_path())
    return read_written(taxonomy, path) if path.exists() else []


def written_errors(written: Sequence[Written], taxonomy: Taxonomy, quote_texts: Iterable[str],
                   external_texts: Iterable[str], development_texts: Iterable[str] = ()) -> list[str]:
    """Problems of the set as a whole: a titled section with fewer than :data:`MIN_PER_SECTION` statements,
    a statement equal (after :func:`normal_form`) to an anthology quote, an external test sentence or a
    development sentence."""
    errors = []
    counts = Counter(w.section for w in written)
    for s in titled(taxonomy):
        if counts[s] < MIN_PER_SECTION:
            errors.append(f"section {s}: {counts[s]} written statements (at least {MIN_PER_SECTION})")
    for what, texts in (("an anthology quote", quote_texts), ("an external test sentence", external_texts),
                        ("a development sentence", development_texts)):
        keys = {normal_form(t) for t in texts}
        errors += [f"{w.id} (row {w.row}): equal to {what}" for w in written if normal_form(w.text) in keys]
    return errors
