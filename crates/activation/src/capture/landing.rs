//! The page the browser lands on after Fortnox redirects to the loopback listener.
//!
//! [`render`] builds a complete, small HTML5 document in the user's language: a success page
//! ("you can close this tab and return to Fortnox Activator") or a failure page with the
//! error's message and next step. [`not_found`] and [`method_not_allowed`] answer requests
//! the listener does not serve (`/favicon.ico`, a `POST`, …).
//!
//! Security rules:
//! - The page never shows the authorization code, the state or a token: none of them is
//!   ever handed to this module.
//! - Every piece of dynamic text goes through [`escape_html`]: an error may carry Fortnox's
//!   `error_description`, which anyone can put in a link to the loopback address.
//! - No external assets, no scripts, no forms: inline CSS and an inline SVG mark only, so
//!   the page loads nothing and tells no third party that an activation took place. The
//!   listener serves it with a Content Security Policy ([`CONTENT_SECURITY_POLICY`]) that
//!   forbids everything else.

use crate::i18n::Language;
use crate::Error;

/// The page title, the product's name.
pub const TITLE: &str = "Fortnox Activator";

/// The Content Security Policy the landing pages are written for: inline styles only.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The longest error detail shown on the page, in characters; longer details are cut.
const MAX_DETAIL_CHARS: usize = 300;

/// How the authorization attempt went, as far as the browser is told.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// Fortnox's answer was taken: the app carries on with it.
    Success,
    /// Fortnox's answer was an error, or was refused (e.g. wrong state).
    Failure(&'a Error),
}

/// The landing page for `outcome`, in `lang`: a complete HTML5 document.
pub fn render(outcome: Outcome<'_>, lang: Language) -> String {
    let close = close_tab(lang);
    match outcome {
        Outcome::Success => {
            let (headline, body) = match lang {
                Language::Sv => (
                    "Klart! Fortnox har godkänt anslutningen",
                    "Fortnox Activator slutför anslutningen och visar resultatet.",
                ),
                Language::En => (
                    "Done! Fortnox has approved the connection",
                    "Fortnox Activator finishes the connection and shows the result.",
                ),
            };
            page(lang, Mark::Check, headline, &[Para::plain(body), Para::plain(close)])
        }
        Outcome::Failure(error) => {
            let headline = match lang {
                Language::Sv => "Auktoriseringen misslyckades",
                Language::En => "Authorization failed",
            };
            let message = error.message();
            let next_step = error.next_step();
            let mut paras = vec![Para::plain(message.get(lang)), Para::plain(next_step.get(lang))];
            let detail_line = error.detail().map(|detail| {
                let label = match lang {
                    Language::Sv => "Detaljer",
                    Language::En => "Details",
                };
                format!("{label}: {}", truncate(&detail, MAX_DETAIL_CHARS))
            });
            if let Some(line) = &detail_line {
                paras.push(Para::muted(line));
            }
            paras.push(Para::plain(close));
            page(lang, Mark::Cross, headline, &paras)
        }
    }
}

/// The page for a path the listener does not serve (HTTP 404).
pub fn not_found(lang: Language) -> String {
    let (headline, body) = match lang {
        Language::Sv => ("Sidan finns inte", "Den här adressen används bara för att ta emot svaret från Fortnox."),
        Language::En => ("Page not found", "This address is only used to receive the answer from Fortnox."),
    };
    page(lang, Mark::Info, headline, &[Para::plain(body)])
}

/// The page for a request that names another host than this computer's loopback (HTTP 421).
pub fn wrong_host(lang: Language) -> String {
    let (headline, body) = match lang {
        Language::Sv => {
            ("Fel adress", "Den här adressen svarar bara som localhost, 127.0.0.1 eller [::1] med appens port.")
        }
        Language::En => {
            ("Wrong address", "This address only answers as localhost, 127.0.0.1 or [::1] with the app's port.")
        }
    };
    page(lang, Mark::Info, headline, &[Para::plain(body)])
}

/// The page for a `HEAD` on the callback path, which is answered without being judged.
pub fn waiting(lang: Language) -> String {
    let (headline, body) = match lang {
        Language::Sv => ("Fortnox Activator väntar", "Den här adressen tar emot svaret från Fortnox."),
        Language::En => ("Fortnox Activator is waiting", "This address receives the answer from Fortnox."),
    };
    page(lang, Mark::Info, headline, &[Para::plain(body)])
}

/// The page for a method other than `GET` or `HEAD` on the callback path (HTTP 405).
pub fn method_not_allowed(lang: Language) -> String {
    let (headline, body) = match lang {
        Language::Sv => {
            ("Metoden stöds inte", "Den här adressen tar bara emot webbläsarens omdirigering från Fortnox.")
        }
        Language::En => ("Method not allowed", "This address only receives the browser's redirect from Fortnox."),
    };
    page(lang, Mark::Info, headline, &[Para::plain(body)])
}

/// Escapes text for HTML element content and quoted attribute values: `&`, `<`, `>`, `"`
/// and `'` become character references. NUL, which no page needs, becomes U+FFFD.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn close_tab(lang: Language) -> &'static str {
    match lang {
        Language::Sv => "Du kan stänga den här fliken och gå tillbaka till Fortnox Activator.",
        Language::En => "You can close this tab and return to Fortnox Activator.",
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[derive(Clone, Copy)]
enum Mark {
    Check,
    Cross,
    Info,
}

struct Para<'a> {
    text: &'a str,
    muted: bool,
}

impl<'a> Para<'a> {
    fn plain(text: &'a str) -> Self {
        Para { text, muted: false }
    }

    fn muted(text: &'a str) -> Self {
        Para { text, muted: true }
    }
}

const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--fg:#1f2328;--muted:#59636e;--ok:#1a7f37;--bad:#cf222e;--info:#59636e}\
@media (prefers-color-scheme:dark){:root{--bg:#16181b;--card:#22262b;--fg:#e6e8eb;--muted:#9aa4ae;--ok:#3fb950;--bad:#f85149;--info:#9aa4ae}}\
*{box-sizing:border-box}\
html,body{margin:0;height:100%}\
body{display:flex;align-items:center;justify-content:center;padding:24px;background:var(--bg);color:var(--fg);\
font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\
main{max-width:32rem;width:100%;background:var(--card);border-radius:12px;padding:32px 28px;text-align:center;\
box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.06)}\
svg{width:56px;height:56px;display:block;margin:0 auto 16px}\
.ok{color:var(--ok)}.bad{color:var(--bad)}.info{color:var(--info)}\
h1{font-size:1.35rem;line-height:1.3;margin:0 0 12px}\
p{margin:0 0 10px}\
p.muted{color:var(--muted);font-size:.875rem;overflow-wrap:anywhere}\
p:last-child{margin:16px 0 0;color:var(--muted)}";

fn svg(mark: Mark) -> &'static str {
    match mark {
        Mark::Check => {
            "<svg class=\"ok\" viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"22\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"3\"/><path d=\"M14 25l7 7 13-15\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"4\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>"
        }
        Mark::Cross => {
            "<svg class=\"bad\" viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"22\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"3\"/><path d=\"M16 16l16 16M32 16L16 32\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"4\" stroke-linecap=\"round\"/></svg>"
        }
        Mark::Info => {
            "<svg class=\"info\" viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"22\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"3\"/><path d=\"M24 22v12\" stroke=\"currentColor\" stroke-width=\"4\" stroke-linecap=\"round\"/><circle cx=\"24\" cy=\"15\" r=\"2.5\" fill=\"currentColor\"/></svg>"
        }
    }
}

fn page(lang: Language, mark: Mark, headline: &str, paras: &[Para<'_>]) -> String {
    let mut body = String::new();
    for para in paras {
        let class = if para.muted { " class=\"muted\"" } else { "" };
        body.push_str(&format!("<p{class}>{}</p>\n", escape_html(para.text)));
    }
    format!(
        "<!DOCTYPE html>\n\
         <html lang=\"{lang}\">\n\
         <head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <title>{title}</title>\n\
         <style>{STYLE}</style>\n\
         </head>\n\
         <body>\n\
         <main>\n\
         {svg}\n\
         <h1>{headline}</h1>\n\
         {body}\
         </main>\n\
         </body>\n\
         </html>\n",
        lang = lang.tag(),
        title = escape_html(TITLE),
        svg = svg(mark),
        headline = escape_html(headline),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_html_neutralises_markup() {
        assert_eq!(
            escape_html(r#"<script>alert("x" + 'y')</script> & co"#),
            "&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt; &amp; co"
        );
        assert_eq!(escape_html("Åäö fine"), "Åäö fine");
    }

    #[test]
    fn success_page_is_a_complete_document_in_the_chosen_language() {
        let en = render(Outcome::Success, Language::En);
        assert!(en.starts_with("<!DOCTYPE html>"));
        assert!(en.contains("<html lang=\"en\">"));
        assert!(en.contains("<meta charset=\"utf-8\">"));
        assert!(en.contains("name=\"viewport\""));
        assert!(en.contains("<title>Fortnox Activator</title>"));
        assert!(en.contains("You can close this tab and return to Fortnox Activator."));
        assert!(en.trim_end().ends_with("</html>"));

        let sv = render(Outcome::Success, Language::Sv);
        assert!(sv.contains("<html lang=\"sv\">"));
        assert!(sv.contains("Klart!"));
        assert!(sv.contains("Du kan stänga den här fliken och gå tillbaka till Fortnox Activator."));
    }

    #[test]
    fn pages_load_nothing_and_run_nothing() {
        let error = Error::AccessDenied { description: Some("nope".into()) };
        for page in [
            render(Outcome::Success, Language::En),
            render(Outcome::Failure(&error), Language::Sv),
            not_found(Language::En),
            method_not_allowed(Language::Sv),
            wrong_host(Language::En),
        ] {
            let lower = page.to_ascii_lowercase();
            for forbidden in ["<script", "<link", "<img", "<iframe", "<form", "src=", "href=", "url(", "http"] {
                assert!(!lower.contains(forbidden), "{forbidden} in {page}");
            }
        }
    }

    #[test]
    fn failure_page_shows_message_and_next_step_and_escapes_the_description() {
        let error = Error::AuthorizationFailed {
            error: "invalid_request".into(),
            description: Some("<script>alert('pwned')</script>".into()),
        };
        let page = render(Outcome::Failure(&error), Language::En);
        assert!(page.contains("Authorization failed"));
        assert!(page.contains(&escape_html(error.message().get(Language::En))));
        assert!(page.contains(&escape_html(error.next_step().get(Language::En))));
        assert!(page.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));
        assert!(!page.contains("<script"));
        assert!(page.contains("You can close this tab"));

        let sv = render(Outcome::Failure(&error), Language::Sv);
        assert!(sv.contains("Auktoriseringen misslyckades"));
        assert!(sv.contains(&escape_html(error.message().get(Language::Sv))));
        assert!(sv.contains("Detaljer"));
    }

    #[test]
    fn long_details_are_cut() {
        let error = Error::AuthorizationFailed { error: "x".into(), description: Some("a".repeat(5000)) };
        let page = render(Outcome::Failure(&error), Language::En);
        assert!(page.len() < 6000);
        assert!(page.contains('…'));
    }

    #[test]
    fn pages_never_contain_the_code() {
        // The page is never handed the code; make sure nothing on the way smuggles it in.
        let code = "c0de-6f1b2a9e-SECRET";
        let pages = [
            render(Outcome::Success, Language::En),
            render(Outcome::Success, Language::Sv),
            render(Outcome::Failure(&Error::StateMismatch), Language::En),
            render(Outcome::Failure(&Error::CodeExpiredOrUsed { description: None }), Language::Sv),
            not_found(Language::En),
        ];
        for page in pages {
            assert!(!page.contains(code));
            assert!(!page.contains("code="));
            assert!(!page.contains("state="));
        }
    }

    #[test]
    fn not_found_and_method_pages_exist_in_both_languages() {
        assert!(not_found(Language::En).contains("Page not found"));
        assert!(not_found(Language::Sv).contains("Sidan finns inte"));
        assert!(method_not_allowed(Language::En).contains("Method not allowed"));
        assert!(method_not_allowed(Language::Sv).contains("<html lang=\"sv\">"));
    }
}
