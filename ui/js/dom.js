// Small DOM helpers shared by every step: the one `$`, and the one Show/Hide renderer.

import { t } from "./i18n.js";

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * Renders a Show/Hide toggle button. The state is told by the label alone (no
 * `aria-pressed`, whose "pressed" would contradict a label that already changed):
 * visible text "Show"/"Hide", and an accessible name that says what is shown or hidden
 * (`names.show` / `names.hide` are i18n keys such as "Show access token").
 */
export function renderShowHide(button, shown, names) {
  button.removeAttribute("aria-pressed");
  button.dataset.i18nAriaLabel = shown ? names.hide : names.show;
  button.setAttribute("aria-label", t(button.dataset.i18nAriaLabel));
  const label = button.querySelector(".btn-label");
  label.dataset.i18n = shown ? "btn.hide" : "btn.show";
  label.textContent = t(label.dataset.i18n);
}
