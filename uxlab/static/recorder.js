/* uxlab recorder (docs/recording.md): in a prototype page in the runner's frame, posts clicks,
   page loads and visibility changes to the runner (window.parent), never to the server; never
   input values, key presses, or what a GET form put into a URL. Local prototypes get it inline,
   first in the page; external ones include it with data-uxlab-origin="https://UXLAB-HOST". */
(() => {
"use strict";
if (window.parent === window || window.__uxlabRecorder) return;
window.__uxlabRecorder = true;
const declared = document.currentScript && document.currentScript.getAttribute("data-uxlab-origin");
let parentOrigin = location.origin;
try {
  if (declared) parentOrigin = new URL(declared).origin;
} catch (e) {
  return;
}
if (parentOrigin === "null") return;

const INTERACTIVE = "a[href],button,input,select,textarea,label,summary,[onclick]," +
  "[contenteditable]:not([contenteditable=false]),[role=button],[role=link],[role=checkbox]," +
  "[role=radio],[role=menuitem],[role=tab],[role=option]";
const FIELDS = "input,select,textarea";
// Generated (CSS-in-JS hashes) and state classes make selectors that break.
const UNSTABLE = /\d{3}|^(css|sc|jsx|svelte|emotion|styled)-|^(is|has)-|^(active|hover|focus(ed)?|selected|open(ed)?|visible|hidden|disabled|checked|current|shown?)$/i;

let root = null;    // the local prototype's root, from the runner's init
let rules = null;   // {ruleId: selector} from the runner's watch; null until it arrives
let pending = [];   // [event, element] held until the runner answers and the page is parsed
let leaving = false, labelControl = null;

const post = (message) => {
  try { window.parent.postMessage(message, parentOrigin); } catch (e) { /* parent gone */ }
};
const send = (event, el) => {
  if (event.type === "click") {
    const ids = Object.keys(rules || {}).filter((id) => {
      try { return el.closest(rules[id]); } catch (e) { return false; }
    });
    if (ids.length) event.data.matched = ids;
  }
  if (!event.data) event.data = pageData();  // the page's load: read once the page is parsed
  if (root && event.url.startsWith(root)) event.url = event.url.slice(root.length);
  post({uxlab: 1, kind: "event", event});
};
// Held until the runner has answered and the page is parsed, then sent in the order they came.
const emit = (event, el) => {
  if (event && pending.length < 500) pending.push([event, el]);
  if ((rules === null || document.readyState === "loading") && !leaving) return;
  pending.splice(0).forEach(([held, target]) => send(held, target));
};
const flushPending = () => emit(null);

const unique = (selector) => {
  try { return document.querySelectorAll(selector).length === 1; } catch (e) { return false; }
};
// Its id; else tag names, stable classes and :nth-of-type up to the nearest ancestor with an
// id, the body, or the first point where the path is unique in the page.
const selectorOf = (el) => {
  if (el.id) return "#" + CSS.escape(el.id);
  const parts = [];
  for (let node = el; node && node.nodeType === 1 && node.localName !== "html"; node = node.parentElement) {
    if (node !== el && node.id) {
      parts.unshift("#" + CSS.escape(node.id));
      break;
    }
    const tag = node.localName, parent = node.parentElement;
    let part = CSS.escape(tag) + [...node.classList]
      .filter((c) => /^[A-Za-z_][\w-]{0,39}$/.test(c) && !UNSTABLE.test(c)).slice(0, 2)
      .map((c) => "." + CSS.escape(c)).join("");
    const same = parent && tag !== "body" ? [...parent.children].filter((c) => c.localName === tag) : [];
    if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
    parts.unshift(part);
    if (tag === "body" || parts.length >= 12 || unique(parts.join(" > "))) break;
  }
  while (parts.join(" > ").length > 1000 && parts.length > 1) parts.shift();
  return parts.join(" > ").slice(0, 1000);
};

const interactiveOf = (el) => {
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    if (node.matches(INTERACTIVE) || parseInt(node.getAttribute("tabindex"), 10) >= 0) return node;
  }
  return null;
};
const clean = (text) => (text || "").replace(/\s+/g, " ").trim().slice(0, 80);
// As laid out: a card's heading, line and price apart.
const textOf = (node) => (typeof node.innerText === "string" ? node.innerText : node.textContent);
// A control's accessible label: what it says, never what was typed into it.
const labelOf = (control) => {
  const by = (control.getAttribute("aria-labelledby") || "").split(/\s+/)
    .map((id) => document.getElementById(id)).filter(Boolean).map(textOf).join(" ");
  const named = clean(control.getAttribute("aria-label")) || clean(by);
  if (named) return named;
  if (control.matches(FIELDS) || control.isContentEditable) {
    const type = (control.getAttribute("type") || "").toLowerCase();
    // A submit/reset/button input's caption is the page author's, not typed.
    if (control.localName === "input" && ["submit", "reset", "button"].includes(type)) {
      return clean(control.getAttribute("value"));
    }
    const label = control.labels && control.labels[0];
    return clean((label && textOf(label)) || control.getAttribute("placeholder") ||
      control.getAttribute("title") || control.getAttribute("alt"));
  }
  if (control.querySelector(FIELDS + ",[contenteditable]")) return clean(control.getAttribute("title"));
  const img = control.querySelector("img[alt]");
  return clean(textOf(control)) || clean(control.getAttribute("title")) || clean(img && img.alt);
};

// A GET form puts what was typed into the next page's URL: recorded URLs leave those out.
const typedNames = () => {
  try { return JSON.parse(sessionStorage.getItem("uxlab-typed") || "[]"); } catch (e) { return []; }
};
const onSubmit = (e) => {
  const form = e.target, names = new Set(typedNames());
  if (!(form instanceof HTMLFormElement) || form.method !== "get") return;
  for (const c of form.elements) {
    if (c.name && (c.localName === "textarea" || (c.localName === "input" &&
      !/^(hidden|submit|button|image|reset|checkbox|radio|range|color)$/.test(c.type)))) names.add(c.name);
  }
  try { sessionStorage.setItem("uxlab-typed", JSON.stringify([...names])); } catch (err) { /* full */ }
};
const pageUrl = () => {
  const names = typedNames(), url = new URL(location.href);
  if (!names.some((n) => url.searchParams.has(n))) return location.href;
  url.search = new URLSearchParams([...url.searchParams].map(([n, v]) => [n, names.includes(n) ? "" : v]));
  return url.href;
};

const onClick = (e) => {
  const el = e.target;
  // Only the participant's clicks: not a script's el.click(), and a label's click on its
  // control (which the browser makes) is not a second click.
  if (!e.isTrusted || !(el instanceof Element) || el === labelControl) return;
  const label = el.closest("label");
  if (label && label.control && label.control !== el) {
    labelControl = label.control;
    setTimeout(() => { labelControl = null; }, 0);
  }
  const control = interactiveOf(el), keyboard = e.detail === 0 && !e.clientX && !e.clientY;
  const doc = document.documentElement;
  const data = {interactive: Boolean(control), vw: innerWidth, vh: innerHeight,
    sw: doc.scrollWidth, sh: doc.scrollHeight};
  const text = control && labelOf(control);
  if (text) data.text = text;
  emit({type: "click", t: Date.now(), x: keyboard ? null : Math.round(e.pageX),
    y: keyboard ? null : Math.round(e.pageY), target: selectorOf(el), url: pageUrl(), data}, el);
};
const pageData = () => ({title: clean(document.title), vw: innerWidth, vh: innerHeight});
const navigate = () => emit({type: "navigate", t: Date.now(), url: pageUrl(),
  data: document.readyState === "loading" ? null : pageData()}, null);
const guard = (fn) => (...args) => {
  try { fn(...args); } catch (e) { /* the recorder must never break the page */ }
};

addEventListener("message", guard((e) => {
  const m = e.data;
  if (e.source !== window.parent || e.origin !== parentOrigin || !m || m.uxlab !== 1) return;
  if (m.kind === "init") root = typeof m.root === "string" && m.root ? m.root : null;
  if (m.kind === "watch") {
    rules = {};
    for (const [id, selector] of Object.entries(m.rules || {})) {
      if (typeof selector === "string") rules[id] = selector;
    }
    flushPending();
  }
}));
document.addEventListener("click", guard(onClick), true);
document.addEventListener("submit", guard(onSubmit), true);
document.addEventListener("visibilitychange", guard(() => {
  // Leaving the page hides it too: that is a navigation, not the participant looking away.
  if (!leaving) emit({type: "visibility", t: Date.now(), url: pageUrl(), data: {state: document.visibilityState}}, null);
}));
document.addEventListener("readystatechange", guard(flushPending));
addEventListener("pagehide", guard(() => { leaving = true; flushPending(); }));
addEventListener("popstate", guard(navigate));
const pushState = history.pushState;
history.pushState = function (...args) {
  const result = pushState.apply(this, args);
  guard(navigate)();
  return result;
};

navigate();
// Say hello until the runner answers: its listener may not be there yet.
let hellos = 0;
const hello = () => {
  if (rules !== null || hellos++ > 50) return;
  post({uxlab: 1, kind: "ready"});
  setTimeout(hello, hellos < 5 ? 50 : 250);
};
hello();
})();
