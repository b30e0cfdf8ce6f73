"""A statement whose text was decided in another row (a transcript brought in again, revised; a line said twice)
shows that decision beside "not reviewed", to take with one click or the key t (QA 42b: the same file brought in
twice was only warned about, and its decisions had to be made again). Nothing is decided for the analyst, and the
screen's training learns each text once, with the section it was given last."""
from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from mh_nlp.app.db import SCHEMA_VERSION, Store, migrate
from mh_nlp.app.engine import learnt_from
from mh_nlp.themes.store import default_model_path

needs_model = pytest.mark.skipif(not default_model_path().exists(), reason="no trained model (run `make setup`)")


def _ids(c, doc: dict) -> dict[str, int]:
    return {s["text"]: s["id"] for s in c.get(f"/api/statements?document={doc['id']}").json()["statements"]}


@needs_model
def test_the_same_text_elsewhere_shows_its_decision_to_take(make_app, paste_notes):
    app = make_app()
    with TestClient(app) as c:
        docs = paste_notes(app, c, ["eerste"], "Er is te weinig opvang.\n\nMeer voorlichting op scholen.")
        docs = paste_notes(app, c, ["tweede"], "Er is  te weinig OPVANG.\n\nIets heel anders over de AVIM.")
        first, second = _ids(c, docs["eerste"]), _ids(c, docs["tweede"])
        assert c.post(f"/api/statements/{first['Er is te weinig opvang.']}/decision",
                      json={"section": "2.16"}).status_code == 201
        page = c.get(f"/review?doc={docs['tweede']['id']}").text
        assert page.count('class="link earlier"') == 1  # the same text (case and spaces aside), not the other line
        assert 'data-section="2.16"' in page and "the same text was given <b>2.16</b> in eerste" in page
        assert "take 2.16" in page
        # the decided row itself offers nothing, and neither does a line whose twin is undecided
        assert 'class="link earlier"' not in c.get(f"/review?doc={docs['eerste']['id']}").text
        # taken (the button sends the section as any pick does), the row is decided and the offer is gone
        sid = next(v for k, v in second.items() if "OPVANG" in k)
        assert c.post(f"/api/statements/{sid}/decision", json={"section": "2.16"}).status_code == 201
        assert 'class="link earlier"' not in c.get(f"/review?doc={docs['tweede']['id']}").text


@needs_model
def test_an_undo_answers_with_the_offer_so_the_row_shows_it_without_a_reload(make_app, paste_notes):
    """QA 44c: taken, reloaded, undone — the offer came back only on the next reload, since the page had kept it
    from when it was drawn. The undo's answer now says what the same text was given elsewhere."""
    app = make_app()
    with TestClient(app) as c:
        docs = paste_notes(app, c, ["a", "b"], "Er is te weinig opvang.\n\nMeer voorlichting op scholen.")
        a, b = (_ids(c, docs[n])["Er is te weinig opvang."] for n in "ab")
        c.post(f"/api/statements/{a}/decision", json={"section": "2.16"})
        taken = c.post(f"/api/statements/{b}/decision", json={"section": "2.16"}).json()
        undone = c.delete(f"/api/statements/{b}/decision?decision={taken['id']}").json()
        assert undone["decision"] is None
        assert undone["earlier"]["section"] == "2.16" and undone["earlier"]["document"] == "a"
        assert undone["earlier"]["section_title"] and undone["earlier"]["who"]
        # the first row's own decision undone: its twin is undecided, so there is nothing to offer
        undone = c.delete(f"/api/statements/{a}/decision").json()
        assert undone["decision"] is None and "earlier" not in undone
        other = _ids(c, docs["a"])["Meer voorlichting op scholen."]
        c.post(f"/api/statements/{other}/decision", json={"section": "4.9"})
        assert "earlier" not in c.delete(f"/api/statements/{other}/decision").json()  # no twin, no offer


@needs_model
def test_the_latest_verdict_on_the_text_is_offered_and_not_a_statement_offers_nothing(make_app, paste_notes):
    app = make_app()
    with TestClient(app) as c:
        docs = paste_notes(app, c, ["a", "b", "c"], "Er is te weinig opvang.")
        a, b, c_ = (_ids(c, docs[n])["Er is te weinig opvang."] for n in "abc")
        c.post(f"/api/statements/{a}/decision", json={"section": "2.16"})
        c.post(f"/api/statements/{b}/decision", json={"section": "4.7"})
        page = c.get(f"/review?doc={docs['c']['id']}").text
        assert "the same text was given <b>4.7</b> in b" in page  # the latest decision of the text
        c.post(f"/api/statements/{b}/decision", json={"action": "not_statement"})
        page = c.get(f"/review?doc={docs['c']['id']}").text
        assert 'class="link earlier"' not in page  # the latest verdict on the text is "not a statement" (QA 44b)
        c.post(f"/api/statements/{a}/decision", json={"section": "2.21"})
        page = c.get(f"/review?doc={docs['c']['id']}").text
        assert "the same text was given <b>2.21</b> in a" in page  # and a later section is offered again


def test_earlier_decisions_in_the_store(tmp_path):
    store = Store(tmp_path / "data")
    doc = store.add_document("notes", "paste", None)
    store.add_statements(doc, [{"position": i, "text": t, "kind": "statement"} for i, t in
                               enumerate(["Zorgcoördinatie ontbreekt.", "zorgcoordinatie  ontbreekt.",
                                          "Iets anders."], 1)], 3)
    sids = [r["id"] for r in store.statements()]
    assert store.earlier_decisions(store.statements()) == {}
    store.decide(sids[0], "2.16", "anna")
    rows = store.statements()
    assert store.earlier_decisions(rows) == {sids[1]: {"section": "2.16", "who": "anna", "document": "notes",
                                                       "document_id": doc}}


def test_the_search_index_is_made_by_the_migration(tmp_path):
    db = sqlite3.connect(tmp_path / "old.db", isolation_level=None)  # as connect() opens it
    migrate(db, 9)  # a data folder of the version before the search index (10)
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'statements_search'").fetchone()
    assert migrate(db) == SCHEMA_VERSION
    assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'statements_search'").fetchone()
    plan = " ".join(r[-1] for r in db.execute("EXPLAIN QUERY PLAN SELECT id FROM statements WHERE search IN ('x')"))
    assert "statements_search" in plan


def test_the_screen_learns_each_text_once_with_its_last_section():
    reviewed = [{"text": "Er is te weinig opvang.", "section": "2.16"},
                {"text": "Meer voorlichting.", "section": "4.3"},
                {"text": "er is  te weinig opvang", "section": "4.7"}]  # the same text, decided later
    adds = learnt_from(reviewed)
    assert [(a.text, a.section, a.row) for a in adds] == [("Meer voorlichting.", "4.3", 1),
                                                          ("er is  te weinig opvang", "4.7", 2)]


def what_training_learns(store: Store, monkeypatch) -> tuple:
    """The screen's training started on ``store`` with its fit replaced by a recorder: the trainer, and the reviewed
    statements it would learn from."""
    from mh_nlp.app.engine import Trainer

    seen: list[list[dict]] = []
    monkeypatch.setattr(Trainer, "_train", lambda self, reviewed: seen.append(reviewed))
    trainer = Trainer(store, worker=None)
    trainer.start("anna")
    trainer._thread.join(5)
    [reviewed] = seen
    return trainer, reviewed


def test_the_screens_training_and_its_check_use_each_text_once(tmp_path, monkeypatch):
    """QA 44b N5: the training learnt each text once, but the check that recommends the new model scored every
    reviewed row (a text decided in three documents three times, the superseded 2.16 against a model that learnt
    2.21). Both now take the same list: one row per text, its latest decision."""
    from mh_nlp.app.engine import one_per_text

    store = Store(tmp_path / "data")
    for name in ("eerste", "tweede", "derde"):
        doc = store.add_document(name, "paste", None)
        store.add_statements(doc, [{"position": 1, "text": "Er is te weinig opvang.", "kind": "statement"},
                                   {"position": 2, "text": f"Meer voorlichting in {name}.", "kind": "statement"}], 2)
    ids = [r["id"] for r in store.statements()]
    store.decide(ids[0], "2.16", "anna")
    store.decide(ids[1], "4.3", "anna")
    store.decide(ids[2], "2.21", "bram")  # the same text, later and otherwise
    store.decide(ids[4], "2.21", "bram")
    trainer, reviewed = what_training_learns(store, monkeypatch)
    assert [(r["text"], r["section"]) for r in reviewed] == [("Meer voorlichting in eerste.", "4.3"),
                                                              ("Er is te weinig opvang.", "2.21")]
    assert trainer.status["reviewed"] == 2
    assert one_per_text(reviewed) == reviewed
