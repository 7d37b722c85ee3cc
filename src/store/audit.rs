//! Reads for verifying the audit trail: items in pages, their chain heads and events.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{chain_head, item, item_event},
    workflow::EventRow,
};

impl Store {
    /// Up to `limit` item ids after `after`, in id order, optionally only of `agency_ids`.
    pub async fn item_ids_page(
        &self,
        after: Option<Uuid>,
        limit: u64,
        agency_ids: Option<&[Uuid]>,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut q = item::Entity::find().select_only().column(item::Column::Id);
        if let Some(after) = after {
            q = q.filter(item::Column::Id.gt(after));
        }
        if let Some(ids) = agency_ids {
            q = q.filter(item::Column::AgencyId.is_in(ids.iter().copied()));
        }
        Ok(q.order_by_asc(item::Column::Id)
            .limit(limit)
            .into_tuple::<Uuid>()
            .all(self.conn())
            .await?)
    }

    /// The chain heads `(item, seq, hash)` of these items.
    pub async fn chain_heads(
        &self,
        item_ids: &[Uuid],
    ) -> Result<Vec<(Uuid, i32, String)>, StoreError> {
        Ok(chain_head::Entity::find()
            .filter(chain_head::Column::ItemId.is_in(item_ids.iter().copied()))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|h| (h.item_id, h.seq, h.hash))
            .collect())
    }

    /// Every event of these items, by item then sequence.
    pub async fn events_of_items(&self, item_ids: &[Uuid]) -> Result<Vec<EventRow>, StoreError> {
        Ok(item_event::Entity::find()
            .filter(item_event::Column::ItemId.is_in(item_ids.iter().copied()))
            .order_by_asc(item_event::Column::ItemId)
            .order_by_asc(item_event::Column::Seq)
            .all(self.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
