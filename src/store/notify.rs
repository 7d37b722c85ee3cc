//! Changes pushed between instances through PostgreSQL `LISTEN/NOTIFY`: every instance
//! listens on one channel per schema and hears what any instance committed. SQLite runs as
//! one process, so it has no channel.

use sea_orm::{ConnectionTrait, Statement, sqlx::postgres::PgListener};

use super::{Engine, Store, StoreError};

/// A live `LISTEN` on the change channel (reconnects by itself when the connection drops).
pub struct ChangeListener {
    listener: PgListener,
}

impl ChangeListener {
    /// The next notification's payload. A dropped connection is re-established first;
    /// notifications sent meanwhile are lost, as `NOTIFY` keeps none.
    pub async fn next(&mut self) -> Result<String, StoreError> {
        let notification = self
            .listener
            .recv()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(notification.payload().to_owned())
    }
}

impl Store {
    /// The channel changes travel on: one per schema (tests and tenants sharing a database
    /// do not hear each other); `None` on SQLite.
    pub async fn change_channel(&self) -> Result<Option<String>, StoreError> {
        if self.engine() != Engine::Postgres {
            return Ok(None);
        }
        let row = self
            .conn()
            .query_one_raw(Statement::from_string(
                self.conn().get_database_backend(),
                "SELECT current_schema()",
            ))
            .await?;
        let schema: String = match row {
            Some(row) => row.try_get_by_index(0)?,
            None => "public".into(),
        };
        let suffix: String = schema
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect();
        Ok(Some(format!("rectify_items_{suffix}")))
    }

    /// Sends `payload` to every instance listening on `channel`.
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), StoreError> {
        self.conn()
            .execute_raw(Statement::from_sql_and_values(
                self.conn().get_database_backend(),
                "SELECT pg_notify($1, $2)",
                [channel.into(), payload.into()],
            ))
            .await?;
        Ok(())
    }

    /// Starts listening on `channel`.
    pub async fn listen(&self, channel: &str) -> Result<ChangeListener, StoreError> {
        let pool = self.conn().get_postgres_connection_pool();
        let mut listener = PgListener::connect_with(pool)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        listener
            .listen(channel)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(ChangeListener { listener })
    }
}
