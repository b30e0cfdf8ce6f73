"""The quality gate of the gold corpus (data/quotes.jsonl): traceable, complete, consistent."""
from __future__ import annotations

import hashlib

import pytest

from mh_nlp.corpus.records import QUOTE_PAGES, consistency_errors, load_quotes, load_taxonomy, stats, training_quotes
from mh_nlp.paths import data_dir
from mh_nlp.corpus.trace import check_corpus

MIN_COVERAGE = 0.98


@pytest.fixture(scope="module")
def quotes():
    return load_quotes()


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def reports(quotes, taxonomy):
    return check_corpus(quotes, taxonomy)


def test_raw_seed_files_are_unchanged():
    raw = data_dir() / "raw"
    for line in (raw / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((raw / name).read_bytes()).hexdigest() == digest, name


def test_every_quote_page_has_quotes(quotes):
    pages = {q.page for q in quotes}
    assert pages == set(QUOTE_PAGES)


@pytest.mark.parametrize("page", QUOTE_PAGES)
def test_page_is_traceable_and_complete(reports, page):
    r = reports[page]
    assert r.ok, r.errors
    assert r.coverage >= MIN_COVERAGE, f"page {page}: coverage {r.coverage:.3f}, uncovered " + \
        " ".join(f"{t.text}@{t.line}" for t in r.uncovered)


def test_corpus_is_consistent(quotes, taxonomy):
    assert consistency_errors(quotes, taxonomy) == []


def test_taxonomy_is_complete(taxonomy):
    numbers = {s.number for s in taxonomy.sections.values()}
    for ch, n in {1: 9, 2: 27, 3: 15, 4: 14}.items():
        assert {f"{ch}.{i}" for i in range(1, n + 1)} <= numbers
    assert taxonomy.chapters[2].title_source == "inferred"
    assert all(s.heading is not None for s in taxonomy.sections.values() if s.title_source == "heading")
    # every heading in the text sits on the page the taxonomy says
    assert all(s.heading.page in s.pages for s in taxonomy.sections.values() if s.heading)


def test_several_hundred_quotes_and_pull_quotes_kept_apart(quotes):
    body = training_quotes(quotes)
    assert len(body) >= 300
    assert all(not q.pull_quote for q in body)
    assert any(q.pull_quote for q in quotes)


def test_stats_add_up(quotes, taxonomy):
    st = stats(quotes, taxonomy)
    assert sum(st["per_section"].values()) == st["quotes"] == sum(st["per_chapter"].values())
    # every record is a quote, a pull quote or the second part of a quote run on into the next column
    assert st["quotes"] + st["pull_quotes"] + st["continued"] == len(quotes)
    assert st["pull_quotes"] == sum(q.pull_quote for q in quotes)


def test_a_text_printed_twice_accepts_the_sections_of_both_copies(quotes):
    body = {q.id: q for q in training_quotes(quotes)}
    repeats = [q for q in body.values() if q.repeat_of in body]
    assert repeats
    for q in repeats:
        first = body[q.repeat_of]
        assert set(q.accepted_sections) == set(first.accepted_sections)
        assert q.section not in q.alt_sections and first.section not in first.alt_sections
    # the two texts the anthology prints under two different sections
    assert "1.8" in body["p011-R07"].accepted_sections and "1.2" in body["p015-L02"].accepted_sections
    assert "2.23" in body["p013-R04"].accepted_sections and "1.5" in body["p033-L04"].accepted_sections
    # the records as printed are untouched
    raw = {q.id: q for q in quotes}
    assert raw["p011-R07"].alt_sections == () and raw["p011-R07"].section == body["p011-R07"].section


def test_bad_pages_and_folds_are_one_line_errors():
    """Quotes stand on odd pages only; a page without quotes, or more folds than pages, is a one-line error."""
    from click.testing import CliRunner

    from mh_nlp.cli import main

    res = CliRunner().invoke(main, ["corpus", "check", "--page", "12", "--no-written"])
    assert res.exit_code == 1 and "no quotes on page 12: the quote pages are 11, 13" in res.output, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    res = CliRunner().invoke(main, ["evaluate", "--folds", "25", "--candidate", "majority", "--out", "unused"])
    assert res.exit_code == 1 and "--folds 25: at most 24" in res.output, res.output
    assert CliRunner().invoke(main, ["corpus", "check", "--min-coverage", "1.5"]).exit_code == 2
    res = CliRunner().invoke(main, ["corpus", "check", "--min-coverage", "nan"])
    assert res.exit_code == 2 and "'nan' is not a number" in res.output  # a usage error, as for 1.5


def test_train_says_before_training_when_the_model_cannot_be_written(tmp_path):
    from click.testing import CliRunner

    from mh_nlp.cli import main

    res = CliRunner().invoke(main, ["train", "--model", str(tmp_path / "missing" / "m.npz")])
    assert res.exit_code == 1 and "missing: no such folder for the model" in res.output, res.output
    res = CliRunner().invoke(main, ["train", "--model", "/proc/m.npz"])
    assert res.exit_code == 1 and "/proc: cannot write the model there" in res.output, res.output


@pytest.mark.parametrize("content, expected", [
    (b'{"id": "q1", "text": "Caf\xe9 in Windows-1252"}\n', "cp1252.jsonl:1: not UTF-8 text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "cp1252.jsonl:1: not UTF-8 text"),
    (None, "cp1252.jsonl: cannot read it (No such file or directory)"),
    ("folder", "cp1252.jsonl: a folder, not a quotes file"),
    # QA 38: fields of the wrong type were AttributeError / TypeError tracebacks; an empty file passed `stats`
    (b"", "cp1252.jsonl: no quote records"),
    (b'{"id": "q1", "page": 11, "column": "left", "order": 1, "section": "1.1", "chapter": 1, "text": null, '
     b'"lines": [1, 1]}\n', "cp1252.jsonl:1: malformed quote record ('text' must be text, not null)"),
    (b'{"id": 5, "page": 11, "column": "left", "order": 1, "section": "1.1", "chapter": 1, "text": "Zin.", '
     b'"lines": [1, 1]}\n', "cp1252.jsonl:1: malformed quote record ('id' must be text, not a number)"),
    (b'{"id": "q1", "page": 11, "column": [], "order": 1, "section": [], "chapter": 1, "text": "Zin.", '
     b'"lines": [1, 1]}\n', "cp1252.jsonl:1: malformed quote record ('column' must be text, not a list)"),
    (b'{"id": "q1", "page": 11, "column": "left", "order": 1, "section": "1.1", "chapter": 1, "text": "Zin.", '
     b'"lines": ["a", "b"]}\n', "cp1252.jsonl:1: malformed quote record ('lines' must be the first and last line number"),
    # QA 38 re-test: one line number was an IndexError traceback; 'elf' as page, a missing id, "nee" as pull quote
    (b'{"id": "q1", "page": 11, "column": "left", "order": 1, "section": "1.1", "chapter": 1, "text": "Zin.", '
     b'"lines": [95]}\n', "cp1252.jsonl:1: malformed quote record ('lines' must be the first and last line number"),
    (b'{"id": "q1", "page": "elf", "column": "left", "order": 1, "section": "1.1", "chapter": 1, "text": "Zin.", '
     b'"lines": [1, 1]}\n', "cp1252.jsonl:1: malformed quote record ('page' must be a whole number, not text)"),
    (b'{"page": 11, "column": "left", "order": 1, "section": "1.1", "chapter": 1, "text": "Zin.", "lines": [1, 1]}\n',
     "cp1252.jsonl:1: malformed quote record (missing field 'id')"),
    (b'{"id": "q1", "page": 11, "column": "left", "order": 1, "section": "1.1", "chapter": 1, "text": "Zin.", '
     b'"lines": [1, 1], "pull_quote": "nee"}\n',
     "cp1252.jsonl:1: malformed quote record ('pull_quote' must be true or false, not text)"),
    (b'{"id": "q1", "page": [11], "column": "left", "order": 1, "section": "1.1", "chapter": 1, "text": "Zin.", '
     b'"lines": [1, 1]}\n', "cp1252.jsonl:1: malformed quote record ('page' must be a whole number, not a list)"),
])
def test_a_quotes_file_that_cannot_be_read_is_one_line(tmp_path, content, expected):
    """`corpus stats` / `corpus check --quotes` on a file that is not UTF-8 printed a UnicodeDecodeError
    traceback; a missing file or a folder printed the bare errno text without the file's name first."""
    from click.testing import CliRunner

    from mh_nlp.cli import main

    path = tmp_path / "cp1252.jsonl"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    for args in (["corpus", "stats", "--quotes", str(path)], ["corpus", "check", "--quotes", str(path)]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1 and isinstance(res.exception, SystemExit), (args, res.output, res.exception)
        lines = res.output.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (args, res.output)
