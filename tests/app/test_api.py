"""The review screen's JSON API and database, as a script or a second browser tab uses them."""
from __future__ import annotations

import json
import re
import sqlite3
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mh_nlp.app import db as appdb
from mh_nlp.app.server import WHO_COOKIE, create_app, default_data_dir, highlight, is_loopback, private_path

from mh_nlp.themes.store import default_model_path

needs_model = pytest.mark.skipif(not default_model_path().exists(),
                                 reason="no trained model (run `make setup` or `mh-nlp train`)")

REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- sections, corrections, bad input

def test_sections_lists_all_65_with_chapters(client):
    r = client.get("/api/sections")
    assert r.status_code == 200
    data = r.json()
    assert len(data["sections"]) == 65 and {c["chapter"] for c in data["chapters"]} == {1, 2, 3, 4}
    s47 = next(s for s in data["sections"] if s["section"] == "4.7")
    assert s47["titled"] and s47["chapter"] == 4 and s47["title"]


def test_correction_is_stored_and_listed(client):
    r = client.post("/api/corrections", json={"text": "Er is te weinig opvang voor mannen.", "section": "2.6"})
    assert r.status_code == 201
    assert r.json()["section"] == "2.6" and r.json()["who"] == "analyst"
    listed = client.get("/api/corrections").json()["corrections"]
    assert [(c["text"], c["section"]) for c in listed] == [("Er is te weinig opvang voor mannen.", "2.6")]
    assert listed[0]["section_title"]


@pytest.mark.parametrize("body, fragment", [
    ({"text": "iets", "section": "9.9"}, "unknown section"),
    ({"text": "iets", "section": 4.7}, "section must be"),
    ({"text": "   ", "section": "4.7"}, "text must be"),
    ({"text": 12, "section": "4.7"}, "text must be"),
    ({"section": "4.7"}, "text must be"),
    (["text", "section"], "expected"),
    ({"text": "iets", "section": "1.6"}, "no known title"),  # a section without a title in the anthology
    ({"text": "x" * 10_001, "section": "4.7"}, "longer than"),
    ({"text": '=HYPERLINK("http://x","y")', "section": "2.16"}, "spreadsheet formula"),  # QA 47a D2, as train --add
    ({"text": "=cmd|' /C calc'!A0", "section": "2.16"}, "spreadsheet formula"),
])
def test_bad_corrections_are_4xx_json(client, body, fragment):
    r = client.post("/api/corrections", json=body)
    assert r.status_code == 400, r.text
    assert fragment in r.json()["error"]


@pytest.mark.parametrize("raw", [b"not json", b"", b"\xff\xfe"])
def test_body_that_is_not_json_is_400(client, raw):
    for url in ("/api/corrections", "/api/classify"):
        r = client.post(url, content=raw, headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and "JSON" in r.json()["error"]


@pytest.mark.parametrize("body", [{}, {"texts": "one text"}, {"texts": []}, {"texts": [1, 2]}, {"texts": ["", "?!"]},
                                  {"texts": ["12345"]}, [1]])  # too many texts: a 413 (below)
def test_bad_classify_input_is_400(client, body):
    r = client.post("/api/classify", json=body)
    assert r.status_code == 400 and r.json()["error"]


def test_unknown_things_are_404_json(client):
    assert client.post("/api/statements/999/decision", json={"section": "4.7"}).status_code == 404
    assert client.get("/api/documents/5").json() == {"error": "no document 5"}
    assert client.get("/nope").status_code == 404 and "error" in client.get("/nope").json()
    assert client.post("/api/models/42/use").status_code == 404
    r = client.get("/api/statements?document=abc")
    assert r.status_code == 400 and "error" in r.json()


def test_training_needs_two_reviewed_statements(client):
    r = client.post("/api/train")
    assert r.status_code == 400 and "at least 2" in r.json()["error"]


def test_a_file_name_of_thousands_of_characters_gets_a_clear_400(make_app, csrf):
    """QA 38: it was a 400 "malformed form (HTTPException)" (the multipart parser's 4 KB limit on a part header)."""
    with TestClient(make_app()) as c:
        r = c.post("/upload", files={"file": ("a" * 5000 + ".txt", b"Meer opvang.")}, data={"csrf": csrf(c)})
        assert r.status_code == 400 and r.json()["error"].startswith("the form could not be read: a part's header is "
                                                                      "over 4 KB (a file name that long?)")


def test_upload_checks(make_app, csrf):
    with TestClient(make_app(max_upload=1000)) as c:
        token = {"csrf": csrf(c)}
        r = c.post("/upload", files={"file": ("big.txt", b"x" * 5000)}, data=token)
        assert r.status_code == 413 and "too large" in r.json()["error"]
        r = c.post("/upload", files={"file": ("big.txt", b"<b>" * 5000)}, data=token, headers={"Accept": "text/html"})
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
        assert "upload too large" in r.text and '<a href="/">← back</a>' in r.text and "<b><b>" not in r.text
        r = c.post("/paste", data={**token, "name": "plak", "text": "Meer opvang. " * 200},
                   headers={"Accept": "text/html"})  # QA 51a: a paste over the limit is no "upload"
        assert r.status_code == 413 and "pasted text too large" in r.text and "upload too large" not in r.text
        r = c.post("/upload", files={"file": ("foto.jpg", b"\xff\xd8\xff")}, data=token)
        assert r.status_code == 400 and "unsupported" in r.json()["error"]
        r = c.post("/upload", files={"file": ("oud.doc", b"\xd0\xcf\x11\xe0")}, data=token)
        assert r.status_code == 400 and "an old Word document: save it as .docx" in r.json()["error"]
        # the same from a browser's form: a page with the message and a way back, not raw JSON
        r = c.post("/upload", files={"file": ("oud.doc", b"\xd0\xcf\x11\xe0")}, data=token,
                   headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Referer": "http://testserver/"})
        assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
        assert "an old Word document: save it as .docx" in r.text and '<a href="/">← back</a>' in r.text
        r = c.post("/api/corrections", json={"text": "", "section": "4.7"}, headers={"Accept": "text/html"})
        assert r.status_code == 400 and r.json()["error"]  # the API answers in JSON whatever it is asked
        r = c.post("/upload", data={"split": "paragraph", **token})
        assert r.status_code == 400
        r = c.post("/api/corrections", content=b"{" + b" " * 2000 + b"}", headers={"Content-Type": "application/json"})
        assert r.status_code == 413


def test_oversized_chunked_body_is_413(make_app):
    with TestClient(make_app(max_upload=1000)) as c:
        def chunks():
            for _ in range(10):
                yield b"x" * 500
        r = c.post("/paste", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 413 and r.json()["error"]


# ---------------------------------------------------------------- security

def test_loopback_needs_no_token_but_other_hosts_do(make_app, tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    app = make_app(host="0.0.0.0")
    token = app.state.token
    assert token and len(token) >= 24
    with TestClient(app) as c:
        r = c.get("/api/sections")
        assert r.status_code == 403 and "token" in r.json()["error"]
        assert c.get("/", params={"token": "wrong"}).status_code == 403
        r = c.get("/review", params={"token": token, "q": "opvang"}, follow_redirects=False)
        where = private_path(token)  # the pages live under the screen's private path (QA 52b S1)
        assert r.status_code == 303 and r.headers["location"] == where + "/review?q=opvang"  # the address comes back clean
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("mh_token_"))
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and f"Path={where};" in cookie + ";"
        assert c.get(where + "/api/sections").status_code == 200  # the cookie does it from now on, under the path
        assert c.get("/api/sections").status_code == 403  # and there only
        assert token not in c.get(where + "/review").text  # and no link carries it
    with TestClient(app) as c:
        assert c.get("/api/sections", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert c.post("/api/corrections", json={"text": "t", "section": "4.7"}).status_code == 403


def test_cross_site_writes_are_refused(client):
    r = client.post("/api/corrections", json={"text": "t", "section": "4.7"}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/corrections", json={"text": "t", "section": "4.7"}, headers={"Origin": "http://testserver"})
    assert r.status_code == 201


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("MH_NLP_DATA_HOME", str(tmp_path / "x"))
    assert default_data_dir() == tmp_path / "x"
    monkeypatch.delenv("MH_NLP_DATA_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "mh-nlp"


def test_text_is_escaped_in_html(client):
    evil = '<script>alert(1)</script> & <img src=x onerror=alert(2)>'
    store = client.app.state.store
    doc = store.add_document("<b>doc</b>.txt", "txt", None, status="done")
    store.add_statements(doc, [{"position": 1, "text": evil, "section": "4.7", "chapter": 4, "confidence": 0.5,
                                "chapter_confidence": 0.6, "top": [{"section": "4.7", "title": "t", "score": 0.5}],
                                "entities": [{"text": "<script>", "label": "ORG", "id": "x", "start": 0, "end": 8}],
                                "similar": [{"id": "q1", "page": 3, "section": "4.7", "similarity": 0.8,
                                             "text": "<i>quote</i>"}], "model_version": 1}], 1)
    for url in ("/review", "/", "/overview", "/review?q=<script>"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>doc</b>" not in html
        assert "<i>quote</i>" not in html
    html = client.get("/review").text
    assert "&lt;script&gt;" in html and "alert(1)&lt;/script&gt;" in html


def test_highlight_cuts_text_at_entities():
    text = "De NLA en het OM."
    pieces = highlight(text, [{"start": 3, "end": 6, "label": "ORG"}, {"start": 14, "end": 16, "label": "ORG"},
                              {"start": 4, "end": 8, "label": "ORG"}])  # overlapping: skipped
    assert "".join(p for p, _e in pieces) == text
    assert [p for p, e in pieces if e] == ["NLA", "OM"]


# ---------------------------------------------------------------- database: concurrency, restart, migrations

def _doc_with_statements(store, n=3):
    doc = store.add_document("notes.txt", "txt", None, status="done")
    store.add_statements(doc, [{"position": i, "text": f"statement {i}", "section": "2.6", "chapter": 2,
                                "confidence": 0.4, "chapter_confidence": 0.7, "model_version": 1}
                               for i in range(1, n + 1)], n)
    return doc


def test_two_tabs_correcting_at_once_lose_nothing(make_app):
    app = make_app()
    store = app.state.store
    _doc_with_statements(store, 20)
    ids = [s["id"] for s in store.statements()]
    errors = []

    def tab(name, section):
        try:
            with TestClient(app) as c:
                c.cookies.set("mh_who", name)
                for sid in ids:
                    r = c.post(f"/api/statements/{sid}/decision", json={"section": section})
                    assert r.status_code == 201, r.text
                    r = c.post("/api/corrections", json={"text": f"{name} {sid}", "section": section})
                    assert r.status_code == 201, r.text
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=tab, args=("anna", "4.7")), threading.Thread(target=tab, args=("bram", "2.6"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 4 * len(ids)
    assert {r[0] for r in db.execute("SELECT DISTINCT who FROM decisions")} == {"anna", "bram"}
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_decisions_survive_a_restart(make_app):
    app = make_app()
    _doc_with_statements(app.state.store)
    with TestClient(app) as c:
        sid = c.get("/api/statements").json()["statements"][1]["id"]
        assert c.post(f"/api/statements/{sid}/decision", json={"section": "4.7"}).json()["action"] == "correct"
        assert c.post(f"/api/statements/{sid + 1}/decision", json={"section": "2.6"}).json()["action"] == "accept"
        c.post("/api/corrections", json={"text": "losse correctie", "section": "3.1"})
    again = make_app()  # a new server on the same data directory
    with TestClient(again) as c:
        rows = {s["id"]: s for s in c.get("/api/statements").json()["statements"]}
        assert rows[sid]["final_section"] == "4.7" and rows[sid]["decision"] == "correct"
        assert rows[sid + 1]["decision"] == "accept"
        assert {(r["text"], r["section"]) for r in c.get("/api/corrections").json()["corrections"]} == {
            ("statement 2", "4.7"), ("statement 3", "2.6"), ("losse correctie", "3.1")}
        assert c.get("/api/models").json()["in_use"] == 1


def test_old_database_is_migrated(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db = appdb.connect(data / appdb.DB_NAME)
    assert appdb.migrate(db, target=1) == 1  # a database made by the first schema
    db.execute("INSERT INTO documents (project_id, name, kind, status, created_at) VALUES (1, 'old.txt', 'txt', 'done', 'x')")
    db.execute("INSERT INTO statements (document_id, position, text, section) VALUES (1, 1, 'oud', '2.6')")
    db.execute("INSERT INTO statements (document_id, position, text, section) VALUES (1, 2, 'ouder', '2.6')")
    db.execute("INSERT INTO decisions (statement_id, section, who, at) VALUES (1, '2.6', 'anna', 'x')")
    db.execute("INSERT INTO decisions (statement_id, section, who, at) VALUES (2, '4.7', 'anna', 'x')")
    db.close()
    store = appdb.Store(data)  # opening runs the missing migrations
    assert store.db.execute("SELECT version FROM schema_version").fetchone()[0] == appdb.SCHEMA_VERSION == 12
    assert [(r["text"], r["decision"]) for r in store.statements()] == [("oud", "accept"), ("ouder", "correct")]
    assert store.document(1)["in_order"] == 0  # an old document was read statement by statement
    assert store.document(1)["note_stay"] is None and store.document(1)["note_reading"] is None
    assert store.document(1)["note_column"] is None and store.document(1)["note_stays"] is None  # one note, if any
    assert store.document(1)["warnings"] == []  # read before warnings were kept
    store.set_setting("x", "1")
    assert store.setting("x") == "1"


def test_newer_database_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db = appdb.connect(data / appdb.DB_NAME)
    appdb.migrate(db)
    db.execute("UPDATE schema_version SET version = 99")
    db.close()
    with pytest.raises(RuntimeError, match="newer"):
        appdb.Store(data)


# ---------------------------------------------------------------- with the model

@needs_model
def test_classify_gives_the_fields_of_classify_json(client):
    r = client.post("/api/classify", json={"texts": ["De NLA ziet meer arbeidsuitbuiting in distributiecentra."]})
    assert r.status_code == 200
    p = r.json()["predictions"][0]
    assert set(p) == {"text", "kind", "section", "section_title", "chapter", "chapter_title", "confidence",
                      "chapter_confidence", "top", "entities", "similar_quotes", "embedded_chars", "uncertain",
                      "not_dutch", "off_subject", "section_quote",
                      "subject_similarity"}
    assert p["embedded_chars"] is None  # a short statement is embedded whole
    assert len(p["top"]) == 3 and p["similar_quotes"] and any(e["id"] == "nla" for e in p["entities"])


def test_classify_echoes_what_it_classified_of_a_very_long_text(client):
    """QA 36: a text of 60,000 characters was classified on its first 10,000 and echoed whole."""
    long = ("De NLA ziet meer arbeidsuitbuiting in distributiecentra. " * 1100).strip()
    r = client.post("/api/classify", json={"texts": [long, "Meer opvang voor jongens."]})
    assert r.status_code == 200
    cut, short = r.json()["predictions"]
    assert cut["text"] == long[:10_000] and cut["truncated_from"] == len(long) > 60_000
    assert short["text"] == "Meer opvang voor jongens." and "truncated_from" not in short
    # QA 37: what is classified (the first 10,000 characters) must hold a word; a heading is no text
    r = client.post("/api/classify", json={"texts": ["12345 " * 2000 + "Er is te weinig opvang."]})
    assert r.status_code == 400 and "holds no words" in r.json()["error"]
    r = client.post("/api/classify", json={"texts": ["kort"], "headings": ["Problemen " * 100]})
    assert r.status_code == 400 and "heading is longer than 500" in r.json()["error"]


@needs_model
def test_upload_is_labelled_reviewed_and_exported(make_app, csrf):
    from openpyxl import load_workbook

    app = make_app()
    with TestClient(app) as c:
        r = c.post("/upload", files={"file": ("verslag.docx", (REPO / "examples" / "verslag.docx").read_bytes())},
                   data={"csrf": csrf(c)}, follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        doc = c.get("/api/documents").json()["documents"][0]
        assert doc["status"] == "done" and doc["total"] == doc["done"] == doc["statements"] > 5
        sts = c.get("/api/statements").json()["statements"]
        assert sts[0]["kind"] == "meta" and sts[0]["section"] is None  # "Deelnemers: ...": no section
        assert all(s["section"] and s["top"] and s["similar"] for s in sts[1:])
        c.post(f"/api/statements/{sts[0]['id']}/decision", json={"section": "4.7"})  # an analyst may give one
        r = c.get("/export?format=xlsx")
        assert r.status_code == 200
        path = Path(app.state.data_dir) / "check.xlsx"
        path.write_bytes(r.content)
        ws = load_workbook(path).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        head = rows[0]
        first = dict(zip(head, rows[1]))
        assert first["section"] == "4.7" and first["decision"] == "correct" and first["kind"] == "statement"
        assert first["suggested_section"] is None  # an empty cell: the meta line had no suggestion
        assert len(rows) == 1 + len(sts)
        lines = c.get("/export?format=jsonl").text.splitlines()
        assert json.loads(lines[0])["section"] == "4.7" and len(lines) == len(sts)
        assert c.get("/export?format=pdf").status_code == 400


@needs_model
def test_the_column_page_preselects_the_column_that_reads_like_text_and_shows_values(make_app, csrf):
    """QA 39: with no column named like a text column the page preselected the first one ("id"), and one click
    labelled "1", "2", … as the statements, with nothing on the page to show what each column holds."""
    app = make_app()
    with TestClient(app) as c:
        token = csrf(c)
        table = ("id,organisatie,antwoord,opmerking\n"
                 "1,NLA,Er is te weinig zicht op uitbuiting in distributiecentra.,nvt\n"
                 "2,AVIM,De samenwerking met de gemeente loopt goed.,zie bijlage\n")
        r = c.post("/upload", files={"file": ("t.csv", table.encode())}, data={"csrf": token}, follow_redirects=False)
        page = c.get(r.headers["location"]).text
        assert re.search(r'<option value="antwoord"\s+selected>', page), page
        assert not re.search(r'<option value="id"\s+selected>', page)
        assert "De samenwerking met de gemeente loopt goed." in page and "distributiecentra" in page  # the values
        # nothing reads like text and nothing is named so: no column is preselected, the analyst must choose
        r = c.post("/upload", files={"file": ("codes.csv", b"id,code\n1,A\n2,B\n")}, data={"csrf": token},
                   follow_redirects=False)
        page = c.get(r.headers["location"]).text
        assert '<option value="" selected disabled>choose a column…</option>' in page
        assert not re.search(r'<option value="(id|code)"\s+selected>', page)
        assert c.post(r.headers["location"], data={"csrf": token}).status_code == 400  # none chosen: refused
        # QA 39 re-test: a column *named* like a text column that is empty or holds codes is not preselected
        for table, want in (("Statement,Toelichting\nS-000,Er is te weinig zicht op uitbuiting in de bouw.\n"
                             "S-001,De gemeente pakt haar rol beter dan vorig jaar.\n", "Toelichting"),
                            ("nr,tekst,notitie\n1,,Meer opvangplekken voor mannelijke slachtoffers nodig.\n"
                             "2,,Signalen worden beter gedeeld met het RIEC.\n", "notitie"),
                            ("tekst,nr\nEr is te weinig opvang.,1\nDe AVIM heeft capaciteit nodig.,2\n", "tekst")):
            r = c.post("/upload", files={"file": ("t.csv", table.encode())}, data={"csrf": token},
                       follow_redirects=False)
            page = c.get(r.headers["location"]).text
            assert re.search(rf'<option value="{want}"\s+selected>', page), (want, page)


def test_the_column_page_reads_its_table_once_and_uploads_spool_nowhere(make_app, csrf, monkeypatch):
    """QA 52b S4: every view of the column page read the whole sheet again (15 s of CPU for 400,000 rows, 60-70 s each
    for four at once). S5: a part over 1 MB was spooled into a file in /tmp, the note outside the data folder."""
    from starlette.formparsers import MultiPartParser

    import mh_nlp.app.server as server

    app = make_app()
    assert MultiPartParser.spool_max_size > 20 * 1024 * 1024  # the default upload limit stays in memory
    reads = []
    real = server.column_samples
    monkeypatch.setattr(server, "column_samples", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    with TestClient(app) as c:
        table = "id,antwoord\n1,Er is te weinig zicht op uitbuiting in distributiecentra.\n"
        r = c.post("/upload", files={"file": ("t.csv", table.encode())}, data={"csrf": csrf(c)}, follow_redirects=False)
        pages = [c.get(r.headers["location"]).text for _ in range(3)]
        assert len(reads) == 1 and pages[0] == pages[2] and "distributiecentra" in pages[0]


@needs_model
def test_the_column_page_reads_every_sheet_of_a_workbook(make_app, csrf, tmp_path):
    """QA 39 re-test: a workbook whose sheets have other columns (an explanation sheet, a sheet of figures) showed
    no values for any column and preselected none, as the values were read through the first column only."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Uitleg"
    wb.active.append(["Dit werkboek bevat de notities van de rondetafel."])
    notes = wb.create_sheet("Notities")
    notes.append(["Rondetafel 12 mei"])
    notes.append([])
    notes.append(["nr", "spreker", "inbreng"])
    notes.append([1, "Jan", "De NLA ziet meer arbeidsuitbuiting in distributiecentra."])
    notes.append([2, "Els", "Er is te weinig opvang voor mannelijke slachtoffers."])
    figures = wb.create_sheet("Cijfers")
    figures.append(["jaar", "aantal"])
    figures.append([2024, 12])
    wb.save(tmp_path / "multi.xlsx")
    app = make_app()
    with TestClient(app) as c:
        token = csrf(c)
        r = c.post("/upload", files={"file": ("multi.xlsx", (tmp_path / "multi.xlsx").read_bytes())},
                   data={"csrf": token}, follow_redirects=False)
        page = c.get(r.headers["location"]).text
        assert re.search(r'<option value="inbreng"\s+selected>', page), page
        assert "De NLA ziet meer arbeidsuitbuiting in distributiecentra." in page and "Jan" in page
        assert "<th>in sheets</th>" in page and "Only the sheets that have the chosen column are read" in page
        # QA 39 re-test 3: the explanation sheet's one sentence is no column to choose
        assert '<option value="Dit werkboek bevat de notities van de rondetafel."' not in page


@needs_model
def test_the_column_page_of_a_wide_table_with_empty_columns_reads_its_first_rows_only(make_app, csrf, monkeypatch):
    """QA 39 re-test 2: each column read on its own made an empty column scan the whole table (a minute for 30 empty
    columns of 50,000 rows), and columns after the 40th were shown empty and never preselected."""
    from mh_nlp.io import readers

    cells = []
    real_cell = readers._cell
    monkeypatch.setattr(readers, "_cell", lambda v: (cells.append(1), real_cell(v))[1])
    header = ",".join([f"v{i}" for i in range(44)] + ["tekst"])
    body = "\n".join("," * 44 + f"Er is te weinig opvang voor slachtoffers in regio {n}." for n in range(20_000))
    app = make_app()
    with TestClient(app) as c:
        token = csrf(c)
        r = c.post("/upload", files={"file": ("breed.csv", (header + "\n" + body + "\n").encode())},
                   data={"csrf": token}, follow_redirects=False)
        cells.clear()
        page = c.get(r.headers["location"]).text
        assert re.search(r'<option value="tekst"\s+selected>', page), page[:2000]
        assert "Er is te weinig opvang voor slachtoffers in regio 0." in page
        assert 0 < len(cells) <= 45 * 400, len(cells)  # the first rows' cells, not the 900,000 of the table


@needs_model
def test_table_upload_asks_for_the_column(make_app, csrf):
    app = make_app()
    with TestClient(app) as c:
        token = csrf(c)
        r = c.post("/upload", files={"file": ("t.csv", "id;opmerking\n1;De NLA ziet meer uitbuiting.\n2;=1+1\n".encode())},
                   data={"csrf": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/column")
        page = c.get(r.headers["location"]).text
        assert "opmerking" in page and f'name="csrf" value="{token}"' in page
        assert c.post(r.headers["location"], data={"column": "opmerking"}).status_code == 403  # no token
        assert c.post(r.headers["location"], data={"column": "nope", "csrf": token}).status_code == 400
        assert c.post(r.headers["location"], data={"column": "opmerking", "csrf": token},
                      follow_redirects=False).status_code == 303
        # posted again (a double click, the back button, another column): refused, nothing read twice
        again = c.post(r.headers["location"], data={"column": "id", "csrf": token}, follow_redirects=False)
        assert again.status_code == 409 and "already" in again.json()["error"], again.text
        app.state.labeller.wait(120)
        sts = c.get("/api/statements").json()["statements"]
        assert [s["text"] for s in sts] == ["De NLA ziet meer uitbuiting.", "=1+1"]
        assert c.post(r.headers["location"], data={"column": "opmerking", "csrf": token}).status_code == 409
        assert len(c.get("/api/statements").json()["statements"]) == 2
        csv_text = c.get("/export?format=csv").text
        assert "'=1+1" in csv_text  # formula-safe


def test_a_non_ascii_token_is_403_not_500(make_app):
    app = make_app(host="0.0.0.0")
    with TestClient(app) as c:
        assert c.get("/api/sections", params={"token": "é" * 32}).status_code == 403
        r = c.get("/api/sections", headers={"Authorization": "Bearer é".encode()})
        assert r.status_code == 403 and "token" in r.json()["error"]
        assert c.get("/api/sections", headers={"Cookie": "mh_token=été".encode()}).status_code == 403


@pytest.mark.parametrize("pragma, status, words", [
    ("max_page_count = {pages}", 507, "the disk is full"),  # SQLite's own SQLITE_FULL once the file cannot grow
    ("query_only = 1", 503, "read-only"),  # SQLITE_READONLY, as on a read-only data folder
])
def test_full_disk_and_read_only_are_said_in_words(make_app, monkeypatch, pragma, status, words):
    app = make_app()
    store = app.state.store
    store.db.execute("VACUUM")  # no free pages left over from the migrations (version 4 rebuilds a table)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    real_connect = appdb.connect

    def limited(path):
        db = real_connect(path)
        db.execute("PRAGMA " + pragma.format(pages=pages))
        return db

    monkeypatch.setattr(appdb, "connect", limited)
    store._local = threading.local()  # new connections from here on
    with TestClient(app) as c:
        r = c.post("/api/corrections", json={"text": "x " * 3000, "section": "4.7"})
        assert r.status_code == status and words in r.json()["error"], r.text
        assert str(app.state.data_dir) in r.json()["error"]


def test_a_partly_damaged_database_is_refused_at_start(tmp_path):
    """It used to start and answer 500 while still taking writes; quick_check now stops it at the door."""
    import os

    data = tmp_path / "data"
    store = appdb.Store(data)
    _doc_with_statements(store, 3000)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.close()
    page = 4096
    raw = bytearray(store.path.read_bytes())
    assert len(raw) > 40 * page
    for n in range(10, 14):  # b-tree pages in the middle of the statements table
        raw[n * page:(n + 1) * page] = os.urandom(page)
    store.path.write_bytes(bytes(raw))
    assert sqlite3.connect(store.path).execute("SELECT count(*) FROM documents").fetchone()[0] == 1  # it still opens
    with pytest.raises(appdb.DatabaseDamaged, match=r"mh-nlp\.sqlite is damaged \(SQLite quick_check: .*backup"):
        appdb.Store(data)


def test_review_filters_in_sql_match_the_rows(make_app):
    """The review page filters, counts and pages in SQL; the same filters applied to all rows in Python agree."""
    import random

    app = make_app()
    store = app.state.store
    rng = random.Random(1)
    secs = ["2.6", "4.7", "3.1", "1.2"]
    for d in range(2):
        doc = store.add_document(f"d{d}.txt", "txt", None, status="done")
        store.add_statements(doc, [{"position": i, "text": rng.choice(["Opvang", "ÉÉN melding", "werk"]) + f" {i}",
                                    "section": rng.choice(secs), "chapter": 2, "confidence": rng.random(),
                                    "model_version": 1} for i in range(1, 61)], 60)
    ids = [s["id"] for s in store.statements()]
    for sid in rng.sample(ids, 40):
        store.decide(sid, rng.choice(secs), "anna")
    store.add_correction("Opvang via de API", "2.6", "anna")  # on the review page too, its own document (QA 46b D11)
    rows = store.statements(include_api=True)
    assert rows[-1]["text"] == "Opvang via de API" and rows[-1]["document_kind"] == "api"
    chapter_of = {s: int(s[0]) for s in secs}
    cases = [({}, lambda r: True),
             ({"doc": "2"}, lambda r: r["document_id"] == 2),
             ({"section": "4.7"}, lambda r: r["final_section"] == "4.7"),
             ({"chapter": "2"}, lambda r: chapter_of[r["final_section"]] == 2),
             ({"chapter": "2", "section": "4.7"}, lambda r: False),
             ({"uncertain": "1", "threshold": "0.4"}, lambda r: r["section"] and r["confidence"] < 0.4),
             ({"state": "open"}, lambda r: not r["decided_section"]),
             ({"state": "done", "doc": "1"}, lambda r: r["decided_section"] and r["document_id"] == 1),
             ({"q": "één"}, lambda r: "één" in r["text"].lower()),
             ({"q": "OPVANG", "state": "done"}, lambda r: "opvang" in r["text"].lower() and r["decided_section"])]
    with TestClient(app) as c:
        for params, keep in cases:
            want = [r for r in rows if keep(r)]
            html = c.get("/review", params=params).text
            assert f"<b>{len(want)}</b> statements" in html, params
            shown = re.findall(r'data-id="(\d+)"', html)
            assert [int(i) for i in shown] == [r["id"] for r in want][:200], params
            lines = c.get("/export", params={**params, "format": "jsonl"}).text.splitlines()
            assert [json.loads(ln)["statement"] for ln in lines] == [r["text"] for r in want], params
        html = c.get("/overview").text
        assert f"{len(rows)} statements, {sum(1 for r in rows if r['decided_section'])} reviewed" in html


def test_statements_api_pages_on_request(client):
    store = client.app.state.store
    doc = _doc_with_statements(store, 25)
    everything = client.get("/api/statements").json()["statements"]
    assert len(everything) == 25
    page = client.get("/api/statements", params={"document": doc, "limit": 10, "offset": 20}).json()
    assert page["total"] == 25 and [s["id"] for s in page["statements"]] == [s["id"] for s in everything[20:]]
    assert client.get("/api/statements", params={"limit": 0}).status_code == 400
    assert client.get("/api/statements", params={"limit": 10, "offset": -1}).status_code == 400


# ---------------------------------------------------------------- "not a statement", kinds, sheets (issue #18)

def _lines(c, **params):
    return [json.loads(ln) for ln in c.get("/export", params={"format": "jsonl", **params}).text.splitlines()]


def test_not_a_statement_is_stored_exported_and_never_trained_on(make_app, monkeypatch):
    app = make_app()
    store = app.state.store
    _doc_with_statements(store, 4)
    trained = []
    monkeypatch.setattr(app.state.trainer, "_train", lambda reviewed: trained.append(reviewed))
    with TestClient(app) as c:
        ids = [s["id"] for s in c.get("/api/statements").json()["statements"]]
        r = c.post(f"/api/statements/{ids[0]}/decision", json={"action": "not_statement"})
        assert r.status_code == 201, r.text
        d = r.json()
        assert d["action"] == "not_statement" and d["section"] is None and d["kind"] == "not a statement"
        # bad input: 4xx JSON, nothing stored
        for body in ({"action": "skip"}, {"action": "not_statement", "section": "4.7"}, {"action": 1}, {}):
            r = c.post(f"/api/statements/{ids[1]}/decision", json=body)
            assert r.status_code == 400 and r.json()["error"], body
        assert c.post("/api/statements/999/decision", json={"action": "not_statement"}).status_code == 404
        assert store.decision_count() == 1
        # one reviewed statement and one "not a statement": too few to train on
        assert c.post(f"/api/statements/{ids[1]}/decision", json={"section": "4.7"}).status_code == 201
        r = c.post("/api/train")
        assert r.status_code == 400 and "at least 2" in r.json()["error"]
        assert c.post(f"/api/statements/{ids[2]}/decision", json={"section": "2.6"}).status_code == 201
        assert [x["statement_id"] for x in c.get("/api/corrections").json()["corrections"]] == [ids[1], ids[2]]
        assert c.post("/api/train").status_code == 202
        app.state.trainer.wait(10)
        assert [[x["statement_id"] for x in rev] for rev in trained] == [[ids[1], ids[2]]]
        # stored: the row has no final section and its kind; a restart keeps it
        row = c.get("/api/statements").json()["statements"][0]
        assert row["final_section"] is None and row["final_kind"] == "not a statement"
        assert row["decision"] == "not_statement" and row["section"] == "2.6"  # the suggestion stays for the record
        # export: empty section, kind "not a statement"; the others are statements
        recs = _lines(c)
        assert [(x["kind"], x["section"]) for x in recs] == [("not a statement", ""), ("statement", "4.7"),
                                                             ("statement", "2.6"), ("statement", "2.6")]
        assert recs[0]["chapter"] is None and recs[0]["extra"]["decision"] == "not_statement"
        head, first = c.get("/export", params={"format": "csv"}).text.splitlines()[:2]
        cols = dict(zip(head.split(","), first.split(",")))
        assert cols["kind"] == "not a statement" and cols["section"] == ""
        # the overview counts it apart; the review page greys it and offers the key
        html = c.get("/overview").text
        assert "3 statements, 2 reviewed" in html and "1 not a statement" in html
        html = c.get("/review").text
        assert re.search(rf'class="st decided not_statement[^"]*nonstatement" tabindex="0" data-id="{ids[0]}"', html)
        assert "<kbd>n</kbd> not a statement" in html and html.count('class="notst"') == 4
        assert [x["statement"] for x in _lines(c, kind="other")] == ["statement 1"]
        assert len(_lines(c, kind="statement")) == 3
        # a later decision with a section makes it a statement again
        assert c.post(f"/api/statements/{ids[0]}/decision", json={"section": "3.1"}).json()["action"] == "correct"
        assert _lines(c)[0]["kind"] == "statement" and _lines(c)[0]["section"] == "3.1"
    again = make_app()
    with TestClient(again) as c:
        assert c.get("/api/statements").json()["statements"][0]["final_section"] == "3.1"


def test_version_3_database_is_migrated_with_its_decisions(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db = appdb.connect(data / appdb.DB_NAME)
    assert appdb.migrate(db, target=3) == 3
    db.execute("INSERT INTO documents (project_id, name, kind, status, created_at) VALUES (1, 'old.txt', 'txt', 'done', 'x')")
    db.execute("INSERT INTO statements (document_id, position, text, section) VALUES (1, 1, 'oud', '2.6')")
    db.execute("INSERT INTO decisions (statement_id, section, who, at, model_version, action) "
               "VALUES (1, '4.7', 'anna', 'x', 1, 'correct')")
    db.close()
    store = appdb.Store(data)
    [row] = store.statements()
    assert (row["kind"], row["final_kind"], row["final_section"], row["decision"], row["decided_by"]) == (
        "statement", "statement", "4.7", "correct", "anna")
    assert store.document(1)["sheets"] is None and store.document(1)["header_row"] is None
    assert store.decide(1, None, "bram")["action"] == "not_statement"  # the section may now be empty
    assert store.reviewed() == []


@needs_model
def test_an_odt_upload_is_read_like_a_word_document(make_app, csrf, tmp_path):
    import sys
    sys.path.insert(0, str(REPO / "tests"))
    from odf_samples import REPORT, odt

    app = make_app()
    with TestClient(app) as c:
        doc = _upload_labelled(app, c, csrf, "verslag.odt", odt(tmp_path / "verslag.odt", REPORT).read_bytes())
        assert doc["status"] == "done" and doc["statements"] == 5
        sts = c.get("/api/statements").json()["statements"]
        assert sts[0]["text"] == "Zorgcoördinatoren hebben te weinig uren." and sts[0]["section"].startswith("2.")


@needs_model
def test_a_pdf_upload_is_read_page_by_page(make_app, csrf, tmp_path):
    import sys
    sys.path.insert(0, str(REPO / "tests"))
    from pdf_samples import pdf

    pages = [["Verslag rondetafel", "Knelpunten", "Zorgcoördinatoren hebben te weinig uren.", "1"],
             ["Verslag rondetafel", "Er is geen aanmeldproces voor de opvang.", "2"],
             ["Verslag rondetafel", "Ambities", "Elke regio een zorgcoördinator.", "3"]]
    app = make_app()
    with TestClient(app) as c:
        doc = _upload_labelled(app, c, csrf, "verslag.pdf", pdf(tmp_path / "verslag.pdf", pages).read_bytes())
        assert doc["status"] == "done" and doc["statements"] == 3
        sts = c.get("/api/statements").json()["statements"]
        assert [s["text"] for s in sts] == ["Zorgcoördinatoren hebben te weinig uren.",
                                            "Er is geen aanmeldproces voor de opvang.", "Elke regio een zorgcoördinator."]
        assert sts[0]["section"].startswith("2.") and sts[1]["section"].startswith("2.")


NOTES = ("Datum: 14 maart 2026\n\n"
         "Aanwezig: Sanne Verhoeven (gemeente), Jan de Vries (NLA)\n\n"
         "Goedemorgen allemaal.\n\n"
         "De NLA ziet meer arbeidsuitbuiting in distributiecentra.\n\n"
         "Er is te weinig opvang voor mannelijke slachtoffers.\n")


def _upload_labelled(app, c, csrf, name: str, text: str | bytes) -> dict:
    """Upload ``text`` (or a file's bytes) as the file ``name``, wait until it is labelled, and return the (first)
    document."""
    data = text if isinstance(text, bytes) else text.encode()
    r = c.post("/upload", files={"file": (name, data)}, data={"csrf": csrf(c)}, follow_redirects=False)
    assert r.status_code == 303
    app.state.labeller.wait(120)
    return c.get("/api/documents").json()["documents"][0]


@needs_model
def test_uploaded_notes_keep_meta_and_chatter_without_a_section(make_app, csrf):
    app = make_app()
    with TestClient(app) as c:
        doc = _upload_labelled(app, c, csrf, "notulen.txt", NOTES)
        assert doc["status"] == "done" and doc["statements"] == 5
        sts = c.get("/api/statements").json()["statements"]
        assert [s["kind"] for s in sts] == ["meta", "meta", "chatter", "statement", "statement"]
        for s in sts[:3]:
            assert s["section"] is None and s["final_section"] is None and not s["top"] and s["confidence"] is None
        assert all(s["section"] and s["top"] for s in sts[3:])
        recs = _lines(c)
        assert [(x["kind"], x["section"] == "") for x in recs] == [("meta", True), ("meta", True), ("chatter", True),
                                                                   ("statement", False), ("statement", False)]
        html = c.get("/overview").text
        assert "2 statements, 0 reviewed" in html and "2 meta, 1 chatter" in html
        html = c.get("/review").text
        assert html.count("nonstatement") == 3 and "meta: not labelled" in html
        assert "<b>2</b> statements and 3 other lines" in html  # the count says the lines apart
        assert "<b>3</b> other lines" in c.get("/review?kind=other").text
        assert "<b>2</b> statements." in c.get("/review?kind=statement").text
        assert len(re.findall(r'data-id="\d+"', c.get("/review?kind=statement").text)) == 2


TEAMS_VTT = ("WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Sanne de Vries>De NLA ziet meer arbeidsuitbuiting in\n\n"
             "00:00:04.000 --> 00:00:07.000\n<v Sanne de Vries>distributiecentra.</v>\n\n"
             "00:00:07.000 --> 00:00:10.000\n<v Jan Bakker>Er is te weinig opvang voor mannelijke slachtoffers.</v>\n")


@needs_model
def test_a_teams_transcript_is_read_turn_by_turn(make_app, csrf):
    app = make_app()
    with TestClient(app) as c:
        doc = _upload_labelled(app, c, csrf, "overleg.vtt", TEAMS_VTT)
        assert doc["status"] == "done" and doc["statements"] == 2
        sts = c.get("/api/statements").json()["statements"]
        assert [s["text"] for s in sts] == ["De NLA ziet meer arbeidsuitbuiting in distributiecentra.",
                                            "Er is te weinig opvang voor mannelijke slachtoffers."]
        assert all(s["section"] and s["top"] for s in sts)


def _workbook(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Intro"
    ws.append(["tekst"])
    ws.append(["Welkom bij de rondetafel over arbeidsuitbuiting."])
    ws2 = wb.create_sheet("Ronde 2")
    ws2.append(["Rondetafel 12 mei"])  # a title row above the header
    ws2.append([])
    ws2.append(["Spreker", "Opmerking"])
    ws2.append(["Jan", "De NLA ziet meer arbeidsuitbuiting in distributiecentra."])
    ws2.append(["Els", "Er is te weinig opvang voor mannelijke slachtoffers."])
    wb.save(path)
    return path


@needs_model
def test_workbook_upload_reads_the_chosen_sheet(make_app, csrf, tmp_path):
    app = make_app()
    book = _workbook(tmp_path / "rondetafel.xlsx").read_bytes()
    with TestClient(app) as c:
        token = csrf(c)
        r = c.post("/upload", files={"file": ("rondetafel.xlsx", book)},
                   data={"csrf": token, "sheet": "ronde 2"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/column")
        page = c.get(r.headers["location"]).text
        assert "Opmerking" in page and "tekst" not in page  # the chosen sheet's columns, its header found
        assert c.post(r.headers["location"], data={"column": "Opmerking", "csrf": token},
                      follow_redirects=False).status_code == 303
        app.state.labeller.wait(120)
        doc = c.get("/api/documents").json()["documents"][0]
        assert doc["status"] == "done" and doc["sheets"] == ["ronde 2"]
        sts = c.get("/api/statements").json()["statements"]
        assert [(s["position"], s["text"], s["extra"]["Spreker"]) for s in sts] == [
            (4, "De NLA ziet meer arbeidsuitbuiting in distributiecentra.", "Jan"),
            (5, "Er is te weinig opvang voor mannelijke slachtoffers.", "Els")]
        assert all(s["section"] for s in sts)
        # header row and column given with the upload: straight to labelling
        r = c.post("/upload", files={"file": ("r.xlsx", book)},
                   data={"csrf": token, "sheet": "Ronde 2", "header_row": "3", "column": "Opmerking"},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        app.state.labeller.wait(120)
        assert len(c.get("/api/statements", params={"document": 2}).json()["statements"]) == 2
        assert "sheet Ronde 2 · header row 3" in c.get("/").text


@needs_model
def test_what_the_reader_leaves_out_of_an_upload_is_said_on_the_documents_table(make_app, csrf, tmp_path):
    """Formulas without a stored value (a workbook written by a script) are not read: the documents table says so,
    with the rows, as ``mh-nlp label`` warns; nothing is dropped in silence."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["tekst"])
    wb.active.append(["Er is te weinig opvang voor mannelijke slachtoffers."])
    wb.active.append(["=1+1"])
    wb.active.append(["=SUM(1,2)"])
    wb.active.append(["Meer samenwerking tussen gemeenten en politie."])
    wb.save(tmp_path / "f.xlsx")
    app = make_app()
    with TestClient(app) as c:
        r = c.post("/upload", files={"file": ("f.xlsx", (tmp_path / "f.xlsx").read_bytes())},
                   data={"csrf": csrf(c), "column": "tekst"}, follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        doc = c.get("/api/documents").json()["documents"][0]
        assert doc["status"] == "done" and doc["statements"] == 2
        assert len(doc["warnings"]) == 1 and "2 statements are formulas without a stored value" in doc["warnings"][0]
        assert "(row 3, 4)" in doc["warnings"][0]
        page = c.get("/").text
        assert "1 warning</summary>" in page and "formulas without a stored value" in page
        # a title row above the header: said in the screen's words (QA 39: "use --header-row")
        r = c.post("/upload", files={"file": ("r.xlsx", _workbook(tmp_path / "r.xlsx").read_bytes())},
                   data={"csrf": csrf(c), "sheet": "Ronde 2", "column": "Opmerking"}, follow_redirects=False)
        app.state.labeller.wait(120)
        [warning] = c.get("/api/documents").json()["documents"][1]["warnings"]
        assert "choose another header row under table options" in warning and "--" not in warning, warning


@needs_model
def test_hidden_sheets_and_rows_of_an_upload_are_left_out_and_said(make_app, csrf, tmp_path):
    """QA 45b F13: a very hidden sheet (an informant's name) and a hidden row were read without a word; the column
    page showed their values too."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["tekst", "organisatie"])
    wb.active.append(["Er is te weinig opvang voor mannelijke slachtoffers.", "CoMensha"])
    wb.active.append(["Concept: nog niet delen.", "Geheim"])
    wb.active.append(["Meer samenwerking tussen gemeenten en politie.", "RIEC"])
    wb.active.row_dimensions[3].hidden = True
    internal = wb.create_sheet("Intern")
    internal.append(["tekst", "telefoon"])
    internal.append(["Interne notitie: naam informant Jan Jansen.", "06-11223344"])
    internal.sheet_state = "veryHidden"
    wb.save(tmp_path / "h.xlsx")
    app = make_app()
    with TestClient(app) as c:
        r = c.post("/upload", files={"file": ("h.xlsx", (tmp_path / "h.xlsx").read_bytes())},
                   data={"csrf": csrf(c)}, follow_redirects=False)
        page = c.get(r.headers["location"]).text
        assert "CoMensha" in page and not any(w in page for w in ("Geheim", "Concept", "telefoon", "informant"))
        assert c.post(r.headers["location"], data={"column": "tekst", "csrf": csrf(c)},
                      follow_redirects=False).status_code == 303
        app.state.labeller.wait(120)
        doc = c.get("/api/documents").json()["documents"][0]
        assert doc["status"] == "done" and doc["statements"] == 2
        assert doc["warnings"] == [
            "1 hidden sheet left out: 'Intern' (very hidden: Excel's Unhide does not list it); to read it, bring the "
            "file in again and give its name as the sheet under table options",
            "sheet 'Sheet': 1 hidden row left out (row 3); unhide it in Excel to read it"]
        r = c.post("/upload", files={"file": ("h2.xlsx", (tmp_path / "h.xlsx").read_bytes())},
                   data={"csrf": csrf(c), "sheet": "Intern", "column": "tekst"}, follow_redirects=False)
        app.state.labeller.wait(120)
        sts = c.get("/api/statements", params={"document": 2}).json()["statements"]
        assert [s["text"] for s in sts] == ["Interne notitie: naam informant Jan Jansen."]


@needs_model
def test_a_workbook_with_macros_is_uploaded_as_a_workbook(make_app, csrf, tmp_path):
    """QA 45b F16: .xlsm (and .docm, .pptm, templates) are the packages of .xlsx (.docx, .pptx), read as those; a
    workbook's column page and sheet choice apply to it."""
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Ronde 1"
    wb.active.append(["tekst"])
    wb.active.append(["Er is te weinig opvang voor mannelijke slachtoffers."])
    wb.save(tmp_path / "w.xlsx")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as zin, zipfile.ZipFile(tmp_path / "w.xlsm", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            zout.writestr(item, data)
    app = make_app()
    with TestClient(app) as c:
        r = c.post("/upload", files={"file": ("w.xlsm", (tmp_path / "w.xlsm").read_bytes())},
                   data={"csrf": csrf(c), "sheet": "Ronde 1"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/column")
        assert c.post(r.headers["location"], data={"column": "tekst", "csrf": csrf(c)},
                      follow_redirects=False).status_code == 303
        app.state.labeller.wait(120)
        doc = c.get("/api/documents").json()["documents"][0]
        assert doc["status"] == "done" and doc["statements"] == 1 and doc["sheets"] == ["Ronde 1"]


def test_bad_sheet_or_header_row_is_4xx_json(make_app, csrf, tmp_path):
    app = make_app()
    book = _workbook(tmp_path / "rondetafel.xlsx").read_bytes()
    with TestClient(app) as c:
        token = csrf(c)
        r = c.post("/upload", files={"file": ("rondetafel.xlsx", book)}, data={"csrf": token, "sheet": "Blad9"})
        assert r.status_code == 400
        assert "no sheet 'Blad9'" in r.json()["error"] and "Intro, Ronde 2" in r.json()["error"]
        for data, words in [({"header_row": "abc"}, "header_row must be"), ({"header_row": "0"}, "header_row must be"),
                            ({"sheet": "Intro", "header_row": "40"}, "has no row 40")]:
            r = c.post("/upload", files={"file": ("rondetafel.xlsx", book)}, data={"csrf": token, **data})
            assert r.status_code == 400 and words in r.json()["error"], (data, r.text)
            assert "--" not in r.json()["error"]  # QA 39: the screen's words, not the command line's options
        r = c.post("/upload", files={"file": ("n.txt", b"Een regel.")}, data={"csrf": token, "sheet": "Intro"})
        assert r.status_code == 400 and "for an .xlsx workbook only" in r.json()["error"]
        assert c.get("/api/documents").json()["documents"] == []  # a refused upload leaves nothing behind
        assert [p.name for p in (Path(app.state.data_dir) / "uploads").iterdir()] == []


@needs_model
def test_classify_reads_a_note_in_order_when_asked(client):
    """``"in_order": true``: the texts are one note read in order, as ``mh-nlp classify --in-order``, and the answer
    says how it was read; anything but a boolean is a 400."""
    from mh_nlp.themes.context import note_reading
    from mh_nlp.themes.train import load_classifier

    note = ["Er zijn te weinig opvangplekken voor mannelijke slachtoffers van mensenhandel.",
            "Dat is echt een probleem.",
            "Slachtoffers moeten maanden wachten op een plek in de opvang."]
    clf = load_classifier()
    for in_order in (False, True):
        r = client.post("/api/classify", json={"texts": note, "in_order": in_order})
        assert r.status_code == 200, r.text
        got = [p["section"] for p in r.json()["predictions"]]
        want = clf.predict_details(note, in_order=in_order)
        assert got == [d.section for d in want]
        assert ("read_in_order" in r.json()) == in_order  # how the note was read, only when asked to read it so
    assert r.json()["read_in_order"] == {"stay": round(want[0].note_stay, 4), "reading": note_reading(want[0].note_stay)}
    r = client.post("/api/classify", json={"texts": note, "in_order": "yes"})
    assert r.status_code == 400 and "in_order" in r.json()["error"]


@needs_model
def test_a_document_marked_as_one_note_is_read_in_order(make_app, csrf):
    """The upload and paste forms' "one note, read in order" box: the document's statements are labelled as
    ``mh-nlp label --in-order`` labels a file (meta and chatter lines take no part); without it, one by one. The
    documents table says how the note was read."""
    from mh_nlp.themes.context import note_reading
    from mh_nlp.themes.train import load_classifier

    note = ["Er zijn te weinig opvangplekken voor mannelijke slachtoffers van mensenhandel.",
            "Dat is echt een probleem.",
            "Slachtoffers moeten maanden wachten op een plek in de opvang."]
    text = "Datum: 14 maart 2026\n\n" + "\n\n".join(note) + "\n"
    clf = load_classifier()
    app = make_app()
    with TestClient(app) as c:
        r = c.post("/upload", files={"file": ("notulen.txt", text.encode())},
                   data={"csrf": csrf(c), "in_order": "1"}, follow_redirects=False)
        assert r.status_code == 303
        r = c.post("/paste", data={"csrf": csrf(c), "text": text, "name": "los"}, follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        docs = {d["name"]: d for d in c.get("/api/documents").json()["documents"]}
        assert docs["notulen.txt"]["in_order"] == 1 and docs["los"]["in_order"] == 0
        stay = clf.predict_details(note, in_order=True)[0].note_stay
        assert docs["notulen.txt"]["note_stay"] == pytest.approx(stay) and docs["los"]["note_stay"] is None
        assert docs["notulen.txt"]["note_reading"]["brief"] == note_reading(stay, brief=True)
        for name, in_order in (("notulen.txt", True), ("los", False)):
            sts = c.get(f"/api/statements?document={docs[name]['id']}").json()["statements"]
            assert sts[0]["kind"] == "meta" and sts[0]["section"] is None
            assert [s["section"] for s in sts[1:]] == [d.section for d in clf.predict_details(note, in_order=in_order)]
        assert f"read in order: {note_reading(stay, brief=True)}" in c.get("/").text


@needs_model
def test_a_table_of_sessions_read_in_order_is_one_note_per_session_on_the_screen(make_app, csrf):
    """Read in order, a table's column page asks which column tells its sessions apart (``label --note-column``):
    each session is a note of its own, and the documents table says how many notes there were. A note column
    without reading in order, on a text, unknown, or the statements' own column: a 400 with a message."""
    import sys

    from mh_nlp.themes.context import notes_reading
    from mh_nlp.themes.train import load_classifier

    sys.path.insert(0, str(REPO / "tests"))
    from session_samples import SESSIONS as sessions, sessions_csv

    table = sessions_csv()
    clf = load_classifier()
    want = [clf.predict_details(texts, in_order=True) for texts in sessions.values()]
    app = make_app()
    with TestClient(app) as c:
        r = c.post("/upload", files={"file": ("sessies.csv", table.encode())},
                   data={"csrf": csrf(c), "in_order": "1"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/column")
        page = c.get(r.headers["location"]).text
        assert 'name="note_column"' in page and ">sessie</option>" in page
        doc_id = int(r.headers["location"].split("/")[2])
        r = c.post(f"/documents/{doc_id}/column", data={"csrf": csrf(c), "column": "tekst", "note_column": "tekst"})
        assert r.status_code == 400 and "no column 'tekst'" in r.json()["error"]
        r = c.post(f"/documents/{doc_id}/column", data={"csrf": csrf(c), "column": "tekst", "note_column": "sessie"},
                   follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        (doc,) = c.get("/api/documents").json()["documents"]
        stays = [note[0].note_stay for note in want]
        assert doc["note_column"] == "sessie" and doc["note_stays"] == pytest.approx(stays)
        assert doc["note_reading"]["text"] == notes_reading(stays, "sessie")
        sts = c.get(f"/api/statements?document={doc['id']}").json()["statements"]
        assert [s["section"] for s in sts] == [d.section for note in want for d in note]
        assert notes_reading(stays, "sessie", brief=True) in c.get("/").text

        for name, data, message in (
                ("sessies.csv", {"column": "tekst", "note_column": "sessie"}, "tick"),  # not read in order
                ("notulen.txt", {"in_order": "1", "note_column": "sessie"}, "only a table"),
                ("sessies.csv", {"in_order": "1", "column": "tekst", "note_column": "datum"}, "no column 'datum'")):
            body = table if name.endswith(".csv") else "Er is te weinig opvang.\n"
            r = c.post("/upload", files={"file": (name, body.encode())}, data={"csrf": csrf(c), **data})
            assert r.status_code == 400 and message in r.json()["error"], (name, r.text)
        assert len(c.get("/api/documents").json()["documents"]) == 1  # nothing stored for a refused upload


@needs_model
def test_a_statements_own_stance_label_counts_on_the_screen(make_app, csrf):
    """A line marked "Ambitie: ..." under "## Trends": its own label is the evidence, and the screen says so."""
    from mh_nlp.themes.train import load_classifier

    line = "Ambitie: elke regio een zorgcoördinator."
    want = load_classifier().predict_details([line], headings=["Trends"])[0]
    assert want.chapter == 4 and want.label_chapter == 4 and want.heading_chapter is None
    app = make_app()
    with TestClient(app) as c:
        doc = _upload_labelled(app, c, csrf, "notulen.md", f"## Trends\n\n{line}\n")
        (st,) = c.get(f"/api/statements?document={doc['id']}").json()["statements"]
        assert st["text"] == line and st["section"] == want.section
        page = c.get("/review").text
        assert "label: chapter 4</span>" in page
        # the heading is shown, not as evidence: the label is (said in words, not in a tooltip: QA 47b L2)
        assert ('aria-describedby="help-heading">under “Trends”</span> · <span class="heading" '
                'aria-describedby="help-label">label: chapter 4</span>') in page


@needs_model
def test_headings_that_name_a_chapter_count_in_uploads_and_in_the_api(make_app, csrf):
    """An uploaded note's Markdown headings are evidence for the chapter of the statements under them, as in
    ``mh-nlp label``; ``/api/classify`` takes ``headings`` (one per text, or null) and refuses anything else."""
    from mh_nlp.themes.train import load_classifier

    lines = ["Bestuurlijke aanpak.", "Signalering in de wijk.", "Online werving."]  # alone: chapters 4, 4, 1
    text = "## Problemen\n\n" + "\n\n".join(lines[:2]) + "\n\n## Wat gaat goed\n\n" + lines[2] + "\n"
    heads = ["Problemen", "Problemen", "Wat gaat goed"]
    clf = load_classifier()
    want = clf.predict_details(lines, headings=heads)
    assert [d.chapter for d in want] == [2, 2, 3] != [d.chapter for d in clf.predict_details(lines)]
    app = make_app()
    with TestClient(app) as c:
        doc = _upload_labelled(app, c, csrf, "notulen.md", text)
        sts = c.get(f"/api/statements?document={doc['id']}").json()["statements"]
        assert [s["section"] for s in sts] == [d.section for d in want]
        page = c.get("/review").text  # the review screen shows the heading, and the chapter it is evidence for
        assert 'aria-describedby="help-heading">under “Problemen”</span> (evidence for ch. 2)' in page
        # pasted, the same note: its heading lines are headings too, not statements
        r = c.post("/paste", data={"csrf": csrf(c), "text": text, "name": "geplakt"}, follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        pasted = {d["name"]: d for d in c.get("/api/documents").json()["documents"]}["geplakt"]
        sts = c.get(f"/api/statements?document={pasted['id']}").json()["statements"]
        assert [s["text"] for s in sts] == lines and [s["section"] for s in sts] == [d.section for d in want]
        r = c.post("/api/classify", json={"texts": lines, "headings": heads})
        assert r.status_code == 200 and [p["section"] for p in r.json()["predictions"]] == [d.section for d in want]
        assert [p["heading"] for p in r.json()["predictions"]] == heads  # echoed, as classify --json does
        r = c.post("/api/classify", json={"texts": lines, "headings": [None, "Problemen", None]})
        assert ["heading" in p for p in r.json()["predictions"]] == [False, True, False]
        for bad in ("Problemen", ["Problemen"], [1, 2, 3]):
            r = c.post("/api/classify", json={"texts": lines, "headings": bad})
            assert r.status_code == 400 and "headings" in r.json()["error"]


def test_too_many_texts_in_one_classify_request_is_a_413(make_app):
    """Too much in one request is a 413, whether it is too many texts or too many characters (as the docs say)."""
    from mh_nlp.app.server import MAX_TEXTS

    with TestClient(make_app()) as c:
        r = c.post("/api/classify", json={"texts": ["Meer opvang nodig."] * (MAX_TEXTS + 1)})
        assert r.status_code == 413 and f"limit {MAX_TEXTS:,}" in r.json()["error"], r.text


def test_a_text_without_words_is_skipped_with_its_index_and_the_rest_classified(make_app):
    """QA 48b D11: one word-less text made the whole batch a 400, and "" said "empty text" without an index. An empty
    text is skipped with an error that names it; only a batch with nothing to classify at all is a 400. Chatter and
    meta lines get their kind and no section (D4), and so does a text without a word: "42" is a meta line here as in
    mh-nlp label and classify, not an error object (QA 48c N7)."""
    with TestClient(make_app()) as c:
        r = c.post("/api/classify", json={"texts": ["Ja.", "42", "De NLA", "", "12 maart 2026", "👍"]})
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["errors"] == [{"index": 3, "error": "text 4 is empty; not classified"}]
        preds = answer["predictions"]
        assert [(p["text"], p["kind"]) for p in preds] == [("Ja.", "chatter"), ("42", "meta"), ("De NLA", "statement"),
                                                           ("", None), ("12 maart 2026", "meta"), ("👍", "chatter")]
        assert [p.get("error") for p in preds] == [None, None, None, answer["errors"][0]["error"], None, None]
        assert [p["section"] is None for p in preds] == [True, True, False, True, True, True]
        assert preds[0]["top"] == [] and preds[0]["confidence"] is None and preds[2]["top"]
        r = c.post("/api/classify", json={"texts": ["Meer opvang nodig.", "12345"]})
        assert r.status_code == 200 and "errors" not in r.json()
        assert [p["kind"] for p in r.json()["predictions"]] == ["statement", "meta"]
        r = c.post("/api/classify", json={"texts": [""]})
        assert r.status_code == 400 and r.json()["error"] == "nothing to classify: text 1 is empty"
        r = c.post("/api/classify", json={"texts": ["42", "?!"]})
        assert r.status_code == 400 and r.json()["error"] == ("nothing to classify: text 1 holds no words; "
                                                              "text 2 holds no words")
        r = c.post("/api/classify", json={"texts": ["Ja.", "Goedemorgen allemaal."]})  # nothing to classify, all said
        assert r.status_code == 200 and [p["kind"] for p in r.json()["predictions"]] == ["chatter", "chatter"]
        assert "errors" not in r.json()


def test_a_body_that_is_not_json_is_a_400_even_where_none_is_needed(make_app):
    with TestClient(make_app()) as c:
        for path in ("/api/models/1/use", "/api/train"):
            r = c.post(path, content=b"{", headers={"content-type": "application/json"})
            assert r.status_code == 400 and r.json()["error"] == "the body must be JSON", (path, r.text)
        assert c.post("/api/models/1/use").status_code in (200, 404)  # no body: as before


def test_the_same_correction_sent_twice_is_one_statement_and_control_characters_are_refused(make_app):
    with TestClient(make_app()) as c:
        first = c.post("/api/corrections", json={"text": "Meer opvang voor mannen.", "section": "4.7"}).json()
        again = c.post("/api/corrections", json={"text": " Meer opvang voor mannen. ", "section": "4.13",
                                                 "who": "Anna\u001b[31m\u0000"})
        assert again.status_code == 201 and again.json()["statement_id"] == first["statement_id"]
        assert again.json()["who"] == "Anna[31m"
        reviewed = c.get("/api/corrections").json()["corrections"]
        assert [(r["text"], r["section"]) for r in reviewed] == [("Meer opvang voor mannen.", "4.13")]  # the latest
        r = c.post("/api/corrections", json={"text": "Meer\u0000 opvang", "section": "4.7"})
        assert r.status_code == 400 and "control characters" in r.json()["error"]
        for text in ("Meer \u0085opvang", "Meer \u202eopvang"):  # C1 controls, bidirectional overrides
            assert c.post("/api/corrections", json={"text": text, "section": "4.7"}).status_code == 400
        r = c.post("/api/corrections", json={"text": "12345", "section": "4.7"})
        assert r.status_code == 400 and r.json()["error"] == "text holds no words: nothing to learn from"
        # the same statement in other case, spacing or accents is the same statement, as train --add compares them
        again = c.post("/api/corrections", json={"text": "meer  opvang voor MANNEN", "section": "4.7"})
        assert again.json()["statement_id"] == first["statement_id"]
        assert len(c.get("/api/corrections").json()["corrections"]) == 1


def test_analyst_names_in_any_script_and_document_names_without_control_characters(make_app, csrf):
    """'Łukasz' was a 500 (a cookie holds Latin-1 only); control characters stayed in the name set at the top right,
    and in uploaded files' names; a name over 200 characters lost its extension and was refused."""
    with TestClient(make_app()) as c:
        token = {"csrf": csrf(c)}
        for i, (name, kept) in enumerate((("Łukasz Nowak", "Łukasz Nowak"), ("Zoë 😀", "Zoë 😀"),
                                          ("Piet\x1b[31m\x00rood", "Piet[31mrood"), ("Ann\nBob\u200f", "Ann Bob"))):
            r = c.post("/who", data={"who": name, **token}, follow_redirects=False)
            assert r.status_code == 303, r.text
            r = c.post("/api/corrections", json={"text": f"Meer opvang voor mannen in regio {i}.", "section": "4.7"})
            assert r.status_code == 201 and r.json()["who"] == kept, r.text
        for filename, kept in (("x" * 300 + ".txt", "x" * 196 + ".txt"), ("a\u202egnp.txt", "agnp.txt"),
                               ("x\u200by.txt", "xy.txt"), ("\u202e\u202e.txt", "upload.txt")):
            r = c.post("/upload", files={"file": (filename, "Er is te weinig opvang voor mannen.".encode())},
                       data=token, follow_redirects=False)
            assert r.status_code == 303, r.text
            assert c.get("/api/documents").json()["documents"][-1]["name"] == kept


def test_a_relative_model_path_is_recorded_as_absolute(make_app, tmp_path, monkeypatch):
    """v1 is stored by its path: a relative one pointed elsewhere after a restart from another folder (503)."""
    from mh_nlp.themes.store import default_model_path

    monkeypatch.chdir(default_model_path().parent.parent)
    relative = Path(default_model_path().parent.name) / default_model_path().name
    with TestClient(make_app(model_path=relative)) as c:
        first = c.get("/api/models").json()["versions"][0]
    assert first["version"] == 1 and Path(first["path"]) == default_model_path().resolve()


def test_serve_refuses_a_data_folder_or_model_whose_path_is_not_utf8(tmp_path):
    """Such a path cannot be stored in the database: every upload was a 500, and the model a traceback at start."""
    import os

    from click.testing import CliRunner

    from mh_nlp.cli import main

    odd = tmp_path / os.fsdecode(b"d\xff")
    for args, what in ((["--data", str(odd)], "data folder"),
                       (["--data", str(tmp_path / "d"), "--model", str(odd / "m.npz")], "model")):
        r = CliRunner().invoke(main, ["serve", "--port", "18999", *args])
        assert r.exit_code == 1 and f"the {what}'s path" in r.output and "is not UTF-8 text" in r.output, r.output
    assert not odd.exists()


@pytest.mark.parametrize("args, message", [
    (["--host", ""], "--host '' names no address"),
    (["--host", "  "], "--host '  ' names no address"),
    (["--allow-host", "foo:bar"], "--allow-host 'foo:bar' is not a host name with an optional port"),
    (["--allow-host", "http://foo.example"], "--allow-host 'http://foo.example' is not a host name"),
    (["--allow-host", ":80"], "--allow-host ':80' is not a host name"),  # QA 38 re-test: these passed silently
    (["--allow-host", "*.example.com"], "--allow-host '*.example.com' is not a host name"),
    (["--allow-host", ".."], "--allow-host '..' is not a host name"),
    (["--allow-host", "256.1.1.1"], "--allow-host '256.1.1.1' is not a host name"),  # QA 38: taken as a name
    (["--allow-host", "10.0.0"], "--allow-host '10.0.0' is not a host name"),
    (["--allow-host", "::1"], "--allow-host '::1' is not a host name with an optional port (review.example.org, "
                              "review.example.org:8443); an IPv6 address goes in brackets, [::1]"),
])
def test_serve_refuses_an_empty_host_and_a_malformed_allowed_host(tmp_path, args, message):
    """QA 38: --host '' listened on every address and printed http://:8031/; a malformed --allow-host was dropped
    without a word."""
    from click.testing import CliRunner

    from mh_nlp.cli import main

    r = CliRunner().invoke(main, ["serve", "--port", "18999", "--data", str(tmp_path / "d"), *args])
    assert r.exit_code == 1 and r.output.startswith(f"mh-nlp: error: {message}") and len(r.output.splitlines()) == 1
    assert not (tmp_path / "d").exists()


def test_short_ipv4_forms_of_host_are_read_as_what_is_bound():
    """QA 38 re-test: --host 0 listened on every address but was checked and printed as the name '0'."""
    from mh_nlp.cli.serve import _canonical

    assert [_canonical(h) for h in ("0", "127.1", "0.0.0.0", "::", "[::1]", "localhost", "192.168.1.10")] == [
        "0.0.0.0", "127.0.0.1", "0.0.0.0", "::", "::1", "localhost", "192.168.1.10"]


def test_the_address_printed_for_every_interface_is_one_another_machine_can_open(monkeypatch):
    import socket

    from mh_nlp.cli.serve import _own_address

    address = _own_address(socket.AF_INET)
    assert address == "0.0.0.0" or socket.inet_aton(address) and address != "0.0.0.0"
    monkeypatch.setattr(socket.socket, "connect", lambda self, to: (_ for _ in ()).throw(OSError("no network")))
    assert _own_address(socket.AF_INET) == "0.0.0.0"  # no network: the wildcard, as before


def _started_and_stopped(monkeypatch) -> None:
    """``mh-nlp serve`` runs its checks and binds its port, and the server stops at once (uvicorn's run returns):
    what a start says, without serving (QA 51a: the port is bound before the data folder is made, so a busy port no
    longer stops a start after the folder's checks)."""
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)


def test_serve_refuses_a_new_data_folder_without_a_usable_model_and_says_when_model_is_not_used(tmp_path, monkeypatch):
    """QA 38: a missing or damaged --model (or default model) only gave a warm-up warning, the screen ran without
    a model, and the new data folder kept the bad path as its version 1, so a later --model was ignored silently."""
    from click.testing import CliRunner

    from mh_nlp.app.db import Store
    from mh_nlp.app.engine import ModelWorker
    from mh_nlp.cli import main

    missing, damaged = tmp_path / "geen.npz", tmp_path / "kapot.npz"
    damaged.write_bytes(b"not a zip")
    for model, message in ((missing, f"mh-nlp: error: model file {missing} is missing: train one with"),
                           (damaged, f"mh-nlp: error: {damaged.with_suffix('.json')}: metadata file missing")):
        data = tmp_path / f"data-{model.stem}"
        r = CliRunner().invoke(main, ["serve", "--port", "18999", "--data", str(data), "--model", str(model)])
        assert r.exit_code == 1 and r.output.startswith(message) and len(r.output.splitlines()) == 1, r.output
        assert not (data / "mh-nlp.sqlite").exists()  # nothing registered: the next start may name another model
    data = tmp_path / "bestaand"
    ModelWorker(Store(data), missing)  # an existing folder: its own model is used, and --model is not
    _started_and_stopped(monkeypatch)
    r = CliRunner().invoke(main, ["serve", "--port", "0", "--data", str(data), "--model", str(damaged)])
    # QA 38 re-test: the folder's own model is gone, so a --model that cannot be loaded either is refused ...
    assert r.exit_code == 1 and f"mh-nlp: error: {damaged.with_suffix('.json')}: metadata file missing" in r.output
    r = CliRunner().invoke(main, ["serve", "--port", "18999", "--data", str(data), "--model", str(tmp_path)])
    assert r.exit_code == 1 and f"--model {tmp_path} is a folder" in r.output, r.output
    from mh_nlp.themes.store import default_model_path

    if default_model_path().exists():  # ... and a good one takes its place as a new version
        r = CliRunner().invoke(main, ["serve", "--port", "0", "--data", str(data), "--model", str(default_model_path())])
        assert r.exit_code == 0 and "review screen stopped" in r.output, r.output
        assert (f"mh-nlp: warning: the model in use (version 1, {missing.resolve()}) cannot be loaded; "
                f"{default_model_path()} is version 2 now and in use") in r.output, r.output
        store = Store(data)
        assert store.model_version(2)["path"] == str(default_model_path().resolve())
        from mh_nlp.app.engine import not_offered_reason

        assert not_offered_reason(store.model_version(2)) is None  # named by the analyst: not "training interrupted"
        assert ModelWorker(store, missing).version == 2
        # now the folder's model is usable: another --model is not used
        r = CliRunner().invoke(main, ["serve", "--port", "0", "--data", str(data), "--model", str(damaged)])
        assert f"mh-nlp: warning: --model {damaged} is not used: the data folder {data} has its own models " \
               f"already (in use: version 2, {default_model_path().resolve()})" in r.output, r.output
        # QA 51a D4: it says where the given model can be used, not "choose it on the model page" (it is not there)
        assert f"to review with {damaged.name}, start with a new --data folder" in r.output, r.output


@needs_model
def test_a_pasted_name_and_statements_lose_control_characters_and_direction_overrides(make_app, csrf):
    """QA 36: a paste's name was stored as given ('verslag\\u202efdp.exe\\x1b[31m', read as 'verslagexe.pdf' on the
    documents page), and a statement kept an ESC and a right-to-left override that /api/corrections refuses."""
    app = make_app()
    with TestClient(app) as c:
        r = c.post("/paste", data={"csrf": csrf(c), "name": "verslag\u202efdp.exe\x1b[31m rood\nregel2\x01",
                                   "text": "De politie\x1b[2J heeft te weinig \u202ecapaciteit voor onderzoek."},
                   follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        doc = c.get("/api/documents").json()["documents"][-1]
        assert doc["name"] == "verslagfdp.exe[31m rood regel2", doc["name"]
        text = c.get(f"/api/statements?document={doc['id']}").json()["statements"][0]["text"]
        assert text == "De politie [2J heeft te weinig capaciteit voor onderzoek.", text


@needs_model
def test_a_document_that_fails_on_a_full_disk_says_so_even_when_that_cannot_be_saved(make_app, csrf, monkeypatch,
                                                                                    capfd):
    """QA 36: on a full disk the document stayed 'labelling 20 / 1400' for good, and the log had two tracebacks."""
    import sqlite3

    app = make_app()
    store = app.state.store
    update = store.update_document

    def full(*args, **kw):
        raise sqlite3.OperationalError("database or disk is full")

    def update_unless_failed(doc_id, **kw):
        if kw.get("status") == "failed":
            full()
        return update(doc_id, **kw)

    with TestClient(app) as c:
        monkeypatch.setattr(store, "add_statements", full)
        monkeypatch.setattr(store, "update_document", update_unless_failed)
        r = c.post("/paste", data={"csrf": csrf(c), "text": "Er is te weinig opvang.", "name": "vol"},
                   follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        doc = c.get("/api/documents").json()["documents"][-1]
        assert doc["status"] == "failed" and doc["error"].startswith("the disk is full"), doc
        assert "vol" in c.get("/").text and "the disk is full" in c.get("/").text
    err = capfd.readouterr().err
    assert "Traceback" not in err and "the disk is full" in err, err


def test_a_queued_document_says_it_waits_and_small_api_refusals(make_app, csrf, monkeypatch):
    """QA 36: a document waiting behind another showed 'labelling 0 / …' for minutes; `who` of another type was
    ignored without a word; a review filtered by a document with no rows said 'bring in notes'."""
    app = make_app()
    monkeypatch.setattr(app.state.labeller, "submit", lambda *a, **k: None)  # the labeller is busy elsewhere
    with TestClient(app) as c:
        r = c.post("/paste", data={"csrf": csrf(c), "text": "Er is te weinig opvang.", "name": "wacht"},
                   follow_redirects=False)
        assert r.status_code == 303
        doc = c.get("/api/documents").json()["documents"][-1]
        assert doc["status"] == "queued"
        assert "waiting to be labelled" in c.get("/").text
        page = c.get(f"/review?doc={doc['id']}").text
        assert "match these filters" in page and "bring in notes" not in page
        for who in (["Els"], 5, {"naam": "Els"}):
            r = c.post("/api/corrections", json={"text": "Meer opvang voor mannen.", "section": "4.7", "who": who})
            assert r.status_code == 400 and r.json()["error"] == "who must be a name (a string)", r.text
        assert c.get("/api/corrections").json()["corrections"] == []


@needs_model
def test_the_documents_table_counts_a_not_a_statement_line_among_the_other_lines_not_as_reviewed(make_app, csrf):
    """QA 42b: a line marked not a statement counted as a reviewed statement, so a document looked done while a
    statement was still open (the overview said 10 of 11, the documents table 11 of 11)."""
    app = make_app()
    with TestClient(app) as c:
        text = "Er is te weinig opvang.\n\nMeer voorlichting op scholen.\n\nDe NLA ziet meer uitbuiting."
        assert c.post("/paste", data={"csrf": csrf(c), "text": text, "name": "drie"},
                      follow_redirects=False).status_code == 303
        app.state.labeller.wait(120)
        (doc,) = c.get("/api/documents").json()["documents"]
        a, b, _ = c.get(f"/api/statements?document={doc['id']}").json()["statements"]
        assert c.post(f"/api/statements/{a['id']}/decision", json={"section": "4.7"}).status_code == 201
        assert c.post(f"/api/statements/{b['id']}/decision", json={"action": "not_statement"}).status_code == 201
        (doc,) = c.get("/api/documents").json()["documents"]
        assert (doc["statements"] - doc["other_lines"], doc["other_lines"], doc["reviewed"], doc["decided"]) == (2, 1, 1, 2)
        one = c.get(f"/api/documents/{doc['id']}").json()  # QA 42c: the one document with the same counts
        assert {k: one.get(k) for k in ("statements", "other_lines", "reviewed", "decided")} == {
            k: doc[k] for k in ("statements", "other_lines", "reviewed", "decided")}
        row = re.search(r'<tr data-doc="%d".*?</tr>' % doc["id"], c.get("/").text, re.S)[0]
        assert re.findall(r'<td class="num"[^>]*>(\d+)', row) == ["2", "1"]  # 2 statements (+ 1 other line), 1 reviewed
        assert "3 lines, 2 of them decided" in row


@needs_model
def test_a_document_brought_in_by_mistake_can_be_removed(make_app, csrf, paste_notes):
    """QA 36: a file uploaded twice stayed in the overview, the exports and the training for good."""
    app = make_app()
    with TestClient(app) as c:
        docs = paste_notes(app, c, ("eerste", "dubbel"))
        keep, twice = docs["eerste"], docs["dubbel"]
        sid = c.get(f"/api/statements?document={twice['id']}").json()["statements"][0]["id"]
        assert c.post(f"/api/statements/{sid}/decision", json={"section": "4.7"}).status_code == 201
        assert 'action="/documents/%d/remove"' % twice["id"] in c.get("/").text  # offered on the page
        assert c.post(f"/documents/{twice['id']}/remove", data={}).status_code == 403  # no CSRF token
        r = c.post(f"/documents/{twice['id']}/remove", data={"csrf": csrf(c)}, follow_redirects=False)
        assert r.status_code == 303
        assert [d["name"] for d in c.get("/api/documents").json()["documents"]] == ["eerste"]
        for lax in (f"{keep['id']}.0", f"%2B{keep['id']}"):  # a filter by a lax id is refused, not read as the id
            assert c.get(f"/api/statements?document={lax}").status_code == 400
        assert c.get(f"/api/statements?document={keep['id']}").json()["statements"]
        assert c.get(f"/api/statements?document={twice['id']}").json()["statements"] == []
        assert not Path(twice["file"]).exists() and Path(keep["file"]).exists()
        assert all(r["document"] != "dubbel" for r in app.state.store.reviewed())
        assert len(c.get("/export?format=jsonl").text.splitlines()) == 2
        assert c.delete(f"/api/documents/{twice['id']}").status_code == 404  # gone
        api_doc = app.state.store.api_document()
        assert c.delete(f"/api/documents/{api_doc}").status_code == 404  # the API's corrections are no document
        assert c.get(f"/api/documents/{api_doc}").status_code == 404  # not shown on its own either
        app.state.store.update_document(keep["id"], status="labelling")
        r = c.delete(f"/api/documents/{keep['id']}")
        assert r.status_code == 409 and "being labelled" in r.json()["error"]
        app.state.store.update_document(keep["id"], status="done")
        # only plain digits name a row: a lax reading took 1.0 or +1 for 1 and removed that document
        for lax in (f"{keep['id']}.0", f"+{keep['id']}", f"0x{keep['id']:x}", f"{keep['id']}e0"):
            for method, path in (("DELETE", f"/api/documents/{lax}"), ("GET", f"/api/documents/{lax}"),
                                 ("POST", f"/api/statements/{lax}/decision")):
                r = c.request(method, path, json={"section": "4.7"} if method == "POST" else None)
                assert r.status_code == 404 and r.json()["error"].startswith("no "), (method, path, r.text)
        assert [d["name"] for d in c.get("/api/documents").json()["documents"]] == ["eerste"]
        assert c.delete(f"/api/documents/{keep['id']}").json() == {"removed": keep["id"], "name": "eerste"}
        # the newest document's ids are never given again: a stale tab's decision on one is a 404 (QA 36)
        r = c.post("/paste", data={"csrf": csrf(c), "text": "Iets anders.\n\nNog iets.", "name": "nieuw"},
                   follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        new = c.get("/api/documents").json()["documents"][-1]
        assert new["id"] > keep["id"] and new["id"] != twice["id"]
        assert min(s["id"] for s in c.get(f"/api/statements?document={new['id']}").json()["statements"]) > sid
        assert c.post(f"/api/statements/{sid}/decision", json={"section": "4.7"}).status_code == 404


@needs_model
def test_the_same_file_brought_in_twice_is_warned(make_app, csrf):
    """QA 36: three uploads of one transcript became three documents without a word."""
    app = make_app()
    with TestClient(app) as c:
        for name in ("notulen.txt", "notulen.txt", "anders.txt"):
            body = b"Er is te weinig opvang.\n" if name == "notulen.txt" else b"Meer voorlichting.\n"
            r = c.post("/upload", files={"file": (name, body)}, data={"csrf": csrf(c)}, follow_redirects=False)
            assert r.status_code == 303
            app.state.labeller.wait(120)
        first, second, other = c.get("/api/documents").json()["documents"]
        assert first["warnings"] == [] and other["warnings"] == []
        assert second["warnings"] == [f"the same file as “notulen.txt” (document {first['id']}), brought in before: "
                                      "remove one of them if that was by mistake, or its statements count twice"]
        assert "1 warning" in c.get("/").text
        assert c.delete(f"/api/documents/{first['id']}").status_code == 200  # the first copy removed: no twin now
        assert {d["name"]: d["warnings"] for d in c.get("/api/documents").json()["documents"]} == {
            "notulen.txt": [], "anders.txt": []}


@needs_model
def test_one_table_read_for_two_columns_is_no_duplicate(make_app, csrf):
    """QA 40: a table brought in once for its questions and once for its answers was warned about as the same file
    whose statements count twice; read for the same column again, it is."""
    app = make_app()
    body = "vraag;antwoord\nWat gaat goed?;De samenwerking met de AVIM gaat goed.\n".encode()
    with TestClient(app) as c:
        for column in ("vraag", "antwoord", "vraag"):
            token = csrf(c)
            r = c.post("/upload", files={"file": ("qa.csv", body)}, data={"csrf": token}, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].endswith("/column")
            assert c.post(r.headers["location"], data={"column": column, "csrf": token},
                          follow_redirects=False).status_code == 303
            app.state.labeller.wait(120)
        first, answers, again = c.get("/api/documents").json()["documents"]
        assert first["warnings"] == [] and answers["warnings"] == []
        assert again["warnings"] == [f"the same file as “qa.csv” (document {first['id']}), brought in before: "
                                     "remove one of them if that was by mistake, or its statements count twice"]


@needs_model
def test_a_document_with_statements_that_are_not_dutch_says_so(make_app, csrf):
    app = make_app()
    with TestClient(app) as c:
        en = "The police should work more closely with municipalities on labour exploitation cases."
        r = c.post("/paste", data={"csrf": csrf(c), "text": f"{en}\n\nEr is te weinig opvang.", "name": "n"},
                   follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        doc = c.get("/api/documents").json()["documents"][0]
        assert doc["status"] == "done" and len(c.get(f"/api/statements?document={doc['id']}").json()["statements"]) == 2
        assert doc["warnings"] == ["1 statement does not read as Dutch, at 1 (“The police should work more "
                                   "closely…”; marked “not Dutch?” on the review page and in the export's column "
                                   "not_dutch): labelled, but the theme model knows Dutch statements only"]
        page = c.get("/review").text  # and the row itself says so (QA 42b), the Dutch one does not
        assert page.count(">not Dutch?</span>") == 1
        assert page.index(">not Dutch?</span>") > page.index("The police should") > 0
        assert page.index(">not Dutch?</span>") < page.index("Er is te weinig opvang.")


def _pasted_statement(app, c, csrf) -> dict:
    """The one statement of a one-line note pasted on the screen, once labelled."""
    r = c.post("/paste", data={"csrf": csrf(c), "text": "Er is te weinig opvang.", "name": "n"},
               follow_redirects=False)
    assert r.status_code == 303
    app.state.labeller.wait(120)
    return c.get("/api/statements").json()["statements"][0]


@needs_model
def test_the_export_marks_uncertain_rows_and_gives_the_confidence_of_the_section_exported(make_app, csrf):
    """QA 39: `uncertain` was False on every row of the screen's export, and a corrected row carried the
    suggestion's confidence beside the analyst's section; every export was named mh-nlp-labels.<ext>."""
    app = make_app()
    with TestClient(app) as c:
        r = c.post("/paste", data={"csrf": csrf(c), "name": "Overleg Zwolle",
                                   "text": "Er is te weinig opvang.\n\nGisteren spraken we in Zwolle met de wijkagent over de bouwplaats.\n\n"
                                           "Datum: 3 maart"}, follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        sts = c.get("/api/statements").json()["statements"]
        first, second = sts[0], sts[1]
        assert sts[2]["kind"] == "meta" and sts[2]["confidence"] is None
        other = next(s for s in ("1.1", "4.12", "2.6") if s not in {t["section"] for t in second["top"]})
        assert c.post(f"/api/statements/{second['id']}/decision", json={"section": other}).status_code == 201
        high = max(first["confidence"], 0.0) + 0.01  # the first, not reviewed, is under it
        rows = _lines(c, threshold=str(high))
        assert rows[0]["uncertain"] is True and rows[0]["confidence"] == first["confidence"]
        assert rows[1]["uncertain"] is False  # decided by an analyst: never uncertain
        assert rows[1]["section"] == other and rows[1]["confidence"] is None  # not among the model's top three
        assert rows[1]["extra"]["suggested_confidence"] == second["confidence"]
        # a meta line has no suggestion: uncertain is empty, as label writes it (QA 51a D8)
        assert rows[2]["uncertain"] is None and rows[2]["confidence"] is None
        low = _lines(c, threshold="0")
        assert not any(x["uncertain"] for x in low)
        # the review page's uncertain filter lists statements with a suggestion only, never the meta line
        html = c.get("/review?uncertain=1&threshold=1").text
        assert html.count("<tr class=\"st ") == 2 and "Datum: 3 maart" not in html, [(s["text"], s["kind"], s["confidence"], s["section"]) for s in sts]
        # the file is named after the document and the day
        name = c.get("/export", params={"format": "csv", "doc": str(first["document_id"])}).headers[
            "content-disposition"]
        assert re.search(rf'filename="mh-nlp-labels-Overleg-Zwolle-doc{first["document_id"]}-\d{{4}}-\d\d-\d\d\.csv"',
                         name), name
        name = c.get("/export", params={"format": "csv", "doc": str(first["document_id"]), "pseudonymise": "1"}).headers[
            "content-disposition"]
        assert f"mh-nlp-labels-doc{first['document_id']}-" in name and "Zwolle" not in name


@needs_model
def test_the_documents_table_counts_statements_apart_from_other_lines(make_app, csrf):
    """QA 39: the documents table said 10 statements where the review page said 6 statements and 4 other lines."""
    app = make_app()
    with TestClient(app) as c:
        c.post("/paste", data={"csrf": csrf(c), "name": "overleg", "text": "Datum: 3 maart\n\nAanwezig: Jan, Piet\n\n"
               "Er is te weinig opvang.\n\nDe AVIM heeft te weinig capaciteit."}, follow_redirects=False)
        app.state.labeller.wait(120)
        [doc] = c.get("/api/documents").json()["documents"]
        assert (doc["statements"], doc["other_lines"]) == (4, 2)
        html = c.get("/").text
        assert re.search(r'<td class="num"[^>]*>2 <span class="small"[^>]*>\+ 2 other lines</span></td>', html), html
        sts = c.get("/api/statements").json()["statements"]
        c.post(f"/api/statements/{sts[2]['id']}/decision", json={"action": "not_statement"})  # marked: other too
        assert c.get("/api/documents").json()["documents"][0]["other_lines"] == 3
        assert "<b>1</b> statement and 3 other lines" in c.get("/review").text
        # a meta line has no evidence to show and no "not a statement" button (it is none already)
        html = c.get("/review?kind=other").text
        meta_row = html[html.index("Datum: 3 maart"):].split("</tr>")[0]
        assert "evidence-toggle" not in meta_row and 'class="notst"' not in meta_row
        assert c.get("/favicon.ico").status_code == 204  # no 404 in the browser's console


@needs_model
def test_a_stale_tab_is_told_and_cannot_undo_another_decision(make_app, csrf):
    """QA 36: two tabs deciding the same row: the second overwrote the first without a word, and its undo removed
    the other tab's decision."""
    app = make_app()
    with TestClient(app) as c:
        st = _pasted_statement(app, c, csrf)
        assert st["decision_id"] is None  # both tabs show the row undecided
        url = f"/api/statements/{st['id']}/decision"
        first = c.post(url, json={"section": "4.7", "seen": None}).json()
        assert "replaced" not in first  # nothing was decided since the tab loaded
        second = c.post(url, json={"section": "2.1", "seen": None}).json()  # the stale tab
        assert second["replaced"]["id"] == first["id"] and second["replaced"]["section"] == "4.7"
        assert second["replaced"]["section_title"]
        third = c.post(url, json={"section": "2.1", "seen": second["id"]}).json()
        assert "replaced" not in third  # it saw the latest
        assert "replaced" not in c.post(url, json={"section": "2.1"}).json()  # an API client that says nothing
        latest = c.get("/api/statements").json()["statements"][0]["decision_id"]
        # the stale tab's undo of a decision that is no longer the latest: refused, nothing undone
        r = c.delete(f"{url}?decision={first['id']}")
        assert r.status_code == 409 and "decided again meanwhile" in r.json()["error"]
        assert c.get("/api/statements").json()["statements"][0]["decision_id"] == latest
        assert c.delete(f"{url}?decision={latest}").json()["undone"] == 1
        for bad in ({"section": "4.7", "seen": "3"}, {"section": "4.7", "seen": True}, {"section": "4.7", "seen": -1}):
            assert c.post(url, json=bad).status_code == 400
        assert c.delete(f"{url}?decision=abc").status_code == 400 and c.delete(f"{url}?decision=0").status_code == 400
        # QA 37: an undone decision's id was given to the next one, so a stale tab's undo took that one back
        a = c.post(url, json={"section": "4.7"}).json()["id"]
        assert c.delete(f"{url}?decision={a}").json()["undone"] == 1  # tab B undoes tab A's decision ...
        b = c.post(url, json={"section": "2.1"}).json()["id"]  # ... and decides
        assert b != a
        assert c.post(url, json={"section": "4.13", "seen": a}).json()["replaced"]["id"] == b  # tab A, stale
        latest = c.get("/api/statements").json()["statements"][0]["decision_id"]
        r = c.delete(f"{url}?decision={a}")
        assert r.status_code == 409 and "undone meanwhile" in r.json()["error"]
        assert c.get("/api/statements").json()["statements"][0]["decision_id"] == latest


@needs_model
def test_the_same_decision_sent_twice_is_made_once(make_app, csrf):
    """QA 39: a key pressed twice before the first answer sent the same decision twice: two identical decisions,
    the second said to replace the analyst's own, and one undo seemed to do nothing."""
    app = make_app()
    with TestClient(app) as c:
        st = _pasted_statement(app, c, csrf)
        url = f"/api/statements/{st['id']}/decision"
        c.cookies.set(WHO_COOKIE, "Anna")
        first = c.post(url, json={"section": "4.7", "seen": None}).json()
        again = c.post(url, json={"section": "4.7", "seen": None})
        assert again.status_code == 201 and "replaced" not in again.json() and again.json()["id"] == first["id"]
        assert again.json()["section"] == "4.7" and again.json()["action"] == first["action"]
        c.cookies.set(WHO_COOKIE, "Bert")
        other = c.post(url, json={"section": "4.7", "seen": None}).json()  # another analyst: it counts
        assert other["id"] != first["id"] and other["replaced"]["id"] == first["id"]
        assert c.delete(f"{url}?decision={other['id']}").json()["undone"] == 1
        assert c.delete(f"{url}?decision={first['id']}").json()["undone"] == 1  # one undo each: back to none
        assert c.get("/api/statements").json()["statements"][0]["decision_id"] is None


@needs_model
def test_the_same_decision_on_a_decided_row_is_not_stacked(make_app, csrf):
    """QA 39 re-test: Enter pressed again on the last row (or accept clicked three times) stored the same decision
    each time, so one undo seemed to do nothing."""
    app = make_app()
    with TestClient(app) as c:
        st = _pasted_statement(app, c, csrf)
        url = f"/api/statements/{st['id']}/decision"
        first = c.post(url, json={"section": st["section"], "seen": None}).json()
        for _ in range(3):  # each press saw the latest decision: still the same one, not three more
            again = c.post(url, json={"section": st["section"], "seen": first["id"]}).json()
            assert again["id"] == first["id"] and again["action"] == "accept" and "replaced" not in again
        assert c.delete(f"{url}?decision={first['id']}").json() | {"decision": None} == {
            "statement_id": st["id"], "undone": 1, "kind": "statement", "decision": None}
        assert c.get("/api/statements").json()["statements"][0]["decision_id"] is None  # one undo: not reviewed
        ns = c.post(url, json={"action": "not_statement"}).json()
        assert c.post(url, json={"action": "not_statement"}).json()["id"] == ns["id"]
        assert c.post(url, json={"section": st["section"]}).json()["id"] != ns["id"]  # another decision: counts


@needs_model
def test_pages_and_exports_of_a_removed_document_say_so(make_app, csrf):
    """QA 39 re-test: a review link to a removed document showed an empty page under "all documents", and an
    export of it downloaded an empty file."""
    app = make_app()
    with TestClient(app) as c:
        _pasted_statement(app, c, csrf)
        for path in ("/review?doc=999", "/overview?doc=999", "/export?format=csv&doc=999"):
            r = c.get(path, headers={"Accept": "text/html"})
            assert r.status_code == 404 and "no document 999: it was removed, or the link is old" in r.text, path
        r = c.get("/review?doc=abc", headers={"Accept": "text/html"})
        assert r.status_code == 400 and "doc must be a document number" in r.text
        assert c.get("/review?doc=1").status_code == 200


@needs_model
def test_a_decision_can_be_undone(make_app, csrf):
    """QA 36: there was no way back to 'not reviewed' after a decision made by mistake; undo takes back one
    decision at a time."""
    app = make_app()
    with TestClient(app) as c:
        st = _pasted_statement(app, c, csrf)
        for body in ({"section": "4.7"}, {"action": "not_statement"}):
            assert c.post(f"/api/statements/{st['id']}/decision", json=body).status_code == 201
        assert len(app.state.store.reviewed()) == 0 and c.get("/review?state=done").text.count('class="st ') == 1
        # undo takes back the latest decision only: the one before it counts again (QA 36: all went at once)
        back = c.delete(f"/api/statements/{st['id']}/decision").json()
        assert back["undone"] == 1 and back["decision"]["section"] == "4.7"
        assert back["decision"]["action"] in ("accept", "correct") and back["decision"]["section_title"]
        again = c.get("/api/statements").json()["statements"][0]
        assert again["decided_section"] == "4.7" and again["final_section"] == "4.7"
        assert len(app.state.store.reviewed()) == 1
        assert c.delete(f"/api/statements/{st['id']}/decision").json() == {
            "statement_id": st["id"], "undone": 1, "kind": "statement", "decision": None}
        again = c.get("/api/statements").json()["statements"][0]
        assert again["decision"] is None and again["final_section"] == st["section"]
        assert c.get("/review?state=open").text.count('class="st ') == 1
        assert c.delete(f"/api/statements/{st['id']}/decision").json()["undone"] == 0
        assert c.delete("/api/statements/999/decision").status_code == 404
        assert c.delete("/api/statements/0/decision").status_code == 404


def test_serve_keeps_its_data_folder_to_this_user_and_warns_about_a_shared_one(tmp_path, monkeypatch):
    """QA 38: the data folder was made with the process umask (0755, files 0644): another user of the machine could
    read the uploaded notes and the database."""
    import os
    import socket
    import stat

    from click.testing import CliRunner

    from mh_nlp.cli import main
    from mh_nlp.themes.store import default_model_path

    if not default_model_path().exists():
        pytest.skip("needs the default model (make setup)")
    umask = os.umask(0o022)
    try:
        with socket.socket() as busy:  # a port in use is said before a new data folder is made (QA 51a)
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            new = tmp_path / "nieuw"
            r = CliRunner().invoke(main, ["serve", "--port", str(busy.getsockname()[1]), "--data", str(new)])
            assert r.exit_code == 1 and "cannot listen on" in r.output, r.output
            assert not new.exists()
        _started_and_stopped(monkeypatch)
        r = CliRunner().invoke(main, ["serve", "--port", "0", "--data", str(new)])
        assert r.exit_code == 0 and "other users" not in r.output, r.output
        for path in (new, new / "uploads"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
        assert stat.S_IMODE((new / "mh-nlp.sqlite").stat().st_mode) == 0o600
        assert os.umask(0o022) == 0o022  # the process's own umask is given back
        shared = tmp_path / "gedeeld"
        shared.mkdir(mode=0o755)
        r = CliRunner().invoke(main, ["serve", "--port", "0", "--data", str(shared)])
        assert f"mh-nlp: warning: {shared} can be read by other users of this machine" in r.output, r.output
        assert f"chmod -R go-rwx {shared}" in r.output
    finally:
        os.umask(umask)
