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

/**
 * Fills a notice box with `content`: a plain string, or `{lead, items, next}` (a sentence, a
 * list of one line each, what to do), so problems read as a list rather than one paragraph.
 */
export function fillNotice(box, content) {
  if (!content || typeof content === "string") {
    box.textContent = content ?? "";
    return;
  }
  const p = (cls, text) => Object.assign(document.createElement("p"), { className: cls, textContent: text });
  const parts = [p("notice-lead", content.lead)];
  if (content.items?.length) {
    const ul = document.createElement("ul");
    ul.className = "notice-items";
    ul.append(...content.items.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
    parts.push(ul);
  }
  if (content.next) parts.push(p("notice-next", content.next));
  box.replaceChildren(...parts);
}
