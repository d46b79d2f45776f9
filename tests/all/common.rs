//! Test helpers: a real server on an ephemeral loopback port with a fresh database, accounts in one line each.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use suishoupai::domain::{Enrollment, Place, Report, Role, User};
use suishoupai::server::accounts::{self, NewUser};
use suishoupai::server::{app, db, demo, AppState, Config, Db};

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub dir: tempfile::TempDir,
    /// The running server's state, for what tests drive directly (removing unused photos, say).
    pub state: AppState,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// A server with demo reference data, no accounts and no built PWA.
    pub async fn start() -> TestServer {
        Self::start_with(Config::default(), |_| {}).await
    }

    pub async fn start_with_config(config: Config) -> TestServer {
        Self::start_with(config, |_| {}).await
    }

    /// A server whose dist folder is first filled by `prepare_dist`.
    pub async fn start_with_dist(prepare_dist: impl FnOnce(&Path)) -> TestServer {
        Self::start_with(Config::default(), prepare_dist).await
    }

    pub async fn start_with(config: Config, prepare_dist: impl FnOnce(&Path)) -> TestServer {
        Self::start_in(tempfile::tempdir().expect("temp dir"), config, prepare_dist).await
    }

    /// A server on the database restored from `archive` (as `suishoupai restore` does it).
    pub async fn start_restored(archive: &Path) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        suishoupai::server::backup::restore(archive, &dir.path().join("test.db"))
            .await
            .expect("restore");
        Self::start_in(dir, Config::default(), |_| {}).await
    }

    async fn start_in(
        dir: tempfile::TempDir,
        config: Config,
        prepare_dist: impl FnOnce(&Path),
    ) -> TestServer {
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).expect("dist dir");
        prepare_dist(&dist);
        // A failing test shows the server's errors (an internal error's cause) beside its own output.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("error")
            .with_ansi(false)
            .try_init();
        let pool = open_db(dir.path()).await;
        demo::seed(&pool).await.expect("seed demo data");
        Self::serve(dir, pool, config).await
    }

    /// Another server instance on this one's database (on PostgreSQL, as a city runs several behind a proxy).
    pub async fn second_instance(&self) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("dist")).expect("dist dir");
        Self::serve(dir, self.db.clone(), Config::default()).await
    }

    /// A server on a SQLite database, whichever backend the other tests use (the source of a migration).
    pub async fn start_on_sqlite() -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("dist")).expect("dist dir");
        let pool = db::open(&dir.path().join("test.db"))
            .await
            .expect("open db");
        demo::seed(&pool).await.expect("seed demo data");
        Self::serve(dir, pool, Config::default()).await
    }

    /// A server on `pool`, a database made elsewhere.
    pub async fn serve(dir: tempfile::TempDir, pool: Db, config: Config) -> TestServer {
        let dist = dir.path().join("dist");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let state = AppState::new(pool.clone(), dist, config);
        let router = app(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        TestServer {
            base,
            client: reqwest::Client::new(),
            db: pool,
            dir,
            state,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// An unauthenticated GET.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// A GET with the given bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// A GET with the given bearer token that must answer `200`, its body read as `T`.
    pub async fn read_as<T: serde::de::DeserializeOwned>(&self, token: &str, path: &str) -> T {
        let res = self.get_as(token, path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.json()
            .await
            .expect("the body reads as the expected type")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Everything the database holds, as a copy of it would show it: the SQLite file (with its write-ahead log,
    /// checkpointed first), or every row of every PostgreSQL table as text.
    pub async fn database_bytes(&self) -> Vec<u8> {
        match &self.db {
            Db::Sqlite(_) => {
                db::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&self.db)
                    .await
                    .unwrap();
                let mut file = std::fs::read(self.db_path()).unwrap();
                if let Ok(wal) = std::fs::read(self.db_path().with_extension("db-wal")) {
                    file.extend(wal);
                }
                file
            }
            Db::Postgres(..) => {
                let tables: Vec<String> = db::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .fetch_all(&self.db)
                .await
                .unwrap();
                let mut text = String::new();
                for table in tables {
                    let rows: Option<String> = db::query_scalar(format!(
                        "SELECT string_agg(t::text, E'\\n') FROM \"{table}\" t"
                    ))
                    .fetch_one(&self.db)
                    .await
                    .unwrap();
                    text.push_str(&rows.unwrap_or_default());
                }
                text.into_bytes()
            }
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("test.db")
    }

    /// A new user of `role` (grid workers in demo-grid-01, staff at demo-station-01, department staff of
    /// chengguan) and a fresh code.
    pub async fn user_with_code(&self, role: Role, name: &str) -> (User, String) {
        let place = match role {
            Role::StationStaff => "demo-station-01",
            Role::DepartmentStaff => "chengguan",
            Role::Official => "",
            _ => "demo-grid-01",
        };
        self.user_with_code_in(role, name, place).await
    }

    /// A grid worker of `grid`, enrolled: their token.
    pub async fn grid_worker_of(&self, grid: &str) -> String {
        self.enrolled_in(Role::GridWorker, grid).await
    }

    /// An official of one 街道, enrolled: their token.
    pub async fn official_of(&self, street: &str) -> String {
        self.enrolled_in(Role::Official, street).await
    }

    /// Staff of the department `code`, enrolled: their token.
    pub async fn department_staff_of(&self, code: &str) -> String {
        self.enrolled_in(Role::DepartmentStaff, code).await
    }

    /// Staff of `station`, enrolled: their token.
    pub async fn staff_of(&self, station: &str) -> String {
        self.enrolled_in(Role::StationStaff, station).await
    }

    async fn enrolled_in(&self, role: Role, place: &str) -> String {
        let name = if role == Role::GridWorker {
            "网格员"
        } else {
            "驿站同事"
        };
        let (_, code) = self.user_with_code_in(role, name, place).await;
        let res = self
            .post_json("/api/v1/enroll", &serde_json::json!({"code": code}))
            .await;
        res.json::<Enrollment>().await.expect("enrollment").token
    }

    /// A new user of `role` in `place` (a grid for grid workers, a station for staff, a department for its staff,
    /// a 街道 or "" for officials; ignored for the others) and a fresh code.
    async fn user_with_code_in(&self, role: Role, name: &str, place: &str) -> (User, String) {
        let at = |p: Place| {
            role.place()
                .is_some_and(|(own, _)| own == p && !place.is_empty())
                .then(|| place.to_owned())
        };
        let new = NewUser {
            id: None,
            role,
            name: name.into(),
            grid_id: at(Place::Grid),
            station_id: at(Place::Station),
            department_id: at(Place::Department),
            street: at(Place::Street),
            phone: Some("13800000000".into()),
        };
        let user = accounts::create_user(&self.db, new)
            .await
            .expect("create user");
        let code = accounts::issue_code(&self.db, &user.id, Duration::from_secs(3600))
            .await
            .expect("issue code");
        (user, code)
    }

    /// A new user of `role`, enrolled through the API: their enrollment (token, user, pass secret).
    pub async fn enrolled(&self, role: Role, name: &str) -> Enrollment {
        let (_, code) = self.user_with_code(role, name).await;
        self.enrolled_with(&code).await
    }

    /// Enrolls a phone with `code` through the API: the enrollment (token, user, pass secret).
    pub async fn enrolled_with(&self, code: &str) -> Enrollment {
        let res = self
            .post_json(
                "/api/v1/enroll",
                &serde_json::json!({"code": code, "device_name": "test phone"}),
            )
            .await;
        assert_eq!(res.status(), 201, "enrolling with {code}");
        res.json().await.expect("enrollment body")
    }
}

/// The environment variable naming a PostgreSQL server (a URL of its `postgres` database, as the test command's
/// throwaway cluster gives it): set, every test server gets a fresh database there instead of a SQLite file.
pub const TEST_PG: &str = "SUISHOUPAI_TEST_PG";

/// Whether the tests run on PostgreSQL (see [`TEST_PG`]).
pub fn on_postgres() -> bool {
    std::env::var_os(TEST_PG).is_some()
}

/// A fresh database for one test server: a SQLite file in `dir`, or a new PostgreSQL database.
pub async fn open_db(dir: &Path) -> Db {
    let Ok(admin_url) = std::env::var(TEST_PG) else {
        return db::open(&dir.join("test.db")).await.expect("open db");
    };
    use sqlx::Connection as _;
    let name = format!("t_{}", new_id().replace('-', "_"));
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    admin.close().await.ok();
    let url = match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("{TEST_PG} must be a URL ending in a database name"),
    };
    db::open_postgres(&url, &dir.join("test.key"))
        .await
        .expect("open the test database")
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

/// A real 16×16 JPEG whose colour depends on `seed`, padded with comment segments to `len + 4` bytes (at least
/// the bare image's size): still a valid JPEG, since the server decodes every photo.
pub fn jpeg(seed: u8, len: usize) -> Vec<u8> {
    let len = len + 4;
    let img = image::RgbImage::from_fn(16, 16, |x, y| {
        image::Rgb([seed, (x * 16) as u8, (y * 16) as u8])
    });
    let mut encoded = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut encoded)
        .encode_image(&img)
        .expect("encoding a JPEG");
    let mut bytes = encoded[..2].to_vec();
    let mut filler = len.saturating_sub(encoded.len());
    let mut offset = 0usize;
    while filler > 4 {
        let n = filler.min(65_533 + 4) - 4;
        bytes.extend([0xFF, 0xFE]);
        bytes.extend(((n + 2) as u16).to_be_bytes());
        bytes.extend((0..n).map(|k| ((k + offset) as u8).wrapping_mul(31).wrapping_add(seed)));
        filler -= n + 4;
        offset += n;
    }
    bytes.extend(&encoded[2..]);
    bytes
}

/// A real 16×16 PNG whose colour depends on `seed`.
pub fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(16, 16, |x, y| {
        image::Rgb([(x * 16) as u8, seed, (y * 16) as u8])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("encoding a PNG");
    bytes
}

pub fn sha256(bytes: &[u8]) -> String {
    suishoupai::server::secret::sha256_hex(bytes)
}

/// The report a write answered with; the server must have taken the write (`what` names it when it did not).
pub async fn taken(res: reqwest::Response, what: &str) -> Report {
    let status = res.status();
    assert!(
        status.is_success(),
        "the {what} was refused ({status}): {}",
        res.text().await.unwrap_or_default()
    );
    res.json().await.expect("a report")
}

/// A valid report body with these photos, in the middle of the demo area, captured a minute ago.
pub fn report_body(photos: &[&str]) -> serde_json::Value {
    let captured = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    serde_json::json!({
        "category": "manhole_cover",
        "urgent": true,
        "description": "井盖缺失，电动车容易掉进去",
        "lat": 30.885, "lon": 104.255, "accuracy_m": 8.5,
        "photos": photos,
        "captured_at": suishoupai::domain::timestamp::format_time(captured),
    })
}

/// [`report_body`] `metres` north of its place: far enough (over 50 m) and it is another hazard, a task of its own
/// rather than one joined to a report already open there.
pub fn report_body_at(photos: &[&str], metres: f64) -> serde_json::Value {
    let mut body = report_body(photos);
    body["lat"] =
        serde_json::json!(30.885 + metres / suishoupai::domain::GeoPoint::METRES_PER_DEGREE);
    body
}

/// The ids of the reports a page of the change feed carries, in its order.
pub fn report_ids(page: &serde_json::Value) -> Vec<String> {
    page["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == "report")
        .map(|c| c["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Today as the district's figures count days: in Beijing time (from 16:00 UTC it is already tomorrow there).
pub fn beijing_today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(suishoupai::domain::figures::CHINA)
        .date()
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl TestServer {
    pub async fn put_photo(&self, token: &str, bytes: &[u8]) -> reqwest::Response {
        self.client
            .put(self.url(&format!("/api/v1/photos/{}", sha256(bytes))))
            .bearer_auth(token)
            .header("content-type", "image/jpeg")
            .body(bytes.to_vec())
            .send()
            .await
            .expect("request")
    }

    pub async fn put_report(
        &self,
        token: &str,
        id: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.put_as(token, &format!("/api/v1/reports/{id}"), body)
            .await
    }

    /// A new report filed with `token` (a fresh id), as its answer shows it; the server must take it.
    pub async fn file_report(&self, token: &str, body: &serde_json::Value) -> Report {
        taken(self.put_report(token, &new_id(), body).await, "report").await
    }

    /// A PUT of a JSON body with the given bearer token.
    pub async fn put_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }
}
