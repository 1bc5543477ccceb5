// Enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Select an invitation link on focus so it is one keystroke to copy.
  for (const input of document.querySelectorAll("[data-select-on-focus]")) {
    input.addEventListener("focus", () => input.select());
  }
});
