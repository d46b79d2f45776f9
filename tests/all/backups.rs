//! Backups and restores: a consistent archive taken while riders keep writing, restored with every check; damaged
//! archives refused with nothing written; scheduled backups rotate and show on /health; a phone that synced after
//! the backup carries on against the restored server without losing or doubling anything.
use std::collections::HashSet;
use std::path::Path;
use suishoupai::server::{db, Db};

use serde_json::{json, Value};
use suishoupai::domain::{Report, Role};
use suishoupai::server::backup::{backup, prune, restore, schedule, Manifest};

use crate::common::{new_id, report_body, TestServer};

async fn ids(db: &Db) -> HashSet<String> {
    db::query_as::<(String,)>("SELECT id FROM reports")
        .fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.0)
        .collect()
}

#[tokio::test]
async fn a_backup_under_writes_restores_every_acknowledged_report_once() {
    // SQLite's own archive; a PostgreSQL database is backed up with pg_dump (README).
    if crate::common::on_postgres() {
        return;
    }
    let server = TestServer::start().await;
    let out = server.dir.path().join("backup.zip");
    let mut riders = vec![];
    for i in 0..4 {
        riders.push(
            server
                .enrolled(Role::Rider, &format!("骑手{i}"))
                .await
                .token,
        );
    }
    // Four riders write as fast as they can; the backup is taken in the middle of it.
    let acked_before = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::<String>::new()));
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = vec![];
    for token in riders.clone() {
        let (server_base, client) = (server.base.clone(), server.client.clone());
        let (acked, started) = (acked_before.clone(), started.clone());
        writers.push(tokio::spawn(async move {
            for _ in 0..30 {
                let id = new_id();
                let res = client
                    .put(format!("{server_base}/api/v1/reports/{id}"))
                    .bearer_auth(&token)
                    .json(&report_body(&[]))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                // Acknowledged while the backup had not begun: it must be in the archive.
                if !started.load(std::sync::atomic::Ordering::SeqCst) {
                    acked.lock().await.push(id);
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    started.store(true, std::sync::atomic::Ordering::SeqCst);
    let manifest = backup(&server.db, &out).await.unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let before = acked_before.lock().await.clone();
    assert!(
        !before.is_empty(),
        "some reports were acknowledged before the backup"
    );

    let restored = TestServer::start_restored(&out).await;
    let there = ids(&restored.db).await;
    for id in &before {
        assert!(
            there.contains(id),
            "{id} was acknowledged before the backup"
        );
    }
    assert_eq!(there.len() as i64, manifest.counts["reports"]);
    let (integrity,): (String,) = db::query_as("PRAGMA integrity_check")
        .fetch_one(&restored.db)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    // Each report once (its id is the key), and the riders still sign in with their tokens.
    let res = restored.get_as(&riders[0], "/api/v1/me").await;
    assert_eq!(res.status(), 200);
}

/// The archive with `change` made to its bytes.
fn damaged(out: &Path, change: impl FnOnce(&mut Vec<u8>)) -> std::path::PathBuf {
    let mut bytes = std::fs::read(out).unwrap();
    change(&mut bytes);
    let path = out.with_file_name("damaged.zip");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn a_truncated_or_bit_flipped_archive_is_refused_and_nothing_is_written() {
    // SQLite's own archive; a PostgreSQL database is backed up with pg_dump (README).
    if crate::common::on_postgres() {
        return;
    }
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    for _ in 0..5 {
        server
            .put_report(&rider, &new_id(), &report_body(&[]))
            .await;
    }
    let out = server.dir.path().join("b.zip");
    backup(&server.db, &out).await.unwrap();
    let target = server.dir.path().join("restored.db");
    let len = std::fs::metadata(&out).unwrap().len() as usize;
    let cases = [
        ("truncated", damaged(&out, |b| b.truncate(len / 2))),
        ("bit flipped", damaged(&out, |b| b[len / 3] ^= 0x10)),
        ("not an archive", damaged(&out, |b| *b = b"hello".to_vec())),
    ];
    for (what, archive) in cases {
        let err = restore(&archive, &target).await.unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("damaged"), "{what}: {text}");
        assert!(!target.exists(), "{what}: nothing written");
        assert!(
            std::fs::read_dir(server.dir.path()).unwrap().all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("restoring")),
            "{what}: no leftovers"
        );
    }
    // A database with data is never overwritten.
    let err = restore(&out, &server.db_path()).await.unwrap_err();
    assert!(format!("{err}").contains("not empty"), "{err}");
    // The intact archive restores.
    let manifest: Manifest = restore(&out, &target).await.unwrap();
    assert_eq!(manifest.counts["reports"], 5);
}

#[tokio::test]
async fn the_command_line_backs_up_and_restores_with_a_clear_word() {
    // SQLite's own archive; a PostgreSQL database is backed up with pg_dump (README).
    if crate::common::on_postgres() {
        return;
    }
    let server = TestServer::start().await;
    let with_phone = suishoupai::server::accounts::NewUser {
        id: None,
        role: Role::Rider,
        name: "有手机号的骑手".into(),
        grid_id: None,
        station_id: None,
        department_id: None,
        street: None,
        phone: Some("13900000009".into()),
    };
    suishoupai::server::accounts::create_user(&server.db, with_phone)
        .await
        .unwrap();
    let bin = env!("CARGO_BIN_EXE_suishoupai");
    let out = server.dir.path().join("cli.zip");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();
    let db = server.db_path();
    let made = run(&[
        "--db",
        db.to_str().unwrap(),
        "backup",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(String::from_utf8_lossy(&made.stdout).contains("备份已写入"));
    let new = server.dir.path().join("new.db");
    let back = run(&[
        "restore",
        out.to_str().unwrap(),
        "--db",
        new.to_str().unwrap(),
    ]);
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    assert!(String::from_utf8_lossy(&back.stdout).contains("校验全部通过"));
    // The key came along: the restored database still opens its sealed phone numbers and its codes.
    let listed = run(&["user", "list", "--json", "--db", new.to_str().unwrap()]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("13900000009"),
        "{}",
        String::from_utf8_lossy(&listed.stdout)
    );
    let truncated = damaged(&out, |b| b.truncate(100));
    let refused = run(&[
        "restore",
        truncated.to_str().unwrap(),
        "--db",
        server.dir.path().join("x.db").to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("损坏或不完整"));
    assert!(!server.dir.path().join("x.db").exists());
}

#[tokio::test]
async fn scheduled_backups_rotate_and_show_on_health_and_the_console() {
    // SQLite's own archive; a PostgreSQL database is backed up with pg_dump (README).
    if crate::common::on_postgres() {
        return;
    }
    let server = TestServer::start().await;
    let dir = server.dir.path().join("backups");
    std::fs::create_dir_all(&dir).unwrap();
    let health: Value = server.get("/api/v1/health").await.json().await.unwrap();
    assert!(health.get("last_backup_at").is_none(), "{health}");
    let task = tokio::spawn(schedule(
        server.db.clone(),
        dir.clone(),
        std::time::Duration::from_secs(1),
        2,
    ));
    tokio::time::sleep(std::time::Duration::from_millis(3_600)).await;
    task.abort();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 2, "the newest two kept: {files:?}");
    let (taken,): (i64,) = db::query_as("SELECT count(*) FROM backups")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert!(taken >= 3, "{taken} taken");
    let health: Value = server.get("/api/v1/health").await.json().await.unwrap();
    assert!(health["last_backup_at"].is_string(), "{health}");
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    let last: Value = server
        .get_as(&admin, "/api/v1/admin/backups")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(last["at"], health["last_backup_at"]);
    assert!(last["file"].as_str().unwrap().ends_with("Z.zip"));
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    assert_eq!(
        server
            .get_as(&rider, "/api/v1/admin/backups")
            .await
            .status(),
        403
    );
    // Pruning leaves other files alone.
    std::fs::write(dir.join("notes.txt"), "keep me").unwrap();
    prune(&dir, 1).unwrap();
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

#[tokio::test]
async fn a_phone_that_synced_after_the_backup_carries_on_against_the_restored_server() {
    // SQLite's own archive; a PostgreSQL database is backed up with pg_dump (README).
    if crate::common::on_postgres() {
        return;
    }
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    let worker = server.grid_worker_of("demo-grid-07").await;
    let (first, first_body) = (new_id(), report_body(&[]));
    server.put_report(&rider, &first, &first_body).await;
    let out = server.dir.path().join("b.zip");
    backup(&server.db, &out).await.unwrap();
    // After the backup: three more reports are delivered, and the phone syncs past them.
    let later: Vec<(String, Value)> = (0..3).map(|_| (new_id(), report_body(&[]))).collect();
    for (id, body) in &later {
        assert_eq!(server.put_report(&rider, id, body).await.status(), 201);
    }
    let page: Value = server
        .get_as(&rider, "/api/v1/changes")
        .await
        .json()
        .await
        .unwrap();
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let epoch = page["epoch"].as_str().unwrap().to_owned();

    // The disk dies; the server comes back from the backup. The first change made there lies past the phone's
    // cursor (which is ahead of the backup): the phone gets it, once.
    let restored = TestServer::start_restored(&out).await;
    let report: Report = restored
        .get_as(&worker, &format!("/api/v1/reports/{first}"))
        .await
        .json()
        .await
        .unwrap();
    let res = restored
        .put_as(
            &worker,
            &format!("/api/v1/task-actions/{}", new_id()),
            &json!({"report_id": first, "kind": "accept", "expected_version": report.version}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let page: Value = restored
        .get_as(&rider, &format!("/api/v1/changes?cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        crate::common::report_ids(&page),
        vec![first.clone()],
        "{page}"
    );
    // A new life of the database: the phone sees it and sends again what it had delivered.
    assert_ne!(page["epoch"].as_str().unwrap(), epoch, "{page}");
    // The phone replays what the restored server lacks (its PUT is idempotent by id): created again, once; the
    // report from before the backup is a replay.
    for (id, body) in &later {
        assert_eq!(restored.put_report(&rider, id, body).await.status(), 201);
        assert_eq!(restored.put_report(&rider, id, body).await.status(), 200);
    }
    assert_eq!(
        restored
            .put_report(&rider, &first, &first_body)
            .await
            .status(),
        200
    );
}
