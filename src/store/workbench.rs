//! Batched reads for a person's workbench: the workflow events and extension requests of
//! many items in one query each.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    Store, StoreError,
    entity::{extension_request, item_event},
    workflow::{EventRow, ExtensionRow},
};

/// Ids bound in one `IN (…)` list.
const IDS_PER_QUERY: usize = 1_000;

impl Store {
    /// The events of `item_ids` whose action is one of `actions`, in chain order per item.
    pub async fn events_of_items_by_action(
        &self,
        item_ids: &[Uuid],
        actions: &[&str],
    ) -> Result<Vec<EventRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in item_ids.chunks(IDS_PER_QUERY) {
            out.extend(
                item_event::Entity::find()
                    .filter(item_event::Column::ItemId.is_in(chunk.iter().copied()))
                    .filter(item_event::Column::Action.is_in(actions.iter().copied()))
                    .order_by_asc(item_event::Column::ItemId)
                    .order_by_asc(item_event::Column::Seq)
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(EventRow::from),
            );
        }
        Ok(out)
    }

    /// The extension requests of `item_ids`, oldest first.
    pub async fn extensions_of_items(
        &self,
        item_ids: &[Uuid],
    ) -> Result<Vec<ExtensionRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in item_ids.chunks(IDS_PER_QUERY) {
            out.extend(
                extension_request::Entity::find()
                    .filter(extension_request::Column::ItemId.is_in(chunk.iter().copied()))
                    .order_by_asc(extension_request::Column::Id)
                    .all(self.conn())
                    .await?
                    .into_iter()
                    .map(ExtensionRow::from),
            );
        }
        Ok(out)
    }
}
