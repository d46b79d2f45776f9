//! Security headers on everything the server sends: a Content-Security-Policy that allows nothing from other
//! origins on the app (its inline loader allowed by hash), `nosniff` and no referrer everywhere, API answers that
//! can't be framed or run, and photos served with their verified type under a name that is only their hash.

use crate::common::{sha256, TestServer};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use suishoupai::domain::Role;

const LOADER: &str = "\nimport init from '/suishoupai-0123456789abcdef.js';\nawait init();\n";

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn assert_common(res: &reqwest::Response, what: &str) {
    assert_eq!(header(res, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(res, "referrer-policy"), "no-referrer", "{what}");
}

async fn server() -> TestServer {
    TestServer::start_with_dist(|dist| {
        let index = format!(
            "<!doctype html><title>随手拍</title><script type=\"module\">{LOADER}</script>\
             <script src=\"/pwa-0123456789abcdef.js\"></script>"
        );
        std::fs::write(dist.join("index.html"), index).unwrap();
        std::fs::write(
            dist.join("sw.js"),
            "self.addEventListener('fetch', () => {});",
        )
        .unwrap();
    })
    .await
}

#[tokio::test]
async fn the_app_allows_only_its_own_origin_and_its_loader_by_hash() {
    let server = server().await;
    let loader_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(LOADER));
    for path in ["/", "/report", "/sw.js"] {
        let res = server.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_common(&res, path);
        let csp = header(&res, "content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(
            csp.contains(&format!("'sha256-{loader_hash}'")),
            "{path}: the loader's hash in {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        // Nothing from another origin: every source is a keyword, or blob:/data: for photos kept on the phone.
        for directive in csp.split(';') {
            for source in directive.split_whitespace().skip(1) {
                assert!(
                    source.starts_with('\'') || source == "blob:" || source == "data:",
                    "{path}: {source} in {directive}"
                );
            }
        }
        let scripts = suishoupai::server::security::sources_of(&csp, "script-src");
        assert!(scripts.contains(&"'self'"), "{path}: {csp}");
        for forbidden in ["'unsafe-eval'", "'unsafe-inline'"] {
            assert!(
                !scripts.contains(&forbidden),
                "{path}: {forbidden} in {csp}"
            );
        }
    }
}

#[tokio::test]
async fn a_revalidated_page_keeps_the_apps_policy() {
    let server = server().await;
    for path in ["/", "/index.html", "/sw.js"] {
        let first = server.get(path).await;
        let app_policy = header(&first, "content-security-policy");
        let modified = header(&first, "last-modified");
        assert!(
            !modified.is_empty(),
            "{path}: no Last-Modified to revalidate with"
        );
        let again = server
            .client
            .get(server.url(path))
            .header("if-modified-since", modified)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        // The browser updates the cached page's headers from the 304: it must not turn into the API's sandbox.
        assert_eq!(
            header(&again, "content-security-policy"),
            app_policy,
            "{path}"
        );
    }
}

#[tokio::test]
async fn api_answers_cannot_be_framed_or_run() {
    let server = server().await;
    for res in [
        server.get("/api/v1/health").await,
        server.get("/api/v1/me").await,
        server.get("/api/v1/nothing-here").await,
    ] {
        let url = res.url().to_string();
        assert_common(&res, &url);
        let csp = header(&res, "content-security-policy");
        assert!(csp.starts_with("default-src 'none'"), "{url}: {csp}");
        assert!(csp.contains("sandbox"), "{url}: {csp}");
    }
}

#[tokio::test]
async fn photos_carry_their_verified_type_and_a_name_that_is_their_hash() {
    let server = server().await;
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    let png = crate::common::png(3);
    let hash = sha256(&png);
    let res = server
        .client
        .put(server.url(&format!("/api/v1/photos/{hash}")))
        .bearer_auth(&rider)
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = server
        .get_as(&rider, &format!("/api/v1/photos/{hash}"))
        .await;
    assert_eq!(res.status(), 200);
    assert_common(&res, "photo");
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(
        header(&res, "content-disposition"),
        format!("inline; filename=\"{hash}.png\"")
    );
    assert!(header(&res, "content-security-policy").contains("sandbox"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), png.as_slice());
}

#[tokio::test]
async fn the_api_viewer_runs_only_its_own_script() {
    let server = server().await;
    let res = server.get("/api-docs").await;
    assert_eq!(res.status(), 200);
    assert_common(&res, "viewer");
    let csp = header(&res, "content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
}
