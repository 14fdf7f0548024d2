// The notice about a link the operating system handed to the app that no activation took:
// the app was started by a link with nothing waiting (a cold start), or a stray or late
// link arrived while it ran. Rust keeps the notice until it is taken, so one that arrived
// before this module listened is not lost.
//
// Self-contained: `init({ onStartNew })` once at boot (after the steps exist). It renders
// into `#link-notice`; "Start a new activation" calls `onStartNew()`. No part of the link
// (it may hold a code) ever reaches the window: only the error's kind, message and next step.

import * as api from "./api.js";
import { pick } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let notice = null;

/** Listens for link notices and shows any that is waiting now. */
export async function init({ onStartNew } = {}) {
  $("link-notice-start").addEventListener("click", () => {
    hide();
    onStartNew?.();
  });
  $("link-notice-close").addEventListener("click", hide);
  await api.onLinkNotice(take).catch(() => {});
  await take();
}

/** Takes the waiting notice from Rust, if any, and shows it. */
export async function take() {
  let taken = null;
  try {
    taken = await api.takeLinkNotice();
  } catch {
    return;
  }
  if (!taken) return;
  notice = taken;
  render();
  $("link-notice").scrollIntoView?.({ block: "nearest" });
  $("link-notice-title").focus({ preventScroll: true });
}

/** Re-renders in the current language (call on a language switch). */
export function render() {
  const box = $("link-notice");
  box.hidden = !notice;
  if (!notice) return;
  box.dataset.kind = notice.error.kind;
  $("link-notice-message").textContent = pick(notice.error.message);
  $("link-notice-next").textContent = pick(notice.error.next_step);
  // After an ended activation the result stands: offering a new one is the Start over
  // button's job; for a link with nothing waiting, it is the way on.
  $("link-notice-start").hidden = notice.error.kind !== "link_unexpected";
}

function hide() {
  notice = null;
  render();
}
