"""The review screen against another web page, a hostile file and bad input, on a real ``mh-nlp serve`` on
127.0.0.1 (raw HTTP through http.client, so every header is the one a browser or an attacker would send).

Each cross-site pattern (a text/plain body, ``Origin: null``, a form without the CSRF token, a foreign Host)
is refused and changes nothing in the store; the same request from a script (no Origin, no Referer) still
works; a zip bomb is refused with 413 while the server's memory stays flat; each bad input is a 4xx JSON
message on a connection that stays open. None of this needs the trained model.
"""
from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


class Server:
    """``mh-nlp serve --port 0`` on a fresh data directory; raw requests on one keep-alive connection."""

    def __init__(self, data: Path, *args: str):
        """No model unless ``args`` name one with --model: nothing here needs one, and a model loading in the
        background would blur the memory measurements. A new data folder is refused without a usable model, so the
        folder is made beforehand with a version 1 whose file is missing (an existing folder whose model went
        missing: the screen warns and runs)."""
        from mh_nlp.app.db import Store
        from mh_nlp.app.engine import ModelWorker

        self.data = data
        if "--model" not in args and not (data / "mh-nlp.sqlite").exists():
            before = os.umask(0o077)  # as `serve` makes a data folder: for this user only
            try:
                ModelWorker(Store(data), data.parent / "no-model.npz")
            finally:
                os.umask(before)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-c", "from mh_nlp.cli import main; main()", "serve",
                                      "--port", "0", "--data", str(data), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.port = None
        self.output: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            self.output.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", line or "")
            if m:
                self.port, self.token = int(m.group(1)), m.group(2)
                break
            if self.proc.poll() is not None:
                break
        if self.port is None:
            self.stop()
            pytest.fail(f"the server did not start: {''.join(self.output)}")
        self.host = f"127.0.0.1:{self.port}"
        self.origin = f"http://{self.host}"
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.used = time.monotonic()

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
                token: bool = True):
        """(status, headers, body) of one request on the kept connection; with the server's token (as the
        analyst's browser has it after the first visit) unless ``token`` is False."""
        headers = dict(headers or {})
        if token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        if time.monotonic() - self.used > 3:  # uvicorn closes a connection idle for 5 s: start a new one
            self.conn.close()
        self.used = time.monotonic()
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        self.used = time.monotonic()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def json(self, method: str, path: str, value=None, headers: dict | None = None):
        body = None if value is None else json.dumps(value)
        status, hdrs, data = self.request(method, path, body, {"Content-Type": "application/json", **(headers or {})})
        return status, json.loads(data) if data else None

    def csrf(self) -> tuple[str, str]:
        """(cookie header, token) as a page of this server hands them to its forms."""
        status, hdrs, html = self.request("GET", "/")
        assert status == 200
        cookie = re.search(r"mh_csrf=([^;]+)", hdrs["set-cookie"]).group(1)
        token = re.search(rb'name="csrf" value="([^"]+)"', html).group(1).decode()
        assert token == cookie
        return f"mh_csrf={cookie}", token

    def counts(self) -> dict[str, int]:
        db = sqlite3.connect(f"file:{self.data / 'mh-nlp.sqlite'}?mode=ro", uri=True)
        try:
            return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("documents", "statements", "decisions", "undone_decisions", "model_versions")} | {
                "uploads": len(list((self.data / "uploads").iterdir())),
                "model_in_use": int(db.execute("SELECT value FROM settings WHERE key = 'model_version'").fetchone()[0])}
        finally:
            db.close()

    def rss_kb(self, field: str = "VmRSS") -> int:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                return self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("sec-data"))
    yield s
    s.stop()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, (name, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                  f"Content-Type: application/octet-stream\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# ---------------------------------------------------------------- cross-site requests

CORRECTION = json.dumps({"text": "Er is te weinig opvang voor mannen.", "section": "2.6"})
FORM = "text=Een+geplakte+notitie&name=x&split=paragraph"


def cross_site_patterns(s: Server) -> list[tuple[str, str, str, bytes | str, dict]]:
    """(what, method, path, body, headers): what another site's page (or a page whose name resolves to
    127.0.0.1) can make a browser send."""
    evil = "http://evil.example"
    upload, upload_type = multipart({"split": "paragraph"}, {"file": ("notes.txt", "Een notitie.".encode())})
    return [
        ("text/plain JSON from another site", "POST", "/api/corrections", CORRECTION,
         {"Content-Type": "text/plain", "Origin": evil}),
        ("text/plain JSON from a sandboxed frame (Origin: null)", "POST", "/api/corrections", CORRECTION,
         {"Content-Type": "text/plain", "Origin": "null"}),
        ("JSON with Origin: null", "POST", "/api/corrections", CORRECTION,
         {"Content-Type": "application/json", "Origin": "null"}),
        ("text/plain JSON without Origin (old browser, no-referrer)", "POST", "/api/corrections", CORRECTION,
         {"Content-Type": "text/plain"}),
        ("a form posting JSON-looking fields", "POST", "/api/corrections", CORRECTION,
         {"Content-Type": "application/x-www-form-urlencoded"}),
        ("decision from another site", "POST", "/api/statements/1/decision", json.dumps({"section": "4.7"}),
         {"Content-Type": "application/json", "Origin": evil}),
        ("start training, Origin: null", "POST", "/api/train", "", {"Origin": "null"}),
        ("start training, text/plain", "POST", "/api/train", "{}", {"Content-Type": "text/plain"}),
        ("switch model from another site", "POST", "/api/models/1/use", "", {"Origin": evil}),
        ("switch model, Referer of another site", "POST", "/api/models/1/use", "", {"Referer": evil + "/x"}),
        ("paste form without the CSRF token", "POST", "/paste", FORM,
         {"Content-Type": "application/x-www-form-urlencoded", "Origin": s.origin}),
        ("paste form, no Origin, no token", "POST", "/paste", FORM,
         {"Content-Type": "application/x-www-form-urlencoded"}),
        ("paste form with a self-made double-submit pair", "POST", "/paste", FORM + "&csrf=abc.def",
         {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "mh_csrf=abc.def"}),
        ("paste form from a sandboxed frame", "POST", "/paste", FORM,
         {"Content-Type": "application/x-www-form-urlencoded", "Origin": "null"}),
        ("upload form without the CSRF token", "POST", "/upload", upload, {"Content-Type": upload_type}),
        ("set the analyst's name from another site", "POST", "/who", "who=mallory",
         {"Content-Type": "application/x-www-form-urlencoded", "Origin": evil}),
        ("DNS rebinding: a correction", "POST", "/api/corrections", CORRECTION,
         {"Content-Type": "application/json", "Host": f"attacker.example:{s.port}",
          "Origin": f"http://attacker.example:{s.port}"}),
        ("DNS rebinding: the export", "GET", "/export?format=jsonl", None, {"Host": f"attacker.example:{s.port}"}),
        ("DNS rebinding: the statements", "GET", "/api/statements", None, {"Host": f"attacker.example:{s.port}"}),
        ("DNS rebinding: the undone decisions", "GET", "/api/decisions/undone", None,
         {"Host": f"attacker.example:{s.port}"}),
        ("Host with another port", "GET", "/api/corrections", None, {"Host": "127.0.0.1:1"}),
    ]


def test_cross_site_requests_are_refused_and_change_nothing(server):
    status, created = server.json("POST", "/api/corrections", {"text": "eerste", "section": "4.7"})
    assert status == 201  # a statement that a cross-site decision could target
    before = server.counts()
    for what, method, path, body, headers in cross_site_patterns(server):
        status, hdrs, data = server.request(method, path, body, headers)
        assert status in (400, 403, 415), f"{what}: {status} {data[:200]!r}"
        assert "error" in json.loads(data), what
    assert server.counts() == before
    status, corrections = server.json("GET", "/api/corrections")
    assert [c["text"] for c in corrections["corrections"]] == ["eerste"]
    assert server.json("GET", "/api/train")[1]["state"] == "idle"


def test_an_undo_from_another_site_is_refused_and_a_scripts_undo_is_kept(server):
    """QA 46b D14's undo takes a body ({"who"}): it stays under the same checks as every other write."""
    status, created = server.json("POST", "/api/corrections", {"text": "ongedaan te maken", "section": "4.7"})
    assert status == 201
    url = f"/api/statements/{created['statement_id']}/decision?decision={created['id']}"
    before = server.counts()
    who = json.dumps({"who": "mallory"})
    for headers in ({"Content-Type": "text/plain", "Origin": "http://evil.example"},
                    {"Content-Type": "application/json", "Origin": "null"},
                    {"Content-Type": "text/plain"},
                    {"Content-Type": "application/x-www-form-urlencoded"},
                    {"Content-Type": "application/json", "Host": f"attacker.example:{server.port}",
                     "Origin": f"http://attacker.example:{server.port}"}):
        status, _h, data = server.request("DELETE", url, who, headers)
        assert status in (400, 403, 415) and "error" in json.loads(data), (headers, status, data[:200])
    status, _h, data = server.request("DELETE", url, who, token=False)
    assert status == 403
    assert server.counts() == before
    status, _h, data = server.request("DELETE", url, json.dumps({"who": "script"}),
                                      {"Content-Type": "application/json"})
    assert status == 200 and json.loads(data)["undone"] == 1
    status, undone = server.json("GET", "/api/decisions/undone")
    assert [(u["text"], u["undone_by"]) for u in undone["undone"]][-1] == ("ongedaan te maken", "script")


def test_the_refusals_say_why(server):
    status, hdrs, data = server.request("POST", "/api/corrections", CORRECTION, {"Content-Type": "text/plain"})
    assert status == 415 and "application/json" in json.loads(data)["error"]
    status, hdrs, data = server.request("POST", "/api/corrections", CORRECTION,
                                        {"Content-Type": "application/json", "Origin": "null"})
    assert status == 403 and "cross-site" in json.loads(data)["error"]
    status, hdrs, data = server.request("GET", "/export?format=jsonl", None, {"Host": f"attacker.example:{server.port}"})
    assert status == 400 and "--allow-host" in json.loads(data)["error"]
    status, hdrs, data = server.request("POST", "/paste", FORM, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and "CSRF" in json.loads(data)["error"]


def test_scripts_and_the_screen_itself_still_work(server):
    before = server.counts()
    # a script: no Origin, no Referer, JSON as before
    status, body = server.json("POST", "/api/corrections", {"text": "van een script", "section": "2.6"})
    assert status == 201 and body["who"] == "analyst"
    # the screen's own page: Origin (fetch) or Referer of this server; localhost is this server too
    assert server.json("POST", "/api/corrections", {"text": "van de pagina", "section": "2.6"},
                       {"Origin": server.origin})[0] == 201
    assert server.json("POST", "/api/corrections", {"text": "via localhost", "section": "2.6"},
                       {"Host": f"localhost:{server.port}", "Origin": f"http://localhost:{server.port}"})[0] == 201
    assert server.json("POST", "/api/corrections", {"text": "met referer", "section": "2.6"},
                       {"Referer": server.origin + "/review?doc=1"})[0] == 201
    # a form with the session's token (what the page renders) goes through
    cookie, token = server.csrf()
    status, hdrs, data = server.request("POST", "/paste", FORM + f"&csrf={token}",
                                        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                                         "Origin": server.origin})
    assert status == 303, data
    after = server.counts()
    assert after["statements"] == before["statements"] + 4 and after["decisions"] == before["decisions"] + 4
    assert after["documents"] == before["documents"] + 1 and after["uploads"] == before["uploads"] + 1


def test_security_headers_on_every_response(server):
    for path in ("/", "/review", "/api/sections", "/static/app.js", "/nope"):
        status, hdrs, _ = server.request("GET", path)
        assert hdrs["x-frame-options"] == "DENY", path
        csp = hdrs["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert hdrs["referrer-policy"] in ("no-referrer", "same-origin")
        assert hdrs["x-content-type-options"] == "nosniff"
        # QA 38: notes and decisions never go to the browser's disk cache (the screen's own script and style may)
        assert hdrs.get("cache-control") == ("no-store" if not path.startswith("/static/") else None), path
    status, hdrs, html = server.request("GET", "/")
    assert b"<script>" not in html and b" style=" not in html and b"onchange=" not in html  # nothing inline


def test_who_redirects_only_to_this_server(server):
    cookie, token = server.csrf()
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    cases = [(server.origin + "//evil.example/x", "/"),
             (server.origin + "/\\evil.example", "/"),
             (server.origin + "/review?doc=1&token=secret", "/review?doc=1"),
             (server.origin + "/overview", "/overview")]
    for referer, location in cases:
        status, hdrs, _ = server.request("POST", "/who", f"who=anna&csrf={token}", {**form, "Referer": referer})
        assert status == 303 and hdrs["location"] == location, (referer, hdrs.get("location"))
    status, hdrs, _ = server.request("POST", "/who", f"who=anna&csrf={token}", {**form, "Referer": "http://evil.example/"})
    assert status == 403


def test_allow_host_admits_a_named_host(tmp_path):
    s = Server(tmp_path / "data", "--allow-host", "review.local")
    try:
        assert s.request("GET", "/api/sections", None, {"Host": f"review.local:{s.port}"})[0] == 200
        assert s.request("GET", "/api/sections", None, {"Host": "review.local"})[0] == 200  # behind a proxy
        assert s.request("GET", "/api/sections", None, {"Host": f"other.local:{s.port}"})[0] == 400
        assert s.request("GET", "/api/sections", None, {"Host": "é"})[0] == 400
    finally:
        assert s.stop() == 0  # Ctrl-C stops the server cleanly


# ---------------------------------------------------------------- hostile files

def bomb_docx(unpacked_mb: int) -> bytes:
    """A real .docx (examples/verslag.docx) whose document.xml is ``unpacked_mb`` MB of zeros: a few hundred KB."""
    src = zipfile.ZipFile(REPO / "examples" / "verslag.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename == "word/document.xml":
                big = zipfile.ZipInfo("word/document.xml")
                big.compress_type = zipfile.ZIP_DEFLATED
                with z.open(big, "w", force_zip64=True) as fh:
                    block = b"0" * (1 << 20)
                    for _ in range(unpacked_mb):
                        fh.write(block)
            else:
                z.writestr(info, src.read(info.filename))
    return out.getvalue()


def many_entries_xlsx(n: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for i in range(n):
            z.writestr(f"xl/e{i}.xml", b"")
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(server):
    bomb = bomb_docx(400)
    assert len(bomb) < 2_000_000  # compressed: a few hundred KB, well under the 20 MB upload limit
    before = server.counts()
    rss_before = server.rss_kb()
    cookie, token = server.csrf()
    sys.path.insert(0, str(REPO / "tests"))
    from pdf_samples import bomb_stream, pdf

    pdf_bomb = pdf(server.data.parent / "bomb.pdf", [["Knelpunten"], ["Te weinig opvang."]],
                   streams={1: bomb_stream(400)}).read_bytes()
    for name, data in (("bomb.docx", bomb), ("bomb.odt", bomb), ("bomb.pptx", bomb), ("bomb.xlsx", bomb),
                       ("bomb.pdf", pdf_bomb), ("entries.xlsx", many_entries_xlsx(6000))):
        body, ctype = multipart({"csrf": token, "split": "paragraph"}, {"file": (name, data)})
        status, hdrs, reply = server.request("POST", "/upload", body, {"Content-Type": ctype, "Cookie": cookie})
        assert status == 413, (name, reply)
        message = json.loads(reply)["error"]
        assert name in message and (re.search(r"unpacks to 40\d MB \(limit 50 MB\)", message) or "6,000 entries" in message
                                    or "page 2 unpacks to more than 10 MB" in message), message
    grown_mb = (server.rss_kb() - rss_before) / 1024
    assert grown_mb < 50, f"the server grew by {grown_mb:.0f} MB"
    assert server.counts() == before  # nothing stored, no file left in uploads/


def test_an_upload_over_the_statement_cap_is_413(tmp_path):
    s = Server(tmp_path / "data", "--max-statements", "5")
    try:
        cookie, token = s.csrf()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        text = "%0A%0A".join(f"Notitie+{i}." for i in range(6))
        status, _, reply = s.request("POST", "/paste", f"text={text}&csrf={token}", headers)
        assert status == 413 and "more than 5 statements" in json.loads(reply)["error"]
        assert s.counts()["documents"] == 0
        text = "%0A%0A".join(f"Notitie+{i}." for i in range(5))
        assert s.request("POST", "/paste", f"text={text}&csrf={token}", headers)[0] == 303
    finally:
        s.stop()


# ---------------------------------------------------------------- bad input: 4xx JSON, connection kept

BIG = str(2 ** 63)


def bad_inputs(s: Server, text_doc: int) -> list[tuple[str, str, str, bytes | str | None, dict]]:
    j = {"Content-Type": "application/json"}
    return [
        ("lone surrogate in a correction", "POST", "/api/corrections", '{"text": "\\ud800", "section": "4.7"}', j),
        ("lone surrogate in the analyst", "POST", "/api/corrections",
         '{"text": "x", "section": "4.7", "who": "\\udfff"}', j),
        ("lone surrogate as section", "POST", "/api/corrections", '{"text": "x", "section": "\\ud800"}', j),
        ("lone surrogate to classify", "POST", "/api/classify", '{"texts": ["a\\udc80b"]}', j),
        ("lone surrogate as a key", "POST", "/api/classify", '{"texts": ["a"], "\\ud800": 1}', j),
        ("lone surrogate in a decision", "POST", "/api/statements/1/decision", '{"section": "\\ud800"}', j),
        ("id 2^63 in a decision", "POST", f"/api/statements/{BIG}/decision", '{"section": "4.7"}', j),
        ("id 2^63 of a document", "GET", f"/api/documents/{BIG}", None, {}),
        ("id 2^64 of a document", "GET", f"/api/documents/{2 ** 64}", None, {}),
        ("model version 2^63", "POST", f"/api/models/{BIG}/use", None, {}),
        ("column page 2^63", "GET", f"/documents/{BIG}/column", None, {}),
        ("100,000-deep JSON", "POST", "/api/classify", "[" * 100_000 + "]" * 100_000, j),
        ("100,000-deep JSON in a field", "POST", "/api/corrections",
         '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", j),
        ("the column page of a text document", "GET", f"/documents/{text_doc}/column", None, {}),
        ("picking a column of a text document", "POST", f"/documents/{text_doc}/column", "column=x",
         {"Content-Type": "application/x-www-form-urlencoded"}),
        ("a non-ASCII Host", "GET", "/api/sections", None, {"Host": "ë.example"}),
        ("a Host with a non-ASCII port", "GET", "/api/sections", None, {"Host": "127.0.0.1:²"}),
    ]


def test_bad_input_is_4xx_json_and_keeps_the_connection(server):
    cookie, token = server.csrf()
    status, hdrs, _ = server.request("POST", "/paste", f"text=Een+tekst.&name=tekst&csrf={token}",
                                     {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    assert status == 303
    text_doc = max(d["id"] for d in server.json("GET", "/api/documents")[1]["documents"] if d["kind"] == "text")
    server.request("GET", "/api/sections")
    sock = server.conn.sock
    for what, method, path, body, headers in bad_inputs(server, text_doc):
        status, hdrs, data = server.request(method, path, body, {"Cookie": cookie, **headers})
        assert 400 <= status < 500, f"{what}: {status} {data[:300]!r}"
        assert hdrs.get("connection", "").lower() != "close", what
        assert json.loads(data)["error"], what
        assert server.conn.sock is sock, f"{what}: the connection was dropped"
    # a filter by a document that cannot exist is simply empty
    assert server.json("GET", f"/api/statements?document={BIG}") == (200, {"statements": []})
    # odd filter values are said, not dropped (QA 42b): a 400, and the connection kept
    for odd in ("chapter=%C2%B2", "threshold=nan", f"page={'9' * 5000}"):
        assert server.request("GET", f"/review?{odd}")[0] == 400, odd
        assert server.conn.sock is sock, odd
    # on a page a document that cannot exist is said (QA 39: an empty page under "all documents"), as a 4xx
    assert server.request("GET", f"/review?doc={BIG}")[0] == 400


def test_a_request_that_cannot_be_parsed_is_a_json_400(server):
    """No Host, two Hosts or a broken request line never reach the app; the HTTP layer refuses them, and says so as
    the app does (it was uvicorn's plain-text "Invalid HTTP request received.")."""
    import socket

    for what, raw in (("no Host", b"GET /api/sections HTTP/1.1\r\n\r\n"),
                      ("two Hosts", b"GET /api/sections HTTP/1.1\r\nHost: " + server.host.encode()
                       + b"\r\nHost: attacker.example\r\n\r\n"),
                      ("a broken request line", b"GARBAGE\r\n\r\n")):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(raw)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), (what, data[:200])
        assert b"content-type: application/json" in head.lower(), (what, head)
        assert json.loads(body)["error"].startswith("bad HTTP request"), (what, body)
    assert server.request("GET", "/api/sections")[0] == 200  # the server goes on


def test_ctrl_c_exits_0(tmp_path):
    s = Server(tmp_path / "data")
    assert s.request("GET", "/api/sections")[0] == 200
    assert s.stop() == 0
    rest = s.proc.stdout.read()
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest


def test_a_damaged_database_is_refused_with_one_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "mh-nlp.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    proc = subprocess.run([sys.executable, "-c", "from mh_nlp.cli import main; main()", "serve", "--port", "0",
                           "--data", str(data)], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
    assert len(lines) == 1 and "mh-nlp.sqlite" in lines[0] and "backup" in lines[0], lines


def test_responses_do_not_wait_for_a_delayed_ack(server):
    """Without TCP_NODELAY every keep-alive response waited ~40 ms (Nagle against the client's delayed ACK):
    the socket made for uvicorn has proto 0, so asyncio did not set it. 48 ms a request before, ~3 ms after."""
    server.request("GET", "/api/sections")
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        assert server.request("GET", "/api/sections")[0] == 200
        times.append(time.perf_counter() - t0)
    times.sort()
    assert times[len(times) // 2] < 0.025, [round(t * 1000) for t in times]


def test_two_origin_headers_are_refused(make_app):
    """No browser sends two Origin (or Referer) headers; which one a check reads must not matter."""
    from fastapi.testclient import TestClient

    with TestClient(make_app()) as c:
        r = c.post("/api/classify", json={"texts": ["Meer opvang."]},
                   headers=[("origin", "http://evil.example"), ("origin", "http://testserver")])
        assert r.status_code == 400 and r.json()["error"] == "more than one Origin header", r.text
        r = c.post("/api/classify", json={"texts": ["Meer opvang."]},
                   headers=[("referer", "http://evil.example/"), ("referer", "http://testserver/")])
        assert r.status_code == 400 and r.json()["error"] == "more than one Referer header", r.text


def test_another_page_cannot_start_an_export(server):
    """QA 38: any web page could make the analyst's browser download a full export (a link or an image): the page
    cannot read it, but it lands in the downloads and costs the server a minute at 100,000 statements."""
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                    {"Referer": "http://evil.example/"}):
        status, _h, data = server.request("GET", "/export?format=csv", headers=headers)
        assert status == 403 and "from the screen itself" in json.loads(data)["error"], (headers, data)
    for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {"Referer": server.origin + "/"},
                    {}):  # the screen's own link, a typed address, a script
        status, _h, data = server.request("GET", "/export?format=csv", headers=headers)
        assert status == 200, (headers, data[:200])


def test_on_loopback_too_every_request_needs_the_token(server):
    """QA 38: 127.0.0.1 is shared by every account on the machine; another user read and removed documents."""
    for method, path in (("GET", "/"), ("GET", "/api/statements?limit=1"), ("GET", "/export?format=csv"),
                         ("DELETE", "/api/documents/1"), ("GET", "/api/decisions/undone"),
                         ("DELETE", "/api/statements/1/decision")):
        status, _h, data = server.request(method, path, token=False)
        assert status == 403 and "a token is required" in json.loads(data)["error"], (method, path)
    status, hdrs, _ = server.request("GET", f"/?token={server.token}", token=False)  # the printed address
    from mh_nlp.app.server import private_path

    where = private_path(server.token)  # QA 52b S1: the pages and their cookies under a path of their own
    assert status == 303 and hdrs["location"] == where + "/"  # (its cookies: the test below)


def _screen(make_app, token="t0ken-of-the-screen"):
    from fastapi.testclient import TestClient

    from mh_nlp.app.server import private_path

    return TestClient(make_app(token=token), base_url="http://127.0.0.1:8000"), private_path(token), token


def test_the_screens_cookies_reach_no_other_port_and_a_planted_one_is_not_read(make_app):
    """QA 52b S1: cookies go to every port of 127.0.0.1 (RFC 6265 §8.5), so the token cookie reached any other local
    listener, which then read every statement and the export with it. S2: a page of another port planted the analyst's
    name (decisions saved as 'Mallory') and a second token cookie that locked the analyst out. Now the pages live under
    a private path derived from the token: the browser's cookies are scoped to it and named with its key (never sent
    elsewhere), a cookie is read there only, and a stolen or planted one is not taken."""
    c, where, token = _screen(make_app)
    with c:
        first = c.get(f"/?token={token}", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == where + "/"
        cookies = first.headers.get_list("set-cookie")
        mine = [h for h in cookies if h.startswith("mh_token_")]
        assert len(mine) == 1 and f"Path={where};" in mine[0] + ";" and "HttpOnly" in mine[0] and token in mine[0]
        assert "mh_token=; Max-Age=0; Path=/" in cookies  # an older screen's cookie of every path is taken back
        page = c.get(where + "/")
        assert page.status_code == 200 and c.get(where).status_code == 200  # without the last slash too (QA 52c R4)
        links = re.findall(r'(?:href|src|action)="(/[^"]*)"', page.text)
        assert links and all(link.startswith(where + "/") for link in links), links
        assert c.get(where + "/api/documents").status_code == 200  # the browser's cookie, under the path
        name = mine[0].split("=", 1)[0]
        stolen = {"Cookie": f"mh_token={token}; {name}={token}"}  # a service on another port got both: no use there
        with type(c)(c.app, base_url="http://127.0.0.1:8000", cookies={}) as other:
            assert other.get("/api/documents", headers=stolen).status_code == 403
            # planted on another port (any path but the private one): ignored, and no lock-out
            planted = {"Cookie": f"mh_token=wrong; mh_who=Mallory; {name}={token}"}
            r = other.get(where + "/api/documents", headers=planted)
            assert r.status_code == 200
            who = other.get(where + "/", headers=planted).text
            assert "Mallory" not in who
            own = {"Cookie": f"{name}={token}; mh_who{name[8:]}=Mallory"}  # the screen's own name cookie is read
            assert "Mallory" in other.get(where + "/", headers=own).text
        r = c.post(where + "/who", data={"who": "Anna", "csrf": c.cookies.get(f"mh_csrf{name[8:]}")},
                   headers={"Origin": "http://127.0.0.1:8000"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith(where + "/")
        set_who = [h for h in r.headers.get_list("set-cookie") if h.startswith("mh_who")]
        assert set_who and set_who[0].startswith(f"mh_who{name[8:]}=Anna") and f"Path={where};" in set_who[0] + ";"


def test_a_bookmark_without_the_token_gets_a_page_not_json(server):
    """QA 38: an analyst opening a bookmark of the bare address (or an old tab after a restart) got raw JSON."""
    status, hdrs, data = server.request("GET", "/review", headers={"Accept": "text/html,application/xhtml+xml"},
                                        token=False)
    assert status == 403 and hdrs["content-type"].startswith("text/html")
    page = data.decode()
    assert "with ?token=" in page
    assert 'href="/"' not in page  # no "back" link into another 403
    status, hdrs, data = server.request("GET", "/api/statements?limit=1", headers={"Accept": "text/html"},
                                        token=False)
    assert status == 403 and "a token is required" in json.loads(data)["error"]  # the API stays JSON
    # a form in a tab from before a restart (QA 39 re-test): a page too, and nothing done
    status, hdrs, data = server.request("POST", "/paste", body="text=x", token=False,
                                        headers={"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and hdrs["content-type"].startswith("text/html") and "?token=" in data.decode()


def test_a_stale_link_in_the_browser_gets_a_page_not_json(server):
    """QA 39: a link to a removed document's column page, or to a text document's, showed raw JSON."""
    for path, said in (("/documents/999/column", "no document 999"), ("/no-such-page", "Not Found")):
        status, hdrs, data = server.request("GET", path, headers={"Accept": "text/html"})
        assert status in (400, 404) and hdrs["content-type"].startswith("text/html"), (path, data[:200])
        assert said in data.decode() and 'href="/"' in data.decode()
        status, hdrs, data = server.request("GET", path)  # a script gets JSON
        assert status == 404 and said in json.loads(data)["error"]


def test_head_of_an_export_does_not_build_it(server):
    """QA 38: HEAD /export built the whole export (a minute at 100,000 statements) to send no body."""
    status, hdrs, data = server.request("HEAD", "/export?format=csv")
    assert status == 405 and hdrs["allow"] == "GET" and data == b""
    assert server.request("GET", "/export?format=csv")[0] == 200


def test_the_token_survives_a_restart_unless_a_new_one_is_asked_for(tmp_path):
    """QA 39: every restart made a new token, so every open tab and bookmark of the analyst stopped working."""
    data = tmp_path / "data"
    first = Server(data)
    try:
        token = first.token
    finally:
        first.stop()
    again = Server(data)
    try:
        assert again.token == token  # the same printed address: open tabs and bookmarks keep working
        assert again.request("GET", "/api/statements?limit=1")[0] == 200
    finally:
        again.stop()
    fresh = Server(data, "--new-token")
    try:
        assert fresh.token != token
        said = "".join(fresh.output)  # QA 46a #8: no "screen already running", which a second serve cannot be
        assert "the address printed below replaces the old one" in said and "already running" not in said
        status, _h, data_ = fresh.request("GET", "/api/statements?limit=1", headers={"Authorization": f"Bearer {token}"},
                                          token=False)
        assert status == 403  # the old address is refused from now on
    finally:
        fresh.stop()
    later = Server(data)  # and the new one is the folder's token from then on
    try:
        assert later.token == fresh.token
    finally:
        later.stop()


def test_the_token_is_not_kept_where_other_users_can_read_it(tmp_path):
    """QA 39 re-test 3: the token was stored in a database that other users of the machine could read (a folder
    made before the screen set its own permissions): they could then act on the screen, not only read the notes."""
    data = tmp_path / "data"
    first = Server(data)
    first.stop()
    data.chmod(0o755)
    (data / "mh-nlp.sqlite").chmod(0o644)
    tokens, outputs = [], []
    for _ in range(2):
        s = Server(data)
        try:
            tokens.append(s.token)
            outputs.append("".join(s.output))
        finally:
            s.stop()
    assert tokens[0] != tokens[1] and tokens[0] != first.token  # a new one each start, none read from the file
    assert "until then no token is kept" in outputs[0] and "a token kept before is retired" in outputs[0]
    assert "already running" not in outputs[0]  # QA 46a #8: a second serve on the folder is refused
    import sqlite3

    db = sqlite3.connect(data / "mh-nlp.sqlite")
    kept = db.execute("SELECT value FROM settings WHERE key = 'access_token'").fetchone()
    db.close()
    assert kept is None  # the token kept before sat where others could read it: retired
    # QA 40: it came back once the folder was private again, even after --new-token on the open folder
    data.chmod(0o700)
    (data / "mh-nlp.sqlite").chmod(0o600)
    private = Server(data)
    try:
        assert private.token != first.token and private.token not in tokens
    finally:
        private.stop()


def test_a_new_token_that_cannot_be_kept_is_refused(tmp_path, monkeypatch):
    """QA 39 re-test 3: --new-token on a read-only data folder printed a new token, and the old one came back at
    the next start."""
    import sqlite3

    from mh_nlp.app import db as appdb
    from mh_nlp.app.server import create_app

    real = appdb.Store.set_setting

    def read_only(self, key, value):
        if key == "access_token":
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(self, key, value)

    monkeypatch.setattr(appdb.Store, "set_setting", read_only)
    with pytest.raises(RuntimeError, match="cannot keep a new token"):
        create_app(tmp_path / "d", token="n" * 32, keep_token=False, model_path=tmp_path / "none.npz")


def test_head_is_answered_like_get_without_a_body(server):
    """QA 38: HEAD / was a 405, though HEAD counts as a safe method."""
    status, hdrs, body = server.request("GET", "/")
    hstatus, hhdrs, hbody = server.request("HEAD", "/")
    assert (hstatus, hbody) == (200, b"") and status == 200 and body
    assert hhdrs["content-type"] == hdrs["content-type"] and hhdrs.get("cache-control") == "no-store"
    assert server.request("HEAD", "/", token=False)[0] == 403


def test_a_host_name_is_printed_as_the_address_it_was_bound_to(tmp_path):
    """QA 52b S3: `serve --host localhost` listened on 127.0.0.1 but printed http://localhost:PORT/?token=…, which a
    browser may try at [::1] first, where another user of the machine could listen and receive the token."""
    s = Server(tmp_path / "data", "--host", "localhost")  # the helper reads the printed http://127.0.0.1:PORT/?token=
    try:
        printed = "".join(s.output)
        assert "http://localhost" not in printed and f"http://127.0.0.1:{s.port}/?token=" in printed
        assert s.request("GET", "/api/sections", headers={"Host": f"localhost:{s.port}"})[0] == 200  # still answers
    finally:
        s.stop()


def test_the_screens_styles_and_favicon_need_no_token(make_app):
    """QA 52c R5: every page logged a 403 for /favicon.ico, and the 403 page a browser without the cookie sees was
    unstyled (its stylesheet was refused too). They hold nothing of the analyst's; the rest still needs the token."""
    c, _where, _token = _screen(make_app)
    with c:
        assert c.get("/static/app.css").status_code == 200 and c.get("/favicon.ico").status_code < 400
        assert c.get("/api/sections").status_code == 403 and c.get("/").status_code == 403
        assert c.post("/static/app.css").status_code in (403, 405)
