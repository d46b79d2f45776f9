//! The OpenAPI document against the contract and the router: it is served without a token, describes exactly the
//! operations of PROTOCOL.md (and our extensions), every operation it names is served, nothing else is served on
//! its paths, and every error it promises has the protocol's error body.

use std::collections::BTreeSet;

use crate::common::{error_code, TestServer};
use serde_json::Value;
use suishoupai::domain::Role;
use suishoupai::server::error::NO_ROUTE_MESSAGE;

/// PROTOCOL.md's operations, then ours: the leaderboard and the document itself.
const CONTRACT: &[&str] = &[
    "POST /api/v1/enroll",
    "GET /api/v1/me",
    "GET /api/v1/me/data",
    "DELETE /api/v1/me",
    "GET /api/v1/categories",
    "GET /api/v1/stations",
    "GET /api/v1/grids",
    "GET /api/v1/departments",
    "POST /api/v1/admin/imports",
    "GET /api/v1/admin/exports/{kind}",
    "GET /api/v1/admin/audit",
    "GET /api/v1/admin/backups",
    "POST /api/v1/admin/users/import",
    "GET /api/v1/admin/users",
    "POST /api/v1/admin/users/{id}/revoke",
    "POST /api/v1/admin/users/{id}/move",
    "POST /api/v1/admin/users/reissue",
    "PUT /api/v1/photos/{sha256}",
    "HEAD /api/v1/photos/{sha256}",
    "GET /api/v1/photos/{sha256}",
    "PUT /api/v1/reports/{id}",
    "GET /api/v1/reports/{id}",
    "GET /api/v1/reports/{id}/joined",
    "PUT /api/v1/task-actions/{id}",
    "PUT /api/v1/checkins/{id}",
    "GET /api/v1/changes",
    "GET /api/v1/changes/stream",
    "GET /api/v1/health",
    "GET /api/v1/leaderboard",
    "GET /api/v1/export/reports",
    "GET /api/v1/stats",
    "GET /api/v1/warnings",
    "GET /api/v1/warnings/history",
    "GET /api/v1/warnings/map",
    "GET /api/v1/stats/trend",
    "PUT /api/v1/verdicts/{id}",
    "PUT /api/v1/concerns/{id}",
    "GET /api/v1/concerns/{id}",
    "PUT /api/v1/concern-actions/{id}",
    "PUT /api/v1/concern-verdicts/{id}",
    "GET /api/v1/concern-topics",
    "GET /api/v1/stats/concerns",
    "GET /api/v1/escalations",
    "GET /api/v1/openapi.json",
];

/// Operations anyone may call.
const PUBLIC: &[&str] = &[
    "POST /api/v1/enroll",
    "GET /api/v1/health",
    "GET /api/v1/openapi.json",
];

const METHODS: [&str; 6] = ["get", "head", "post", "put", "patch", "delete"];

async fn document(server: &TestServer) -> Value {
    let res = server.get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), 200, "the document needs no token");
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    res.json().await.expect("JSON document")
}

/// Every `METHOD /path` of the document with its operation object.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                ops.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    ops
}

/// A concrete URL for a templated path: a UUID for ids, a SHA-256 for photos.
fn concrete(path: &str) -> String {
    path.replace("{id}", "0193a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b")
        .replace("{sha256}", &"ab".repeat(32))
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_the_bearer_scheme_and_is_public() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["info"]["version"], suishoupai::domain::APP_VERSION);
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    for (method, path, op) in operations(&doc) {
        let name = format!("{method} {path}");
        let secured = op["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        assert_eq!(
            secured,
            !PUBLIC.contains(&name.as_str()),
            "{name}: security requirement"
        );
    }
}

#[tokio::test]
async fn the_document_describes_exactly_the_contract() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let documented: BTreeSet<String> = operations(&doc)
        .into_iter()
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    let contract: BTreeSet<String> = CONTRACT.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        documented.difference(&contract).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "documented but not in the contract"
    );
    assert_eq!(
        contract.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "in the contract but not documented"
    );
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let server = TestServer::start().await;
    let token = server.enrolled(Role::Admin, "管理员").await.token;
    let doc = document(&server).await;
    for (method, path, _) in operations(&doc) {
        let url = server.url(&concrete(&path));
        let req = server
            .client
            .request(method.parse().unwrap(), &url)
            .bearer_auth(&token);
        let req = if method == "PUT" || method == "POST" {
            req.json(&serde_json::json!({}))
        } else {
            req
        };
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        assert_ne!(status, 405, "{method} {path} is not routed");
        if method != "HEAD" && status == 404 {
            let body: Value = res.json().await.unwrap();
            assert_ne!(
                body["error"]["message"], NO_ROUTE_MESSAGE,
                "{method} {path} is not routed"
            );
        }
    }
}

#[tokio::test]
async fn nothing_undocumented_is_served_on_a_documented_path() {
    let server = TestServer::start().await;
    let token = server.enrolled(Role::Admin, "管理员").await.token;
    let doc = document(&server).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            // HTTP serves HEAD wherever it serves GET (the same answer without the body).
            let implied = method == "head" && item.get("get").is_some();
            if item.get(method).is_some() || implied {
                continue;
            }
            let res = server
                .client
                .request(
                    method.to_uppercase().parse().unwrap(),
                    server.url(&concrete(path)),
                )
                .bearer_auth(&token)
                .send()
                .await
                .expect("request");
            assert_eq!(res.status(), 405, "{method} {path} answers undocumented");
            if method != "head" {
                assert_eq!(error_code(res).await, "method_not_allowed");
            }
        }
    }
}

#[tokio::test]
async fn every_documented_error_has_the_protocol_error_body() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let mut checked = 0;
    for (method, path, op) in operations(&doc) {
        if method == "HEAD" {
            continue; // HEAD answers carry no body
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            let response = match response["$ref"].as_str() {
                Some(r) => {
                    let name = r.rsplit('/').next().unwrap();
                    &doc["components"]["responses"][name]
                }
                None => response,
            };
            let schema = &response["content"]["application/json"]["schema"];
            assert_eq!(
                schema["$ref"], "#/components/schemas/ErrorBody",
                "{method} {path} {status}"
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} error responses documented");
    let error = &doc["components"]["schemas"]["ApiError"];
    assert_eq!(
        error["required"],
        serde_json::json!(["code", "message"]),
        "the error body of PROTOCOL.md"
    );
}

#[tokio::test]
async fn rejections_from_outside_the_handlers_are_protocol_errors() {
    let server = TestServer::start_with_config(suishoupai::server::Config {
        max_photo_bytes: 1000,
        ..Default::default()
    })
    .await;
    let token = server.enrolled(Role::Rider, "骑手").await.token;
    // A path segment that is not UTF-8: axum's path extractor refuses it.
    let res = server.get_as(&token, "/api/v1/reports/%FF%FE").await;
    assert_eq!(res.status(), 400);
    assert_eq!(error_code(res).await, "malformed_request");
    // A photo over the body limit: refused by the body-limit layer before the handler runs.
    let res = server
        .client
        .put(server.url(&format!("/api/v1/photos/{}", "ab".repeat(32))))
        .bearer_auth(&token)
        .header("content-type", "image/jpeg")
        .body(vec![0xFF; 2000])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 413);
    assert_eq!(error_code(res).await, "too_large");
    // An unknown API path.
    let res = server.get_as(&token, "/api/v1/no/such/thing").await;
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["message"], NO_ROUTE_MESSAGE);
}

#[tokio::test]
async fn the_viewer_is_served_by_us_and_loads_nothing_from_elsewhere() {
    let server = TestServer::start().await;
    let page = server.get("/api-docs").await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    for asset in ["/api-docs/viewer.js", "/api-docs/viewer.css"] {
        assert!(html.contains(asset), "the page uses {asset}");
        let res = server.get(asset).await;
        assert_eq!(res.status(), 200, "{asset}");
        let text = res.text().await.unwrap();
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{asset} refers to another site"
        );
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
}
