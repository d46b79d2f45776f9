//! PROTOCOL.md, Riders' concerns: raised by the rider (or at the counter with their pass), idempotent by id, seen
//! by its rider and its station only, answered, forwarded (into a task, linked both ways), resolved, adopted with
//! points once, counted in the figures.
use serde_json::{json, Value};
use suishoupai::domain::change::ChangePage;
use suishoupai::domain::concern::{Concern, ConcernStats, ConcernStatus, ADOPTED_POINTS};
use suishoupai::domain::pass::{code_at, qr_text, secret_bytes};
use suishoupai::domain::{Enrollment, Report, Role};
use suishoupai::server::db;
use time::OffsetDateTime;

use crate::common::{error_code, jpeg, new_id, sha256, TestServer};

struct Scene {
    server: TestServer,
    rider: Enrollment,
    /// Staff of demo-station-01, where the concerns go.
    staff: String,
    /// Staff of demo-station-02.
    other_staff: String,
}

async fn scene() -> Scene {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手小李").await;
    let staff = server.staff_of("demo-station-01").await;
    let other_staff = server.staff_of("demo-station-02").await;
    Scene {
        server,
        rider,
        staff,
        other_staff,
    }
}

fn difficulty() -> Value {
    json!({"kind": "difficulty", "topic": "entry", "text": "锦绣花园小区不让骑手进门",
           "station_id": "demo-station-01", "lat": 30.8851, "lon": 104.2552})
}

fn suggestion() -> Value {
    json!({"kind": "suggestion", "topic": "parking", "text": "在地铁口划一块外卖车临时停放区",
           "station_id": "demo-station-01"})
}

impl Scene {
    async fn raise(&self, token: &str, id: &str, body: &Value) -> reqwest::Response {
        self.server
            .put_as(token, &format!("/api/v1/concerns/{id}"), body)
            .await
    }

    /// A new concern of the rider's that the server must take.
    async fn raised(&self, body: &Value) -> Concern {
        let res = self.raise(&self.rider.token, &new_id(), body).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }

    async fn act(&self, token: &str, id: &str, body: Value) -> reqwest::Response {
        self.server
            .put_as(token, &format!("/api/v1/concern-actions/{id}"), &body)
            .await
    }

    /// A new action of the station's staff that the server must apply.
    async fn acted(&self, body: Value) -> Concern {
        let res = self.act(&self.staff, &new_id(), body).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }

    fn pass(&self) -> String {
        let secret = secret_bytes(self.rider.pass_secret.as_deref().unwrap()).unwrap();
        let code = code_at(&secret, OffsetDateTime::now_utc().unix_timestamp());
        qr_text(&self.rider.user.id, &code)
    }

    async fn concern_ids_in_feed(&self, token: &str) -> Vec<String> {
        let page: ChangePage = self.server.read_as(token, "/api/v1/changes").await;
        page.changes
            .into_iter()
            .filter(|c| c.data.get("reply_deadline").is_some())
            .map(|c| c.id)
            .collect()
    }

    async fn points(&self) -> i64 {
        let board: Value = self
            .server
            .read_as(&self.rider.token, "/api/v1/leaderboard")
            .await;
        board["my_balance"].as_i64().unwrap()
    }
}

#[tokio::test]
async fn a_rider_raises_a_concern_once_whatever_is_replayed() {
    let s = scene().await;
    let id = new_id();
    let res = s.raise(&s.rider.token, &id, &difficulty()).await;
    assert_eq!(res.status(), 201);
    let concern: Concern = res.json().await.unwrap();
    assert_eq!(concern.status, ConcernStatus::Received);
    assert_eq!(concern.version, 1);
    assert_eq!(concern.rider_name, "骑手小李");
    assert!(!concern.at_counter);
    assert!(concern.reply_deadline > concern.received_at);
    // The same again: a replay, nothing new.
    let again = s.raise(&s.rider.token, &id, &difficulty()).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Concern>().await.unwrap(), concern);
    // Other content under that id, or another rider: 409, nothing changes.
    let other = s.raise(&s.rider.token, &id, &suggestion()).await;
    assert_eq!(other.status(), 409);
    assert_eq!(error_code(other).await, "id_conflict");
    let stranger = s.server.enrolled(Role::Rider, "别的骑手").await.token;
    let res = s.raise(&stranger, &id, &difficulty()).await;
    assert_eq!(error_code(res).await, "id_conflict");
    let (n,): (i64,) = db::query_as("SELECT count(*) FROM concerns")
        .fetch_one(&s.server.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn a_faulty_concern_is_refused_with_each_fault_named() {
    let s = scene().await;
    let rider = &s.rider.token;
    let mut bad = difficulty();
    bad["topic"] = "nope".into();
    bad["text"] = " ".into();
    bad["lat"] = 91.0.into();
    let res = s.raise(rider, &new_id(), &bad).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    let details = &body["error"]["details"];
    for field in ["topic", "text", "lat"] {
        assert!(details.get(field).is_some(), "{field} in {details}");
    }
    let mut unknown = difficulty();
    unknown["station_id"] = "no-such-station".into();
    let res = s.raise(rider, &new_id(), &unknown).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("station_id"));
    assert_eq!(
        s.raise(rider, "not-a-uuid", &difficulty()).await.status(),
        422
    );
    // A rider needs no pass; a grid worker raises no concern.
    let mut with_pass = difficulty();
    with_pass["rider_pass"] = s.pass().into();
    assert_eq!(s.raise(rider, &new_id(), &with_pass).await.status(), 422);
    let worker = s.server.grid_worker_of("demo-grid-01").await;
    assert_eq!(
        s.raise(&worker, &new_id(), &difficulty()).await.status(),
        403
    );
    // A photo it did not upload.
    let mut photo = difficulty();
    photo["photos"] = json!([sha256(b"never uploaded")]);
    let res = s.raise(rider, &new_id(), &photo).await;
    assert_eq!(error_code(res).await, "photo_missing");
    // Unknown fields are refused as malformed, like every body of the protocol.
    let mut extra = difficulty();
    extra["mood"] = "angry".into();
    assert_eq!(s.raise(rider, &new_id(), &extra).await.status(), 400);
}

#[tokio::test]
async fn staff_raise_one_at_the_counter_with_the_riders_pass() {
    let s = scene().await;
    let mut body = difficulty();
    body["rider_pass"] = s.pass().into();
    let res = s.raise(&s.staff, &new_id(), &body).await;
    assert_eq!(res.status(), 201);
    let concern: Concern = res.json().await.unwrap();
    assert!(concern.at_counter);
    assert_eq!(concern.rider_name, "骑手小李");
    // The rider's, not the staff's: it reaches the rider's phone.
    assert_eq!(s.concern_ids_in_feed(&s.rider.token).await, [concern.id]);
    // A forged pass, none at all, another station's counter.
    let mut forged = difficulty();
    forged["rider_pass"] = qr_text(&s.rider.user.id, "000000").into();
    let res = s.raise(&s.staff, &new_id(), &forged).await;
    assert_eq!(error_code(res).await, "invalid_pass");
    assert_eq!(
        s.raise(&s.staff, &new_id(), &difficulty()).await.status(),
        422
    );
    assert_eq!(
        s.raise(&s.other_staff, &new_id(), &body).await.status(),
        403
    );
}

#[tokio::test]
async fn only_its_rider_its_station_and_admins_see_a_concern() {
    let s = scene().await;
    let concern = s.raised(&difficulty()).await;
    let path = format!("/api/v1/concerns/{}", concern.id);
    let admin = s.server.enrolled(Role::Admin, "管理员").await.token;
    let stranger = s.server.enrolled(Role::Rider, "别的骑手").await.token;
    let worker = s.server.grid_worker_of("demo-grid-01").await;
    for (who, token, status) in [
        ("its rider", &s.rider.token, 200),
        ("its station", &s.staff, 200),
        ("an admin", &admin, 200),
        ("another station", &s.other_staff, 404),
        ("another rider", &stranger, 404),
        ("a grid worker", &worker, 404),
    ] {
        assert_eq!(
            s.server.get_as(token, &path).await.status(),
            status,
            "{who}"
        );
    }
    for token in [&s.staff, &admin] {
        assert_eq!(s.concern_ids_in_feed(token).await, [concern.id.as_str()]);
    }
    assert!(s.concern_ids_in_feed(&s.other_staff).await.is_empty());
    assert!(s.concern_ids_in_feed(&stranger).await.is_empty());
    assert!(s.concern_ids_in_feed(&worker).await.is_empty());
    // Its photos too: its station sees them, another station does not.
    let bytes = jpeg(7, 2000);
    assert_eq!(
        s.server.put_photo(&s.rider.token, &bytes).await.status(),
        201
    );
    let mut with_photo = difficulty();
    with_photo["photos"] = json!([sha256(&bytes)]);
    s.raised(&with_photo).await;
    let photo = format!("/api/v1/photos/{}", sha256(&bytes));
    assert_eq!(s.server.get_as(&s.staff, &photo).await.status(), 200);
    assert_eq!(s.server.get_as(&s.other_staff, &photo).await.status(), 404);
}

#[tokio::test]
async fn the_station_answers_and_resolves_a_difficulty_and_the_rider_sees_each_step() {
    let s = scene().await;
    let c = s.raised(&difficulty()).await;
    let accepted = s
        .acted(json!({"concern_id": c.id, "kind": "accept", "expected_version": 1}))
        .await;
    assert_eq!(
        (accepted.status, accepted.version),
        (ConcernStatus::Accepted, 2)
    );
    assert!(accepted.replied_at.is_none(), "受理 is no answer yet");
    // A reply made on the old version still applies (like a task's note) and counts as the first answer.
    let replied = s
        .acted(json!({"concern_id": c.id, "kind": "reply", "text": "已联系物业", "expected_version": 1}))
        .await;
    assert!(replied.replied_at.is_some());
    let step = replied.timeline.last().unwrap();
    assert_eq!(step.text.as_deref(), Some("已联系物业"));
    assert_eq!(step.by.as_deref(), Some("驿站同事"));
    // Anything else on an old version: 409 with the concern as it now is.
    let stale = s
        .act(
            &s.staff,
            &new_id(),
            json!({"concern_id": c.id, "kind": "resolve", "text": "好了", "expected_version": 2}),
        )
        .await;
    assert_eq!(stale.status(), 409);
    let body: Value = stale.json().await.unwrap();
    assert_eq!(body["error"]["code"], "version_conflict");
    assert_eq!(body["error"]["details"]["current"]["version"], 3);
    // 办结, once; the id replayed is a 200 and changes nothing.
    let id = new_id();
    let resolve = json!({"concern_id": c.id, "kind": "resolve", "text": "物业已同意骑手登记进门", "expected_version": 3});
    let res = s.act(&s.staff, &id, resolve.clone()).await;
    assert_eq!(res.status(), 201);
    let resolved: Concern = res.json().await.unwrap();
    assert_eq!(resolved.status, ConcernStatus::Resolved);
    let replay = s.act(&s.staff, &id, resolve).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.json::<Concern>().await.unwrap(), resolved);
    // Closed: nothing more applies. A suggestion's actions never apply to a difficulty.
    let late = s
        .act(
            &s.staff,
            &new_id(),
            json!({"concern_id": c.id, "kind": "reply", "text": "再说", "expected_version": 4}),
        )
        .await;
    assert_eq!(error_code(late).await, "action_not_allowed");
    // The rider's phone gets it with every step.
    let mine: Concern = s
        .server
        .read_as(&s.rider.token, &format!("/api/v1/concerns/{}", c.id))
        .await;
    let kinds: Vec<_> = mine.timeline.iter().map(|t| t.status).collect();
    assert_eq!(
        kinds,
        [
            ConcernStatus::Received,
            ConcernStatus::Accepted,
            ConcernStatus::Accepted,
            ConcernStatus::Resolved
        ]
    );
}

#[tokio::test]
async fn only_the_concerns_station_and_admins_act_on_it() {
    let s = scene().await;
    let c = s.raised(&difficulty()).await;
    let accept = json!({"concern_id": c.id, "kind": "accept", "expected_version": 1});
    assert_eq!(
        s.act(&s.other_staff, &new_id(), accept.clone())
            .await
            .status(),
        403
    );
    assert_eq!(
        s.act(&s.rider.token, &new_id(), accept.clone())
            .await
            .status(),
        403
    );
    let unknown = json!({"concern_id": new_id(), "kind": "accept", "expected_version": 1});
    assert_eq!(s.act(&s.staff, &new_id(), unknown).await.status(), 404);
    let admin = s.server.enrolled(Role::Admin, "管理员").await.token;
    assert_eq!(s.act(&admin, &new_id(), accept).await.status(), 201);
    let no_reason = json!({"concern_id": c.id, "kind": "reply", "expected_version": 2});
    assert_eq!(s.act(&s.staff, &new_id(), no_reason).await.status(), 422);
}

#[tokio::test]
async fn an_adopted_suggestion_earns_its_points_once() {
    let s = scene().await;
    let before = s.points().await;
    let c = s.raised(&suggestion()).await;
    let resolve =
        json!({"concern_id": c.id, "kind": "resolve", "text": "好", "expected_version": 1});
    let res = s.act(&s.staff, &new_id(), resolve).await;
    assert_eq!(error_code(res).await, "action_not_allowed");
    let decline = json!({"concern_id": c.id, "kind": "decline", "expected_version": 1});
    assert_eq!(
        s.act(&s.staff, &new_id(), decline).await.status(),
        422,
        "a reason is required"
    );
    let id = new_id();
    let adopt = json!({"concern_id": c.id, "kind": "adopt", "text": "已报街道，下月施划", "expected_version": 1});
    let adopted: Concern = s
        .act(&s.staff, &id, adopt.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(adopted.status, ConcernStatus::Adopted);
    assert_eq!(adopted.points_awarded, ADOPTED_POINTS);
    assert_eq!(s.points().await, before + ADOPTED_POINTS);
    // Replayed, or adopted again: closed, and the points stay as they were.
    assert_eq!(s.act(&s.staff, &id, adopt).await.status(), 200);
    let again = json!({"concern_id": c.id, "kind": "adopt", "expected_version": 2});
    assert_eq!(s.act(&s.staff, &new_id(), again).await.status(), 422);
    assert_eq!(s.points().await, before + ADOPTED_POINTS);
}

#[tokio::test]
async fn a_concern_forwarded_to_a_grid_becomes_its_task_linked_both_ways() {
    let s = scene().await;
    let bytes = jpeg(9, 2000);
    s.server.put_photo(&s.rider.token, &bytes).await;
    let mut body = difficulty();
    body["photos"] = json!([sha256(&bytes)]);
    body["text"] = "驿站门口路灯坏了，晚上看不清".into();
    let c = s.raised(&body).await;
    let unknown = json!({"concern_id": c.id, "kind": "forward", "grid_id": "no-such-grid", "expected_version": 1});
    assert_eq!(s.act(&s.staff, &new_id(), unknown).await.status(), 422);
    let forwarded = s
        .acted(
            json!({"concern_id": c.id, "kind": "forward", "grid_id": "demo-grid-01",
                      "category": "street_light", "text": "转网格处理", "expected_version": 1}),
        )
        .await;
    let task_id = forwarded.task_id.clone().expect("a task");
    assert!(forwarded.timeline.last().unwrap().to.is_some());
    // The grid's worker has the task, which names the concern, with its words and photo.
    let worker = s.server.grid_worker_of("demo-grid-01").await;
    let task: Report = s
        .server
        .read_as(&worker, &format!("/api/v1/reports/{task_id}"))
        .await;
    assert_eq!(task.concern_id.as_deref(), Some(c.id.as_str()));
    assert_eq!(task.grid_id.as_deref(), Some("demo-grid-01"));
    assert_eq!(task.submitted.description, "驿站门口路灯坏了，晚上看不清");
    assert_eq!(task.submitted.photos, [sha256(&bytes)]);
    // The rider follows it as their own report.
    let mine: Report = s
        .server
        .read_as(&s.rider.token, &format!("/api/v1/reports/{task_id}"))
        .await;
    assert_eq!(mine.id, task_id);
    // To a department: named in the timeline, kept on the concern.
    let c2 = s.raised(&difficulty()).await;
    let to_department = s
        .acted(json!({"concern_id": c2.id, "kind": "forward", "department_id": "chengguan", "expected_version": 1}))
        .await;
    assert_eq!(to_department.department_id.as_deref(), Some("chengguan"));
    assert!(to_department.task_id.is_none());
}

#[tokio::test]
async fn the_figures_count_each_station_and_topic_and_the_resolution_rate() {
    let s = scene().await;
    let a = s.raised(&difficulty()).await;
    let b = s.raised(&suggestion()).await;
    s.raised(&difficulty()).await;
    s.acted(
        json!({"concern_id": a.id, "kind": "resolve", "text": "已解决", "expected_version": 1}),
    )
    .await;
    s.acted(json!({"concern_id": b.id, "kind": "adopt", "expected_version": 1}))
        .await;
    let today = suishoupai::domain::figures::format_date(crate::common::beijing_today());
    let path = |by: &str| format!("/api/v1/stats/concerns?from={today}&to={today}&by={by}");
    let admin = s.server.enrolled(Role::Admin, "管理员").await.token;
    let by_station: ConcernStats = s.server.read_as(&admin, &path("station")).await;
    assert_eq!(by_station.rows.len(), 1);
    let row = &by_station.rows[0];
    assert_eq!(row.key, "demo-station-01");
    assert_eq!(
        (
            row.figures.received,
            row.figures.answered,
            row.figures.answered_in_time
        ),
        (3, 2, 2)
    );
    assert_eq!(
        (row.figures.resolved, row.figures.adopted, row.figures.open),
        (1, 1, 1)
    );
    assert_eq!(row.figures.resolution_rate, Some(2.0 / 3.0));
    let by_topic: ConcernStats = s.server.read_as(&admin, &path("topic")).await;
    let names: Vec<_> = by_topic.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["小区进门难", "停车"]);
    assert_eq!(by_topic.total.received, 3);
    // Station staff: their own station only; riders: none.
    let theirs: ConcernStats = s.server.read_as(&s.other_staff, &path("station")).await;
    assert!(theirs.rows.is_empty());
    assert_eq!(
        s.server
            .get_as(&s.rider.token, &path("station"))
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn the_rider_judges_a_closed_concern_once_and_unsatisfied_reopens_it_once() {
    let s = scene().await;
    let c = s.raised(&difficulty()).await;
    let judge = |id: String, verdict: &str, comment: Option<&str>| {
        let mut body = json!({"concern_id": c.id, "verdict": verdict});
        if let Some(comment) = comment {
            body["comment"] = comment.into();
        }
        let (server, rider) = (&s.server, s.rider.token.clone());
        async move {
            server
                .put_as(&rider, &format!("/api/v1/concern-verdicts/{id}"), &body)
                .await
        }
    };
    // Not closed yet: nothing to judge. Someone else's: as if it did not exist.
    assert_eq!(
        error_code(judge(new_id(), "satisfied", None).await).await,
        "not_resolved"
    );
    s.acted(
        json!({"concern_id": c.id, "kind": "resolve", "text": "已协调", "expected_version": 1}),
    )
    .await;
    let stranger = s.server.enrolled(Role::Rider, "别的骑手").await.token;
    let res = s
        .server
        .put_as(
            &stranger,
            &format!("/api/v1/concern-verdicts/{}", new_id()),
            &json!({"concern_id": c.id, "verdict": "satisfied"}),
        )
        .await;
    assert_eq!(res.status(), 404);
    // 不满意: back to the station, accepted, with the comment in the timeline; the id replayed changes nothing.
    let first = new_id();
    let res = judge(first.clone(), "unsatisfied", Some("保安还是不让进")).await;
    assert_eq!(res.status(), 201);
    let reopened: Concern = res.json().await.unwrap();
    assert_eq!(reopened.status, ConcernStatus::Accepted);
    assert!(reopened.reopened);
    assert!(reopened.verdict.is_none(), "a new closing to judge");
    let step = reopened.timeline.last().unwrap();
    assert_eq!(
        step.text.as_deref(),
        Some("骑手不满意，重新办理：保安还是不让进")
    );
    let replay = judge(first, "unsatisfied", Some("保安还是不让进")).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.json::<Concern>().await.unwrap(), reopened);
    // Closed again and 不满意 again: recorded, not reopened a second time.
    s.acted(json!({"concern_id": c.id, "kind": "resolve", "text": "已和物业签协议", "expected_version": reopened.version}))
        .await;
    let second: Concern = judge(new_id(), "unsatisfied", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second.status, ConcernStatus::Resolved);
    assert_eq!(
        second.verdict,
        Some(suishoupai::domain::verdict::Verdict::Unsatisfied)
    );
    // A different verdict on the same closing: 409; the same one from another phone: 200.
    let other = judge(new_id(), "satisfied", None).await;
    assert_eq!(error_code(other).await, "already_rated");
    assert_eq!(judge(new_id(), "unsatisfied", None).await.status(), 200);
    // The station's 满意率 counts both.
    let today = suishoupai::domain::figures::format_date(crate::common::beijing_today());
    let stats: ConcernStats = s
        .server
        .read_as(
            &s.staff,
            &format!("/api/v1/stats/concerns?from={today}&to={today}"),
        )
        .await;
    assert_eq!((stats.total.satisfied, stats.total.unsatisfied), (0, 2));
    assert_eq!(stats.total.satisfaction, Some(0.0));
}

#[tokio::test]
async fn the_district_workbook_counts_the_concerns_per_station_and_topic() {
    let s = scene().await;
    let a = s.raised(&difficulty()).await;
    s.raised(&suggestion()).await;
    s.acted(
        json!({"concern_id": a.id, "kind": "resolve", "text": "已解决", "expected_version": 1}),
    )
    .await;
    let today = suishoupai::domain::figures::format_date(crate::common::beijing_today());
    let admin = s.server.enrolled(Role::Admin, "管理员").await.token;
    let res = s
        .server
        .get_as(
            &admin,
            &format!("/api/v1/export/reports?from={today}&to={today}&format=xlsx"),
        )
        .await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[1].clone();
    assert!(sheet.starts_with("骑手诉求"), "{sheet}");
    let rows: Vec<Vec<String>> = book
        .worksheet_range(&sheet)
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("{name} in {rows:?}"))
    };
    assert_eq!(rows[0][0], "按驿站");
    assert_eq!(rows[1][1], "收到");
    // demo-station-01's row: 2 received, 1 answered (the 办结), 1 resolved, 1 open; 办结率 0.5.
    let station = &rows[2];
    assert_eq!(&station[1..=7], ["2", "1", "1", "1", "0", "1", "0"]);
    assert_eq!(station[10], "0.5");
    assert_eq!(row("小区进门难")[6], "1");
    assert_eq!(row("停车")[4], "1");
}

#[tokio::test]
async fn the_district_loads_its_own_topics_and_a_topic_left_out_is_retired() {
    use suishoupai::domain::concern::ConcernTopic;
    use suishoupai::server::district::{export_kind, Kind};
    let s = scene().await;
    let filed = s.raised(&difficulty()).await; // under 小区进门难 (entry)
    let faults = crate::district_imports::refused(
        &s.server,
        Kind::ConcernTopics,
        "code,name_zh,name_en\nBad Code,充电,\nrest,休息,Rest\nrest,休息,Rest\n".as_bytes(),
        "concern_topics.csv",
    )
    .await;
    assert_eq!(faults.len(), 3, "{faults:?}");
    let file = "code,name_zh,name_en\nrest,休息驿站,Rest stops\ncharging,充电,Charging\n";
    let changes =
        crate::district_imports::import(&s.server, Kind::ConcernTopics, file.as_bytes(), "t.csv")
            .await
            .unwrap();
    assert_eq!(
        changes.updated,
        ["rest"],
        "renamed and moved up; 充电 stays second"
    );
    assert_eq!(changes.unchanged, 1);
    assert!(changes.retired.contains(&"entry".to_owned()));
    let topics: Vec<ConcernTopic> = s
        .server
        .read_as(&s.rider.token, "/api/v1/concern-topics")
        .await;
    let names: Vec<_> = topics.iter().map(|t| t.name_zh.as_str()).collect();
    assert_eq!(names, ["休息驿站", "充电"], "the file's order");
    // A retired topic takes no new concern; one filed under it keeps it.
    let res = s.raise(&s.rider.token, &new_id(), &difficulty()).await;
    assert_eq!(res.status(), 422);
    let kept: Concern = s
        .server
        .read_as(&s.staff, &format!("/api/v1/concerns/{}", filed.id))
        .await;
    assert_eq!(kept.topic, "entry");
    // Exported, it is the file again.
    let exported = export_kind(&s.server.db, Kind::ConcernTopics)
        .await
        .unwrap();
    assert_eq!(String::from_utf8(exported).unwrap(), file);
}

#[tokio::test]
async fn the_department_a_concern_is_forwarded_to_sees_it_answers_and_resolves_it() {
    let s = scene().await;
    let concern = s.raised(&difficulty()).await;
    let chengguan = s.server.department_staff_of("chengguan").await;
    let shuiwu = s.server.department_staff_of("shuiwu").await;
    let path = format!("/api/v1/concerns/{}", concern.id);
    // Before it is forwarded, no department sees it or may answer it.
    assert_eq!(s.server.get_as(&chengguan, &path).await.status(), 404);
    assert!(s.concern_ids_in_feed(&chengguan).await.is_empty());
    let early =
        json!({"concern_id": concern.id, "kind": "reply", "text": "收到", "expected_version": 1});
    assert_eq!(s.act(&chengguan, &new_id(), early).await.status(), 403);
    let forwarded = s
        .acted(
            json!({"concern_id": concern.id, "kind": "forward", "department_id": "chengguan",
                      "text": "请城管协调物业", "expected_version": concern.version}),
        )
        .await;
    assert_eq!(forwarded.department_id.as_deref(), Some("chengguan"));
    // Now the department sees it, in its feed too; another department still does not.
    assert_eq!(s.server.get_as(&chengguan, &path).await.status(), 200);
    assert_eq!(
        s.concern_ids_in_feed(&chengguan).await,
        [concern.id.as_str()]
    );
    assert_eq!(s.server.get_as(&shuiwu, &path).await.status(), 404);
    assert!(s.concern_ids_in_feed(&shuiwu).await.is_empty());
    // It answers and resolves; judging a suggestion or forwarding on stays with the station.
    let on = |kind: &str, version: i64| {
        json!({"concern_id": concern.id, "kind": kind, "text": "已与物业约定骑手登记进门",
               "grid_id": "demo-grid-01", "expected_version": version})
    };
    let onward = s
        .act(&chengguan, &new_id(), on("forward", forwarded.version))
        .await;
    assert_eq!(onward.status(), 403);
    let other = s
        .act(&shuiwu, &new_id(), on("resolve", forwarded.version))
        .await;
    assert_eq!(other.status(), 403);
    let mut resolve = on("resolve", forwarded.version);
    resolve.as_object_mut().unwrap().remove("grid_id");
    let res = s.act(&chengguan, &new_id(), resolve).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let resolved: Concern = s.server.read_as(&s.rider.token, &path).await;
    assert_eq!(resolved.status, ConcernStatus::Resolved);
    let last = resolved.timeline.last().unwrap();
    assert_eq!(last.text.as_deref(), Some("已与物业约定骑手登记进门"));
}
