// The session timeline's scrubber: moving it marks the moment on the timeline, scrolls to it and
// updates the shareable ?t= link (and the address bar). No build step, nothing third-party.
"use strict";
(() => {
  const scrubber = document.getElementById("timeline-scrubber");
  if (!scrubber) return;
  const clock = document.getElementById("timeline-clock");
  const link = document.getElementById("timeline-link");
  const items = [...document.querySelectorAll("#timeline > li")];
  const show = (seconds, scroll) => {
    clock.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    const url = new URL(link.href, location.href);
    url.searchParams.set("t", String(seconds));
    link.href = url.pathname + url.search;
    history.replaceState(null, "", url.pathname + url.search + location.hash);
    let current = null;
    for (const item of items) {
      item.classList.remove("current");
      item.removeAttribute("aria-current");
      if (Number(item.dataset.t) <= seconds) current = item;
    }
    if (current) {
      current.classList.add("current");
      current.setAttribute("aria-current", "true");
      if (scroll) current.scrollIntoView({block: "nearest"});
    }
  };
  scrubber.addEventListener("input", () => {
    scrubber.dataset.chosen = "true";
    show(Number(scrubber.value), true);
  });
  for (const item of items) {
    item.querySelector(".tl-time").addEventListener("click", (e) => {
      e.preventDefault();
      scrubber.value = item.dataset.t;
      scrubber.dataset.chosen = "true";
      show(Number(item.dataset.t), false);
    });
  }
  const marked = document.querySelector("#timeline > li.current");
  if (marked) marked.scrollIntoView({block: "center"});
})();
