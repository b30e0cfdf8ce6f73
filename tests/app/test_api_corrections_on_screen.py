"""QA 46b D11: a correction sent through ``POST /api/corrections`` (a text and a section, no document) was trained on
but could not be seen, exported or undone on the screen. It is a statement of the pseudo-document *corrections sent
through the API*: on the documents page, the review page and its search, the overview and the exports, and decided
or undone there as any other; the JSON lists a script already reads stay as they were."""
from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient

TEXT = "Losse correctie: de opvang voor transgender slachtoffers ontbreekt."


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _one_document(store) -> int:
    doc = store.add_document("rondetafel.txt", "txt", None, status="done")
    store.add_statements(doc, [{"position": 1, "text": "Er is te weinig opvang voor mannen.", "section": "2.6",
                                "chapter": 2, "confidence": 0.4, "chapter_confidence": 0.7, "model_version": 1,
                                "kind": "statement"}], 1)
    return doc


def test_a_correction_sent_through_the_api_is_on_the_screen_and_in_the_exports(make_app):
    app = make_app()
    doc = _one_document(app.state.store)
    with TestClient(app) as c:
        r = c.post("/api/corrections", json={"text": TEXT, "section": "2.6", "who": "script"})
        assert r.status_code == 201
        sent = r.json()
        assert set(sent) == {"id", "statement_id", "text", "section", "who", "at", "action"}  # as before
        api_doc = {"id": app.state.store.api_document_id()}
        # the documents page lists it, counted, with a way to review it
        row = c.get("/").text.split(f'data-doc="{api_doc["id"]}"')[1].split("</tr>")[0]
        assert "added through the API" in row and f'href="/review?doc={api_doc["id"]}"' in row
        assert 'data-label="statements">1<' in row and 'data-label="reviewed">1<' in row
        # the review page's search finds it, said to be added through the API, decided by the script, with undo
        page = c.get("/review?q=transgender").text
        assert page.count('<tr class="st') == 1 and f'data-id="{sent["statement_id"]}"' in page
        text = _plain(page)
        assert "added through the API · doc" in text and "2.6" in text and "corrected by script" in text
        assert "added through the API with its section: no suggestion" in text and 'class="link undo"' in page
        assert f'data-decision="{sent["id"]}"' in page
        assert c.get(f"/review?doc={api_doc['id']}").status_code == 200
        # the overview counts it as the models page does
        overview = _plain(c.get("/overview").text)
        models = _plain(c.get("/models").text)
        assert "the 1 statements you reviewed" in models and "of which 1 added through the API" in models
        assert f'href="/review?doc={api_doc["id"]}"' in c.get("/models").text
        assert "2 statements, 1 reviewed." in overview
        # the collection's exports hold it, with who decided it
        rows = _csv(c.get("/export?format=csv").text)
        [mine] = [x for x in rows if x["statement"] == TEXT]
        assert (mine["section"], mine["decision"], mine["decided_by"], mine["source"]) == (
            "2.6", "correct", "script", "corrections sent through the API")
        assert len(rows) == 2
        assert _csv(c.get(f"/export?format=csv&doc={api_doc['id']}").text)[0]["statement"] == TEXT
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(c.get("/export?format=xlsx").content))
        assert TEXT in [r[2] for r in wb["labels"].iter_rows(values_only=True)]
        # the JSON lists a script reads are as they were: the documents brought in, and their statements
        assert c.get(f"/api/documents/{api_doc['id']}").status_code == 404
        assert [d["id"] for d in c.get("/api/documents").json()["documents"]] == [doc]
        assert [s["document_id"] for s in c.get("/api/statements").json()["statements"]] == [doc]
        paged = c.get("/api/statements?limit=10").json()
        assert paged["total"] == 1 and [s["document_id"] for s in paged["statements"]] == [doc]
        assert [s["text"] for s in c.get(f"/api/statements?document={api_doc['id']}").json()["statements"]] == [TEXT]


def test_a_correction_sent_through_the_api_is_corrected_undone_and_removed_on_the_screen(make_app):
    app = make_app()
    _one_document(app.state.store)
    with TestClient(app) as c:
        sent = c.post("/api/corrections", json={"text": TEXT, "section": "2.6", "who": "script"}).json()
        sid = sent["statement_id"]
        url = f"/api/statements/{sid}/decision"
        # corrected on the screen, as any row: the latest decision counts, and the training learns it
        fixed = c.post(url, json={"section": "2.11", "seen": sent["id"], "who": "Marloes"})
        assert fixed.status_code == 201 and "replaced" not in fixed.json()
        assert [(r["text"], r["section"]) for r in c.get("/api/corrections").json()["corrections"]] == [(TEXT, "2.11")]
        # undone twice: Marloes's, then the script's; kept as undone, and no longer trained on
        assert c.delete(f"{url}?decision={fixed.json()['id']}").json()["decision"]["who"] == "script"
        assert c.delete(f"{url}?decision={sent['id']}").json()["decision"] is None
        assert c.get("/api/corrections").json()["corrections"] == []
        undone = c.get("/api/decisions/undone").json()["undone"]
        assert [(u["section"], u["who"], u["undone_by"]) for u in undone] == [("2.11", "Marloes", "Marloes"),
                                                                            ("2.6", "script", "Marloes")]
        page = _plain(c.get("/review?q=transgender").text)
        assert "not reviewed" in page and "2 decisions undone (last by Marloes)" in page
        assert "no suggestion" in page  # still listed, to decide again
        # the models page no longer counts it
        assert "added through the API" not in _plain(c.get("/models").text)
        # not a statement: never trained on
        assert c.post(url, json={"action": "not_statement"}).status_code == 201
        assert c.get("/api/corrections").json()["corrections"] == []
        # the same text sent again is a new decision on the same row (as before), and counts again
        again = c.post("/api/corrections", json={"text": TEXT.upper(), "section": "2.6", "who": "script"}).json()
        assert again["statement_id"] == sid
        assert [r["section"] for r in c.get("/api/corrections").json()["corrections"]] == ["2.6"]
        # the pseudo-document is not removed as a whole (each row is undone or marked instead), as before
        doc_id = app.state.store.api_document_id()
        assert c.delete(f"/api/documents/{doc_id}").status_code == 404
        row = c.get("/").text.split(f'data-doc="{doc_id}"')[1].split("</tr>")[0]
        assert "review →" in row and "/remove" not in row
