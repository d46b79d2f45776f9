//! `GET /stats`: the district's figures for a period, per grid, 社区, 街道 or category, beside the period before —
//! received, open, overdue, resolved, rejected, 办结率, and the median and 90th percentile of the minutes to answer
//! and to resolve. One SQL statement per period reads only that period's reports (by the index on `received_at`),
//! and the percentiles come from window functions, so no report is read twice and none outside the period.
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use sqlx::SqlitePool;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::figures::{
    format_date, parse_date, Every, Figures, GroupBy, Period, Stats, StatsRow, Trend, TrendPoint,
};
use crate::domain::timestamp::format_time;
use crate::domain::{Role, User};
use crate::server::auth::CurrentUser;
use crate::server::openapi::{Forbidden, Invalid, Malformed, Unauthorized};
use crate::server::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stats))
        .routes(routes!(trend_of))
}

/// The period `from`–`to` of a query, or `422` naming what is wrong with it.
pub fn period_of(from: &str, to: &str) -> Result<Period> {
    Period::parse(from, to).map_err(|e| Error::Invalid(serde_json::to_value(e).unwrap_or_default()))
}

/// Whose reports: everything, one 街道's (an official of it), one grid's (its grid workers), or narrowed further to
/// one 社区 (a drill-down).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub street: Option<String>,
    pub grid: Option<String>,
    pub community: Option<String>,
}

impl Scope {
    /// What `user` may read: admins and officials of the district everything, an official of one 街道 that 街道,
    /// a grid worker their grid; nobody else anything.
    pub fn of(user: &User) -> Result<Scope> {
        match user.role {
            Role::Admin => Ok(Scope::default()),
            Role::Official => Ok(Scope {
                street: user.street.clone(),
                ..Scope::default()
            }),
            Role::GridWorker => Ok(Scope {
                grid: user.grid_id.clone(),
                ..Scope::default()
            }),
            _ => Err(Error::Forbidden),
        }
    }

    /// This scope narrowed to a 街道 and a 社区 asked for; a 街道 outside it is `403`.
    pub fn narrowed(mut self, street: Option<String>, community: Option<String>) -> Result<Scope> {
        if let Some(asked) = street {
            match &self.street {
                Some(own) if *own != asked => return Err(Error::Forbidden),
                _ => self.street = Some(asked),
            }
        }
        self.community = community.or(self.community);
        Ok(self)
    }
}

/// The grouping key and its name, as SQL over `reports r`, `grids g` and `categories c`.
fn group_sql(by: GroupBy) -> (&'static str, &'static str) {
    match by {
        GroupBy::Grid => ("r.grid_id", "g.name"),
        GroupBy::Community => ("g.community", "g.community"),
        GroupBy::Street => ("g.street", "g.street"),
        GroupBy::Category => ("r.category", "c.name_zh"),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    /// 1 for the row of everything, 0 for a group's.
    total: i64,
    key: Option<String>,
    name: Option<String>,
    received: i64,
    open: i64,
    overdue: i64,
    resolved: i64,
    rejected: i64,
    respond_p50: Option<f64>,
    respond_p90: Option<f64>,
    resolve_p50: Option<f64>,
    resolve_p90: Option<f64>,
}

impl Row {
    fn figures(&self) -> Figures {
        let counted = self.received - self.rejected;
        Figures {
            received: self.received,
            open: self.open,
            overdue: self.overdue,
            resolved: self.resolved,
            rejected: self.rejected,
            resolution_rate: (counted > 0).then(|| self.resolved as f64 / counted as f64),
            respond_minutes_p50: self.respond_p50,
            respond_minutes_p90: self.respond_p90,
            resolve_minutes_p50: self.resolve_p50,
            resolve_minutes_p90: self.resolve_p90,
            satisfaction: None,
        }
    }
}

/// The statement of [`figures`]: ?1 and ?2 the period's bounds, ?3 a 街道, ?4 a grid, ?5 now, ?6 a 社区.
pub fn figures_sql(by: GroupBy) -> String {
    let (key, name) = group_sql(by);
    let open = "r.status IN ('received', 'accepted', 'in_progress')";
    // Minutes between two server times (RFC 3339 text, which julianday reads).
    let minutes = |from: &str, to: &str| format!("(julianday({to}) - julianday({from})) * 1440.0");
    format!(
        "WITH base AS MATERIALIZED (
            SELECT {key} AS key, {name} AS name, r.status, {open} AS open, {open} AND r.deadline < ?5 AS overdue,
                   {respond} AS respond,
                   CASE WHEN r.status = 'resolved' THEN {resolve} END AS resolve
            FROM reports r LEFT JOIN grids g ON g.id = r.grid_id LEFT JOIN categories c ON c.code = r.category
            WHERE r.received_at >= ?1 AND r.received_at < ?2
              AND (?3 IS NULL OR g.street = ?3) AND (?4 IS NULL OR r.grid_id = ?4)
              AND (?6 IS NULL OR g.community = ?6)
         ),
         -- Every report twice: in its group, and in the row of everything (one read of the period for both).
         rows AS (
            SELECT 0 AS total, key, name, status, open, overdue, respond, resolve FROM base
            UNION ALL SELECT 1, '', '', status, open, overdue, respond, resolve FROM base
         ),
         counts AS (
            SELECT total, key, max(name) AS name, count(*) AS received, sum(open) AS open, sum(overdue) AS overdue,
                   sum(status = 'resolved') AS resolved, sum(status = 'rejected') AS rejected
            FROM rows GROUP BY total, key
         ),
         respond AS (
            SELECT total, key, respond AS m,
                   row_number() OVER (PARTITION BY total, key ORDER BY respond) AS rank,
                   count(*) OVER (PARTITION BY total, key) AS n
            FROM rows WHERE respond IS NOT NULL
         ),
         resolve AS (
            SELECT total, key, resolve AS m,
                   row_number() OVER (PARTITION BY total, key ORDER BY resolve) AS rank,
                   count(*) OVER (PARTITION BY total, key) AS n
            FROM rows WHERE resolve IS NOT NULL
         ),
         -- Each percentile picked in one pass over its ranked rows (not a lookup per group).
         respond_p AS (
            SELECT total, key, max(CASE WHEN rank = (n + 1) / 2 THEN m END) AS p50,
                   max(CASE WHEN rank = (9 * n + 9) / 10 THEN m END) AS p90
            FROM respond GROUP BY total, key
         ),
         resolve_p AS (
            SELECT total, key, max(CASE WHEN rank = (n + 1) / 2 THEN m END) AS p50,
                   max(CASE WHEN rank = (9 * n + 9) / 10 THEN m END) AS p90
            FROM resolve GROUP BY total, key
         )
         SELECT c.total, c.key, c.name, c.received, c.open, c.overdue, c.resolved, c.rejected,
                a.p50 AS respond_p50, a.p90 AS respond_p90, z.p50 AS resolve_p50, z.p90 AS resolve_p90
         FROM counts c
         LEFT JOIN respond_p a ON a.total = c.total AND a.key IS c.key
         LEFT JOIN resolve_p z ON z.total = c.total AND z.key IS c.key
         ORDER BY c.total, c.key",
        respond = minutes("r.received_at", "r.responded_at"),
        resolve = minutes("r.received_at", "r.closed_at"),
    )
}

/// The figures of `period` in `scope` per group (`by`: key, name, figures), and of everything.
pub async fn figures(
    db: &SqlitePool,
    period: Period,
    scope: &Scope,
    by: GroupBy,
    now: time::OffsetDateTime,
) -> Result<(Vec<(String, String, Figures)>, Figures)> {
    let sql = figures_sql(by);
    let (start, end) = period.bounds();
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(start)
        .bind(end)
        .bind(&scope.street)
        .bind(&scope.grid)
        .bind(format_time(now))
        .bind(&scope.community)
        .fetch_all(db)
        .await?;
    let total = rows
        .iter()
        .find(|r| r.total == 1)
        .map(Row::figures)
        .unwrap_or_default();
    let groups = rows
        .iter()
        .filter(|r| r.total == 0)
        .map(|r| {
            let key = r.key.clone().unwrap_or_default();
            let name = r
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or(key.clone());
            (key, name, r.figures())
        })
        .collect();
    Ok((groups, total))
}

/// The whole answer of `GET /stats`: each group's figures beside its figures in the period before.
pub async fn stats_for(
    db: &SqlitePool,
    period: Period,
    scope: &Scope,
    by: GroupBy,
    now: time::OffsetDateTime,
) -> Result<Stats> {
    let previous = period.previous();
    let (now_rows, total) = figures(db, period, scope, by, now).await?;
    let (before, total_previous) = figures(db, previous, scope, by, now).await?;
    let year_before = period.year_before();
    let (_, total_year_before) = figures(db, year_before, scope, GroupBy::Street, now).await?;
    let year_before = (total_year_before.received > 0).then_some(year_before);
    let before: std::collections::HashMap<String, Figures> =
        before.into_iter().map(|(k, _, f)| (k, f)).collect();
    Ok(Stats {
        period: period.dates(),
        previous: previous.dates(),
        rows: now_rows
            .into_iter()
            .map(|(key, name, figures)| StatsRow {
                previous: before.get(&key).cloned().unwrap_or_default(),
                key,
                name,
                figures,
            })
            .collect(),
        total,
        total_previous,
        year_before: year_before.map(|p| p.dates()),
        total_year_before: year_before.map(|_| total_year_before),
    })
}

/// The reports received in `period` in `scope` per week or month, with what became of them: one read of the
/// period's reports (by the index on `received_at`), counted per day in Beijing time and summed per bucket here.
pub async fn trend(
    db: &SqlitePool,
    period: Period,
    scope: &Scope,
    every: Every,
    now: time::OffsetDateTime,
) -> Result<Trend> {
    let (start, end) = period.bounds();
    let days: Vec<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT date(r.received_at, '+8 hours') AS day, count(*),
                sum(r.status IN ('received', 'accepted', 'in_progress')),
                sum(r.status IN ('received', 'accepted', 'in_progress') AND r.deadline < ?5),
                sum(r.status = 'resolved'), sum(r.status = 'rejected')
         FROM reports r LEFT JOIN grids g ON g.id = r.grid_id
         WHERE r.received_at >= ?1 AND r.received_at < ?2
           AND (?3 IS NULL OR g.street = ?3) AND (?4 IS NULL OR r.grid_id = ?4) AND (?6 IS NULL OR g.community = ?6)
         GROUP BY day",
    )
    .bind(start)
    .bind(end)
    .bind(&scope.street)
    .bind(&scope.grid)
    .bind(format_time(now))
    .bind(&scope.community)
    .fetch_all(db)
    .await?;
    let mut points: Vec<TrendPoint> = period
        .buckets(every)
        .into_iter()
        .map(|b| TrendPoint {
            period: b.dates(),
            received: 0,
            open: 0,
            overdue: 0,
            resolved: 0,
            rejected: 0,
        })
        .collect();
    for (day, received, open, overdue, resolved, rejected) in days {
        let Some(day) = parse_date(&day) else {
            continue;
        };
        let start = format_date(Period::bucket_start(day, every).max(period.from));
        if let Some(p) = points.iter_mut().find(|p| p.period.from == start) {
            p.received += received;
            p.open += open;
            p.overdue += overdue;
            p.resolved += resolved;
            p.rejected += rejected;
        }
    }
    Ok(Trend { every, points })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatsParams {
    /// The first day, `YYYY-MM-DD` (Beijing time).
    #[param(example = "2026-11-01", format = Date)]
    from: String,
    /// The last day, included: not before `from`, at most 3,660 days after it.
    #[param(example = "2026-11-30", format = Date)]
    to: String,
    /// `grid`, `community` (社区), `street` (街道, the default) or `category`.
    #[serde(default)]
    #[param(inline)]
    by: GroupBy,
    /// Only this 街道 (drilling down; an official of another 街道 gets 403).
    street: Option<String>,
    /// Only this 社区.
    community: Option<String>,
}

/// The district's figures for the reports received in a period, per grid, 社区, 街道 or category, each beside the
/// same figures for the period of the same length just before (环比), and the totals. Admins and officials see the
/// district (an official of one 街道 that 街道), grid workers their own grid.
#[utoipa::path(get, path = "/stats", tag = "figures", operation_id = "stats", security(("bearer" = [])),
    params(StatsParams),
    responses(
        (status = 200, description = "The figures", body = Stats),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    )
)]
async fn stats(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<StatsParams>,
) -> Result<Json<Stats>> {
    let scope = Scope::of(&user)?.narrowed(params.street, params.community)?;
    let period = period_of(&params.from, &params.to)?;
    let now = time::OffsetDateTime::now_utc();
    Ok(Json(
        stats_for(&state.db, period, &scope, params.by, now).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TrendParams {
    /// The first day, `YYYY-MM-DD` (Beijing time).
    #[param(example = "2026-09-01", format = Date)]
    from: String,
    /// The last day, included: not before `from`, at most 3,660 days after it.
    #[param(example = "2026-11-30", format = Date)]
    to: String,
    /// `week` (Monday to Sunday, the default) or `month`.
    #[serde(default)]
    #[param(inline)]
    every: Every,
    /// Only this 街道 (an official of another 街道 gets 403).
    street: Option<String>,
    /// Only this 社区.
    community: Option<String>,
}

/// The reports received per week or month of a period, with how many of them are open, overdue, resolved and
/// rejected now: the trend the dashboard draws. The same callers and scope as `GET /stats`.
#[utoipa::path(get, path = "/stats/trend", tag = "figures", operation_id = "stats_trend", security(("bearer" = [])),
    params(TrendParams),
    responses(
        (status = 200, description = "One point per week or month, every one of the period (empty ones too)", body = Trend),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    )
)]
async fn trend_of(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<TrendParams>,
) -> Result<Json<Trend>> {
    let scope = Scope::of(&user)?.narrowed(params.street, params.community)?;
    let period = period_of(&params.from, &params.to)?;
    let now = time::OffsetDateTime::now_utc();
    Ok(Json(
        trend(&state.db, period, &scope, params.every, now).await?,
    ))
}
