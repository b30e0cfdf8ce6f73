"""QA 48b on the review screen: one meaning of *uncertain* with the CLI's (D2), *not Dutch?* in the API and the
export (D8), rounding that shows no certainty (D10), the overview's wording (D15)."""
from __future__ import annotations

import csv
import html
import io
import re
import sqlite3

import pytest
from fastapi.testclient import TestClient

from mh_nlp.themes.store import default_model_path

needs_model = pytest.mark.skipif(not default_model_path().exists(),
                                 reason="no trained model (run `make setup` or `mh-nlp train`)")

EN = "The police should work more closely with municipalities on labour exploitation cases."
NOTE = f"De samenwerking met de NLA gaat goed.\n\n{EN}\n\nWe beginnen om 10 uur in zaal 3."


def _paste(app, c, csrf, text: str, name: str) -> int:
    r = c.post("/paste", data={"csrf": csrf(c), "text": text, "name": name}, follow_redirects=False)
    assert r.status_code == 303, r.text
    app.state.labeller.wait(120)
    return next(d["id"] for d in c.get("/api/documents").json()["documents"] if d["name"] == name)


@needs_model
def test_api_classify_says_uncertain_and_not_dutch(client):
    """D2, D8: POST /api/classify had neither mark; the page had both."""
    from mh_nlp.themes.prediction import UNCERTAIN_BELOW

    r = client.post("/api/classify", json={"texts": NOTE.split("\n\n")})
    assert r.status_code == 200, r.text
    got = r.json()["predictions"]
    assert [p["not_dutch"] for p in got] == [False, True, False]
    assert [p["uncertain"] for p in got] == [p["confidence"] < UNCERTAIN_BELOW for p in got]
    assert got[0]["uncertain"] is False and got[2]["uncertain"] is True  # 1.00 and 0.11 in QA 48b


@needs_model
def test_the_export_and_the_page_say_uncertain_and_not_dutch_as_the_cli(make_app, csrf, tmp_path):
    """D2: the screen's threshold is the CLI's; D8: the export has the page's not Dutch? as a column."""
    from mh_nlp.themes.prediction import UNCERTAIN_BELOW

    app = make_app()
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, NOTE, "n")
        rows = list(csv.DictReader(io.StringIO(c.get(f"/export?format=csv&doc={doc}").content.decode("utf-8-sig"))))
        assert [x["not_dutch"] for x in rows] == ["False", "True", "False"]
        assert rows[2]["uncertain"] == "True" and rows[2]["section"]  # below 0.5: uncertain, its section kept
        assert rows[0]["uncertain"] == "False"
        page = c.get(f"/review?doc={doc}").text
        assert f'data-threshold="{UNCERTAIN_BELOW}"' in page and page.count(">not Dutch?</span>") == 1
        assert f'value="{UNCERTAIN_BELOW}" id="export-threshold"' in c.get("/overview").text


@needs_model
def test_the_page_shows_no_certainty_the_model_does_not_have(make_app, csrf, tmp_path):
    """D10: 0.99997 showed as 1.00 (alternatives 0.00), and 0.4976 as "0.50 uncertain" beside a plain 0.50."""
    app = make_app()
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, "De samenwerking met de NLA gaat goed.\n\nDe NLA en de politie.\n\nEr is te "
                                   "weinig opvang.", "n")
        db = sqlite3.connect(tmp_path / "data" / "mh-nlp.sqlite")
        with db:  # the confidences QA 48b saw
            ids = [i for (i,) in db.execute("SELECT id FROM statements WHERE document_id = ? ORDER BY position",
                                             (doc,))]
            db.execute("UPDATE statements SET confidence = 0.9999672, chapter_confidence = 0.9964 WHERE id = ?",
                       (ids[0],))
            db.execute("UPDATE statements SET confidence = 0.4976 WHERE id = ?", (ids[1],))
            db.execute("UPDATE statements SET confidence = 0.5047 WHERE id = ?", (ids[2],))
        db.close()
        page = c.get(f"/review?doc={doc}").text
        conf = {i: html.unescape(v) for i, v in re.findall(r'id="c(\d+)">([^<]*)</span>', page)}
        assert [conf[str(i)] for i in ids] == [">0.99", "0.498", "0.50"]
        assert f'id="u{ids[1]}"' in page and f'id="u{ids[2]}"' not in page  # only the one below is uncertain
        assert not re.search(r'class="chconf"[^>]*>1\.00<', page)
        assert not re.search(r'<span class="small">0\.00</span>', page)


@needs_model
def test_the_overview_says_1_statement(make_app, csrf):
    """D15: "3.8 Meer informatiedeling : 1 statements 0 reviewed"."""
    app = make_app()
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, "Er is te weinig opvang voor slachtoffers.", "one")
        page = c.get(f"/overview?doc={doc}").text
        assert "1 statements" not in page.replace('<span class="sr-only">', "").replace("</span>", "")
        assert '1 statement, 0 reviewed.' in page and page.count('<span class="sr-only"> statement</span>') == 2
