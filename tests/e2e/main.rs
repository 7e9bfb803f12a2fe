//! End-to-end tests: the real application, PostgreSQL and Redis, driven over HTTP.

mod abuse;
mod accounts;
mod browser;
mod deployment;
mod editor;
mod faults;
mod finding;
mod grades;
mod grading;
mod hostile;
mod ingest;
mod legacy;
mod mail;
mod metrics;
mod overrides;
mod plagiarism;
mod reference_checks;
mod repositories;
mod retests;
mod roster;
mod security;
mod staff;
mod statistics;
mod submissions;
mod task_pages;
mod webhooks;
