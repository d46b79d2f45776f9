//! `GET /health`: whether the server is up, which version it runs, and whether it runs with demo data.
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::domain::{Health, APP_VERSION};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Whether the server is up; needs no token.
#[utoipa::path(get, path = "/health", tag = "service", operation_id = "health",
    responses((status = 200, description = "The server is up", body = Health)))]

async fn health(State(state): State<AppState>) -> Json<Health> {
    // The time only: the file and its checksum are the admins' (`GET /admin/backups`).
    let last_backup_at = match super::backup::last_backup(&state.db).await {
        Ok(last) => last.map(|b| b.at),
        Err(e) => {
            tracing::error!(error = %e, "reading the last backup");
            None
        }
    };
    Json(Health {
        status: "ok".into(),
        version: APP_VERSION.into(),
        demo: state.config.demo,
        last_backup_at,
    })
}
