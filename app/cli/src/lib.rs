//! The `inloop` command: the one binary that serves the web application, runs a runner host,
//! and does everything else on the command line. It links the web library and the runner
//! library; neither links the other.

pub mod bench;
pub mod cli;
pub mod grading;
