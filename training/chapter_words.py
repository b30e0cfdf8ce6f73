"""Exploration, no choice (stop 54, docs/theme-model.md): can the stance be read from words? A TF-IDF logistic
regression of the chapter on word or lemma uni- and bigrams (quotes of the training folds, the written statements
and the written stance statements at weight 2), alone and in a product of experts with the default model's chapter
mass (log mass + a * log probability), on the new-pages and known-themes folds and on the development sentences.

    python training/chapter_words.py     # about 2 minutes on two cores

2026-12-07: the regression alone gets 0.60-0.61 of new pages' chapters against the model's 0.72; every product
0.68-0.72 (no gain anywhere but known themes, +0.01 at most). Nothing here is used by the model.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from mh_nlp.corpus.outside import read_outside
    from mh_nlp.corpus.records import load_taxonomy
    from mh_nlp.themes.evaluate import Examples, _fit, _fit_predict, prepare_corpus, protocol_splits
    from mh_nlp.themes.model import SpacyPreprocessor

    tax = load_taxonomy()
    c = prepare_corpus(tax)
    splits = protocol_splits(c.quotes)
    dev = read_outside(tax, "development")
    dev_X = SpacyPreprocessor().transform([r["text"] for r in dev])
    chapter = {s: sec.chapter for s, sec in tax.sections.items()}
    P = {}  # the default model's probabilities: each protocol's folds, and trained on all quotes for the development
    for proto in ("new_pages", "known_themes"):
        model = Examples("default", "", tax, "e5")
        P[proto] = np.zeros((len(c.quotes), len(model.columns)))
        for train, test in splits[proto]:
            P[proto][test] = _fit_predict(model, c, train, test)
    model = Examples("default", "", tax, "e5")
    _fit(model, c, np.arange(len(c.quotes)))
    P["development"] = model.predict_proba(dev_X)
    col_chapter = np.array([chapter[s] for s in model.columns])
    chapters = np.unique(col_chapter)
    quote_ch = np.array([chapter[q.section] for q in c.quotes])
    dev_ch = np.array([chapter[r["section"]] for r in dev])
    written_ch = [chapter[s] for s in c.written_y]

    def words(x, mode):
        return x.lemmas if mode == "lemmas" else x.norm.lower()

    def regression(X, y, w, test, mode, C):
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
        clf = LogisticRegression(C=C, max_iter=2000).fit(vec.fit_transform([words(x, mode) for x in X]), y,
                                                         sample_weight=w)
        return clf.predict_proba(vec.transform([words(x, mode) for x in test]))

    def line(name, M, L, truth):
        mass = np.stack([M[:, col_chapter == k].sum(axis=1) for k in chapters], axis=1)
        cells = [f"model {np.mean(chapters[mass.argmax(1)] == truth):.3f}",
                 f"words {np.mean(chapters[L.argmax(1)] == truth):.3f}"]
        for a in (0.25, 0.5, 1.0):
            joint = np.log(mass + 1e-9) + a * np.log(L + 1e-9)
            cells.append(f"product a={a} {np.mean(chapters[joint.argmax(1)] == truth):.3f}")
        print(f"{name}: " + " / ".join(cells), flush=True)

    for mode in ("lemmas", "words"):
        for C in (1.0, 4.0, 16.0):
            for proto in ("new_pages", "known_themes"):
                L = np.zeros((len(c.quotes), len(chapters)))
                for train, test in splits[proto]:
                    X = [c.X[i] for i in train] + c.written_X + c.stance_X
                    y = [quote_ch[i] for i in train] + written_ch + list(c.stance_chapters)
                    w = [1.0] * (len(train) + len(written_ch)) + [2.0] * len(c.stance_X)
                    L[test] = regression(X, y, w, [c.X[i] for i in test], mode, C)
                line(f"{mode} C={C} {proto}", P[proto], L, quote_ch)
            X, y = c.X + c.written_X + c.stance_X, list(quote_ch) + written_ch + list(c.stance_chapters)
            w = [1.0] * (len(c.X) + len(written_ch)) + [2.0] * len(c.stance_X)
            line(f"{mode} C={C} development", P["development"], regression(X, y, w, dev_X, mode, C), dev_ch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
