// Enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Select an invitation or calendar link on focus so it is one keystroke to copy.
  for (const input of document.querySelectorAll("[data-select-on-focus]")) {
    input.addEventListener("focus", () => input.select());
  }
  addSegmentTimers();
});

// The session agenda: a Start button per timed segment and a visible countdown.
function addSegmentTimers() {
  let running = null;
  for (const item of document.querySelectorAll(".agenda [data-minutes]")) {
    const button = document.createElement("button");
    const clock = document.createElement("span");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Start";
    clock.className = "timer";
    clock.setAttribute("role", "timer");
    clock.setAttribute("aria-live", "off");
    item.append(" ", button, clock);
    button.addEventListener("click", () => {
      if (running) running.stop();
      running = countdown(item, clock, Number(item.dataset.minutes) * 60);
    });
  }
}

function countdown(item, clock, seconds) {
  let left = seconds;
  const show = () => {
    const sign = left < 0 ? "−" : "";
    const total = Math.abs(left);
    clock.textContent = `${sign}${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
    clock.classList.toggle("overtime", left < 0);
  };
  item.setAttribute("aria-current", "step");
  show();
  const tick = setInterval(() => { left -= 1; show(); }, 1000);
  return { stop() { clearInterval(tick); item.removeAttribute("aria-current"); } };
}
