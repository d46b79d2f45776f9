//! `POST /enroll` (a one-time code for a device token) and `GET /me`.
use crate::domain::enrollment_code;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{ClientAddr, CurrentUser};
use super::json::ApiJson;
use super::openapi::{Malformed, TooLarge, Unauthorized, UnsupportedMediaType};
use super::{accounts, AppState, Error, Result};
use crate::domain::{EnrollRequest, Enrollment, ErrorBody, User};

/// Routes anyone may call.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(enroll))
}

/// Routes for signed-in users.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// Trades a one-time enrollment code for this device's token. Riders also get the secret of their station pass.
#[utoipa::path(post, path = "/enroll", tag = "accounts", operation_id = "enroll",
    request_body(content = EnrollRequest, example = json!({"code": "ABCD-EFGH-JK", "device_name": "小李的手机"})),
    responses(
        (status = 201, description = "Enrolled: the token to send as `Authorization: Bearer`", body = Enrollment),
        (status = 400, response = Malformed),
        (status = 401, description = "Wrong, used or expired code (`invalid_code`)", body = ErrorBody,
         example = json!({"error": {"code": "invalid_code", "message": "登录码无效、已使用或已过期 (unknown, used or expired code)"}})),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 429, description = "Too many failed attempts from this client (`rate_limited`)", body = ErrorBody,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn enroll(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> Result<(StatusCode, Json<Enrollment>)> {
    // An address that spent either budget is refused, even a good code, until the window passes.
    for limiter in [&state.enroll_limiter, &state.enroll_typo_limiter] {
        limiter
            .check(ip)
            .map_err(|retry_after| Error::RateLimited { retry_after })?;
    }
    match accounts::redeem_code(&state.db, &req.code, &req.device_name).await? {
        Some(enrollment) => {
            tracing::info!(user = %enrollment.user.id, role = %enrollment.user.role, "enrolled a device");
            Ok((StatusCode::CREATED, Json(enrollment)))
        }
        // A code whose check character holds is a guess or a used code: the strict budget. One that fails it
        // was mistyped: the generous one (a guesser gains nothing from those; see README, "Enrollment codes").
        None if enrollment_code::checks(&enrollment_code::normalize(&req.code)) => {
            state.enroll_limiter.record_failure(ip);
            Err(Error::InvalidCode)
        }
        None => {
            state.enroll_typo_limiter.record_failure(ip);
            Err(Error::MistypedCode)
        }
    }
}

/// The signed-in user.
#[utoipa::path(get, path = "/me", tag = "accounts", operation_id = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user (never a phone number)", body = User),
        (status = 401, response = Unauthorized),
    )
)]
async fn me(CurrentUser(user): CurrentUser) -> Json<User> {
    Json(user)
}
