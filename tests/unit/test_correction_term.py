"""The closeness-to-a-correction term of theme model v3 (issue #16, corrections that teach without spilling): its
weight is chosen by simulating corrections on held-out pages, and a weight that would move the other pages'
statements is refused."""
from __future__ import annotations

import numpy as np
import pytest

from mh_nlp.corpus.records import load_taxonomy
from mh_nlp.themes.examples import ExampleRanker


@pytest.fixture()
def model():
    m = ExampleRanker()
    m._taxonomy_arrays(load_taxonomy())
    m.temperature_ = 1.0
    return m


def _pages(directions: np.ndarray, per_page: int = 6, noise: float = 0.02, seed: int = 0):
    """``per_page`` quotes on each page, all of section column ``page``, embedded near the page's direction."""
    rng = np.random.default_rng(seed)
    pages = np.repeat(np.arange(len(directions)), per_page)
    E = directions[pages] + noise * rng.standard_normal((len(pages), directions.shape[1]))
    return pages, E / np.linalg.norm(E, axis=1, keepdims=True)


def _logits(y: np.ndarray, S: int, margin: float) -> np.ndarray:
    Z = np.zeros((len(y), S))
    Z[np.arange(len(y)), y] = margin
    return Z


def test_a_correction_that_only_resembles_its_own_page_gets_weight(model):
    """Each page has its own subject: half a page given as corrections says where the rest belongs, and touches
    no other page, so closeness counts (the largest weight of the grid)."""
    S = len(model.classes_)
    directions = np.eye(8, 16)
    pages, E = _pages(directions)
    y = pages.copy()  # page p is all section column p
    logits = _logits(y, S, 0.0)  # the rest of the model knows nothing
    weight, floor = model._learn_correction_term(logits, [np.arange(len(y))], pages.astype(str).astype(object), E, y,
                                                 [[s] for s in y])
    assert weight == max(model.CLOSENESS_WEIGHTS) and floor in model.CLOSENESS_FLOORS


def test_a_weight_that_would_move_other_pages_is_refused(model):
    """Every page looks the same to the encoder but belongs to another section, which the rest of the model knows
    by a margin of 1.2: a weight of 1.5 or more would drag the other pages into the corrected section, so the
    largest weight below the margin (1.0) is chosen."""
    S = len(model.classes_)
    directions = np.tile(np.eye(1, 16), (8, 1))  # one direction for all pages
    pages, E = _pages(directions, noise=0.0)
    y = pages.copy()
    weight, floor = model._learn_correction_term(_logits(y, S, 1.2), [np.arange(len(y))],
                                                 pages.astype(str).astype(object), E, y, [[s] for s in y])
    assert weight == 1.0, (weight, floor)


def test_nothing_to_simulate_with_gives_no_term(model):
    S = len(model.classes_)
    pages = np.arange(6)  # one quote a page: none can be split into corrections and a rest
    E = np.eye(6, 16)
    assert model._learn_correction_term(_logits(pages, S, 1.0), [pages], pages.astype(str).astype(object), E, pages,
                                        [[s] for s in pages]) == (0.0, 1.0)


def test_closeness_is_zero_below_the_floor_and_one_for_a_copy(model):
    C = np.array([[1.0, 0.0], [0.0, 1.0]])
    cy = np.array([3, 5])
    E = np.array([[1.0, 0.0], [0.6, 0.8], [np.sqrt(0.5), np.sqrt(0.5)]])
    out = model._closeness(E, C, cy, 0.8)
    assert out.shape == (3, len(model.classes_))
    assert out[0, 3] == 1.0 and out[0, 5] == 0.0  # a copy of the first correction, far from the second
    assert out[1, 3] == 0.0 and out[1, 5] == pytest.approx(0.0)  # cosines 0.6 and 0.8: at or below the floor
    assert np.count_nonzero(np.delete(out, [3, 5], axis=1)) == 0  # sections without corrections get nothing


def test_top_k_is_the_start_of_a_stable_descending_sort():
    from mh_nlp.themes.examples import top_k

    rng = np.random.default_rng(3)
    for decimals in (1, 2, 6):  # few decimals: many ties, also at the k-th value
        S = np.round(rng.random((50, 40)), decimals)
        for k in (1, 3, 7, 40, 45):
            assert np.array_equal(top_k(S, k), np.argsort(-S, axis=1, kind="stable")[:, :k])
