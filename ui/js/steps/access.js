// The access step (the wizard's second): which areas (scopes) the integration may use, and user or service account.
//
// The scope list is built once from Rust's catalogue and its texts are updated in place
// on a language switch, so checkboxes keep their identity and state. The filter hides
// scopes whose id, description and group (in the current language) do not match.

import { t, tn, pick } from "../i18n.js";
import { $ } from "../dom.js";
import { matches } from "../search.js";

let ctx;
let scopesTouched = false;
/** id → {item, input, desc, groupBox} */
const rows = new Map();
/** group box → legend */
const groups = [];
/** Whether the filter matched nothing last time (to announce "No area matches" once). */
let wasEmpty = false;

export function init(c) {
  ctx = c;
  $("scope-filter").addEventListener("input", () => applyFilter({ announce: true }));
  $("select-recommended").addEventListener("click", () => {
    const recommended = ctx.state.catalogue.filter((s) => s.recommended).map((s) => s.id);
    setScopes([...new Set([...ctx.state.settings.scopes, ...recommended])]);
  });
  $("clear-scopes").addEventListener("click", () => {
    scopesTouched = true;
    setScopes([]);
  });
  for (const radio of document.querySelectorAll('input[name="account-type"]')) {
    radio.addEventListener("change", () => {
      if (radio.checked) {
        ctx.state.settings.accountType = radio.value;
        ctx.scheduleCheck();
        renderCards();
      }
    });
  }
  ctx.onCheck(() => {
    renderError();
    renderChips(); // a new check may bring a fix for an unknown scope
  });
}

/** Builds the checkboxes from the catalogue (once it has arrived). */
export function buildList() {
  const list = $("scope-list");
  list.replaceChildren();
  rows.clear();
  groups.length = 0;
  let groupBox = null;
  let groupKey = null;
  for (const scope of ctx.state.catalogue) {
    const key = scope.group?.en ?? "";
    if (!groupBox || key !== groupKey) {
      groupKey = key;
      groupBox = document.createElement("fieldset");
      groupBox.className = "scope-group";
      const legend = document.createElement("legend");
      groupBox.append(legend);
      const items = document.createElement("div");
      items.className = "scope-items";
      groupBox.append(items);
      list.append(groupBox);
      groups.push({ box: groupBox, legend, group: scope.group });
    }

    const item = document.createElement("label");
    item.className = "scope";
    item.htmlFor = `scope-${scope.id}`;
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = "scope";
    input.value = scope.id;
    input.id = `scope-${scope.id}`;
    input.checked = ctx.state.settings.scopes.includes(scope.id);
    input.addEventListener("change", () => {
      scopesTouched = true;
      const chosen = new Set(ctx.state.settings.scopes);
      if (input.checked) chosen.add(scope.id);
      else chosen.delete(scope.id);
      // Keep the catalogue's order, then any scopes not in it.
      ctx.state.settings.scopes = orderScopes(chosen);
      renderCount();
      ctx.scheduleCheck();
    });

    const body = document.createElement("span");
    body.className = "scope-body";
    const desc = document.createElement("span");
    desc.className = "scope-desc";
    const meta = document.createElement("span");
    meta.className = "scope-meta";
    const id = document.createElement("code");
    id.className = "scope-id";
    id.textContent = scope.id;
    meta.append(id);
    let badge = null;
    if (scope.recommended) {
      badge = document.createElement("span");
      badge.className = "badge";
      meta.append(badge);
    }
    body.append(desc, meta);
    item.append(input, body);
    groupBox.querySelector(".scope-items").append(item);
    rows.set(scope.id, { scope, item, input, desc, badge, groupBox });
  }
  render();
}

function orderScopes(chosen) {
  const ordered = ctx.state.catalogue.map((s) => s.id).filter((id) => chosen.has(id));
  for (const id of chosen) if (!ordered.includes(id)) ordered.push(id);
  return ordered;
}

function setScopes(list) {
  ctx.state.settings.scopes = orderScopes(new Set(list));
  for (const [id, row] of rows) row.input.checked = ctx.state.settings.scopes.includes(id);
  renderCount();
  ctx.scheduleCheck();
}

/** Puts the settings (filled from a saved connection or a file) into the inputs. */
export function syncInputs() {
  for (const radio of document.querySelectorAll('input[name="account-type"]')) {
    radio.checked = radio.value === ctx.state.settings.accountType;
  }
  for (const [id, row] of rows) row.input.checked = ctx.state.settings.scopes.includes(id);
}

export function enter() {
  syncInputs();
  render();
}

export function footer() {
  return { back: "show", next: "show" };
}

/**
 * Checks now. "ok" when the settings are fine, "scopes" when the scopes need attention
 * (focus moved there), "connection" when a step-1 field has a problem.
 */
export async function validate() {
  scopesTouched = true;
  const answer = await ctx.checkNow();
  renderError();
  if (!answer) return "ok"; // the check itself failed: Rust will say so when starting
  const fields = answer.fields ?? {};
  if (fields.scopes) {
    const first = [...rows.values()].find((r) => !r.item.hidden)?.input;
    (first ?? $("scope-filter")).focus();
    return "scopes";
  }
  if (fields.connectionName || fields.clientId || fields.clientSecret || fields.redirectUri) return "connection";
  return "ok";
}

export function render() {
  for (const g of groups) g.legend.textContent = pick(g.group);
  for (const row of rows.values()) {
    row.desc.textContent = pick(row.scope.description);
    if (row.badge) row.badge.textContent = t("scopes.badge");
  }
  renderCount();
  renderError();
  renderCards();
  applyFilter();
}

function renderCount() {
  $("scope-count").textContent = tn("scopes.count", ctx.state.settings.scopes.length);
  renderChips();
}

/**
 * The known area an unknown scope most likely means (a file's typo: "invoices",
 * "Customer"), or null: Rust's guess (`fortnox::scopes::likely`), with the settings check.
 */
function likelyScope(id) {
  return ctx.checkAnswer()?.scopeFixes?.[id] ?? null;
}

/**
 * The chosen areas as chips, each with its own remove button; one Fortnox does not know (from
 * an activation file) is marked, with the known area it most likely means in one click.
 */
function renderChips() {
  const list = $("scope-chips");
  const chosen = ctx.state.settings.scopes;
  list.hidden = chosen.length === 0;
  // Drawn again when a check arrives: the focused chip button keeps the focus.
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  const refocus = focused && { scope: focused.closest(".chip")?.dataset.scope, cls: focused.className };
  list.replaceChildren(
    ...chosen.map((id) => {
      const li = document.createElement("li");
      li.className = "chip chip-removable";
      li.dataset.scope = id;
      const name = document.createElement("span");
      name.textContent = id;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.setAttribute("aria-label", t("scopes.remove", { id }));
      remove.textContent = "×";
      remove.addEventListener("click", () => {
        scopesTouched = true;
        const at = ctx.state.settings.scopes.indexOf(id);
        setScopes(ctx.state.settings.scopes.filter((s) => s !== id));
        // Focus stays in the chips (the next one, else the filter).
        const chips = list.querySelectorAll(".chip-remove");
        (chips[Math.min(at, chips.length - 1)] ?? $("scope-filter")).focus();
      });
      li.append(name);
      if (ctx.state.catalogue.length && !rows.has(id)) {
        li.classList.add("chip-unknown");
        name.title = t("scopes.unknown", { id });
        const meant = likelyScope(id);
        if (meant) {
          const use = document.createElement("button");
          use.type = "button";
          use.className = "chip-fix";
          use.dataset.replaceWith = meant;
          use.textContent = `→ ${meant}?`;
          use.setAttribute("aria-label", `${t("scopes.unknown", { id })}. ${t("scopes.useInstead", { id: meant })}`);
          use.addEventListener("click", () => {
            scopesTouched = true;
            setScopes(ctx.state.settings.scopes.map((s) => (s === id ? meant : s)));
            $("scope-filter").focus();
          });
          li.append(use);
        }
      }
      li.append(remove);
      return li;
    }),
  );
  if (refocus) {
    const again = [...list.querySelectorAll(`.${refocus.cls.split(" ")[0]}`)].find((b) => b.closest(".chip")?.dataset.scope === refocus.scope);
    again?.focus();
  }
}

/** Empties the filter: a new activation starts with every area in view. */
export function clearFilter() {
  $("scope-filter").value = "";
  if (rows.size) applyFilter();
}

function renderError() {
  const problem = scopesTouched ? ctx.checkAnswer()?.fields?.scopes : null;
  $("scope-error").textContent = problem ? pick(problem) : "";
  $("scope-list").classList.toggle("is-invalid", !!problem);
}

function renderCards() {
  for (const radio of document.querySelectorAll('input[name="account-type"]')) {
    radio.closest(".radio-card").classList.toggle("is-checked", radio.checked);
  }
}

function applyFilter({ announce = false } = {}) {
  const query = $("scope-filter").value.trim();
  let shown = 0;
  for (const row of rows.values()) {
    // Both languages: an area is found by its Swedish or English words in either language,
    // endings aside, accents aside, and by the words people use for it (search.js).
    const { scope } = row;
    const text = [scope.id, scope.description?.en, scope.description?.sv, scope.group?.en, scope.group?.sv].filter(Boolean).join(" ");
    row.item.hidden = !matches(text, query, { stem: true, synonyms: true });
    if (!row.item.hidden) shown++;
  }
  for (const g of groups) {
    g.box.hidden = ![...g.box.querySelectorAll(".scope")].some((el) => !el.hidden);
  }
  const empty = $("scope-empty");
  empty.hidden = shown > 0;
  empty.textContent = shown > 0 ? "" : t("scopes.noMatch", { q: query });
  // A screen reader hears it when the list becomes empty (the hidden note itself is not live).
  if (announce && shown === 0 && !wasEmpty) ctx.announce(empty.textContent);
  wasEmpty = shown === 0;
}
