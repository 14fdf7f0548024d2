// The settings step (the wizard's first): the connection's name, client id, client secret
// and redirect URI.
//
// Rust checks the settings as they are typed; a field shows its problem only once the
// user has left it after editing, or pressed Next, so nobody is scolded before typing.
// Below the fields a box explains how Fortnox's answer will be caught and shows the
// exact redirect URI to register in the Developer Portal.

import { t, pick } from "../i18n.js";
import { $, renderShowHide, fillNotice } from "../dom.js";
import { captureText } from "../capture.js";
import * as schemeStatus from "../scheme-status.js";

const FIELDS = [
  ["connectionName", "connection-name"],
  ["clientId", "client-id"],
  ["clientSecret", "client-secret"],
  ["redirectUri", "redirect-uri"],
];
const SUGGESTED_REDIRECT = "http://localhost:9876/callback";

/**
 * The redirect URI the user most likely meant, for the common slips (a space, a loopback
 * address without `http://`, `https://` to this computer): Rust's check decides it
 * (`settings::redirect_fix`); offered only while the field still holds what was checked.
 */
function redirectFix() {
  const fix = ctx.checkAnswer()?.redirectFix;
  return fix && fix.typed === ctx.state.settings.redirectUri.trim() ? fix.fixed : null;
}

let ctx;
const touched = new Set();
const edited = new Set();
let secretVisited = false;
/** Fortnox refused the client secret last time; cleared once the field is edited. */
let secretRefused = false;
let fileNotice = null;

export function init(c) {
  ctx = c;
  for (const [key, id] of FIELDS) {
    const input = $(id);
    input.value = ctx.state.settings[key];
    input.addEventListener("input", () => {
      const wasEmpty = !ctx.state.settings[key].trim();
      ctx.state.settings[key] = input.value;
      if (wasEmpty !== !input.value.trim()) ctx.refreshFooter();
      if (key === "clientSecret" && secretRefused) {
        secretRefused = false;
        renderErrors();
      }
      edited.add(key);
      renderLocal();
      ctx.scheduleCheck();
    });
    input.addEventListener("blur", () => {
      if (key === "clientSecret") {
        secretVisited = true;
        renderLocal();
      }
      if (edited.has(key) && !touched.has(key)) {
        touched.add(key);
        // The last answer may predate the last keystroke: show problems once Rust has
        // checked what is in the field now.
        ctx.checkNow();
      }
    });
  }

  $("toggle-secret").addEventListener("click", () => {
    const input = $("client-secret");
    input.type = input.type === "password" ? "text" : "password";
    renderSecretToggle();
  });

  $("fix-redirect-uri").addEventListener("click", () => {
    const fixed = redirectFix();
    if (!fixed) return;
    const input = $("redirect-uri");
    input.value = fixed;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    touched.add("redirectUri");
    ctx.checkNow();
    input.focus();
  });

  $("use-suggested-redirect").addEventListener("click", () => {
    const input = $("redirect-uri");
    input.value = SUGGESTED_REDIRECT;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    touched.add("redirectUri");
    input.focus();
  });

  $("copy-redirect-uri").addEventListener("click", (e) =>
    ctx.copyWithFeedback(e.currentTarget, "redirect-uri", { redirectUri: ctx.state.settings.redirectUri }),
  );

  schemeStatus.init();
  schemeStatus.onChange(renderCapture);
  ctx.onCheck(render);
}

export function enter() {
  render();
}

/** Puts the settings (filled from a saved connection or a file) into the inputs. */
export function syncInputs() {
  touched.clear();
  edited.clear();
  secretVisited = false;
  secretRefused = false;
  for (const [key, id] of FIELDS) $(id).value = ctx.state.settings[key];
  $("save-connection").checked = ctx.state.save;
  fileNotice = null;
  render();
}

/**
 * Says where the settings came from (an activation file), or what is wrong with the file:
 * `content()` gives a string or `{lead, items, next, warn}` in the current language.
 */
export function showFileNotice(content) {
  fileNotice = content;
  render();
}

/** For the next connection: the name field emptied and untouched (no error shown yet). */
export function reset() {
  ctx.state.settings.connectionName = "";
  $("connection-name").value = "";
  touched.delete("connectionName");
  edited.delete("connectionName");
  ctx.checkNow();
  render();
}

export function footer() {
  // A wizard not yet started can be filled from an activation file (also on first launch,
  // when there is no list to open one from).
  const empty = !ctx.state.origin && FIELDS.every(([key]) => !ctx.state.settings[key].trim());
  return { next: "show", openActivationFile: empty ? "show" : undefined };
}

/** Fortnox refused the client secret: marks the field, says so, and focuses it. */
export function markSecretRefused() {
  secretRefused = true;
  render();
  const input = $("client-secret");
  input.focus({ preventScroll: true });
  input.select();
  // The field with its message below it, not the field alone at the bottom edge.
  input.closest(".field").scrollIntoView({ block: "center" });
}

/** Focuses the first empty field (the name when all are filled), as the wizard opens. */
export function focusFirstEmpty() {
  const empty = FIELDS.find(([key]) => !ctx.state.settings[key].trim());
  const input = $(empty ? empty[1] : "connection-name");
  input.focus({ preventScroll: true });
  // In view with its label, so that what is typed is seen going in (after a file filled the
  // fields above it, the client secret is below the fold at 800×600); the notice above
  // saying what the file filled in stays in view too as far as the window's height allows.
  const notice = $("origin-notice");
  if (!notice.hidden) notice.scrollIntoView({ block: "nearest" });
  input.closest(".field").scrollIntoView({ block: "nearest" });
}

/** Marks every field as touched, checks now; true when step 1 is fine. Focuses the first problem. */
export async function validate() {
  for (const [key] of FIELDS) touched.add(key);
  secretVisited = true;
  const answer = await ctx.checkNow();
  render();
  if (!answer) return !!ctx.checkFailure(); // the check itself failed: do not block
  for (const [key, id] of FIELDS) {
    if (answer.fields?.[key]) {
      $(id).focus();
      return false;
    }
  }
  return true;
}

export function render() {
  renderErrors();
  renderLocal();
  renderSecretToggle();
  renderCapture();
  renderOrigin();
  const problem = $("connection-problem");
  const failure = ctx.checkFailure();
  problem.hidden = !failure;
  problem.textContent = failure ? `${t("check.failed")} ${pick(failure.message)} ${pick(failure.next_step)}` : "";
}

/** Re-authorizing, or borrowing a saved connection's secret: say so; the secret stays in Rust. */
function renderOrigin() {
  const origin = ctx.state.origin;
  const input = $("client-secret");
  input.placeholder = origin?.hasSecret ? t("f.secret.saved") : "";
  const box = $("origin-notice");
  const content = origin?.replace || !fileNotice ? null : fileNotice();
  box.hidden = !content;
  box.className = `notice notice-${content?.warn ? "warn" : "info"}`;
  fillNotice(box, content);
  $("save-connection").disabled = !!origin?.replace;
  $("save-connection").checked = ctx.state.save;
}

function renderErrors() {
  const fields = ctx.checkAnswer()?.fields ?? {};
  for (const [key, id] of FIELDS) {
    const refused = key === "clientSecret" && secretRefused;
    const problem = refused ? null : touched.has(key) ? fields[key] : null;
    const input = $(id);
    $(`${id}-error`).textContent = refused ? t("f.secret.refused") : problem ? pick(problem) : "";
    if (problem || refused) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

/** The code-only note and the suggested redirect URI. Code only is Rust's decision. */
function renderLocal() {
  const codeOnly = !!ctx.checkAnswer()?.codeOnly;
  // Say it once the user has passed the secret field (or filled in what comes after it).
  const decided = secretVisited || edited.has("redirectUri") || touched.has("clientSecret");
  const showNote = codeOnly && decided;
  $("code-only-note").hidden = !showNote;
  // A screen reader reads a described-by note even when hidden: refer to it only when shown.
  const described = ["client-secret-help", "client-secret-error", ...(showNote ? ["code-only-note"] : [])];
  $("client-secret").setAttribute("aria-describedby", described.join(" "));
  $("use-suggested-redirect").hidden = ctx.state.settings.redirectUri.trim() !== "";
  renderRedirectFix();
}

function renderRedirectFix() {
  const raw = ctx.state.settings.redirectUri;
  const fixed = edited.has("redirectUri") || touched.has("redirectUri") ? redirectFix() : null;
  $("redirect-fix").hidden = !fixed;
  const https = fixed && /^https:/i.test(raw.trim());
  $("redirect-fix-text").textContent = fixed ? t(https ? "f.redirect.fix.https" : "f.redirect.fix", { uri: fixed }) : "";
}

function renderSecretToggle() {
  const shown = $("client-secret").type === "text";
  renderShowHide($("toggle-secret"), shown, { show: "f.secret.show", hide: "f.secret.hide" });
}

function renderCapture() {
  const check = ctx.checkAnswer();
  const capture = check?.capture ?? null;
  const text = $("capture-text");
  const box = $("capture-box");
  box.dataset.mode = capture?.mode ?? "none";
  const typed = ctx.state.settings.redirectUri.trim() !== "";
  // A link scheme's text also says whether it is registered here (scheme-status.js).
  text.textContent =
    capture && typed ? (capture.mode === "scheme" ? schemeStatus.captureText(capture) : captureText(capture, "box")) : t("capture.none");
  schemeStatus.render(typed ? capture : null);
  const value = capture ? check.registerValue : null;
  // Keeps its place while empty, so nothing below it (the Next button) moves as the
  // answer of a check arrives, for instance between the press and release of a click.
  const block = $("register-block");
  block.classList.toggle("is-empty", !value);
  block.setAttribute("aria-hidden", value ? "false" : "true");
  $("copy-redirect-uri").disabled = !value;
  $("register-value").textContent = value ?? "\u00a0";
}
