/* uxlab recorder: runs inside a prototype page shown in the participant runner's frame.
   It records clicks, page navigations and visibility changes and posts them to the runner
   (window.parent); it never talks to the server and never records input values or keys.
   Protocol: docs/recording.md. Local prototypes get it injected (data-uxlab-recorder);
   external ones include it with data-uxlab-origin="https://UXLAB-HOST". */
(() => {
  "use strict";
  if (window.parent === window || window.__uxlabRecorder) return;
  window.__uxlabRecorder = true;

  const script = document.currentScript;
  const declared = script && script.getAttribute("data-uxlab-origin");
  let parentOrigin;
  try {
    parentOrigin = declared ? new URL(declared).origin : location.origin;
  } catch (e) {
    return;
  }
  if (!parentOrigin || parentOrigin === "null") return;

  const INTERACTIVE = "a[href],button,input,select,textarea,label,summary,[onclick]," +
    "[contenteditable]:not([contenteditable=false]),[role=button],[role=link],[role=checkbox]," +
    "[role=radio],[role=menuitem],[role=tab],[role=option]";
  const FIELDS = "input,select,textarea";
  // Class names that are generated (CSS-in-JS hashes) or say a state rather than a thing.
  const UNSTABLE_CLASS = /\d{3,}|^(css|sc|jsx|svelte|emotion|styled)-|^(is|has)-|^(active|hover|focus|focused|selected|open|opened|visible|hidden|disabled|checked|current|show|shown)$/i;

  let root = null;        // the prototype root, from the runner's init (local prototypes only)
  let rules = null;       // {ruleId: selector}, from the runner's watch; null until it arrives
  let pending = [];       // [event, element] posted once the runner has answered
  let leaving = false;
  let labelControl = null;

  const post = (message) => {
    try {
      window.parent.postMessage(message, parentOrigin);
    } catch (e) { /* the parent went away */ }
  };

  const relative = (href) => root && href.startsWith(root) ? href.slice(root.length) : href;

  const matchedRules = (el) => {
    const ids = [];
    for (const [id, selector] of Object.entries(rules || {})) {
      try {
        if (el && el.closest(selector)) ids.push(id);
      } catch (e) { /* an invalid selector matches nothing */ }
    }
    return ids;
  };

  const emit = (event, el) => {
    if (rules === null && !leaving) {
      if (pending.length < 500) pending.push([event, el]);
      return;
    }
    if (event.type === "click" && rules) {
      const ids = matchedRules(el);
      if (ids.length) event.data.matched = ids;
    }
    event.url = relative(event.url);
    post({uxlab: 1, kind: "event", event});
  };

  const flushPending = () => {
    const waiting = pending;
    pending = [];
    for (const [event, el] of waiting) emit(event, el);
  };

  const stableClass = (name) => /^[A-Za-z_][\w-]*$/.test(name) && name.length <= 40 &&
    !UNSTABLE_CLASS.test(name);

  const unique = (selector) => {
    try {
      return document.querySelectorAll(selector).length === 1;
    } catch (e) {
      return false;
    }
  };

  // A short selector that still finds the element after a reload: its id; else a path of tag
  // names, stable classes and :nth-of-type up to the nearest ancestor with an id, the body, or
  // the first point where the path is unique in the page.
  const selectorOf = (el) => {
    if (el.id) return "#" + CSS.escape(el.id);
    const parts = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      if (node !== el && node.id) {
        parts.unshift("#" + CSS.escape(node.id));
        break;
      }
      const tag = node.localName;
      if (tag === "html") break;
      let part = CSS.escape(tag) + [...node.classList].filter(stableClass).slice(0, 2)
        .map((c) => "." + CSS.escape(c)).join("");
      const parent = node.parentElement;
      if (parent && tag !== "body") {
        const same = [...parent.children].filter((c) => c.localName === tag);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      parts.unshift(part);
      if (tag === "body" || parts.length >= 12 || unique(parts.join(" > "))) break;
    }
    let selector = parts.join(" > ");
    while (selector.length > 1000 && parts.length > 1) {
      parts.shift();
      selector = parts.join(" > ");
    }
    return selector.slice(0, 1000);
  };

  const interactiveOf = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      if (node.matches(INTERACTIVE)) return node;
      const tabindex = node.getAttribute("tabindex");
      if (tabindex !== null && parseInt(tabindex, 10) >= 0) return node;
    }
    return null;
  };

  const clean = (text) => (text || "").replace(/\s+/g, " ").trim().slice(0, 80);

  // A control's accessible label: what it says, never what was typed into it.
  const labelOf = (control) => {
    const named = control.getAttribute("aria-label");
    if (named) return clean(named);
    const by = control.getAttribute("aria-labelledby");
    if (by) {
      const text = by.split(/\s+/).map((id) => document.getElementById(id))
        .filter(Boolean).map((n) => n.textContent).join(" ");
      if (clean(text)) return clean(text);
    }
    const isField = control.matches(FIELDS) || control.isContentEditable;
    if (isField) {
      const type = (control.getAttribute("type") || "").toLowerCase();
      // The caption of a submit/reset/button input is the page author's, not typed.
      if (control.localName === "input" && ["submit", "reset", "button"].includes(type)) {
        return clean(control.getAttribute("value"));
      }
      if (control.localName === "input" && type === "image") return clean(control.alt);
      const label = control.labels && control.labels[0];
      return clean((label && label.textContent) || control.getAttribute("placeholder") ||
        control.getAttribute("title"));
    }
    if (control.querySelector(FIELDS + ",[contenteditable]")) {
      return clean(control.getAttribute("title"));
    }
    const img = control.querySelector("img[alt]");
    return clean(control.textContent) || clean(control.getAttribute("title")) ||
      clean(img && img.alt);
  };

  const viewport = () => ({
    vw: window.innerWidth, vh: window.innerHeight,
    sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight,
  });

  const onClick = (e) => {
    // Only the participant's own clicks: not a script's el.click() on the page.
    if (!e.isTrusted) return;
    const el = e.target instanceof Element ? e.target : null;
    if (!el) return;
    // A click on a label makes the browser click its control too: count the participant's one.
    if (labelControl && el === labelControl) return;
    const label = el.closest("label");
    if (label && label.control && label.control !== el) {
      labelControl = label.control;
      setTimeout(() => { labelControl = null; }, 0);
    }
    const control = interactiveOf(el);
    const keyboard = e.detail === 0 && e.clientX === 0 && e.clientY === 0;
    const data = {interactive: control !== null, ...viewport()};
    if (keyboard) data.keyboard = true;
    if (control) {
      const text = labelOf(control);
      if (text) data.text = text;
    }
    emit({
      type: "click", t: Date.now(),
      x: keyboard ? null : Math.round(e.pageX), y: keyboard ? null : Math.round(e.pageY),
      target: selectorOf(el), url: location.href, data,
    }, el);
  };

  const navigate = () => emit({
    type: "navigate", t: Date.now(), url: location.href,
    data: {title: clean(document.title).slice(0, 80), vw: window.innerWidth, vh: window.innerHeight},
  }, null);

  const guard = (fn) => (...args) => {
    try {
      fn(...args);
    } catch (e) { /* the recorder must never break the page */ }
  };

  window.addEventListener("message", guard((e) => {
    if (e.source !== window.parent || e.origin !== parentOrigin) return;
    const m = e.data;
    if (!m || m.uxlab !== 1) return;
    if (m.kind === "init") {
      root = typeof m.root === "string" && m.root ? m.root : null;
    } else if (m.kind === "watch") {
      rules = {};
      for (const [id, selector] of Object.entries(m.rules || {})) {
        if (typeof selector === "string") rules[id] = selector;
      }
      flushPending();
    }
  }));

  document.addEventListener("click", guard(onClick), true);
  document.addEventListener("visibilitychange", guard(() => {
    // Leaving the page hides it too; that is a navigation, not the participant looking away.
    if (leaving) return;
    emit({type: "visibility", t: Date.now(), url: location.href, data: {state: document.visibilityState}}, null);
  }));
  window.addEventListener("pagehide", guard(() => {
    leaving = true;
    flushPending();
  }));
  window.addEventListener("pageshow", guard((e) => {
    if (!e.persisted) return;
    leaving = false;
    navigate();
  }));
  window.addEventListener("popstate", guard(navigate));
  const pushState = history.pushState;
  history.pushState = function (...args) {
    const result = pushState.apply(this, args);
    guard(navigate)();
    return result;
  };

  navigate();
  // Say hello until the runner answers (its listener may not be there yet).
  let hellos = 0;
  const hello = () => {
    if (rules !== null || hellos++ > 50) return;
    post({uxlab: 1, kind: "ready"});
    setTimeout(hello, hellos < 5 ? 50 : 250);
  };
  hello();
})();
