//! Where the command line's log goes: the core's `tracing` events to stderr, for `-v`.
//!
//! Security rule (the core's, `activation::logging`): no secret is ever a field of an event,
//! and URLs are logged redacted; this module only chooses the destination and the levels.

use tracing::Level;

/// Sends the core's events to stderr, for a command line: `verbosity` 0 shows warnings and
/// errors, 1 (`-v`) adds the steps of the flow, 2 (`-vv`) HTTP calls and other detail, 3 or
/// more everything. No colours, no secrets (see the module's rule).
///
/// Returns false (and changes nothing) when a subscriber was already installed.
pub fn init_stderr(verbosity: u8) -> bool {
    init_writer(level_for(verbosity), std::io::stderr)
}

/// Sends events to `writer` (for a file, or a test): this program's (`activation`,
/// `fortnox_activate`) at `level` and above, other crates' (HTTP, TLS) warnings and errors
/// only, unless `level` is `TRACE`, which lets everything through.
///
/// Returns false (and changes nothing) when a subscriber was already installed.
pub fn init_writer<W>(level: Level, writer: W) -> bool
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::util::SubscriberInitExt as _;
    subscriber(level, writer).try_init().is_ok()
}

/// The subscriber [`init_writer`] installs.
fn subscriber<W>(level: Level, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt as _;
    let others = if level == Level::TRACE { Level::TRACE } else { Level::WARN.min(level) };
    let filter = activation::logging::TARGETS
        .iter()
        .fold(Targets::new(), |t, target| t.with_target(*target, level))
        .with_default(others);
    tracing_subscriber::fmt().with_max_level(level).with_writer(writer).with_ansi(false).finish().with(filter)
}

/// The level for a `-v` count.
pub fn level_for(verbosity: u8) -> Level {
    match verbosity {
        0 => Level::WARN,
        1 => Level::INFO,
        2 => Level::DEBUG,
        _ => Level::TRACE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_levels_show_this_program_and_only_warnings_of_other_crates() {
        let seen = |verbosity: u8| {
            let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
            let sink = buf.clone();
            let make = move || SharedBuf(sink.clone());
            tracing::subscriber::with_default(subscriber(level_for(verbosity), make), || {
                tracing::info!(target: "activation::flow", "our step");
                tracing::debug!(target: "activation::fortnox::http", "our detail");
                tracing::debug!(target: "hyper_util::client", "their detail");
                tracing::warn!(target: "rustls::client", "their warning");
            });
            let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
            text
        };
        let quiet = seen(0);
        assert!(quiet.contains("their warning") && !quiet.contains("our step"), "{quiet}");
        let v = seen(1);
        assert!(v.contains("our step") && !v.contains("our detail") && !v.contains("their detail"), "{v}");
        let vv = seen(2);
        assert!(vv.contains("our detail") && !vv.contains("their detail"), "{vv}");
        let vvv = seen(3);
        assert!(vvv.contains("their detail"), "{vvv}");
    }

    struct SharedBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for SharedBuf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn verbosity_maps_to_levels() {
        assert_eq!(level_for(0), Level::WARN);
        assert_eq!(level_for(1), Level::INFO);
        assert_eq!(level_for(2), Level::DEBUG);
        assert_eq!(level_for(9), Level::TRACE);
    }
}
