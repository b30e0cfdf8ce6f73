"""QA 51a D3: an analyst's reviewed statement that keeps the model's suggestion (accepted on the review screen, a label
output's row left at top1) is learnt as a *confirmation* — like an anthology quote — and not as a correction: taught
six times over, with the correction term's pull, the model's own guesses drew unrelated statements into their
sections, so the screen never offered a model trained on a realistic review session."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mh_nlp.app.engine import SPILL_LIMITS, confirms, learnt_from
from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.io.readers import read_statements
from mh_nlp.themes.evaluate import candidates, held_out_pages, prepare_corpus
from mh_nlp.themes.examples import KINDS
from mh_nlp.themes.train import Addition, load_classifier, train_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_an_accepted_suggestion_is_a_confirmation_and_a_changed_one_a_correction():
    rows = [{"text": "Meer opvang.", "section": "4.7", "suggested": "4.7"},
            {"text": "Te weinig capaciteit.", "section": "2.16", "suggested": "4.5"},
            {"text": "Zonder suggestie.", "section": "2.16", "suggested": None}]
    assert [confirms(r) for r in rows] == [True, False, False]
    assert [(a.text, a.confirmed) for a in learnt_from(rows)] == [
        ("Meer opvang.", True), ("Te weinig capaciteit.", False), ("Zonder suggestie.", False)]


def test_a_confirmation_is_an_example_and_evidence_without_the_correction_pull(tmp_path):
    text = "Het buurthuis organiseert koffieochtenden voor ouderen in de wijk."
    path = tmp_path / "m.npz"
    meta = train_model(path, additions=[Addition(text, "3.14", 2, confirmed=True), Addition(text + " Nu.", "4.6", 3)],
                       additions_file="review screen (2 reviewed statements)")
    assert meta["corrections"] == 2 and meta["confirmations"] == 1
    from click.testing import CliRunner

    from mh_nlp.cli import main

    res = CliRunner().invoke(main, ["info", "--model", str(path)])
    assert res.exit_code == 0, res.output
    assert "of which 1 keep the section the model suggested: learnt as confirmations" in res.output, res.output
    assert "from review screen (2 reviewed statements)" in res.output and "SHA-256 None" not in res.output  # 51b N8
    model = load_classifier(path).model
    kinds = np.asarray(model.examples_kind_)
    assert (kinds == KINDS.index("confirmation")).sum() == 1 and (kinds == KINDS.index("correction")).sum() == 1
    # both are evidence shown (reviewed statements), the confirmation weighs as a quote does
    assert {e["id"] for e in model.evidence_} >= {"added-2", "added-3"}
    w = model._weights(kinds)
    assert w[kinds == KINDS.index("confirmation")][0] == w[kinds == KINDS.index("quote")][0] == 1.0
    assert w[kinds == KINDS.index("correction")][0] == model.correction_weight > 1.0


@pytest.fixture(scope="module")
def accepted_session():
    """The example notes' statements, each with the section the default model suggests: a review session in which
    the analyst accepted every suggestion."""
    texts = [s.text for f in sorted(EXAMPLES.iterdir()) if f.suffix in (".md", ".txt")
             for s in read_statements(f) if s.kind == "statement"]
    assert len(texts) >= 20
    clf = load_classifier()
    return list(zip(texts, clf.predict(texts)))


def test_accepting_the_suggestions_of_a_session_does_not_pull_the_model_off_course(accepted_session):
    """The screen's held-out-page check (the anthology's pages the model has not seen): accepted suggestions learnt
    as confirmations keep accuracy within the screen's limit and draw no more quotes into their sections; learnt as
    corrections (as before) they cost more than the limit (measured 2026-12-07: 0.390 -> 0.365 as corrections,
    0.385 as confirmations; into their sections 0.517 -> 0.555 and 0.517)."""
    tax = load_taxonomy()
    c = prepare_corpus(tax)
    model = next(m for m in candidates(tax) if m.name == "examples_e5")
    confirmed = held_out_pages(model, c, [(t, s, True) for t, s in accepted_session])
    assert confirmed["after"] >= confirmed["before"] - SPILL_LIMITS[0], confirmed
    assert confirmed["into_after"] - confirmed["into_before"] <= SPILL_LIMITS[1] / 2, confirmed
    corrected = held_out_pages(model, c, [(t, s) for t, s in accepted_session], baseline=confirmed["baseline"])
    assert corrected["after"] < confirmed["after"], (corrected, confirmed)  # what the old weighting did
