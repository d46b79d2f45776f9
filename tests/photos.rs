//! PROTOCOL.md, Photos: content-addressed uploads, one test per rule.
#![cfg(not(target_arch = "wasm32"))]
mod common;

use common::{error_code, jpeg, new_id, report_body, sha256, TestServer};
use suishoupai::domain::Role;
use suishoupai::server::Config;

#[tokio::test]
async fn first_upload_is_201_and_a_repeat_is_200() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let photo = jpeg(1, 1000);
    assert_eq!(server.put_photo(&rider.token, &photo).await.status(), 201);
    assert_eq!(server.put_photo(&rider.token, &photo).await.status(), 200);
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM photos")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_body_that_does_not_match_its_hash_is_422_hash_mismatch() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let photo = jpeg(1, 1000);
    let truncated = &photo[..500];
    let res = server
        .client
        .put(server.url(&format!("/api/v1/photos/{}", sha256(&photo))))
        .bearer_auth(&rider.token)
        .header("content-type", "image/jpeg")
        .body(truncated.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "hash_mismatch");
}

#[tokio::test]
async fn too_large_is_413() {
    let server = TestServer::start_with_config(Config {
        max_photo_bytes: 2000,
        ..Config::default()
    })
    .await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    assert_eq!(
        server
            .put_photo(&rider.token, &jpeg(1, 1996))
            .await
            .status(),
        201,
        "exactly at the limit"
    );
    let res = server.put_photo(&rider.token, &jpeg(1, 1997)).await;
    assert_eq!(res.status(), 413);
    assert_eq!(error_code(res).await, "too_large");
    let res = server
        .put_photo(&rider.token, &jpeg(2, 6 * 1024 * 1024))
        .await;
    assert_eq!(res.status(), 413, "far over the limit");
}

#[tokio::test]
async fn the_type_is_checked_on_the_bytes_not_just_the_header() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let png = b"\x89PNG\r\n\x1a\nrest-of-a-png".to_vec();
    let gif = b"GIF89a-not-allowed".to_vec();
    let cases: [(&[u8], &str); 4] = [
        (&gif, "image/jpeg"), // lies about its type
        (&png, "image/jpeg"), // another image type than declared
        (&jpeg(3, 10), "text/plain"),
        (&jpeg(4, 10), "image/gif"),
    ];
    for (i, (bytes, declared)) in cases.into_iter().enumerate() {
        let res = server
            .client
            .put(server.url(&format!("/api/v1/photos/{}", sha256(bytes))))
            .bearer_auth(&rider.token)
            .header("content-type", declared)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 415, "case {i}");
        assert_eq!(error_code(res).await, "unsupported_media_type");
    }
    let ok = server
        .client
        .put(server.url(&format!("/api/v1/photos/{}", sha256(&png))))
        .bearer_auth(&rider.token)
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 201);
}

#[tokio::test]
async fn head_tells_whether_a_photo_is_stored() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let photo = jpeg(5, 100);
    let url = server.url(&format!("/api/v1/photos/{}", sha256(&photo)));
    let head = || server.client.head(&url).bearer_auth(&rider.token).send();
    assert_eq!(head().await.unwrap().status(), 404);
    server.put_photo(&rider.token, &photo).await;
    assert_eq!(head().await.unwrap().status(), 200);
    let bad = server
        .client
        .head(server.url("/api/v1/photos/..%2F..%2Fetc%2Fpasswd"))
        .bearer_auth(&rider.token)
        .send()
        .await
        .unwrap();
    assert!(bad.status().is_client_error(), "{}", bad.status());
}

#[tokio::test]
async fn only_the_uploader_and_those_who_see_its_report_may_fetch_a_photo() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let other_rider = server.enrolled(Role::Rider, "小张").await;
    let admin = server.enrolled(Role::Admin, "老陈").await;
    // Reports at the default body's place go to demo-grid-07; the helper's grid worker is in demo-grid-01.
    let outsider_worker = server.enrolled(Role::GridWorker, "别的网格").await;
    let photo = jpeg(6, 300);
    let path = format!("/api/v1/photos/{}", sha256(&photo));
    server.put_photo(&rider.token, &photo).await;

    let res = server.get_as(&rider.token, &path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.bytes().await.unwrap().as_ref(), photo.as_slice());
    assert_eq!(server.get_as(&other_rider.token, &path).await.status(), 404);
    assert_eq!(
        server.get_as(&outsider_worker.token, &path).await.status(),
        404
    );
    assert_eq!(server.get_as(&admin.token, &path).await.status(), 200);

    // Once a report uses it, the workers of the report's grid may see it; others still may not.
    let id = new_id();
    let res = server
        .put_report(&rider.token, &id, &report_body(&[&sha256(&photo)]))
        .await;
    assert_eq!(res.status(), 201);
    let grid: String = res.json::<serde_json::Value>().await.unwrap()["grid_id"]
        .as_str()
        .unwrap()
        .into();
    let worker = server.grid_worker_of(&grid).await;
    assert_eq!(server.get_as(&worker, &path).await.status(), 200);
    assert_eq!(
        server.get_as(&outsider_worker.token, &path).await.status(),
        404
    );
    assert_eq!(server.get_as(&other_rider.token, &path).await.status(), 404);
}
