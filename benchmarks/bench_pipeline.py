"""Throughput of the spaCy pipeline (nlp.pipe) on >= 100,000 statements: statements/s and peak memory.

Usage: .venv/bin/python benchmarks/bench_pipeline.py [--n 100000] [--base blank] [--processes 1 2] [--batch-size 1000]
Each configuration runs in its own child process so that its peak RSS (ru_maxrss) is its own.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def corpus(n: int) -> list[str]:
    """``n`` statements: the gold sentences and raw anthology lines, repeated."""
    from mh_nlp.paths import data_dir

    gold = [json.loads(x)["text"] for x in (data_dir() / "entities" / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    raw = [x for x in (data_dir() / "raw" / "001_e183801bd38c0e25.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
    base = gold + raw
    return [base[i % len(base)] for i in range(n)]


def run_one(n: int, base: str, n_process: int, batch_size: int) -> dict:
    """Time one configuration in this process."""
    from mh_nlp.nlp.pipeline import load_pipeline

    t0 = time.perf_counter()
    nlp = load_pipeline(base)
    load_s = time.perf_counter() - t0
    texts = corpus(n)
    chars = sum(map(len, texts))
    t0 = time.perf_counter()
    n_docs = n_ents = n_tokens = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        n_docs += 1
        n_ents += len(doc.ents)
        n_tokens += len(doc)
    secs = time.perf_counter() - t0
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"base": nlp.meta.get("mh_nlp_base"), "n_process": n_process, "batch_size": batch_size,
            "statements": n_docs, "tokens": n_tokens, "chars": chars, "entities": n_ents, "seconds": round(secs, 2),
            "statements_per_s": round(n_docs / secs), "tokens_per_s": round(n_tokens / secs),
            "load_seconds": round(load_s, 2), "peak_rss_mb_main": round(self_kb / 1024, 1),
            "peak_rss_mb_worker": round(child_kb / 1024, 1) if n_process > 1 else None}


def main() -> None:
    """Run every requested configuration in a child process and print a table (and JSON with --json)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--base", default="blank")
    ap.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch-size", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child is not None:
        print(json.dumps(run_one(a.n, a.base, a.child, a.batch_size)))
        return
    results = []
    for p in a.processes:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--n", str(a.n), "--base", a.base,
               "--batch-size", str(a.batch_size), "--child", str(p)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if a.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'base':<16} {'proc':>4} {'statements':>10} {'seconds':>8} {'stmt/s':>8} {'tok/s':>8} {'peak MB main':>12} {'peak MB worker':>14}")
    for r in results:
        w = "-" if r["peak_rss_mb_worker"] is None else f"{r['peak_rss_mb_worker']:.0f}"
        print(f"{r['base']:<16} {r['n_process']:>4} {r['statements']:>10} {r['seconds']:>8.1f} {r['statements_per_s']:>8} "
              f"{r['tokens_per_s']:>8} {r['peak_rss_mb_main']:>12.0f} {w:>14}")


if __name__ == "__main__":
    main()
