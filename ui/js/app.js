// The step machine: owns the shared state, moves between the four steps, runs the
// footer buttons and the keyboard (Enter = the step's main action, Escape = cancel),
// and keeps the settings checked by Rust as the user types.

import * as api from "./api.js";
import { t, pick, setLanguage, onLanguageChange, normalise } from "./i18n.js";
import * as connection from "./steps/connection.js";
import * as access from "./steps/access.js";
import * as authorize from "./steps/authorize.js";
import * as result from "./steps/result.js";

const STEPS = { 1: connection, 2: access, 3: authorize, 4: result };

/** Everything the steps share. Settings are the source of truth for the inputs. */
const state = {
  settings: {
    connectionName: "",
    clientId: "",
    clientSecret: "",
    redirectUri: "",
    scopes: [],
    accountType: "user",
  },
  catalogue: [],
  check: null, // last answer of check_settings
  checkError: null, // ErrorPayload when check_settings itself failed
  result: null, // AuthorizationResult of the last success
  error: null, // ErrorPayload of the last failure
};

let current = 0;
const checkListeners = new Set();

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- checking settings

let checkSeq = 0;
let checkTimer = 0;
let lastCheck = Promise.resolve(null);

function settingsSnapshot() {
  return { ...state.settings, scopes: [...state.settings.scopes] };
}

function runCheck() {
  const seq = ++checkSeq;
  lastCheck = api.checkSettings(settingsSnapshot()).then(
    (answer) => {
      if (seq === checkSeq) {
        state.check = answer;
        state.checkError = null;
        for (const fn of checkListeners) fn();
      }
      return answer;
    },
    (err) => {
      if (seq === checkSeq) {
        state.checkError = err;
        for (const fn of checkListeners) fn();
      }
      return null;
    },
  );
  return lastCheck;
}

/** Checks the settings ~150 ms after the last change. */
function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, 150);
}

/** Checks the settings right now; resolves to the answer (null when the check failed). */
function checkNow() {
  clearTimeout(checkTimer);
  return runCheck();
}

// ---------------------------------------------------------------- feedback

let liveTimer = 0;
/** Says something to screen readers (polite). */
function announce(text) {
  const live = $("live");
  live.textContent = "";
  clearTimeout(liveTimer);
  // A fresh node each time so the same words are announced again.
  setTimeout(() => {
    live.textContent = text;
    liveTimer = setTimeout(() => (live.textContent = ""), 4000);
  }, 30);
}

/** Copies `what` through Rust and confirms it on the button for a moment. */
async function copyWithFeedback(button, what) {
  const label = button.querySelector(".btn-label") ?? button;
  clearTimeout(button._flashTimer);
  let ok = true;
  let message = t("copied");
  try {
    await api.copy(what);
  } catch (err) {
    ok = false;
    message = `${t("copyFailed")}: ${pick(err.message)}`;
  }
  label.dataset.flashing = "1";
  label.textContent = ok ? t("copied") : t("copyFailed");
  button.classList.toggle("is-copied", ok);
  button.classList.toggle("is-copy-failed", !ok);
  announce(message);
  button._flashTimer = setTimeout(() => {
    delete label.dataset.flashing;
    if (label.dataset.i18n) label.textContent = t(label.dataset.i18n);
    button.classList.remove("is-copied", "is-copy-failed");
  }, 2000);
}

// ---------------------------------------------------------------- steps

function goTo(n, { focus = true } = {}) {
  if (current && current !== n) STEPS[current].leave?.();
  current = n;
  for (const panel of document.querySelectorAll(".panel")) {
    panel.hidden = Number(panel.dataset.step) !== n;
  }
  renderIndicator();
  STEPS[n].enter?.();
  refreshFooter();
  window.scrollTo(0, 0);
  if (focus) focusHeading();
  if (n === 4) api.mark("result");
}

function focusHeading() {
  const panel = document.querySelector(`.panel[data-step="${current}"]`);
  panel?.querySelector("h2")?.focus({ preventScroll: true });
}

function renderIndicator() {
  for (const li of document.querySelectorAll(".steps .step")) {
    const n = Number(li.dataset.step);
    li.classList.toggle("is-current", n === current);
    li.classList.toggle("is-done", n < current);
    if (n === current) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
    li.querySelector(".step-state").textContent =
      n === current ? ` ${t("step.current")}` : n < current ? ` ${t("step.done")}` : "";
  }
}

/**
 * Shows the footer buttons the current step asks for:
 * `{back, next, tryAgain, startOver}`, each "show", "disabled" or absent (hidden),
 * and `startOverLabel`.
 */
function refreshFooter() {
  if (!current) return;
  const cfg = STEPS[current].footer?.() ?? {};
  for (const [id, key] of [["back", "back"], ["next", "next"], ["try-again", "tryAgain"], ["start-over", "startOver"]]) {
    const btn = $(id);
    btn.hidden = !cfg[key];
    btn.disabled = cfg[key] === "disabled";
  }
  if (cfg.startOverLabel) $("start-over-label").textContent = t(cfg.startOverLabel);
  // Alone, "start over" is the way on (right); beside "try again" it is the way back (left).
  const side = cfg.startOver && !cfg.tryAgain ? ".foot-right" : ".foot-left";
  const startOver = $("start-over");
  if (startOver.parentElement !== document.querySelector(side)) {
    document.querySelector(side).prepend(startOver);
  }
  $("app-version").hidden = current !== 1;
}

async function next() {
  if (current === 1) {
    if (await connection.validate()) {
      await catalogueLoaded;
      goTo(2);
    }
  } else if (current === 2) {
    const outcome = await access.validate();
    if (outcome === "ok") goTo(3);
    else if (outcome === "connection") {
      goTo(1, { focus: false });
      await connection.validate();
    }
  }
}

function back() {
  if (current === 3) authorize.abandon();
  if (current > 1) goTo(current - 1);
}

// ---------------------------------------------------------------- keyboard

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing) return;
  const target = event.target;
  const tag = target.tagName;

  if (event.key === "Escape") {
    if (current === 3 && authorize.escape()) event.preventDefault();
    return;
  }
  if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey) return;

  // Buttons, links, selects and <details> keep their own Enter.
  if (["BUTTON", "A", "SELECT", "SUMMARY", "OPTION"].includes(tag)) return;
  if (tag === "TEXTAREA") {
    if (target.id === "pasted-url" && !event.shiftKey) {
      event.preventDefault();
      authorize.usePasted();
    }
    return;
  }
  if (tag === "INPUT" && target.type === "search") {
    event.preventDefault(); // Enter in the filter must not leave the step.
    return;
  }
  const inStep = target === document.body || tag === "INPUT" || tag === "H2";
  if (!inStep) return;
  event.preventDefault();
  if (current === 1 || current === 2) {
    if (!$("next").disabled) next();
  } else if (current === 3) {
    authorize.primary();
  }
}

// ---------------------------------------------------------------- start

const ctx = {
  state,
  goTo,
  next,
  refreshFooter,
  announce,
  copyWithFeedback,
  scheduleCheck,
  checkNow,
  lastCheck: () => lastCheck,
  settingsSnapshot,
  onCheck(fn) {
    checkListeners.add(fn);
    return () => checkListeners.delete(fn);
  },
  get currentStep() {
    return current;
  },
};

function switchLanguage(lang) {
  setLanguage(lang);
  $("language").value = lang;
  api.setLanguage(lang).catch(() => {});
}

async function boot() {
  // A first guess so nothing flashes in the wrong language while Rust answers.
  setLanguage(normalise(navigator.language));
  $("language").value = normalise(navigator.language);

  for (const step of Object.values(STEPS)) step.init(ctx);

  $("next").addEventListener("click", next);
  $("back").addEventListener("click", back);
  $("try-again").addEventListener("click", () => result.tryAgain());
  $("start-over").addEventListener("click", () => result.startOver());
  $("language").addEventListener("change", (e) => switchLanguage(e.target.value));
  document.addEventListener("keydown", onKeyDown);
  onLanguageChange(() => {
    renderIndicator();
    refreshFooter();
    for (const step of Object.values(STEPS)) step.render?.();
  });

  // Step 1 first: it needs neither Rust's word on the language (the guess above comes from
  // the same locale; another answer re-renders in place, input kept) nor the scope
  // catalogue (step 2), so no round trip holds it up.
  goTo(1);
  api.mark("ready");
  runCheck();
  catalogueLoaded = loadCatalogue();

  try {
    const info = await api.appInfo();
    if (info.version) {
      $("app-version").dataset.version = info.version;
      $("app-version").textContent = `v${info.version}`;
    }
    switchLanguage(normalise(info.language));
  } catch {
    switchLanguage(normalise(navigator.language)); // keep the browser's guess
  }
}

/** The scope catalogue for step 2; `next()` waits for it before leaving step 1. */
let catalogueLoaded = Promise.resolve();

async function loadCatalogue() {
  try {
    state.catalogue = await api.scopeCatalogue();
  } catch (err) {
    state.catalogue = [];
    state.checkError = err;
  }
  // Nothing is ticked in advance: the user (or a script) chooses; "Select recommended" helps.
  state.settings.scopes = [];
  access.buildList();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
