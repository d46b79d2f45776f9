//! The server benchmarks of scripts/bench.sh (`cargo bench --bench server -- --out DIR`), against the real release
//! binary on loopback:
//! - load: 64 concurrent clients (riders, each with their own token) sending report `PUT`s, then pulling their
//!   change feed; requests per second and p50/p99 latency, beside raw SQLite inserts of the same rows (the reports
//!   the server stored, copied into a fresh database opened with the server's own settings) in the same run;
//! - growth: a grid worker's full sync of a grid of 1,000 reports and a rider's incremental pull, with 1,000 reports
//!   in the database and again with 1,000,000 (1,000 grids of 1,000, inserted with SQL), and the query plans.
//!
//! Figures go to DIR/server.json and DIR/growth.json; scripts/bench.sh writes BENCHMARKS.md from them.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> anyhow::Result<()> {
    native::main()
}

/// The benchmarks are native only: nothing to build for wasm32 (`cargo clippy --all-targets --target wasm32-…`).
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
#[path = "support/mod.rs"]
mod support;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::time::Instant;

    use anyhow::{bail, Context};
    use serde_json::{json, Value};
    use sqlx::{Connection, Row, SqlitePool};
    use suishoupai::domain::change::encode_cursor;

    use super::support::{
        account, concurrently, full_pull, ms, pull, put_report, report_body, summary, upload_photo,
        Server,
    };
    use suishoupai::server::changes::FEED_SQL;
    use suishoupai::server::reports::{LOAD_REPORT_SQL, POSSIBLE_DUPLICATES_SQL};
    use suishoupai::server::{db, demo};

    struct Args {
        out: PathBuf,
        bin: PathBuf,
        dist: PathBuf,
        port: u16,
        clients: usize,
        puts: usize,
        steady_pulls: usize,
        pulls: usize,
        growth: i64,
    }

    fn args() -> anyhow::Result<Args> {
        let mut a = Args {
            out: PathBuf::from("target/bench"),
            bin: PathBuf::from("target/release/suishoupai"),
            dist: PathBuf::from("dist"),
            port: 18110,
            clients: 64,
            puts: 100,
            steady_pulls: 50,
            pulls: 5,
            growth: 1_000_000,
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            let mut value = || it.next().context(format!("{arg} needs a value"));
            match arg.as_str() {
                "--out" => a.out = value()?.into(),
                "--bin" => a.bin = value()?.into(),
                "--dist" => a.dist = value()?.into(),
                "--port" => a.port = value()?.parse()?,
                "--clients" => a.clients = value()?.parse()?,
                "--puts" => a.puts = value()?.parse()?,
                "--steady-pulls" => a.steady_pulls = value()?.parse()?,
                "--pulls" => a.pulls = value()?.parse()?,
                "--growth" => a.growth = value()?.parse()?,
                "--bench" => {} // added by `cargo bench`
                other => bail!("unknown argument {other}"),
            }
        }
        Ok(a)
    }

    async fn load(a: &Args, dir: &Path) -> anyhow::Result<Value> {
        let db_path = dir.join("server.db");
        // The categories, stations and grids of the demo, in the server's database.
        let store = db::open(&db_path).await?;
        let pool = store.as_sqlite().expect("a SQLite database").clone();
        demo::seed(&store).await?;
        pool.close().await;
        let server =
            Server::start(&a.bin, &a.dist, &db_path, a.port, &dir.join("server.log")).await?;
        let base = server.base.clone();
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(a.clients)
            .build()?;
        let mut riders = Vec::new();
        for c in 0..a.clients {
            let (_, token) = account(
                &a.bin,
                &db_path,
                &base,
                "rider",
                &format!("压测骑手{c}"),
                None,
            )
            .await?;
            let sha = upload_photo(&http, &base, &token, c as u64).await?;
            let (_, cursor) = full_pull(&http, &base, &token, None).await?;
            riders.push((token, sha, cursor));
        }
        let riders = Arc::new(riders);

        let (h, b, r) = (http.clone(), base.clone(), riders.clone());
        let puts = concurrently(a.clients, a.puts, move |c, i| {
            let (h, b, r) = (h.clone(), b.clone(), r.clone());
            async move {
                let (token, sha, _) = &r[c];
                put_report(&h, &b, token, &report_body(sha, c, i)).await
            }
        })
        .await?;
        println!("server: report PUTs {puts}");

        // Steady state: each phone pulls from the head of the feed, as every 30 s when nothing is new for it.
        let store = db::open(&db_path).await?;
        let pool = store.as_sqlite().expect("a SQLite database").clone();
        let (head,): (i64,) = sqlx::query_as("SELECT seq FROM feed_counter WHERE id = 1")
            .fetch_one(&pool)
            .await?;
        pool.close().await;
        let head = Arc::new(encode_cursor(head));
        let (h, b, r) = (http.clone(), base.clone(), riders.clone());
        let steady = concurrently(a.clients, a.steady_pulls, move |c, _| {
            let (h, b, r, head) = (h.clone(), b.clone(), r.clone(), head.clone());
            async move {
                pull(&h, &b, &r[c].0, Some(&head)).await?;
                Ok(())
            }
        })
        .await?;
        println!("server: change-feed pulls at the head {steady}");

        // Catching up: each phone pulls from the cursor it held before its reports were sent (its own new reports).
        let (h, b, r) = (http.clone(), base.clone(), riders.clone());
        let catch_up = concurrently(a.clients, a.pulls, move |c, _| {
            let (h, b, r) = (h.clone(), b.clone(), r.clone());
            async move {
                let (token, _, cursor) = &r[c];
                let page = pull(&h, &b, token, Some(cursor)).await?;
                if page["changes"].as_array().map_or(0, Vec::len) == 0 {
                    bail!("an empty page");
                }
                Ok(())
            }
        })
        .await?;
        println!("server: change-feed pulls catching up {catch_up}");
        drop(server);

        let raw = raw_inserts(&db_path, &dir.join("raw.db")).await?;
        println!("raw SQLite inserts: {raw}");
        Ok(json!({
            "clients": a.clients,
            "puts": puts,
            "pulls": steady,
            "catch_up": catch_up,
            "catch_up_page": a.puts.min(200),
            "raw": raw,
        }))
    }

    /// The reports the server stored, inserted again into a fresh database opened as the server opens it (WAL,
    /// synchronous=NORMAL, foreign keys), one transaction per report as the server writes it: the feed counter, the
    /// report row, its photo row. One connection after another: SQLite has one writer.
    async fn raw_inserts(server_db: &Path, raw_db: &Path) -> anyhow::Result<Value> {
        let store = db::open(raw_db).await?;
        let pool = store.as_sqlite().expect("a SQLite database").clone();
        demo::seed(&store).await?;
        let mut conn = pool.acquire().await?;
        sqlx::query("ATTACH DATABASE ? AS s")
            .bind(server_db.to_string_lossy().to_string())
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO users SELECT * FROM s.users")
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO photos SELECT * FROM s.photos")
            .execute(&mut *conn)
            .await?;
        let rows = sqlx::query(
        "SELECT r.id, r.reporter_id, r.fingerprint, r.submitted, r.category, r.grid_id, r.grid_by_nearest,
                r.received_at, r.updated_at, r.timeline, r.deadline, p.sha256
         FROM s.reports r JOIN s.report_photos p ON p.report_id = r.id ORDER BY r.change_seq",
    )
    .fetch_all(&mut *conn)
    .await?;
        sqlx::query("DETACH DATABASE s").execute(&mut *conn).await?;
        let mut lat = Vec::with_capacity(rows.len());
        let start = Instant::now();
        for row in &rows {
            let t = Instant::now();
            let mut tx = conn.begin().await?;
            let (seq,): (i64,) =
                sqlx::query_as("UPDATE feed_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq")
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(
            "INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, grid_by_nearest, status,
                                  level, version, received_at, updated_at, timeline, change_seq, deadline)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'received', 1, 1, ?, ?, ?, ?, ?)",
        )
        .bind(row.get::<String, _>(0))
        .bind(row.get::<String, _>(1))
        .bind(row.get::<String, _>(2))
        .bind(row.get::<String, _>(3))
        .bind(row.get::<String, _>(4))
        .bind(row.get::<Option<String>, _>(5))
        .bind(row.get::<bool, _>(6))
        .bind(row.get::<String, _>(7))
        .bind(row.get::<String, _>(8))
        .bind(row.get::<String, _>(9))
        .bind(seq)
        .bind(row.get::<Option<String>, _>(10))
        .execute(&mut *tx)
        .await?;
            sqlx::query("INSERT INTO report_photos (report_id, sha256) VALUES (?, ?)")
                .bind(row.get::<String, _>(0))
                .bind(row.get::<String, _>(11))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            lat.push(t.elapsed());
        }
        let wall = start.elapsed();
        drop(conn);
        pool.close().await;
        Ok(summary(lat, wall))
    }

    /// A value bound to a query, typed as the server binds it.
    enum Bind {
        Int(i64),
        Real(f64),
        Bool(bool),
        Text(String),
        Null,
    }

    async fn plan(pool: &SqlitePool, sql: &str, binds: &[Bind]) -> anyhow::Result<Vec<String>> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = match b {
                Bind::Int(i) => q.bind(*i),
                Bind::Real(r) => q.bind(*r),
                Bind::Bool(v) => q.bind(*v),
                Bind::Text(t) => q.bind(t.clone()),
                Bind::Null => q.bind(None::<String>),
            };
        }
        let rows = q.fetch_all(pool).await?;
        Ok(rows
            .iter()
            .map(|r| {
                format!(
                    "{:>3} {:>3}  {}",
                    r.get::<i64, _>(0),
                    r.get::<i64, _>(1),
                    r.get::<String, _>(3)
                )
            })
            .collect())
    }

    const GRID: &str = "bench-grid-0000";
    const PER_GRID: i64 = 1_000;
    const RIDER_REPORTS: i64 = 50;

    /// A database of `total` reports: `total / 1,000` grids of 1,000 (the measured grid among them), 50 by the
    /// measured rider among the last 1,000, the rest by another rider. Then the two pulls, timed through the server.
    async fn growth_at(a: &Args, dir: &Path, total: i64, port: u16) -> anyhow::Result<Value> {
        let db_path = dir.join(format!("growth-{total}.db"));
        let grids = (total / PER_GRID).max(1);
        let store = db::open(&db_path).await?;
        let pool = store.as_sqlite().expect("a SQLite database").clone();
        demo::seed(&store).await?;
        sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
         INSERT INTO grids (id, name, polygon, demo)
         SELECT printf('bench-grid-%04d', i), printf('压测网格 %d', i),
                json_array(json_object('lat', 10.0 + i * 0.01, 'lon', 10.0), json_object('lat', 10.0 + i * 0.01, 'lon', 10.005),
                           json_object('lat', 10.005 + i * 0.01, 'lon', 10.005)), 0 FROM n",
    )
    .bind(grids)
    .execute(&pool)
    .await?;
        pool.close().await;

        let server = Server::start(
            &a.bin,
            &a.dist,
            &db_path,
            port,
            &dir.join(format!("growth-{total}.log")),
        )
        .await?;
        let base = server.base.clone();
        let http = reqwest::Client::new();
        let (worker_id, worker) = account(
            &a.bin,
            &db_path,
            &base,
            "grid_worker",
            "压测网格员",
            Some(GRID),
        )
        .await?;
        let (rider_id, rider) = account(&a.bin, &db_path, &base, "rider", "压测骑手", None).await?;
        let (other_id, other) = account(&a.bin, &db_path, &base, "rider", "其他骑手", None).await?;
        // One report through the API: the model every inserted row copies.
        let sha = upload_photo(&http, &base, &other, 1).await?;
        let template = uuid::Uuid::now_v7().to_string();
        let res = http
            .put(format!("{base}/reports/{template}"))
            .bearer_auth(&other)
            .json(&report_body(&sha, 0, 0))
            .send()
            .await?;
        if res.status() != reqwest::StatusCode::CREATED {
            bail!("template report: {}", res.status());
        }

        let store = db::open(&db_path).await?;
        let pool = store.as_sqlite().expect("a SQLite database").clone();
        let started = Instant::now();
        let (base_seq,): (i64,) = sqlx::query_as("SELECT seq FROM feed_counter WHERE id = 1")
            .fetch_one(&pool)
            .await?;
        // A year of the district's reports, oldest first, one every (year / total): report i in grid i mod grids, of
        // category i mod 11, somewhere in a 20 km square; resolved once older than 30 days. Every 20th of the last 1,000
        // is the measured rider's (50 reports), so that the rider's pull of the last 1,000 changes finds the same in both.
        // Places are columns too, as the server keeps them; the possible duplicates found at receipt are left empty (the
        // spread places make a neighbour of the same category within 50 m and a week rare).
        let spacing_s = (365 * 86_400 / total).max(1);
        sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1),
              c(k, code) AS (SELECT row_number() OVER (ORDER BY sort_order) - 1, code FROM categories),
              m(i, code, at, age) AS (
                SELECT n.i, c.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d seconds', (?1 - n.i) * ?8)),
                       (?1 - n.i) * ?8
                FROM n JOIN c ON c.k = n.i % (SELECT COUNT(*) FROM categories))
         INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, grid_by_nearest, status,
                              level, version, received_at, updated_at, deadline, timeline, points_awarded, change_seq,
                              lat, lon, possible_duplicates)
         SELECT printf('00000000-0000-7000-8000-%012d', m.i),
                CASE WHEN ?1 - m.i < ?2 * 20 AND (?1 - m.i) % 20 = 0 THEN ?3 ELSE ?4 END,
                t.fingerprint,
                json_set(t.submitted, '$.category', m.code, '$.captured_at', m.at,
                         '$.lat', 30.80 + ((m.i * 7919) % 1000) * 0.0002,
                         '$.lon', 104.15 + ((m.i * 104729) % 1000) * 0.0002),
                m.code, printf('bench-grid-%04d', m.i % ?5), 0,
                CASE WHEN m.age > 30 * 86400 THEN 'resolved' ELSE 'received' END,
                t.level, t.version, m.at, m.at, t.deadline, t.timeline, 0, ?6 + m.i,
                30.80 + ((m.i * 7919) % 1000) * 0.0002, 104.15 + ((m.i * 104729) % 1000) * 0.0002, '[]'
         FROM m, reports t WHERE t.id = ?7",
    )
    .bind(total)
    .bind(RIDER_REPORTS)
    .bind(&rider_id)
    .bind(&other_id)
    .bind(grids)
    .bind(base_seq)
    .bind(&template)
    .bind(spacing_s)
    .execute(&pool)
    .await?;
        sqlx::query("UPDATE feed_counter SET seq = ?1 WHERE id = 1")
            .bind(base_seq + total)
            .execute(&pool)
            .await?;
        let insert_s = started.elapsed().as_secs_f64();
        let (in_grid,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reports WHERE grid_id = ?")
            .bind(GRID)
            .fetch_one(&pool)
            .await?;
        let head = base_seq + total;
        let (sqlite,): (String,) = sqlx::query_as("SELECT sqlite_version()")
            .fetch_one(&pool)
            .await?;

        let explain = format!("EXPLAIN QUERY PLAN {FEED_SQL}");
        let worker_plan = plan(
            &pool,
            &explain,
            &[
                Bind::Int(-1),
                Bind::Int(201),
                Bind::Bool(false),
                Bind::Text(worker_id.clone()),
                Bind::Text(GRID.into()),
                Bind::Null,
            ],
        )
        .await?;
        let rider_plan = plan(
            &pool,
            &explain,
            &[
                Bind::Int(head - 1000),
                Bind::Int(201),
                Bind::Bool(false),
                Bind::Text(rider_id.clone()),
                Bind::Null,
                Bind::Null,
            ],
        )
        .await?;
        let (recent_id, recent_category, recent_at): (String, String, String) = sqlx::query_as(
        "SELECT id, category, received_at FROM reports WHERE grid_id = ? ORDER BY change_seq DESC LIMIT 1",
    )
    .bind(GRID)
    .fetch_one(&pool)
    .await?;
        let duplicates_plan = plan(
            &pool,
            &format!("EXPLAIN QUERY PLAN {POSSIBLE_DUPLICATES_SQL}"),
            &[
                Bind::Text(recent_category),
                Bind::Text(String::new()),
                Bind::Text(recent_at),
                Bind::Real(30.88),
                Bind::Real(30.881),
                Bind::Real(104.25),
                Bind::Real(104.251),
                Bind::Text(recent_id),
                Bind::Real(30.8805),
                Bind::Real(104.2505),
                Bind::Real(111_195.0 * 111_195.0),
                Bind::Real(95_400.0 * 95_400.0),
                Bind::Real(50.0 * 50.0),
                Bind::Int(10),
            ],
        )
        .await?;
        let load_plan = plan(
            &pool,
            &format!("EXPLAIN QUERY PLAN {LOAD_REPORT_SQL}"),
            &[Bind::Text(template.clone())],
        )
        .await?;
        pool.close().await;

        // The grid worker's full sync (every page, as a phone signing in does) and the rider's pull of what happened
        // since their last sync 1,000 changes ago; the median of several.
        let mut full = Vec::new();
        let mut full_changes = 0;
        for _ in 0..5 {
            let t = Instant::now();
            full_changes = full_pull(&http, &base, &worker, None).await?.0;
            full.push(t.elapsed());
        }
        let since = encode_cursor(head - 1000);
        let mut incremental = Vec::new();
        let mut incremental_changes = 0;
        for _ in 0..20 {
            let t = Instant::now();
            incremental_changes = full_pull(&http, &base, &rider, Some(since.clone()))
                .await?
                .0;
            incremental.push(t.elapsed());
        }
        drop(server);
        full.sort();
        incremental.sort();

        // Where the full sync's time goes, in-process: the change feed's query alone (every page), and the query
        // that serves each report (`load_report`: the report, its reporter, its possible duplicates still open).
        let store = db::open(&db_path).await?;
        let pool = store.as_sqlite().expect("a SQLite database").clone();
        let t = Instant::now();
        let mut after = -1_i64;
        loop {
            let rows: Vec<(String, String, i64)> = sqlx::query_as(FEED_SQL)
                .bind(after)
                .bind(201_i64)
                .bind(false)
                .bind(&worker_id)
                .bind(GRID)
                .bind(None::<String>)
                .fetch_all(&pool)
                .await?;
            if rows.len() <= 200 {
                break;
            }
            after = rows[199].2;
        }
        let feed_query_ms = ms(t.elapsed());
        let grid_reports: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM reports WHERE grid_id = ?")
                .bind(GRID)
                .fetch_all(&pool)
                .await?;
        let t = Instant::now();
        for (id,) in &grid_reports {
            sqlx::query(LOAD_REPORT_SQL)
                .bind(id)
                .fetch_one(&pool)
                .await?;
        }
        let report_loads_ms = ms(t.elapsed());
        pool.close().await;
        let size = std::fs::metadata(&db_path)?.len();
        Ok(json!({
            "reports": total,
            "sqlite": sqlite,
            "grids": grids,
            "reports_in_grid": in_grid,
            "insert_s": insert_s,
            "db_bytes": size,
            "grid_full_sync_ms": ms(full[full.len() / 2]),
            "grid_full_sync_changes": full_changes,
            "rider_incremental_ms": ms(incremental[incremental.len() / 2]),
            "feed_query_ms": feed_query_ms,
            "report_loads_ms": report_loads_ms,
            "rider_incremental_changes": incremental_changes,
            "plans": {
                "changes (grid worker, full sync)": worker_plan,
                "changes (rider, incremental)": rider_plan,
                "load_report": load_plan,
                "possible duplicates (when a report is received)": duplicates_plan,
            },
        }))
    }

    #[tokio::main]
    pub async fn main() -> anyhow::Result<()> {
        let a = args()?;
        let dir = a.out.join("server");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let dir = std::fs::canonicalize(&dir)?;

        let load = load(&a, &dir).await?;
        std::fs::write(
            a.out.join("server.json"),
            serde_json::to_string_pretty(&load)?,
        )?;

        let small = growth_at(&a, &dir, PER_GRID, a.port + 1).await?;
        println!("growth, {PER_GRID} reports: {small}");
        let big = growth_at(&a, &dir, a.growth, a.port + 2).await?;
        println!("growth, {} reports: {big}", a.growth);
        std::fs::write(
            a.out.join("growth.json"),
            serde_json::to_string_pretty(&json!({"small": small, "big": big, "grid": GRID}))?,
        )?;
        Ok(())
    }
}
