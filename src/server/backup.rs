//! Backups: one archive holds a consistent copy of the database — photos included, they live in it — and a
//! manifest with the rows of every table and the copy's checksum. `backup` copies the live database with SQLite's
//! `VACUUM INTO`, a read transaction: in WAL mode the server's writers go on meanwhile. `restore` goes into an
//! empty database only, and checks everything before it writes the file: the archive (zip, every entry's CRC), the
//! copy's size and SHA-256, `PRAGMA integrity_check`, the rows of every table, and every photo's bytes against
//! its content address. `serve --backup-dir` takes them on a schedule and keeps the newest N.
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Connection, SqliteConnection};

use super::db::{self, Db};

use super::secret::key_file;
use crate::domain::timestamp::format_time;
use crate::domain::APP_VERSION;

pub const FORMAT: &str = "suishoupai-backup/1";
const DATABASE_ENTRY: &str = "suishoupai.db";
const MANIFEST_ENTRY: &str = "manifest.json";
/// The database's key file (`<database>.key`: enrollment codes are hashed and phone numbers sealed with it); the
/// restored database needs it.
const KEY_ENTRY: &str = "database.key";
/// A restored database's change feed starts this far past where the backup left it: phones that synced after the
/// backup hold cursors beyond it, and each change written after the restore must still lie past their cursor.
pub const RESTORED_FEED_GAP: i64 = 1_000_000_000;

/// What an archive holds, checked on restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub app_version: String,
    /// The newest migration the database had.
    pub schema_version: i64,
    /// The database copy's size in bytes and SHA-256 (hex).
    pub bytes: u64,
    pub sha256: String,
    /// Rows per table.
    pub counts: BTreeMap<String, i64>,
    /// The change feed's position when the copy was taken.
    pub feed_seq: i64,
    /// The SHA-256 of the database's key file, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_sha256: Option<String>,
}

/// Writes a consistent archive of the database behind `pool` to `out` (first as `out.partial`, renamed when
/// complete: a crash leaves no half archive under the final name).
pub async fn backup(db: &Db, out: &Path) -> anyhow::Result<Manifest> {
    let Some(pool) = db.as_sqlite() else {
        anyhow::bail!(
            "a PostgreSQL database is backed up with pg_dump, not by this command (see the README)"
        );
    };
    let copy = sibling(out, "db.partial");
    let _ = std::fs::remove_file(&copy);
    sqlx::query("VACUUM INTO ?")
        .bind(copy.to_string_lossy().as_ref())
        .execute(pool)
        .await
        .context("copying the database (VACUUM INTO)")?;
    let key = std::fs::read(key_file(pool.connect_options().get_filename())).ok();
    let result = archive(&copy, key, out).await;
    let _ = std::fs::remove_file(&copy);
    result
}

async fn archive(copy: &Path, key: Option<Vec<u8>>, out: &Path) -> anyhow::Result<Manifest> {
    let (counts, schema_version, feed_seq) = {
        let mut db = open_copy(copy).await?;
        let integrity = integrity(&mut db).await?;
        if integrity != "ok" {
            bail!("the copy fails its integrity check: {integrity}");
        }
        let facts = (
            counts(&mut db).await?,
            schema_version(&mut db).await?,
            feed_seq(&mut db).await?,
        );
        db.close().await?;
        facts
    };
    let (bytes, sha256) = file_sum(copy)?;
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: format_time(time::OffsetDateTime::now_utc()),
        app_version: APP_VERSION.into(),
        schema_version,
        bytes,
        sha256,
        counts,
        feed_seq,
        key_sha256: key.as_ref().map(|k| format!("{:x}", Sha256::digest(k))),
    };
    let partial = sibling(out, "partial");
    let written = (|| -> anyhow::Result<()> {
        let file = std::fs::File::create(&partial)
            .with_context(|| format!("creating {}", partial.display()))?;
        let mut zip = zip::ZipWriter::new(file);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file(MANIFEST_ENTRY, stored)?;
        zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
        if let Some(key) = &key {
            zip.start_file(KEY_ENTRY, stored)?;
            zip.write_all(key)?;
        }
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(bytes > u32::MAX as u64);
        zip.start_file(DATABASE_ENTRY, deflated)?;
        std::io::copy(&mut std::fs::File::open(copy)?, &mut zip)?;
        zip.finish()?.sync_all()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, out).with_context(|| format!("writing {}", out.display()))?;
    Ok(manifest)
}

/// Restores `archive` into the new database `db_path` (which must not exist, or be empty). Nothing is written
/// under `db_path` unless every check passes.
pub async fn restore(archive: &Path, db_path: &Path) -> anyhow::Result<Manifest> {
    if std::fs::metadata(db_path).is_ok_and(|m| m.len() > 0) {
        bail!(
            "{} 已有数据：只能恢复到新的空数据库 ({} is not empty: restore goes into a new database)",
            db_path.display(),
            db_path.display()
        );
    }
    let damaged = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!("备份文件损坏或不完整 (the archive is damaged or truncated): {e}")
    };
    let file =
        std::fs::File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| damaged(&e))?;
    let manifest: Manifest = {
        let mut text = String::new();
        zip.by_name(MANIFEST_ENTRY)
            .map_err(|e| damaged(&e))?
            .read_to_string(&mut text)
            .map_err(|e| damaged(&e))?;
        serde_json::from_str(&text).map_err(|e| damaged(&e))?
    };
    if manifest.format != FORMAT {
        bail!("not a 随手拍 backup (format {:?})", manifest.format);
    }
    let restoring = sibling(db_path, "restoring");
    let restoring_key = sibling(db_path, "key.restoring");
    let _ = std::fs::remove_file(&restoring);
    let _ = std::fs::remove_file(&restoring_key);
    let result = async {
        if let Some(expected) = &manifest.key_sha256 {
            let mut key = vec![];
            zip.by_name(KEY_ENTRY)
                .map_err(|e| damaged(&e))?
                .read_to_end(&mut key)
                .map_err(|e| damaged(&e))?;
            if format!("{:x}", Sha256::digest(&key)) != *expected {
                bail!("备份文件损坏：密钥校验和不符 (the archive is damaged: the key's checksum does not match)");
            }
            super::db::create_private(&restoring_key)?;
            std::fs::write(&restoring_key, &key)?;
        }
        {
            let mut entry = zip.by_name(DATABASE_ENTRY).map_err(|e| damaged(&e))?;
            super::db::create_private(&restoring)?;
            let mut out = std::fs::OpenOptions::new().write(true).open(&restoring)?;
            // Reading to the end checks the entry's CRC.
            std::io::copy(&mut entry, &mut out).map_err(|e| damaged(&e))?;
            out.sync_all()?;
        }
        let (bytes, sha256) = file_sum(&restoring)?;
        if (bytes, sha256.as_str()) != (manifest.bytes, manifest.sha256.as_str()) {
            bail!(
                "备份文件损坏：数据库校验和不符 (the archive is damaged: the database's checksum does not match its manifest)"
            );
        }
        let mut db = open_copy(&restoring).await?;
        verify(&mut db, &manifest).await?;
        sqlx::query("UPDATE feed_counter SET seq = seq + ?")
            .bind(RESTORED_FEED_GAP)
            .execute(&mut db)
            .await?;
        // A new life: phones send again what they had delivered (the backup may lack it).
        sqlx::query("UPDATE server_epoch SET epoch = lower(hex(randomblob(8)))")
            .execute(&mut db)
            .await?;
        db.close().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            if manifest.key_sha256.is_some() {
                std::fs::rename(&restoring_key, key_file(db_path))
                    .with_context(|| format!("writing {}", key_file(db_path).display()))?;
            }
            std::fs::rename(&restoring, db_path)
                .with_context(|| format!("writing {}", db_path.display()))?;
            Ok(manifest)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&restoring);
            let _ = std::fs::remove_file(&restoring_key);
            Err(e)
        }
    }
}

/// The restored copy against its manifest: integrity, rows of every table, and each photo's content address.
async fn verify(db: &mut SqliteConnection, manifest: &Manifest) -> anyhow::Result<()> {
    let integrity = integrity(db).await?;
    if integrity != "ok" {
        bail!("备份中的数据库已损坏 (the database in the archive is damaged): {integrity}");
    }
    let counts = counts(db).await?;
    if counts != manifest.counts {
        bail!(
            "备份内容与清单不符 (the archive's rows do not match its manifest): {counts:?} ≠ {:?}",
            manifest.counts
        );
    }
    let photos: Vec<(String, Vec<u8>)> = sqlx::query_as("SELECT sha256, bytes FROM photos")
        .fetch_all(&mut *db)
        .await?;
    for (sha, bytes) in photos {
        if format!("{:x}", Sha256::digest(&bytes)) != sha {
            bail!("照片 {sha} 已损坏 (photo {sha} is damaged: its bytes do not hash to its name)");
        }
    }
    Ok(())
}

/// A copy opened on its own, outside any pool, in rollback-journal mode (it leaves no -wal file), without
/// migrations.
async fn open_copy(path: &Path) -> anyhow::Result<SqliteConnection> {
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .journal_mode(SqliteJournalMode::Delete);
    SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("opening {}", path.display()))
}

async fn integrity(db: &mut SqliteConnection) -> anyhow::Result<String> {
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(&mut *db)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("; "))
}

/// Rows per table, every table of the schema.
async fn counts(db: &mut SqliteConnection) -> anyhow::Result<BTreeMap<String, i64>> {
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut *db)
    .await?;
    let mut counts = BTreeMap::new();
    for (table,) in tables {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT count(*) FROM \"{table}\""))
            .fetch_one(&mut *db)
            .await?;
        counts.insert(table, n);
    }
    Ok(counts)
}

async fn schema_version(db: &mut SqliteConnection) -> anyhow::Result<i64> {
    let (v,): (Option<i64>,) = sqlx::query_as("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&mut *db)
        .await?;
    Ok(v.unwrap_or(0))
}

async fn feed_seq(db: &mut SqliteConnection) -> anyhow::Result<i64> {
    let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM feed_counter WHERE id = 1")
        .fetch_one(&mut *db)
        .await?;
    Ok(seq)
}

/// A file's size and SHA-256.
fn file_sum(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher)?;
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

/// `path` with `.suffix` added to its name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}

/// `30m`, `6h`, `1d`: a schedule's period.
pub fn parse_every(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: a number and a unit, like 30m, 6h or 1d"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text:?}: the unit is s, m, h or d")),
    };
    if n == 0 {
        return Err("the period must be longer than nothing".into());
    }
    Ok(std::time::Duration::from_secs(n * seconds))
}

/// A scheduled backup's file name: its time (UTC), so names sort as times do.
pub fn scheduled_name(at: time::OffsetDateTime) -> String {
    format!(
        "suishoupai-{:04}{:02}{:02}T{:02}{:02}{:02}Z.zip",
        at.year(),
        at.month() as u8,
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Takes a backup into `dir` every `every`, keeps the newest `keep` there, and records each good one (its time,
/// file, size and checksum) for the console and `/health`. A failed one is logged and retried at the next turn.
pub async fn schedule(pool: Db, dir: PathBuf, every: std::time::Duration, keep: usize) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = time::OffsetDateTime::now_utc();
        let out = dir.join(scheduled_name(now));
        match backup(&pool, &out).await {
            Ok(m) => {
                tracing::info!(file = %out.display(), bytes = m.bytes, "backup written");
                if let Err(e) = record(&pool, &out, &m).await {
                    tracing::error!(error = %e, "recording the backup");
                }
                if let Err(e) = prune(&dir, keep) {
                    tracing::error!(error = %e, "removing old backups");
                }
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), file = %out.display(), "backup failed")
            }
        }
    }
}

async fn record(pool: &Db, file: &Path, m: &Manifest) -> anyhow::Result<()> {
    db::query("INSERT INTO backups (at, file, bytes, sha256) VALUES (?, ?, ?, ?)")
        .bind(&m.created_at)
        .bind(file.to_string_lossy().as_ref())
        .bind(m.bytes as i64)
        .bind(&m.sha256)
        .execute(pool)
        .await?;
    Ok(())
}

/// Keeps the newest `keep` scheduled backups in `dir`.
pub fn prune(dir: &Path, keep: usize) -> anyhow::Result<()> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("suishoupai-") && n.ends_with("Z.zip"))
        })
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep);
    for old in &names[..excess] {
        std::fs::remove_file(old).with_context(|| format!("removing {}", old.display()))?;
        tracing::info!(file = %old.display(), "old backup removed");
    }
    Ok(())
}

/// The newest good scheduled backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BackupRecord {
    pub at: String,
    pub file: String,
    pub bytes: i64,
    pub sha256: String,
}

pub async fn last_backup(pool: &Db) -> anyhow::Result<Option<BackupRecord>> {
    Ok(db::query_as::<(String, String, i64, String)>(
        "SELECT at, file, bytes, sha256 FROM backups ORDER BY at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .map(|(at, file, bytes, sha256)| BackupRecord {
        at,
        file,
        bytes,
        sha256,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_names() {
        assert_eq!(
            parse_every("6h"),
            Ok(std::time::Duration::from_secs(6 * 3600))
        );
        assert_eq!(parse_every("30m"), Ok(std::time::Duration::from_secs(1800)));
        assert_eq!(parse_every("2s"), Ok(std::time::Duration::from_secs(2)));
        assert!(parse_every("6").is_err());
        assert!(parse_every("h").is_err());
        assert!(parse_every("0h").is_err());
        let at = time::OffsetDateTime::from_unix_timestamp(1_796_094_245).unwrap();
        assert_eq!(scheduled_name(at), "suishoupai-20261201T030405Z.zip");
    }
}
