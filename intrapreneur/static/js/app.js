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
// Their words come translated from the page (data-timer-words), with {named} blanks.
function addSegmentTimers() {
  const items = [...document.querySelectorAll(".agenda[data-timer-words] [data-minutes]")];
  if (items.length === 0) return;
  const words = JSON.parse(items[0].parentElement.dataset.timerWords);
  const status = document.createElement("p");
  status.className = "timer-status";
  status.setAttribute("role", "status");
  items[0].parentElement.after(status);
  const say = (key, values) => { status.textContent = fill(words[key], values); };
  const store = timerStore(`timers:${location.pathname}`);
  let running = null;
  items.forEach((item, index) => {
    const title = item.querySelector(".segment-title").textContent;
    const name = fill(words.name, { segment: title, number: index + 1 });
    segmentTimer(item, name, words, say, store.slot(index), (timer) => {
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

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (blank, key) => (key in values ? values[key] : blank));
}

function segmentTimer(item, name, words, say, slot, claim) {
  const full = Number(item.dataset.minutes) * 60;
  let left = full;
  let tick = null;
  const label = (button, verb) => labelled(button, words[verb], fill(words.timer_for, { segment: name }));
  const remaining = (seconds) =>
    fill(seconds < 0 ? words.over_time : words.left, { time: minutes(seconds) });
  const toggle = label(document.createElement("button"), "start");
  const reset = label(document.createElement("button"), "reset");
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
      if (left === 0) say("time_is_up", { segment: name });
    }, 1000);
    label(toggle, "pause");
    say("running", { segment: name, remaining: remaining(left) });
  };
  const timer = {
    pause() {
      if (!tick) return;
      stop();
      slot.write({ left, since: null });
      label(toggle, "resume");
      say("paused", { segment: name, remaining: remaining(left) });
    },
  };
  toggle.addEventListener("click", () => (tick ? timer.pause() : run()));
  reset.addEventListener("click", () => {
    stop();
    slot.write(null);
    left = full;
    show();
    item.removeAttribute("aria-current");
    label(toggle, "start");
    say("was_reset", { segment: name, time: minutes(full) });
  });
  const saved = slot.read();
  if (saved) {
    left = saved.since ? saved.left - Math.floor((Date.now() - saved.since) / 1000) : saved.left;
    if (saved.since) run(); else label(toggle, "resume");
  }
  show();
  return timer;
}

// A button's visible verb, and the segment it acts on for screen readers.
function labelled(button, verb, target) {
  const segment = document.createElement("span");
  segment.className = "visually-hidden";
  segment.textContent = ` ${target}`;
  button.replaceChildren(verb, segment);
  return button;
}

function minutes(seconds) {
  const total = Math.abs(seconds);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}
