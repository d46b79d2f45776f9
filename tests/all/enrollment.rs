//! Enrollment: a one-time code for a device token, and everything that must make it fail.

use std::time::Duration;
use suishoupai::server::db;

use crate::common::{error_code, TestServer};
use serde_json::json;
use suishoupai::domain::{Enrollment, Role, User};
use suishoupai::server::accounts;
use suishoupai::server::secret::sha256_hex;
use suishoupai::server::Config;

#[tokio::test]
async fn a_code_works_once_and_hands_a_rider_their_pass_secret() {
    let server = TestServer::start().await;
    let (user, code) = server.user_with_code(Role::Rider, "骑手小李").await;
    let res = server
        .post_json(
            "/api/v1/enroll",
            &json!({"code": code, "device_name": "红米 Note"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let raw: serde_json::Value = res.json().await.unwrap();
    assert!(
        raw["user"].get("phone").is_none(),
        "a phone number left the server: {raw}"
    );
    let enrollment: Enrollment = serde_json::from_value(raw).unwrap();
    assert_eq!(enrollment.user, user);
    assert_eq!(enrollment.token.len(), 64);
    let secret = enrollment.pass_secret.expect("riders get a pass secret");
    assert_eq!(secret.len(), 40);

    let again = server
        .post_json("/api/v1/enroll", &json!({"code": code}))
        .await;
    assert_eq!(again.status(), 401);
    assert_eq!(error_code(again).await, "invalid_code");

    let me: User = server
        .get_as(&enrollment.token, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me, user);
}

#[tokio::test]
async fn only_riders_get_a_pass_secret() {
    let server = TestServer::start().await;
    for role in [Role::GridWorker, Role::StationStaff, Role::Admin] {
        let enrollment = server.enrolled(role, "工作人员").await;
        assert_eq!(enrollment.pass_secret, None, "{role}");
        assert_eq!(enrollment.user.role, role);
    }
}

#[tokio::test]
async fn typed_codes_may_be_lowercase_with_spaces_and_hyphens() {
    let server = TestServer::start().await;
    let (_, code) = server.user_with_code(Role::Rider, "小李").await;
    let typed = format!(" {}-{} {} ", &code[..4], &code[4..8], &code[8..]).to_lowercase();
    let res = server
        .post_json("/api/v1/enroll", &json!({"code": typed}))
        .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn unknown_malformed_expired_replaced_and_revoked_codes_fail_alike() {
    let server = TestServer::start().await;
    let (rider, old_code) = server.user_with_code(Role::Rider, "小李").await;
    let new_code = accounts::issue_code(&server.db, &rider.id, Duration::from_secs(3600))
        .await
        .unwrap();
    let (expired_user, _) = server.user_with_code(Role::Rider, "小张").await;
    let expired = accounts::issue_code(&server.db, &expired_user.id, Duration::ZERO)
        .await
        .unwrap();
    let (revoked_user, revoked_code) = server.user_with_code(Role::Rider, "小王").await;
    accounts::revoke_user(&server.db, &revoked_user.id)
        .await
        .unwrap();

    for code in [
        "ABCDEFGHJK",
        "hello",
        "",
        &old_code,
        &expired,
        &revoked_code,
    ] {
        let res = server
            .post_json("/api/v1/enroll", &json!({"code": code}))
            .await;
        assert_eq!(res.status(), 401, "code {code:?}");
        assert_eq!(error_code(res).await, "invalid_code", "code {code:?}");
    }
    let res = server
        .post_json("/api/v1/enroll", &json!({"code": new_code}))
        .await;
    assert_eq!(res.status(), 201, "the newest code still works");
}

#[tokio::test]
async fn repeated_failures_from_one_client_are_rate_limited() {
    let server = TestServer::start_with_config(Config {
        enroll_max_failures: 3,
        enroll_window: Duration::from_secs(600),
        ..Config::default()
    })
    .await;
    let (_, good) = server.user_with_code(Role::Rider, "小李").await;
    for _ in 0..3 {
        let res = server
            .post_json("/api/v1/enroll", &json!({"code": "WRQNGCDE2K"}))
            .await;
        assert_eq!(res.status(), 401);
    }
    let res = server
        .post_json("/api/v1/enroll", &json!({"code": good}))
        .await;
    assert_eq!(res.status(), 429, "locked out, even with a good code");
    let retry_after: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=600).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    assert_eq!(error_code(res).await, "rate_limited");
}

#[tokio::test]
async fn bad_request_bodies_get_protocol_errors_not_5xx() {
    let server = TestServer::start().await;
    let url = server.url("/api/v1/enroll");
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            server
                .client
                .post(&url)
                .header("content-type", "application/json")
                .body("{not json"),
            400,
            "malformed_request",
        ),
        (
            server.client.post(&url).json(&json!({"code": 12345})),
            400,
            "malformed_request",
        ),
        (
            server.client.post(&url).json(&json!({"device_name": "x"})),
            400,
            "malformed_request",
        ),
        (
            server.client.post(&url).json(&json!([1, 2, 3])),
            400,
            "malformed_request",
        ),
        (
            server.client.post(&url).body("code=ABC"),
            415,
            "unsupported_media_type",
        ),
        (
            server
                .client
                .post(&url)
                .header("content-type", "application/json")
                .body(vec![b' '; 3 * 1024 * 1024]),
            413,
            "too_large",
        ),
    ];
    for (i, (req, status, code)) in cases.into_iter().enumerate() {
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), status, "case {i}");
        assert_eq!(error_code(res).await, code, "case {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_phones_racing_with_one_code_get_one_token() {
    let server = TestServer::start().await;
    let (_, code) = server.user_with_code(Role::Rider, "小李").await;
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let req = server
            .client
            .post(server.url("/api/v1/enroll"))
            .json(&json!({"code": code}));
        racers.spawn(async move { req.send().await.map(|r| r.status().as_u16()) });
    }
    let mut statuses = Vec::new();
    while let Some(done) = racers.join_next().await {
        statuses.push(done.unwrap().unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        7,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn tokens_and_codes_are_stored_only_as_hashes() {
    let server = TestServer::start().await;
    let (user, code) = server.user_with_code(Role::Rider, "小李").await;
    let res = server
        .post_json("/api/v1/enroll", &json!({"code": code}))
        .await;
    let enrollment: Enrollment = res.json().await.unwrap();
    let tokens: Vec<(String,)> = db::query_as("SELECT token_hash FROM tokens WHERE user_id = ?")
        .bind(&user.id)
        .fetch_all(&server.db)
        .await
        .unwrap();
    assert_eq!(tokens, vec![(sha256_hex(enrollment.token.as_bytes()),)]);
    let codes: Vec<(String,)> =
        db::query_as("SELECT code_hash FROM enrollment_codes WHERE user_id = ?")
            .bind(&user.id)
            .fetch_all(&server.db)
            .await
            .unwrap();
    assert_ne!(
        codes,
        vec![(sha256_hex(code.as_bytes()),)],
        "not a plain hash"
    );
    let key = suishoupai::server::secret::code_key(&server.db).unwrap();
    assert_eq!(
        codes,
        vec![(suishoupai::server::secret::code_hash(&key, &code),)]
    );
}

#[tokio::test]
async fn a_copied_database_alone_cannot_check_a_code_guess() {
    // The key lives beside the database, not in it.
    let server = TestServer::start().await;
    let (user, code) = server.user_with_code(Role::Rider, "小李").await;
    let key_file = server.db.key_file();
    assert!(key_file.exists(), "{}", key_file.display());
    let (stored,): (String,) =
        db::query_as("SELECT code_hash FROM enrollment_codes WHERE user_id = ?")
            .bind(&user.id)
            .fetch_one(&server.db)
            .await
            .unwrap();
    let key_text = std::fs::read_to_string(&key_file).unwrap();
    assert!(!stored.contains(key_text.trim()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A code stored the old way (plain SHA-256) still enrolls until it expires.
    let (old_user, _) = server.user_with_code(Role::Rider, "老用户").await;
    let old_code = suishoupai::server::secret::new_enrollment_code().unwrap();
    db::query("UPDATE enrollment_codes SET code_hash = ? WHERE user_id = ?")
        .bind(sha256_hex(old_code.as_bytes()))
        .bind(&old_user.id)
        .execute(&server.db)
        .await
        .unwrap();
    let res = server
        .post_json("/api/v1/enroll", &json!({"code": old_code}))
        .await;
    assert_eq!(res.status(), 201);
    let res = server
        .post_json("/api/v1/enroll", &json!({"code": code}))
        .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_failure_count() {
    let trusted = |proxies: Vec<std::net::IpAddr>| Config {
        enroll_max_failures: 3,
        enroll_window: Duration::from_secs(600),
        trusted_proxies: proxies,
        ..Config::default()
    };
    let enroll_from = |server: &TestServer, client: &'static str, code: String| {
        server
            .client
            .post(server.url("/api/v1/enroll"))
            .header("x-forwarded-for", client)
            .json(&json!({ "code": code }))
            .send()
    };
    let behind = TestServer::start_with_config(trusted(vec!["127.0.0.1".parse().unwrap()])).await;
    for _ in 0..3 {
        let res = enroll_from(&behind, "198.51.100.1", "WRQNGCDE2K".into())
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    let res = enroll_from(&behind, "198.51.100.1", "WRQNGCDE2K".into())
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the mistyping client is limited");
    let (_, good) = behind.user_with_code(Role::Rider, "小李").await;
    let res = enroll_from(&behind, "198.51.100.2", good).await.unwrap();
    assert_eq!(
        res.status(),
        201,
        "the next rider on the same Wi-Fi proxy gets in"
    );

    // Without the setting, X-Forwarded-For is anyone's to write: it is not believed.
    let direct = TestServer::start_with_config(trusted(vec![])).await;
    for i in 0..3 {
        let res = enroll_from(
            &direct,
            ["198.51.100.1", "198.51.100.2", "198.51.100.3"][i],
            "WRQNGCDE2K".into(),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 401);
    }
    let (_, good) = direct.user_with_code(Role::Rider, "小李").await;
    let res = enroll_from(&direct, "198.51.100.9", good).await.unwrap();
    assert_eq!(res.status(), 429);
}

/// A code whose check character holds but that was never issued.
fn guess(n: u8) -> String {
    suishoupai::domain::enrollment_code::from_random_bytes(&[
        n,
        n + 1,
        n + 2,
        n + 3,
        n,
        n,
        n + 5,
        n,
        n + 7,
    ])
    .unwrap()
}

/// One character of `code` typed wrong (the check character then fails).
fn mistyped(code: &str, at: usize) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    chars[at] = if chars[at] == 'X' { 'Y' } else { 'X' };
    chars.into_iter().collect()
}

#[tokio::test]
async fn three_hundred_riders_on_one_wifi_all_get_in_despite_typos_while_guessing_stays_capped() {
    let server = TestServer::start().await;
    let mut refused_typos = 0;
    let mut refused_used = 0;
    for i in 0..300 {
        let (_, code) = server
            .user_with_code(Role::Rider, &format!("骑手{i}"))
            .await;
        // One in five mistypes a character first; one in twenty taps 登录 again after getting in.
        if i % 5 == 0 {
            let res = server
                .post_json("/api/v1/enroll", &json!({"code": mistyped(&code, i % 10)}))
                .await;
            assert_eq!(res.status(), 401);
            let body: serde_json::Value = res.json().await.unwrap();
            assert!(
                body["error"]["message"].as_str().unwrap().contains("输错"),
                "{body}"
            );
            refused_typos += 1;
        }
        let res = server
            .post_json("/api/v1/enroll", &json!({"code": code}))
            .await;
        assert_eq!(res.status(), 201, "rider {i} is let in");
        if i % 20 == 0 {
            let res = server
                .post_json("/api/v1/enroll", &json!({"code": code}))
                .await;
            assert_eq!(res.status(), 401, "a used code");
            refused_used += 1;
        }
    }
    assert_eq!((refused_typos, refused_used), (60, 15));
    // The same address guessing codes that check: refused after the strict budget (30, less the 15 used codes).
    let mut answered = Vec::new();
    for n in 0..20u8 {
        answered.push(
            server
                .post_json("/api/v1/enroll", &json!({"code": guess(n * 3)}))
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(
        answered.iter().filter(|s| **s == 401).count(),
        15,
        "{answered:?}"
    );
    assert_eq!(
        answered.iter().filter(|s| **s == 429).count(),
        5,
        "{answered:?}"
    );
}
