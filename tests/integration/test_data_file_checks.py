"""A team extends the data files (QA 49a): a bad edit of the taxonomy, the entity files or the chapter headings is one
line naming the file and what is wrong in the commands that read them, not a traceback or a message that blames the
model. Each test edits a copy of data/ in a temporary folder (``MH_NLP_DATA``)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mh_nlp.paths import data_dir

ROOT = Path(__file__).resolve().parents[2]


def mh(*args: str, data: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from mh_nlp.cli import main; main(prog_name='mh-nlp')", *args],
                          cwd=ROOT, env={**os.environ, "MH_NLP_DATA": str(data)}, input=stdin, capture_output=True,
                          text=True, timeout=600)


def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    return data


def _one_line_error(res: subprocess.CompletedProcess, *expected: str) -> str:
    err = res.stderr
    assert res.returncode == 1 and "Traceback" not in err, err[-2000:]
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mh-nlp: error: "), err
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def test_a_section_number_written_as_a_number_is_blamed_on_the_taxonomy_not_the_model(tmp_path):
    """QA 49a D3: classify said "unusable model state (AttributeError ...); run `mh-nlp train`", and train ended in
    a traceback."""
    data = _copy(tmp_path)
    raw = json.loads((data / "sections.json").read_text(encoding="utf-8"))
    raw["sections"].append({"number": 2.28, "chapter": 2, "title": "Misbruik van arbeidsmigranten via platformwerk",
                            "title_source": "inferred", "pages": [37]})
    (data / "sections.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    where = f"{data / 'sections.json'}: section 2.28: \"number\" must be text"
    line = _one_line_error(mh("classify", "Er is te weinig opvang voor mannen.", data=data), where)
    assert "model" not in line and "mh-nlp train" not in line
    _one_line_error(mh("train", "--model", str(tmp_path / "m.npz"), data=data), where)
    assert not (tmp_path / "m.npz").exists()
    # the review screen: was "mh-nlp: error: <model file>: ..." as if the model were at fault
    line = _one_line_error(mh("serve", "--port", "0", "--data", str(tmp_path / "screen"), data=data), where)
    assert "theme-model.npz" not in line


def test_the_review_screen_refuses_to_start_on_a_damaged_stance_cues_file(tmp_path):
    """QA 50a N7: ``serve`` said only "model warm-up failed" and answered every classify with a 500 "internal error
    (CorpusError)" and a traceback in its log; classify and label stop with one line naming the file."""
    data = _copy(tmp_path)
    cues = data / "stance_cues.json"
    cues.write_text("\ufeff" + cues.read_text(encoding="utf-8"), encoding="utf-8")  # saved by Notepad
    where = f"{cues}: not a table of stance cues"
    _one_line_error(mh("classify", "Er is te weinig opvang voor mannen.", data=data), where)
    line = _one_line_error(mh("serve", "--port", "0", "--data", str(tmp_path / "screen"), data=data), where)
    assert "warm-up" not in line and not (tmp_path / "screen").exists()



def test_the_review_screen_refuses_to_start_on_a_damaged_entity_file(tmp_path):
    """QA 50b R2: a half record in organisations.jsonl let ``serve`` start with "warm-up failed", and every classify
    was a 500 with a traceback and every upload failed; now one line naming the file and its line, as classify."""
    data = _copy(tmp_path)
    orgs = data / "entities" / "organisations.jsonl"
    n = len(orgs.read_text(encoding="utf-8").splitlines())
    with open(orgs, "a", encoding="utf-8") as fh:
        fh.write('{"id": "half", "label": "ORG", "na\n')
    where = f"{orgs}:{n + 1}"
    _one_line_error(mh("classify", "Er is te weinig opvang voor mannen.", data=data), where)
    line = _one_line_error(mh("serve", "--port", "0", "--data", str(tmp_path / "screen"), data=data), where)
    assert "warm-up" not in line and not (tmp_path / "screen").exists()


@pytest.mark.parametrize("extra, expected", [
    ({"id": "leu", "label": "ORG", "name": "Iets anders", "source": "domain",
      "aliases": [{"text": "XYZ", "case": "exact"}]}, "id 'leu' is already the id of the record at line {leu}"),
    ({"id": "nieuw", "label": "ORG", "name": "Stichting Nieuw", "source": "domain",
      "aliases": [{"pattern": [{"FOO": "x"}]}]}, "is not a spaCy token pattern"),
])
def test_classify_refuses_a_bad_entity_record_naming_file_and_line(tmp_path, extra, expected):
    """QA 49a D5, D9: a second "leu" merged two organisations without a word; a bad token pattern was spaCy's
    "Invalid token patterns for matcher rule ..." without file or line."""
    data = _copy(tmp_path)
    leu = {"id": "leu", "label": "ORG", "name": "Landelijk Expertisecentrum Uitbuiting", "source": "domain",
           "aliases": [{"text": "LEU", "case": "exact"}]}
    path = data / "entities" / "organisations.jsonl"
    n = len(path.read_text(encoding="utf-8").splitlines())  # the list grows: the two records go after its last line
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(leu) + "\n" + json.dumps(extra) + "\n")
    line = _one_line_error(mh("classify", "Het LEU en de XYZ werken samen met de NLA.", data=data),
                           f"{path}:{n + 2}: ", expected.format(leu=n + 1))
    assert "Invalid token patterns" not in line and "mh-nlp train" not in line


def test_a_heading_phrase_under_two_chapters_is_refused_not_turned_off(tmp_path):
    """QA 49a D10: "Ambities" under chapter 2 as well made `## Ambities` "name no chapter"; a key "5" was "evidence
    for chapter 5", which does nothing."""
    data = _copy(tmp_path)
    path = data / "chapter_headings.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    for change, expected in ((lambda d: d["2"].append("Ambities"), "the phrase 'ambities' is under chapter 2"),
                             (lambda d: d.update({"5": ["Overig"]}), "chapter 5 is not one of the taxonomy's chapters")):
        edited = json.loads(json.dumps(raw))
        change(edited)
        path.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
        _one_line_error(mh("classify", data=data, stdin="## Ambities\nMeer opvang voor slachtoffers.\n"),
                        f"{path}: ", expected)
