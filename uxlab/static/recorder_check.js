/* uxlab: "check the snippet is installed" on a variant's recorder page. Loads the prototype's
   page in the frame and waits for its recorder's hello ({uxlab: 1, kind: "ready"}, see
   docs/recording.md) from the frame's window and the prototype's origin: a clear yes or no. */
(() => {
"use strict";
const frame = document.getElementById("recorder-frame");
const result = document.getElementById("recorder-check-result");
const again = document.getElementById("recorder-check");
if (!frame || !result) return;
const origin = frame.dataset.origin, wait = Number(frame.dataset.waitMs) || 10000;
let timer = null, heard = false;

const say = (state, text) => {
  result.dataset.state = state;
  result.textContent = text;
};
addEventListener("message", (e) => {
  const m = e.data;
  if (e.source !== frame.contentWindow || e.origin !== origin || !m || m.uxlab !== 1) return;
  if (m.kind !== "ready" || heard) return;
  heard = true;
  clearTimeout(timer);
  // Answer as the runner would, so the recorder stops repeating its hello.
  frame.contentWindow.postMessage({uxlab: 1, kind: "watch", rules: {}}, origin);
  say("yes", "Yes: the page loaded and its recorder said hello to uxlab. Participants' clicks and pages will be recorded.");
  again.hidden = false;
});
const check = () => {
  heard = false;
  again.hidden = true;
  say("checking", "Checking: loading the page and waiting for the recorder…");
  frame.src = frame.dataset.src;
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (heard) return;
    say("no", `No: the recorder did not say hello within ${Math.round(wait / 1000)} seconds. ` +
      "Check that the page includes the snippet (view its source), that its data-uxlab-origin " +
      `is exactly ${location.origin}, and that the site allows being shown in a frame ` +
      "(no X-Frame-Options: DENY, no Content-Security-Policy frame-ancestors that leaves uxlab out).");
    again.hidden = false;
  }, wait);
};
again.addEventListener("click", check);
check();
})();
