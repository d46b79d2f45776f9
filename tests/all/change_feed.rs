//! PROTOCOL.md, the change feed: only what the caller may see, in commit order, never skipping a change.

use std::collections::BTreeSet;
use suishoupai::server::db;

use crate::common::{error_code, jpeg, new_id, report_body, report_body_at, sha256, TestServer};
use suishoupai::domain::change::{ChangeKind, ChangePage};
use suishoupai::domain::Role;

async fn page(server: &TestServer, token: &str, cursor: Option<&str>, limit: u32) -> ChangePage {
    let mut path = format!("/api/v1/changes?limit={limit}");
    if let Some(c) = cursor {
        path.push_str(&format!("&cursor={c}"));
    }
    let res = server.get_as(token, &path).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Pulls until `has_more` is false; returns every change's (kind, id) and the final cursor.
async fn pull_all(
    server: &TestServer,
    token: &str,
    cursor: Option<String>,
    limit: u32,
) -> (Vec<(ChangeKind, String)>, String) {
    let mut cursor = cursor;
    let mut seen = Vec::new();
    loop {
        let p = page(server, token, cursor.as_deref(), limit).await;
        seen.extend(p.changes.into_iter().map(|c| (c.kind, c.id)));
        cursor = Some(p.next_cursor);
        if !p.has_more {
            return (seen, cursor.unwrap());
        }
    }
}

fn reports(changes: &[(ChangeKind, String)]) -> BTreeSet<String> {
    changes
        .iter()
        .filter(|c| c.0 == ChangeKind::Report)
        .map(|c| c.1.clone())
        .collect()
}

#[tokio::test]
async fn a_full_resync_brings_reference_data_and_only_the_callers_reports() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let other = server.enrolled(Role::Rider, "小张").await.token;
    let mine = new_id();
    assert_eq!(
        server
            .put_report(&rider, &mine, &report_body(&[]))
            .await
            .status(),
        201
    );
    assert_eq!(
        server
            .put_report(&other, &new_id(), &report_body(&[]))
            .await
            .status(),
        201
    );

    let (changes, _) = pull_all(&server, &rider, None, 500).await;
    let count = |k| changes.iter().filter(|c| c.0 == k).count();
    for (kind, table) in REFERENCE {
        assert_eq!(count(kind), rows(&server, table).await, "{table}");
    }
    assert_eq!(reports(&changes), BTreeSet::from([mine]));
}

/// The kinds of reference data in the feed, with their tables.
const REFERENCE: [(ChangeKind, &str); 4] = [
    (ChangeKind::Category, "categories"),
    (ChangeKind::Station, "stations"),
    (ChangeKind::Grid, "grids"),
    (ChangeKind::Department, "departments"),
];

async fn rows(server: &TestServer, table: &str) -> usize {
    let (n,): (i64,) = db::query_as(format!("SELECT count(*) FROM {table}"))
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert!(n > 0, "the demo has {table}");
    n as usize
}

/// How many reference rows a full pull brings: every category, station, grid and department the server keeps.
async fn reference_rows(server: &TestServer) -> usize {
    let mut n = 0;
    for (_, table) in REFERENCE {
        n += rows(server, table).await;
    }
    n
}

#[tokio::test]
async fn small_pages_bring_the_same_changes_once_each() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    for _ in 0..7 {
        server
            .put_report(&rider, &new_id(), &report_body(&[]))
            .await;
    }
    let (big, _) = pull_all(&server, &rider, None, 500).await;
    let (small, _) = pull_all(&server, &rider, None, 4).await;
    assert_eq!(big, small);
    let unique: BTreeSet<_> = small.iter().collect();
    assert_eq!(unique.len(), small.len(), "no change twice");
    // The reference data and the 7 reports.
    assert_eq!(small.len(), reference_rows(&server).await + 7);
}

#[tokio::test]
async fn after_a_cursor_only_new_changes_come_and_carry_the_full_report() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let (_, cursor) = pull_all(&server, &rider.token, None, 100).await;
    let empty = page(&server, &rider.token, Some(&cursor), 100).await;
    assert!(empty.changes.is_empty() && !empty.has_more);
    assert_eq!(empty.next_cursor, cursor);

    let photo = jpeg(3, 100);
    server.put_photo(&rider.token, &photo).await;
    let id = new_id();
    server
        .put_report(&rider.token, &id, &report_body(&[&sha256(&photo)]))
        .await;
    let next = page(&server, &rider.token, Some(&cursor), 100).await;
    assert_eq!(next.changes.len(), 1);
    let change = &next.changes[0];
    assert_eq!(
        (change.kind, change.id.as_str()),
        (ChangeKind::Report, id.as_str())
    );
    assert_eq!(change.data["version"], 1);
    assert_eq!(change.data["status"], "received");
    assert_eq!(change.data["photos"][0], sha256(&photo));
}

#[tokio::test]
async fn grid_workers_get_their_grids_tasks_and_staff_only_reference_data() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let inside = new_id();
    server.put_report(&rider, &inside, &report_body(&[])).await; // demo-grid-07
    let mut elsewhere = report_body(&[]);
    elsewhere["lat"] = serde_json::json!(30.845);
    elsewhere["lon"] = serde_json::json!(104.175);
    server.put_report(&rider, &new_id(), &elsewhere).await; // demo-grid-01
    let worker = server.grid_worker_of("demo-grid-07").await;
    let (changes, _) = pull_all(&server, &worker, None, 500).await;
    assert_eq!(reports(&changes), BTreeSet::from([inside]));

    let staff = server.enrolled(Role::StationStaff, "张敏").await.token;
    let (changes, _) = pull_all(&server, &staff, None, 500).await;
    assert!(reports(&changes).is_empty());
    assert_eq!(
        changes.len(),
        reference_rows(&server).await,
        "the reference data only"
    );
}

#[tokio::test]
async fn bad_cursors_and_limits_are_422() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    for query in [
        "cursor=zzz",
        "cursor=c-4",
        "limit=0",
        "limit=501",
        "limit=ten",
    ] {
        let res = server
            .get_as(&rider, &format!("/api/v1/changes?{query}"))
            .await;
        assert_eq!(res.status(), 422, "{query}");
        assert_eq!(error_code(res).await, "invalid_input");
    }
}

/// Pages through `reader`'s feed from `cursor`, 7 at a time, while `writers` write, then to its end: the ids read,
/// and the ids the writers wrote.
async fn read_while_writing(
    reader: &TestServer,
    token: &str,
    mut cursor: String,
    mut writers: tokio::task::JoinSet<Vec<String>>,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut seen = BTreeSet::new();
    let mut written = BTreeSet::new();
    while !writers.is_empty() {
        let p = page(reader, token, Some(&cursor), 7).await;
        seen.extend(p.changes.into_iter().map(|c| c.id));
        cursor = p.next_cursor;
        while let Some(ids) = writers.try_join_next() {
            written.extend(ids.unwrap());
        }
        tokio::task::yield_now().await;
    }
    let (rest, _) = pull_all(reader, token, Some(cursor), 7).await;
    seen.extend(rest.into_iter().map(|c| c.1));
    (seen, written)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paging_while_reports_are_written_never_skips_one() {
    let server = TestServer::start().await;
    let riders: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..4 {
            v.push(
                server
                    .enrolled(Role::Rider, &format!("骑手{i}"))
                    .await
                    .token,
            );
        }
        v
    };
    let admin = server.enrolled(Role::Admin, "老陈").await.token;
    let (_, cursor) = pull_all(&server, &admin, None, 500).await;

    let mut writers = tokio::task::JoinSet::new();
    for token in riders.clone() {
        let client = server.client.clone();
        let base = server.base.clone();
        writers.spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..40 {
                let id = new_id();
                let res = client
                    .put(format!("{base}/api/v1/reports/{id}"))
                    .bearer_auth(&token)
                    .json(&report_body(&[]))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                ids.push(id);
            }
            ids
        });
    }
    let (seen, written) = read_while_writing(&server, &admin, cursor, writers).await;
    assert_eq!(written.len(), 160);
    assert_eq!(seen, written, "every committed report reached the reader");
}

#[tokio::test]
async fn a_workers_own_report_in_their_grid_comes_once_and_the_original_of_a_riders_duplicate_comes_too(
) {
    let server = TestServer::start().await;
    let worker = server.grid_worker_of("demo-grid-07").await;
    let own = new_id();
    assert_eq!(
        server
            .put_report(&worker, &own, &report_body(&[]))
            .await
            .status(),
        201
    );
    for limit in [1, 2, 500] {
        let (changes, _) = pull_all(&server, &worker, None, limit).await;
        let mine: Vec<_> = changes.iter().filter(|c| c.1 == own).collect();
        assert_eq!(mine.len(), 1, "page size {limit}: {changes:?}");
    }
    // A rider's report rejected as a duplicate of the worker's: the rider's feed brings the original too.
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let copy = new_id();
    server
        .put_report(&rider, &copy, &report_body_at(&[], 100.0))
        .await;
    let res = server
        .client
        .put(server.url(&format!("/api/v1/task-actions/{}", new_id())))
        .bearer_auth(&worker)
        .json(
            &serde_json::json!({"report_id": copy, "kind": "reject", "reason": "duplicate",
            "duplicate_of": own, "expected_version": 1}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let (changes, _) = pull_all(&server, &rider, None, 3).await;
    assert_eq!(reports(&changes), BTreeSet::from([own, copy]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_take_each_report_once_and_their_feed_never_skips_one() {
    // Several instances share one database only on PostgreSQL.
    if !crate::common::on_postgres() {
        return;
    }
    let first = TestServer::start().await;
    let second = first.second_instance().await;
    let mut riders = Vec::new();
    for i in 0..4 {
        riders.push(first.enrolled(Role::Rider, &format!("骑手{i}")).await.token);
    }
    let admin = first.enrolled(Role::Admin, "老陈").await.token;
    let (_, cursor) = pull_all(&second, &admin, None, 500).await;

    // Each report is sent to both instances at once, as a phone whose answer was lost retries through the proxy.
    // Each in a place of its own (200 m apart), so that only the id makes the two arrivals take turns.
    let mut writers = tokio::task::JoinSet::new();
    for (w, token) in riders.clone().into_iter().enumerate() {
        let client = first.client.clone();
        let bases = [first.base.clone(), second.base.clone()];
        writers.spawn(async move {
            let mut ids = Vec::new();
            for n in 0..30 {
                let id = new_id();
                let body = report_body_at(&[], (w * 30 + n) as f64 * 200.0);
                let put = |base: &str| {
                    client
                        .put(format!("{base}/api/v1/reports/{id}"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                };
                let (a, b) = tokio::join!(put(&bases[0]), put(&bases[1]));
                let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
                statuses.sort();
                assert_eq!(statuses, [200, 201], "one takes it, the other replays it");
                ids.push(id);
            }
            ids
        });
    }
    let (seen, written) = read_while_writing(&second, &admin, cursor, writers).await;
    assert_eq!(written.len(), 120);
    assert_eq!(seen, written, "every committed report reached the reader");
    assert_eq!(
        rows(&first, "reports").await,
        120,
        "each report stored once"
    );
}
