// Enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Select an invitation or calendar link on focus so it is one keystroke to copy.
  for (const input of document.querySelectorAll("[data-select-on-focus]")) {
    input.addEventListener("focus", () => input.select());
  }
  addSegmentTimers();
});

// The session agenda: each timed segment gets a countdown to start, pause and reset. The
// ticking clock stays silent (role="timer"); one polite status line says what changed.
// Saving a form reloads the screen, so the timers keep their state in sessionStorage.
function addSegmentTimers() {
  const items = [...document.querySelectorAll(".agenda [data-minutes]")];
  if (items.length === 0) return;
  const status = document.createElement("p");
  status.className = "timer-status";
  status.setAttribute("role", "status");
  items[0].parentElement.after(status);
  const store = timerStore(`timers:${location.pathname}`);
  const say = (text) => { status.textContent = text; };
  let running = null;
  items.forEach((item, index) => {
    const name = `${item.querySelector(".segment-title").textContent} (segment ${index + 1})`;
    segmentTimer(item, name, say, store.slot(index), (timer) => {
      if (running && running !== timer) running.pause();
      running = timer;
    });
  });
}

function timerStore(key) {
  let saved = {};
  try { saved = JSON.parse(sessionStorage.getItem(key)) || {}; } catch { saved = {}; }
  const write = () => {
    try { sessionStorage.setItem(key, JSON.stringify(saved)); } catch { /* private mode */ }
  };
  return {
    slot: (index) => ({
      read: () => saved[index],
      write(state) {
        if (state) saved[index] = state; else delete saved[index];
        write();
      },
    }),
  };
}

function segmentTimer(item, name, say, slot, claim) {
  const full = Number(item.dataset.minutes) * 60;
  let left = full;
  let tick = null;
  const toggle = labelled(document.createElement("button"), "Start", name);
  const reset = labelled(document.createElement("button"), "Reset", name);
  const clock = document.createElement("span");
  for (const button of [toggle, reset]) {
    button.type = "button";
    button.className = "secondary";
  }
  clock.className = "timer";
  clock.setAttribute("role", "timer");
  item.append(" ", toggle, " ", reset, clock);
  const show = () => {
    clock.textContent = (left < 0 ? "−" : "") + minutes(left);
    clock.classList.toggle("overtime", left < 0);
  };
  const stop = () => {
    clearInterval(tick);
    tick = null;
  };
  const run = () => {
    claim(timer);
    item.parentElement.querySelector("[aria-current]")?.removeAttribute("aria-current");
    item.setAttribute("aria-current", "step");
    slot.write({ left, since: Date.now() });
    tick = setInterval(() => {
      left -= 1;
      show();
      if (left === 0) say(`${name}: time is up.`);
    }, 1000);
    labelled(toggle, "Pause", name);
    say(`${name} running, ${remaining(left)}.`);
  };
  const timer = {
    pause() {
      if (!tick) return;
      stop();
      slot.write({ left, since: null });
      labelled(toggle, "Resume", name);
      say(`${name} paused, ${remaining(left)}.`);
    },
  };
  toggle.addEventListener("click", () => (tick ? timer.pause() : run()));
  reset.addEventListener("click", () => {
    stop();
    slot.write(null);
    left = full;
    show();
    item.removeAttribute("aria-current");
    labelled(toggle, "Start", name);
    say(`${name} reset to ${minutes(full)}.`);
  });
  const saved = slot.read();
  if (saved) {
    left = saved.since ? saved.left - Math.floor((Date.now() - saved.since) / 1000) : saved.left;
    if (saved.since) run(); else labelled(toggle, "Resume", name);
  }
  show();
  return timer;
}

// A button's visible verb, and the segment it acts on for screen readers.
function labelled(button, verb, name) {
  const segment = document.createElement("span");
  segment.className = "visually-hidden";
  segment.textContent = ` timer for ${name}`;
  button.replaceChildren(verb, segment);
  return button;
}

function minutes(seconds) {
  const total = Math.abs(seconds);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

function remaining(seconds) {
  return seconds < 0 ? `${minutes(seconds)} over time` : `${minutes(seconds)} left`;
}
