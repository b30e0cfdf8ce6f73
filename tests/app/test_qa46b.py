"""QA 46b's defects of the review screen, each as it was found (the browser ones are in test_browser.py)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mh_nlp.themes.store import default_model_path

needs_model = pytest.mark.skipif(not default_model_path().exists(),
                                 reason="no trained model (run `make setup` or `mh-nlp train`)")


def _paste(app, c, csrf, text: str, name: str, wait: bool = True) -> int:
    r = c.post("/paste", data={"csrf": csrf(c), "text": text, "name": name}, follow_redirects=False)
    assert r.status_code == 303, r.text
    if wait:
        app.state.labeller.wait(120)
    return next(d["id"] for d in c.get("/api/documents").json()["documents"] if d["name"] == name)


def _statements(c, doc: int) -> list[dict]:
    return c.get(f"/api/statements?document={doc}").json()["statements"]


@needs_model
def test_a_decision_carries_the_name_the_analyst_field_shows(make_app, csrf):
    """D1: the screen sends the field's name with the decision; it counts, and is this browser's name from then on."""
    app = make_app()
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, "Er is te weinig opvang.\n\nMeer voorlichting op scholen.", "n")
        first, second = _statements(c, doc)
        r = c.post(f"/api/statements/{first['id']}/decision", json={"section": "4.7", "who": " Jan  Jansen "})
        assert r.status_code == 201 and r.json()["who"] == "Jan Jansen"
        r = c.post(f"/api/statements/{second['id']}/decision", json={"section": "4.7"})  # the cookie it set
        assert r.json()["who"] == "Jan Jansen"
        for bad in (12, ["Jan"], {"n": 1}):
            r = c.post(f"/api/statements/{first['id']}/decision", json={"section": "4.7", "who": bad})
            assert r.status_code == 400 and "who must be a name" in r.json()["error"]
        r = c.post(f"/api/statements/{first['id']}/decision", json={"section": "2.6", "who": "   "})  # empty: cookie's
        assert r.status_code == 201 and r.json()["who"] == "Jan Jansen"


def _csv_rows(text: str) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _v2_learnt_from_two(app, c, csrf, gone_name: str, decided: bool = False) -> tuple:
    """Two pasted statements (documents ``blijft`` and ``gone_name``; both decided 2.6 with ``decided``) and a
    version 2, in use, recorded as having learnt from them (``added-1`` the second, ``added-2`` the first): the
    documents' ids and their statements."""
    from test_models_offered import held, reviewed_figures

    keep = _paste(app, c, csrf, "De opvang voor mannen ontbreekt in de regio.", "blijft")
    gone = _paste(app, c, csrf, "Slachtoffers durven geen aangifte te doen uit angst.", gone_name)
    [k], [g] = _statements(c, keep), _statements(c, gone)
    if decided:
        for st in (k, g):
            assert c.post(f"/api/statements/{st['id']}/decision", json={"section": "2.6"}).status_code == 201
    store = app.state.store
    store.add_model_version(str(default_model_path()), {"candidate": "examples_e5"}, 2, version=2)
    store.set_evaluation(2, {"reviewed": 2, "statements": [g["id"], k["id"]], "current": reviewed_figures(1, 0.5),
                             "new": reviewed_figures(2, 0.75), "held_out_pages": held(), "recommended": 2,
                             "train_seconds": 1.0})
    assert c.post("/api/models/2/use", json={}).status_code == 200
    return keep, gone, k, g


@needs_model
def test_reviewed_statements_are_not_anthology_quotes_and_a_removed_documents_are_not_shown(make_app, csrf):
    """D8 (a, b): an analyst's reviewed statement (``added-N``) was listed under "Nearest anthology quotes", and one
    of a removed document stayed on screen and in exports as evidence, through the model in use."""
    import json

    app = make_app()
    store = app.state.store
    with TestClient(app) as c:
        keep, gone, k, g = _v2_learnt_from_two(app, c, csrf, "vertrouwelijk", decided=True)
        new = _paste(app, c, csrf, "Slachtoffers durven geen aangifte te doen.", "na")
        [n] = _statements(c, new)
        quote = {"id": "Q-12", "page": 12, "section": "2.1", "similarity": 0.7, "text": "Een citaat uit de bundel."}
        similar = [{"id": "added-1", "page": None, "section": "2.6", "similarity": 0.99, "text": g["text"]},
                   quote, {"id": "added-2", "page": None, "section": "2.6", "similarity": 0.5, "text": k["text"]}]
        store.db.execute("UPDATE statements SET similar = ?, model_version = 2 WHERE id = ?",
                         (json.dumps(similar), n["id"]))
        store.db.commit()
        page = c.get(f"/review?doc={new}").text
        anthology, reviewed = page.split("Nearest anthology quotes")[1].split("Nearest statements reviewed")
        assert "Een citaat uit de bundel." in anthology and "aangifte" not in anthology.split("</ol>")[0]
        assert f"reviewed statement in vertrouwelijk · doc {gone}" in reviewed
        assert f"reviewed statement in blijft · doc {keep}" in reviewed
        cell = _csv_rows(c.get(f"/export?doc={new}&format=csv").text)[0]["similar_quotes"]
        assert f"reviewed statement (doc {gone})" in cell and "Q-12" in cell and "added-" not in cell
        r = c.post(f"/documents/{gone}/remove", data={"csrf": csrf(c)}, follow_redirects=False)
        assert r.status_code == 303
        page = c.get(f"/review?doc={new}").text
        assert "vertrouwelijk" not in page and "Slachtoffers durven geen aangifte te doen uit angst" not in page
        assert f"reviewed statement in blijft · doc {keep}" in page and "Een citaat uit de bundel." in page
        cell = _csv_rows(c.get(f"/export?doc={new}&format=csv").text)[0]["similar_quotes"]
        assert f"doc {gone}" not in cell and f"reviewed statement (doc {keep})" in cell
        line = json.loads(c.get(f"/export?doc={new}&format=jsonl").text.splitlines()[0])
        assert "uit angst" not in json.dumps(line, ensure_ascii=False)
        assert "the model in use keeps what it learnt from them" in c.get("/").text  # the remove dialog says so


@needs_model
def test_the_anthology_only_model_can_always_be_used_again_after_a_confirmation(make_app, csrf):
    """D8 (c): after Use v2, v1 "scored lower than v2" and could not be chosen: no way to stop using a model that
    learnt from a removed document. Going back to the anthology-only model is not offering a new model as better."""
    from test_models_offered import held, reviewed_figures

    from mh_nlp.themes.store import default_model_path

    app = make_app()
    store = app.state.store
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, "De opvang voor mannen ontbreekt.\n\nMeer voorlichting op scholen.", "weg")
        ids = [s["id"] for s in _statements(c, doc)]
        store.add_model_version(str(default_model_path()), {"candidate": "examples_e5"}, 2, version=2)
        store.set_evaluation(2, {"reviewed": 2, "statements": ids, "current": reviewed_figures(1, 0.5),
                                 "new": reviewed_figures(2, 0.75), "held_out_pages": held(), "recommended": 2,
                                 "train_seconds": 1.0})
        assert c.post("/api/models/2/use", json={}).status_code == 200
        assert c.post(f"/documents/{doc}/remove", data={"csrf": csrf(c)}, follow_redirects=False).status_code == 303
        r = c.post("/api/models/1/use")
        assert r.status_code == 409 and "scored lower than v2" in r.json()["error"]
        assert '{"back": true}' in r.json()["error"]
        page = c.get("/models").text
        assert 'data-back="1"' in page and "Go back to v1" in page and "learnt nothing from your reviewed" in page
        for bad in ({"back": "yes"}, {"other": 1}, [1]):
            r = c.post("/api/models/1/use", json=bad)
            assert r.status_code == 400 and "back" in r.json()["error"]
        assert c.post("/api/models/1/use", json={"back": True}).json() == {"in_use": 1}
        assert c.get("/api/models").json()["in_use"] == 1
        r = c.post("/api/models/2/use", json={"back": True})  # not a way back: it learnt from reviewed statements
        assert r.status_code == 409 and "removed document" in r.json()["error"]


@needs_model
def test_a_document_still_being_labelled_is_said_on_the_overview_and_not_exported_as_if_complete(make_app, csrf):
    """D10: the overview of a document at 366 of 500 said "366 statements" with no word of labelling, and its
    export was a file of 176 rows that looked complete."""
    app = make_app()
    store = app.state.store
    with TestClient(app) as c:
        done = _paste(app, c, csrf, "Er is te weinig opvang.", "klaar")
        busy = _paste(app, c, csrf, "Meer voorlichting op scholen.\n\nDe politie mist signalen.", "middel3.txt")
        store.update_document(busy, status="labelling", done=1, total=500)  # as it is while the labeller works
        page = c.get(f"/overview?doc={busy}").text
        assert f"Still being labelled:</b> doc {busy} (middel3.txt, 1 of 500)" in page and 'id="export-partial"' in page
        assert "Still being labelled" in c.get("/overview").text
        assert "Still being labelled" not in c.get(f"/overview?doc={done}").text
        for query in (f"doc={busy}&format=xlsx", "format=csv"):
            r = c.get(f"/export?{query}")
            assert r.status_code == 409 and "still being labelled: doc" in r.json()["error"], query
            assert "1 of 500" in r.json()["error"] and "partial=1" in r.json()["error"]
        r = c.get(f"/export?doc={busy}&format=csv", headers={"Accept": "text/html"})
        assert r.status_code == 409 and "still being labelled" in r.text and "<html" in r.text.lower()
        r = c.get(f"/export?doc={busy}&format=csv&partial=1")  # asked for explicitly: named so
        assert r.status_code == 200 and "-PARTIAL-" in r.headers["content-disposition"]
        r = c.get("/export?format=csv&partial=maybe")
        assert r.status_code == 400 and "partial must be" in r.json()["error"]
        r = c.get(f"/export?doc={done}&format=csv")  # another document, finished: exported as always
        assert r.status_code == 200 and "PARTIAL" not in r.headers["content-disposition"]
        store.update_document(busy, status="done", done=2, total=2)
        r = c.get(f"/export?doc={busy}&format=csv&partial=1")  # done meanwhile: a complete file, named so
        assert r.status_code == 200 and "PARTIAL" not in r.headers["content-disposition"]


TRANSCRIPT = """Transcript focusgroep jeugdzorg en loverboys, Rotterdam
Datum: 20 november 2026

Marieke (jeugdzorg): Meisjes in gesloten jeugdzorg worden nog steeds benaderd door loverboys via sociale media.
Sanne (CoMensha): Slachtoffers van binnenlandse seksuele uitbuiting worden vaak niet herkend als slachtoffer mensenhandel.
Ahmed (politie): De opsporing van online uitbuiting vraagt om meer digitale recherchecapaciteit."""

INTERVIEW = """Interview zorgcoördinator, Utrecht
Aanwezig: Sanne de Vries (CoMensha), Pieter Bakker (gemeente Utrecht), Fatima El Amrani (politie)

Sanne de Vries: Volgens Pieter Bakker is de wachtlijst voor de opvang opgelopen tot acht weken.
Fatima El Amrani: Sanne heeft gelijk dat slachtoffers te lang wachten op een plek.
Marieke de Groot: Ik sluit me daarbij aan."""


@needs_model
def test_a_first_name_in_the_collection_export_is_the_person_of_its_own_document(make_app, csrf):
    """D3: in the whole-collection pseudonymised export, "Sanne heeft gelijk" in the interview took the pseudonym of
    the transcript's Sanne (another session's participant), while the interview's own export gave it Sanne de
    Vries's. Within a document the collection export now names the same people as the document's own export; the
    same full name keeps one pseudonym over the collection."""
    import json

    app = make_app()
    with TestClient(app) as c:
        first = _paste(app, c, csrf, TRANSCRIPT, "transcript-loverboys")
        second = _paste(app, c, csrf, INTERVIEW + "\n\nAhmed (politie): Dat zeg ik ook.", "interview Sanne de Vries")

        def rows(query):
            return [json.loads(line) for line in c.get(f"/export?format=jsonl&pseudonymise=1{query}").text.splitlines()]

        def who_is(rs):  # speaker -> the pseudonym that "Sanne heeft gelijk" gets
            line = next(r for r in rs if "heeft gelijk" in r["statement"])
            vries = next(r for r in rs if "wachtlijst" in r["statement"])
            return line["statement"].split(" heeft")[0], vries["extra"]["speaker"]

        alone, alone_speaker = who_is(rows(f"&doc={second}"))
        assert alone == alone_speaker  # the document's own export: Sanne is Sanne de Vries
        everything = rows("")
        together, together_speaker = who_is(everything)
        assert together == together_speaker, (together, together_speaker)  # (it was the transcript's Sanne)
        other_sanne = next(r for r in everything if "niet herkend" in r["statement"])["extra"]["speaker"]
        assert other_sanne.split(" (")[0] != together
        # "Ahmed (politie)" in both: one name, one pseudonym over the collection, as the guide promises
        again = next(r for r in everything if r["statement"] == "Dat zeg ik ook.")["extra"]["speaker"]
        assert again == next(r for r in everything if "recherche" in r["statement"])["extra"]["speaker"]
        assert again.startswith("Spreker")
        names = json.dumps(everything, ensure_ascii=False)
        assert "Sanne" not in names and "Vries" not in names and "Bakker" not in names
        assert all(r["source"].startswith("interview Spreker") for r in everything if "interview" in r["source"])
        assert {r["source"] for r in everything if "interview" in r["source"]} == {f"interview {together}"}
        # and the same for the document's numbers: one pseudonym per full name
        assert len({r["extra"]["speaker"] for r in everything if r["statement"].startswith("Meisjes")}) == 1
        assert first != second


def test_an_upload_over_the_limit_gets_the_screens_own_error_page_naming_the_file(make_app, csrf):
    """D6: a bare card "upload too large", without the screen's header and navigation and without the file's name,
    unlike every other refused upload."""
    app = make_app(max_upload=64 * 1024)
    with TestClient(app) as c:
        files = {"file": ("te-groot.txt", b"Er is te weinig opvang.\n" * 10_000, "text/plain")}
        r = c.post("/upload", data={"csrf": csrf(c)}, files=files, headers={"Accept": "text/html"},
                   follow_redirects=False)
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
        assert "te-groot.txt: upload too large" in r.text
        assert 'id="model-in-use"' in r.text and 'id="error-message"' in r.text  # the screen's layout
        r = c.post("/upload", data={"csrf": csrf(c)}, files=files, follow_redirects=False)  # a script: JSON
        assert r.status_code == 413 and "upload too large" in r.json()["error"]
        assert c.get("/api/documents").json()["documents"] == []  # nothing stored
        r = c.get("/upload", follow_redirects=False)  # the page's address itself leads home
        assert r.status_code == 303 and r.headers["location"] == "/"


@pytest.mark.parametrize("name, data, said", [
    ("leeg.txt", b"", "leeg.txt is empty"),
    ("binair.txt", bytes(range(256)) * 40, "binair.txt: "),
    ("tekst-als.xlsx", b"Dit is gewoon tekst.\nNog een regel.\n", "tekst-als.xlsx: "),
    ("nep.docx", b"Dit is geen Word-bestand.", "nep.docx: "),
])
def test_a_file_that_cannot_be_read_is_refused_at_once_and_nothing_is_stored(make_app, csrf, name, data, said):
    """D5: an empty file, a binary file named .txt or plain text named .xlsx/.docx was stored (303) as a failed
    document, one more row per try, while other bad files got the immediate "That did not work" page."""
    app = make_app()
    with TestClient(app) as c:
        r = c.post("/upload", data={"csrf": csrf(c)}, files={"file": (name, data)}, follow_redirects=False)
        assert r.status_code == 400 and r.json()["error"].startswith(said), r.text
        r = c.post("/upload", data={"csrf": csrf(c)}, files={"file": (name, data)}, follow_redirects=False,
                   headers={"Accept": "text/html"})
        assert r.status_code == 400 and "That did not work" in r.text and name in r.text
        assert c.get("/api/documents").json()["documents"] == []
        assert not [p for p in (app.state.store.data_dir / "uploads").iterdir()]


@needs_model
def test_the_models_page_counts_rows_and_texts_and_names_corrections_sent_through_the_api(make_app, csrf):
    """D12: the page said "28 statements you reviewed", the training "26 reviewed statements" (a text reviewed in two
    rows counts once); D11: a correction sent through the API counted there but was nowhere on the screen."""
    import re

    app = make_app()
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, "Er is te weinig opvang.\n\nEr is te weinig opvang.\n\nMeer voorlichting.", "twee")
        for st in _statements(c, doc):
            assert c.post(f"/api/statements/{st['id']}/decision", json={"section": "2.6"}).status_code == 201
        assert c.post("/api/corrections", json={"text": "Losse correctie over opvang.", "section": "2.6"}
                      ).status_code == 201
        text = re.sub(r"<[^>]+>", "", c.get("/models").text)
        assert "the 4 statements you reviewed" in text
        assert "of which 1 added through the API" in text and "3 different texts" in text


@needs_model
def test_the_documents_table_counts_a_document_being_labelled_so_far(make_app, csrf):
    """D9: "statements 0" beside "labelling 45 / 600" while the review page listed 45 rows: the table counts the
    statements labelled so far (and its page updates the count from /api/documents); D13: the action links broke
    mid-word at 1024 px."""
    app = make_app()
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, "Datum: 12 mei\n\nEr is te weinig opvang.\n\nMeer voorlichting.", "bezig")
        app.state.store.update_document(doc, status="labelling", done=3, total=600)
        row = c.get("/").text.split(f'data-doc="{doc}"')[1].split("</tr>")[0]
        assert 'data-label="statements"><span class="so-far"' in row and ">2 so far</span>" in row
        assert "+ 1 other line" not in row  # counted apart when it is done
        assert "labelling 3 / 600" in row
        review = c.get(f"/review?doc={doc}").text
        assert "<b>2</b> statements and 1 other line" in review  # the same count as the review page's
        [listed] = [d for d in c.get("/api/documents").json()["documents"] if d["id"] == doc]
        assert listed["statements"] - listed["other_lines"] == 2  # what the page's poll writes into the cell
        js = c.get("/static/app.js").text
        assert 'count.textContent = `${d.statements - (d.other_lines || 0)} so far`' in js
        app.state.store.update_document(doc, status="done", done=3, total=3)
        row = c.get("/").text.split(f'data-doc="{doc}"')[1].split("</tr>")[0]
        assert 'data-label="statements">2 <span class="small"' in row and "+ 1 other line" in row
        app.state.store.update_document(doc, status="labelling", done=3, total=600)
        app.state.store.update_document(doc, status="done", done=3, total=3)
        row = c.get("/").text.split(f'data-doc="{doc}"')[1].split("</tr>")[0]
        assert '<td class="actions">' in row and '<td class="doc-name">' in row
        css = c.get("/static/app.css").text
        assert "td.actions a, td.actions button { white-space: nowrap; }" in css
        assert "td.doc-name { overflow-wrap: anywhere; }" in css


@needs_model
def test_classify_says_which_evidence_is_a_reviewed_statement_and_leaves_out_a_removed_documents(make_app, csrf,
                                                                                                  monkeypatch):
    """D8 through the API: /api/classify's similar_quotes named added-N as if it were an anthology quote."""
    from mh_nlp.app import server

    app = make_app()
    with TestClient(app) as c:
        keep, gone, k, g = _v2_learnt_from_two(app, c, csrf, "weg")
        c.delete(f"/api/documents/{gone}")
        real = server.prediction_json

        def with_reviewed(*a, **kw):
            out = real(*a, **kw)
            return {**out, "similar_quotes": [{"id": "added-1", "page": None, "section": "2.6", "similarity": 0.9,
                                               "text": g["text"]},
                                              {"id": "added-2", "page": None, "section": "2.6", "similarity": 0.8,
                                               "text": k["text"]}] + out["similar_quotes"][:1]}

        monkeypatch.setattr(server, "prediction_json", with_reviewed)
        [p] = c.post("/api/classify", json={"texts": ["Er is te weinig opvang."]}).json()["predictions"]
        first, *rest = p["similar_quotes"]
        assert first["id"] == "added-2" and first["reviewed"] and first["document_id"] == keep
        assert first["document"] == "blijft" and not any(q.get("reviewed") for q in rest)
        assert "uit angst" not in str(p)
