//! The errors only the desktop shell raises: the system clipboard, registering a link
//! scheme with the desktop, and a link that arrives with no activation waiting. The core's
//! [`activation::Error`] covers everything else; both cross to the window as the same
//! [`ErrorPayload`] `{kind, message, next_step, detail}`, with kinds that stay stable.
//!
//! As in the core, each variant's words are in one place, its arm of [`ShellError::payload`].
//! Security rule: no value here holds a secret or a link (only a scheme name and the
//! platform's own reason).

use activation::{Error, ErrorPayload, Text};

/// What can go wrong in the shell itself, or in the core below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellError {
    /// An error of the core.
    Core(Error),
    /// The system clipboard refused the text.
    ClipboardFailed { reason: String },
    /// The app could not register itself as the handler of a private-use scheme.
    SchemeRegistrationFailed { scheme: String, reason: String },
    /// A link arrived while this process has no activation waiting for one (a cold start by
    /// the link, a stray link, or a link from before a restart). Nothing was exchanged.
    LinkUnexpected,
}

impl From<Error> for ShellError {
    fn from(e: Error) -> Self {
        ShellError::Core(e)
    }
}

/// Commands return `Result<T, Box<ErrorPayload>>`, so `?` works on shell calls.
impl From<ShellError> for Box<ErrorPayload> {
    fn from(e: ShellError) -> Self {
        Box::new(e.payload())
    }
}

impl ShellError {
    /// The stable kind, in `snake_case`.
    pub fn kind(&self) -> &'static str {
        self.payload().kind
    }

    /// The form handed to the window: each variant's kind, message, next step and detail.
    pub fn payload(&self) -> ErrorPayload {
        let (kind, message, next_step, detail) = match self {
            ShellError::Core(e) => return e.payload(),
            ShellError::ClipboardFailed { reason } => (
                "clipboard_failed",
                Text::new("The text could not be put on the clipboard.", "Texten kunde inte läggas i urklipp."),
                Text::new(
                    "Press \u{201c}Show\u{201d}, select the text and copy it with Ctrl+C (⌘C on a Mac).",
                    "Tryck på \u{201d}Visa\u{201d}, markera texten och kopiera den med Ctrl+C (⌘C på Mac).",
                ),
                Some(reason.clone()),
            ),
            ShellError::SchemeRegistrationFailed { scheme, reason } => (
                "scheme_registration_failed",
                Text::new(
                    format!("The app could not make itself the handler of {scheme}: links on this computer."),
                    format!("Appen kunde inte göra sig till mottagare av {scheme}:-länkar på den här datorn."),
                ),
                Text::new(
                    "On Linux, install desktop-file-utils and xdg-utils and try again. Until then, paste the address from the browser after approving.",
                    "På Linux, installera desktop-file-utils och xdg-utils och försök igen. Klistra till dess in adressen från webbläsaren efter godkännandet.",
                ),
                Some(reason.clone()),
            ),
            ShellError::LinkUnexpected => (
                "link_unexpected",
                Text::new(
                    "A link from the browser arrived, but no activation is waiting in this window. Nothing was sent to Fortnox.",
                    "En länk från webbläsaren kom, men ingen aktivering väntar i det här fönstret. Inget skickades till Fortnox.",
                ),
                Text::new(
                    "Start a new activation here and approve again in the browser it opens; if the browser then ends on a page that does not work, paste its address in step 3. An answer meant for an earlier window cannot be used.",
                    "Starta en ny aktivering här och godkänn igen i webbläsaren som öppnas; om webbläsaren då hamnar på en sida som inte fungerar, klistra in dess adress i steg 3. Ett svar till ett tidigare fönster kan inte användas.",
                ),
                None,
            ),
        };
        ErrorPayload { kind, message, next_step, detail, problems: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_kinds_are_stable_and_worded_in_both_languages() {
        let all = [
            (ShellError::ClipboardFailed { reason: "r".into() }, "clipboard_failed"),
            (
                ShellError::SchemeRegistrationFailed { scheme: "se.x.app".into(), reason: "r".into() },
                "scheme_registration_failed",
            ),
            (ShellError::LinkUnexpected, "link_unexpected"),
            (ShellError::Core(Error::Cancelled), "cancelled"),
        ];
        for (e, kind) in all {
            let p = e.payload();
            assert_eq!(p.kind, kind);
            for lang in [activation::Language::En, activation::Language::Sv] {
                assert!(!p.message.get(lang).is_empty() && !p.next_step.get(lang).is_empty(), "{kind}");
            }
            assert!(!p.message.sv.contains('"') && !p.next_step.en.contains('"'), "{kind}: one kind of quotes");
        }
        let scheme = ShellError::SchemeRegistrationFailed { scheme: "se.x.app".into(), reason: "r".into() }.payload();
        assert!(scheme.message.en.contains("se.x.app:"));
    }
}
