//! The `rectify` command line: thin wrappers over the library.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use rectify::{
    config::Settings,
    startup::{Application, Migrate, shutdown_signal},
    store::Store,
};
use tracing_subscriber::EnvFilter;

/// rectify tracks the rectification (整改) of shortcomings that government agencies list in
/// their annual reports (法治政府建设年度报告): import a report, turn its shortcomings into
/// tracked items, move them through a workflow with deadlines, reminders and evidence, and
/// query everything over GraphQL.
///
/// Settings come from environment variables (see .env.example), or a TOML file given with
/// --config or RECTIFY_CONFIG.
#[derive(Parser)]
#[command(name = "rectify", version, about, long_about)]
struct Cli {
    /// A TOML settings file (environment variables override it).
    #[arg(long, global = true, env = "RECTIFY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server: GraphQL at /graphql, the GraphQL IDE at /, health at /healthz and /readyz.
    ///
    /// Applies pending database migrations first unless --no-migrate is given.
    Serve {
        /// Do not apply pending migrations (fail instead if any are pending).
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL); the committed copy is graphql/schema.graphql.
    Schema,
    /// Check that a running server answers /readyz (for container health checks).
    Healthcheck {
        /// The server to ask; default: the configured bind address.
        #[arg(long)]
        url: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let settings = Settings::load(cli.config.clone()).context("reading settings")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(cli.command, settings))
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { no_migrate } => {
            let migrate = if no_migrate {
                Migrate::No
            } else {
                Migrate::Yes
            };
            let app = Application::build(&settings, migrate).await?;
            if migrate == Migrate::No {
                let pending = app.services().store.pending_migrations().await?;
                anyhow::ensure!(
                    pending.is_empty(),
                    "{} migration(s) pending ({}); run `rectify migrate` or start without --no-migrate",
                    pending.len(),
                    pending.join(", ")
                );
            }
            tracing::info!(
                address = %app.local_addr(),
                database = %redact(&settings.database_url),
                "rectify is serving: GraphQL IDE at http://{}/",
                app.local_addr()
            );
            app.run_until(shutdown_signal()).await?;
        }
        Command::Migrate => {
            let store = Store::connect(&settings.database_url, 2).await?;
            let pending = store.pending_migrations().await?;
            store.migrate().await?;
            println!("applied {} migration(s)", pending.len());
            store.close().await?;
        }
        Command::Schema => print!("{}", rectify::graphql::sdl()),
        Command::Healthcheck { url } => {
            let url = url.unwrap_or_else(|| format!("http://{}/readyz", settings.bind));
            healthcheck(&url).await?;
        }
    }
    Ok(())
}

/// The database URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// GETs `url` over plain HTTP/1.1 and fails unless it answers 200. Written by hand (a dozen
/// lines over a TCP stream) so the binary needs no HTTP client crate just for a probe.
async fn healthcheck(url: &str) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url
        .strip_prefix("http://")
        .context("healthcheck needs an http:// URL")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.replace("0.0.0.0", "127.0.0.1");
    let mut stream = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tokio::net::TcpStream::connect(&host),
    )
    .await
    .context("timed out connecting")??;
    stream
        .write_all(
            format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let status = response.lines().next().unwrap_or_default();
    anyhow::ensure!(status.contains(" 200 "), "not ready: {status}");
    println!("ok");
    Ok(())
}
