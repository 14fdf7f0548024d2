// The saved connections: the first screen once any exist (`Step.SAVED`; not a wizard step).
//
// Each row shows the name, the company, the account type and a status one reads at a
// glance, led by the date that needs action (Rust sorts by it); opening a row shows its
// facts and actions. Every status is worded here, from its kind and dates (i18n.js), in
// one date format (`formatDate`). Copying a refresh token asks who keeps it (owner.js).
// Every action runs in Rust over the core's store (the keychain holds the secrets); the
// webview never receives a secret: copying happens in Rust. A search box appears once
// there are more than a few.

import { t, pick, formatDate, formatTime } from "../i18n.js";
import * as api from "../api.js";
import { confirmDialog, promptDialog } from "../dialog.js";
import { asksOwner, copyAskingOwner } from "../owner.js";
import { $, fillNotice } from "../dom.js";
import { matches } from "../search.js";
import { Step } from "../step.js";

/** More than this many connections and the search box shows. */
const SEARCH_FROM = 5;
/**
 * Rows drawn at once; a longer list draws the rest in batches after the first paint, so 1,000
 * saved connections show as quickly as one (docs/performance.md).
 */
const FIRST_ROWS = 40;
const BATCH_ROWS = 150;

let ctx;
let list = { connections: [], problem: null, path: null };
let loaded = false;
/** The list asked for at start, not shown yet: entering the list shows it without asking again. */
let unseen = false;
/** Counts drawings of the list, so batches of an older one stop. */
let drawing = 0;
let query = "";
let openId = null;
/** The ids in the order last shown: kept while a row is open, so it stays where it is. */
let shownOrder = [];
/** id → {kind: "ok"|"warn"|"error", text} or a function of the language; the last outcome. */
const outcomes = new Map();
/** ids with an action running. */
const busy = new Set();
/** A notice over the list (file opened, connection removed…): {kind, text: () => string}. */
let notice = null;

export function init(c) {
  ctx = c;
  // Connections saved meanwhile by the command line show when the user comes back to the window.
  window.addEventListener("focus", () => {
    if (ctx.currentStep === Step.SAVED && busy.size === 0) load();
  });
  $("connection-search").addEventListener("input", (e) => {
    query = e.target.value;
    renderList();
  });
}

/**
 * Loads the list from Rust (or takes `asked`, a `listConnections()` already under way).
 * Resolves to the number of saved connections.
 */
export async function load(asked = null) {
  try {
    list = await (asked ?? api.listConnections());
  } catch (err) {
    list = { connections: [], problem: err, path: null };
  }
  loaded = true;
  // The answer asked for at start is shown as it is when the list opens right after.
  unseen = !!asked && ctx.currentStep !== Step.SAVED;
  if (ctx.currentStep === Step.SAVED) render();
  return list.connections.length;
}

/** Whether the list has anything to show (connections, or a problem with the file). */
export function hasContent() {
  return list.connections.length > 0 || !!list.problem;
}

export function enter() {
  render();
  if (unseen) unseen = false;
  else load();
}

export function leave() {
  notice = null;
}

export function footer() {
  return { newConnection: "show", openFile: "show" };
}

/** Focuses where the list is used from: its search box when shown, else its first row. */
export function focusStart() {
  const search = $("connection-search");
  if (!$("connection-search-box").hidden) search.focus();
  else document.querySelector("#connections .conn-head")?.focus();
}

/** Shows a notice over the list (after returning from the wizard, for example). */
export function showNotice(kind, text) {
  notice = { kind, text };
  if (ctx.currentStep === Step.SAVED) renderNotice();
}

export function render() {
  if (ctx.currentStep !== Step.SAVED) return;
  renderProblem();
  $("connection-search-box").hidden = list.connections.length <= SEARCH_FROM;
  renderNotice();
  renderList();
}

/** A damaged or newer connections file: what is wrong, where, and a way to start afresh. */
function renderProblem() {
  const box = $("connections-problem");
  box.hidden = !list.problem;
  box.replaceChildren();
  if (!list.problem) return;
  box.append(el("p", { text: [pick(list.problem.message), pick(list.problem.next_step)].filter(Boolean).join(" ") }));
  if (list.problem.kind === "connections_file_corrupt") {
    box.append(
      el(
        "button",
        { type: "button", class: "btn btn-secondary btn-small", id: "set-aside-file", onclick: setAside },
        el("span", { class: "btn-label", text: t("list.setAside") }),
      ),
    );
  }
}

async function setAside() {
  try {
    const path = await api.setAsideConnectionsFile();
    showNotice("info", () => t("list.setAsideDone", { path }));
  } catch (err) {
    showNotice("warn", () => [pick(err.message), pick(err.next_step)].filter(Boolean).join(" "));
  }
  await load();
}

function renderNotice() {
  const box = $("connections-notice");
  box.hidden = !notice;
  box.className = `notice notice-${notice?.kind === "warn" ? "warn" : "info"}`;
  fillNotice(box, notice ? notice.text() : "");
}

/** Every word of `q` in the connection's name, company, client ID…, accents aside ("malmo" finds "Malmö"). */
function matchesConnection(c, q) {
  return matches([c.name, c.companyName, c.clientId, c.organizationNumber, c.tenantId].filter(Boolean).join(" "), q);
}

/**
 * The connections in Rust's order (most urgent first), except while a row is open: then in
 * the order last shown (new ones after), so an action that changes a status (Refresh, Test)
 * does not move the open row away from the user.
 */
function ordered() {
  if (openId === null || !list.connections.some((c) => c.id === openId)) return list.connections;
  const place = new Map(shownOrder.map((id, i) => [id, i]));
  const at = (c) => place.get(c.id) ?? Number.MAX_SAFE_INTEGER;
  return list.connections.map((c, i) => [c, i]).sort((a, b) => at(a[0]) - at(b[0]) || a[1] - b[1]).map(([c]) => c);
}

function renderList() {
  const ul = $("connections");
  const q = query.trim();
  const shown = ordered().filter((c) => matchesConnection(c, q));
  shownOrder = ordered().map((c) => c.id);
  const empty = $("connections-empty");
  empty.hidden = shown.length > 0 || !loaded;
  empty.textContent = q ? t("list.noMatch", { q }) : list.problem ? "" : t("list.empty");
  const focus = focusedPart();
  // With a row open or focused every row is drawn at once, so that row is there to keep.
  const now = focus || openId !== null ? shown.length : FIRST_ROWS;
  const mine = ++drawing;
  ul.replaceChildren(...shown.slice(0, now).map(row));
  if (shown.length > now) requestAnimationFrame(() => setTimeout(() => drawRest(ul, shown, now, mine)));
  // Drawing the rows anew must not drop the focus of whoever was on one of them.
  if (focus) ul.querySelector(`li[data-connection-id="${CSS.escape(focus.id)}"] ${focus.part}`)?.focus({ preventScroll: true });
}

/** The rows from `from` on, a batch at a time, unless the list was drawn again meanwhile. */
function drawRest(ul, shown, from, mine) {
  if (mine !== drawing) return;
  const to = from + BATCH_ROWS;
  ul.append(...shown.slice(from, to).map(row));
  if (to < shown.length) setTimeout(() => drawRest(ul, shown, to, mine));
}

/** Which part of which row has focus (`{id, part}` with `part` a selector), or null. */
function focusedPart() {
  const active = document.activeElement;
  const li = active?.closest?.("#connections > li");
  if (!li) return null;
  const part = active.classList.contains("conn-head")
    ? ".conn-head"
    : active.classList.contains("conn-outcome")
      ? ".conn-outcome"
      : active.dataset.action
        ? `[data-action="${active.dataset.action}"]`
        : active.dataset.outcomeCopy
          ? `[data-outcome-copy="${active.dataset.outcomeCopy}"]`
          : null;
  return part ? { id: li.dataset.connectionId, part } : null;
}

/** Kinds that need the customer (re-authorize) or the keychain now. */
const BAD = ["expired", "revoked", "needs-reauthorization", "not-activated"];

/**
 * The status as `{tone, when, what}`: `when` is the date that needs action ("Now" when
 * overdue; for a handed-over connection, the day it was handed over; null when there is
 * none), `what` the words. Tone: "ok", "soon", "bad".
 */
export function statusText(c, now = Date.now()) {
  const kind = c.status?.kind ?? "active";
  const tone = BAD.includes(kind) ? "bad" : ["reauthorize-before", "secrets-not-saved"].includes(kind) ? "soon" : "ok";
  const due = c.nextAction?.dueMs ?? null;
  const when = kind === "handed-over" ? formatDate(c.handedOverAtMs) : due === null ? null : due <= now + 60_000 ? t("status.now") : formatDate(due);
  const words = {
    "needs-reauthorization": () => t("status.needsReauthorization"),
    expired: () => t("status.expired", { date: formatDate(c.status?.atMs ?? c.refreshExpiresAtMs) }),
    revoked: () => t("status.revoked"),
    "not-activated": () => t("status.notActivated"),
    "secrets-not-saved": () => t("status.secretsNotSaved"),
    "reauthorize-before": () => t("status.refreshSoon"),
    "handed-over": () => t("status.handedOver"),
  };
  const what = words[kind]?.() ?? t(c.accountType === "service" ? "status.serviceActive" : "status.keptHere");
  return { tone, when, what };
}

/** The status element of a row: the date first, then the words. */
function statusBadge(c) {
  const s = statusText(c);
  return el(
    "span",
    { class: `status status-${s.tone}`, "data-status": c.status?.kind ?? "active" },
    s.when ? el("span", { class: "status-when", text: s.when }) : null,
    s.when ? " · " : null,
    el("span", { class: "status-what", text: s.what }),
  );
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter(Boolean));
  return node;
}

function row(c) {
  const open = openId === c.id;
  const headId = `conn-head-${c.id}`;
  const bodyId = `conn-body-${c.id}`;
  const head = el(
    "button",
    {
      type: "button",
      class: "conn-head",
      id: headId,
      "aria-expanded": String(open),
      "aria-controls": bodyId,
      onclick: () => {
        openId = open ? null : c.id;
        renderList();
        document.getElementById(headId)?.focus();
      },
    },
    el(
      "span",
      { class: "conn-main" },
      el("span", { class: "conn-name", text: c.name }),
      el("span", { class: `conn-company${c.companyName ? "" : " muted"}`, text: c.companyName || t("list.company.unknown") }),
    ),
    el("span", { class: "conn-type", text: t(c.accountType === "service" ? "account.service" : "account.user") }),
    statusBadge(c),
  );
  const li = el("li", { class: `conn${open ? " is-open" : ""}`, "data-connection-id": c.id, "data-name": c.name }, head);
  if (open) li.append(details(c, bodyId, headId));
  return li;
}

function details(c, bodyId, headId) {
  const facts = el("dl", { class: "facts conn-facts" });
  const fact = (key, value) => {
    if (value === null || value === undefined || value === "") return;
    facts.append(el("div", { class: "fact" }, el("dt", { text: t(key) }), el("dd", { text: String(value) })));
  };
  fact("r.company", c.companyName);
  fact("r.orgNo", c.organizationNumber);
  fact("r.tenant", c.tenantId);
  const handedOver = c.ownership === "handed_over";
  if (c.accountType !== "service") fact("fact.refreshedBy", handedOver ? t("owner.handedOver", { date: formatDate(c.handedOverAtMs) }) : t("owner.keptHere"));
  fact("fact.clientId", c.clientId);
  fact("fact.redirect", c.redirectUri);
  fact("fact.scopes", (c.scopes ?? []).join(", "));
  fact("fact.issued", c.issuedAtMs ? formatDate(c.issuedAtMs) : null);
  fact("fact.accessExpires", c.accessExpiresAtMs ? formatDate(c.accessExpiresAtMs, { time: true }) : null);
  if (c.hasRefreshToken) fact("fact.refreshExpires", c.refreshExpiresAtMs ? formatDate(c.refreshExpiresAtMs) : null);

  const working = busy.has(c.id);
  const button = (key, action, { primary = false, danger = false, copy = null, label = key } = {}) =>
    el(
      "button",
      {
        type: "button",
        class: `btn ${primary ? "btn-primary" : "btn-secondary"} btn-small${danger ? " btn-danger" : ""}${copy ? " btn-copy" : ""}`,
        "data-action": key,
        disabled: working,
        onclick: (e) => action(c, e.currentTarget),
      },
      el("span", { class: "btn-label", "data-i18n": `act.${label}`, text: t(`act.${label}`) }),
    );

  // New keys the keychain refused are held in Rust: copyable, and "Save again".
  const keys = (c.secretsSaved || c.unsavedKeys) && c.status?.kind !== "revoked";
  const actions = el(
    "div",
    { class: "btn-row conn-actions", role: "group", "aria-label": t("list.actions", { name: c.name }) },
    button("reauthorize", reauthorize, { primary: true }),
    keys && c.hasRefreshToken && !handedOver ? button("refresh", refresh) : null,
    keys && c.accountType === "service" && c.tenantId ? button("serviceToken", serviceToken) : null,
    keys ? button("test", test) : null,
  );
  const copies = keys
    ? el(
        "div",
        { class: "btn-row conn-actions" },
        button("copyAccess", (conn, b) => copy(conn, b, "access-token"), { copy: true }),
        c.hasRefreshToken || c.unsavedKeys ? button("copyRefresh", (conn, b) => copy(conn, b, "refresh-token"), { copy: true }) : null,
        button("copyJson", (conn, b) => copy(conn, b, "json"), { copy: true }),
        button("copyEnv", (conn, b) => copy(conn, b, "env"), { copy: true }),
      )
    : null;
  const unsaved = c.unsavedKeys
    ? el(
        "div",
        { class: "conn-unsaved" },
        el("p", { class: "notice notice-warn", "data-i18n": "list.unsavedKeys", text: t("list.unsavedKeys") }),
        el("div", { class: "btn-row conn-actions" }, button("saveAgain", saveAgain, { primary: true }), button("copiedUnsaved", copiedUnsaved)),
      )
    : null;
  const manage = el(
    "div",
    { class: "btn-row conn-actions" },
    button("rename", rename),
    button("duplicate", duplicate),
    button("export", exportFile),
    button("remove", remove, { danger: true, label: revokes(c) ? "remove" : "removeHere" }),
  );
  const outcome = outcomes.get(c.id);
  // The outcome of the last action, where focus goes once it is done; after new keys, their
  // copy buttons sit right beside it.
  const result = el(
    "div",
    {
      class: outcome ? `notice notice-${outcome.kind === "ok" ? "info" : outcome.kind === "warn" ? "warn" : "error"} conn-outcome` : "conn-outcome",
      role: "status",
      tabindex: "-1",
      hidden: !outcome,
    },
    outcome ? el("p", { text: outcome.text() }) : null,
    outcome?.newKeys && c.unsavedKeys ? newKeyCopies(c, working) : null,
  );
  return el("div", { class: "conn-body", id: bodyId, role: "region", "aria-labelledby": headId }, result, unsaved, actions, copies, manage, facts);
}

/** Copy buttons for new keys the keychain refused, beside the message that asks to copy them. */
function newKeyCopies(c, working) {
  const copy = (key, what) =>
    el(
      "button",
      {
        type: "button",
        class: "btn btn-secondary btn-small btn-copy",
        "data-outcome-copy": what,
        disabled: working,
        onclick: (e) => ctx.copyWithFeedback(e.currentTarget, what, { connectionId: c.id }),
      },
      el("span", { class: "btn-label", "data-i18n": `act.${key}`, text: t(`act.${key}`) }),
    );
  return el(
    "div",
    { class: "btn-row outcome-copies" },
    copy("copyAccess", "access-token"),
    c.hasRefreshToken ? copy("copyRefresh", "refresh-token") : null,
    copy("copyJson", "json"),
    copy("copyEnv", "env"),
  );
}

/** Focus to the outcome of an action on `id` (its row open), so the user hears and sees it. */
function focusOutcome(id) {
  const box = document.querySelector(`#connections li[data-connection-id="${CSS.escape(id)}"] .conn-outcome:not([hidden])`);
  if (!box) return;
  box.focus({ preventScroll: true });
  box.scrollIntoView({ block: "nearest" });
}

// ---------------------------------------------------------------- actions

/** Runs `work` for a connection with its buttons disabled; shows its outcome under it. */
async function run(c, work) {
  if (busy.has(c.id)) return;
  busy.add(c.id);
  outcomes.delete(c.id);
  renderList();
  try {
    const outcome = await work();
    if (outcome) outcomes.set(c.id, outcome);
  } catch (err) {
    outcomes.set(c.id, { kind: "error", text: () => [pick(err.message), pick(err.next_step)].filter(Boolean).join(" ") });
  }
  busy.delete(c.id);
  await load();
  if (ctx.currentStep === Step.SAVED) {
    renderList();
    focusOutcome(c.id);
    const status = outcomes.get(c.id);
    if (status) ctx.announce(status.text());
  }
}

/**
 * Copies `what` of `c`: what would carry the refresh token of a connection kept here asks
 * first who refreshes it from now on (owner.js); the answer shows as the row's outcome.
 */
async function copy(c, button, what) {
  const copyWith = (w, opts) => ctx.copyWithFeedback(button, w, opts);
  if (!asksOwner(c, what)) {
    await copyWith(what, { connectionId: c.id });
    return;
  }
  const asked = await copyAskingOwner(c, what, copyWith);
  if (!asked.ok) return;
  const name = c.name;
  if (asked.choice === "integration") {
    const secs = asked.clearsInSecs;
    outcomes.set(c.id, { kind: "warn", text: () => (secs ? t("done.handedOverClears", { name, secs }) : t("done.handedOver", { name })) });
  } else {
    outcomes.set(c.id, { kind: "ok", text: () => t(what === "refresh-token" ? "done.keptHereCommand" : "done.keptHereCopied", { name }) });
  }
  await load();
  if (ctx.currentStep === Step.SAVED) {
    renderList();
    focusOutcome(c.id);
    ctx.announce(outcomes.get(c.id).text());
  }
}

/** A moment in the list's one format: "14:02" today, else "7 Dec 2026, 14:02". */
function moment(ms) {
  return new Date(ms).toDateString() === new Date().toDateString() ? formatTime(ms) : formatDate(ms, { time: true });
}

/** Whether removing `c` revokes anything at Fortnox that ends the integration's access. */
function revokes(c) {
  return c.ownership !== "handed_over" && c.accountType !== "service" && (c.hasRefreshToken || c.unsavedKeys);
}

function reauthorize(c) {
  ctx.reauthorize(c);
}

async function refresh(c) {
  const ok = await confirmDialog({
    title: t("dlg.refresh.title", { name: c.name }),
    text: t("dlg.refresh.text"),
    confirm: t("dlg.refresh.confirm"),
  });
  if (!ok) return;
  run(c, async () => {
    const answer = await api.refreshConnection(c.id);
    if (answer.saved) return { kind: "ok", newKeys: true, text: () => t("done.refreshed", { name: c.name }) };
    return { kind: "warn", newKeys: true, text: () => t("done.refreshedUnsaved", { name: c.name, reason: pick(answer.warning?.message) }) };
  });
}

function saveAgain(c) {
  run(c, async () => {
    await api.saveUnsavedKeys(c.id);
    return { kind: "ok", text: () => t("done.savedAgain", { name: c.name }) };
  });
}

async function copiedUnsaved(c) {
  const ok = await confirmDialog({
    title: t("dlg.copiedUnsaved.title", { name: c.name }),
    text: t("dlg.copiedUnsaved.text"),
    confirm: t("dlg.copiedUnsaved.confirm"),
  });
  if (!ok) return;
  run(c, async () => {
    await api.forgetUnsavedKeys(c.id);
    return null;
  });
}

function serviceToken(c) {
  run(c, async () => {
    const answer = await api.serviceToken(c.id);
    if (!answer.saved) return { kind: "warn", newKeys: true, text: () => t("done.refreshedUnsaved", { name: c.name, reason: pick(answer.warning?.message) }) };
    return { kind: "ok", newKeys: true, text: () => t("done.serviceToken", { name: c.name, time: formatDate(answer.connection?.accessExpiresAtMs, { time: true }) }) };
  });
}

/**
 * Test: asks Fortnox for the company with the saved access token (never the refresh token)
 * and says what it checked, when. A handed-over connection whose access token expired can
 * no longer be checked here: the outcome says so and why.
 */
function test(c) {
  run(c, async () => {
    try {
      const answer = await api.testConnection(c.id);
      const company = answer.organizationNumber ? `${answer.companyName} (${answer.organizationNumber})` : answer.companyName;
      const at = Date.now();
      return { kind: "ok", text: () => t("done.testChecked", { company, time: formatTime(at) }) };
    } catch (err) {
      if (err?.kind !== "access_token_expired" || c.ownership !== "handed_over") throw err;
      const date = c.handedOverAtMs;
      const expired = c.accessExpiresAtMs;
      return {
        kind: "warn",
        text: () => t("done.testHandedOverExpired", { name: c.name, date: formatDate(date), time: expired ? moment(expired) : "?" }),
      };
    }
  });
}

async function rename(c) {
  const name = await promptDialog({
    title: t("dlg.rename.title", { name: c.name }),
    label: t("dlg.rename.label"),
    value: c.name,
    confirm: t("dlg.rename.confirm"),
    required: t("dlg.name.required"),
  });
  if (name === null || name === c.name) return;
  run(c, async () => {
    const answer = await api.renameConnection(c.id, name);
    return { kind: "ok", text: () => t("done.renamed", { name: answer.name ?? name }) };
  });
}

/** A new customer of the same integration: the wizard with the settings, a fresh name. */
function duplicate(c) {
  ctx.duplicate(c);
}

function exportFile(c) {
  run(c, async () => {
    const answer = await api.exportConnection(c.id);
    return { kind: "ok", text: () => t("done.exported", { path: answer.path }) };
  });
}

/**
 * Revoke and remove. What it can revoke decides what the dialog says: kept here, the refresh
 * token at Fortnox (the integration loses its access); handed over or a service account,
 * nothing that ends the integration's access: the dialog says how the customer removes the
 * integration in Fortnox.
 */
async function remove(c) {
  const revoking = revokes(c);
  const why = c.ownership === "handed_over" ? "handedOver" : "service";
  const ok = await confirmDialog(
    revoking
      ? { title: t("dlg.remove.title", { name: c.name }), text: t("dlg.remove.text"), confirm: t("dlg.remove.confirm"), danger: true }
      : {
          title: t("dlg.removeHere.title", { name: c.name }),
          text: t(`dlg.removeHere.${why}`, { name: c.name, date: formatDate(c.handedOverAtMs ?? Date.now()) }),
          confirm: t("act.removeHere"),
          danger: true,
        },
  );
  if (!ok) return;
  busy.add(c.id);
  renderList();
  try {
    const answer = await api.removeConnection(c.id);
    const name = c.name;
    // Handed over or a service account: nothing revoked here ends the integration's access.
    if (!revoking || (!answer.revoked && !answer.warning)) showNotice("info", () => t("done.removedHere", { name }));
    else if (answer.revoked) showNotice("info", () => t("done.removed", { name }));
    else showNotice("warn", () => t("done.removedNotRevoked", { name, reason: pick(answer.warning?.message) }));
    if (openId === c.id) openId = null;
  } catch (err) {
    outcomes.set(c.id, { kind: "error", text: () => [pick(err.message), pick(err.next_step)].filter(Boolean).join(" ") });
  }
  busy.delete(c.id);
  await load();
  if (ctx.currentStep === Step.SAVED) {
    // The row is gone (or shows why not): focus goes to what says so.
    if (outcomes.has(c.id)) focusOutcome(c.id);
    else if (notice) $("connections-notice").focus({ preventScroll: true });
    if (notice) ctx.announce(notice.text());
  }
}
