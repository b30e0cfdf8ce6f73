"""QA 49a on the review screen (WCAG 2.1 AA): what the page says in colour alone (L1) or in tooltips alone (L2),
read from the pages as the server draws them. The keyboard's defects (L8, L9) are tested in a browser:
test_browser.py and test_accessibility.py."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

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
        m = re.search(rf'<span class="([^"]*)" id="u{st["id"]}"[^>]*>uncertain</span>', row)
        assert m and "sr-only" not in m.group(1)
        assert f' u{st["id"]} ' in re.search(r'aria-labelledby="([^"]*)"', row).group(1)
        assert "uncertain" not in _text(c.get(f"/review?doc={doc}&threshold=0").text.split("<tbody>")[1])


FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}


class _Page(HTMLParser):
    """The elements of a page that say something in a tooltip (``title``) while they take no focus, so that only a
    mouse ever shows it; every id; every aria-describedby; and the ids inside each <details>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.hover_only, self.ids, self.described, self.in_details = [], set(), [], {}
        self._details: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "title" in a and tag not in FOCUSABLE and "tabindex" not in a:
            self.hover_only.append((tag, a.get("class"), a["title"]))
        if a.get("id"):
            self.ids.add(a["id"])
            for d in self._details:
                self.in_details.setdefault(d, set()).add(a["id"])
        if a.get("aria-describedby"):
            self.described.append((tag, a.get("class"), a["aria-describedby"].split()))
        if tag == "details":
            self._details.append(a.get("id") or "")

    def handle_endtag(self, tag):
        if tag == "details" and self._details:
            self._details.pop()


def _statement(position: int, text: str, **kw) -> dict:
    row = {"position": position, "text": text, "section": "2.6", "chapter": 2, "confidence": 0.31,
           "chapter_confidence": 0.62, "model_version": 1, "kind": "statement"}
    row.update(kw)
    return row


@needs_model
def test_l2_what_a_mark_means_is_in_the_page_not_in_a_tooltip(make_app, csrf):
    """L2: the explanations of the review page's marks (under “Problemen”, the chapter's probability, higher alone,
    not Dutch?, off subject?, the entity types, decisions undone), of the documents page's columns and counts, and
    the guidance of *one note, read in order* were tooltips of elements that take no focus: a keyboard or a touch
    screen never showed them. Now each is visible text or in a legend (a <details>) that each mark points to."""
    app = make_app()
    store = app.state.store
    doc = store.add_document("rondetafel.txt", "txt", None, status="done")
    top = [{"section": "2.6", "title": "Slachtofferschap", "score": 0.31},
           {"section": "4.7", "title": "Meer opvang", "score": 0.45},  # higher alone, of a less probable chapter
           {"section": "2.8", "title": "Onvoldoende prioriteit", "score": 0.1}]
    ents = [{"text": "NLA", "label": "ORG", "id": "nla", "start": 4, "end": 7},
            {"text": "arbeidsuitbuiting", "label": "UITBUITING", "id": "arbeidsuitbuiting", "start": 17, "end": 34},
            {"text": "artikel 273f Sr.", "label": "WET", "id": "art-273f-sr", "start": 43, "end": 59}]
    english = "The NLA sees more arbeidsuitbuiting under artikel 273f Sr. in the harbour of the city."
    store.add_statements(doc, [
        _statement(1, english, extra={"heading": "Problemen"}, top=top, entities=ents, off_subject=True,
                   subject_similarity=0.42, read_alone={"section": "3.9", "confidence": 0.61}),
        _statement(2, "Knelpunt: er is te weinig opvang voor mannen.", top=top),
    ], 2)
    with TestClient(app) as c:
        first = c.get(f"/api/statements?document={doc}").json()["statements"][0]["id"]
        assert c.post(f"/api/statements/{first}/decision", json={"section": "2.6", "who": "Jan"}).status_code == 201
        assert c.delete(f"/api/statements/{first}/decision", params={"who": "Piet"}).status_code == 200
        assert c.post("/api/corrections", json={"text": "Meer controles in de haven.", "section": "2.6",
                                                "who": "script"}).status_code == 201
        page = c.get("/review?threshold=0.5").text
        p = _Page(page)
        assert p.hover_only == [], p.hover_only
        shown = _text(page.split('<tbody>')[1])
        for words in ("under “Problemen” (evidence for ch. 2)", "label: chapter 2", "not Dutch?",
                      "off subject? (similarity 0.42)", "higher alone, less probable chapter", "uncertain",
                      "organisations: NLA", "exploitation: arbeidsuitbuiting", "laws: artikel 273f Sr.",
                      "1 decision undone (last by", "added through the API", "read on its own: 3.9"):
            assert words in shown, words
        # the decision undone opens to say what it was, in the page, not in a tooltip
        undone = re.search(r'<details class="why undone">(.*?)</details>', page, flags=re.S).group(1)
        assert "2.6 (accepted by Jan" in _text(undone) and "counted nowhere" in _text(undone)
        # one legend explains each mark, and every mark points to its line in it
        legend = re.search(r'<details class="why small legend" id="marks-help"><summary>What the marks mean</summary>'
                           r'(.*?)</details>', page, flags=re.S)
        assert legend
        described = {ref for _, _, refs in p.described for ref in refs if ref.startswith("help-")}
        assert len(described) >= 9
        for mark, ref in (("heading", "help-heading"), ("chconf", "help-chconf"), ("chfirst", "help-chconf"),
                          ("alt", "help-higher"), ("foreign", "help-foreign"), ("offsubject", "help-offsubject"),
                          ("alone small", "help-alone"), ("uncertain small", "help-uncertain"),
                          ("ent-type org", "help-entities"), ("ent-type wet", "help-entities"),
                          ("via-api", "help-api")):
            assert any(cls == mark and ref in refs for _, cls, refs in p.described), (mark, ref)
        assert described <= p.in_details["marks-help"], described
        assert all(ref in p.ids for _, _, refs in p.described for ref in refs)
        for line in ("the chapter of the suggestion and its probability", "scores higher on its own", "does not read as Dutch",
                     "near no section's title", "the heading the statement stands under", "terms of exploitation"):
            assert line in _text(legend.group(1)), line

        # the documents page: its columns and counts explained in a legend, the tick box's guidance under the form
        home = c.get("/").text
        p = _Page(home)
        assert p.hover_only == [], p.hover_only
        for form in ("upload", "paste"):
            box = re.search(rf'<input type="checkbox" name="in_order" value="1" aria-describedby="([^"]+)"[^>]*>'
                            rf'[^<]*</label>(?:(?!</form>).)*</form>\s*<p class="hint small in-order" id="in-order-'
                            rf'{form}">(.*?)</p>', home, flags=re.S)
            assert box and box.group(1) == f"in-order-{form}", form
            assert "neighbours count as evidence" in _text(box.group(2)) and "Not for lists" in _text(box.group(2))
        assert "when to tick" not in home  # no longer folded away
        columns = re.search(r'<details class="why small legend" id="columns-help">(.*?)</details>', home, flags=re.S)
        assert columns and all(w in _text(columns.group(1)) for w in (
            "other lines", "so far", "statements with a decision", "to check", "read in order"))
        assert {ref for _, _, refs in p.described} <= p.ids

        # the column page of a table read in order: what "one note per value of" means, shown
        r = c.post("/upload", files={"file": ("t.csv", "datum;tekst\n1 mei;Meer opvang.\n".encode())},
                   data={"csrf": csrf(c), "in_order": "1"}, follow_redirects=False)
        column = c.get(r.headers["location"]).text
        p = _Page(column)
        assert p.hover_only == [], p.hover_only
        assert 'aria-describedby="note-column-hint"' in column and "note-column-hint" in p.ids
        assert "A table of several sessions" in _text(column.split('id="note-column-hint"')[1])
        assert _Page(c.get("/overview").text).hover_only == []
