//! Aggregates for supervisors' dashboards. The per-unit figures read the kept tallies
//! (`item_tallies`, see [`super::tallies`]): a few rows per unit, whatever its item count.
//! The rest are one SQL `GROUP BY` each over an index (`idx_items_agency_state_due_submitted_on`,
//! `idx_items_lead_person_id_state`, `idx_item_events_action_item_id`,
//! `idx_extension_requests_status_item_id`): the rows returned are tallies (per unit × state,
//! per leader × state, per month), never items.
//!
//! Date arithmetic differs between the engines, so these are written as SQL text with bound
//! values; the few engine-specific expressions are in [`Dialect`].

use chrono::{NaiveDate, TimeDelta};
use sea_orm::{ConnectionTrait, QueryResult, Statement, Value};
use uuid::Uuid;

use super::{
    Engine, Store, StoreError,
    tallies::{TallyWindow, WINDOW_DAYS},
};
use crate::domain::dashboard::{StateNames, StateTally, UnitTallies};

/// Which items a dashboard counts.
#[derive(Clone, Debug)]
pub struct DashboardScope {
    /// The agencies whose items count.
    pub agency_ids: Vec<Uuid>,
    /// Today's date where these agencies are, and their time zone.
    pub today: NaiveDate,
    pub time_zone: chrono_tz::Tz,
    /// The zone's offset from UTC now, in seconds (SQLite has no time-zone database).
    pub utc_offset_seconds: i32,
}

/// What a month of the trend counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthTally {
    /// "YYYY-MM".
    pub month: String,
    pub created: u64,
    pub closed: u64,
    pub due: u64,
}

/// A SQL statement under construction: text with placeholders and its values.
struct Sql {
    engine: Engine,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(engine: Engine) -> Self {
        Self {
            engine,
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// Binds a value and returns its placeholder, numbered so that it may appear more than
    /// once in the text (`$n` on PostgreSQL, `?n` on SQLite).
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.engine {
            Engine::Postgres => format!("${}", self.values.len()),
            Engine::Sqlite => format!("?{}", self.values.len()),
        }
    }

    /// A date parameter, typed for comparisons with `date` columns.
    fn date(&mut self, d: NaiveDate) -> String {
        let p = self.bind(d);
        match self.engine {
            Engine::Postgres => format!("CAST({p} AS date)"),
            Engine::Sqlite => p,
        }
    }

    /// `column IN (…)` over the scope's agencies. On PostgreSQL the ids travel as one
    /// array and the database hashes them (`IN (SELECT unnest(…))`): a list of a thousand
    /// parameters is compared one by one with every row once the plan is generic.
    fn in_agencies(&mut self, column: &str, ids: &[Uuid]) -> String {
        if ids.is_empty() {
            return "1 = 0".to_owned();
        }
        match self.engine {
            Engine::Postgres => {
                let list: Vec<String> = ids.iter().map(Uuid::to_string).collect();
                let array = self.bind(format!("{{{}}}", list.join(",")));
                format!("{column} IN (SELECT unnest(CAST({array} AS uuid[])))")
            }
            Engine::Sqlite => {
                let placeholders: Vec<String> = ids.iter().map(|id| self.bind(*id)).collect();
                format!("{column} IN ({})", placeholders.join(", "))
            }
        }
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn statement(self) -> Statement {
        let backend = match self.engine {
            Engine::Postgres => sea_orm::DbBackend::Postgres,
            Engine::Sqlite => sea_orm::DbBackend::Sqlite,
        };
        Statement::from_sql_and_values(backend, self.text, self.values)
    }
}

/// The engine-specific expressions.
struct Dialect<'a> {
    engine: Engine,
    scope: &'a DashboardScope,
}

impl Dialect<'_> {
    /// Whole days from `column` (a date) to `today` (a date placeholder).
    fn days_until(&self, today: &str, column: &str) -> String {
        match self.engine {
            Engine::Postgres => format!("({today} - {column})"),
            Engine::Sqlite => {
                format!("CAST(julianday({today}) - julianday({column}) AS INTEGER)")
            }
        }
    }

    /// "YYYY-MM" of timestamp `column` in the scope's time zone.
    fn local_month(&self, sql: &mut Sql, column: &str) -> String {
        match self.engine {
            Engine::Postgres => {
                let tz = sql.bind(self.scope.time_zone.name());
                format!("to_char({column} AT TIME ZONE {tz}, 'YYYY-MM')")
            }
            Engine::Sqlite => {
                let shift = sql.bind(format!("{:+} seconds", self.scope.utc_offset_seconds));
                format!("strftime('%Y-%m', {column}, {shift})")
            }
        }
    }

    /// "YYYY-MM" of date `column`.
    fn date_month(&self, column: &str) -> String {
        match self.engine {
            Engine::Postgres => format!("to_char({column}, 'YYYY-MM')"),
            Engine::Sqlite => format!("substr({column}, 1, 7)"),
        }
    }
}

impl Store {
    /// Each unit's figures and the items per state, from the kept tallies (`item_tallies`,
    /// a row per unit and state) when their window is this zone's week, after moving it there if it is behind; otherwise (a zone
    /// whose day has not turned yet) counted from the items.
    pub async fn unit_tallies(
        &self,
        scope: &DashboardScope,
        names: StateNames<'_>,
    ) -> Result<UnitTallies, StoreError> {
        if let Some(tallies) = self.kept_unit_tallies(scope, names).await? {
            return Ok(tallies);
        }
        if self.move_tally_window(scope.today).await?
            && let Some(tallies) = self.kept_unit_tallies(scope, names).await?
        {
            return Ok(tallies);
        }
        self.counted_unit_tallies(scope, names).await
    }

    /// The kept tallies' figures, or `None` when their window is not [today, today + 7]
    /// for this zone.
    pub async fn kept_unit_tallies(
        &self,
        scope: &DashboardScope,
        names: StateNames<'_>,
    ) -> Result<Option<UnitTallies>, StoreError> {
        Ok(self
            .kept_unit_state_tallies(scope)
            .await?
            .map(|tallies| UnitTallies::from_state_tallies(&tallies, names)))
    }

    /// The kept tallies per unit and state, as stored (a few thousand rows for a city: the
    /// database hands them over as they are, and the figures are summed here, which
    /// measured cheaper than summing them with `CASE` expressions in SQL). The window is
    /// checked in the same statement, so a recount in between cannot mix two windows: no
    /// row at all means another window; the window's row alone, no tallies.
    async fn kept_unit_state_tallies(
        &self,
        scope: &DashboardScope,
    ) -> Result<Option<Vec<(Uuid, StateTally)>>, StoreError> {
        let wanted = TallyWindow::for_day(scope.today);
        let mut sql = Sql::new(self.engine());
        let today = sql.bind(wanted.first);
        let last = sql.bind(wanted.last);
        sql.push(&format!(
            "SELECT t.agency_id, t.state, t.items, t.past, t.soon, \
               t.past * {today} - t.past_day_sum, t.on_time, t.finished \
             FROM item_tally_window w LEFT JOIN item_tallies t ON "
        ));
        let filter = sql.in_agencies("t.agency_id", &scope.agency_ids);
        sql.push(&filter);
        // Emptied tallies (all their items moved on) are left out.
        sql.push(&format!(
            " AND t.items <> 0 WHERE w.id = 1 AND w.lo = {today} AND w.hi = {last}"
        ));
        let rows = self.conn().query_all_raw(sql.statement()).await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut tallies = Vec::with_capacity(rows.len());
        // Thousands of rows: read by position (by name, each column is looked up anew).
        let n = |row: &QueryResult, i: usize| -> Result<u64, StoreError> {
            let v: Option<i64> = row.try_get_by_index(i)?;
            Ok(v.unwrap_or(0).max(0) as u64)
        };
        for row in &rows {
            // The one row of a scope with no tallies: the window alone.
            let Some(agency) = row.try_get_by_index::<Option<Uuid>>(0)? else {
                continue;
            };
            tallies.push((
                agency,
                StateTally {
                    state: row.try_get_by_index(1)?,
                    items: n(row, 2)?,
                    past_due: n(row, 3)?,
                    due_within_7_days: n(row, 4)?,
                    past_due_days: n(row, 5)?,
                    finished_on_time: n(row, 6)?,
                    finished_with_due_date: n(row, 7)?,
                },
            ));
        }
        Ok(Some(tallies))
    }

    /// Each unit's figures counted from the items (what the kept tallies must always
    /// agree with).
    pub async fn counted_unit_tallies(
        &self,
        scope: &DashboardScope,
        names: StateNames<'_>,
    ) -> Result<UnitTallies, StoreError> {
        let tallies = self.counted_unit_state_tallies(scope).await?;
        Ok(UnitTallies::from_state_tallies(&tallies, names))
    }

    /// Tallies per unit and state counted from the items: one `GROUP BY agency_id, state`
    /// over the scope's items (what the kept tallies must always agree with).
    pub async fn counted_unit_state_tallies(
        &self,
        scope: &DashboardScope,
    ) -> Result<Vec<(Uuid, StateTally)>, StoreError> {
        self.state_tallies(scope, |_| "agency_id".to_owned())
            .await
            .map(|rows| {
                rows.into_iter()
                    .filter_map(|(key, t)| key.map(|k| (k, t)))
                    .collect()
            })
    }

    /// Tallies per lead person and state (`None`: items without a lead person). An item led
    /// through a post counts for whoever holds the post today.
    pub async fn leader_state_tallies(
        &self,
        scope: &DashboardScope,
    ) -> Result<Vec<(Option<Uuid>, StateTally)>, StoreError> {
        self.state_tallies(scope, |today| {
            format!(
                "COALESCE(lead_person_id, (SELECT t.person_id FROM post_tenures t                    WHERE t.post_id = items.lead_post_id AND t.started_on <= {today}                    AND (t.ended_on IS NULL OR t.ended_on > {today})                    ORDER BY t.started_on DESC LIMIT 1))"
            )
        })
        .await
    }

    async fn state_tallies(
        &self,
        scope: &DashboardScope,
        key: impl FnOnce(&str) -> String,
    ) -> Result<Vec<(Option<Uuid>, StateTally)>, StoreError> {
        let engine = self.engine();
        let dialect = Dialect { engine, scope };
        let mut sql = Sql::new(engine);
        let today = sql.date(scope.today);
        let key = key(&today);
        let week = sql.date(scope.today + TimeDelta::days(WINDOW_DAYS));
        let days = dialect.days_until(&today, "due_on");
        let select = format!(
            "SELECT {key} AS k, state, COUNT(*) AS n, \
               SUM(CASE WHEN due_on < {today} THEN 1 ELSE 0 END) AS past_due, \
               SUM(CASE WHEN due_on >= {today} AND due_on <= {week} THEN 1 ELSE 0 END) AS due_soon, \
               SUM(CASE WHEN due_on < {today} THEN {days} ELSE 0 END) AS past_due_days, \
               SUM(CASE WHEN due_on IS NOT NULL AND submitted_on IS NOT NULL \
                        AND submitted_on <= due_on THEN 1 ELSE 0 END) AS on_time, \
               SUM(CASE WHEN due_on IS NOT NULL AND submitted_on IS NOT NULL \
                        THEN 1 ELSE 0 END) AS finished \
             FROM items WHERE "
        );
        sql.push(&select);
        let filter = sql.in_agencies("agency_id", &scope.agency_ids);
        sql.push(&filter);
        sql.push(" GROUP BY k, state");
        let rows = self.conn().query_all_raw(sql.statement()).await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get::<Option<Uuid>>("", "k")?,
                    StateTally {
                        state: row.try_get("", "state")?,
                        items: count(row, "n")?,
                        past_due: count(row, "past_due")?,
                        due_within_7_days: count(row, "due_soon")?,
                        past_due_days: count(row, "past_due_days")?,
                        finished_on_time: count(row, "on_time")?,
                        finished_with_due_date: count(row, "finished")?,
                    },
                ))
            })
            .collect()
    }

    /// Per unit, how often verifiers returned an item (退回, the workflow's `action`).
    pub async fn unit_action_counts(
        &self,
        scope: &DashboardScope,
        action: &str,
    ) -> Result<Vec<(Uuid, u64)>, StoreError> {
        let mut sql = Sql::new(self.engine());
        let action = sql.bind(action.to_owned());
        sql.push(&format!(
            "SELECT i.agency_id AS k, COUNT(*) AS n FROM item_events e \
             JOIN items i ON i.id = e.item_id WHERE e.action = {action} AND "
        ));
        let filter = sql.in_agencies("i.agency_id", &scope.agency_ids);
        sql.push(&filter);
        sql.push(" GROUP BY i.agency_id");
        self.keyed_counts(sql).await
    }

    /// Per unit, how many extensions (延期) were approved.
    pub async fn unit_extension_counts(
        &self,
        scope: &DashboardScope,
    ) -> Result<Vec<(Uuid, u64)>, StoreError> {
        let mut sql = Sql::new(self.engine());
        let approved = sql.bind("approved".to_owned());
        sql.push(&format!(
            "SELECT i.agency_id AS k, COUNT(*) AS n FROM extension_requests x \
             JOIN items i ON i.id = x.item_id WHERE x.status = {approved} AND "
        ));
        let filter = sql.in_agencies("i.agency_id", &scope.agency_ids);
        sql.push(&filter);
        sql.push(" GROUP BY i.agency_id");
        self.keyed_counts(sql).await
    }

    /// Shortcomings in the scope's reports that repeat an earlier year's (重复出现的问题).
    pub async fn recurring_shortcoming_count(
        &self,
        scope: &DashboardScope,
    ) -> Result<u64, StoreError> {
        let mut sql = Sql::new(self.engine());
        sql.push(
            "SELECT COUNT(*) AS n FROM shortcomings s JOIN reports r ON r.id = s.report_id \
             WHERE s.recurrence_of_id IS NOT NULL AND ",
        );
        let filter = sql.in_agencies("r.agency_id", &scope.agency_ids);
        sql.push(&filter);
        let row = self.conn().query_one_raw(sql.statement()).await?;
        row.map_or(Ok(0), |r| count(&r, "n"))
    }

    /// Items created, closed and due per month, from the first day of `from`'s month on.
    pub async fn month_tallies(
        &self,
        scope: &DashboardScope,
        from: NaiveDate,
    ) -> Result<Vec<MonthTally>, StoreError> {
        let engine = self.engine();
        let dialect = Dialect { engine, scope };
        // The instant the first day begins in the scope's zone, as UTC.
        let from_instant = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
            - TimeDelta::seconds(i64::from(scope.utc_offset_seconds));
        let mut months: std::collections::BTreeMap<String, MonthTally> = Default::default();
        for (column, which) in [("created_at", 0), ("closed_at", 1)] {
            let mut sql = Sql::new(engine);
            let month = dialect.local_month(&mut sql, column);
            let since = sql.bind(from_instant);
            sql.push(&format!(
                "SELECT {month} AS k, COUNT(*) AS n FROM items WHERE {column} >= {since} AND "
            ));
            let filter = sql.in_agencies("agency_id", &scope.agency_ids);
            sql.push(&filter);
            sql.push(" GROUP BY 1");
            for (key, n) in self.month_counts(sql).await? {
                let m = months.entry(key.clone()).or_insert_with(|| MonthTally {
                    month: key,
                    ..MonthTally::default()
                });
                if which == 0 {
                    m.created = n;
                } else {
                    m.closed = n;
                }
            }
        }
        let mut sql = Sql::new(engine);
        let month = dialect.date_month("due_on");
        let since = sql.date(from);
        sql.push(&format!(
            "SELECT {month} AS k, COUNT(*) AS n FROM items WHERE due_on >= {since} AND "
        ));
        let filter = sql.in_agencies("agency_id", &scope.agency_ids);
        sql.push(&filter);
        sql.push(" GROUP BY 1");
        for (key, n) in self.month_counts(sql).await? {
            months
                .entry(key.clone())
                .or_insert_with(|| MonthTally {
                    month: key,
                    ..MonthTally::default()
                })
                .due = n;
        }
        Ok(months.into_values().collect())
    }

    async fn keyed_counts(&self, sql: Sql) -> Result<Vec<(Uuid, u64)>, StoreError> {
        let rows = self.conn().query_all_raw(sql.statement()).await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<Uuid>("", "k")?, count(row, "n")?)))
            .collect()
    }

    async fn month_counts(&self, sql: Sql) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = self.conn().query_all_raw(sql.statement()).await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<String>("", "k")?, count(row, "n")?)))
            .collect()
    }
}

/// A count or sum column: `bigint` on PostgreSQL (`numeric` for sums of `bigint`, not used
/// here), `integer` on SQLite; `NULL` (a sum over nothing) is zero.
fn count(row: &QueryResult, column: &str) -> Result<u64, StoreError> {
    let n: Option<i64> = row.try_get("", column)?;
    Ok(n.unwrap_or(0).max(0) as u64)
}
