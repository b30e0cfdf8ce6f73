"""The review screen's export with ``?pseudonymise=1``: no person name leaves the server, organisations stay."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mh_nlp.themes.store import default_model_path

NOTES = ("Aanwezig: Sanne Verhoeven (gemeente), Jan de Vries (NLA)\n\n"
         "Jan de Vries (NLA): Wij zien meer arbeidsuitbuiting in distributiecentra.\n\n"
         "Volgens Sanne moet CoMensha meer opvangplekken krijgen.\n")


@pytest.mark.skipif(not default_model_path().exists(), reason="no trained model (run `make setup`)")
def test_export_pseudonymised(make_app, csrf):
    app = make_app()
    with TestClient(app) as c:
        assert 'name="pseudonymise"' in c.get("/overview").text  # the export form offers it
        r = c.post("/upload", files={"file": ("notulen.txt", NOTES.encode())}, data={"csrf": csrf(c)},
                   follow_redirects=False)
        assert r.status_code == 303
        app.state.labeller.wait(120)
        plain = c.get("/export?format=jsonl").text
        assert "Sanne" in plain  # without the parameter the export is as before
        text = c.get("/export?format=jsonl&pseudonymise=1").text
        rows = [json.loads(x) for x in text.splitlines()]
        for word in ("Sanne", "Verhoeven", "Jan", "Vries"):
            assert not re.search(rf"\b{word}\b", text), word
        assert any("CoMensha" in x["statement"] for x in rows) and "(NLA)" in text
        speaker = rows[1]["extra"]["speaker"]
        assert re.fullmatch(r"Spreker \d \(NLA\)", speaker) and speaker[:9] in rows[0]["statement"]


CSV = ("tekst;spreker;notulist;contact;opmerking\n"
       "Wij zien meer arbeidsuitbuiting in distributiecentra.;Fatima El Amrani;Marieke Smit;marieke.smit@gemeente.nl;"
       "gebeld met Jan de Vries\n"
       "Er is te weinig opvang voor mannen.;Jan de Vries;Marieke Smit;;\n")


@pytest.mark.skipif(not default_model_path().exists(), reason="no trained model (run `make setup`)")
def test_export_filters_leftovers_and_names_in_other_places(make_app, csrf, monkeypatch, tmp_path):
    """QA 36: a pseudonymised export kept the names in the document's name, a 'notulist' column and an e-mail
    address; a malformed document filter (doc=abc, doc=-17) exported every document; the export was refused when
    the data folder could not take its staging copy (read-only or full); a killed server's half-written files
    stayed in the data folder for good."""
    import os
    import tempfile
    import time

    data = tmp_path / "data"
    (data / "uploads").mkdir(parents=True)
    old_export, new_export = data / ".export-old", data / ".export-new"
    old_upload = data / "uploads" / ".incoming-0123.txt"
    for p in (old_export, new_export):
        p.mkdir()
        (p / "mh-nlp-labels.csv").write_text("x", encoding="utf-8")
    old_upload.write_text("x", encoding="utf-8")
    for p in (old_export, old_upload):
        os.utime(p, (time.time() - 7200, time.time() - 7200))
    app = make_app()
    assert not old_export.exists() and not old_upload.exists() and new_export.exists()
    with TestClient(app) as c:
        for name, body in (("Gesprek met Fatima El Amrani.csv", CSV), ("ander.txt", NOTES)):
            r = c.post("/upload", files={"file": (name, body.encode())}, data={"csrf": csrf(c)},
                       follow_redirects=False)
            assert r.status_code == 303, r.text
            if r.headers["location"].endswith("/column"):  # a table: the analyst names the statements' column
                r = c.post(r.headers["location"], data={"column": "tekst", "csrf": csrf(c)}, follow_redirects=False)
                assert r.status_code == 303, r.text
            app.state.labeller.wait(120)
        docs = {d["name"]: d["id"] for d in c.get("/api/documents").json()["documents"]}
        first = docs["Gesprek met Fatima El Amrani.csv"]
        assert len(c.get(f"/export?format=jsonl&doc={first}").text.splitlines()) == 2
        for bad in ("abc", "-17", f"{first}.0", f"%20{first}"):  # refused, never every document (QA 39: not 200)
            r = c.get(f"/export?format=jsonl&doc={bad}")
            assert r.status_code == 400 and "doc must be a document number" in r.json()["error"], (bad, r.text)
        r = c.get("/export?format=jsonl&doc=999")  # removed, or an old link: said, not an empty file
        assert r.status_code == 404 and "no document 999: it was removed" in r.json()["error"]
        for bad, said in (("chapter=x", "chapter must be one of 1, 2, 3, 4, not 'x'"),
                          ("state=reviewed", "state must be open or done (or left out), not 'reviewed'"),
                          ("kind=foo", "kind must be statement or other (or left out), not 'foo'"),
                          ("threshold=abc", "threshold must be a number from 0 to 1, not 'abc'"),
                          ("section=9.99", "no section '9.99' in the taxonomy")):  # QA 42b: dropped, all exported
            r = c.get(f"/export?format=jsonl&{bad}")
            assert r.status_code == 400 and said in r.json()["error"], (bad, r.text)
            assert c.get(f"/review?{bad}").status_code == 400
        assert c.get("/review?page=abc").status_code == 400
        for bad in ("pseudonymise=2", "pseudonymise=maybe", "uncertain=x"):  # QA 43a: silently "no"
            r = c.get(f"/export?format=jsonl&doc={first}&{bad}")
            assert r.status_code == 400 and "must be 1 (or yes, true, on) or 0" in r.json()["error"], (bad, r.text)
        named = c.get(f"/export?format=jsonl&doc={first}&pseudonymise=Yes").text  # any case: on
        assert "Fatima" not in named and "Spreker 1" in named
        assert "Fatima" in c.get(f"/export?format=jsonl&doc={first}&pseudonymise=nee").text
        assert c.get("/review?uncertain=TRUE").text.count('name="uncertain" value="1" checked') == 1
        assert c.get("/review?threshold=0,3&uncertain=1").status_code == 200  # as Dutch writes it
        text = c.get(f"/export?format=jsonl&doc={first}&pseudonymise=1").text
        for word in ("Fatima", "Amrani", "Marieke", "Smit", "gemeente.nl", "Jan", "Vries"):
            assert not re.search(rf"\b{word}\b", text), (word, text)
        rows = [json.loads(x) for x in text.splitlines()]
        assert rows[0]["source"].startswith("Gesprek met Spreker ") and rows[0]["extra"]["contact"] == "[e-mail]"
        assert re.fullmatch(r"Spreker \d+", rows[0]["extra"]["notulist"])
        assert re.fullmatch(r"gebeld met Spreker \d+", rows[0]["extra"]["opmerking"])  # a name learnt elsewhere

        real = tempfile.mkdtemp

        def full(*args, dir=None, **kw):  # the data folder takes nothing (read-only, or the disk is full)
            if dir is not None and Path(dir) == data:
                raise OSError(28, "No space left on device")
            return real(*args, dir=dir, **kw)

        monkeypatch.setattr(tempfile, "mkdtemp", full)
        r = c.get(f"/export?format=csv&doc={first}")
        assert r.status_code == 200 and "distributiecentra" in r.text


def test_a_section_outside_the_chosen_chapter_says_why_nothing_matches(make_app):
    """QA 43a: chapter 2 with section 1.1 gave "0 statements" with no hint why."""
    with TestClient(make_app()) as c:
        page = c.get("/review?chapter=2&section=1.1").text
        assert "section 1.1 is in chapter 1, not in chapter 2" in page
        assert "not in chapter" not in c.get("/review?chapter=1&section=1.1").text


def test_search_ignores_accents_case_and_repeated_spaces(make_app, paste_notes):
    """QA 43a: "coordinatie" found nothing beside "zorgcoördinatie", and "veilig  thuis" (two spaces) missed
    "Veilig Thuis"."""
    app = make_app()
    with TestClient(app) as c:
        paste_notes(app, c, ["zoek"], "De zorgcoördinatie schiet tekort.\n\nVeilig  Thuis meldt meer zaken.\n\n"
                                      "Meer opvang in de regio.")
        found = lambda q: c.get(f"/review?q={q}").text  # noqa: E731
        for q, text in (("coordinatie", "tekort"), ("COÖRDINATIE", "tekort"),
                        ("veilig%20%20thuis", "meldt meer zaken"), ("veilig%20thuis", "meldt meer zaken")):
            page = found(q)
            assert text in page and "Meer opvang" not in page, q
        assert "Meer opvang" in found("opvang") and "tekort" not in found("opvang")


def test_the_search_copy_is_kept_out_of_statements_and_exports(make_app, paste_notes):
    """The folded text the search reads (a column beside each statement) is not a field of a statement."""
    app = make_app()
    with TestClient(app) as c:
        paste_notes(app, c, ["kopie"], "De zorgcoördinatie schiet tekort.")
        [st] = c.get("/api/statements").json()["statements"]
        assert "search" not in st and st["text"] == "De zorgcoördinatie schiet tekort."
        assert "zorgcoordinatie" not in c.get("/export?format=jsonl").text
        assert app.state.store.db.execute("SELECT search FROM statements").fetchone()[0] == (
            "de zorgcoordinatie schiet tekort.")
