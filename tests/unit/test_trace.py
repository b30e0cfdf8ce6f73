"""The corpus checker: alignment of quote records with the raw extraction (page 11, raw lines 95-136)."""
from __future__ import annotations

import pytest

from mh_nlp.corpus.records import Quote, load_taxonomy
from mh_nlp.corpus.trace import check_page, merge_spaced_hyphens, raw_pages


@pytest.fixture(scope="module")
def page11():
    return raw_pages()[11]


def q(order: int, text: str, lines: tuple[int, int], column: str = "left", section: str = "1.1") -> Quote:
    return Quote(id=f"p011-{column[0].upper()}{order:02d}", page=11, column=column, order=order,
                 section=section, chapter=1, text=text, lines=lines)


# a left-column quote whose words are interleaved with the right column and broken at "slach-"
BROKEN = ("Er is steeds minder bereidheid tot het doen van aangifte, maar ook het zich laten bestempelen "
          "als slachtoffer. Een slachtoffer heeft daarmee namelijk alles te verliezen (‘10 euro in "
          "Nederland is meer dan 0 euro in het land van herkomst’).")
RIGHT = "Groot aantal jonge mensen dat dader of slachtoffer wordt, verwevenheid beide groepen."


def test_pages_are_split_at_footers(page11):
    pages = raw_pages()
    assert sorted(pages)[:3] == [3, 5, 7] and max(pages) == 61
    assert page11.lines[1].startswith("Steeds meer jongeren")
    assert page11.last_line == 137


def test_interleaved_columns_and_broken_word_align(page11):
    report = check_page(page11, [q(1, BROKEN, (100, 103)), q(1, RIGHT, (101, 102), "right")], None)
    assert report.ok, report.errors
    # every word is one raw token, but "slachtoffer" is two ("slach-" ... "toffer")
    assert report.covered == len(BROKEN.split()) + 1 + len(RIGHT.split())
    assert report.uncovered and all(t.line not in range(100, 104) for t in report.uncovered)


def test_altered_word_fails(page11):
    report = check_page(page11, [q(1, BROKEN.replace("minder", "meer"), (100, 103))], None)
    assert not report.ok
    assert report.errors[0].startswith("p011-L01: word")


def test_invented_word_fails(page11):
    report = check_page(page11, [q(1, BROKEN.replace("doen van", "doen van een"), (100, 103))], None)
    assert not report.ok


def test_dropped_word_inside_a_line_fails(page11):
    report = check_page(page11, [q(1, BROKEN.replace("het zich laten", "het laten"), (100, 103))], None)
    assert not report.ok


def test_wrong_lines_fail(page11):
    assert not check_page(page11, [q(1, BROKEN, (100, 102))], None).ok
    assert not check_page(page11, [q(1, BROKEN, (101, 103))], None).ok  # first word must be on the first line
    assert not check_page(page11, [q(1, BROKEN, (200, 203))], None).ok


def test_a_token_belongs_to_one_quote_only(page11):
    text = "Steeds meer jongeren krijgen kennis over mensenhandel."
    report = check_page(page11, [q(1, text, (95, 95)), q(1, text, (95, 95), "right")], None)
    assert not report.ok


def test_coverage_counts_what_is_left_out(page11):
    full = check_page(page11, [q(1, BROKEN, (100, 103))], None)
    short = check_page(page11, [q(1, BROKEN.rsplit(" Een ", 1)[0], (100, 101))], None)
    assert full.ok and short.ok
    assert full.covered - short.covered == len(("Een " + BROKEN.rsplit(" Een ", 1)[1]).split()) + 1
    assert any(t.text == "slach-" for t in short.uncovered)


def test_headings_are_not_counted_as_quote_text(page11):
    report = check_page(page11, [], load_taxonomy())
    assert report.ok and report.heading_tokens == 3  # "1.2 Kwetsbare groepen"


def test_spaced_hyphen_is_one_token():
    assert merge_spaced_hyphens(["meer", "veroor", "-"]) == ["meer", "veroor -"]
    assert merge_spaced_hyphens(["a", "-", "b"]) == ["a -", "b"]
