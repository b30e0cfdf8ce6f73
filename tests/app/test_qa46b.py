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
