"""Scoring rules of the evaluation and the grouped cross-validation protocol."""
from __future__ import annotations

import json

import pytest

from mh_nlp.corpus import Quote, load_quotes, load_taxonomy, training_quotes
from mh_nlp.evaluate import DEFAULT_CANDIDATE, EMBEDDINGS_CANDIDATE, candidates, cross_validate, prf, score
from mh_nlp.paths import REPO_ROOT


def _q(section: str, alt: tuple[str, ...] = (), page: int = 11) -> Quote:
    return Quote(id="x", page=page, column="left", order=1, section=section, chapter=int(section[0]),
                 text="t", lines=(1, 1), alt_sections=alt)


def test_alt_sections_count_as_correct():
    tax = load_taxonomy()
    quotes = [_q("1.1", ("1.2",)), _q("2.16", ("2.15",)), _q("4.7")]
    sec, chap = score(quotes, ["1.2", "2.18", "3.1"], [["1.2"], ["2.1", "2.15", "2.2"], ["4.1", "4.2", "4.3"]], tax)
    assert sec.accuracy == 1 / 3
    assert sec.top3 == 2 / 3
    assert chap.accuracy == 2 / 3


def test_prf_macro_over_gold_labels():
    per, macro = prf(["a", "a", "b"], ["a", "b", "b"])
    assert per["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert abs(macro - (0.6667 + 0.6667) / 2) < 1e-3


def test_cv_is_grouped_by_page():
    tax = load_taxonomy()
    quotes = training_quotes(load_quotes())
    majority = next(c for c in candidates() if c.name == "majority")
    res = cross_validate(majority, quotes, [None] * len(quotes), tax, folds=4)
    # a majority model predicts one section per fold; if a page were split, its quotes would see two folds
    by_page: dict[int, set] = {}
    for q, p in zip(quotes, res.predictions):
        by_page.setdefault(q.page, set()).add(p)
    assert all(len(v) == 1 for v in by_page.values())
    assert len({p for v in by_page.values() for p in v}) > 1


def test_default_models_are_the_reported_winners():
    ev = json.loads((REPO_ROOT / "reports" / "evaluation.json").read_text(encoding="utf-8"))
    assert ev["winner_without_extras"] == DEFAULT_CANDIDATE  # what set-up trains
    assert ev["protocol"]["cv"].startswith("GroupKFold")
    with_extras = {name: c for name, c in ev["candidates"].items() if name in ev["extras"]}
    if with_extras:  # measured with the 'embeddings' extra installed: mh-nlp train --embeddings trains its winner
        best = max(with_extras, key=lambda n: (with_extras[n]["section"]["accuracy"],
                                               with_extras[n]["section"]["top3_accuracy"] or 0.0))
        assert best == EMBEDDINGS_CANDIDATE


def test_candidates_by_name_and_their_extras(monkeypatch):
    import mh_nlp.evaluate as ev

    assert ev.candidate(DEFAULT_CANDIDATE).extra is None
    with pytest.raises(ValueError, match="unknown candidate"):
        ev.candidate("no_such_model")
    monkeypatch.setattr(ev, "embeddings_available", lambda: False)
    assert all(c.extra is None for c in ev.candidates())
    with pytest.raises(ValueError, match="optional extra 'embeddings'"):
        ev.candidate(EMBEDDINGS_CANDIDATE)
