//! Posts (职务 such as 分管副局长) and their tenures: who held a post from when to when.
//! Responsibility for an item led by a post follows whoever holds the post on the day.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{post, post_tenure},
};

/// A post as the rest of the service sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct PostRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub title: String,
    pub created_at: DateTime<Utc>,
}

impl From<post::Model> for PostRow {
    fn from(m: post::Model) -> Self {
        Self {
            id: m.id,
            agency_id: m.agency_id,
            title: m.title,
            created_at: m.created_at,
        }
    }
}

/// One holder's time in a post.
#[derive(Clone, Debug, PartialEq)]
pub struct TenureRow {
    pub id: Uuid,
    pub post_id: Uuid,
    pub person_id: Uuid,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

impl From<post_tenure::Model> for TenureRow {
    fn from(m: post_tenure::Model) -> Self {
        Self {
            id: m.id,
            post_id: m.post_id,
            person_id: m.person_id,
            started_on: m.started_on,
            ended_on: m.ended_on,
        }
    }
}

fn held_on(day: NaiveDate) -> Condition {
    Condition::all()
        .add(post_tenure::Column::StartedOn.lte(day))
        .add(
            Condition::any()
                .add(post_tenure::Column::EndedOn.is_null())
                .add(post_tenure::Column::EndedOn.gt(day)),
        )
}

impl Store {
    /// Inserts a post.
    pub async fn insert_post(&self, agency_id: Uuid, title: &str) -> Result<PostRow, StoreError> {
        let now = Utc::now();
        Ok(post::ActiveModel {
            id: Set(Uuid::now_v7()),
            agency_id: Set(agency_id),
            title: Set(title.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self.conn())
        .await?
        .into())
    }

    /// One post by id.
    pub async fn post(&self, id: Uuid) -> Result<Option<PostRow>, StoreError> {
        Ok(post::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// Posts by id, in no particular order (for data loaders).
    pub async fn posts_by_ids(&self, ids: &[Uuid]) -> Result<Vec<PostRow>, StoreError> {
        Ok(post::Entity::find()
            .filter(post::Column::Id.is_in(ids.iter().copied()))
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The tenures of a post, earliest first.
    pub async fn tenures_of(&self, post_id: Uuid) -> Result<Vec<TenureRow>, StoreError> {
        Ok(post_tenure::Entity::find()
            .filter(post_tenure::Column::PostId.eq(post_id))
            .order_by_asc(post_tenure::Column::StartedOn)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Who holds each of `post_ids` on `day` (posts without a holder are absent).
    pub async fn post_holders(
        &self,
        post_ids: &[Uuid],
        day: NaiveDate,
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        Ok(post_tenure::Entity::find()
            .filter(post_tenure::Column::PostId.is_in(post_ids.iter().copied()))
            .filter(held_on(day))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|t| (t.post_id, t.person_id))
            .collect())
    }

    /// Appoints `person_id` to `post_id` from `day`: the current holder's tenure (if any)
    /// ends that day, in the same transaction.
    pub async fn appoint(
        &self,
        post_id: Uuid,
        person_id: Uuid,
        day: NaiveDate,
    ) -> Result<TenureRow, StoreError> {
        let txn = self.begin_write().await?;
        post_tenure::Entity::update_many()
            .col_expr(post_tenure::Column::EndedOn, Expr::value(day))
            .filter(post_tenure::Column::PostId.eq(post_id))
            .filter(post_tenure::Column::EndedOn.is_null())
            .exec(&txn)
            .await?;
        let tenure = post_tenure::ActiveModel {
            id: Set(Uuid::now_v7()),
            post_id: Set(post_id),
            person_id: Set(person_id),
            started_on: Set(day),
            ended_on: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(tenure.into())
    }

    /// The posts `person_id` holds on `day`.
    pub async fn posts_held(
        &self,
        person_id: Uuid,
        day: NaiveDate,
    ) -> Result<Vec<Uuid>, StoreError> {
        Ok(post_tenure::Entity::find()
            .filter(post_tenure::Column::PersonId.eq(person_id))
            .filter(held_on(day))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|t| t.post_id)
            .collect())
    }
}

impl Store {
    /// The posts each of `person_ids` holds on `day`, as (post, person).
    pub async fn posts_held_by(
        &self,
        person_ids: &[Uuid],
        day: NaiveDate,
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        if person_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(post_tenure::Entity::find()
            .filter(post_tenure::Column::PersonId.is_in(person_ids.iter().copied()))
            .filter(held_on(day))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|t| (t.post_id, t.person_id))
            .collect())
    }
}

impl Store {
    /// Posts of these agencies, by title, at most `limit` (for pickers).
    pub async fn posts_of_agencies(
        &self,
        agency_ids: &[Uuid],
        limit: u64,
    ) -> Result<Vec<PostRow>, StoreError> {
        use sea_orm::QuerySelect;
        if agency_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(post::Entity::find()
            .filter(post::Column::AgencyId.is_in(agency_ids.iter().copied()))
            .order_by_asc(post::Column::Title)
            .order_by_asc(post::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
