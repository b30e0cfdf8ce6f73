"""Round 28 and 28b (``training/variants/RULE.md``): remedies for a note that changes question at almost every line,
read in order (``mh_nlp.themes.context.read_note``), measured with ``mh-nlp evaluate``'s in-order figures. None
passed the round's rule; the figures are in ``docs/theme-model.md`` (*A note that changes question at almost every
line*).

    python training/in_order_variants.py flat   /tmp/ev-flat     # each stay also without the chapter's pull
    python training/in_order_variants.py bma    /tmp/ev-bma      # the readings averaged by their likelihood
    python training/in_order_variants.py bmaflat /tmp/ev-bmaflat # the same, with the options without the pull
    python training/in_order_variants.py guard0.8 /tmp/ev-g08    # a chapter held at 0.8 or more alone is kept
    python training/in_order_variants.py guard0.9 /tmp/ev-g09    # the same at 0.9

About 4-6 minutes each with a warm embedding cache (the default candidate, without the correction curve).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from mh_nlp.themes import context as ctx


def read_note(P, max_stay, chapters=None, within=None, mode="flat"):
    P = np.asarray(P, dtype=float)
    n, S = P.shape
    alone = 1.0 / S
    if n <= 1 or S <= 1 or max_stay <= alone:
        return P.copy(), alone
    grid = [g for g in ctx.STAYS if alone < g < max_stay] + [max_stay]
    chained = chapters is not None and within is not None
    flat = mode in ("flat", "bmaflat") and chained
    ll = np.concatenate([ctx.note_log_likelihood(P, [alone]), ctx.note_log_likelihood(P, grid, chapters, within)]
                        + ([ctx.note_log_likelihood(P, grid)] if flat else []))
    options = [(alone, False)] + [(g, chained) for g in grid] + ([(g, False) for g in grid] if flat else [])

    def reading(stay, by_chapter):
        return P if stay == alone else ctx.read_in_order(P, stay, chapters if by_chapter else None,
                                                         within if by_chapter else None)

    best = options[int(np.argmax(ll))]
    if mode.startswith("bma"):
        w = np.exp(ll - ll.max())
        w /= w.sum()
        Q = sum(wi * reading(*o) for o, wi in zip(options, w) if wi >= 1e-6)
    else:
        Q = reading(*best)
    if mode.startswith("guard") and chapters is not None and best[0] != alone:
        ch = np.asarray(chapters)
        names = np.unique(ch)
        mass = np.stack([P[:, ch == c].sum(axis=1) for c in names], axis=1)
        sure = mass.max(axis=1) >= float(mode[5:])
        Q = np.where(sure[:, None] & (ch[None, :] != names[mass.argmax(axis=1)][:, None]), 0.0, Q)
    return Q / Q.sum(axis=1, keepdims=True), best[0]


MODES = ("flat", "bma", "bmaflat", "guard0.8", "guard0.9")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=MODES, help="the remedy: round 28 (flat, bma, bmaflat) or 28b (guard0.8, guard0.9)")
    ap.add_argument("out", type=Path, help="the folder mh-nlp evaluate writes its reports into")
    args = ap.parse_args()
    mode, out = args.mode, str(args.out)
    patched = lambda *a, **k: read_note(*a, mode=mode, **k)  # noqa: E731
    ctx.read_note = patched
    from mh_nlp.themes import evaluate

    evaluate.read_note = patched
    from mh_nlp.cli import main as cli

    cli(["evaluate", "--candidate", "examples_e5", "--no-corrections", "--quiet", "--out", out], prog_name="mh-nlp")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
