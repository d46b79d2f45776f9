//! `POST /enroll` (a one-time code for a device token) and `GET /me`.
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::auth::{ClientAddr, CurrentUser};
use super::json::ApiJson;
use super::{accounts, AppState, Error, Result};
use crate::domain::{EnrollRequest, Enrollment, User};

/// Routes anyone may call.
pub fn public_router() -> Router<AppState> {
    Router::new().route("/enroll", post(enroll))
}

/// Routes for signed-in users.
pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(me))
}

async fn enroll(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> Result<(StatusCode, Json<Enrollment>)> {
    state
        .enroll_limiter
        .check(ip)
        .map_err(|retry_after| Error::RateLimited { retry_after })?;
    match accounts::redeem_code(&state.db, &req.code, &req.device_name).await? {
        Some(enrollment) => {
            tracing::info!(user = %enrollment.user.id, role = %enrollment.user.role, "enrolled a device");
            Ok((StatusCode::CREATED, Json(enrollment)))
        }
        None => {
            state.enroll_limiter.record_failure(ip);
            Err(Error::InvalidCode)
        }
    }
}

async fn me(CurrentUser(user): CurrentUser) -> Json<User> {
    Json(user)
}
