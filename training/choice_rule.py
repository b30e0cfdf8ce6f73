"""The choice rule's harness: the default theme model, or a variant of it, on the four choosing protocols (new
pages, known themes, themes without quotes, development) and the external test set (reported only, never for a
choice), section accuracy / top-3 / chapter accuracy / ECE — the figures of the rounds in
``docs/theme-model.md`` (*The development set and the choice rule*).

    python training/choice_rule.py                                  # the default model
    python training/choice_rule.py training/variants/pcw.py         # a variant (round ten)
    python training/choice_rule.py --by-length                      # and confidence against accuracy by length
    python training/choice_rule.py --reliability                    # and in ten bins of confidence (the ECE's)

A variant is a small Python file that changes the model when it is imported (``training/variants/``; each says
which round it belongs to). The rule and the log of the rounds, each written down before it ran, are in
``training/variants/RULE.md``. The protocols' folds and the data are those of ``mh-nlp evaluate``, so the default's figures here
equal the report's (2026-12-05: new pages 0.390, known themes 0.365, themes without quotes 0.461, development
0.537, external 0.596). About a minute on two cores with a warm embedding cache (67 s on 2026-12-05; 5½ minutes
on 2026-12-04 while other work ran; themes without quotes, 11 folds, is most of it).
"""
from __future__ import annotations

import argparse
import runpy
import sys
import time
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variant", nargs="?", help="a variant file (training/variants/*.py); none: the default model")
    ap.add_argument("--by-length", action="store_true",
                    help="also print each protocol's mean confidence against its accuracy by the statements' length")
    ap.add_argument("--reliability", action="store_true",
                    help="also print each protocol's confidence against accuracy in the ten bins the ECE is made of")
    args = ap.parse_args(argv)
    variant: dict = {}
    if args.variant:
        path = Path(args.variant)
        if not path.is_file():
            print(f"error: no variant file {path}", file=sys.stderr)
            return 2
        variant = runpy.run_path(str(path))  # changes the model's classes in place, as the variant's docstring says
    dev_in_training = bool(variant.get("TRAIN_ON_DEVELOPMENT"))  # round 20: the development sentences as examples

    from mh_nlp.corpus.outside import read_outside
    from mh_nlp.corpus.records import load_taxonomy
    from mh_nlp.themes.evaluate import (Examples, Item, _fit, _fit_predict, prepare_corpus, protocol_splits,
                                        score)
    from mh_nlp.themes.model import SpacyPreprocessor

    tax = load_taxonomy()
    c = prepare_corpus(tax)
    splits = protocol_splits(c.quotes)
    development = read_outside(tax, "development")
    dev_X = SpacyPreprocessor().transform([r["text"] for r in development])
    if dev_in_training:  # every anthology fold learns from all of them, as from the written statements
        c.written_X, c.written_y = c.written_X + dev_X, c.written_y + [r["section"] for r in development]
    rows = {}
    for proto in ("new_pages", "known_themes", "themes_without_quotes"):
        t0 = time.time()
        model = Examples("variant", "", tax, "e5")
        P = np.zeros((len(c.quotes), len(model.columns)))
        tested = set()
        for train, test in splits[proto]:
            P[test] = _fit_predict(model, c, train, test)
            tested |= set(test.tolist())
        t = np.array(sorted(tested))
        items = [Item(c.X[i], c.quotes[i].section, c.quotes[i].accepted_sections) for i in t]
        rows[proto] = score(items, P[t], model.columns, tax)
        print(f"{proto}: {_line(rows[proto])}  ({time.time() - t0:.0f} s)", flush=True)
        if args.by_length:
            _by_length(rows[proto], [c.quotes[i].text for i in t], items)
        if args.reliability:
            _reliability(rows[proto], items)
    model = Examples("variant", "", tax, "e5")
    _fit(model, c, np.arange(len(c.quotes)))
    for which in ("development", "external"):
        sentences = development if which == "development" else read_outside(tax, which)
        X = dev_X if which == "development" else SpacyPreprocessor().transform([r["text"] for r in sentences])
        items = [Item(x, r["section"], (r["section"], *r.get("alt_sections", []))) for x, r in zip(X, sentences)]
        if which == "development" and dev_in_training:
            rows[which] = score(items, _development_by_folds(c, development, dev_X, tax), model.columns, tax)
        else:
            rows[which] = score(items, model.predict_proba(X), model.columns, tax)
        print(f"{which}{' (reported only)' if which == 'external' else ''}: {_line(rows[which])}", flush=True)
        if args.by_length:
            _by_length(rows[which], [r["text"] for r in sentences], items)
        if args.reliability:
            _reliability(rows[which], items)
    choosing = ("new_pages", "known_themes", "themes_without_quotes", "development")
    mean = np.mean([rows[p]["section"]["accuracy"] for p in choosing])
    print(f"mean section accuracy over the four choosing protocols: {mean:.4f}")
    return 0


def _development_by_folds(c, development, dev_X, tax, folds: int = 5) -> np.ndarray:
    """The development sentences labelled by 5-fold cross-validation grouped by source address: each fold by a model
    trained on every quote, the written statements and the other folds' sentences (``c.written_*`` holds all of them
    at the end; the fold's own are taken out)."""
    from sklearn.model_selection import GroupKFold

    from mh_nlp.themes.evaluate import Examples, _fit

    n_dev = len(development)
    base_X, base_y = c.written_X[:-n_dev], c.written_y[:-n_dev]
    P = None
    for train, test in GroupKFold(folds).split(dev_X, groups=[r["source"] for r in development]):
        c.written_X = base_X + [dev_X[i] for i in train]
        c.written_y = base_y + [development[i]["section"] for i in train]
        model = Examples("variant", "", tax, "e5")
        _fit(model, c, np.arange(len(c.quotes)))
        p = model.predict_proba([dev_X[i] for i in test])
        P = np.zeros((n_dev, p.shape[1])) if P is None else P
        P[test] = p
    c.written_X, c.written_y = base_X + list(dev_X), base_y + [r["section"] for r in development]
    return P


def _by_length(r: dict, texts: list[str], items) -> None:
    """Mean confidence against accuracy, in all and by the statements' length in words (the calibration's check)."""
    conf = np.array(r["confidence"])
    hit = np.array([p in it.accepted for p, it in zip(r["predictions"], items)])
    words = np.array([len(t.split()) for t in texts])
    print(f"    all: confidence {conf.mean():.3f}, accuracy {hit.mean():.3f}; words median {np.median(words):.0f}")
    for lo, hi in ((0, 6), (6, 12), (12, 20), (20, None)):
        m = (words >= lo) & (words < hi if hi else True)
        if m.any():
            print(f"    {lo}-{hi - 1 if hi else ''} words: n={m.sum()}, confidence {conf[m].mean():.3f}, "
                  f"accuracy {hit[m].mean():.3f}")
    below = conf < 0.5
    for name, m in (("below 0.5", below), ("0.5 and above", ~below)):
        if m.any():
            print(f"    confidence {name}: n={m.sum()}, accuracy {hit[m].mean():.3f}")


def _reliability(r: dict, items) -> None:
    """Mean confidence against accuracy in each tenth of confidence that holds a statement (round 42's look)."""
    conf = np.array(r["confidence"])
    hit = np.array([p in it.accepted for p, it in zip(r["predictions"], items)])
    cells = []
    for lo in np.arange(10) / 10:
        m = (conf >= lo) & ((conf < lo + 0.1) if lo < 0.9 else (conf <= 1.0))
        if m.any():
            cells.append(f"{lo:.1f}+ n={m.sum()} conf {conf[m].mean():.2f} acc {hit[m].mean():.2f}")
    print("    " + " | ".join(cells))


def _line(r: dict) -> str:
    return (f"section {r['section']['accuracy']:.3f} / top-3 {r['section']['top3_accuracy']:.3f} / "
            f"chapter {r['chapter']['accuracy']:.3f} / ECE {r['ece'] or 0:.3f}  (n={r['n']})")


if __name__ == "__main__":
    sys.exit(main())
