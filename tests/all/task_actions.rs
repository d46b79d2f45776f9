//! PROTOCOL.md, Task actions: one test per rule, and what reaches the reporter.

use crate::common::{error_code, new_id, report_body, report_body_at, TestServer};
use serde_json::{json, Value};
use suishoupai::domain::timestamp::parse_time;
use suishoupai::domain::{Report, ReportStatus, Role};
use suishoupai::server::db;

pub(crate) struct Task {
    pub(crate) server: TestServer,
    pub(crate) rider: String,
    pub(crate) worker: String,
    pub(crate) report: Report,
}

/// A rider's urgent report in demo-grid-07, and a grid worker of that grid.
pub(crate) async fn task() -> Task {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手小李").await.token;
    let res = server
        .put_report(&rider, &new_id(), &report_body(&[]))
        .await;
    let report: Report = res.json().await.unwrap();
    let worker = server.grid_worker_of("demo-grid-07").await;
    Task {
        server,
        rider,
        worker,
        report,
    }
}

impl Task {
    pub(crate) async fn act(&self, token: &str, id: &str, body: Value) -> reqwest::Response {
        self.server
            .put_as(token, &format!("/api/v1/task-actions/{id}"), &body)
            .await
    }

    /// A new action (a fresh id) that the server must apply: the task as its answer shows it.
    pub(crate) async fn acted(&self, token: &str, body: Value) -> Report {
        crate::common::taken(self.act(token, &new_id(), body).await, "action").await
    }

    /// The rider files `body`: the reporter's answer lists no possible duplicates (other people's report ids);
    /// returns the report as the grid's worker sees it.
    async fn filed(&self, body: &Value) -> Report {
        let mine: Report = self.server.file_report(&self.rider, body).await;
        assert!(
            mine.possible_duplicates.is_empty(),
            "not shown to the reporter"
        );
        self.seen_by_worker(&mine.id).await
    }

    /// A report as the grid's worker sees it (only they and admins are shown possible duplicates).
    async fn seen_by_worker(&self, id: &str) -> Report {
        let path = format!("/api/v1/reports/{id}");
        self.server
            .get_as(&self.worker, &path)
            .await
            .json()
            .await
            .unwrap()
    }

    fn action(&self, kind: &str, version: i64) -> Value {
        json!({"report_id": self.report.id, "kind": kind, "expected_version": version})
    }
}

#[tokio::test]
async fn a_new_urgent_task_must_be_answered_within_30_minutes() {
    let t = task().await;
    let received = parse_time(&t.report.received_at).unwrap();
    let deadline = parse_time(t.report.deadline.as_deref().unwrap()).unwrap();
    assert_eq!((deadline - received).whole_minutes(), 30);
}

#[tokio::test]
async fn accepting_moves_the_task_sets_the_resolve_deadline_and_awards_points_once() {
    let t = task().await;
    let id = new_id();
    let res = t.act(&t.worker, &id, t.action("accept", 1)).await;
    assert_eq!(res.status(), 201);
    let r: Report = res.json().await.unwrap();
    assert_eq!(
        (r.status, r.version, r.points_awarded, r.timeline.len()),
        (ReportStatus::Accepted, 2, 5, 2)
    );
    let deadline = parse_time(r.deadline.as_deref().unwrap()).unwrap();
    let updated = parse_time(&r.updated_at).unwrap();
    assert_eq!((deadline - updated).whole_hours(), 24);

    let replay = t.act(&t.worker, &id, t.action("accept", 1)).await;
    assert_eq!(replay.status(), 200);
    let again: Report = replay.json().await.unwrap();
    assert_eq!(
        (again.version, again.points_awarded),
        (2, 5),
        "a replay applies nothing"
    );
}

#[tokio::test]
async fn an_action_on_an_old_version_is_409_with_the_current_task() {
    let t = task().await;
    t.act(&t.worker, &new_id(), t.action("accept", 1)).await;
    let res = t.act(&t.worker, &new_id(), json!({"report_id": t.report.id, "kind": "escalate", "reason": "需要部门联处", "expected_version": 1})).await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "version_conflict");
    assert_eq!(body["error"]["details"]["current"]["version"], 2);
    assert_eq!(body["error"]["details"]["current"]["status"], "accepted");
}

#[tokio::test]
async fn a_note_made_on_an_old_version_still_applies_it_changes_no_status() {
    let t = task().await;
    // Offline, the worker accepted (version 1 → 2) and then noted; someone else's change came first.
    t.act(&t.worker, &new_id(), t.action("accept", 1)).await;
    let other = t.server.grid_worker_of("demo-grid-07").await;
    let res = t.act(&other, &new_id(), json!({"report_id": t.report.id, "kind": "note", "note": "同事的备注", "expected_version": 2})).await;
    assert_eq!(res.status(), 201);
    let res = t.act(&t.worker, &new_id(), json!({"report_id": t.report.id, "kind": "note", "note": "迟到的备注", "expected_version": 2})).await;
    assert_eq!(
        res.status(),
        201,
        "a note commutes with what happened meanwhile"
    );
    let r: Report = res.json().await.unwrap();
    assert_eq!((r.status, r.version), (ReportStatus::Accepted, 4));
    let last = r.timeline.last().unwrap();
    assert_eq!(last.note.as_deref(), Some("迟到的备注"));
    assert_eq!(last.kind, Some(suishoupai::domain::task::ActionKind::Note));
    // On a closed task a note is still refused.
    let mut resolve = t.action("resolve", 4);
    resolve["note"] = json!("办结");
    assert_eq!(t.act(&t.worker, &new_id(), resolve).await.status(), 201);
    let res = t.act(&t.worker, &new_id(), json!({"report_id": t.report.id, "kind": "note", "note": "太迟了", "expected_version": 4})).await;
    assert_eq!(error_code(res).await, "action_not_allowed");
}

#[tokio::test]
async fn the_timeline_names_each_action_and_the_new_level() {
    use suishoupai::domain::task::ActionKind;
    let t = task().await;
    t.act(&t.worker, &new_id(), t.action("accept", 1)).await;
    let mut escalate = t.action("escalate", 2);
    escalate["reason"] = json!("涉及燃气管线");
    let r: Report = t.acted(&t.worker, escalate).await;
    let steps: Vec<_> = r.timeline.iter().map(|e| (e.kind, e.level)).collect();
    assert_eq!(
        steps,
        [
            (None, None),
            (Some(ActionKind::Accept), None),
            (Some(ActionKind::Escalate), Some(2))
        ]
    );
}

#[tokio::test]
async fn fields_are_checked_by_the_shared_rules_and_named() {
    let t = task().await;
    for (body, field) in [
        (
            json!({"report_id": t.report.id, "kind": "escalate", "expected_version": 1}),
            "reason",
        ),
        (
            json!({"report_id": t.report.id, "kind": "note", "note": "字".repeat(2001), "expected_version": 1}),
            "note",
        ),
        (
            json!({"report_id": t.report.id, "kind": "reject", "reason": "bored", "expected_version": 1}),
            "reason",
        ),
        (
            json!({"report_id": t.report.id, "kind": "reject", "reason": "duplicate", "expected_version": 1}),
            "duplicate_of",
        ),
    ] {
        let res = t.act(&t.worker, &new_id(), body).await;
        assert_eq!(res.status(), 422, "{field}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_input");
        assert!(
            body["error"]["details"][field].is_string(),
            "{field}: {body}"
        );
    }
}

#[tokio::test]
async fn only_the_grid_of_the_task_may_act_on_it() {
    let t = task().await;
    let other_grid = t.server.grid_worker_of("demo-grid-01").await;
    assert_eq!(
        t.act(&other_grid, &new_id(), t.action("accept", 1))
            .await
            .status(),
        403
    );
    assert_eq!(
        t.act(&t.rider, &new_id(), t.action("accept", 1))
            .await
            .status(),
        403
    );
    let staff = t.server.enrolled(Role::StationStaff, "张敏").await.token;
    assert_eq!(
        t.act(&staff, &new_id(), t.action("accept", 1))
            .await
            .status(),
        403
    );
    let admin = t.server.enrolled(Role::Admin, "老陈").await.token;
    assert_eq!(
        t.act(&admin, &new_id(), t.action("accept", 1))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn actions_the_status_does_not_allow_are_422() {
    let t = task().await;
    let res = t.act(&t.worker, &new_id(), t.action("resolve", 1)).await;
    assert_eq!(
        res.status(),
        422,
        "a received task is accepted before it is resolved"
    );
    let reject = json!({"report_id": t.report.id, "kind": "reject", "reason": "invalid", "expected_version": 1});
    assert_eq!(t.act(&t.worker, &new_id(), reject).await.status(), 201);
    let res = t.act(&t.worker, &new_id(), json!({"report_id": t.report.id, "kind": "resolve", "note": "x", "expected_version": 2})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "action_not_allowed");
}

#[tokio::test]
async fn resolve_needs_a_note_and_escalate_a_reason_up_to_level_3() {
    let t = task().await;
    t.act(&t.worker, &new_id(), t.action("accept", 1)).await;
    let res = t.act(&t.worker, &new_id(), t.action("resolve", 2)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "invalid_input");
    assert_eq!(
        t.act(&t.worker, &new_id(), t.action("escalate", 2))
            .await
            .status(),
        422,
        "no reason"
    );
    let mut version = 2;
    for level in [2, 3] {
        let body = json!({"report_id": t.report.id, "kind": "escalate", "reason": "需要多部门联合处置", "expected_version": version});
        let r: Report = t.acted(&t.worker, body).await;
        assert_eq!(r.level, level);
        version = r.version;
    }
    let body = json!({"report_id": t.report.id, "kind": "escalate", "reason": "再升", "expected_version": version});
    assert_eq!(
        t.act(&t.worker, &new_id(), body).await.status(),
        422,
        "3 is the top level"
    );
    let resolve = json!({"report_id": t.report.id, "kind": "resolve", "note": "已更换井盖", "expected_version": version});
    let r: Report = t.acted(&t.worker, resolve).await;
    assert_eq!(
        (r.status, r.points_awarded, r.deadline),
        (ReportStatus::Resolved, 15, None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_actions_on_one_version_apply_once() {
    let t = task().await;
    let mut racers = tokio::task::JoinSet::new();
    for i in 0..6 {
        let req = t
            .server
            .client
            .put(t.server.url(&format!("/api/v1/task-actions/{}", new_id())))
            .bearer_auth(&t.worker)
            .json(&json!({"report_id": t.report.id, "kind": "escalate", "reason": format!("原因{i}"), "expected_version": 1}));
        racers.spawn(async move { req.send().await.map(|r| r.status().as_u16()) });
    }
    let mut statuses = Vec::new();
    while let Some(done) = racers.join_next().await {
        statuses.push(done.unwrap().unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [vec![201], vec![409; 5]].concat());
}

#[tokio::test]
async fn the_reporter_sees_every_step_and_the_points() {
    let t = task().await;
    t.act(&t.worker, &new_id(), t.action("accept", 1)).await;
    t.act(&t.worker, &new_id(), json!({"report_id": t.report.id, "kind": "resolve", "note": "已修复，感谢上报", "expected_version": 2})).await;
    let r: Report = t
        .server
        .get_as(&t.rider, &format!("/api/v1/reports/{}", t.report.id))
        .await
        .json()
        .await
        .unwrap();
    let steps: Vec<_> = r
        .timeline
        .iter()
        .map(|e| (e.status, e.note.clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (ReportStatus::Received, None),
            (ReportStatus::Accepted, None),
            (ReportStatus::Resolved, Some("已修复，感谢上报".into())),
        ]
    );
    assert_eq!(r.points_awarded, 15);
}

#[tokio::test]
async fn the_monthly_leaderboard_masks_names_and_counts_each_reason_once() {
    let t = task().await;
    t.act(&t.worker, &new_id(), t.action("accept", 1)).await;
    let accept_again = t.act(&t.worker, &new_id(), t.action("accept", 2)).await;
    assert_eq!(accept_again.status(), 422, "accepted already");
    let board: Value = t
        .server
        .get_as(&t.rider, "/api/v1/leaderboard")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board["top"][0]["name"], "骑*");
    assert_eq!(board["top"][0]["points"], 5);
    assert_eq!(board["my_points"], 5);
    assert_eq!(board["my_balance"], 5);
    assert_eq!(board["my_history"][0]["reason"], "accepted");
    assert_eq!(board["my_history"][0]["report_id"], t.report.id.as_str());
    assert!(
        !board.to_string().contains("骑手小李"),
        "the full name stays on the server"
    );
    let res = t
        .server
        .get_as(&t.rider, "/api/v1/leaderboard?month=2026-1")
        .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn a_nearby_open_report_of_the_same_category_is_a_possible_duplicate() {
    let t = task().await;
    let mut near = report_body(&[]);
    near["lat"] = json!(30.8852); // about 22 m north
    let second = t.filed(&near).await;
    assert_eq!(second.possible_duplicates, vec![t.report.id.clone()]);
    let mut far = report_body(&[]);
    far["lat"] = json!(30.8870); // about 220 m
    assert!(t.filed(&far).await.possible_duplicates.is_empty());
    let mut other_kind = report_body(&[]);
    other_kind["category"] = json!("street_light");
    assert!(t.filed(&other_kind).await.possible_duplicates.is_empty());
}

#[tokio::test]
async fn possible_duplicates_are_kept_from_receipt_and_shown_while_they_are_open() {
    let t = task().await;
    let mut east = report_body(&[]);
    east["lon"] = json!(104.2554); // about 38 m east
    let second = t.filed(&east).await;
    assert_eq!(second.possible_duplicates, vec![t.report.id.clone()]);
    // A report from before the list was kept finds it when read.
    db::query("UPDATE reports SET possible_duplicates = NULL WHERE id = ?")
        .bind(&second.id)
        .execute(&t.server.db)
        .await
        .unwrap();
    let read = t.seen_by_worker(&second.id).await;
    assert_eq!(read.possible_duplicates, vec![t.report.id.clone()]);
    // Once the original is closed it is no longer offered as a duplicate.
    let mut reject = t.action("reject", t.report.version);
    reject["reason"] = json!("invalid");
    assert_eq!(t.act(&t.worker, &new_id(), reject).await.status(), 201);
    db::query("UPDATE reports SET possible_duplicates = ? WHERE id = ?")
        .bind(serde_json::to_string(&vec![&t.report.id]).unwrap())
        .bind(&second.id)
        .execute(&t.server.db)
        .await
        .unwrap();
    let read = t.seen_by_worker(&second.id).await;
    assert!(read.possible_duplicates.is_empty());
}

#[tokio::test]
async fn a_duplicate_that_adds_a_photo_earns_2_points_and_one_that_does_not_earns_none() {
    let t = task().await;
    let other = t.server.enrolled(Role::Rider, "另一位骑手").await.token;
    let photo = crate::common::jpeg(77, 500);
    t.server.put_photo(&other, &photo).await;
    let dup: Report = t
        .server
        .put_report(
            &other,
            &new_id(),
            &report_body_at(&[&crate::common::sha256(&photo)], 100.0),
        )
        .await
        .json()
        .await
        .unwrap();
    let reject = json!({"report_id": dup.id, "kind": "reject", "reason": "duplicate", "duplicate_of": t.report.id, "expected_version": 1});
    let r: Report = t.acted(&t.worker, reject).await;
    assert_eq!((r.status, r.points_awarded), (ReportStatus::Rejected, 2));
    let plain: Report = t
        .server
        .file_report(&other, &report_body_at(&[], 200.0))
        .await;
    let reject = json!({"report_id": plain.id, "kind": "reject", "reason": "duplicate", "duplicate_of": t.report.id, "expected_version": 1});
    let r: Report = t.acted(&t.worker, reject).await;
    assert_eq!(r.points_awarded, 0);
}

#[tokio::test]
async fn a_resolution_photo_and_the_workers_name_reach_the_reporter() {
    let t = task().await;
    let photo = crate::common::jpeg(88, 400);
    t.act(&t.worker, &new_id(), t.action("accept", 1)).await;
    let sha = crate::common::sha256(&photo);
    let missing = json!({"report_id": t.report.id, "kind": "resolve", "note": "修好了", "photos": [sha], "expected_version": 2});
    let res = t.act(&t.worker, &new_id(), missing.clone()).await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "photo_missing");
    t.server.put_photo(&t.worker, &photo).await;
    assert_eq!(t.act(&t.worker, &new_id(), missing).await.status(), 201);
    let r: Report = t
        .server
        .get_as(&t.rider, &format!("/api/v1/reports/{}", t.report.id))
        .await
        .json()
        .await
        .unwrap();
    let last = r.timeline.last().unwrap();
    assert_eq!(
        (last.photos.clone(), last.by.as_deref()),
        (vec![sha.clone()], Some("网格员"))
    );
    let res = t
        .server
        .get_as(&t.rider, &format!("/api/v1/photos/{sha}"))
        .await;
    assert_eq!(
        res.status(),
        200,
        "the reporter may see the resolution photo"
    );
}

#[tokio::test]
async fn deadlines_follow_the_configured_rules() {
    use suishoupai::domain::task::DeadlineRules;
    let server = TestServer::start_with_config(suishoupai::server::Config {
        deadlines: DeadlineRules {
            respond: time::Duration::minutes(90),
            respond_urgent: time::Duration::minutes(10),
            resolve: [1, 2, 3].map(time::Duration::hours),
            acknowledge: time::Duration::hours(4),
        },
        ..suishoupai::server::Config::default()
    })
    .await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let r: Report = server.file_report(&rider, &report_body(&[])).await;
    let due = |r: &Report| {
        parse_time(r.deadline.as_deref().unwrap()).unwrap() - parse_time(&r.updated_at).unwrap()
    };
    assert_eq!(due(&r).whole_minutes(), 10, "urgent");
    let mut calm = report_body(&[]);
    calm["urgent"] = false.into();
    calm["lat"] = report_body_at(&[], 100.0)["lat"].clone();
    let r: Report = server.file_report(&rider, &calm).await;
    assert_eq!(due(&r).whole_minutes(), 90, "not urgent");

    // Accepted at level 1, then escalated to 2 and 3: each level's own time to resolve, from that step.
    let worker = server.grid_worker_of(r.grid_id.as_deref().unwrap()).await;
    let mut version = r.version;
    for (kind, hours) in [("accept", 1), ("escalate", 2), ("escalate", 3)] {
        let res = server
            .client
            .put(server.url(&format!("/api/v1/task-actions/{}", new_id())))
            .bearer_auth(&worker)
            .json(&json!({"report_id": r.id, "kind": kind, "reason": "需要部门联处", "expected_version": version}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{kind}");
        let now: Report = res.json().await.unwrap();
        assert_eq!(
            due(&now).whole_hours(),
            hours,
            "{kind} to level {}",
            now.level
        );
        version = now.version;
    }
}

#[tokio::test]
async fn the_reporter_of_a_duplicate_follows_the_original() {
    let t = task().await;
    let other = t.server.enrolled(Role::Rider, "另一位骑手").await.token;
    let stranger = t.server.enrolled(Role::Rider, "路人").await.token;
    let dup: Report = t
        .server
        .file_report(&other, &report_body_at(&[], 100.0))
        .await;
    let original_path = format!("/api/v1/reports/{}", t.report.id);
    assert_eq!(
        t.server.get_as(&other, &original_path).await.status(),
        404,
        "not yet"
    );
    let (_, cursor) = {
        let page: suishoupai::domain::change::ChangePage = t
            .server
            .get_as(&other, "/api/v1/changes?limit=500")
            .await
            .json()
            .await
            .unwrap();
        (page.changes, page.next_cursor)
    };

    let bad = json!({"report_id": dup.id, "kind": "reject", "reason": "duplicate", "duplicate_of": dup.id, "expected_version": 1});
    assert_eq!(
        t.act(&t.worker, &new_id(), bad).await.status(),
        422,
        "not a duplicate of itself"
    );
    let reject = json!({"report_id": dup.id, "kind": "reject", "reason": "duplicate", "duplicate_of": t.report.id, "expected_version": 1});
    let rejected: Report = t.acted(&t.worker, reject).await;
    assert_eq!(rejected.duplicate_of.as_deref(), Some(t.report.id.as_str()));

    assert_eq!(t.server.get_as(&other, &original_path).await.status(), 200);
    assert_eq!(
        t.server.get_as(&stranger, &original_path).await.status(),
        404
    );
    let page: suishoupai::domain::change::ChangePage = t
        .server
        .get_as(&other, &format!("/api/v1/changes?cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = page.changes.iter().map(|c| c.id.as_str()).collect();
    assert!(
        ids.contains(&t.report.id.as_str()),
        "the original reaches the reporter's phone: {ids:?}"
    );
    assert!(ids.contains(&dup.id.as_str()));
}
