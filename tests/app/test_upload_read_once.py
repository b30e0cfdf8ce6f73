"""An upload is read once (QA 49c N1): the check that counts its statements before it is stored reads the whole file,
and the labeller used to read it again, so a PDF that takes minutes to read held the screen twice as long. The
statements the check read, and what the reader said of the file, are what the labeller labels."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mh_nlp.io import readers

JSON = {"Accept": "application/json"}
NOTE = ("# Opvang\n\nEr is te weinig opvang voor mannelijke slachtoffers.\n\n42\n\n"
        "De NLA en de AVIM werken goed samen bij controles.\n")


@pytest.fixture
def reads(monkeypatch):
    """The names of the files read_statements read (by the screen's check and its labeller alike), in order."""
    seen: list[str] = []
    plain = readers._statements_of

    def counted(path, **kw):
        seen.append(path.suffix)
        yield from plain(path, **kw)

    monkeypatch.setattr(readers, "_statements_of", counted)
    return seen


def _statements(c, doc: int) -> list[tuple[str, str | None]]:
    return [(s["text"], s["section"]) for s in c.get(f"/api/statements?document={doc}").json()["statements"]]


def test_an_uploaded_file_a_paste_and_a_table_are_each_read_once(make_app, csrf, reads):
    app = make_app()
    with TestClient(app) as c:
        r = c.post("/upload", files={"file": ("overleg.md", NOTE.encode())}, data={"csrf": csrf(c)},
                   headers=JSON, follow_redirects=False)
        assert r.status_code == 303, r.text
        app.state.labeller.wait(120)
        assert reads == [".md"]  # the check's reading; the labeller took its statements
        doc = c.get("/api/documents").json()["documents"][0]
        assert doc["status"] == "done" and doc["total"] == 3, doc
        assert any("no words" in w for w in doc["warnings"]), doc  # what the reader said reaches the table
        texts = [t for t, _ in _statements(c, doc["id"])]
        assert texts == [st.text for st in readers.read_statements(_md(c, app, doc["id"]))]
        reads.clear()
        r = c.post("/paste", data={"csrf": csrf(c), "text": NOTE, "name": "<b>ronde</b> tafel"},
                   follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        assert reads == [".txt"]
        pasted = c.get("/api/documents").json()["documents"][-1]
        assert pasted["status"] == "done" and pasted["total"] == 3
        reads.clear()
        table = "id,tekst\n1,Er is te weinig opvang.\n2,Meer voorlichting op scholen is nodig.\n"
        r = c.post("/upload", files={"file": ("enquete.csv", table.encode())}, data={"csrf": csrf(c)},
                   headers=JSON, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/column")
        assert reads == []  # a table is counted once its column is chosen
        r = c.post(r.headers["location"], data={"csrf": csrf(c), "column": "tekst"}, headers=JSON,
                   follow_redirects=False)
        assert r.status_code == 303, r.text
        app.state.labeller.wait(120)
        assert reads == [".csv"]
        table_doc = c.get("/api/documents").json()["documents"][-1]
        assert table_doc["status"] == "done" and table_doc["total"] == 2
        assert [t for t, _ in _statements(c, table_doc["id"])] == ["Er is te weinig opvang.",
                                                                  "Meer voorlichting op scholen is nodig."]


def _md(c, app, doc_id: int):
    from pathlib import Path

    return next((Path(app.state.store.path).parent / "uploads").glob(f"{doc_id}.md"))
