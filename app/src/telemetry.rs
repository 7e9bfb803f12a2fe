//! Logging: human-readable lines or JSON, filtered by `RUST_LOG` (default: info).

use tracing_subscriber::{EnvFilter, fmt};

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,poem=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second call (in tests) finds a subscriber in place; that is fine.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
