// mh-nlp review screen: a light touch of JavaScript over server-rendered pages (no libraries).
"use strict";

// Started with a token (mh-nlp serve), the screen's pages live under a private path, /s/<key>/ (QA 52b S1): the
// server writes its pages' links under it, and the addresses the script asks for ("/api/…") go there too.
const ROOT = (window.location.pathname.match(/^\/s\/[A-Za-z0-9_-]+(?=\/|$)/) || [""])[0];
if (ROOT) {
  const fetchHere = window.fetch.bind(window);
  window.fetch = (url, options) => fetchHere(
    typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? ROOT + url : url, options);
}

// ------------------------------------------------------------ messages
// QA 47b H3, M9: a message stays until it is closed — with its Close button, or Esc — in the page's flow above the
// content (#messages, sticky at the top when scrolled), so it covers no control of the header or the filters, and
// the page's scroll padding keeps the focused row below it. Its role=alert has it read out when it appears.
let lastFocus = null;  // where focus was before it went into a message: it goes back there when the message closes
document.addEventListener("focusin", (ev) => {
  if (!(ev.target.closest && ev.target.closest("#messages"))) lastFocus = ev.target;
});

function messageArea() {
  let area = document.getElementById("messages");
  if (!area) {
    area = document.createElement("div");
    area.id = "messages";
    area.className = "messages";
    (document.querySelector("main") || document.body).prepend(area);
  }
  return area;
}

function fitScrollPadding() {  // a row focused by keys or Tab scrolls into view below the messages, not under them
  const area = document.getElementById("messages");
  const h = area ? area.offsetHeight : 0;
  document.documentElement.style.scrollPaddingTop = h ? `${h + 8}px` : "";
}

function makeButton(className, text, title, onClick) {  // a button of the page's own, drawn by the script
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

function messageBox(kind) {
  const area = messageArea();
  const boxes = area.querySelectorAll(".toast:not(.unreachable)");
  if (boxes.length >= 4) closeMessage(boxes[0]);  // a long run of failures: the four newest are shown
  const t = document.createElement("div");
  t.className = `toast ${kind || ""}`.trim();
  t.setAttribute("role", "alert");
  const msg = document.createElement("span");
  msg.className = "msg";
  const close = makeButton("close", "Close", "close this message (Esc)", () => closeMessage(t));
  t.append(msg, close);
  area.append(t);
  fitScrollPadding();
  return t;
}

function closeMessage(t) {
  const hadFocus = t.contains(document.activeElement);
  t.remove();
  if (t.onclosed) t.onclosed();
  fitScrollPadding();
  if (hadFocus) {  // back where the analyst was, else the next message's Close button, else the page
    const next = document.querySelector("#messages .toast:last-child button.close");
    if (lastFocus && lastFocus.isConnected) lastFocus.focus();
    else if (next) next.focus();
  }
}

document.addEventListener("keydown", (ev) => {  // Esc closes the newest message (not while a field takes Esc itself)
  if (ev.key !== "Escape" || ev.defaultPrevented) return;
  const inMessage = ev.target.closest && ev.target.closest("#messages .toast");
  if (!inMessage && ["INPUT", "TEXTAREA", "SELECT"].includes(ev.target.tagName)) return;
  const t = inMessage || document.querySelector("#messages .toast:last-child");
  if (t) { closeMessage(t); ev.preventDefault(); }
});

function toast(message, kind) {  // stays until closed (QA 47b M9: it vanished after 5 s)
  const t = messageBox(kind);
  t.querySelector(".msg").textContent = message;
  return t;
}

// QA 46b D2: a save or undo that cannot reach the server at all (stopped, crashed, the laptop slept) is counted in one
// message that stays until it is closed; its rows stay marked "not saved".
const unreachable = {decision: 0, undo: 0};
function cannotReach(what) {
  unreachable[what] += 1;
  let box = document.getElementById("unreachable");
  if (!box) {
    box = messageBox("unreachable");
    box.id = "unreachable";
    box.onclosed = () => { unreachable.decision = unreachable.undo = 0; };
  }
  const n = unreachable.decision, u = unreachable.undo;
  const lost = [n && `${n} decision${n === 1 ? " was" : "s were"} not saved`,
                u && `${u} undo${u === 1 ? " was" : "s were"} not done`].filter(Boolean).join(" and ");
  box.querySelector(".msg").textContent = `The screen cannot reach mh-nlp serve — is it still running? ${lost} ` +
    "(their rows are marked “not saved”): start it again, or wait for the connection, then do them again.";
  fitScrollPadding();
}

async function api(method, url, body) {
  let res;
  try {
    res = await fetch(url, {
      method, headers: body ? {"Content-Type": "application/json"} : {},
      body: body ? JSON.stringify(body) : undefined, credentials: "same-origin",
    });
  } catch (e) {  // no answer at all: the network, not the server, refused it
    const err = new Error("the screen cannot reach mh-nlp serve (is it still running?)");
    err.unreachable = true;
    throw err;
  }
  let data = null;
  try { data = await res.json(); } catch (e) { /* empty */ }
  if (!res.ok) {
    const err = new Error(res.status === 403 && data && /token is required/.test(data.error || "")
      ? "the screen was started again and this page's pass is no longer valid: open the screen's " +
        "address again as it was given when it started (the person who runs mh-nlp serve has it) and do this " +
        "again; what was saved before is kept"
      : (data && data.error) || res.statusText);
    err.status = res.status;
    throw err;
  }
  return data;
}

// ------------------------------------------------------------ review: decisions, keyboard, evidence
function setupReview() {
  const table = document.getElementById("review");
  if (!table) return;
  const options = document.getElementById("section-options").innerHTML;
  const rows = Array.from(table.querySelectorAll("tr.st"));
  rows.forEach((tr) => {
    const sel = tr.querySelector("select.pick");
    sel.insertAdjacentHTML("beforeend", options);
    // A section picked with the mouse is saved (when the mouse moves, or after a second). Arrow keys and typing on the closed list change its value
    // too (and fire "change"): that only marks the row, Enter saves it, Esc or leaving the list (Tab) cancels it.
    // The list `s` or a click opened (sel.dataset.opened) takes the keys itself, and Chromium fires "change" for the option
    // it shows whether Enter, Tab or Esc closed it: that change only marks the row too. After Enter, Tab or a
    // mouse pick Chromium also "click"s the select; only the key's keyup (or its repeat), which reaches the page,
    // tells which: Enter saves, Tab cancels as it does on the closed list (QA 47b L8: there Tab saved, on the
    // closed list it cancelled), and Esc, without a click, cancels. A click that no key follows is the mouse's:
    // saved when the mouse moves or focus leaves the list, else after a second. A list the mouse opened waits so
    // from its "change" on, with or without that click (another browser may not send it).
    let browsing = false;
    let accepting = null;  // the timer of a click whose keyup is awaited
    const settle = (save) => {  // the pick Chromium's click accepted: saved (Enter, the mouse) or not (Tab)
      if (!accepting) return;
      clearTimeout(accepting);
      accepting = null;
      document.removeEventListener("pointermove", byMouse, true);
      if (!save) { delete sel.dataset.opened; cancelPick(tr); }
      else if (tr.classList.contains("pending") && sel.value) decide(tr, sel.value);
    };
    const byMouse = (ev) => { if (ev.movementX || ev.movementY) settle(true); };
    const awaitKey = () => {  // the pick just made is saved after a second or a mouse move, unless a key says not
      if (accepting) return;
      accepting = setTimeout(() => settle(true), 1000);
      document.addEventListener("pointermove", byMouse, true);
    };
    sel.addEventListener("focus", () => { browsing = false; });
    sel.addEventListener("mousedown", () => {  // a mouse pick saves, even after arrow keys, even the same section
      browsing = false;
      if (tr.classList.contains("pending")) { sel.value = ""; setState(tr, "", ""); }
      // the click opens the list: keys in it only mark the row, as after `s` (stop 54: ↓ ↓ Esc saved them)
      sel.dataset.opened = "mouse";
    });
    sel.addEventListener("change", () => {
      if (!sel.value) return;
      if (browsing || sel.dataset.opened) {  // said once, and tied to the list (aria-describedby): QA 47b M1
        const byClick = sel.dataset.opened === "mouse" && !browsing;
        if (!tr.classList.contains("pending") && !byClick) say("not saved yet: Enter saves, Esc or Tab cancels");
        setState(tr, "pending", "not saved yet: Enter saves, Esc or Tab cancels");
        if (byClick) awaitKey();  // a mouse pick (saved) unless Esc or Tab closed the list
        return;
      }
      decide(tr, sel.value);
    });
    sel.addEventListener("click", () => {
      if (sel.dataset.opened && tr.classList.contains("pending") && sel.value) awaitKey();
    });
    sel.addEventListener("keyup", (ev) => {
      if (ev.key === "Escape") { settle(false); cancelPick(tr); tr.focus(); }
      else if (ev.key === "Enter") settle(true);
      else if (ev.key === "Tab") settle(false);
    });
    sel.addEventListener("keydown", (ev) => {
      ev.stopPropagation();
      if (accepting && (ev.key === "Enter" || ev.key === "Tab")) { settle(ev.key === "Enter"); return; }  // held
      if (ev.key === "Escape") { cancelPick(tr); tr.focus(); }
      else if (ev.key === "Enter") { ev.preventDefault(); if (sel.value) decide(tr, sel.value); }
      else if (!["Tab", "Shift", "Control", "Alt", "Meta"].includes(ev.key)) browsing = true;
    });
    sel.addEventListener("blur", () => {  // a choice not saved is not kept (a mouse pick awaiting its keyup is saved)
      settle(true);
      delete sel.dataset.opened;
      cancelPick(tr);
    });
    const accept = tr.querySelector("button.accept");  // none on a meta or chatter line: it has no suggestion
    if (accept) accept.addEventListener("click", () => decide(tr, tr.dataset.suggested));
    const notst = tr.querySelector("button.notst");  // none on a meta or chatter line: it is no statement already
    if (notst) notst.addEventListener("click", () => notStatement(tr));
    tr.querySelectorAll("button.alt").forEach((b) => b.addEventListener("click", () => decide(tr, b.dataset.section)));
    const offer = tr.querySelector("button.earlier");  // the same text decided elsewhere (an undo asks the server again)
    if (offer) offer.addEventListener("click", () => decide(tr, offer.dataset.section));
    const toggle = tr.querySelector(".evidence-toggle");  // none on a line without a suggestion
    if (toggle) toggle.addEventListener("click", () => toggleEvidence(tr));
    const undo = tr.querySelector("button.undo");
    if (undo) undo.addEventListener("click", () => undecide(tr));
  });
  // the row that has focus, or a control in it, looks focused; none once focus has left the table (QA 47b L7)
  table.addEventListener("focusin", (ev) => {
    const tr = ev.target.closest && ev.target.closest("tr.st");
    rows.forEach((r) => r.classList.toggle("focus", r === tr));
  });
  table.addEventListener("focusout", (ev) => {
    if (!ev.relatedTarget || !table.contains(ev.relatedTarget)) rows.forEach((r) => r.classList.remove("focus"));
  });

  // QA 47b M1: what a decision did is said in one polite status line (#said), as focus has moved on to the next row;
  // the row's state is text in the row (.rowstate), which the row's name and its section list include.
  const said = document.getElementById("said");
  function say(text) {
    if (!said) return;
    said.textContent = "";
    setTimeout(() => { said.textContent = text; }, 60);  // emptied first: the same words twice are said twice
  }

  function setState(tr, state, text) {  // "saved", "pending", "unsaved" or "" (none)
    tr.classList.remove("saved", "pending", "unsaved");
    if (state) tr.classList.add(state);
    const box = tr.querySelector(".rowstate");
    if (box) box.textContent = text;
  }

  function rowWords(tr) {  // "row 4 (“Er is te weinig opvang …”)": which row, as focus may have moved on
    const text = tr.querySelector(".text");
    const words = text ? text.textContent.trim().split(/\s+/).slice(0, 6).join(" ") : "";
    return `row ${rows.indexOf(tr) + 1}${words ? ` (“${words}…”)` : ""}`;
  }

  function decisionWords(d) {
    if (d.action === "not_statement") return "not a statement";
    return `${d.section} ${d.section_title}, ${d.action === "accept" ? "accepted" : "corrected"}`;
  }

  function analyst() {  // the name the analyst field shows, saved or not yet (QA 46b D1: typed, then a click)
    const who = document.querySelector("form.who input[name=who]");
    return who && who.value.trim() ? {who: who.value} : {};
  }

  function decide(tr, section) {
    if (section) return send(tr, {section});
  }

  function cancelPick(tr) {
    if (!tr.classList.contains("pending")) return;
    setState(tr, "", "");
    tr.querySelector("select.pick").value = "";
    say("cancelled: nothing saved");
  }

  function notStatement(tr) {
    return send(tr, {action: "not_statement"});
  }

  async function send(tr, body) {
    if (tr.dataset.busy) return;  // a second press while the first is on its way: one decision, not two
    tr.dataset.busy = "1";
    if (tr.classList.contains("pending")) setState(tr, "", "");
    const next = rows[rows.indexOf(tr) + 1];
    if (next) focusRow(next);  // the next row at once, for a quick review
    try {
      const d = await api("POST", `/api/statements/${tr.dataset.id}/decision`,
                          {...body, seen: Number(tr.dataset.decision) || null, ...analyst()});
      showDecision(tr, d);
      if (d.replaced) {  // decided meanwhile in another tab or by another analyst: this one counts now
        const r = d.replaced;
        toast(`${r.who} had decided this row meanwhile (${r.section === null ? "not a statement" : r.section}); ` +
              "your decision replaces it (undo brings it back)");
      }
      void tr.offsetWidth;
      setState(tr, "saved", "✓ saved");
      say(`${decisionWords(d)}: saved, ${rowWords(tr)}`);
      tr.querySelector("select.pick").value = "";
      if (!next) tr.focus();
    } catch (e) {
      tr.querySelector("select.pick").value = "";
      if (e.unreachable) { setState(tr, "unsaved", "✗ not saved: the server could not be reached"); cannotReach("decision"); }
      else { setState(tr, "unsaved", `✗ not saved: ${e.message}`); failed("not saved", tr, e); }  // QA 47b M9
    } finally {
      delete tr.dataset.busy;
    }
  }

  function failed(what, tr, e) {  // the row named, as focus may have moved on; a restart needs the new address
    const text = tr.querySelector(".text");
    const where = text ? ` (“${text.textContent.trim().slice(0, 40)}…”)` : "";
    toast(`${what}${where}: ${e.message}`);
  }

  function showDecision(tr, d) {  // the row as the decision d leaves it (the answer of a decision, or of an undo)
    tr.dataset.decision = d.id;
    tr.dataset.who = d.who;
    tr.classList.remove("accept", "correct", "not_statement");
    tr.classList.add("decided", d.action);
    tr.classList.toggle("nonstatement", d.action === "not_statement");
    tr.dataset.kind = d.kind;
    const label = tr.querySelector(".label");
    label.textContent = "";
    const b = document.createElement("b");
    if (d.action === "not_statement") {
      b.textContent = "not a statement";
      label.append(b, ` · by ${d.who}`);
    } else {
      b.textContent = d.section;
      const title = document.createElement("span");
      title.lang = "nl";  // the section's Dutch title (QA 47b M2)
      title.textContent = d.section_title;
      label.append(b, " ", title, ` · ${d.action === "accept" ? "accepted" : "corrected"} by ${d.who}`);
    }
    label.append(" · ", undoButton(tr));
  }

  function undoButton(tr) {
    return makeButton("link undo", "undo", "undo this decision (the one before it counts again, else not reviewed)",
                      () => undecide(tr));
  }

  async function undecide(tr) {  // a decision made by mistake: the one before it counts again, else not reviewed
    const me = (analyst().who || "").trim().replace(/\s+/g, " ");
    if (tr.dataset.who && me && tr.dataset.who !== me) {  // QA 46b D14: a colleague's decision is gone without a trace
      const label = tr.querySelector(".label b");
      if (!window.confirm(`Undo ${tr.dataset.who}'s decision (${label ? label.textContent : "this row"})? ` +
                          "It no longer counts (the decision before it counts again, else the row is not " +
                          `reviewed); it is kept on record as undone by ${me}, with the time, and the export ` +
                          "lists it.")) return;
    }
    try {
      const d = await api("DELETE", `/api/statements/${tr.dataset.id}/decision?decision=${tr.dataset.decision}`,
                          analyst());  // who undoes it, as the field shows it (kept with the undone decision)
      setState(tr, "", "");
      if (d.decision) {
        showDecision(tr, d.decision);
      } else {
        tr.dataset.decision = "";
        tr.dataset.who = "";
        tr.classList.remove("decided", "accept", "correct", "not_statement");
        const kind = tr.dataset.readKind;
        tr.dataset.kind = kind;
        tr.classList.toggle("nonstatement", kind !== "statement");
        const label = tr.querySelector(".label");
        label.textContent = kind === "statement" ? "not reviewed" : `${kind}: no section`;
        if (d.earlier && kind === "statement") label.append(...offerParts(tr, d.earlier));  // as the page shows it (QA 44b, 44c)
      }
      say(`undone, ${rowWords(tr)}: now ${d.decision ? decisionWords(d.decision) : (tr.dataset.kind === "statement" ? "not reviewed" : `${tr.dataset.kind}, no section`)}`);
      tr.focus();
    } catch (e) {
      if (e.unreachable) { setState(tr, "unsaved", "✗ not saved: the server could not be reached"); cannotReach("undo"); }
      else { setState(tr, "unsaved", `✗ not undone: ${e.message}`); failed("not undone", tr, e); }
    }
  }

  function offerParts(tr, e) {  // "· the same text was given 4.7 in doc … · take 4.7", built as the page builds it
    const b = document.createElement("b");
    b.textContent = e.section;
    const take = makeButton("link earlier", `take ${e.section}`,
                            `key t: give this statement ${e.section} ${e.section_title} too`, () => decide(tr, e.section));
    take.dataset.section = e.section;
    return [" · the same text was given ", b, ` in ${e.document} · doc ${e.document_id} (by ${e.who}) · `, take];
  }

  function toggleEvidence(tr) {
    const box = tr.querySelector(".evidence");
    if (!box) return;
    box.hidden = !box.hidden;
    tr.querySelector(".evidence-toggle").setAttribute("aria-expanded", String(!box.hidden));
  }

  function focusRow(tr) {
    tr.focus();
    tr.scrollIntoView({block: "nearest"});
  }

  table.addEventListener("keydown", (ev) => {
    const tr = ev.target.closest && ev.target.closest("tr.st");
    if (!tr || ev.target.tagName === "SELECT" || ev.target.tagName === "INPUT") return;
    const i = rows.indexOf(tr);
    if (ev.key === "ArrowDown" || ev.key === "j") {  // past the last row: the next page, if there is one
      if (rows[i + 1]) focusRow(rows[i + 1]);
      else {  // the next page, at its first row (#first: the page puts focus there, as it does not on any load)
        const next = document.querySelector(".pager a[rel=next]");
        if (next) window.location = next.href.split("#")[0] + "#first";
      }
      ev.preventDefault();
    }
    else if (ev.key === "ArrowUp" || ev.key === "k") {
      if (rows[i - 1]) focusRow(rows[i - 1]);
      else {  // before the first row: the previous page, at its last row (QA 43a: it opened at the first)
        const prev = document.querySelector(".pager a[rel=prev]");
        if (prev) window.location = prev.href.split("#")[0] + "#last";
      }
      ev.preventDefault();
    }
    else if (ev.key === "u") { if (tr.querySelector("button.undo")) undecide(tr); ev.preventDefault(); }
    else if (ev.key === "Enter" && ev.target === tr) { decide(tr, tr.dataset.suggested); ev.preventDefault(); }
    else if (ev.key === "1" && tr.dataset.alt1) { decide(tr, tr.dataset.alt1); ev.preventDefault(); }
    else if (ev.key === "2" && tr.dataset.alt2) { decide(tr, tr.dataset.alt2); ev.preventDefault(); }
    else if (ev.key === "e") { toggleEvidence(tr); ev.preventDefault(); }
    else if (ev.key === "t") {  // the section the same text was given in another row (shown beside "not reviewed")
      const b = tr.querySelector("button.earlier");
      if (b) decide(tr, b.dataset.section);
      ev.preventDefault();
    }
    else if (ev.key === "n") { if (tr.querySelector("button.notst")) notStatement(tr); ev.preventDefault(); }
    else if (ev.key === "s") {  // open the list where the browser can (Chromium, Firefox); else focus it
      const sel = tr.querySelector("select.pick");
      sel.focus();
      try { sel.showPicker(); sel.dataset.opened = "1"; } catch (e) { /* not supported: arrows then mark the row and Enter saves */ }
      ev.preventDefault();
    }
  });
  // QA 47b L9: a load leaves focus where the browser puts it (the page's start), so that a screen reader hears the
  // page, its filters and how many rows they found before any row; the analyst starts the rows with Tab or a click.
  // Only ↓ past the last row and ↑ before the first, which open the next or previous page from a row, go on at its
  // first or last row (#first, #last). After Filter, focus is on the result count (set when the form is sent).
  const hash = window.location.hash;
  if (rows.length && (hash === "#first" || hash === "#last")) {
    const last = hash === "#last";
    if (last) rows[rows.length - 1].scrollIntoView({block: "center"});
    rows[last ? rows.length - 1 : 0].focus({preventScroll: true});
  }
  const filters = document.getElementById("filters");
  if (filters) filters.addEventListener("submit", () => afterReload("#result-count"));
}

// ------------------------------------------------------------ documents: live progress
// QA 47b H2, M5: the table is updated in place, never reloaded — a reload wiped text typed into the paste form and
// threw focus to the top. A document that is done (or failed, or needs its column) gets its row as the page draws
// it, fetched and put in place of the old one; the end is said in a status line, the progress bars are progressbars.
function setupDocuments() {
  const docs = document.getElementById("documents");
  if (!docs || !docs.dataset.busy) return;
  const said = document.getElementById("documents-said");
  const tell = (text) => { if (said) { said.textContent = ""; setTimeout(() => { said.textContent = text; }, 60); } };
  async function redraw(changed) {  // the rows of `changed` as the page draws them now, in place
    const res = await fetch("/", {credentials: "same-origin"});
    if (!res.ok) throw new Error(res.statusText);
    const fresh = new DOMParser().parseFromString(await res.text(), "text/html");
    const words = [];
    for (const d of changed) {
      const row = fresh.querySelector(`#documents tr[data-doc="${d.id}"]`);
      if (!row) continue;
      const mine = document.adoptNode(row);
      const old = docs.querySelector(`tr[data-doc="${d.id}"]`);
      const hadFocus = old && old.contains(document.activeElement);
      if (old) old.replaceWith(mine); else docs.tBodies[0].append(mine);  // brought in from another tab
      bindConfirms(mine);
      if (hadFocus) { const first = mine.querySelector("a, button, summary"); if (first) first.focus(); }
      const name = `${d.name} (doc ${d.id})`;
      const state = d.status === "done" ? `is labelled: ${d.statements - (d.other_lines || 0)} statements`
        : d.status === "failed" ? `failed: ${d.error || ""}`
        : d.status === "column" ? "needs its text column chosen" : "";
      // a row new to this page is said in its state too (QA 47c N2: one that had failed was only "brought in")
      if (!old) words.push(`${name} was brought in` + (state ? ` and ${state}` : ""));
      else if (state) words.push(`${name} ${state}`);
    }
    if (words.length) tell(words.join(". "));
  }
  async function poll() {
    let data;
    try { data = await api("GET", "/api/documents"); } catch (e) { setTimeout(poll, 2000); return; }
    let busy = false;
    const changed = [];
    for (const d of data.documents) {
      const tr = docs.querySelector(`tr[data-doc="${d.id}"]`);
      if (d.status === "labelling" || d.status === "queued") busy = true;
      if (!tr || tr.dataset.status !== d.status && !(tr.dataset.status === "queued" && d.status === "labelling")) {
        changed.push(d);
        continue;
      }
      if (d.status === "labelling" || d.status === "queued") {
        const bar = tr.querySelector(".progress div");
        const meter = tr.querySelector(".progress");
        const txt = tr.querySelector(".progress + .small");
        if (bar && d.total) bar.style.width = `${Math.round(100 * d.done / d.total)}%`;
        if (meter && d.total) {
          meter.setAttribute("aria-valuemax", d.total);
          meter.setAttribute("aria-valuenow", d.done);
        }
        if (meter) meter.setAttribute("aria-valuetext", `labelled ${d.done} of ${d.total || "?"}`);
        if (txt) txt.textContent = d.status === "queued" ? "waiting to be labelled" : `labelling ${d.done} / ${d.total || "…"}`;
        const count = tr.querySelector(".so-far");  // QA 46b D9: the statements labelled so far, not 0
        if (count) count.textContent = `${d.statements - (d.other_lines || 0)} so far`;
      }
    }
    // a document removed meanwhile (in another tab) leaves the table too, as a reload did (QA 47c N6); the API's
    // corrections are no document of /api/documents and stay
    const listed = new Set(data.documents.map((d) => String(d.id)));
    const gone = [...docs.querySelectorAll("tbody tr[data-doc]")].filter((tr) => !tr.dataset.api && !listed.has(tr.dataset.doc));
    for (const tr of gone) {
      const name = tr.querySelector(".doc-name span");
      tell(`${name ? name.textContent : "a document"} (doc ${tr.dataset.doc}) was removed`);
      tr.remove();
    }
    if (changed.length) {
      try { await redraw(changed); } catch (e) { setTimeout(poll, 2000); return; }  // tried again at the next poll
    }
    if (busy) setTimeout(poll, 700);
  }
  setTimeout(poll, 500);
}

// ------------------------------------------------------------ models: train, status, switch
// QA 47b M5: the status line is a role=status; the button stays focusable while training (aria-disabled, not
// disabled, which dropped focus to the page), and after the reload that shows the new version focus goes to what
// changed: the status line after a training, the versions' heading after a switch (said in #models-said).
function afterReload(selector, words) {
  try { sessionStorage.setItem("mh-after-reload", JSON.stringify({selector, words})); } catch (e) { /* private mode */ }
}

function setupModels() {
  const train = document.getElementById("train");
  if (!train) return;
  const status = document.getElementById("train-status");
  const busy = () => train.getAttribute("aria-disabled") === "true";
  async function poll() {
    const s = await api("GET", "/api/train");
    status.dataset.state = s.state === "done" && s.offered === false ? "notoffered" : s.state;
    status.textContent = s.state === "running" ? `${s.message} … ${s.elapsed || 0} s` : s.message;
    if (s.state === "running") setTimeout(poll, 700);
    else if (busy()) { afterReload("#train-status"); location.reload(); }
  }
  train.addEventListener("click", async () => {
    if (busy()) return;  // training already
    train.setAttribute("aria-disabled", "true");
    status.textContent = "starting the training…";
    try { await api("POST", "/api/train"); poll(); }
    catch (e) { train.removeAttribute("aria-disabled"); status.dataset.state = "failed"; status.textContent = e.message; }
  });
  if (status.dataset.state === "running") poll();
  const said = document.getElementById("models-said");
  document.querySelectorAll("button.use").forEach((b) => b.addEventListener("click", async () => {
    if (b.getAttribute("aria-disabled") === "true") return;
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;  // going back to a model not offered
    const label = b.textContent;
    b.setAttribute("aria-disabled", "true");
    b.textContent = "loading…";
    if (said) said.textContent = `loading v${b.dataset.version}…`;
    try {
      await api("POST", `/api/models/${b.dataset.version}/use`, b.dataset.back ? {back: true} : undefined);
      afterReload("#model-versions", `v${b.dataset.version} is in use now: new documents are labelled by it`);
      location.reload();
    }
    catch (e) { b.removeAttribute("aria-disabled"); b.textContent = label; if (said) said.textContent = ""; toast(e.message); }
  }));
}

function restoreAfterReload() {
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem("mh-after-reload") || "null"); sessionStorage.removeItem("mh-after-reload"); }
  catch (e) { return; }
  if (!saved) return;
  const el = document.querySelector(saved.selector);
  if (el) el.focus();
  const said = document.getElementById("models-said");
  if (said && saved.words) setTimeout(() => { said.textContent = saved.words; }, 300);
}

// ------------------------------------------------------------ the analyst's name
// QA 47b M4: leaving the field saved it by submitting the form, which reloaded the page and moved focus; now it is
// saved in the background (the form's own POST /who, with its CSRF token) and focus goes on where the analyst went.
// Enter still submits the form as before.
function setupWho() {
  const who = document.querySelector("form.who input[name=who]");
  if (!who) return;
  const said = document.getElementById("who-said");
  let timer = null;
  const tell = (text) => {
    if (!said) return;
    said.textContent = text;
    clearTimeout(timer);
    timer = setTimeout(() => { said.textContent = ""; }, 4000);
  };
  who.addEventListener("change", async () => {
    try {
      const res = await fetch(who.form.action, {method: "POST", body: new URLSearchParams(new FormData(who.form)),
                                                credentials: "same-origin", redirect: "manual"});
      tell(res.type === "opaqueredirect" || res.ok ? "name saved" : "name not saved");
    } catch (e) { tell("name not saved: the screen cannot reach mh-nlp serve"); }
  });
}

function bindConfirms(root) {  // a form that removes something asks first
  root.querySelectorAll("form[data-confirm]").forEach((f) => f.addEventListener("submit", (ev) => {
    if (!window.confirm(f.dataset.confirm)) ev.preventDefault();
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  setupReview();
  setupDocuments();
  setupModels();
  setupWho();
  bindConfirms(document);
  restoreAfterReload();
});
