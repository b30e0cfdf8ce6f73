"""Memory of long runs: the spaCy pass over statements full of never-seen words stays bounded.

Usage:
    .venv/bin/python benchmarks/bench_memory.py [--statements 10240] [--words 20] [--block 1024] [--json]

Every statement is ``--words`` random letter strings that no vocabulary holds, so each one adds new entries to
spaCy's vocabulary and string store (and to the theme view's word-to-lemma memo). Runs them in blocks through
both spaCy passes the project makes — :func:`mh_nlp.themes.features.prepare` with the entity ruler (labelling,
the screen) and without it (theme model v3) — and prints the process's resident memory (RSS, from
``/proc/self/status``) and the size of its string store after every block. Memory should level off: the pass switches to
``nlp.memory_zone()`` once the vocabulary holds ``PERMANENT_WORDS`` entries (``mh_nlp.nlp.pipeline``), and the
lemma memo is capped. A script, not a test (the figures depend on the machine); ``tests/unit`` checks the bound
of the vocabulary itself.
"""
from __future__ import annotations

import argparse
import json
import random
import string


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=10240)
    ap.add_argument("--words", type=int, default=20)
    ap.add_argument("--block", type=int, default=1024)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from mh_nlp.nlp.pipeline import PERMANENT_WORDS, load_pipeline
    from mh_nlp.themes.features import prepare

    rng = random.Random(0)
    nlp = load_pipeline()
    prepare(["De NLA ziet meer arbeidsuitbuiting."])  # pipeline and lemma table loaded before the first figure
    prepare(["De NLA ziet meer arbeidsuitbuiting."], entities=False)
    rows = [{"statements": 0, "rss_mib": round(rss_mib(), 1), "strings": len(nlp.vocab.strings)}]
    if not args.json:
        print(f"{0:>8} statements  RSS {rows[0]['rss_mib']:>7.1f} MiB  string store {rows[0]['strings']:>7}", flush=True)
    done = 0
    while done < args.statements:
        n = min(args.block, args.statements - done)
        texts = [" ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 12)))
                          for _ in range(args.words)) + "." for _ in range(n)]
        prepare(texts)
        prepare(texts, entities=False)
        done += n
        rows.append({"statements": done, "rss_mib": round(rss_mib(), 1), "strings": len(nlp.vocab.strings)})
        if not args.json:
            print(f"{done:>8} statements  RSS {rows[-1]['rss_mib']:>7.1f} MiB  string store {rows[-1]['strings']:>7}",
                  flush=True)
    out = {"permanent_words": PERMANENT_WORDS, "words_per_statement": args.words, "rows": rows,
           "growth_mib": round(rows[-1]["rss_mib"] - rows[0]["rss_mib"], 1),
           "growth_last_half_mib": round(rows[-1]["rss_mib"] - rows[len(rows) // 2]["rss_mib"], 1)}
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"growth {out['growth_mib']} MiB in all, {out['growth_last_half_mib']} MiB over the second half")


if __name__ == "__main__":
    main()
