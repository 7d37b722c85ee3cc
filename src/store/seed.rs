//! Bulk writes for synthetic data (`rectify seed`): items with every column set, in one
//! statement per batch.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{EntityTrait, Set};
use uuid::Uuid;

use super::{StoreError, entity::item, tx::Tx};

/// A synthetic item, fully formed.
#[derive(Clone, Debug)]
pub struct SeedItem {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub code: String,
    pub title: String,
    pub category: String,
    pub state: String,
    pub outcome: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub lead_person_id: Option<Uuid>,
    pub responsible_person_id: Option<Uuid>,
    pub measures: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_on: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Tx {
    /// Inserts synthetic items as given.
    pub async fn insert_seed_items(&self, items: Vec<SeedItem>) -> Result<(), StoreError> {
        let rows = items.into_iter().map(|s| item::ActiveModel {
            id: Set(s.id),
            agency_id: Set(s.agency_id),
            code: Set(Some(s.code)),
            shortcoming_id: Set(None),
            parent_item_id: Set(None),
            source: Set("appraisal".into()),
            source_document: Set(Some("合成数据 (rectify seed)".into())),
            title: Set(s.title),
            measures: Set(s.measures),
            category: Set(Some(s.category)),
            state: Set(s.state),
            outcome: Set(s.outcome),
            due_on: Set(s.due_on),
            lead_post_id: Set(None),
            lead_person_id: Set(s.lead_person_id),
            lead_unit_id: Set(None),
            responsible_person_id: Set(s.responsible_person_id),
            progress: Set(None),
            accepted_at: Set(s.accepted_at),
            assigned_at: Set(s.assigned_at),
            submitted_at: Set(s.submitted_at),
            submitted_on: Set(s.submitted_on),
            closed_at: Set(s.closed_at),
            verified_by: Set(None),
            version: Set(1),
            created_at: Set(s.created_at),
            updated_at: Set(s.created_at),
        });
        item::Entity::insert_many(rows)
            .exec_without_returning(&self.txn)
            .await?;
        Ok(())
    }
}
