//! What the server benchmarks share (benches/server.rs on SQLite, benches/postgres.rs on PostgreSQL): the release
//! server as a child process, accounts, photos and reports, change-feed pulls, and timed concurrent requests.
// Each benchmark uses its part of it.
#![allow(dead_code)]
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};
use suishoupai::domain::category::INITIAL_CATALOG;
use suishoupai::domain::photo::sha256_hex;
use suishoupai::domain::timestamp::format_time;

/// The release server on a database of its own; stopped with SIGTERM when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(
        bin: &Path,
        dist: &Path,
        db: impl AsRef<OsStr>,
        port: u16,
        log: &Path,
    ) -> anyhow::Result<Server> {
        let child = Command::new(bin)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--db"])
            .arg(db)
            .arg("--dist")
            .arg(dist)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log)?)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}/api/v1"),
        };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(r) = client.get(format!("{}/health", server.base)).send().await {
                if r.status().is_success() {
                    return Ok(server);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "the server on port {port} did not start (see {})",
            log.display()
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A user made with the admin command line, enrolled over HTTP: their id and token.
pub async fn account(
    bin: &Path,
    db: impl AsRef<OsStr>,
    base: &str,
    role: &str,
    name: &str,
    grid: Option<&str>,
) -> anyhow::Result<(String, String)> {
    let mut cmd = Command::new(bin);
    cmd.args(["user", "--db"])
        .arg(db)
        .args(["add", "--role", role, "--name", name, "--json"]);
    if let Some(g) = grid {
        cmd.args(["--grid", g]);
    }
    let out = cmd.output()?;
    if !out.status.success() {
        bail!("user add: {}", String::from_utf8_lossy(&out.stderr));
    }
    let made: Value = serde_json::from_slice(&out.stdout)?;
    let enrolled: Value = reqwest::Client::new()
        .post(format!("{base}/enroll"))
        .json(&json!({"code": made["code"], "device_name": "bench"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok((
        made["user_id"].as_str().context("user_id")?.to_owned(),
        enrolled["token"].as_str().context("token")?.to_owned(),
    ))
}

/// A real JPEG of noise, about 20 KB, different for every seed (the server decodes every photo).
pub fn photo(seed: u64) -> Vec<u8> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let img = image::RgbImage::from_fn(96, 96, |_, _| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let v = (s >> 33) as u32;
        image::Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
    });
    let mut bytes = Vec::new();
    if let Err(e) =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90).encode_image(&img)
    {
        panic!("encoding a JPEG: {e}");
    }
    bytes
}

pub async fn upload_photo(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    seed: u64,
) -> anyhow::Result<String> {
    let bytes = photo(seed);
    let sha = sha256_hex(&bytes);
    http.put(format!("{base}/photos/{sha}"))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await?
        .error_for_status()?;
    Ok(sha)
}

/// Report `n` of client `c`: categories in turn, spread over the demo grids (about 4 × 2 km), so that the
/// possible-duplicate lookup finds what it would in a real district rather than one pothole reported 6,400 times.
pub fn report_body(photo: &str, c: usize, n: usize) -> Value {
    let k = (c * 1_003 + n) as u64;
    let code = INITIAL_CATALOG[k as usize % INITIAL_CATALOG.len()].0;
    json!({
        "category": code,
        "urgent": n.is_multiple_of(10),
        "description": format!("压测 {c}-{n}"),
        "lat": 30.87 + (k.wrapping_mul(7919) % 1000) as f64 * 0.00002,
        "lon": 104.23 + (k.wrapping_mul(104_729) % 1000) as f64 * 0.00004,
        "accuracy_m": 12.0,
        "photos": [photo],
        "captured_at": format_time(time::OffsetDateTime::now_utc()),
    })
}

pub async fn put_report(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    body: &Value,
) -> anyhow::Result<()> {
    let id = uuid::Uuid::now_v7();
    let res = http
        .put(format!("{base}/reports/{id}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    if res.status() != reqwest::StatusCode::CREATED {
        bail!("PUT report: {} {}", res.status(), res.text().await?);
    }
    Ok(())
}

/// One page of the change feed as the phone asks for it (`limit=200`); the page.
pub async fn pull(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    cursor: Option<&str>,
) -> anyhow::Result<Value> {
    let url = match cursor {
        Some(c) => format!("{base}/changes?limit=200&cursor={c}"),
        None => format!("{base}/changes?limit=200"),
    };
    Ok(http
        .get(url)
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// Pulls until `has_more` is false; the number of changes and the last cursor.
pub async fn full_pull(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    from: Option<String>,
) -> anyhow::Result<(usize, String)> {
    let mut cursor = from;
    let mut n = 0;
    loop {
        let page = pull(http, base, token, cursor.as_deref()).await?;
        n += page["changes"].as_array().map_or(0, Vec::len);
        cursor = Some(
            page["next_cursor"]
                .as_str()
                .context("next_cursor")?
                .to_owned(),
        );
        if page["has_more"] != json!(true) {
            return Ok((n, cursor.unwrap_or_default()));
        }
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nearest-rank percentile of latencies, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    ms(sorted[rank.min(sorted.len()) - 1])
}

pub fn summary(mut latencies: Vec<Duration>, wall: Duration) -> Value {
    latencies.sort();
    json!({
        "requests": latencies.len(),
        "seconds": wall.as_secs_f64(),
        "per_s": latencies.len() as f64 / wall.as_secs_f64(),
        "p50_ms": percentile(&latencies, 50.0),
        "p99_ms": percentile(&latencies, 99.0),
        "max_ms": ms(*latencies.last().unwrap_or(&Duration::ZERO)),
    })
}

/// `clients` tasks each running `each` requests made by `job(client, i)`; every request's latency and the wall time.
pub async fn concurrently<F, Fut>(clients: usize, each: usize, job: F) -> anyhow::Result<Value>
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let job = Arc::new(job);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let job = job.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(each);
            for i in 0..each {
                let t = Instant::now();
                job(c, i).await?;
                lat.push(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(summary(all, start.elapsed()))
}
