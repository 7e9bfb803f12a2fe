//! INLOOP's web application: accounts, pages, staff tools, and the web side of the queue. It
//! never reaches Docker or a grading plugin: those are `inloop-runners`, which this crate does
//! not depend on (`inloop-protocol` is what the two share).
//!
//! Start reading at `startup.rs` (how a server is put together) and `routes.rs` (every URL).

pub mod assets;
pub mod audit;
pub mod auth;
pub mod body_limit;
pub mod config;
pub mod credentials;
pub mod csrf;
pub mod db;
pub mod error;
pub mod extract;
pub mod finding;
pub mod frame;
pub mod grades;
pub mod http;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod metrics;
pub mod nul_guard;
pub mod overrides;
pub mod paths;
pub mod plagiarism;
pub mod plagiarism_worker;
pub mod queue;
pub mod rate_limit;
pub mod redis_conn;
pub mod retest;
pub mod roster;
pub mod routes;
pub mod session;
pub mod startup;
pub mod state;
pub mod submission;
pub mod sync_scheduler;
pub mod taskrepo;
pub mod telemetry;
pub mod views;
