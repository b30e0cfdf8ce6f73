"""Round 10, `pcw` (not taken): the conditional logit's weights per chapter — each feature once shared and once per
chapter (the feature times "the section is in chapter c"), with the same signs and the same l2 penalty, so that
each chapter's weights are shrunk toward the shared ones."""
import numpy as np

from mh_nlp.themes import examples as ex

BASE = ex.FEATURES
CHAPTERS = (1, 2, 3, 4)
ex.FEATURES = BASE + tuple(f"{f}@{c}" for c in CHAPTERS for f in BASE)
ex.FREE_SIGN = tuple(f for f in ex.FEATURES if f.split("@")[0] in ("prior", "has_quotes"))
_features = ex.ExampleScores._features


def features(self, base, D, E, K, skip=frozenset()):
    # a base feature is skipped only when it and all its chapter copies have weight 0
    skipped = frozenset(f for f in BASE if all(g in skip for g in ex.FEATURES if g.split("@")[0] == f))
    F = np.asarray(_features(self, base, D, E, K, skipped))
    ch = self.section_chapter_
    return np.concatenate([F] + [F * (ch == c)[None, :, None] for c in CHAPTERS], axis=2)


ex.ExampleScores._features = features


if __name__ == "__main__":  # the weights fitted on every quote (and the written statements), per chapter
    from mh_nlp.corpus.records import load_taxonomy
    from mh_nlp.themes.evaluate import Examples, _fit, prepare_corpus

    tax = load_taxonomy()
    c = prepare_corpus(tax)
    model = Examples("pcw", "", tax, "e5")
    _fit(model, c, np.arange(len(c.quotes)))
    w = dict(zip(ex.FEATURES, model.est.weights_))
    for f in BASE:
        print(f"{f:>10}: shared {w[f]:+.3f}; shared + chapter " +
              "  ".join(f"{c}: {w[f] + w[f'{f}@{c}']:+.3f}" for c in CHAPTERS))
