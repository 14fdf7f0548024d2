// How Fortnox's answer comes back, in words: one table of texts per capture mode, used by
// step 1's box, step 3's summary and its waiting text. A new mode (say, the app's own
// URI scheme) is one more row here; `capture` is Rust's `{mode, ...}` (port, scheme).

import { t } from "./i18n.js";

/** mode → i18n keys: `box` (step 1), `summary` (step 3), `waiting` (while waiting). */
const MODES = {
  loopback: { box: "capture.loopback", summary: "summary.capture.loopback", waiting: "waiting.text" },
  scheme: { box: "capture.scheme", summary: "summary.capture.schemeLink", waiting: "waiting.text.scheme" },
  paste: { box: "capture.paste", summary: "summary.capture.paste", waiting: "waiting.text.paste" },
};

/** The text for `capture` at `place` ("box", "summary" or "waiting"); "" without a capture. */
export function captureText(capture, place) {
  if (!capture) return "";
  const keys = MODES[capture.mode] ?? MODES.paste;
  return t(keys[place], capture);
}
