//! The district's people in the console: listed and filtered, revoked, a grid worker moved, and new codes (with
//! their sheets) for those of a grid or station who have not enrolled yet. Admins only; phone numbers never leave.
use crate::server::db::{self};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{admin_only, onboarded, OnboardResult};
use super::users::reissue_unenrolled;
use crate::domain::district::{MoveRequest, Person, ReissueRequest};
use crate::domain::{ErrorBody, Role};
use crate::server::accounts::{self, AccountError};
use crate::server::auth::CurrentUser;
use crate::server::json::ApiJson;
use crate::server::openapi::{BodyRefusals, Forbidden, Malformed, NotFound, Unauthorized};
use crate::server::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(revoke))
        .routes(routes!(move_grid))
        .routes(routes!(reissue))
}

/// Who to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Filter {
    /// Only this role.
    role: Option<Role>,
    /// Only the grid workers of this grid.
    grid: Option<String>,
    /// Only the staff of this station.
    station: Option<String>,
    /// Only the staff of this department (its code).
    department: Option<String>,
}

fn invalid(field: &str, message: &str) -> Error {
    Error::Invalid(serde_json::json!({ field: message }))
}

/// Everyone, or those of a role, grid, station or department; whether each has enrolled, and whether they are revoked.
#[utoipa::path(get, path = "/admin/users", tag = "admin", operation_id = "admin_users", security(("bearer" = [])),
    params(Filter),
    responses(
        (status = 200, description = "People, oldest first (never a phone number)", body = Vec<Person>),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filter): Query<Filter>,
) -> Result<Json<Vec<Person>>> {
    admin_only(&user)?;
    let enrolled: Vec<(String,)> =
        db::query_as("SELECT DISTINCT user_id FROM enrollment_codes WHERE used_at IS NOT NULL")
            .fetch_all(&state.db)
            .await?;
    let enrolled: std::collections::HashSet<String> =
        enrolled.into_iter().map(|(id,)| id).collect();
    let people = accounts::list_accounts(&state.db)
        .await
        .map_err(anyhow::Error::from)?
        .into_iter()
        .filter(|a| filter.role.is_none_or(|r| a.user.role == r))
        .filter(|a| filter.grid.is_none() || a.user.grid_id == filter.grid)
        .filter(|a| filter.station.is_none() || a.user.station_id == filter.station)
        .filter(|a| filter.department.is_none() || a.user.department_id == filter.department)
        .map(|a| Person {
            enrolled: enrolled.contains(&a.user.id),
            revoked: a.revoked_at.is_some(),
            user: a.user,
        })
        .collect();
    Ok(Json(people))
}

fn account_error(e: AccountError) -> Error {
    match e {
        AccountError::UnknownUser(_) => Error::NotFound,
        AccountError::UnknownGrid(g) => {
            invalid("grid", &format!("没有在用的网格 (no grid in service): {g}"))
        }
        AccountError::NotAllowed { .. } => invalid(
            "grid",
            "只有网格员属于网格 (only grid workers belong to a grid)",
        ),
        other => Error::Internal(anyhow::Error::from(other)),
    }
}

/// Revokes a user: their tokens stop working at once and their unused codes are void. Revoking twice is harmless.
#[utoipa::path(post, path = "/admin/users/{id}/revoke", tag = "admin", operation_id = "admin_revoke", security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Revoked", body = Person),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, description = "The caller's own account (`invalid_input`)", body = ErrorBody),
    )
)]
async fn revoke(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Person>> {
    admin_only(&user)?;
    // An admin who revoked themselves would be locked out of the console that could undo it.
    if id == user.id {
        return Err(invalid(
            "id",
            "不能停用自己的账号 (you cannot revoke your own account)",
        ));
    }
    accounts::revoke_user(&state.db, &id)
        .await
        .map_err(account_error)?;
    person(&state, &id).await.map(Json)
}

async fn person(state: &AppState, id: &str) -> Result<Person> {
    let account = accounts::find_account(&state.db, id)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or(Error::NotFound)?;
    let (enrolled,): (bool,) = db::query_as(
        "SELECT EXISTS (SELECT 1 FROM enrollment_codes WHERE user_id = ? AND used_at IS NOT NULL)",
    )
    .bind(id)
    .fetch_one(&state.db)
    .await?;
    Ok(Person {
        enrolled,
        revoked: account.revoked_at.is_some(),
        user: account.user,
    })
}

/// Moves a grid worker to another grid in service; the old grid's open tasks stay with that grid.
#[utoipa::path(post, path = "/admin/users/{id}/move", tag = "admin", operation_id = "admin_move", security(("bearer" = [])),
    params(("id" = String, Path, description = "The grid worker's id")),
    request_body(content = MoveRequest, example = json!({"grid": "demo-grid-02"})),
    responses(
        (status = 200, description = "Moved", body = Person),
        BodyRefusals,
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, description = "Not a grid worker, or no such grid in service (`invalid_input`)", body = ErrorBody),
    )
)]
async fn move_grid(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<MoveRequest>,
) -> Result<Json<Person>> {
    admin_only(&user)?;
    accounts::move_to_grid(&state.db, &id, &req.grid)
        .await
        .map_err(account_error)?;
    person(&state, &id).await.map(Json)
}

/// New codes for everyone of one grid, station or department who has not enrolled yet (their earlier codes stop working),
/// with the sheets to print.
#[utoipa::path(post, path = "/admin/users/reissue", tag = "admin", operation_id = "admin_reissue", security(("bearer" = [])),
    request_body(content = ReissueRequest, example = json!({"station": "demo-station-03"})),
    responses(
        (status = 200, description = "The new codes (shown only here) and the sheets", body = OnboardResult),
        BodyRefusals,
        (status = 403, response = Forbidden),
        (status = 422, description = "Not exactly one of `grid`, `station` and `department` (`invalid_input`)", body = ErrorBody),
    )
)]
async fn reissue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(req): ApiJson<ReissueRequest>,
) -> Result<Json<OnboardResult>> {
    admin_only(&user)?;
    super::api::at_most(200, "url", req.url.as_deref())?;
    let Some((place, value)) = req.place() else {
        return Err(invalid(
            "grid",
            "请指定一个网格、驿站或部门 (name one grid, station or department)",
        ));
    };
    let ttl = accounts::DEFAULT_CODE_TTL;
    let made = reissue_unenrolled(&state.db, place, value, ttl, &user.id).await?;
    Ok(Json(onboarded(made, req.url.as_deref(), ttl)?))
}
