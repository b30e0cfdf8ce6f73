"""Speed of the review screen with the default model: one statement through ``POST /api/classify`` (the model
stays loaded in the server), and a 500-statement upload labelled to the end.

    .venv/bin/python benchmarks/bench_serve.py [--statements 500] [--repeats 20]

Runs ``mh-nlp serve`` on 127.0.0.1 and a free port in a temporary data directory and talks to it over HTTP,
as a browser does. Statements are the example notes with a running number, so each is new to the embedding
cache (set MH_NLP_CACHE to a fresh directory to measure a cold cache; by default a temporary one is used).
Aims: < 150 ms per single classify, < 30 s for 500 statements.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def example_lines() -> list[str]:
    sys.path.insert(0, str(REPO / "src"))
    from mh_nlp.io.readers import read_statements

    out = []
    for p in sorted((REPO / "examples").iterdir()):
        if p.suffix in {".md", ".txt", ".csv", ".docx"} and p.name != "README.md":
            out += [s.text for s in read_statements(p)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("MH_NLP_CACHE", str(tmp / "cache"))
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", "from mh_nlp.cli import main; main()", "serve", "--port", "0",
                             "--data", str(tmp / "data")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    try:
        url = None
        while url is None:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit("server did not start")
            m = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            url = m.group(1) if m else None
        c = httpx.Client(base_url=url, timeout=300)
        c.post("/api/classify", json={"texts": ["opwarmen"]})  # waits for the model to be loaded and warm
        print(f"server up and model warm: {time.monotonic() - t0:.1f} s")
        lines = example_lines()
        single = []
        for i in range(args.repeats):
            text = f"{lines[i % len(lines)]} (vraag {i})"  # new to the cache: a real embedding each time
            t = time.perf_counter()
            r = c.post("/api/classify", json={"texts": [text]})
            single.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
        print(f"single classify, new statement ({args.repeats} requests): median {statistics.median(single):.0f} ms, "
              f"max {max(single):.0f} ms (aim < 150 ms)")
        body = "\n\n".join(f"{lines[i % len(lines)]} ({i})" for i in range(args.statements))
        t = time.perf_counter()
        r = c.post("/upload", files={"file": ("bench.txt", body.encode())}, follow_redirects=False)
        assert r.status_code == 303, r.text
        while True:
            docs = c.get("/api/documents").json()["documents"]
            d = docs[-1]
            if d["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
        took = time.perf_counter() - t
        print(f"upload of {d['total']} statements labelled in {took:.1f} s ({d['total'] / took:.0f}/s, status "
              f"{d['status']}) (aim < 30 s for 500)")
        print(json.dumps({"single_ms_median": round(statistics.median(single), 1), "single_ms_max": round(max(single), 1),
                          "upload_statements": d["total"], "upload_seconds": round(took, 2)}))
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
