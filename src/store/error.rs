//! The store's one error type: constraint violations told apart from everything else.

use sea_orm::{DbErr, RuntimeErr, SqlErr, sqlx};

/// A failure in the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write (the name of the constraint or column, as the engine says it).
    #[error("a unique constraint refused the write: {0}")]
    Unique(String),
    /// A foreign key refused the write: the row refers to something that does not exist.
    #[error("a foreign key refused the write: {0}")]
    ForeignKey(String),
    /// The database is busy or unreachable.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Setting up the store failed (directory, migration).
    #[error("setting up the store failed: {0}")]
    Setup(String),
    /// Anything else the database said.
    #[error(transparent)]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(what)) => StoreError::Unique(what),
            Some(SqlErr::ForeignKeyConstraintViolation(what)) => StoreError::ForeignKey(what),
            _ => match err {
                DbErr::ConnectionAcquire(e) => StoreError::Unavailable(e.to_string()),
                DbErr::Conn(e) => StoreError::Unavailable(e.to_string()),
                DbErr::Migration(e) => StoreError::Setup(e),
                DbErr::Query(RuntimeErr::SqlxError(ref e))
                | DbErr::Exec(RuntimeErr::SqlxError(ref e))
                    if is_transient(e) =>
                {
                    StoreError::Unavailable(e.to_string())
                }
                other => StoreError::Db(other),
            },
        }
    }
}

/// Whether a failed statement failed because of the connection or the server's state
/// rather than the statement: a dropped connection, a server shutting down or refusing
/// connections, a busy SQLite file. The caller may try again.
fn is_transient(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // PostgreSQL: 08 connection exception, 57P0x shutdown/crash, 53300 too many
            // connections; SQLite: 5 SQLITE_BUSY, 6 SQLITE_LOCKED.
            code.starts_with("08")
                || code.starts_with("57P")
                || code == "53300"
                || code == "5"
                || code == "6"
        }),
        _ => false,
    }
}

impl StoreError {
    /// True when a unique constraint whose name or column list mentions `needle` refused the write.
    pub fn is_unique_on(&self, needle: &str) -> bool {
        matches!(self, StoreError::Unique(what) if what.contains(needle))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn query_error(err: sqlx::Error) -> StoreError {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(err))).into()
    }

    #[test]
    fn a_dropped_connection_is_unavailable_not_internal() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(matches!(
            query_error(sqlx::Error::Io(reset)),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            query_error(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            query_error(sqlx::Error::RowNotFound),
            StoreError::Db(_)
        ));
    }
}
