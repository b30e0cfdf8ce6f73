"""How much a handful of reviewed statements, as the review screen trains with them, moves the model on the
anthology's unseen pages: the screen's own check (``mh_nlp.themes.evaluate.held_out_pages``, 5 page folds) with
12 development sentences drawn at random (seeded) as the analyst's statements, for three draws. Development
sentences stand in for an analyst's notes (real sentences from outside the anthology); the external test set is
never used. ``--variant noterm`` switches off the closeness-to-a-correction term, ``--variant cw4`` gives a
correction the weight 4 instead of the default 12 (a diagnostic, not a choice; round 25 set the default from 12 to 6,
round 41 back to 12).

    python training/spill_probe.py                 # about a minute with a warm embedding cache
    python training/spill_probe.py --variant cw4
"""
from __future__ import annotations

import argparse
import random
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant", choices=("default", "noterm", "cw4"), default="default")
    ap.add_argument("--n", type=int, default=12, help="reviewed statements per draw (default 12)")
    args = ap.parse_args(argv)

    from mh_nlp.corpus.outside import read_outside
    from mh_nlp.corpus.records import load_taxonomy
    from mh_nlp.themes import examples as ex
    from mh_nlp.themes.evaluate import Examples, held_out_pages, prepare_corpus

    if args.variant == "noterm":
        ex.ExampleScores.CLOSENESS_WEIGHTS = (0.0,)
    elif args.variant == "cw4":
        ex.ExampleScores._weights = lambda self, kinds: np.array([1.0, self.written_weight, 4.0])[kinds]
    tax = load_taxonomy()
    c = prepare_corpus(tax)
    development = read_outside(tax, "development")
    model = Examples(args.variant, "", tax, "e5")
    baseline = None
    for seed in (1, 2, 3):
        drawn = random.Random(seed).sample(development, args.n)
        t0 = time.time()
        out = held_out_pages(model, c, [(r["text"], r["section"]) for r in drawn], baseline=baseline)
        baseline = out.pop("baseline")
        out.pop("predictions")
        print(f"{args.variant} draw {seed}: unseen pages right {out['before']:.4f} -> {out['after']:.4f} "
              f"({100 * (out['after'] - out['before']):+.1f} points); into the reviewed sections "
              f"{out['into_before']:.4f} -> {out['into_after']:.4f} ({time.time() - t0:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
