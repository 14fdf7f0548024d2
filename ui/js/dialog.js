// One modal dialog (`#dialog`) for confirmations and short questions, as promises.
//
// `confirmDialog` resolves to true or false; `promptDialog` to the trimmed text, or null
// when cancelled; `choiceDialog` to the value of the answer picked (radio cards, the first
// picked and focused), or null. Escape, Cancel and closing all count as "no". Focus returns
// to where it was.

import { $ } from "./dom.js";


function open({ title, text, confirm, danger = false, field = null, choices = null }) {
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
  const box = $("dialog-choices");
  box.hidden = !choices;
  box.querySelectorAll(".radio-card").forEach((card) => card.remove());
  if (choices) {
    $("dialog-choices-legend").textContent = choices.legend ?? title;
    choices.options.forEach((o, i) => box.append(choiceCard(o, i === 0)));
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
      } else if (choices) {
        finish(box.querySelector("input[name=dialog-choice]:checked")?.value ?? null);
      } else {
        finish(true);
      }
    };
    const onCancel = (e) => {
      e?.preventDefault?.();
      finish(field || choices ? null : false);
    };
    form.addEventListener("submit", onSubmit);
    $("dialog-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    if (field) {
      input.focus();
      input.select();
    } else if (choices) {
      box.querySelector("input[name=dialog-choice]:checked")?.focus();
    } else {
      $("dialog-cancel").focus();
    }
  });
}

/** One answer of a `choiceDialog`: a radio card with a title and a few lines. */
function choiceCard({ value, label, lines = [] }, checked) {
  const id = `dialog-choice-${value}`;
  const card = document.createElement("label");
  card.className = "radio-card";
  card.htmlFor = id;
  const input = document.createElement("input");
  Object.assign(input, { type: "radio", name: "dialog-choice", id, value, checked });
  input.setAttribute("aria-labelledby", `${id}-title`);
  input.setAttribute("aria-describedby", `${id}-points`);
  const body = document.createElement("span");
  body.className = "radio-card-body";
  const head = document.createElement("span");
  head.className = "radio-card-title";
  head.id = `${id}-title`;
  head.textContent = label;
  const points = document.createElement("span");
  points.className = "radio-card-points";
  points.id = `${id}-points`;
  for (const line of lines) {
    const span = document.createElement("span");
    // A line may hold a command: `…` is shown as code.
    for (const [i, part] of line.split("`").entries()) {
      if (i % 2) {
        const code = document.createElement("code");
        code.textContent = part;
        span.append(code);
      } else {
        span.append(part);
      }
    }
    points.append(span);
  }
  body.append(head, points);
  card.append(input, body);
  return card;
}

/** Asks a yes/no question; resolves to true when confirmed. */
export const confirmDialog = (opts) => open(opts);

/** Asks for a short text; resolves to it (trimmed) or null. */
export const promptDialog = ({ title, label, value, confirm, required }) =>
  open({ title, confirm, field: { label, value, required: required ?? "" } });

/**
 * Asks which of a few answers: `options` are `{value, label, lines}`, the first picked and
 * focused. Resolves to the value picked, or null when cancelled.
 */
export const choiceDialog = ({ title, text, legend, options, confirm }) =>
  open({ title, text, confirm, choices: { legend, options } });
