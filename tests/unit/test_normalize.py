"""Normalisation: PDF/note artefacts repaired, map back to the original kept."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import mh_nlp
from mh_nlp.nlp.normalize import hyphen_decision, map_span, normalize, normalize_with_map


def test_line_end_break_is_joined() -> None:
    assert normalize("Een slach-\ntoffers heeft") == "Een slachtoffers heeft"
    assert normalize("veroor -\ndelingen") == "veroordelingen"


def test_real_hyphens_stay() -> None:
    assert normalize("Je hebt zorg-\nen veiligheidspartners nodig") == "Je hebt zorg- en veiligheidspartners nodig"
    assert normalize("meisjes van 18-\nmin") == "meisjes van 18-min"
    assert normalize("publiek-\nprivate samenwerking") == "publiek-private samenwerking"
    assert normalize("publiek-private en zorg- en veiligheidspartners") == "publiek-private en zorg- en veiligheidspartners"


def test_hyphen_decision_uses_the_word_list() -> None:
    assert hyphen_decision("slach", "toffers") == "join"
    assert hyphen_decision("infor", "matie") == "join"
    assert hyphen_decision("publiek", "private") == "hyphen"
    assert hyphen_decision("wet", "en") == "space"
    assert hyphen_decision("niet", "West") == "hyphen"


def test_soft_hyphen_nbsp_quotes_bullets_and_spaces() -> None:
    assert normalize("slacht\u00adoffers") == "slachtoffers"
    assert normalize("de\u00a0NLA\u2009en\u200bhet") == "de NLA enhet"
    assert normalize("regio’s en “loopjongens” en ‘veilig’") == "regio's en \"loopjongens\" en 'veilig'"
    assert normalize("Sociale media:\n• Scholen zijn\n•  Ouders") == "Sociale media: Scholen zijn Ouders"
    assert normalize("  veel   \t ruimte \n\n\n\n nieuw  ") == "veel ruimte\n\nnieuw"
    assert normalize("\ufb01nanciering") == "financiering"


def test_page_footers_are_removed() -> None:
    text = "Capaciteitstekort politie.\nbloemlezing - programma samen tegen mensenhandel 27\n\nMensen/jongeren hebben geen idee."
    assert normalize(text) == "Capaciteitstekort politie.\n\nMensen/jongeren hebben geen idee."
    assert normalize("x\nbloemlezing - samen tegen mensenhandel 9\ny") == "x y"
    # the words in running text are not a footer
    assert "samen tegen mensenhandel" in normalize("het programma samen tegen mensenhandel 3 keer")


def test_offsets_point_back_to_the_original() -> None:
    raw = "De RIEC’s en de slach-\ntoffers\u00ad  bij\u00a0Veilig Thuis"
    clean, offsets = normalize_with_map(raw)
    assert clean == "De RIEC's en de slachtoffers bij Veilig Thuis"
    assert len(offsets) == len(clean)
    for i, ch in enumerate(clean):
        if ch.isalnum():
            assert raw[offsets[i]] == ch
    s = clean.index("slachtoffers")
    a, b = map_span(offsets, s, s + len("slachtoffers"), len(raw))
    assert raw[a:b] == "slach-\ntoffers"
    s = clean.index("Veilig Thuis")
    a, b = map_span(offsets, s, s + len("Veilig Thuis"), len(raw))
    assert raw[a:b] == "Veilig Thuis"


def test_package_level_api() -> None:
    assert mh_nlp.normalize("regio’s") == "regio's"
    assert mh_nlp.normalize.normalize_with_map("a  b") == ("a b", [0, 1, 3])


def test_the_raw_anthology_normalises_to_a_fixpoint() -> None:
    from mh_nlp.paths import data_file

    raw = data_file("raw", "001_e183801bd38c0e25.txt").read_text(encoding="utf-8")
    clean = normalize(raw)
    assert normalize(clean) == clean
    assert "bloemlezing - programma" not in clean and "’" not in clean and "\u00ad" not in clean
    assert "slachtoffer met weinig opsporingsindicaties" in clean


_pieces = list("abcdeslachtofrs -\n\u00ad\u00a0’“•\t") + ["en", "RIEC", "18", "zorg", "bloemlezing - samen tegen mensenhandel 9"]
_pdfish = st.lists(st.sampled_from(_pieces), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), _pdfish))
def test_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_gives_text_and_in_bounds_map(text: str) -> None:
    clean, offsets = normalize_with_map(text)
    assert isinstance(clean, str)
    assert len(offsets) == len(clean)
    assert all(0 <= o < len(text) for o in offsets)
    assert offsets == sorted(offsets)


@settings(max_examples=200, deadline=None)
@given(_pdfish)
def test_map_spans_stay_in_bounds(text: str) -> None:
    clean, offsets = normalize_with_map(text)
    for start in range(len(clean)):
        a, b = map_span(offsets, start, len(clean), len(text))
        assert 0 <= a <= b <= len(text)
