//! The boundary between the runner host and grading plugins.
//!
//! A plugin is a recipe plus a parser: it says how to build the image and run the tests for a
//! task, and turns what the run left behind into a [`report::Report`]. It does no I/O; the runner
//! host does all Docker and file work. Host and plugin talk through one C-ABI entry point
//! ([`abi`]) that carries JSON ([`protocol`]), so they may be built by different compilers and a
//! plugin's panic never crosses the boundary.

pub mod abi;
pub mod junit;
pub mod protocol;
pub mod report;
pub mod text;

pub use protocol::GraderPlugin;
