// The step machine: owns the shared state, moves between the four steps, runs the
// footer buttons and the keyboard (Enter in a text field = the step's main action,
// Escape = cancel), and keeps the settings checked by Rust as the user types.
//
// The window is an app shell (see styles.css): header, a body that scrolls (`#main`) and
// a footer whose buttons each step declares through its `footer()`; the step's main
// action lives in the footer, so it is always in view.

import * as api from "./api.js";
import { t, pick, setLanguage, onLanguageChange, normalise } from "./i18n.js";
import * as connection from "./steps/connection.js";
import * as access from "./steps/access.js";
import * as authorize from "./steps/authorize.js";
import * as result from "./steps/result.js";
import * as connections from "./steps/connections.js";
import { confirmDialog } from "./dialog.js";
import * as diagnostics from "./diagnostics.js";
import { $ } from "./dom.js";
import * as linkNotice from "./link-notice.js";

// "Step" 0 is the list of saved connections; 1–4 are the wizard.
const STEPS = { 0: connections, 1: connection, 2: access, 3: authorize, 4: result };

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
  save: true, // "Save this connection on this computer"
  // The saved connection this run starts from: {id, name, hasSecret, replace}. `replace`
  // (re-authorize) saves the new keys into it; otherwise it only lends its client secret
  // (a new customer of the same integration).
  origin: null,
  saved: null, // what saving the last success did: {report} | {error} | {skipped: true}
  copied: false, // anything of the last unsaved result copied?
};

let current = -1;
const checkListeners = new Set();

// ---------------------------------------------------------------- checking settings

let checkSeq = 0;
let checkTimer = 0;
let lastCheck = Promise.resolve(null);

/** The settings as typed, plus the saved connection whose client secret stands in for an empty field. */
function settingsSnapshot() {
  const secretFrom = state.origin?.hasSecret ? state.origin.id : null;
  const reauthorize = state.origin?.replace ? state.origin.id : null;
  return { ...state.settings, scopes: [...state.settings.scopes], secretFrom, reauthorize };
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

/**
 * Copies `what` through Rust and confirms it on the button for a moment: from a saved
 * connection with `{connectionId}`, else from the wizard (`extra` as `api.copy` takes it).
 * A secret is cleared from the clipboard later (`clearsInSecs`): `#clipboard-note` says when.
 */
async function copyWithFeedback(button, what, { connectionId = null, ...extra } = {}) {
  const label = button.querySelector(".btn-label") ?? button;
  clearTimeout(button._flashTimer);
  let ok = true;
  let message = t("copied");
  try {
    const answer = connectionId ? await api.copyConnection(connectionId, what) : await api.copy(what, extra);
    if (!connectionId && current === 4) noteCopied();
    const note = $("clipboard-note");
    if (answer?.clearsInSecs) {
      message = t("copied.clears", { secs: answer.clearsInSecs });
      note.dataset.secs = String(answer.clearsInSecs);
      note.textContent = message;
      note.hidden = false;
    }
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
  if (current >= 0 && current !== n) STEPS[current].leave?.();
  current = n;
  for (const panel of document.querySelectorAll(".panel")) {
    panel.hidden = Number(panel.dataset.step) !== n;
  }
  renderIndicator();
  renderReauthBanner();
  STEPS[n].enter?.();
  refreshFooter();
  $("main").scrollTop = 0;
  if (focus) focusHeading();
  if (n === 4) api.mark("result");
}

/** While re-authorizing a saved connection, every wizard step says so. */
function renderReauthBanner() {
  const banner = $("reauth-banner");
  const origin = state.origin;
  const show = !!origin?.replace && current >= 1 && current <= 3;
  banner.hidden = !show;
  if (!show) {
    banner.textContent = "";
    return;
  }
  // Which company to log in as, before the browser opens (another one is refused).
  const company = origin.company;
  const as = company ? (company.orgNr ? `${company.name} (${company.orgNr})` : company.name) : null;
  banner.textContent = [t("reauth.banner", { name: origin.name }), as ? t("reauth.company", { company: as }) : ""]
    .filter(Boolean)
    .join(" ");
}

function focusHeading() {
  const panel = document.querySelector(`.panel[data-step="${current}"]`);
  panel?.querySelector("h2")?.focus({ preventScroll: true });
}

function renderIndicator() {
  document.querySelector(".stepnav").hidden = current === 0;
  for (const li of document.querySelectorAll(".steps .step")) {
    const n = Number(li.dataset.step);
    li.classList.toggle("is-current", n === current);
    li.classList.toggle("is-done", n < current);
    if (n === current) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
    // aria-current already says "current step": only "done" is spelt out.
    li.querySelector(".step-state").textContent = n < current ? ` ${t("step.done")}` : "";
  }
}

/** Footer buttons: element id → the key a step's `footer()` uses for it. */
const FOOTER = [
  ["back", "back"],
  ["next", "next"],
  ["authorize", "authorize"],
  ["try-again", "tryAgain"],
  ["start-over", "startOver"],
  ["new-connection", "newConnection"],
  ["open-file", "openFile"],
  ["to-connections", "toConnections"],
];

/**
 * Shows the footer buttons the current step asks for:
 * `{back, next, authorize, tryAgain, startOver}`, each "show", "disabled" or absent
 * (hidden), and `startOverLabel`.
 */
function refreshFooter() {
  if (current < 0) return;
  const cfg = STEPS[current].footer?.() ?? {};
  // The way back to the list, from the first and the last step, once there is a list.
  if ((current === 1 || current === 4) && connections.hasContent()) cfg.toConnections = "show";
  for (const [id, key] of FOOTER) {
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
  $("app-version").hidden = current > 1;
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

/** Text fields, where Enter means "go on". Checkboxes, radios and buttons keep their own keys. */
const TEXT_INPUTS = new Set(["text", "password", "url", "email", "tel", "number"]);

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing) return;
  if (diagnostics.isOpen()) return; // the dialog handles its own keys (Escape closes it)
  const target = event.target;
  const tag = target.tagName;

  if (event.key === "Escape") {
    if (current === 3 && authorize.escape()) event.preventDefault();
    return;
  }
  if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey) return;

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
  if (tag !== "INPUT" || !TEXT_INPUTS.has(target.type)) return;
  event.preventDefault();
  if (current === 0) return;
  if (current === 1 || current === 2) {
    if (!$("next").disabled) next();
  } else if (current === 3) {
    authorize.primary();
  }
}

// ---------------------------------------------------------------- start

// ---------------------------------------------------------------- saved connections

const EMPTY_SETTINGS = { connectionName: "", clientId: "", clientSecret: "", redirectUri: "", scopes: [], accountType: "user" };

/** Fills the wizard's settings (and its inputs) from a saved connection or a file. */
function fillSettings(settings) {
  Object.assign(state.settings, EMPTY_SETTINGS, settings, { scopes: [...(settings.scopes ?? [])] });
  state.result = null;
  state.error = null;
  state.saved = null;
  connection.syncInputs();
  access.syncInputs();
  runCheck();
}

/** A fresh wizard: nothing kept from an earlier run. */
function newConnection() {
  state.origin = null;
  state.save = true;
  fillSettings({});
  goTo(1, { focus: false });
  $("connection-name").focus();
}

/**
 * "Activate another connection" after a success: the next customer of the same integration.
 * The name is cleared and focused; client id, secret, redirect URI and scopes stay. A
 * re-authorized connection only lends its saved secret now: the next one is a new one.
 */
function anotherConnection() {
  if (state.origin) state.origin = { ...state.origin, replace: false };
  state.saved = null;
  state.copied = false;
  updateCloseGuard();
  goTo(1, { focus: false });
  connection.reset();
  $("connection-name").focus();
}

/**
 * Starts the wizard from a saved connection: its settings (never its secret, which Rust lends
 * from the keychain) and, with `replace`, saving into it. False when they could not be read
 * (the list says why).
 */
async function startFrom(c, { replace, name }) {
  await catalogueLoaded;
  let answer;
  try {
    answer = await api.connectionSettings(c.id);
  } catch (err) {
    connections.showNotice("warn", () => [pick(err.message), pick(err.next_step)].join(" "));
    return null;
  }
  const company = c.companyName ? { name: c.companyName, orgNr: c.organizationNumber } : null;
  state.origin = { id: c.id, name: c.name, hasSecret: answer.hasSecret, replace, company };
  state.save = true;
  fillSettings({ ...answer.settings, ...(name === undefined ? {} : { connectionName: name }) });
  return answer;
}

/**
 * Re-authorize: straight to the authorize step, unless the client secret is not in the
 * keychain or the settings need attention (then step 1).
 */
async function reauthorize(c) {
  const answer = await startFrom(c, { replace: true });
  if (!answer) return;
  const check = await checkNow();
  goTo(check?.valid && answer.hasSecret ? 3 : 1);
}

/** A new customer of the same integration: its settings and secret, a new name. */
async function duplicate(c) {
  if (!(await startFrom(c, { replace: false, name: "" }))) return;
  goTo(1, { focus: false });
  $("connection-name").focus();
}

/**
 * The attempt succeeded: the result shows at once; saving (keychain and file, as chosen in
 * step 1) runs behind it (`saving`), and the result then says where the keys are.
 */
function finishSuccess(outcome) {
  state.result = outcome;
  state.error = null;
  state.copied = false;
  const replaceId = state.origin?.replace ? state.origin.id : null;
  const save = state.save && outcome.mode === "tokens";
  state.saved = save ? { pending: true } : { skipped: true };
  updateCloseGuard();
  goTo(4);
  saving = save ? saveBehind(outcome, state.settings.connectionName.trim(), replaceId) : Promise.resolve();
}

/** The save behind the result (resolves once its outcome is recorded). */
let saving = Promise.resolve();

async function saveBehind(outcome, name, replaceId) {
  let saved;
  try {
    saved = { report: await api.saveConnection(name, replaceId) };
  } catch (err) {
    saved = { error: err };
  }
  await connections.load(); // so the result offers the way to the list
  if (state.result !== outcome) return; // the user has moved on meanwhile
  state.saved = saved;
  updateCloseGuard();
  result.render();
  refreshFooter();
}

/** Keys that exist only in this window and were never copied: leaving must ask first. */
function keysAtRisk() {
  if (!state.result || state.copied) return false;
  const report = state.saved?.report;
  return !(report && report.secretsSaved);
}

function updateCloseGuard() {
  api.setCloseGuard(keysAtRisk()).catch(() => {});
}

function noteCopied() {
  if (state.result && !state.copied) {
    state.copied = true;
    updateCloseGuard();
  }
}

/** Leaving the result: asks first while the keys would be lost. True to go on. */
async function confirmLeave() {
  await saving; // a save still running decides whether anything is at risk
  if (!keysAtRisk()) return true;
  return confirmDialog({ title: t("dlg.leave.title"), text: t("dlg.leave.text"), confirm: t("dlg.leave.confirm"), danger: true });
}

async function toConnections() {
  if (current === 4 && !(await confirmLeave())) return;
  if (current === 3) authorize.abandon();
  state.result = null;
  updateCloseGuard();
  goTo(0);
}

/** An activation file chosen in the window. */
async function openActivationFile(file) {
  let text;
  try {
    text = await file.text();
  } catch {
    text = "";
  }
  try {
    const answer = await api.readActivationFile(text);
    await useActivationFile(file.name, answer.settings, null);
  } catch (err) {
    await useActivationFile(file.name, null, err);
  }
}

/** The wizard prefilled from an activation file, or what is wrong with the file. */
async function useActivationFile(fileName, settings, problem) {
  await catalogueLoaded;
  if (problem) {
    const text = () => [t("file.bad", { file: fileName }), pick(problem.message), pick(problem.next_step)].filter(Boolean).join(" ");
    if (current === 0 || connections.hasContent()) {
      connections.showNotice("warn", text);
      if (current !== 0) goTo(0);
    } else {
      connection.showFileNotice(text());
    }
    return;
  }
  state.origin = null;
  state.save = true;
  fillSettings(settings);
  goTo(1, { focus: false });
  connection.showFileNotice(t("file.opened", { file: fileName }));
  $("connection-name").focus();
}

const ctx = {
  state,
  goTo,
  reauthorize,
  duplicate,
  newConnection,
  finishSuccess,
  confirmLeave,
  updateCloseGuard,
  next,
  refreshFooter,
  announce,
  copyWithFeedback,
  scheduleCheck,
  checkNow,
  lastCheck: () => lastCheck,
  settingsSnapshot,
  anotherConnection,
  onCheck(fn) {
    checkListeners.add(fn);
    return () => checkListeners.delete(fn);
  },
  get currentStep() {
    return current;
  },
};

/**
 * The banner over the header: the endpoint override in use (`endpoint_notice`) or why it was
 * refused (`endpoint_error`), from `app_info`. Hidden with Fortnox's own endpoints.
 */
let appInfo = null;
function renderEndpointBanner() {
  const banner = $("endpoint-banner");
  const error = appInfo?.endpoint_error;
  const notice = appInfo?.endpoint_notice;
  banner.hidden = !error && !notice;
  banner.classList.toggle("banner-error", Boolean(error));
  banner.textContent = error ? `${pick(error.message)} ${pick(error.next_step)}` : notice ? pick(notice) : "";
}

function switchLanguage(lang) {
  setLanguage(lang);
  $("language").value = lang;
  api.setLanguage(lang).catch(() => {});
}

/** Shows the app once its first screen is chosen (index.html starts with `data-booting`). */
function reveal() {
  document.documentElement.removeAttribute("data-booting");
}

async function boot() {
  // A first guess so nothing flashes in the wrong language while Rust answers.
  setLanguage(normalise(navigator.language));
  $("language").value = normalise(navigator.language);

  for (const step of Object.values(STEPS)) step.init(ctx);
  diagnostics.init(ctx);

  $("next").addEventListener("click", next);
  $("back").addEventListener("click", back);
  $("try-again").addEventListener("click", () => result.tryAgain());
  $("start-over").addEventListener("click", () => result.startOver());
  $("new-connection").addEventListener("click", newConnection);
  $("to-connections").addEventListener("click", toConnections);
  $("open-file").addEventListener("click", () => $("activation-file-input").click());
  $("activation-file-input").addEventListener("change", (e) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (file) openActivationFile(file);
  });
  $("save-connection").addEventListener("change", (e) => {
    state.save = e.target.checked;
  });
  $("language").addEventListener("change", (e) => switchLanguage(e.target.value));
  document.addEventListener("keydown", onKeyDown);
  onLanguageChange(() => {
    renderIndicator();
    renderReauthBanner();
    refreshFooter();
    renderEndpointBanner();
    for (const step of Object.values(STEPS)) step.render?.();
    linkNotice.render();
  });
  api.onCloseRequested(async () => {
    const ok = await confirmDialog({ title: t("dlg.close.title"), text: t("dlg.close.text"), confirm: t("dlg.close.confirm"), danger: true });
    if (ok) api.closeWindow().catch(() => {});
  });

  // The first screen, waiting for one small answer only: the saved connections (when there
  // are any, the list comes first; else step 1). Neither Rust's word on the language (the
  // guess above comes from the same locale; another answer re-renders in place, input kept)
  // nor the scope catalogue (step 2) holds it up.
  await connections.load(firstList);
  goTo(connections.hasContent() ? 0 : 1);
  reveal();
  api.mark("ready");
  api.mark("script", scriptAt);
  api.mark("dom", domAt || performance.timing?.domContentLoadedEventStart || Date.now());
  runCheck();
  catalogueLoaded = loadCatalogue();

  let lang = normalise(navigator.language);
  const info = await api.appInfo().catch(() => null);
  if (info) {
    appInfo = info;
    lang = normalise(info.language);
    if (info.version) {
      $("app-version").dataset.version = info.version;
      $("app-version").textContent = `v${info.version}`;
    }
  }
  switchLanguage(lang);
  renderEndpointBanner();

  // Started with an activation file (double-clicked, or the first argument).
  const file = await api.startupFile().catch(() => null);
  if (file) await useActivationFile(file.fileName, file.settings, file.problem);

  // A link the app was started with (or one that came while it loaded) with no activation
  // waiting: say so, and offer a new activation.
  linkNotice.init({ onStartNew: () => newConnection() });
}

/** The scope catalogue for step 2; leaving step 1 (or filling the wizard) waits for it. */
let catalogueLoaded = Promise.resolve();

async function loadCatalogue() {
  try {
    state.catalogue = await api.scopeCatalogue();
  } catch (err) {
    state.catalogue = [];
    state.checkError = err;
  }
  // Nothing is ticked in advance: the user (or a script) chooses; "Select recommended" helps.
  access.buildList();
}

// Launch phases for the benchmark, sent after "ready" so that they do not delay it.
const scriptAt = Date.now();
// The first screen's one question to Rust: its answer, asked for at document start by the
// boot script (src-tauri/src/boot.rs), or else asked now, as soon as the modules run.
const firstList = api.listConnections();
firstList.catch(() => {}); // handled where it is awaited (connections.load)
let domAt = 0;
document.addEventListener("DOMContentLoaded", () => (domAt = Date.now()), { once: true });
// A start that fails still shows the window (whatever works of it), never a blank one.
const start = () => boot().catch((err) => {
  reveal();
  console.error("start-up failed", err);
});
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
