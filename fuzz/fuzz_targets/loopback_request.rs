//! The loopback listener's request handling, bytes in and response out: any bytes a
//! client sends get an HTTP answer or a closed connection, never a panic, and no answer
//! ever contains the attempt's state.
#![no_main]

use activation::authorize::{Attempt, Origin, Verdict};
use activation::capture::loopback::{answer_bytes, Callback, Judgement};
use activation::capture::redirect::parse_query;
use activation::fortnox::endpoints::Endpoints;
use activation::secret::State;
use activation::settings::{check, AccountType, NameRule, SettingsInput};
use activation::Language;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const STATE: &str = "S7a7eV4lueThatMustNeverBeEchoed";
const PORT: u16 = 9876;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap())
}

fn attempt() -> &'static Attempt {
    static ATTEMPT: OnceLock<Attempt> = OnceLock::new();
    ATTEMPT.get_or_init(|| {
        let input = SettingsInput {
            connection_name: "Fuzz".into(),
            client_id: "fuzz-client".into(),
            client_secret: None,
            redirect_uri: format!("http://localhost:{PORT}/callback"),
            scopes: vec!["companyinformation".into()],
            account_type: AccountType::User,
        };
        let settings = check(&input, NameRule::Required).into_result().unwrap();
        Attempt::with_state(&Endpoints::default(), &settings, State::new(STATE))
    })
}

fuzz_target!(|data: &[u8]| {
    let judge = |callback: &Callback| match attempt()
        .judge(&parse_query(callback.query.as_deref().unwrap_or("")), Origin::Automatic)
    {
        Verdict::Code(code) => Judgement::Done(Ok(code)),
        Verdict::Failed(e) => Judgement::Done(Err(e)),
        Verdict::Rejected(e) => Judgement::Reject(e),
    };
    let lang = if data.first().is_some_and(|b| b & 1 == 1) { Language::Sv } else { Language::En };
    let answer = runtime().block_on(answer_bytes(data, PORT, "/callback", judge, lang));
    assert!(answer.is_empty() || answer.starts_with(b"HTTP/1."), "not an HTTP answer");
    let text = String::from_utf8_lossy(&answer);
    assert!(!text.contains(STATE), "the state was echoed");
});
