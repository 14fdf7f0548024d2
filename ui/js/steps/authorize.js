// Step 3: open Fortnox in the browser and wait for the answer.
//
// One attempt at a time. Each attempt has its own Channel and a sequence number;
// messages of an attempt that was cancelled or abandoned are ignored. The authorize URL
// is always shown with "copy" and "open again" (opening a browser can fail silently),
// and the paste field takes the browser's address (or a bare code) once an attempt runs.

import { t, tn, pick, formatClock } from "../i18n.js";
import * as api from "../api.js";

let ctx;
let seq = 0;
/** {seq, phase: "starting"|"waiting"|"exchanging", info, browserFailed, rejected, cancelling} */
let attempt = null;
const abandoned = new Set();
let cancelledNotice = false;
let pasteBusy = false;
let pasteError = null; // {key} made here, or an ErrorPayload from Rust
let timer = 0;
let minuteAnnounced = false;
const $ = (id) => document.getElementById(id);

export function init(c) {
  ctx = c;
  $("authorize").addEventListener("click", start);
  $("cancel").addEventListener("click", cancel);
  $("open-again").addEventListener("click", openAgain);
  $("copy-url").addEventListener("click", (e) => ctx.copyWithFeedback(e.currentTarget, "authorize-url"));
  $("use-pasted").addEventListener("click", usePasted);
  $("pasted-url").addEventListener("input", () => {
    if (pasteError) {
      pasteError = null;
      renderPaste();
    }
  });
}

export function enter() {
  cancelledNotice = false;
  render();
  ctx.checkNow().then(() => {
    if (ctx.currentStep === 3) renderSummary();
  });
}

export function leave() {
  stopTimer();
}

export function footer() {
  return { back: attempt?.phase === "exchanging" ? "disabled" : "show" };
}

/** Enter in the step: start when nothing runs yet. */
export function primary() {
  if (!attempt) start();
}

/** Escape: cancel a waiting attempt. True when it did something. */
export function escape() {
  if (attempt && attempt.phase === "waiting") {
    cancel();
    return true;
  }
  return false;
}

/** Leaving the step (Back): cancel quietly, nothing to show. */
export function abandon() {
  if (!attempt) return;
  abandoned.add(attempt.seq);
  endAttempt();
  api.cancelAuthorization().catch(() => {});
}

function endAttempt() {
  seq++;
  attempt = null;
  pasteBusy = false;
  stopTimer();
}

async function start() {
  if (attempt) return;
  cancelledNotice = false;
  pasteError = null;
  minuteAnnounced = false;
  const mine = ++seq;
  attempt = { seq: mine, phase: "starting", info: null, browserFailed: null, rejected: null, cancelling: false };
  render();

  let info;
  try {
    info = await api.startAuthorization(ctx.settingsSnapshot(), (message) => onMessage(mine, message));
  } catch (err) {
    if (mine !== seq) return;
    endAttempt();
    fail(err);
    return;
  }
  if (mine !== seq) {
    // Abandoned while starting: make sure Rust stops listening too.
    if (abandoned.has(mine) && !attempt) api.cancelAuthorization().catch(() => {});
    return;
  }
  attempt.info = info;
  if (attempt.phase === "starting") attempt.phase = "waiting";
  startTimer();
  render();
  $("waiting-title").focus({ preventScroll: true });
}

function onMessage(mine, message) {
  if (mine !== seq || !attempt || !message) return;
  switch (message.type) {
    case "browser-failed":
      attempt.browserFailed = message.error ?? {};
      render();
      break;
    case "callback-rejected":
      attempt.rejected = message.error ?? {};
      render();
      break;
    case "exchanging":
      attempt.phase = "exchanging";
      pasteBusy = false;
      pasteError = null;
      render();
      break;
    case "succeeded":
      endAttempt();
      ctx.state.result = message.result;
      ctx.state.error = null;
      ctx.goTo(4);
      break;
    case "failed": {
      const userCancelled = attempt.cancelling;
      endAttempt();
      if (message.error?.kind === "cancelled" && userCancelled) showCancelled();
      else fail(message.error);
      break;
    }
    default:
      break;
  }
}

function fail(error) {
  ctx.state.error = error ?? null;
  ctx.state.result = null;
  ctx.goTo(4);
}

async function cancel() {
  if (!attempt || attempt.phase !== "waiting" || attempt.cancelling) return;
  const mine = attempt.seq;
  attempt.cancelling = true;
  render();
  try {
    await api.cancelAuthorization();
  } catch {
    /* the attempt may have ended by itself meanwhile */
  }
  // The channel's "failed: cancelled" may come before or after this point.
  if (attempt && attempt.seq === mine) {
    endAttempt();
    showCancelled();
  }
}

function showCancelled() {
  cancelledNotice = true;
  render();
  ctx.announce(t("notice.cancelled"));
  $("authorize").focus();
}

async function openAgain() {
  if (!attempt) return;
  const mine = attempt.seq;
  try {
    await api.openBrowser();
    if (attempt?.seq === mine) attempt.browserFailed = null;
  } catch (err) {
    if (attempt?.seq === mine) attempt.browserFailed = err;
  }
  render();
}

/** Hands the pasted address (or code) to Rust; problems are shown beside the field. */
export async function usePasted() {
  if (!attempt || attempt.phase !== "waiting" || pasteBusy) return;
  const text = $("pasted-url").value.trim();
  if (!text) {
    pasteError = { key: "paste.empty" };
    renderPaste();
    $("pasted-url").focus();
    return;
  }
  const mine = attempt.seq;
  pasteBusy = true;
  pasteError = null;
  renderPaste();
  try {
    await api.submitRedirect(text);
  } catch (err) {
    if (attempt?.seq === mine) pasteError = err;
  }
  if (attempt?.seq !== mine) return;
  pasteBusy = false;
  render();
  if (pasteError) $("pasted-url").focus();
}

// ---------------------------------------------------------------- countdown

function startTimer() {
  stopTimer();
  tick();
  timer = setInterval(tick, 500);
}

function stopTimer() {
  clearInterval(timer);
  timer = 0;
}

function tick() {
  if (!attempt?.info) return;
  const left = (attempt.info.deadlineMs - Date.now()) / 1000;
  $("countdown").textContent = formatClock(Math.ceil(left));
  $("countdown-box").classList.toggle("is-low", left <= 60);
  if (left <= 60 && left > 0 && !minuteAnnounced && attempt.phase === "waiting") {
    minuteAnnounced = true;
    ctx.announce(t("countdown.oneMinute"));
  }
}

// ---------------------------------------------------------------- rendering

export function render() {
  renderSummary();
  const phase = attempt?.phase ?? "idle";
  const accountType = ctx.state.settings.accountType;
  const captureMode = attempt?.info?.capture?.mode ?? ctx.state.check?.capture?.mode;

  // Before the start (and while starting): the big button.
  $("auth-idle").hidden = phase !== "idle" && phase !== "starting";
  const authorize = $("authorize");
  authorize.disabled = phase === "starting";
  const label = $("authorize-label");
  label.dataset.i18n = phase === "starting" ? "authorize.starting" : "authorize";
  label.textContent = t(label.dataset.i18n);
  authorize.classList.toggle("is-busy", phase === "starting");
  $("authorize-hint").textContent = t(accountType === "service" ? "authorize.hint.service" : "authorize.hint");
  const cancelled = $("cancelled-notice");
  cancelled.hidden = !cancelledNotice || phase !== "idle";
  cancelled.textContent = cancelledNotice ? t("notice.cancelled") : "";

  // While waiting or exchanging.
  const active = phase === "waiting" || phase === "exchanging";
  $("auth-active").hidden = !active;
  // While an attempt runs, the waiting state, the address and the paste field matter most.
  $("summary").hidden = active;
  $("authorize-intro").hidden = active;
  $("auth-active").dataset.phase = phase;
  if (active) {
    const exchanging = phase === "exchanging";
    $("waiting-title").textContent = t(exchanging ? "exchanging.title" : "waiting.title");
    $("waiting-sub").textContent = exchanging
      ? t("exchanging.text")
      : t(
          attempt.browserFailed
            ? "waiting.text.noBrowser"
            : captureMode === "paste"
              ? "waiting.text.paste"
              : captureMode === "scheme"
                ? "waiting.text.scheme"
                : "waiting.text",
        );
    $("countdown-box").hidden = exchanging;
    $("cancel").hidden = exchanging;
    $("cancel").disabled = !!attempt.cancelling;
    $("url-block").hidden = exchanging;

    const failedNotice = $("browser-failed-notice");
    failedNotice.hidden = !attempt.browserFailed;
    failedNotice.textContent = attempt.browserFailed ? t("notice.browserFailed") : "";
    $("url-block").classList.toggle("is-prominent", !!attempt.browserFailed);

    const rejected = $("rejected-notice");
    rejected.hidden = !attempt.rejected || exchanging;
    rejected.textContent = attempt.rejected ? t("notice.callbackRejected") : "";
    $("authorize-url").textContent = attempt.info?.authorizeUrl ?? "";
  }
  renderPaste();
  ctx.refreshFooter();
}

function renderPaste() {
  const phase = attempt?.phase ?? "idle";
  const open = phase === "waiting" && !attempt?.cancelling;
  const input = $("pasted-url");
  input.disabled = !open || pasteBusy;
  $("use-pasted").disabled = !open || pasteBusy;
  const label = $("use-pasted").querySelector(".btn-label");
  label.dataset.i18n = pasteBusy ? "paste.checking" : "paste.use";
  label.textContent = t(label.dataset.i18n);
  $("pasted-hint").textContent = t(open || phase === "exchanging" ? "paste.hint.active" : "paste.hint.idle");
  $("paste-block").classList.toggle("is-disabled", !open);

  let message = "";
  if (pasteError?.key) message = t(pasteError.key);
  else if (pasteError) message = [pick(pasteError.message), pick(pasteError.next_step)].filter(Boolean).join(" ");
  $("pasted-error").textContent = message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function renderSummary() {
  const s = ctx.state.settings;
  const check = ctx.state.check;
  const capture = attempt?.info?.capture ?? check?.capture;
  const codeOnly = attempt?.info?.codeOnly ?? check?.codeOnly ?? s.clientSecret.trim() === "";
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
  if (capture) {
    const text =
      capture.mode === "loopback"
        ? t("summary.capture.loopback", { port: capture.port })
        : capture.mode === "scheme"
          ? t("summary.capture.schemeLink", { scheme: capture.scheme })
          : t("summary.capture.paste");
    add(t("summary.capture"), text);
  }
  add(t("summary.mode"), t(codeOnly ? "summary.mode.code" : "summary.mode.tokens"));

  const warnings = check?.warnings ?? [];
  const list = $("summary-warning-list");
  list.replaceChildren(
    ...warnings.map((w) => {
      const li = document.createElement("li");
      li.textContent = pick(w);
      return li;
    }),
  );
  const active = attempt?.phase === "waiting" || attempt?.phase === "exchanging";
  $("summary-warnings").hidden = warnings.length === 0 || active;
}
