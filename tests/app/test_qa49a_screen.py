"""QA 49a on the review screen (WCAG 2.1 AA): what the page says in colour alone (L1) or in tooltips alone (L2),
read from the pages as the server draws them. The keyboard's defects (L8, L9) are tested in a browser:
test_browser.py and test_accessibility.py."""
from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from mh_nlp.themes.store import default_model_path

needs_model = pytest.mark.skipif(not default_model_path().exists(),
                                 reason="no trained model (run `make setup` or `mh-nlp train`)")

ENTITIES = "De NLA en de politie zien steeds meer arbeidsuitbuiting; die wordt vervolgd op grond van artikel 273f Sr."


def _paste(app, c, csrf, text: str, name: str, **extra) -> int:
    r = c.post("/paste", data={"csrf": csrf(c), "text": text, "name": name, **extra}, follow_redirects=False)
    assert r.status_code == 303, r.text
    app.state.labeller.wait(120)
    return next(d["id"] for d in c.get("/api/documents").json()["documents"] if d["name"] == name)


def _rows(page: str) -> list[str]:
    """The review table's rows, each as its HTML."""
    return re.findall(r'<tr class="st .*?</tr>', page, flags=re.S)


def _text(fragment: str) -> str:
    """What a fragment of the page shows: its text without tags, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()).replace(" :", ":").replace(" ,", ",")


@needs_model
def test_l1_entity_types_and_uncertain_are_said_in_words(make_app, csrf):
    """L1: the highlighted words were told apart by colour only (yellow, pink, blue), the type in a tooltip; only the
    organisations were named under the text. Each type is named now, and a row below the threshold says uncertain."""
    app = make_app()
    with TestClient(app) as c:
        doc = _paste(app, c, csrf, ENTITIES, "entiteiten")
        [st] = c.get(f"/api/statements?document={doc}").json()["statements"]
        assert {e["label"] for e in st["entities"]} == {"ORG", "UITBUITING", "WET"}  # the test's own premise
        page = c.get(f"/review?doc={doc}&threshold=1").text  # every row below the threshold
        [row] = _rows(page)
        meta = _text(re.search(r'<div class="meta small">(.*?)</div>', row, flags=re.S).group(1))
        assert "organisations: NLA, politie" in meta, meta
        assert "exploitation: arbeidsuitbuiting" in meta, meta
        assert "laws: artikel 273f Sr." in meta, meta
        assert not re.search(r"<mark[^>]*title=", row)  # nothing is said in a tooltip alone
        # uncertain: a word beside the red confidence, not hidden, and in the row's name
        m = re.search(rf'<span class="([^"]*)" id="u{st["id"]}">uncertain</span>', row)
        assert m and "sr-only" not in m.group(1)
        assert f' u{st["id"]} ' in re.search(r'aria-labelledby="([^"]*)"', row).group(1)
        assert "uncertain" not in _text(c.get(f"/review?doc={doc}&threshold=0").text.split("<tbody>")[1])
