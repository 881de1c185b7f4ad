// The notes panel (templates/observations/_notes_panel.html): notes saved as typed.
// Each note gets a client id when typing starts; every change is kept in localStorage first and
// then PUT to the server under that id (an upsert), so a reload, a crash or a dropped network
// loses nothing and never makes a second note. No build step, nothing third-party.
"use strict";
(() => {
  const KINDS = {n: "note", q: "quote", e: "error", a: "assist", p: "problem"};
  const SEVERITY = ["not a problem", "cosmetic", "minor", "major", "catastrophe"];
  const SAVE_DELAY_MS = 400, RETRY_MS = 3000, REFRESH_MS = 5000;

  const uuid4 = () => (crypto.randomUUID ? crypto.randomUUID() :
    "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
      (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)));
  const clock = (ms) => {
    const s = Math.max(0, Math.floor(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };
  const parseClock = (text) => {
    const m = /^\s*(\d+):([0-5]\d)\s*$/.exec(text || "");
    return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : null;
  };
  // Where a key is text being typed. A focused radio, checkbox or button is not: after judging
  // a task the console focuses the post-task question, and n/e/p… must still reach the notes.
  const typing = (el) => el && (el.isContentEditable || ["TEXTAREA", "SELECT"].includes(el.tagName) ||
    (el.tagName === "INPUT" && !["radio", "checkbox", "button", "submit", "reset"].includes(el.type)));

  function Panel(root) {
    const url = root.dataset.notesUrl, csrf = root.dataset.csrf, you = root.dataset.you;
    const start = Date.parse(root.dataset.sessionStart);
    const storeKey = `uxlab-notes:${root.dataset.session}:${you}`;
    const form = root.querySelector(".note-form"), filters = root.querySelector(".note-filters");
    const text = form.elements.text, kind = form.elements.kind, severity = form.elements.severity;
    const at = form.elements.at, status = root.querySelector(".note-status");
    const context = root.querySelector(".note-context"), list = root.querySelector(".note-list");
    let drafts = load(), current = null, timer = null, retry = null, notes = [];

    function load() {
      try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
    }
    function keep() {
      try { localStorage.setItem(storeKey, JSON.stringify(drafts)); } catch (e) { /* full */ }
    }
    const say = (message) => { status.textContent = message; };

    // When the note is stamped: the timeline's scrubber once someone chose a moment with it,
    // else now (typing starts).
    function stampNow() {
      const scrubber = document.getElementById("timeline-scrubber");
      return scrubber && scrubber.dataset.chosen === "true" ?
        start + Number(scrubber.value) * 1000 : Date.now();
    }
    function draft() {
      if (!current) {
        current = {client_id: uuid4(), noted_at: stampNow(), version: 0, saved: -1, open: true};
        drafts[current.client_id] = current;
        at.value = clock(current.noted_at - start);
      }
      return current;
    }
    function change() {
      const note = draft();
      note.text = text.value;
      note.kind = kind.value;
      note.severity = severity.value === "" ? null : Number(severity.value);
      note.version += 1;
      keep();
      say("Not saved yet…");
      clearTimeout(timer);
      timer = setTimeout(flush, SAVE_DELAY_MS);
    }
    async function send(note) {
      const version = note.version;
      const response = await fetch(`${url}/${note.client_id}`, {
        method: "PUT", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf,
                  "Accept": "application/json"},
        body: JSON.stringify({kind: note.kind || "note", text: note.text || "",
                              severity: note.severity ?? null,
                              noted_at: new Date(note.noted_at).toISOString()}),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        const error = new Error(body.message || `the server answered ${response.status}`);
        error.permanent = response.status >= 400 && response.status < 500;
        throw error;
      }
      note.saved = Math.max(note.saved, version);
      note.server = body;
      if (note === current) {
        context.textContent = body.after_event ? `Stamped ${clock(body.offset_ms)}, after ${body.after_event}.`
          : `Stamped ${clock(body.offset_ms)}.`;
      }
      if (!note.open && note.saved >= note.version) delete drafts[note.client_id];
      keep();
      return body;
    }
    async function flush() {
      clearTimeout(timer);
      clearTimeout(retry);
      const pending = Object.values(drafts).filter((n) => n.saved < n.version &&
        ((n.text || "").trim() || n.server));
      if (!pending.length) {
        if (current && current.saved >= current.version) say("Saved.");
        return;
      }
      say("Saving…");
      try {
        for (const note of pending) await send(note);
        say("Saved.");
        refresh();
      } catch (error) {
        if (error.permanent) { say(`Not saved: ${error.message}`); return; }
        say("Offline: kept on this device, retrying…");
        retry = setTimeout(flush, RETRY_MS);
      }
    }
    function finish() {
      if (current) {
        current.open = false;
        if (!(current.text || "").trim() && !current.server) delete drafts[current.client_id];
        keep();
      }
      current = null;
      text.value = "";
      at.value = "";
      severity.value = "";
      context.textContent = "";
      flush();
    }
    function edit(note) {
      finish();
      current = {client_id: note.client_id, noted_at: Date.parse(note.noted_at), version: 0,
                 saved: 0, open: true, server: note, text: note.text, kind: note.kind,
                 severity: note.severity};
      drafts[note.client_id] = current;
      text.value = note.text;
      kind.value = note.kind;
      severity.value = note.severity === null ? "" : String(note.severity);
      at.value = clock(note.offset_ms);
      text.focus();
    }

    async function forget(note) {
      if (!confirm("Delete this note?")) return;
      const response = await fetch(`${url}/${note.client_id}`, {
        method: "DELETE", credentials: "same-origin",
        headers: {"X-CSRFToken": csrf, "Accept": "application/json"}});
      if (!response.ok) { say(`Not deleted: the server answered ${response.status}`); return; }
      delete drafts[note.client_id];
      keep();
      if (current && current.client_id === note.client_id) { current = null; finish(); }
      say("Deleted.");
      refresh();
    }

    function action(text, label, run) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = text;
      button.setAttribute("aria-label", label);
      button.addEventListener("click", run);
      return button;
    }

    function render() {
      const author = filters.elements.author, chosen = author.value;
      const authors = [...new Set(notes.map((n) => n.author).filter(Boolean))].sort();
      author.replaceChildren(new Option("anyone", ""), ...authors.map((a) =>
        new Option(a === you ? `${a} (you)` : a, a)));
      author.value = authors.includes(chosen) ? chosen : "";
      const tag = filters.elements.tag.value.trim().replace(/^#/, "").toLowerCase();
      const wanted = filters.elements.kind.value;
      list.replaceChildren(...notes.filter((n) => (!author.value || n.author === author.value) &&
          (!tag || n.tags.includes(tag)) && (!wanted || n.kind === wanted)).map((n) => {
        const item = document.createElement("li");
        item.className = `note note-${n.kind}`;
        item.dataset.clientId = n.client_id;
        item.dataset.kind = n.kind;
        const head = document.createElement("span");
        head.className = "muted";
        head.textContent = `${clock(n.offset_ms)} · ${n.kind}` +
          (n.severity !== null ? ` · severity ${n.severity} (${SEVERITY[n.severity]})` : "") +
          (n.after_event ? ` · after ${n.after_event}` : "") +
          ` · ${n.author === you ? "you" : (n.author || "unknown")}`;
        const body = document.createElement("p");
        body.textContent = n.text;
        item.append(head, body);
        if (n.tags.length) {
          const tags = document.createElement("span");
          tags.className = "muted";
          tags.textContent = n.tags.map((t) => `#${t}`).join(" ");
          item.append(tags);
        }
        if (n.author === you) {
          const at = clock(n.offset_ms);
          item.append(" ", action("Edit", `Edit the note at ${at}`, () => edit(n)),
                      " ", action("Delete", `Delete the note at ${at}`, () => forget(n)));
        }
        return item;
      }));
    }
    async function refresh() {
      try {
        const response = await fetch(url, {credentials: "same-origin",
                                           headers: {"Accept": "application/json"}});
        if (response.ok) { notes = (await response.json()).notes; render(); }
      } catch (e) { /* offline: the list refreshes later */ }
    }

    text.addEventListener("input", change);
    for (const field of [kind, severity]) field.addEventListener("change", () => {
      if (current || text.value.trim()) change();
    });
    at.addEventListener("change", () => {
      const moved = parseClock(at.value);
      if (moved === null) {  // the field shows the stamp the note keeps, never a time it ignored
        const typed = at.value;
        at.value = current ? clock(current.noted_at - start) : "";
        say(`“${typed}” is not a time: write m:ss, e.g. 3:05.` +
            (current ? ` The note stays at ${at.value}.` : ""));
        return;
      }
      draft().noted_at = start + moved;  // back-dating: the stamp is editable
      change();
    });
    text.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); finish(); }
      if (e.key === "Escape") text.blur();
    });
    form.addEventListener("submit", (e) => { e.preventDefault(); finish(); text.focus(); });
    filters.addEventListener("input", render);
    filters.addEventListener("submit", (e) => e.preventDefault());
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement)) return;
      if (KINDS[e.key]) {
        e.preventDefault();
        kind.value = KINDS[e.key];
        if (current) change();
        text.focus();
      } else if (/^[0-4]$/.test(e.key)) {
        e.preventDefault();
        severity.value = e.key;
        if (current) change();
      }
    });
    addEventListener("online", flush);

    // After a reload: the note being typed comes back into the form; every unsaved one is sent.
    const open = Object.values(drafts).find((n) => n.open);
    if (open) {
      current = open;
      text.value = open.text || "";
      kind.value = open.kind || "note";
      severity.value = open.severity == null ? "" : String(open.severity);
      at.value = clock(open.noted_at - start);
    }
    flush();
    refresh();
    setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
  }

  document.querySelectorAll(".notes-panel").forEach((root) => Panel(root));
})();
