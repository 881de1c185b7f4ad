// The problems page's grid: toggling a cell saves it without leaving the page, so the grid can be
// filled live while watching a session. Without JavaScript each cell is a form that posts and
// comes back. No build step, nothing third-party.
"use strict";
(() => {
  const grid = document.querySelector("table.grid");
  if (!grid) return;
  const status = document.getElementById("grid-status");
  grid.addEventListener("submit", async (e) => {
    const form = e.target.closest("form");
    if (!form) return;
    e.preventDefault();
    const button = form.querySelector("button"), cell = form.closest("td");
    const field = form.elements.met, met = field.value === "1";
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "PUT", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": form.elements.csrf_token.value},
        body: JSON.stringify({met}),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.message || `the server answered ${response.status}`);
      field.value = met ? "0" : "1";
      cell.classList.toggle("met", met);
      cell.dataset.met = String(met);
      button.setAttribute("aria-pressed", String(met));
      button.textContent = (met ? "●" : "○") + "✎";
      const row = cell.closest("tr"), total = row.querySelector("td.num");
      const people = row.querySelectorAll("td.cell").length;
      total.textContent = `${row.querySelectorAll("td.cell.met").length}`;
      total.title = `of ${people}`;
      if (status) status.textContent = `Saved: ${cell.dataset.participant} ${met ? "met" : "did not meet"} it. Reload for the new frequencies and estimate.`;
    } catch (error) {
      if (status) status.textContent = `Not saved: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
})();
