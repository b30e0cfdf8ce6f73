"""Which model versions the screen offers for use (issue #16): a new model is offered only when it is not worse
than the model in use on the reviewed statements and not pulled off course on the anthology's unseen pages; a
version never evaluated, or one that scored worse, is offered neither on the page nor through the API, and both
give the same reason."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mh_nlp.app.engine import SPILL_LIMITS, better_or_equal, not_offered_reason, offered, trained_message
from mh_nlp.themes.store import default_model_path

REVIEWED = {"accuracy": 0.5}


def reviewed_figures(version, accuracy):
    return {"version": version, "n": 4, "folds": 4, "accuracy": accuracy, "top3": 0.75, "chapter_accuracy": 0.75}


def held(before=0.39, after=0.39, into_before=0.03, into_after=0.04):
    return {"n": 559, "folds": 5, "before": before, "after": after, "into_before": into_before, "into_after": into_after}


@pytest.mark.parametrize("new, h, want", [
    ({"accuracy": 0.5}, held(), True),
    ({"accuracy": 0.49}, held(), False),  # worse on the reviewed statements than the model in use
    ({"accuracy": 0.6}, held(after=0.39 - SPILL_LIMITS[0]), True),  # at the limit
    ({"accuracy": 0.6}, held(after=0.36), False),  # unseen pages lost 3 points
    ({"accuracy": 0.6}, held(into_after=0.03 + SPILL_LIMITS[1] + 0.01), False),  # pulled into the corrected sections
    ({"accuracy": 0.6}, None, True),  # no held-out figures: the reviewed statements decide
    ({"accuracy": 0.6}, {**held(after=0.38), "in_use": {"version": 2, "accuracy": 0.41}}, False),  # 3 below the one in use
    ({"accuracy": 0.6}, {**held(after=0.38), "in_use": {"version": 2, "accuracy": 0.40}}, True),  # 2 below it: allowed
    ({"accuracy": 0.6}, {**held(after=0.38), "in_use": {"version": 2, "accuracy": None}}, True),  # not known
])
def test_a_new_model_is_offered_only_when_not_worse_and_not_pulled_off_course(new, h, want):
    assert better_or_equal(new, REVIEWED, h) is want


def test_versions_offered():
    assert offered({"version": 1, "evaluation": None})  # the default model
    assert not offered({"version": 3, "evaluation": None})  # training interrupted before it was checked
    assert not offered({"version": 3, "evaluation": {"recommended": 2, "current": {"version": 2}}})
    assert offered({"version": 3, "evaluation": {"recommended": 3, "current": {"version": 2}}})


def evaluation(version, new_accuracy, h, recommended=1):
    return {"version": version, "evaluation": {"current": reviewed_figures(1, 0.5), "new": reviewed_figures(version, new_accuracy),
                                               "held_out_pages": h, "recommended": recommended}}


@pytest.mark.parametrize("mv, want", [
    ({"version": 1, "evaluation": None}, None),
    (evaluation(3, 0.5, held(), recommended=3), None),
    ({"version": 3, "evaluation": None}, "was never checked (its training was interrupted)"),
    (evaluation(3, 0.25, held()), "scores worse than v1 on your statements (25.0% against 50.0%)"),
    (evaluation(3, 0.5, held(after=0.30)), "was pulled off course on unseen pages (9.0 points below the anthology-only "
                                           "model, at most 2 allowed)"),
    (evaluation(3, 0.5, held(into_after=0.12)), "was pulled off course on unseen pages (9.0 points more into your "
                                                "sections, at most 5 allowed)"),
    (evaluation(3, 0.5, held()), "was not recommended over v1 when it was checked"),  # a check of an older kind
    # QA 42a: a model that fell short in two ways said only the first
    (evaluation(3, 0.25, held(after=0.36)), "scores worse than v1 on your statements (25.0% against 50.0%) and was pulled "
                                            "off course on unseen pages (3.0 points below the anthology-only model, at "
                                            "most 2 allowed)"),
    # QA 42b: 2.15 points lost read "right 2 points less" beside a limit of 2
    (evaluation(3, 0.5, held(after=0.3685)), "was pulled off course on unseen pages (2.2 points below the "
                                             "anthology-only model, at most 2 allowed)"),
    # QA 42d: 5.04 points shown as "5.0 points more, at most 5 allowed" read as within the limit
    (evaluation(3, 0.5, held(into_after=0.03 + 0.0504)), "was pulled off course on unseen pages (5.04 points more "
                                                          "into your sections, at most 5 allowed)"),
])
def test_why_a_version_is_not_offered(mv, want):
    assert not_offered_reason(mv) == want


def test_the_message_after_training_says_whether_the_model_is_offered_and_why():
    """QA 39: "model v2 is ready" in green while the page said v2 was not offered; the reason named only one of
    the two limits it broke."""
    ok = {"current": reviewed_figures(1, 0.5), "new": reviewed_figures(2, 0.6), "held_out_pages": held(),
          "recommended": 2}
    assert trained_message(2, ok) == "model v2 is ready: switch to it below (Use v2)"
    lower = {**ok, "held_out_pages": {**held(after=0.379), "in_use": {"version": 1, "accuracy": 0.39}}}
    assert trained_message(2, lower) == ("model v2 is ready: switch to it below (Use v2); on unseen anthology pages it "
                                         "is 1.1 points below v1 (at most 2 allowed)")  # QA 42a: said, not hidden
    both = {**ok, "held_out_pages": held(after=0.35, into_before=0.28, into_after=0.34), "recommended": 1}
    message = trained_message(2, both)
    assert message.startswith("model v2 is trained but not offered: it was pulled off course on unseen pages (4.0 "
                              "points below the anthology-only model, at most 2 allowed; 6.0 points more into your "
                              "sections, at most 5 allowed). v1 stays in use;"), message
    assert "ready" not in message


def test_a_version_being_checked_is_not_called_interrupted():
    """QA 36: while a new version's checks ran (about 90 s) the page said its training was interrupted."""
    mv = {"version": 3, "evaluation": None}
    assert not_offered_reason(mv, checking=3) == "is being checked (on your statements and the anthology's unseen pages)"
    assert not_offered_reason(mv, checking=4) == "was never checked (its training was interrupted)"


@pytest.mark.skipif(not default_model_path().exists(), reason="no trained model (run `make setup`)")
def test_a_version_not_offered_cannot_be_chosen_through_the_api(make_app):
    app = make_app()
    store = app.state.store
    path = str(default_model_path())
    store.add_model_version(path, {"candidate": "examples_e5"}, 4, version=2)  # never evaluated
    store.add_model_version(path, {"candidate": "examples_e5"}, 4, version=3)
    store.set_evaluation(3, {"reviewed": 4, "current": reviewed_figures(1, 0.5),
                             "new": reviewed_figures(3, 0.25), "held_out_pages": held(),
                             "recommended": 1, "train_seconds": 1.0})
    store.add_model_version(path, {"candidate": "examples_e5"}, 4, version=4)
    store.set_evaluation(4, {"reviewed": 4, "current": reviewed_figures(1, 0.5),
                             "new": reviewed_figures(4, 0.5), "held_out_pages": held(after=0.30),
                             "recommended": 1, "train_seconds": 1.0})
    with TestClient(app) as c:
        versions = {v["version"]: v["offered"] for v in c.get("/api/models").json()["versions"]}
        assert versions == {1: True, 2: False, 3: False, 4: False}
        page = c.get("/models").text
        for v, why in ((2, "was never checked (its training was interrupted)"),
                       (3, "scores worse than v1 on your statements (25.0% against 50.0%)"),
                       (4, "was pulled off course on unseen pages (9.0 points below the anthology-only model, at most "
                           "2 allowed)")):
            r = c.post(f"/api/models/{v}/use", json={})
            assert r.status_code == 409, r.text
            assert r.json()["error"] == f"model v{v} is not offered for use: it {why}"
            assert f"{why}: not offered" in page  # the page gives the same reason
        assert c.get("/api/models").json()["in_use"] == 1
        assert page.count('class="use"') == 0  # v1 is in use; nothing else is offered
        assert ("on unseen anthology pages (559 quotes, 5 folds): right <b>30.0%</b> (this model) · anthology only "
                "39.0%") in page


def test_a_version_is_offered_against_the_model_in_use_now():
    """QA 42a: offers were decided once, when a version was trained, so with v3 in use the screen still offered v2
    and v1, which v3 had beaten, and the API switched to them."""
    v1 = {"version": 1, "evaluation": None, "corrections": 0}
    v2 = evaluation(2, 0.5, held(), recommended=2)  # checked against v1, offered then
    v3 = {"version": 3, "corrections": 10, "evaluation": {"current": reviewed_figures(1, 0.4),
                                                          "new": reviewed_figures(3, 0.6),
                                                          "held_out_pages": held(), "recommended": 3}}
    assert offered(v2, v1) and offered(v3, v1) and offered(v1, v1)
    assert not_offered_reason(v1, in_use=v3) == ("scored lower than v3 (in use) on your statements when v3 was "
                                                 "checked (40.0% against 60.0%)")
    assert not_offered_reason(v2, in_use=v3) == ("was checked against v1, not against v3 in use: train again to "
                                                 "compare a model with v3")
    assert offered(v3, v3) and not offered(v1, v3) and not offered(v2, v3)
    tie = {**v3, "evaluation": {**v3["evaluation"], "new": reviewed_figures(3, 0.4)}}
    assert offered(v1, tie)  # not beaten: going back costs nothing


def checked(version, against, mine, theirs, recommended=None):
    return {"version": version, "corrections": 5, "evaluation": {
        "current": reviewed_figures(against, theirs), "new": reviewed_figures(version, mine), "held_out_pages": held(),
        "recommended": version if recommended is None else recommended}}


def test_a_version_the_model_in_use_beat_through_another_is_not_offered():
    """QA 42c: v2 beat v1 and v4 beat v2; with v4 in use the page offered Use v1 (40 % against v4's 60 %)."""
    from mh_nlp.app.engine import beaten_by

    v1 = {"version": 1, "evaluation": None, "corrections": 0}
    v2, v4 = checked(2, 1, 0.5, 0.4), checked(4, 2, 0.6, 0.5)
    v5 = checked(5, 2, 0.55, 0.5)  # checked against v2 as well, while v2 was in use: not against v4
    versions = [v1, v2, v4, v5]
    assert beaten_by(v4, versions) == {2: [(4, True), (2, False)], 1: [(4, True), (2, True), (1, False)]}
    assert not_offered_reason(v1, in_use=v4, versions=versions) == (
        "did worse on your statements than v4 (in use), through the checks between them: v4 > v2 > v1 (> scored "
        "better, ≥ as well or better, when the first was checked against the second)")
    assert not_offered_reason(v2, in_use=v4, versions=versions).startswith("scored lower than v4 (in use)")
    assert not_offered_reason(v5, in_use=v4, versions=versions).startswith("was checked against v2, not against v4")
    tie = checked(4, 2, 0.5, 0.5)  # as good as v2, and v2 beat v1: v4 beat v1 all the same
    assert beaten_by(tie, [v1, v2, tie]) == {1: [(4, False), (2, True), (1, False)]}  # QA 42d: a tie is no win
    assert "v4 ≥ v2 > v1" in not_offered_reason(v1, in_use=tie, versions=[v1, v2, tie])
    assert not_offered_reason(v2, in_use=tie, versions=[v1, v2, tie]).startswith("was checked against v1, not against v4")
    loop = [checked(2, 3, 0.5, 0.4), checked(3, 2, 0.5, 0.4)]  # damaged records that beat each other: no hang
    assert set(beaten_by(loop[0], loop)) == {3}


@pytest.mark.skipif(not default_model_path().exists(), reason="no trained model (run `make setup`)")
def test_the_status_line_judges_a_finished_model_against_the_model_in_use_now(make_app):
    """QA 42c: the model in use changed while v3 trained, and the status line still said "v3 is ready: Use v3"
    beside a v3 that was not offered."""
    app = make_app()
    store, trainer = app.state.store, app.state.trainer
    path = str(default_model_path())
    for v, ev in ((2, checked(2, 1, 0.6, 0.5)["evaluation"]), (3, checked(3, 1, 0.6, 0.5)["evaluation"])):
        store.add_model_version(path, {"candidate": "examples_e5"}, 4, version=v)
        store.set_evaluation(v, {**ev, "reviewed": 4, "train_seconds": 1.0})
    trainer.status = {"state": "done", "version": 3, "offered": True, "message": trained_message(
        3, store.model_version(3)["evaluation"])}
    with TestClient(app) as c:
        assert c.get("/api/train").json()["message"] == "model v3 is ready: switch to it below (Use v3)"
        assert c.post("/api/models/2/use", json={}).status_code == 200  # meanwhile, in another tab
        status = c.get("/api/train").json()
        assert status["offered"] is False and status["message"].startswith(
            "model v3 is trained but not offered: it was checked against v1, not against v2 in use: train again to "
            "compare a model with v2. v2 stays in use;")
        assert status["message"] in c.get("/models").text
        assert c.post("/api/models/3/use", json={}).status_code == 409


def test_the_model_in_use_is_measured_on_the_same_unseen_pages():
    from mh_nlp.app.engine import held_out_of

    h = held(before=0.39, after=0.37)
    assert held_out_of({"version": 1, "corrections": 0, "evaluation": None}, h) == 0.39  # anthology only: the baseline
    own = {"version": 2, "corrections": 5, "evaluation": {"held_out_pages": held(before=0.39, after=0.41)}}
    assert held_out_of(own, h) == 0.41  # its own check, on the same pages
    other = {"version": 2, "corrections": 5, "evaluation": {"held_out_pages": held(before=0.35, after=0.41)}}
    assert held_out_of(other, h) is None  # checked on another baseline (another anthology or candidate)
    assert held_out_of({"version": 2, "corrections": 5, "evaluation": None,
                        "metadata": {"given_with": "--model", "corrections": 5}}, h) is None


def test_a_version_whose_model_file_is_gone_is_not_offered_and_says_why(tmp_path):
    """QA 38 re-test 2: the model page offered 'Use v1' for a deleted file, which then answered 503."""
    import zipfile

    here = tmp_path / "m.npz"
    with zipfile.ZipFile(here, "w") as z:  # an intact archive (what is in it is the loader's to check)
        z.writestr("a.npy", b"x")
    assert offered({"version": 1, "path": str(here)})
    gone = {"version": 1, "path": str(tmp_path / "weg.npz")}
    assert not offered(gone)
    assert not_offered_reason(gone) == (f"has lost its model file {gone['path']} (deleted or moved): put the file "
                                        "back there to use this version again")  # QA 42d: --model gave no way back
    assert offered({"version": 2, "path": str(here), "metadata": {"given_with": "--model"}})  # named by the analyst


def test_a_version_whose_model_file_is_damaged_is_not_offered_and_says_why(tmp_path):
    """QA 47a D9: a truncated v3.npz was still listed as offered, and switching to it answered 503; its advice to
    rebuild named `--add review screen (31 reviewed statements)`, which is no file."""
    import shutil

    from mh_nlp.app.engine import load_model_file, NoModel
    from mh_nlp.themes.store import metadata_path, retrain_command

    cut = tmp_path / "v3.npz"
    cut.write_bytes(default_model_path().read_bytes()[:100_000])
    v3 = {"version": 3, "path": str(cut), "metadata": {"given_with": "--model"}}
    assert not offered(v3)
    assert not_offered_reason(v3) == ("has a model file that cannot be loaded (it is no complete model archive (cut off "
                                      f"or overwritten)): put back an intact copy of {cut}, or train again")
    # an intact archive that the loader refuses (here: its metadata's checksum does not match) is not offered either,
    # once a load has failed
    changed = tmp_path / "v4.npz"
    shutil.copy(default_model_path(), changed)
    meta = metadata_path(default_model_path()).read_text().replace('"corrections": 0', '"corrections": 3', 1)
    metadata_path(changed).write_text(meta.replace('"model_sha256": "', '"model_sha256": "0', 1))
    v4 = {"version": 4, "path": str(changed), "metadata": {"given_with": "--model"}}
    assert offered(v4)  # nothing known against it yet
    with pytest.raises(NoModel):
        load_model_file(changed)
    assert not offered(v4) and "SHA-256 does not match" in not_offered_reason(v4)
    assert str(changed) + ":" not in not_offered_reason(v4).split("(", 1)[1].split(")")[0]
    # a version the screen trained learnt from its reviewed statements: the advice is to train again there
    screen = {"corrections": 31, "corrections_file": "review screen (31 reviewed statements)"}
    assert retrain_command(cut, screen) == ("`mh-nlp serve` and train again on its models page (this version learnt "
                                            "from the screen's reviewed statements)")
    assert "--add" not in retrain_command(cut, screen)
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("text,section\n")
    assert retrain_command(cut, {"corrections": 2, "corrections_file": str(fixes)}) == (
        f"`mh-nlp train --add {fixes} --model {cut} --force`")


def test_times_on_the_screen_are_local_to_the_minute():
    """QA 39: the screen showed raw UTC stamps ("2026-12-06T04:09:47+00:00")."""
    import datetime as dt

    from mh_nlp.app.engine import local_time

    at = "2026-12-06T04:09:47+00:00"
    want = dt.datetime(2026, 12, 6, 4, 9, 47, tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")
    assert local_time(at) == want and "T" not in want
    assert local_time("?") == "?" and local_time(None) == "?"


def test_export_names_keep_letters_without_their_accents():
    """QA 39 re-test: "één" lost its letters in the export's file name."""
    from mh_nlp.app.server import export_name

    name = export_name("csv", {"id": 3, "name": "Verslag overleg één – Jan de Vries.md"})
    assert name.startswith("mh-nlp-labels-Verslag-overleg-een-Jan-de-Vries-doc3-") and name.endswith(".csv")
    assert export_name("csv", {"id": 4, "name": "Ødegaard straße.txt"}).startswith("mh-nlp-labels-Odegaard-strasse-doc4-")
    assert export_name("xlsx", {"id": 3, "name": "Gesprek met Fatima.txt"}, pseudonymised=True).startswith(
        "mh-nlp-labels-doc3-")  # a name may hold a person's: left out
    assert export_name("csv", {"id": 5, "name": "pasted text"}) != export_name("csv", {"id": 6, "name": "pasted text"})


def test_a_version_that_learnt_from_a_removed_document_is_not_offered(make_app, csrf, paste_notes):
    """QA 43a: after a document was removed, a version trained on its decisions was still offered, and switching to
    it brought the removed material back into labelling."""
    app = make_app()
    store = app.state.store
    with TestClient(app) as c:
        docs = {name: d["id"] for name, d in paste_notes(app, c, ("blijft", "weg")).items()}
        ids = {n: [s["id"] for s in c.get(f"/api/statements?document={d}").json()["statements"]]
               for n, d in docs.items()}
        for version, learnt in ((2, ids["blijft"]), (3, ids["blijft"] + ids["weg"])):
            store.add_model_version(str(default_model_path()), {"candidate": "examples_e5"}, len(learnt),
                                    version=version)
            store.set_evaluation(version, {"reviewed": len(learnt), "statements": learnt,
                                           "current": reviewed_figures(1, 0.5), "new": reviewed_figures(version, 0.75),
                                           "held_out_pages": held(), "recommended": version, "train_seconds": 1.0})
        assert {v["version"]: v["offered"] for v in c.get("/api/models").json()["versions"]} == {1: True, 2: True,
                                                                                                  3: True}
        r = c.post(f"/documents/{docs['weg']}/remove", data={"csrf": csrf(c)}, follow_redirects=False)
        assert r.status_code == 303
        versions = {v["version"]: v for v in c.get("/api/models").json()["versions"]}
        assert versions[2]["offered"] and not versions[3]["offered"] and versions[3]["removed"] == 2
        why = "learnt from 2 reviewed statements of a removed document: train again to learn without them"
        assert versions[3]["not_offered"] == why
        r = c.post("/api/models/3/use", json={})
        assert r.status_code == 409 and why in r.json()["error"]
        assert "(2 of them in a document removed since)" in c.get("/models").text
        assert c.post("/api/models/2/use", json={}).status_code == 200  # v2 learnt nothing removed
        store.set_evaluation(2, {**store.model_version(2)["evaluation"], "statements": ids["blijft"] + ids["weg"][:1]})
        assert "(1 in a document removed since: train again to leave them out)" in c.get("/models").text  # header


def test_a_version_the_model_in_use_only_tied_with_is_a_way_back():
    """QA 43a: after v1 -> v2 -> v4, v4 had only tied with v2 (80 % = 80 %, the same on unseen pages), and v2 said
    "train again to compare", which could never bring it back. A version the model in use was checked against and
    did no better is offered again; one it beat is not; one never compared with it still says "train again"."""
    v2 = checked(2, 1, 0.8, 0.6)
    in_use_held = {**held(after=0.383), "in_use": {"version": 2, "accuracy": 0.383}}
    v4 = {"version": 4, "corrections": 9, "evaluation": {
        "current": reviewed_figures(2, 0.8), "new": reviewed_figures(4, 0.8), "held_out_pages": in_use_held,
        "recommended": 4}}
    assert not_offered_reason(v2, in_use=v4, versions=[v2, v4]) is None
    beaten = {**v4, "evaluation": {**v4["evaluation"], "new": reviewed_figures(4, 0.9)}}
    assert not_offered_reason(v2, in_use=beaten, versions=[v2, beaten]).startswith("scored lower than v4")
    far = {**v4, "evaluation": {**v4["evaluation"], "held_out_pages": {**held(after=0.39),
                                                                       "in_use": {"version": 2, "accuracy": 0.36}}}}
    assert "train again to compare a model with v4" in not_offered_reason(v2, in_use=far, versions=[v2, far])
    v3 = checked(3, 1, 0.7, 0.6)  # never compared with v4
    assert "train again to compare a model with v4" in not_offered_reason(v3, in_use=v4, versions=[v2, v3, v4])


def test_a_given_models_corrections_are_named_as_such_and_said_not_carried_over(make_app, tmp_path):
    """QA 51a D5: a model given with serve --model and trained with train --add (22 corrections) was shown as
    '22 reviewed statements', and the models page did not say that a version trained on the screen leaves them out."""
    from fastapi.testclient import TestClient

    from mh_nlp.app.server import learnt_words
    from mh_nlp.themes.train import Addition, train_model

    given = tmp_path / "mine.npz"
    train_model(given, additions=[Addition("Het buurthuis organiseert koffieochtenden.", "3.14", 2),
                                  Addition("Meer zicht op uitbuiting in de bouw.", "4.5", 3)],
                additions_file=str(tmp_path / "corr.csv"))
    with TestClient(make_app(model_path=given)) as c:
        page = c.get("/models").text
        assert "anthology + 2 corrections from corr.csv" in page and "2 reviewed statements" not in page, page
        assert 'id="given-corrections"' in page and "are not carried over" in page
        assert "· 2 corrections from corr.csv" in c.get("/review").text
    mixed = {"corrections": 22, "metadata": {"corrections_file": "/x/B.csv", "confirmations": 19}}  # QA 51b N7
    assert learnt_words(mixed) == "22 statements from B.csv (3 corrected, 19 confirmed)"
    screen = {"corrections": 3, "metadata": {"corrections_file": "review screen (3 reviewed statements)"}}
    assert learnt_words(screen) == "3 reviewed statements" and learnt_words({"corrections": 0}) == ""
