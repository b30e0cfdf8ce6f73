"""Diagnosis (stop 51, QA 51a D3): the correction protocol of ``mh-nlp evaluate`` (new_pages folds, half of each
held-out page given), with the given quotes all as corrections (as the protocol and a file of corrections without a
``top1`` column give them) against the quotes the model already labelled right given as *confirmations* (as the
review screen's accepts and a label output's rows left at top1 are learnt) and only the others as corrections.

    python training/confirmation_price.py     # about a minute on two cores with a warm embedding cache

Measured 2026-12-07: all as corrections, rest of the page 0.348 -> 0.502 (+0.153), other pages -0.010, into corrected
sections +0.042; right ones as confirmations +0.115, -0.010, +0.029.
"""
from __future__ import annotations

import numpy as np

from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.themes.evaluate import SEED, _fit_predict, _n_added, candidates, predictions, prepare_corpus, protocol_splits


def main() -> int:
    tax = load_taxonomy()
    c = prepare_corpus(tax)
    model = next(m for m in candidates(tax) if m.name == "examples_e5")
    pages = np.array([q.page for q in c.quotes])
    acc = [q.accepted_sections for q in c.quotes]
    res = {"all as corrections": ([], []), "right ones as confirmations": ([], [])}
    for train, test in protocol_splits(c.quotes)["new_pages"]:
        pred0 = predictions(_fit_predict(model, c, train, test), model.columns, tax)[0]
        pos = {i: j for j, i in enumerate(test)}
        for p in np.unique(pages[test]):
            on = np.random.default_rng(SEED + int(p)).permutation(test[pages[test] == p])
            n_add = _n_added(len(on), "half")
            add, rest = on[:n_add], on[n_add:]
            if n_add == 0 or len(rest) == 0:
                continue
            other = test[pages[test] != p]
            corrected = {c.quotes[i].section for i in add}
            for mode, (r, o) in res.items():
                extra = [(c.X[i], c.quotes[i].section) + ((pred0[pos[i]] in acc[i],) if mode != "all as corrections"
                                                          else ()) for i in add]
                pred1 = predictions(_fit_predict(model, c, train, np.concatenate([rest, other]), extra),
                                    model.columns, tax)[0]
                r += [(pred0[pos[i]] in acc[i], pred1[j] in acc[i]) for j, i in enumerate(rest)]
                o += [(pred0[pos[i]] in acc[i], pred1[len(rest) + j] in acc[i], pred0[pos[i]] in corrected,
                       pred1[len(rest) + j] in corrected) for j, i in enumerate(other)]
    for mode, (r, o) in res.items():
        r, o = np.array(r, float), np.array(o, float)
        print(f"{mode}: rest of the page {r[:, 0].mean():.3f} -> {r[:, 1].mean():.3f} "
              f"({r[:, 1].mean() - r[:, 0].mean():+.3f}); other pages {o[:, 1].mean() - o[:, 0].mean():+.3f}; "
              f"into corrected sections {o[:, 3].mean() - o[:, 2].mean():+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
