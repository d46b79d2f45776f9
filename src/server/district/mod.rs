//! The district's own reference data, loaded from its files (grids, stations, departments, the 两张清单): each
//! file is checked whole first and applied in one transaction, so a faulty file changes nothing and its faults are
//! named; a thing missing from a new file is retired, never deleted; every change reaches phones through the
//! change feed and leaves one entry in the audit log.
use crate::server::db::{self, Db, Tx};
use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

pub use crate::domain::district::{Changes, Fault, Kind};
use crate::domain::timestamp::format_time;

pub mod api;
pub mod categories;
pub mod concern_topics;
pub mod departments;
pub mod grids;
pub mod people;
pub mod stations;
pub mod users;

/// Why an import did not apply.
#[derive(Debug)]
pub enum ImportError {
    /// The file is wrong: nothing was changed.
    Refused(Vec<Fault>),
    Failed(anyhow::Error),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ImportError::Refused(faults) => {
                writeln!(
                    f,
                    "the file was refused, nothing was changed ({} faults) · 文件有 {} 处错误，没有做任何更改：",
                    faults.len(),
                    faults.len()
                )?;
                for fault in faults {
                    writeln!(f, "  {fault}")?;
                    writeln!(f, "  {}：{}", fault.at_zh, fault.problem_zh)?;
                }
                Ok(())
            }
            ImportError::Failed(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<anyhow::Error> for ImportError {
    fn from(e: anyhow::Error) -> Self {
        ImportError::Failed(e)
    }
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Failed(e.into())
    }
}

impl From<serde_json::Error> for ImportError {
    fn from(e: serde_json::Error) -> Self {
        ImportError::Failed(e.into())
    }
}

impl From<crate::server::Error> for ImportError {
    fn from(e: crate::server::Error) -> Self {
        ImportError::Failed(anyhow::anyhow!("{e:?}"))
    }
}

/// One kind of reference data: how its file reads and writes, and how its rows are kept.
pub(crate) trait Reference {
    type Item: Clone + PartialEq;
    const KIND: Kind;
    /// The table the items are kept in, and its key column.
    const TABLE: (&'static str, &'static str);
    fn key(item: &Self::Item) -> &str;
    /// The file's items, or every fault in it. `name` is the file's name (its extension may choose the format).
    fn parse(bytes: &[u8], name: &str) -> Result<Vec<Self::Item>, Vec<Fault>>;
    /// Faults that need the database (a department that does not exist): none when the file fits.
    async fn check(_tx: &mut Tx, _items: &[Self::Item]) -> anyhow::Result<Vec<Fault>> {
        Ok(vec![])
    }
    /// Every kept item, with whether it is retired.
    async fn load(tx: &mut Tx) -> anyhow::Result<Vec<(Self::Item, bool)>>;
    /// Adds or updates (and un-retires) one item, at place `seq` of the change feed.
    async fn put(tx: &mut Tx, item: &Self::Item, seq: i64) -> anyhow::Result<()>;
    /// Retires one item, at place `seq` of the change feed.
    /// Retires one item, at place `seq` of the change feed: marked, never deleted.
    async fn retire(tx: &mut Tx, key: &str, at: &str, seq: i64) -> anyhow::Result<()> {
        retire_row(tx, Self::TABLE, key, at, seq).await
    }
    /// The file of the items in service, in the import format.
    fn write(items: &[Self::Item]) -> anyhow::Result<Vec<u8>>;
}

/// Marks one row of `(table, key column)` retired at `at`, at place `seq` of the change feed.
pub(crate) async fn retire_row(
    tx: &mut Tx,
    (table, column): (&str, &str),
    key: &str,
    at: &str,
    seq: i64,
) -> anyhow::Result<()> {
    db::query(format!(
        "UPDATE {table} SET retired_at = ?, change_seq = ? WHERE {column} = ?"
    ))
    .bind(at)
    .bind(seq)
    .bind(key)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Checks a file of `R` and, unless `dry_run`, applies it in one transaction with one audit-log entry.
pub(crate) async fn import<R: Reference>(
    db: &Db,
    bytes: &[u8],
    name: &str,
    actor: &str,
    dry_run: bool,
) -> Result<Changes, ImportError> {
    let items = R::parse(bytes, name).map_err(ImportError::Refused)?;
    let mut tx = db.begin().await?;
    // Takes the write lock first, so what is compared below is what is changed.
    let seq = crate::server::changes::next_change_seq(&mut tx).await?;
    let faults = R::check(&mut tx, &items).await?;
    if !faults.is_empty() {
        return Err(ImportError::Refused(faults));
    }
    let kept: HashMap<String, (R::Item, bool)> = R::load(&mut tx)
        .await?
        .into_iter()
        .map(|(item, retired)| (R::key(&item).to_owned(), (item, retired)))
        .collect();
    let mut changes = Changes::default();
    let mut to_put = Vec::new();
    for item in &items {
        match kept.get(R::key(item)) {
            Some((old, false)) if old == item => changes.unchanged += 1,
            Some(_) => {
                changes.updated.push(R::key(item).to_owned());
                to_put.push(item);
            }
            None => {
                changes.added.push(R::key(item).to_owned());
                to_put.push(item);
            }
        }
    }
    let in_file: std::collections::HashSet<&str> = items.iter().map(R::key).collect();
    let mut to_retire: Vec<&str> = kept
        .iter()
        .filter(|(key, (_, retired))| !retired && !in_file.contains(key.as_str()))
        .map(|(key, _)| key.as_str())
        .collect();
    to_retire.sort_unstable();
    changes.retired = to_retire.iter().map(|k| k.to_string()).collect();
    if dry_run {
        tx.rollback().await?;
        return Ok(changes);
    }
    let now = format_time(time::OffsetDateTime::now_utc());
    // Each changed row takes its own place in the feed: a page cut between two rows sharing one would skip some.
    let mut next = Some(seq);
    for item in to_put {
        let seq = match next.take() {
            Some(seq) => seq,
            None => crate::server::changes::next_change_seq(&mut tx).await?,
        };
        R::put(&mut tx, item, seq).await?;
    }
    for key in &to_retire {
        let seq = match next.take() {
            Some(seq) => seq,
            None => crate::server::changes::next_change_seq(&mut tx).await?,
        };
        R::retire(&mut tx, key, &now, seq).await?;
    }
    db::query("INSERT INTO audit_log (at, actor, action, summary) VALUES (?, ?, ?, ?)")
        .bind(&now)
        .bind(actor)
        .bind(format!("import {}", R::KIND.name()))
        .bind(serde_json::to_string(&changes)?)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(changes)
}

/// The items of `R` in service, as a file in the import format.
pub(crate) async fn export<R: Reference>(db: &Db) -> anyhow::Result<Vec<u8>> {
    let mut tx = db.begin().await?;
    let items: Vec<R::Item> = R::load(&mut tx)
        .await?
        .into_iter()
        .filter(|(_, retired)| !retired)
        .map(|(item, _)| item)
        .collect();
    tx.rollback().await?;
    R::write(&items)
}

/// Imports a file of `kind`.
pub async fn import_kind(
    db: &Db,
    kind: Kind,
    bytes: &[u8],
    name: &str,
    actor: &str,
    dry_run: bool,
) -> Result<Changes, ImportError> {
    match kind {
        Kind::Grids => import::<grids::Grids>(db, bytes, name, actor, dry_run).await,
        Kind::Stations => import::<stations::Stations>(db, bytes, name, actor, dry_run).await,
        Kind::Departments => {
            import::<departments::Departments>(db, bytes, name, actor, dry_run).await
        }
        Kind::Categories => import::<categories::Categories>(db, bytes, name, actor, dry_run).await,
        Kind::ConcernTopics => {
            import::<concern_topics::ConcernTopics>(db, bytes, name, actor, dry_run).await
        }
    }
}

/// Exports `kind` in its import format.
pub async fn export_kind(db: &Db, kind: Kind) -> anyhow::Result<Vec<u8>> {
    match kind {
        Kind::Grids => export::<grids::Grids>(db).await,
        Kind::Stations => export::<stations::Stations>(db).await,
        Kind::Departments => export::<departments::Departments>(db).await,
        Kind::Categories => export::<categories::Categories>(db).await,
        Kind::ConcernTopics => export::<concern_topics::ConcernTopics>(db).await,
    }
}

/// One audit-log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEntry {
    pub at: String,
    /// A user id, `command line` or `--demo`.
    pub actor: String,
    /// The user's name when the actor is a user; else the actor.
    pub actor_name: String,
    pub action: String,
    pub summary: String,
}

/// The audit log, newest first.
pub async fn audit_log(db: &Db, limit: i64) -> anyhow::Result<Vec<AuditEntry>> {
    Ok(db::query_as(
        "SELECT a.at, a.actor, COALESCE(u.name, a.actor) AS actor_name, a.action, a.summary
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor ORDER BY a.id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// One CSV row: its cells by column name.
pub(crate) type CsvRow = HashMap<String, String>;

/// Reads a CSV file with a header row into records, naming rows as a spreadsheet shows them (the header is row 1).
/// `columns` must all be in the header; a missing one is a fault of the file.
pub(crate) fn csv_rows(bytes: &[u8], columns: &[&str]) -> Result<Vec<(usize, CsvRow)>, Vec<Fault>> {
    // A spreadsheet's UTF-8 export may start with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            return Err(vec![Fault::new(
                "file",
                format!("不是 CSV 文件：{e}"),
                format!("not a CSV file: {e}"),
            )])
        }
    };
    let missing: Vec<Fault> = columns
        .iter()
        .filter(|c| !header.iter().any(|h| h == *c))
        .map(|c| {
            Fault::new(
                "row 1",
                format!("缺少“{c}”列（应有的列：{}）", columns.join(", ")),
                format!(
                    "the column \"{c}\" is missing (columns: {})",
                    columns.join(", ")
                ),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut rows = Vec::new();
    let mut faults = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        match record {
            Ok(r) => rows.push((
                row,
                header
                    .iter()
                    .cloned()
                    .zip(r.iter().map(str::to_owned))
                    .collect(),
            )),
            Err(e) => faults.push(Fault::new(
                format!("row {row}"),
                format!("读不出这一行：{e}"),
                format!("unreadable: {e}"),
            )),
        }
    }
    if rows.is_empty() && faults.is_empty() {
        faults.push(Fault::new(
            "file",
            "表头下面没有数据行",
            "no rows after the header",
        ));
    }
    if faults.is_empty() {
        Ok(rows)
    } else {
        Err(faults)
    }
}

/// Writes records as CSV with a header row.
pub(crate) fn csv_file(columns: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns)?;
    for row in rows {
        w.write_record(row)?;
    }
    Ok(w.into_inner()?)
}

/// Faults for keys that appear more than once, naming each later place.
pub(crate) fn duplicate_keys<'a>(
    keys: impl IntoIterator<Item = (String, &'a str)>,
    what: &str,
) -> Vec<Fault> {
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut faults = Vec::new();
    for (at, key) in keys {
        if let Some(first) = seen.get(key) {
            faults.push(Fault::new(
                at,
                format!(
                    "{what} “{key}”重复（{} 已有）",
                    crate::domain::district::place_zh(first)
                ),
                format!("duplicate {what} \"{key}\" (also at {first})"),
            ));
        } else {
            seen.insert(key, at);
        }
    }
    faults
}
