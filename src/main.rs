//! The `rectify` command line: thin wrappers over the library.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use rectify::{
    config::Settings,
    service::{
        Actor, Services,
        audit::HeadDigest,
        auth::AccountInput,
        ledger::{LedgerImportOptions, LedgerScope},
    },
    startup::{Application, Migrate, shutdown_signal},
    store::Store,
};
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};

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

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
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
    /// Serve a fresh embedded database with the five seed reports imported (data/demo/).
    Demo,
    /// Extract shortcomings, commitments, links and metadata from a report file (nothing is stored).
    Extract {
        /// The report: Word (.docx), PDF with a text layer, a saved web page, or text in
        /// UTF-8, UTF-16 or GBK/GB18030.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Import a report file: store it and open one item per shortcoming.
    Import {
        /// The report: Word (.docx), PDF with a text layer, a saved web page, or text in
        /// UTF-8, UTF-16 or GBK/GB18030.
        file: PathBuf,
        /// The agency's full name (or id) when the report does not name it.
        #[arg(long)]
        agency: Option<String>,
        /// The year reported on, when the report does not say it.
        #[arg(long)]
        year: Option<i32>,
        /// Show what would be created; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Replace a different text already imported for the same agency and period (with
        /// --reviewed: also the same text imported before).
        #[arg(long)]
        replace: bool,
        /// Import this reviewed extraction instead of extracting again: the JSON that
        /// `rectify extract --format json` prints, as a person corrected it (items removed,
        /// split, merged, added or moved between shortcomings / commitments /
        /// previous_rectification, metadata fixed, links kept or dropped). The report
        /// records that it was corrected by hand.
        #[arg(long, value_name = "FILE.json")]
        reviewed: Option<PathBuf>,
    },
    /// Reminders: find what became due, write it to the outbox, send it.
    ///
    /// `serve` does this on an interval; `remind --once` is for cron.
    Remind {
        /// One sweep and one sending round, then exit (otherwise: keep going on the intervals).
        #[arg(long)]
        once: bool,
    },
    /// Fill the database with synthetic agencies, people and items (for benchmarks).
    Seed {
        #[arg(long, default_value_t = 100)]
        agencies: usize,
        #[arg(long, default_value_t = 10_000)]
        items: usize,
        /// Random seed (same seed, same data; also keeps names unique across runs).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Reports: the next report's section on how last year's shortcomings were rectified.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Accounts: bootstrap the first admin, issue tokens.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The audit trail: verify every item's hash chain, export the chain heads.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The 整改台账 ledger as XLSX: export an agency's (or a jurisdiction's), import an edited one.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Check that a running server answers /readyz (for container health checks).
    Healthcheck {
        /// The server to ask; default: the configured bind address.
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Write the ledger of an agency (or, with --jurisdiction, of it and every agency beneath it).
    Export {
        /// The agency (id).
        #[arg(long)]
        agency: uuid::Uuid,
        /// Include every agency beneath it.
        #[arg(long)]
        jurisdiction: bool,
        /// Where to write the workbook.
        #[arg(long)]
        out: PathBuf,
    },
    /// Apply an edited ledger: assign, accept with measures, report progress, row by row, in one
    /// transaction. Exits 1 when a row is rejected.
    Import {
        /// The edited workbook (.xlsx).
        file: PathBuf,
        /// Report what would change and what would be rejected; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply the valid rows even when others are rejected (otherwise nothing is applied).
        #[arg(long)]
        apply_valid_rows: bool,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The "上年度存在问题整改情况" section for an agency's report year: per shortcoming,
    /// its items' states, measures, dates and evidence, written out in Chinese.
    ///
    /// Example: rectify report section --agency <id> --year 2025 --format docx --out 整改情况.docx
    Section {
        /// The agency (id).
        #[arg(long)]
        agency: uuid::Uuid,
        /// The report year whose shortcomings are accounted for.
        #[arg(long)]
        year: i32,
        #[arg(long, value_enum, default_value_t = SectionFormat::Markdown)]
        format: SectionFormat,
        /// Write to this file instead of standard output (needed for docx on a terminal).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SectionFormat {
    Markdown,
    Json,
    Docx,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account and print a token for it (the way to create the first admin).
    /// Without --password-stdin, also print a first-sign-in link (`/welcome/…`, valid for
    /// 7 days, used once) where the person chooses a password in the browser.
    ///
    /// Example: rectify admin create-account --email admin@example.gov.cn --role admin
    CreateAccount {
        #[arg(long)]
        email: String,
        /// admin, supervisor, coordinator, leader or person.
        #[arg(long, default_value = "admin")]
        role: String,
        /// The account's agency (id): a supervisor's jurisdiction, a coordinator's agency.
        #[arg(long)]
        agency: Option<uuid::Uuid>,
        /// The person the account acts for (id); required for leaders and persons.
        #[arg(long)]
        person: Option<uuid::Uuid>,
        /// Read a password (10+ characters) from standard input, for `login`.
        #[arg(long)]
        password_stdin: bool,
        /// Days the printed token stays valid (1–3650).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=3650))]
        token_days: i64,
    },
    /// Print a new first-sign-in link for an account that has no password yet (earlier
    /// links stop working).
    ///
    /// Example: rectify admin welcome-link --email zhang@example.gov.cn
    WelcomeLink {
        #[arg(long)]
        email: String,
    },
    /// Print a new token for an existing account.
    IssueToken {
        #[arg(long)]
        email: String,
        /// Days the token stays valid (1–3650).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=3650))]
        token_days: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every item's hash chain; exit 1 and name the first broken event of each
    /// broken chain. With --against, also compare with heads exported earlier.
    Verify {
        /// Only this item.
        #[arg(long)]
        item: Option<uuid::Uuid>,
        /// A file written by `rectify audit digest` (catches a truncated or rewritten tail).
        #[arg(long)]
        against: Option<PathBuf>,
    },
    /// Print every chain head as JSON lines (item_id, seq, hash); keep a copy elsewhere.
    Digest,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let log = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        );
    tracing_subscriber::registry()
        .with(log)
        .with(rectify::telemetry::pool_waits_layer())
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
        Command::Demo => {
            let dir = settings.data_dir.join("demo");
            if dir.exists() {
                std::fs::remove_dir_all(&dir)
                    .with_context(|| format!("clearing {}", dir.display()))?;
            }
            let mut settings = settings;
            settings.database_url = format!("sqlite://{}/rectify.db?mode=rwc", dir.display());
            settings.data_dir = dir;
            let app = Application::build(&settings, Migrate::Yes).await?;
            let outcomes = rectify::demo::import_seeds(app.services()).await?;
            for o in &outcomes {
                tracing::info!(
                    agency = %o.agency.name,
                    year = o.report.year,
                    shortcomings = o.shortcomings.len(),
                    commitments = o.commitments.len(),
                    "demo report imported"
                );
            }
            let cast = rectify::demo::populate(app.services(), app.services().today()).await?;
            println!("演示数据已就绪（demo accounts, each with its password）:");
            println!("  系统管理员  admin@demo.local / demo-password");
            for a in &cast.accounts {
                println!(
                    "  {}（{}）  {} / {}",
                    a.role.label(),
                    a.name,
                    a.email,
                    a.password
                );
            }
            println!(
                "items in every state: {}",
                cast.items
                    .iter()
                    .map(|(shows, _)| *shows)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!(
                "reminders now (set RECTIFY_SMTP_HOST to send emails): RECTIFY_DATA_DIR={} rectify remind --once",
                settings.data_dir.display()
            );
            let token = rectify::demo::demo_admin_token(app.services()).await?;
            tracing::info!(
                "demo ready: web application at http://{0}/ (sign in as admin@demo.local / demo-password), GraphQL IDE at http://{0}/graphql#token={token}",
                app.local_addr()
            );
            app.run_until(shutdown_signal()).await?;
        }
        Command::Extract { file, format } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file.file_name().and_then(|n| n.to_str());
            let text = rectify_extract::ReportText::from_file(&bytes, name).map_err(|e| {
                anyhow::anyhow!("{}: {} [{}]", file.display(), e.message_zh(), e.code())
            })?;
            let cues = rectify::service::load_cues(&settings)?;
            let e = rectify_extract::extract_with(&text, &cues);
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&e.to_json())?),
                Format::Text => print_extraction(&e),
            }
        }
        Command::Import {
            file,
            agency,
            year,
            dry_run,
            replace,
            reviewed,
        } => {
            let reviewed = reviewed
                .map(|path| {
                    let size = std::fs::metadata(&path)
                        .with_context(|| format!("reading {}", path.display()))?
                        .len();
                    let max = rectify::service::reviewed::MAX_REVIEWED_JSON_BYTES;
                    if size > max as u64 {
                        anyhow::bail!(
                            "{}: 核对后的提取结果超过 {} MB（too large) [PAYLOAD_TOO_LARGE]",
                            path.display(),
                            max / 1024 / 1024
                        );
                    }
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    rectify::service::reviewed::ReviewedExtraction::from_extract_json(&bytes)
                        .map_err(|e| anyhow::anyhow!("{}: {e} [{}]", path.display(), e.code()))
                })
                .transpose()?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let report_file = rectify::service::import::ReportFile {
                name: file.file_name().and_then(|n| n.to_str()).map(str::to_owned),
                bytes,
            };
            let store = Store::connect(&settings.database_url, 2).await?;
            store.migrate().await?;
            let services = Services::from_settings(store, &settings)?;
            let (agency_id, agency_name) = match agency.as_deref().map(uuid::Uuid::parse_str) {
                Some(Ok(id)) => (Some(id), None),
                _ => (None, agency),
            };
            let input = rectify::service::import::ImportReport {
                file: Some(report_file),
                agency_id,
                agency_name,
                year,
                dry_run,
                replace,
                reviewed,
                ..Default::default()
            };
            let o = services
                .import_report(&rectify::service::Actor::System, input)
                .await
                .map_err(|e| anyhow::anyhow!("{e} [{}]", e.code()))?;
            println!(
                "{}{}{:?}: {} {}年 report {} — {} shortcomings, {} commitments, {} links",
                if dry_run {
                    "(dry run, nothing written) "
                } else {
                    ""
                },
                if o.report.review.is_some() {
                    "(reviewed by hand) "
                } else {
                    ""
                },
                o.status,
                o.agency.name,
                o.report.year,
                o.report.id,
                o.shortcomings.len(),
                o.commitments.len(),
                o.links.len()
            );
            for s in &o.shortcomings {
                let recurring = s
                    .recurrence
                    .as_ref()
                    .map(|r| format!("  [repeats {} shortcoming, {:.2}]", r.earlier.year, r.score))
                    .unwrap_or_default();
                println!("  问题{}: {}{recurring}", s.row.ordinal, s.row.text);
            }
            for w in &o.warnings {
                println!("  ! {}: {}", w.code, w.message);
            }
        }
        Command::Remind { once } => {
            let services = services(&settings).await?;
            let reminders = rectify::jobs::Reminders::new(services, &settings)?;
            if once {
                let (swept, sent) = reminders.run_once().await?;
                println!(
                    "swept {} item(s), enqueued {} reminder(s); sent {}, to retry {}, failed {}",
                    swept.candidates, swept.enqueued, sent.sent, sent.retried, sent.failed
                );
            } else {
                reminders.run_until(shutdown_signal()).await;
            }
        }
        Command::Seed {
            agencies,
            items,
            seed,
        } => {
            let services = services(&settings).await?;
            let started = std::time::Instant::now();
            let done = rectify::seed::seed(&services, agencies, items, seed).await?;
            println!(
                "seeded {} agencies, {} persons, {} items in {:.1} s",
                done.agencies,
                done.persons,
                done.items,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Report(command) => report(command, &settings).await?,
        Command::Admin(command) => admin(command, &settings).await?,
        Command::Audit(command) => audit(command, &settings).await?,
        Command::Ledger(command) => ledger(command, &settings).await?,
        Command::Healthcheck { url } => {
            let url = url.unwrap_or_else(|| format!("http://{}/readyz", settings.bind));
            healthcheck(&url).await?;
        }
    }
    Ok(())
}

/// The services over the configured database, migrated.
async fn services(settings: &Settings) -> anyhow::Result<Services> {
    let store = Store::connect(&settings.database_url, 2).await?;
    store.migrate().await?;
    Ok(Services::from_settings(store, settings)?)
}

async fn report(command: ReportCommand, settings: &Settings) -> anyhow::Result<()> {
    let ReportCommand::Section {
        agency,
        year,
        format,
        out,
    } = command;
    let services = services(settings).await?;
    let section = services
        .rectification_section(&Actor::System, agency, year)
        .await?;
    let bytes = match format {
        SectionFormat::Markdown => section.markdown().into_bytes(),
        SectionFormat::Json => {
            let mut json = serde_json::to_string_pretty(&section.to_json())?;
            json.push('\n');
            json.into_bytes()
        }
        SectionFormat::Docx => section.docx()?,
    };
    match out {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
        }
        None => {
            use std::io::{IsTerminal, Write};
            let mut stdout = std::io::stdout();
            anyhow::ensure!(
                !matches!(format, SectionFormat::Docx) || !stdout.is_terminal(),
                "a DOCX file is binary: give --out FILE (e.g. --out {})",
                section.docx_file_name()
            );
            stdout.write_all(&bytes)?;
        }
    }
    Ok(())
}

async fn admin(command: AdminCommand, settings: &Settings) -> anyhow::Result<()> {
    let services = services(settings).await?;
    let (account, days) = match command {
        AdminCommand::CreateAccount {
            email,
            role,
            agency,
            person,
            password_stdin,
            token_days,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let input = AccountInput {
                email,
                password,
                role: rectify::domain::AccountRole::parse(&role)?,
                agency_id: agency,
                person_id: person,
            };
            let (account, link) = services
                .create_account_with_link(&Actor::System, input)
                .await?;
            println!(
                "created {} account {} ({})",
                account.role, account.email, account.id
            );
            if let Some(link) = link {
                print_welcome_link(settings, &link);
            }
            (account, token_days)
        }
        AdminCommand::WelcomeLink { email } => {
            let account = services
                .store
                .account_by_email(&email.to_lowercase())
                .await?
                .with_context(|| format!("no account with email {email}"))?;
            let link = services
                .issue_welcome_link(&Actor::System, account.id)
                .await?;
            print_welcome_link(settings, &link);
            return Ok(());
        }
        AdminCommand::IssueToken { email, token_days } => {
            let account = services
                .store
                .account_by_email(&email.to_lowercase())
                .await?
                .with_context(|| format!("no account with email {email}"))?;
            (account, token_days)
        }
    };
    let expires = chrono::Utc::now() + chrono::Duration::days(days);
    let token = services
        .issue_token(account.id, "command line", Some(expires))
        .await?;
    println!("token (shown once; send as `Authorization: Bearer <token>`):");
    println!("{}", token.secret);
    Ok(())
}

/// Prints a first-sign-in link for the person to open (shown once).
fn print_welcome_link(settings: &Settings, link: &rectify::service::welcome::WelcomeLink) {
    println!(
        "first sign-in link (shown once, works once, until {}): {}{}",
        link.expires_at.format("%Y-%m-%d %H:%M UTC"),
        settings.public_url.trim_end_matches('/'),
        link.path
    );
}

async fn ledger(command: LedgerCommand, settings: &Settings) -> anyhow::Result<()> {
    let services = services(settings).await?;
    match command {
        LedgerCommand::Export {
            agency,
            jurisdiction,
            out,
        } => {
            let scope = if jurisdiction {
                LedgerScope::Jurisdiction
            } else {
                LedgerScope::Agency
            };
            let file = services
                .export_ledger(&Actor::System, agency, scope)
                .await?;
            std::fs::write(&out, &file.bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "{} items written to {} ({})",
                file.rows,
                out.display(),
                file.file_name
            );
        }
        LedgerCommand::Import {
            file,
            dry_run,
            apply_valid_rows,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let options = LedgerImportOptions {
                dry_run,
                apply_valid_rows,
            };
            let report = services
                .import_ledger(&Actor::System, &bytes, options)
                .await?;
            print!("{report}");
            if !report.rejected.is_empty() {
                std::process::exit(1);
            }
        }
    }
    Ok(())
}

async fn audit(command: AuditCommand, settings: &Settings) -> anyhow::Result<()> {
    let services = services(settings).await?;
    match command {
        AuditCommand::Digest => {
            for head in services.audit_digest(&Actor::System).await? {
                println!("{}", serde_json::to_string(&head)?);
            }
        }
        AuditCommand::Verify { item, against } => {
            let exported = match against {
                Some(path) => std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(serde_json::from_str::<HeadDigest>)
                    .collect::<Result<Vec<_>, _>>()
                    .with_context(|| format!("{} is not a digest file", path.display()))?,
                None => Vec::new(),
            };
            let report = services
                .verify_audit(&Actor::System, item, &exported)
                .await?;
            println!(
                "checked {} item(s), {} event(s)",
                report.items_checked, report.events_checked
            );
            for b in &report.breaks {
                println!("BROKEN item {} at event {}: {}", b.item_id, b.seq, b.reason);
            }
            if !report.ok() {
                anyhow::bail!("{} broken chain(s)", report.breaks.len());
            }
            println!("every chain is intact");
        }
    }
    Ok(())
}

fn print_extraction(e: &rectify_extract::Extraction) {
    println!(
        "agency: {}",
        e.agency.as_deref().unwrap_or("(not named in full)")
    );
    println!(
        "year: {}  period: {:?}  kind: {:?}",
        e.report_year.map_or("?".into(), |y| y.to_string()),
        e.period,
        e.kind
    );
    println!(
        "published: {}",
        e.published_date.map_or("?".into(), |d| d.to_string())
    );
    for (title, items) in [
        ("shortcomings 存在的问题", &e.shortcomings),
        ("commitments 下一年度安排", &e.commitments),
        (
            "previous rectification 上年度问题整改情况",
            &e.previous_rectification,
        ),
    ] {
        println!("\n{title} ({}):", items.len());
        for (i, item) in items.iter().enumerate() {
            println!("  {}. {}", i + 1, item.text);
        }
    }
    println!("\nlinks:");
    for l in &e.links {
        println!(
            "  shortcoming {} → commitment {}  ({:.3})",
            l.shortcoming + 1,
            l.commitment + 1,
            l.score
        );
    }
    for w in &e.warnings {
        println!("! {}", w.message);
    }
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
