"use strict";
/* uxlab's live console and in-person task logger (uxlab/moderation, docs/moderation.md).

   It follows one session over Server-Sent Events (state frames, and event frames whose id is
   the cursor; the browser reconnects with Last-Event-ID) and, when the server cannot hold a
   stream (503), polls the same data as JSON. A moderator's actions go through a queue kept in
   localStorage, each with its own idempotency key and the time it happened, and are sent in
   order until the server answers: a tablet that loses the network loses nothing, and its task
   times are the stopwatch's, not the network's. Meanwhile the page runs ahead on its own copy
   of the participant's steps. */
(() => {
  const cfg = JSON.parse(document.getElementById("console-config").textContent);
  const $ = (id) => document.getElementById(id);
  let plan = cfg.state.plan;
  const moderator = cfg.role === "moderator";
  const queueKey = `uxlab-console:${cfg.session}`;
  let state = cfg.state;
  let offset = 0;  // server clock − this clock, ms
  let cursor = 0;
  const seen = new Set();
  // The page's own picture: the step, and the running (or last) attempt's times on this clock.
  let local = null;

  const newKey = () => {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  const readQueue = () => {
    try { return JSON.parse(localStorage.getItem(queueKey)) || []; } catch (e) { return []; }
  };
  let queue = readQueue();
  const writeQueue = () => {
    try { localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* memory only */ }
  };

  const say = (text, isError) => {
    const box = $("message");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
    box.className = isError ? "error" : "notice";
  };
  const fmt = (ms) => {
    const tenths = Math.max(0, Math.floor(ms / 100));
    const s = Math.floor(tenths / 10), m = Math.floor(s / 60);
    return `${m}:${String(s % 60).padStart(2, "0")}.${tenths % 10}`;
  };
  const toLocal = (iso) => (iso ? Date.parse(iso) - offset : null);

  /* --- the server's picture ------------------------------------------------------------ */
  const fromState = (s) => {
    const attempt = s.task && s.task.attempt;
    const last = s.attempts && s.attempts.length ? s.attempts[s.attempts.length - 1] : null;
    const pick = attempt || last;
    return {
      step: s.step,
      attempt: pick ? {
        task: pick.task, variant: pick.variant, started: toLocal(pick.started_at),
        ended: toLocal(pick.ended_at), pausedMs: pick.paused_ms || 0,
        pausedAt: toLocal(pick.paused_at), errors: pick.errors_logged || 0,
        assists: pick.assists_logged || 0, outcome: pick.outcome, assisted: pick.assisted,
        auto: pick.auto_outcome,
      } : null,
    };
  };
  let stateAt = 0;
  const applyState = (s) => {
    if (s.session !== cfg.session) return;
    // A stream's frame read before an action's answer may arrive after it: keep the newer.
    const at = Date.parse(s.server_now);
    if (at < stateAt) return;
    stateAt = at;
    state = s;
    if (!queue.length) plan = s.plan;
    offset = Date.parse(s.server_now) - Date.now();
    if (!queue.length) local = fromState(s);  // with actions still queued, the page is ahead
    render();
  };

  /* --- drawing ------------------------------------------------------------------------- */
  const stepNow = () => plan[Math.min(local.step, plan.length - 1)];
  const running = () => local.attempt && local.attempt.started != null && local.attempt.ended == null;
  const elapsed = (a) => {
    if (!a || a.started == null) return 0;
    const end = a.ended != null ? a.ended : (a.pausedAt != null ? a.pausedAt : Date.now());
    return end - a.started - a.pausedMs;
  };
  const render = () => {
    const step = stepNow();
    let now;
    if (step.kind === "task") now = `Task ${step.number} of ${step.total} · ${step.title}`;
    else if (step.kind === "post_task") now = `Task ${step.number} of ${step.total} · ${step.title}: ${step.questionnaire_title}`;
    else if (step.kind === "post_study") now = `After the tasks: ${step.questionnaire_title}`;
    else if (step.kind === "screener") now = "Waiting for the participant to answer the screener";
    else if (step.kind === "consent") now = "Waiting for the participant to consent";
    else now = "The session is over";
    if ($("now").textContent !== now) $("now").textContent = now;
    const task = state.task;
    $("criterion").textContent = task && step.kind === "task" && task.key === step.task
      ? `Success: ${task.criterion}` : "";
    const a = local.attempt;
    $("paused-note").hidden = !(a && a.pausedAt != null && a.ended == null);
    $("queue-note").hidden = !queue.length;
    $("queue-note").textContent = `${queue.length} action(s) waiting to be sent`;
    renderAttempts();
    renderPath();
    if (moderator) renderControls(step);
  };
  const renderAttempts = () => {
    const body = $("attempts");
    body.replaceChildren(...(state.attempts || []).map((a) => {
      const row = document.createElement("tr");
      const outcome = a.outcome ? `${a.outcome}${a.assisted ? " (assisted)" : ""} · ${a.decided_by}` : "undecided";
      [a.title, outcome, a.auto_outcome || "—", a.time_on_task_ms == null ? "—" : fmt(a.time_on_task_ms),
        String(a.errors_logged)].forEach((text, i) => {
        const cell = document.createElement(i ? "td" : "th");
        if (!i) cell.scope = "row";
        if (i >= 3) cell.className = "num";
        cell.textContent = text;
        row.append(cell);
      });
      return row;
    }));
  };
  // Pages visited per attempt, from its navigate events (the console reads the session's
  // events from the first, so these are all); the state's path until they arrive.
  const visits = new Map();
  const renderPath = () => {
    const attempt = state.task && state.task.attempt;
    let path = attempt ? attempt.path : [];
    const seen = attempt && visits.get(attempt.id);
    if (seen && seen.length) {
      const start = path[0];
      const pages = seen.map((url) => url.split("#")[0]);
      if (start && (pages[0] === start || pages[0].endsWith(`/${start}`))) pages.shift();
      path = start ? [start, ...pages] : pages;
    }
    $("path").replaceChildren(...path.map((page) => {
      const item = document.createElement("li");
      item.textContent = page;
      return item;
    }));
  };
  const renderControls = (step) => {
    const a = local.attempt;
    const onTask = step.kind === "task";
    $("btn-start").disabled = !onTask || running();
    $("btn-pause").disabled = !running();
    $("btn-pause").firstChild.textContent = a && a.pausedAt != null && a.ended == null ? "Resume " : "Pause ";
    $("btn-end").disabled = !running();
    $("btn-skip").disabled = !onTask;
    const judgeable = a && a.started != null;
    document.querySelectorAll("#outcome button").forEach((b) => { b.disabled = !judgeable; });
    $("outcome-task").textContent = a ? (plan.find((p) => p.task === a.task) || {}).title || a.task : "the task";
    $("outcome-now").textContent = a && a.outcome ? `(now: ${a.outcome}${a.assisted ? ", assisted" : ""})` : "";
    $("error-count").textContent = a ? a.errors : 0;
    $("assist-count").textContent = a ? a.assists : 0;
    const types = (state.task && state.task.error_rules) || [];
    const want = [...types, "Other error"].join("\n");
    const box = $("error-types");
    if (box.dataset.types !== want) {
      box.dataset.types = want;
      box.replaceChildren(...want.split("\n").map((label, i) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = i < 9 && types.length ? `${label}` : label;
        button.addEventListener("click", () => logError(label));
        return button;
      }));
    }
    box.querySelectorAll("button").forEach((b) => { b.disabled = !judgeable; });
    $("btn-assist").disabled = !judgeable;
    renderAnswers(step);
  };
  const renderAnswers = (step) => {
    const form = $("answers-form");
    const asking = step.kind === "post_task" || step.kind === "post_study";
    const id = asking ? `${local.step}` : "";
    if (form.dataset.step === id) return;
    form.dataset.step = id;
    form.hidden = !asking;
    if (!asking) return;
    $("answers-h").textContent = `${step.questionnaire_title} (entered for the participant)`;
    $("answers-items").replaceChildren(...step.items.map((text, n) => {
      const set = document.createElement("fieldset");
      set.className = "scale";
      const legend = document.createElement("legend");
      legend.textContent = `${step.items.length > 1 ? `${n + 1}. ` : ""}${text} (${step.low} ${step.low_label} … ${step.high} ${step.high_label})`;
      const points = document.createElement("div");
      points.className = "scale-points";
      for (let v = step.low; v <= step.high; v++) {
        const label = document.createElement("label");
        label.className = "point";
        const input = document.createElement("input");
        Object.assign(input, {type: "radio", name: `item-${n + 1}`, value: String(v), required: true});
        label.append(input, ` ${v}`);
        points.append(label);
      }
      set.append(legend, points);
      return set;
    }));
  };

  /* --- the queue ------------------------------------------------------------------------ */
  let sending = false;
  const pump = async () => {
    if (sending || !queue.length) return;
    sending = true;
    const item = queue[0];
    let response, answer;
    try {
      response = await fetch(cfg.actions + item.action, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: {"Content-Type": "application/json", "X-CSRFToken": cfg.csrf},
        body: JSON.stringify({...item.body, sent_ms: Date.now()}),
      });
      if (response.redirected || response.status >= 500) throw new Error(`HTTP ${response.status}`);
      answer = await response.json();
    } catch (e) {
      sending = false;
      $("queue-note").hidden = false;
      $("queue-note").textContent = `${queue.length} action(s) waiting: no answer from the server (${e.message}); retrying`;
      setTimeout(pump, 1500);
      return;
    }
    queue = queue.filter((q) => q.body.key !== item.body.key);
    writeQueue();
    sending = false;
    if (!response.ok) {
      say(`${item.action}: ${answer.message || response.status}${answer.field ? ` (${answer.field})` : ""}`, true);
      if (!queue.length && state) local = fromState(state);
    } else if (answer.state) {
      applyState(answer.state);
    }
    render();
    pump();
  };
  const send = (action, body) => {
    say("");
    queue.push({action, body: {...body, key: newKey(), at_ms: Date.now()}});
    writeQueue();
    render();
    pump();
  };

  /* --- the moderator's actions ------------------------------------------------------- */
  const reason = () => ($("reason").value || "").trim();
  const clearReason = () => { $("reason").value = ""; };
  const startTask = () => {
    const step = stepNow();
    if (step.kind !== "task" || running()) return;
    local.attempt = {task: step.task, variant: step.variant, started: Date.now(), ended: null,
      pausedMs: 0, pausedAt: null, errors: 0, assists: 0, outcome: null};
    send("start", {step: local.step});
  };
  const togglePause = () => {
    if (!running()) return;
    const a = local.attempt, now = Date.now();
    if (a.pausedAt != null) {
      a.pausedMs += now - a.pausedAt;
      a.pausedAt = null;
      send("resume", {step: local.step});
    } else {
      a.pausedAt = now;
      send("pause", {step: local.step});
    }
  };
  const endTask = () => {
    if (!running()) return;
    const a = local.attempt, now = Date.now();
    if (a.pausedAt != null) { a.pausedMs += now - a.pausedAt; a.pausedAt = null; }
    a.ended = now;
    send("end", {step: local.step, reason: reason()});
    local.step += 1;
    render();
    const first = document.querySelector("#outcome button");
    if (first) first.focus();
  };
  const skipTask = () => {
    const step = stepNow();
    if (step.kind !== "task") return;
    send("skip", {step: local.step, reason: reason()});
    clearReason();
    if (running()) local.attempt.ended = Date.now();
    local.step += 1;
    while (plan[local.step] && plan[local.step].kind === "post_task") local.step += 1;
  };
  const judge = (verdict) => {
    const a = local.attempt;
    if (!a || a.started == null) return;
    if (running()) endTask();
    a.outcome = verdict;
    send("judge", {task: a.task, variant: a.variant, verdict, reason: reason()});
    clearReason();
    render();
    const form = $("answers-form");
    const next = !form.hidden && form.querySelector("input");
    if (next) next.focus();
  };
  const logError = (label) => {
    const a = local.attempt;
    if (!a) return;
    a.errors += 1;
    send("error", {task: a.task, variant: a.variant, text: label});
  };
  const logAssist = () => {
    const a = local.attempt;
    if (!a) return;
    a.assists += 1;
    const level = $("assist-level");
    const words = level.options[level.selectedIndex].text.split(" (")[0];
    const said = ($("assist-text").value || "").trim();
    send("assist", {task: a.task, variant: a.variant, text: `Prompt level ${words}${said ? `: ${said}` : ""}`});
    $("assist-text").value = "";
  };
  const submitAnswers = (e) => {
    e.preventDefault();
    const step = stepNow();
    const values = {};
    for (let n = 1; n <= step.items.length; n++) {
      const picked = $("answers-form").querySelector(`input[name="item-${n}"]:checked`);
      if (!picked) {
        say(`Question ${n}: please choose an answer.`, true);
        const first = $("answers-form").querySelector(`input[name="item-${n}"]`);
        if (first) first.focus();
        return;
      }
      values[n] = Number(picked.value);
    }
    send("answers", {step: local.step, values});
    local.step += 1;
    render();
    const next = !$("answers-form").hidden && $("answers-form").querySelector("input");
    const start = $("btn-start");
    if (next) next.focus();
    else if (start && !start.disabled) start.focus();
  };

  if (moderator) {
    $("btn-start").addEventListener("click", startTask);
    $("btn-pause").addEventListener("click", togglePause);
    $("btn-end").addEventListener("click", endTask);
    $("btn-skip").addEventListener("click", skipTask);
    $("btn-assist").addEventListener("click", logAssist);
    document.querySelectorAll("#outcome button").forEach((b) =>
      b.addEventListener("click", () => judge(b.dataset.verdict)));
    $("answers-form").addEventListener("submit", submitAnswers);
    // Typing a digit in a questionnaire picks that answer of the focused question.
    $("answers-form").addEventListener("keydown", (e) => {
      if (!/^[0-9]$/.test(e.key) || !e.target.name) return;
      const pick = $("answers-form").querySelector(`input[name="${e.target.name}"][value="${e.key}"]`);
      if (pick) { pick.checked = true; pick.focus(); e.preventDefault(); e.stopPropagation(); }
    });
    // a, e, n, p, q and digits belong to the notes panel (uxlab/observations) where present.
    const keys = {s: startTask, h: togglePause, x: endTask, k: skipTask};
    document.addEventListener("keydown", (e) => {
      const typing = e.target.closest && e.target.closest("input[type=text], textarea, select, [contenteditable]");
      if (typing || e.ctrlKey || e.metaKey || e.altKey || !keys[e.key]) return;
      e.preventDefault();
      keys[e.key]();
    });
  }

  /* --- the live feed ------------------------------------------------------------------- */
  const showEvent = (event) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    cursor = Math.max(cursor, event.id);
    const item = document.createElement("li");
    item.dataset.type = event.type;
    const when = new Date(event.t || Date.parse(event.received_at)).toLocaleTimeString();
    const what = {click: "Clicked", navigate: "Page", task_start: "Task started",
      task_end: "Task ended", answer: "Answered", visibility: "Tab"}[event.type] || event.type;
    item.textContent = `${when} · ${what}: ${event.label || event.url || ""}`;
    event.rules.forEach((rule) => {
      const badge = document.createElement("strong");
      badge.className = rule === "success" ? "rule-success" : "rule-error";
      badge.textContent = ` [${rule}]`;
      item.append(badge);
    });
    $("events").prepend(item);
    if (event.type === "navigate" && event.attempt && event.url) {
      if (!visits.has(event.attempt)) visits.set(event.attempt, []);
      visits.get(event.attempt).push(event.url);
      renderPath();
    }
  };
  const connection = (text) => { $("connection").textContent = text; };
  let polling = null;
  const poll = async () => {
    try {
      const response = await fetch(`${cfg.feed}?after=${cursor}`, {credentials: "same-origin", cache: "no-store"});
      if (response.ok) {
        const data = await response.json();
        data.events.forEach(showEvent);
        data.states.forEach(applyState);
      }
    } catch (e) { /* try again */ }
  };
  const follow = () => {
    const source = new EventSource(`${cfg.stream}?after=${cursor}`);
    source.addEventListener("open", () => connection("Live"));
    source.addEventListener("state", (e) => applyState(JSON.parse(e.data)));
    source.addEventListener("event", (e) => showEvent(JSON.parse(e.data)));
    source.addEventListener("error", () => {
      if (source.readyState !== EventSource.CLOSED) return connection("Reconnecting…");
      // Refused (the server's streams are full, or it cannot stream): poll, try again later.
      connection("Updating every second");
      if (!polling) polling = setInterval(poll, 1000);
      setTimeout(() => { clearInterval(polling); polling = null; follow(); }, 30000);
    });
  };

  local = fromState(state);
  offset = Date.parse(state.server_now) - Date.now();
  if (queue.length) {  // actions left from before a reload: the page is ahead of the server
    say(`${queue.length} action(s) from before are being sent.`);
  }
  render();
  setInterval(() => { $("timer").textContent = fmt(elapsed(local.attempt)); }, 100);
  follow();
  pump();
})();
