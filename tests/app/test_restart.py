"""Jobs that survive the server: ``kill -9`` during labelling and during training, then a restart on the same
data directory. A real ``mh-nlp serve`` with the default model and an empty embedding cache."""
from __future__ import annotations

import signal
import sqlite3
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from mh_nlp.themes.store import default_model_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_fairness import notes  # noqa: E402
from test_security import Server  # noqa: E402

pytestmark = pytest.mark.skipif(not default_model_path().exists(),
                                reason="no trained model (run `make setup` or `mh-nlp train`)")


def start(data: Path) -> Server:
    s = Server(data, "--model", str(default_model_path()))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and s.json("GET", "/api/models")[0] != 200:
        time.sleep(0.5)
    return s


def wait_for(s: Server, test, timeout: float = 180, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        docs = s.json("GET", "/api/documents")[1]["documents"]
        if docs and test(docs[0]):
            return docs[0]
        time.sleep(every)
    pytest.fail(f"waited {timeout} s: {docs}")


def labelling(data: Path, texts: list[str]) -> Server:
    """A server on ``data`` labelling ``texts`` pasted as one document, once some but not all are stored."""
    s = start(data)
    cookie, token = s.csrf()
    status, _, _ = s.request("POST", "/paste", urlencode({"text": "\n\n".join(texts), "name": "lang", "csrf": token}),
                             {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    assert status == 303
    wait_for(s, lambda d: 0 < d["done"] < d["total"])
    return s


def test_labelling_killed_with_the_server_resumes_where_it_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("MH_NLP_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    texts = notes(150, 200, seed=30)
    s = labelling(data, texts)
    s.proc.kill()  # kill -9: no shutdown at all
    s.proc.wait(10)
    db = sqlite3.connect(data / "mh-nlp.sqlite")
    stored = db.execute("SELECT count(*) FROM statements").fetchone()[0]
    db.close()
    assert 0 < stored < len(texts)
    s = start(data)
    try:
        doc = wait_for(s, lambda d: d["status"] in ("done", "failed"))
        assert doc["status"] == "done" and doc["done"] == doc["total"] == doc["statements"] == len(texts)
        rows = s.json("GET", f"/api/statements?document={doc['id']}")[1]["statements"]
        assert [r["text"] for r in rows] == texts  # each once, in order: the first ones were not labelled again
        assert all(r["section"] for r in rows)
    finally:
        s.stop()


def test_ctrl_c_during_labelling_stops_at_once_and_the_restart_resumes(tmp_path, monkeypatch):
    """Ctrl-C said 'stopped' and closed the port, but the process labelled on to the end of the document (Python
    waits for the labelling thread at exit), and a second Ctrl-C ended it with a traceback."""
    monkeypatch.setenv("MH_NLP_CACHE", str(tmp_path / "cache"))  # an empty cache: labelling takes a while
    data = tmp_path / "data"
    texts = notes(400, 200, seed=31)
    s = labelling(data, texts)
    s.proc.send_signal(signal.SIGINT)
    assert s.proc.wait(20) == 0  # a slice at most, not the rest of 400 statements
    out = s.proc.stdout.read() if s.proc.stdout else ""
    assert "Traceback" not in (out or "")
    db = sqlite3.connect(data / "mh-nlp.sqlite")
    stored, status = db.execute("SELECT (SELECT count(*) FROM statements), status FROM documents").fetchone()
    db.close()
    assert 0 < stored < len(texts) and status == "labelling"
    s = start(data)
    try:
        doc = wait_for(s, lambda d: d["status"] in ("done", "failed"))
        assert doc["status"] == "done" and doc["done"] == doc["total"] == len(texts)
        rows = s.json("GET", f"/api/statements?document={doc['id']}")[1]["statements"]
        assert [r["text"] for r in rows] == texts
    finally:
        s.stop()


def test_training_killed_with_the_server_is_shown_as_interrupted(tmp_path, monkeypatch):
    monkeypatch.setenv("MH_NLP_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    s = start(data)
    for text, section in (("Er is te weinig opvang voor mannen.", "2.6"), ("Meer voorlichting op scholen.", "3.1")):
        assert s.json("POST", "/api/corrections", {"text": text, "section": section})[0] == 201
    assert s.json("POST", "/api/train")[0] == 202
    time.sleep(1)
    assert s.json("GET", "/api/train")[1]["state"] == "running"
    s.proc.kill()
    s.proc.wait(10)
    s = start(data)
    try:
        status = s.json("GET", "/api/train")[1]
        assert status["state"] == "interrupted" and "interrupted" in status["message"]
        assert b"interrupted when the server stopped" in s.request("GET", "/models")[2]
        assert s.json("POST", "/api/train")[0] == 202  # and it can be trained again
    finally:
        s.stop()


def test_a_data_folder_that_cannot_be_made_is_said_as_such(tmp_path):
    """QA 43b: `serve --data ro/sub` said "cannot open the data folder to lock it (No such file or directory)"."""
    import pytest

    from mh_nlp.app.db import FolderInUse, lock_data_folder

    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(FolderInUse, match="cannot make the data folder .*a-file/sub .*choose another folder"):
        lock_data_folder(tmp_path / "a-file" / "sub")
