//! `GET /health`: whether the server is up, which version it runs, and whether it runs with demo data.
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;
use crate::domain::{Health, APP_VERSION};

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: APP_VERSION.into(),
        demo: state.config.demo,
    })
}
