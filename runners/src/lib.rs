//! The runner host: turns a task and a student's files into a report, through a grading plugin
//! and a hardened Docker container.
//!
//! `grade.rs` is the pipeline; `docker.rs` is the only code that creates containers;
//! `plugin_host.rs` is the only code that loads libraries (and the only `unsafe` here).

pub mod bootstrap;
pub mod docker;
pub mod grade;
pub mod host;
pub mod images;
pub mod metrics;
pub mod plugin_host;
pub mod record;
pub mod tasks;
pub mod watch;
pub mod workspace;
