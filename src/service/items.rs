//! Use cases that read items.

use uuid::Uuid;

use super::{Actor, ServiceError, Services};
use crate::store::{
    items::{ItemFilter, ItemRow},
    page::{Page, PageRequest},
};

impl Services {
    /// One item.
    pub async fn item(&self, _actor: &Actor, id: Uuid) -> Result<ItemRow, ServiceError> {
        self.store
            .item(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("item", id))
    }

    /// A page of items and the total count.
    pub async fn items(
        &self,
        _actor: &Actor,
        filter: ItemFilter,
        page: PageRequest,
    ) -> Result<(Page<ItemRow>, u64), ServiceError> {
        if let (Some(a), Some(b)) = (filter.due_on_or_after, filter.due_on_or_before)
            && a > b
        {
            return Err(ServiceError::invalid(
                "filter",
                format!("dueAfter ({a}) is later than dueBefore ({b})"),
            ));
        }
        let rows = self.store.list_items(&filter, page).await?;
        let total = self.store.count_items(&filter).await?;
        Ok((rows, total))
    }
}
