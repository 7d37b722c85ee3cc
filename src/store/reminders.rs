//! The reminder outbox: rows inserted once per idempotency key, claimed by senders under a
//! lease (with `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer), then marked
//! sent, rescheduled or failed. Also the sweep's candidate query.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use super::{
    Engine, Store, StoreError,
    entity::{item, job_run, reminder},
    items::ItemRow,
    notifications::{NewNotification, insert_notes, insert_notes_in_bulk},
    page::{Page, PageRequest},
};

/// An outbox row.
pub type ReminderRow = reminder::Model;

/// A reminder to enqueue: rendered (subject and bodies), or an item reminder left for the
/// sender to render from the item, `recipient_name` and `as_of`.
#[derive(Clone, Debug)]
pub struct NewReminder {
    pub item_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub recipient_person_id: Option<Uuid>,
    pub recipient_address: String,
    pub recipient_name: Option<String>,
    pub channel: String,
    pub kind: String,
    pub refers_to: Option<NaiveDate>,
    pub as_of: Option<NaiveDate>,
    pub scheduled_at: DateTime<Utc>,
    pub escalation_level: i32,
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    pub idempotency_key: String,
}

/// A message as rendered for sending, kept with the row once it is sent.
#[derive(Clone, Copy, Debug)]
pub struct SentMessage<'a> {
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
}

/// Which items a sweep looks at: open states, and due dates (or acceptance and assignment
/// times) on the days the policy may remind about.
#[derive(Clone, Debug)]
pub struct SweepWindow {
    pub states: Vec<String>,
    pub due_dates: Vec<NaiveDate>,
    /// `[from, to)` ranges of `accepted_at` (long-term progress reports).
    pub accepted_ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// `[from, to)` ranges of `assigned_at` for items still waiting to be accepted.
    pub assigned_ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub awaiting_state: String,
    /// Items changed since this instant are judged whatever their dates.
    pub changed_since: Option<DateTime<Utc>>,
}

/// Rows per outbox insert statement on PostgreSQL (one array per column: no limit on binds).
const BULK_CHUNK: usize = 5_000;

/// Rows per outbox insert statement (see [`Store::enqueue_reminders`]).
const ENQUEUE_CHUNK: usize = 1_000;

impl Store {
    /// The items a sweep must judge, in batches of `batch` as the database finds them:
    /// one query, streamed, so that judging and enqueueing the first batches overlap with
    /// reading the rest (paging with `LIMIT` made the database find the whole set again
    /// for every page, and an `ORDER BY` would hold every row back until all were sorted).
    /// Each branch of the condition has an index (`due_on`, `assigned_at`, `accepted_at`,
    /// `updated_at`), so the database ORs bitmaps rather than scanning the open items.
    /// A day's candidates are a few percent of the items (44,000 of 1,000,000 in the
    /// benchmark). The receiver ends after the last batch, or after an error.
    pub fn sweep_candidates(
        &self,
        window: SweepWindow,
        batch: usize,
    ) -> tokio::sync::mpsc::Receiver<Result<Vec<ItemRow>, StoreError>> {
        let (tx, rx) = tokio::sync::mpsc::channel(2);
        let store = self.clone();
        tokio::spawn(async move {
            if let Err(e) = store.stream_candidates(&window, batch, &tx).await {
                let _ = tx.send(Err(e)).await;
            }
        });
        rx
    }

    async fn stream_candidates(
        &self,
        window: &SweepWindow,
        batch: usize,
        out: &tokio::sync::mpsc::Sender<Result<Vec<ItemRow>, StoreError>>,
    ) -> Result<(), StoreError> {
        use futures_util::StreamExt;
        let mut when = Condition::any();
        if !window.due_dates.is_empty() {
            when = when.add(item::Column::DueOn.is_in(window.due_dates.iter().copied()));
        }
        for (from, to) in &window.assigned_ranges {
            when = when.add(
                Condition::all()
                    .add(item::Column::State.eq(window.awaiting_state.as_str()))
                    .add(item::Column::AssignedAt.gte(*from))
                    .add(item::Column::AssignedAt.lt(*to)),
            );
        }
        if let Some(since) = window.changed_since {
            when = when.add(item::Column::UpdatedAt.gte(since));
        }
        if when.is_empty() {
            return Ok(());
        }
        for (from, to) in &window.accepted_ranges {
            when = when.add(
                Condition::all()
                    .add(item::Column::Category.eq("long_term"))
                    .add(item::Column::AcceptedAt.gte(*from))
                    .add(item::Column::AcceptedAt.lt(*to)),
            );
        }
        let mut rows = item::Entity::find()
            .filter(item::Column::State.is_in(window.states.iter().cloned()))
            .filter(when)
            .stream(self.conn())
            .await?;
        let mut current = Vec::with_capacity(batch);
        while let Some(row) = rows.next().await {
            current.push(ItemRow::from(row?));
            if current.len() == batch {
                let full = std::mem::replace(&mut current, Vec::with_capacity(batch));
                if out.send(Ok(full)).await.is_err() {
                    return Ok(()); // The sweep stopped listening.
                }
            }
        }
        if !current.is_empty() {
            let _ = out.send(Ok(current)).await;
        }
        Ok(())
    }

    /// How far the job `name` got: the last day it covered and when its last run started.
    pub async fn job_mark(
        &self,
        name: &str,
    ) -> Result<(Option<NaiveDate>, Option<DateTime<Utc>>), StoreError> {
        Ok(job_run::Entity::find_by_id(name.to_owned())
            .one(self.conn())
            .await?
            .map_or((None, None), |r| (r.last_day, r.last_started_at)))
    }

    /// Records that the job `name` covered `day` in a run started at `started`.
    pub async fn set_job_mark(
        &self,
        name: &str,
        day: NaiveDate,
        started: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        job_run::Entity::insert(job_run::ActiveModel {
            name: Set(name.to_owned()),
            last_day: Set(Some(day)),
            last_started_at: Set(Some(started)),
        })
        .on_conflict(
            OnConflict::column(job_run::Column::Name)
                .update_columns([job_run::Column::LastDay, job_run::Column::LastStartedAt])
                .to_owned(),
        )
        .exec_without_returning(self.conn())
        .await?;
        Ok(())
    }

    /// Enqueues reminders; a key already present is skipped. Returns how many were new.
    pub async fn enqueue_reminders(&self, news: Vec<NewReminder>) -> Result<u64, StoreError> {
        self.enqueue_reminders_with_notes(news, Vec::new()).await
    }

    /// Enqueues reminders and writes the inbox messages that go with them (站内消息), in
    /// one transaction; a reminder or message whose key is already present is skipped.
    /// Returns how many reminders were new.
    pub async fn enqueue_reminders_with_notes(
        &self,
        news: Vec<NewReminder>,
        notes: Vec<NewNotification>,
    ) -> Result<u64, StoreError> {
        if news.is_empty() && notes.is_empty() {
            return Ok(0);
        }
        if self.engine() == Engine::Postgres {
            let pool = self.conn().get_postgres_connection_pool();
            let mut tx = pool.begin().await.map_err(sqlx_error)?;
            let inserted = enqueue_reminders_in_bulk(&mut tx, &news).await?;
            insert_notes_in_bulk(&mut tx, &notes).await?;
            tx.commit().await.map_err(sqlx_error)?;
            return Ok(inserted);
        }
        let txn = self.begin_write().await?;
        let now = Utc::now();
        let mut rows = news.into_iter().map(|n| {
            let id = Uuid::now_v7();
            reminder::ActiveModel {
                id: Set(id),
                item_id: Set(n.item_id),
                recipient_person_id: Set(n.recipient_person_id),
                recipient_address: Set(n.recipient_address),
                channel: Set(n.channel),
                kind: Set(n.kind),
                refers_to: Set(n.refers_to),
                scheduled_at: Set(n.scheduled_at),
                status: Set("pending".into()),
                attempts: Set(0),
                lease_until: Set(None),
                last_error: Set(None),
                sent_at: Set(None),
                // Derived from the row: a rare duplicate delivery carries the same id.
                message_id: Set(Some(format!("<reminder-{id}@rectify>"))),
                escalation_level: Set(n.escalation_level),
                subject: Set(n.subject),
                idempotency_key: Set(n.idempotency_key),
                agency_id: Set(n.agency_id),
                body_text: Set(n.body_text),
                body_html: Set(n.body_html),
                recipient_name: Set(n.recipient_name),
                as_of: Set(n.as_of),
                created_at: Set(now),
                updated_at: Set(now),
            }
        });
        // One statement binds 20 values a row: PostgreSQL takes at most 65,535 values and
        // SQLite 32,766, so a sweep's batch goes in chunks.
        let mut inserted = 0;
        loop {
            let chunk: Vec<_> = rows.by_ref().take(ENQUEUE_CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let result = reminder::Entity::insert_many(chunk)
                .on_conflict(
                    OnConflict::column(reminder::Column::IdempotencyKey)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await;
            inserted += match result {
                Ok(n) => n,
                // sea-orm reports "nothing inserted" as an error when every row conflicted.
                Err(sea_orm::DbErr::RecordNotInserted) => 0,
                Err(e) => return Err(e.into()),
            };
        }
        insert_notes(&txn, notes, now).await?;
        txn.commit().await?;
        Ok(inserted)
    }

    /// Claims up to `limit` due rows on `channels` (pending and due, or sending with an
    /// expired lease), marking them `sending` until `lease_until` and counting the attempt.
    pub async fn claim_reminders(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
        channels: &[&str],
    ) -> Result<Vec<ReminderRow>, StoreError> {
        // Channel names are ours (never user input): inlined as literals.
        debug_assert!(
            channels
                .iter()
                .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase()))
        );
        let channels = channels
            .iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let (p, lock) = match self.engine() {
            Engine::Postgres => (["$1", "$2", "$3"], " FOR UPDATE SKIP LOCKED"),
            Engine::Sqlite => (["?", "?", "?"], ""),
        };
        let sql = format!(
            "UPDATE reminders SET status = 'sending', lease_until = {lease}, \
               attempts = attempts + 1, updated_at = {now} \
             WHERE id IN (SELECT id FROM reminders \
               WHERE channel IN ({channels}) AND ((status = 'pending' AND scheduled_at <= {now}) \
                  OR (status = 'sending' AND lease_until < {now})) \
               ORDER BY scheduled_at LIMIT {limit}{lock}) \
             RETURNING id",
            lease = p[0],
            now = p[1],
            limit = p[2],
        );
        let values: Vec<sea_orm::Value> = match self.engine() {
            Engine::Postgres => vec![lease_until.into(), now.into(), (limit as i64).into()],
            // SQLite numbers placeholders by position: `now` appears twice.
            Engine::Sqlite => vec![
                lease_until.into(),
                now.into(),
                now.into(),
                now.into(),
                (limit as i64).into(),
            ],
        };
        let statement =
            Statement::from_sql_and_values(self.conn().get_database_backend(), sql, values);
        // The claimed rows are read after the claim: sqlx's SQLite driver returns one
        // column too few for `RETURNING *` on this table (seen with 24 columns).
        let ids: Vec<Uuid> = self
            .conn()
            .query_all_raw(statement)
            .await?
            .iter()
            .map(|row| row.try_get("", "id"))
            .collect::<Result<_, _>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(reminder::Entity::find()
            .filter(reminder::Column::Id.is_in(ids))
            .order_by_asc(reminder::Column::ScheduledAt)
            .all(self.conn())
            .await?)
    }

    /// Marks a row delivered, keeping the message it was sent as.
    pub async fn mark_sent(
        &self,
        id: Uuid,
        message: SentMessage<'_>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        reminder::Entity::update_many()
            .col_expr(reminder::Column::Status, Expr::value("sent"))
            .col_expr(reminder::Column::Subject, Expr::value(message.subject))
            .col_expr(reminder::Column::BodyText, Expr::value(message.body_text))
            .col_expr(reminder::Column::BodyHtml, Expr::value(message.body_html))
            .col_expr(reminder::Column::SentAt, Expr::value(at))
            .col_expr(
                reminder::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(reminder::Column::UpdatedAt, Expr::value(at))
            .filter(reminder::Column::Id.eq(id))
            .filter(reminder::Column::Status.eq("sending"))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    /// Gives a claimed row back untouched (its attempt not counted), for another round.
    pub async fn release_reminder(&self, id: Uuid) -> Result<(), StoreError> {
        reminder::Entity::update_many()
            .col_expr(reminder::Column::Status, Expr::value("pending"))
            .col_expr(
                reminder::Column::Attempts,
                Expr::col(reminder::Column::Attempts).sub(1),
            )
            .col_expr(
                reminder::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(reminder::Column::Id.eq(id))
            .filter(reminder::Column::Status.eq("sending"))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    /// Reschedules a row after a temporary failure, or fails it for good (`retry_at` None).
    pub async fn mark_unsent(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut q = reminder::Entity::update_many()
            .col_expr(reminder::Column::LastError, Expr::value(error.to_owned()))
            .col_expr(
                reminder::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(reminder::Column::UpdatedAt, Expr::value(now));
        q = match retry_at {
            Some(at) => q
                .col_expr(reminder::Column::Status, Expr::value("pending"))
                .col_expr(reminder::Column::ScheduledAt, Expr::value(at)),
            None => q.col_expr(reminder::Column::Status, Expr::value("failed")),
        };
        q.filter(reminder::Column::Id.eq(id))
            .filter(reminder::Column::Status.eq("sending"))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    /// A page of reminders, newest first would need another index: in id (creation) order.
    pub async fn list_reminders(
        &self,
        status: Option<&str>,
        agency_ids: Option<&[Uuid]>,
        item_id: Option<Uuid>,
        page: PageRequest,
    ) -> Result<(Page<ReminderRow>, u64), StoreError> {
        let mut q = reminder::Entity::find();
        if let Some(status) = status {
            q = q.filter(reminder::Column::Status.eq(status));
        }
        if let Some(ids) = agency_ids {
            q = q.filter(reminder::Column::AgencyId.is_in(ids.iter().copied()));
        }
        if let Some(item) = item_id {
            q = q.filter(reminder::Column::ItemId.eq(item));
        }
        let total = q.clone().count(self.conn()).await?;
        if let Some(after) = page.after {
            q = q.filter(reminder::Column::Id.gt(after));
        }
        let rows = q
            .order_by_asc(reminder::Column::Id)
            .limit(page.limit())
            .all(self.conn())
            .await?;
        Ok((Page::from_rows(rows, &page), total))
    }

    /// Bytes of evidence files in storage, each stored file counted once (for `/metrics`).
    pub async fn evidence_bytes_stored(&self) -> Result<i64, StoreError> {
        let statement = sea_orm::Statement::from_string(
            self.conn().get_database_backend(),
            "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM \
               (SELECT storage_key, MAX(size_bytes) AS size_bytes FROM evidence \
                WHERE storage_key IS NOT NULL GROUP BY storage_key) stored",
        );
        let row = self.conn().query_one_raw(statement).await?;
        Ok(match row {
            Some(row) => row.try_get_by_index::<i64>(0)?,
            None => 0,
        })
    }

    /// How many reminders are in each status (for `/metrics`).
    pub async fn reminder_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(reminder::Entity::find()
            .select_only()
            .column(reminder::Column::Status)
            .column_as(reminder::Column::Id.count(), "n")
            .group_by(reminder::Column::Status)
            .into_tuple::<(String, i64)>()
            .all(self.conn())
            .await?)
    }

    /// How many items are in each state (for `/metrics`).
    pub async fn item_state_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        use super::entity::item;
        Ok(item::Entity::find()
            .select_only()
            .column(item::Column::State)
            .column_as(item::Column::Id.count(), "n")
            .group_by(item::Column::State)
            .into_tuple::<(String, i64)>()
            .all(self.conn())
            .await?)
    }

    /// How many items in `open_states` were due before `today` (for `/metrics`).
    pub async fn overdue_count(
        &self,
        today: chrono::NaiveDate,
        open_states: &[&str],
    ) -> Result<u64, StoreError> {
        use super::entity::item;
        use sea_orm::PaginatorTrait;
        Ok(item::Entity::find()
            .filter(item::Column::DueOn.lt(today))
            .filter(item::Column::State.is_in(open_states.iter().copied()))
            .count(self.conn())
            .await?)
    }

    /// The pool's connections in use and idle, and its size limit (for `/metrics`).
    pub fn pool_status(&self) -> (u32, u32, u32) {
        let (size, idle, max) = match self.engine() {
            super::Engine::Sqlite => {
                let p = self.conn().get_sqlite_connection_pool();
                (
                    p.size(),
                    p.num_idle() as u32,
                    p.options().get_max_connections(),
                )
            }
            super::Engine::Postgres => {
                let p = self.conn().get_postgres_connection_pool();
                (
                    p.size(),
                    p.num_idle() as u32,
                    p.options().get_max_connections(),
                )
            }
        };
        (size.saturating_sub(idle), idle, max)
    }
}

/// PostgreSQL: thousands of rows per statement, passed as one typed array per column
/// and unpacked by `unnest`. Building and binding a multi-row `INSERT` through
/// sea-query cost about 40 µs a row, ten times what PostgreSQL spends storing it, and
/// one JSON array (`json_to_recordset`) spent 40% of the statement parsing it; arrays
/// travel in the binary protocol. A day's sweep over a million items enqueues some
/// 80,000 reminders. (sea-orm binds no arrays without its `postgres-array` feature, so
/// this one statement goes through the sqlx pool underneath.)
async fn enqueue_reminders_in_bulk(
    tx: &mut sea_orm::sqlx::PgTransaction<'_>,
    news: &[NewReminder],
) -> Result<u64, StoreError> {
    const SQL: &str = "INSERT INTO reminders (id, item_id, agency_id, recipient_person_id, \
           recipient_address, recipient_name, channel, kind, refers_to, as_of, scheduled_at, \
           status, attempts, message_id, escalation_level, subject, body_text, body_html, \
           idempotency_key, created_at, updated_at) \
         SELECT r.id, r.item_id, r.agency_id, r.recipient_person_id, r.recipient_address, \
           r.recipient_name, r.channel, r.kind, r.refers_to, r.as_of, r.scheduled_at, \
           'pending', 0, '<reminder-' || r.id || '@rectify>', r.escalation_level, r.subject, \
           r.body_text, r.body_html, r.idempotency_key, $17, $17 \
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], \
           $7::text[], $8::text[], $9::date[], $10::date[], $11::timestamptz[], $12::int4[], \
           $13::text[], $14::text[], $15::text[], $16::text[]) \
           AS r(id, item_id, agency_id, recipient_person_id, recipient_address, \
                recipient_name, channel, kind, refers_to, as_of, scheduled_at, \
                escalation_level, subject, body_text, body_html, idempotency_key) \
         ON CONFLICT (idempotency_key) DO NOTHING";
    fn column<'a, T>(rows: &'a [NewReminder], f: impl Fn(&'a NewReminder) -> T) -> Vec<T> {
        rows.iter().map(f).collect()
    }
    let now = Utc::now();
    let mut inserted = 0;
    for chunk in news.chunks(BULK_CHUNK) {
        // Derived from the row (as the Message-ID is): a rare duplicate delivery carries
        // the same id.
        let ids: Vec<Uuid> = chunk.iter().map(|_| Uuid::now_v7()).collect();
        let result = sea_orm::sqlx::query(SQL)
            .bind(ids)
            .bind(column(chunk, |n| n.item_id))
            .bind(column(chunk, |n| n.agency_id))
            .bind(column(chunk, |n| n.recipient_person_id))
            .bind(column(chunk, |n| n.recipient_address.as_str()))
            .bind(column(chunk, |n| n.recipient_name.as_deref()))
            .bind(column(chunk, |n| n.channel.as_str()))
            .bind(column(chunk, |n| n.kind.as_str()))
            .bind(column(chunk, |n| n.refers_to))
            .bind(column(chunk, |n| n.as_of))
            .bind(column(chunk, |n| n.scheduled_at))
            .bind(column(chunk, |n| n.escalation_level))
            .bind(column(chunk, |n| n.subject.as_deref()))
            .bind(column(chunk, |n| n.body_text.as_deref()))
            .bind(column(chunk, |n| n.body_html.as_deref()))
            .bind(column(chunk, |n| n.idempotency_key.as_str()))
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(sqlx_error)?;
        inserted += result.rows_affected();
    }
    Ok(inserted)
}

/// A driver error from a statement sent through the sqlx pool underneath.
pub(super) fn sqlx_error(e: sea_orm::sqlx::Error) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(
        std::sync::Arc::new(e),
    )))
}
