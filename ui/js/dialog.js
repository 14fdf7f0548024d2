// One modal dialog (`#dialog`) for confirmations and short questions, as promises.
//
// `confirmDialog` resolves to true or false; `promptDialog` to the trimmed text, or null
// when cancelled. Escape, Cancel and closing all count as "no". Focus returns to where it
// was.

import { $ } from "./dom.js";


function open({ title, text, confirm, danger = false, field = null }) {
  const dialog = $("dialog");
  const returnTo = document.activeElement;
  $("dialog-title").textContent = title;
  $("dialog-text").textContent = text ?? "";
  $("dialog-text").hidden = !text;
  $("dialog-confirm-label").textContent = confirm;
  $("dialog-confirm").classList.toggle("btn-danger", danger);
  const input = $("dialog-input");
  $("dialog-field").hidden = !field;
  $("dialog-input-error").textContent = "";
  input.removeAttribute("aria-invalid");
  if (field) {
    $("dialog-input-label").textContent = field.label;
    input.value = field.value ?? "";
  }

  return new Promise((resolve) => {
    const form = dialog.querySelector("form");
    const finish = (value) => {
      form.removeEventListener("submit", onSubmit);
      $("dialog-cancel").removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      if (dialog.open) dialog.close();
      returnTo?.focus?.({ preventScroll: true });
      resolve(value);
    };
    const onSubmit = (e) => {
      e.preventDefault();
      if (field) {
        const value = input.value.trim();
        if (!value) {
          $("dialog-input-error").textContent = field.required;
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
        finish(value);
      } else {
        finish(true);
      }
    };
    const onCancel = (e) => {
      e?.preventDefault?.();
      finish(field ? null : false);
    };
    form.addEventListener("submit", onSubmit);
    $("dialog-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    if (field) {
      input.focus();
      input.select();
    } else {
      $("dialog-cancel").focus();
    }
  });
}

/** Asks a yes/no question; resolves to true when confirmed. */
export const confirmDialog = (opts) => open(opts);

/** Asks for a short text; resolves to it (trimmed) or null. */
export const promptDialog = ({ title, label, value, confirm, required }) =>
  open({ title, confirm, field: { label, value, required: required ?? "" } });
