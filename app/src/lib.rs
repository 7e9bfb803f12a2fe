//! INLOOP's web application and the `inloop` command: accounts, pages, staff tools.
//!
//! Start reading at `startup.rs` (how a server is put together) and `routes.rs` (every URL).

pub mod assets;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod config;
pub mod csrf;
pub mod db;
pub mod error;
pub mod extract;
pub mod grading;
pub mod htmx;
pub mod mail;
pub mod markdown;
pub mod nul_guard;
pub mod queue;
pub mod rate_limit;
pub mod routes;
pub mod session;
pub mod startup;
pub mod state;
pub mod sync_scheduler;
pub mod taskrepo;
pub mod telemetry;
pub mod views;
