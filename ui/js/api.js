// The only module that talks to Rust (`window.__TAURI__`, enabled by withGlobalTauri).
//
// Every function returns a promise. A failure always rejects with an ErrorPayload
// `{kind, message: {en, sv}, next_step: {en, sv}, detail}`, also when Tauri itself
// fails with a bare string, so callers need to handle one shape only.
// The webview never receives a secret except through `revealSecret`, at the user's request.

import { both } from "./i18n.js";

function core() {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    throw {
      kind: "no_backend",
      message: both("error.noBackend"),
      next_step: both("error.noBackend.next"),
      detail: "window.__TAURI__.core is missing",
    };
  }
  return tauri.core;
}

/** Turns whatever a rejection carried into an ErrorPayload. */
export function toErrorPayload(err) {
  if (err && typeof err === "object" && typeof err.kind === "string" && err.message) {
    return {
      kind: err.kind,
      message: err.message,
      next_step: err.next_step ?? both("error.unexpected.next"),
      detail: err.detail ?? null,
    };
  }
  return {
    kind: "unexpected",
    message: both("error.unexpected"),
    next_step: both("error.unexpected.next"),
    detail: err instanceof Error ? err.message : typeof err === "string" ? err : JSON.stringify(err),
  };
}

async function call(command, args) {
  try {
    return await core().invoke(command, args);
  } catch (err) {
    throw toErrorPayload(err);
  }
}

/** `{version, language}` of the app; language is the OS locale's, "sv" or "en". */
export const appInfo = () => call("app_info");

/** Tells Rust the window's language (the browser landing page uses it). */
export const setLanguage = (language) => call("set_language", { language });

/** `[{id, group, description, recommended}]` in display order. */
export const scopeCatalogue = () => call("scope_catalogue");

/** Checks settings as typed: `{valid, fields, warnings, codeOnly, capture, registerValue}`. */
export const checkSettings = (settings) => call("check_settings", { settings });

/**
 * Starts an authorization. `onMessage({type, ...})` receives the attempt's progress
 * (browser-failed, callback-rejected, exchanging, succeeded, failed).
 * Resolves to `{authorizeUrl, capture, codeOnly, timeoutSecs, deadlineMs}`.
 */
export async function startAuthorization(settings, onMessage) {
  let channel;
  try {
    const { Channel } = core();
    channel = new Channel();
  } catch (err) {
    throw toErrorPayload(err);
  }
  channel.onmessage = onMessage;
  return call("start_authorization", { settings, onEvent: channel });
}

/** Opens the authorize URL of the running attempt in the system browser again. */
export const openBrowser = () => call("open_browser");

/** Cancels the running attempt; its channel then reports `failed` with kind `cancelled`. */
export const cancelAuthorization = () => call("cancel_authorization");

/** Hands a pasted redirect address (or bare code) to the running attempt. */
export const submitRedirect = (text) => call("submit_redirect", { text });

/**
 * Copies from Rust, so the webview needs no clipboard access. `what` is one of
 * "authorize-url", "redirect-uri", "code", "access-token", "refresh-token", "json", "env".
 */
export const copy = (what) => call("copy_to_clipboard", { what });

/**
 * A timing mark ("ready": step 1 can take typing; "result": the result is on screen). Rust
 * prints it only under FORTNOX_ACTIVATOR_READY=1. Fire and forget: never awaited, never fails.
 */
export function mark(name) {
  call("mark", { name, atMs: Date.now() }).catch(() => {});
}

/** The value of "code", "access-token" or "refresh-token", shown only on request. */
export const revealSecret = (what) => call("reveal_secret", { what });
