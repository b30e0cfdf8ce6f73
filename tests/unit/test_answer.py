"""The answer to a row of section probabilities: the most probable chapter first, then its most probable section."""
import numpy as np
import pytest

from mh_nlp.themes.answer import answer_order, chapter_then_section

CH = np.array([1, 1, 2, 2, 2, 4])  # the chapter of each column


def test_a_chapter_with_more_mass_beats_a_more_probable_section_elsewhere():
    P = np.array([[0.30, 0.00, 0.25, 0.25, 0.20, 0.00]])  # column 0 alone is most probable; chapter 2 has 0.70
    ch, j = chapter_then_section(P, CH)
    assert ch.tolist() == [2] and j.tolist() == [2]
    assert answer_order(P, CH, 3).tolist() == [[2, 0, 3]]  # the answer, then the others by probability


def test_the_most_probable_section_is_the_answer_when_its_chapter_is_the_most_probable():
    P = np.array([[0.05, 0.10, 0.40, 0.05, 0.10, 0.30]])
    assert answer_order(P, CH, 3).tolist() == [[2, 5, 1]]


@pytest.mark.parametrize("seed", range(5))
def test_the_answer_is_coherent_on_random_rows(seed):
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(len(CH), 0.5), size=200)
    top = answer_order(P, CH, 4)
    mass = np.stack([P[:, CH == c].sum(axis=1) for c in (1, 2, 4)], axis=1)
    for row, t in zip(P, top):
        assert len(set(t.tolist())) == 4  # never a section twice
        chapter = CH[t[0]]
        assert row[CH == chapter].sum() == pytest.approx(max(row[CH == c].sum() for c in (1, 2, 4)))
        assert row[t[0]] == row[CH == chapter].max()  # the most probable section of that chapter
        assert (np.diff(row[t[1:]]) <= 0).all()  # the alternatives by probability
    assert (CH[top[:, 0]] == np.array([1, 2, 4])[mass.argmax(axis=1)]).all()


def test_k_is_bounded_by_the_sections_and_no_rows_give_no_answers():
    P = np.array([[0.2, 0.1, 0.3, 0.1, 0.1, 0.2]])
    assert answer_order(P, CH, 10).shape == (1, 6)
    assert sorted(answer_order(P, CH, 10)[0].tolist()) == list(range(6))
    assert answer_order(np.zeros((0, 6)), CH, 3).shape == (0, 3)


def test_the_temperature_is_fitted_on_the_section_shown():
    """Round 43: the temperature makes the probability of the answer shown (chapter first) match how often it is
    right. Answers right half the time at a raw probability near 0.8 are cooled toward 0.5; answers always right
    are sharpened; and the fitted confidence's mean sits near the share right."""
    from mh_nlp.themes.examples import softmax
    from mh_nlp.themes.model import fit_shown_temperature

    rng = np.random.default_rng(3)
    chapters = np.array([1, 1, 2, 2, 3, 3])
    n = 400
    logits = rng.normal(scale=0.3, size=(n, 6))
    shown = rng.integers(0, 6, n)
    logits[np.arange(n), shown] += 3.0  # the raw softmax gives the shown column about 0.8
    right = rng.random(n) < 0.5
    accepted = [[int(s)] if r else [int((s + 1) % 6)] for s, r in zip(shown, right)]
    raw = softmax(logits)[np.arange(n), shown].mean()
    T = fit_shown_temperature(logits, accepted, chapters)
    p = softmax(logits / T)[np.arange(n), shown]
    assert raw > 0.75 and T > 1 and abs(p.mean() - right.mean()) < 0.05
    T_all = fit_shown_temperature(logits, [[int(s)] for s in shown], chapters)
    assert T_all < 1 and softmax(logits / T_all)[np.arange(n), shown].mean() > raw
