//! The storage layer: SQLite (the default: one file, nothing to install) or PostgreSQL (a city's several
//! instances), chosen at start. Opening either applies its migrations, embedded in the binary. Handlers hold a
//! [`Db`], begin a [`Tx`], and run [`query`]s on either through [`On`].
mod query;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

pub use query::{pg_sql, query, query_as, query_scalar, Arg, Done, Query, QueryScalar, Row, Value};

/// Which database engine a [`Db`] runs on, for the few statements written differently for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives, as `--db` names it: a SQLite file, or a `postgres://` URL (then the enrollment code key,
/// which SQLite keeps beside its file, is `key_file`, shared by every instance).
#[derive(Debug, Clone)]
pub enum Target {
    Sqlite(PathBuf),
    Postgres { url: String, key_file: PathBuf },
}

impl Target {
    /// `--db`'s value: a `postgres://` (or `postgresql://`) URL, or else a SQLite file's path.
    pub fn new(db: &str, key_file: Option<PathBuf>) -> Target {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            Target::Postgres {
                url: db.to_owned(),
                key_file: key_file
                    .unwrap_or_else(|| PathBuf::from("./data/suishoupai-postgres.key")),
            }
        } else {
            Target::Sqlite(PathBuf::from(db))
        }
    }

    /// The folder for the files kept beside the data (the demo's codes).
    pub fn side_dir(&self) -> &Path {
        let file = match self {
            Target::Sqlite(path) => path,
            Target::Postgres { key_file, .. } => key_file,
        };
        file.parent().unwrap_or(Path::new("."))
    }

    /// Whether there is data there to open (a SQLite file that exists; a PostgreSQL URL always may).
    pub fn exists(&self) -> bool {
        match self {
            Target::Sqlite(path) => path.exists(),
            Target::Postgres { .. } => true,
        }
    }

    /// Opens it and brings its schema up to date.
    pub async fn open(&self) -> anyhow::Result<Db> {
        match self {
            Target::Sqlite(path) => open(path).await,
            Target::Postgres { url, key_file } => open_postgres(url, key_file).await,
        }
    }
}

impl std::fmt::Display for Target {
    /// Where, for the log: the file, or the database's host and name without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Sqlite(path) => write!(f, "{}", path.display()),
            Target::Postgres { url, .. } => match url.rsplit_once('@') {
                Some((_, place)) => write!(f, "postgres://…@{place}"),
                None => write!(f, "{url}"),
            },
        }
    }
}

/// The database: a pool of connections to one SQLite file, or to one PostgreSQL database (with the file holding
/// its enrollment code key).
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool, Arc<PathBuf>),
}

impl Db {
    /// The file holding the key enrollment codes are hashed with: beside a SQLite file, or named at start.
    pub fn key_file(&self) -> PathBuf {
        match self {
            Db::Sqlite(p) => super::secret::key_file(p.connect_options().get_filename()),
            Db::Postgres(_, key_file) => key_file.to_path_buf(),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(..) => Backend::Postgres,
        }
    }

    /// A write transaction: its statements commit together ([`Tx::commit`]) or not at all (dropped or rolled
    /// back). Writers take turns, as SQLite has them do: on PostgreSQL each takes the writers' lock first, held to
    /// its end, so what was decided on SQLite's single writer (an id's first arrival, a task's version, points
    /// awarded once, the feed's commit order) holds across every server instance.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p, _) => {
                let mut tx = p.begin().await?;
                // Its turn, and word to the other instances' live streams when it commits (none if it rolls back).
                sqlx::query("SELECT pg_advisory_xact_lock($1), pg_notify($2, '')")
                    .bind(WRITERS_LOCK)
                    .bind(CHANGES_CHANNEL)
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// A write transaction that takes turns only with the writers of the same `keys`, in every instance (on
    /// PostgreSQL; on SQLite the caller holds the one writer's turn): for a writer whose decisions rest on the rows
    /// those keys stand for alone, so that writers of other keys run side by side. One that then touches rows any
    /// writer may touch takes the common turn as well, with [`Tx::take_turn`]. Such a writer may read before it
    /// writes: on SQLite its transaction takes the file's write lock at once (`BEGIN IMMEDIATE`), so that no write
    /// from outside the writer's turn can make its first read stale.
    pub async fn begin_keyed(&self, keys: &[TurnKey]) -> sqlx::Result<Tx> {
        let p = match self {
            Db::Sqlite(p) => return Ok(Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?)),
            Db::Postgres(p, _) => p,
        };
        let mut tx = p.begin().await?;
        let mut keys = keys.to_vec();
        keys.sort();
        keys.dedup();
        // In one order for every writer (PostgreSQL evaluates a volatile output after the sort), so two writers
        // sharing keys never wait for each other in a circle. The values are numbers made here, not input.
        let values: Vec<String> = keys.iter().map(|k| format!("({}, {})", k.0, k.1)).collect();
        let mut sql = "SELECT pg_notify($1, '')".to_owned();
        if !values.is_empty() {
            sql = format!(
                "SELECT pg_notify($1, ''), pg_advisory_xact_lock(k, v) FROM (VALUES {}) AS t(k, v) ORDER BY k, v",
                values.join(", ")
            );
        }
        sqlx::query(&sql)
            .bind(CHANGES_CHANNEL)
            .execute(&mut *tx)
            .await?;
        Ok(Tx::Postgres(tx))
    }

    /// A read-only transaction whose statements all see one snapshot (a page of the feed and its counter).
    pub async fn begin_read(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p, _) => {
                let mut tx = p.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// Waits for the connections in use to be returned, then closes them all.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p, _) => p.close().await,
        }
    }

    /// The SQLite pool, for what only SQLite does (the backup's `VACUUM INTO`).
    pub fn as_sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Db::Sqlite(p) => Some(p),
            Db::Postgres(..) => None,
        }
    }
}

/// The connections of an instance's PostgreSQL pool.
const POOL_CONNECTIONS: u32 = 16;

/// How many writers of [`Db::begin_keyed`] an instance lets wait for their turns at once: half its connections,
/// so that the writer whose turn it is always finds one for its lookups.
pub const KEYED_WRITERS: usize = POOL_CONNECTIONS as usize / 2;

/// The PostgreSQL advisory lock writers take turns with (see [`Db::begin`]).
const WRITERS_LOCK: i64 = 0x5153_5850; // "QSXP"

/// The PostgreSQL channel each write transaction notifies at its commit, for every instance's live streams.
pub const CHANGES_CHANNEL: &str = "suishoupai_changes";

/// What a writer of [`Db::begin_keyed`] takes turns by: a kind of thing and a number standing for one of them (two
/// things may share a number: their writers then take turns needlessly, never wrongly). PostgreSQL's advisory locks
/// of two keys, apart from [`Db::begin`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TurnKey(pub i32, pub i32);

/// A transaction on either backend.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    /// Takes the writers' common turn inside a transaction of [`Db::begin_keyed`], held to its end (on SQLite the
    /// caller holds it already).
    pub async fn take_turn(&mut self) -> sqlx::Result<()> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITERS_LOCK)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Postgres(t) => t.rollback().await,
        }
    }
}

/// Where a statement runs: on any connection of the pool, or inside a transaction.
pub enum On<'a> {
    SqlitePool(&'a SqlitePool),
    Sqlite(&'a mut SqliteConnection),
    PgPool(&'a PgPool),
    Postgres(&'a mut PgConnection),
}

impl On<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            On::SqlitePool(_) | On::Sqlite(_) => Backend::Sqlite,
            On::PgPool(_) | On::Postgres(_) => Backend::Postgres,
        }
    }
}

impl<'a> From<&'a Db> for On<'a> {
    fn from(db: &'a Db) -> Self {
        match db {
            Db::Sqlite(p) => On::SqlitePool(p),
            Db::Postgres(p, _) => On::PgPool(p),
        }
    }
}

impl<'a> From<&'a mut Tx> for On<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        match tx {
            Tx::Sqlite(t) => On::Sqlite(t),
            Tx::Postgres(t) => On::Postgres(t),
        }
    }
}

impl<'a, 'b> From<&'a mut &'b mut Tx> for On<'a> {
    fn from(tx: &'a mut &'b mut Tx) -> Self {
        On::from(&mut **tx)
    }
}

/// Opens (creating if needed) the SQLite database file and brings its schema up to date.
pub async fn open(path: &Path) -> anyhow::Result<Db> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // Only the service account may read it (SQLite gives its -wal and -shm files the same mode).
    create_private(path)?;
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // What is deleted (an erased rider's name and phone number) is overwritten, not left in free pages.
        .pragma("secure_delete", "on")
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("opening database {}", path.display()))?;
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .context("applying migrations")?;
    let db = Db::Sqlite(pool);
    super::phones::seal_stored(&db)
        .await
        .context("sealing stored phone numbers")?;
    Ok(db)
}

/// Connects to a PostgreSQL database and brings its schema up to date (its own migrations, embedded like
/// SQLite's). Several server instances may share it.
pub async fn open_postgres(url: &str, key_file: &Path) -> anyhow::Result<Db> {
    let pool = PgPoolOptions::new()
        .max_connections(POOL_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .context("connecting to PostgreSQL")?;
    sqlx::migrate!("./migrations/postgres")
        .run(&pool)
        .await
        .context("applying migrations")?;
    if let Some(dir) = key_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let db = Db::Postgres(pool, Arc::new(key_file.to_path_buf()));
    super::phones::seal_stored(&db)
        .await
        .context("sealing stored phone numbers")?;
    Ok(db)
}

/// Creates `path` empty and readable by its owner only (0600), unless it exists already.
pub fn create_private(path: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("creating {}", path.display()))),
    }
}

/// Writes `text` to `path`, readable by its owner only (0600): for files that hold secrets.
pub fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(path);
    create_private(path)?;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
