//! `suishoupai migrate --from SQLITE --to postgres://…`: a district's SQLite database moved into PostgreSQL — every
//! table, photos, accounts, tokens, the feed's positions and points — then verified table by table (rows counted
//! and checksummed on both sides). The server must be stopped while it runs.
//!
//! Resumable: rows go over in batches in primary-key order, each batch in one PostgreSQL transaction with the key
//! it reached (table `migrate_progress`); run again after an interruption, it carries on from there. Rows are
//! written as upserts, so a batch written twice changes nothing. References that may point forward (a report's
//! original, its concern; a check-in's first visit) are written after every table is over.
use std::collections::BTreeMap;

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, SqlitePool};

use super::db::{self, Arg, Db};

/// The tables in an order their references allow (what a row refers to is over before it).
pub const TABLES: &[&str] = &[
    "departments",
    "categories",
    "stations",
    "grids",
    "users",
    "enrollment_codes",
    "tokens",
    "feed_counter",
    "server_epoch",
    "photos",
    "photo_uploads",
    "concern_topics",
    "reports",
    "report_photos",
    "checkins",
    "task_actions",
    "pass_failures",
    "audit_log",
    "warning_history",
    "verdicts",
    "task_calls",
    "backups",
    "concerns",
    "concern_photos",
    "concern_actions",
    "concern_verdicts",
    "points",
];

/// References that may point to a row written later: written as NULL first, then set once every table is over.
const LATER: &[(&str, &str)] = &[
    ("reports", "duplicate_of"),
    ("reports", "concern_id"),
    ("checkins", "same_visit_as"),
];

/// Tables with an identity column whose sequence must continue after the copied ids.
const IDENTITIES: &[&str] = &["audit_log", "warning_history", "backups"];

/// How the copy goes (the command line's defaults; tests make it stop early).
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Rows per batch (photos: a tenth of it, at least one).
    pub batch_rows: i64,
    /// Stop after this many batches, as an interruption would (tests).
    pub stop_after_batches: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            batch_rows: 1000,
            stop_after_batches: None,
        }
    }
}

/// What a finished migration found on both sides, per table: rows and their checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub tables: BTreeMap<String, (i64, String)>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every table over and verified.
    Done(Verified),
    /// Stopped early ([`Options::stop_after_batches`]); run again to carry on.
    Interrupted { batches: usize },
}

/// One column of a table: its name and how PostgreSQL keeps it.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Real,
    Text,
    Bytes,
}

/// A value on its way over.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    fn arg(&self, kind: Kind) -> Arg<'_> {
        match (self, kind) {
            (Value::Null, Kind::Int) => Arg::Int(None),
            (Value::Null, Kind::Bool) => Arg::Bool(None),
            (Value::Null, Kind::Real) => Arg::Float(None),
            (Value::Null, Kind::Text) => Arg::Str(None),
            (Value::Null, Kind::Bytes) => Arg::Bytes(None),
            (Value::Int(v), Kind::Bool) => Arg::Bool(Some(*v != 0)),
            (Value::Int(v), Kind::Real) => Arg::Float(Some(*v as f64)),
            (Value::Int(v), _) => Arg::Int(Some(*v)),
            (Value::Real(v), _) => Arg::Float(Some(*v)),
            (Value::Text(v), _) => Arg::Str(Some(v)),
            (Value::Bytes(v), _) => Arg::Bytes(Some(v)),
        }
    }

    /// The value as it enters a checksum: the same on both sides (a flag as 0/1).
    fn digest(&self, hash: &mut Sha256) {
        match self {
            Value::Null => hash.update([0]),
            Value::Int(v) => {
                hash.update([1]);
                hash.update(v.to_le_bytes());
            }
            Value::Real(v) => {
                hash.update([2]);
                hash.update(v.to_bits().to_le_bytes());
            }
            Value::Text(v) => {
                hash.update([3]);
                hash.update((v.len() as u64).to_le_bytes());
                hash.update(v.as_bytes());
            }
            Value::Bytes(v) => {
                hash.update([4]);
                hash.update((v.len() as u64).to_le_bytes());
                hash.update(v);
            }
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Int(v) => (*v).into(),
            Value::Real(v) => (*v).into(),
            Value::Text(v) => v.clone().into(),
            Value::Bytes(_) => serde_json::Value::Null,
        }
    }

    fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Number(n) if n.is_i64() => {
                Value::Int(n.as_i64().unwrap_or_default())
            }
            serde_json::Value::Number(n) => Value::Real(n.as_f64().unwrap_or_default()),
            serde_json::Value::String(s) => Value::Text(s.clone()),
            _ => Value::Null,
        }
    }
}

fn sqlite_value(row: &SqliteRow, i: usize, kind: Kind) -> anyhow::Result<Value> {
    Ok(match kind {
        Kind::Int | Kind::Bool => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(Value::Null, Value::Int),
        Kind::Real => row
            .try_get::<Option<f64>, _>(i)?
            .map_or(Value::Null, Value::Real),
        Kind::Text => row
            .try_get::<Option<String>, _>(i)?
            .map_or(Value::Null, Value::Text),
        Kind::Bytes => row
            .try_get::<Option<Vec<u8>>, _>(i)?
            .map_or(Value::Null, Value::Bytes),
    })
}

fn postgres_value(row: &PgRow, i: usize, kind: Kind) -> anyhow::Result<Value> {
    Ok(match kind {
        Kind::Int => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(Value::Null, Value::Int),
        Kind::Bool => row
            .try_get::<Option<bool>, _>(i)?
            .map_or(Value::Null, |b| Value::Int(b.into())),
        Kind::Real => row
            .try_get::<Option<f64>, _>(i)?
            .map_or(Value::Null, Value::Real),
        Kind::Text => row
            .try_get::<Option<String>, _>(i)?
            .map_or(Value::Null, Value::Text),
        Kind::Bytes => row
            .try_get::<Option<Vec<u8>>, _>(i)?
            .map_or(Value::Null, Value::Bytes),
    })
}

/// A table as PostgreSQL describes it: its columns and its primary key's (empty: it has none).
struct Table {
    name: &'static str,
    columns: Vec<Column>,
    key: Vec<String>,
}

impl Table {
    async fn describe(to: &sqlx::PgPool, name: &'static str) -> anyhow::Result<Table> {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(name)
        .fetch_all(to)
        .await?;
        anyhow::ensure!(!columns.is_empty(), "PostgreSQL has no table {name}");
        let columns = columns
            .into_iter()
            .map(|(name, kind)| {
                let kind = match kind.as_str() {
                    "bigint" | "integer" => Kind::Int,
                    "boolean" => Kind::Bool,
                    "double precision" | "real" => Kind::Real,
                    "text" => Kind::Text,
                    "bytea" => Kind::Bytes,
                    other => anyhow::bail!("column {name} of type {other}"),
                };
                Ok(Column { name, kind })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let key: Vec<(String,)> = sqlx::query_as(
            "SELECT a.attname::text FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
             WHERE i.indrelid = $1::regclass AND i.indisprimary
             ORDER BY array_position(i.indkey::int2[], a.attnum)",
        )
        .bind(name)
        .fetch_all(to)
        .await?;
        Ok(Table {
            name,
            columns,
            key: key.into_iter().map(|(k,)| k).collect(),
        })
    }

    fn list(&self) -> String {
        self.columns
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn order(&self) -> String {
        if self.key.is_empty() {
            self.list()
        } else {
            self.key.join(", ")
        }
    }

    /// [`Table::order`] with text compared by its bytes, as SQLite compares it (PostgreSQL: `COLLATE "C"`).
    fn byte_order(&self) -> String {
        let names: Vec<&str> = if self.key.is_empty() {
            self.columns.iter().map(|c| c.name.as_str()).collect()
        } else {
            self.key.iter().map(String::as_str).collect()
        };
        names
            .iter()
            .map(|n| match self.kind_of(n) {
                Kind::Text => format!("\"{n}\" COLLATE \"C\""),
                _ => format!("\"{n}\""),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn kind_of(&self, column: &str) -> Kind {
        self.columns
            .iter()
            .find(|c| c.name == column)
            .map_or(Kind::Text, |c| c.kind)
    }

    /// The statement writing one row: an upsert by the primary key.
    fn upsert(&self) -> String {
        let marks: Vec<String> = (1..=self.columns.len()).map(|i| format!("${i}")).collect();
        let conflict = if self.key.is_empty() {
            String::new()
        } else {
            let sets: Vec<String> = self
                .columns
                .iter()
                .filter(|c| !self.key.contains(&c.name))
                .map(|c| format!("\"{0}\" = EXCLUDED.\"{0}\"", c.name))
                .collect();
            if sets.is_empty() {
                " ON CONFLICT DO NOTHING".to_owned()
            } else {
                format!(
                    " ON CONFLICT ({}) DO UPDATE SET {}",
                    self.key.join(", "),
                    sets.join(", ")
                )
            }
        };
        format!(
            "INSERT INTO {} ({}) VALUES ({}){conflict}",
            self.name,
            self.list(),
            marks.join(", ")
        )
    }
}

/// Copies the key enrollment codes are hashed with (`from`, beside the SQLite file) to `to`, the PostgreSQL
/// database's key file, before it is opened — codes handed out stay good. Refused if `to` holds another key.
pub fn carry_key(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    let Ok(key) = std::fs::read_to_string(from) else {
        return Ok(()); // no code was ever made: the PostgreSQL database makes its own key
    };
    match std::fs::read_to_string(to) {
        Ok(there) if there.trim() == key.trim() => Ok(()),
        Ok(_) => anyhow::bail!(
            "{} holds another key than {}: give --key-file a new file",
            to.display(),
            from.display()
        ),
        Err(_) => {
            if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            db::write_private(to, &key)
        }
    }
}

/// Moves the SQLite database `from` into the (migrated) PostgreSQL database `to`, then verifies it.
pub async fn migrate(from: &SqlitePool, to: &Db, options: Options) -> anyhow::Result<Outcome> {
    let Db::Postgres(pg, _) = to else {
        anyhow::bail!("the target must be a PostgreSQL database");
    };
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS migrate_progress (tbl TEXT PRIMARY KEY, after TEXT, done BOOLEAN NOT NULL)",
    )
    .execute(pg)
    .await?;
    let (started,): (bool,) = sqlx::query_as("SELECT EXISTS (SELECT 1 FROM migrate_progress)")
        .fetch_one(pg)
        .await?;
    let (users,): (i64,) = sqlx::query_as("SELECT count(*) FROM users")
        .fetch_one(pg)
        .await?;
    anyhow::ensure!(
        started || users == 0,
        "the PostgreSQL database holds a district already ({users} accounts): migrate into an empty one"
    );
    let mut batches = 0;
    for name in TABLES {
        let table = Table::describe(pg, name).await?;
        loop {
            if options
                .stop_after_batches
                .is_some_and(|most| batches >= most)
            {
                return Ok(Outcome::Interrupted { batches });
            }
            let more = copy_batch(from, pg, &table, options).await?;
            batches += 1;
            if !more {
                break;
            }
        }
    }
    for (table, column) in LATER {
        set_later(from, pg, table, column).await?;
    }
    for table in IDENTITIES {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        ))
        .execute(pg)
        .await?;
    }
    let verified = verify(from, pg).await?;
    sqlx::query("DROP TABLE migrate_progress")
        .execute(pg)
        .await?;
    Ok(Outcome::Done(verified))
}

/// Writes the next batch of `table` and where it got to, in one transaction. `false` once the table is over.
async fn copy_batch(
    from: &SqlitePool,
    to: &sqlx::PgPool,
    table: &Table,
    options: Options,
) -> anyhow::Result<bool> {
    let progress: Option<(Option<String>, bool)> =
        sqlx::query_as("SELECT after, done FROM migrate_progress WHERE tbl = $1")
            .bind(table.name)
            .fetch_optional(to)
            .await?;
    if progress.as_ref().is_some_and(|p| p.1) {
        return Ok(false);
    }
    let after: Option<Vec<Value>> = match progress.and_then(|p| p.0) {
        Some(text) => {
            let values: Vec<serde_json::Value> = serde_json::from_str(&text)?;
            Some(values.iter().map(Value::from_json).collect())
        }
        None => None,
    };
    let limit = match table.name {
        "photos" => (options.batch_rows / 10).max(1),
        _ => options.batch_rows,
    };
    // A table without a key is small (refused pass attempts): it goes over whole, in one batch.
    let keyed = !table.key.is_empty();
    let mut sql = format!("SELECT {} FROM {}", table.list(), table.name);
    if keyed && after.is_some() {
        let marks: Vec<String> = (1..=table.key.len()).map(|i| format!("?{i}")).collect();
        sql.push_str(&format!(
            " WHERE ({}) > ({})",
            table.key.join(", "),
            marks.join(", ")
        ));
    }
    sql.push_str(&format!(" ORDER BY {}", table.order()));
    if keyed {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut query = sqlx::query(&sql);
    for (value, key) in after.iter().flatten().zip(&table.key) {
        query = match (value, table.kind_of(key)) {
            (Value::Int(v), _) => query.bind(*v),
            (Value::Text(v), _) => query.bind(v.clone()),
            (Value::Real(v), _) => query.bind(*v),
            _ => query.bind(None::<String>),
        };
    }
    let rows = query
        .fetch_all(from)
        .await
        .with_context(|| format!("reading {}", table.name))?;
    let mut tx = to.begin().await?;
    if !keyed {
        sqlx::query(&format!("DELETE FROM {}", table.name))
            .execute(&mut *tx)
            .await?;
    }
    let upsert = table.upsert();
    let mut last = None;
    for row in &rows {
        let values = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| sqlite_value(row, i, c.kind))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut insert = db::query(upsert.as_str());
        for (value, column) in values.iter().zip(&table.columns) {
            let later = LATER.contains(&(table.name, column.name.as_str()));
            insert = insert.bind(if later {
                Value::Null.arg(column.kind)
            } else {
                value.arg(column.kind)
            });
        }
        insert
            .execute(db::On::Postgres(&mut tx))
            .await
            .with_context(|| format!("writing a row of {}", table.name))?;
        last = Some(
            table
                .key
                .iter()
                .map(|k| {
                    let i = table.columns.iter().position(|c| &c.name == k).unwrap_or(0);
                    values[i].json()
                })
                .collect::<Vec<_>>(),
        );
    }
    let done = !keyed || (rows.len() as i64) < limit;
    let after = match last {
        Some(key) => Some(serde_json::to_string(&key)?),
        None => after
            .map(|a| serde_json::to_string(&a.iter().map(Value::json).collect::<Vec<_>>()))
            .transpose()?,
    };
    sqlx::query(
        "INSERT INTO migrate_progress (tbl, after, done) VALUES ($1, $2, $3)
         ON CONFLICT (tbl) DO UPDATE SET after = EXCLUDED.after, done = EXCLUDED.done",
    )
    .bind(table.name)
    .bind(after)
    .bind(done)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(!done)
}

/// Sets the references written as NULL ([`LATER`]) to what SQLite has.
async fn set_later(
    from: &SqlitePool,
    to: &sqlx::PgPool,
    table: &str,
    column: &str,
) -> anyhow::Result<()> {
    let key = if table == "checkins" || table == "reports" {
        "id"
    } else {
        anyhow::bail!("{table}")
    };
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL"
    ))
    .fetch_all(from)
    .await?;
    let mut tx = to.begin().await?;
    for (id, value) in rows {
        sqlx::query(&format!(
            "UPDATE {table} SET {column} = $1 WHERE {key} = $2"
        ))
        .bind(value)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// How many rows `rows` has, and the SHA-256 of their values in order, each read by `value`.
async fn tally<R>(
    mut rows: futures_util::stream::BoxStream<'_, sqlx::Result<R>>,
    table: &Table,
    value: fn(&R, usize, Kind) -> anyhow::Result<Value>,
) -> anyhow::Result<(i64, String)> {
    use futures_util::TryStreamExt as _;
    let (mut count, mut hash) = (0, Sha256::new());
    while let Some(row) = rows.try_next().await? {
        for (i, c) in table.columns.iter().enumerate() {
            value(&row, i, c.kind)?.digest(&mut hash);
        }
        count += 1;
    }
    Ok((count, crate::server::secret::hex(&hash.finalize())))
}

/// Every table's rows counted and checksummed on both sides, in key order; an error names each that differs.
pub async fn verify(from: &SqlitePool, to: &sqlx::PgPool) -> anyhow::Result<Verified> {
    let mut tables = BTreeMap::new();
    let mut faults = Vec::new();
    for name in TABLES {
        let table = Table::describe(to, name).await?;
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            table.list(),
            name,
            table.order()
        );
        let sqlite = tally(sqlx::query(&sql).fetch(from), &table, sqlite_value).await?;
        // Text in SQLite's order (by bytes), whatever the database's collation.
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            table.list(),
            name,
            table.byte_order()
        );
        let postgres = tally(sqlx::query(&sql).fetch(to), &table, postgres_value).await?;
        if sqlite != postgres {
            faults.push(format!(
                "{name}: SQLite {} rows {}, PostgreSQL {} rows {}",
                sqlite.0, sqlite.1, postgres.0, postgres.1
            ));
        }
        tables.insert(name.to_string(), sqlite);
    }
    anyhow::ensure!(faults.is_empty(), "the copy differs: {}", faults.join("; "));
    Ok(Verified { tables })
}
