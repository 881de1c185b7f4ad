"use strict";
/* uxlab: a remote-moderated session's page follows its moderator. The moderator may start,
   pause, end or skip a task from the live console; the server then holds the participant on
   another step. Every second this asks for the step's version: a new one reloads the page the
   server shows (the runner's queued events go with its page-hide flush), a pause covers the
   task with a notice until the moderator resumes it. */
(() => {
  const me = document.currentScript;
  const url = me.dataset.url, version = me.dataset.version;
  let cover = null;
  const paused = (on) => {
    if (on && !cover) {
      cover = document.createElement("div");
      cover.id = "uxlab-paused";
      cover.setAttribute("role", "alertdialog");
      cover.setAttribute("aria-live", "assertive");
      cover.style.cssText = "position:fixed;inset:0;z-index:2147483647;display:flex;" +
        "align-items:center;justify-content:center;background:rgba(20,20,20,.75);color:#fff;" +
        "font:1.25rem/1.4 system-ui,sans-serif;text-align:center;padding:1rem";
      cover.textContent = me.dataset.pausedText;  // in the page's language
      document.body.append(cover);
    } else if (!on && cover) {
      cover.remove();
      cover = null;
    }
  };
  const tick = async () => {
    try {
      const response = await fetch(url, {credentials: "same-origin", cache: "no-store"});
      if (response.ok) {
        const state = await response.json();
        if (state.version !== version) return location.assign(state.next);
        paused(state.paused);
      }
    } catch (e) { /* offline for a moment: ask again */ }
    setTimeout(tick, 1000);
  };
  paused(me.dataset.paused === "yes");
  setTimeout(tick, 1000);
})();
