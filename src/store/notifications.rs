//! Each person's inbox in the application (站内消息).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use super::{Store, StoreError, entity::notification, tx::Tx};

/// A message to put in an inbox by a job: with a key, so writing it twice leaves one.
#[derive(Clone, Debug)]
pub struct NewNotification {
    pub person_id: Uuid,
    pub item_id: Option<Uuid>,
    pub kind: String,
    pub text: String,
    pub key: String,
}

/// Rows per statement (7 values a row, well within SQLite's 32,766).
const NOTES_CHUNK: usize = 1_000;

/// Writes `notes` on `conn` (a transaction), skipping keys already present.
pub(super) async fn insert_notes(
    conn: &impl ConnectionTrait,
    notes: Vec<NewNotification>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut rows = notes.into_iter().map(|n| notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(n.person_id),
        item_id: Set(n.item_id),
        kind: Set(n.kind),
        text: Set(n.text),
        created_at: Set(now),
        read_at: Set(None),
        key: Set(Some(n.key)),
    });
    loop {
        let chunk: Vec<_> = rows.by_ref().take(NOTES_CHUNK).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        let result = notification::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::column(notification::Column::Key)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await;
        match result {
            Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// PostgreSQL: `notes` in statements of thousands of rows, one array per column (as the
/// reminders beside them), skipping keys already present.
pub(super) async fn insert_notes_in_bulk(
    tx: &mut sea_orm::sqlx::PgTransaction<'_>,
    notes: &[NewNotification],
) -> Result<(), StoreError> {
    const SQL: &str = "INSERT INTO notifications (id, person_id, item_id, kind, text, key, \
           created_at) \
         SELECT n.id, n.person_id, n.item_id, n.kind, n.text, n.key, $7 \
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[]) \
           AS n(id, person_id, item_id, kind, text, key) \
         ON CONFLICT (key) DO NOTHING";
    let now = Utc::now();
    for chunk in notes.chunks(5_000) {
        sea_orm::sqlx::query(SQL)
            .bind(chunk.iter().map(|_| Uuid::now_v7()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|n| n.person_id).collect::<Vec<_>>())
            .bind(chunk.iter().map(|n| n.item_id).collect::<Vec<_>>())
            .bind(chunk.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|n| n.text.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|n| n.key.as_str()).collect::<Vec<_>>())
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(super::reminders::sqlx_error)?;
    }
    Ok(())
}

/// A message in an inbox.
#[derive(Clone, Debug, PartialEq)]
pub struct NotificationRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub item_id: Option<Uuid>,
    pub kind: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<notification::Model> for NotificationRow {
    fn from(m: notification::Model) -> Self {
        Self {
            id: m.id,
            person_id: m.person_id,
            item_id: m.item_id,
            kind: m.kind,
            text: m.text,
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

impl Tx {
    /// Puts one message about `item_id` in each of `persons`' inboxes.
    pub async fn notify(
        &self,
        persons: &[Uuid],
        item_id: Uuid,
        kind: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        for person in persons {
            notification::ActiveModel {
                id: Set(Uuid::now_v7()),
                person_id: Set(*person),
                item_id: Set(Some(item_id)),
                kind: Set(kind.to_owned()),
                text: Set(text.to_owned()),
                created_at: Set(now),
                read_at: Set(None),
                key: Set(None),
            }
            .insert(&self.txn)
            .await?;
        }
        Ok(())
    }
}

impl Store {
    /// A person's latest messages, newest first (at most `limit`).
    pub async fn notifications_of(
        &self,
        person_id: Uuid,
        limit: u64,
    ) -> Result<Vec<NotificationRow>, StoreError> {
        Ok(notification::Entity::find()
            .filter(notification::Column::PersonId.eq(person_id))
            .order_by_desc(notification::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// How many of a person's messages are unread.
    pub async fn unread_notifications(&self, person_id: Uuid) -> Result<u64, StoreError> {
        Ok(notification::Entity::find()
            .filter(notification::Column::PersonId.eq(person_id))
            .filter(notification::Column::ReadAt.is_null())
            .count(self.conn())
            .await?)
    }

    /// Marks a person's messages read: those in `ids`, or all with `None`; how many changed.
    pub async fn mark_notifications_read(
        &self,
        person_id: Uuid,
        ids: Option<&[Uuid]>,
    ) -> Result<u64, StoreError> {
        let mut update = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
            .filter(notification::Column::PersonId.eq(person_id))
            .filter(notification::Column::ReadAt.is_null());
        if let Some(ids) = ids {
            update = update.filter(notification::Column::Id.is_in(ids.iter().copied()));
        }
        Ok(update.exec(self.conn()).await?.rows_affected)
    }
}
