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


def test_a_pdf_whose_pages_take_longer_than_the_limit_to_read_is_refused_and_a_quick_one_is_not(make_app, csrf,
                                                                                                  tmp_path):
    """QA 49c N1: a PDF within the content budget (48 pages of 1 MB of drawing instructions each) held the upload
    check, and so every other upload, for 200 s. The check reads a PDF's pages for at most --max-read-seconds
    (default 60): a slower one is a 413 that names the page it stopped before, and nothing is stored. Here the limit
    is a microsecond, so the first page is already too late; with the default the same file is read and labelled."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from pdf_samples import pdf

    data = pdf(tmp_path / "zwaar.pdf", [["Er is te weinig opvang voor mannelijke slachtoffers."],
                                        ["De NLA controleert vaker in de land- en tuinbouw."]]).read_bytes()
    app = make_app(max_read_seconds=1e-6)
    with TestClient(app) as c:
        r = c.post("/upload", files={"file": ("zwaar.pdf", data)}, data={"csrf": csrf(c)}, headers=JSON,
                   follow_redirects=False)
        assert r.status_code == 413, r.text
        assert r.json()["error"].startswith("zwaar.pdf: its pages take more than 0 s to read (stopped before page 1 "
                                            "of 2: heavy drawing content); label it with `mh-nlp label`, or raise "
                                            "the limit with --max-read-seconds")
        assert c.get("/api/documents").json()["documents"] == []
        assert [p.name for p in (Path(app.state.store.path).parent / "uploads").iterdir()] == []
    app = make_app(data_dir=tmp_path / "other")  # the default limit, 60 s
    with TestClient(app) as c:
        r = c.post("/upload", files={"file": ("zwaar.pdf", data)}, data={"csrf": csrf(c)}, headers=JSON,
                   follow_redirects=False)
        assert r.status_code == 303, r.text
        app.state.labeller.wait(120)
        doc = c.get("/api/documents").json()["documents"][0]
        assert doc["status"] == "done" and doc["total"] == 2, doc


def test_mh_nlp_label_reads_a_slow_pdf_without_a_time_limit(tmp_path):
    """The limit is the review screen's (its check holds other uploads); ``read_statements`` outside it has none."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from pdf_samples import pdf

    path = pdf(tmp_path / "zwaar.pdf", [["Er is te weinig opvang."], ["De NLA controleert vaker."]])
    with readers.read_time_limit(None):
        assert [s.text for s in readers.read_statements(path)] == ["Er is te weinig opvang.",
                                                                   "De NLA controleert vaker."]
    with readers.read_time_limit(1e-6), pytest.raises(readers.TooBig, match="stopped before page 1 of 2"):
        list(readers.read_statements(path))
