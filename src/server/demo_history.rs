//! `suishoupai demo-history`: three months (or any number) of a district's life for the demo — reports in every
//! grid, answered and resolved the way a grid's workers do it, one grid (团结社区's 大弯街道北网格) that starts
//! badly (answers days late, a recurring manhole problem) and improves month by month — so the dashboard has
//! figures, a trend and a grid going red → yellow → green. Seven in ten reporters give a verdict (fewer 满意 where
//! the grid works badly); a first 不满意 reopens the task, which is resolved and judged again. The days are lived in order: each day's reports are
//! received, the day's actions applied, and the grids' colours judged and recorded at the day's end, exactly as
//! `serve` records them; nothing in the history is written by hand.
use crate::server::db::{self, Db};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use anyhow::Context;
use time::{Duration, OffsetDateTime};

use crate::domain::photo::sha256_hex;
use crate::domain::timestamp::format_time;
use crate::domain::verdict::Verdict;
use crate::domain::{GeoPoint, Grid, ReportStatus, ReportSubmission, Role, TimelineEntry};
use crate::server::accounts::{create_user, NewUser};
use crate::server::changes::next_change_seq;
use crate::server::figures::Scope;
use crate::server::reports::is_recurring;
use crate::server::warnings::judge_and_record;
use crate::server::AppState;

/// The grid that improves: red in the first month, yellow in the second, green in the third.
pub const IMPROVING_GRID: &str = "demo-grid-05";
/// The reporter of the generated reports (one run per database).
const REPORTER: &str = "演示历史骑手";

/// A small deterministic generator: the same history for the same seed.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
    fn minutes(&mut self, from: i64, to: i64) -> Duration {
        Duration::minutes(from + self.below((to - from).max(1) as u64) as i64)
    }
}

/// What happens to a report later: accepted or rejected (the answer), resolved — or, with `verdict`, its
/// reporter's verdict on its resolution.
#[derive(Debug, Clone)]
struct Step {
    at: OffsetDateTime,
    report: String,
    to: ReportStatus,
    verdict: Option<Verdict>,
}

/// A reporter's verdict: mostly 满意, less so where the grid works badly.
fn verdict_of(rng: &mut Lcg, satisfied_percent: u64) -> Verdict {
    if rng.below(100) < satisfied_percent {
        Verdict::Satisfied
    } else {
        Verdict::Unsatisfied
    }
}

/// How many reports were written, and how many colour changes recorded.
#[derive(Debug)]
pub struct Written {
    pub reports: usize,
    pub colour_changes: i64,
}

/// A point inside `grid`, drawn until one falls in (its centre after 50 tries).
fn inside(grid: &Grid, rng: &mut Lcg) -> Option<GeoPoint> {
    let (mut s, mut n, mut w, mut e) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in &grid.polygon {
        (s, n, w, e) = (s.min(p.lat), n.max(p.lat), w.min(p.lon), e.max(p.lon));
    }
    for _ in 0..50 {
        let p = GeoPoint::new(
            s + (n - s) * rng.below(10_000) as f64 / 10_000.0,
            w + (e - w) * rng.below(10_000) as f64 / 10_000.0,
        );
        if grid.contains(p) {
            return Some(p);
        }
    }
    grid.centre()
}

/// Writes `days` of history up to `now` into the database of `state`.
pub async fn generate(
    state: &AppState,
    days: i64,
    seed: u64,
    now: OffsetDateTime,
) -> anyhow::Result<Written> {
    let District {
        grids,
        categories,
        reporter,
    } = district(&state.db).await?;
    let rules = state.config.deadlines;
    let mut rng = Lcg(seed);
    let mut plan = Plan::default();
    let start = now - Duration::days(days);
    let improving = grids.iter().find(|g| g.id == IMPROVING_GRID).cloned();
    // The improving grid's recurring problem: a manhole cover at one corner that keeps going missing.
    let trouble = improving
        .as_ref()
        .and_then(|g| inside(g, &mut Lcg(seed ^ 7)));
    let mut written = 0;
    for day in 0..days {
        let day_start = start + Duration::days(day);
        let day_end = day_start + Duration::days(1);
        // Which third of the history: how well the improving grid works.
        let phase = (day * 3 / days.max(1)).min(2);
        let today = Day {
            day,
            start: day_start,
            phase,
            now,
        };
        for (grid_id, received, submitted) in today.reports(&grids, &categories, trouble, &mut rng)
        {
            let id = uuid::Uuid::now_v7().to_string();
            let poor = grid_id == IMPROVING_GRID;
            insert(
                state,
                &id,
                &reporter.id,
                &grid_id,
                &submitted,
                received,
                &rules,
            )
            .await?;
            written += 1;
            plan.answers(id, poor, phase, received, &mut rng);
        }
        while let Some(step) = plan.next_by(day_end.min(now)) {
            let Some(verdict) = step.verdict else {
                apply(state, &step, &rules).await?;
                continue;
            };
            // 不满意 the first time reopens the task: the grid resolves it again, and the reporter judges again.
            if give_verdict(state, &step, verdict, &reporter).await? {
                let again = step.at + rng.minutes(120, 20 * 60);
                let next = verdict_of(&mut rng, 85);
                for (at, verdict) in [(again, None), (again + rng.minutes(60, 1440), Some(next))] {
                    plan.add(Step {
                        at,
                        report: step.report.clone(),
                        to: ReportStatus::Resolved,
                        verdict,
                    });
                }
            }
        }
        judge_and_record(state, &Scope::default(), day_end.min(now)).await?;
    }
    let (colour_changes,): (i64,) = db::query_as("SELECT count(*) FROM warning_history")
        .fetch_one(&state.db)
        .await?;
    Ok(Written {
        reports: written,
        colour_changes,
    })
}

/// What the history is written over: the grids and categories in service, and its own reporter.
struct District {
    grids: Vec<Grid>,
    categories: Vec<String>,
    reporter: crate::domain::User,
}

/// The district of a database without a demo history yet (else an error).
async fn district(db: &Db) -> anyhow::Result<District> {
    let already: Option<(String,)> = db::query_as("SELECT id FROM users WHERE name = ?")
        .bind(REPORTER)
        .fetch_optional(db)
        .await?;
    anyhow::ensure!(
        already.is_none(),
        "this database already has a demo history"
    );
    let grids: Vec<Grid> = crate::server::reference::list_grids(db)
        .await?
        .into_iter()
        .filter(|g| !g.retired)
        .collect();
    anyhow::ensure!(
        !grids.is_empty(),
        "no grids: start with --demo or import the district's grids first"
    );
    let categories: Vec<String> = crate::server::reference::list_categories(db)
        .await?
        .into_iter()
        .filter(|c| !c.retired)
        .map(|c| c.code)
        .collect();
    anyhow::ensure!(!categories.is_empty(), "no categories");
    let reporter = create_user(
        db,
        NewUser {
            id: None,
            role: Role::Rider,
            name: REPORTER.into(),
            grid_id: None,
            station_id: None,
            department_id: None,
            street: None,
            phone: None,
        },
    )
    .await
    .context("creating the demo reporter")?;
    Ok(District {
        grids,
        categories,
        reporter,
    })
}

/// One day of the history.
struct Day {
    day: i64,
    start: OffsetDateTime,
    /// Which third of the history: how well the improving grid works.
    phase: i64,
    now: OffsetDateTime,
}

impl Day {
    /// The day's reports (grid, when received, what), in the order received: a few in every grid, more in the
    /// improving one, and in its first third the recurring missing cover at `trouble` every fourth day.
    fn reports(
        &self,
        grids: &[Grid],
        categories: &[String],
        trouble: Option<GeoPoint>,
        rng: &mut Lcg,
    ) -> Vec<(String, OffsetDateTime, ReportSubmission)> {
        let mut new = vec![];
        for grid in grids {
            let poor = grid.id == IMPROVING_GRID;
            let count = if poor { 1 + rng.below(3) } else { rng.below(3) };
            for _ in 0..count {
                let Some(at) = inside(grid, rng) else {
                    continue;
                };
                let received = (self.start + rng.minutes(0, 1440)).min(self.now);
                let category = categories[rng.below(categories.len() as u64) as usize].clone();
                new.push((
                    grid.id.clone(),
                    received,
                    submission(category, at, received, rng),
                ));
            }
            if poor && self.phase == 0 && self.day % 4 == 0 {
                if let Some(at) = trouble {
                    let received = (self.start + Duration::hours(1)).min(self.now);
                    let mut s = submission(categories[0].clone(), at, received, rng);
                    s.description = "井盖又不见了".into();
                    new.push((grid.id.clone(), received, s));
                }
            }
        }
        new.sort_by_key(|(_, at, _)| *at);
        new
    }
}

/// The steps to come, by time (then in the order they were planned).
#[derive(Default)]
struct Plan {
    planned: Vec<Step>,
    steps: BinaryHeap<Reverse<(OffsetDateTime, usize)>>,
}

impl Plan {
    fn add(&mut self, step: Step) {
        self.steps.push(Reverse((step.at, self.planned.len())));
        self.planned.push(step);
    }

    /// The next step due by `by`, if any.
    fn next_by(&mut self, by: OffsetDateTime) -> Option<Step> {
        let Reverse((at, i)) = *self.steps.peek()?;
        if at > by {
            return None;
        }
        self.steps.pop();
        Some(self.planned[i].clone())
    }

    /// The answer and the 办结 of report `id`, as its grid's workers give them in this `phase` (the deadlines: an
    /// answer within 2 hours, 办结 within 24 hours of it), and the reporter's verdict (seven in ten give one,
    /// within two days).
    fn answers(
        &mut self,
        id: String,
        poor: bool,
        phase: i64,
        received: OffsetDateTime,
        rng: &mut Lcg,
    ) {
        let (answer, resolve) = match (poor, phase) {
            (true, 0) => (rng.minutes(1440, 3 * 1440), rng.minutes(1440, 6 * 1440)),
            (true, 1) => (rng.minutes(30, 150), rng.minutes(600, 30 * 60)),
            _ if rng.below(100) < 5 => (rng.minutes(60, 180), rng.minutes(20 * 60, 40 * 60)),
            _ => (rng.minutes(10, 90), rng.minutes(120, 20 * 60)),
        };
        let answered = received + answer;
        let step = |at, to, verdict| Step {
            at,
            report: id.clone(),
            to,
            verdict,
        };
        if rng.below(100) < 4 {
            self.add(step(answered, ReportStatus::Rejected, None));
            return;
        }
        self.add(step(answered, ReportStatus::Accepted, None));
        self.add(step(answered + resolve, ReportStatus::Resolved, None));
        if rng.below(100) < 70 {
            let satisfied = match (poor, phase) {
                (true, 0) => 45,
                (true, 1) => 85,
                _ => 93,
            };
            let at = answered + resolve + rng.minutes(60, 2 * 1440);
            let verdict = verdict_of(rng, satisfied);
            self.add(step(at, ReportStatus::Resolved, Some(verdict)));
        }
    }
}

fn submission(
    category: String,
    at: GeoPoint,
    received: OffsetDateTime,
    rng: &mut Lcg,
) -> ReportSubmission {
    serde_json::from_value(serde_json::json!({
        "category": category,
        "urgent": rng.below(10) == 0,
        "description": "演示历史上报",
        "lat": at.lat,
        "lon": at.lon,
        "captured_at": format_time(received - Duration::minutes(2)),
    }))
    .expect("a report submission")
}

/// A report received at `received`, as `PUT /reports` writes it.
async fn insert(
    state: &AppState,
    id: &str,
    reporter: &str,
    grid: &str,
    submitted: &ReportSubmission,
    received: OffsetDateTime,
    rules: &crate::domain::task::DeadlineRules,
) -> anyhow::Result<()> {
    let at = format_time(received);
    let hotspot = is_recurring(&state.db, id, submitted, &at).await?;
    let json = serde_json::to_string(submitted)?;
    let deadline = rules
        .after(
            ReportStatus::Received,
            1,
            submitted.urgent,
            received,
            None,
            None,
        )
        .map(format_time);
    let timeline = vec![entry(&at, ReportStatus::Received, None)];
    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    db::query(
        "INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, grid_by_nearest, status,
                              level, version, received_at, updated_at, timeline, change_seq, deadline, lat, lon,
                              possible_duplicates, hotspot)
         VALUES (?, ?, ?, ?, ?, ?, FALSE, 'received', 1, 1, ?, ?, ?, ?, ?, ?, ?, '[]', ?)",
    )
    .bind(id)
    .bind(reporter)
    .bind(sha256_hex(json.as_bytes()))
    .bind(&json)
    .bind(&submitted.category)
    .bind(grid)
    .bind(&at)
    .bind(&at)
    .bind(serde_json::to_string(&timeline)?)
    .bind(seq)
    .bind(deadline)
    .bind(submitted.lat)
    .bind(submitted.lon)
    .bind(hotspot)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

fn entry(
    at: &str,
    status: ReportStatus,
    kind: Option<crate::domain::task::ActionKind>,
) -> TimelineEntry {
    TimelineEntry {
        kind,
        ..TimelineEntry::new(at, status)
    }
}

/// An answer or a 办结 at its time: the status, the deadline that follows, the times the figures read, the
/// timeline.
async fn apply(
    state: &AppState,
    step: &Step,
    rules: &crate::domain::task::DeadlineRules,
) -> anyhow::Result<()> {
    use crate::domain::task::ActionKind;
    let at = format_time(step.at);
    let kind = match step.to {
        ReportStatus::Accepted => ActionKind::Accept,
        ReportStatus::Rejected => ActionKind::Reject,
        _ => ActionKind::Resolve,
    };
    let deadline = rules
        .after(step.to, 1, false, step.at, Some(kind), None)
        .map(format_time);
    let (_turn, mut tx) = state.begin_write().await?;
    let (timeline,): (String,) = db::query_as("SELECT timeline FROM reports WHERE id = ?")
        .bind(&step.report)
        .fetch_one(&mut tx)
        .await?;
    let mut timeline: Vec<TimelineEntry> = serde_json::from_str(&timeline)?;
    timeline.push(entry(&at, step.to, Some(kind)));
    let seq = next_change_seq(&mut tx).await?;
    db::query(
        "UPDATE reports SET status = ?2, deadline = ?3, timeline = ?4, version = version + 1, updated_at = ?5,
                change_seq = ?6, responded_at = coalesce(responded_at, ?5),
                closed_at = CASE WHEN ?2 IN ('resolved', 'rejected') THEN ?5 END
         WHERE id = ?1",
    )
    .bind(&step.report)
    .bind(step.to.code())
    .bind(deadline)
    .bind(serde_json::to_string(&timeline)?)
    .bind(&at)
    .bind(seq)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The reporter's verdict on a report's current resolution, recorded as `PUT /verdicts` records it; `true` when
/// it reopened the task. Nothing when the report is not resolved at that time.
async fn give_verdict(
    state: &AppState,
    step: &Step,
    verdict: Verdict,
    reporter: &crate::domain::User,
) -> anyhow::Result<bool> {
    use crate::server::verdicts::{rated, record, Given};
    let (_turn, mut tx) = state.begin_write().await?;
    let Some(report) = rated(&mut tx, &step.report).await? else {
        return Ok(false);
    };
    if report.status != ReportStatus::Resolved.code() {
        return Ok(false);
    }
    let given = Given {
        id: &uuid::Uuid::now_v7().to_string(),
        report_id: &step.report,
        user_id: &reporter.id,
        user_name: &reporter.name,
        verdict,
        comment: None,
        fingerprint: "demo-history",
        at: step.at,
    };
    let reopened = record(&mut tx, state.config.deadlines, &report, &given).await?;
    tx.commit().await?;
    Ok(reopened)
}
