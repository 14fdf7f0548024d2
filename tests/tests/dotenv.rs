//! The exporter's `.env` lines as the usual readers read them (issue 17): sourced by `sh`
//! and `bash`, and loaded by Node's `dotenv` (pinned in tests/package.json, installed by
//! `scripts/setup.sh --test`; python-dotenv and Ruby's dotenv read single- and double-quoted
//! values the same way). Each gives the literal value and runs nothing, for a company name
//! with a command substitution, backticks, a variable, a single quote, Swedish letters.
//! The exporter's own unit tests do the same with Rust's dotenvy.

use activation::export::{Export, Field};
use std::path::Path;
use std::process::{Command, Stdio};

/// Values a company or connection name may bring, with `marker` as the file a command
/// substitution or backtick would create.
fn values(marker: &Path) -> Vec<String> {
    let m = marker.display();
    vec![
        format!("Annat $(touch {m}) AB"),
        format!("`touch {m}` AB"),
        "$HOME and ${HOME}".to_string(),
        "Kalle's Bygg AB".to_string(),
        "Åström & Söner \"Bygg\" AB".to_string(),
        "back\\slash".to_string(),
        "companyinformation invoice".to_string(),
        String::new(),
    ]
}

fn lines(value: &str) -> String {
    Export::default().set(Field::CompanyName, value).to_env()
}

#[test]
fn nodes_dotenv_reads_the_literal_values() {
    let dir = tempfile::tempdir().unwrap();
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/dotenv");
    assert!(module.join("package.json").exists(), "dotenv is missing: run scripts/setup.sh --test");
    for value in values(&dir.path().join("X")) {
        let env = lines(&value);
        let mut node = Command::new("node")
            .arg("-e")
            .arg(
                "const parsed = require(process.argv[1]).parse(require('fs').readFileSync(0, 'utf8'));
                 process.stdout.write(JSON.stringify(parsed));",
            )
            .arg(&module)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs (scripts/setup.sh installs Node.js)");
        std::io::Write::write_all(&mut node.stdin.take().unwrap(), env.as_bytes()).unwrap();
        let out = node.wait_with_output().unwrap();
        assert!(out.status.success(), "{env}");
        let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(parsed, serde_json::json!({ "FORTNOX_COMPANY_NAME": value }), "{env}");
    }
}

#[cfg(unix)]
#[test]
fn sourcing_in_sh_and_bash_gives_the_literal_values_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("X");
    let file = dir.path().join("tokens.env");
    for value in values(&marker) {
        std::fs::write(&file, lines(&value)).unwrap();
        for shell in ["sh", "bash"] {
            let out = Command::new(shell)
                .arg("-c")
                .arg(r#". "$1" && printf %s "$FORTNOX_COMPANY_NAME""#)
                .arg(shell)
                .arg(&file)
                .output()
                .unwrap();
            assert!(out.status.success(), "{shell}: {}", lines(&value));
            assert_eq!(String::from_utf8(out.stdout).unwrap(), value, "{shell}: {}", lines(&value));
        }
    }
    assert!(!marker.exists(), "a value ran a command");
}
