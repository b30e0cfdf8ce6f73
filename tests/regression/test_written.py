"""The written training set (data/synthetic/statements.jsonl): complete, marked as written, no copies of quotes or
external test sentences, and bad rows refused with a message naming them."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.corpus.records import load_quotes, load_taxonomy
from mh_nlp.corpus.written import (MIN_PER_SECTION, WrittenSetError, copies, lexicon_path, normal_form, read_lexicon,
                                   read_stance, read_written, titled, written_errors)
from mh_nlp.corpus.outside import read_outside
from mh_nlp.themes.evaluate import load_external


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
    development = [r["text"] for r in read_outside(tax, "development")]
    assert development and written_errors(written, tax, [q.text for q in load_quotes()],
                                          [r["text"] for r in load_external(tax)], development) == []


def test_corpus_check_finds_no_near_copies_and_reports_the_distance(tax, written):
    """A line for the development and the external sentences each, two for the written and the stance statements
    each (how close they sit to the quotes and the outside sentences, and the distribution of the first)."""
    res = CliRunner().invoke(main, ["corpus", "check", "--page", "11"])
    assert res.exit_code == 0, res.output
    lines: dict[str, list[str]] = {}
    for line in res.output.splitlines():
        lines.setdefault(line.split(":")[0], []).append(line)
    for label, n in (("written statements", len(written)), ("stance statements", len(read_stance(tax)))):
        summary, spread = lines[label]
        assert f"{n} in" in summary and "nearest-quote cosine median" in summary, res.output
        assert "nearest development" in summary and summary.endswith("ok")
        # QA 42a: the distribution the README speaks of, not only its median (the bands add up to every statement)
        assert "5th/25th/50th/75th/95th percentile" in spread
        assert sum(int(b.rsplit(": ", 1)[1]) for b in spread.split("per band ")[1].split(", ")) == n
    lines = {k: v[0] for k, v in lines.items()}
    lexicon = read_lexicon(tax)
    assert lines["lexicon"].endswith(f"{sum(map(len, lexicon.values()))} terms for {len(lexicon)} sections in "
                                     f"{lexicon_path()}; ok"), res.output
    for which in ("development", "external"):
        assert lines[f"{which} sentences"].endswith("ok") and f"{len(read_outside(tax, which))} in" in lines[
            f"{which} sentences"]


@pytest.mark.parametrize("row, message", [
    ({"section": "9.9"}, "unknown section '9.9'"),
    ({"section": "2.2"}, "section 2.2 has no known title"),
    ({"text": "   "}, "empty text"),
    ({"text": "Twee woorden."}, "2 words"),
    ({"written_from": "quotes"}, "written_from must be"),
    ({"id": "w-4.7-001", "text": "Een andere tekst over opvang voor slachtoffers."}, "id w-4.7-001 repeats row 1"),
    ({"id": "w-4.7-009", "text": "meer OPVANG voor slachtoffers!"}, "same text as row 1"),
    # QA 49a D11: the id is w-<section>-<nnn> (data/synthetic/README.md)
    ({"id": "w-2.16-500", "text": "Een andere tekst over opvang."}, "id 'w-2.16-500' does not fit section 4.7: a "
                                                                      "written statement's id is w-<its section>-<nnn>"),
    ({"id": "w-4.7", "text": "Een andere tekst over opvang."}, "id 'w-4.7' does not fit section 4.7"),
    ({"id": "w-4.70-001", "text": "Een andere tekst over opvang."}, "id 'w-4.70-001' does not fit section 4.7"),
])
def test_a_bad_row_is_refused_naming_the_row(tax, tmp_path, row, message):
    good = {"id": "w-4.7-001", "section": "4.7", "text": "Meer opvang voor slachtoffers.", "written_from": "taxonomy",
            "batch": "test"}
    _second_row_refused(lambda path: read_written(tax, path), tmp_path / "statements.jsonl", good,
                        {**good, "id": "w-4.7-002", **row}, message)


def _second_row_refused(read, path, good: dict, second: dict, message: str) -> None:
    """A file of the good row and then ``second``: ``read`` refuses it, naming row 2 and ``message``."""
    path.write_text(json.dumps(good) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
    with pytest.raises(WrittenSetError, match=f"row 2: {message}"):
        read(path)


def test_train_and_evaluate_refuse_a_written_copy_of_a_quote_or_a_test_sentence(tax, written):
    """QA 42a: `mh-nlp train` learnt from a written set holding an anthology quote verbatim without a word (only
    `corpus check` found it), which puts the answer into training."""
    from mh_nlp.corpus.written import Written
    from mh_nlp.themes.train import check_no_copies

    quote_texts = [q.text for q in load_quotes()]
    check_no_copies(tax, written[:50], [], quote_texts)  # the committed set passes
    quote = load_quotes()[3]
    copy = Written("w-1.1-900", quote.section, quote.text.upper() + "!", "taxonomy", "x", 4659)
    with pytest.raises(WrittenSetError, match=r"statements\.jsonl: w-1\.1-900 \(row 4659\): equal to an anthology quote"):
        check_no_copies(tax, [*written[:50], copy], [], quote_texts)
    outside = read_outside(tax, "external")[0]
    with pytest.raises(WrittenSetError, match="equal to an external test sentence"):
        check_no_copies(tax, [Written("w-1.1-901", outside["section"], outside["text"], "taxonomy", "x", 1)], [],
                        quote_texts)


def test_a_copy_names_the_quote_or_sentence_it_copies(tax):
    """QA 49a D12: "equal to an anthology quote" and "near-copy of an anthology quote (cosine 0.989)" left the
    writer to search for it; given as (id, text), the quote or sentence is named by its id and the start of its
    text."""
    from mh_nlp.corpus.written import Written
    from mh_nlp.themes.written import near_copies

    quotes = [(q.id, q.text) for q in load_quotes()]
    copy = Written("w-1.1-900", "1.1", "minder zicht op zorg/opvang voor criminele uitbuiting", "taxonomy", "x", 7)
    near = Written("w-1.1-901", "1.1", "Minder zicht op zorg en opvang bij criminele uitbuiting.", "taxonomy", "x", 8)
    external = [("ext-x", "Een lange zin van buiten de bundel over arbeidsuitbuiting in de vleessector.")]
    assert copies([copy], quotes, external) == [
        "w-1.1-900 (row 7): equal to an anthology quote p011-L02 'Minder zicht op zorg/opvang voor criminele …'"]
    assert copies([Written("w-1.1-902", "1.1", external[0][1].upper(), "taxonomy", "x", 9)], quotes, external) == [
        "w-1.1-902 (row 9): equal to an external test sentence ext-x 'Een lange zin van buiten de bundel over …'"]
    assert copies([copy], [t for _, t in quotes], []) == ["w-1.1-900 (row 7): equal to an anthology quote"]
    errors, _ = near_copies([near], quotes, external)
    assert errors == ["w-1.1-901 (row 8): near-copy of an anthology quote p011-L02 'Minder zicht op zorg/opvang voor "
                      "criminele …' (cosine 0.989)"]


def test_copies_are_compared_without_case_accents_or_punctuation():
    assert normal_form("Coördinatie: TE weinig!") == normal_form("coordinatie te  weinig")
    assert normal_form("Coör\u00addinatie te wei\u200bnig") == normal_form("coordinatie te weinig")  # QA 42c
    assert normal_form("Coör\u034fdinatie te wei\ufe0fnig\ufe00") == normal_form("coordinatie te weinig")  # QA 42d


# ---------------------------------------------------------------- the written stance statements

def test_stance_statements_are_marked_written_and_come_in_quadruples(tax):
    """data/synthetic/stance.jsonl: every row a written stance statement; each subject written in the four
    stances (a row dropped as a near-copy of a quote may leave a subject with three); no text of the written set
    again, and no copy of a quote, an external or a development sentence."""
    stance = read_stance(tax)
    assert len(stance) >= 2000 and all(t.written_from == "stance" and t.id.startswith("st-") and t.batch for t in stance)
    assert set(Counter(t.chapter for t in stance)) == {1, 2, 3, 4}
    by_subject = Counter((t.batch, t.topic, t.subject) for t in stance)
    assert sum(n == 4 for n in by_subject.values()) >= 0.95 * len(by_subject)
    written = {normal_form(w.text) for w in read_written(tax)}
    assert not [t.id for t in stance if normal_form(t.text) in written]
    assert copies(stance, [q.text for q in load_quotes()], [r["text"] for r in load_external(tax)],
                  [r["text"] for r in read_outside(tax, "development")]) == []


@pytest.mark.parametrize("row, message", [
    ({"topic": "loverboys"}, "unknown topic 'loverboys'"),
    ({"chapter": 5}, "chapter 5 is not one of"),
    ({"chapter": "2"}, "needs the text fields .* and the whole numbers chapter"),
    ({"chapter": True}, "needs the text fields .* and the whole numbers chapter"),
    ({"text": "  "}, "empty text"),
    ({"text": "Opvang."}, "1 words"),
    ({"written_from": "taxonomy"}, "written_from must be stance"),
    ({"id": "st-1", "text": "Steeds vaker mannen in de opvang."}, "id st-1 repeats row 1"),
    ({"id": "st-2", "text": "te WEINIG opvang voor mannen"}, "same text as row 1"),
])
def test_a_bad_stance_row_is_refused_naming_the_row(tax, tmp_path, row, message):
    good = {"id": "st-1", "topic": "capaciteit", "subject": "opvang mannen", "chapter": 2,
            "text": "Te weinig opvang voor mannen.", "written_from": "stance", "batch": "test"}
    _second_row_refused(lambda path: read_stance(tax, path), tmp_path / "stance.jsonl", good,
                        {**good, "id": "st-2", **row}, message)


def test_the_lexicon_is_written_for_every_titled_section_and_marked_written(tax):
    """data/synthetic/lexicon.jsonl: for each titled section one row of each of the two batches its README names
    (round 38 and, taken in round 43, round 39), 40 terms of 1-3 words in each and 80 distinct ones a section, all
    written from the taxonomy."""
    lexicon = read_lexicon(tax)
    assert set(lexicon) == set(titled(tax)) and {len(t) for t in lexicon.values()} == {80}
    assert all(len({t.lower() for t in terms}) == 80 for terms in lexicon.values())
    rows = [json.loads(line) for line in lexicon_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(r["written_from"] == "taxonomy" and len(r["terms"]) == 40 for r in rows)
    first = {r["section"] for r in rows if r["batch"] in {f"2026-12-07-lex{i}" for i in range(1, 5)}}
    second = {r["section"] for r in rows if r["batch"] in {f"2026-12-07-lexb{i}" for i in range(1, 5)}}
    assert first == second == set(titled(tax)) and len(rows) == 2 * len(first)


def test_a_later_lexicon_batch_adds_terms_to_a_section_in_the_order_of_the_file(tax, tmp_path):
    path = tmp_path / "lexicon.jsonl"
    rows = [{"section": "4.7", "terms": ["opvang"], "written_from": "taxonomy", "batch": "a"},
            {"section": "4.8", "terms": ["ontneming"], "written_from": "taxonomy", "batch": "a"},
            {"section": "4.7", "terms": ["beschermde opvang", "Shelter"], "written_from": "taxonomy", "batch": "b"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert read_lexicon(tax, path) == {"4.7": ("opvang", "beschermde opvang", "Shelter"), "4.8": ("ontneming",)}


@pytest.mark.parametrize("row, message", [
    ({"section": "9.9"}, "unknown section '9.9'"),
    ({"section": "2.2"}, "section 2.2 has no known title"),
    ({"section": "4.7"}, "section 4.7 repeats row 1 \\(one row a section and batch\\)"),
    ({"section": "4.7", "batch": "later", "terms": ["Opvang"]}, "term 'Opvang' appears twice \\(also in row 1\\)"),
    ({"terms": []}, "terms must be a non-empty list of texts"),
    ({"terms": "opvang"}, "terms must be a non-empty list of texts"),
    ({"terms": ["opvang", 3]}, "terms must be a non-empty list of texts"),
    ({"terms": ["   "]}, "term '   ' has 0 words"),
    ({"terms": ["opvang voor mannen en vrouwen"]}, "term 'opvang voor mannen en vrouwen' has 5 words"),
    ({"terms": ["opvang", "Opvang"]}, "term 'Opvang' appears twice"),
    ({"written_from": "quotes"}, "written_from must be"),
])
def test_a_bad_lexicon_row_is_refused_naming_the_row(tax, tmp_path, row, message):
    good = {"section": "4.7", "terms": ["opvang", "beschermde opvang"], "written_from": "taxonomy", "batch": "test"}
    _second_row_refused(lambda path: read_lexicon(tax, path), tmp_path / "lexicon.jsonl", good,
                        {**good, "section": "4.8", **row}, message)
