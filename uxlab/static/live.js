"use strict";
/* uxlab's "live now" list: one stream for all the listed sessions (browsers allow about six
   connections per server), updating each row's step; polls the feed when refused a stream. */
(() => {
  const me = document.currentScript;
  // Without ?session= the stream and the feed follow the study's live sessions.
  const show = (state) => {
    const row = document.querySelector(`tr[data-session="${CSS.escape(state.session)}"]`);
    if (!row) return;
    const cell = row.querySelector(".live-now-step");
    const task = state.task;
    cell.textContent = state.ended ? "Ended"
      : task ? `Task ${task.number} of ${task.total} · ${task.title}${task.attempt && task.attempt.paused_at ? " (paused)" : ""}`
      : state.step_kind.replace("_", " ");
  };
  const poll = async () => {
    try {
      const response = await fetch(`${me.dataset.feed}?after=${Number.MAX_SAFE_INTEGER}`, {credentials: "same-origin"});
      if (response.ok) (await response.json()).states.forEach(show);
    } catch (e) { /* again in a moment */ }
  };
  const source = new EventSource(`${me.dataset.stream}?after=${Number.MAX_SAFE_INTEGER}`);
  source.addEventListener("state", (e) => show(JSON.parse(e.data)));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) setInterval(poll, 2000);
  });
})();
