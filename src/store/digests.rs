//! The queries behind list messages: a person's open items (the weekly digest) and an
//! agency's items from earlier reports still open (the January reporting calendar).

use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Query,
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{item, person, report, shortcoming},
    items::ItemRow,
    persons::PersonRow,
};

impl Store {
    /// Persons with an email address, in id order after `after`.
    pub async fn persons_with_email(
        &self,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<PersonRow>, StoreError> {
        let mut q = person::Entity::find().filter(person::Column::Email.is_not_null());
        if let Some(after) = after {
            q = q.filter(person::Column::Id.gt(after));
        }
        Ok(q.order_by_asc(person::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Items in `states` that `persons` lead or are responsible for, or that are led by one
    /// of `posts`; by due date (undated last), at most `limit`.
    pub async fn items_owned_by(
        &self,
        persons: &[Uuid],
        posts: &[Uuid],
        states: &[String],
        limit: u64,
    ) -> Result<Vec<ItemRow>, StoreError> {
        if persons.is_empty() && posts.is_empty() {
            return Ok(Vec::new());
        }
        let who = Condition::any()
            .add(item::Column::LeadPersonId.is_in(persons.iter().copied()))
            .add(item::Column::ResponsiblePersonId.is_in(persons.iter().copied()))
            .add(item::Column::LeadPostId.is_in(posts.iter().copied()));
        Ok(item::Entity::find()
            .filter(item::Column::State.is_in(states.iter().cloned()))
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

    /// An agency's items in `states` that rectify shortcomings of its reports for years up to
    /// `up_to_year`: the first `limit` by due date, and how many there are.
    pub async fn open_items_of_earlier_reports(
        &self,
        agency_id: Uuid,
        up_to_year: i32,
        states: &[String],
        limit: u64,
    ) -> Result<(Vec<ItemRow>, u64), StoreError> {
        let q = item::Entity::find()
            .filter(item::Column::AgencyId.eq(agency_id))
            .filter(item::Column::State.is_in(states.iter().cloned()))
            .filter(
                item::Column::ShortcomingId.in_subquery(
                    Query::select()
                        .column(shortcoming::Column::Id)
                        .from(shortcoming::Entity)
                        .and_where(
                            shortcoming::Column::ReportId.in_subquery(
                                Query::select()
                                    .column(report::Column::Id)
                                    .from(report::Entity)
                                    .and_where(report::Column::AgencyId.eq(agency_id))
                                    .and_where(report::Column::Year.lte(up_to_year))
                                    .to_owned(),
                            ),
                        )
                        .to_owned(),
                ),
            );
        let total = q.clone().count(self.conn()).await?;
        let rows = q
            .order_by_asc(item::Column::DueOn)
            .order_by_asc(item::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok((rows, total))
    }
}
