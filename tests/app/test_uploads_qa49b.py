"""Uploads that held the screen or were left behind (QA 49b): a PDF whose pages share one large stream, a CSV of
millions of columns, a binary file named .csv, a table refused for too many statements, an upload whose sender gave
up while it waited. Each is refused before anything is stored (no document, no file), in words, and fast."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pdf_samples import shared_pdf  # noqa: E402

JSON = {"Accept": "application/json"}
TEXT = b"BT /F1 12 Tf 72 720 Td (Er is te weinig opvang voor slachtoffers van mensenhandel.) Tj ET "


def _upload(c, csrf, name: str, data: bytes, **fields):
    return c.post("/upload", files={"file": (name, data)}, data={"csrf": csrf(c), **fields}, headers=JSON,
                  follow_redirects=False)


def _nothing_stored(c, app) -> None:
    assert c.get("/api/documents").json()["documents"] == []
    uploads = Path(app.state.store.path).parent / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == []


def test_a_pdf_whose_pages_share_one_stream_is_refused_at_once_with_413(make_app, csrf, tmp_path, monkeypatch):
    """QA 49b D1: 2,000 pages sharing one 9 MB stream kept the upload check busy for 28 minutes, and every other
    upload waited. The pages' content together is limited as a .docx's parts are (here --max-unpacked-mb 1)."""
    from mh_nlp.io import safezip

    monkeypatch.setattr(safezip, "LIMITS", safezip.Limits(max_unpacked_mb=1))
    data = shared_pdf(tmp_path / "gedeeld.pdf", 100, TEXT + b" " * 150_000).read_bytes()
    app = make_app(max_unpacked_mb=1)
    with TestClient(app) as c:
        r = _upload(c, csrf, "gedeeld.pdf", data)
        assert r.status_code == 413, r.text
        assert r.json()["error"].startswith("gedeeld.pdf: its pages unpack to more than 1 MB of content together "
                                            "(by page 7;")
        _nothing_stored(c, app)


def test_a_csv_of_more_columns_than_excel_allows_is_refused_and_the_column_page_is_bounded(make_app, csrf):
    """QA 49b D2: a 12 MB CSV of 3 million columns was accepted; its column page took 85 s, 3.7 GB and was 387 MB of
    HTML. More than 16,384 columns is a 413 that says so, as the upload is read; the column page shows the values of
    the first 200 columns (its list still names every column)."""
    app = make_app()
    wide = ("tekst," + ",".join("c" for _ in range(20_000)) + "\nEr is te weinig opvang." + ",x" * 20_000 + "\n")
    with TestClient(app) as c:
        r = _upload(c, csrf, "breed.csv", wide.encode())
        assert r.status_code == 413, r.text
        assert r.json()["error"] == ("breed.csv: row 1 has 20,001 cells: more than 16,384 columns, the most a table "
                                     "may have (Excel's limit); a table of notes has far fewer")
        _nothing_stored(c, app)
        r = c.post("/upload", files={"file": ("breed.csv", wide.encode())}, data={"csrf": csrf(c)},
                   headers={"Accept": "text/html"}, follow_redirects=False)  # the form: the screen's error page
        assert r.status_code == 413 and "more than 16,384 columns" in r.text and "<html" in r.text.lower()
        n = 300
        table = ("id," + ",".join(f"kolom{i}" for i in range(n - 2)) + ",tekst\n"
                 + "".join(f"{k}," + ",".join("x" for _ in range(n - 2)) + ",Er is te weinig opvang voor mannen.\n"
                           for k in range(3)))
        r = _upload(c, csrf, "enquete.csv", table.encode())
        assert r.status_code == 303 and r.headers["location"].endswith("/column")
        page = c.get(r.headers["location"], headers={"Accept": "text/html"}).text
        assert page.count('<option value="kolom') == n - 2 and '<option value="tekst" selected' in page
        rows = page.split('id="samples"')[1]
        assert rows.count("<tr") == 1 + 200 + 1  # the header, the first 200 and the guess (tekst)
        assert "The values of 99 more columns are not shown here; the list above names them all." in page


def test_a_binary_file_named_csv_is_refused_before_it_is_stored(make_app, csrf):
    """QA 49b D5: a .docx renamed .csv and random bytes named .csv were stored, and their column page had no column
    to choose; a binary file named .txt was a 400 already. The same 400, with what the file is."""
    import io
    import random
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>" + " " * 20_000)
    rng = random.Random(49)
    noise = bytes(rng.randrange(256) for _ in range(3000))  # (QA: head -c 3000 /dev/urandom)
    assert noise.count(0) > 0
    app = make_app()
    with TestClient(app) as c:
        for name, data, said in (("verslag.csv", buf.getvalue(),
                                  "verslag.csv: binary file, not text (it is a Word document: rename it .docx)"),
                                 ("ruis.csv", noise, "ruis.csv: binary file, not text")):
            r = _upload(c, csrf, name, data)
            assert r.status_code == 400 and r.json()["error"] == said, r.text
            r = _upload(c, csrf, name, data, header_row="2")  # with a header row given too
            assert r.status_code == 400 and r.json()["error"] == said, r.text
        _nothing_stored(c, app)


def test_a_table_of_too_many_statements_leaves_no_document_and_no_file(make_app, csrf):
    """QA 49b D6: an .xlsx refused with 413 for more than 20,000 statements stayed in the list as a failed document,
    its file in uploads/. Refused as other uploads are: 413, nothing kept; also when the column is picked on the
    column page (here with --max-statements 5)."""
    app = make_app(max_statements=5)
    table = "id,tekst\n" + "".join(f"{i},Er is te weinig opvang voor slachtoffer {i}.\n" for i in range(8))
    with TestClient(app) as c:
        r = _upload(c, csrf, "lang.csv", table.encode(), column="tekst")
        assert r.status_code == 413, r.text
        assert r.json()["error"].startswith("lang.csv: more than 5 statements (the limit per upload;")
        _nothing_stored(c, app)
        r = _upload(c, csrf, "lang.csv", table.encode())  # the column chosen on the column page
        assert r.status_code == 303 and r.headers["location"].endswith("/column")
        r = c.post(r.headers["location"], data={"csrf": csrf(c), "column": "tekst"}, headers=JSON,
                   follow_redirects=False)
        assert r.status_code == 413, r.text
        assert r.json()["error"].startswith("lang.csv: more than 5 statements") and r.json()["error"].endswith(
            "; the file is not kept")
        _nothing_stored(c, app)
        r = _upload(c, csrf, "kort.csv", table.encode()[:200], column="tekst")  # under the limit: labelled as before
        assert r.status_code == 303 and r.headers["location"] == "/"
        (doc,) = c.get("/api/documents").json()["documents"]
        assert doc["name"] == "kort.csv" and doc["status"] in ("queued", "labelling", "done")


def _form_call(app, fields: dict, csrf_cookie: str, gone):
    """POST /paste as an ASGI call whose client goes away when ``gone`` (an asyncio.Event) is set: the answer's
    (status, body), or (None, b"") when none was sent."""
    from urllib.parse import urlencode

    body = urlencode({"csrf": csrf_cookie, **fields}).encode()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/paste", "raw_path": b"/paste", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"application/json"),
                         (b"content-type", b"application/x-www-form-urlencoded"),
                         (b"content-length", str(len(body)).encode()), (b"cookie", f"mh_csrf={csrf_cookie}".encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    given = False

    async def receive():
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    answer: dict = {"status": None, "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    async def call():
        await app(scope, receive, send)
        return answer["status"], answer["body"]

    return call()


def test_an_upload_whose_sender_went_away_while_it_waited_is_dropped_and_a_long_wait_is_a_503(make_app, monkeypatch):
    """QA 49b D7: an upload whose client gave up while it waited behind another (120 s) was stored and labelled 25
    minutes later. While it waits for its turn to be read it looks whether its client is still there, and again when
    its turn comes: one that went away is dropped, its incoming file deleted, nothing stored. A wait longer than
    READING_WAIT is a 503 that says the screen is busy. (The turn is held here as another upload being read holds
    it; one asyncio loop, no timing but the poll.)"""
    import asyncio

    import httpx

    from mh_nlp.app import server

    monkeypatch.setattr(server, "READING_POLL", 0.02)
    app = make_app()
    uploads = Path(app.state.store.path).parent / "uploads"
    note = {"text": "Er is te weinig opvang voor mannelijke slachtoffers.", "name": "notitie"}

    async def scenario():
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
                await c.get("/api/sections")
                token = c.cookies["mh_csrf"]
            reading = app.state.reading
            await reading.acquire()  # another upload is being read
            gone = asyncio.Event()
            waiting = asyncio.ensure_future(_form_call(app, note, token, gone))
            for _ in range(100):
                await asyncio.sleep(0.01)
                if list(uploads.glob(".incoming-*")):
                    break
            assert len(list(uploads.glob(".incoming-*"))) == 1 and not waiting.done()  # received, waiting its turn
            gone.set()  # the sender gives up
            status, body = await asyncio.wait_for(waiting, 5)  # dropped while still waiting: the turn is not freed
            assert status == 499 and b"went away while it waited" in body
            assert reading.locked() and list(uploads.iterdir()) == []

            monkeypatch.setattr(server, "READING_POLL", 60.0)  # it does not look while waiting: its turn comes first
            gone = asyncio.Event()
            waiting = asyncio.ensure_future(_form_call(app, note, token, gone))
            await asyncio.sleep(0.05)
            gone.set()
            reading.release()  # the other upload is read: this one's turn, for a client no longer there
            status, body = await asyncio.wait_for(waiting, 5)
            assert status == 499 and b"went away before it was read" in body
            assert not reading.locked() and list(uploads.iterdir()) == []

            monkeypatch.setattr(server, "READING_POLL", 0.02)
            monkeypatch.setattr(server, "READING_WAIT", 0.1)
            await reading.acquire()
            status, body = await asyncio.wait_for(_form_call(app, note, token, asyncio.Event()), 5)
            assert status == 503 and b"busy: another upload is being read" in body
            reading.release()
            assert not reading.locked() and list(uploads.iterdir()) == []
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
                return (await c.get("/api/documents")).json()["documents"]

    assert asyncio.run(scenario()) == []


def test_a_package_with_an_xml_part_in_utf32_is_refused_with_400(make_app, csrf):
    """QA 49b D4: xxe_utf32.docx (a DOCTYPE with an external entity, document.xml in UTF-32) was accepted and labelled:
    the declaration scan reads UTF-8 and UTF-16 only. Refused, nothing stored: a 400, as a file that cannot be read
    (it was a 413, "too large", for a 1 KB file: QA 49c N6)."""
    import io
    import zipfile

    xml = ('<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           '<w:t>Er is opvang &x; nodig</w:t></w:r></w:p></w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", xml.encode("utf-32-be"))
    app = make_app()
    with TestClient(app) as c:
        r = _upload(c, csrf, "xxe.docx", buf.getvalue())
        assert r.status_code == 400 and r.json()["error"] == (
            "xxe.docx: word/document.xml: an XML part in UTF-32, which Office never writes (UTF-8 or UTF-16 only) and "
            "the check for entity declarations cannot read: a hostile or damaged file"), r.text
        _nothing_stored(c, app)
