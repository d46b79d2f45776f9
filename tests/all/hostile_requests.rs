//! A malformed-request sweep of every endpoint: wrong types, huge numbers, NaN, deep nesting, 10 MB bodies, invalid
//! UTF-8, wrong content types, path traversal in ids, hostile query strings. For every case: never a 5xx, always
//! the protocol's error body, and nothing written unless the server said it accepted the request.

use crate::common::{jpeg, new_id, report_body, sha256, TestServer};
use serde_json::{json, Value};
use suishoupai::domain::Role;
use suishoupai::server::{db, Db};

struct Case {
    name: String,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    token: Option<String>,
}

/// Rows in every table a request could write to.
async fn rows(server: &TestServer) -> Vec<i64> {
    let mut counts = vec![];
    for table in [
        "reports",
        "photos",
        "photo_uploads",
        "checkins",
        "task_actions",
        "tokens",
        "points",
        "report_photos",
    ] {
        let (n,): (i64,) = db::query_as(format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&server.db)
            .await
            .unwrap_or_else(|e| panic!("count {table}: {e}"));
        counts.push(n);
    }
    counts
}

/// Values that are wrong for (nearly) any field.
fn hostile_values() -> Vec<(&'static str, String)> {
    vec![
        ("null", "null".into()),
        ("true", "true".into()),
        ("zero", "0".into()),
        ("negative", "-1".into()),
        ("huge float", "1e308".into()),
        ("overflowing float", "1e999".into()),
        ("overflowing integer", "18446744073709551616".into()),
        ("minus huge integer", "-9223372036854775809".into()),
        ("NaN literal", "NaN".into()),
        ("NaN string", "\"NaN\"".into()),
        ("infinity string", "\"Infinity\"".into()),
        ("empty string", "\"\"".into()),
        ("long string", format!("\"{}\"", "长".repeat(50_000))),
        ("NUL string", "\"a\\u0000b\"".into()),
        ("lone surrogate", "\"\\ud800\"".into()),
        ("array", "[1,2,3]".into()),
        ("object", "{\"a\":{\"b\":1}}".into()),
        ("long array", format!("[{}\"x\"]", "\"x\",".repeat(20_000))),
        ("script", "\"<script>alert(1)</script>\"".into()),
        ("sql", "\"' OR 1=1; DROP TABLE reports; --\"".into()),
    ]
}

/// `body` with `field` set to the raw JSON `value`.
fn with_field(body: &Value, field: &str, value: &str) -> Vec<u8> {
    let mut object = body.as_object().unwrap().clone();
    object.insert(field.to_owned(), json!("__HOSTILE__"));
    serde_json::to_string(&object)
        .unwrap()
        .replace("\"__HOSTILE__\"", value)
        .into_bytes()
}

/// Bodies that are broken as a whole, whatever the endpoint.
fn hostile_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes();
    vec![
        ("empty", vec![]),
        ("truncated", b"{\"category\": \"road".to_vec()),
        ("not an object", b"[]".to_vec()),
        ("a string", b"\"report\"".to_vec()),
        ("a number", b"42".to_vec()),
        ("null", b"null".to_vec()),
        ("NaN", b"{\"lat\": NaN}".to_vec()),
        (
            "invalid UTF-8",
            b"{\"description\": \"\xff\xfe\xfd\"}".to_vec(),
        ),
        (
            "UTF-16",
            "{\"a\":1}"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes())
                .collect(),
        ),
        ("BOM", b"\xef\xbb\xbf{}".to_vec()),
        ("deep nesting 1k", deep(1_000)),
        ("deep nesting 100k", deep(100_000)),
        (
            "deep object",
            format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000)).into_bytes(),
        ),
        (
            "duplicate keys",
            b"{\"category\":\"road_damage\",\"category\":[]}".to_vec(),
        ),
        (
            "10 MB string",
            format!("{{\"description\":\"{}\"}}", "a".repeat(10 * 1024 * 1024)).into_bytes(),
        ),
        ("10 MB of spaces", vec![b' '; 10 * 1024 * 1024]),
        ("NUL bytes", vec![0u8; 1024]),
    ]
}

fn hostile_ids() -> Vec<(&'static str, String)> {
    vec![
        ("dot dot", "..".into()),
        ("traversal", "..%2F..%2F..%2Fetc%2Fpasswd".into()),
        (
            "encoded traversal",
            "%2E%2E%2F%2E%2E%2Fsuishoupai.db".into(),
        ),
        ("NUL", "abc%00def".into()),
        ("backslash", "..%5C..%5Cwindows".into()),
        ("long", "a".repeat(8_000)),
        ("unicode", "%E9%9A%8F%E6%89%8B%E6%8B%8D".into()),
        ("invalid UTF-8", "%FF%FE".into()),
        ("sql", "1%27%20OR%20%271%27%3D%271".into()),
        ("uppercase uuid", new_id().to_uppercase()),
        ("braced uuid", format!("%7B{}%7D", new_id())),
    ]
}

#[tokio::test]
async fn no_malformed_request_gets_a_5xx_or_writes_anything() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    let worker = server.grid_worker_of("demo-grid-01").await;
    let staff = server.enrolled(Role::StationStaff, "驿站").await.token;
    let photo = jpeg(7, 2000);
    let photo_hash = sha256(&photo);
    assert_eq!(server.put_photo(&rider, &photo).await.status(), 201);
    let report_id = new_id();
    assert_eq!(
        server
            .put_report(&rider, &report_id, &report_body(&[&photo_hash]))
            .await
            .status(),
        201
    );

    let report = report_body(&[&photo_hash]);
    let action = json!({"report_id": report_id, "kind": "accept", "expected_version": 1});
    let checkin = json!({"station_id": "demo-station-01", "rider_pass": "12345678",
        "scanned_at": "2026-11-26T08:00:00.000Z"});
    let enroll = json!({"code": "ABCD-EFGH-JK", "device_name": "手机"});
    let endpoints: Vec<(&'static str, String, Value, Option<String>)> = vec![
        (
            "PUT",
            "/api/v1/reports/{id}".into(),
            report,
            Some(rider.clone()),
        ),
        (
            "PUT",
            "/api/v1/task-actions/{id}".into(),
            action,
            Some(worker.clone()),
        ),
        (
            "PUT",
            "/api/v1/checkins/{id}".into(),
            checkin,
            Some(staff.clone()),
        ),
        ("POST", "/api/v1/enroll".into(), enroll, None),
    ];

    let mut cases = vec![];
    for (method, path, valid, token) in &endpoints {
        let fresh = || path.replace("{id}", &new_id());
        for field in valid.as_object().unwrap().keys() {
            for (what, value) in hostile_values() {
                cases.push(Case {
                    name: format!("{method} {path}: {field} = {what}"),
                    method,
                    path: fresh(),
                    content_type: Some("application/json"),
                    body: with_field(valid, field, &value),
                    token: token.clone(),
                });
            }
        }
        for (what, body) in hostile_bodies() {
            cases.push(Case {
                name: format!("{method} {path}: body {what}"),
                method,
                path: fresh(),
                content_type: Some("application/json"),
                body,
                token: token.clone(),
            });
        }
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/json; charset=utf-16"),
            Some("image/jpeg"),
        ] {
            cases.push(Case {
                name: format!("{method} {path}: content type {content_type:?}"),
                method,
                path: fresh(),
                content_type,
                body: serde_json::to_vec(valid).unwrap(),
                token: token.clone(),
            });
        }
        if path.contains("{id}") {
            for (what, id) in hostile_ids() {
                cases.push(Case {
                    name: format!("{method} {path}: id {what}"),
                    method,
                    path: path.replace("{id}", &id),
                    content_type: Some("application/json"),
                    body: serde_json::to_vec(valid).unwrap(),
                    token: token.clone(),
                });
            }
        }
    }
    // Reads with hostile ids and queries.
    for (what, id) in hostile_ids() {
        for path in [
            format!("/api/v1/reports/{id}"),
            format!("/api/v1/photos/{id}"),
        ] {
            cases.push(Case {
                name: format!("GET {path}: {what}"),
                method: "GET",
                path,
                content_type: None,
                body: vec![],
                token: Some(rider.clone()),
            });
        }
    }
    for query in [
        "limit=NaN",
        "limit=1e999",
        "limit=-1",
        "limit=0",
        "limit=99999999999999999999999",
        "limit=",
        "limit=1&limit=2",
        "cursor=c-1",
        "cursor=c99999999999999999999",
        "cursor=..%2F..%2F",
        "cursor=%FF",
        "cursor=c1%00",
    ] {
        cases.push(Case {
            name: format!("GET /changes?{query}"),
            method: "GET",
            path: format!("/api/v1/changes?{query}"),
            content_type: None,
            body: vec![],
            token: Some(rider.clone()),
        });
    }
    for month in [
        "2026-13",
        "9999-99",
        "abcd-ef",
        "2026-1",
        "%FF",
        "2026-11%00",
    ] {
        cases.push(Case {
            name: format!("GET /leaderboard?month={month}"),
            method: "GET",
            path: format!("/api/v1/leaderboard?month={month}"),
            content_type: None,
            body: vec![],
            token: Some(rider.clone()),
        });
    }
    // Photos: lies about the hash, the type and the size.
    let truncated = &photo[..3];
    for (what, hash, content_type, body) in [
        (
            "hash of other bytes",
            sha256(b"other"),
            "image/jpeg",
            photo.clone(),
        ),
        (
            "truncated jpeg",
            sha256(truncated),
            "image/jpeg",
            truncated.to_vec(),
        ),
        (
            "png declared, jpeg sent",
            photo_hash.clone(),
            "image/png",
            photo.clone(),
        ),
        (
            "html declared as jpeg",
            sha256(b"<html>"),
            "image/jpeg",
            b"<html>".to_vec(),
        ),
        (
            "svg",
            sha256(b"<svg/>"),
            "image/svg+xml",
            b"<svg/>".to_vec(),
        ),
        ("empty", sha256(b""), "image/jpeg", vec![]),
        (
            "10 MB",
            sha256(&[0xFF; 16]),
            "image/jpeg",
            [&[0xFF, 0xD8, 0xFF][..], &vec![0; 10 << 20]].concat(),
        ),
        (
            "uppercase hash",
            photo_hash.to_uppercase(),
            "image/jpeg",
            photo.clone(),
        ),
    ] {
        cases.push(Case {
            name: format!("PUT /photos: {what}"),
            method: "PUT",
            path: format!("/api/v1/photos/{hash}"),
            content_type: Some(content_type),
            body,
            token: Some(rider.clone()),
        });
    }

    let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
    let mut succeeded = Vec::new();
    for case in &cases {
        let before = rows(&server).await;
        let mut req = server
            .client
            .request(case.method.parse().unwrap(), server.url(&case.path))
            .body(case.body.clone());
        if let Some(ct) = case.content_type {
            req = req.header("content-type", ct);
        }
        if let Some(token) = &case.token {
            req = req.bearer_auth(token);
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let status = res.status().as_u16();
        *by_status.entry(status).or_default() += 1;
        if status < 400 {
            succeeded.push(format!("{} → {status}", case.name));
        }
        assert!(status < 500, "{}: {status}", case.name);
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = res.text().await.unwrap_or_default();
        let after = rows(&server).await;
        if status >= 400 {
            assert!(
                ct.starts_with("application/json"),
                "{}: {status} {ct}",
                case.name
            );
            let body: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {text}", case.name));
            assert!(body["error"]["code"].is_string(), "{}: {text}", case.name);
            assert_eq!(
                before, after,
                "{}: {status} but something was written",
                case.name
            );
        }
    }
    // The server is still well after all that.
    assert_eq!(server.get("/api/v1/health").await.status(), 200);
    if let Db::Sqlite(_) = server.db {
        let (integrity,): (String,) = db::query_as("PRAGMA integrity_check")
            .fetch_one(&server.db)
            .await
            .unwrap();
        assert_eq!(integrity, "ok");
    }
    println!(
        "hostile requests: {} cases, statuses {by_status:?}",
        cases.len()
    );
    assert!(cases.len() > 400, "only {} cases", cases.len());
    // Only these odd but harmless reports may be accepted: any coordinates (outside every grid a report goes to
    // the nearest, flagged), any accuracy, any text in the description (stored as text, shown escaped), an
    // uppercase UUID as the phone's id. Every other hostile request is refused.
    let harmless = |name: &str| {
        name.starts_with("PUT /api/v1/reports/{id}: ")
            && [
                "accuracy_m = ",
                "description = ",
                "lat = zero",
                "lat = negative",
                "lon = zero",
                "lon = negative",
                "urgent = true",
                "id uppercase uuid",
            ]
            .iter()
            .any(|ok| name.contains(ok))
    };
    let accepted_wrongly: Vec<&String> = succeeded.iter().filter(|s| !harmless(s)).collect();
    assert!(
        accepted_wrongly.is_empty(),
        "accepted: {accepted_wrongly:#?}"
    );
    assert!(
        !succeeded.is_empty(),
        "the harmless cases reach the handler"
    );
}

#[tokio::test]
async fn each_user_has_a_request_budget_and_overdrawing_it_is_a_429_with_retry_after() {
    let server = TestServer::start_with_config(suishoupai::server::Config {
        requests_per_minute: 5,
        ..Default::default()
    })
    .await;
    let greedy = server.enrolled(Role::Rider, "贪心骑手").await.token;
    let other = server.enrolled(Role::Rider, "别的骑手").await.token;
    for _ in 0..5 {
        assert_eq!(server.get_as(&greedy, "/api/v1/me").await.status(), 200);
    }
    let res = server.get_as(&greedy, "/api/v1/me").await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=12).contains(&wait), "Retry-After {wait}");
    assert_eq!(crate::common::error_code(res).await, "rate_limited");
    assert_eq!(server.get_as(&other, "/api/v1/me").await.status(), 200);
    // Health needs no token and counts against no one.
    assert_eq!(server.get("/api/v1/health").await.status(), 200);
}

#[tokio::test]
async fn json_bodies_over_64_kib_are_refused_before_they_are_read_whole() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    let mut body = report_body(&[]);
    body["description"] = json!("长".repeat(30_000)); // 90 KB of UTF-8
    let res = server.put_report(&rider, &new_id(), &body).await;
    assert_eq!(res.status(), 413);
    assert_eq!(crate::common::error_code(res).await, "too_large");
    // A photo of 1 MB is still fine: photos have their own limit.
    let photo = jpeg(3, 1 << 20);
    assert_eq!(server.put_photo(&rider, &photo).await.status(), 201);
}
