// The step machine: owns the wizard's state, moves between the screens, runs the
// footer buttons and the keyboard (Enter in a text field = the step's main action,
// Escape = cancel), and keeps the settings checked by Rust as the user types.
//
// The wizard is one object, `wizard`, drawn from in one way: its `step` (a `Step` name)
// says which screen shows, and changes only in `goTo`; the last word on the settings
// (`check`) and the activation's `outcome` are each one tagged value, not a pair of
// nullable fields. The outcome exists only while the result shows: leaving that step
// forgets it (`goTo`), which is what every way out of the result meant to do.
//
// The window is an app shell (see styles.css): header, a body that scrolls (`#main`) and
// a footer whose buttons each step declares through its `footer()`; the step's main
// action lives in the footer, so it is always in view.

import * as api from "./api.js";
import { t, pick, both, setLanguage, onLanguageChange, normalise } from "./i18n.js";
import { Step, isWizardStep } from "./step.js";
import * as settingsStep from "./steps/settings.js";
import * as access from "./steps/access.js";
import * as authorize from "./steps/authorize.js";
import * as result from "./steps/result.js";
import * as savedList from "./steps/saved-list.js";
import { confirmDialog } from "./dialog.js";
import * as diagnostics from "./diagnostics.js";
import { $ } from "./dom.js";
import * as linkNotice from "./link-notice.js";

/** The module that draws each screen. */
const SCREENS = {
  [Step.SAVED]: savedList,
  [Step.SETTINGS]: settingsStep,
  [Step.ACCESS]: access,
  [Step.AUTHORIZE]: authorize,
  [Step.RESULT]: result,
};

/** The wizard's own state, shared with the steps. Settings are the source of truth for the inputs. */
const wizard = {
  /** The screen shown: a `Step` (null before the first one is chosen). Changed only by `goTo`. */
  step: null,
  settings: {
    connectionName: "",
    clientId: "",
    clientSecret: "",
    redirectUri: "",
    scopes: [],
    accountType: "user",
  },
  catalogue: [],
  /**
   * The last word on the settings: `{kind: "unchecked"}`, `{kind: "checked", answer}` (the
   * answer of check_settings) or `{kind: "failed", error}` (an ErrorPayload: Rust could not
   * check them, or could not list the scopes).
   */
  check: { kind: "unchecked" },
  /**
   * How the activation ended, while the result shows (null otherwise):
   * `{kind: "success", result, saved, copied}`, where `result` is the AuthorizationResult,
   * `saved` what saving it did (`{pending: true}` | `{report}` | `{error}` | `{skipped: true}`)
   * and `copied` whether anything of it was copied; or `{kind: "failure", error}`.
   */
  outcome: null,
  save: true, // "Save this connection on this computer"
  // The saved connection this run starts from: {id, name, hasSecret, replace}. `replace`
  // (re-authorize) saves the new keys into it; otherwise it only lends its client secret
  // (a new customer of the same integration).
  origin: null,
};

/** The answer of the last check of the settings, or null. */
const checkAnswer = () => (wizard.check.kind === "checked" ? wizard.check.answer : null);
/** Why the settings could not be checked (an ErrorPayload), or null. */
const checkFailure = () => (wizard.check.kind === "failed" ? wizard.check.error : null);
/** The AuthorizationResult shown, or null. */
const success = () => (wizard.outcome?.kind === "success" ? wizard.outcome : null);

const checkListeners = new Set();

// ---------------------------------------------------------------- checking settings

let checkSeq = 0;
let checkTimer = 0;
let lastCheck = Promise.resolve(null);

/** The settings as typed, plus the saved connection whose client secret stands in for an empty field. */
function settingsSnapshot() {
  const secretFrom = wizard.origin?.hasSecret ? wizard.origin.id : null;
  const reauthorize = wizard.origin?.replace ? wizard.origin.id : null;
  return { ...wizard.settings, scopes: [...wizard.settings.scopes], secretFrom, reauthorize };
}

function runCheck() {
  const seq = ++checkSeq;
  lastCheck = api.checkSettings(settingsSnapshot()).then(
    (answer) => {
      if (seq === checkSeq) {
        wizard.check = { kind: "checked", answer };
        for (const fn of checkListeners) fn();
      }
      return answer;
    },
    (err) => {
      if (seq === checkSeq) {
        wizard.check = { kind: "failed", error: err };
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
/**
 * Copies `what` (from the attempt, from the saved connection `connectionId`, or through
 * `run`, a call that copies and answers `{clearsInSecs}`) and flashes the button. Resolves
 * to whether it was copied.
 */
async function copyWithFeedback(button, what, { connectionId = null, run = null, ...extra } = {}) {
  const label = button.querySelector(".btn-label") ?? button;
  clearTimeout(button._flashTimer);
  // "✓ Copied" keeps the button's width, so nothing beside it moves under the pointer.
  if (!button._flashTimer) button.style.minWidth = `${button.getBoundingClientRect().width}px`;
  let ok = true;
  let message = t("copied");
  try {
    const answer = run ? await run() : connectionId ? await api.copyConnection(connectionId, what) : await api.copy(what, extra);
    if (!connectionId && !run && wizard.step === Step.RESULT) noteCopied();
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
    button.style.minWidth = "";
    button._flashTimer = 0;
  }, 2000);
  return ok;
}

// ---------------------------------------------------------------- steps

/**
 * Shows `step`: the one place the wizard's step changes. Leaving the result forgets its
 * outcome (every way out of it means "done with that one").
 */
function goTo(step, { focus = true } = {}) {
  const from = wizard.step;
  if (from !== null && from !== step) SCREENS[from].leave?.();
  if (from === Step.RESULT && step !== Step.RESULT && wizard.outcome) {
    const hadKeys = wizard.outcome.kind === "success";
    wizard.outcome = null;
    if (hadKeys) updateCloseGuard();
  }
  wizard.step = step;
  for (const panel of document.querySelectorAll(".panel")) {
    panel.hidden = Number(panel.dataset.step) !== step;
  }
  renderIndicator();
  renderReauthBanner();
  SCREENS[step].enter?.();
  refreshFooter();
  $("main").scrollTop = 0;
  if (focus) focusHeading();
  if (step === Step.RESULT) api.mark("result");
}

/** While re-authorizing a saved connection, every wizard step before the result says so. */
function renderReauthBanner() {
  const banner = $("reauth-banner");
  const origin = wizard.origin;
  const show = !!origin?.replace && isWizardStep(wizard.step) && wizard.step !== Step.RESULT;
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
  const panel = document.querySelector(`.panel[data-step="${wizard.step}"]`);
  panel?.querySelector("h2")?.focus({ preventScroll: true });
}

function renderIndicator() {
  const current = wizard.step;
  // A failed activation did not get through the authorize step: no check mark there.
  const failedAt = wizard.outcome?.kind === "failure" ? Step.AUTHORIZE : null;
  document.querySelector(".stepnav").hidden = !isWizardStep(current);
  for (const li of document.querySelectorAll(".steps .step")) {
    const n = Number(li.dataset.step);
    const failed = n === failedAt;
    const done = n < current && !failed;
    li.classList.toggle("is-current", n === current);
    li.classList.toggle("is-done", done);
    li.classList.toggle("is-failed", failed);
    if (n === current) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
    // aria-current already says "current step": only "done" and "failed" are spelt out.
    li.querySelector(".step-state").textContent = done ? ` ${t("step.done")}` : failed ? ` ${t("step.failed")}` : "";
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
  ["open-activation-file", "openActivationFile"],
];

/**
 * Shows the footer buttons the current step asks for:
 * `{back, next, authorize, tryAgain, startOver}`, each "show", "disabled" or absent
 * (hidden), and `startOverLabel`.
 */
function refreshFooter() {
  if (wizard.step === null) return;
  const cfg = SCREENS[wizard.step].footer?.() ?? {};
  // The way back to the list, from the first and the last step, once there is a list.
  if ((wizard.step === Step.SETTINGS || wizard.step === Step.RESULT) && savedList.hasContent()) cfg.toConnections = "show";
  for (const [id, key] of FOOTER) {
    const btn = $(id);
    btn.hidden = !cfg[key];
    btn.disabled = cfg[key] === "disabled";
  }
  if (cfg.startOverLabel) $("start-over-label").textContent = t(cfg.startOverLabel);
  // Alone, "start over" is the way on (right); beside "try again" it is the way back (left).
  const side = cfg.startOver && !cfg.tryAgain ? ".foot-right" : ".foot-left";
  const startOver = $("start-over");
  startOver.classList.toggle("btn-primary", !!cfg.startOverMain);
  startOver.classList.toggle("btn-secondary", !cfg.startOverMain);
  if (startOver.parentElement !== document.querySelector(side)) {
    document.querySelector(side).prepend(startOver);
  }
  $("app-version").hidden = wizard.step > Step.SETTINGS;
}

async function next() {
  if (wizard.step === Step.SETTINGS) {
    if (await settingsStep.validate()) {
      await catalogueLoaded;
      goTo(Step.ACCESS);
    }
  } else if (wizard.step === Step.ACCESS) {
    const verdict = await access.validate();
    if (verdict === "ok") goTo(Step.AUTHORIZE);
    else if (verdict === "connection") {
      goTo(Step.SETTINGS, { focus: false });
      await settingsStep.validate();
    }
  }
}

/** The step before each wizard step (the settings have none). */
const PREVIOUS = { [Step.ACCESS]: Step.SETTINGS, [Step.AUTHORIZE]: Step.ACCESS, [Step.RESULT]: Step.AUTHORIZE };

function back() {
  if (wizard.step === Step.AUTHORIZE) authorize.abandon();
  if (PREVIOUS[wizard.step] !== undefined) goTo(PREVIOUS[wizard.step]);
}

// ---------------------------------------------------------------- keyboard

/** Text fields, where Enter means "go on". Checkboxes, radios and buttons keep their own keys. */
const TEXT_INPUTS = new Set(["text", "password", "url", "email", "tel", "number"]);

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing) return;
  if (diagnostics.isOpen()) return; // the dialog handles its own keys (Escape closes it)
  const target = event.target;
  // A dialog's form handles its own keys: Enter submits it (rename), Escape cancels.
  if (target.closest?.("dialog")) return;
  const tag = target.tagName;

  if (event.key === "Escape") {
    if (wizard.step === Step.AUTHORIZE && authorize.escape()) event.preventDefault();
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
  if (wizard.step === Step.SETTINGS || wizard.step === Step.ACCESS) {
    if (!$("next").disabled) next();
  } else if (wizard.step === Step.AUTHORIZE) {
    authorize.primary();
  }
}

// ---------------------------------------------------------------- start

// ---------------------------------------------------------------- saved connections

const EMPTY_SETTINGS = { connectionName: "", clientId: "", clientSecret: "", redirectUri: "", scopes: [], accountType: "user" };

/** Fills the wizard's settings (and its inputs) from a saved connection or a file. */
function fillSettings(settings) {
  Object.assign(wizard.settings, EMPTY_SETTINGS, settings, { scopes: [...(settings.scopes ?? [])] });
  settingsStep.syncInputs();
  access.syncInputs();
  access.clearFilter();
  runCheck();
}

/** A fresh wizard: nothing kept from an earlier run. */
function newConnection() {
  wizard.origin = null;
  wizard.save = true;
  fillSettings({});
  goTo(Step.SETTINGS, { focus: false });
  $("connection-name").focus();
}

/**
 * "Activate another connection" after a success: the next customer of the same integration.
 * The name is cleared and focused; client id, secret, redirect URI and scopes stay. A
 * re-authorized connection only lends its saved secret now: the next one is a new one.
 */
function anotherConnection() {
  if (wizard.origin) wizard.origin = { ...wizard.origin, replace: false };
  access.clearFilter();
  goTo(Step.SETTINGS, { focus: false });
  settingsStep.reset();
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
    savedList.showNotice("warn", () => [pick(err.message), pick(err.next_step)].join(" "));
    return null;
  }
  const company = c.companyName ? { name: c.companyName, orgNr: c.organizationNumber } : null;
  wizard.origin = { id: c.id, name: c.name, hasSecret: answer.hasSecret, replace, company };
  wizard.save = true;
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
  goTo(check?.valid && answer.hasSecret ? Step.AUTHORIZE : Step.SETTINGS);
}

/** A new customer of the same integration: its settings and secret, a new name. */
async function duplicate(c) {
  if (!(await startFrom(c, { replace: false, name: "" }))) return;
  goTo(Step.SETTINGS, { focus: false });
  $("connection-name").focus();
}

/**
 * The attempt succeeded: the result shows at once; saving (keychain and file, as chosen in
 * step 1) runs behind it (`saving`), and the result then says where the keys are.
 */
function finishSuccess(answer) {
  const replaceId = wizard.origin?.replace ? wizard.origin.id : null;
  const save = wizard.save && answer.mode === "tokens";
  const outcome = { kind: "success", result: answer, saved: save ? { pending: true } : { skipped: true }, copied: false };
  wizard.outcome = outcome;
  updateCloseGuard();
  goTo(Step.RESULT);
  saving = save ? saveBehind(outcome, wizard.settings.connectionName.trim(), replaceId) : Promise.resolve();
}

/**
 * The attempt failed: the result says why. `stage` is "start" when it never got going
 * (nothing reached Fortnox: a port in use, say), else "answer".
 */
function finishFailure(error, stage = "answer") {
  wizard.outcome = { kind: "failure", error: error ?? null, stage };
  goTo(Step.RESULT);
}

/**
 * Back to the settings after a failure, every field kept; after `invalid_client` the
 * client secret is marked and focused, as it is what Fortnox refused.
 */
function changeSettings() {
  const secretRefused = wizard.outcome?.kind === "failure" && wizard.outcome.error?.kind === "invalid_client";
  goTo(Step.SETTINGS, { focus: !secretRefused });
  if (secretRefused) settingsStep.markSecretRefused();
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
  await savedList.load(); // so the result offers the way to the list
  if (success()?.result !== outcome.result) return; // the user has moved on meanwhile
  wizard.outcome = { ...wizard.outcome, saved };
  updateCloseGuard();
  result.render();
  refreshFooter();
}

/** Keys that exist only in this window and were never copied: leaving must ask first. */
function keysAtRisk() {
  const shown = success();
  if (!shown || shown.copied) return false;
  const report = shown.saved?.report;
  return !(report && report.secretsSaved);
}

function updateCloseGuard() {
  api.setCloseGuard(keysAtRisk()).catch(() => {});
}

function noteCopied() {
  const shown = success();
  if (shown && !shown.copied) {
    wizard.outcome = { ...shown, copied: true };
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
  if (wizard.step === Step.RESULT && !(await confirmLeave())) return;
  if (wizard.step === Step.AUTHORIZE) authorize.abandon();
  goTo(Step.SAVED);
}

/** The largest activation file read (as `activation::store::activation_file::MAX_BYTES`). */
const ACTIVATION_FILE_MAX_BYTES = 64 * 1024;

/** An activation file chosen in the window. */
async function openActivationFile(file) {
  // Refused unread when far too large (Rust refuses it again, whatever it is sent).
  if (file.size > ACTIVATION_FILE_MAX_BYTES) {
    const kb = ACTIVATION_FILE_MAX_BYTES / 1024;
    const problem = { message: both("file.tooLarge", { kb }), next_step: both("file.tooLargeNext") };
    await useActivationFile(file.name, null, problem);
    return;
  }
  let text;
  try {
    text = await file.text();
  } catch {
    text = "";
  }
  try {
    const answer = await api.readActivationFile(text);
    await useActivationFile(file.name, answer.settings, null, answer.notes);
  } catch (err) {
    await useActivationFile(file.name, null, err);
  }
}

/**
 * The activation file Rust holds (the app was started with it, or handed it while running),
 * if any. An activation under way, or keys not yet saved or copied, are not dropped for it
 * without asking, as with any other way off those screens.
 */
async function takeActivationFile() {
  const file = await api.startupFile().catch(() => null);
  if (!file) return;
  if (wizard.step === Step.RESULT && !(await confirmLeave())) return;
  if (wizard.step === Step.AUTHORIZE) authorize.abandon();
  await useActivationFile(file.fileName, file.settings, file.problem, file.notes);
}

/** An activation file's problems (or notes), one line per field, in the current language. */
function fileLines(list) {
  return (list ?? []).map((p) => `${pick(p.label)}: ${pick(p.text)}`);
}

/**
 * The wizard prefilled from an activation file (with its notes: scopes Fortnox does not know,
 * also marked in step 2), or what is wrong with the file, listed by field.
 */
async function useActivationFile(fileName, settings, problem, notes = []) {
  await catalogueLoaded;
  if (problem) {
    const content = () => ({
      warn: true,
      lead: t("file.bad", { file: fileName }),
      items: problem.problems?.length ? fileLines(problem.problems) : [pick(problem.message)],
      next: pick(problem.next_step),
    });
    if (wizard.step === Step.SAVED || savedList.hasContent()) {
      savedList.showNotice("warn", content);
      if (wizard.step !== Step.SAVED) goTo(Step.SAVED);
    } else {
      settingsStep.showFileNotice(content);
      // Handed over while another step showed (a double-click): step 1 says what is wrong.
      if (wizard.step !== Step.SETTINGS) goTo(Step.SETTINGS, { focus: false });
    }
    return;
  }
  wizard.origin = null;
  wizard.save = true;
  fillSettings(settings);
  goTo(Step.SETTINGS, { focus: false });
  settingsStep.showFileNotice(() =>
    notes.length
      ? { lead: t("file.opened", { file: fileName }), items: fileLines(notes) }
      : t("file.opened", { file: fileName }),
  );
  // The file named the connection: what is left to type is usually the client secret.
  settingsStep.focusFirstEmpty();
}

/** What the steps may read and do. */
const ctx = {
  state: wizard,
  checkAnswer,
  checkFailure,
  goTo,
  reauthorize,
  duplicate,
  newConnection,
  finishSuccess,
  finishFailure,
  changeSettings,
  confirmLeave,
  updateCloseGuard,
  next,
  refreshFooter,
  announce,
  copyWithFeedback,
  /** Resolves once the result's save (running behind the result) is done. */
  whenSaved: () => saving,
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
    return wizard.step;
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

  for (const screen of Object.values(SCREENS)) screen.init(ctx);
  diagnostics.init(ctx);

  $("next").addEventListener("click", next);
  $("back").addEventListener("click", back);
  $("try-again").addEventListener("click", () => result.tryAgain());
  $("start-over").addEventListener("click", () => result.startOver());
  $("new-connection").addEventListener("click", newConnection);
  $("to-connections").addEventListener("click", toConnections);
  $("open-file").addEventListener("click", () => $("activation-file-input").click());
  $("open-activation-file").addEventListener("click", () => $("activation-file-input").click());
  $("activation-file-input").addEventListener("change", (e) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (file) openActivationFile(file);
  });
  $("save-connection").addEventListener("change", (e) => {
    wizard.save = e.target.checked;
  });
  $("language").addEventListener("change", (e) => switchLanguage(e.target.value));
  document.addEventListener("keydown", onKeyDown);
  onLanguageChange(() => {
    renderIndicator();
    renderReauthBanner();
    refreshFooter();
    renderEndpointBanner();
    for (const screen of Object.values(SCREENS)) screen.render?.();
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
  await savedList.load(firstList);
  goTo(savedList.hasContent() ? Step.SAVED : Step.SETTINGS, { focus: false });
  reveal();
  // Focus only once the window shows (a hidden element takes none): typing goes straight in.
  if (wizard.step === Step.SAVED) savedList.focusStart();
  else settingsStep.focusFirstEmpty();
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

  // Started with an activation file (double-clicked, or the first argument), or handed one
  // while running (a double-click on another): listen first, so none is missed in between.
  await api.onActivationFile(takeActivationFile).catch(() => {});
  await takeActivationFile();

  // A link the app was started with (or one that came while it loaded) with no activation
  // waiting: say so, and offer a new activation.
  linkNotice.init({ onStartNew: () => newConnection() });
}

/** The scope catalogue for step 2; leaving step 1 (or filling the wizard) waits for it. */
let catalogueLoaded = Promise.resolve();

async function loadCatalogue() {
  try {
    wizard.catalogue = await api.scopeCatalogue();
  } catch (err) {
    wizard.catalogue = [];
    wizard.check = { kind: "failed", error: err };
  }
  // Nothing is ticked in advance: the user (or a script) chooses; "Select recommended" helps.
  access.buildList();
}

// Launch phases for the benchmark, sent after "ready" so that they do not delay it.
const scriptAt = Date.now();
// The first screen's one question to Rust: its answer, asked for at document start by the
// boot script (src-tauri/src/boot.rs), or else asked now, as soon as the modules run.
const firstList = api.listConnections();
firstList.catch(() => {}); // handled where it is awaited (savedList.load)
let domAt = 0;
document.addEventListener("DOMContentLoaded", () => (domAt = Date.now()), { once: true });
// A start that fails still shows the window (whatever works of it), never a blank one.
const start = () => boot().catch((err) => {
  reveal();
  console.error("start-up failed", err);
});
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
