//! 部门联处 · 吹哨报到 over the API: escalating to level 2 calls the department the 清单 names (or the one picked),
//! which must answer (报到) by a deadline; its staff see only the tasks called to them and act on them like grid
//! workers (idempotent, version-checked); a missed 报到 is overdue in the figures and warnings; the district decides
//! level 3.
use serde_json::{json, Value};
use suishoupai::domain::task::Escalations;
use suishoupai::domain::{Report, Role};
use suishoupai::server::db;

use crate::common::{error_code, new_id, report_body};
use crate::task_actions::{task, Task};

impl Task {
    /// `token` does `kind` (with `extra` fields) to the task as it now is; the answer.
    async fn does(&self, token: &str, kind: &str, extra: Value) -> reqwest::Response {
        let now = self.current().await;
        let mut body = json!({"report_id": now.id, "kind": kind, "expected_version": now.version});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.act(token, &new_id(), body).await
    }

    async fn current(&self) -> Report {
        self.server
            .read_as(&self.worker, &format!("/api/v1/reports/{}", self.report.id))
            .await
    }

    /// Department staff of `code`, enrolled: their token.
    async fn staff_of(&self, code: &str) -> String {
        self.server.department_staff_of(code).await
    }

    /// Sets the report's acknowledgement deadline (as if the clock had moved on).
    async fn acknowledge_by(&self, at: &str) {
        db::query("UPDATE reports SET acknowledge_deadline = ? WHERE id = ?")
            .bind(at)
            .bind(&self.report.id)
            .execute(&self.server.db)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn escalating_to_level_two_calls_the_department_of_the_list_which_answers_and_resolves() {
    let t = task().await;
    let chengguan = t.staff_of("chengguan").await;
    // Before the call, the department sees nothing of the task.
    let url = format!("/api/v1/reports/{}", t.report.id);
    assert_eq!(t.server.get_as(&chengguan, &url).await.status(), 404);
    let res = t.does(&t.worker, "accept", json!({})).await;
    assert_eq!(res.status(), 201);
    let res = t
        .does(&t.worker, "escalate", json!({"reason": "井盖需城管更换"}))
        .await;
    assert_eq!(res.status(), 201);
    let called: Report = res.json().await.unwrap();
    assert_eq!(called.level, 2);
    assert_eq!(
        called.department_id.as_deref(),
        Some("chengguan"),
        "the 清单 names 城管 for manholes"
    );
    let due = called
        .acknowledge_deadline
        .clone()
        .expect("a deadline to answer");
    let due = suishoupai::domain::timestamp::parse_time(&due).unwrap();
    let left = due - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::minutes(110) && left <= time::Duration::hours(2),
        "the demo 清单 gives 城管 two hours for a manhole: {left}"
    );
    let step = called.timeline.last().unwrap();
    assert_eq!(step.department.as_deref(), Some("chengguan"));
    assert_eq!(step.note.as_deref(), Some("井盖需城管更换"));

    // The department now sees it, and gets it in its feed.
    assert_eq!(t.server.get_as(&chengguan, &url).await.status(), 200);
    let feed: Value = t.server.read_as(&chengguan, "/api/v1/changes").await;
    assert_eq!(crate::common::report_ids(&feed), vec![t.report.id.clone()]);

    // Resolving before 报到 is refused; 报到 clears the clock; then 办结 with a photo.
    let early = t
        .does(&chengguan, "resolve", json!({"note": "已更换"}))
        .await;
    assert_eq!(early.status(), 422);
    assert_eq!(error_code(early).await, "action_not_allowed");
    let ack_id = new_id();
    let now = t.current().await;
    let ack = json!({"report_id": now.id, "kind": "acknowledge", "expected_version": now.version});
    let res = t.act(&chengguan, &ack_id, ack.clone()).await;
    assert_eq!(res.status(), 201);
    let answered: Report = res.json().await.unwrap();
    assert_eq!(answered.acknowledge_deadline, None);
    assert_eq!(answered.department_id.as_deref(), Some("chengguan"));
    // A replay of the same 报到 changes nothing.
    let replay = t.act(&chengguan, &ack_id, ack).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(
        replay.json::<Report>().await.unwrap().version,
        answered.version
    );

    let photo = crate::common::jpeg(7, 2000);
    let sha = crate::common::sha256(&photo);
    assert_eq!(t.server.put_photo(&chengguan, &photo).await.status(), 201);
    let res = t
        .does(
            &chengguan,
            "resolve",
            json!({"note": "已更换新井盖", "photos": [sha]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let done: Report = res.json().await.unwrap();
    assert_eq!(done.status, suishoupai::domain::ReportStatus::Resolved);
    let by: Vec<_> = done
        .timeline
        .iter()
        .filter_map(|e| Some((e.kind?, e.department.clone())))
        .collect();
    use suishoupai::domain::task::ActionKind::*;
    assert_eq!(
        by,
        [
            (Accept, None),
            (Escalate, Some("chengguan".into())),
            (Acknowledge, Some("chengguan".into())),
            (Resolve, Some("chengguan".into())),
        ],
        "the grid worker sees every step, each department's named"
    );
    // The reporter sees the photo the department took.
    assert_eq!(
        t.server
            .get_as(&t.rider, &format!("/api/v1/photos/{sha}"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_department_sees_and_touches_only_the_tasks_called_to_it() {
    let t = task().await;
    let chengguan = t.staff_of("chengguan").await;
    let shuiwu = t.staff_of("shuiwu").await;
    // Not called: as if it did not exist, and no action.
    let res = t.does(&chengguan, "acknowledge", json!({})).await;
    assert_eq!(res.status(), 403);
    t.does(&t.worker, "escalate", json!({"reason": "需城管"}))
        .await;
    let url = format!("/api/v1/reports/{}", t.report.id);
    assert_eq!(t.server.get_as(&shuiwu, &url).await.status(), 404);
    assert_eq!(
        t.does(&shuiwu, "note", json!({"note": "看看"}))
            .await
            .status(),
        403
    );
    // 城管 hands it back; the worker calls 水务; 城管 still sees what became of it but may no longer act.
    let res = t
        .does(&chengguan, "hand_back", json!({"reason": "不属城管职责"}))
        .await;
    assert_eq!(res.status(), 201);
    let back: Report = res.json().await.unwrap();
    assert_eq!(
        (back.department_id, back.acknowledge_deadline),
        (None, None)
    );
    let res = t
        .does(
            &t.worker,
            "call_department",
            json!({"department_id": "shuiwu", "reason": "井下管道归水务"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(t.server.get_as(&chengguan, &url).await.status(), 200);
    let late = t.does(&chengguan, "acknowledge", json!({})).await;
    assert_eq!(late.status(), 422);
    assert_eq!(error_code(late).await, "action_not_allowed");
    assert_eq!(
        t.does(&shuiwu, "acknowledge", json!({})).await.status(),
        201
    );
    // Riders and station staff never act on tasks.
    assert_eq!(
        t.does(&t.rider, "note", json!({"note": "x"}))
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn calling_needs_a_department_in_service_and_a_reason() {
    let t = task().await;
    // At level 1 the grid may not call yet.
    let res = t
        .does(
            &t.worker,
            "call_department",
            json!({"department_id": "shuiwu", "reason": "r"}),
        )
        .await;
    assert_eq!(error_code(res).await, "action_not_allowed");
    let res = t
        .does(
            &t.worker,
            "escalate",
            json!({"reason": "需部门", "department_id": "nobody"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_input");
    assert!(
        body["error"]["details"]["department_id"].is_string(),
        "{body}"
    );
    // A worker may pick another department than the 清单's.
    let res = t
        .does(
            &t.worker,
            "escalate",
            json!({"reason": "需部门", "department_id": "zhujian"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        res.json::<Report>().await.unwrap().department_id.as_deref(),
        Some("zhujian")
    );
    let res = t
        .does(
            &t.worker,
            "call_department",
            json!({"department_id": "shuiwu"}),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["details"]["reason"].is_string(), "{body}");

    // A category whose 清单 names no department: the worker must pick one.
    let rider = t.server.enrolled(Role::Rider, "骑手").await.token;
    let mut other = report_body(&[]);
    other["category"] = "other".into();
    let report: Report = t.server.file_report(&rider, &other).await;
    let res = t
        .act(
            &t.worker,
            &new_id(),
            json!({"report_id": report.id, "kind": "escalate", "reason": "不知归谁", "expected_version": report.version}),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["details"]["department_id"]
            .as_str()
            .unwrap()
            .contains("清单"),
        "{body}"
    );
}

#[tokio::test]
async fn worker_and_department_acting_on_one_version_one_applies() {
    let t = task().await;
    let chengguan = t.staff_of("chengguan").await;
    t.does(&t.worker, "escalate", json!({"reason": "需城管"}))
        .await;
    t.does(&chengguan, "acknowledge", json!({})).await;
    let now = t.current().await;
    let by_worker = json!({"report_id": now.id, "kind": "accept", "expected_version": now.version});
    let by_department = json!({"report_id": now.id, "kind": "resolve", "note": "已处理", "expected_version": now.version});
    let (one, two) = (new_id(), new_id());
    let (a, b) = tokio::join!(
        t.act(&t.worker, &one, by_worker),
        t.act(&chengguan, &two, by_department)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(t.current().await.version, now.version + 1);
}

#[tokio::test]
async fn a_missed_acknowledgement_is_overdue_in_the_figures_and_the_warnings() {
    let t = task().await;
    t.does(&t.worker, "accept", json!({})).await;
    t.does(&t.worker, "escalate", json!({"reason": "需城管"}))
        .await;
    let admin = t.server.enrolled(Role::Admin, "区管理员").await.token;
    let overdue_now = |stats: &Value| stats["total"]["overdue"].as_i64().unwrap();
    let today = crate::common::beijing_today();
    let stats_url = format!(
        "/api/v1/stats?from={}&to={}&by=grid",
        today - time::Duration::days(1),
        today
    );
    let stats: Value = t.server.read_as(&admin, &stats_url).await;
    assert_eq!(overdue_now(&stats), 0, "{stats}");
    t.acknowledge_by("2020-01-01T00:00:00.000Z").await;
    let stats: Value = t.server.read_as(&admin, &stats_url).await;
    assert_eq!(overdue_now(&stats), 1, "a missed 报到 is overdue: {stats}");
    let warnings: Value = t.server.read_as(&admin, "/api/v1/warnings").await;
    let grid = warnings
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["grid_id"] == "demo-grid-07")
        .unwrap_or_else(|| panic!("{warnings}"))
        .clone();
    assert!(
        grid["causes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "overdue" && c["count"] == 1),
        "{grid}"
    );
    // The district's queue puts the late department first among level 2.
    let queue: Escalations = t.server.read_as(&admin, "/api/v1/escalations").await;
    assert_eq!(queue.total, 1);
    assert_eq!(queue.tasks[0].id, t.report.id);
}

#[tokio::test]
async fn the_district_decides_level_three() {
    let t = task().await;
    let admin = t.server.enrolled(Role::Admin, "区管理员").await.token;
    let official = t.server.enrolled(Role::Official, "区领导").await.token;
    t.does(&t.worker, "escalate", json!({"reason": "需城管"}))
        .await;
    // Only admins decide, and only at level 3.
    let early = t.does(&admin, "decide", json!({"note": "先看看"})).await;
    assert_eq!(error_code(early).await, "action_not_allowed");
    t.does(&t.worker, "escalate", json!({"reason": "城管一家解决不了"}))
        .await;
    let queue: Escalations = t
        .server
        .read_as(&official, "/api/v1/escalations?level=3")
        .await;
    assert_eq!(queue.tasks.len(), 1, "officials read the queue");
    assert_eq!(
        t.does(&official, "decide", json!({"note": "x"}))
            .await
            .status(),
        403,
        "officials do not decide"
    );
    assert_eq!(
        t.does(&t.worker, "decide", json!({"note": "x"}))
            .await
            .status(),
        422
    );
    let past = t
        .does(
            &admin,
            "decide",
            json!({"note": "住建牵头", "deadline": "2020-01-01T00:00:00Z"}),
        )
        .await;
    let body: Value = past.json().await.unwrap();
    assert!(body["error"]["details"]["deadline"].is_string(), "{body}");
    let deadline = suishoupai::domain::timestamp::format_time(
        time::OffsetDateTime::now_utc() + time::Duration::days(10),
    );
    let res = t
        .does(
            &admin,
            "decide",
            json!({"note": "住建局牵头，城管配合，十天内修复", "department_id": "zhujian", "deadline": deadline}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let decided: Report = res.json().await.unwrap();
    assert_eq!(decided.deadline.as_deref(), Some(deadline.as_str()));
    assert_eq!(decided.department_id.as_deref(), Some("zhujian"));
    assert!(
        decided.acknowledge_deadline.is_some(),
        "住建 must answer now"
    );
    let step = decided.timeline.last().unwrap();
    assert_eq!(
        step.note.as_deref(),
        Some("住建局牵头，城管配合，十天内修复")
    );
    assert_eq!(step.department.as_deref(), Some("zhujian"));
    // Riders, workers, department staff: no queue.
    for token in [&t.rider, &t.worker] {
        assert_eq!(
            t.server.get_as(token, "/api/v1/escalations").await.status(),
            403
        );
    }
    let bad = t.server.get_as(&admin, "/api/v1/escalations?level=5").await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn the_qingdan_may_set_the_hours_to_answer_and_older_files_without_them_still_load() {
    use crate::district_imports::{import, refused};
    use suishoupai::server::district::Kind;
    let t = task().await;
    let header = "code,name_zh,name_en,department,respond_minutes,respond_urgent_minutes,resolve_hours_1,resolve_hours_2,resolve_hours_3,acknowledge_hours\n";
    let bad = format!("{header}manhole_cover,井盖缺失或破损,Manhole cover,chengguan,,,,,,0\n");
    let faults = refused(&t.server, Kind::Categories, bad.as_bytes(), "c.csv").await;
    assert!(
        faults.iter().any(|f| f.starts_with(
            "row 2 (code \"manhole_cover\"): acknowledge_hours must be a whole number"
        )),
        "{faults:?}"
    );
    let file = format!(
        "{header}manhole_cover,井盖缺失或破损,Manhole cover,chengguan,,,,,,6\nother,其他,Other,,,,,,,\n"
    );
    import(&t.server, Kind::Categories, file.as_bytes(), "c.csv")
        .await
        .unwrap();
    let res = t
        .does(&t.worker, "escalate", json!({"reason": "需城管"}))
        .await;
    let called: Report = res.json().await.unwrap();
    let due =
        suishoupai::domain::timestamp::parse_time(&called.acknowledge_deadline.unwrap()).unwrap();
    let left = due - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::minutes(350) && left <= time::Duration::hours(6),
        "{left}"
    );
}
