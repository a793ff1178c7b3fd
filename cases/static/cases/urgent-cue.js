// The console's cue for urgent cases and red deadlines (R24.2, R27.1).
//
// The header badge (cases/notify/_badge.html) polls the server through htmx; when a poll
// brings a new urgent or red notification, the new badge carries data-alert-* attributes.
// This script then shows the banner (the message as text, never as HTML), highlights the
// page, refreshes the case list, and plays a short tone made by WebAudio (no audio file),
// unless the dispatcher muted it (remembered in localStorage).
(function () {
  "use strict";
  var MUTE_KEY = "gridgov.console.cue-muted";
  var banner = document.querySelector("[data-cue-banner]");
  var toggle = document.querySelector("[data-cue-toggle]");
  if (!banner) return;
  var text = banner.querySelector("[data-cue-text]");
  var link = banner.querySelector("[data-cue-link]");
  var lastAlert = 0;
  var audio = null;

  function muted() {
    try { return window.localStorage.getItem(MUTE_KEY) === "1"; } catch (e) { return false; }
  }

  function setMuted(value) {
    try { window.localStorage.setItem(MUTE_KEY, value ? "1" : "0"); } catch (e) { /* private mode */ }
    showToggle();
  }

  function showToggle() {
    if (!toggle) return;
    var off = muted();
    toggle.setAttribute("aria-pressed", off ? "true" : "false");
    toggle.textContent = toggle.getAttribute(off ? "data-label-muted" : "data-label-sound");
  }

  function context() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    return audio;
  }

  // Browsers start sound only after a gesture on the page: the first click unlocks it.
  document.addEventListener("pointerdown", function () {
    var ctx = context();
    if (ctx && ctx.state === "suspended") ctx.resume();
  }, { once: true });

  function tone() {
    if (muted()) return "muted";
    var ctx = context();
    if (!ctx) return "unavailable";
    var start = ctx.currentTime;
    [0, 0.28].forEach(function (offset) {
      var oscillator = ctx.createOscillator();
      var gain = ctx.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.22);
      oscillator.connect(gain);
      gain.connect(ctx.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.25);
    });
    return ctx.state === "running" ? "played" : "blocked";
  }

  function cue(badge) {
    var id = parseInt(badge.getAttribute("data-alert-id") || "0", 10);
    if (!id || id <= lastAlert) return;
    lastAlert = id;
    text.textContent = badge.getAttribute("data-alert-text") || "";
    if (link) link.setAttribute("href", badge.getAttribute("href"));
    banner.setAttribute("data-alert-kind", badge.getAttribute("data-alert") || "");
    banner.hidden = false;
    document.body.classList.add("cue-alert");
    banner.setAttribute("data-sound", tone());
    banner.setAttribute("data-cues", String(parseInt(banner.getAttribute("data-cues") || "0", 10) + 1));
    if (window.htmx) window.htmx.trigger(document.body, "casesChanged");
  }

  document.body.addEventListener("htmx:load", function (event) {
    var element = event.target;
    if (element && element.id === "notify-badge" && element.hasAttribute("data-alert")) cue(element);
  });
  banner.addEventListener("click", function (event) {
    if (!event.target.closest("[data-cue-dismiss]")) return;
    banner.hidden = true;
    document.body.classList.remove("cue-alert");
  });
  if (toggle) {
    toggle.addEventListener("click", function () { setMuted(!muted()); });
    showToggle();
  }
})();
