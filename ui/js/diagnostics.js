// The diagnostics dialog: "Diagnostics" in the header and "Copy diagnostics…" on the failure
// screen open it; it shows the report Rust made (no secrets) before anything is copied, and
// "Copy" copies exactly that report through Rust.

import * as api from "./api.js";
import { t, pick } from "./i18n.js";
import { $ } from "./dom.js";

let ctx;
let opener = null;

export function init(c) {
  ctx = c;
  $("diagnostics").addEventListener("click", (e) => open(e.currentTarget));
  $("copy-diagnostics").addEventListener("click", (e) => open(e.currentTarget));
  $("diagnostics-copy").addEventListener("click", (e) => ctx.copyWithFeedback(e.currentTarget, "diagnostics"));
  $("diagnostics-close").addEventListener("click", () => $("diagnostics-dialog").close());
  $("diagnostics-dialog").addEventListener("close", () => opener?.focus());
}

/** True while the dialog is open (the window's own keys stay out of it). */
export function isOpen() {
  return $("diagnostics-dialog").open;
}

async function open(from) {
  opener = from;
  const text = $("diagnostics-text");
  try {
    text.textContent = await api.diagnostics();
  } catch (err) {
    text.textContent = `${t("copyFailed")}: ${pick(err.message)}`;
  }
  const dialog = $("diagnostics-dialog");
  if (!dialog.open) dialog.showModal();
  text.scrollTop = 0;
  $("diagnostics-copy").focus();
}
