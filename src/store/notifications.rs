//! Each person's inbox in the application (站内消息).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use super::{Store, StoreError, entity::notification, tx::Tx};

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
