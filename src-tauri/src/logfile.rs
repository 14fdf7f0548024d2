//! What the log file may hold from other crates.
//!
//! The file keeps this app's and its core's records (info and above; they never hold a
//! secret, see `activation::logging`) and other crates' warnings and errors. Some of those
//! crates log links: the deep-link plugin warns, in debug builds, about every argument that
//! is a link of a scheme it does not handle, an integration's link with its code and state
//! included. So:
//! - [`keep`]: the targets that log links ([`URL_TARGETS`]: the deep-link plugin) are kept
//!   out of the file below error level;
//! - [`line`]: every other crate's message has the queries of any link or URL in it cut to
//!   their parameter names (`activation::logging::redact_queries`).

use tauri_plugin_log::log;

/// Targets of crates known to log whole links or URLs. (The single-instance plugin, which
/// hands links over, logs only its D-Bus troubles: its warnings stay, they help support.)
pub const URL_TARGETS: [&str; 1] = ["tauri_plugin_deep_link"];

fn own(target: &str) -> bool {
    target.starts_with("activation") || target.starts_with("fortnox_activator")
}

/// Whether a record goes to the file: this app's and its core's at the level the logger is
/// set to; other crates' warnings and errors, but only errors of [`URL_TARGETS`].
pub fn keep(m: &log::Metadata) -> bool {
    let target = m.target();
    if own(target) {
        return true;
    }
    if URL_TARGETS.iter().any(|t| target.starts_with(t)) {
        return m.level() <= log::Level::Error;
    }
    m.level() <= log::Level::Warn
}

/// One line of the file: `[date][time][target][level] message`, times in UTC (the plugin's
/// own layout), another crate's message with its queries cut to parameter names.
pub fn line(out: tauri_plugin_log::fern::FormatCallback, message: &std::fmt::Arguments, record: &log::Record) {
    let now = tauri_plugin_log::TimezoneStrategy::UseUtc.get_now();
    let stamp = format!(
        "[{:04}-{:02}-{:02}][{:02}:{:02}:{:02}]",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    if own(record.target()) {
        out.finish(format_args!("{stamp}[{}][{}] {message}", record.target(), record.level()));
    } else {
        let text = message.to_string();
        let text = activation::logging::redact_queries(&text);
        out.finish(format_args!("{stamp}[{}][{}] {text}", record.target(), record.level()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(target: &str, level: log::Level) -> bool {
        keep(&log::Metadata::builder().target(target).level(level).build())
    }

    #[test]
    fn the_deep_link_plugin_warnings_stay_out_and_others_warnings_go_in() {
        assert!(!meta("tauri_plugin_deep_link", log::Level::Warn));
        assert!(!meta("tauri_plugin_deep_link::linux", log::Level::Info));
        assert!(meta("tauri_plugin_deep_link", log::Level::Error));
        assert!(meta("tao::platform_impl", log::Level::Warn));
        assert!(meta("tauri_plugin_single_instance::platform_impl::linux", log::Level::Warn));
        assert!(!meta("tao::platform_impl", log::Level::Info));
        assert!(meta("activation::flow", log::Level::Info));
        assert!(meta("fortnox_activator_lib::links", log::Level::Info));
    }
}
