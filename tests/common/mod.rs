//! Test helpers: a real server on an ephemeral loopback port with a fresh database, and the binary itself.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use suishoupai::server::{app, db, demo, AppState};

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// A server with demo data and no built PWA.
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// A server whose dist folder is first filled by `prepare_dist`.
    pub async fn start_with(prepare_dist: impl FnOnce(&Path)) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).expect("dist dir");
        prepare_dist(&dist);
        let pool = db::open(&dir.path().join("test.db"))
            .await
            .expect("open db");
        demo::seed(&pool).await.expect("seed demo data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let router = app(AppState { db: pool, dist });
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("serve");
        });
        TestServer {
            base,
            client: reqwest::Client::new(),
            dir,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("test.db")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The error `code` of a protocol error body, checking the body's shape on the way.
pub async fn error_code(res: reqwest::Response) -> String {
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        ct.starts_with("application/json"),
        "error content-type was {ct:?}"
    );
    let body: serde_json::Value = res.json().await.expect("JSON error body");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "error body without message: {body}");
    body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned()
}
