//! A rider's own data (个人信息保护法): `GET /me/data` hands them what the server keeps about them — their
//! account, reports, points, check-ins and verdicts as JSON, and the photos they uploaded — in one zip;
//! `DELETE /me` erases their account: the reports stay for the district (the hazard is public) but no longer lead
//! to the person — the name, phone number, pass secret, tokens, codes and points are gone, and so is their name
//! in the timelines. Retention ([`apply_retention`]) does the same to closed reports after a period.
use crate::server::db::{self, Db, Tx};
use std::io::Write;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::timestamp::format_time;
use crate::domain::{Report, Role, TimelineEntry};
use crate::server::auth::CurrentUser;
use crate::server::changes::next_change_seq;
use crate::server::openapi::{Forbidden, Unauthorized};
use crate::server::reports::load_reports;
use crate::server::{AppState, Error, Result};

/// The placeholder user that reports past their retention period point at.
pub const ANONYMOUS: &str = "anonymous";

/// What an erased account is called where it still shows (the reports' reporter).
pub const ERASED_NAME: &str = "已注销用户";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_data))
        .routes(routes!(erase))
}

#[derive(Serialize)]
struct MyData {
    exported_at: String,
    account: Account,
    reports: Vec<Report>,
    points: Vec<Points>,
    checkins: Vec<Visit>,
    verdicts: Vec<Given>,
    concerns: Vec<crate::domain::concern::Concern>,
}

#[derive(Serialize, sqlx::FromRow)]
struct Account {
    id: String,
    name: String,
    role: String,
    phone: Option<String>,
    created_at: i64,
}

#[derive(Serialize, sqlx::FromRow)]
struct Points {
    report_id: String,
    reason: String,
    points: i64,
    awarded_at: String,
}

#[derive(Serialize, sqlx::FromRow)]
struct Visit {
    id: String,
    station_id: String,
    scanned_at: String,
    received_at: String,
}

#[derive(Serialize, sqlx::FromRow)]
struct Given {
    report_id: String,
    verdict: String,
    comment: Option<String>,
    at: String,
}

/// The concerns a rider raised (or that were raised for them at a counter), oldest first.
async fn my_concerns(db: &Db, user_id: &str) -> Result<Vec<crate::domain::concern::Concern>> {
    let ids: Vec<(String,)> =
        db::query_as("SELECT id FROM concerns WHERE rider_id = ? ORDER BY received_at")
            .bind(user_id)
            .fetch_all(db)
            .await?;
    let mut concerns = Vec::with_capacity(ids.len());
    for (id,) in ids {
        concerns.extend(crate::server::concerns::load_concern(db, &id).await?);
    }
    Ok(concerns)
}

/// Everything the server keeps about the caller, as a zip: `data.json` and `photos/<sha256>.<ext>`.
#[utoipa::path(get, path = "/me/data", tag = "accounts", operation_id = "my_data", security(("bearer" = [])),
    responses(
        (status = 200, description = "A zip: `data.json` (account, reports, points, check-ins, verdicts, concerns) and the photos the caller uploaded",
         content_type = "application/zip"),
        (status = 401, response = Unauthorized),
    )
)]
async fn my_data(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<impl IntoResponse> {
    let db = &state.db;
    let mut account: Account =
        db::query_as("SELECT id, name, role, phone, created_at FROM users WHERE id = ?")
            .bind(&user.id)
            .fetch_one(db)
            .await?;
    if let Some(sealed) = &account.phone {
        account.phone = Some(crate::server::phones::PhoneLock::of(db)?.open(sealed)?);
    }
    let ids: Vec<(String,)> =
        db::query_as("SELECT id FROM reports WHERE reporter_id = ? ORDER BY received_at")
            .bind(&user.id)
            .fetch_all(db)
            .await?;
    let ids: Vec<&str> = ids.iter().map(|r| r.0.as_str()).collect();
    let mut found = load_reports(db, &ids).await?;
    let reports = ids.iter().filter_map(|id| found.remove(*id)).collect();
    let data = MyData {
        exported_at: format_time(time::OffsetDateTime::now_utc()),
        account,
        reports,
        points: db::query_as(
            "SELECT report_id, reason, points, awarded_at FROM points WHERE user_id = ? ORDER BY awarded_at",
        )
        .bind(&user.id)
        .fetch_all(db)
        .await?,
        checkins: db::query_as(
            "SELECT id, station_id, scanned_at, received_at FROM checkins WHERE rider_id = ? ORDER BY scanned_at",
        )
        .bind(&user.id)
        .fetch_all(db)
        .await?,
        verdicts: db::query_as(
            "SELECT report_id, verdict, comment, at FROM verdicts WHERE user_id = ? ORDER BY at",
        )
        .bind(&user.id)
        .fetch_all(db)
        .await?,
        concerns: my_concerns(db, &user.id).await?,
    };
    let photos: Vec<(String, String, Vec<u8>)> = db::query_as(
        "SELECT p.sha256, p.content_type, p.bytes FROM photos p
         JOIN photo_uploads u ON u.sha256 = p.sha256 WHERE u.user_id = ? ORDER BY p.sha256",
    )
    .bind(&user.id)
    .fetch_all(db)
    .await?;
    let zip = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("data.json", options)?;
        zip.write_all(&serde_json::to_vec_pretty(&data)?)?;
        for (sha, content_type, bytes) in photos {
            let ext = content_type.rsplit('/').next().unwrap_or("bin");
            zip.start_file(format!("photos/{sha}.{ext}"), options)?;
            zip.write_all(&bytes)?;
        }
        Ok(zip.finish()?.into_inner())
    })
    .await
    .map_err(anyhow::Error::from)??;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"suishoupai-my-data.zip\"".to_owned(),
            ),
        ],
        zip,
    ))
}

/// Erases the caller's account (riders: staff accounts are the district's, revoked by an admin). Their reports
/// stay, as the district's, reported by 已注销用户.
#[utoipa::path(delete, path = "/me", tag = "accounts", operation_id = "erase_me", security(("bearer" = [])),
    responses(
        (status = 204, description = "Erased: the token no longer works"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
async fn erase(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<StatusCode> {
    if user.role != Role::Rider {
        return Err(Error::Forbidden);
    }
    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    // Their name out of the timelines of the reports they reported or followed (their verdicts' steps).
    let reports: Vec<(String,)> = db::query_as(
        "SELECT id FROM reports WHERE reporter_id = ?1
         UNION SELECT duplicate_of FROM reports WHERE reporter_id = ?1 AND duplicate_of IS NOT NULL",
    )
    .bind(&user.id)
    .fetch_all(&mut tx)
    .await?;
    for (id,) in &reports {
        forget_in_timeline(&mut tx, id, Some(&user.name), seq).await?;
    }
    for statement in [
        "DELETE FROM points WHERE user_id = ?1",
        "DELETE FROM photo_uploads WHERE user_id = ?1",
        "DELETE FROM tokens WHERE user_id = ?1",
        "DELETE FROM enrollment_codes WHERE user_id = ?1",
        "UPDATE verdicts SET comment = NULL WHERE user_id = ?1",
    ] {
        db::query(statement).bind(&user.id).execute(&mut tx).await?;
    }
    db::query(
        "UPDATE users SET name = ?2, phone = NULL, phone_lookup = NULL, pass_secret = ?4, revoked_at = ?3
         WHERE id = ?1",
    )
    .bind(&user.id)
    .bind(ERASED_NAME)
    .bind(super::accounts::unix_now())
    .bind(super::secret::new_pass_secret()?)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, "account erased at its owner's request");
    Ok(StatusCode::NO_CONTENT)
}

/// Drops a person from a report's timeline: the steps they made (`name`), or — `None` — every step no staff
/// action made (the reporter's verdicts). The report moves in the change feed.
async fn forget_in_timeline(
    tx: &mut Tx,
    report_id: &str,
    name: Option<&str>,
    seq: i64,
) -> Result<()> {
    let (timeline,): (String,) = db::query_as("SELECT timeline FROM reports WHERE id = ?")
        .bind(report_id)
        .fetch_one(&mut *tx)
        .await?;
    let mut steps: Vec<TimelineEntry> =
        serde_json::from_str(&timeline).map_err(anyhow::Error::from)?;
    for step in &mut steps {
        let theirs = match name {
            Some(n) => step.by.as_deref() == Some(n) && step.kind.is_none(),
            None => step.kind.is_none(),
        };
        if theirs && step.by.is_some() {
            step.by = Some(ERASED_NAME.to_owned());
        }
    }
    db::query("UPDATE reports SET timeline = ?, change_seq = ? WHERE id = ?")
        .bind(serde_json::to_string(&steps).map_err(anyhow::Error::from)?)
        .bind(seq)
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// How long closed reports keep who reported them, and their photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub months: u32,
    pub photo_months: u32,
    /// Where the district's policy asks: the reporter's own words (the description) go with their name.
    pub drop_notes: bool,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            months: 24,
            photo_months: 12,
            drop_notes: false,
        }
    }
}

/// What one run of retention did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retained {
    pub anonymized: u64,
    pub photos_removed: u64,
}

/// `at` moved back `months` calendar months (the day kept, or the month's last).
pub fn months_before(at: time::OffsetDateTime, months: u32) -> time::OffsetDateTime {
    let total = at.year() * 12 + at.month() as i32 - 1 - months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u8 + 1);
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    let day = at.day().min(month.length(year));
    at.replace_day(1)
        .and_then(|d| d.replace_year(year))
        .and_then(|d| d.replace_month(month))
        .and_then(|d| d.replace_day(day))
        .unwrap_or(at)
}

/// Closed reports closed more than `months` ago no longer name their reporter (they point at the anonymous
/// placeholder; the reporter's steps in the timeline go nameless); those closed more than `photo_months` ago lose
/// their photos (the hourly removal of unused photos then deletes the bytes). The figures keep counting them.
pub async fn apply_retention(
    state: &AppState,
    rules: Retention,
    now: time::OffsetDateTime,
) -> Result<Retained> {
    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    let stamp = format_time(now);
    let before = format_time(months_before(now, rules.months));
    let due: Vec<(String,)> = db::query_as(
        "SELECT id FROM reports WHERE closed_at IS NOT NULL AND closed_at < ? AND anonymized_at IS NULL",
    )
    .bind(&before)
    .fetch_all(&mut tx)
    .await?;
    if !due.is_empty() {
        // The placeholder they point at: never signs in (no secret matches, revoked from the start), never listed.
        db::query(
            "INSERT INTO users (id, name, role, pass_secret, created_at, revoked_at)
             VALUES (?1, '匿名', 'rider', '', 0, 0) ON CONFLICT DO NOTHING",
        )
        .bind(ANONYMOUS)
        .execute(&mut tx)
        .await?;
    }
    for (id,) in &due {
        forget_in_timeline(&mut tx, id, None, seq).await?;
        db::query("UPDATE reports SET reporter_id = ?, anonymized_at = ? WHERE id = ?")
            .bind(ANONYMOUS)
            .bind(&stamp)
            .bind(id)
            .execute(&mut tx)
            .await?;
        if rules.drop_notes {
            // The stored fingerprint stays: a phone replaying the original report still gets its replay.
            let (submitted,): (String,) =
                db::query_as("SELECT submitted FROM reports WHERE id = ?")
                    .bind(id)
                    .fetch_one(&mut tx)
                    .await?;
            let mut submitted: serde_json::Value =
                serde_json::from_str(&submitted).map_err(anyhow::Error::from)?;
            submitted["description"] = "".into();
            db::query("UPDATE reports SET submitted = ? WHERE id = ?")
                .bind(submitted.to_string())
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
    }
    let photo_before = format_time(months_before(now, rules.photo_months));
    let photos = db::query(
        "DELETE FROM report_photos WHERE report_id IN (SELECT id FROM reports
           WHERE closed_at IS NOT NULL AND closed_at < ? AND photos_removed_at IS NULL)",
    )
    .bind(&photo_before)
    .execute(&mut tx)
    .await?
    .rows_affected();
    db::query(
        "UPDATE reports SET photos_removed_at = ? WHERE closed_at IS NOT NULL AND closed_at < ?
           AND photos_removed_at IS NULL",
    )
    .bind(&stamp)
    .bind(&photo_before)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(Retained {
        anonymized: due.len() as u64,
        photos_removed: photos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_back_keep_the_day_or_take_the_months_last() {
        let at = |y, m, d| {
            time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d)
                .unwrap()
                .midnight()
                .assume_utc()
        };
        assert_eq!(months_before(at(2026, 12, 1), 24), at(2024, 12, 1));
        assert_eq!(months_before(at(2026, 3, 31), 1), at(2026, 2, 28));
        assert_eq!(months_before(at(2026, 1, 15), 1), at(2025, 12, 15));
        assert_eq!(months_before(at(2024, 3, 31), 1), at(2024, 2, 29));
    }
}
