"""Diagnosis, not the model (QA 48b D1): read in order, how often does a note's context give a statement another
chapter than its own reading, and who is right then — the reading in order or the statement's own? On new pages
(each held-out page read in order, as ``mh-nlp evaluate``'s *Read in order*) and on the development sentences read
in order by source text. No choice is made on it; the external test set is not used.

    python training/in_order_overruled.py        # about 2 minutes with a warm embedding cache

2026-12-07: new pages 559 statements, in order right 0.810, alone 0.390; the context changed the chapter of 152
(0.27): in order right 0.796 of them, their own reading 0.020, mean confidence in order 0.895 (the others: right
0.816, confidence 0.904); of the 11 whose own chapter had a mass of at least 0.9, in order right 0.818, alone 0.182.
Development by source: 205 sentences, the chapter changed for 2 (most sources chose to read each sentence alone).
"""
from __future__ import annotations

import numpy as np

from mh_nlp.corpus.outside import read_outside
from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.themes.answer import chapter_then_section
from mh_nlp.themes.evaluate import (Examples, _chapters, _fit, _fit_predict, _fold_order, pages_in_order,
                                    prepare_corpus, protocol_splits, sources_in_order)
from mh_nlp.themes.model import SpacyPreprocessor


def report(name: str, P: np.ndarray, Q: np.ndarray, accepted, columns, chapter_of: np.ndarray) -> None:
    """``P`` each statement read alone, ``Q`` read in order; ``accepted`` the sections right for each."""
    own, ordered = chapter_then_section(P, chapter_of)[1], chapter_then_section(Q, chapter_of)[1]
    changed = chapter_of[own] != chapter_of[ordered]
    right_in_order = np.array([columns[j] in a for j, a in zip(ordered, accepted)])
    right_alone = np.array([columns[j] in a for j, a in zip(own, accepted)])
    conf = Q[np.arange(len(Q)), ordered]
    mass = np.array([P[i, chapter_of == chapter_of[own[i]]].sum() for i in range(len(P))])
    print(f"{name}: {len(P)} statements, in order right {right_in_order.mean():.3f}, alone {right_alone.mean():.3f}")
    if not changed.any():
        print("  the context changed no statement's chapter")
        return
    print(f"  the context changed the chapter of {changed.sum()} ({changed.mean():.2f}): in order right "
          f"{right_in_order[changed].mean():.3f}, their own reading {right_alone[changed].mean():.3f}, mean confidence "
          f"in order {conf[changed].mean():.3f}; the others: right {right_in_order[~changed].mean():.3f}, confidence "
          f"{conf[~changed].mean():.3f}")
    for least in (0.5, 0.7, 0.8, 0.9):
        m = changed & (mass >= least)
        if m.any():
            print(f"  of those whose own chapter had a mass of at least {least}: {m.sum()}, in order right "
                  f"{right_in_order[m].mean():.3f}, alone {right_alone[m].mean():.3f}")


def main() -> None:
    tax = load_taxonomy()
    c = prepare_corpus(tax)
    splits = protocol_splits(c.quotes)
    model = Examples("default", "", tax, "e5")
    columns = model.columns
    chapter_of = np.array([tax.sections[s].chapter for s in columns])
    P = np.zeros((len(c.quotes), len(columns)))
    for train, test in splits["new_pages"]:
        P[test] = _fit_predict(model, c, train, test)
    report("new pages", P, pages_in_order(P, c.quotes, splits["new_pages"], tax, columns),
           [q.accepted_sections for q in c.quotes], columns, chapter_of)
    _fit(model, c, np.arange(len(c.quotes)))
    dev = read_outside(tax, "development")
    Pd = model.predict_proba(SpacyPreprocessor().transform([r["text"] for r in dev]))
    stay, within = _fold_order(c.quotes, np.arange(len(c.quotes)), tax)
    Qd = sources_in_order(Pd, [r.get("source") for r in dev], stay, _chapters(tax, columns), within)
    report("development by source", Pd, Qd, [(r["section"], *r.get("alt_sections", [])) for r in dev], columns,
           chapter_of)


if __name__ == "__main__":
    main()
