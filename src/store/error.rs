//! The store's one error type: constraint violations told apart from everything else.

use sea_orm::{DbErr, SqlErr};

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
                other => StoreError::Db(other),
            },
        }
    }
}

impl StoreError {
    /// True when a unique constraint whose name or column list mentions `needle` refused the write.
    pub fn is_unique_on(&self, needle: &str) -> bool {
        matches!(self, StoreError::Unique(what) if what.contains(needle))
    }
}
