"""``data/chapter_headings.json`` is checked when it is read (QA 49a D10): its keys are the taxonomy's chapters, and
a phrase (normalised as headings are) stands under one chapter only. Each test edits a copy in a temporary folder."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.exceptions import CorpusError
from mh_nlp.paths import data_dir
from mh_nlp.themes.headings import chapter_headings_problems, heading_chapter, load_chapter_headings


@pytest.fixture(scope="module")
def real() -> dict:
    return json.loads((data_dir() / "chapter_headings.json").read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict) -> str:
    path = tmp_path / "chapter_headings.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_the_real_table_passes_unchanged(real):
    assert chapter_headings_problems(real, load_taxonomy().chapters) == []
    assert sorted(load_chapter_headings()) == [1, 2, 3, 4]


@pytest.mark.parametrize("change, expected", [
    # a key "5" was "evidence for chapter 5", which does nothing
    (lambda d: d.update({"5": ["Overig"]}), 'key "5": chapter 5 is not one of the taxonomy\'s chapters (1, 2, 3, 4)'),
    (lambda d: d.update({"twee": ["Overig"]}), "key 'twee' is not a chapter number"),
    (lambda d: d.update({"02": ["Overig"]}), "key '02' is not a chapter number"),
    # "Ambities" under chapter 2 too turned the standard "## Ambities" off ("names no chapter")
    (lambda d: d["2"].append("Ambities"), "the phrase 'ambities' is under chapter 2 (written 'Ambities') and chapter 4"),
    (lambda d: d["3"].append("4. Wensen!"), "the phrase 'wensen' is under chapter 3 (written '4. Wensen!') and chapter 4"),
    (lambda d: d["1"].append("Knelpunten"), "the phrase 'knelpunten' is under chapter 1 (written 'Knelpunten') and "
                                            "chapter 2"),
    (lambda d: d.update({"3": "wat werkt"}), "chapter 3: the phrases must be a list of text"),
    (lambda d: d["4"].append("!!"), "chapter 4: the phrase '!!' has no words"),
])
def test_a_bad_edit_is_one_line_naming_the_file(real, tmp_path, change, expected):
    raw = json.loads(json.dumps(real))
    change(raw)
    path = _write(tmp_path, raw)
    with pytest.raises(CorpusError) as err:
        load_chapter_headings(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message, message
    with pytest.raises(CorpusError):
        heading_chapter("Ambities", path)


def test_the_same_phrase_twice_under_one_chapter_is_harmless(real, tmp_path):
    raw = json.loads(json.dumps(real))
    raw["4"].append("Ambities")
    assert heading_chapter("## Ambities", _write(tmp_path, raw)) == 4


def test_a_damaged_table_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "chapter_headings.json"
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"chapter_headings.json: not a chapter -> heading phrases table"):
        load_chapter_headings(str(path))
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"chapter_headings.json: the table is a JSON object of chapter"):
        load_chapter_headings(str(path))


def test_corpus_check_checks_the_chapter_headings(real, tmp_path, monkeypatch):
    res = CliRunner().invoke(main, ["corpus", "check", "--no-written", "--page", "11"])
    assert res.exit_code == 0 and "chapter headings: 86 phrases for chapters 1, 2, 3, 4 in" in res.output, res.output
    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    raw = json.loads(json.dumps(real))
    raw["2"].append("Ambities")
    raw["5"] = ["Overig"]
    _write(data, raw)
    monkeypatch.setenv("MH_NLP_DATA", str(data))
    res = CliRunner().invoke(main, ["corpus", "check", "--no-written", "--page", "11"])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), (res.output, res.exception)
    assert f"chapter headings: {data / 'chapter_headings.json'}: the phrase 'ambities' is under chapter 2" in res.output
    assert "key \"5\": chapter 5 is not one" in res.output and "chapter headings: 2 problems in" in res.output
