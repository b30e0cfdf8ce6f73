"""QA 49a D6 and D4 on the review screen: version 1 is recorded by the path of the default model; when `mh-nlp
train` replaces that file, the next start registers the new model as a version of its own (with its own date) and
keeps the old one on record as a model no longer on disk, instead of calling the new model v1 with the old date.
And `serve` says once at start that the model in use was trained on other data than the data folder holds."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from mh_nlp.themes.store import default_model_path, load_arrays, save_model

NEW_DATE = "2026-12-08T09:00:00+00:00"


def default_model_copy(folder: Path) -> Path:
    """The default model copied to ``folder`` under its own name (its metadata names it)."""
    folder.mkdir(parents=True, exist_ok=True)
    src = default_model_path()
    shutil.copyfile(src, folder / src.name)
    shutil.copyfile(src.with_suffix(".json"), folder / src.with_suffix(".json").name)
    return folder / src.name


def replace_with_another_model(path: Path) -> dict:
    """Another model at ``path``, as a retraining leaves it: other numbers, another date, another SHA-256."""
    arrays, state, meta = load_arrays(path)
    meta = {k: v for k, v in meta.items() if k != "model_sha256"}
    return save_model(arrays, {**state, "temperature": state["temperature"] * 1.01}, path,
                      {**meta, "trained_at": NEW_DATE})


def test_a_model_file_replaced_on_disk_is_a_new_version_and_the_old_one_is_kept_on_record(tmp_path, make_app,
                                                                                          paste_notes):
    path = default_model_copy(tmp_path / "models")
    first = json.loads(path.with_suffix(".json").read_text())
    app = make_app(model_path=path)
    assert app.state.model_notes == []
    with TestClient(app) as c:
        m = c.get("/api/models").json()
        assert m["in_use"] == 1 and [v["created_at"] for v in m["versions"]] == [first["trained_at"]]
    new = replace_with_another_model(path)
    assert new["model_sha256"] != first["model_sha256"]

    again = make_app(model_path=path)  # the next start
    assert len(again.state.model_notes) == 1
    assert re.fullmatch(rf"{re.escape(str(path.resolve()))} holds another model than version 1 \(trained "
                        rf"{re.escape(first['trained_at'])}\): it is version 2 \(trained {re.escape(NEW_DATE)}\), now "
                        r"in use; version 1 is kept on record as a model no longer on disk", again.state.model_notes[0])
    with TestClient(again) as c:
        m = c.get("/api/models").json()
        assert m["in_use"] == 2
        v1, v2 = m["versions"]
        assert (v1["created_at"], v1["replaced_by"], v1["offered"], v1["way_back"]) == (first["trained_at"], 2, False,
                                                                                         False)
        assert v1["not_offered"].startswith(f"is no longer on disk: its file {path.resolve()} was replaced by another "
                                            "model, v2")
        assert (v2["version"], v2["created_at"], v2["replaces"], v2["offered"]) == (2, NEW_DATE, 1, True)
        assert v2["path"] == v1["path"] == str(path.resolve())
        assert c.post("/api/models/1/use").status_code == 409  # the file holds v2 now: v1 cannot be loaded from it
        page = c.get("/models").text
        assert "the model that replaced v1's file on disk" in page and "its file now holds v2" in page
        docs = paste_notes(again, c, ["na.txt"])  # statements labelled now carry the new model's version
        rows = c.get(f"/api/statements?document={docs['na.txt']['id']}").json()["statements"]
        assert rows and {r["model_version"] for r in rows if r["kind"] == "statement"} == {2}

    same = make_app(model_path=path)  # nothing changed since: nothing to do
    assert same.state.model_notes == [] and len(same.state.store.model_versions()) == 2

    shutil.copyfile(default_model_path(), path)  # the first model put back: its own version again
    shutil.copyfile(default_model_path().with_suffix(".json"), path.with_suffix(".json"))
    back = make_app(model_path=path)
    assert back.state.model_notes and "it is version 1" in back.state.model_notes[0]
    with TestClient(back) as c:
        m = c.get("/api/models").json()
        assert m["in_use"] == 1 and [v["replaced_by"] for v in m["versions"]] == [None, 1]


def test_a_model_file_replaced_while_the_screen_runs_is_a_new_version_before_it_labels(tmp_path, make_app,
                                                                                     paste_notes):
    path = default_model_copy(tmp_path / "models")
    app = make_app(model_path=path)
    with TestClient(app) as c:
        paste_notes(app, c, ["voor.txt"])  # labelled by v1, the model loaded
        replace_with_another_model(path)
        docs = paste_notes(app, c, ["na.txt"])
        versions = {d: {r["model_version"] for r in c.get(f"/api/statements?document={docs[d]['id']}").json()[
            "statements"] if r["kind"] == "statement"} for d in docs}
        assert versions == {"voor.txt": {1}, "na.txt": {2}}
        m = c.get("/api/models").json()
        assert m["in_use"] == 2 and [v["replaced_by"] for v in m["versions"]] == [2, None]


def serve_start(data: Path, model: Path, env: dict) -> list[str]:
    """The lines `mh-nlp serve` prints until its address (warnings come before it), then Ctrl-C."""
    proc = subprocess.Popen([sys.executable, "-c", "from mh_nlp.cli import main; main()", "serve", "--port", "0",
                             "--data", str(data), "--model", str(model)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1", **env})
    lines = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            lines.append(line.rstrip("\n"))
            if "mh-nlp review screen: http" in line:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    assert any("mh-nlp review screen: http" in x for x in lines), lines
    return lines


def test_serve_says_at_start_that_the_model_changed_on_disk_and_that_it_is_out_of_date_with_the_data(tmp_path):
    from mh_nlp.paths import data_dir

    path = default_model_copy(tmp_path / "models")
    folder = tmp_path / "screen"
    lines = serve_start(folder, path, {})
    assert not [x for x in lines if "warning" in x], lines  # the data it was trained on: nothing to say
    replace_with_another_model(path)
    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    with open(data / "synthetic" / "statements.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "w-2.16-500", "section": "2.16", "written_from": "taxonomy", "batch": "qa",
                             "text": "Voor mannelijke slachtoffers is er nauwelijks een bed te vinden."}) + "\n")
    lines = serve_start(folder, path, {"MH_NLP_DATA": str(data)})
    warnings = [x for x in lines if x.startswith("mh-nlp: warning:")]
    assert len(warnings) == 2, lines
    assert "holds another model than version 1" in warnings[0] and "it is version 2" in warnings[0]
    assert warnings[1] == (f"mh-nlp: warning: model version 2: {path.resolve()}: the model was trained on other "
                           f"data: {data / 'synthetic' / 'statements.jsonl'} changed since; run `mh-nlp train --model "
                           f"{path.resolve()} --force`")
