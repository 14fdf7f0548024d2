// The only module that talks to Rust (`window.__TAURI__`, enabled by withGlobalTauri).
// (Rust's document-start script, src-tauri/src/boot.rs, asks for the saved connections
// before any module runs; `listConnections` hands that answer on.)
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
      // An activation file's problems, one per field (activation_file_invalid only).
      ...(Array.isArray(err.problems) ? { problems: err.problems } : {}),
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

/**
 * `{version, language, endpoint_notice, endpoint_error}` of the app; language is the OS
 * locale's, "sv" or "en"; `endpoint_notice` ({en, sv}) while FORTNOX_OAUTH_URL /
 * FORTNOX_API_URL point elsewhere, `endpoint_error` (ErrorPayload) when one was refused.
 */
export const appInfo = () => call("app_info");

/** Tells Rust the window's language (the browser landing page uses it). */
export const setLanguage = (language) => call("set_language", { language });

/** `[{id, group, description, recommended}]` in display order. */
export const scopeCatalogue = () => call("scope_catalogue");

/**
 * Checks settings as typed: `{valid, fields, warnings, codeOnly, capture, registerValue}`.
 * `settings.secretFrom` (a saved connection's id) lends that connection's client secret,
 * kept in the keychain, to an empty secret field; the secret itself never comes here.
 */
// `reauthorize` (a saved connection's id): its own name is not "taken".
export const checkSettings = ({ secretFrom = null, reauthorize = null, ...settings }) =>
  call("check_settings", { settings, secretFrom, reauthorize });

/**
 * Starts an authorization. `onMessage({type, ...})` receives the attempt's progress
 * (browser-failed, callback-rejected, exchanging, succeeded, failed).
 * Resolves to `{authorizeUrl, capture, codeOnly, timeoutSecs, deadlineMs}`.
 * `settings.secretFrom` as for `checkSettings`; `settings.reauthorize` (a saved connection's
 * id) makes an approval for another company fail with `wrong_company`.
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
  const { secretFrom = null, reauthorize = null, ...rest } = settings;
  return call("start_authorization", { settings: rest, secretFrom, reauthorize, onEvent: channel });
}

/** Opens the authorize URL of the running attempt in the system browser again. */
export const openBrowser = () => call("open_browser");

/** Cancels the running attempt; its channel then reports `failed` with kind `cancelled`. */
export const cancelAuthorization = () => call("cancel_authorization");

/** Hands a pasted redirect address (or bare code) to the running attempt. */
export const submitRedirect = (text) => call("submit_redirect", { text });

/**
 * Copies from Rust, so the webview needs no clipboard access. `what` is one of
 * "authorize-url", "redirect-uri", "code", "access-token", "refresh-token", "json", "env",
 * "diagnostics" (the report last shown by `diagnostics()`); "redirect-uri" also needs
 * `{redirectUri}` (the field's text, checked by Rust). Resolves to `{clearsInSecs}`: for a
 * secret, the seconds until Rust clears the clipboard (if it still holds it); null for the
 * addresses, which stay.
 */
export const copy = (what, extra = {}) => call("copy_to_clipboard", { what, redirectUri: null, ...extra });

/**
 * A timing mark ("ready": step 1 can take typing; "result": the result is on screen;
 * "script", "dom": launch phases), at `atMs` (Unix ms, now by default). Sent only under
 * FORTNOX_ACTIVATOR_READY=1, which Rust tells the page before it loads (`__FA_MARKS__`):
 * a normal start makes no call. Fire and forget: never awaited, never fails.
 */
const marksOn = window.__FA_MARKS__ === true;
export function mark(name, atMs = Date.now()) {
  if (marksOn) call("mark", { name, atMs: Math.round(atMs) }).catch(() => {});
}

/** The value of "code", "access-token" or "refresh-token", shown only on request. */
export const revealSecret = (what) => call("reveal_secret", { what });

// ---------------------------------------------------------------- saved connections
// Connections come as `ConnectionView`s: `{id, name, companyName, organizationNumber,
// tenantId, accountType, clientId, redirectUri, scopes, issuedAtMs, accessExpiresAtMs,
// refreshExpiresAtMs, secretsSaved, hasRefreshToken, status: {kind, atMs?, minutes?}}`,
// most urgent first. None of them carries a secret.

/** `{connections, problem: ErrorPayload|null, path}`: the saved connections. */
export function listConnections() {
  // The first call takes the answer the document-start script asked for (src-tauri/src/boot.rs).
  const early = window.__FA_FIRST_LIST__;
  if (early) {
    window.__FA_FIRST_LIST__ = null;
    return early.catch((err) => {
      throw toErrorPayload(err);
    });
  }
  return call("list_connections");
}

/**
 * Saves the outcome of the attempt that just succeeded: as a new connection named `name`,
 * or, with `replaceId`, as the new keys of that connection (re-authorize).
 * Resolves to `{connection, path, store, secretsSaved, warning}`.
 */
export const saveConnection = (name, replaceId) => call("save_connection", { name, replaceId: replaceId ?? null });

/** The settings of a saved connection for the wizard (never its secret). */
export const connectionSettings = (id) => call("connection_settings", { id });

/** Refreshes a connection's tokens: `{connection, saved, warning}`. */
export const refreshConnection = (id) => call("refresh_connection", { id });

/** "Save again": the new keys the keychain refused (held in Rust) written to it now. */
export const saveUnsavedKeys = (id) => call("save_unsaved_keys", { id });

/** The user copied the new keys the keychain refused: Rust forgets them. */
export const forgetUnsavedKeys = (id) => call("forget_unsaved_keys", { id });

/** Client credentials for a service-account connection: `{connection, saved, warning}`. */
export const serviceToken = (id) => call("service_token", { id });

/** Calls /companyinformation with the saved access token: `{companyName, organizationNumber}`. */
export const testConnection = (id) => call("test_connection", { id });

export const renameConnection = (id, name) => call("rename_connection", { id, name });

/** Revokes at Fortnox (when it can) and removes locally: `{revoked, warning}`. */
export const removeConnection = (id) => call("remove_connection", { id });

/**
 * Copies from the keychain, from Rust: `what` is "access-token", "refresh-token", "json",
 * "env" (without the refresh token: this computer keeps it) or "token-command" (the
 * `fortnox-activate token` line the integration runs).
 */
export const copyConnection = (id, what) => call("copy_connection", { id, what });

/**
 * Hands the connection over to the integration: copies `what` ("refresh-token", "json" or
 * "env", with the refresh token), then this computer forgets the refresh token:
 * `{copied: {clearsInSecs}, connection}`.
 */
export const handOverConnection = (id, what) => call("hand_over_connection", { id, what });

/** Writes an activation file (settings, no secrets) to the downloads folder: `{path}`. */
export const exportConnection = (id) => call("export_connection", { id });

/** Checks an activation file's text: `{settings}`, or rejects naming each bad field. */
export const readActivationFile = (text) => call("read_activation_file", { text });

/**
 * The activation file the app was started with, or was handed since (a double-click while it
 * runs), once: `{fileName, settings, problem}` or null.
 */
export const startupFile = () => call("startup_file");

/**
 * Calls `fn()` whenever an activation file is waiting (then call `startupFile`). Resolves to
 * the function that stops listening.
 */
export async function onActivationFile(fn) {
  const tauri = window.__TAURI__;
  if (!tauri?.event?.listen) return () => {};
  return tauri.event.listen("activation-file", () => fn());
}

/** Moves a damaged connections file aside (kept, renamed); resolves to its new path. */
export const setAsideConnectionsFile = () => call("set_aside_connections_file");

/** Whether closing the window must ask first (unsaved keys that were never copied). */
export const setCloseGuard = (guard) => call("set_close_guard", { guard });

/** Closes the window for good (after the user confirmed). */
export const closeWindow = () => call("close_window");

/** Calls `fn()` when the user tries to close the window while the guard is on. */
export async function onCloseRequested(fn) {
  const tauri = window.__TAURI__;
  if (!tauri?.event) return () => {};
  return tauri.event.listen("close-requested", () => fn());
}

/** The diagnostics report for support (plain text, no secrets); copy it with `copy("diagnostics")`. */
export const diagnostics = () => call("diagnostics");

// ---------------------------------------------------------------- links (URI scheme)

/**
 * The notice about a link no activation took (a cold start by a link, a stray or late
 * link), once: `{error: ErrorPayload}` or null. Holds no part of the link.
 */
export const takeLinkNotice = () => call("take_link_notice");

/**
 * Calls `fn()` whenever a link notice is waiting (then call `takeLinkNotice`). Resolves to
 * the function that stops listening.
 */
export async function onLinkNotice(fn) {
  const tauri = window.__TAURI__;
  if (!tauri?.event?.listen) return () => {};
  return tauri.event.listen("link-notice", () => fn());
}

/**
 * How links of `scheme` reach the app here:
 * `{scheme, own, handling: "register"|"bundled"|"paste", registered: true|false|null}`.
 */
export const schemeStatus = (scheme) => call("scheme_status", { scheme });

/** Makes the app the handler of `scheme` (Linux, Windows); resolves to the new status. */
export const registerScheme = (scheme) => call("register_scheme", { scheme });

/** Undoes the app's registration for another program's `scheme`; resolves to the new status. */
export const unregisterScheme = (scheme) => call("unregister_scheme", { scheme });
