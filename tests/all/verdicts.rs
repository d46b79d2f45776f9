//! The reporter's verdict over the API: only on a resolved report, only by its reporter (or a duplicate's), once
//! per resolution, idempotent; 不满意 reopens the task once; verdicts count in the figures' 满意率.
use serde_json::{json, Value};
use suishoupai::domain::task::Escalations;
use suishoupai::domain::{Report, ReportStatus, Role};

use crate::common::{error_code, new_id, report_body_at};
use crate::task_actions::{task, Task};

impl Task {
    async fn rate(
        &self,
        token: &str,
        id: &str,
        verdict: &str,
        comment: Option<&str>,
    ) -> reqwest::Response {
        let mut body = json!({"report_id": self.report.id, "verdict": verdict});
        if let Some(c) = comment {
            body["comment"] = c.into();
        }
        self.server
            .put_as(token, &format!("/api/v1/verdicts/{id}"), &body)
            .await
    }

    /// The worker accepts (when new) and resolves the task as it now is.
    async fn resolve(&self) -> Report {
        let now: Report = self
            .server
            .read_as(&self.worker, &format!("/api/v1/reports/{}", self.report.id))
            .await;
        let mut version = now.version;
        if now.status == ReportStatus::Received {
            let res = self
                .act(
                    &self.worker,
                    &new_id(),
                    json!({"report_id": now.id, "kind": "accept", "expected_version": version}),
                )
                .await;
            assert_eq!(res.status(), 201);
            version += 1;
        }
        let res = self
            .act(
                &self.worker,
                &new_id(),
                json!({"report_id": now.id, "kind": "resolve", "note": "已修好", "expected_version": version}),
            )
            .await;
        assert_eq!(res.status(), 201);
        res.json().await.unwrap()
    }
}

#[tokio::test]
async fn unsatisfied_reopens_the_task_once_and_each_resolution_takes_one_verdict_per_person() {
    let t = task().await;
    let stranger = t.server.enrolled(Role::Rider, "别的骑手").await.token;
    // Not yet resolved: nothing to judge.
    let early = t.rate(&t.rider, &new_id(), "satisfied", None).await;
    assert_eq!(early.status(), 422);
    assert_eq!(error_code(early).await, "not_resolved");
    t.resolve().await;
    // Someone else's report: as if it did not exist.
    assert_eq!(
        t.rate(&stranger, &new_id(), "satisfied", None)
            .await
            .status(),
        404
    );

    // 不满意: back to the grid, accepted, with a new deadline and the comment in the timeline.
    let first = new_id();
    let res = t
        .rate(&t.rider, &first, "unsatisfied", Some("井盖还是松的"))
        .await;
    assert_eq!(res.status(), 201);
    let reopened: Report = res.json().await.unwrap();
    assert_eq!(reopened.status, ReportStatus::Accepted);
    assert!(reopened.deadline.is_some());
    assert_eq!(
        (reopened.verdicts.satisfied, reopened.verdicts.unsatisfied),
        (0, 1)
    );
    let last = reopened.timeline.last().unwrap();
    assert!(
        last.note.as_deref().unwrap().contains("井盖还是松的"),
        "{last:?}"
    );
    assert_eq!(
        reopened.my_verdict, None,
        "a new resolution waits for a new verdict"
    );
    // The same verdict again under its id: a replay; another content under that id: a conflict.
    assert_eq!(
        t.rate(&t.rider, &first, "unsatisfied", Some("井盖还是松的"))
            .await
            .status(),
        200
    );
    let clash = t.rate(&t.rider, &first, "satisfied", None).await;
    assert_eq!(clash.status(), 409);
    assert_eq!(error_code(clash).await, "id_conflict");
    // The worker sees it reopened.
    let seen: Value = t
        .server
        .read_as(&t.worker, &format!("/api/v1/reports/{}", t.report.id))
        .await;
    assert_eq!(seen["status"], "accepted");

    // Resolved again; 不满意 again: recorded, not reopened a second time.
    t.resolve().await;
    let res = t.rate(&t.rider, &new_id(), "unsatisfied", None).await;
    assert_eq!(res.status(), 201);
    let kept: Report = res.json().await.unwrap();
    assert_eq!(kept.status, ReportStatus::Resolved);
    assert_eq!(kept.my_verdict.map(|v| v.code()), Some("unsatisfied"));
    assert_eq!(kept.verdicts.unsatisfied, 2);
    // A different verdict on the same resolution: already rated. The same one from another phone: a replay.
    let changed = t.rate(&t.rider, &new_id(), "satisfied", None).await;
    assert_eq!(changed.status(), 409);
    assert_eq!(error_code(changed).await, "already_rated");
    assert_eq!(
        t.rate(&t.rider, &new_id(), "unsatisfied", None)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_second_unsatisfied_goes_to_the_district_not_back_to_the_grid() {
    let t = task().await;
    let admin = t.server.enrolled(Role::Admin, "区管理员").await.token;
    let flagged = || async {
        let e: Escalations = t.server.read_as(&admin, "/api/v1/escalations").await;
        e.disputed.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    t.resolve().await;
    let res = t.rate(&t.rider, &new_id(), "unsatisfied", None).await;
    assert_eq!(res.status(), 201);
    assert!(
        flagged().await.is_empty(),
        "the first 不满意 reopens, the grid has it"
    );
    t.resolve().await;
    let res = t
        .rate(&t.rider, &new_id(), "unsatisfied", Some("还是没修好"))
        .await;
    assert_eq!(res.status(), 201);
    let kept: Report = res.json().await.unwrap();
    let last = kept.timeline.last().unwrap();
    assert_eq!(
        last.note.as_deref(),
        Some("上报人再次不满意，已报区里复核：还是没修好")
    );
    assert_eq!(flagged().await, vec![t.report.id.clone()]);
    // Recorded without reopening: the task stays resolved.
    assert_eq!(kept.status, ReportStatus::Resolved);
}

#[tokio::test]
async fn a_duplicates_reporter_judges_the_original_and_verdicts_make_the_satisfaction_figure() {
    let t = task().await;
    // Another rider's report of the same hazard (placed 100 m off), rejected as a duplicate of the task.
    let other = t.server.enrolled(Role::Rider, "另一位骑手").await.token;
    let dup: Report = t
        .server
        .file_report(&other, &report_body_at(&[], 100.0))
        .await;
    let res = t
        .act(
            &t.worker,
            &new_id(),
            json!({"report_id": dup.id, "kind": "reject", "reason": "duplicate", "duplicate_of": t.report.id,
                   "expected_version": dup.version}),
        )
        .await;
    assert_eq!(res.status(), 201);
    t.resolve().await;
    assert_eq!(
        t.rate(&other, &new_id(), "satisfied", None).await.status(),
        201
    );
    let res = t
        .rate(&t.rider, &new_id(), "satisfied", Some("修得很快"))
        .await;
    assert_eq!(res.status(), 201);
    let r: Report = res.json().await.unwrap();
    assert_eq!((r.verdicts.satisfied, r.verdicts.unsatisfied), (2, 0));

    let admin = t.server.enrolled(Role::Admin, "管理员").await.token;
    let today = suishoupai::domain::figures::format_date(
        time::OffsetDateTime::now_utc()
            .to_offset(suishoupai::domain::figures::CHINA)
            .date(),
    );
    let stats: Value = t
        .server
        .read_as(
            &admin,
            &format!("/api/v1/stats?from={today}&to={today}&by=grid"),
        )
        .await;
    assert_eq!(stats["total"]["satisfaction"], 1.0);
}
