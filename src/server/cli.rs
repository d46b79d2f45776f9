//! The `suishoupai` command line: `serve` runs the server; `user …` are the admin's account commands,
//! which work on the same database file, also while the server runs.
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use super::accounts::{self, NewUser};
use super::{app, db, demo, district, shutdown_signal, AppState, Config, Db};
use crate::domain::{enrollment_code, Place, Role};

#[derive(Debug, Parser)]
#[command(name = "suishoupai", version, about = "随手拍 server and admin tools")]
pub struct Cli {
    /// SQLite database file (created if missing), or a PostgreSQL database's `postgres://` URL; accepted before or
    /// after the subcommand.
    #[arg(
        long,
        env = "SUISHOUPAI_DB",
        default_value = "./data/suishoupai.db",
        global = true
    )]
    pub db: String,
    /// With PostgreSQL: the file holding the key enrollment codes are hashed with (created if missing; every
    /// instance must read the same key). A SQLite database keeps it beside its file.
    #[arg(long, env = "SUISHOUPAI_KEY_FILE", value_name = "FILE", global = true)]
    pub key_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the JSON API and the built PWA.
    Serve(ServeArgs),
    /// Manage accounts: add, list, revoke, issue a new enrollment code.
    User(UserArgs),
    /// Load the district's grids, stations, departments or categories (the 两张清单) from a file: checked whole
    /// first, applied in one transaction; a faulty file changes nothing and its faults are printed.
    Import(ImportArgs),
    /// Write the grids, stations, departments or categories in service in their import format.
    Export(ExportArgs),
    /// Show the audit log of imports, newest first.
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent archive of the database (photos included) while `serve` runs: a manifest of every
    /// table's rows and the copy's SHA-256, checked again on restore.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Apply the retention periods now (as `serve` does each day): closed reports past them lose who reported
    /// them, and their photos.
    Retention {
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=240))]
        months: u32,
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=240))]
        photo_months: u32,
        /// With the reporter's name, their own words (the description) go too.
        #[arg(long)]
        drop_notes: bool,
    },
    /// Restore an archive into a new, empty database (`--db`): every checksum and count verified first; a damaged
    /// or truncated archive is refused and nothing is written.
    Restore {
        #[arg(value_name = "FILE")]
        archive: PathBuf,
    },
    /// Move a district's SQLite database into an empty PostgreSQL database (its key for enrollment codes to
    /// `--key-file`), then verify every table by its rows and their checksum. Stop the server first. Interrupted, it
    /// carries on where it stopped when run again.
    Migrate {
        #[arg(long, value_name = "SQLITE_FILE")]
        from: PathBuf,
        #[arg(long, value_name = "POSTGRES_URL")]
        to: String,
    },
    /// Write days of a district's life for the demo: reports in every grid, answered and resolved, one grid
    /// (demo-grid-05) going red → yellow → green, each day's colours recorded — the dashboard then has figures,
    /// a trend and a history. Once per database; seeds the demo's grids and categories into a database without
    /// any (as `serve --demo` does).
    DemoHistory {
        /// How many days up to now.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=730))]
        days: i64,
        /// The same seed writes the same history.
        #[arg(long, default_value_t = 20261130)]
        seed: u64,
    },
}

/// What `import` loads: the district's reference data, or people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportWhat {
    Grids,
    Stations,
    Departments,
    Categories,
    /// The topics of riders' concerns (小区进门难, 充电 …).
    ConcernTopics,
    Users,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    pub kind: ImportWhat,
    /// grids: GeoJSON; stations: CSV or GeoJSON; departments, categories, concern-topics and users: CSV.
    pub file: PathBuf,
    /// users: also write the onboarding sheets (A4 cards with each code as QR and text) to this HTML file.
    #[arg(long, value_name = "FILE.html")]
    pub sheet: Option<PathBuf>,
    /// users: the app's address, printed on each card.
    #[arg(long)]
    pub url: Option<String>,
    /// users: days until the codes expire.
    #[arg(long, env = "SUISHOUPAI_CODE_TTL_DAYS", default_value_t = 7)]
    pub code_ttl_days: u64,
    /// Check the file and print what would change, without changing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the result as JSON: `{"added": [..], "updated": [..], "retired": [..], "unchanged": N}`, or on a
    /// refused file `{"faults": [{"at", "problem"}]}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    pub what: Exportable,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Reports: the first day (YYYY-MM-DD, Beijing time).
    #[arg(long, required_if_eq("what", "reports"))]
    pub from: Option<String>,
    /// Reports: the last day, included.
    #[arg(long, required_if_eq("what", "reports"))]
    pub to: Option<String>,
    /// Reports: csv (UTF-8 with a byte-order mark) or xlsx.
    #[arg(long, default_value = "csv")]
    pub format: crate::domain::figures::ExportFormat,
    /// Reports: only this 街道.
    #[arg(long)]
    pub street: Option<String>,
    /// Reports: only this 社区.
    #[arg(long)]
    pub community: Option<String>,
    /// Reports: only this grid.
    #[arg(long)]
    pub grid: Option<String>,
    /// Reports: only this category (its code).
    #[arg(long)]
    pub category: Option<String>,
}

/// What `export` writes: a kind of reference data in its import format, or the reports as a spreadsheet.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Exportable {
    Grids,
    Stations,
    Departments,
    Categories,
    ConcernTopics,
    Reports,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SUISHOUPAI_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Folder of the built PWA (Trunk's output).
    #[arg(long, env = "SUISHOUPAI_DIST", default_value = "./dist")]
    pub dist: PathBuf,
    /// Seed demo data (categories, 22 stations, 8 grids, one account per role) and print demo codes.
    #[arg(long, env = "SUISHOUPAI_DEMO")]
    pub demo: bool,
    /// Minutes a new task has to be answered.
    #[arg(long, env = "SUISHOUPAI_RESPOND_MINUTES", default_value_t = 120)]
    pub respond_minutes: i64,
    /// Minutes a new urgent task has to be answered.
    #[arg(long, env = "SUISHOUPAI_RESPOND_URGENT_MINUTES", default_value_t = 30)]
    pub respond_urgent_minutes: i64,
    /// Hours to resolve a task at levels 1, 2 and 3, from its acceptance or escalation.
    #[arg(
        long,
        env = "SUISHOUPAI_RESOLVE_HOURS",
        value_delimiter = ',',
        default_value = "24,72,168"
    )]
    pub resolve_hours: Vec<i64>,
    /// Take a backup into this folder on a schedule (see `--backup-every`, `--keep`).
    #[arg(long, env = "SUISHOUPAI_BACKUP_DIR", value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// How often to take a scheduled backup: 30m, 6h, 1d.
    #[arg(long, env = "SUISHOUPAI_BACKUP_EVERY", default_value = "6h", value_parser = super::backup::parse_every)]
    pub backup_every: Duration,
    /// How many scheduled backups to keep (the oldest go).
    #[arg(long, env = "SUISHOUPAI_BACKUP_KEEP", default_value_t = 28, value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: u32,
    /// Months a closed report keeps who reported it (then it is reported by 匿名; its figures stay).
    #[arg(long, env = "SUISHOUPAI_RETAIN_MONTHS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=240))]
    pub retain_months: u32,
    /// Months a closed report keeps its photos (faces, number plates).
    #[arg(long, env = "SUISHOUPAI_RETAIN_PHOTO_MONTHS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=240))]
    pub retain_photo_months: u32,
    /// With the reporter's name, their own words (the report's description) go too.
    #[arg(long, env = "SUISHOUPAI_RETAIN_DROP_NOTES")]
    pub retain_drop_notes: bool,
    /// Hours a department called to a task (吹哨) has to answer (报到), where the 清单 sets none.
    #[arg(long, env = "SUISHOUPAI_ACKNOWLEDGE_HOURS", default_value_t = 4)]
    pub acknowledge_hours: i64,
    /// Hours a station has to give a rider's concern (困难诉求, 金点子) its first answer.
    #[arg(long, env = "SUISHOUPAI_CONCERN_REPLY_HOURS", default_value_t = crate::domain::concern::DEFAULT_REPLY_HOURS,
          value_parser = clap::value_parser!(i64).range(1..=720))]
    pub concern_reply_hours: i64,
    /// Requests a signed-in user may make per minute, on average (as many at once); 0: no limit.
    #[arg(long, env = "SUISHOUPAI_REQUESTS_PER_MINUTE", default_value_t = 1200)]
    pub requests_per_minute: u32,
    /// Seconds a client may take to send a request's headers before its connection is closed.
    #[arg(long, env = "SUISHOUPAI_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Addresses of reverse proxies in front of the server (comma-separated): behind them, the client is read
    /// from `X-Forwarded-For` (for the per-client enrollment limit).
    #[arg(long, env = "SUISHOUPAI_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxy: Vec<std::net::IpAddr>,
    /// 红黄绿: a grid is red with this many overdue tasks …
    #[arg(long, default_value_t = 3)]
    pub warn_red_overdue: u32,
    /// … yellow with this many.
    #[arg(long, default_value_t = 1)]
    pub warn_yellow_overdue: u32,
    /// Red with this many recurring hotspots in the last 30 days …
    #[arg(long, default_value_t = 2)]
    pub warn_red_hotspots: u32,
    /// … yellow with this many.
    #[arg(long, default_value_t = 1)]
    pub warn_yellow_hotspots: u32,
}

#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
}

#[derive(Debug, clap::Args)]
pub struct CodeOptions {
    /// Print only `{"user_id": "...", "code": "..."}` on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also write the code as a QR code to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub qr: Option<PathBuf>,
    /// Days until the code expires.
    #[arg(long, env = "SUISHOUPAI_CODE_TTL_DAYS", default_value_t = 7)]
    pub code_ttl_days: u64,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a user and print a one-time enrollment code.
    Add {
        #[arg(long)]
        role: Role,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        place: PlaceArgs,
        /// The one 街道 an official reads (by default the whole district).
        #[arg(long)]
        street: Option<String>,
        /// Phone number (kept on the server only, never in any API response).
        #[arg(long)]
        phone: Option<String>,
        #[command(flatten)]
        code: CodeOptions,
    },
    /// List users, optionally only those of a role, grid, station or department.
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        role: Option<Role>,
        #[command(flatten)]
        place: PlaceArgs,
    },
    /// Revoke a user: their tokens stop working at once.
    Revoke { id: String },
    /// Issue a new one-time enrollment code (earlier unused codes stop working).
    Code {
        id: String,
        #[command(flatten)]
        code: CodeOptions,
    },
    /// New codes for everyone of a grid, station or department who has not enrolled yet, with fresh onboarding
    /// sheets.
    Reissue {
        /// The one grid, station or department whose people get new codes.
        #[command(flatten)]
        place: PlaceArgs,
        #[arg(long, value_name = "FILE.html")]
        sheet: Option<PathBuf>,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        json: bool,
        #[arg(long, env = "SUISHOUPAI_CODE_TTL_DAYS", default_value_t = 7)]
        code_ttl_days: u64,
    },
    /// Move a grid worker to another grid (their grid's open tasks stay with the grid).
    Move {
        id: String,
        #[arg(long)]
        grid: String,
    },
}

/// A grid, station or department: a user's place (`user add`), a filter (`user list`), whose people get new
/// codes (`user reissue`, exactly one).
#[derive(Debug, clap::Args)]
pub struct PlaceArgs {
    /// A grid (a grid worker's).
    #[arg(long)]
    grid: Option<String>,
    /// A station (station staff's).
    #[arg(long)]
    station: Option<String>,
    /// A department, by its code (department staff's).
    #[arg(long)]
    department: Option<String>,
}

impl PlaceArgs {
    /// The one place named, or an error naming the options.
    fn one(self) -> anyhow::Result<(Place, String)> {
        let named: Vec<(Place, String)> = [
            (Place::Grid, self.grid),
            (Place::Station, self.station),
            (Place::Department, self.department),
        ]
        .into_iter()
        .filter_map(|(p, v)| Some((p, v?)))
        .collect();
        match <[_; 1]>::try_from(named) {
            Ok([one]) => Ok(one),
            Err(_) => anyhow::bail!("name one of --grid, --station and --department"),
        }
    }

    /// Whether `user` is of the place named (every user when none is).
    fn holds(&self, user: &crate::domain::User) -> bool {
        (self.grid.is_none() || user.grid_id == self.grid)
            && (self.station.is_none() || user.station_id == self.station)
            && (self.department.is_none() || user.department_id == self.department)
    }
}

pub async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let target = db::Target::new(&cli.db, cli.key_file.clone());
    let result = match cli.command {
        Command::Serve(args) => serve(&target, args).await,
        Command::User(args) => user(&target, args).await,
        Command::Import(args) => import(&target, args).await,
        Command::Export(args) => export(&target, args).await,
        Command::Audit { limit, json } => audit(&target, limit, json).await,
        Command::DemoHistory { days, seed } => demo_history(&target, days, seed).await,
        Command::Backup { out } => backup(&target, &out).await,
        Command::Retention {
            months,
            photo_months,
            drop_notes,
        } => {
            retention(
                &target,
                super::personal::Retention {
                    months,
                    photo_months,
                    drop_notes,
                },
            )
            .await
        }
        Command::Restore { archive } => restore(&archive, &target).await,
        Command::Migrate { from, to } => migrate(&from, &to, cli.key_file.clone()).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn backup(target: &db::Target, out: &Path) -> anyhow::Result<()> {
    if !target.exists() {
        anyhow::bail!("no database at {target}");
    }
    let pool = target.open().await?;
    let m = super::backup::backup(&pool, out).await?;
    println!(
        "备份已写入 {}：{} 字节，{} 条上报，{} 张照片 (backup written: {} bytes, sha256 {})",
        out.display(),
        m.bytes,
        m.counts.get("reports").unwrap_or(&0),
        m.counts.get("photos").unwrap_or(&0),
        m.bytes,
        m.sha256
    );
    Ok(())
}

async fn retention(target: &db::Target, rules: super::personal::Retention) -> anyhow::Result<()> {
    let pool = target.open().await?;
    let state = AppState::new(pool, PathBuf::new(), Config::default());
    let done =
        super::personal::apply_retention(&state, rules, time::OffsetDateTime::now_utc()).await?;
    println!(
        "{} 条已结上报不再显示上报人，{} 张照片移除 ({} closed reports made anonymous, {} report photos removed)",
        done.anonymized, done.photos_removed, done.anonymized, done.photos_removed
    );
    Ok(())
}

async fn restore(archive: &Path, target: &db::Target) -> anyhow::Result<()> {
    let db::Target::Sqlite(db_path) = target else {
        anyhow::bail!("a PostgreSQL database is restored with pg_restore, not by this command (see the README)");
    };
    let m = super::backup::restore(archive, db_path).await?;
    println!(
        "已恢复到 {}：备份时间 {}，{} 条上报，{} 张照片，校验全部通过 (restored: every checksum and count verified)",
        db_path.display(),
        m.created_at,
        m.counts.get("reports").unwrap_or(&0),
        m.counts.get("photos").unwrap_or(&0),
    );
    Ok(())
}

async fn migrate(from: &Path, to: &str, key_file: Option<PathBuf>) -> anyhow::Result<()> {
    if !from.exists() {
        anyhow::bail!("no database at {}", from.display());
    }
    let db::Target::Postgres { key_file, .. } = db::Target::new(to, key_file) else {
        anyhow::bail!("--to takes a postgres:// URL");
    };
    let source = db::open(from).await?;
    super::migrate::carry_key(&source.key_file(), &key_file)?;
    let target = db::open_postgres(to, &key_file).await?;
    let sqlite = source
        .as_sqlite()
        .context("the source is a SQLite database")?;
    match super::migrate::migrate(sqlite, &target, Default::default()).await? {
        super::migrate::Outcome::Done(verified) => {
            for (table, (rows, sha)) in &verified.tables {
                println!("  {table:<18} {rows:>9}  {}", &sha[..16]);
            }
            println!(
                "已迁移并逐表核对 (migrated; every table's rows and checksum verified): {} tables, code key in {}",
                verified.tables.len(),
                key_file.display()
            );
        }
        super::migrate::Outcome::Interrupted { batches } => {
            println!("stopped after {batches} batches: run again to carry on")
        }
    }
    target.close().await;
    source.close().await;
    Ok(())
}

async fn demo_history(target: &db::Target, days: i64, seed: u64) -> anyhow::Result<()> {
    let pool = target.open().await?;
    // The demo's grids and categories, unless the database has its own already.
    demo::seed(&pool).await.context("seeding demo data")?;
    let state = AppState::new(pool, PathBuf::new(), Config::default());
    let written =
        crate::server::demo_history::generate(&state, days, seed, time::OffsetDateTime::now_utc())
            .await?;
    println!(
        "{} 条演示上报，{} 次颜色变化 ({} demo reports over {days} days, {} colour changes recorded)",
        written.reports, written.colour_changes, written.reports, written.colour_changes
    );
    Ok(())
}

async fn import(target: &db::Target, args: ImportArgs) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let pool = target.open().await?;
    let name = args.file.to_string_lossy();
    let kind = match args.kind {
        ImportWhat::Grids => district::Kind::Grids,
        ImportWhat::Stations => district::Kind::Stations,
        ImportWhat::Departments => district::Kind::Departments,
        ImportWhat::Categories => district::Kind::Categories,
        ImportWhat::ConcernTopics => district::Kind::ConcernTopics,
        ImportWhat::Users => return import_users(&pool, &bytes, &args).await,
    };
    match district::import_kind(&pool, kind, &bytes, &name, "command line", args.dry_run).await {
        Ok(changes) => {
            if args.json {
                println!("{}", serde_json::to_string(&changes)?);
            } else {
                let verb = if args.dry_run { "would be" } else { "were" };
                println!("{} {}: {changes}", kind.name(), verb);
                for (what, keys) in [
                    ("added", &changes.added),
                    ("updated", &changes.updated),
                    ("retired", &changes.retired),
                ] {
                    if !keys.is_empty() {
                        println!("  {what}: {}", keys.join(", "));
                    }
                }
            }
            Ok(())
        }
        Err(e) => refused(e, args.json),
    }
}

/// A refused file: its faults on stderr (and as JSON on stdout with `--json`), a failing exit.
fn refused(e: district::ImportError, json: bool) -> anyhow::Result<()> {
    match e {
        district::ImportError::Refused(faults) => {
            if json {
                println!("{}", serde_json::json!({ "faults": faults }));
            }
            anyhow::bail!("{}", district::ImportError::Refused(faults))
        }
        district::ImportError::Failed(e) => Err(e),
    }
}

async fn import_users(pool: &Db, bytes: &[u8], args: &ImportArgs) -> anyhow::Result<()> {
    let ttl = Duration::from_secs(args.code_ttl_days.max(1) * 24 * 3600);
    let made =
        match district::users::import_users(pool, bytes, ttl, "command line", args.dry_run).await {
            Ok(made) => made,
            Err(e) => return refused(e, args.json),
        };
    print_onboarded(&made, args.json, args.dry_run)?;
    if let Some(path) = &args.sheet {
        write_sheet(path, &made, args.url.as_deref(), args.code_ttl_days)?;
    }
    Ok(())
}

/// Prints people made with their codes: counts, or `{"created": N, "users": [{"user_id", "name", "code"}]}`.
fn print_onboarded(
    made: &[district::users::Onboarded],
    json: bool,
    dry_run: bool,
) -> anyhow::Result<()> {
    if json {
        let users: Vec<_> = made
            .iter()
            .map(|m| serde_json::json!({"user_id": m.user_id, "name": m.name, "code": m.code}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"created": made.len(), "users": users})
        );
    } else if dry_run {
        println!("the file is fine: nobody was created (dry run)");
    } else {
        let mut by_role = std::collections::BTreeMap::<&str, usize>::new();
        for m in made {
            *by_role.entry(m.role.code()).or_default() += 1;
        }
        let counts: Vec<String> = by_role.iter().map(|(r, n)| format!("{n} {r}")).collect();
        println!(
            "created {} users ({}), each with a one-time code",
            made.len(),
            counts.join(", ")
        );
    }
    Ok(())
}

fn write_sheet(
    path: &Path,
    made: &[district::users::Onboarded],
    url: Option<&str>,
    ttl_days: u64,
) -> anyhow::Result<()> {
    let ttl = Duration::from_secs(ttl_days.max(1) * 24 * 3600);
    let html = district::users::onboarding_sheet(made, url, ttl)?;
    // The codes are secrets until handed out: the sheet is readable by its owner only.
    db::write_private(path, &html).with_context(|| format!("writing {}", path.display()))?;
    eprintln!(
        "onboarding sheets: {} ({} cards; open in a browser and print on A4)",
        path.display(),
        made.len()
    );
    Ok(())
}

async fn export(target: &db::Target, args: ExportArgs) -> anyhow::Result<()> {
    let pool = target.open().await?;
    let kind = match args.what {
        Exportable::Grids => district::Kind::Grids,
        Exportable::Stations => district::Kind::Stations,
        Exportable::Departments => district::Kind::Departments,
        Exportable::Categories => district::Kind::Categories,
        Exportable::ConcernTopics => district::Kind::ConcernTopics,
        Exportable::Reports => return export_reports(pool, args).await,
    };
    let bytes = district::export_kind(&pool, kind).await?;
    std::fs::write(&args.out, bytes).with_context(|| format!("writing {}", args.out.display()))?;
    Ok(())
}

async fn export_reports(pool: Db, args: ExportArgs) -> anyhow::Result<()> {
    let (from, to) = (args.from.unwrap_or_default(), args.to.unwrap_or_default());
    let period = crate::domain::figures::Period::parse(&from, &to).map_err(|faults| {
        let said: Vec<String> = faults.iter().map(|(k, v)| format!("--{k}: {v}")).collect();
        anyhow::anyhow!(said.join("; "))
    })?;
    let filter = crate::server::exports::ReportFilter {
        street: args.street,
        community: args.community,
        grid: args.grid,
        category: args.category,
    };
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let format = args.format;
    let n = tokio::task::spawn_blocking(move || {
        crate::server::exports::write_reports(&pool, period, &filter, format, file)
    })
    .await??;
    eprintln!("{n} reports written to {}", args.out.display());
    Ok(())
}

async fn audit(target: &db::Target, limit: i64, json: bool) -> anyhow::Result<()> {
    let pool = target.open().await?;
    let entries = district::audit_log(&pool, limit).await?;
    if json {
        println!("{}", serde_json::to_string(&entries)?);
    } else {
        for e in entries {
            println!("{}  {}  {}  {}", e.at, e.actor, e.action, e.summary);
        }
    }
    Ok(())
}

async fn serve(target: &db::Target, args: ServeArgs) -> anyhow::Result<()> {
    if let (db::Target::Postgres { .. }, Some(_)) = (target, &args.backup_dir) {
        anyhow::bail!("--backup-dir archives a SQLite database; a PostgreSQL database is backed up with pg_dump (see the README)");
    }
    let pool = target.open().await?;
    if args.demo {
        let seeded = demo::seed(&pool).await.context("seeding demo data")?;
        tracing::info!(?seeded, "demo data ready");
        let codes = demo::seed_accounts(&pool, accounts::DEFAULT_CODE_TTL)
            .await
            .context("seeding demo accounts")?;
        announce_demo_codes(target.side_dir(), &codes)?;
    }
    if !args.dist.join("index.html").exists() {
        tracing::warn!(dist = %args.dist.display(), "no built PWA there: only the API is served");
    }
    let shutdown = shutdown_signal();
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("binding {}", args.addr))?;
    tracing::info!(addr = %listener.local_addr()?, db = %target, "serving 随手拍");
    let [l1, l2, l3] = args.resolve_hours[..] else {
        anyhow::bail!("--resolve-hours takes three numbers, for levels 1, 2 and 3");
    };
    let config = Config {
        demo: args.demo,
        deadlines: crate::domain::task::DeadlineRules {
            respond: time::Duration::minutes(args.respond_minutes),
            respond_urgent: time::Duration::minutes(args.respond_urgent_minutes),
            resolve: [l1, l2, l3].map(time::Duration::hours),
            acknowledge: time::Duration::hours(args.acknowledge_hours),
        },
        concern_reply: time::Duration::hours(args.concern_reply_hours),
        requests_per_minute: args.requests_per_minute,
        trusted_proxies: args.trusted_proxy.clone(),
        warnings: crate::domain::warnings::WarningRules {
            red_overdue: args.warn_red_overdue,
            yellow_overdue: args.warn_yellow_overdue,
            red_hotspots: args.warn_red_hotspots,
            yellow_hotspots: args.warn_yellow_hotspots,
            ..Default::default()
        },
        ..Config::default()
    };
    let state = AppState::new(pool.clone(), args.dist, config);
    tokio::spawn(remove_unused_photos(state.clone()));
    tokio::spawn(record_warnings(state.clone()));
    tokio::spawn(apply_retention(
        state.clone(),
        super::personal::Retention {
            months: args.retain_months,
            photo_months: args.retain_photo_months,
            drop_notes: args.retain_drop_notes,
        },
    ));
    if let Some(dir) = &args.backup_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        tracing::info!(dir = %dir.display(), every = ?args.backup_every, keep = args.keep, "scheduled backups");
        tokio::spawn(super::backup::schedule(
            state.db.clone(),
            dir.clone(),
            args.backup_every,
            args.keep as usize,
        ));
    }
    // Live change streams never end by themselves: at shutdown they are ended, so in-flight requests can finish.
    let live = state.live.clone();
    let shutdown = async move {
        shutdown.await;
        live.close();
    };
    super::http::serve(
        listener,
        app(state),
        std::time::Duration::from_secs(args.header_timeout),
        shutdown,
    )
    .await;
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Prints the demo accounts' fresh codes and keeps them in `demo-codes.txt` beside the database.
fn announce_demo_codes(dir: &Path, codes: &[(crate::domain::User, String)]) -> anyhow::Result<()> {
    let mut text = String::from(
        "演示账号登录码 Demo enrollment codes (one use each; new codes at every start):\n",
    );
    for (user, code) in codes {
        text.push_str(&format!(
            "  {:<16} {:<16} {}\n",
            user.role.code(),
            user.name,
            enrollment_code::display(code)
        ));
    }
    let file = dir.join("demo-codes.txt");
    db::write_private(&file, &text)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}  (also in {})", file.display())?;
    Ok(())
}

async fn user(target: &db::Target, args: UserArgs) -> anyhow::Result<()> {
    let pool = target.open().await?;
    match args.action {
        UserAction::Add {
            role,
            name,
            place,
            street,
            phone,
            code,
        } => {
            let user = accounts::create_user(
                &pool,
                NewUser {
                    id: None,
                    role,
                    name,
                    grid_id: place.grid,
                    station_id: place.station,
                    department_id: place.department,
                    street,
                    phone,
                },
            )
            .await?;
            issue_and_print(&pool, &user.id, &code).await?;
        }
        UserAction::List { json, role, place } => {
            let list: Vec<_> = accounts::list_accounts(&pool)
                .await?
                .into_iter()
                .filter(|a| role.is_none_or(|r| a.user.role == r))
                .filter(|a| place.holds(&a.user))
                .collect();
            let mut out = std::io::stdout().lock();
            if json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "id": a.user.id, "name": a.user.name, "role": a.user.role,
                            "grid_id": a.user.grid_id, "station_id": a.user.station_id,
                            "department_id": a.user.department_id, "street": a.user.street,
                            "phone": a.phone, "created_at": rfc3339(a.created_at),
                            "revoked_at": a.revoked_at.map(rfc3339),
                        })
                    })
                    .collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
            } else {
                for a in &list {
                    let place = Place::ALL
                        .into_iter()
                        .find_map(|p| a.user.place(p))
                        .unwrap_or("-");
                    let state = if a.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    writeln!(
                        out,
                        "{}  {:<16} {:<8} {:<18} {}",
                        a.user.id, a.user.role, state, place, a.user.name
                    )?;
                }
            }
        }
        UserAction::Revoke { id } => {
            accounts::revoke_user(&pool, &id).await?;
            println!("revoked {id}: its tokens no longer work");
        }
        UserAction::Code { id, code } => issue_and_print(&pool, &id, &code).await?,
        UserAction::Reissue {
            place,
            sheet,
            url,
            json,
            code_ttl_days,
        } => {
            let ttl = Duration::from_secs(code_ttl_days.max(1) * 24 * 3600);
            let (place, value) = place.one()?;
            let made =
                district::users::reissue_unenrolled(&pool, place, &value, ttl, "command line")
                    .await?;
            print_onboarded(&made, json, false)?;
            if let Some(path) = sheet {
                write_sheet(&path, &made, url.as_deref(), code_ttl_days)?;
            }
        }
        UserAction::Move { id, grid } => {
            accounts::move_to_grid(&pool, &id, &grid).await?;
            println!("{id} now works in grid {grid}");
        }
    }
    pool.close().await;
    Ok(())
}

async fn issue_and_print(pool: &Db, user_id: &str, opts: &CodeOptions) -> anyhow::Result<()> {
    let ttl = Duration::from_secs(opts.code_ttl_days.max(1) * 24 * 3600);
    let code = accounts::issue_code(pool, user_id, ttl).await?;
    if let Some(path) = &opts.qr {
        let svg = qr_svg(&code)?;
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    if opts.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({"user_id": user_id, "code": code})
        )?;
    } else {
        writeln!(out, "user:  {user_id}")?;
        writeln!(
            out,
            "code:  {}   (one use, valid {} days)",
            enrollment_code::display(&code),
            opts.code_ttl_days.max(1)
        )?;
        if let Some(path) = &opts.qr {
            writeln!(out, "qr:    {}", path.display())?;
        }
    }
    Ok(())
}

/// The code as a QR code in SVG, for scanning at onboarding.
pub fn qr_svg(code: &str) -> anyhow::Result<String> {
    crate::domain::qr::svg(code, 240).context("encoding the QR code")
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// Records each grid's 红黄绿 colour when it changes: at start, then every ten minutes (a colour also changes as
/// time passes: a deadline goes by).
async fn record_warnings(state: AppState) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        let scope = crate::server::figures::Scope::default();
        if let Err(e) = crate::server::warnings::judge_and_record(
            &state,
            &scope,
            time::OffsetDateTime::now_utc(),
        )
        .await
        {
            tracing::warn!(error = %e, "recording the grids' colours");
        }
    }
}

/// Removes the photos no report uses once their grace period is over: at start, then every hour.
/// Retention, once a day (and at start).
async fn apply_retention(state: AppState, rules: super::personal::Retention) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(86_400));
    loop {
        every_day.tick().await;
        match super::personal::apply_retention(&state, rules, time::OffsetDateTime::now_utc()).await
        {
            Ok(done) if done == Default::default() => {}
            Ok(done) => tracing::info!(
                anonymized = done.anonymized,
                photos = done.photos_removed,
                "retention applied"
            ),
            Err(e) => tracing::warn!(error = %e, "applying retention"),
        }
    }
}

async fn remove_unused_photos(state: AppState) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match crate::server::photos::remove_unused(&state, super::accounts::unix_now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "unused photos removed"),
            Err(e) => tracing::warn!(error = %e, "removing unused photos"),
        }
    }
}
