//! `GET /escalations`: the district's queue of escalated tasks — level 3 (提级研处) waiting for its decision, level 2
//! (部门联处) with the department called and whether it has answered (报到) in time — and the resolved tasks whose
//! reporter was unsatisfied a second time, which the reopening rule sends to the district instead of the grid.
use crate::server::db::{self};
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::task::{Escalations, DISPUTED_DAYS, MAX_ESCALATIONS};
use crate::domain::timestamp::format_time;
use crate::domain::{Report, Role};
use crate::server::auth::CurrentUser;
use crate::server::figures::Scope;
use crate::server::openapi::{Forbidden, Invalid, Malformed, Unauthorized};
use crate::server::reports::{load_reports, Viewer};
use crate::server::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(escalations))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct EscalationParams {
    /// Only this level (2 or 3); none: both.
    #[param(value_type = Option<u8>, minimum = 2, maximum = 3)]
    level: Option<String>,
    /// Only this 街道 (an official of another 街道 gets 403).
    street: Option<String>,
}

/// The open tasks at level 2 and 3 in the caller's part of the district: level 3 first (the district decides them),
/// then those whose called department is past its 报到, then by deadline. Admins (who decide) and officials (who
/// read; one of a 街道 sees that 街道).
#[utoipa::path(get, path = "/escalations", tag = "tasks", operation_id = "escalations", security(("bearer" = [])),
    params(EscalationParams),
    responses(
        (status = 200, description = "The escalated tasks, at most 500", body = Escalations),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    )
)]
async fn escalations(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<EscalationParams>,
) -> Result<Json<Escalations>> {
    if !matches!(user.role, Role::Admin | Role::Official) {
        return Err(Error::Forbidden);
    }
    let scope = Scope::of(&user)?.narrowed(params.street, None)?;
    let (lowest, highest) = match params.level.as_deref() {
        None => (2, 3),
        Some("2") => (2, 2),
        Some("3") => (3, 3),
        Some(_) => return Err(Error::invalid("level", "2 或 3 (2 or 3)")),
    };
    let now = format_time(time::OffsetDateTime::now_utc());
    let rows: Vec<(String, i64)> = db::query_as(
        "SELECT r.id, count(*) OVER () FROM reports r LEFT JOIN grids g ON g.id = r.grid_id
         WHERE r.status IN ('received', 'accepted', 'in_progress') AND r.level BETWEEN ?1 AND ?2
           AND (?3 IS NULL OR g.street = ?3)
         ORDER BY r.level DESC, coalesce(r.acknowledge_deadline < ?4, FALSE) DESC, r.deadline IS NULL, r.deadline, r.id
         LIMIT ?5",
    )
    .bind(lowest)
    .bind(highest)
    .bind(&scope.street)
    .bind(&now)
    .bind(MAX_ESCALATIONS as i64)
    .fetch_all(&state.db)
    .await?;
    let total = rows.first().map_or(0, |r| r.1);
    // A 不满意 on the resolution after the one reopening (resolution 2 and later), the task still resolved.
    let since = format_time(time::OffsetDateTime::now_utc() - time::Duration::days(DISPUTED_DAYS));
    let disputed: Vec<(String,)> = db::query_as(
        "SELECT r.id FROM verdicts v JOIN reports r ON r.id = v.report_id LEFT JOIN grids g ON g.id = r.grid_id
         WHERE v.at >= ?1 AND v.verdict = 'unsatisfied' AND v.resolution >= 2 AND v.resolution = r.reopened + 1
           AND r.status = 'resolved' AND (?2 IS NULL OR g.street = ?2)
         GROUP BY r.id ORDER BY max(v.at) DESC, r.id LIMIT ?3",
    )
    .bind(&since)
    .bind(&scope.street)
    .bind(MAX_ESCALATIONS as i64)
    .fetch_all(&state.db)
    .await?;
    let viewer = Viewer::of(&user);
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let tasks = shaped(&state, &viewer, &ids).await?;
    let ids: Vec<&str> = disputed.iter().map(|r| r.0.as_str()).collect();
    let disputed = shaped(&state, &viewer, &ids).await?;
    Ok(Json(Escalations {
        tasks,
        total,
        disputed,
    }))
}

/// The reports of `ids`, in that order, as `viewer` sees them.
async fn shaped(state: &AppState, viewer: &Viewer, ids: &[&str]) -> Result<Vec<Report>> {
    let mut found = load_reports(&state.db, ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.remove(*id))
        .map(|r| viewer.shape(r))
        .collect())
}
