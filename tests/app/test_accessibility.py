"""Accessibility of the review screen (WCAG 2.1 AA, QA 47b) in a real browser: what a screen reader is told (names,
roles, languages, status lines), where focus stays, what a keyboard can close, and the contrast of the fixed
elements, computed from the page's own styles. Same server and page fixtures as test_browser.py (a server of its own).
"""
from __future__ import annotations

import json
import re
import time

import pytest
from test_browser import (KEY_LINES, MISSING, REPO, TOKEN, _decided, _paste_and_wait,  # noqa: F401
                          page, server)

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

# the contrast ratio of two computed colours, and the colour behind an element (the first opaque background up)
CONTRAST_JS = """
function rgb(c) { const m = c.match(/rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)/);
  return m ? {r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4]} : null; }
function lum(c) { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); }
function ratio(a, b) { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
function behind(el) { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
  if (c && c.a === 1) return c; } return {r: 255, g: 255, b: 255, a: 1}; }
"""


def ratio_of(page, selector: str, what: str, against: str = "behind") -> float:
    """what: 'color' or 'border' of the element; against: its own background ('self') or the one behind it."""
    return page.evaluate(f"""(sel) => {{ {CONTRAST_JS}
        const el = document.querySelector(sel);
        const fg = rgb(getComputedStyle(el)['{'color' if what == 'color' else 'borderTopColor'}']);
        const bg = '{against}' === 'self' ? behind(el) : behind(el.parentElement);
        return ratio(fg, '{what}' === 'color' ? behind(el) : bg); }}""", selector)


@pytest.fixture(scope="module")
def doc(page, server):
    return _paste_and_wait(page, server, "toegankelijk", ["Datum: 3 maart", "Aanwezig: Sanne, Pieter"] + KEY_LINES[:8])


def test_a_review_row_has_a_name_a_grid_role_and_its_keys(page, server, doc):
    """H1: the focused row was an unnamed row of a plain table: nothing said which statement, which suggestion, and
    screen readers kept their browse mode, eating the shortcut keys."""
    page.goto(server + f"review?doc={doc}")
    assert page.locator("#review").get_attribute("role") == "grid"
    row = page.locator('#review tr.st[data-read-kind="statement"]').first
    snap = row.aria_snapshot()
    head = snap.splitlines()[0]
    assert head.startswith("- row "), snap
    text = row.locator(".text").inner_text()
    section = row.get_attribute("data-suggested")
    assert text[:30] in head and f"suggested {section}" in head and "confidence" in head and "not reviewed" in head, head
    assert "Enter" in row.get_attribute("aria-keyshortcuts") and "s" in row.get_attribute("aria-keyshortcuts").split()
    assert "screen reader" in page.locator("#keys-help").inner_text()
    # the name follows the row: a decision is in it once made
    row.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#review tr.st[data-id="{row.get_attribute("data-id")}"].decided')
    assert "accepted by" in row.aria_snapshot().splitlines()[0] and "saved" in row.aria_snapshot().splitlines()[0]


def test_b_dutch_content_is_marked_dutch(page, server, doc):
    """M2: the statements, section titles, evidence and samples were read with English pronunciation."""
    page.goto(server + f"review?doc={doc}")
    assert page.evaluate("document.documentElement.lang") == "en"  # the interface is English
    assert page.locator("#review tr.st .text:not([lang=nl])").count() == 0
    assert page.locator("#review tr.st .text[lang=nl]").count() >= 10
    assert page.locator("select.pick optgroup:not([lang=nl])").count() == 0
    assert page.locator("select[name=section] optgroup[lang=nl]").count() == 4
    lang_of_title = page.evaluate("""() => { const b = document.querySelector('#review tr.st td[data-label=suggested] b');
        return b.nextElementSibling.closest('[lang]').lang; }""")
    assert lang_of_title == "nl"
    row = page.locator('#review tr.st[data-read-kind="statement"]').nth(2)
    row.locator(".evidence-toggle").click()
    assert row.locator("blockquote").count() and row.locator("blockquote:not([lang=nl])").count() == 0
    page.goto(server + "overview")
    assert page.locator("#chart .bar .lab [lang=nl]").count() == page.locator("#chart .bar").count()


def test_c_decisions_are_said_in_a_status_line(page, server, doc):
    """M1: no live region: a saved decision, an undo and "not saved yet" on the closed list were silent."""
    page.goto(server + f"review?doc={doc}")
    said = page.locator("#said")
    assert said.get_attribute("role") == "status"
    rows = page.locator('#review tr.st[data-read-kind="statement"]')
    first = rows.nth(1)
    first.focus()
    page.keyboard.press("1")  # alternative 1
    alt = first.get_attribute("data-alt1")
    page.wait_for_selector("#said:has-text('saved')")  # selectors: a polled script would break the CSP
    assert re.search(rf"^{re.escape(alt)} .+, corrected: saved, row \d+", said.inner_text()), said.inner_text()
    assert first.locator(".rowstate").inner_text() == "✓ saved"
    first.focus()
    page.keyboard.press("u")
    page.wait_for_selector("#said:has-text('undone')")
    assert "now not reviewed" in said.inner_text()
    sel = rows.nth(2).locator("select.pick")
    sel.focus()
    page.keyboard.press("ArrowDown")  # the closed list: only marks the row
    page.wait_for_selector("#said:has-text('not saved yet')")
    described = sel.get_attribute("aria-describedby")
    assert "not saved yet" in page.locator(f"#{described}").inner_text()
    page.keyboard.press("Escape")
    page.wait_for_selector("#said:has-text('cancelled')")
    assert page.locator(f"#{described}").inner_text() == ""


def test_d_a_failure_stays_marks_the_row_and_closes_by_keyboard(page, server, doc):
    """H3, M9: the sticky message closed only by mouse and covered the header and two filters; a failure's message
    vanished after 5 s and its row was not marked."""
    page.goto(server + f"review?doc={doc}")
    page.route("**/api/statements/*/decision*", lambda route: route.fulfill(
        status=409, content_type="application/json", body=json.dumps({"error": "test error"})))
    try:
        rows = page.locator('#review tr.st[data-read-kind="statement"]')
        rows.nth(3).focus()
        page.keyboard.press("Enter")
        box = page.locator("#messages .toast").last
        box.wait_for()
        assert box.get_attribute("role") == "alert"
        page.wait_for_timeout(5500)  # longer than a message used to last
        assert "not saved" in box.inner_text() and "test error" in box.inner_text()
        assert "not saved: test error" in rows.nth(3).locator(".rowstate").inner_text()
        assert "unsaved" in rows.nth(3).get_attribute("class")
        # it covers none of the header's controls nor the filters
        page.evaluate("window.scrollTo(0, 0)")
        b = box.bounding_box()
        for sel in ("#who", "#model-in-use", "header nav a >> nth=0", "#filters select[name=state]",
                    "#filters select[name=kind]", "#filters button[type=submit]"):
            c = page.locator(sel).bounding_box()
            overlap = not (b["x"] + b["width"] <= c["x"] or c["x"] + c["width"] <= b["x"] or
                           b["y"] + b["height"] <= c["y"] or c["y"] + c["height"] <= b["y"])
            assert not overlap, (sel, b, c)
        focused = page.evaluate("document.activeElement.dataset.id")
        page.keyboard.press("Escape")  # closed from the keyboard, and focus stays where it was
        assert page.locator("#messages .toast").count() == 0
        assert page.evaluate("document.activeElement.dataset.id") == focused
        # the server cannot be reached: the counting message has a Close button that Tab reaches
        page.unroute("**/api/statements/*/decision*")
        page.route("**/api/statements/*/decision*", lambda route: route.abort())
        rows.nth(4).focus()
        page.keyboard.press("Enter")
        page.locator("#unreachable").wait_for()
        close = page.locator("#unreachable button.close")
        assert close.evaluate("b => b.tabIndex") == 0 and close.inner_text() == "Close"
        close.focus()
        page.keyboard.press("Enter")
        assert page.locator("#unreachable").count() == 0
        assert page.evaluate("document.activeElement.tagName") != "BODY"
    finally:
        page.unroute("**/api/statements/*/decision*")


def _paste_long(page, server, name: str, line: str, n: int = 150) -> None:
    """Paste a note of ``n`` new lines (``line`` with ``{n}``) and stay on the documents page while it is labelled,
    with a mark that a reload would wipe (``window.notReloaded``)."""
    page.goto(server)
    page.fill("#paste-form input[name=name]", name)
    page.fill("#paste-form textarea", "\n\n".join(line.format(n=k) for k in range(n)))
    page.click("#paste-form button[type=submit]")
    page.wait_for_load_state("load")
    page.evaluate("window.notReloaded = true")


def test_e_text_typed_into_paste_survives_the_end_of_labelling(page, server):
    """H2: the documents page reloaded itself when labelling ended: the text typed was wiped, focus went to BODY."""
    _paste_long(page, server, "lang", "Er is te weinig zicht op arbeidsuitbuiting in sector {n}.")
    row = page.locator("#documents tbody tr", has_text="lang")
    meter = row.locator("[role=progressbar]")
    if row.get_attribute("data-status") in ("queued", "labelling"):
        assert meter.count() == 1 and meter.get_attribute("aria-valuetext").startswith("labelled")
    typed = "Een half getypte notitie over de aanpak van mensenhandel"
    page.locator("#paste-form textarea").click()
    page.keyboard.type(typed)
    page.wait_for_selector("#documents tbody tr[data-status=done] >> text=lang", timeout=120_000)
    page.wait_for_timeout(300)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#paste-form textarea").input_value() == typed
    assert page.evaluate("document.activeElement.name") == "text"
    assert "lang" in page.locator("#documents-said").inner_text() and "is labelled" in page.locator(
        "#documents-said").inner_text()
    new_row = page.locator("#documents tbody tr", has_text="lang")
    assert new_row.locator("a", has_text="review").count() == 1  # the row as the page draws a done document
    assert new_row.locator("form.remove button").count() == 1
    new_row.locator("form.remove button").click()  # its remove still asks first (the fixture dismisses)
    assert page.dialogs[-1].startswith("Remove “lang”")
    assert page.evaluate("window.notReloaded") is True


def test_f_the_overview_filter_waits_for_show_and_says_what_is_reviewed(page, server, doc):
    """M3, M8: the first arrow key on the document list loaded the page and dropped focus; the reviewed share of a
    section was only a shade of its bar (1.36:1)."""
    page.goto(server + "overview")
    page.evaluate("window.notReloaded = true")
    sel = page.locator(".show-doc select[name=doc]")
    sel.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(600)
    assert page.evaluate("window.notReloaded") is True and "doc=" not in page.url
    assert page.evaluate("document.activeElement.name") == "doc"
    page.locator(".show-doc button", has_text="Show").click()
    page.wait_for_url("**doc=**")
    page.goto(server + "overview")
    first = page.locator("#chart .bar:not(.chapter)").first
    assert re.fullmatch(r"\d+ statements \d+ reviewed", " ".join(first.locator(".n").inner_text().split()))
    assert re.search(r"\d+ reviewed", page.locator("#chart .bar.chapter .n").first.inner_text())
    worst = page.evaluate(f"""() => {{ {CONTRAST_JS}
        return Math.min(...[...document.querySelectorAll('#chart .fill.light')].map(f => {{
            const d = f.querySelector('.done');
            return ratio(rgb(getComputedStyle(d).backgroundColor), rgb(getComputedStyle(f).backgroundColor)); }})); }}""")
    assert worst >= 3, worst


def test_g_the_analyst_field_saves_without_reloading(page, server, doc):
    """M4: leaving the field submitted the form (reload, focus on the first row); its name was "your name" while
    the label says "analyst"; no autocomplete."""
    page.goto(server + f"review?doc={doc}")
    field = page.locator("form.who input[name=who]")
    assert page.get_by_role("textbox", name="analyst", exact=True).count() == 1
    assert field.get_attribute("autocomplete") == "name"
    before = field.input_value()
    page.evaluate("window.notReloaded = true")
    field.focus()
    field.fill("Joost")
    page.keyboard.press("Tab")  # on to the document filter, as the analyst meant
    page.wait_for_selector("#who-said:has-text('name saved')")
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.activeElement.name") == "doc"
    page.goto(server + f"review?doc={doc}")
    assert page.locator("form.who input[name=who]").input_value() == "Joost"  # saved
    page.locator("form.who input[name=who]").fill(before)
    page.press("form.who input[name=who]", "Enter")  # Enter still saves it, as before
    page.wait_for_load_state("load")
    assert page.locator("form.who input[name=who]").input_value() == before


def test_h_contrast_of_greyed_rows_and_control_borders(page, server, doc):
    """M6, M7: greyed rows' text 2.9-3.2:1; borders of fields and buttons 1.2-1.3:1 (the analyst field 2.1:1)."""
    page.goto(server + f"review?doc={doc}")
    meta = '#review tr.st[data-read-kind="meta"]'
    assert page.locator(meta).count() == 2
    page.locator(meta).first.focus()  # the focused row has the palest background of all
    for sel in (f"{meta} .text", f"{meta} td.kind", f"{meta} .label"):
        assert ratio_of(page, sel, "color") >= 4.5, sel
    page.locator('#review tr.st[data-read-kind="statement"]').first.focus()
    page.keyboard.press("n")  # a row marked not a statement, decided: its suggestion, confidence and label
    marked = "#review tr.st.not_statement"
    page.wait_for_selector(marked)
    page.locator("p.keys").click()
    for sel in (f"{marked} .text", f"{marked} td[data-label=suggested] b", f"{marked} .conf", f"{marked} .label"):
        assert ratio_of(page, sel, "color") >= 4.5, sel
    for sel in ("#filters select[name=doc]", "#filters input[name=threshold]", "#filters input[name=q]",
                "#filters button[type=submit]", "#review tr.st button.accept", "#review tr.st select.pick",
                "#review tr.st button.alt"):
        assert ratio_of(page, sel, "border") >= 3, sel
    assert ratio_of(page, "#who", "border") >= 3  # on the dark header
    page.goto(server)
    for sel in ("#paste-name", "#paste-text", "#file", "#upload-form select"):
        assert ratio_of(page, sel, "border") >= 3, sel


def test_i_training_keeps_focus_and_says_its_status(page, server):
    """M5: Enter on Train disabled the button (focus fell to BODY), the status line was not a live region, and the
    reload at the end left focus on BODY. (The training is played by routes: the real one is test_browser's.)"""
    page.goto(server + "models")
    status = page.locator("#train-status")
    assert status.get_attribute("role") == "status"
    state = {"running": True}

    def train(route):
        if route.request.method == "POST":
            return route.fulfill(status=202, content_type="application/json", body='{"state": "running"}')
        body = {"state": "running", "message": "training on the anthology", "elapsed": 1} if state["running"] else \
            {"state": "done", "message": "model v9 is ready", "offered": True}
        return route.fulfill(status=200, content_type="application/json", body=json.dumps(body))
    page.route("**/api/train", train)
    try:
        page.locator("#train").focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#train-status:has-text('training on the anthology')")
        assert page.evaluate("document.activeElement.id") == "train"
        assert page.locator("#train").get_attribute("aria-disabled") == "true"
        page.keyboard.press("Enter")  # a second press starts nothing
        with page.expect_event("load", timeout=20_000):  # the page is drawn again with the new version ...
            state["running"] = False
        page.wait_for_selector("#train-status:focus", state="attached")  # ... and focus is on what it says (empty here)
    finally:
        page.unroute("**/api/train")


def test_j_pages_name_themselves_and_their_parts(page, server, doc):
    """L3, L5, L6, L11: the current page in the nav and pager, an h1 on every page, error titles that say what went
    wrong, named header cells."""
    for path, h1 in (("", "Bring in notes"), ("review", "Review the suggested sections"),
                     ("overview", "Overview and export"), ("models", "Teach the model")):
        page.goto(server + path)
        assert page.locator("h1").count() == 1 and page.locator("h1").inner_text() == h1
        current = page.locator("header nav a[aria-current=page]")
        assert current.count() == 1 and current.get_attribute("class") == "on"
        assert page.locator("header nav").get_attribute("aria-label")
    page.goto(server)
    assert page.locator("#documents th").last.inner_text().strip() == "actions"
    page.goto(server + "models")
    assert page.locator("#models th").last.inner_text().strip() == "use"
    page.goto(server + "review?doc=99999")
    assert page.title().startswith("Not found — ") and page.locator("h1").count() == 1
    page.goto(server + "nope")  # a path that is nowhere: said once, not "Not found — Not Found" (QA 47c)
    assert page.title() == "Not found · mh-nlp review"
    page.goto(server + f"review?doc={doc}")
    assert page.title().startswith("Review: toegankelijk")


def test_k_a_document_removed_in_another_tab_leaves_the_table(page, server):
    """QA 47c N6: with the table updated in place instead of reloaded, a document removed in another tab stayed on
    the page, and its remove led to "Not found". While the page follows labelling, such a row leaves the table and
    the status line says so; nothing reloads."""
    gone = _paste_and_wait(page, server, "weg ermee", ["Er is te weinig opvang voor mannen."])
    _paste_long(page, server, "nog bezig", "Er is te weinig zicht op uitbuiting in de haven van stad {n}.")
    assert page.locator("#documents tbody tr", has_text="weg ermee").count() == 1
    assert page.request.delete(server + f"api/documents/{gone}").status == 200  # as another tab removes it
    page.wait_for_selector(f"#documents tbody tr[data-doc='{gone}']", state="detached", timeout=60_000)
    from playwright.sync_api import expect

    # said a moment later (the status line is emptied first, so that the same words are said again): waited for
    expect(page.locator("#documents-said")).to_contain_text("weg ermee (doc ")
    assert "was removed" in page.locator("#documents-said").inner_text()
    assert page.evaluate("window.notReloaded") is True
    page.wait_for_selector("#documents tbody tr[data-status=done] >> text=nog bezig", timeout=120_000)


DEBATE = ["De samenwerking met de NLA gaat goed in onze regio.",
          "Bij ons gaat de samenwerking met de NLA juist niet goed.",
          "De NLA reageert vaak pas na weken op een melding.",
          "De samenwerking met de NLA moet beter worden vastgelegd in afspraken.",
          "Morgen wordt het zonnig en 22 graden."]


def test_l_what_to_check_is_in_the_row_name_readable_and_leaves_the_keys_alone(page, server):
    """QA 48c (48b D1, D5, D9): a row whose chapter the note's context changed says *read on its own: …*, an off-topic
    one *off subject?* — seen, in the row's name for a screen reader, in readable colours — and the keys work as
    before on them; the *to check* filter lists them, and the evidence shows the section's own nearest quote."""
    page.goto(server)
    page.fill("#paste-form input[name=name]", "debat")
    page.fill("#paste-form textarea", "\n\n".join(DEBATE))
    page.check("#paste-form input[name=in_order]")
    page.click("#paste-form button[type=submit]")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        d = next((d for d in page.request.get(server + "api/documents").json()["documents"] if d["name"] == "debat"),
                 None)
        if d and d["status"] == "done":
            break
        time.sleep(0.3)
    doc = d["id"]
    page.goto(server)
    assert page.locator(f'#documents tr[data-doc="{doc}"] a.to-check').inner_text() == f"{d['to_check']} to check"
    page.goto(server + f"review?doc={doc}")
    rows = page.locator("#review tr.st")
    turned, off = rows.nth(1), rows.nth(4)
    head = turned.aria_snapshot().splitlines()[0]
    assert "read on its own: 2.23 Onvoldoende samenwerking" in head and "check it" in head, head
    assert "off subject?" not in head
    assert "off subject?" in off.aria_snapshot().splitlines()[0]
    assert turned.locator(".alone").is_visible() and off.locator(".offsubject").is_visible()
    turned.focus()  # the focused row has the palest background
    assert ratio_of(page, "#review tr.st:nth-child(2) .alone", "color") >= 4.5
    assert ratio_of(page, "#review tr.st:nth-child(5) .offsubject", "color") >= 4.5
    page.keyboard.press("e")  # the evidence: none of the nearest is of 3.9, its own nearest quote below them
    assert "None of these is of 3.9; its nearest quote:" in turned.locator(".evidence").inner_text()
    page.keyboard.press("Enter")  # accepted, focus on to the next row, as on any row
    page.wait_for_selector(f'#review tr.st[data-id="{turned.get_attribute("data-id")}"].decided')
    assert page.evaluate("document.activeElement.dataset.id") == rows.nth(2).get_attribute("data-id")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.id") == off.get_attribute("data-id")
    page.keyboard.press("n")  # off subject: not a statement, by key
    page.wait_for_selector(f'#review tr.st[data-id="{off.get_attribute("data-id")}"].not_statement')
    page.goto(server + f"review?doc={doc}")
    page.select_option("#f-check", "off_subject")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**check=off_subject**")
    assert page.locator("#review tr.st").count() == 1 and "off subject?" in page.locator("#review tr.st").inner_text()


def test_m_the_review_page_takes_no_focus_at_load_and_a_filter_focuses_its_count(page, server, doc):
    """QA 47b L9: every load of /review, also after Filter, put focus on the first row, past the heading, the filters
    and the result count, so a screen reader said an unnamed row instead of the page and how many rows the filter
    found. Now a load leaves focus at the page's start, Filter puts it on the count, and Tab goes on to the rows,
    whose keys work as before."""
    page.goto(server + f"review?doc={doc}")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # the page's script has run
    assert page.evaluate("document.activeElement.tagName") == "BODY"
    assert page.locator("#review tr.st:focus").count() == 0
    page.select_option("#f-state", "open")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**state=open**")
    page.wait_for_selector("#result-count:focus")
    count = page.locator("#result-count")
    assert count.get_attribute("tabindex") == "-1" and count.get_attribute("role") == "status"
    rows = page.locator("#review tr.st")
    n = rows.count()
    said = re.fullmatch(r"(\d+) statements?(?: and (\d+) other lines?)?\.", count.inner_text())
    assert n >= 3 and said and int(said.group(1)) + int(said.group(2) or 0) == n, count.inner_text()
    page.keyboard.press("Tab")  # the rows start from here
    ids = [rows.nth(i).get_attribute("data-id") for i in range(n)]
    assert page.evaluate("document.activeElement.dataset.id") == ids[0]
    kinds = [rows.nth(i).get_attribute("data-read-kind") for i in range(n)]
    k = kinds.index("statement")
    assert k + 1 < n
    for i in range(1, k + 1):  # ↓ down to the first statement (the meta lines come first)
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.dataset.id") == ids[i]
    page.keyboard.press("Enter")  # accepted, and focus on to the next row
    page.wait_for_selector(f'#review tr.st[data-id="{ids[k]}"].accept')
    assert page.evaluate("document.activeElement.dataset.id") == ids[k + 1]
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.dataset.id") == ids[k]


def _description(page, selector: str) -> str:
    """The accessible description Chromium computes for the element (what a screen reader says after its name)."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        [ax] = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"]
        return ax.get("description", {}).get("value", "")
    finally:
        cdp.detach()


def test_n_what_a_tooltip_said_is_shown_to_a_keyboard_and_said_to_a_screen_reader(page, server, doc):
    """QA 47b L2: the marks' explanations and the guidance of *one note, read in order* were tooltips of elements
    that take no focus. The review page's legend opens from the keyboard, between the filters and the rows; the
    tick box's guidance is shown under its form and is the tick box's description."""
    page.goto(server + f"review?doc={doc}")
    help_line = page.locator("#help-uncertain")
    assert not help_line.is_visible()
    page.locator("#filters a", has_text="clear").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "What the marks mean"
    page.keyboard.press("Enter")
    assert help_line.is_visible() and "below the threshold" in help_line.inner_text()
    assert page.locator("#help-entities").is_visible() and page.locator("#help-chconf").is_visible()
    page.keyboard.press("Tab")  # on to the rows
    assert page.evaluate("document.activeElement.dataset.id") == page.locator("#review tr.st").first.get_attribute(
        "data-id")
    page.goto(server)
    for form in ("upload-form", "paste-form"):
        hint = page.locator(f"#{form} + p.hint.in-order")
        assert hint.is_visible() and "neighbours count as evidence" in hint.inner_text()
        said = _description(page, f"#{form} input[name=in_order]")
        assert said == hint.inner_text(), said
