"""The taxonomy (``data/sections.json``) is checked when it is read (QA 49a D2, D3, D9): every bad edit is one line
naming the file and the section, in every command that reads it, and ``corpus check`` reports it as a failed check.
Each test edits a copy of the taxonomy in a temporary folder, never the real file."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.corpus.records import (UNTITLED, load_taxonomy, read_taxonomy_file, section_key, taxonomy_problems)
from mh_nlp.exceptions import CorpusError
from mh_nlp.paths import data_dir

NEW = {"number": "2.28", "chapter": 2, "title": "Misbruik van arbeidsmigranten via platformwerk",
       "title_source": "inferred", "pages": [37]}


@pytest.fixture(scope="module")
def real() -> dict:
    return json.loads((data_dir() / "sections.json").read_text(encoding="utf-8"))


def _with(real: dict, section: dict | None = None, change=None) -> dict:
    raw = copy.deepcopy(real)
    if section is not None:
        raw["sections"].append(section)
    if change is not None:
        change(raw)
    return raw


def _write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "sections.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_real_taxonomy_loads_unchanged_with_its_untitled_sections(real):
    assert taxonomy_problems(real) == []
    tax = load_taxonomy()
    assert len(tax.sections) == 65 and sorted(tax.chapters) == [1, 2, 3, 4]
    untitled = [s for s in tax.sections.values() if s.title.startswith("Onbekend")]
    assert len(untitled) == 13 and all(s.title_source == "inferred" for s in untitled)  # documented, and valid
    assert UNTITLED.startswith("Onbekend (kop op ontbrekende pagina")


def _drop(key):
    def change(raw):
        del raw["sections"][-1][key]
    return change


def _set_last(key, value):
    def change(raw):
        raw["sections"][-1][key] = value
    return change


@pytest.mark.parametrize("section, change, expected", [
    # D3: a JSON number, not text
    ({**NEW, "number": 2.28}, None, 'section 2.28: "number" must be text such as "2.28" (in quotes), not a number'),
    # D9: no file named, no section named
    ({**NEW, "number": "2.x"}, None, 'section 2.x: "number" must be <chapter>.<n> in whole numbers, such as "2.28"'),
    ({**NEW, "number": "2.028"}, None, 'section 2.028: "number" must be <chapter>.<n>'),
    (None, _drop("title"), "section 4.14 has no title: write its \"title\" (or \"Onbekend (kop op ontbrekende pagina N)\""),
    # D2: each passed stats, check and train
    ({**NEW, "number": "2.16"}, None, 'section 2.16 appears twice in "sections" (no. 25, "Gebrek aan middelen en '
                                      'capaciteit" and no. 66, "Misbruik van arbeidsmigranten via platformwerk")'),
    ({**NEW, "number": "5.1", "chapter": 5}, None, "section 5.1: chapter 5 is not one of the taxonomy's chapters "
                                                   "(1, 2, 3, 4)"),
    ({**NEW, "chapter": 3}, None, 'section 2.28: the number says chapter 2, "chapter" says 3: make them agree'),
    ({**NEW, "title": ""}, None, "section 2.28 has no title"),
    ({**NEW, "title": "   "}, None, "section 2.28 has no title"),
    ({**NEW, "chapter": "2"}, None, 'section 2.28: "chapter" must be a whole number such as 2, not text "2"'),
    ({**NEW, "chapter": 2.0}, None, 'section 2.28: "chapter" must be a whole number such as 2'),
    ({**NEW, "title_source": "guessed"}, None, 'section 2.28: "title_source" must be one of toc, heading, inferred'),
    ({**NEW, "pages": "37"}, None, 'section 2.28: "pages" must be a list of page numbers'),
    (None, _set_last("title", 5), 'section 4.14: "title" must be text, not a number'),
    ({k: v for k, v in NEW.items() if k != "number"}, None, 'section no. 66 of "sections" has no "number"'),
    (None, lambda raw: raw["chapters"].append({"number": 4, "title": "x", "title_source": "toc", "pages": [1, 2]}),
     'chapter 4 appears twice in "chapters"'),
])
def test_a_bad_edit_is_one_line_naming_the_file_and_the_section(real, tmp_path, section, change, expected):
    path = _write(tmp_path, _with(real, section, change))
    with pytest.raises(CorpusError) as err:
        load_taxonomy(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert "\n" not in message and "malformed taxonomy ('" not in message


def test_load_names_the_first_problem_and_how_many_more_there_are(real, tmp_path):
    path = _write(tmp_path, _with(real, {**NEW, "chapter": 3, "title": ""}))
    with pytest.raises(CorpusError, match=r"says 3: .* \(and 1 more: `mh-nlp corpus check` lists them\)$"):
        load_taxonomy(path)
    _, problems = read_taxonomy_file(path)
    assert len(problems) == 2 and all(p.startswith(f"{path}: section 2.28") for p in problems)


def test_a_taxonomy_that_is_no_json_or_no_object_is_one_line(tmp_path):
    path = tmp_path / "sections.json"
    for content, expected in (("{broken", "malformed taxonomy, not JSON (JSONDecodeError"),
                              ("[]", 'a JSON object with "chapters" and "sections", not a list'),
                              ('{"chapters": []}', '"chapters" must be a non-empty list of objects')):
        path.write_text(content, encoding="utf-8")
        with pytest.raises(CorpusError, match=expected.replace("(", r"\(")):
            load_taxonomy(path)


def test_section_key_of_a_number_that_is_no_text_is_a_corpus_error():
    with pytest.raises(CorpusError, match='text such as "2.28"'):
        section_key(2.28)
    with pytest.raises(CorpusError, match="malformed section number '2.x'"):
        section_key("2.x")


@pytest.fixture
def broken_data(real, tmp_path, monkeypatch):
    """A copy of data/ whose taxonomy has a section number written as a JSON number (QA 49a D3)."""
    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    _write(data, _with(real, {**NEW, "number": 2.28}))
    monkeypatch.setenv("MH_NLP_DATA", str(data))
    return data


@pytest.mark.parametrize("args", [["corpus", "stats", "--no-coverage"], ["corpus", "stats"]])
def test_corpus_stats_refuses_a_broken_taxonomy_in_one_line(broken_data, args):
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), (res.output, res.exception)
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mh-nlp: error: {broken_data / 'sections.json'}: section 2.28:")


def test_corpus_check_reports_a_broken_taxonomy_as_a_failed_check(broken_data):
    """QA 49a D3: `corpus check --no-written` passed it (exit 0), `corpus check` ended in a traceback."""
    for args in (["corpus", "check", "--no-written", "--page", "11"], ["corpus", "check", "--page", "11"]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1 and isinstance(res.exception, SystemExit), (res.output, res.exception)
        assert f"taxonomy: {broken_data / 'sections.json'}: section 2.28: \"number\" must be text" in res.output
        assert "taxonomy: 1 problem in" in res.output and "FAILED" in res.output
        assert "Traceback" not in res.output


def test_corpus_check_lists_every_problem_of_the_taxonomy(real, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    _write(data, _with(real, {**NEW, "number": "2.16", "chapter": 3},
                       lambda raw: raw["sections"].append({**NEW, "number": "5.1", "chapter": 5})))
    monkeypatch.setenv("MH_NLP_DATA", str(data))
    res = CliRunner().invoke(main, ["corpus", "check", "--no-written", "--page", "11"])
    assert res.exit_code == 1
    assert "section 2.16 appears twice" in res.output and "section 5.1: chapter 5 is not one" in res.output
    assert "taxonomy: 2 problems in" in res.output


def test_corpus_check_says_the_real_taxonomy_is_ok():
    res = CliRunner().invoke(main, ["corpus", "check", "--no-written", "--page", "11"])
    assert res.exit_code == 0, res.output
    assert "taxonomy: 4 chapters, 65 sections in" in res.output and "sections.json; ok" in res.output
