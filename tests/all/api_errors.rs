//! The protocol's error rules hold from the first endpoint: JSON bodies with stable codes, never the app's HTML.

use crate::common::{error_code, TestServer};

#[tokio::test]
async fn unknown_api_paths_are_json_404s_even_with_a_built_app() {
    let server = TestServer::start_with_dist(|dist| {
        std::fs::write(dist.join("index.html"), "<html>app</html>").unwrap();
    })
    .await;
    for path in [
        "/api/v1/nope",
        "/api/v1/categories/extra",
        "/api/nope",
        "/api",
        "/api/v2/health",
    ] {
        let res = server.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(error_code(res).await, "not_found", "{path}");
    }
}

#[tokio::test]
async fn wrong_methods_are_json_405s() {
    let server = TestServer::start().await;
    let res = server
        .client
        .post(server.url("/api/v1/categories"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(error_code(res).await, "method_not_allowed");
    let res = server
        .client
        .delete(server.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(error_code(res).await, "not_found");
}

#[tokio::test]
async fn writes_outside_the_api_are_refused_in_json() {
    let server = TestServer::start().await;
    let res = server
        .client
        .post(server.url("/stations"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(error_code(res).await, "method_not_allowed");
}
