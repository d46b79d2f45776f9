//! The real binary: `serve --demo` on a fresh database, an idempotent restart, and a graceful stop on SIGTERM.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Running {
    child: Child,
    base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(db: &std::path::Path) -> Running {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_suishoupai"))
        .args(["serve", "--demo", "--dist", "/nonexistent"])
        .arg("--db")
        .arg(db)
        .env("SUISHOUPAI_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the server");
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Running { child, base };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start listening on {port}");
}

/// Sends SIGTERM, waits for the exit and returns the exit status and what the server logged.
fn stop(mut running: Running) -> (std::process::ExitStatus, String) {
    let pid = running.child.id().to_string();
    let ok = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -TERM failed");
    let status = running.child.wait().unwrap();
    let mut log = String::new();
    for line in BufReader::new(running.child.stderr.take().unwrap()).lines() {
        log.push_str(&line.unwrap());
        log.push('\n');
    }
    (status, log)
}

fn count(base: &str, what: &str) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let list: Vec<serde_json::Value> = reqwest::get(format!("{base}/api/v1/{what}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list.len()
    })
}

#[test]
fn demo_seeding_survives_a_restart_unchanged_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested").join("suishoupai.db");

    let first = start(&db);
    assert_eq!(count(&first.base, "stations"), 22);
    let (status, log) = stop(first);
    assert!(status.success(), "exit status {status}\n{log}");
    assert!(
        log.contains("categories: 11, stations: 22, grids: 8"),
        "{log}"
    );
    assert!(
        log.contains("path=\"/api/v1/stations\" status=200"),
        "one log line per request:\n{log}"
    );
    assert!(log.contains("stopped"), "{log}");

    let second = start(&db);
    assert_eq!(count(&second.base, "stations"), 22);
    assert_eq!(count(&second.base, "categories"), 11);
    assert_eq!(count(&second.base, "grids"), 8);
    let (status, log) = stop(second);
    assert!(status.success());
    assert!(
        log.contains("categories: 0, stations: 0, grids: 0"),
        "a restart seeds nothing:\n{log}"
    );
}

#[test]
fn the_database_runs_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wal.db");
    let running = start(&db);
    assert_eq!(count(&running.base, "categories"), 11);
    assert!(
        dir.path().join("wal.db-wal").exists(),
        "no -wal file beside the database"
    );
    let (status, _) = stop(running);
    assert!(status.success());
}
