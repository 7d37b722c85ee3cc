//! Persons: the people who lead, own and verify items.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::person,
    page::{Page, PageRequest},
};

/// A person as the rest of the service sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<person::Model> for PersonRow {
    fn from(m: person::Model) -> Self {
        Self {
            id: m.id,
            agency_id: m.agency_id,
            name: m.name,
            title: m.title,
            email: m.email,
            phone: m.phone,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// What a new person is made of.
#[derive(Clone, Debug)]
pub struct NewPerson {
    pub agency_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A change to a person: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct PersonChange {
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub agency_id: Option<Uuid>,
}

/// Filters for listing persons.
#[derive(Clone, Debug, Default)]
pub struct PersonFilter {
    /// Only persons of these agencies (`None`: any).
    pub agency_ids: Option<Vec<Uuid>>,
    /// Only names containing this text.
    pub name_contains: Option<String>,
}

impl Store {
    /// Inserts a person.
    pub async fn insert_person(&self, new: NewPerson) -> Result<PersonRow, StoreError> {
        let now = Utc::now();
        let model = person::ActiveModel {
            id: Set(Uuid::now_v7()),
            agency_id: Set(new.agency_id),
            name: Set(new.name),
            title: Set(new.title),
            email: Set(new.email),
            phone: Set(new.phone),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self.conn())
        .await?;
        Ok(model.into())
    }

    /// Applies `change` to a person; `None` when there is no such person.
    pub async fn update_person(
        &self,
        id: Uuid,
        change: PersonChange,
    ) -> Result<Option<PersonRow>, StoreError> {
        let txn = self.begin_write().await?;
        let Some(current) = person::Entity::find_by_id(id).one(&txn).await? else {
            return Ok(None);
        };
        let mut model = current.into_active_model();
        if let Some(name) = change.name {
            model.name = Set(name);
        }
        if let Some(title) = change.title {
            model.title = Set(title);
        }
        if let Some(email) = change.email {
            model.email = Set(email);
        }
        if let Some(phone) = change.phone {
            model.phone = Set(phone);
        }
        if let Some(agency_id) = change.agency_id {
            model.agency_id = Set(agency_id);
        }
        model.updated_at = Set(Utc::now());
        let updated = model.update(&txn).await?;
        txn.commit().await?;
        Ok(Some(updated.into()))
    }

    /// One person by id.
    pub async fn person(&self, id: Uuid) -> Result<Option<PersonRow>, StoreError> {
        Ok(person::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// Persons by id, in no particular order (for data loaders).
    pub async fn persons_by_ids(&self, ids: &[Uuid]) -> Result<Vec<PersonRow>, StoreError> {
        Ok(person::Entity::find()
            .filter(person::Column::Id.is_in(ids.iter().copied()))
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    fn person_query(filter: &PersonFilter) -> sea_orm::Select<person::Entity> {
        let mut query = person::Entity::find();
        if let Some(ids) = &filter.agency_ids {
            query = query.filter(person::Column::AgencyId.is_in(ids.iter().copied()));
        }
        if let Some(text) = filter.name_contains.as_deref().filter(|t| !t.is_empty()) {
            query = query.filter(person::Column::Name.contains(text));
        }
        query
    }

    /// A page of persons in creation order.
    pub async fn list_persons(
        &self,
        filter: &PersonFilter,
        page: PageRequest,
    ) -> Result<Page<PersonRow>, StoreError> {
        let mut query = Self::person_query(filter);
        if let Some(after) = page.after {
            query = query.filter(person::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(person::Column::Id)
            .limit(page.limit())
            .all(self.conn())
            .await?;
        Ok(Page::from_rows(rows, &page).map(Into::into))
    }

    /// How many persons match.
    pub async fn count_persons(&self, filter: &PersonFilter) -> Result<u64, StoreError> {
        Ok(Self::person_query(filter).count(self.conn()).await?)
    }
}
