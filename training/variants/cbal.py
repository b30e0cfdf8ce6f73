"""Round 31, `cbal`: the chapter ridge fitted with balanced chapters: each example's weight (quotes, written
statements, and the written stance statements at their weight) scaled so that every chapter's examples weigh the same
in all. Chapter 3 has 15 titled sections and so 1,350 written statements, chapter 1 has 7 (630): a ridge fitted on
one-hot targets leans toward the chapter with the most examples. The section and topic ridges stay as they are."""
import numpy as np

from mh_nlp.themes import examples as ex

_base = ex.ExampleScores._base


def base(self, D, E, y, w, is_quote, stance=None):
    out = _base(self, D, E, y, w, is_quote, stance)
    S, T = len(self.classes_), int(self.section_topic_.max()) + 1
    mu, sd = out["design_mean"], out["design_scale"]
    Z = (D - mu) / sd
    Yc = (self.section_chapter_[y][:, None] == self.chapters_[None, :]).astype(float)
    weights = np.asarray(w, dtype=float)
    if stance is not None and len(stance[1]) and self.stance_weight > 0:
        Ds, _ts, cs = stance
        Z = np.vstack([Z, (Ds - mu) / sd])
        Yc = np.vstack([Yc, (cs[:, None] == np.arange(Yc.shape[1])[None, :]).astype(float)])
        weights = np.concatenate([weights, np.full(len(cs), float(self.stance_weight))])
    per_chapter = Yc.T @ weights
    scale = np.where(per_chapter > 0, per_chapter[per_chapter > 0].mean() / np.maximum(per_chapter, 1e-12), 0.0)
    Wc, bc = ex.ridge_fit(Z, Yc, weights * (Yc @ scale), self.ridge_lambda)
    out["ridge_coef"] = out["ridge_coef"].copy()
    out["ridge_intercept"] = out["ridge_intercept"].copy()
    out["ridge_coef"][:, S + T:], out["ridge_intercept"][S + T:] = Wc, bc
    return out


ex.ExampleScores._base = base
