//! Storage: sea-orm entities and the queries the services need. The only module that imports `sea_orm`.
//!
//! Both stores run the same migrations and the same queries. SQLite is tuned for a
//! server here (WAL, `synchronous=NORMAL`, foreign keys, a busy timeout) and every
//! write transaction starts `IMMEDIATE`, so two writers queue on the busy timeout
//! instead of failing with "database is locked" when a read lock would have to be
//! upgraded.

pub mod accounts;
pub mod admin;
pub mod agencies;
pub mod audit;
pub mod calendar;
pub mod dashboard;
pub mod digests;
pub mod entity;
pub mod error;
pub mod items;
pub mod ledger;
pub mod notifications;
pub mod notify;
pub mod page;
pub mod persons;
pub mod posts;
pub mod reminders;
pub mod report_section;
pub mod reports;
pub mod seed;
pub mod sessions;
pub mod supervisions;
pub mod tallies;
pub mod tx;
pub mod webhooks;
pub mod welcome;
pub mod workbench;
pub mod workflow;

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

pub use error::StoreError;

/// How long a SQLite writer waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Prepared statements each connection keeps (sqlx prepares every query sea-orm runs and
/// reuses it by its text; `IN (…)` lists of different lengths are different texts).
const STATEMENT_CACHE: usize = 400;
/// A pooled connection idle this long is pinged before it is lent out again.
const POOL_CHECK_IDLE: Duration = Duration::from_secs(30);

/// A handle on the database, cheap to clone (a pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    conn: DatabaseConnection,
    /// Statements run through this pool (every clone shares it): tests count round trips.
    statements: Arc<AtomicU64>,
}

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// How a raw statement names its first bound value.
    pub(crate) fn first_placeholder(self) -> &'static str {
        match self {
            Engine::Postgres => "$1",
            Engine::Sqlite => "?",
        }
    }
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating a SQLite file's directory.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        if let Some(path) = sqlite_file(url)
            && let Some(dir) = Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Setup(e.to_string()))?;
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            // sqlx pings a connection before lending it by default: one more round trip per
            // statement. Only a connection idle for a while is checked; a broken one that
            // slips through fails its statement, and the pool replaces it.
            .test_before_acquire_if_idle_for(POOL_CHECK_IDLE)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .create_if_missing(true)
                    .statement_cache_capacity(STATEMENT_CACHE)
            })
            // A service answering many small queries gains nothing from parallel workers:
            // starting them cost a dashboard's rework count (a join that finds no row)
            // 10 ms of process start-up, on every request.
            // Every acquire reports its wait as a tracing event: `/metrics` shows the pool's
            // waits from it (`telemetry::pool_waits_layer`).
            .map_sqlx_sqlite_pool_opts(|o| o.acquire_time_level(log::LevelFilter::Trace))
            .map_sqlx_postgres_pool_opts(|o| o.acquire_time_level(log::LevelFilter::Trace))
            .map_sqlx_postgres_opts(|o| {
                o.options([("max_parallel_workers_per_gather", "0")])
                    .statement_cache_capacity(STATEMENT_CACHE)
            });
        let mut conn = Database::connect(options).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        conn.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self { conn, statements })
    }

    /// How many statements this store has run so far.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// Names of migrations not yet applied.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        Ok(Migrator::get_pending_migrations(&self.conn)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect())
    }

    /// Answers when the database does (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.conn.ping().await?;
        Ok(())
    }

    /// The engine behind this store.
    pub fn engine(&self) -> Engine {
        match self.conn.get_database_backend() {
            DbBackend::Postgres => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    /// Starts a transaction that will write: `BEGIN IMMEDIATE` on SQLite.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, StoreError> {
        Ok(self
            .conn
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?)
    }

    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Runs one SQL statement as given (administration: schemas, maintenance).
    pub async fn execute_unprepared(&self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_unprepared(sql).await?;
        Ok(())
    }

    /// Closes the pool (checkpoints SQLite's WAL).
    pub async fn close(self) -> Result<(), StoreError> {
        self.conn.close().await?;
        Ok(())
    }
}

/// The file path inside a `sqlite://PATH?…` URL, if it names a file.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn finds_the_sqlite_file_in_a_url() {
        assert_eq!(
            sqlite_file("sqlite://data/rectify.db?mode=rwc"),
            Some("data/rectify.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x/y"), None);
    }
}
