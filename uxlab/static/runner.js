/* uxlab participant runner (docs/recording.md). On a task page (#uxlab-task) it queues the
   recorder's events, watches the success criterion, runs the timer and ends the attempt; on other
   pages it sends what earlier pages left queued. Optional config "flush_ms": batch interval. */
(() => {
"use strict";
const BATCH = 50, BATCH_BYTES = 200 * 1024, EXIT_BYTES = 60 * 1024, LOCK_MS = 5000;

const $ = (id) => document.getElementById(id);
const tryOr = (fn, fallback) => {
  try { return fn(); } catch (e) { return fallback; }
};
const config = tryOr(() => JSON.parse($("uxlab-task").textContent), null);
// Its texts come in the page's language (config "messages").
const TEXT = (config && config.messages) || {};
const phrase = (name, values = {}) =>
  (TEXT[name] || name).replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
const OFFLINE = phrase("offline"), UNREACHABLE = phrase("unreachable"), DELAYED = phrase("delayed");
const store = (area) => ({
  get: (key) => tryOr(() => window[area].getItem(key), null),
  set: (key, value) => tryOr(() => (window[area].setItem(key, value), true), false),
  remove: (key) => tryOr(() => window[area].removeItem(key)),
  keys: () => tryOr(() => Object.keys(window[area]), []),
});
const shared = store("localStorage"), perTab = store("sessionStorage");
const readJson = (text) => tryOr(() => JSON.parse(text), null);
const encoder = new TextEncoder();
const bytes = (text) => encoder.encode(text).length;

// crypto.randomUUID exists only in secure contexts (https, localhost).
const uuid = () => {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("")
    .replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
};
const PAGE = uuid();  // this page load, the owner of the send lock
let tabId = perTab.get("uxlab:tab");
if (!tabId) perTab.set("uxlab:tab", tabId = uuid());
let seqFloor = 0;
// Stored before use, so a reload continues after it and never reuses a number.
const nextSeq = () => {
  const stored = parseInt(perTab.get("uxlab:seq"), 10);
  const seq = Math.max(stored >= 0 ? stored : 0, seqFloor);
  seqFloor = seq + 1;
  perTab.set("uxlab:seq", String(seq + 1));
  return seq;
};

const wakers = new Set();  // sleeps that coming back online cuts short
const sleep = (ms) => new Promise((resolve) => {
  const done = () => { clearTimeout(timer); wakers.delete(done); resolve(); };
  const timer = setTimeout(done, Math.max(0, ms));
  wakers.add(done);
});
const retryable = (status) => status === 408 || status === 429 || status >= 500;
// Capped exponential backoff (1 s doubling to 30 s) with full jitter; Retry-After is obeyed.
const backoff = (failures, response) => {
  const header = response && response.headers.get("Retry-After");
  if (header) {
    const ms = /^\s*\d+\s*$/.test(header) ? header * 1000 : Date.parse(header) - Date.now();
    if (ms >= 0) return Math.min(ms, 600000) + Math.random() * 250;
  }
  return Math.random() * Math.min(30000, 1000 * 2 ** Math.min(failures, 15));
};
const postJson = async (url, body, headers = {}) => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15000);
  try {
    return await fetch(url, {method: "POST", body, credentials: "same-origin", cache: "no-store",
      headers: {"Content-Type": "application/json", ...headers}, signal: controller.signal});
  } finally {
    clearTimeout(timer);
  }
};

const statusEl = $("uxlab-status");
let finishing = false;
const say = (text) => { if (statusEl && statusEl.textContent !== text) statusEl.textContent = text; };
const troubleText = (response) => response ? DELAYED : navigator.onLine === false ? OFFLINE : UNREACHABLE;
const takeBatch = (events, max, token) => {
  let size = 99 + (token || "").length, n = 0;
  for (const event of events) {
    size += bytes(JSON.stringify(event)) + 1;
    if (n && (n >= BATCH || size > max)) break;
    n++;
  }
  return events.slice(0, n);
};

/* A session's queue, shared by the tabs in localStorage. Each tab keeps its own events in memory
   until settled and writes them back with every write, so tabs writing at once lose nothing. */
class EventQueue {
  constructor(session, endpoint, token) {
    this.key = "uxlab:queue:" + session;
    this.lockKey = "uxlab:lock:" + session;
    this.endpoint = endpoint;
    this.token = token;
    this.own = new Map();
    this.settled = new Set();
    this.failures = this.retryAt = 0;
    this.sending = this.trouble = null;
  }

  read() {
    const stored = readJson(shared.get(this.key)) || {};
    if (Array.isArray(stored.done)) this.forget(stored.done);
    this.endpoint = this.endpoint || stored.endpoint;
    this.token = this.token || stored.token;
    const seen = new Set(), events = [];
    const keep = (event) => {
      if (!event || typeof event.id !== "string" || seen.has(event.id) || this.settled.has(event.id)) return;
      seen.add(event.id);
      events.push(event);
    };
    (Array.isArray(stored.events) ? stored.events : []).forEach(keep);
    this.own.forEach(keep);
    return events;
  }

  // If storage is full or off, this tab's own events still live in memory (this.own). The ids
  // sent lately stay listed: a tab that has not yet heard of them must not send its copies.
  write(events) {
    shared.set(this.key, JSON.stringify({endpoint: this.endpoint, token: this.token, events,
      done: [...this.settled].slice(-500)}));
  }

  add(event) {
    this.own.set(event.id, event);
    const events = this.read();
    this.write(events);
    if (events.length >= BATCH) this.flush();
  }

  forget(ids) {
    ids.forEach((id) => { this.settled.add(id); this.own.delete(id); });
    if (this.settled.size > 5000) this.settled = new Set([...this.settled].slice(-2000));
  }

  // The server has these events, or refused them for good: out of the queue in every tab.
  settle(ids) {
    this.forget(ids);
    this.write(this.read());
  }

  body(events) {
    return JSON.stringify(this.token ? {events, token: this.token} : {events});
  }

  lock() {
    const now = Date.now(), held = readJson(shared.get(this.lockKey));
    if (held && held.owner !== PAGE && held.exp > now) return false;
    // Without localStorage there is no other tab to wait for.
    if (!shared.set(this.lockKey, JSON.stringify({owner: PAGE, exp: now + LOCK_MS}))) return true;
    return (readJson(shared.get(this.lockKey)) || {}).owner === PAGE;
  }

  unlock() {
    if ((readJson(shared.get(this.lockKey)) || {}).owner === PAGE) shared.remove(this.lockKey);
  }

  flush(force) {
    if (this.sending) return this.sending;
    if ((!force && Date.now() < this.retryAt) || !this.read().length || !this.endpoint) {
      return Promise.resolve();
    }
    // One tab sends at a time: Web Locks (secure contexts), else a best-effort lock in
    // localStorage. Read again under the lock: another tab may just have sent events.
    const send = () => this.send(this.read());
    const sent = navigator.locks
      ? navigator.locks.request(this.lockKey, {ifAvailable: true}, (lock) => lock && send())
      : this.lock() ? this.renewing(send) : Promise.resolve();
    return this.sending = sent.finally(() => { this.sending = null; });
  }

  async renewing(send) {
    const renew = setInterval(() => this.lock(), LOCK_MS / 2);
    try {
      await send();
    } finally {
      clearInterval(renew);
      this.unlock();
    }
  }

  async send(events) {
    while (events.length) {
      let batch = takeBatch(events, BATCH_BYTES, this.token);
      const response = await postJson(this.endpoint, this.body(batch)).catch(() => null);
      if (!response || (!response.ok && retryable(response.status))) {
        this.retryAt = Date.now() + backoff(this.failures++, response);
        this.trouble = troubleText(response);
        return showTrouble();
      }
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        // A bad event names itself (events[3].x): drop that one alone; the rest go again.
        const one = batch[(/^events\[(\d+)\]/.exec(problem.field) || [])[1]];
        if (one) batch = [one];
        console.error(`uxlab: the server refused ${batch.length} events (HTTP ${response.status}); dropped.`, problem);
      } else {
        this.failures = this.retryAt = 0;
        this.trouble = null;
        showTrouble();
      }
      this.settle(batch.map((event) => event.id));
      events = this.read();
    }
  }

  // Try to empty the queue within ms (before leaving a task); what is left stays stored.
  async drain(ms) {
    const deadline = Date.now() + ms;
    for (let force = true; this.read().length && Date.now() < deadline; force = false) {
      await Promise.race([this.flush(force), sleep(deadline - Date.now())]);
      if (this.read().length) await sleep(Math.min(Math.max(this.retryAt - Date.now(), 50), deadline - Date.now()));
    }
  }

  // On pagehide: requests that outlive the page, in chunks under 60 KB. Their answers cannot be
  // read, so the events stay queued; the next page sends them again and the server keeps one.
  flushOnExit() {
    let events = this.read(), budget = 64 * 1024;  // the browser's keepalive allowance
    while (events.length && this.endpoint) {
      const batch = takeBatch(events, EXIT_BYTES, this.token);
      events = events.slice(batch.length);
      const body = this.body(batch), size = bytes(body);
      let sent = size <= budget && tryOr(() => {
        fetch(this.endpoint, {method: "POST", body, keepalive: true, credentials: "same-origin",
          headers: {"Content-Type": "application/json"}}).catch(() => {});
        return true;
      }, false);
      if (sent) budget -= size;
      else sent = tryOr(() => navigator.sendBeacon(this.endpoint, new Blob([body], {type: "application/json"})), false);
      if (!sent) return;
    }
  }
}

const queues = new Map();
const queueFor = (session, endpoint, token) => {
  const queue = queues.get(session) || new EventQueue(session, endpoint, token);
  queues.set(session, queue);
  return queue;
};
const showTrouble = () => {
  if (finishing) return;
  const trouble = [...queues.values()].map((q) => q.trouble).find(Boolean);
  if (trouble) say(trouble);
  else if (statusEl && [OFFLINE, UNREACHABLE, DELAYED].includes(statusEl.textContent)) say("");
};

// The prototype's events, cut to the protocol's fields and limits: one odd event must not get
// a whole batch refused.
const wellFormed = (s) => s.toWellFormed ? s.toWellFormed()
  : s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
const text = (value, max) => typeof value === "string" && value
  ? wellFormed(value.slice(0, max)).replace(/\u0000/g, "") : null;
const number = (value) => Number.isFinite(value) ? value : null;
const cleanEvent = (raw, ruleIds, localRoot) => {
  if (!raw || !["click", "navigate", "visibility"].includes(raw.type)) return null;
  const given = raw.data || {}, data = {};
  if (typeof given.interactive === "boolean") data.interactive = given.interactive;
  for (const key of ["vw", "vh", "sw", "sh"]) if (Number.isFinite(given[key])) data[key] = Math.round(given[key]);
  for (const key of ["text", "title", "state"]) if (text(given[key], 80)) data[key] = text(given[key], 80);
  const matched = Array.isArray(given.matched) ? given.matched.filter((id) => ruleIds.includes(id)) : [];
  if (matched.length) data.matched = matched;
  let url = text(raw.url, 4000);
  if (url && localRoot && url.startsWith(localRoot)) url = url.slice(localRoot.length);
  const click = raw.type === "click";
  return {type: raw.type, t: Number.isSafeInteger(raw.t) && raw.t > 0 ? raw.t : Date.now(),
    x: click ? number(raw.x) : null, y: click ? number(raw.y) : null,
    target: text(raw.target, 1000), url: url && url.slice(0, 2000), data};
};

// As uxlab.recording.rules.url_matches: the fragment never takes part.
const urlMatches = (rule, url) => {
  if (typeof url !== "string" || typeof rule.url !== "string") return false;
  const withQuery = url.split("#")[0], path = withQuery.split("?")[0], match = rule.match || "exact";
  if (match === "exact") return (rule.url.includes("?") ? withQuery : path) === rule.url;
  if (match === "prefix") return withQuery.startsWith(rule.url);
  return match === "regex" && tryOr(() => new RegExp(rule.url).test(withQuery), false);
};

const runTask = (cfg) => {
  const queue = queueFor(cfg.session, cfg.endpoints.events, cfg.ingest_token);
  const attemptId = Number.isSafeInteger(cfg.attempt) ? cfg.attempt : null;
  const frame = $("uxlab-frame"), origin = cfg.prototype_origin, answerInput = $("uxlab-answer");
  const localRoot = origin === location.origin ? cfg.prototype_root || null : null;
  const criterion = cfg.criterion || {}, finishKey = "uxlab:finish:" + attemptId;
  const done = $("uxlab-done"), giveUp = $("uxlab-giveup"), dialog = $("uxlab-answer-dialog");
  let confirm = $("uxlab-giveup-confirm");

  // A reload reopens the page the participant was on (docs/recording.md): the server's, or a
  // later one still queued here. A page shown again so is no move of theirs: "restored".
  let landing = cfg.resume_page || null, firstPage = cfg.start_url;
  const restoring = new Set([landing]);
  const queued = queue.read().filter((e) => e.attempt === attemptId && e.type === "navigate" && e.url).pop();
  const reopen = queued && tryOr(() => new URL(queued.url, cfg.prototype_root).href, "");
  if (reopen && reopen.startsWith(cfg.prototype_root)) {
    restoring.add(landing = queued.url);
    if (reopen !== cfg.start_url) {
      restoring.add(cleanEvent({type: "navigate", url: cfg.start_url}, [], localRoot).url);
      firstPage = reopen;
    }
  }

  const record = (fields) => {
    const event = {id: uuid(), seq: nextSeq(), tab: tabId, t: Date.now(), attempt: attemptId,
      x: null, y: null, target: null, url: null, data: {}, ...fields};
    queue.add(event);
    return event;
  };

  // The recorder marks clicks on these: "success" and "error:<i>" (docs/recording.md).
  const rules = {};
  if (criterion.type === "element") rules.success = criterion.selector;
  (cfg.error_rules || []).forEach((rule, i) => {
    if (rule && rule.type === "element") rules["error:" + i] = rule.selector;
  });
  const ruleIds = Object.keys(rules);
  const meets = (event) => criterion.type === "url" ? event.type === "navigate" && urlMatches(criterion, event.url)
    : criterion.type === "element" && event.type === "click" && (event.data.matched || []).includes("success");

  // The timer counts from the server's start of the attempt, on the server's clock.
  const skew = Number.isFinite(cfg.server_now_ms) ? cfg.server_now_ms - Date.now() : 0;
  const startedAt = Number.isFinite(cfg.started_at_ms) ? cfg.started_at_ms : Date.now() + skew;
  const limit = cfg.time_limit_s > 0 ? cfg.time_limit_s * 1000 : null;
  const elapsed = () => Math.max(0, Date.now() + skew - startedAt);
  const timerEl = $("uxlab-timer");
  let ticker = null;
  const tick = () => {
    const s = Math.floor(elapsed() / 1000), pad = (n) => String(n).padStart(2, "0");
    const shown = `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
    if (timerEl && timerEl.textContent !== shown) timerEl.textContent = shown;
    if (limit && elapsed() >= limit) finish("timeout");
  };

  if (giveUp && !confirm) {
    giveUp.after(confirm = Object.assign(document.createElement("button"),
      {type: "button", id: "uxlab-giveup-confirm", textContent: phrase("give_up_confirm"), hidden: true}));
  }
  const enable = (on) => [done, giveUp, confirm].forEach((b) => { if (b) b.disabled = !on; });

  const sendFinish = async (pending) => {
    if (pending.body.reason === "done" && ["url", "element"].includes(criterion.type)) {
      await queue.drain(2000);  // the server looks for the criterion in the stored events
    }
    for (let failures = 0; ; failures++) {
      say(phrase("saving"));
      const response = await postJson(cfg.endpoints.finish, JSON.stringify(pending.body),
        {"Idempotency-Key": pending.key}).catch(() => null);
      // 409: a stale step; the server knows where the participant should be.
      if (response && (response.ok || response.status === 409 || response.status === 410)) {
        shared.remove(finishKey);
        await queue.drain(3000);
        return location.assign(cfg.next_url || "/run");
      }
      if (response && !retryable(response.status)) {
        shared.remove(finishKey);
        const problem = await response.json().catch(() => ({}));
        console.error(`uxlab: the server refused to end the task (HTTP ${response.status})`, problem);
        finishing = false;
        enable(true);
        ticker = ticker || setInterval(tick, 250);
        return say(phrase("not_saved", {reason: phrase("refused")}));
      }
      say(troubleText(response));
      await sleep(backoff(failures, response));
    }
  };

  // One finish per action: its key and body are stored so that a reload sends the same again.
  const finish = (reason, extra = {}) => {
    if (finishing) return;
    finishing = true;
    clearInterval(ticker);
    ticker = null;
    enable(false);
    if (confirm) confirm.hidden = true;
    let pending = readJson(shared.get(finishKey));
    if (!pending || !pending.key || !pending.body) {
      record({type: "task_end", data: {reason}});
      pending = {key: uuid(), body: {reason, answer: extra.answer ?? null,
        client_time_ms: Math.round(elapsed()), event: extra.event ?? null}};
      shared.set(finishKey, JSON.stringify(pending));
    }
    sendFinish(pending);
  };

  window.addEventListener("message", (e) => {
    const message = e.data || {};
    // source null: the frame's page posted, then left (a link) before this ran (docs/recording.md)
    const fromFrame = frame && (e.source === frame.contentWindow ||
      (e.source === null && message.kind === "event"));
    if (!fromFrame || e.origin !== origin || message.uxlab !== 1) return;
    if (message.kind === "ready") {
      for (const reply of [{kind: "init", root: localRoot}, {kind: "watch", rules}]) {
        frame.contentWindow.postMessage({uxlab: 1, ...reply}, origin);
      }
    } else if (message.kind === "event") {
      const fields = cleanEvent(message.event, ruleIds, localRoot);
      if (fields && fields.url && restoring.has(fields.url) && fields.type === "navigate") {
        fields.data.restored = true;
        if (fields.url === landing) restoring.clear();
      } else if (fields && fields.type === "click") restoring.clear();
      const event = fields && record(fields);
      if (event && !finishing && meets(event)) finish("criterion", {event});
    }
  });
  // The prototype loads only now that its events are heard: a click made before this script
  // ran, on a page it left at once, reached no one.
  if (frame && typeof firstPage === "string" && firstPage.startsWith(cfg.prototype_root)) frame.src = firstPage;

  if (done) {
    done.addEventListener("click", () => {
      if (criterion.type !== "answer" || !dialog || !answerInput) return finish("done");
      if (!dialog.open) dialog.showModal();
      answerInput.focus();
    });
  }
  const form = dialog && answerInput && dialog.querySelector("form");
  if (form) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const answer = answerInput.value.trim();
      if (!answer) return answerInput.focus();
      dialog.close();
      finish("done", {answer});
    });
    const back = $("uxlab-answer-cancel");  // optional: back to the task without answering
    if (back) back.addEventListener("click", () => dialog.close());
  }
  if (giveUp) {
    giveUp.setAttribute("aria-controls", confirm.id);
    giveUp.setAttribute("aria-expanded", "false");
    giveUp.addEventListener("click", () => {
      const asking = confirm.hidden;
      confirm.hidden = !asking;
      giveUp.setAttribute("aria-expanded", String(asking));
      say(asking ? phrase("give_up_question") : "");
      if (asking) confirm.focus();
    });
    confirm.addEventListener("click", () => finish("give_up"));
  }
  const toggle = $("uxlab-show-instructions"), instructions = $("uxlab-instructions");
  if (toggle && instructions) {
    toggle.addEventListener("click", () => {
      instructions.hidden = !instructions.hidden;
      toggle.setAttribute("aria-expanded", String(!instructions.hidden));
    });
  }

  if (!perTab.get("uxlab:started:" + attemptId)) {
    record({type: "task_start", data: {task: (cfg.task || {}).key || null}});
    perTab.set("uxlab:started:" + attemptId, "1");
  }
  const pending = readJson(shared.get(finishKey));
  if (pending && pending.key && pending.body) {
    // A finish was under way when the page reloaded: send it again, with the same key.
    finishing = true;
    enable(false);
    sendFinish(pending);
  }
  tick();
  if (!finishing) ticker = setInterval(tick, 250);
};

shared.keys().filter((key) => key.startsWith("uxlab:queue:")).forEach((key) => queueFor(key.slice(12)));
if (config && config.session && config.endpoints) runTask(config);
const flushAll = () => queues.forEach((queue) => queue.flush());
flushAll();
setInterval(flushAll, (config && config.flush_ms > 0 && config.flush_ms) || 2000);
window.addEventListener("online", () => {
  wakers.forEach((wake) => wake());
  queues.forEach((queue) => { queue.retryAt = 0; queue.flush(); });
});
let leaving = false;  // leaving hides the page too; pagehide has sent the queue by then
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden" && !leaving) queues.forEach((queue) => queue.flush(true));
});
window.addEventListener("pagehide", () => queues.forEach((queue) => {
  leaving = true;
  queue.flushOnExit();
  queue.unlock();  // a send cut short by leaving must not keep other tabs waiting
}));
window.addEventListener("pageshow", () => { leaving = false; });
})();
