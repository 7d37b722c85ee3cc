//! Agencies (机关/单位) and their jurisdiction tree.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::agency,
    page::{Page, PageRequest},
};

/// An agency as the rest of the service sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct AgencyRow {
    pub id: Uuid,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<Uuid>,
    pub kind: String,
    /// Its IANA time zone, parsed once here; `None` when the stored name is not a zone
    /// (never through the API, which checks it): the service's own zone stands in, see
    /// `Services::agency_zone`.
    pub time_zone: Option<chrono_tz::Tz>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<agency::Model> for AgencyRow {
    fn from(m: agency::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            short_name: m.short_name,
            parent_id: m.parent_id,
            kind: m.kind,
            time_zone: m.time_zone.parse().ok().or_else(|| {
                tracing::warn!(agency = %m.id, zone = %m.time_zone, "an agency's stored time zone is not one");
                None
            }),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// What a new agency is made of.
#[derive(Clone, Debug)]
pub struct NewAgency {
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<Uuid>,
    pub kind: String,
    pub time_zone: String,
}

/// Filters for listing agencies.
#[derive(Clone, Debug, Default)]
pub struct AgencyFilter {
    /// Only the direct children of this agency.
    pub parent_id: Option<Uuid>,
    /// Only names containing this text.
    pub name_contains: Option<String>,
    /// Only these agencies (the caller's reach); `None`: any.
    pub within: Option<Vec<Uuid>>,
}

impl Store {
    /// Inserts an agency.
    pub async fn insert_agency(&self, new: NewAgency) -> Result<AgencyRow, StoreError> {
        let now = Utc::now();
        let model = agency::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(new.name),
            short_name: Set(new.short_name),
            parent_id: Set(new.parent_id),
            kind: Set(new.kind),
            time_zone: Set(new.time_zone),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self.conn())
        .await?;
        Ok(model.into())
    }

    /// One agency by id.
    pub async fn agency(&self, id: Uuid) -> Result<Option<AgencyRow>, StoreError> {
        Ok(agency::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// One agency by its exact name.
    pub async fn agency_by_name(&self, name: &str) -> Result<Option<AgencyRow>, StoreError> {
        Ok(agency::Entity::find()
            .filter(agency::Column::Name.eq(name))
            .one(self.conn())
            .await?
            .map(Into::into))
    }

    /// Agencies by id, in no particular order (for data loaders).
    pub async fn agencies_by_ids(&self, ids: &[Uuid]) -> Result<Vec<AgencyRow>, StoreError> {
        Ok(agency::Entity::find()
            .filter(agency::Column::Id.is_in(ids.iter().copied()))
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    fn agency_query(filter: &AgencyFilter) -> sea_orm::Select<agency::Entity> {
        let mut query = agency::Entity::find();
        if let Some(parent) = filter.parent_id {
            query = query.filter(agency::Column::ParentId.eq(parent));
        }
        if let Some(ids) = &filter.within {
            query = query.filter(agency::Column::Id.is_in(ids.iter().copied()));
        }
        if let Some(text) = filter.name_contains.as_deref().filter(|t| !t.is_empty()) {
            query = query.filter(agency::Column::Name.contains(text));
        }
        query
    }

    /// A page of agencies in creation order.
    pub async fn list_agencies(
        &self,
        filter: &AgencyFilter,
        page: PageRequest,
    ) -> Result<Page<AgencyRow>, StoreError> {
        let mut query = Self::agency_query(filter);
        if let Some(after) = page.after {
            query = query.filter(agency::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(agency::Column::Id)
            .limit(page.limit())
            .all(self.conn())
            .await?;
        Ok(Page::from_rows(rows, &page).map(Into::into))
    }

    /// How many agencies match.
    pub async fn count_agencies(&self, filter: &AgencyFilter) -> Result<u64, StoreError> {
        Ok(Self::agency_query(filter).count(self.conn()).await?)
    }
}
