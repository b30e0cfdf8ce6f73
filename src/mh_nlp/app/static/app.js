// mh-nlp review screen: a light touch of JavaScript over server-rendered pages (no libraries).
"use strict";

function toast(message, ms = 5000) {  // ms 0: stays until clicked (a message that needs the analyst to act)
  const t = document.createElement("div");
  t.className = "toast";
  t.setAttribute("role", "alert");
  t.textContent = message;
  document.body.appendChild(t);
  if (ms) setTimeout(() => t.remove(), ms);
  else { t.classList.add("sticky"); t.title = "click to close"; t.addEventListener("click", () => t.remove()); }
}

// QA 46b D2: a save or undo that cannot reach the server at all (stopped, crashed, the laptop slept) is counted in one
// message that stays until it is closed; its rows stay marked "not saved".
const unreachable = {decision: 0, undo: 0};
function cannotReach(what) {
  unreachable[what] += 1;
  let box = document.getElementById("unreachable");
  if (!box) {
    box = document.createElement("div");
    box.id = "unreachable";
    box.className = "toast sticky unreachable";
    box.setAttribute("role", "alert");
    box.title = "click to close";
    box.addEventListener("click", () => { box.remove(); unreachable.decision = unreachable.undo = 0; });
    document.body.appendChild(box);
  }
  const n = unreachable.decision, u = unreachable.undo;
  const lost = [n && `${n} decision${n === 1 ? " was" : "s were"} not saved`,
                u && `${u} undo${u === 1 ? " was" : "s were"} not done`].filter(Boolean).join(" and ");
  box.textContent = `The screen cannot reach mh-nlp serve — is it still running? ${lost} ` +
    "(their rows are marked “not saved”): start it again, or wait for the connection, then do them again. " +
    "Click to close.";
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
    // A section picked with the mouse (or in the opened list) is saved at once. Arrow keys and typing on the
    // closed list change its value too (and fire "change"): that only marks the row, and Enter saves it.
    // The list `s` opened (sel.dataset.opened) takes the keys itself, and Chromium fires "change" for the option
    // it shows whether Enter or Esc closed it: that change only marks the row too; Chromium's "click" on the
    // select after an accepted pick (Enter or the mouse) saves it, Esc (its keyup reaches the page) cancels it.
    let browsing = false;
    sel.addEventListener("focus", () => { browsing = false; });
    sel.addEventListener("mousedown", () => {  // a mouse pick saves, even after arrow keys, even the same section
      browsing = false;
      delete sel.dataset.opened;
      if (tr.classList.contains("pending")) { sel.value = ""; tr.classList.remove("pending"); }
    });
    sel.addEventListener("change", () => {
      if (!sel.value) return;
      if (browsing || sel.dataset.opened) { tr.classList.remove("saved"); tr.classList.add("pending"); return; }
      decide(tr, sel.value);
    });
    sel.addEventListener("click", () => {
      if (sel.dataset.opened && tr.classList.contains("pending") && sel.value) decide(tr, sel.value);
    });
    sel.addEventListener("keyup", (ev) => { if (ev.key === "Escape") { cancelPick(tr); tr.focus(); } });
    sel.addEventListener("keydown", (ev) => {
      ev.stopPropagation();
      if (ev.key === "Escape") { cancelPick(tr); tr.focus(); }
      else if (ev.key === "Enter") { ev.preventDefault(); if (sel.value) decide(tr, sel.value); }
      else if (!["Tab", "Shift", "Control", "Alt", "Meta"].includes(ev.key)) browsing = true;
    });
    sel.addEventListener("blur", () => { delete sel.dataset.opened; cancelPick(tr); });  // a choice not saved is not kept
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
    tr.addEventListener("focus", () => rows.forEach((r) => r.classList.toggle("focus", r === tr)));
  });

  function analyst() {  // the name the analyst field shows, saved or not yet (QA 46b D1: typed, then a click)
    const who = document.querySelector("form.who input[name=who]");
    return who && who.value.trim() ? {who: who.value} : {};
  }

  function decide(tr, section) {
    if (section) return send(tr, {section});
  }

  function cancelPick(tr) {
    if (!tr.classList.contains("pending")) return;
    tr.classList.remove("pending");
    tr.querySelector("select.pick").value = "";
  }

  function notStatement(tr) {
    return send(tr, {action: "not_statement"});
  }

  async function send(tr, body) {
    if (tr.dataset.busy) return;  // a second press while the first is on its way: one decision, not two
    tr.dataset.busy = "1";
    tr.classList.remove("pending");
    const next = rows[rows.indexOf(tr) + 1];
    if (next) focusRow(next);  // the next row at once, for a quick review
    try {
      const d = await api("POST", `/api/statements/${tr.dataset.id}/decision`,
                          {...body, seen: Number(tr.dataset.decision) || null, ...analyst()});
      tr.classList.remove("unsaved");
      showDecision(tr, d);
      if (d.replaced) {  // decided meanwhile in another tab or by another analyst: this one counts now
        const r = d.replaced;
        toast(`${r.who} had decided this row meanwhile (${r.section === null ? "not a statement" : r.section}); ` +
              "your decision replaces it (undo brings it back)");
      }
      void tr.offsetWidth;
      tr.classList.add("saved");
      tr.querySelector("select.pick").value = "";
      if (!next) tr.focus();
    } catch (e) {
      tr.querySelector("select.pick").value = "";
      if (e.unreachable) { tr.classList.add("unsaved"); cannotReach("decision"); }
      else failed("not saved", tr, e);
    } finally {
      delete tr.dataset.busy;
    }
  }

  function failed(what, tr, e) {  // the row named, as focus may have moved on; a restart needs the new address
    const text = tr.querySelector(".text");
    const where = text ? ` (“${text.textContent.trim().slice(0, 40)}…”)` : "";
    toast(`${what}${where}: ${e.message}`, e.status === 403 ? 0 : 5000);
  }

  function showDecision(tr, d) {  // the row as the decision d leaves it (the answer of a decision, or of an undo)
    tr.dataset.decision = d.id;
    tr.dataset.who = d.who;
    tr.classList.remove("accept", "correct", "not_statement", "saved");
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
      label.append(b, ` ${d.section_title} · ${d.action === "accept" ? "accepted" : "corrected"} by ${d.who}`);
    }
    label.append(" · ", undoButton(tr));
  }

  function undoButton(tr) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link undo";
    b.title = "undo this decision (the one before it counts again, else not reviewed)";
    b.textContent = "undo";
    b.addEventListener("click", () => undecide(tr));
    return b;
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
      tr.classList.remove("unsaved");
      if (d.decision) {
        showDecision(tr, d.decision);
      } else {
        tr.dataset.decision = "";
        tr.dataset.who = "";
        tr.classList.remove("decided", "accept", "correct", "not_statement", "saved");
        const kind = tr.dataset.readKind;
        tr.dataset.kind = kind;
        tr.classList.toggle("nonstatement", kind !== "statement");
        const label = tr.querySelector(".label");
        label.textContent = kind === "statement" ? "not reviewed" : `${kind}: no section`;
        if (d.earlier && kind === "statement") label.append(...offerParts(tr, d.earlier));  // as the page shows it (QA 44b, 44c)
      }
      tr.focus();
    } catch (e) {
      if (e.unreachable) { tr.classList.add("unsaved"); cannotReach("undo"); }
      else failed("not undone", tr, e);
    }
  }

  function offerParts(tr, e) {  // "· the same text was given 4.7 in doc … · take 4.7", built as the page builds it
    const b = document.createElement("b");
    b.textContent = e.section;
    const take = document.createElement("button");
    take.type = "button";
    take.className = "link earlier";
    take.dataset.section = e.section;
    take.title = `key t: give this statement ${e.section} ${e.section_title} too`;
    take.textContent = `take ${e.section}`;
    take.addEventListener("click", () => decide(tr, e.section));
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
      else { const next = document.querySelector(".pager a[rel=next]"); if (next) window.location = next.href; }
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
  if (rows.length) {
    const last = window.location.hash === "#last";
    if (last) rows[rows.length - 1].scrollIntoView({block: "center"});
    rows[last ? rows.length - 1 : 0].focus({preventScroll: true});
  }
}

// ------------------------------------------------------------ documents: live progress
function setupDocuments() {
  const docs = document.getElementById("documents");
  if (!docs || !docs.dataset.busy) return;
  // update the progress bars in place; reload once when every document is labelled
  async function poll() {
    let data;
    try { data = await api("GET", "/api/documents"); } catch (e) { setTimeout(poll, 2000); return; }
    let busy = false;
    for (const d of data.documents) {
      const tr = docs.querySelector(`tr[data-doc="${d.id}"]`);
      if (!tr) { location.reload(); return; }  // brought in from another tab: show it
      if (d.status === "labelling" || d.status === "queued") {
        busy = true;
        const bar = tr.querySelector(".progress div");
        const txt = tr.querySelector(".progress + .small");
        if (bar && d.total) bar.style.width = `${Math.round(100 * d.done / d.total)}%`;
        if (txt) txt.textContent = d.status === "queued" ? "waiting to be labelled" : `labelling ${d.done} / ${d.total || "…"}`;
        const count = tr.querySelector(".so-far");  // QA 46b D9: the statements labelled so far, not 0
        if (count) count.textContent = `${d.statements - (d.other_lines || 0)} so far`;
      } else if (tr.dataset.status !== d.status) {
        busy = false;
        location.reload();
        return;
      }
    }
    if (busy) setTimeout(poll, 700);
  }
  setTimeout(poll, 500);
}

// ------------------------------------------------------------ models: train, status, switch
function setupModels() {
  const train = document.getElementById("train");
  if (!train) return;
  const status = document.getElementById("train-status");
  async function poll() {
    const s = await api("GET", "/api/train");
    status.dataset.state = s.state === "done" && s.offered === false ? "notoffered" : s.state;
    status.textContent = s.state === "running" ? `${s.message} … ${s.elapsed || 0} s` : s.message;
    if (s.state === "running") setTimeout(poll, 700);
    else if (train.disabled) location.reload();
  }
  train.addEventListener("click", async () => {
    train.disabled = true;
    try { await api("POST", "/api/train"); poll(); }
    catch (e) { train.disabled = false; status.dataset.state = "failed"; status.textContent = e.message; }
  });
  if (status.dataset.state === "running") poll();
  document.querySelectorAll("button.use").forEach((b) => b.addEventListener("click", async () => {
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;  // going back to a model not offered
    const label = b.textContent;
    b.disabled = true;
    b.textContent = "loading…";
    try {
      await api("POST", `/api/models/${b.dataset.version}/use`, b.dataset.back ? {back: true} : undefined);
      location.reload();
    }
    catch (e) { b.disabled = false; b.textContent = label; toast(e.message); }
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  setupReview();
  setupDocuments();
  setupModels();
  const who = document.querySelector("form.who input[name=who]");
  if (who) who.addEventListener("change", () => who.form.submit());
  document.querySelectorAll("select.autosubmit").forEach((s) => s.addEventListener("change", () => s.form.submit()));
  // a form that removes something asks first
  document.querySelectorAll("form[data-confirm]").forEach((f) => f.addEventListener("submit", (ev) => {
    if (!window.confirm(f.dataset.confirm)) ev.preventDefault();
  }));
});
