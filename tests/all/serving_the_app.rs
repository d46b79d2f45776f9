//! Serving the built PWA: hashed assets cached for a year, the shell revalidated, app routes falling back to it.

use crate::common::TestServer;

const INDEX: &str = "<!doctype html><title>随手拍</title>";

async fn server_with_app() -> TestServer {
    TestServer::start_with_dist(|dist| {
        std::fs::write(dist.join("index.html"), INDEX).unwrap();
        std::fs::write(dist.join("suishoupai-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
        std::fs::write(
            dist.join("sw.js"),
            "self.addEventListener('fetch', () => {});",
        )
        .unwrap();
        std::fs::write(dist.join("icon.svg"), "<svg/>").unwrap();
    })
    .await
}

fn cache_control(res: &reqwest::Response) -> String {
    res.headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_shell_and_app_routes_serve_index_html_uncached() {
    let server = server_with_app().await;
    for path in [
        "/",
        "/index.html",
        "/stations",
        "/settings",
        "/reports/0192f0c4",
    ] {
        let res = server.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(cache_control(&res), "no-cache", "{path}");
        assert_eq!(res.text().await.unwrap(), INDEX, "{path}");
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_the_service_worker_is_not() {
    let server = server_with_app().await;
    let res = server.get("/suishoupai-0123456789abcdef_bg.wasm").await;
    assert_eq!(res.status(), 200);
    assert_eq!(cache_control(&res), "public, max-age=31536000, immutable");
    assert_eq!(
        server.get("/sw.js").await.headers()["cache-control"],
        "no-cache"
    );
    assert_eq!(
        server.get("/icon.svg").await.headers()["cache-control"],
        "public, max-age=3600"
    );
}

#[tokio::test]
async fn a_missing_file_is_a_404_not_the_shell() {
    let server = server_with_app().await;
    let res = server.get("/suishoupai-ffffffffffffffff.js").await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn text_assets_are_compressed_for_clients_that_accept_it() {
    let big = "<!doctype html>".to_owned() + &"<p>随手拍</p>".repeat(500);
    let server =
        TestServer::start_with_dist(|dist| std::fs::write(dist.join("index.html"), &big).unwrap())
            .await;
    let res = server
        .client
        .get(server.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let compressed = res.bytes().await.unwrap();
    assert!(
        compressed.len() < big.len() / 4,
        "{} bytes",
        compressed.len()
    );
}

/// What the build writes beside each file (scripts/precompress.mjs): marker bytes stand for the copies, so the test
/// sees which file went out.
async fn server_with_copies() -> TestServer {
    TestServer::start_with_dist(|dist| {
        for (name, body) in [
            ("index.html", INDEX.as_bytes()),
            ("index.html.br", b"brotli copy of the shell"),
            ("index.html.gz", b"gzip copy of the shell"),
            ("suishoupai-0123456789abcdef.js", b"export {};"),
            (
                "suishoupai-0123456789abcdef.js.br",
                b"brotli copy of the js",
            ),
        ] {
            std::fs::write(dist.join(name), body).unwrap();
        }
    })
    .await
}

async fn get_accepting(server: &TestServer, path: &str, accepted: &str) -> reqwest::Response {
    server
        .client
        .get(server.url(path))
        .header("accept-encoding", accepted)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_builds_compressed_copies_go_out_as_they_are() {
    let server = server_with_copies().await;
    for path in ["/", "/index.html", "/stations"] {
        let res = get_accepting(&server, path, "gzip, deflate, br").await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-encoding"], "br", "{path}");
        assert_eq!(res.headers()["vary"], "accept-encoding", "{path}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(cache_control(&res), "no-cache", "{path}");
        assert_eq!(
            res.text().await.unwrap(),
            "brotli copy of the shell",
            "{path}"
        );
    }
    let res = get_accepting(&server, "/stations", "gzip").await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.text().await.unwrap(), "gzip copy of the shell");

    let res = get_accepting(&server, "/suishoupai-0123456789abcdef.js", "br").await;
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(cache_control(&res), "public, max-age=31536000, immutable");
    assert_eq!(res.text().await.unwrap(), "brotli copy of the js");

    // A browser that takes no compression gets the file itself.
    let res = get_accepting(&server, "/stations", "identity").await;
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.text().await.unwrap(), INDEX);
}
