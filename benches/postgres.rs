//! The PostgreSQL benchmarks of `scripts/bench.sh --postgres` (`cargo bench --bench postgres -- --url URL --out DIR`,
//! URL a PostgreSQL server's `postgres` database: the script's throwaway cluster), against the real release binary
//! on loopback:
//! - load: 64 clients (riders, each with their own token) sending report `PUT`s to one instance, then to two on the
//!   same database (each client to one of them), beside raw PostgreSQL inserts of the same rows in the same run (the
//!   reports the one instance stored, written again into a fresh database by 64 connections, one transaction per
//!   report as the server writes it: the feed counter, the report, its photo);
//! - growth: a grid worker's full sync of a grid of 1,000 reports, a rider's incremental pull and the district's
//!   figures for the month (`GET /stats`), with 1,000 reports in the database and with 1,000,000 (1,000 grids of
//!   1,000, inserted with SQL), and the query plans (`EXPLAIN`). The month so far holds the newest 1,000 reports at
//!   both sizes; the others fall in the year before it.
//!
//! Figures go to DIR/postgres.json; scripts/bench.sh writes BENCHMARKS.md's PostgreSQL section from them.

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
    use sqlx::postgres::{PgPoolOptions, PgRow};
    use sqlx::{Connection, PgConnection, PgPool, Row};
    use suishoupai::domain::change::encode_cursor;
    use suishoupai::domain::figures::GroupBy;
    use suishoupai::server::changes::FEED_SQL;
    use suishoupai::server::db::{pg_sql, Backend};
    use suishoupai::server::figures::figures_sql;
    use suishoupai::server::{db, demo};

    use super::support::{
        account, concurrently, full_pull, ms, put_report, report_body, upload_photo, Server,
    };

    struct Args {
        url: String,
        out: PathBuf,
        bin: PathBuf,
        dist: PathBuf,
        port: u16,
        clients: usize,
        puts: usize,
        growth: i64,
    }

    fn args() -> anyhow::Result<Args> {
        let mut a = Args {
            url: String::new(),
            out: PathBuf::from("target/bench"),
            bin: PathBuf::from("target/release/suishoupai"),
            dist: PathBuf::from("dist"),
            port: 18150,
            clients: 64,
            puts: 100,
            growth: 1_000_000,
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            let mut value = || it.next().context(format!("{arg} needs a value"));
            match arg.as_str() {
                "--url" => a.url = value()?,
                "--out" => a.out = value()?.into(),
                "--bin" => a.bin = value()?.into(),
                "--dist" => a.dist = value()?.into(),
                "--port" => a.port = value()?.parse()?,
                "--clients" => a.clients = value()?.parse()?,
                "--puts" => a.puts = value()?.parse()?,
                "--growth" => a.growth = value()?.parse()?,
                "--bench" => {} // added by `cargo bench`
                other => bail!("unknown argument {other}"),
            }
        }
        if a.url.is_empty() {
            bail!("--url postgres://USER:PASSWORD@HOST:PORT/postgres is needed");
        }
        Ok(a)
    }

    /// The URL of database `name` on the benchmark's server.
    fn url_of(a: &Args, name: &str) -> String {
        match a.url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => a.url.clone(),
        }
    }

    /// A new, empty database `name` (dropped first if a run left one), its schema and the demo's reference data.
    async fn fresh(a: &Args, name: &str, dir: &Path) -> anyhow::Result<(String, db::Db)> {
        let mut admin = PgConnection::connect(&a.url).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let url = url_of(a, name);
        let store = db::open_postgres(&url, &key_file(dir)).await?;
        demo::seed(&store).await?;
        Ok((url, store))
    }

    /// The enrollment-code key every instance and command of the run reads (SUISHOUPAI_KEY_FILE, set by the script).
    fn key_file(dir: &Path) -> PathBuf {
        std::env::var_os("SUISHOUPAI_KEY_FILE").map_or_else(|| dir.join("code.key"), PathBuf::from)
    }

    /// `instances` servers on one new database and 64 riders, each sending its reports to one of them.
    async fn load(a: &Args, dir: &Path, instances: u16) -> anyhow::Result<(Value, String)> {
        let (url, store) = fresh(a, &format!("bench_load_{instances}"), dir).await?;
        store.close().await;
        let mut servers = Vec::new();
        for i in 0..instances {
            let log = dir.join(format!("load-{instances}-{i}.log"));
            servers.push(Server::start(&a.bin, &a.dist, &url, a.port + i, &log).await?);
        }
        let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(a.clients)
            .build()?;
        let mut riders = Vec::new();
        for c in 0..a.clients {
            let base = &bases[c % bases.len()];
            let (_, token) =
                account(&a.bin, &url, base, "rider", &format!("压测骑手{c}"), None).await?;
            let sha = upload_photo(&http, base, &token, c as u64).await?;
            full_pull(&http, base, &token, None).await?;
            riders.push((token, sha, base.clone()));
        }
        let riders = Arc::new(riders);
        let (h, r) = (http.clone(), riders.clone());
        let puts = concurrently(a.clients, a.puts, move |c, i| {
            let (h, r) = (h.clone(), r.clone());
            async move {
                let (token, sha, base) = &r[c];
                put_report(&h, base, token, &report_body(sha, c, i)).await
            }
        })
        .await?;
        println!("postgres: report PUTs through {instances} instance(s): {puts}");
        drop(servers);
        Ok((puts, url))
    }

    /// The reports `from` holds, inserted again into a fresh database by 64 connections at once, one transaction per
    /// report: the feed counter's next place, the report row, its photo row.
    async fn raw_inserts(a: &Args, dir: &Path, from: &str) -> anyhow::Result<Value> {
        let source = PgPool::connect(from).await?;
        let (_, store) = fresh(a, "bench_raw", dir).await?;
        store.close().await;
        let target = PgPoolOptions::new()
            .max_connections(a.clients as u32)
            .connect(&url_of(a, "bench_raw"))
            .await?;
        // Who reported and their photos, as the server had them (not timed).
        for table in ["users", "photos"] {
            let rows: Vec<PgRow> = sqlx::query(&format!("SELECT * FROM {table}"))
                .fetch_all(&source)
                .await?;
            for row in &rows {
                let insert = match table {
                    "users" => sqlx::query(
                        "INSERT INTO users (id, name, role, pass_secret, created_at) VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(row.get::<String, _>("id"))
                    .bind(row.get::<String, _>("name"))
                    .bind(row.get::<String, _>("role"))
                    .bind(row.get::<String, _>("pass_secret"))
                    .bind(row.get::<i64, _>("created_at")),
                    _ => sqlx::query(
                        "INSERT INTO photos (sha256, content_type, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(row.get::<String, _>("sha256"))
                    .bind(row.get::<String, _>("content_type"))
                    .bind(row.get::<i64, _>("size"))
                    .bind(row.get::<Vec<u8>, _>("bytes"))
                    .bind(row.get::<i64, _>("created_at")),
                };
                insert.execute(&target).await?;
            }
        }
        type Stored = (
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            bool,
            String,
            String,
            String,
            Option<String>,
            String,
        );
        let rows: Vec<Stored> = sqlx::query_as(
            "SELECT r.id, r.reporter_id, r.fingerprint, r.submitted, r.category, r.grid_id, r.grid_by_nearest,
                    r.received_at, r.updated_at, r.timeline, r.deadline, p.sha256
             FROM reports r JOIN report_photos p ON p.report_id = r.id ORDER BY r.change_seq",
        )
        .fetch_all(&source)
        .await?;
        source.close().await;
        let rows = Arc::new(rows);
        let clients = a.clients;
        let each = rows.len() / clients;
        let target = Arc::new(target);
        let raw = concurrently(clients, each, move |c, i| {
            let (rows, target) = (rows.clone(), target.clone());
            async move {
                let row = &rows[i * clients + c];
                let mut tx = target.begin().await?;
                let (seq,): (i64,) =
                    sqlx::query_as("UPDATE feed_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq")
                        .fetch_one(&mut *tx)
                        .await?;
                sqlx::query(
                    "INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, grid_by_nearest,
                                          status, level, version, received_at, updated_at, timeline, change_seq, deadline)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'received', 1, 1, $8, $9, $10, $11, $12)",
                )
                .bind(&row.0)
                .bind(&row.1)
                .bind(&row.2)
                .bind(&row.3)
                .bind(&row.4)
                .bind(&row.5)
                .bind(row.6)
                .bind(&row.7)
                .bind(&row.8)
                .bind(&row.9)
                .bind(seq)
                .bind(&row.10)
                .execute(&mut *tx)
                .await?;
                sqlx::query("INSERT INTO report_photos (report_id, sha256) VALUES ($1, $2)")
                    .bind(&row.0)
                    .bind(&row.11)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        })
        .await?;
        println!("raw PostgreSQL inserts: {raw}");
        Ok(raw)
    }

    /// A statement's plan with its parameters bound as the server binds them.
    async fn plan(
        pool: &PgPool,
        sql: &str,
        bind: impl FnOnce(PgQuery<'_>) -> PgQuery<'_>,
    ) -> anyhow::Result<Vec<String>> {
        let explain = format!("EXPLAIN (COSTS OFF) {}", pg_sql(sql));
        let rows = bind(sqlx::query(&explain)).fetch_all(pool).await?;
        Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
    }

    type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

    const GRID: &str = "bench-grid-0000";
    const PER_GRID: i64 = 1_000;
    const RIDER_REPORTS: i64 = 50;
    /// The reports of the month so far, at every size of the history.
    const RECENT: i64 = 1_000;

    /// The median of `runs` timings of `job`, and what its last run counted.
    async fn median<F, Fut>(runs: usize, mut job: F) -> anyhow::Result<(f64, usize)>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<usize>>,
    {
        let mut times = Vec::with_capacity(runs);
        let mut counted = 0;
        for _ in 0..runs {
            let t = Instant::now();
            counted = job().await?;
            times.push(t.elapsed());
        }
        times.sort();
        Ok((ms(times[times.len() / 2]), counted))
    }

    /// A database of `total` reports (`total / 1,000` grids of 1,000, the measured grid among them; 50 by the measured
    /// rider among the last 1,000; received over a year, resolved once older than 30 days), then the timings.
    async fn growth_at(a: &Args, dir: &Path, total: i64, port: u16) -> anyhow::Result<Value> {
        let (url, store) = fresh(a, &format!("bench_growth_{total}"), dir).await?;
        let db::Db::Postgres(pool, _) = &store else {
            bail!("not PostgreSQL");
        };
        let grids = (total / PER_GRID).max(1);
        sqlx::query(
            "INSERT INTO grids (id, name, polygon, demo)
             SELECT format('bench-grid-%s', lpad(i::text, 4, '0')), format('压测网格 %s', i),
                    json_build_array(json_build_object('lat', 10.0 + i * 0.01, 'lon', 10.0),
                                     json_build_object('lat', 10.0 + i * 0.01, 'lon', 10.005),
                                     json_build_object('lat', 10.005 + i * 0.01, 'lon', 10.005))::text, FALSE
             FROM generate_series(0, $1 - 1) AS i",
        )
        .bind(grids)
        .execute(pool)
        .await?;
        let server = Server::start(
            &a.bin,
            &a.dist,
            &url,
            port,
            &dir.join(format!("growth-{total}.log")),
        )
        .await?;
        let base = server.base.clone();
        let http = reqwest::Client::new();
        let (worker_id, worker) =
            account(&a.bin, &url, &base, "grid_worker", "压测网格员", Some(GRID)).await?;
        let (rider_id, rider) = account(&a.bin, &url, &base, "rider", "压测骑手", None).await?;
        let (other_id, other) = account(&a.bin, &url, &base, "rider", "其他骑手", None).await?;
        let (_, admin) = account(&a.bin, &url, &base, "admin", "压测管理员", None).await?;
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

        let started = Instant::now();
        let (base_seq,): (i64,) = sqlx::query_as("SELECT seq FROM feed_counter WHERE id = 1")
            .fetch_one(pool)
            .await?;
        // The month the figures are asked for (Beijing dates, as the dashboard asks).
        let now = time::OffsetDateTime::now_utc();
        let today = (now + time::Duration::hours(8)).date();
        let month_start = today.replace_day(1)?;
        let (from, to) = (month_start.to_string(), today.to_string());
        let period = suishoupai::domain::figures::Period {
            from: month_start,
            to: today,
        };
        let (start, end) = period.bounds();
        // The newest RECENT reports fill the month so far, the rest spread evenly over the year before it: the
        // month's figures count as many reports at either size. (What they are compared with — the days just before
        // and the same days a year before — lies in the history, and grows with it.)
        let month_s = ((now
            - month_start
                .midnight()
                .assume_offset(suishoupai::domain::figures::CHINA))
        .whole_seconds()
            - 60)
            .max(60) as f64;
        let recent_spacing_s = month_s / RECENT as f64;
        let history_spacing_s = (365 * 86_400) as f64 / (total - RECENT).max(1) as f64;
        sqlx::query(
            "WITH c AS (SELECT row_number() OVER (ORDER BY sort_order) - 1 AS k, code FROM categories),
                  a AS (SELECT n.i, CASE WHEN $1 - n.i < $9 THEN ($1 - n.i) * $8
                                         ELSE $10 + ($1 - n.i - $9 + 1) * $11 END AS age
                        FROM generate_series(1, $1) AS n(i)),
                  m AS (SELECT n.i, c.code, n.age,
                               to_char((now() - make_interval(secs => n.age)) AT TIME ZONE 'UTC',
                                       'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS at,
                               30.80 + ((n.i * 7919) % 1000) * 0.0002 AS lat,
                               104.15 + ((n.i * 104729) % 1000) * 0.0002 AS lon
                        FROM a AS n
                        JOIN c ON c.k = n.i % (SELECT count(*) FROM categories))
             INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, grid_by_nearest, status,
                                  level, version, received_at, updated_at, deadline, timeline, points_awarded,
                                  change_seq, lat, lon, possible_duplicates)
             SELECT format('00000000-0000-7000-8000-%s', lpad(m.i::text, 12, '0')),
                    CASE WHEN $1 - m.i < $2 * 20 AND ($1 - m.i) % 20 = 0 THEN $3 ELSE $4 END,
                    t.fingerprint,
                    (t.submitted::jsonb || jsonb_build_object('category', m.code, 'captured_at', m.at,
                                                              'lat', m.lat, 'lon', m.lon))::text,
                    m.code, format('bench-grid-%s', lpad((m.i % $5)::text, 4, '0')), FALSE,
                    CASE WHEN m.age > 30 * 86400 THEN 'resolved' ELSE 'received' END,
                    t.level, t.version, m.at, m.at, t.deadline, t.timeline, 0, $6 + m.i, m.lat, m.lon, '[]'
             FROM m, reports t WHERE t.id = $7",
        )
        .bind(total)
        .bind(RIDER_REPORTS)
        .bind(&rider_id)
        .bind(&other_id)
        .bind(grids)
        .bind(base_seq)
        .bind(&template)
        .bind(recent_spacing_s)
        .bind(RECENT)
        .bind(month_s)
        .bind(history_spacing_s)
        .execute(pool)
        .await?;
        sqlx::query("UPDATE feed_counter SET seq = $1 WHERE id = 1")
            .bind(base_seq + total)
            .execute(pool)
            .await?;
        sqlx::query("ANALYZE").execute(pool).await?;
        let insert_s = started.elapsed().as_secs_f64();
        let head = base_seq + total;
        let (in_grid,): (i64,) = sqlx::query_as("SELECT count(*) FROM reports WHERE grid_id = $1")
            .bind(GRID)
            .fetch_one(pool)
            .await?;
        let received_in = |(from, to): (String, String)| async move {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM reports WHERE received_at >= $1 AND received_at < $2",
            )
            .bind(from)
            .bind(to)
            .fetch_one(pool)
            .await?;
            anyhow::Ok(n)
        };
        let in_month = received_in(period.bounds()).await?;
        let in_compared = received_in(period.previous().bounds()).await?
            + received_in(period.year_before().bounds()).await?;
        let (version,): (String,) = sqlx::query_as("SHOW server_version")
            .fetch_one(pool)
            .await?;
        let (bytes,): (i64,) = sqlx::query_as("SELECT pg_database_size(current_database())")
            .fetch_one(pool)
            .await?;

        let worker_plan = plan(pool, FEED_SQL, |q| {
            q.bind(-1_i64)
                .bind(201_i64)
                .bind(false)
                .bind(worker_id.clone())
                .bind(GRID)
                .bind(None::<String>)
                .bind(None::<String>)
        })
        .await?;
        let rider_plan = plan(pool, FEED_SQL, |q| {
            q.bind(head - 1000)
                .bind(201_i64)
                .bind(false)
                .bind(rider_id.clone())
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(None::<String>)
        })
        .await?;
        let figures_plan = plan(pool, &figures_sql(GroupBy::Grid, Backend::Postgres), |q| {
            q.bind(start.clone())
                .bind(end.clone())
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(suishoupai::domain::timestamp::format_time(
                    time::OffsetDateTime::now_utc(),
                ))
                .bind(None::<String>)
        })
        .await?;

        // Through the server: the grid worker's full sync, the rider's pull of the last 1,000 changes, the month's
        // figures per grid; medians.
        let (h, b, w) = (&http, &base, &worker);
        let (grid_full_sync_ms, full_changes) =
            median(5, || async move { Ok(full_pull(h, b, w, None).await?.0) }).await?;
        let since = encode_cursor(head - 1000);
        let (rider_incremental_ms, incremental_changes) = median(20, || {
            let since = since.clone();
            let rider = &rider;
            async move { Ok(full_pull(h, b, rider, Some(since)).await?.0) }
        })
        .await?;
        let stats = format!("{base}/stats?from={from}&to={to}&by=grid");
        let (figures_ms, figures_bytes) = median(5, || {
            let (stats, admin) = (&stats, &admin);
            async move {
                let body = h
                    .get(stats)
                    .bearer_auth(admin)
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                Ok(body.len())
            }
        })
        .await?;
        drop(server);
        store.close().await;
        Ok(json!({
            "reports": total,
            "postgres": version,
            "grids": grids,
            "reports_in_grid": in_grid,
            "reports_in_month": in_month,
            "reports_compared": in_compared,
            "insert_s": insert_s,
            "db_bytes": bytes,
            "grid_full_sync_ms": grid_full_sync_ms,
            "grid_full_sync_changes": full_changes,
            "rider_incremental_ms": rider_incremental_ms,
            "rider_incremental_changes": incremental_changes,
            "figures_ms": figures_ms,
            "figures_bytes": figures_bytes,
            "plans": {
                "changes (grid worker, full sync)": worker_plan,
                "changes (rider, incremental)": rider_plan,
                "figures of the month per grid": figures_plan,
            },
        }))
    }

    #[tokio::main]
    pub async fn main() -> anyhow::Result<()> {
        let a = args()?;
        let dir = a.out.join("postgres");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let dir = std::fs::canonicalize(&dir)?;

        let (one, one_url) = load(&a, &dir, 1).await?;
        let raw = raw_inserts(&a, &dir, &one_url).await?;
        let (two, _) = load(&a, &dir, 2).await?;
        let small = growth_at(&a, &dir, PER_GRID, a.port + 10).await?;
        println!("growth, {PER_GRID} reports: {small}");
        let big = growth_at(&a, &dir, a.growth, a.port + 11).await?;
        println!("growth, {} reports: {big}", a.growth);
        std::fs::write(
            a.out.join("postgres.json"),
            serde_json::to_string_pretty(&json!({
                "clients": a.clients,
                "puts_one": one,
                "puts_two": two,
                "raw": raw,
                "growth": {"small": small, "big": big, "grid": GRID},
            }))?,
        )?;
        Ok(())
    }
}
