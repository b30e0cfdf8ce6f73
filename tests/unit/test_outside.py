"""The labelled sentences from outside the anthology (data/development/, data/external/): rows checked one by one, a
bad row refused naming it, and the development set kept apart from the test set and the anthology."""
from __future__ import annotations

import json

import pytest

from mh_nlp.corpus.outside import OutsideSetError, apart_errors, read_outside
from mh_nlp.corpus.records import load_taxonomy

GOOD = {"id": "dev-1", "text": "Er is te weinig opvang voor slachtoffers van mensenhandel.", "section": "2.16",
        "chapter": 2, "alt_sections": ["4.7"], "source": "https://example.org/opvang", "retrieved": "2026-12-05"}


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def _write(tmp_path, *rows) -> str:
    path = tmp_path / "sentences.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return str(path)


def test_a_good_set_is_read_and_an_absent_one_is_empty(tax, tmp_path):
    second = {**GOOD, "id": "dev-2", "text": "Gemeenten werken beter samen.", "section": "3.9", "chapter": 3,
              "alt_sections": []}
    assert [r["id"] for r in read_outside(tax, "development", _write(tmp_path, GOOD, second))] == ["dev-1", "dev-2"]
    assert read_outside(tax, "development", tmp_path / "absent.jsonl") == []


@pytest.mark.parametrize("row, message", [
    ("{not json", "not valid JSON"),
    ({"text": "  "}, "needs the text fields"),
    ({"source": None}, "needs the text fields"),
    ({"section": "9.9"}, "'9.9' is not a titled section"),
    ({"section": "2.2", "chapter": 2}, "'2.2' is not a titled section"),  # an Onbekend section
    ({"alt_sections": ["4.7", "7.1"]}, "'7.1' is not a titled section"),
    ({"alt_sections": "4.7"}, "alt_sections must be a list"),
    ({"chapter": 4}, "chapter 4 is not the chapter of section 2.16"),
    ({"source": "CoMensha jaarverslag"}, "source must be the address"),
    ({"text": "Een andere zin over de opvang van slachtoffers."}, "id dev-1 repeats row 1"),
    ({"id": "dev-9", "text": "Er is te WEINIG opvang voor slachtoffers van mensenhandel!"}, "same text as row 1"),
])
def test_a_bad_row_is_refused_naming_the_row(tax, tmp_path, row, message):
    bad = row if isinstance(row, str) else {**GOOD, **row}
    with pytest.raises(OutsideSetError, match=f"row 2: {message}"):
        read_outside(tax, "development", _write(tmp_path, GOOD, bad))


def test_the_development_set_stays_apart_from_the_test_set_and_the_quotes():
    test = [{**GOOD, "id": "ext-1", "source": "https://example.org/test/"}]
    dev = [{**GOOD, "id": "dev-1", "text": "Er is te weinig opvang, voor slachtoffers van mensenhandel"},
           {**GOOD, "id": "dev-2", "text": "Meer zorgcoördinatoren in elke regio.", "source": "https://example.org/test"},
           {**GOOD, "id": "dev-3", "text": "Een citaat uit de bloemlezing.", "source": "https://example.org/b"},
           {**GOOD, "id": "dev-4", "text": "Iets anders.", "source": "https://example.org/c"}]
    assert apart_errors(dev, test, ["een citaat uit de BLOEMLEZING"]) == [
        "dev-1: equal to an external test sentence",
        "dev-2: its source is a source of the external test set (https://example.org/test)",
        "dev-3: equal to an anthology quote"]


def test_the_project_sets_are_valid_and_apart(tax):
    from mh_nlp.corpus.records import load_quotes

    external = read_outside(tax, "external")
    development = read_outside(tax, "development")
    assert len(external) == 109
    assert apart_errors(development, external, [q.text for q in load_quotes()]) == []
