// The authorize step (`Step.AUTHORIZE`, the wizard's third): open Fortnox in the browser
// and wait for the answer.
//
// The attempt is a small state machine, and the step is drawn from its state alone:
//
//   idle ──start──▶ starting ──started──▶ waiting ──code arrived──▶ exchanging
//     ▲               │                    │  │                         │
//     │           start failed          cancel │ failed/succeeded    failed/succeeded
//     │               ▼                    ▼  ▼                         ▼
//     └─Back──── failed (step 4)    cancelled      done (step 4) / failed (step 4)
//
// Each attempt has an id; a message of any other attempt (one that was left with Back or
// replaced) is ignored. "cancelled" still accepts its attempt's success, because Fortnox
// may have answered just before the cancel reached Rust. The authorize URL is always
// there with "copy" and "open again" (opening a browser can fail silently), and the paste
// field takes the browser's address (or a bare code) while waiting.
//
// In paste mode (an https redirect URI: pasting is the only way to finish) the paste field
// is the point of the waiting view: it comes right under the waiting box with its own
// heading, "Use this address" is the footer's main action, and the authorize URL is folded
// away behind a button (unfolded at once when the browser could not be opened).

import { t, tn, pick, both, formatClock } from "../i18n.js";
import * as api from "../api.js";
import { $ } from "../dom.js";
import { captureText } from "../capture.js";
import { answeredByPaste } from "../scheme-status.js";
import { Step } from "../step.js";

/** The phases in which an attempt runs in Rust. */
const RUNNING = new Set(["starting", "waiting", "exchanging"]);

/**
 * Seconds of waiting for the loopback listener or a link after which the paste field is
 * pointed at (a browser that lands on an error page, a firewall, a blocked port: the answer
 * may never arrive by itself). Tests may set `window.__FA_PASTE_NUDGE_SECS__`.
 */
const PASTE_NUDGE_SECS = 45;
const nudgeSecs = () => Number(window.__FA_PASTE_NUDGE_SECS__) || PASTE_NUDGE_SECS;

let ctx;
let nextId = 1;
/**
 * The attempt: `{id, phase, info, browserFailed, rejected, paste: {busy, error}, urlShown}`;
 * `info` is Rust's `Started`; `browserFailed`, `rejected` and `paste.error` are
 * ErrorPayloads (or null); `urlShown`: the user unfolded the address (paste mode).
 */
let attempt = idle();
let timer = 0;
let minuteAnnounced = false;

function idle(phase = "idle") {
  return {
    id: 0, phase, info: null, browserFailed: null, rejected: null, paste: { busy: false, error: null },
    urlShown: false, waitingSince: 0, nudged: false,
  };
}

/** Moves the attempt to `phase` (with `changes`) and redraws. */
function become(phase, changes = {}) {
  attempt = { ...attempt, ...changes, phase };
  if (phase === "waiting" && !attempt.waitingSince) attempt.waitingSince = Date.now();
  if (phase === "waiting") startTimer();
  if (!RUNNING.has(phase) || phase === "exchanging") stopTimer();
  render();
}

const mine = (id) => id === attempt.id && id !== 0;

export function init(c) {
  ctx = c;
  $("authorize").addEventListener("click", start);
  $("cancel").addEventListener("click", cancel);
  $("open-again").addEventListener("click", openAgain);
  $("copy-url").addEventListener("click", (e) => ctx.copyWithFeedback(e.currentTarget, "authorize-url"));
  $("use-pasted").addEventListener("click", usePasted);
  $("toggle-url").addEventListener("click", () => {
    attempt = { ...attempt, urlShown: !attempt.urlShown };
    render();
  });
  $("pasted-url").addEventListener("input", () => {
    if (attempt.paste.error) {
      attempt.paste = { ...attempt.paste, error: null };
      renderPaste();
    }
  });
}

export function enter() {
  if (!RUNNING.has(attempt.phase)) attempt = idle();
  render();
  ctx.checkNow().then(() => {
    if (ctx.currentStep === Step.AUTHORIZE) renderSummary();
  });
}

export function leave() {
  stopTimer();
  placePasteBlock(false);
}

export function footer() {
  const phase = attempt.phase;
  return {
    back: phase === "exchanging" ? "disabled" : "show",
    authorize: phase === "starting" ? "disabled" : RUNNING.has(phase) ? undefined : "show",
  };
}

/** Whether the answer comes only by pasting (an https redirect URI), for this attempt. */
function pasteMode() {
  return answeredByPaste(attempt.info?.capture ?? ctx.checkAnswer()?.capture);
}

/** Enter in the step: start when nothing runs yet. */
export function primary() {
  if (!RUNNING.has(attempt.phase)) start();
}

/** Escape: cancel a waiting attempt. True when it did something. */
export function escape() {
  if (attempt.phase !== "waiting") return false;
  cancel();
  return true;
}

/** Leaving the step (Back): cancel quietly, nothing to show. */
export function abandon() {
  if (!RUNNING.has(attempt.phase)) return;
  attempt = idle();
  stopTimer();
  api.cancelAuthorization().catch(() => {});
}

async function start() {
  if (RUNNING.has(attempt.phase)) return;
  const id = nextId++;
  minuteAnnounced = false;
  attempt = { ...idle("starting"), id };
  render();

  let info;
  try {
    info = await api.startAuthorization(ctx.settingsSnapshot(), (message) => onMessage(id, message));
  } catch (err) {
    if (mine(id)) finish("failed", err, "start");
    return;
  }
  if (!mine(id)) {
    // Left with Back while starting: make sure Rust stops listening too (unless a newer
    // attempt runs, which replaced this one in Rust already).
    if (!RUNNING.has(attempt.phase)) api.cancelAuthorization().catch(() => {});
    return;
  }
  if (attempt.phase === "starting") become("waiting", { info });
  else become(attempt.phase, { info }); // a message arrived first (exchanging)
  // In paste mode the field is where the user comes back to: Ctrl+V and Enter finish.
  if (pasteMode() && attempt.phase === "waiting") $("pasted-url").focus();
  else $("waiting-title").focus({ preventScroll: true });
}

function onMessage(id, message) {
  if (!mine(id) || !message) return;
  const phase = attempt.phase;
  switch (message.type) {
    case "browser-failed":
      if (RUNNING.has(phase)) become(phase, { browserFailed: message.error ?? {} });
      break;
    case "callback-rejected":
      if (RUNNING.has(phase)) become(phase, { rejected: message.error ?? {} });
      break;
    case "exchanging":
      if (phase === "waiting" || phase === "starting") {
        become("exchanging", { paste: { busy: false, error: null } });
      }
      break;
    case "succeeded":
      if (RUNNING.has(phase) || phase === "cancelled") finish("done", message.result);
      break;
    case "failed":
      if (phase === "cancelled") break; // our own cancel coming back
      if (RUNNING.has(phase)) finish("failed", message.error);
      break;
    default:
      break;
  }
}

/**
 * Ends the attempt with a result (`done`) or an error (`failed`; `stage` "start" when it
 * never got going) and shows the result.
 */
function finish(phase, payload, stage = "answer") {
  stopTimer();
  attempt = { ...idle(phase), id: attempt.id };
  if (phase === "done") {
    ctx.finishSuccess(payload); // shows the result; saving, as chosen in step 1, runs behind it
    return;
  }
  ctx.finishFailure(payload, stage);
}

function cancel() {
  if (attempt.phase !== "waiting") return;
  become("cancelled");
  api.cancelAuthorization().catch(() => {
    /* the attempt may have ended by itself meanwhile */
  });
  ctx.announce(t("notice.cancelled"));
  $("authorize").focus();
}

async function openAgain() {
  const id = attempt.id;
  let failed = null;
  try {
    await api.openBrowser();
  } catch (err) {
    failed = err;
  }
  if (mine(id) && RUNNING.has(attempt.phase)) become(attempt.phase, { browserFailed: failed });
}

/** Hands the pasted address (or code) to Rust; problems are shown beside the field. */
export async function usePasted() {
  if (attempt.phase !== "waiting" || attempt.paste.busy) return;
  const text = $("pasted-url").value.trim();
  if (!text) {
    attempt.paste = { busy: false, error: { kind: "paste_empty", message: both("paste.empty") } };
    renderPaste();
    $("pasted-url").focus();
    return;
  }
  const id = attempt.id;
  attempt.paste = { busy: true, error: null };
  renderPaste();
  let error = null;
  try {
    await api.submitRedirect(text);
  } catch (err) {
    error = err;
  }
  if (!mine(id) || attempt.phase !== "waiting") return; // exchanging (or over) by now
  attempt.paste = { busy: false, error };
  renderPaste();
  if (error) $("pasted-url").focus();
}

// ---------------------------------------------------------------- countdown

function startTimer() {
  if (timer) return;
  tick();
  timer = setInterval(tick, 500);
}

function stopTimer() {
  clearInterval(timer);
  timer = 0;
}

function tick() {
  if (!attempt.info) return;
  const left = (attempt.info.deadlineMs - Date.now()) / 1000;
  $("countdown").textContent = formatClock(Math.ceil(left));
  $("countdown-box").classList.toggle("is-low", left <= 60);
  if (left <= 60 && left > 0 && !minuteAnnounced && attempt.phase === "waiting") {
    minuteAnnounced = true;
    ctx.announce(t("countdown.oneMinute"));
  }
  nudgeWhenSilent();
}

/** After a while of waiting with nothing back (loopback or link), points at the paste field. */
function nudgeWhenSilent() {
  const mode = attempt.info?.capture?.mode;
  if (attempt.phase !== "waiting" || attempt.nudged || !attempt.waitingSince) return;
  if (mode !== "loopback" && mode !== "scheme") return;
  if (Date.now() - attempt.waitingSince < nudgeSecs() * 1000) return;
  attempt.nudged = true;
  renderPaste();
  // The notice is a status region: screen readers hear it once it is filled.
  $("paste-block").scrollIntoView({ block: "nearest", behavior: "smooth" });
}


// ---------------------------------------------------------------- rendering (from `attempt`)

export function render() {
  const { phase } = attempt;
  const active = phase === "waiting" || phase === "exchanging";
  renderSummary();
  renderStart(phase);
  $("auth-active").hidden = !active;
  // While an attempt runs, the waiting state, the address and the paste field matter most.
  $("summary").hidden = active;
  $("authorize-intro").hidden = active;
  if (active) renderActive(phase === "exchanging");
  renderPaste();
  ctx.refreshFooter();
  placePasteBlock(active && pasteMode() && ctx.currentStep === Step.AUTHORIZE);
}

/**
 * Paste mode while waiting: the paste block right under the waiting box, and its button in
 * the footer as the step's main action. Otherwise the block is the last part of the step
 * and its button its own.
 */
function placePasteBlock(main) {
  const block = $("paste-block");
  const button = $("use-pasted");
  block.classList.toggle("is-main", main);
  $("paste-title").hidden = !main;
  const label = $("pasted-label");
  label.dataset.i18n = main ? "paste.label.main" : "paste.label";
  label.textContent = t(label.dataset.i18n);
  button.classList.toggle("btn-primary", main);
  button.classList.toggle("btn-secondary", !main);
  if (main) {
    const waiting = document.querySelector("#auth-active .waiting");
    if (waiting.nextElementSibling !== block) waiting.after(block);
    const right = document.querySelector(".foot-right");
    if (button.parentElement !== right) right.append(button);
  } else {
    const panel = $("step-authorize");
    if (block.parentElement !== panel) panel.append(block);
    const home = $("use-pasted-home");
    if (button.parentElement !== home) home.append(button);
  }
}

/** Before the start, while starting, and after a cancel: the hint and the footer's button. */
function renderStart(phase) {
  $("auth-idle").hidden = phase === "waiting" || phase === "exchanging";
  const label = $("authorize-label");
  label.dataset.i18n = phase === "starting" ? "authorize.starting" : "authorize";
  label.textContent = t(label.dataset.i18n);
  $("authorize").classList.toggle("is-busy", phase === "starting");
  const service = ctx.state.settings.accountType === "service";
  $("authorize-hint").textContent = t(service ? "authorize.hint.service" : "authorize.hint");
  const cancelled = $("cancelled-notice");
  cancelled.hidden = phase !== "cancelled";
  cancelled.textContent = phase === "cancelled" ? t("notice.cancelled") : "";
}

/** Waiting or exchanging: the live box, notices, the address, and help for Fortnox's errors. */
function renderActive(exchanging) {
  const capture = attempt.info?.capture ?? ctx.checkAnswer()?.capture;
  $("auth-active").dataset.phase = attempt.phase;
  $("waiting-title").textContent = t(exchanging ? "exchanging.title" : "waiting.title");
  $("waiting-sub").textContent = exchanging
    ? t("exchanging.text")
    : attempt.browserFailed
      ? t("waiting.text.noBrowser")
      : captureText(capture, "waiting");
  $("countdown-box").hidden = exchanging;
  $("cancel").hidden = exchanging;
  $("url-block").hidden = exchanging;
  $("fortnox-error-help").hidden = exchanging;

  const failedNotice = $("browser-failed-notice");
  failedNotice.hidden = !attempt.browserFailed;
  failedNotice.textContent = attempt.browserFailed ? t("notice.browserFailed") : "";
  $("url-block").classList.toggle("is-prominent", !!attempt.browserFailed);
  // Paste mode folds the address away (it is rarely needed there) unless the browser could
  // not be opened, when it is the way on.
  const foldable = pasteMode() && !attempt.browserFailed;
  const toggle = $("toggle-url");
  toggle.hidden = !foldable;
  toggle.setAttribute("aria-expanded", String(attempt.urlShown));
  $("toggle-url-label").textContent = t(attempt.urlShown ? "url.hide" : "url.show");
  $("url-body").hidden = foldable && !attempt.urlShown;

  const rejected = $("rejected-notice");
  rejected.hidden = !attempt.rejected || exchanging;
  // A stranger's answer (wrong or missing state) is ignored with a short note; any other
  // refused answer is explained with its own words.
  const foreign = ["state_mismatch", "state_missing"].includes(attempt.rejected?.kind);
  rejected.textContent = !attempt.rejected
    ? ""
    : foreign || !attempt.rejected.message
      ? t("notice.callbackRejected")
      : `${pick(attempt.rejected.message)} ${pick(attempt.rejected.next_step)}`;
  $("authorize-url").textContent = attempt.info?.authorizeUrl ?? "";
}

function renderPaste() {
  const { phase, paste } = attempt;
  const open = phase === "waiting";
  const input = $("pasted-url");
  input.disabled = !open || paste.busy;
  $("use-pasted").disabled = !open || paste.busy;
  const label = $("use-pasted").querySelector(".btn-label");
  label.dataset.i18n = paste.busy ? "paste.checking" : "paste.use";
  label.textContent = t(label.dataset.i18n);
  $("pasted-hint").textContent = t(open || phase === "exchanging" ? "paste.hint.active" : "paste.hint.idle");
  $("paste-block").classList.toggle("is-disabled", !open);
  const nudge = $("paste-nudge");
  const nudged = open && attempt.nudged;
  nudge.hidden = !nudged;
  nudge.textContent = nudged ? t("paste.nudge") : "";
  $("paste-block").classList.toggle("is-nudged", nudged);

  const message = paste.error ? [pick(paste.error.message), pick(paste.error.next_step)].filter(Boolean).join(" ") : "";
  $("pasted-error").textContent = message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function renderSummary() {
  const s = ctx.state.settings;
  const check = ctx.checkAnswer();
  const capture = attempt.info?.capture ?? check?.capture;
  // Decided in Rust: the running attempt's answer, else the last check's.
  const codeOnly = attempt.info?.codeOnly ?? check?.codeOnly;
  const dl = $("summary");
  dl.replaceChildren();

  const add = (term, value) => {
    const row = document.createElement("div");
    row.className = "summary-row";
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    if (value instanceof Node) dd.append(value);
    else dd.textContent = value;
    row.append(dt, dd);
    dl.append(row);
  };

  add(t("summary.name"), s.connectionName.trim());
  // The two values behind most of Fortnox's own error pages, in full, so a typo shows.
  const mono = (text) => {
    const code = document.createElement("code");
    code.className = "summary-value";
    code.textContent = text;
    return code;
  };
  add(t("summary.clientId"), mono(s.clientId.trim()));
  add(t("summary.redirect"), mono(s.redirectUri.trim()));
  add(t("summary.account"), t(s.accountType === "service" ? "account.service" : "account.user"));
  const scopes = document.createElement("span");
  scopes.className = "summary-scopes";
  const count = document.createElement("span");
  count.textContent = tn("summary.scopes", s.scopes.length);
  const chips = document.createElement("span");
  chips.className = "chips chips-inline";
  for (const id of s.scopes) {
    const chip = document.createElement("code");
    chip.className = "chip";
    chip.textContent = id;
    chips.append(chip);
  }
  scopes.append(count, chips);
  add(t("summary.scopes"), scopes);
  if (capture) add(t("summary.capture"), captureText(capture, "summary"));
  if (codeOnly !== undefined) add(t("summary.mode"), t(codeOnly ? "summary.mode.code" : "summary.mode.tokens"));

  const warnings = check?.warnings ?? [];
  $("summary-warning-list").replaceChildren(
    ...warnings.map((w) => {
      const li = document.createElement("li");
      li.textContent = pick(w);
      return li;
    }),
  );
  const active = attempt.phase === "waiting" || attempt.phase === "exchanging";
  $("summary-warnings").hidden = warnings.length === 0 || active;
}
