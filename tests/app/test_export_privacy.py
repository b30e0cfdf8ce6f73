"""The review screen's export with ``?pseudonymise=1``: no person name leaves the server, organisations stay."""
from __future__ import annotations

import json
import re

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
