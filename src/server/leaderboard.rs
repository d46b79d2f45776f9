//! `GET /leaderboard?month=YYYY-MM`: the month's 新星奖 top 20 of the district, names masked (李*), and the
//! caller's own total (an extension of PROTOCOL.md).

use crate::server::db::{self};
use axum::extract::{Query, State};
use axum::Json;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::openapi::{Invalid, Malformed, Unauthorized};
use super::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(leaderboard))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Leaderboard {
    pub month: String,
    pub top: Vec<Entry>,
    /// The caller's points this month.
    pub my_points: i64,
    /// The caller's balance: every point ever awarded.
    pub my_balance: i64,
    /// The caller's awards, newest first.
    pub my_history: Vec<Award>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Award {
    pub report_id: String,
    pub reason: String,
    pub points: i64,
    pub awarded_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = LeaderboardEntry)]
pub struct Entry {
    pub rank: usize,
    pub name: String,
    pub points: i64,
}

/// The first character, then one `*` for the rest: 李小龙 → 李*.
pub fn mask(name: &str) -> String {
    match name.chars().next() {
        Some(first) => format!("{first}*"),
        None => "*".to_owned(),
    }
}

/// The query of `GET /leaderboard`, checked here (a bad month is a `422` naming it).
#[derive(serde::Deserialize)]
struct BoardParams {
    month: Option<String>,
}

/// The month's 新星奖 top 20 of the district (names masked: 李*) and the caller's own points, balance and awards.
#[utoipa::path(get, path = "/leaderboard", tag = "reports", operation_id = "leaderboard", security(("bearer" = [])),
    params(("month" = Option<String>, Query, description = "`YYYY-MM`; this month when left out", pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")),
    responses(
        (status = 200, description = "The month's ranking and the caller's points", body = Leaderboard),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 422, response = Invalid),
    )
)]
async fn leaderboard(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<BoardParams>,
) -> Result<Json<Leaderboard>> {
    let month = match params.month {
        // A real month: `YYYY-MM` with MM from 01 to 12.
        Some(m) if crate::domain::figures::parse_date(&format!("{m}-01")).is_some() => m,
        Some(_) => return Err(Error::Invalid(serde_json::json!({"month": "YYYY-MM"}))),
        None => {
            crate::domain::timestamp::format_time(time::OffsetDateTime::now_utc())[..7].to_owned()
        }
    };
    let rows: Vec<(String, String, i64)> = db::query_as(
        "SELECT u.id, u.name, CAST(sum(p.points) AS BIGINT) AS total FROM points p JOIN users u ON u.id = p.user_id
         WHERE substr(p.awarded_at, 1, 7) = ? GROUP BY u.id ORDER BY total DESC, MIN(p.awarded_at) LIMIT 20",
    )
    .bind(&month)
    .fetch_all(&state.db)
    .await?;
    let (mine,): (i64,) = db::query_as("SELECT COALESCE(CAST(sum(points) AS BIGINT), 0) FROM points WHERE user_id = ? AND substr(awarded_at, 1, 7) = ?")
        .bind(&user.id)
        .bind(&month)
        .fetch_one(&state.db)
        .await?;
    let history: Vec<(String, String, i64, String)> = db::query_as(
        "SELECT report_id, reason, points, awarded_at FROM points WHERE user_id = ? ORDER BY awarded_at DESC LIMIT 100",
    )
    .bind(&user.id)
    .fetch_all(&state.db)
    .await?;
    let (balance,): (i64,) = db::query_as(
        "SELECT COALESCE(CAST(sum(points) AS BIGINT), 0) FROM points WHERE user_id = ?",
    )
    .bind(&user.id)
    .fetch_one(&state.db)
    .await?;
    Ok(Json(Leaderboard {
        my_balance: balance,
        my_history: history
            .into_iter()
            .map(|(report_id, reason, points, awarded_at)| Award {
                report_id,
                reason,
                points,
                awarded_at,
            })
            .collect(),
        month,
        top: rows
            .into_iter()
            .enumerate()
            .map(|(i, (_, name, points))| Entry {
                rank: i + 1,
                name: mask(&name),
                points,
            })
            .collect(),
        my_points: mine,
    }))
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn names_are_masked_after_their_first_character() {
        assert_eq!(mask("李小龙"), "李*");
        assert_eq!(mask("王芳"), "王*");
        assert_eq!(mask("李"), "李*");
        assert_eq!(mask(""), "*");
    }
}
