//! The native integration tests, one binary (linking the crate once instead of once per file): the server over
//! real HTTP, the real binary, the domain's properties. `common` builds a server on a fresh database and makes test
//! data in a line each; each other module pins down one behaviour.
#![cfg(not(target_arch = "wasm32"))]

mod api_errors;
mod authorization;
mod backups;
mod change_feed;
mod checkins;
mod command_line;
mod common;
mod concerns;
mod departments;
mod district_imports;
mod district_users;
mod domain_properties;
mod enrollment;
mod exports;
mod figures;
mod hostile_requests;
mod live_changes;
mod migrate;
mod migrations;
mod openapi;
mod personal_data;
mod photos;
mod reference_data;
mod reports;
mod schemas;
mod security_headers;
mod serving_the_app;
mod storm;
mod task_actions;
mod verdicts;
mod warnings;
