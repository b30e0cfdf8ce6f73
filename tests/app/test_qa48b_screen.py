"""QA 48b on the review screen: the overview's wording (D15)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mh_nlp.themes.store import default_model_path

needs_model = pytest.mark.skipif(not default_model_path().exists(),
                                 reason="no trained model (run `make setup` or `mh-nlp train`)")


def _paste(app, c, csrf, text: str, name: str) -> int:
    r = c.post("/paste", data={"csrf": csrf(c), "text": text, "name": name}, follow_redirects=False)
    assert r.status_code == 303, r.text
    app.state.labeller.wait(120)
    return next(d["id"] for d in c.get("/api/documents").json()["documents"] if d["name"] == name)


@needs_model
def test_the_overview_says_1_statement(make_app, csrf):
    """D15: "3.8 Meer informatiedeling : 1 statements 0 reviewed"."""
    app = make_app()
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, "Er is te weinig opvang voor slachtoffers.", "one")
        page = c.get(f"/overview?doc={doc}").text
        assert "1 statements" not in page.replace('<span class="sr-only">', "").replace("</span>", "")
        assert '1 statement, 0 reviewed.' in page and page.count('<span class="sr-only"> statement</span>') == 2
