//! Who may call what: every endpoint × every kind of caller → the expected status. The table grows as
//! endpoints are added; resource-level rows (another rider's report, another grid's task…) join it with them.

use crate::common::{error_code, new_id, report_body, report_body_at, TestServer};
use serde_json::{json, Value};
use suishoupai::domain::{Report, ReportStatus, Role};
use suishoupai::server::accounts;
use suishoupai::server::db;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Anonymous,
    Malformed(&'static str),
    UnknownToken,
    RevokedUser,
    DeletedUser,
    Live(Role),
}

const ENDPOINTS: [&str; 17] = [
    "/api/v1/me",
    "/api/v1/changes",
    "/api/v1/changes/stream",
    "/api/v1/categories",
    "/api/v1/stations",
    "/api/v1/grids",
    "/api/v1/departments",
    "/api/v1/health",
    "/api/v1/admin/audit",
    "/api/v1/admin/users",
    "/api/v1/admin/exports/grids",
    "/api/v1/export/reports?from=2026-11-01&to=2026-11-30",
    "/api/v1/stats?from=2026-11-01&to=2026-11-30",
    "/api/v1/warnings",
    "/api/v1/escalations",
    "/api/v1/concern-topics",
    "/api/v1/stats/concerns?from=2026-11-01&to=2026-11-30",
];

/// Whether a live user of `role` may read `path` (a GET): the district console's `/admin/…` is for admins, the
/// district's exports and escalations for officials and admins, its figures and warnings for grid workers too, the
/// concern figures for officials, admins and station staff; everything else for every live user.
fn may_read(path: &str, role: Role) -> bool {
    if path.starts_with("/api/v1/admin/") {
        role == Role::Admin
    } else if path.starts_with("/api/v1/export/") || path.starts_with("/api/v1/escalations") {
        matches!(role, Role::Admin | Role::Official)
    } else if path.starts_with("/api/v1/stats/concerns") {
        matches!(role, Role::Admin | Role::Official | Role::StationStaff)
    } else if path.starts_with("/api/v1/stats") || path.starts_with("/api/v1/warnings") {
        matches!(role, Role::Admin | Role::Official | Role::GridWorker)
    } else {
        true
    }
}

/// The rule: `/health` (and `POST /enroll`, tested on its own) is public; a live user reads what [`may_read`]
/// allows (else 403); everything else needs a live token.
fn expected(endpoint: &str, caller: Caller) -> u16 {
    match (endpoint, caller) {
        ("/api/v1/health", _) => 200,
        (e, Caller::Live(role)) if may_read(e, role) => 200,
        (_, Caller::Live(_)) => 403,
        _ => 401,
    }
}

#[tokio::test]
async fn every_endpoint_for_every_caller() {
    let server = TestServer::start().await;
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((
            Caller::Live(role),
            Some(server.enrolled(role, "用户").await.token),
        ));
    }
    let revoked = server.enrolled(Role::Rider, "已停用").await;
    accounts::revoke_user(&server.db, &revoked.user.id)
        .await
        .unwrap();
    let deleted = server.enrolled(Role::GridWorker, "已删除").await;
    db::query("DELETE FROM users WHERE id = ?")
        .bind(&deleted.user.id)
        .execute(&server.db)
        .await
        .unwrap();
    tokens.push((Caller::RevokedUser, Some(revoked.token)));
    tokens.push((Caller::DeletedUser, Some(deleted.token)));
    tokens.push((Caller::UnknownToken, Some("0".repeat(64))));
    tokens.push((Caller::Anonymous, None));

    let live_token = tokens[0].1.clone().unwrap();
    let malformed = [
        Caller::Malformed("Basic dXNlcjpwYXNz"),
        Caller::Malformed("Bearer"),
        Caller::Malformed("Bearer not-a-token"),
        Caller::Malformed("Token {live}"),
        Caller::Malformed("Bearer {live} extra"),
    ];

    let mut rows = 0;
    for endpoint in ENDPOINTS {
        for (caller, token) in &tokens {
            let mut req = server.client.get(server.url(endpoint));
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            let res = req.send().await.unwrap();
            let want = expected(endpoint, *caller);
            assert_eq!(res.status().as_u16(), want, "{caller:?} GET {endpoint}");
            if want == 401 {
                assert_eq!(res.headers()["www-authenticate"], "Bearer");
                assert_eq!(
                    error_code(res).await,
                    "unauthorized",
                    "{caller:?} GET {endpoint}"
                );
            }
            rows += 1;
        }
        for caller in malformed {
            let Caller::Malformed(header) = caller else {
                unreachable!()
            };
            let header = header.replace("{live}", &live_token);
            let res = server
                .client
                .get(server.url(endpoint))
                .header("authorization", header)
                .send()
                .await
                .unwrap();
            assert_eq!(
                res.status().as_u16(),
                expected(endpoint, caller),
                "{caller:?} GET {endpoint}"
            );
            rows += 1;
        }
    }
    // Every caller of the table was tried: each role, the revoked, deleted and unknown tokens, no token at all.
    assert_eq!(tokens.len(), suishoupai::domain::Role::ALL.len() + 4);
    assert!(rows > 0);
}

#[tokio::test]
async fn revoking_a_user_stops_their_token_at_once() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    assert_eq!(
        server.get_as(&rider.token, "/api/v1/me").await.status(),
        200
    );
    accounts::revoke_user(&server.db, &rider.user.id)
        .await
        .unwrap();
    assert_eq!(
        server.get_as(&rider.token, "/api/v1/me").await.status(),
        401
    );
}

#[tokio::test]
async fn no_response_carries_a_phone_number() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    for endpoint in ENDPOINTS {
        let mut res = server.get_as(&rider.token, endpoint).await;
        // The live stream never ends by itself: its first event.
        let text = if endpoint.ends_with("/stream") {
            let chunk = res.chunk().await.unwrap().unwrap_or_default();
            String::from_utf8(chunk.to_vec()).unwrap()
        } else {
            res.text().await.unwrap()
        };
        assert!(
            !text.contains("13800000000"),
            "{endpoint} leaked the phone number"
        );
        assert!(!text.contains("\"phone\""), "{endpoint} has a phone field");
    }
}

// Resource-level rows: what a grid worker may do with reports beyond their own grid, and what they may award
// themselves.

#[tokio::test]
async fn a_duplicate_link_must_name_a_report_of_the_workers_own_grid() {
    // Grid 1's report, and a worker of grid 7 with a report of their own grid to reject.
    let t = crate::task_actions::task().await;
    let mut elsewhere = report_body(&[]);
    elsewhere["lat"] = json!(30.80);
    elsewhere["lon"] = json!(104.10);
    let theirs: Report = t.server.file_report(&t.rider, &elsewhere).await;
    assert_ne!(theirs.grid_id, t.report.grid_id, "another grid");
    let reject = json!({"report_id": t.report.id, "kind": "reject", "reason": "duplicate",
                        "duplicate_of": theirs.id, "expected_version": 1});
    let res = t.act(&t.worker, &new_id(), reject).await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "invalid_input");
    // Nothing opened: the worker still cannot read the other grid's report.
    let res = t
        .server
        .get_as(&t.worker, &format!("/api/v1/reports/{}", theirs.id))
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_worker_earns_no_points_for_acting_on_their_own_report() {
    let t = crate::task_actions::task().await;
    // The worker reports in their own grid, then accepts and resolves it.
    let own: Report = t
        .server
        .file_report(&t.worker, &report_body_at(&[], 100.0))
        .await;
    let act = |kind: &str, version: i64| json!({"report_id": own.id, "kind": kind, "note": "自己处理", "expected_version": version});
    assert_eq!(
        t.act(&t.worker, &new_id(), act("accept", 1)).await.status(),
        201
    );
    let r: Report = t.acted(&t.worker, act("resolve", 2)).await;
    assert_eq!((r.status, r.points_awarded), (ReportStatus::Resolved, 0));
    let board: Value = t
        .server
        .get_as(&t.worker, "/api/v1/leaderboard")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board["my_points"], 0);
    // Nor when a colleague resolves what the reporter accepted themselves.
    let second: Report = t
        .server
        .file_report(&t.worker, &report_body_at(&[], 200.0))
        .await;
    let colleague = t.server.grid_worker_of("demo-grid-07").await;
    t.act(
        &t.worker,
        &new_id(),
        json!({"report_id": second.id, "kind": "accept", "expected_version": 1}),
    )
    .await;
    let r: Report = t
        .acted(&colleague, json!({"report_id": second.id, "kind": "resolve", "note": "同事办结", "expected_version": 2})).await;
    assert_eq!(r.points_awarded, 0);
}

/// Every operation of the OpenAPI document, so a new endpoint joins this table by itself: without a live token
/// (none, unknown, revoked, deleted) each signed-in operation is `401` before anything else; with one, no role
/// gets `401` or a server error; the district console's and the district's exports' reads are `403` to the roles
/// they are not for.
#[tokio::test]
async fn every_documented_operation_for_every_caller() {
    let server = TestServer::start().await;
    let doc: Value = server
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let revoked = server.enrolled(Role::Rider, "已停用").await;
    accounts::revoke_user(&server.db, &revoked.user.id)
        .await
        .unwrap();
    let mut callers: Vec<(Caller, Option<String>)> = vec![
        (Caller::Anonymous, None),
        (Caller::UnknownToken, Some("0".repeat(64))),
        (Caller::RevokedUser, Some(revoked.token)),
    ];
    for role in Role::ALL {
        callers.push((
            Caller::Live(role),
            Some(server.enrolled(role, "用户").await.token),
        ));
    }
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // Erasing one's account ends the caller: its rules are tested in personal_data.
            if method == "delete" && path == "/api/v1/me" {
                continue;
            }
            let public = op.get("security").is_none();
            let url = server.url(
                &path
                    .replace("{id}", &new_id())
                    .replace("{sha256}", &"ab".repeat(32))
                    .replace("{kind}", "grids"),
            );
            let query = if path == "/api/v1/export/reports" || path.starts_with("/api/v1/stats") {
                "?from=2026-11-01&to=2026-11-30"
            } else if path == "/api/v1/warnings/history" {
                "?grid_id=demo-grid-01"
            } else {
                ""
            };
            for (caller, token) in &callers {
                let mut req = server.client.request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{url}{query}"),
                );
                if matches!(method.as_str(), "put" | "post") {
                    req = if path.starts_with("/api/v1/photos/") {
                        req.header("content-type", "image/jpeg")
                            .body(vec![0xFF, 0xD8])
                    } else {
                        req.json(&json!({}))
                    };
                }
                if let Some(token) = token {
                    req = req.bearer_auth(token);
                }
                let status = req.send().await.unwrap().status().as_u16();
                let name = format!("{caller:?} {} {path}", method.to_uppercase());
                assert!(status < 500, "{name}: {status}");
                match caller {
                    Caller::Live(role) => {
                        assert_ne!(status, 401, "{name}");
                        if method == "get" && !may_read(path, *role) {
                            assert_eq!(status, 403, "{name}");
                        }
                    }
                    _ if public => assert_ne!(status, 401, "{name}"),
                    _ => assert_eq!(status, 401, "{name}"),
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 25 * callers.len(), "only {tried} requests");
}
