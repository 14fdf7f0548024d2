// Every text of the window, in Swedish and English.
//
// `t(key, vars)` looks a text up in the current language; `pick({en, sv})` chooses from a
// bilingual object that came from Rust. Texts in the HTML are filled from
// `data-i18n` (textContent), `data-i18n-aria-label` and `data-i18n-placeholder`, so a
// language switch re-renders the whole window without touching what the user typed.

const STRINGS = {
  en: {
    "app.tagline": "Connect an integration to Fortnox",
    "app.version": "Version {version}",
    "language.label": "Language",
    "steps.label": "Steps",
    "step.1": "Connection",
    "step.2": "Access",
    "step.3": "Authorize",
    "step.4": "Result",
    "step.done": "(done)",
    "step.failed": "(failed)",
    "btn.back": "Back",
    "btn.next": "Next",
    "btn.tryAgain": "Try again",
    "btn.changeSettings": "Change settings",
    "btn.another": "Activate another connection",
    "btn.copy": "Copy",
    "btn.show": "Show",
    "btn.hide": "Hide",
    "copied": "Copied",
    "copyFailed": "Could not copy",
    "copied.clears": "Copied. The clipboard is cleared in {secs} s.",
    "diag.open": "Diagnostics",
    "diag.copyOpen": "Copy diagnostics…",
    "diag.title": "Diagnostics for support",
    "diag.intro": "This is what will be copied: versions, settings without the client secret, recent errors and the log's last lines. It holds no secrets. Read it, then copy it and send it to support.",
    "diag.copy": "Copy",
    "diag.close": "Close",

    "s1.title": "Connection details",
    "s1.intro": "Enter the details of the integration you want to connect. The integration's supplier gives them to you (they are on the integration's page in Fortnox's Developer Portal).",
    "f.name.label": "Connection name",
    "f.name.help": "A name you will recognise later, for example the customer's company name.",
    "f.clientId.label": "Client ID",
    "f.clientId.help": "The integration's identifier from the Developer Portal.",
    "f.secret.label": "Client secret (optional)",
    "f.secret.help": "Only this app uses it, to fetch the tokens from Fortnox.",
    "f.secret.show": "Show client secret",
    "f.secret.hide": "Hide client secret",
    "f.secret.refused": "Fortnox did not accept this client secret. Enter it again exactly as it is in the Developer Portal.",
    "codeOnly.title": "Code only",
    "codeOnly.text": "Without a client secret the app only fetches the authorization code; your integration exchanges it for tokens within 10 minutes.",
    "f.redirect.label": "Redirect URI",
    "f.redirect.help": "The address Fortnox sends the browser back to after approval. It must match the one registered for the integration, character for character.",
    "f.redirect.suggest": "Use http://localhost:9876/callback",
    "f.redirect.fix": "Did you mean {uri}?",
    "f.redirect.fix.https": "Did you mean {uri}? The app catches Fortnox's answer by itself only on an http://localhost address.",
    "f.redirect.fix.use": "Use it",
    "capture.title": "How the app gets Fortnox's answer",
    "capture.loopback": "The app listens on this computer on port {port} and catches Fortnox's answer automatically.",
    "capture.paste": "After approving, you copy the address from the browser and paste it here.",
    "capture.none": "Enter the redirect URI and you will see here how the app receives Fortnox's answer.",
    "register.label": "The integration's redirect URI in Fortnox's Developer Portal must be exactly this. That is set up once, usually by the integration's supplier; check with them if unsure.",
    "register.copy": "Copy redirect URI",
    "check.failed": "The details could not be checked right now.",

    "s2.title": "What the integration may use",
    "s2.intro": "Choose the areas the integration needs, and the kind of account it connects with. The integration's supplier can tell you which areas it uses.",
    "scopes.legend": "Areas (scopes)",
    "scopes.note": "Every scope grants both read and write access, and the company needs a licence for each area.",
    "scopes.filter": "Filter",
    "scopes.filterPlaceholder": "Search areas",
    "scopes.recommended": "Select recommended",
    "scopes.clear": "Clear",
    "scopes.count.one": "{n} area selected",
    "scopes.count.other": "{n} areas selected",
    "scopes.noMatch": "No area matches “{q}”.",
    "scopes.badge": "Recommended",
    "scopes.chosen": "Chosen areas",
    "scopes.remove": "Remove {id}",
    "scopes.unknown": "{id} is not an area Fortnox is known to have",
    "scopes.useInstead": "Use {id}",
    "account.legend": "Account type",
    "account.user.title": "User account",
    "account.user.1": "Gets exactly what the logged-in user may do, and what the company is licensed for.",
    "account.user.2": "Stops working if that user leaves or loses the rights.",
    "account.user.3": "The usual choice.",
    "account.service.title": "Service account",
    "account.service.1": "Not tied to a person: keeps working when people leave.",
    "account.service.2": "Only the customer's system administrator can approve it.",
    "account.service.3": "Must be enabled for the integration in the Developer Portal (“Enable service account authorization”).",
    "account.service.4": "One per customer.",
    "account.switchNote": "Switching between the two later means removing the connection and activating it again.",

    "s3.title": "Approve in Fortnox",
    "s3.intro": "Check the summary, then open Fortnox. Log in there and approve the access; this window continues by itself.",
    "summary.label": "Summary",
    "summary.name": "Connection",
    "summary.clientId": "Client ID",
    "summary.redirect": "Redirect URI",
    "summary.account": "Account type",
    "summary.scopes": "Areas",
    "summary.scopes.one": "{n} area",
    "summary.scopes.other": "{n} areas",
    "summary.capture": "Fortnox's answer",
    "summary.capture.loopback": "Caught automatically on port {port}",
    "summary.capture.paste": "You paste it from the browser",
    "summary.mode": "You get",
    "summary.mode.tokens": "Access token and refresh token",
    "summary.mode.code": "The authorization code only",
    "summary.warnings": "Good to know",
    "fxerr.summary": "Fortnox showed an error page instead? Press Cancel and fix the cause.",
    "fxerr.intro": "When Fortnox cannot go on, it shows its own error page and nothing comes back here. The usual causes:",
    "fxerr.redirect.title": "“The redirect URI is missing or do not match”",
    "fxerr.redirect.fix": "The redirect URI entered in step 1 is not exactly the one registered for the integration. Enter the registered one, or ask the integration's supplier to register the one shown in step 1.",
    "fxerr.service.title": "“Client does not allow service account”",
    "fxerr.service.fix": "The integration does not have “Enable service account authorization” turned on in the Developer Portal. Ask the integration's supplier, or choose a user account in step 2.",
    "fxerr.scope.title": "An area (scope) is refused, or “Det finns ingen aktiv licens för önskat scope”",
    "fxerr.scope.fix": "The integration or the company lacks one of the chosen areas. Remove it in step 2, or have it added to the integration (supplier) or to the company's licence (Fortnox administrator).",
    "fxerr.rights.title": "The user may not approve",
    "fxerr.rights.fix": "Log in as a user with rights to the chosen areas; a service account needs the company's system administrator.",
    "fxerr.client.title": "“Auth code or ClientID supplied is invalid”",
    "fxerr.client.fix": "The client ID is wrong. Copy it again from the integration's supplier.",
    "authorize": "Open Fortnox in the browser",
    "authorize.hint": "Your web browser opens Fortnox's login page.",
    "authorize.hint.service": "Only the customer's system administrator can approve a service account: let them log in.",
    "authorize.starting": "Opening Fortnox…",
    "waiting.title": "Waiting for Fortnox…",
    "waiting.text": "Log in and approve access in the browser window.",
    "waiting.text.paste": "Log in and approve access in the browser window. Then copy the address from the browser and paste it below.",
    "waiting.text.noBrowser": "Open the address below in your browser, log in and approve access.",
    "exchanging.title": "Talking to Fortnox…",
    "exchanging.text": "The approval has arrived. Fetching the details from Fortnox.",
    "countdown.label": "Time left",
    "countdown.oneMinute": "One minute left to approve in Fortnox.",
    "cancel": "Cancel",
    "url.label": "If the browser did not open, copy this address into your browser:",
    "url.copy": "Copy address",
    "url.openAgain": "Open again",
    "notice.browserFailed": "The browser could not be opened. Copy the address below and paste it into your browser's address bar.",
    "notice.callbackRejected": "An answer arrived that did not belong to this attempt, so it was ignored. Still waiting for the right one.",
    "notice.cancelled": "Cancelled. Open Fortnox again when you are ready.",
    "paste.label": "Did the browser end up on a page that doesn't work? Copy the whole address from the browser's address bar (or just the code) and paste it here.",
    "paste.hint.idle": "You can paste once Fortnox has been opened.",
    "paste.hint.active": "It starts with your redirect URI and contains “code=”.",
    "paste.use": "Use this address",
    "paste.empty": "Paste the address or the code first.",
    "paste.checking": "Checking…",
    "paste.nudge": "Nothing has come back from the browser yet. If it shows a page that doesn't work, or an error, copy the whole address from its address bar and paste it below.",
    "paste.title": "Paste the address from the browser",
    "paste.label.main": "After you approve, Fortnox sends the browser to your redirect URI. Copy the whole address from the browser's address bar (or just the code) and paste it here.",
    "url.show": "Show the address Fortnox was opened at",
    "url.hide": "Hide the address",

    "s4.success.title": "The connection is ready",
    "s4.success.lead": "“{name}” is now connected to Fortnox.",
    "s4.code.title": "The authorization code is here",
    "s4.code.lead": "Your integration must exchange this code for tokens now. It works once, and only for 10 minutes.",
    "s4.failed.title": "Authorization failed",
    "s4.failed.lead": "“{name}” was not connected.",
    "s4.notStarted.title": "The activation could not start",
    "s4.notStarted.lead": "Nothing was sent to Fortnox for “{name}”.",
    "fail.invalidClient.again": "Change the settings and enter the client secret again. After that, the customer approves the access in Fortnox once more.",
    "r.facts": "Connection details",
    "r.company": "Company",
    "r.orgNo": "Organisation number",
    "r.tenant": "Tenant ID (database number)",
    "r.account": "Account type",
    "r.scopes": "Areas granted",
    "r.accessExpires": "Access token expires",
    "r.refreshExpires": "Refresh token expires",
    "r.noRefresh": "No refresh token was issued.",
    "r.codeExpires": "Code expires",
    "r.codeLeft": "Exchange it before {time} ({left} left)",
    "r.codeExpired": "Expired at {time}. Try again to get a new code.",
    "r.when": "{time} ({relative})",
    "r.notAvailable": "Not available",
    "r.warnings": "Good to know",
    "r.secrets": "Keys for the integration",
    "r.secrets.note": "Keep these secret: anyone who has them can reach the company's data in Fortnox.",
    "secret.code": "Authorization code",
    "secret.access": "Access token",
    "secret.refresh": "Refresh token",
    "secret.masked": "hidden",
    "copy.code": "Copy authorization code",
    "copy.access": "Copy access token",
    "copy.refresh": "Copy refresh token",
    "show.code": "Show authorization code",
    "show.access": "Show access token",
    "show.refresh": "Show refresh token",
    "hide.code": "Hide authorization code",
    "hide.access": "Hide access token",
    "hide.refresh": "Hide refresh token",
    "copy.json": "Copy all as JSON",
    "copy.env": "Copy as .env lines",
    "fail.why": "What happened",
    "fail.next": "What to do next",
    "fail.details": "Details for support",
    "fail.kind": "Error code",
    "fail.detail": "Details",
    "fail.noDetail": "No further details.",

    "account.user": "User account",
    "account.service": "Service account",

    "error.unexpected": "Something unexpected went wrong in the app.",
    "error.unexpected.next": "Try again. If it happens again, send the details below to support.",
    "error.noBackend": "The app's engine could not be reached.",
    "error.noBackend.next": "Close the window and start Fortnox Activator again.",

    // Saved connections (the list screen, saving, actions)
    "btn.connections": "Saved connections",
    "list.title": "Saved connections",
    "list.intro": "The connections saved on this computer. Their keys are kept in the system's keychain.",
    "list.new": "New connection",
    "list.empty": "No connection is saved on this computer. Start one with “New connection”.",
    "list.setAside": "Keep the damaged file aside and start a new list",
    "list.setAsideDone": "The damaged file was kept as {path}. New connections go into a new list.",
    "list.openFile": "Open activation file",
    "list.search": "Search",
    "list.searchPlaceholder": "Name, company or client ID",
    "list.noMatch": "No connection matches “{q}”.",
    "list.company.unknown": "Company not known yet",
    "list.actions": "Actions for {name}",
    // Every status of the saved list, led by the date that needs action (saved-list.js).
    "status.now": "Now",
    "status.needsReauthorization": "Re-authorize: Fortnox refused the refresh token",
    "status.expired": "Re-authorize: the approval ran out on {date}",
    "status.revoked": "Revoked; re-authorize to use it again",
    "status.notActivated": "Not activated yet; re-authorize to activate it",
    "status.secretsNotSaved": "Keys not saved in the keychain: save them, or re-authorize",
    "status.refreshSoon": "Refresh by this date, or the customer must re-authorize",
    "status.keptHere": "Active; refresh by this date",
    "status.handedOver": "Handed over to the integration; it keeps the connection alive",
    "status.serviceActive": "Active · service account, no end date",
    "act.reauthorize": "Re-authorize",
    "act.refresh": "Refresh now",
    "act.serviceToken": "Get an access token",
    "act.test": "Test",
    "act.copyJson": "Copy as JSON",
    "act.copyEnv": "Copy as .env lines",
    "act.saveAgain": "Save again",
    "fact.refreshedBy": "Refreshed by",
    "owner.keptHere": "This computer (kept here; the integration asks it for access tokens)",
    "owner.handedOver": "The integration, since {date} (this computer forgot the refresh token)",
    "act.removeHere": "Remove from this computer",
    // Who keeps the refresh token, asked when it is copied (owner.js).
    "dlg.owner.title": "Who will refresh “{name}” from now on?",
    "dlg.owner.text": "Fortnox gives a new refresh token each time one is used, and the old one stops working, so only one place can keep it.",
    "dlg.owner.integration": "The integration",
    "dlg.owner.integration.1": "Copies the refresh token for the integration to keep.",
    "dlg.owner.integration.2": "This computer then forgets its copy and never refreshes “{name}” again.",
    "dlg.owner.here": "This computer",
    "dlg.owner.here.1": "The refresh token stays here. The integration gets each access token by running `fortnox-activate token` on this computer.",
    "dlg.owner.here.refresh-token": "Copies that command line instead of the refresh token.",
    "dlg.owner.here.json": "Copies the JSON without the refresh token.",
    "dlg.owner.here.env": "Copies the .env lines without the refresh token.",
    "dlg.owner.confirm": "Copy",
    "done.handedOver": "Copied for the integration: paste it there now. “{name}” is handed over; this computer forgot its refresh token and will not refresh it again.",
    "done.handedOverClears": "Copied for the integration: paste it there now, the clipboard is cleared in {secs} s. “{name}” is handed over; this computer forgot its refresh token and will not refresh it again.",
    "done.keptHereCommand": "Copied the command line. The refresh token stays on this computer; set up the integration to run that command for each access token.",
    "done.keptHereCopied": "Copied without the refresh token, which stays on this computer; the integration gets new access tokens by running `fortnox-activate token`.",
    "done.testChecked": "Fortnox accepted the saved access token for {company} at {time} (the refresh token was not used).",
    "done.testHandedOverExpired": "This computer can no longer check “{name}”: it handed the connection over to the integration on {date}, and the access token it kept expired at {time}. Only the integration holds the refresh token now; ask whoever runs the integration whether it still works.",
    "done.removedHere": "“{name}” was removed from this computer. The integration keeps its access until the customer's administrator removes the integration in Fortnox, under Integrations.",
    "dlg.removeHere.title": "Remove “{name}” from this computer?",
    "dlg.removeHere.handedOver": "“{name}” was handed over to the integration on {date}, so this computer has no refresh token left to revoke: removing it here does not stop the integration. To end the integration's access, the customer's administrator removes the integration in Fortnox, under Integrations.",
    "dlg.removeHere.service": "A service account gets its access tokens by client credentials, without a refresh token, and the customer's consent lasts until the customer revokes it: removing “{name}” here deletes its keys from this computer but does not end the integration's access. To end it, the customer's administrator removes the integration in Fortnox, under Integrations.",
    "act.copiedUnsaved": "I have copied them",
    "list.unsavedKeys":
      "New keys not saved: the keychain refused them, so they exist only in this window. Copy them, or press “Save again” once the keychain works; closing asks first.",
    "done.savedAgain": "The new keys of “{name}” are saved in the keychain.",
    "dlg.copiedUnsaved.title": "Forget the new keys of “{name}”?",
    "dlg.copiedUnsaved.text":
      "Only if you copied them (the refresh token above all): this window then forgets them, and this computer can no longer refresh the connection. The one holding the copy keeps it alive.",
    "dlg.copiedUnsaved.confirm": "Forget them",
    "act.copyAccess": "Copy access token",
    "act.copyRefresh": "Copy refresh token",
    "act.rename": "Rename",
    "act.duplicate": "Use for another customer",
    "act.export": "Export activation file",
    "act.remove": "Revoke and remove",
    "act.working": "Working…",
    "fact.clientId": "Client ID",
    "fact.redirect": "Redirect URI",
    "fact.scopes": "Areas",
    "fact.issued": "Activated",
    "fact.accessExpires": "Access token expires",
    "fact.refreshExpires": "Re-authorize before",
    "dlg.refresh.title": "Refresh the tokens of “{name}”?",
    "dlg.refresh.text": "Fortnox gives a new refresh token each time one is used, and the old one stops working. This computer keeps the new one, so an integration that asks it for access tokens goes on working; any other copy of the old refresh token stops working.",
    "dlg.refresh.confirm": "Refresh now",
    "dlg.remove.title": "Revoke and remove “{name}”?",
    "dlg.remove.text": "The app revokes the refresh token at Fortnox, so the integration, which gets its access tokens from this computer, loses its access. Then it deletes the connection and its keys from this computer.",
    "dlg.remove.confirm": "Revoke and remove",
    "dlg.rename.title": "Rename “{name}”",
    "dlg.rename.label": "New name",
    "dlg.rename.confirm": "Rename",
    "dlg.leave.title": "Leave without the keys?",
    "dlg.leave.text": "This connection was not saved and nothing has been copied yet. The keys disappear when you leave this screen, and the customer would have to approve again.",
    "dlg.leave.confirm": "Leave without the keys",
    "dlg.close.title": "Close without the keys?",
    "dlg.close.text": "This connection was not saved and nothing has been copied yet. The keys disappear when the window closes, and the customer would have to approve again.",
    "dlg.close.confirm": "Close anyway",
    "dlg.name.required": "Enter a name.",
    "done.refreshed": "New tokens saved for “{name}”. This computer keeps the refresh token, so an integration that asks it for access tokens needs nothing new.",
    "done.refreshedUnsaved": "Fortnox issued new tokens for “{name}”, but they could not be saved: {reason} Copy them now, before you close the app.",
    "done.serviceToken": "A new access token for “{name}” is saved, valid until {time}.",
    "done.renamed": "Renamed to “{name}”.",
    "done.removed": "“{name}” was revoked at Fortnox and removed from this computer.",
    "done.removedNotRevoked": "“{name}” was removed from this computer, but Fortnox could not be reached to revoke it: {reason} The approval may still exist in Fortnox; the customer can remove it under Integrations there.",
    "done.exported": "Saved the activation file (settings only, no keys) to {path}",
    "file.bad": "The activation file “{file}” cannot be used:",
    "file.tooLarge": "The file is larger than {kb} KB: far too large to be an activation file (they are under 1 KB); it was not read.",
    "file.tooLargeNext": "Choose the activation file (.fortnox-activation) the integration's supplier sent, or ask them for it again.",
    "file.opened": "Settings from “{file}” filled in. Check them, add the client secret if you have one, and continue.",
    "save.saved": "Saved on this computer as “{name}”, its keys in the system's keychain.",
    "save.where": "Where exactly",
    "save.whereText": "Keys: {store}. Settings: {path}",
    "save.reauthorized": "“{name}” is re-authorized: its keys were replaced in the system's keychain.",
    "save.secretsNotSaved": "The settings were saved, but the keys could not be stored in the system's keychain: {reason} Copy the keys now; they disappear when the window closes.",
    "save.failed": "The connection could not be saved: {reason} Copy the keys now; they disappear when the window closes.",
    "save.pending": "Saving on this computer…",
    "save.notSaved": "Not saved on this computer, as chosen: the keys disappear when the window closes. Copy what the integration needs now.",
    "save.codeOnly": "Nothing was saved on this computer: with only an authorization code there are no keys to keep. Your integration exchanges the code and keeps the keys itself.",
    "f.save.label": "Save this connection on this computer",
    "f.save.help": "Keeps the settings, and the keys in the system's keychain, so you can re-authorize or refresh later.",
    "f.secret.saved": "Saved in the keychain (leave empty to use it)",
    "reauth.banner": "Re-authorizing “{name}”: a successful approval replaces its keys.",
    "reauth.company":
      "Log in to Fortnox as {company}; an approval for another company is refused. If the browser is still logged in to another company, log out of Fortnox first.",

    // Links through a private-use URI scheme (link-notice.js, scheme-status.js).
    "scheme.own": "After approving, the browser hands Fortnox's answer to this app as a {scheme}: link, the app's own link type.",
    "scheme.other": "After approving, the browser hands Fortnox's answer as a {scheme}: link, the integration's own link type. This app can receive those links on this computer.",
    "scheme.paste": "On macOS only an installed app receives its own links, so a {scheme}: link cannot reach this app. After approving, copy the address the browser shows (or the code) and paste it here.",
    "scheme.bundled": "On macOS the installed app receives its {scheme}: links.",
    "scheme.registered": "Registered on this computer: links of this type open this app.",
    "scheme.notRegistered": "Not registered on this computer yet: links of this type do not reach this app.",
    "scheme.unknown": "Whether links of this type reach this app could not be checked.",
    "scheme.register": "Receive {scheme}: links in this app",
    "scheme.registering": "Registering…",
    "scheme.registerFailed": "Registering did not work:",
    "scheme.unregister": "Stop receiving {scheme}: links",
    "scheme.confirm.title": "Receive {scheme}: links in this app?",
    "scheme.confirm.other": "Links of this type open “{app}” on this computer now. From now on they would open this app instead, for every program that uses them, until you press “Stop receiving” or remove the last connection that uses them; then “{app}” gets them again.",
    "scheme.confirm.none": "No application on this computer opens links of this type now. From now on this app would, until you press “Stop receiving” or remove the last connection that uses them.",
    "scheme.confirm.ok": "Receive them here",
    "summary.capture.schemeLink": "Handed to the app as a {scheme}: link",
    "waiting.text.scheme": "Log in and approve access in the browser window. If the browser asks whether to open Fortnox Activator, allow it.",
    "linkNotice.title": "A link arrived",
    "linkNotice.start": "Start a new activation",
    "linkNotice.close": "Close",
  },

  sv: {
    "app.tagline": "Koppla en integration till Fortnox",
    "app.version": "Version {version}",
    "language.label": "Språk",
    "steps.label": "Steg",
    "step.1": "Koppling",
    "step.2": "Behörighet",
    "step.3": "Godkänn",
    "step.4": "Resultat",
    "step.done": "(klart)",
    "step.failed": "(misslyckades)",
    "btn.back": "Tillbaka",
    "btn.next": "Nästa",
    "btn.tryAgain": "Försök igen",
    "btn.changeSettings": "Ändra uppgifterna",
    "btn.another": "Aktivera ytterligare en koppling",
    "btn.copy": "Kopiera",
    "btn.show": "Visa",
    "btn.hide": "Dölj",
    "copied": "Kopierat",
    "copyFailed": "Kunde inte kopiera",
    "copied.clears": "Kopierat. Urklipp töms om {secs} s.",
    "diag.open": "Diagnostik",
    "diag.copyOpen": "Kopiera diagnostik…",
    "diag.title": "Diagnostik för support",
    "diag.intro": "Det här är vad som kopieras: versioner, inställningar utan klienthemligheten, senaste felen och loggens sista rader. Det innehåller inga hemligheter. Läs det, kopiera det sedan och skicka det till support.",
    "diag.copy": "Kopiera",
    "diag.close": "Stäng",

    "s1.title": "Uppgifter om kopplingen",
    "s1.intro": "Fyll i uppgifterna för integrationen du vill koppla. Integrationens leverantör ger dig dem (de finns på integrationens sida i Fortnox utvecklarportal).",
    "f.name.label": "Namn på kopplingen",
    "f.name.help": "Ett namn du känner igen senare, till exempel kundens företagsnamn.",
    "f.clientId.label": "Klient-ID",
    "f.clientId.help": "Integrationens id från utvecklarportalen.",
    "f.secret.label": "Klienthemlighet (valfri)",
    "f.secret.help": "Används bara av den här appen för att hämta token från Fortnox.",
    "f.secret.show": "Visa klienthemligheten",
    "f.secret.hide": "Dölj klienthemligheten",
    "f.secret.refused": "Fortnox godtog inte den här klienthemligheten. Skriv in den igen precis som den står i utvecklarportalen.",
    "codeOnly.title": "Endast kod",
    "codeOnly.text": "Utan klienthemlighet hämtar appen bara auktoriseringskoden; din integration växlar in den mot token inom 10 minuter.",
    "f.redirect.label": "Omdirigerings-URI (redirect URI)",
    "f.redirect.help": "Adressen som Fortnox skickar tillbaka webbläsaren till efter godkännandet. Den måste stämma tecken för tecken med den som är registrerad för integrationen.",
    "f.redirect.suggest": "Använd http://localhost:9876/callback",
    "f.redirect.fix": "Menade du {uri}?",
    "f.redirect.fix.https": "Menade du {uri}? Appen fångar svaret från Fortnox själv bara på en http://localhost-adress.",
    "f.redirect.fix.use": "Använd den",
    "capture.title": "Så får appen svaret från Fortnox",
    "capture.loopback": "Appen lyssnar på den här datorn på port {port} och fångar svaret från Fortnox automatiskt.",
    "capture.paste": "När du har godkänt kopierar du adressen från webbläsaren och klistrar in den här.",
    "capture.none": "Fyll i omdirigerings-URI:n så ser du här hur appen tar emot svaret från Fortnox.",
    "register.label": "Integrationens omdirigerings-URI i Fortnox utvecklarportal måste vara exakt denna. Det ställs in en gång, oftast av integrationens leverantör; fråga dem om du är osäker.",
    "register.copy": "Kopiera omdirigerings-URI:n",
    "check.failed": "Uppgifterna kunde inte kontrolleras just nu.",

    "s2.title": "Vad integrationen får använda",
    "s2.intro": "Välj de områden integrationen behöver och vilken sorts konto den kopplas med. Integrationens leverantör kan tala om vilka områden den använder.",
    "scopes.legend": "Behörighetsområden (scopes)",
    "scopes.note": "Varje område ger både läs- och skrivbehörighet, och företaget behöver en licens för varje område.",
    "scopes.filter": "Filtrera",
    "scopes.filterPlaceholder": "Sök bland områdena",
    "scopes.recommended": "Välj rekommenderade",
    "scopes.clear": "Rensa",
    "scopes.count.one": "{n} område valt",
    "scopes.count.other": "{n} områden valda",
    "scopes.noMatch": "Inget område matchar ”{q}”.",
    "scopes.badge": "Rekommenderas",
    "scopes.chosen": "Valda områden",
    "scopes.remove": "Ta bort {id}",
    "scopes.unknown": "{id} är inget område som Fortnox veterligen har",
    "scopes.useInstead": "Använd {id}",
    "account.legend": "Kontotyp",
    "account.user.title": "Användarkonto",
    "account.user.1": "Får göra exakt det som den inloggade användaren får göra och det som företaget har licens för.",
    "account.user.2": "Slutar fungera om användaren slutar eller förlorar behörigheten.",
    "account.user.3": "Det vanliga valet.",
    "account.service.title": "Servicekonto",
    "account.service.1": "Inte knutet till en person: fortsätter fungera när någon slutar.",
    "account.service.2": "Bara kundens systemadministratör kan godkänna det.",
    "account.service.3": "Måste vara påslaget för integrationen i utvecklarportalen (”Enable service account authorization”).",
    "account.service.4": "Ett per kund.",
    "account.switchNote": "Att byta mellan dem senare innebär att kopplingen tas bort och aktiveras på nytt.",

    "s3.title": "Godkänn i Fortnox",
    "s3.intro": "Kontrollera sammanfattningen och öppna sedan Fortnox. Logga in där och godkänn behörigheten; det här fönstret fortsätter av sig självt.",
    "summary.label": "Sammanfattning",
    "summary.name": "Koppling",
    "summary.clientId": "Klient-ID",
    "summary.redirect": "Omdirigerings-URI",
    "summary.account": "Kontotyp",
    "summary.scopes": "Områden",
    "summary.scopes.one": "{n} område",
    "summary.scopes.other": "{n} områden",
    "summary.capture": "Svaret från Fortnox",
    "summary.capture.loopback": "Fångas automatiskt på port {port}",
    "summary.capture.paste": "Du klistrar in det från webbläsaren",
    "summary.mode": "Du får",
    "summary.mode.tokens": "Åtkomsttoken och förnyelsetoken",
    "summary.mode.code": "Bara auktoriseringskoden",
    "summary.warnings": "Bra att veta",
    "fxerr.summary": "Visade Fortnox en felsida i stället? Tryck på Avbryt och åtgärda orsaken.",
    "fxerr.intro": "När Fortnox inte kan gå vidare visas en egen felsida och inget kommer tillbaka hit. De vanligaste orsakerna:",
    "fxerr.redirect.title": "”The redirect URI is missing or do not match”",
    "fxerr.redirect.fix": "Omdirigerings-URI:n i steg 1 är inte exakt den som är registrerad för integrationen. Ange den registrerade, eller be integrationens leverantör registrera den som visas i steg 1.",
    "fxerr.service.title": "”Client does not allow service account”",
    "fxerr.service.fix": "Integrationen har inte ”Enable service account authorization” påslaget i utvecklarportalen. Fråga integrationens leverantör, eller välj användarkonto i steg 2.",
    "fxerr.scope.title": "Ett område (scope) nekas, eller ”Det finns ingen aktiv licens för önskat scope”",
    "fxerr.scope.fix": "Integrationen eller företaget saknar ett av de valda områdena. Ta bort det i steg 2, eller be om att få det tillagt för integrationen (leverantören) eller i företagets licens (Fortnox-administratören).",
    "fxerr.rights.title": "Användaren får inte godkänna",
    "fxerr.rights.fix": "Logga in som en användare med behörighet till de valda områdena; ett servicekonto kräver företagets systemadministratör.",
    "fxerr.client.title": "”Auth code or ClientID supplied is invalid”",
    "fxerr.client.fix": "Klient-ID:t är fel. Kopiera det på nytt från integrationens leverantör.",
    "authorize": "Öppna Fortnox i webbläsaren",
    "authorize.hint": "Din webbläsare öppnar Fortnox inloggningssida.",
    "authorize.hint.service": "Bara kundens systemadministratör kan godkänna ett servicekonto: låt hen logga in.",
    "authorize.starting": "Öppnar Fortnox…",
    "waiting.title": "Väntar på Fortnox…",
    "waiting.text": "Logga in och godkänn behörigheten i webbläsarfönstret.",
    "waiting.text.paste": "Logga in och godkänn behörigheten i webbläsarfönstret. Kopiera sedan adressen från webbläsaren och klistra in den nedan.",
    "waiting.text.noBrowser": "Öppna adressen nedan i din webbläsare, logga in och godkänn behörigheten.",
    "exchanging.title": "Kontaktar Fortnox…",
    "exchanging.text": "Godkännandet har tagits emot. Hämtar uppgifterna från Fortnox.",
    "countdown.label": "Tid kvar",
    "countdown.oneMinute": "En minut kvar att godkänna i Fortnox.",
    "cancel": "Avbryt",
    "url.label": "Om webbläsaren inte öppnades, kopiera den här adressen till din webbläsare:",
    "url.copy": "Kopiera adressen",
    "url.openAgain": "Öppna igen",
    "notice.browserFailed": "Webbläsaren kunde inte öppnas. Kopiera adressen nedan och klistra in den i webbläsarens adressfält.",
    "notice.callbackRejected": "Ett svar kom som inte hörde till det här försöket, så det ignorerades. Väntar fortfarande på rätt svar.",
    "notice.cancelled": "Avbrutet. Öppna Fortnox igen när du är redo.",
    "paste.label": "Hamnade webbläsaren på en sida som inte fungerar? Kopiera hela adressen från webbläsarens adressfält (eller bara koden) och klistra in den här.",
    "paste.hint.idle": "Du kan klistra in när Fortnox har öppnats.",
    "paste.hint.active": "Den börjar med din omdirigerings-URI och innehåller ”code=”.",
    "paste.use": "Använd adressen",
    "paste.empty": "Klistra in adressen eller koden först.",
    "paste.checking": "Kontrollerar…",
    "paste.nudge": "Inget svar har kommit från webbläsaren ännu. Visar den en sida som inte fungerar, eller ett fel? Kopiera hela adressen från adressfältet och klistra in den nedan.",
    "paste.title": "Klistra in adressen från webbläsaren",
    "paste.label.main": "När du har godkänt skickar Fortnox webbläsaren till din omdirigerings-URI. Kopiera hela adressen från webbläsarens adressfält (eller bara koden) och klistra in den här.",
    "url.show": "Visa adressen som Fortnox öppnades på",
    "url.hide": "Dölj adressen",

    "s4.success.title": "Kopplingen är klar",
    "s4.success.lead": "”{name}” är nu kopplad till Fortnox.",
    "s4.code.title": "Auktoriseringskoden är här",
    "s4.code.lead": "Din integration måste växla in koden mot token nu. Den fungerar en gång, och bara i 10 minuter.",
    "s4.failed.title": "Auktoriseringen misslyckades",
    "s4.failed.lead": "”{name}” kopplades inte.",
    "s4.notStarted.title": "Aktiveringen kunde inte starta",
    "s4.notStarted.lead": "Inget skickades till Fortnox för ”{name}”.",
    "fail.invalidClient.again": "Ändra uppgifterna och skriv in klienthemligheten igen. Därefter godkänner kunden åtkomsten i Fortnox en gång till.",
    "r.facts": "Uppgifter om kopplingen",
    "r.company": "Företag",
    "r.orgNo": "Organisationsnummer",
    "r.tenant": "Tenant-id (databasnummer)",
    "r.account": "Kontotyp",
    "r.scopes": "Beviljade områden",
    "r.accessExpires": "Åtkomsttoken går ut",
    "r.refreshExpires": "Förnyelsetoken går ut",
    "r.noRefresh": "Ingen förnyelsetoken utfärdades.",
    "r.codeExpires": "Koden går ut",
    "r.codeLeft": "Växla in den före {time} ({left} kvar)",
    "r.codeExpired": "Gick ut {time}. Försök igen för att få en ny kod.",
    "r.when": "{time} ({relative})",
    "r.notAvailable": "Inte tillgängligt",
    "r.warnings": "Bra att veta",
    "r.secrets": "Nycklar till integrationen",
    "r.secrets.note": "Håll dem hemliga: den som har dem kommer åt företagets uppgifter i Fortnox.",
    "secret.code": "Auktoriseringskod",
    "secret.access": "Åtkomsttoken",
    "secret.refresh": "Förnyelsetoken",
    "secret.masked": "dold",
    "copy.code": "Kopiera auktoriseringskoden",
    "copy.access": "Kopiera åtkomsttoken",
    "copy.refresh": "Kopiera förnyelsetoken",
    "show.code": "Visa auktoriseringskoden",
    "show.access": "Visa åtkomsttoken",
    "show.refresh": "Visa förnyelsetoken",
    "hide.code": "Dölj auktoriseringskoden",
    "hide.access": "Dölj åtkomsttoken",
    "hide.refresh": "Dölj förnyelsetoken",
    "copy.json": "Kopiera allt som JSON",
    "copy.env": "Kopiera som .env-rader",
    "fail.why": "Vad som hände",
    "fail.next": "Så här går du vidare",
    "fail.details": "Detaljer för support",
    "fail.kind": "Felkod",
    "fail.detail": "Detaljer",
    "fail.noDetail": "Inga fler detaljer.",

    "account.user": "Användarkonto",
    "account.service": "Servicekonto",

    "error.unexpected": "Något oväntat gick fel i appen.",
    "error.unexpected.next": "Försök igen. Om det händer igen, skicka detaljerna nedan till support.",
    "error.noBackend": "Appens motor gick inte att nå.",
    "error.noBackend.next": "Stäng fönstret och starta Fortnox Activator igen.",

    // Sparade kopplingar
    "btn.connections": "Sparade kopplingar",
    "list.title": "Sparade kopplingar",
    "list.intro": "Kopplingarna som är sparade på den här datorn. Nycklarna förvaras i systemets nyckelring.",
    "list.new": "Ny koppling",
    "list.empty": "Ingen koppling är sparad på den här datorn. Börja med ”Ny koppling”.",
    "list.setAside": "Spara undan den skadade filen och börja en ny lista",
    "list.setAsideDone": "Den skadade filen sparades som {path}. Nya kopplingar hamnar i en ny lista.",
    "list.openFile": "Öppna aktiveringsfil",
    "list.search": "Sök",
    "list.searchPlaceholder": "Namn, företag eller klient-ID",
    "list.noMatch": "Ingen koppling matchar ”{q}”.",
    "list.company.unknown": "Företaget är inte känt än",
    "list.actions": "Åtgärder för {name}",
    // Varje status i listan över sparade kopplingar, först datumet då något måste göras.
    "status.now": "Nu",
    "status.needsReauthorization": "Godkänn igen: Fortnox nekade förnyelsetoken",
    "status.expired": "Godkänn igen: godkännandet gick ut {date}",
    "status.revoked": "Återkallad; godkänn igen för att använda den",
    "status.notActivated": "Inte aktiverad än; godkänn igen för att aktivera den",
    "status.secretsNotSaved": "Nycklarna är inte sparade i nyckelringen: spara dem, eller godkänn igen",
    "status.refreshSoon": "Förnya senast detta datum, annars måste kunden godkänna igen",
    "status.keptHere": "Aktiv; förnya senast detta datum",
    "status.handedOver": "Överlämnad till integrationen; den håller kopplingen vid liv",
    "status.serviceActive": "Aktiv · servicekonto, inget slutdatum",
    "act.reauthorize": "Godkänn igen",
    "act.refresh": "Förnya nu",
    "act.serviceToken": "Hämta en åtkomsttoken",
    "act.test": "Testa",
    "act.copyJson": "Kopiera som JSON",
    "act.copyEnv": "Kopiera som .env-rader",
    "act.saveAgain": "Spara igen",
    "fact.refreshedBy": "Förnyas av",
    "owner.keptHere": "Den här datorn (behålls här; integrationen hämtar åtkomsttoken härifrån)",
    "owner.handedOver": "Integrationen, sedan {date} (den här datorn har glömt förnyelsetoken)",
    "act.removeHere": "Ta bort från den här datorn",
    "dlg.owner.title": "Vem ska förnya ”{name}” från och med nu?",
    "dlg.owner.text": "Fortnox ger en ny förnyelsetoken varje gång en används, och den gamla slutar fungera, så bara ett ställe kan ha den.",
    "dlg.owner.integration": "Integrationen",
    "dlg.owner.integration.1": "Kopierar förnyelsetoken så att integrationen får ha den.",
    "dlg.owner.integration.2": "Den här datorn glömmer sedan sin kopia och förnyar aldrig ”{name}” igen.",
    "dlg.owner.here": "Den här datorn",
    "dlg.owner.here.1": "Förnyelsetoken stannar här. Integrationen får varje åtkomsttoken genom att köra `fortnox-activate token` på den här datorn.",
    "dlg.owner.here.refresh-token": "Kopierar den kommandoraden i stället för förnyelsetoken.",
    "dlg.owner.here.json": "Kopierar JSON utan förnyelsetoken.",
    "dlg.owner.here.env": "Kopierar .env-raderna utan förnyelsetoken.",
    "dlg.owner.confirm": "Kopiera",
    "done.handedOver": "Kopierat åt integrationen: klistra in det där nu. ”{name}” är överlämnad; den här datorn har glömt sin förnyelsetoken och förnyar den inte igen.",
    "done.handedOverClears": "Kopierat åt integrationen: klistra in det där nu, urklipp töms om {secs} s. ”{name}” är överlämnad; den här datorn har glömt sin förnyelsetoken och förnyar den inte igen.",
    "done.keptHereCommand": "Kommandoraden är kopierad. Förnyelsetoken stannar på den här datorn; ställ in integrationen så att den kör kommandot för varje åtkomsttoken.",
    "done.keptHereCopied": "Kopierat utan förnyelsetoken, som stannar på den här datorn; integrationen får nya åtkomsttoken genom att köra `fortnox-activate token`.",
    "done.testChecked": "Fortnox godtog den sparade åtkomsttoken för {company} kl. {time} (förnyelsetoken användes inte).",
    "done.testHandedOverExpired": "Den här datorn kan inte längre kontrollera ”{name}”: kopplingen överlämnades till integrationen {date}, och åtkomsttoken som sparades här gick ut kl. {time}. Bara integrationen har förnyelsetoken nu; fråga den som sköter integrationen om den fungerar.",
    "done.removedHere": "”{name}” togs bort från den här datorn. Integrationen har kvar sin åtkomst tills kundens administratör tar bort integrationen i Fortnox, under Integrationer.",
    "dlg.removeHere.title": "Ta bort ”{name}” från den här datorn?",
    "dlg.removeHere.handedOver": "”{name}” överlämnades till integrationen {date}, så den här datorn har ingen förnyelsetoken kvar att återkalla: att ta bort den här stoppar inte integrationen. För att avsluta integrationens åtkomst tar kundens administratör bort integrationen i Fortnox, under Integrationer.",
    "dlg.removeHere.service": "Ett servicekonto får sina åtkomsttoken med klientuppgifter (client credentials), utan förnyelsetoken, och kundens godkännande gäller tills kunden återkallar det: att ta bort ”{name}” här raderar nycklarna från den här datorn men avslutar inte integrationens åtkomst. För det tar kundens administratör bort integrationen i Fortnox, under Integrationer.",
    "act.copiedUnsaved": "Jag har kopierat dem",
    "list.unsavedKeys":
      "Nya nycklar inte sparade: nyckelringen tog inte emot dem, så de finns bara i det här fönstret. Kopiera dem, eller tryck på ”Spara igen” när nyckelringen fungerar; att stänga frågar först.",
    "done.savedAgain": "De nya nycklarna för ”{name}” är sparade i nyckelringen.",
    "dlg.copiedUnsaved.title": "Glömma de nya nycklarna för ”{name}”?",
    "dlg.copiedUnsaved.text":
      "Bara om du har kopierat dem (framför allt förnyelsetoken): fönstret glömmer dem då, och den här datorn kan inte längre förnya kopplingen. Den som har kopian håller den vid liv.",
    "dlg.copiedUnsaved.confirm": "Glöm dem",
    "act.copyAccess": "Kopiera åtkomsttoken",
    "act.copyRefresh": "Kopiera förnyelsetoken",
    "act.rename": "Byt namn",
    "act.duplicate": "Använd för en annan kund",
    "act.export": "Exportera aktiveringsfil",
    "act.remove": "Återkalla och ta bort",
    "act.working": "Arbetar…",
    "fact.clientId": "Klient-ID",
    "fact.redirect": "Omdirigerings-URI",
    "fact.scopes": "Områden",
    "fact.issued": "Aktiverad",
    "fact.accessExpires": "Åtkomsttoken går ut",
    "fact.refreshExpires": "Godkänn igen före",
    "dlg.refresh.title": "Förnya nycklarna för ”{name}”?",
    "dlg.refresh.text": "Fortnox ger en ny förnyelsetoken varje gång en används, och den gamla slutar fungera. Den här datorn behåller den nya, så en integration som hämtar åtkomsttoken härifrån fortsätter att fungera; alla andra kopior av den gamla förnyelsetoken slutar fungera.",
    "dlg.refresh.confirm": "Förnya nu",
    "dlg.remove.title": "Återkalla och ta bort ”{name}”?",
    "dlg.remove.text": "Appen återkallar förnyelsetoken hos Fortnox, så att integrationen, som hämtar sina åtkomsttoken från den här datorn, förlorar åtkomsten. Sedan tar den bort kopplingen och dess nycklar från den här datorn.",
    "dlg.remove.confirm": "Återkalla och ta bort",
    "dlg.rename.title": "Byt namn på ”{name}”",
    "dlg.rename.label": "Nytt namn",
    "dlg.rename.confirm": "Byt namn",
    "dlg.leave.title": "Lämna utan nycklarna?",
    "dlg.leave.text": "Kopplingen sparades inte och inget har kopierats än. Nycklarna försvinner när du lämnar den här vyn, och kunden skulle behöva godkänna igen.",
    "dlg.leave.confirm": "Lämna utan nycklarna",
    "dlg.close.title": "Stänga utan nycklarna?",
    "dlg.close.text": "Kopplingen sparades inte och inget har kopierats än. Nycklarna försvinner när fönstret stängs, och kunden skulle behöva godkänna igen.",
    "dlg.close.confirm": "Stäng ändå",
    "dlg.name.required": "Skriv ett namn.",
    "done.refreshed": "Nya nycklar sparade för ”{name}”. Den här datorn behåller förnyelsetoken, så en integration som hämtar åtkomsttoken härifrån behöver inget nytt.",
    "done.refreshedUnsaved": "Fortnox gav nya nycklar för ”{name}”, men de kunde inte sparas: {reason} Kopiera dem nu, innan du stänger appen.",
    "done.serviceToken": "En ny åtkomsttoken för ”{name}” är sparad och gäller till {time}.",
    "done.renamed": "Nytt namn: ”{name}”.",
    "done.removed": "”{name}” återkallades hos Fortnox och togs bort från den här datorn.",
    "done.removedNotRevoked": "”{name}” togs bort från den här datorn, men Fortnox gick inte att nå för att återkalla den: {reason} Godkännandet kan finnas kvar i Fortnox; kunden kan ta bort det under Integrationer där.",
    "done.exported": "Aktiveringsfilen (bara inställningar, inga nycklar) sparades i {path}",
    "file.bad": "Aktiveringsfilen ”{file}” går inte att använda:",
    "file.tooLarge": "Filen är större än {kb} KB: alldeles för stor för att vara en aktiveringsfil (de är under 1 KB); den lästes inte.",
    "file.tooLargeNext": "Välj aktiveringsfilen (.fortnox-activation) som integrationens leverantör skickade, eller be dem om den igen.",
    "file.opened": "Inställningarna från ”{file}” är ifyllda. Kontrollera dem, fyll i klienthemligheten om du har den och fortsätt.",
    "save.saved": "Sparad på den här datorn som ”{name}”, med nycklarna i systemets nyckelring.",
    "save.where": "Var exakt",
    "save.whereText": "Nycklarna: {store}. Inställningarna: {path}",
    "save.reauthorized": "”{name}” är godkänd igen: nycklarna byttes ut i systemets nyckelring.",
    "save.secretsNotSaved": "Inställningarna sparades, men nycklarna gick inte att lägga i systemets nyckelring: {reason} Kopiera nycklarna nu; de försvinner när fönstret stängs.",
    "save.failed": "Kopplingen gick inte att spara: {reason} Kopiera nycklarna nu; de försvinner när fönstret stängs.",
    "save.pending": "Sparar på den här datorn…",
    "save.notSaved": "Inte sparad på den här datorn, som du valde: nycklarna försvinner när fönstret stängs. Kopiera det integrationen behöver nu.",
    "save.codeOnly": "Inget sparades på den här datorn: med bara en auktoriseringskod finns inga nycklar att spara. Integrationen växlar in koden och sparar nycklarna själv.",
    "f.save.label": "Spara kopplingen på den här datorn",
    "f.save.help": "Sparar inställningarna, och nycklarna i systemets nyckelring, så att du kan godkänna igen eller förnya senare.",
    "f.secret.saved": "Sparad i nyckelringen (lämna tomt för att använda den)",
    "reauth.banner": "Du godkänner ”{name}” igen: när det lyckas byts dess nycklar ut.",
    "reauth.company":
      "Logga in i Fortnox som {company}; ett godkännande för ett annat företag nekas. Om webbläsaren fortfarande är inloggad på ett annat företag, logga först ut från Fortnox.",

    // Länkar genom ett eget URI-schema (link-notice.js, scheme-status.js).
    "scheme.own": "Efter godkännandet lämnar webbläsaren Fortnox svar till den här appen som en {scheme}:-länk, appens egen länktyp.",
    "scheme.other": "Efter godkännandet lämnar webbläsaren Fortnox svar som en {scheme}:-länk, integrationens egen länktyp. Den här appen kan ta emot sådana länkar på den här datorn.",
    "scheme.paste": "På macOS tar bara en installerad app emot sina egna länkar, så en {scheme}:-länk kan inte nå den här appen. Kopiera adressen som webbläsaren visar (eller koden) efter godkännandet och klistra in den här.",
    "scheme.bundled": "På macOS tar den installerade appen emot sina {scheme}:-länkar.",
    "scheme.registered": "Registrerad på den här datorn: länkar av den här typen öppnar den här appen.",
    "scheme.notRegistered": "Inte registrerad på den här datorn än: länkar av den här typen når inte den här appen.",
    "scheme.unknown": "Det gick inte att kontrollera om länkar av den här typen når den här appen.",
    "scheme.register": "Ta emot {scheme}:-länkar i den här appen",
    "scheme.registering": "Registrerar…",
    "scheme.registerFailed": "Registreringen fungerade inte:",
    "scheme.unregister": "Sluta ta emot {scheme}:-länkar",
    "scheme.confirm.title": "Ta emot {scheme}:-länkar i den här appen?",
    "scheme.confirm.other": "Länkar av den här typen öppnar ”{app}” på den här datorn nu. Från och med nu skulle de öppna den här appen i stället, för alla program som använder dem, tills du trycker på ”Sluta ta emot” eller tar bort den sista kopplingen som använder dem; då får ”{app}” dem igen.",
    "scheme.confirm.none": "Inget program på den här datorn öppnar länkar av den här typen nu. Från och med nu skulle den här appen göra det, tills du trycker på ”Sluta ta emot” eller tar bort den sista kopplingen som använder dem.",
    "scheme.confirm.ok": "Ta emot dem här",
    "summary.capture.schemeLink": "Lämnas till appen som en {scheme}:-länk",
    "waiting.text.scheme": "Logga in och godkänn behörigheten i webbläsarfönstret. Om webbläsaren frågar om Fortnox Activator får öppnas, tillåt det.",
    "linkNotice.title": "En länk kom",
    "linkNotice.start": "Starta en ny aktivering",
    "linkNotice.close": "Stäng",
  },
};

let current = "en";
const listeners = new Set();

/** The current language, "sv" or "en". */
export function language() {
  return current;
}

/** "sv" for anything Swedish, otherwise "en". */
export function normalise(lang) {
  return typeof lang === "string" && lang.toLowerCase().startsWith("sv") ? "sv" : "en";
}

/** Switches language and re-renders every static text; listeners re-render the rest. */
export function setLanguage(lang) {
  current = normalise(lang);
  document.documentElement.lang = current;
  applyStatic(document);
  for (const fn of listeners) fn(current);
}

/** Calls `fn(lang)` after every switch. Returns a function that stops it. */
export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** A text of the window, with `{name}` placeholders filled from `vars`. */
export function t(key, vars) {
  let s = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return s;
}

/** `t` for counted texts: `key.one` or `key.other`. */
export function tn(key, n, vars) {
  return t(`${key}.${n === 1 ? "one" : "other"}`, { n, ...vars });
}

/** The current language's text of a bilingual object `{en, sv}` from Rust. */
export function pick(text) {
  if (text == null) return "";
  if (typeof text === "string") return text;
  return text[current] ?? text.en ?? text.sv ?? "";
}

/** A bilingual object built from two of the window's own keys (for errors made here). */
export function both(key, vars) {
  const saved = current;
  const out = {};
  for (const lang of ["en", "sv"]) {
    current = lang;
    out[lang] = t(key, vars);
  }
  current = saved;
  return out;
}

/** Fills `data-i18n*` attributes below `root`. */
export function applyStatic(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    if (el.dataset.flashing) continue;
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  }
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.setAttribute("placeholder", t(el.dataset.i18nPlaceholder));
  }
}

function locale() {
  return current === "sv" ? "sv-SE" : "en-GB";
}

/** "14:32" today, otherwise "23 Dec 2025, 14:32". */
export function formatDateTime(ms) {
  const d = new Date(ms);
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  const opts = sameDay
    ? { hour: "2-digit", minute: "2-digit" }
    : { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(locale(), opts).format(d);
}

/**
 * The one date format of the saved list: "7 Dec 2026" / "7 dec. 2026"; with `time`,
 * "7 Dec 2026, 14:02" / "7 dec. 2026 14:02".
 */
export function formatDate(ms, { time = false } = {}) {
  const opts = { day: "numeric", month: "short", year: "numeric" };
  if (time) Object.assign(opts, { hour: "2-digit", minute: "2-digit" });
  // One date never breaks over two lines.
  return new Intl.DateTimeFormat(locale(), opts).format(new Date(ms)).replace(/ /g, "\u00a0");
}

/** "14:02": a time of day. */
export function formatTime(ms) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" }).format(new Date(ms));
}

/** "in 59 minutes", "in 31 days", "2 minutes ago". */
export function formatRelative(ms, now = Date.now()) {
  const diff = ms - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto" });
  const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR;
  if (abs < MIN) return rtf.format(Math.round(diff / 1000), "second");
  if (abs < HOUR) return rtf.format(Math.round(diff / MIN), "minute");
  if (abs < 2 * DAY) return rtf.format(Math.round(diff / HOUR), "hour");
  return rtf.format(Math.round(diff / DAY), "day");
}

/** Seconds as "m:ss" (or "h:mm:ss"). */
export function formatClock(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}
