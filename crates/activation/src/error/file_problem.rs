//! What can be wrong with an activation file, field by field, and how each problem is said:
//! the one place these words live. The parser (`store::activation_file`) finds the problems
//! ([`FileProblem`]: field, kind, suggested correction); [`Error::ActivationFileInvalid`]
//! carries those that refuse the file, and a file that is used may still have notes (a scope
//! Fortnox does not know). Front ends list them one line per field
//! ([`FileProblem::line`]), each saying what to do.
//!
//! [`Error::ActivationFileInvalid`]: super::Error::ActivationFileInvalid

use crate::i18n::Text;
use serde::Serialize;

/// A field of an activation file (or the file as a whole), in the order problems are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FileField {
    File,
    Format,
    Version,
    Secrets,
    Name,
    ClientId,
    RedirectUri,
    Scopes,
    AccountType,
}

impl FileField {
    /// The field's key in the file (`clientId`), or `file` / `secrets`.
    pub fn key(self) -> &'static str {
        match self {
            FileField::File => "file",
            FileField::Format => "format",
            FileField::Version => "version",
            FileField::Secrets => "secrets",
            FileField::Name => "name",
            FileField::ClientId => "clientId",
            FileField::RedirectUri => "redirectUri",
            FileField::Scopes => "scopes",
            FileField::AccountType => "accountType",
        }
    }

    /// The field as the window's step 1 and 2 name it.
    pub fn label(self) -> Text {
        match self {
            FileField::File => Text::new("The file", "Filen"),
            FileField::Format | FileField::Version => Text::new("File format", "Filformat"),
            FileField::Secrets => Text::new("Secrets", "Hemligheter"),
            FileField::Name => Text::new("Connection name", "Namn på kopplingen"),
            FileField::ClientId => Text::new("Client ID", "Klient-ID"),
            FileField::RedirectUri => Text::new("Redirect URI", "Omdirigerings-URI"),
            FileField::Scopes => Text::new("Scopes", "Behörighetsområden"),
            FileField::AccountType => Text::new("Account type", "Kontotyp"),
        }
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Larger than the limit (in KB); not read.
    TooLarge { max_kb: u64 },
    /// Not UTF-8 text.
    NotText,
    /// Not a JSON object.
    NotJson,
    /// `format` is not `expected` (`fortnox-activation`).
    WrongFormat { expected: &'static str },
    /// Made by a newer version of the app.
    NewerVersion { version: u64 },
    /// `version` missing or not a number.
    NoVersion,
    /// A client secret, token or code is in the file.
    HasSecret,
    /// The value is not text.
    NotAString,
    /// `scopes` is neither a list of texts nor one text.
    NotAList,
    /// The field is missing or empty.
    Missing,
    /// A settings rule's own words (`settings::check`), such as a client ID with a space.
    Rule(Text),
    /// A scope Fortnox does not know (the file is still used; the scope shows in step 2).
    UnknownScope { scope: String },
    /// `accountType` is neither `user` nor `service`.
    UnknownAccountType { value: String },
}

impl ProblemKind {
    /// The stable name of the kind, in `snake_case` (the window and tests match on it).
    pub fn name(&self) -> &'static str {
        match self {
            ProblemKind::TooLarge { .. } => "too_large",
            ProblemKind::NotText => "not_text",
            ProblemKind::NotJson => "not_json",
            ProblemKind::WrongFormat { .. } => "wrong_format",
            ProblemKind::NewerVersion { .. } => "newer_version",
            ProblemKind::NoVersion => "no_version",
            ProblemKind::HasSecret => "has_secret",
            ProblemKind::NotAString => "not_a_string",
            ProblemKind::NotAList => "not_a_list",
            ProblemKind::Missing => "missing",
            ProblemKind::Rule(_) => "invalid",
            ProblemKind::UnknownScope { .. } => "unknown_scope",
            ProblemKind::UnknownAccountType { .. } => "unknown_account_type",
        }
    }
}

/// One problem of an activation file: its field, what is wrong, and the value the field most
/// likely should have (a known scope for a misspelt one, `http://localhost:…` for
/// `localhost:…`), when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub field: FileField,
    pub kind: ProblemKind,
    pub suggestion: Option<String>,
}

impl FileProblem {
    pub fn new(field: FileField, kind: ProblemKind) -> Self {
        FileProblem { field, kind, suggestion: None }
    }

    /// With the value the field most likely should have.
    pub fn suggesting(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// What is wrong and what to do, without the field's name.
    pub fn text(&self) -> Text {
        let what = match &self.kind {
            ProblemKind::TooLarge { max_kb } => Text::new(
                format!("larger than {max_kb} KB, far too large to be an activation file (they are under 1 KB); it was not read. Check that you chose the right file."),
                format!("större än {max_kb} KB, alldeles för stor för att vara en aktiveringsfil (de är under 1 KB); den lästes inte. Kontrollera att du valde rätt fil."),
            ),
            ProblemKind::NotText => Text::new(
                "not text, so not an activation file. Check that you chose the right file.",
                "inte text, alltså ingen aktiveringsfil. Kontrollera att du valde rätt fil.",
            ),
            ProblemKind::NotJson => Text::new(
                "not an activation file (it is not a JSON object). Check that you chose the right file.",
                "ingen aktiveringsfil (den är inte ett JSON-objekt). Kontrollera att du valde rätt fil.",
            ),
            ProblemKind::WrongFormat { expected } => Text::new(
                format!("not an activation file (\u{201c}format\u{201d} must be \u{201c}{expected}\u{201d}). Check that you chose the right file."),
                format!("ingen aktiveringsfil (\u{201d}format\u{201d} ska vara \u{201d}{expected}\u{201d}). Kontrollera att du valde rätt fil."),
            ),
            ProblemKind::NewerVersion { version } => Text::new(
                format!("made by a newer version of the app (version {version}). Update the app, then open the file again."),
                format!("skapad av en nyare version av appen (version {version}). Uppdatera appen och öppna filen igen."),
            ),
            ProblemKind::NoVersion => Text::new(
                "\u{201c}version\u{201d} is missing or not a number. Ask for a new file.",
                "\u{201d}version\u{201d} saknas eller är inget tal. Be om en ny fil.",
            ),
            ProblemKind::HasSecret => Text::new(
                "the file contains a secret, which activation files must never carry. Ask for a file without it, and have the secret changed in Fortnox's Developer Portal.",
                "filen innehåller en hemlighet, vilket aktiveringsfiler aldrig får. Be om en fil utan den och låt byta hemligheten i Fortnox utvecklarportal.",
            ),
            ProblemKind::NotAString => Text::new("must be text. Ask for a new file.", "ska vara text. Be om en ny fil."),
            ProblemKind::NotAList => Text::new(
                "must be a list of scopes. Ask for a new file.",
                "ska vara en lista med behörighetsområden. Be om en ny fil.",
            ),
            ProblemKind::Missing => {
                Text::new("missing. Ask for a new file that has it.", "saknas. Be om en ny fil där det finns med.")
            }
            ProblemKind::Rule(rule) => rule.clone(),
            ProblemKind::UnknownScope { scope } => Text::new(
                format!("\u{201c}{scope}\u{201d} is not a Fortnox scope."),
                format!("\u{201d}{scope}\u{201d} är inget behörighetsområde i Fortnox."),
            ),
            ProblemKind::UnknownAccountType { value } => Text::new(
                format!("\u{201c}{value}\u{201d} is not an account type; the file should say \u{201c}user\u{201d} or \u{201c}service\u{201d}."),
                format!("\u{201d}{value}\u{201d} är ingen kontotyp; filen ska ange \u{201d}user\u{201d} eller \u{201d}service\u{201d}."),
            ),
        };
        let fix = match (&self.kind, &self.suggestion) {
            (ProblemKind::UnknownScope { .. }, Some(s)) => Some(Text::new(
                format!(" Did you mean \u{201c}{s}\u{201d}? Change it in step 2."),
                format!(" Menade du \u{201d}{s}\u{201d}? Ändra det i steg 2."),
            )),
            (ProblemKind::UnknownScope { .. }, None) => Some(Text::new(
                " Remove it in step 2 unless the integration's supplier says otherwise.",
                " Ta bort det i steg 2 om inte integrationens leverantör säger något annat.",
            )),
            // Unless the rule's own words already offer it.
            (_, Some(s)) if !what.en.contains(s.as_str()) => {
                Some(Text::new(format!(" Did you mean {s}?"), format!(" Menade du {s}?")))
            }
            (_, Some(_)) => None,
            (_, None) => None,
        };
        match fix {
            Some(fix) => Text::new(format!("{}{}", what.en, fix.en), format!("{}{}", what.sv, fix.sv)),
            None => what,
        }
    }

    /// The problem as one line of a list: `Client ID: missing. …`.
    pub fn line(&self) -> Text {
        let (label, text) = (self.field.label(), self.text());
        Text::new(format!("{}: {}", label.en, text.en), format!("{}: {}", label.sv, text.sv))
    }

    /// The form handed to front ends.
    pub fn view(&self) -> FileProblemView {
        FileProblemView {
            field: self.field,
            kind: self.kind.name(),
            label: self.field.label(),
            text: self.text(),
            suggestion: self.suggestion.clone(),
        }
    }
}

/// One line of the list a front end shows: `{field, kind, label, text, suggestion}`.
#[derive(Debug, Clone, Serialize)]
pub struct FileProblemView {
    pub field: FileField,
    pub kind: &'static str,
    pub label: Text,
    pub text: Text,
    pub suggestion: Option<String>,
}
