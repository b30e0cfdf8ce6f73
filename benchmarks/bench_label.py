"""Speed and memory of batch labelling, and the cold start of ``mh-nlp classify``.

Usage:
    .venv/bin/python benchmarks/bench_label.py [--statements 100000] [--batch-size 1024] [--model PATH]
                                               [--keep DIR] [--no-cold-start] [--no-entities] [--workers N]

Generates a big .txt and a big .csv from the statements of ``examples/`` (repeated, with a running
number so no two are identical), labels them through :func:`mh_nlp.io.label.label_files` into a .csv
with the real classifier (``mh_nlp.load_classifier()``), and reports statements per second
and peak RSS (resident memory; ``ru_maxrss``). Then times ``mh-nlp classify "..."`` in a fresh
process (wall time, model load included; ``bench_startup.py`` measures the start-up in detail). A script, not a test.
"""
from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
sys.path.insert(0, str(Path(__file__).parent))
from bench_startup import OneLineParser, at_least  # noqa: E402


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size of this process (or of its largest finished child), in MiB."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def tree_pss_mb() -> float | None:
    """Memory of this process and its children now: the sum of their PSS (shared pages counted once), in MiB.
    None where /proc has no smaps_rollup (not Linux)."""
    pids = [os.getpid()]
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as fh:
                pids += [int(x) for x in fh.read().split()]
        total = 0
        for pid in pids:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        return total / 1024
    except (OSError, StopIteration, ValueError):
        return None


def example_statements() -> list[str]:
    """All statements of the example files."""
    from mh_nlp.io.readers import read_statements

    out = []
    for p in sorted(EXAMPLES.iterdir()):
        if p.suffix in {".md", ".txt", ".csv", ".docx"} and p.name != "README.md":
            out += [s.text for s in read_statements(p)]
    return out


def make_inputs(directory: Path, n: int) -> list[Path]:
    """A .txt with n/2 statements (one per line) and a .csv with the other n/2."""
    base = example_statements()
    half = n // 2
    txt, tab = directory / "groot.txt", directory / "groot.csv"
    with open(txt, "w", encoding="utf-8") as fh:
        for i in range(half):
            fh.write(f"{base[i % len(base)]} (notitie {i})\n\n")
    with open(tab, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["nr", "spreker", "tekst"])
        for i in range(n - half):
            w.writerow([i, "deelnemer", f"{base[(i * 7) % len(base)]} (rij {i})"])
    return [txt, tab]


def bench_label(paths: list[Path], out: Path, model: str | None, batch_size: int, entities: bool,
                workers: int) -> None:
    """Label ``paths`` into ``out`` and print throughput and peak memory; exits (status 1, one line) when the
    classifier cannot be loaded."""
    try:
        from mh_nlp import load_classifier
    except ImportError as exc:
        sys.exit(f"bench_label: error: the classifier is not available ({exc})")
    from mh_nlp.io.label import label_files
    from mh_nlp.io.readers import extra_fields
    from mh_nlp.io.writers import open_writer

    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    try:
        clf = load_classifier(model)
    except Exception as exc:  # noqa: BLE001 - report and stop, with a non-zero exit (QA 48a D10: it exited 0)
        sys.exit(f"bench_label: error: the classifier cannot be loaded: {exc} (run `mh-nlp train`)")
    t_load = time.perf_counter() - t0
    rss_loaded = peak_rss_mb()
    fields: dict[str, None] = {}
    for p in paths:
        fields.update((f, None) for f in extra_fields(p))
    t1 = time.perf_counter()
    n = 0
    checkpoints = []
    with open_writer(out, list(fields)) as w:
        for row in label_files(paths, clf, batch_size=batch_size, entities=entities, workers=workers):
            w.write(row.to_dict())
            n += 1
            if n % 20000 == 0:
                checkpoints.append((n, tree_pss_mb()))
                mem = f", memory (PSS, all processes) {checkpoints[-1][1]:,.0f} MiB" if checkpoints[-1][1] else ""
                print(f"  .. {n:,} statements, {n / (time.perf_counter() - t1):,.0f}/s{mem}", file=sys.stderr)
    elapsed = time.perf_counter() - t1
    print(f"label: {n:,} statements in {elapsed:,.1f} s = {n / elapsed:,.0f} statements/s "
          f"(batch size {batch_size}, workers {workers if getattr(clf, 'fork_safe', True) else 1}, "
          f"entities {'on' if entities else 'off'})")
    print(f"  model load {t_load:.1f} s; peak RSS of this process: before load {rss0:,.0f} MiB, after load "
          f"{rss_loaded:,.0f} MiB, at end {peak_rss_mb():,.0f} MiB; largest worker "
          f"{peak_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MiB; output {out.stat().st_size / 1e6:,.1f} MB")
    mem = [m for _, m in checkpoints if m is not None]
    if len(mem) >= 2:
        print(f"  memory of all processes (PSS) from {checkpoints[0][0]:,} to {checkpoints[-1][0]:,} statements: "
              f"{mem[0]:,.0f} -> {mem[-1]:,.0f} MiB (max {max(mem):,.0f})")


def bench_cold_start(model: str | None, runs: int = 3) -> None:
    """Wall time of ``mh-nlp classify "..."`` in fresh processes (the fuller picture: bench_startup.py)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_startup import STATEMENT, command, report, wall

    times = [wall(command() + ["classify", STATEMENT] + (["--model", model] if model else []), dict(os.environ))
             for _ in range(runs)]
    report("cold start: mh-nlp classify \"...\"", times, 2.0)


def main() -> None:
    ap = OneLineParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=at_least(2), default=100_000, help="at least 2: half go to a .txt, half "
                    "to a .csv")
    ap.add_argument("--batch-size", type=at_least(1), default=1024, help="as mh-nlp label")
    ap.add_argument("--model", help="model file (default: models/theme-model.npz)")
    ap.add_argument("--keep", type=Path, help="write the generated inputs and output here instead of a temp dir")
    ap.add_argument("--no-cold-start", action="store_true")
    ap.add_argument("--no-entities", action="store_true", help="leave entity recognition out of the timing")
    ap.add_argument("--workers", type=at_least(1), default=None, help="classifying processes (default: as mh-nlp label)")
    args = ap.parse_args()
    try:  # the model is checked before the inputs are generated (QA 48a D10)
        from mh_nlp.exceptions import MhNlpError
        from mh_nlp.themes.store import check_model, default_model_path

        check_model(Path(args.model) if args.model else default_model_path())
    except ImportError as exc:
        sys.exit(f"bench_label: error: the classifier is not available ({exc})")
    except (MhNlpError, OSError) as exc:
        sys.exit(f"bench_label: error: the classifier cannot be loaded: {exc} (run `mh-nlp train`)")

    with tempfile.TemporaryDirectory() as tmp:
        d = args.keep or Path(tmp)
        d.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        paths = make_inputs(d, args.statements)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"inputs: {args.statements:,} statements in {', '.join(p.name for p in paths)} ({size:,.1f} MB, "
              f"generated in {time.perf_counter() - t0:.1f} s)")
        out = d / "labels.csv"
        if out.exists():
            os.remove(out)
        from mh_nlp.io.parallel import default_workers

        bench_label(paths, out, args.model, args.batch_size, not args.no_entities, args.workers or default_workers())
    if not args.no_cold_start:
        bench_cold_start(args.model)


if __name__ == "__main__":
    main()
