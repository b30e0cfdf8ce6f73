"""The written training set (data/synthetic/statements.jsonl): complete, marked as written, no copies of quotes or
external test sentences, and bad rows refused with a message naming them."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.corpus.records import load_quotes, load_taxonomy
from mh_nlp.corpus.written import (MIN_PER_SECTION, WrittenSetError, normal_form, read_written, titled,
                                   written_errors)
from mh_nlp.themes.evaluate import load_external, load_sentences


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


@pytest.fixture(scope="module")
def written(tax):
    return read_written(tax)


def test_every_titled_section_has_enough_written_statements(tax, written):
    counts = Counter(w.section for w in written)
    assert set(counts) == set(titled(tax))
    assert min(counts.values()) >= MIN_PER_SECTION and len(written) >= 2600


def test_every_statement_is_marked_as_written(written):
    assert all(w.written_from == "taxonomy" and w.id.startswith(f"w-{w.section}-") and w.batch for w in written)


def test_no_statement_copies_a_quote_an_external_or_a_development_sentence(tax, written):
    development = [r["text"] for r in load_sentences(tax, "development")]
    assert development and written_errors(written, tax, [q.text for q in load_quotes()],
                                          [r["text"] for r in load_external(tax)], development) == []


def test_corpus_check_finds_no_near_copies_and_reports_the_distance(written):
    res = CliRunner().invoke(main, ["corpus", "check", "--page", "11"])
    assert res.exit_code == 0, res.output
    line = next(line for line in res.output.splitlines() if line.startswith("written statements:"))
    assert f"{len(written)} in" in line and "nearest-quote cosine median" in line and line.endswith("ok")


@pytest.mark.parametrize("row, message", [
    ({"section": "9.9"}, "unknown section '9.9'"),
    ({"section": "2.2"}, "section 2.2 has no known title"),
    ({"text": "   "}, "empty text"),
    ({"text": "Twee woorden."}, "2 words"),
    ({"written_from": "quotes"}, "written_from must be"),
    ({"id": "w-4.7-001", "text": "Een andere tekst over opvang voor slachtoffers."}, "id w-4.7-001 repeats row 1"),
    ({"id": "w-4.7-009", "text": "meer OPVANG voor slachtoffers!"}, "same text as row 1"),
])
def test_a_bad_row_is_refused_naming_the_row(tax, tmp_path, row, message):
    good = {"id": "w-4.7-001", "section": "4.7", "text": "Meer opvang voor slachtoffers.", "written_from": "taxonomy",
            "batch": "test"}
    path = tmp_path / "statements.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "w-4.7-002", **row}) + "\n", encoding="utf-8")
    with pytest.raises(WrittenSetError, match=f"row 2: {message}"):
        read_written(tax, path)


def test_copies_are_compared_without_case_accents_or_punctuation():
    assert normal_form("Coördinatie: TE weinig!") == normal_form("coordinatie te  weinig")
