//! `GET /stats/concerns`: per station or topic, the concerns received in a period — answered (in time), open,
//! overdue, resolved, adopted, declined, forwarded — their 办结率 and the riders' 满意率. Admins and officials see the district,
//! station staff their own station.
use crate::server::db::{self, Db};
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::concern::{ConcernFigures, ConcernGroupBy, ConcernStats, ConcernStatsRow};
use crate::domain::figures::Period;
use crate::domain::timestamp::format_time;
use crate::domain::{Role, User};
use crate::server::auth::CurrentUser;
use crate::server::figures::period_of;
use crate::server::openapi::{Forbidden, Invalid, Malformed, Unauthorized};
use crate::server::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(concern_stats))
}

/// One group's counts, as SQL gives them.
#[derive(sqlx::FromRow)]
struct Row {
    key: String,
    name: Option<String>,
    received: i64,
    answered: i64,
    answered_in_time: i64,
    open: i64,
    overdue: i64,
    resolved: i64,
    adopted: i64,
    declined: i64,
    forwarded_to_grid: i64,
    satisfied: i64,
    unsatisfied: i64,
}

/// The figures of the concerns received in `period` per station or topic (`station`: only that station's), with
/// the total; `now` decides what is overdue.
pub async fn concern_figures(
    db: &Db,
    period: Period,
    station: Option<&str>,
    by: ConcernGroupBy,
    now: time::OffsetDateTime,
) -> Result<ConcernStats> {
    let (key, name) = match by {
        ConcernGroupBy::Station => (
            "c.station_id",
            "(SELECT s.name FROM stations s WHERE s.id = c.station_id)",
        ),
        ConcernGroupBy::Topic => (
            "c.topic",
            "(SELECT t.name_zh FROM concern_topics t WHERE t.code = c.topic)",
        ),
    };
    let (start, end) = period.bounds();
    let rows: Vec<Row> = db::query_as(format!(
        "SELECT {key} AS key, {name} AS name, count(*) AS received,
                count(*) FILTER (WHERE c.replied_at IS NOT NULL) AS answered,
                count(*) FILTER (WHERE c.replied_at IS NOT NULL AND c.replied_at <= c.reply_deadline) AS answered_in_time,
                count(*) FILTER (WHERE c.status IN ('received', 'accepted')) AS open,
                count(*) FILTER (WHERE c.status IN ('received', 'accepted') AND c.replied_at IS NULL AND c.reply_deadline < ?3) AS overdue,
                count(*) FILTER (WHERE c.status = 'resolved') AS resolved, count(*) FILTER (WHERE c.status = 'adopted') AS adopted,
                count(*) FILTER (WHERE c.status = 'declined') AS declined, count(*) FILTER (WHERE c.task_id IS NOT NULL) AS forwarded_to_grid,
                CAST(sum(c.satisfied) AS BIGINT) AS satisfied, CAST(sum(c.unsatisfied) AS BIGINT) AS unsatisfied
         FROM concerns c
         WHERE c.received_at >= ?1 AND c.received_at < ?2 AND (?4 IS NULL OR c.station_id = ?4)
         GROUP BY key ORDER BY key"
    ))
    .bind(start)
    .bind(end)
    .bind(format_time(now))
    .bind(station)
    .fetch_all(db)
    .await?;
    let mut total = ConcernFigures::default();
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut figures = ConcernFigures {
                received: r.received,
                answered: r.answered,
                answered_in_time: r.answered_in_time,
                open: r.open,
                overdue: r.overdue,
                resolved: r.resolved,
                adopted: r.adopted,
                declined: r.declined,
                forwarded_to_grid: r.forwarded_to_grid,
                satisfied: r.satisfied,
                unsatisfied: r.unsatisfied,
                resolution_rate: None,
                satisfaction: None,
            };
            figures.resolution_rate = figures.rate();
            figures.satisfaction = figures.satisfaction_rate();
            total.add(&figures);
            ConcernStatsRow {
                name: r.name.unwrap_or_else(|| r.key.clone()),
                key: r.key,
                figures,
            }
        })
        .collect();
    Ok(ConcernStats {
        period: period.dates(),
        rows,
        total,
    })
}

/// Whose concerns `user` may count: the district's (admins, officials), their station's (station staff).
fn station_scope(user: &User) -> Result<Option<&str>> {
    match user.role {
        Role::Admin | Role::Official => Ok(None),
        Role::StationStaff => user.station_id.as_deref().map(Some).ok_or(Error::Forbidden),
        _ => Err(Error::Forbidden),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ConcernStatsParams {
    /// The first day, `YYYY-MM-DD` (Beijing time).
    #[param(example = "2026-11-01", format = Date)]
    from: String,
    /// The last day, included: not before `from`, at most 3,660 days after it.
    #[param(example = "2026-11-30", format = Date)]
    to: String,
    /// `station` (the default) or `topic`.
    #[serde(default)]
    #[param(inline)]
    by: ConcernGroupBy,
}

/// Riders' concerns received in a period, per 暖心驿站 or topic: answered and answered in time, open, overdue,
/// resolved, adopted (金点子), declined, forwarded to a grid, and the 办结率.
#[utoipa::path(get, path = "/stats/concerns", tag = "figures", operation_id = "concern_stats", security(("bearer" = [])),
    params(ConcernStatsParams),
    responses(
        (status = 200, description = "The figures", body = ConcernStats),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    )
)]
async fn concern_stats(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<ConcernStatsParams>,
) -> Result<Json<ConcernStats>> {
    let station = station_scope(&user)?;
    let period = period_of(&params.from, &params.to)?;
    let now = time::OffsetDateTime::now_utc();
    Ok(Json(
        concern_figures(&state.db, period, station, params.by, now).await?,
    ))
}
