// Step 1's part for a redirect URI with a private-use scheme: how the link reaches the app
// on this computer, whether this app is registered for it, and a button to register it.
//
// `render(capture)` with the `capture` of the last settings check (`{mode: "scheme",
// scheme, own}`), or null to hide. Rust answers whether the scheme is registered
// (`scheme_status`); the answer is kept per scheme, so typing does not ask again.

import * as api from "./api.js";
import { t, pick } from "./i18n.js";
import { confirmDialog } from "./dialog.js";

const $ = (id) => document.getElementById(id);
const known = new Map(); // scheme → status
let shown = null; // the scheme on screen
let failure = null; // ErrorPayload of the last failed registration
let busy = false;
// Bumped by each registration: a status asked for before it may answer after it (when the
// desktop files cannot tell, the check runs `xdg-mime`, slow on a busy machine) and must
// not undo what it did.
let registrations = 0;

export function init() {
  $("register-scheme").addEventListener("click", register);
  $("unregister-scheme").addEventListener("click", unregister);
}

/**
 * True when the only way Fortnox's answer reaches the app is the user pasting it: an https
 * redirect URI, or (macOS) a link scheme this app cannot receive.
 */
export function answeredByPaste(capture) {
  if (!capture) return false;
  if (capture.mode === "paste") return true;
  return capture.mode === "scheme" && known.get(capture.scheme)?.handling === "paste";
}

/** The capture text for scheme mode (in place of the generic one). */
export function captureText(capture) {
  const status = known.get(capture.scheme);
  if (status?.handling === "paste") return t("scheme.paste", { scheme: capture.scheme });
  return t(capture.own ? "scheme.own" : "scheme.other", { scheme: capture.scheme });
}

export function render(capture) {
  const box = $("scheme-status");
  if (!capture || capture.mode !== "scheme") {
    box.hidden = true;
    shown = null;
    return;
  }
  box.hidden = false;
  if (shown !== capture.scheme) {
    shown = capture.scheme;
    failure = null;
    fetchStatus(capture);
  }
  const status = known.get(capture.scheme);
  const state = $("scheme-registered");
  const button = $("register-scheme");
  box.dataset.registered = status ? String(status.registered) : "checking";
  // The line and the button keep their place while the answer comes, so nothing below
  // (the Next button) moves under a click.
  let offer = false;
  if (!status || status.handling === "paste") {
    state.textContent = "\u00a0";
  } else if (status.handling === "bundled") {
    state.textContent = t("scheme.bundled", { scheme: status.scheme });
  } else {
    state.textContent =
      status.registered === true
        ? t("scheme.registered")
        : status.registered === false
          ? t("scheme.notRegistered")
          : t("scheme.unknown");
    offer = status.registered !== true;
  }
  button.classList.toggle("is-invisible", !offer);
  button.setAttribute("aria-hidden", String(!offer));
  button.tabIndex = offer ? 0 : -1;
  button.disabled = busy;
  $("register-scheme-label").textContent = busy ? t("scheme.registering") : t("scheme.register", { scheme: capture.scheme });
  // What the app registered for another program, it can give back.
  const undo = $("unregister-scheme");
  undo.hidden = !(status?.undoable && status.registered === true);
  undo.disabled = busy;
  $("unregister-scheme-label").textContent = t("scheme.unregister", { scheme: capture.scheme });
  const error = $("scheme-error");
  error.textContent = failure ? `${t("scheme.registerFailed")} ${pick(failure.message)} ${pick(failure.next_step)}` : "";
}

async function fetchStatus(capture) {
  const asked = registrations;
  try {
    const status = await api.schemeStatus(capture.scheme);
    if (asked === registrations) known.set(capture.scheme, status);
  } catch (err) {
    if (asked === registrations) failure = err;
  }
  if (shown === capture.scheme) rerender();
}

async function register() {
  if (!shown || busy) return;
  const scheme = shown;
  const status = known.get(scheme);
  if (!status?.own) {
    // Another program's link type: say who receives these links now, and ask.
    const now = status?.handlerNow;
    const ok = await confirmDialog({
      title: t("scheme.confirm.title", { scheme }),
      text: now ? t("scheme.confirm.other", { scheme, app: now }) : t("scheme.confirm.none", { scheme }),
      confirm: t("scheme.confirm.ok"),
    });
    if (!ok || shown !== scheme || busy) return;
  }
  registrations += 1;
  busy = true;
  failure = null;
  rerender();
  try {
    known.set(scheme, await api.registerScheme(scheme));
  } catch (err) {
    failure = err;
  }
  busy = false;
  rerender();
}

async function unregister() {
  if (!shown || busy) return;
  const scheme = shown;
  registrations += 1;
  busy = true;
  failure = null;
  rerender();
  try {
    known.set(scheme, await api.unregisterScheme(scheme));
  } catch (err) {
    failure = err;
  }
  busy = false;
  rerender();
}

let rerenderHook = () => {};
/** The owner's render (so the capture text and this part update together). */
export function onChange(fn) {
  rerenderHook = fn;
}
function rerender() {
  rerenderHook();
}
