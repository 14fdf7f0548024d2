// The result step (`Step.RESULT`, the wizard's fourth): the outcome. Success lists what
// Fortnox said about the company and the tokens (their values stay in Rust until the user
// presses Show or Copy); failure gives the reason in plain words, what to do next, and
// details for support.
// `#result[data-status]` is "success" or "failed" while the step shows.
// Once the new connection is saved, copying its refresh token (or JSON / .env lines that
// carry it) asks who keeps it (owner.js): handed over, or kept here.

import { t, pick, formatDateTime, formatRelative, formatClock } from "../i18n.js";
import * as api from "../api.js";
import { $, renderShowHide } from "../dom.js";
import { Step } from "../step.js";
import { asksOwner, copyAskingOwner, CARRIES_REFRESH } from "../owner.js";

const SECRETS = [
  { what: "code", show: "show.code", hide: "hide.code" },
  { what: "access-token", show: "show.access", hide: "hide.access" },
  { what: "refresh-token", show: "show.refresh", hide: "hide.refresh" },
];
const MASK = "••••••••••••••••••••••••";

let ctx;
let timer = 0;
/** what → value, only while the user has pressed Show. */
const revealed = new Map();
/** After the copy question: `{connection, text: () => string}` (handed over or kept here). */
let owner = null;

export function init(c) {
  ctx = c;
  for (const { what } of SECRETS) {
    $(`show-${what}`).addEventListener("click", () => toggleReveal(what));
    $(`copy-${what}`).addEventListener("click", (e) => copy(e.currentTarget, what));
  }
  $("copy-json").addEventListener("click", (e) => copy(e.currentTarget, "json"));
  $("copy-env").addEventListener("click", (e) => copy(e.currentTarget, "env"));
}

/** The saved connection of the result (its keys in the keychain), as it is now; or null. */
function savedConnection() {
  const report = success()?.saved?.report;
  if (!report?.secretsSaved) return null;
  return owner?.connection ?? report.connection ?? null;
}

/** Copies `what`; what carries the saved connection's refresh token asks who keeps it. */
async function copy(button, what) {
  // Whether the connection is saved decides whether to ask: wait for the save behind.
  if (CARRIES_REFRESH.includes(what)) await ctx.whenSaved();
  const c = savedConnection();
  if (!asksOwner(c, what)) {
    await ctx.copyWithFeedback(button, what);
    return;
  }
  const asked = await copyAskingOwner(c, what, (w, opts) => ctx.copyWithFeedback(button, w, opts));
  if (!asked.ok) return;
  const name = c.name;
  if (asked.choice === "integration") {
    // The clipboard note above says when the clipboard is cleared.
    owner = { connection: asked.connection ?? { ...c, ownership: "handed_over" }, text: () => t("done.handedOver", { name }) };
  } else {
    owner = { connection: c, text: () => t(what === "refresh-token" ? "done.keptHereCommand" : "done.keptHereCopied", { name }) };
  }
  renderOwner();
  ctx.announce(owner.text());
}

/** What the copy question decided, under the save status. */
function renderOwner() {
  const box = $("owner-note");
  box.hidden = !owner;
  box.textContent = owner ? owner.text() : "";
}

export function enter() {
  revealed.clear();
  owner = null;
  $("clipboard-note").hidden = true;
  render();
  clearInterval(timer);
  timer = setInterval(tick, 1000);
}

export function leave() {
  clearInterval(timer);
  timer = 0;
  revealed.clear();
  for (const { what } of SECRETS) renderSecret(what);
  $("result").removeAttribute("data-status");
}

/** The success shown (`{result, saved, copied}`), or null after a failure. */
const success = () => (ctx.state.outcome?.kind === "success" ? ctx.state.outcome : null);

export function footer() {
  if (success()) return { startOver: "show", startOverLabel: "btn.another" };
  // A refused client secret fails the same way each time: changing it is the way on.
  if (ctx.state.outcome?.error?.kind === "invalid_client") {
    return { startOver: "show", startOverLabel: "btn.changeSettings", startOverMain: true };
  }
  return { startOver: "show", startOverLabel: "btn.changeSettings", tryAgain: "show" };
}

/** Back to the authorize step with everything kept. */
export function tryAgain() {
  ctx.goTo(Step.AUTHORIZE);
}

/**
 * After a success, "Activate another connection": step 1 starts clean for the next
 * customer (name cleared and focused; the integration's client id, secret and redirect URI
 * stay, as the same integration is usually connected for several customers), asking first
 * while unsaved keys were never copied. After a failure, "Change settings": back to step 1
 * with every field kept.
 */
export async function startOver() {
  const another = !!success();
  if (another && !(await ctx.confirmLeave())) return;
  if (!another) {
    ctx.changeSettings();
    return;
  }
  ctx.anotherConnection();
}

export function render() {
  if (ctx.currentStep !== Step.RESULT) return;
  const outcome = ctx.state.outcome;
  const r = success()?.result ?? null;
  const box = $("result");
  box.dataset.status = r ? "success" : "failed";
  $("result-success").hidden = !r;
  $("result-failed").hidden = !!r;
  if (r) renderSuccess(r);
  else renderFailure(outcome?.kind === "failure" ? outcome : { error: null, stage: "answer" });
  const note = $("clipboard-note");
  if (!note.hidden && note.dataset.secs) note.textContent = t("copied.clears", { secs: note.dataset.secs });
}

function renderSuccess(r) {
  const codeMode = r.mode === "code";
  $("result-title").textContent = t(codeMode ? "s4.code.title" : "s4.success.title");
  $("success-lead").textContent = codeMode
    ? t("s4.code.lead")
    : t("s4.success.lead", { name: r.connectionName || ctx.state.settings.connectionName });

  // Without tokens nobody asked Fortnox about the company: leave out what is unknown.
  $("result-success").classList.toggle("is-code", codeMode);
  setFact("company-name", r.companyName, codeMode);
  setFact("org-number", r.organizationNumber, codeMode);
  setFact("tenant-id", r.tenantId, codeMode);
  setFact("result-account-type", t(r.accountType === "service" ? "account.service" : "account.user"));

  // What went wrong after the tokens were safe (for example the company could not be read).
  const warnings = r.warnings ?? [];
  $("result-warning-list").replaceChildren(
    ...warnings.map((w) => {
      const li = document.createElement("li");
      li.textContent = pick(w);
      return li;
    }),
  );
  $("result-warnings").hidden = warnings.length === 0;

  const chips = $("result-scopes");
  chips.replaceChildren(
    ...(r.scopes ?? []).map((id) => {
      const li = document.createElement("li");
      li.className = "chip";
      li.textContent = id;
      return li;
    }),
  );

  renderSaved(r);
  renderOwner();
  $("code-deadline").hidden = !codeMode;
  $("row-access-expiry").hidden = codeMode;
  $("row-refresh-expiry").hidden = codeMode;
  $("secret-row-code").hidden = !codeMode;
  $("secret-row-access-token").hidden = codeMode;
  $("secret-row-refresh-token").hidden = codeMode || !r.hasRefreshToken;
  for (const { what } of SECRETS) renderSecret(what);
  tick();
}

/** Where the keys are kept now, or plainly that they are not. */
function renderSaved(r) {
  const box = $("save-status");
  const saved = success()?.saved;
  let text = "";
  let where = "";
  let warn = false;
  if (r.mode === "code" && ctx.state.save) {
    // "Save this connection" was ticked, but a code alone is nothing to keep: say so.
    text = t("save.codeOnly");
  } else if (r.mode !== "tokens" || !saved) {
    text = "";
  } else if (saved.pending) {
    text = t("save.pending");
  } else if (saved.error) {
    warn = true;
    text = t("save.failed", { reason: [pick(saved.error.message), pick(saved.error.next_step)].join(" ") });
  } else if (saved.skipped) {
    warn = true;
    text = t("save.notSaved");
  } else {
    const report = saved.report;
    const name = report.connection?.name ?? r.connectionName;
    if (!report.secretsSaved) {
      warn = true;
      text = t("save.secretsNotSaved", { reason: [pick(report.warning?.message), pick(report.warning?.next_step)].join(" ") });
    } else if (report.replaced) {
      text = t("save.reauthorized", { name });
    } else {
      text = t("save.saved", { name });
      where = t("save.whereText", { store: pick(report.store), path: report.path });
    }
  }
  box.hidden = !text;
  $("save-status-text").textContent = text;
  $("save-where").hidden = !where;
  $("save-where-text").textContent = where;
  box.className = `notice ${warn ? "notice-warn" : "notice-info"}`;
  box.dataset.saved = saved?.report?.secretsSaved ? "yes" : "no";
}

function setFact(id, value, hideWhenMissing = false) {
  const dd = $(id);
  const missing = value === null || value === undefined || value === "";
  dd.textContent = missing ? t("r.notAvailable") : String(value);
  dd.classList.toggle("muted", missing);
  dd.closest(".fact").hidden = missing && hideWhenMissing;
}

function renderFailure({ error, stage }) {
  const started = stage !== "start";
  $("result-title").textContent = t(started ? "s4.failed.title" : "s4.notStarted.title");
  const name = ctx.state.settings.connectionName.trim();
  $("failed-lead").hidden = !name;
  $("failed-lead").textContent = name ? t(started ? "s4.failed.lead" : "s4.notStarted.lead", { name }) : "";
  const again = error?.kind === "invalid_client";
  $("reason-again").hidden = !again;
  $("reason-again").textContent = again ? t("fail.invalidClient.again") : "";
  $("reason-message").textContent = pick(error?.message) || t("error.unexpected");
  $("reason-next").textContent = pick(error?.next_step) || t("error.unexpected.next");
  $("error-kind").textContent = error?.kind ?? "unexpected";
  $("error-detail").textContent = error?.detail || t("fail.noDetail");
}

/** Live texts: the code's countdown and "in 59 minutes". */
function tick() {
  const r = success()?.result;
  if (!r || ctx.currentStep !== Step.RESULT) return;
  const now = Date.now();
  if (r.mode === "code") {
    const at = r.codeExpiresAtMs;
    const dd = $("code-expiry");
    if (!at) {
      dd.textContent = t("r.notAvailable");
    } else if (at > now) {
      dd.textContent = t("r.codeLeft", { time: formatDateTime(at), left: formatClock(Math.ceil((at - now) / 1000)) });
    } else {
      dd.textContent = t("r.codeExpired", { time: formatDateTime(at) });
    }
    dd.classList.toggle("is-expired", !!at && at <= now);
    dd.classList.toggle("is-urgent", !!at && at > now && at - now <= 120_000);
  } else {
    $("access-expiry").textContent = when(r.accessTokenExpiresAtMs, now);
    $("refresh-expiry").textContent = r.hasRefreshToken ? when(r.refreshTokenExpiresAtMs, now) : t("r.noRefresh");
  }
}

function when(ms, now) {
  if (!ms) return t("r.notAvailable");
  return t("r.when", { time: formatDateTime(ms), relative: formatRelative(ms, now) });
}

async function toggleReveal(what) {
  if (revealed.has(what)) {
    revealed.delete(what);
    renderSecret(what);
    return;
  }
  try {
    const value = await api.revealSecret(what);
    if (ctx.currentStep !== Step.RESULT) return;
    revealed.set(what, String(value ?? ""));
  } catch (err) {
    ctx.announce(pick(err.message));
  }
  renderSecret(what);
}

function renderSecret(what) {
  const spec = SECRETS.find((s) => s.what === what);
  const value = revealed.get(what);
  const shown = value !== undefined;
  const box = $(`secret-value-${what}`);
  box.replaceChildren();
  box.classList.toggle("is-masked", !shown);
  // A revealed token scrolls sideways: reachable by keyboard too.
  if (shown) box.setAttribute("tabindex", "0");
  else box.removeAttribute("tabindex");
  if (shown) {
    box.textContent = value;
  } else {
    const dots = document.createElement("span");
    dots.setAttribute("aria-hidden", "true");
    dots.textContent = MASK;
    const sr = document.createElement("span");
    sr.className = "visually-hidden";
    sr.textContent = t("secret.masked");
    box.append(dots, sr);
  }
  renderShowHide($(`show-${what}`), shown, spec);
}
