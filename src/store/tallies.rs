//! The tallies dashboards read (`item_tallies`): per agency and state, kept by database
//! triggers in the transaction of every item write (see the migration
//! `m20261201_000001_item_tallies`). This module moves their window of days: once a day it
//! recounts them from `items` so that `soon` counts exactly the items due within the coming
//! week and `past` those overdue.
//!
//! The recount runs in one write transaction. On PostgreSQL it first takes the advisory
//! lock that every item write's trigger shares, so no write applies its change against a
//! window that is moving, and none is lost: a write that committed before is in the
//! recount, one that waits applies itself to the new window afterwards.

use chrono::{NaiveDate, TimeDelta};
use sea_orm::{ConnectionTrait, Statement, Value};

use super::{Engine, Store, StoreError};

/// Days the window reaches past its first day: "due within seven days" counts today and
/// the seven days after it.
pub const WINDOW_DAYS: i64 = 7;

/// Day numbers, as the tallies store them: days since 1970-01-01.
pub fn day_number(date: NaiveDate) -> i64 {
    (date - NaiveDate::default()).num_days()
}

/// The date of a day number.
pub fn date_of_day(day: i64) -> NaiveDate {
    NaiveDate::default() + TimeDelta::days(day)
}

/// The tallies' window: items due from `first` to `last` (both included) count as `soon`,
/// items due before `first` as `past`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TallyWindow {
    pub first: i64,
    pub last: i64,
}

impl TallyWindow {
    /// The window a dashboard on `today` needs.
    pub fn for_day(today: NaiveDate) -> Self {
        let first = day_number(today);
        Self {
            first,
            last: first + WINDOW_DAYS,
        }
    }

    /// Whether the tallies have never been counted (the window a migration leaves).
    pub fn is_empty(&self) -> bool {
        self.last < self.first
    }

    /// Whether this window is `wanted` or later (windows only move forward).
    fn is_at_or_past(&self, wanted: TallyWindow) -> bool {
        !self.is_empty() && self.first >= wanted.first
    }
}

impl Store {
    /// The tallies' window now.
    pub async fn tally_window(&self) -> Result<TallyWindow, StoreError> {
        read_window(self.conn()).await
    }

    /// Moves the tallies' window to `today`'s week and recounts them, unless it is there
    /// already or later (windows only move forward: a zone whose day has not yet turned
    /// is counted from items until it does). True when it recounted.
    pub async fn move_tally_window(&self, today: NaiveDate) -> Result<bool, StoreError> {
        let wanted = TallyWindow::for_day(today);
        if self.tally_window().await?.is_at_or_past(wanted) {
            return Ok(false);
        }
        let txn = self.begin_write().await?;
        let backend = txn.get_database_backend();
        let engine = self.engine();
        if engine == Engine::Postgres {
            txn.execute_raw(Statement::from_string(
                backend,
                format!("SELECT pg_advisory_xact_lock({})", migration::TALLY_LOCK),
            ))
            .await?;
        }
        // Another recount may have moved it while this one waited for the lock.
        if read_window(&txn).await?.is_at_or_past(wanted) {
            txn.rollback().await?;
            return Ok(false);
        }
        let started = std::time::Instant::now();
        let (lo, hi) = placeholders(engine);
        let values: Vec<Value> = vec![(wanted.first as i32).into(), (wanted.last as i32).into()];
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("UPDATE item_tally_window SET lo = {lo}, hi = {hi} WHERE id = 1"),
            values.clone(),
        ))
        .await?;
        txn.execute_raw(Statement::from_string(backend, "DELETE FROM item_tallies"))
            .await?;
        let day = day_expression(engine, "due_on");
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO item_tallies (agency_id, state, items, past, past_day_sum, soon, on_time, finished) \
                 SELECT agency_id, state, COUNT(*), SUM(past), SUM(past * COALESCE(day, 0)), SUM(soon), \
                        SUM(on_time), SUM(finished) FROM ( \
                   SELECT agency_id, state, day, \
                          CASE WHEN day < {lo} THEN 1 ELSE 0 END AS past, \
                          CASE WHEN day >= {lo} AND day <= {hi} THEN 1 ELSE 0 END AS soon, \
                          CASE WHEN due_on IS NOT NULL AND submitted_on IS NOT NULL \
                               AND submitted_on <= due_on THEN 1 ELSE 0 END AS on_time, \
                          CASE WHEN due_on IS NOT NULL AND submitted_on IS NOT NULL \
                               THEN 1 ELSE 0 END AS finished \
                   FROM (SELECT agency_id, state, due_on, submitted_on, {day} AS day FROM items) AS dated \
                 ) AS x \
                 GROUP BY agency_id, state"
            ),
            values,
        ))
        .await?;
        txn.commit().await?;
        tracing::info!(
            first_day = %date_of_day(wanted.first),
            seconds = started.elapsed().as_secs_f64(),
            "dashboard tallies recounted"
        );
        Ok(true)
    }
}

/// The tallies' window, read on `conn` (the store's pool or an open transaction).
async fn read_window(conn: &impl ConnectionTrait) -> Result<TallyWindow, StoreError> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT lo, hi FROM item_tally_window WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| StoreError::Setup("item_tally_window has no row".into()))?;
    Ok(TallyWindow {
        first: i64::from(row.try_get::<i32>("", "lo")?),
        last: i64::from(row.try_get::<i32>("", "hi")?),
    })
}

/// The window's two bound parameters.
fn placeholders(engine: Engine) -> (&'static str, &'static str) {
    match engine {
        Engine::Postgres => ("$1", "$2"),
        Engine::Sqlite => ("?1", "?2"),
    }
}

/// The day number of date `column` (NULL stays NULL).
fn day_expression(engine: Engine, column: &str) -> String {
    match engine {
        Engine::Postgres => format!("({column} - DATE '1970-01-01')"),
        Engine::Sqlite => format!("CAST(julianday({column}) - 2440587.5 AS INTEGER)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_count_from_1970() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(day_number(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
        assert_eq!(date_of_day(day_number(d)), d);
        let w = TallyWindow::for_day(d);
        assert_eq!(
            date_of_day(w.last),
            NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()
        );
        assert!(!w.is_empty());
        assert!(TallyWindow { first: 0, last: -1 }.is_empty());
    }
}
