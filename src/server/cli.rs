//! The `suishoupai` command line: `serve` runs the server (admin commands join it as they are built).
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use super::{app, db, demo, shutdown_signal, AppState};

#[derive(Debug, Parser)]
#[command(name = "suishoupai", version, about = "随手拍 server and admin tools")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the JSON API and the built PWA.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SUISHOUPAI_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// SQLite database file (created if missing).
    #[arg(long, env = "SUISHOUPAI_DB", default_value = "./data/suishoupai.db")]
    pub db: PathBuf,
    /// Folder of the built PWA (Trunk's output).
    #[arg(long, env = "SUISHOUPAI_DIST", default_value = "./dist")]
    pub dist: PathBuf,
    /// Seed demo data (categories, 22 stations, 8 grids) if not there yet.
    #[arg(long, env = "SUISHOUPAI_DEMO")]
    pub demo: bool,
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
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let pool = db::open(&args.db).await?;
    if args.demo {
        let seeded = demo::seed(&pool).await.context("seeding demo data")?;
        tracing::info!(?seeded, "demo data ready");
    }
    if !args.dist.join("index.html").exists() {
        tracing::warn!(dist = %args.dist.display(), "no built PWA there: only the API is served");
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("binding {}", args.addr))?;
    tracing::info!(addr = %listener.local_addr()?, db = %args.db.display(), "serving 随手拍");
    let state = AppState {
        db: pool.clone(),
        dist: args.dist,
    };
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving")?;
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}
