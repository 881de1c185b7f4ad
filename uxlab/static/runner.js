/* uxlab participant runner: the task bar around a prototype, and the queue that gets every
   recorded event to the server exactly once (docs/recording.md).

   On a task page (<script type="application/json" id="uxlab-task">) it stamps and stores the
   recorder's events, watches the success criterion, runs the timer and ends the attempt. On any
   other participant page it only sends what earlier pages left in the queue.
   Optional config key for tests: "flush_ms" (default 2000), the batching interval. */
(() => {
  "use strict";

  const BATCH_EVENTS = 50;
  const BATCH_BYTES = 200 * 1024;     // the server takes bodies up to 256 KB
  const EXIT_CHUNK_BYTES = 60 * 1024;  // keepalive and beacon bodies stay under 64 KB
  const LOCK_MS = 5000;
  const REQUEST_TIMEOUT_MS = 15000;
  const BACKOFF_BASE_MS = 1000;
  const BACKOFF_CAP_MS = 30000;
  const OFFLINE = "Offline — your work is kept and will be sent when you are back online";
  const UNREACHABLE = "Cannot reach the server — your work is kept and will be sent when it answers";
  const DELAYED = "Saving is delayed — your work is kept and will be sent shortly";

  const $ = (id) => document.getElementById(id);
  const storage = (area) => ({
    get(key) {
      try { return area().getItem(key); } catch (e) { return null; }
    },
    set(key, value) {
      try { area().setItem(key, value); return true; } catch (e) { return false; }
    },
    remove(key) {
      try { area().removeItem(key); } catch (e) { /* nothing to remove */ }
    },
    keys() {
      try {
        const a = area();
        return Array.from({length: a.length}, (_, i) => a.key(i));
      } catch (e) {
        return [];
      }
    },
  });
  const shared = storage(() => window.localStorage);
  const perTab = storage(() => window.sessionStorage);
  const readJson = (text) => {
    try { return JSON.parse(text); } catch (e) { return null; }
  };
  const encoder = new TextEncoder();
  const byteLength = (text) => encoder.encode(text).length;

  // crypto.randomUUID exists only in secure contexts (https, localhost).
  const uuid = () => {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };

  const PAGE = uuid();  // this page load: the owner of the send lock
  const tabId = perTab.get("uxlab:tab") || (() => {
    const id = uuid();
    perTab.set("uxlab:tab", id);
    return id;
  })();
  let seqFloor = 0;
  // Stored before it is used, so a reload continues after it and never reuses a number.
  const nextSeq = () => {
    const stored = parseInt(perTab.get("uxlab:seq"), 10);
    const seq = Math.max(Number.isSafeInteger(stored) ? stored : 0, seqFloor);
    seqFloor = seq + 1;
    perTab.set("uxlab:seq", String(seq + 1));
    return seq;
  };

  // Sleeps that the browser coming back online cuts short.
  const wakers = new Set();
  const sleep = (ms) => new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wakers.delete(done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    wakers.add(done);
  });

  const retryable = (status) => status === 408 || status === 429 || status >= 500;
  const retryAfterMs = (value) => {
    if (!value) return null;
    const ms = /^\s*\d+\s*$/.test(value) ? parseInt(value, 10) * 1000 : Date.parse(value) - Date.now();
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 600000) : null;
  };
  // Capped exponential backoff with full jitter; a Retry-After answer is waited out.
  const backoffMs = (failures, response) => {
    const after = response ? retryAfterMs(response.headers.get("Retry-After")) : null;
    if (after !== null) return after + Math.random() * 250;
    return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(failures, 16));
  };

  const postJson = async (url, body, headers = {}) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await fetch(url, {
        method: "POST", body, credentials: "same-origin", cache: "no-store",
        headers: {"Content-Type": "application/json", ...headers}, signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  };

  const statusEl = $("uxlab-status");
  let finishing = false;
  const say = (text) => {
    if (statusEl && statusEl.textContent !== text) statusEl.textContent = text;
  };
  const troubleText = (response) => response ? DELAYED : (navigator.onLine === false ? OFFLINE : UNREACHABLE);

  const takeBatch = (events, maxBytes, overhead) => {
    const batch = [];
    let bytes = overhead;
    for (const event of events) {
      const size = byteLength(JSON.stringify(event)) + 1;
      if (batch.length && (batch.length >= BATCH_EVENTS || bytes + size > maxBytes)) break;
      batch.push(event);
      bytes += size;
    }
    return batch;
  };

  /* The queue of one session, shared by the tabs of this browser in localStorage. Each tab also
     keeps the events it made in memory until the server has them, and writes them back whenever
     it writes the queue: two tabs writing at once cannot lose one another's events. */
  class EventQueue {
    constructor(session, endpoint, token) {
      this.key = "uxlab:queue:" + session;
      this.lockKey = "uxlab:lock:" + session;
      this.endpoint = endpoint || null;
      this.token = token || null;
      this.own = new Map();
      this.settled = new Set();
      this.failures = 0;
      this.retryAt = 0;
      this.sending = null;
      this.trouble = null;
      this.channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(this.key) : null;
      if (this.channel) {
        this.channel.onmessage = (e) => this.forget((e.data && e.data.settled) || []);
      }
    }

    read() {
      const stored = readJson(shared.get(this.key));
      if (stored && typeof stored === "object") {
        this.endpoint = this.endpoint || stored.endpoint || null;
        this.token = this.token || stored.token || null;
      }
      const seen = new Set();
      const events = [];
      const keep = (event) => {
        if (!event || typeof event.id !== "string" || seen.has(event.id) || this.settled.has(event.id)) return;
        seen.add(event.id);
        events.push(event);
      };
      ((stored && Array.isArray(stored.events)) ? stored.events : []).forEach(keep);
      this.own.forEach(keep);
      return events;
    }

    write(events) {
      if (!events.length) {
        shared.remove(this.key);
        return true;
      }
      return shared.set(this.key, JSON.stringify({endpoint: this.endpoint, token: this.token, events}));
    }

    add(event) {
      this.own.set(event.id, event);
      const events = this.read();
      if (!this.write(events)) console.warn("uxlab: could not store an event; it is kept in memory");
      if (events.length >= BATCH_EVENTS) this.flush();
    }

    forget(ids) {
      for (const id of ids) {
        this.settled.add(id);
        this.own.delete(id);
      }
      if (this.settled.size > 5000) this.settled = new Set([...this.settled].slice(-2000));
    }

    // The server has these events (or refused them for good): out of the queue in every tab.
    settle(ids) {
      this.forget(ids);
      this.write(this.read());
      if (this.channel) this.channel.postMessage({settled: ids});
    }

    body(events) {
      return this.token ? {events, token: this.token} : {events};
    }

    lock() {
      const now = Date.now();
      const held = readJson(shared.get(this.lockKey));
      if (held && held.owner !== PAGE && held.exp > now) return false;
      // Without localStorage there is nothing to share and nobody to wait for.
      if (!shared.set(this.lockKey, JSON.stringify({owner: PAGE, exp: now + LOCK_MS}))) return true;
      const mine = readJson(shared.get(this.lockKey));
      return Boolean(mine && mine.owner === PAGE);
    }

    unlock() {
      const held = readJson(shared.get(this.lockKey));
      if (held && held.owner === PAGE) shared.remove(this.lockKey);
    }

    setTrouble(response) {
      this.trouble = response === undefined ? null : troubleText(response);
      showTrouble();
    }

    flush(force = false) {
      if (this.sending) return this.sending;
      if (!force && Date.now() < this.retryAt) return Promise.resolve();
      const events = this.read();
      if (!events.length || !this.endpoint) return Promise.resolve();
      if (!this.lock()) return Promise.resolve();  // another tab is sending the queue
      this.sending = this.send(events).finally(() => {
        this.sending = null;
        this.unlock();
      });
      return this.sending;
    }

    async send(events) {
      const renew = setInterval(() => this.lock(), LOCK_MS / 2);
      try {
        for (let round = 0; events.length && round < 20; round++) {
          const batch = takeBatch(events, BATCH_BYTES, 64 + (this.token || "").length);
          const ids = batch.map((event) => event.id);
          let response = null;
          try {
            response = await postJson(this.endpoint, JSON.stringify(this.body(batch)));
          } catch (e) { /* network error or timeout: retried below */ }
          if (response && !response.ok && !retryable(response.status)) {
            const detail = await response.text().catch(() => "");
            console.error(`uxlab: the server refused ${batch.length} events (HTTP ${response.status}); ` +
              `they are dropped. ${detail}`);
          } else if (!response || !response.ok) {
            this.retryAt = Date.now() + backoffMs(this.failures++, response);
            this.setTrouble(response);
            return;
          } else {
            this.failures = 0;
            this.retryAt = 0;
            this.setTrouble();
          }
          this.settle(ids);
          events = this.read();
        }
      } finally {
        clearInterval(renew);
      }
    }

    // Try to empty the queue within ``ms`` (before leaving a task); what is left stays stored.
    async drain(ms) {
      const deadline = Date.now() + ms;
      let force = true;
      while (this.read().length && Date.now() < deadline) {
        await Promise.race([this.flush(force), sleep(deadline - Date.now())]);
        force = false;
        if (!this.read().length) break;
        await sleep(Math.min(Math.max(this.retryAt - Date.now(), 50), deadline - Date.now()));
      }
      return !this.read().length;
    }

    // On pagehide: send the rest with requests that outlive the page. No answer can be read, so
    // the events stay queued; the next page sends them again and the server keeps one copy.
    flushOnExit() {
      let events = this.read();
      if (!events.length || !this.endpoint) return;
      let keepaliveBudget = 64 * 1024;
      while (events.length) {
        const batch = takeBatch(events, EXIT_CHUNK_BYTES, 64 + (this.token || "").length);
        events = events.slice(batch.length);
        const body = JSON.stringify(this.body(batch));
        const size = byteLength(body);
        let sent = false;
        if (size <= keepaliveBudget) {
          try {
            fetch(this.endpoint, {
              method: "POST", body, keepalive: true, credentials: "same-origin",
              headers: {"Content-Type": "application/json"},
            }).catch(() => {});
            keepaliveBudget -= size;
            sent = true;
          } catch (e) { /* fall back to a beacon */ }
        }
        if (!sent && navigator.sendBeacon) {
          try {
            sent = navigator.sendBeacon(this.endpoint, new Blob([body], {type: "application/json"}));
          } catch (e) { /* left for the next page */ }
        }
        if (!sent) return;
      }
    }
  }

  const queues = new Map();
  const queueFor = (session, endpoint, token) => {
    let queue = queues.get(session);
    if (!queue) {
      queue = new EventQueue(session, endpoint, token);
      queues.set(session, queue);
    } else {
      queue.endpoint = endpoint || queue.endpoint;
      queue.token = token || queue.token;
    }
    return queue;
  };
  const showTrouble = () => {
    if (finishing) return;
    const trouble = [...queues.values()].map((q) => q.trouble).find(Boolean);
    if (trouble) say(trouble);
    else if (statusEl && [OFFLINE, UNREACHABLE, DELAYED].includes(statusEl.textContent)) say("");
  };

  /* Events from the prototype: only the fields and data keys of the protocol, within its limits,
     so that one odd event cannot get a whole batch refused. */
  const EVENT_TYPES = new Set(["click", "navigate", "visibility", "resize"]);
  const wellFormed = (s) => s.toWellFormed ? s.toWellFormed()
    : s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  const text = (value, max) => typeof value === "string" && value
    ? wellFormed(value.slice(0, max)).replace(/\u0000/g, "") : null;
  const number = (value) => Number.isFinite(value) ? value : null;

  const cleanEvent = (raw, ruleIds, localRoot) => {
    if (!raw || typeof raw !== "object" || !EVENT_TYPES.has(raw.type)) return null;
    const given = raw.data && typeof raw.data === "object" ? raw.data : {};
    const data = {};
    if (typeof given.interactive === "boolean") data.interactive = given.interactive;
    if (given.keyboard === true) data.keyboard = true;
    for (const key of ["vw", "vh", "sw", "sh"]) {
      if (Number.isFinite(given[key])) data[key] = Math.round(given[key]);
    }
    for (const [key, max] of [["text", 80], ["title", 80], ["state", 20]]) {
      const value = text(given[key], max);
      if (value) data[key] = value;
    }
    if (Array.isArray(given.matched)) {
      const matched = given.matched.filter((id) => ruleIds.includes(id));
      if (matched.length) data.matched = matched;
    }
    let url = text(raw.url, 4000);
    if (url && localRoot && url.startsWith(localRoot)) url = url.slice(localRoot.length);
    return {
      type: raw.type,
      t: Number.isSafeInteger(raw.t) && raw.t > 0 ? raw.t : Date.now(),
      x: raw.type === "click" ? number(raw.x) : null,
      y: raw.type === "click" ? number(raw.y) : null,
      target: text(raw.target, 1000),
      url: url ? url.slice(0, 2000) : null,
      data,
    };
  };

  const urlMatches = (rule, url) => {
    if (typeof url !== "string" || typeof rule.url !== "string") return false;
    const pathAndQuery = url.split("#")[0];
    const path = pathAndQuery.split("?")[0];
    const match = rule.match || "exact";
    if (match === "exact") return (rule.url.includes("?") ? pathAndQuery : path) === rule.url;
    if (match === "prefix") return pathAndQuery.startsWith(rule.url);
    if (match === "regex") {
      try { return new RegExp(rule.url).test(pathAndQuery); } catch (e) { return false; }
    }
    return false;
  };

  const runTask = (cfg) => {
    const queue = queueFor(cfg.session, cfg.endpoints && cfg.endpoints.events, cfg.ingest_token);
    const attempt = Number.isSafeInteger(cfg.attempt) ? cfg.attempt : null;
    const frame = $("uxlab-frame");
    const origin = cfg.prototype_origin;
    const localRoot = origin === location.origin ? cfg.prototype_root || null : null;
    const criterion = cfg.criterion || {};
    const finishKey = "uxlab:finish:" + attempt;
    const doneButton = $("uxlab-done");
    const giveUpButton = $("uxlab-giveup");
    let confirmButton = $("uxlab-giveup-confirm");
    const dialog = $("uxlab-answer-dialog");
    const answerInput = $("uxlab-answer");

    const record = (fields) => {
      const event = {
        id: uuid(), seq: nextSeq(), tab: tabId, type: fields.type, t: fields.t || Date.now(),
        attempt, x: fields.x ?? null, y: fields.y ?? null, target: fields.target ?? null,
        url: fields.url ?? null, data: fields.data || {},
      };
      queue.add(event);
      return event;
    };

    // The recorder's element rules: "success" and "error:<i>" (docs/recording.md).
    const rules = {};
    if (criterion.type === "element" && typeof criterion.selector === "string") {
      rules.success = criterion.selector;
    }
    (cfg.error_rules || []).forEach((rule, i) => {
      if (rule && rule.type === "element" && typeof rule.selector === "string") {
        rules["error:" + i] = rule.selector;
      }
    });
    const ruleIds = Object.keys(rules);

    const meets = (event) => {
      if (criterion.type === "url") return event.type === "navigate" && urlMatches(criterion, event.url);
      if (criterion.type === "element") {
        return event.type === "click" && (event.data.matched || []).includes("success");
      }
      return false;
    };

    // The timer counts from the server's start of the attempt, on the server's clock.
    const skew = Number.isFinite(cfg.server_now_ms) ? cfg.server_now_ms - Date.now() : 0;
    const startedAt = Number.isFinite(cfg.started_at_ms) ? cfg.started_at_ms : Date.now() + skew;
    const limitMs = cfg.time_limit_s > 0 ? cfg.time_limit_s * 1000 : null;
    const elapsed = () => Math.max(0, Date.now() + skew - startedAt);
    const timerEl = $("uxlab-timer");
    let ticker = null;
    const tick = () => {
      const ms = elapsed();
      const s = Math.floor(ms / 1000);
      const shown = `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
      if (timerEl && timerEl.textContent !== shown) timerEl.textContent = shown;
      if (limitMs && ms >= limitMs) finish("timeout");
    };

    if (giveUpButton && !confirmButton) {
      confirmButton = document.createElement("button");
      confirmButton.type = "button";
      confirmButton.id = "uxlab-giveup-confirm";
      confirmButton.textContent = "Yes, give up";
      confirmButton.hidden = true;
      giveUpButton.after(confirmButton);
    }
    const buttons = [doneButton, giveUpButton, confirmButton].filter(Boolean);
    const enable = (on) => buttons.forEach((button) => { button.disabled = !on; });

    const sendFinish = async (pending) => {
      if (pending.body.reason === "done" && ["url", "element"].includes(criterion.type)) {
        // The server looks for the criterion in the stored events: store them first.
        await queue.drain(2000);
      }
      for (let failures = 0; ; failures++) {
        say("Saving…");
        let response = null;
        try {
          response = await postJson(cfg.endpoints.finish, JSON.stringify(pending.body),
            {"Idempotency-Key": pending.key});
        } catch (e) { /* retried below */ }
        // 409: this attempt is no longer the current step; the server knows where to go.
        if (response && (response.ok || response.status === 409 || response.status === 410)) {
          shared.remove(finishKey);
          await queue.drain(3000);
          location.assign(cfg.next_url || "/run");
          return;
        }
        if (response && !retryable(response.status)) {
          shared.remove(finishKey);
          const problem = await response.json().catch(() => ({}));
          console.error(`uxlab: the server refused to end the task (HTTP ${response.status})`, problem);
          finishing = false;
          enable(true);
          ticker = ticker || setInterval(tick, 250);
          say(`That did not work: ${problem.message || "the server said no"}. Please carry on.`);
          return;
        }
        say(troubleText(response));
        await sleep(backoffMs(failures, response));
      }
    };

    // One finish per user action: its key and body are stored, so a reload sends the same again.
    const finish = (reason, extra = {}) => {
      if (finishing) return;
      finishing = true;
      clearInterval(ticker);
      ticker = null;
      enable(false);
      if (confirmButton) confirmButton.hidden = true;
      let pending = readJson(shared.get(finishKey));
      if (!pending || !pending.key || !pending.body) {
        record({type: "task_end", data: {reason}});
        pending = {key: uuid(), body: {
          reason, answer: extra.answer ?? null, client_time_ms: Math.round(elapsed()),
          event: extra.event ?? null,
        }};
        shared.set(finishKey, JSON.stringify(pending));
      }
      sendFinish(pending);
    };

    const toFrame = (message) => {
      try {
        frame.contentWindow.postMessage(message, origin);
      } catch (e) { /* the frame shows another origin's page for now */ }
    };
    window.addEventListener("message", (e) => {
      if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
      const message = e.data;
      if (!message || message.uxlab !== 1) return;
      if (message.kind === "ready") {
        toFrame({uxlab: 1, kind: "init", root: localRoot});
        toFrame({uxlab: 1, kind: "watch", rules});
      } else if (message.kind === "event") {
        const fields = cleanEvent(message.event, ruleIds, localRoot);
        if (!fields) return;
        const event = record(fields);
        if (!finishing && meets(event)) finish("criterion", {event});
      }
    });

    if (doneButton) {
      doneButton.addEventListener("click", () => {
        if (criterion.type === "answer" && dialog && answerInput) {
          if (!dialog.open) dialog.showModal();
          answerInput.focus();
        } else {
          finish("done");
        }
      });
    }
    if (dialog && answerInput) {
      const form = dialog.querySelector("form");
      if (form) {
        form.addEventListener("submit", (e) => {
          e.preventDefault();
          const answer = answerInput.value.trim();
          if (!answer) {
            answerInput.focus();
            return;
          }
          dialog.close();
          finish("done", {answer});
        });
      }
      const cancel = $("uxlab-answer-cancel");
      if (cancel) cancel.addEventListener("click", () => dialog.close());
    }
    if (giveUpButton && confirmButton) {
      giveUpButton.setAttribute("aria-controls", confirmButton.id);
      giveUpButton.setAttribute("aria-expanded", "false");
      giveUpButton.addEventListener("click", () => {
        const asking = confirmButton.hidden;
        confirmButton.hidden = !asking;
        giveUpButton.setAttribute("aria-expanded", String(asking));
        say(asking ? "Are you sure? Press “Yes, give up” to stop this task." : "");
        if (asking) confirmButton.focus();
      });
      confirmButton.addEventListener("click", () => finish("give_up"));
    }
    const toggle = $("uxlab-show-instructions");
    const instructions = $("uxlab-instructions");
    if (toggle && instructions) {
      toggle.addEventListener("click", () => {
        instructions.hidden = !instructions.hidden;
        toggle.setAttribute("aria-expanded", String(!instructions.hidden));
      });
    }

    const startedKey = "uxlab:started:" + attempt;
    if (!perTab.get(startedKey)) {
      record({type: "task_start", data: {task: (cfg.task && cfg.task.key) || null}});
      perTab.set(startedKey, "1");
    }
    const pending = readJson(shared.get(finishKey));
    if (pending && pending.key && pending.body) {
      // A finish was under way when the page reloaded: send it again, with the same key.
      finishing = true;
      enable(false);
      tick();
      sendFinish(pending);
    } else {
      tick();
      if (!finishing) ticker = setInterval(tick, 250);
    }
  };

  const configEl = $("uxlab-task");
  const config = configEl ? readJson(configEl.textContent) : null;
  const flushMs = config && config.flush_ms > 0 ? config.flush_ms : 2000;
  for (const key of shared.keys()) {
    if (key && key.startsWith("uxlab:queue:")) queueFor(key.slice("uxlab:queue:".length));
  }
  if (config && config.session) runTask(config);

  const flushAll = () => queues.forEach((queue) => queue.flush());
  flushAll();
  setInterval(flushAll, flushMs);
  window.addEventListener("online", () => {
    [...wakers].forEach((wake) => wake());
    queues.forEach((queue) => {
      queue.retryAt = 0;
      queue.flush();
    });
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") queues.forEach((queue) => queue.flush(true));
  });
  window.addEventListener("pagehide", () => queues.forEach((queue) => {
    queue.flushOnExit();
    queue.unlock();  // a send cut short by leaving must not keep other tabs waiting
  }));
})();
