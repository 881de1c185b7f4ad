/* Read-only fields holding a link to copy (input.copy): focusing one selects the whole link, so
   a keyboard or a click followed by Ctrl+C copies it. A file, not an inline handler, so that the
   pages' Content-Security-Policy can refuse every inline script. */
"use strict";
document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field instanceof HTMLInputElement && field.classList.contains("copy")) field.select();
});
