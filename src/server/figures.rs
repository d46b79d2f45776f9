//! `GET /stats`: the district's figures for a period, per grid, 社区, 街道 or category, beside the period before —
//! received, open, overdue, resolved, rejected, 办结率, and the median and 90th percentile of the minutes to answer
//! and to resolve. One SQL statement per period streams only that period's reports from one covering index (no
//! lookup in the table, no scan), and each report is added to its group and to the total as it comes (domain
//! `Tally`), so no report is read twice and none outside the period.
use crate::server::db::{self, Backend, Db};
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use std::collections::HashMap;

use crate::domain::figures::{
    format_date, parse_date, Every, Figures, GroupBy, Period, Stats, StatsRow, Tally, Trend,
    TrendPoint,
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

/// The grouping key, as SQL over `reports r` and `grids g`.
fn key_sql(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Grid => "r.grid_id",
        GroupBy::Community => "g.community",
        GroupBy::Street => "g.street",
        GroupBy::Category => "r.category",
    }
}

/// The statement of [`figures`]: each report of the period with its group, status, whether it is overdue now (past
/// its deadline, or a called department past its 报到) and
/// its minutes to answer and to 办结 — from the covering index alone. ?1 and ?2 the period's bounds, ?3 a 街道,
/// ?4 a grid, ?5 now, ?6 a 社区.
pub fn figures_sql(by: GroupBy, backend: Backend) -> String {
    // Minutes between two server times (RFC 3339 text, which julianday reads).
    let minutes = |from: &str, to: &str| match backend {
        Backend::Sqlite => format!("(julianday({to}) - julianday({from})) * 1440.0"),
        Backend::Postgres => {
            format!("date_part('epoch', {to}::timestamptz - {from}::timestamptz) / 60.0")
        }
    };
    format!(
        "SELECT {key} AS key, r.status, (coalesce(r.deadline < ?5, FALSE) OR coalesce(r.acknowledge_deadline < ?5, FALSE)) AS overdue, {respond} AS respond,
                {resolve} AS resolve, r.satisfied, r.unsatisfied
         FROM reports r LEFT JOIN grids g ON g.id = r.grid_id
         WHERE r.received_at >= ?1 AND r.received_at < ?2
           AND (?3 IS NULL OR g.street = ?3) AND (?4 IS NULL OR r.grid_id = ?4) AND (?6 IS NULL OR g.community = ?6)",
        key = key_sql(by),
        respond = minutes("r.received_at", "r.responded_at"),
        resolve = minutes("r.received_at", "r.closed_at"),
    )
}

/// One report as the figures read it.
#[derive(sqlx::FromRow)]
struct FigureRow {
    key: Option<String>,
    status: String,
    overdue: bool,
    respond: Option<f64>,
    resolve: Option<f64>,
    satisfied: i64,
    unsatisfied: i64,
}

/// The name each group goes by: a grid's name, a category's Chinese name; a 社区 or 街道 is its own name.
async fn names(db: &Db, by: GroupBy) -> Result<HashMap<String, String>> {
    let sql = match by {
        GroupBy::Grid => "SELECT id, name FROM grids",
        GroupBy::Category => "SELECT code, name_zh FROM categories",
        GroupBy::Community | GroupBy::Street => return Ok(HashMap::new()),
    };
    Ok(db::query_as(sql).fetch_all(db).await?.into_iter().collect())
}

/// The figures of `period` in `scope` per group (`by`: key, name, figures, by key), and of everything: the
/// period's reports read once, as a stream, each added to its group and to the total.
pub async fn figures(
    db: &Db,
    period: Period,
    scope: &Scope,
    by: GroupBy,
    now: time::OffsetDateTime,
) -> Result<(Vec<(String, String, Figures)>, Figures)> {
    use futures_util::TryStreamExt;
    let sql = figures_sql(by, db.backend());
    let (start, end) = period.bounds();
    let now = format_time(now);
    let mut rows = db::query_as::<FigureRow>(&sql)
        .bind(start)
        .bind(end)
        .bind(&scope.street)
        .bind(&scope.grid)
        .bind(now)
        .bind(&scope.community)
        .fetch(db);
    let mut total = Tally::default();
    let mut groups: std::collections::BTreeMap<String, Tally> = Default::default();
    while let Some(r) = rows.try_next().await? {
        let group = groups.entry(r.key.clone().unwrap_or_default()).or_default();
        for tally in [&mut total, group] {
            tally.add(&r.status, r.overdue, r.respond, r.resolve);
            tally.add_verdicts(r.satisfied, r.unsatisfied);
        }
    }
    drop(rows);
    let names = names(db, by).await?;
    let groups = groups
        .into_iter()
        .map(|(key, tally)| {
            let name = names.get(&key).cloned().unwrap_or_else(|| key.clone());
            (key, name, tally.figures())
        })
        .collect();
    Ok((groups, total.figures()))
}

/// The whole answer of `GET /stats`: each group's figures beside its figures in the period before.
pub async fn stats_for(
    db: &Db,
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
    db: &Db,
    period: Period,
    scope: &Scope,
    every: Every,
    now: time::OffsetDateTime,
) -> Result<Trend> {
    let (start, end) = period.bounds();
    let days: Vec<(String, i64, i64, i64, i64, i64)> = db::query_as(
        format!("SELECT {day} AS day, count(*),
                count(*) FILTER (WHERE r.status IN ('received', 'accepted', 'in_progress')),
                count(*) FILTER (WHERE r.status IN ('received', 'accepted', 'in_progress')
                    AND (r.deadline < ?5 OR r.acknowledge_deadline < ?5)),
                count(*) FILTER (WHERE r.status = 'resolved'), count(*) FILTER (WHERE r.status = 'rejected')
         FROM reports r LEFT JOIN grids g ON g.id = r.grid_id
         WHERE r.received_at >= ?1 AND r.received_at < ?2
           AND (?3 IS NULL OR g.street = ?3) AND (?4 IS NULL OR r.grid_id = ?4) AND (?6 IS NULL OR g.community = ?6)
         GROUP BY day",
        day = match db.backend() {
            // The day in Beijing time (UTC+8, no summer time).
            Backend::Sqlite => "date(r.received_at, '+8 hours')",
            Backend::Postgres => "to_char(r.received_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD')",
        },
    ))
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
