//! The real binary: `serve --demo` on a fresh database, an idempotent restart, a graceful stop on SIGTERM,
//! and the admin's `user` commands working on the same database while the server runs.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
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

fn start(db: &Path) -> Running {
    start_with(db, &[])
}

fn start_with(db: &Path, extra: &[&str]) -> Running {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_suishoupai"))
        .args(["serve", "--demo", "--dist", "/nonexistent"])
        .args(extra)
        .arg("--db")
        .arg(db)
        .env("SUISHOUPAI_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
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

/// Sends SIGTERM, waits for the exit and returns the exit status, stdout and the log (stderr).
fn stop(mut running: Running) -> (std::process::ExitStatus, String, String) {
    let pid = running.child.id().to_string();
    let ok = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -TERM failed");
    let status = running.child.wait().unwrap();
    let read = |r: Box<dyn std::io::Read>| {
        BufReader::new(r)
            .lines()
            .map(|l| l.unwrap() + "\n")
            .collect::<String>()
    };
    let stdout = read(Box::new(running.child.stdout.take().unwrap()));
    let log = read(Box::new(running.child.stderr.take().unwrap()));
    (status, stdout, log)
}

fn admin(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_suishoupai"))
        .args(["user", "--db"])
        .arg(db)
        .args(args)
        .output()
        .expect("run the admin command")
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn enroll(base: &str, code: &str) -> (u16, serde_json::Value) {
    block_on(async {
        let res = reqwest::Client::new()
            .post(format!("{base}/api/v1/enroll"))
            .json(&serde_json::json!({"code": code, "device_name": "test"}))
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    })
}

fn get(base: &str, token: &str, path: &str) -> (u16, serde_json::Value) {
    block_on(async {
        let res = reqwest::Client::new()
            .get(format!("{base}/api/v1{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    })
}

fn count(base: &str, token: &str, what: &str) -> usize {
    let (status, body) = get(base, token, &format!("/{what}"));
    assert_eq!(status, 200, "{what}: {body}");
    body.as_array().expect("a list").len()
}

/// The demo code of `role` from what `serve --demo` printed.
fn demo_code(stdout: &str, role: &str) -> String {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(role))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_else(|| panic!("no demo code for {role} in:\n{stdout}"))
        .to_owned()
}

/// The categories, stations and grids the server's log says it seeded at start.
fn seeded(log: &str) -> Vec<usize> {
    let line = log
        .lines()
        .find(|l| l.contains("demo data ready"))
        .unwrap_or_else(|| panic!("no seeding logged:\n{log}"));
    ["categories: ", "stations: ", "grids: "]
        .iter()
        .map(|key| {
            let at = line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len();
            let digits: String = line[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().unwrap()
        })
        .collect()
}

#[test]
fn demo_seeding_survives_a_restart_unchanged_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested").join("suishoupai.db");

    let first = start(&db);
    let added = admin(
        &db,
        &["add", "--role", "rider", "--name", "测试骑手", "--json"],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let printed: serde_json::Value =
        serde_json::from_slice(&added.stdout).expect("only JSON on stdout");
    let (status, enrollment) = enroll(&first.base, printed["code"].as_str().unwrap());
    assert_eq!(status, 201, "{enrollment}");
    let token = enrollment["token"].as_str().unwrap().to_owned();
    let served: Vec<usize> = ["categories", "stations", "grids"]
        .iter()
        .map(|what| count(&first.base, &token, what))
        .collect();
    assert_eq!(served[1], 22, "the 22 demo stations");
    let (status, stdout, log) = stop(first);
    assert!(status.success(), "exit status {status}\n{log}");
    assert_eq!(
        seeded(&log),
        served,
        "the first start seeds what is served:\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("path=\"/api/v1/stations\"") && l.contains("status=200")),
        "one log line per request:\n{log}"
    );
    assert!(log.contains("stopped"), "{log}");
    let first_demo_code = demo_code(&stdout, "rider");
    assert!(
        std::fs::read_to_string(dir.path().join("nested/demo-codes.txt"))
            .unwrap()
            .contains(&first_demo_code)
    );

    let second = start(&db);
    assert_eq!(
        count(&second.base, &token, "stations"),
        22,
        "the token outlives a restart"
    );
    assert_eq!(count(&second.base, &token, "categories"), 11);
    assert_eq!(count(&second.base, &token, "grids"), 8);
    let (status, stdout, log) = stop(second);
    assert!(status.success());
    assert_eq!(seeded(&log), [0, 0, 0], "a restart seeds nothing:\n{log}");
    let list = admin(&db, &["list", "--json"]);
    let users: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(
        users.len(),
        7,
        "six demo accounts, created once, and the test rider"
    );
    assert_ne!(
        demo_code(&stdout, "rider"),
        first_demo_code,
        "fresh demo codes at every start"
    );
}

#[test]
fn demo_accounts_enroll_with_the_printed_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    // The codes are printed and written before the server listens.
    let (_, stdout, _) = stop(start(&db));
    let running = start(&db);
    let text = std::fs::read_to_string(dir.path().join("demo-codes.txt")).unwrap();
    for (role, grid) in [
        ("rider", None),
        ("grid_worker", Some("demo-grid-06")),
        ("station_staff", None),
        ("department_staff", None),
        ("official", None),
        ("admin", None),
    ] {
        let code = demo_code(&text, role);
        assert_ne!(
            code,
            demo_code(&stdout, role),
            "the first start's codes lapsed"
        );
        let (status, body) = enroll(&running.base, &code);
        assert_eq!(status, 201, "{role}: {body}");
        assert_eq!(body["user"]["role"], role);
        if let Some(grid) = grid {
            assert_eq!(body["user"]["grid_id"], grid);
        }
    }
    let (status, _, _) = stop(running);
    assert!(status.success());
}

#[test]
fn the_admin_commands_add_list_revoke_and_reissue_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.db");
    let running = start(&db);

    let missing_grid = admin(&db, &["add", "--role", "grid_worker", "--name", "王芳"]);
    assert!(!missing_grid.status.success());
    assert!(String::from_utf8_lossy(&missing_grid.stderr).contains("--grid"));
    let unknown_grid = admin(
        &db,
        &[
            "add",
            "--role",
            "grid_worker",
            "--name",
            "王芳",
            "--grid",
            "nope",
        ],
    );
    assert!(String::from_utf8_lossy(&unknown_grid.stderr).contains("no grid with id"));
    let bad_role = admin(&db, &["add", "--role", "boss", "--name", "x"]);
    assert!(!bad_role.status.success());
    let no_department = admin(&db, &["add", "--role", "department_staff", "--name", "x"]);
    assert!(String::from_utf8_lossy(&no_department.stderr).contains("needs --department"));
    let staff = admin(
        &db,
        &[
            "add",
            "--role",
            "department_staff",
            "--name",
            "城管队员",
            "--department",
            "chengguan",
        ],
    );
    assert!(staff.status.success(), "{staff:?}");
    let official = admin(
        &db,
        &[
            "add",
            "--role",
            "official",
            "--name",
            "街道领导",
            "--street",
            "大同街道",
        ],
    );
    assert!(official.status.success(), "{official:?}");
    let listed = admin(&db, &["list", "--json", "--department", "chengguan"]);
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        listed.len(),
        2,
        "the demo's department staff and the new one"
    );
    assert!(listed.iter().all(|u| u["department_id"] == "chengguan"));

    let qr = dir.path().join("code.svg");
    let out = admin(
        &db,
        &[
            "add",
            "--role",
            "grid_worker",
            "--name",
            "王芳",
            "--grid",
            "demo-grid-02",
            "--phone",
            "13900000000",
        ],
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let user_id = text
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("user:")
        .trim()
        .to_owned();
    let old_code = text
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned();

    let reissued = admin(
        &db,
        &["code", &user_id, "--json", "--qr", qr.to_str().unwrap()],
    );
    assert!(reissued.status.success());
    let reissued: serde_json::Value = serde_json::from_slice(&reissued.stdout).unwrap();
    assert!(
        std::fs::read_to_string(&qr).unwrap().starts_with("<?xml"),
        "the QR code is an SVG"
    );
    assert_eq!(
        enroll(&running.base, &old_code).0,
        401,
        "the earlier code lapsed"
    );
    let (status, enrollment) = enroll(&running.base, reissued["code"].as_str().unwrap());
    assert_eq!(status, 201);
    let token = enrollment["token"].as_str().unwrap();
    assert_eq!(
        get(&running.base, token, "/me").1["grid_id"],
        "demo-grid-02"
    );

    let list = String::from_utf8(admin(&db, &["list"]).stdout).unwrap();
    assert!(list.contains(&user_id) && list.contains("active"), "{list}");

    assert!(admin(&db, &["revoke", &user_id]).status.success());
    assert_eq!(
        get(&running.base, token, "/me").0,
        401,
        "revoked while the server runs"
    );
    let list = String::from_utf8(admin(&db, &["list"]).stdout).unwrap();
    assert!(
        list.lines()
            .any(|l| l.contains(&user_id) && l.contains("revoked")),
        "{list}"
    );
    assert!(!admin(&db, &["revoke", "no-such-user"]).status.success());
    let (status, _, _) = stop(running);
    assert!(status.success());
}

#[test]
fn the_database_runs_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wal.db");
    let running = start(&db);
    assert!(
        dir.path().join("wal.db-wal").exists(),
        "no -wal file beside the database"
    );
    let (status, _, _) = stop(running);
    assert!(status.success());
}

#[test]
fn the_log_names_users_by_id_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let running = start(&db);
    let added = admin(
        &db,
        &[
            "add",
            "--role",
            "rider",
            "--name",
            "骑手甄隐私",
            "--phone",
            "13800138000",
            "--json",
        ],
    );
    assert!(added.status.success());
    let added: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    let code = added["code"].as_str().unwrap().to_owned();
    let (status, body) = enroll(&running.base, &code);
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    let pass_secret = body["pass_secret"].as_str().unwrap().to_owned();
    let description = "在隐私路 13 号门口，井盖缺失";
    let report = block_on(async {
        let captured = suishoupai::domain::timestamp::format_time(time::OffsetDateTime::now_utc());
        reqwest::Client::new()
            .put(format!(
                "{}/api/v1/reports/{}",
                running.base,
                uuid::Uuid::now_v7()
            ))
            .bearer_auth(&token)
            .json(
                &serde_json::json!({"category": "manhole_cover", "description": description,
                "address": "隐私路 13 号", "captured_at": captured}),
            )
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(report, 201);
    // A failed attempt with a wrong code and a wrong token, too.
    assert_eq!(enroll(&running.base, "WRNG-CODE-XX").0, 401);
    assert_eq!(get(&running.base, &"f".repeat(64), "/me").0, 401);
    let (_, _, log) = stop(running);
    assert!(
        log.contains(added["user_id"].as_str().unwrap()),
        "ids are logged: {log}"
    );
    for secret in [
        code.as_str(),
        &code.replace('-', ""),
        "WRNG-CODE-XX",
        &token,
        &"f".repeat(64),
        &pass_secret,
        "骑手甄隐私",
        "13800138000",
        description,
        "隐私路",
    ] {
        assert!(!log.contains(secret), "the log holds {secret:?}:\n{log}");
    }
}

#[test]
#[cfg(unix)]
fn the_database_and_the_demo_codes_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("private.db");
    let running = start(&db);
    let (status, _, log) = stop(running);
    assert!(status.success(), "{log}");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 2, "the database and the demo codes");
}

#[test]
fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let running = start_with(&dir.path().join("slow.db"), &["--header-timeout", "1"]);
    let addr = running.base.trim_start_matches("http://").to_owned();
    let mut slow = std::net::TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    let closed = match slow.read(&mut buf) {
        Ok(n) => n == 0 || String::from_utf8_lossy(&buf[..n]).contains("408"),
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    };
    assert!(closed, "the stalled connection is closed");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "after about the timeout: {:?}",
        started.elapsed()
    );
    // Everyone else is served as usual.
    let mut ok = std::net::TcpStream::connect(&addr).unwrap();
    ok.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    ok.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (status, _, _) = stop(running);
    assert!(status.success());
}

#[test]
fn the_database_is_named_before_or_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("anywhere.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_suishoupai"))
            .args(args)
            .env_remove("SUISHOUPAI_DB")
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["--db", db, "user", "add", "--role", "rider", "--name", "一"]);
    run(&["user", "--db", db, "add", "--role", "rider", "--name", "二"]);
    run(&["user", "add", "--role", "rider", "--name", "三", "--db", db]);
    let listed = Command::new(env!("CARGO_BIN_EXE_suishoupai"))
        .args(["user", "list", "--json", "--db", db])
        .output()
        .unwrap();
    let users: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(users.len(), 3, "all three in the one database");
    assert!(
        !dir.path().join("data").exists(),
        "nothing went to the default database"
    );
}

fn suishoupai(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_suishoupai"))
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .expect("run suishoupai")
}

#[test]
fn a_district_loads_its_files_from_the_command_line_and_a_broken_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    for (kind, file) in [
        ("departments", "departments.csv"),
        ("categories", "categories.csv"),
        ("grids", "grids.geojson"),
        ("stations", "stations.csv"),
    ] {
        let out = suishoupai(&db, &["import", kind, demo.join(file).to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let exported = dir.path().join("grids.geojson");
    let out = suishoupai(
        &db,
        &["export", "grids", "--out", exported.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // One feature's ring left open: refused whole, the fault named on stderr, nothing changed.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&exported).unwrap()).unwrap();
    doc["features"][2]["geometry"]["coordinates"][0]
        .as_array_mut()
        .unwrap()
        .pop();
    doc["features"][5]["properties"]["name"] = serde_json::json!("改过的名字");
    let broken = dir.path().join("broken.geojson");
    std::fs::write(&broken, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = suishoupai(&db, &["import", "grids", broken.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert!(
        stderr.contains("feature 3 (id \"demo-grid-03\"): the outer ring is not closed"),
        "{stderr}"
    );
    let again = dir.path().join("again.geojson");
    suishoupai(&db, &["export", "grids", "--out", again.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&exported).unwrap()
    );

    // The exported file imports as no change; a dry run of a renamed grid says what would change and changes nothing.
    let out = suishoupai(&db, &["import", "grids", exported.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().next(),
        Some("grids were: 0 added, 0 updated, 0 retired, 8 unchanged")
    );
    doc["features"][2]["geometry"] =
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(&exported).unwrap()).unwrap()
            ["features"][2]["geometry"]
            .clone();
    std::fs::write(&broken, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = suishoupai(
        &db,
        &[
            "import",
            "grids",
            broken.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let changes: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(changes["updated"], serde_json::json!(["demo-grid-06"]));
    suishoupai(&db, &["export", "grids", "--out", again.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&exported).unwrap(),
        "a dry run changes nothing"
    );

    let out = suishoupai(&db, &["audit", "--json"]);
    let log: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log.len(), 5, "four imports and the unchanged one: {log:?}");
    assert_eq!(log[0]["actor"], "command line");

    // Reports as a spreadsheet: the dates are checked, the file written (here with no report yet: the headers).
    let sheet = dir.path().join("reports.csv");
    let bad = suishoupai(
        &db,
        &[
            "export",
            "reports",
            "--from",
            "2026-11-31",
            "--to",
            "2026-12-01",
            "--out",
            sheet.to_str().unwrap(),
        ],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--from"));
    let out = suishoupai(
        &db,
        &[
            "export",
            "reports",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--out",
            sheet.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&sheet).unwrap();
    assert!(text.starts_with("\u{feff}编号,上报时间,类别"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 reports written"));
}

#[test]
fn riders_onboard_from_a_csv_with_printable_sheets_and_a_code_that_enrolls() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    for (kind, file) in [("grids", "grids.geojson"), ("stations", "stations.csv")] {
        let out = suishoupai(&db, &["import", kind, demo.join(file).to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut csv = String::from("role,name,grid,station,department,phone\n");
    for i in 0..50 {
        csv.push_str(&format!("rider,骑手{i:02},,,,139{i:08}\n"));
    }
    let file = dir.path().join("riders.csv");
    std::fs::write(&file, &csv).unwrap();
    let sheet = dir.path().join("sheets.html");
    let out = suishoupai(
        &db,
        &[
            "import",
            "users",
            file.to_str().unwrap(),
            "--sheet",
            sheet.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(made["created"], 50);
    let html = std::fs::read_to_string(&sheet).unwrap();
    assert_eq!(html.matches("<section class=\"card\">").count(), 50);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&sheet).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // The same file again: every phone is now taken, so nobody is created and each row is named.
    let out = suishoupai(&db, &["import", "users", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(50 faults)"), "{stderr}");
    assert!(
        stderr.contains("row 2 (骑手00): the phone 13900000000 is already an existing user's"),
        "{stderr}"
    );

    // A code from the sheet enrolls against the running server.
    let running = start(&db);
    let code = made["users"][0]["code"].as_str().unwrap();
    let (status, body) = enroll(&running.base, code);
    assert_eq!(
        (status, body["user"]["name"].as_str()),
        (201, Some("骑手00"))
    );
    stop(running);
}
