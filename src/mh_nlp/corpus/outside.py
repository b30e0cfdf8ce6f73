"""Labelled sentences from public texts *outside* the anthology: ``data/external/`` (the test set: reported,
never used for a choice) and ``data/development/`` (for choices between model designs). Both are real sentences
with their source address, each labelled with one titled section (and 0-2 ``alt_sections``).

This module reads and checks them in plain text: every row complete, its sections titled, its chapter its
section's, no repeated id or text; and the two sets kept apart (no shared text or source address, no copy of an
anthology quote).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from .jsonl import Unique, json_rows, normal_form
from .records import CorpusError, Taxonomy
from ..paths import data_dir
from ..exceptions import OutsideSetError  # noqa: F401 - defined with every mh-nlp error

SETS = ("development", "external")
TEXT_FIELDS = ("id", "text", "section", "source")


def outside_path(which: str) -> Path:
    if which not in SETS:
        raise ValueError(f"unknown set {which!r} (one of {', '.join(SETS)})")
    return data_dir() / which / "sentences.jsonl"


def read_outside(taxonomy: Taxonomy, which: str, path: str | Path | None = None) -> list[dict]:
    """Every row of the set, checked: valid JSON with ``id``, ``text``, ``section``, ``source`` (an http(s)
    address) and ``chapter``; titled sections (``section`` and ``alt_sections``); ``chapter`` the section's; no
    repeated id or text. The first bad row raises :class:`OutsideSetError` with a one-line message naming it.
    An absent file is an empty set."""
    path = Path(path or outside_path(which))
    rows: list[dict] = []
    seen = Unique(OutsideSetError)
    for n, where, d in json_rows(path, f"the {which} sentences", TEXT_FIELDS, OutsideSetError, missing_ok=True):
        if any(not d[f].strip() for f in TEXT_FIELDS):
            raise OutsideSetError(f"{where}: needs the text fields {', '.join(TEXT_FIELDS)}")
        alts = d.get("alt_sections", [])
        if not isinstance(alts, list) or not all(isinstance(a, str) for a in alts):
            raise OutsideSetError(f"{where}: alt_sections must be a list of section numbers")
        for sec in (d["section"], *alts):
            if sec not in taxonomy.sections or taxonomy.sections[sec].title.startswith("Onbekend"):
                raise OutsideSetError(f"{where}: {sec!r} is not a titled section")
        if d.get("chapter") != taxonomy.sections[d["section"]].chapter:
            raise OutsideSetError(f"{where}: chapter {d.get('chapter')!r} is not the chapter of section {d['section']}")
        if not d["source"].startswith(("https://", "http://")):
            raise OutsideSetError(f"{where}: source must be the address of the text it comes from")
        seen.check(where, n, d["id"], d["text"])
        rows.append(d)
    return rows


def apart_errors(development: Sequence[dict], external: Sequence[dict], quote_texts: Iterable[str]) -> list[str]:
    """How the development set touches the test set or the anthology: a development sentence equal (after
    :func:`~mh_nlp.corpus.written.normal_form`) to a test sentence or to a quote, or taken from a source address
    the test set uses."""
    test_texts = {normal_form(r["text"]) for r in external}
    test_sources = {r["source"].rstrip("/") for r in external}
    quotes = {normal_form(t) for t in quote_texts}
    errors = []
    for r in development:
        key = normal_form(r["text"])
        if key in test_texts:
            errors.append(f"{r['id']}: equal to an external test sentence")
        if key in quotes:
            errors.append(f"{r['id']}: equal to an anthology quote")
        if r["source"].rstrip("/") in test_sources:
            errors.append(f"{r['id']}: its source is a source of the external test set ({r['source']})")
    return errors
