//! `GET /health`: whether the server is up, and which version it runs.
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;
use crate::domain::{Health, APP_VERSION};

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: APP_VERSION.into(),
    })
}
