"""A hostile or clumsy client against the screen (QA 41a): one server per data folder, redirects that stay on this
server, bodies that are too large or not quite JSON, inputs whose reading would take minutes."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from mh_nlp.app.db import FolderInUse
from tests.app.test_security import Server


def test_a_second_server_on_the_same_data_folder_is_refused_before_it_changes_anything(tmp_path):
    first = Server(tmp_path / "data")
    try:
        res = subprocess.run([sys.executable, "-c", "from mh_nlp.cli import main; main()", "serve", "--port", "0",
                              "--data", str(tmp_path / "data")], capture_output=True, text=True, timeout=120)
        assert res.returncode == 1 and "Traceback" not in res.stderr
        assert f"another mh-nlp serve (pid {first.proc.pid}) is using this data folder" in res.stderr
        assert first.request("GET", "/api/sections")[0] == 200  # the first one serves on
    finally:
        first.stop()
    again = Server(tmp_path / "data")  # the lock went with the process
    again.stop()


def test_a_second_app_in_another_process_is_refused_but_one_process_may_make_two(tmp_path, make_app):
    make_app(data_dir=tmp_path / "d")
    make_app(data_dir=tmp_path / "d")  # tests (and restarts within one process) share the lock
    code = "from mh_nlp.app.server import create_app; import sys; create_app(sys.argv[1])"
    res = subprocess.run([sys.executable, "-c", code, str(tmp_path / "d")], capture_output=True, text=True, timeout=120)
    assert res.returncode != 0 and FolderInUse.__name__ in res.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("hostile-data"))
    yield s
    s.stop()


@pytest.mark.parametrize("path, location", [
    ("/%0d%0aSet-Cookie:%20x=1", "/"), ("/%00", "/"), ("/%5Cevil.example", "/"), ("/%09/evil.example", "/"),
    ("/%2F%2Fevil.example", "/"), ("/review", "/review"), ("/review%20x", "/review%20x")])
def test_the_token_link_redirects_only_to_a_path_of_this_server(server, path, location):
    from mh_nlp.app.server import private_path

    where = private_path(server.token)  # the pages live under the screen's private path (QA 52b S1)
    status, headers, _ = server.request("GET", f"{path}?token={server.token}", token=False)
    assert status == 303 and headers["location"] == where + location
    status, headers, _ = server.request("GET", f"{where}{path}?token={server.token}", token=False)  # under it too
    assert status == 303 and headers["location"] == where + location


def test_a_client_that_goes_away_mid_body_leaves_no_traceback(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(f"POST /api/statements/1/decision HTTP/1.1\r\nHost: {server.host}\r\nAuthorization: Bearer "
                     f"{server.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"se".encode())
    time.sleep(1.0)
    assert server.request("GET", "/api/sections")[0] == 200
    server.proc.stdout.flush()


def test_bodies_that_are_too_large_or_hold_overlong_numbers_are_refused_with_a_message(server):
    status, body = server.json("DELETE", "/api/documents/999999", {"x": "y" * 10_000})
    assert status == 413 and body["error"] == "this request takes no body"
    status, _, data = server.request("POST", "/api/classify", b"[" + b"1," * 1_100_000 + b"1]",
                                     {"Content-Type": "application/json"})
    assert status == 413 and b"JSON body of more than 2 MB" in data
    status, _, data = server.request("POST", "/api/corrections", '{"text": "Meer opvang.", "seen": 1' + "0" * 5000 + "}",
                                     {"Content-Type": "application/json"})
    assert status == 400 and json.loads(data)["error"] == "a number in the JSON has too many digits"


def test_paging_by_offset_needs_a_limit_and_an_undo_names_the_decision_of_another_statement(server):
    status, body = server.json("GET", "/api/statements?offset=5")
    assert status == 400 and "limit" in body["error"]
    status, body = server.json("POST", "/api/corrections", {"text": "Er is te weinig opvang voor mannen.",
                                                             "section": "2.6"})
    assert status == 201
    status, one = server.json("POST", "/api/corrections", {"text": "Meer zicht op arbeidsuitbuiting in de bouw.",
                                                            "section": "4.2"})
    first, second = body["statement_id"], one["statement_id"]
    status, body = server.json("DELETE", f"/api/statements/{first}/decision?decision={one['id']}")
    assert status == 400 and body["error"] == f"decision {one['id']} is not a decision on statement {first}"
    assert first != second


def test_the_server_output_holds_no_traceback(server):
    server.stop()
    assert "Traceback" not in "".join(server.output) + server.proc.stdout.read()


def test_a_form_value_the_screen_does_not_send_is_refused_not_read_as_the_default(client, csrf):
    token = csrf(client)
    for field, value, said in (("split", "word", "split must be paragraph or sentence"),
                               ("in_order", "yes", "in_order must be on or off")):
        r = client.post("/paste", data={"csrf": token, "text": "De wachtlijsten zijn te lang.", field: value},
                        headers={"Accept": "application/json"}, follow_redirects=False)
        assert r.status_code == 400 and said in r.json()["error"]
    files = [("file", ("a.txt", b"Een notitie.")), ("file", ("b.txt", b"Nog een notitie."))]
    r = client.post("/upload", data={"csrf": token}, files=files, headers={"Accept": "application/json"},
                    follow_redirects=False)
    assert r.status_code == 400 and "one file per upload" in r.json()["error"]
    assert client.get("/api/documents").json()["documents"] == []


def test_a_pasted_nul_is_refused_at_once_and_an_encrypted_package_says_so(client, csrf, tmp_path):
    token = csrf(client)
    r = client.post("/paste", data={"csrf": token, "text": "De wachtlijsten\x00 zijn lang."},
                    headers={"Accept": "application/json"}, follow_redirects=False)
    assert r.status_code == 400 and "NUL" in r.json()["error"]
    r = client.post("/paste", data={"csrf": token, "text": "...\n---\n???"}, headers={"Accept": "application/json"},
                    follow_redirects=False)  # QA 42b: marks only made an empty document
    assert r.status_code == 400 and r.json()["error"] == "the pasted text holds no words: nothing to label"
    assert client.get("/api/documents").json()["documents"] == []
    r = client.post("/upload", data={"csrf": token}, files=[("file", ("tekens.txt", b"...\n---\n12345\n"))],
                    headers={"Accept": "application/json"}, follow_redirects=False)  # QA 42c: a file of them too
    assert r.status_code < 400, r.text
    client.app.state.labeller.wait(60)
    (doc,) = client.get("/api/documents").json()["documents"]
    assert doc["status"] == "failed" and "holds no words (only numbers or marks)" in doc["error"], doc
    client.delete(f"/api/documents/{doc['id']}")
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buf.getvalue())
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # the entries flagged as encrypted
        i = data.find(sig)
        data[i + at] |= 1
    from mh_nlp.io.readers import ReadError, read_statements

    path = tmp_path / "beveiligd.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError, match="protected with a password"):
        list(read_statements(path))


def test_a_connection_that_never_finishes_its_headers_is_closed(tmp_path):
    from mh_nlp.cli.serve import HEADER_SECONDS

    s = Server(tmp_path / "data")
    try:
        with socket.create_connection(("127.0.0.1", s.port)) as slow:
            slow.sendall(f"GET /api/sections HTTP/1.1\r\nHost: {s.host}\r\n".encode())  # and never the blank line
            slow.settimeout(HEADER_SECONDS + 20)
            t0 = time.monotonic()
            assert slow.recv(100) == b""  # closed by the server
            assert HEADER_SECONDS - 1 < time.monotonic() - t0 < HEADER_SECONDS + 15
        with socket.create_connection(("127.0.0.1", s.port)) as fine:  # a request in several pieces still works
            for piece in ("GET /api/sections HTTP/1.1\r\n", f"Host: {s.host}\r\n",
                          f"Authorization: Bearer {s.token}\r\n\r\n"):
                fine.sendall(piece.encode())
                time.sleep(0.5)
            fine.settimeout(30)
            assert fine.recv(12).startswith(b"HTTP/1.1 200")
    finally:
        s.stop()


def test_a_long_note_read_in_order_is_embedded_slice_by_slice_and_reads_as_the_library_does(client):
    """A note of several slices is embedded slice by slice first (so that an abandoned one stops within a slice),
    then read in order as one piece: the same answers as the library's reading of the whole note."""
    from mh_nlp.app.engine import slices
    from mh_nlp.corpus.records import training_quotes
    from mh_nlp.themes.train import load_classifier

    note = [q.text for q in training_quotes()[:70]]
    assert len(slices(note)) > 1
    r = client.post("/api/classify", json={"texts": note, "in_order": True})
    assert r.status_code == 200, r.text
    want = load_classifier().predict_details(note, in_order=True)
    assert [p["section"] for p in r.json()["predictions"]] == [d.section for d in want]
    assert r.json()["read_in_order"]["stay"] == round(want[0].note_stay, 4)


def test_an_undo_naming_a_decision_that_never_was_says_so(client):
    r = client.post("/api/corrections", json={"text": "Er is te weinig opvang voor mannen.", "section": "2.6"})
    statement, decision = r.json()["statement_id"], r.json()["id"]
    r = client.delete(f"/api/statements/{statement}/decision?decision={decision + 1000}")
    assert r.status_code == 400 and r.json()["error"].startswith(f"there is no decision {decision + 1000}")
    assert client.get("/api/statements?offset=2&document=0").status_code == 400


def test_runs_of_mixed_marks_are_cut_before_spacy_too():
    from mh_nlp.nlp.normalize import MAX_MARK_RUN, normalize

    assert normalize("Jan " + "_)." * 3000 + " wachtlijsten") == "Jan " + ("_)." * 7)[:MAX_MARK_RUN] + " wachtlijsten"
