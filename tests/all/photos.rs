//! PROTOCOL.md, Photos: content-addressed uploads, one test per rule.

use crate::common::{error_code, jpeg, new_id, png, report_body, sha256, TestServer};
use suishoupai::domain::Role;
use suishoupai::server::db;
use suishoupai::server::Config;

#[tokio::test]
async fn first_upload_is_201_and_a_repeat_is_200() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let photo = jpeg(1, 1000);
    assert_eq!(server.put_photo(&rider.token, &photo).await.status(), 201);
    assert_eq!(server.put_photo(&rider.token, &photo).await.status(), 200);
    let (count,): (i64,) = db::query_as("SELECT COUNT(*) FROM photos")
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
    let png = png(1);
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
async fn head_tells_whether_this_user_has_a_photo_stored() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let photo = jpeg(5, 100);
    let url = server.url(&format!("/api/v1/photos/{}", sha256(&photo)));
    let head = || server.client.head(&url).bearer_auth(&rider.token).send();
    assert_eq!(head().await.unwrap().status(), 404);
    server.put_photo(&rider.token, &photo).await;
    assert_eq!(head().await.unwrap().status(), 200);
    // Someone else's photo is not theirs to probe: a hash tells nobody what another user photographed.
    let other = server.enrolled(Role::Rider, "小张").await;
    let theirs = server
        .client
        .head(&url)
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 404);
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

#[tokio::test]
async fn bytes_behind_a_magic_number_must_decode_as_a_photo() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let mut garbage = png(2)[..16].to_vec();
    garbage.extend((0..50_000u32).map(|i| (i * 7919 % 251) as u8));
    let tiny = {
        let img = image::RgbImage::new(2, 2);
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    };
    for (what, bytes) in [
        ("random bytes after a PNG header", garbage),
        ("2×2 pixels", tiny),
    ] {
        let res = server
            .client
            .put(server.url(&format!("/api/v1/photos/{}", sha256(&bytes))))
            .bearer_auth(&rider.token)
            .header("content-type", "image/png")
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{what}");
        assert_eq!(error_code(res).await, "invalid_input", "{what}");
    }
    let (stored,): (i64,) = db::query_as("SELECT COUNT(*) FROM photos")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn photos_no_report_uses_have_a_quota_and_are_removed_after_a_grace_period() {
    use suishoupai::server::photos::{remove_unused, MAX_UNUSED_PHOTOS, UNUSED_PHOTO_GRACE_SECS};
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    for i in 0..MAX_UNUSED_PHOTOS {
        let res = server.put_photo(&rider.token, &jpeg(i as u8, 100)).await;
        assert_eq!(res.status(), 201, "photo {i}");
    }
    let res = server.put_photo(&rider.token, &jpeg(200, 100)).await;
    assert_eq!(res.status(), 429, "one unused photo too many");
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(error_code(res).await, "photo_quota");
    // Another user is not held up by it; a report using a photo frees its place.
    let other = server.enrolled(Role::Rider, "小张").await;
    assert_eq!(
        server
            .put_photo(&other.token, &jpeg(200, 100))
            .await
            .status(),
        201
    );
    let used = sha256(&jpeg(0, 100));
    assert_eq!(
        server
            .put_report(&rider.token, &new_id(), &report_body(&[&used]))
            .await
            .status(),
        201
    );
    assert_eq!(
        server
            .put_photo(&rider.token, &jpeg(201, 100))
            .await
            .status(),
        201
    );

    let state = server.state.clone();
    let now = suishoupai::server::accounts::unix_now();
    assert_eq!(
        remove_unused(&state, now).await.unwrap(),
        0,
        "within the grace period"
    );
    let removed = remove_unused(&state, now + UNUSED_PHOTO_GRACE_SECS + 1)
        .await
        .unwrap();
    assert_eq!(
        removed,
        MAX_UNUSED_PHOTOS as u64 + 1,
        "all but the one a report uses"
    );
    let (left,): (i64,) = db::query_as("SELECT COUNT(*) FROM photos")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(left, 1);
    let res = server
        .get_as(&rider.token, &format!("/api/v1/photos/{used}"))
        .await;
    assert_eq!(res.status(), 200, "the used photo stays");
}

#[tokio::test]
async fn a_hash_is_no_licence_to_someone_elses_photo() {
    let server = TestServer::start().await;
    let owner = server.enrolled(Role::Rider, "小李").await;
    let thief = server.enrolled(Role::Rider, "小偷").await;
    let photo = jpeg(9, 200);
    server.put_photo(&owner.token, &photo).await;
    let sha = sha256(&photo);
    let res = server
        .put_report(&thief.token, &new_id(), &report_body(&[&sha]))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "photo_missing");
    assert_eq!(
        server
            .get_as(&thief.token, &format!("/api/v1/photos/{sha}"))
            .await
            .status(),
        404
    );
    // Having the same photo means uploading it: then it is theirs too.
    assert_eq!(server.put_photo(&thief.token, &photo).await.status(), 200);
    assert_eq!(
        server
            .put_report(&thief.token, &new_id(), &report_body(&[&sha]))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn photos_revalidate_and_api_answers_are_not_cached() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let photo = jpeg(7, 100);
    server.put_photo(&rider.token, &photo).await;
    let path = format!("/api/v1/photos/{}", sha256(&photo));
    let res = server.get_as(&rider.token, &path).await;
    assert_eq!(res.headers()["cache-control"], "private, no-cache");
    let etag = res.headers()["etag"].clone();
    let again = server
        .client
        .get(server.url(&path))
        .bearer_auth(&rider.token)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    for path in ["/api/v1/me", "/api/v1/changes", "/api/v1/leaderboard"] {
        let res = server.get_as(&rider.token, path).await;
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let enroll = server
        .post_json(
            "/api/v1/enroll",
            &serde_json::json!({"code": "0000-0000-0000"}),
        )
        .await;
    assert_eq!(
        enroll.headers()["cache-control"],
        "no-store",
        "even a refused enrollment"
    );
}
