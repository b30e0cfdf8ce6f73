"""training/choice_rule.py and its variants: the argument check, and that a variant computes what it says."""
from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np

from mh_nlp.themes import examples as ex
from mh_nlp.themes import model as m

REPO = Path(__file__).resolve().parents[2]
VARIANTS = REPO / "training" / "variants"


def test_a_missing_variant_file_is_a_one_line_error():
    r = subprocess.run([sys.executable, str(REPO / "training" / "choice_rule.py"), "no/such/variant.py"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip() == "error: no variant file no/such/variant.py"


def _load(monkeypatch, name: str) -> dict:
    """Run a variant file with the names it replaces restored after the test."""
    for mod, attr in ((ex, "FEATURES"), (ex, "FREE_SIGN"), (ex.ExampleScores, "_features"),
                      (ex.ExampleScores, "_taxonomy_arrays"), (m, "conditional_logit"), (m, "fit_temperature"),
                      (ex.ExampleRanker, "fit"), (ex.ExampleScores, "decision_function")):
        monkeypatch.setattr(mod, attr, getattr(mod, attr))
    return runpy.run_path(str(VARIANTS / f"{name}.py"))


def test_chl_gradient_matches_its_loss_and_reduces_to_section_plus_chapter(monkeypatch):
    """chl.py's grouped term (round 10; tl.py, round 29, uses it with the topics): the weights that minimise the
    section's negative log-likelihood plus the group's, written out plainly, and the patch in place."""
    chl = _load(monkeypatch, "chl")
    assert m.conditional_logit.__qualname__.startswith("group_term")
    rng = np.random.default_rng(0)
    n, S, d = 40, 6, 4
    F, y = rng.normal(size=(n, S, d)), rng.integers(0, S, n)
    groups = np.array([1, 1, 2, 2, 3, 4])
    allowed = np.ones(S, dtype=bool)
    for weight in (1.0, 0.5):
        w = chl["group_term"](lambda: groups, weight)(F, y, allowed, 0.01)

        def nll(w):  # the same objective written out plainly
            z = F @ w
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            mass = np.array([p[i, groups == groups[y[i]]].sum() for i in range(n)])
            return -np.log(p[np.arange(n), y]).sum() - weight * np.log(mass).sum() + 0.5 * 0.01 * n * w @ w

        eps = 1e-6  # the objective's numerical gradient at the variant's answer: zero if its analytic gradient is right
        grad = np.array([(nll(w + eps * e) - nll(w - eps * e)) / (2 * eps) for e in np.eye(d)])
        assert np.abs(grad).max() < 1e-3 and nll(w) < nll(np.zeros(d))


def test_tl_groups_the_sections_by_topic(monkeypatch):
    """tl.py learns with the topic's term: the groups it gives chl.py's term are the model's section topics."""
    import inspect

    from mh_nlp.corpus.records import load_taxonomy

    _load(monkeypatch, "tl")

    class Fake:
        pass

    fake = Fake()
    ex.ExampleScores._taxonomy_arrays(fake, load_taxonomy())  # the patched hook: it remembers the topics
    groups = inspect.getclosurevars(m.conditional_logit).nonlocals["groups"]()
    np.testing.assert_array_equal(groups, fake.section_topic_)
    assert inspect.getclosurevars(m.conditional_logit).nonlocals["weight"] == 0.5


def test_pcw_gives_every_feature_a_copy_per_chapter(monkeypatch):
    pcw = _load(monkeypatch, "pcw")
    base = pcw["BASE"]
    assert len(ex.FEATURES) == 5 * len(base) and ex.FEATURES[:len(base)] == base
    assert set(ex.FREE_SIGN) == {f for f in ex.FEATURES if f.split("@")[0] in ("prior", "has_quotes")}

    class Fake:
        section_chapter_ = np.array([1, 2, 2, 4])

    F = np.arange(2 * 4 * len(base), dtype=float).reshape(2, 4, len(base))
    monkeypatch.setattr(ex.ExampleScores, "_features", lambda self, *a, **k: F)
    monkeypatch.setitem(pcw["features"].__globals__, "_features", lambda self, *a, **k: F)
    G = pcw["features"](Fake(), None, None, None, None)
    assert G.shape == (2, 4, 5 * len(base))
    d = len(base)
    np.testing.assert_array_equal(G[:, :, :d], F)
    np.testing.assert_array_equal(G[:, 1:3, 2 * d:3 * d], F[:, 1:3])  # chapter 2's copy: its sections only
    assert not G[:, [0, 3], 2 * d:3 * d].any() and not G[:, :, 3 * d:4 * d].any()  # chapter 3 has none here


def test_mix_learns_each_expert_on_its_own_held_out_quotes(monkeypatch):
    """The page expert's weights come from the rows of the held-out-page splits (which come first), the random
    expert's from the rest, and the default's weights from all rows, as mix.py says."""
    mix = _load(monkeypatch, "mix")
    rng = np.random.default_rng(1)
    n, S, d = 60, 5, 3
    F, y = rng.normal(size=(n, S, d)), rng.integers(0, S, n)
    F[:25, :, 0] += 2.0 * (np.arange(S)[None, :] == y[:25, None])  # feature 0 tells the section on the page rows
    F[25:, :, 1] += 2.0 * (np.arange(S)[None, :] == y[25:, None])  # feature 1 on the random rows
    seen = mix["SEEN"]
    seen.clear()
    seen.update(recording=True, blocks=[10, 15, 20, 15], page_splits=2)  # 25 page rows, then 35 random rows
    allowed = np.ones(S, dtype=bool)
    joint = mix["conditional_logit"](F, y, allowed, 0.01, nonneg=[0, 1, 2])
    (w_page, rows_page), (w_rand, rows_rand) = seen["experts"]
    assert rows_page == slice(0, 25) and rows_rand == slice(25, 60)
    np.testing.assert_allclose(w_page, mix["_cl"](F[:25], y[:25], allowed, 0.01, [0, 1, 2]))
    np.testing.assert_allclose(joint, mix["_cl"](F, y, allowed, 0.01, [0, 1, 2]))
    assert w_page[0] > w_page[1] and w_rand[1] > w_rand[0]
    accepted = [[int(c)] for c in y]
    mix["fit_temperature"](F @ joint, accepted)
    assert len(seen["temperatures"]) == 2 and all(t > 0 for t in seen["temperatures"])


def test_kwparts_adds_the_pieces_of_long_words_to_the_stems(monkeypatch):
    from mh_nlp.themes import features

    monkeypatch.setattr(features, "stems", features.stems)
    kw = runpy.run_path(str(VARIANTS / "kwparts.py"))
    got = features.stems("Arbeidsuitbuiting bij de NLA")
    assert got[:3] == ["arbeid", "bij", "nla"]  # the six-letter stems stay, first
    assert "#uitbu" in got and "#buiti" in got and not any(p.startswith("#") and len(p) != 6 for p in got)
    assert features.stems is kw["stems"]


def test_ww_sets_every_written_statements_weight(monkeypatch):
    """ww.py (round 37b): the model it makes weighs a written statement MH_NLP_WRITTEN_WEIGHT, a quote 1."""
    monkeypatch.setattr(ex.ExampleScores, "__init__", ex.ExampleScores.__init__)
    monkeypatch.setenv("MH_NLP_WRITTEN_WEIGHT", "0.25")
    runpy.run_path(str(VARIANTS / "ww.py"))
    model = ex.ExampleRanker()
    assert model.written_weight == 0.25 and model.get_params()["written_weight"] == 0.25
    assert list(model._weights(np.array([0, 1]))) == [1.0, 0.25]


def test_the_third_written_batch_builds_a_data_folder_the_checks_accept(tmp_path):
    """Round 37's data (training/variants/written3/build_data.py): the product's data/ with the third batch appended,
    every row passing the written set's checks, none a copy of a quote or an outside sentence; an existing folder is
    refused, never overwritten."""
    from mh_nlp.corpus.records import load_quotes, load_taxonomy
    from mh_nlp.corpus.written import copies, read_written
    from mh_nlp.paths import data_dir

    script = VARIANTS / "written3" / "build_data.py"
    out = tmp_path / "data3"
    r = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    tax = load_taxonomy()
    before = read_written(tax, data_dir() / "synthetic" / "statements.jsonl")
    after = read_written(tax, out / "synthetic" / "statements.jsonl")
    third = [w for w in after if w.batch.startswith("2026-12-07-i")]
    assert len(after) == len(before) + len(third) == len(before) + 2062
    assert {w.section for w in third} == {w.section for w in before}  # every titled section
    import json
    outside = [json.loads(line)["text"] for name in ("external", "development")
               for line in (data_dir() / name / "sentences.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert copies(third, [q.text for q in load_quotes()], outside) == []
    r = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, text=True)
    assert r.returncode == 1 and "exists" in r.stderr


def test_lexrows_centroids_sum_each_groups_rows_at_their_weights_and_the_stance_rows_at_theirs(monkeypatch):
    """lexrows.py (rounds 46-52): a group's centroid is the unit-length weighted sum of its examples' rows, with
    the written stance statements at stance_weight when given."""
    from scipy import sparse

    monkeypatch.setattr(ex.ExampleScores, "_design", ex.ExampleScores._design)
    lex = runpy.run_path(str(VARIANTS / "lexrows.py"))
    table = {"ex": np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 2.0]]), "st": np.array([[0, 3.0, 0]])}
    monkeypatch.setitem(lex["centroids"].__globals__, "rows", lambda model, D: sparse.csr_matrix(table[D]))

    class Fake:
        stance_weight = 2.0

    C = lex["centroids"](Fake(), "ex", np.array([0, 0, 1]), 3, np.array([1.0, 3.0, 1.0]))
    np.testing.assert_allclose(C[0], np.array([1.0, 3.0, 0]) / np.sqrt(10))
    np.testing.assert_allclose(C[1], [0, 0, 1.0])
    assert not C[2].any()  # a group without examples stays 0
    C = lex["centroids"](Fake(), "ex", np.array([0, 0, 1]), 2, np.ones(3), stance=("st", [0], [1]),
                         stance_groups=np.array([1]))
    np.testing.assert_allclose(C[1], np.array([0, 6.0, 2.0]) / np.sqrt(40))  # 2 x the stance row beside its example


def test_cuechap_gives_every_stance_column_a_copy_per_chapter(monkeypatch):
    """cuechap.py (round 54): feature (g, c) of a section is the statement's stance column g where the section lies
    in chapter c, else 0; the base features stay first."""
    cc = _load(monkeypatch, "cuechap")
    base, n_cues = cc["BASE"], cc["N_CUES"]
    assert ex.FEATURES[:len(base)] == base and len(ex.FEATURES) == len(base) + 4 * n_cues
    assert set(cc["EXTRA"]) <= set(ex.FREE_SIGN)

    class Fake:
        section_chapter_ = np.array([1, 2, 2, 4])
        chapters_ = np.array([1, 2, 3, 4])
        classes_ = np.array(["1.1", "2.1", "2.2", "4.1"])

    F = np.zeros((2, 4, len(base)))
    monkeypatch.setitem(cc["features"].__globals__, "_features", lambda self, *a, **k: F)
    E = np.zeros((2, 3))
    cues = np.arange(1, 2 * n_cues + 1, dtype=float).reshape(2, n_cues)
    G = cc["features"](Fake(), None, np.hstack([E, cues]), E, None)
    X = G[:, :, len(base):].reshape(2, 4, n_cues, 4)
    np.testing.assert_array_equal(X[:, 1, :, 1], cues)  # section 2.1 in chapter 2
    np.testing.assert_array_equal(X[:, 3, :, 3], cues)  # section 4.1 in chapter 4
    assert not X[:, 1, :, [0, 2, 3]].any() and not X[:, :, :, 2].any()  # no section in chapter 3
