"""QA 46b D14: undo deleted a decision without a trace. An undone decision is kept (``undone_decisions``), with who
undid it and when; it counts nowhere (final label, counts, training), and the export and the review page carry it."""
from __future__ import annotations

import csv
import io
import re
import sqlite3

from fastapi.testclient import TestClient

from mh_nlp.app import db as appdb

from mh_nlp.app.db import Store


def _doc(store: Store, texts=("Er is te weinig opvang voor mannen.", "Meer voorlichting op scholen.")) -> int:
    doc = store.add_document("rondetafel.txt", "txt", None, status="done")
    store.add_statements(doc, [{"position": i, "text": t, "section": "2.6", "chapter": 2, "confidence": 0.4,
                                "chapter_confidence": 0.7, "model_version": 1, "kind": "statement"}
                               for i, t in enumerate(texts, 1)], len(texts))
    return doc


def _delete(c, url: str, body):
    """DELETE with a JSON body (httpx's delete() takes none)."""
    return c.request("DELETE", url, json=body)


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_an_undone_decision_is_kept_with_who_undid_it_and_when(make_app):
    app = make_app()
    store = app.state.store
    doc = _doc(store)
    with TestClient(app) as c:
        sid = c.get(f"/api/statements?document={doc}").json()["statements"][0]["id"]
        url = f"/api/statements/{sid}/decision"
        marloes = c.post(url, json={"section": "2.19", "who": "Marloes"}).json()
        jan = c.post(url, json={"section": "2.24", "who": "Jan"}).json()
        # Jan undoes his own decision, then Marloes's (the screen sends the analyst field's name)
        r = _delete(c, f"{url}?decision={jan['id']}", {"who": "Jan"})
        assert r.status_code == 200 and r.json()["undone"] == 1 and r.json()["decision"]["who"] == "Marloes"
        assert set(r.json()) == {"statement_id", "undone", "kind", "decision"}  # the answer as before
        r = _delete(c, f"{url}?decision={marloes['id']}", {"who": "Jan"})
        assert r.status_code == 200 and r.json()["decision"] is None
        [row] = [s for s in c.get(f"/api/statements?document={doc}").json()["statements"] if s["id"] == sid]
        assert row["decision"] is None and row["final_section"] == "2.6"  # not reviewed: it counts nowhere
        assert c.get("/api/corrections").json()["corrections"] == []  # nor in what a training learns from
        # kept, oldest undo first: what was decided, by whom and when, who undid it and when
        undone = c.get("/api/decisions/undone").json()["undone"]
        assert [(u["id"], u["section"], u["who"], u["undone_by"], u["text"]) for u in undone] == [
            (jan["id"], "2.24", "Jan", "Jan", "Er is te weinig opvang voor mannen."),
            (marloes["id"], "2.19", "Marloes", "Jan", "Er is te weinig opvang voor mannen.")]
        assert all(u["at"] and u["undone_at"] >= u["at"] and u["document_id"] == doc for u in undone)
        assert c.get(f"/api/decisions/undone?document={doc}").json()["undone"] == undone
        # a stale tab's undo of Marloes's decision says who undid it
        r = c.delete(f"{url}?decision={marloes['id']}")
        assert r.status_code == 409 and "undone meanwhile by Jan" in r.json()["error"]
        # the export carries the trace, in each format
        rows = _csv(c.get(f"/export?format=csv&doc={doc}").text)
        [first] = [x for x in rows if x["statement"].startswith("Er is")]
        assert first["decided_by"] == "" and first["decision"] == ""
        assert re.fullmatch(r"2\.24 \(corrected by Jan, \S+\) undone by Jan, \S+ \| "
                            r"2\.19 \(corrected by Marloes, \S+\) undone by Jan, \S+", first["undone_decisions"])
        assert [x["undone_decisions"] for x in rows if x is not first] == [""]
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(c.get(f"/export?format=xlsx&doc={doc}").content))
        head, *cells = [list(r) for r in wb["labels"].iter_rows(values_only=True)]
        col = head.index("undone_decisions")
        assert "undone by Jan" in cells[0][col] and "2.19 (corrected by Marloes" in cells[0][col]
        # the review page says so beside the row
        page = c.get(f"/review?doc={doc}").text
        assert "2 decisions undone (last by Jan)" in page


def test_undo_names_the_cookies_analyst_without_a_body_and_refuses_a_bad_one(make_app):
    app = make_app()
    doc = _doc(app.state.store)
    with TestClient(app) as c:
        sid = c.get(f"/api/statements?document={doc}").json()["statements"][0]["id"]
        url = f"/api/statements/{sid}/decision"
        c.post(url, json={"section": "2.19", "who": "Marloes"})  # the cookie is Marloes's now
        for bad, said in (({"who": 12}, "who must be a name"), ({"wie": "Jan"}, "expected no body"),
                          (["Jan"], "expected no body")):
            r = _delete(c, url, bad)
            assert r.status_code == 400 and said in r.json()["error"]
        assert c.get("/api/decisions/undone").json()["undone"] == []  # nothing undone by a refused request
        assert c.delete(url).json()["undone"] == 1
        [u] = c.get("/api/decisions/undone").json()["undone"]
        assert (u["who"], u["undone_by"]) == ("Marloes", "Marloes")
        assert c.get("/api/decisions/undone?document=abc").status_code == 400
        assert c.get("/api/decisions/undone?document=999").status_code == 404


def test_the_record_survives_a_restart_and_goes_with_a_removed_document(make_app):
    app = make_app()
    doc = _doc(app.state.store)
    with TestClient(app) as c:
        sid = c.get(f"/api/statements?document={doc}").json()["statements"][0]["id"]
        d = c.post(f"/api/statements/{sid}/decision", json={"section": "4.7", "who": "anna"}).json()
        assert _delete(c, f"/api/statements/{sid}/decision?decision={d['id']}", {"who": "bram"}).status_code == 200
    again = make_app()  # a new server on the same data folder
    with TestClient(again) as c:
        [u] = c.get("/api/decisions/undone").json()["undone"]
        assert (u["id"], u["section"], u["who"], u["undone_by"]) == (d["id"], "4.7", "anna", "bram")
        # a new decision never takes the undone one's id
        assert c.post(f"/api/statements/{sid}/decision", json={"section": "4.7"}).json()["id"] > d["id"]
        assert c.delete(f"/api/documents/{doc}").status_code == 200  # its record goes with it, no FK error
        assert c.get("/api/decisions/undone").json()["undone"] == []


def test_a_database_of_the_version_before_is_migrated_with_every_decision(tmp_path, old_database):
    """A data folder made by mh-nlp before version 11 (no undone_decisions): opened, it gains the table and keeps
    every document, statement and decision; an undo is then kept."""
    data = tmp_path / "data"
    db = old_database(data, 10)
    for i, text in enumerate(["oud", "ouder", "oudst"], 1):
        db.execute("INSERT INTO statements (document_id, position, text, section, search) VALUES (1, ?, ?, '2.6', ?)",
                   (i, text, text))
    for sid, section, who in ((1, "2.6", "anna"), (2, "4.7", "anna"), (2, "3.1", "bram"), (3, None, "bram")):
        db.execute("INSERT INTO decisions (statement_id, section, who, at, action) VALUES (?, ?, ?, 'x', ?)",
                   (sid, section, who, "not_statement" if section is None else "correct"))
    before = db.execute("SELECT * FROM decisions ORDER BY id").fetchall()
    db.close()
    store = Store(data)
    assert store.db.execute("SELECT version FROM schema_version").fetchone()[0] == appdb.SCHEMA_VERSION == 12
    assert [tuple(r) for r in store.db.execute("SELECT * FROM decisions ORDER BY id")] == [tuple(r) for r in before]
    assert [(r["text"], r["final_section"], r["decided_by"]) for r in store.statements()] == [
        ("oud", "2.6", "anna"), ("ouder", "3.1", "bram"), ("oudst", None, "bram")]
    assert store.undone_decisions() == []
    out = store.undecide(2, seen=3, who="anna")
    assert out["decision"]["section"] == "4.7"
    [u] = store.undone_decisions()
    assert (u["id"], u["section"], u["who"], u["undone_by"]) == (3, "3.1", "bram", "anna")
    assert sqlite3.connect(store.path).execute("SELECT count(*) FROM decisions").fetchone()[0] == 3


def test_training_never_learns_an_undone_decision(tmp_path, monkeypatch):
    from test_earlier_decisions import what_training_learns

    store = Store(tmp_path / "data")
    _doc(store, ("Er is te weinig opvang voor mannen.", "Meer voorlichting op scholen.", "Zorgcoördinatie ontbreekt."))
    a, b, c = [r["id"] for r in store.statements()]
    store.decide(c, "2.16", "anna")
    store.decide(a, "2.16", "anna")
    store.decide(b, "4.3", "anna")
    store.decide(b, "4.7", "bram")
    store.undecide(b, who="anna")  # 4.7 undone: 4.3 counts again
    store.undecide(a, who="anna")  # 2.16 undone: not reviewed
    _trainer, reviewed = what_training_learns(store, monkeypatch)
    assert sorted((r["text"], r["section"]) for r in reviewed) == [("Meer voorlichting op scholen.", "4.3"),
                                                                    ("Zorgcoördinatie ontbreekt.", "2.16")]


def test_train_add_of_the_screen_s_exports_learns_only_the_reviewed_rows_in_every_format(make_app, tmp_path):
    """QA 47c N1: the screen's .jsonl export keeps its review columns under "extra", so `train --add` read it as a
    `label` output and learnt the rows nobody reviewed (the .csv and .xlsx exports were read right). All three
    formats of the same export now give the same corrections: the decided rows, with their final sections."""
    from mh_nlp.io.additions import read_additions

    app = make_app()
    store = app.state.store
    doc = _doc(store, ("Er is te weinig opvang voor mannen.", "Meer voorlichting op scholen.",
                       "De NLA ziet meer uitbuiting in distributiecentra."))
    with TestClient(app) as c:
        sids = [s["id"] for s in c.get(f"/api/statements?document={doc}").json()["statements"]]
        c.post(f"/api/statements/{sids[0]}/decision", json={"section": "2.6", "who": "Anna"})  # accepted
        c.post(f"/api/statements/{sids[2]}/decision", json={"section": "1.9", "who": "Anna"})  # corrected
        got = {}
        for fmt in ("csv", "jsonl", "xlsx"):
            r = c.get(f"/export?format={fmt}&doc={doc}")
            assert r.status_code == 200, r.text
            path = tmp_path / f"export.{fmt}"
            path.write_bytes(r.content)
            said: list[str] = []
            got[fmt] = [(a.text, a.section) for a in read_additions(path, warn=said.append)]
            assert any("1 of 3 rows were not reviewed on the screen (no decision): left out" in s for s in said), said
    assert got["jsonl"] == got["csv"] == got["xlsx"] == [("Er is te weinig opvang voor mannen.", "2.6"),
                                                         ("De NLA ziet meer uitbuiting in distributiecentra.", "1.9")]
