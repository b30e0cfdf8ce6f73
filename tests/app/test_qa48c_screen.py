"""QA 48c: the review screen shows what classify and label already say (QA 48b D1, D5, D9) — a statement whose chapter
the note's context changed (*read on its own: …*), one perhaps not about the subject (*off subject?*) and the section's
own nearest quote where none of the nearest is of it — on the page, in its filter, in GET /api/statements, the
documents' counts and the export; and a database of schema 11 keeps its rows and gains the columns."""
from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from mh_nlp.app import db as appdb

from mh_nlp.themes.store import default_model_path

needs_model = pytest.mark.skipif(not default_model_path().exists(),
                                 reason="no trained model (run `make setup` or `mh-nlp train`)")

DEBATE = ["De samenwerking met de NLA gaat goed in onze regio.",
          "Bij ons gaat de samenwerking met de NLA juist niet goed.",
          "De NLA reageert vaak pas na weken op een melding.",
          "De samenwerking met de NLA moet beter worden vastgelegd in afspraken."]
OFF = "Morgen wordt het zonnig en 22 graden."


def test_a_database_of_schema_11_keeps_its_rows_and_gains_the_checks(tmp_path, old_database):
    """A data folder of the version before: opened, it is version 12, keeps every statement and decision, and its
    statements have none of the three (not known: labelled before they were kept)."""
    data = tmp_path / "data"
    db = old_database(data, 11)
    for i, text in enumerate(["oud", "ouder"], 1):
        db.execute("INSERT INTO statements (document_id, position, text, section, search) VALUES (1, ?, ?, '2.6', ?)",
                   (i, text, text))
    db.execute("INSERT INTO decisions (statement_id, section, who, at, action) VALUES (2, '4.7', 'anna', 'x', "
               "'correct')")
    before = [tuple(r) for r in db.execute("SELECT * FROM statements ORDER BY id")]
    db.close()
    store = appdb.Store(data)
    assert store.db.execute("SELECT version FROM schema_version").fetchone()[0] == appdb.SCHEMA_VERSION == 12
    after = [tuple(r) for r in store.db.execute("SELECT * FROM statements ORDER BY id")]
    assert [r[:len(before[0])] for r in after] == before  # nothing lost, five columns more, all empty
    assert all(r[len(before[0]):] == (None,) * 5 for r in after)
    rows = store.statements()
    assert [(r["text"], r["final_section"]) for r in rows] == [("oud", "2.6"), ("ouder", "4.7")]
    assert all(r["off_subject"] is None and r["read_alone"] is None and r["section_quote"] is None for r in rows)
    assert "alone_section" not in rows[0]  # said as classify --json says it: read_alone
    assert store.count_filtered(check="any") == 0
    assert store.documents()[0]["to_check"] == 0


def test_a_bad_check_filter_is_a_400(client):
    r = client.get("/review?check=yes")
    assert r.status_code == 400 and "check must be" in r.text
    assert client.get("/export?format=csv&check=maybe").status_code == 400


def _paste(app, c, csrf, text: str, name: str, in_order: bool = False) -> int:
    data = {"csrf": csrf(c), "text": text, "name": name, **({"in_order": "1"} if in_order else {})}
    r = c.post("/paste", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    app.state.labeller.wait(120)
    return next(d["id"] for d in c.get("/api/documents").json()["documents"] if d["name"] == name)


def _csv(c, query: str) -> list[dict]:
    r = c.get(f"/export?format=csv&{query}")
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def _row_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr class="st[^"]*"[^>]* data-id="(\d+)"', page)]


@needs_model
def test_the_screen_shows_read_alone_off_subject_and_the_sections_quote(make_app, csrf):
    """D1: the debate note read in order gives "juist niet goed" 3.9 among praise, 2.23 on its own — the page, the API,
    the filter and the export say so; D5: the weather is *off subject?*; D9: the section's own nearest quote."""
    app = make_app()
    with TestClient(app) as c:
        note = _paste(app, c, csrf, "\n\n".join(DEBATE), "debat", in_order=True)
        off = _paste(app, c, csrf, OFF, "weer")
        got = {s["text"]: s for s in c.get("/api/statements").json()["statements"]}
        turned = got[DEBATE[1]]
        assert turned["section"] == "3.9" and turned["read_alone"]["section"] == "2.23"
        assert 0.5 < turned["read_alone"]["confidence"] < 0.7 and turned["off_subject"] is False
        assert got[DEBATE[0]]["read_alone"] is None  # its own reading agrees with the note's
        assert got[OFF]["off_subject"] is True and got[OFF]["subject_similarity"] < 0.8
        assert got[OFF]["read_alone"] is None  # not read in order
        quoted = [s for s in got.values() if s["section_quote"]]
        assert quoted and all(s["section_quote"]["section"] == s["section"] and s["section_quote"]["text"]
                              and all(q["section"] != s["section"] for q in s["similar"]) for s in quoted)
        paged = {s["text"]: s for s in c.get("/api/statements?limit=100").json()["statements"]}
        assert paged[DEBATE[1]]["read_alone"] == turned["read_alone"] and paged[OFF]["off_subject"] is True
        context = {t for t, s in got.items() if s["read_alone"]}
        assert DEBATE[1] in context

        # the documents table (and the API it polls) counts them, with a link to the filter
        docs = {d["id"]: d for d in c.get("/api/documents").json()["documents"]}
        assert docs[note]["to_check"] == len(context) and docs[off]["to_check"] == 1
        assert f'/review?doc={note}&amp;check=any' in c.get("/").text

        # the page: the line under the statement, in the row's accessible name; the mark off subject?
        page = c.get(f"/review?doc={note}").text
        tid = turned["id"]
        row = page[page.index(f'data-id="{tid}"'):]
        row = row[:row.index("</tr>")]
        labelled_by = re.search(r'aria-labelledby="([^"]+)"', row)[1].split()
        assert f"a{tid}" in labelled_by and f"o{tid}" not in labelled_by
        line = re.search(rf'<div class="alone small" id="a{tid}"[^>]*>(.*?)</div>', row, re.S)[1]
        words = html.unescape(re.sub(r"<[^>]+>", "", line))
        shown = f"({turned['read_alone']['confidence']:.2f})"  # the API's confidence, as the screen shows it
        assert words.startswith("read on its own: 2.23 Onvoldoende samenwerking") and shown in words, words
        assert "the note's context changed its chapter; check it" in words
        assert turned["section_quote"]["section"] == "3.9"  # none of its three nearest quotes is of 3.9 (QA 48b D9)
        assert f"None of these is of {turned['section']}; its nearest quote:" in row
        assert turned["section_quote"]["id"] in row
        assert "which has no anthology quote" not in row  # 3.9 has quotes
        page = c.get(f"/review?doc={off}").text
        oid = got[OFF]["id"]
        assert page.count(">off subject?</span>") == 1 and f'id="o{oid}"' in page
        assert f"o{oid}" in re.search(r'aria-labelledby="([^"]+)"', page[page.index(f'data-id="{oid}"'):])[1].split()
        assert 'class="alone' not in page

        # the filter: exactly those rows, whatever their confidence (D1: the uncertain filter hid them)
        def listed(query: str) -> set[int]:
            r = c.get(f"/review?{query}")
            assert r.status_code == 200, r.text
            return set(_row_ids(r.text))
        ids = {t: s["id"] for t, s in got.items()}
        assert listed("check=context") == {ids[t] for t in context}
        assert listed("check=off_subject") == {ids[OFF]}
        assert listed("check=any") == {ids[t] for t in context} | {ids[OFF]}
        assert listed(f"check=any&doc={off}") == {ids[OFF]}
        assert 'id="f-check"' in c.get("/review").text and 'value="context" selected' in \
            c.get("/review?check=context").text

        # the export, as mh-nlp label writes the columns
        rows = {x["statement"]: x for x in _csv(c, "")}
        conf = turned["read_alone"]["confidence"]
        assert rows[DEBATE[1]]["read_alone"] == f"2.23 ({conf:.2f})"
        assert rows[DEBATE[0]]["read_alone"] == ""
        assert rows[OFF]["off_subject"] == "True" and rows[DEBATE[1]]["off_subject"] == "False"
        # QA 48c N9: the cosine it is judged by, as the API gives it, so that a spreadsheet can sort by it
        assert float(rows[OFF]["subject_similarity"]) == pytest.approx(got[OFF]["subject_similarity"])
        for t, s in got.items():
            q = s["section_quote"]
            assert rows[t]["section_quote"] == ("" if not q else f"{q['id']} ({q['section']}, {q['similarity']:.2f})")
        assert {x["statement"] for x in _csv(c, "check=any")} == context | {OFF}
        lines = [json.loads(x) for x in c.get("/export?format=jsonl").content.decode("utf-8").splitlines()]
        by = {x["statement"]: x for x in lines}
        assert by[DEBATE[1]]["read_alone"] == turned["read_alone"] and by[OFF]["off_subject"] is True
        assert by[OFF]["subject_similarity"] == got[OFF]["subject_similarity"]
        assert by[DEBATE[1]]["section_quote"] == turned["section_quote"]
        # a correction keeps the model's reading on record (it is of the suggestion), the row leaves nothing out
        assert c.post(f"/api/statements/{tid}/decision", json={"section": "2.23"}).status_code == 201
        assert _csv(c, f"doc={note}&check=context")[0]["read_alone"].startswith("2.23")


def test_statements_of_an_older_database_say_the_checks_are_not_known(tmp_path, make_app, old_database):
    """QA 48c N1: on statements labelled before the checks were kept, the to-check filter showed "No statements match"
    with no word why, and the export wrote off_subject False. The page now says how many it cannot know and what to
    do; the export leaves the cell empty, as for a meta line (N4); the API says uncertain and not_dutch (N2)."""
    data = tmp_path / "data"
    db = old_database(data, 11)
    db.execute("INSERT INTO statements (document_id, position, text, section, chapter, confidence, "
               "chapter_confidence, search) VALUES (1, 1, 'Er is te weinig opvang.', '2.6', 2, 0.31, 0.7, 'x')")
    db.execute("INSERT INTO statements (document_id, position, text, kind, search) VALUES (1, 2, 'Ja.', 'chatter', "
               "'ja')")
    db.commit()
    db.close()
    with TestClient(make_app(data_dir=data)) as c:
        page = c.get("/review?check=any")
        assert page.status_code == 200
        assert "1 statement of this selection was labelled before the screen kept these checks" in html.unescape(page.text)
        assert "labelled before" not in c.get("/review").text  # said with a check filter only
        rows = _csv(c, "doc=1")
        assert [(r["statement"], r["off_subject"], r["not_dutch"]) for r in rows] == [
            ("Er is te weinig opvang.", "", "False"), ("Ja.", "", "")]
        got = c.get("/api/statements").json()["statements"]
        assert [(s["uncertain"], s["not_dutch"]) for s in got] == [(True, False), (None, None)]


@needs_model
def test_the_page_says_when_the_section_has_no_anthology_quote(make_app, csrf):
    """QA 48c (48b D9, partly): a suggestion of a section without any anthology quote (3.8) showed three quotes of
    other sections as its evidence, with no word why."""
    from mh_nlp.corpus.records import quoted_sections

    text = "Er moet meer informatie gedeeld worden tussen politie en gemeenten."
    app = make_app()
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, text, "informatie")
        got = c.get(f"/api/statements?document={doc}").json()["statements"][0]
        assert got["section"] not in quoted_sections() and got["section_quote"] is None
        page = c.get(f"/review?doc={doc}").text
        assert (f"None of these is of {got['section']}, which has no anthology quote: the model knows it from the "
                "team's written examples only.") in page
