//! The district's figures against a brute-force count over generated reports: every figure, for each grouping,
//! several periods (with their previous periods) and each scope; and who may read them.
use std::collections::{BTreeMap, HashMap};
use suishoupai::server::db;

use serde_json::Value;
use suishoupai::domain::figures::{nearest_rank, Every, Figures, GroupBy, Period};
use suishoupai::domain::timestamp::format_time;
use suishoupai::domain::Role;
use suishoupai::server::figures::{stats_for, trend, Scope};
use time::{Duration, OffsetDateTime};

use crate::common::{new_id, report_body, TestServer};

/// One generated report, as the brute force sees it.
#[derive(Debug, Clone)]
struct Generated {
    grid: String,
    category: String,
    status: &'static str,
    received: OffsetDateTime,
    responded: Option<OffsetDateTime>,
    closed: Option<OffsetDateTime>,
    deadline: Option<OffsetDateTime>,
}

/// A small deterministic generator (the same reports every run; a failure names the report).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const STATUSES: [&str; 5] = [
    "received",
    "accepted",
    "in_progress",
    "resolved",
    "rejected",
];

async fn generate(server: &TestServer, n: usize, now: OffsetDateTime) -> Vec<Generated> {
    let grids: Vec<(String,)> = db::query_as("SELECT id FROM grids ORDER BY id")
        .fetch_all(&server.db)
        .await
        .unwrap();
    let categories: Vec<(String,)> = db::query_as("SELECT code FROM categories ORDER BY code")
        .fetch_all(&server.db)
        .await
        .unwrap();
    let reporter = server.enrolled(Role::Rider, "骑手").await.user.id;
    let start = suishoupai::domain::timestamp::parse_time("2026-08-25T00:00:00Z").unwrap();
    let mut rng = Lcg(20261130);
    let mut made = vec![];
    for i in 0..n {
        let received = start + Duration::minutes(rng.next(150 * 24 * 60) as i64);
        let status = STATUSES[rng.next(5) as usize];
        // Some open tasks were already answered (accepted, noted …); every closed one was.
        let responded = (status != "received" || rng.next(3) == 0)
            .then(|| received + Duration::seconds(rng.next(3 * 24 * 3600) as i64 + 1));
        let closed = matches!(status, "resolved" | "rejected")
            .then(|| responded.unwrap() + Duration::seconds(rng.next(10 * 24 * 3600) as i64));
        let deadline = (!matches!(status, "resolved" | "rejected"))
            .then(|| now + Duration::hours(rng.next(200) as i64 - 100));
        let g = Generated {
            grid: grids[rng.next(grids.len() as u64) as usize].0.clone(),
            category: categories[rng.next(categories.len() as u64) as usize]
                .0
                .clone(),
            status,
            received,
            responded,
            closed,
            deadline,
        };
        db::query(
            "INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, status, level, version,
                                  received_at, updated_at, deadline, timeline, change_seq, responded_at, closed_at)
             VALUES (?, ?, 'f', '{}', ?, ?, ?, 1, 1, ?, ?, ?, '[]', ?, ?, ?)",
        )
        .bind(format!("gen-{i}"))
        .bind(&reporter)
        .bind(&g.category)
        .bind(&g.grid)
        .bind(g.status)
        .bind(format_time(g.received))
        .bind(format_time(g.received))
        .bind(g.deadline.map(format_time))
        .bind(100_000 + i as i64)
        .bind(g.responded.map(format_time))
        .bind(g.closed.map(format_time))
        .execute(&server.db)
        .await
        .unwrap();
        made.push(g);
    }
    made
}

/// The figures of these reports, counted one by one.
fn brute_force(reports: &[&Generated], now: OffsetDateTime) -> Figures {
    let open = |g: &&&Generated| matches!(g.status, "received" | "accepted" | "in_progress");
    let count = |status: &str| reports.iter().filter(|g| g.status == status).count() as i64;
    let minutes = |a: OffsetDateTime, b: OffsetDateTime| (b - a).as_seconds_f64() / 60.0;
    let mut respond: Vec<f64> = reports
        .iter()
        .filter_map(|g| Some(minutes(g.received, g.responded?)))
        .collect();
    let mut resolve: Vec<f64> = reports
        .iter()
        .filter(|g| g.status == "resolved")
        .map(|g| minutes(g.received, g.closed.unwrap()))
        .collect();
    respond.sort_by(f64::total_cmp);
    resolve.sort_by(f64::total_cmp);
    let (received, resolved, rejected) =
        (reports.len() as i64, count("resolved"), count("rejected"));
    Figures {
        received,
        open: reports.iter().filter(open).count() as i64,
        overdue: reports
            .iter()
            .filter(open)
            .filter(|g| g.deadline.is_some_and(|d| d < now))
            .count() as i64,
        resolved,
        rejected,
        resolution_rate: (received > rejected)
            .then(|| resolved as f64 / (received - rejected) as f64),
        respond_minutes_p50: nearest_rank(&respond, 50),
        respond_minutes_p90: nearest_rank(&respond, 90),
        resolve_minutes_p50: nearest_rank(&resolve, 50),
        resolve_minutes_p90: nearest_rank(&resolve, 90),
        satisfaction: None,
    }
}

fn assert_close(got: &Figures, want: &Figures, what: &str) {
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-3,
        (a, b) => a.is_none() && b.is_none(),
    };
    let counts = |f: &Figures| (f.received, f.open, f.overdue, f.resolved, f.rejected);
    assert_eq!(counts(got), counts(want), "{what}: counts");
    for (name, a, b) in [
        ("办结率", got.resolution_rate, want.resolution_rate),
        (
            "respond p50",
            got.respond_minutes_p50,
            want.respond_minutes_p50,
        ),
        (
            "respond p90",
            got.respond_minutes_p90,
            want.respond_minutes_p90,
        ),
        (
            "resolve p50",
            got.resolve_minutes_p50,
            want.resolve_minutes_p50,
        ),
        (
            "resolve p90",
            got.resolve_minutes_p90,
            want.resolve_minutes_p90,
        ),
    ] {
        assert!(close(a, b), "{what}: {name} {a:?} ≠ {b:?}");
    }
}

#[tokio::test]
async fn every_figure_matches_a_count_made_report_by_report() {
    let server = TestServer::start().await;
    let now = suishoupai::domain::timestamp::parse_time("2026-11-30T12:00:00Z").unwrap();
    let reports = generate(&server, 1500, now).await;
    let grids: HashMap<String, (String, String)> =
        db::query_as::<(String, String, String)>("SELECT id, community, street FROM grids")
            .fetch_all(&server.db)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, community, street)| (id, (community, street)))
            .collect();
    // Whether a report is in what a scope reads.
    let in_scope = |g: &Generated, scope: &Scope| {
        let (community, street) = &grids[&g.grid];
        scope.street.as_ref().is_none_or(|s| street == s)
            && scope.grid.as_ref().is_none_or(|id| &g.grid == id)
            && scope.community.as_ref().is_none_or(|c| community == c)
    };
    let key = |g: &Generated, by: GroupBy| match by {
        GroupBy::Grid => g.grid.clone(),
        GroupBy::Community => grids[&g.grid].0.clone(),
        GroupBy::Street => grids[&g.grid].1.clone(),
        GroupBy::Category => g.category.clone(),
    };
    let scopes = [
        Scope::default(),
        Scope {
            street: Some("大同街道".into()),
            ..Scope::default()
        },
        Scope {
            grid: Some("demo-grid-03".into()),
            ..Scope::default()
        },
        Scope {
            community: Some("大同社区".into()),
            ..Scope::default()
        },
    ];
    let mut compared = 0;
    for (from, to) in [
        ("2026-11-01", "2026-11-30"),
        ("2026-10-15", "2026-11-14"),
        ("2026-09-30", "2026-09-30"),
    ] {
        let period = Period::parse(from, to).unwrap();
        for scope in &scopes {
            for by in [
                GroupBy::Grid,
                GroupBy::Community,
                GroupBy::Street,
                GroupBy::Category,
            ] {
                let stats = stats_for(&server.db, period, scope, by, now).await.unwrap();
                for (p, rows_of, total) in [
                    (period, true, &stats.total),
                    (period.previous(), false, &stats.total_previous),
                ] {
                    let (start, end) = p.bounds();
                    let inside: Vec<&Generated> = reports
                        .iter()
                        .filter(|g| {
                            let at = format_time(g.received);
                            at >= start && at < end
                        })
                        .filter(|g| in_scope(g, scope))
                        .collect();
                    let what = format!("{from}..{to} {scope:?} {by:?} previous={}", !rows_of);
                    assert_close(total, &brute_force(&inside, now), &format!("{what} total"));
                    let mut groups: BTreeMap<String, Vec<&Generated>> = BTreeMap::new();
                    for g in &inside {
                        groups.entry(key(g, by)).or_default().push(g);
                    }
                    if rows_of {
                        let keys: Vec<&String> = stats.rows.iter().map(|r| &r.key).collect();
                        assert_eq!(
                            keys,
                            groups.keys().collect::<Vec<_>>(),
                            "{what}: the groups"
                        );
                    }
                    for row in &stats.rows {
                        let (got, want) = match groups.get(&row.key) {
                            Some(g) => (
                                if rows_of { &row.figures } else { &row.previous },
                                brute_force(g, now),
                            ),
                            None => (&row.previous, Figures::default()),
                        };
                        if rows_of || groups.contains_key(&row.key) {
                            assert_close(got, &want, &format!("{what} {}", row.key));
                            compared += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(compared > 200, "only {compared} rows compared");

    // 同比: a period with nothing in it, beside the same days a year before that have reports.
    let later = Period::parse("2027-08-25", "2027-09-30").unwrap();
    let stats = stats_for(&server.db, later, &Scope::default(), GroupBy::Street, now)
        .await
        .unwrap();
    let (start, end) = later.year_before().bounds();
    let then: Vec<&Generated> = reports
        .iter()
        .filter(|g| (start.clone()..end.clone()).contains(&format_time(g.received)))
        .collect();
    assert!(!then.is_empty());
    assert_eq!(stats.year_before.unwrap().from, "2026-08-25");
    assert_close(
        &stats.total_year_before.unwrap(),
        &brute_force(&then, now),
        "a year before",
    );
    let nothing_then = stats_for(
        &server.db,
        period_of("2026-11-01", "2026-11-30"),
        &Scope::default(),
        GroupBy::Street,
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        nothing_then.year_before, None,
        "no reports in 2025: no 同比"
    );

    // The trend, per week and per month, against the same count.
    for every in [Every::Week, Every::Month] {
        for scope in &scopes {
            let period = period_of("2026-09-03", "2026-11-30");
            let trend = trend(&server.db, period, scope, every, now).await.unwrap();
            let buckets = period.buckets(every);
            assert_eq!(trend.points.len(), buckets.len());
            for (point, bucket) in trend.points.iter().zip(&buckets) {
                let (start, end) = bucket.bounds();
                let inside: Vec<&Generated> = reports
                    .iter()
                    .filter(|g| (start.clone()..end.clone()).contains(&format_time(g.received)))
                    .filter(|g| in_scope(g, scope))
                    .collect();
                let want = brute_force(&inside, now);
                let what = format!("{every:?} {scope:?} {:?}", point.period);
                assert_eq!(point.period, bucket.dates(), "{what}");
                assert_eq!(
                    (
                        point.received,
                        point.open,
                        point.overdue,
                        point.resolved,
                        point.rejected
                    ),
                    (
                        want.received,
                        want.open,
                        want.overdue,
                        want.resolved,
                        want.rejected
                    ),
                    "{what}"
                );
            }
            assert!(
                trend.points.iter().map(|p| p.received).sum::<i64>() > 0 || scope.grid.is_some()
            );
        }
    }
}

fn period_of(from: &str, to: &str) -> Period {
    Period::parse(from, to).unwrap()
}

#[tokio::test]
async fn answering_and_resolving_a_task_shows_in_the_figures_and_only_the_right_people_read_them() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    let id = new_id();
    let report: Value = server
        .put_report(&rider, &id, &report_body(&[]))
        .await
        .json()
        .await
        .unwrap();
    let grid = report["grid_id"].as_str().unwrap().to_owned();
    let worker = server.grid_worker_of(&grid).await;
    for (kind, version) in [("accept", 1), ("resolve", 2)] {
        let res = server
            .client
            .put(server.url(&format!("/api/v1/task-actions/{}", new_id())))
            .bearer_auth(&worker)
            .json(&serde_json::json!({"report_id": id, "kind": kind, "note": "已修好", "expected_version": version}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{kind}");
    }
    let today = suishoupai::domain::figures::format_date(
        OffsetDateTime::now_utc()
            .to_offset(suishoupai::domain::figures::CHINA)
            .date(),
    );
    let path = format!("/api/v1/stats?from={today}&to={today}&by=grid");
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    let stats: Value = server.get_as(&admin, &path).await.json().await.unwrap();
    let row = stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == grid.as_str())
        .expect("the grid's row")
        .clone();
    assert_eq!(
        (row["received"].clone(), row["resolved"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(row["resolution_rate"], 1.0);
    assert!(row["respond_minutes_p50"].as_f64().unwrap() >= 0.0);
    assert!(
        row["resolve_minutes_p90"].as_f64().unwrap()
            >= row["respond_minutes_p50"].as_f64().unwrap()
    );
    assert_eq!(row["previous"]["received"], 0);

    // The grid's worker reads their own grid only; an official of another 街道 reads nothing of it.
    let theirs: Value = server.get_as(&worker, &path).await.json().await.unwrap();
    assert_eq!(theirs["rows"].as_array().unwrap().len(), 1);
    let street_of_grid: (String,) = db::query_as("SELECT street FROM grids WHERE id = ?")
        .bind(&grid)
        .fetch_one(&server.db)
        .await
        .unwrap();
    let other_street = if street_of_grid.0 == "大同街道" {
        "大弯街道"
    } else {
        "大同街道"
    };
    let official = server.official_of(other_street).await;
    let elsewhere: Value = server.get_as(&official, &path).await.json().await.unwrap();
    assert_eq!(elsewhere["total"]["received"], 0);
    for role in [Role::Rider, Role::StationStaff, Role::DepartmentStaff] {
        let token = server.enrolled(role, "别人").await.token;
        assert_eq!(server.get_as(&token, &path).await.status(), 403, "{role}");
    }
    let bad = server
        .get_as(&admin, "/api/v1/stats?from=2026-11-30&to=2026-11-01")
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn a_periods_figures_read_only_the_index_never_the_table_or_a_scan() {
    // SQLite's query plan (PostgreSQL's, at a million reports, is in BENCHMARKS.md).
    if crate::common::on_postgres() {
        return;
    }
    let server = TestServer::start().await;
    generate(&server, 300, OffsetDateTime::now_utc()).await;
    db::query("ANALYZE").execute(&server.db).await.unwrap();
    for by in [
        GroupBy::Grid,
        GroupBy::Community,
        GroupBy::Street,
        GroupBy::Category,
    ] {
        let sql = format!(
            "EXPLAIN QUERY PLAN {}",
            suishoupai::server::figures::figures_sql(by, db::Backend::Sqlite)
        );
        let plan: Vec<(i64, i64, i64, String)> = db::query_as(&sql)
            .bind("2026-10-31T16:00:00.000Z")
            .bind("2026-11-30T16:00:00.000Z")
            .bind(None::<String>)
            .bind(None::<String>)
            .bind("2026-11-30T12:00:00.000Z")
            .bind(None::<String>)
            .fetch_all(&server.db)
            .await
            .unwrap();
        let steps: Vec<&str> = plan.iter().map(|r| r.3.as_str()).collect();
        assert!(
            steps.iter().any(|s| s.contains(
                "SEARCH r USING COVERING INDEX reports_figures (received_at>? AND received_at<?)"
            )),
            "{by:?}: {steps:#?}"
        );
        assert!(
            !steps
                .iter()
                .any(|s| *s == "SCAN r" || s.starts_with("SCAN r ")),
            "{by:?}: {steps:#?}"
        );
    }
}
