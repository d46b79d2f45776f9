//! The server: the JSON API of PROTOCOL.md under `/api/v1`, the built PWA, SQLite storage and the command line.
pub mod cli;
pub mod db;
pub mod demo;
pub mod error;
mod health;
mod http;
mod reference;
mod static_files;

use std::path::PathBuf;

use axum::Router;
use sqlx::SqlitePool;

pub use error::{Error, Result};
pub use http::shutdown_signal;

/// Everything a request handler may need.
#[derive(Clone)]
pub struct AppState {
    pub db: SqlitePool,
    /// The folder holding the PWA that Trunk built.
    pub dist: PathBuf,
}

/// The JSON API, mounted under `/api/v1` by [`app`].
pub fn api_router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(reference::router())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
}

/// The whole service, built without binding a port so tests can drive it directly.
pub fn app(state: AppState) -> Router {
    http::with_middleware(
        Router::new()
            .nest(crate::domain::API_BASE, api_router())
            .fallback(static_files::serve),
    )
    .with_state(state)
}
