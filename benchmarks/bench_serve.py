"""Speed of the review screen with the default model: one statement through ``POST /api/classify`` (the model
stays loaded in the server), and a 500-statement upload labelled to the end.

    .venv/bin/python benchmarks/bench_serve.py [--statements 500] [--repeats 20]
    .venv/bin/python benchmarks/bench_serve.py --scale 100000     # a store of 100,000 statements

With ``--scale N`` the data directory is first filled with N labelled statements, inserted directly (10
documents, one decision per ten statements), and the run times the review page (first, filtered and a later
page), the overview and the .xlsx export against it, with the server's peak memory (VmHWM). Aims at 100,000:
a review view <= 300 ms, the overview <= 1 s, the server <= 500 MB.

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


def fill(data: Path, n: int) -> float:
    """``n`` labelled statements straight into the store (as labelling would leave them); seconds taken."""
    import random

    sys.path.insert(0, str(REPO / "src"))
    from mh_nlp.app.db import Store

    rng = random.Random(0)
    lines = example_lines()
    store = Store(data)
    secs = ["1.2", "2.6", "2.11", "2.16", "3.1", "3.9", "4.7", "4.12"]
    t0 = time.monotonic()
    per_doc = max(1, n // 10)
    for d in range((n + per_doc - 1) // per_doc):
        doc = store.add_document(f"verslag-{d}.txt", "txt", None, status="done")
        k = min(per_doc, n - d * per_doc)
        for start in range(0, k, 5000):
            rows = []
            for i in range(start, min(k, start + 5000)):
                s = rng.choice(secs)
                top = [{"section": x, "title": "titel", "score": round(rng.random(), 4)} for x in rng.sample(secs, 3)]
                rows.append({"position": i + 1, "text": f"{lines[i % len(lines)]} ({d}-{i})", "section": s,
                             "chapter": int(s[0]), "confidence": round(rng.random(), 4), "chapter_confidence": 0.7,
                             "top": [{"section": s, "title": "titel", "score": 0.6}] + top[:2],
                             "entities": [{"text": "NLA", "label": "ORG", "id": "nla", "start": 0, "end": 3}],
                             "similar": [{"id": f"q{j}", "page": 12, "section": s, "similarity": 0.8,
                                          "text": lines[(i + j) % len(lines)]} for j in range(3)],
                             "model_version": 1})
            store.add_statements(doc, rows, start + len(rows))
        store.update_document(doc, total=k, done=k)
    db = store.db
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO decisions (statement_id, section, who, at, model_version, action) "
               "SELECT id, '4.7', 'bench', '2026-12-03T00:00:00+00:00', 1, 'correct' FROM statements WHERE id % 10 = 0")
    db.execute("COMMIT")
    return time.monotonic() - t0


def vm_hwm_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def scale_run(c, pid: int, n: int) -> dict:
    out = {"statements": n}
    for name, url in (("review_first_page", "/review"), ("review_uncertain", "/review?uncertain=1&threshold=0.3"),
                      ("review_search", "/review?q=opvang"), ("review_page_200", "/review?page=200"),
                      ("review_chapter_4_open", "/review?chapter=4&state=open"), ("overview", "/overview"),
                      ("documents_page", "/"), ("api_documents", "/api/documents")):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            r = c.get(url)
            times.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
        out[f"{name}_ms"] = round(statistics.median(times), 1)
        print(f"{url}: median {out[f'{name}_ms']:.0f} ms of 3")
    t = time.perf_counter()
    size = 0
    with c.stream("GET", "/export?format=xlsx") as r:
        r.raise_for_status()
        for chunk in r.iter_bytes():
            size += len(chunk)
    out["export_xlsx_s"] = round(time.perf_counter() - t, 2)
    out["export_xlsx_mb"] = round(size / 1e6, 1)
    out["server_peak_mb"] = round(vm_hwm_mb(pid), 0)
    print(f"xlsx export: {out['export_xlsx_s']} s, {out['export_xlsx_mb']} MB; server peak (VmHWM) "
          f"{out['server_peak_mb']:.0f} MB")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--scale", type=int, default=0, help="fill the store with this many statements and time the "
                    "review, overview and export against it (instead of classify and upload)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    if args.scale:
        print(f"{args.scale:,} statements inserted in {fill(tmp / 'data', args.scale):.1f} s")
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
            m = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=(\S+)", line)
            url, token = (m.group(1), m.group(2)) if m else (None, None)
        # every request carries the printed token (on loopback too, since 2026-12-06), as the browser's cookie does
        c = httpx.Client(base_url=url, timeout=300, headers={"Authorization": f"Bearer {token}"})
        c.post("/api/classify", json={"texts": ["opwarmen"]})  # waits for the model to be loaded and warm
        print(f"server up and model warm: {time.monotonic() - t0:.1f} s")
        if args.scale:
            print(json.dumps(scale_run(c, proc.pid, args.scale)))
            return
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
        c.get("/")  # the page sets the session's CSRF cookie; the form sends it back (as the browser does)
        r = c.post("/upload", files={"file": ("bench.txt", body.encode())}, data={"csrf": c.cookies["mh_csrf"]},
                   follow_redirects=False)
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
