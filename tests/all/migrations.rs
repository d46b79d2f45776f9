//! A district's database made by an earlier release carries on: each migration keeps what is already kept.
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use suishoupai::domain::Role;
use suishoupai::server::{accounts, db};

/// A database at schema `version`, as that release left it (foreign keys on, as the server opens it).
async fn database_at(path: &std::path::Path, version: i64) -> sqlx::SqlitePool {
    let options = SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let mut migrator = sqlx::migrate!("./migrations/sqlite");
    migrator.migrations = migrator
        .migrations
        .iter()
        .filter(|m| m.version <= version)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    migrator.run(&pool).await.unwrap();
    pool
}

#[tokio::test]
async fn a_schema_12_database_keeps_every_user_token_code_and_report_and_gains_the_figures_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let old = database_at(&path, 12).await;
    sqlx::raw_sql(
        "INSERT INTO grids (id, name, polygon) VALUES ('g1', '一号网格', '[]');
         INSERT INTO users (id, name, role, grid_id, phone, pass_secret, created_at)
             VALUES ('w1', '网格员', 'grid_worker', 'g1', '13800000001', 'aa', 1),
                    ('r1', '骑手', 'rider', NULL, NULL, 'bb', 2);
         INSERT INTO tokens (token_hash, user_id, device_name, created_at) VALUES ('t-hash', 'r1', 'phone', 3);
         INSERT INTO enrollment_codes (code_hash, user_id, created_at, expires_at) VALUES ('c-hash', 'w1', 3, 9);
         INSERT INTO categories (code, name_zh, name_en, sort_order) VALUES ('road_damage', '道路破损', 'Road damage', 1);
         INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, status, level, version,
                              received_at, updated_at, timeline, change_seq)
             VALUES ('rep1', 'r1', 'f', '{}', 'road_damage', 'g1', 'received', 1, 1, 'now', 'now', '[]', 1),
                    ('rep2', 'r1', 'f', '{}', 'road_damage', 'g1', 'resolved', 1, 4, 'now', 'now',
                     '[{\"at\": \"2026-11-01T00:00:00.000Z\", \"status\": \"received\"},
                       {\"at\": \"2026-11-01T01:00:00.000Z\", \"status\": \"received\", \"kind\": \"note\"},
                       {\"at\": \"2026-11-01T02:00:00.000Z\", \"status\": \"accepted\", \"kind\": \"accept\"},
                       {\"at\": \"2026-11-02T00:00:00.000Z\", \"status\": \"resolved\", \"kind\": \"resolve\"}]', 2),
                    ('rep3', 'r1', 'f', '{}', 'road_damage', 'g1', 'accepted', 1, 2, 'now', 'now',
                     '[{\"at\": \"2026-11-01T00:00:00.000Z\", \"status\": \"received\"},
                       {\"at\": \"2026-11-01T03:00:00.000Z\", \"status\": \"accepted\"}]', 3);",
    )
    .execute(&old)
    .await
    .unwrap();
    old.close().await;

    let db = db::open(&path).await.expect("migrated");
    let pool = db.as_sqlite().expect("a SQLite database").clone();
    let accounts = accounts::list_accounts(&db).await.unwrap();
    let roles: Vec<_> = accounts
        .iter()
        .map(|a| (a.user.id.as_str(), a.user.role))
        .collect();
    assert_eq!(roles, [("w1", Role::GridWorker), ("r1", Role::Rider)]);
    assert_eq!(accounts[0].user.grid_id.as_deref(), Some("g1"));
    assert_eq!(accounts[0].phone.as_deref(), Some("13800000001"));
    for (table, key) in [("tokens", "t-hash"), ("enrollment_codes", "c-hash")] {
        let kept: Option<(String,)> = sqlx::query_as(&format!(
            "SELECT user_id FROM {table} WHERE {} = ?",
            if table == "tokens" {
                "token_hash"
            } else {
                "code_hash"
            }
        ))
        .bind(key)
        .fetch_optional(&pool)
        .await
        .unwrap();
        assert!(kept.is_some(), "{table} lost in the migration");
    }
    let reporter: (String,) = sqlx::query_as("SELECT reporter_id FROM reports WHERE id = 'rep1'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(reporter.0, "r1");
    // The figures' times, read from the timelines kept: the first answer (not a note; before actions were named,
    // the first change of status) and the closing.
    let times: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id, responded_at, closed_at FROM reports ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let t = |s: &str| Some(s.to_owned());
    assert_eq!(
        times,
        [
            ("rep1".to_owned(), None, None),
            (
                "rep2".to_owned(),
                t("2026-11-01T02:00:00.000Z"),
                t("2026-11-02T00:00:00.000Z")
            ),
            ("rep3".to_owned(), t("2026-11-01T03:00:00.000Z"), None),
        ]
    );
    let broken: Vec<(String, i64, String, i64)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");

    // The new roles are accepted, each with its own place.
    sqlx::raw_sql(
        "INSERT INTO departments (code, name, change_seq) VALUES ('chengguan', '城管', 1);
         INSERT INTO users (id, name, role, department_id, pass_secret, created_at)
             VALUES ('d1', '城管队员', 'department_staff', 'chengguan', 'cc', 4);
         INSERT INTO users (id, name, role, street, pass_secret, created_at)
             VALUES ('o1', '街道领导', 'official', '大同街道', 'dd', 5);",
    )
    .execute(&pool)
    .await
    .expect("the new roles");
    let refused = sqlx::query(
        "INSERT INTO users (id, name, role, pass_secret, created_at)
         VALUES ('d2', '无部门', 'department_staff', 'ee', 6)",
    )
    .execute(&pool)
    .await;
    assert!(refused.is_err(), "department staff need a department");
}
