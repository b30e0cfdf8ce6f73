"""The written stance statements teach the theme model's topic and chapter classifiers and nothing else: the section
classifier, the similarities and the examples stay those of the quotes and written statements."""
from __future__ import annotations

import numpy as np
import pytest

from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
from mh_nlp.corpus.written import read_stance
from mh_nlp.themes.examples import ExampleRanker
from mh_nlp.themes.features import prepare

PAGES = (11, 12, 24, 25, 40, 41, 50, 51)


@pytest.fixture(scope="module")
def data():
    tax = load_taxonomy()
    quotes = [q for q in training_quotes(load_quotes()) if q.page in PAGES]
    stance = read_stance(tax)[:80]
    return (prepare([q.text for q in quotes]), [q.section for q in quotes], [str(q.page) for q in quotes],
            (prepare([t.text for t in stance]), [t.topic for t in stance], [t.chapter for t in stance]))


def _fit(data, stance=None, **params):
    X, y, groups, _ = data
    return ExampleRanker(inner_folds=2, **params).fit(X, y, groups=groups, stance=stance)


def test_stance_rows_move_the_topic_and_chapter_classifiers_only(data):
    plain, taught = _fit(data), _fit(data, data[3])
    S = len(plain.classes_)
    assert plain.n_stance_ == 0 and taught.n_stance_ == len(data[3][0]) == 80
    np.testing.assert_array_equal(plain.ridge_coef_[:, :S], taught.ridge_coef_[:, :S])
    np.testing.assert_array_equal(plain.examples_E_, taught.examples_E_)
    assert np.abs(plain.ridge_coef_[:, S:] - taught.ridge_coef_[:, S:]).max() > 1e-3
    assert taught.get_state()[1]["n_stance"] == 80


def test_stance_rows_with_weight_zero_change_nothing(data):
    np.testing.assert_array_equal(_fit(data).ridge_coef_, _fit(data, data[3], stance_weight=0.0).ridge_coef_)


@pytest.mark.parametrize("topics, chapters, message", [
    (["loverboys"], [2], "unknown topic"),
    (["capaciteit"], [7], "unknown topic.*or chapter"),
    (["capaciteit", "online"], [2], "one topic and one chapter per stance statement"),
])
def test_bad_stance_rows_are_refused(data, topics, chapters, message):
    X = prepare(["Te weinig capaciteit bij de AVIM."] * len(topics))
    with pytest.raises(ValueError, match=message):
        _fit(data, (X, topics, chapters))
