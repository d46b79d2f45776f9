//! Reports as the protocol shows them, read in one query each or a page at a time (no visibility check here:
//! callers decide who may see what, with [`super::Viewer`]).
use crate::server::db::{self, Db};

use super::duplicates::possible_duplicates;
use crate::domain::{Report, ReportStatus, ReportSubmission};
use crate::server::{Error, Result};

/// A report's row as the queries below read it.
#[derive(sqlx::FromRow)]
pub struct ReportRow {
    /// Its possible duplicates still open, as a JSON array (kept since receipt).
    open_duplicates: Option<String>,
    /// Received before possible duplicates were kept: they are found when it is read.
    duplicates_unknown: bool,
    duplicate_of: Option<String>,
    id: String,
    reporter_id: String,
    submitted: String,
    reporter_name: String,
    grid_id: Option<String>,
    status: String,
    level: i64,
    version: i64,
    received_at: String,
    updated_at: String,
    deadline: Option<String>,
    department_id: Option<String>,
    acknowledge_deadline: Option<String>,
    timeline: String,
    points_awarded: i64,
    hotspot: bool,
    satisfied: i64,
    unsatisfied: i64,
    /// Everyone's verdict on the current resolution, as a JSON object by user id.
    round_verdicts: Option<String>,
    /// How many reports joined it (or were rejected as its duplicates).
    joined: i64,
    concern_id: Option<String>,
}

/// Reports with their reporters' names and their possible duplicates still open; the condition on `r` follows.
/// The few listed duplicates are looked up by id (CROSS JOIN keeps that order: through the grid's index SQLite
/// read every report of the grid for each report loaded, found by the storm benchmark). PostgreSQL's text has its
/// JSON functions.
macro_rules! select_reports {
    (sqlite, $condition:literal) => {
        concat!(
            "SELECT (SELECT json_group_array(o.id ORDER BY d.key) FROM json_each(r.possible_duplicates) d
                       CROSS JOIN reports o ON o.id = d.value AND o.grid_id IS r.grid_id
                       WHERE o.status IN ('received', 'accepted', 'in_progress')) AS open_duplicates,",
            select_reports!(columns),
            "(SELECT json_group_object(v.user_id, v.verdict) FROM verdicts v
                     WHERE v.report_id = r.id AND v.resolution = r.reopened + 1) AS round_verdicts,",
            select_reports!(rest),
            $condition
        )
    };
    (postgres, $condition:literal) => {
        concat!(
            "SELECT (SELECT json_agg(o.id ORDER BY d.key)::text
                       FROM json_array_elements_text(r.possible_duplicates::json) WITH ORDINALITY AS d (value, key)
                       JOIN reports o ON o.id = d.value AND o.grid_id IS NOT DISTINCT FROM r.grid_id
                       WHERE o.status IN ('received', 'accepted', 'in_progress')) AS open_duplicates,",
            select_reports!(columns),
            "(SELECT json_object_agg(v.user_id, v.verdict)::text FROM verdicts v
                     WHERE v.report_id = r.id AND v.resolution = r.reopened + 1) AS round_verdicts,",
            select_reports!(rest),
            $condition
        )
    };
    (columns) => {
        "
                    r.possible_duplicates IS NULL AS duplicates_unknown,
                    r.duplicate_of, r.id, r.reporter_id, r.submitted, u.name AS reporter_name, r.grid_id, r.status,
                    r.level, r.version, r.received_at, r.updated_at, r.deadline, r.department_id, r.acknowledge_deadline, r.timeline, r.points_awarded, r.hotspot, r.satisfied, r.unsatisfied,
                    "
    };
    (rest) => {
        "
                    (SELECT COUNT(*) FROM reports m WHERE m.duplicate_of = r.id) AS joined, r.concern_id
             FROM reports r JOIN users u ON u.id = r.reporter_id WHERE "
    };
}

/// One report (?1: its id).
pub const LOAD_REPORT_SQL: &str = select_reports!(sqlite, "r.id = ?1");
const LOAD_REPORT_SQL_POSTGRES: &str = select_reports!(postgres, "r.id = ?1");

/// Several reports at once (?1: their ids as a JSON array).
pub const LOAD_REPORTS_SQL: &str =
    select_reports!(sqlite, "r.id IN (SELECT value FROM json_each(?1))");
const LOAD_REPORTS_SQL_POSTGRES: &str = select_reports!(
    postgres,
    "r.id IN (SELECT value FROM json_array_elements_text(?1::json))"
);

/// A report as the protocol shows it (no visibility check: callers decide who may see it).
pub async fn load_report(db: &Db, id: &str) -> Result<Option<Report>> {
    let row: Option<ReportRow> =
        db::query_as(db.backend().pick(LOAD_REPORT_SQL, LOAD_REPORT_SQL_POSTGRES))
            .bind(id)
            .fetch_optional(db)
            .await?;
    match row {
        Some(row) => Ok(Some(report_of(db, row).await?)),
        None => Ok(None),
    }
}

/// Reports as the protocol shows them, by id, in one query (no visibility check; unknown ids are left out).
pub async fn load_reports(
    db: &Db,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, Report>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let ids = serde_json::to_string(ids).map_err(anyhow::Error::from)?;
    let rows: Vec<ReportRow> = db::query_as(
        db.backend()
            .pick(LOAD_REPORTS_SQL, LOAD_REPORTS_SQL_POSTGRES),
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    let mut reports = std::collections::HashMap::with_capacity(rows.len());
    for row in rows {
        let report = report_of(db, row).await?;
        reports.insert(report.id.clone(), report);
    }
    Ok(reports)
}

async fn report_of(db: &Db, row: ReportRow) -> Result<Report> {
    let ReportRow {
        open_duplicates,
        duplicates_unknown,
        duplicate_of,
        id,
        reporter_id,
        submitted,
        reporter_name,
        grid_id,
        status,
        level,
        version,
        received_at,
        updated_at,
        deadline,
        department_id,
        acknowledge_deadline,
        timeline,
        points_awarded: points,
        hotspot,
        satisfied,
        unsatisfied,
        round_verdicts,
        joined,
        concern_id,
    } = row;
    let decode = |what: &str, e: serde_json::Error| {
        Error::Internal(anyhow::anyhow!("{what} of report {id}: {e}"))
    };
    let submitted: ReportSubmission =
        serde_json::from_str(&submitted).map_err(|e| decode("content", e))?;
    // Kept since the report was received, those still open; found now for reports from before that.
    let possible_duplicates = if duplicates_unknown {
        possible_duplicates(db, &id, &submitted, &received_at).await?
    } else {
        serde_json::from_str(open_duplicates.as_deref().unwrap_or("[]"))
            .map_err(|e| decode("possible duplicates", e))?
    };
    Ok(Report {
        possible_duplicates,
        duplicate_of,
        submitted,
        reporter_name,
        grid_id,
        status: ReportStatus::from_code(&status)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("status {status:?} of report {id}")))?,
        level: level as u8,
        version,
        received_at,
        updated_at,
        deadline,
        department_id,
        acknowledge_deadline,
        timeline: serde_json::from_str(&timeline).map_err(|e| decode("timeline", e))?,
        points_awarded: points,
        hotspot,
        verdicts: crate::domain::verdict::VerdictCounts {
            satisfied,
            unsatisfied,
        },
        my_verdict: None,
        round_verdicts: serde_json::from_str(round_verdicts.as_deref().unwrap_or("{}"))
            .map_err(|e| decode("verdicts", e))?,
        joined: joined.try_into().unwrap_or(u32::MAX),
        reporter_id,
        id,
        concern_id,
    })
}
