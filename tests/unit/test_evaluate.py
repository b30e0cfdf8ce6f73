"""The evaluation is reproducible: nothing in it depends on Python's per-process string hashing."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from mh_nlp.themes.evaluate import group_ids, macro_f1

PAGES = ["p011", "p013", 15, "p011", "added", "p059", 15]


def test_group_ids_are_the_same_under_every_hash_seed():
    code = f"import json; from mh_nlp.themes.evaluate import group_ids; print(json.dumps(group_ids({PAGES!r}).tolist()))"
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")]
    assert len(set(runs)) == 1
    ids = json.loads(runs[0])
    assert ids == group_ids(PAGES).tolist() and min(ids) >= 0
    assert ids[0] == ids[3] and ids[2] == ids[6] and len(set(ids)) == 5  # one id per page, pages kept apart


def test_macro_f1():
    assert macro_f1(["a", "b", "b"], ["a", "b", "a"]) == (2 / 3 + 2 / 3) / 2


def test_readings_are_scored_against_the_corpus_with_alt_sections_counting(tmp_path):
    """A reader's top-3 per quote: section and chapter right when the first is the quote's section or one of its
    alt_sections; top-3 right when any of the three is."""
    from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
    from mh_nlp.themes.evaluate import score_readings

    quotes = training_quotes(load_quotes())
    alt = next(q for q in quotes if q.alt_sections)
    plain = [q for q in quotes if not q.alt_sections and q.section.startswith("2.")][:2]
    rows = [(alt, [alt.alt_sections[0], "1.1", "1.2"]),  # right by its alt section
            (plain[0], ["4.12", plain[0].section, "1.1"]),  # wrong, but in the top 3
            (plain[1], ["2.1" if plain[1].section != "2.1" else "2.5", "4.12", "4.13"])]  # wrong, chapter right
    path = tmp_path / "readings.jsonl"
    path.write_text("".join(json.dumps({"quote_id": q.id, "reader": "r", "condition": "blind", "fold": 1,
                                        "top3": t}) + "\n" for q, t in rows), encoding="utf-8")
    (r,) = score_readings(quotes, load_taxonomy(), path)
    chapters = load_taxonomy().sections
    alt_chapter_right = chapters[alt.alt_sections[0]].chapter in {chapters[s].chapter for s in alt.accepted_sections}
    assert (r["reader"], r["condition"], r["n"]) == ("r", "blind", 3)
    assert r["section"] == 1 / 3 and r["top3"] == 2 / 3
    assert r["chapter"] == (alt_chapter_right + 0 + 1) / 3


def test_readings_of_another_protocol_are_scored_apart(tmp_path):
    """A reading of the known_themes folds is its own row; a row without a protocol is of new_pages."""
    from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
    from mh_nlp.themes.evaluate import score_readings

    q = next(q for q in training_quotes(load_quotes()) if not q.alt_sections and q.section != "1.1")
    rows = [{"quote_id": q.id, "reader": "r", "condition": "blind", "fold": 1, "top3": [q.section, "1.1", "1.2"]},
            {"quote_id": q.id, "reader": "r", "condition": "blind", "protocol": "known_themes", "fold": 2,
             "top3": ["1.1", q.section, "1.2"]}]
    path = tmp_path / "readings.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    got = {r["protocol"]: (r["n"], r["section"], r["top3"]) for r in score_readings([q], load_taxonomy(), path)}
    assert got == {"new_pages": (1, 1.0, 1.0), "known_themes": (1, 0.0, 1.0)}


def test_reading_in_order_keeps_sources_and_pages_apart():
    """External sentences: a run per source, so a sentence of one text never moves another's; new pages: each
    held-out page is one run and the stay probability comes from the fold's training quotes."""
    from types import SimpleNamespace

    import numpy as np

    from mh_nlp.themes.evaluate import pages_in_order, sources_in_order

    themed = [[0.9, 0.1, 0.0], [0.85, 0.15, 0.0], [0.4, 0.6, 0.0], [0.9, 0.1, 0.0]]  # one unclear among clear ones
    P = np.array(themed + [[0.1, 0.9, 0.0], [0.45, 0.55, 0.0]])
    Q = sources_in_order(P, ["a", "a", "a", "a", "b", None], 0.9)
    assert Q[2].argmax() == 0  # pulled by the sentences around it from the same text
    assert np.allclose(Q[4:], P[4:])  # alone in their runs
    assert np.all(Q[:, 2] == 0)  # a section no candidate gives a probability stays out
    split = [(np.arange(4, 8), np.arange(4))]  # page 1 held out, pages 2 and 3 its training data
    P8 = np.vstack([P[:4], P[:4]])

    def pages(sections):
        return [SimpleNamespace(page=p, section=s) for p, s in zip([1, 1, 1, 1, 2, 2, 3, 3], sections)]

    # training pages that keep their section (stay (2 + 1) / (2 + 2)): the unclear quote follows its page
    out = pages_in_order(P8, pages(["a", "a", "b", "a", "y", "y", "x", "x"]), split)
    assert out[2].argmax() == 0 and np.allclose(out[4:], P8[4:])
    # training pages that change section at every quote (stay 1/4): it keeps its own reading
    out = pages_in_order(P8, pages(["a", "a", "b", "a", "y", "z", "x", "w"]), split)
    assert out[2].argmax() == 1


def _small_corpus(pages=(19, 27, 29, 37)):
    from mh_nlp.corpus.records import load_quotes, load_taxonomy, training_quotes
    from mh_nlp.themes.evaluate import Corpus
    from mh_nlp.themes.model import SpacyPreprocessor

    quotes = [q for q in training_quotes(load_quotes()) if q.page in pages]
    return load_taxonomy(), Corpus(quotes, SpacyPreprocessor().transform([q.text for q in quotes]), [], [])


def test_correction_effect_counts_every_page_and_a_model_without_training_does_not_move():
    """The corrections table is filled for every candidate (issue #16): each held-out page gives k of its quotes as
    corrections and is scored on the rest; the other held-out pages of its fold show the spill. A model that does not
    train (the zero-shot one) must come out the same with and without corrections."""
    from sklearn.model_selection import GroupKFold

    from mh_nlp.themes.evaluate import candidates, correction_effect

    tax, c = _small_corpus()
    pages = np.array([q.page for q in c.quotes])
    assert sorted(set(pages.tolist())) == [19, 27, 29, 37]
    splits = {"new_pages": list(GroupKFold(2).split(c.X, groups=pages))}
    want = {}  # k -> (rest of page, other pages) counted by hand; page 37 has 5 quotes: nothing left at k=5
    for k in ("5", "half"):
        rest = other = 0
        for _, test in splits["new_pages"]:
            for p in set(pages[test].tolist()):
                n = int((pages[test] == p).sum())
                n_add = n // 2 if k == "half" else 5
                if n_add and n - n_add:
                    rest, other = rest + n - n_add, other + int((pages[test] != p).sum())
        want[k] = (rest, other)
    by_name = {m.name: m for m in candidates(tax, fast_available=False)}
    said = []
    for name in ("majority", "tfidf_lr", "e5_zero_shot_desc"):
        eff = correction_effect(by_name[name], c, splits, [], [], tax, said.append)
        for k in ("5", "half"):
            e = eff[k]
            assert (e["n_rest"], e["other_pages"]["n"]) == want[k] and e["external"]["n"] == 0
            shares = [e["page_rest_before"], e["page_rest_after"]] + [
                e["other_pages"][f] for f in ("before", "after", "into_corrected_before", "into_corrected_after")]
            assert all(0.0 <= v <= 1.0 for v in shares)
            if name == "e5_zero_shot_desc":  # no training: corrections change nothing
                assert e["page_rest_after"] == e["page_rest_before"]
                assert e["other_pages"]["after"] == e["other_pages"]["before"]
                assert e["other_pages"]["into_corrected_after"] == e["other_pages"]["into_corrected_before"]
    assert any("tfidf_lr" in m for m in said) and any("e5_zero_shot_desc" in m for m in said)  # progress names it
    from mh_nlp.themes.evaluate import correction_steps  # the progress count (QA 48a D8) knows every page it trains

    assert len(said) == 3 * correction_steps(c.quotes, splits)


def test_the_summary_shows_the_default_models_corrections_or_else_every_evaluated_ones():
    from mh_nlp.themes.evaluate import summary_table

    side = {"before": 0.5, "after": 0.5, "into_corrected_before": 0.0, "into_corrected_after": 0.1, "n": 3}
    eff = {"5": {"page_rest_before": 0.2, "page_rest_after": 0.4, "n_rest": 3, "other_pages": side,
                 "external": side}}

    def lines(names, default="examples_e5"):
        ev = {"protocols": {}, "candidates": {n: "" for n in names}, "default_candidate": default,
              "corrections": {n: eff for n in names}}
        return [line.split(",")[0] for line in summary_table(ev).splitlines() if line.startswith("corrections")]

    assert lines(["tfidf_lr", "examples_e5"]) == ["corrections (examples_e5"]
    assert lines(["majority", "tfidf_lr"]) == ["corrections (majority", "corrections (tfidf_lr"]


def test_the_development_and_external_sentences_are_scored_with_one_fit_on_every_quote(tmp_path, monkeypatch):
    """Both sets of real sentences from outside the anthology get a protocol of their own, every sentence
    scored, from a single fit of each candidate on all quotes (the verbatim agreement comes from that fit)."""
    from mh_nlp.corpus.outside import read_outside
    from mh_nlp.corpus.records import load_taxonomy
    from mh_nlp.themes import evaluate as ev

    fits, said = [], []
    real_fit = ev._fit
    monkeypatch.setattr(ev, "_fit", lambda m, c, train, *a: fits.append((m.name, len(train))) or real_fit(m, c, train, *a))
    out = ev.run_evaluation(tmp_path, only=["majority"], corrections=False, progress=said.append)
    # QA 48a D8: every step says where the run is overall, counted to the last
    steps = [m for m in said if m.startswith("[")]
    total = len(steps)
    left_one_out = len(ev.protocol_splits(ev.training_quotes(ev.load_quotes()))["themes_without_quotes"])
    assert total == 5 + 5 + left_one_out + 2  # the folds of three protocols, one step per outside set
    assert [m.split("]")[0] for m in steps] == [f"[{i}/{total}" for i in range(1, total + 1)]
    assert steps[0] == f"[1/{total}] new_pages: majority fold 1/5"
    tax = load_taxonomy()
    assert list(out["protocols"])[-2:] == ["development", "external"]
    for which in ("development", "external"):
        assert out["protocols"][which]["candidates"]["majority"]["n"] == len(read_outside(tax, which)) > 0
    assert fits.count(("majority", out["quotes"])) == 1 and out["verbatim"]["majority"]["n_quotes"] == out["quotes"]
    report = (tmp_path / "evaluation.md").read_text(encoding="utf-8")
    assert "## development" in report and "**development**" in report


def test_a_partial_evaluation_does_not_replace_a_report(tmp_path):
    """`evaluate --candidate X` (or --no-corrections, other --folds) into a folder with a report refuses, in one
    line and before any work, unless --force; the report stays as it was."""
    from click.testing import CliRunner

    from mh_nlp.cli import main

    report = tmp_path / "evaluation.json"
    report.write_text('{"protocols": {}, "candidates": ["examples_e5", "majority"]}\n', encoding="utf-8")
    for extra in (["--candidate", "majority"], ["--no-corrections"], ["--folds", "3"]):
        res = CliRunner().invoke(main, ["evaluate", "--out", str(tmp_path), "--quiet", *extra])
        assert res.exit_code == 1 and "partial run" in res.output and "--force" in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1
    assert report.read_text(encoding="utf-8") == '{"protocols": {}, "candidates": ["examples_e5", "majority"]}\n'


def test_evaluate_never_replaces_files_of_its_names_that_are_not_its_report(tmp_path):
    """QA 37: a user's own evaluation.md in --out was replaced without a word (only evaluation.json was looked
    at), and an --out that cannot be written was found only after all the work."""
    from click.testing import CliRunner

    from mh_nlp.cli import main

    own = tmp_path / "evaluation.md"
    own.write_text("mijn eigen notities\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", "--out", str(tmp_path), "--quiet"])  # a full run as well
    assert res.exit_code == 1 and "is not from `mh-nlp evaluate`" in res.output and "--force" in res.output
    assert own.read_text(encoding="utf-8") == "mijn eigen notities\n"
    (tmp_path / "evaluation.json").write_text('"my protocols notes"\n', encoding="utf-8")  # no report (QA 37)
    res = CliRunner().invoke(main, ["evaluate", "--out", str(tmp_path), "--quiet"])
    assert res.exit_code == 1 and "is not from `mh-nlp evaluate`" in res.output
    own.unlink()
    own.mkdir()  # a folder where the report goes: refused before the work, even with --force
    res = CliRunner().invoke(main, ["evaluate", "--out", str(tmp_path), "--force", "--candidate", "majority"])
    assert res.exit_code == 1 and "is a folder" in res.output and "majority" not in res.output.split("is a folder")[0]
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", "--out", str(blocker / "report"), "--candidate", "majority"])
    assert res.exit_code == 1 and "cannot write the report there" in res.output and "nothing computed" in res.output
    assert "majority" not in res.output.split("cannot write")[0]  # refused before any work


def test_a_run_without_the_default_candidate_claims_no_plots(tmp_path):
    from click.testing import CliRunner

    from mh_nlp.cli import main

    out = tmp_path / "ev"
    res = CliRunner().invoke(main, ["evaluate", "--out", str(out), "--quiet", "--candidate", "majority",
                                    "--no-corrections"])
    assert res.exit_code == 0, res.output
    assert "plots in" not in res.output and not list(out.glob("*.png"))
    assert sorted(p.name for p in out.iterdir()) == ["evaluation.json", "evaluation.md"]  # no temporary files left


def test_quoted_share_says_how_often_a_protocol_asks_for_a_section_without_quotes():
    """New pages ask mostly for sections that have no quote in the training fold (a page's sections seldom have
    quotes on other pages); known themes never do; the sentences from outside are scored against every quote."""
    from mh_nlp.corpus.records import load_quotes
    from mh_nlp.themes.evaluate import protocol_splits, quoted_share, training_quotes

    quotes = training_quotes(load_quotes())
    splits = protocol_splits(quotes)
    assert quoted_share(quotes, splits["known_themes"]) == 1.0
    assert quoted_share(quotes, splits["new_pages"]) < 0.5
    # a fold that trains on nothing knows no section; one that trains on everything knows every tested one
    everything = np.arange(len(quotes))
    assert quoted_share(quotes, [(everything[:0], everything)]) == 0.0
    assert quoted_share(quotes, [(everything, everything[:10])]) == 1.0
    assert quoted_share(quotes, accepted=[(quotes[0].section,), ("9.99",)]) == 0.5
    assert quoted_share(quotes, accepted=[]) == 0.0


def _report(folder, candidates, date="2026-12-06T13:32:40+00:00"):
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"date": date, "protocols": {}, "candidates": {n: "" for n in candidates}}) + "\n"
    (folder / "evaluation.json").write_text(text, encoding="utf-8")
    return text


def _stub_run(monkeypatch, calls):
    """run_evaluation replaced by a stub that writes a small report of the candidates it was asked for: the CLI's
    checks are tested without the half-hour run."""
    from mh_nlp.themes import evaluate as ev

    def run(out_dir, folds, only, corrections, progress):
        models, left_out = ev.plan(ev.load_taxonomy(), only)
        calls.append([m.name for m in models])
        _report(out_dir, [m.name for m in models], date="2026-12-07T09:00:00+00:00")
        return {"protocols": {}, "candidates": {m.name: "" for m in models}, "default_candidate": "examples_e5",
                "left_out": left_out}

    monkeypatch.setattr(ev, "run_evaluation", run)


def test_a_run_that_leaves_out_a_candidate_says_so_and_keeps_a_report_that_holds_it(tmp_path, monkeypatch):
    """QA 48a D1: without models/static-nl.npz the default run left out examples_static without a word and
    replaced the committed report (which holds it) with a smaller one. Now it names the candidates it leaves out,
    why and how to include them, before any work, and refuses to replace a report holding one without --force."""
    from click.testing import CliRunner

    from mh_nlp.cli import main
    from mh_nlp.themes import evaluate as ev

    monkeypatch.setattr(ev, "fast_available", lambda: False)
    calls = []
    _stub_run(monkeypatch, calls)
    held = _report(tmp_path / "reports", ["majority", "examples_e5", "examples_static"])
    res = CliRunner().invoke(main, ["evaluate", "--out", str(tmp_path / "reports"), "--quiet"])
    assert res.exit_code == 1 and calls == [], res.output  # refused before any work
    (line,) = res.output.strip().splitlines()
    assert "holds examples_static" in line and "make fast" in line and "--force" in line and "--out DIR" in line
    assert (tmp_path / "reports" / "evaluation.json").read_text(encoding="utf-8") == held
    # into a new folder it runs, and says what it leaves out (even with --quiet), one line each
    res = CliRunner().invoke(main, ["evaluate", "--out", str(tmp_path / "new"), "--quiet"])
    assert res.exit_code == 0 and len(calls) == 1 and "examples_static" not in calls[0], res.output
    notes = [x for x in res.output.splitlines() if x.startswith("mh-nlp: warning: leaving out")]
    assert [x.split(":")[2].split()[-1] for x in notes] == ["examples_static", "hierarchical"]
    assert "static-nl.npz" in notes[0] and "make fast" in notes[0] and "--candidate hierarchical" in notes[1]
    # with --force it replaces the report, and says which one it replaced (QA 48a D7)
    res = CliRunner().invoke(main, ["evaluate", "--out", str(tmp_path / "reports"), "--quiet", "--force"])
    assert res.exit_code == 0 and len(calls) == 2, res.output
    assert f"replaced: the report written 2026-12-06T13:32:40+00:00 that was in {tmp_path / 'reports'}" in res.output
    # a report of the same candidates is replaced without --force, and that is said too
    res = CliRunner().invoke(main, ["evaluate", "--out", str(tmp_path / "reports"), "--quiet"])
    assert res.exit_code == 0 and "replaced: the report written 2026-12-07T09:00:00+00:00" in res.output


def test_the_left_out_candidates_and_what_made_the_report_are_in_it():
    """QA 48a D1, D12: the report names the candidates it left out, the commit and the data's checksums, and its
    "Reproduce with" line names `make fast` when examples_static is in it."""
    from mh_nlp.corpus.records import load_taxonomy
    from mh_nlp.themes import evaluate as ev
    from mh_nlp.themes.train import data_sha256

    models = [m for m in ev.candidates(load_taxonomy(), fast_available=False) if m.name == "majority"]
    prov = ev.provenance(models)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(__file__))
    if commit.returncode == 0:
        assert prov["commit"] == commit.stdout.strip()
    assert set(data_sha256()) < set(prov["data_sha256"]) and "external/sentences.jsonl" in prov["data_sha256"]
    assert prov["versions"]["mh_nlp"] and len(prov["model_code_sha256"]) == 64
    base = {"date": "d", "quotes": 1, "pages": 1, "protocols": {}, "default_candidate": "examples_e5",
            "fast_candidate": "examples_static", "provenance": {**prov, "commit": "0123456789abcdef"}}
    md = ev.markdown({**base, "candidates": {"majority": "x"},
                      "left_out": {"examples_static": "its vectors are missing; `make fast` builds them"}})
    assert "commit `0123456789ab`" in md and prov["data_sha256"]["quotes.jsonl"][:12] in md
    assert "Left out of this run: `examples_static` (its vectors are missing; `make fast` builds them)." in md
    assert "Reproduce with `mh-nlp evaluate`" in md
    md = ev.markdown({**base, "candidates": {"majority": "x", "examples_static": "y"}})
    assert "Reproduce with `make fast` (once: the static word vectors of `examples_static`), then `mh-nlp evaluate`" in md
    assert "Left out" not in md


def test_examples_static_without_its_vectors_is_refused_before_any_work(tmp_path, monkeypatch):
    """QA 48a D2: `--candidate examples_static` without models/static-nl.npz wrote an empty report, then crashed in
    summary_table. Now: one line, exit 1, nothing written; no run writes a report without a candidate."""
    import pytest
    from click.testing import CliRunner

    from mh_nlp.cli import main
    from mh_nlp.exceptions import ModelError
    from mh_nlp.themes import evaluate as ev

    monkeypatch.setattr(ev, "fast_available", lambda: False)
    out = tmp_path / "static"
    res = CliRunner().invoke(main, ["evaluate", "--candidate", "examples_static", "--no-corrections", "--out", str(out)])
    assert res.exit_code == 1 and not out.exists(), res.output
    (line,) = res.output.strip().splitlines()
    assert line.startswith("mh-nlp: error: examples_static needs") and "make fast" in line
    with pytest.raises(ModelError, match="examples_static needs"):  # the function itself, before any work
        ev.run_evaluation(out, only=["examples_static"], corrections=False)
    with pytest.raises(ModelError, match="no candidate"):
        ev.run_evaluation(out, only=["no_such_candidate"], corrections=False)
    assert not out.exists()
    table = ev.summary_table({"protocols": {}, "candidates": {}, "default_candidate": "examples_e5"})
    assert table.splitlines()[0].strip() == "candidate"  # no crash on a report without candidates


def test_an_empty_out_is_refused(tmp_path, monkeypatch):
    """QA 48a D6: `--out ''` wrote the report into the current folder."""
    from click.testing import CliRunner

    from mh_nlp.cli import main

    monkeypatch.chdir(tmp_path)
    for value in ("", "  "):
        res = CliRunner().invoke(main, ["evaluate", "--candidate", "majority", "--no-corrections", "--out", value])
        assert res.exit_code == 1 and len(res.output.strip().splitlines()) == 1, res.output
        assert "empty path" in res.output and "majority" not in res.output
    assert list(tmp_path.iterdir()) == []


def test_progress_gives_the_overall_position_and_then_the_time_left():
    """QA 48a D8: [i/N] on every step; after three steps and ten seconds, a rough time left."""
    from mh_nlp.themes.evaluate import Steps

    now, said = [0.0], []
    steps = Steps(10, said.append, clock=lambda: now[0])
    steps.note("preparing")
    for _ in range(5):
        steps("new_pages: x")
        now[0] += 60
    assert said[:4] == ["preparing", "[1/10] new_pages: x", "[2/10] new_pages: x", "[3/10] new_pages: x"]
    assert said[4] == "[4/10] new_pages: x (about 7 min left)"  # 3 steps in 180 s, 7 to go
    assert said[5] == "[5/10] new_pages: x (about 6 min left)"
