// Who keeps a saved connection's refresh token, asked when it would leave this computer.
//
// Fortnox's refresh tokens are single use: the one who refreshes must be the only one who
// holds it. Copying the refresh token, or JSON or .env lines that would carry it, of a
// connection kept here therefore asks who refreshes from now on:
// - "The integration" (picked first): the refresh token is copied and the connection is
//   handed over in one call to Rust (`handOverConnection`): this computer forgets its copy.
// - "This computer": the refresh token is not copied at all; the command line the
//   integration runs for access tokens (`token-command`), or the JSON / .env lines without
//   the refresh token, are copied instead.
// New keys the keychain refused, held in Rust, are copied as they are: they are the only copy.

import { t } from "./i18n.js";
import * as api from "./api.js";
import { choiceDialog } from "./dialog.js";

/** What copies a refresh token: "refresh-token", "json", "env". */
export const CARRIES_REFRESH = ["refresh-token", "json", "env"];

/**
 * Whether copying `what` of connection `c` (a ConnectionView) asks who keeps the refresh
 * token: a user account kept here, its refresh token in the keychain.
 */
export function asksOwner(c, what) {
  return (
    CARRIES_REFRESH.includes(what) &&
    !!c &&
    c.ownership !== "handed_over" &&
    c.accountType !== "service" &&
    c.hasRefreshToken &&
    !c.unsavedKeys
  );
}

/**
 * Asks who refreshes `c` from now on, then copies accordingly through `copy` (the window's
 * copy with feedback: `copy(what, {connectionId, run})`). Resolves to
 * `{choice: "integration"|"here"|null, connection, clearsInSecs}`; `connection` is the
 * handed-over connection when it was handed over.
 */
export async function copyAskingOwner(c, what, copy) {
  const choice = await choiceDialog({
    title: t("dlg.owner.title", { name: c.name }),
    text: t("dlg.owner.text"),
    confirm: t("dlg.owner.confirm"),
    options: [
      {
        value: "integration",
        label: t("dlg.owner.integration"),
        lines: [t("dlg.owner.integration.1"), t("dlg.owner.integration.2", { name: c.name })],
      },
      { value: "here", label: t("dlg.owner.here"), lines: [t("dlg.owner.here.1"), t(`dlg.owner.here.${what}`)] },
    ],
  });
  if (choice === "integration") {
    let handed = null;
    const ok = await copy(what, { run: async () => (handed = await api.handOverConnection(c.id, what)).copied });
    return { choice, connection: ok ? handed?.connection : null, clearsInSecs: handed?.copied?.clearsInSecs ?? null, ok };
  }
  if (choice === "here") {
    const ok = await copy(what === "refresh-token" ? "token-command" : what, { connectionId: c.id });
    return { choice, connection: null, clearsInSecs: null, ok };
  }
  return { choice: null, connection: null, clearsInSecs: null, ok: false };
}
