//! An item's records — its evidence, its history (the audit events) and its extension
//! requests — read for many items at once (one query per kind for a whole page of items),
//! each item checked against the caller first. The GraphQL resolvers read them through
//! here (batched by a loader per request), so they get the same checks as the pages.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Actor, ServiceError, Services};
use crate::{
    domain::access::Operation,
    store::workflow::{EventRow, EvidenceRow, ExtensionRow},
};

/// Records grouped by their item; every asked item has an entry (maybe empty).
pub type ByItem<T> = HashMap<Uuid, Vec<T>>;

impl Services {
    /// Checks that the caller may read every item of `ids` (unknown ids are not found).
    async fn require_items(&self, actor: &Actor, ids: &[Uuid]) -> Result<(), ServiceError> {
        actor.require(Operation::Read)?;
        let items = self.store.items_by_ids(ids).await?;
        for id in ids {
            let item = items
                .iter()
                .find(|i| i.id == *id)
                .ok_or_else(|| ServiceError::not_found("item", id))?;
            actor.require_item(item)?;
        }
        Ok(())
    }

    /// The evidence of items, oldest first per item.
    pub async fn evidence_of_items(
        &self,
        actor: &Actor,
        ids: &[Uuid],
    ) -> Result<ByItem<EvidenceRow>, ServiceError> {
        self.require_items(actor, ids).await?;
        let mut out = empty(ids);
        for row in self.store.evidence_of_items(ids).await? {
            out.entry(row.item_id).or_default().push(row);
        }
        Ok(out)
    }

    /// The audit events of items, oldest first per item.
    pub async fn history_of_items(
        &self,
        actor: &Actor,
        ids: &[Uuid],
    ) -> Result<ByItem<EventRow>, ServiceError> {
        self.require_items(actor, ids).await?;
        let mut out = empty(ids);
        for row in self.store.events_of_items(ids).await? {
            out.entry(row.item_id).or_default().push(row);
        }
        Ok(out)
    }

    /// The extension requests of items, oldest first per item.
    pub async fn extensions_of_items(
        &self,
        actor: &Actor,
        ids: &[Uuid],
    ) -> Result<ByItem<ExtensionRow>, ServiceError> {
        self.require_items(actor, ids).await?;
        let mut out = empty(ids);
        for row in self.store.extensions_of_items(ids).await? {
            out.entry(row.item_id).or_default().push(row);
        }
        Ok(out)
    }
}

fn empty<T>(ids: &[Uuid]) -> ByItem<T> {
    ids.iter().map(|id| (*id, Vec::new())).collect()
}
