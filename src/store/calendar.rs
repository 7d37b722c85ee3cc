//! Calendar feeds: a person's revocable feed tokens (stored only as SHA-256 digests), and
//! the one query a feed needs — the person's open items with a due date.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Expr, Query},
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{account, calendar_feed, item, post_tenure},
    items::ItemRow,
};

/// A feed's row, without its digest.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarFeedRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<calendar_feed::Model> for CalendarFeedRow {
    fn from(m: calendar_feed::Model) -> Self {
        Self {
            id: m.id,
            person_id: m.person_id,
            revoked_at: m.revoked_at,
            created_at: m.created_at,
        }
    }
}

impl Store {
    /// Stores a new feed of `person_id` under the digest of its token.
    pub async fn insert_calendar_feed(
        &self,
        person_id: Uuid,
        token_hash: &str,
    ) -> Result<CalendarFeedRow, StoreError> {
        Ok(calendar_feed::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(person_id),
            token_hash: Set(token_hash.to_owned()),
            revoked_at: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(self.conn())
        .await?
        .into())
    }

    /// The unrevoked feed with this token digest.
    pub async fn active_calendar_feed(
        &self,
        token_hash: &str,
    ) -> Result<Option<CalendarFeedRow>, StoreError> {
        Ok(calendar_feed::Entity::find()
            .filter(calendar_feed::Column::TokenHash.eq(token_hash))
            .filter(calendar_feed::Column::RevokedAt.is_null())
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// One feed by id.
    pub async fn calendar_feed(&self, id: Uuid) -> Result<Option<CalendarFeedRow>, StoreError> {
        Ok(calendar_feed::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// A person's feeds, revoked ones included, newest first, at most `limit`.
    pub async fn calendar_feeds_of(
        &self,
        person_id: Uuid,
        limit: u64,
    ) -> Result<Vec<CalendarFeedRow>, StoreError> {
        Ok(calendar_feed::Entity::find()
            .filter(calendar_feed::Column::PersonId.eq(person_id))
            .order_by_desc(calendar_feed::Column::CreatedAt)
            .order_by_desc(calendar_feed::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Revokes a feed (a revoked one keeps its first revocation time); the row after, if
    /// it exists.
    pub async fn revoke_calendar_feed(
        &self,
        id: Uuid,
    ) -> Result<Option<CalendarFeedRow>, StoreError> {
        calendar_feed::Entity::update_many()
            .col_expr(calendar_feed::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(calendar_feed::Column::Id.eq(id))
            .filter(calendar_feed::Column::RevokedAt.is_null())
            .exec(self.conn())
            .await?;
        self.calendar_feed(id).await
    }

    /// Whether some enabled account acts for `person_id` (a feed outlives no account).
    pub async fn person_has_live_account(&self, person_id: Uuid) -> Result<bool, StoreError> {
        Ok(account::Entity::find()
            .filter(account::Column::PersonId.eq(person_id))
            .filter(account::Column::DisabledAt.is_null())
            .count(self.conn())
            .await?
            > 0)
    }

    /// The items in `states` with a due date that `person_id` leads in person, is
    /// responsible for, or leads through a post held on `day`: by due date, at most `limit`.
    /// One statement; each branch of the OR has its index (`items_lead_person_id_state`,
    /// `items_responsible_person_id`, `items_lead_post_id`, `post_tenures_person_id`).
    pub async fn calendar_items(
        &self,
        person_id: Uuid,
        day: NaiveDate,
        states: &[String],
        limit: u64,
    ) -> Result<Vec<ItemRow>, StoreError> {
        let posts_held = Query::select()
            .column(post_tenure::Column::PostId)
            .from(post_tenure::Entity)
            .cond_where(
                Condition::all()
                    .add(post_tenure::Column::PersonId.eq(person_id))
                    .add(post_tenure::Column::StartedOn.lte(day))
                    .add(
                        Condition::any()
                            .add(post_tenure::Column::EndedOn.is_null())
                            .add(post_tenure::Column::EndedOn.gt(day)),
                    ),
            )
            .to_owned();
        let who = Condition::any()
            .add(item::Column::LeadPersonId.eq(person_id))
            .add(item::Column::ResponsiblePersonId.eq(person_id))
            .add(item::Column::LeadPostId.in_subquery(posts_held));
        Ok(item::Entity::find()
            .filter(item::Column::State.is_in(states.iter().cloned()))
            .filter(item::Column::DueOn.is_not_null())
            .filter(who)
            .order_by_asc(item::Column::DueOn)
            .order_by_asc(item::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
