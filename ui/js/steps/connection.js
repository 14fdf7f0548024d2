// Step 1: the connection's name, client id, client secret and redirect URI.
//
// Rust checks the settings as they are typed; a field shows its problem only once the
// user has left it after editing, or pressed Next, so nobody is scolded before typing.
// Below the fields a box explains how Fortnox's answer will be caught and shows the
// exact redirect URI to register in the Developer Portal.

import { t, pick } from "../i18n.js";
import * as schemeStatus from "../scheme-status.js";

const FIELDS = [
  ["connectionName", "connection-name"],
  ["clientId", "client-id"],
  ["clientSecret", "client-secret"],
  ["redirectUri", "redirect-uri"],
];
const SUGGESTED_REDIRECT = "http://localhost:9876/callback";

let ctx;
const touched = new Set();
const edited = new Set();
let secretVisited = false;
const $ = (id) => document.getElementById(id);

export function init(c) {
  ctx = c;
  for (const [key, id] of FIELDS) {
    const input = $(id);
    input.value = ctx.state.settings[key];
    input.addEventListener("input", () => {
      ctx.state.settings[key] = input.value;
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

  $("use-suggested-redirect").addEventListener("click", () => {
    const input = $("redirect-uri");
    input.value = SUGGESTED_REDIRECT;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    touched.add("redirectUri");
    input.focus();
  });

  $("copy-redirect-uri").addEventListener("click", async (e) => {
    const button = e.currentTarget;
    // Rust copies the redirect URI of the last check: make sure it is the current one.
    const answer = await ctx.checkNow();
    if (answer?.registerValue) ctx.copyWithFeedback(button, "redirect-uri");
  });

  schemeStatus.init();
  schemeStatus.onChange(renderCapture);
  ctx.onCheck(render);
}

export function enter() {
  render();
}

export function footer() {
  return { next: "show" };
}

/** Marks every field as touched, checks now; true when step 1 is fine. Focuses the first problem. */
export async function validate() {
  for (const [key] of FIELDS) touched.add(key);
  secretVisited = true;
  const answer = await ctx.checkNow();
  render();
  if (!answer) return !!ctx.state.checkError; // the check itself failed: do not block
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
  const problem = $("connection-problem");
  problem.hidden = !ctx.state.checkError;
  problem.textContent = ctx.state.checkError
    ? `${t("check.failed")} ${pick(ctx.state.checkError.message)} ${pick(ctx.state.checkError.next_step)}`
    : "";
}

function renderErrors() {
  const fields = ctx.state.check?.fields ?? {};
  for (const [key, id] of FIELDS) {
    const problem = touched.has(key) ? fields[key] : null;
    const input = $(id);
    $(`${id}-error`).textContent = problem ? pick(problem) : "";
    if (problem) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

/** What can be shown without waiting for Rust. */
function renderLocal() {
  const check = ctx.state.check;
  const secretEmpty = ctx.state.settings.clientSecret.trim() === "";
  const codeOnly = check && !ctx.state.checkError ? check.codeOnly && secretEmpty : secretEmpty;
  // Say it once the user has passed the secret field (or filled in what comes after it).
  const decided = secretVisited || edited.has("redirectUri") || touched.has("clientSecret");
  $("code-only-note").hidden = !(codeOnly && decided);
  $("use-suggested-redirect").hidden = ctx.state.settings.redirectUri.trim() !== "";
}

function renderSecretToggle() {
  const input = $("client-secret");
  const button = $("toggle-secret");
  const shown = input.type === "text";
  button.setAttribute("aria-pressed", String(shown));
  button.dataset.i18nAriaLabel = shown ? "f.secret.hide" : "f.secret.show";
  button.setAttribute("aria-label", t(button.dataset.i18nAriaLabel));
  const label = button.querySelector(".btn-label");
  label.dataset.i18n = shown ? "btn.hide" : "btn.show";
  label.textContent = t(label.dataset.i18n);
}

function renderCapture() {
  const check = ctx.state.check;
  const capture = check?.capture ?? null;
  const text = $("capture-text");
  const box = $("capture-box");
  box.dataset.mode = capture?.mode ?? "none";
  if (!capture || ctx.state.settings.redirectUri.trim() === "") {
    text.textContent = t("capture.none");
  } else if (capture.mode === "loopback") {
    text.textContent = t("capture.loopback", { port: capture.port });
  } else if (capture.mode === "scheme") {
    text.textContent = schemeStatus.captureText(capture);
  } else {
    text.textContent = t("capture.paste");
  }
  schemeStatus.render(ctx.state.settings.redirectUri.trim() === "" ? null : capture);
  const value = capture ? check.registerValue : null;
  // Keeps its place while empty, so nothing below it (the Next button) moves as the
  // answer of a check arrives, for instance between the press and release of a click.
  const block = $("register-block");
  block.classList.toggle("is-empty", !value);
  block.setAttribute("aria-hidden", value ? "false" : "true");
  $("copy-redirect-uri").disabled = !value;
  $("register-value").textContent = value ?? "\u00a0";
}
