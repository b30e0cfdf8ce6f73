"""A copy of the theme model without some of its examples (``ExampleScores.without_examples``), as the review screen
makes it to score a model on the reviewed statements it learnt from (QA 47a D7): the ridge classifiers are fitted
again without them, as a model never given them would have them."""
from __future__ import annotations

import numpy as np
import pytest

from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
from mh_nlp.corpus.written import read_stance
from mh_nlp.themes.examples import KINDS, ExampleRanker, ExampleScores
from mh_nlp.themes.features import prepare

PAGES = (11, 12, 24, 25, 40, 41, 50, 51)
CORRECTIONS = [("Het buurthuis organiseert koffieochtenden voor ouderen in de wijk.", "3.14"),
               ("De bibliotheek heeft een nieuwe leesclub voor jongeren.", "4.6"),
               ("Onze vrijwilligers brengen boodschappen rond bij wie slecht ter been is.", "3.14")]


@pytest.fixture(scope="module")
def data():
    quotes = [q for q in training_quotes(load_quotes()) if q.page in PAGES]
    stance = read_stance(load_taxonomy())[:80]
    return ([q.text for q in quotes], [q.section for q in quotes], [str(q.page) for q in quotes],
            (prepare([t.text for t in stance]), [t.topic for t in stance], [t.chapter for t in stance]))


def _fit(data, corrections=()):
    texts, sections, pages, stance = data
    texts, sections = texts + [t for t, _ in corrections], sections + [s for _, s in corrections]
    kinds = ["quote"] * len(pages) + ["correction"] * len(corrections)
    return ExampleRanker(inner_folds=2).fit(prepare(texts), sections, kinds=kinds,
                                            groups=pages + ["added"] * len(corrections), stance=stance)


@pytest.fixture(scope="module")
def models(data):
    return _fit(data, CORRECTIONS), _fit(data)


def _corrections(model):
    return np.asarray(model.examples_kind_) == KINDS.index("correction")


def test_the_ridges_are_those_of_a_model_never_given_the_examples(models):
    taught, never = models
    m = taught.without_examples(_corrections(taught))
    assert not np.allclose(taught.ridge_coef_, never.ridge_coef_, atol=1e-4)  # the corrections moved them
    np.testing.assert_array_equal(m.examples_E_, never.examples_E_)
    np.testing.assert_array_equal(m.examples_y_, never.examples_y_)
    for name in ("design_mean_", "design_scale_", "ridge_coef_", "ridge_intercept_", "prior_"):
        np.testing.assert_allclose(getattr(m, name), getattr(never, name), rtol=1e-4, atol=1e-5, err_msg=name)
    assert len(m.evidence_) == len(m.evidence_rows_) == len(never.evidence_)


def test_a_dropped_correction_no_longer_draws_its_statement_through_the_ridge(models):
    taught, _ = models
    X = prepare([CORRECTIONS[1][0]])
    E = taught._embed(X)
    col = list(taught.classes_).index(CORRECTIONS[1][1])

    def ridge_score(model):
        return model._features(model._state_base(), model._design(E, X), E, model._keywords(X))[0, col, 0]

    m = taught.without_examples(_corrections(taught))
    assert ridge_score(m) < ridge_score(taught) - 0.05
    assert m.predict_proba(X, E)[0, col] < taught.predict_proba(X, E)[0, col]


def test_the_model_itself_is_left_as_it_was(models):
    taught, _ = models
    before = {k: getattr(taught, k).copy() for k in ExampleScores.ARRAYS + ExampleScores.REFIT_ARRAYS}
    X = prepare(["Er is te weinig opvang voor slachtoffers van arbeidsuitbuiting."])
    P = taught.predict_proba(X)
    taught.without_examples(_corrections(taught)).predict_proba(X)
    for k, v in before.items():
        np.testing.assert_array_equal(getattr(taught, k), v, err_msg=k)
    np.testing.assert_array_equal(taught.predict_proba(X), P)


def test_dropping_nothing_is_the_model(models):
    taught, _ = models
    m = taught.without_examples(np.zeros(len(taught.examples_y_), dtype=bool))
    assert m is not taught and m.ridge_coef_ is taught.ridge_coef_


def test_what_refitting_takes_is_kept_in_the_model_file(models):
    taught, never = models
    arrays, state = taught.get_state()
    assert set(ExampleScores.REFIT_ARRAYS) <= set(arrays)
    loaded = ExampleScores.from_state(arrays, state)
    assert loaded.refits
    m = loaded.without_examples(_corrections(loaded))
    np.testing.assert_allclose(m.ridge_coef_, never.ridge_coef_, rtol=1e-4, atol=1e-5)


def test_an_older_model_file_without_them_keeps_its_ridges(models):
    taught, _ = models
    arrays, state = taught.get_state()
    older = ExampleScores.from_state({k: v for k, v in arrays.items() if k not in ExampleScores.REFIT_ARRAYS}, state)
    assert not older.refits
    m = older.without_examples(_corrections(older))
    assert len(m.examples_y_) == len(older.examples_y_) - len(CORRECTIONS)
    assert m.ridge_coef_ is older.ridge_coef_


@pytest.mark.parametrize("name, value, message", [
    ("stance_topic_", lambda a: a + 10_000, "stance_topic_ point outside"),
    ("stance_chapter_", lambda a: a[:-1], "shapes of stance_chapter_"),
    ("examples_cues_", lambda a: a[:, :-1], "shapes of examples_cues_"),
    ("stance_design_", lambda a: np.where(a == a.flat[0], np.nan, a), "not finite"),
])
def test_a_tampered_refit_array_is_refused_at_load(models, name, value, message):
    taught, _ = models
    arrays, state = taught.get_state()
    arrays[name] = value(arrays[name])
    with pytest.raises(ValueError, match=message):
        ExampleScores.from_state(arrays, state)
