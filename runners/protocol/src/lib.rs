//! What INLOOP's web server and its runner hosts agree on, and nothing else: the messages on
//! Redis and the names they travel under, the task directory's marker, the one reading of
//! `meta.json`, safe names, and resource limits.
//!
//! The web server depends on this crate and never on `inloop-runners`, so that it cannot reach
//! Docker or load a plugin; keep it free of I/O beyond the marker file.

pub mod jobs;
pub mod limits;
pub mod meta;
pub mod names;
pub mod taskdir;
