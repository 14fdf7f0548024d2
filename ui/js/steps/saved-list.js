// The saved connections: the first screen once any exist (`Step.SAVED`; not a wizard step).
//
// Each row shows the name, the company, the account type and a status one reads at a
// glance; opening a row shows its facts and actions. Every action runs in Rust over the
// core's store (the keychain holds the secrets); the webview never receives a secret:
// copying happens in Rust. A search box appears once there are more than a few.

import { t, pick, formatDateTime } from "../i18n.js";
import * as api from "../api.js";
import { confirmDialog, promptDialog } from "../dialog.js";
import { $ } from "../dom.js";
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
  box.textContent = notice ? notice.text() : "";
}

/** Lower case without accents, so "malmo" finds "Malmö". */
function fold(s) {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function matches(c, q) {
  if (!q) return true;
  const hay = fold([c.name, c.companyName, c.clientId, c.organizationNumber, c.tenantId].filter(Boolean).join(" "));
  return fold(q)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => hay.includes(word));
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
  const shown = ordered().filter((c) => matches(c, q));
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

/** The status as words and a tone ("ok", "soon", "bad"); dates in the user's locale. */
export function statusText(c, now = Date.now()) {
  const s = c.status ?? { kind: "active" };
  const tone = ["expired", "revoked", "needs-reauthorization", "not-activated"].includes(s.kind)
    ? "bad"
    : ["reauthorize-before", "secrets-not-saved"].includes(s.kind)
      ? "soon"
      : "ok";
  let text;
  if (s.kind === "access-token-valid" && (s.minutes ?? c.accessExpiresAtMs)) {
    const n = s.minutes ?? Math.ceil((c.accessExpiresAtMs - now) / 60000);
    text = t("status.accessExpires", { n: Math.max(1, n) });
  } else if (s.kind === "reauthorize-before" && s.atMs) {
    text = t("status.reauthorizeBefore", { date: formatDateTime(s.atMs) });
  } else {
    text = pick(s.text) || t(c.accountType === "service" ? "status.serviceActive" : "status.active");
  }
  return { tone, text };
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
  const status = statusText(c);
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
    el("span", { class: `status status-${status.tone}`, "data-status": c.status?.kind ?? "active", text: status.text }),
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
  if (c.accountType !== "service") fact("fact.refreshedBy", t(c.ownership === "handed_over" ? "owner.handedOver" : "owner.keptHere"));
  fact("fact.clientId", c.clientId);
  fact("fact.redirect", c.redirectUri);
  fact("fact.scopes", (c.scopes ?? []).join(", "));
  fact("fact.issued", c.issuedAtMs ? formatDateTime(c.issuedAtMs) : null);
  fact("fact.accessExpires", c.accessExpiresAtMs ? formatDateTime(c.accessExpiresAtMs) : null);
  if (c.hasRefreshToken) fact("fact.refreshExpires", c.refreshExpiresAtMs ? formatDateTime(c.refreshExpiresAtMs) : null);

  const working = busy.has(c.id);
  const button = (key, action, { primary = false, danger = false, copy = null } = {}) =>
    el(
      "button",
      {
        type: "button",
        class: `btn ${primary ? "btn-primary" : "btn-secondary"} btn-small${danger ? " btn-danger" : ""}${copy ? " btn-copy" : ""}`,
        "data-action": key,
        disabled: working,
        onclick: (e) => action(c, e.currentTarget),
      },
      el("span", { class: "btn-label", "data-i18n": `act.${key}`, text: t(`act.${key}`) }),
    );

  // New keys the keychain refused are held in Rust: copyable, and "Save again".
  const keys = (c.secretsSaved || c.unsavedKeys) && c.status?.kind !== "revoked";
  const actions = el(
    "div",
    { class: "btn-row conn-actions", role: "group", "aria-label": t("list.actions", { name: c.name }) },
    button("reauthorize", reauthorize, { primary: true }),
    keys && c.hasRefreshToken && c.ownership !== "handed_over" ? button("refresh", refresh) : null,
    keys && c.accountType === "service" && c.tenantId ? button("serviceToken", serviceToken) : null,
    keys ? button("test", test) : null,
  );
  const copies = keys
    ? el(
        "div",
        { class: "btn-row conn-actions" },
        button("copyAccess", (conn, b) => ctx.copyWithFeedback(b, "access-token", { connectionId: conn.id }), { copy: true }),
        c.hasRefreshToken || c.unsavedKeys ? button("copyRefresh", (conn, b) => ctx.copyWithFeedback(b, "refresh-token", { connectionId: conn.id }), { copy: true }) : null,
        button("copyJson", (conn, b) => ctx.copyWithFeedback(b, "json", { connectionId: conn.id }), { copy: true }),
        button("copyEnv", (conn, b) => ctx.copyWithFeedback(b, "env", { connectionId: conn.id }), { copy: true }),
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
    button("remove", remove, { danger: true }),
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
    outcome?.newKeys && keys ? newKeyCopies(c, working) : null,
  );
  return el("div", { class: "conn-body", id: bodyId, role: "region", "aria-labelledby": headId }, result, unsaved, actions, copies, manage, facts);
}

/** Copy buttons for keys just issued, beside the message that asks to copy them. */
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
    return { kind: "ok", newKeys: true, text: () => t("done.serviceToken", { name: c.name, time: formatDateTime(answer.connection?.accessExpiresAtMs) }) };
  });
}

function test(c) {
  run(c, async () => {
    const answer = await api.testConnection(c.id);
    const company = [answer.companyName, answer.organizationNumber].filter(Boolean).join(", ");
    return { kind: "ok", text: () => pick(answer.text) || t("done.test", { name: c.name, company }) };
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

async function remove(c) {
  const ok = await confirmDialog({
    title: t("dlg.remove.title", { name: c.name }),
    text: t("dlg.remove.text"),
    confirm: t("dlg.remove.confirm"),
    danger: true,
  });
  if (!ok) return;
  busy.add(c.id);
  renderList();
  try {
    const answer = await api.removeConnection(c.id);
    const name = c.name;
    showNotice(
      answer.revoked ? "info" : "warn",
      answer.revoked ? () => t("done.removed", { name }) : () => t("done.removedNotRevoked", { name, reason: pick(answer.warning?.message) }),
    );
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
