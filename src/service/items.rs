//! Use cases that read items.

use uuid::Uuid;

use chrono::NaiveDate;

use super::{Actor, ServiceError, Services};
use crate::{
    domain::access::Operation,
    store::{
        items::{EscalationFilter, ItemFilter, ItemRow, ItemWith, Joined},
        page::{Page, PageRequest},
        workflow::{EventRow, ExtensionRow},
    },
};

/// What a list request asks for: its rows, its total, or both; and what to read with
/// each row in the same statement.
#[derive(Clone, Copy, Debug)]
pub struct Wanted {
    pub rows: bool,
    pub total: bool,
    pub with: Joined,
}

impl Services {
    /// One item.
    pub async fn item(&self, actor: &Actor, id: Uuid) -> Result<ItemRow, ServiceError> {
        actor.require(Operation::Read)?;
        let item = self
            .store
            .item(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("item", id))?;
        actor.require_item(&item)?;
        Ok(item)
    }

    /// One item with what `with` joins to it, read in one statement.
    pub async fn item_with(
        &self,
        actor: &Actor,
        id: Uuid,
        with: Joined,
    ) -> Result<ItemWith, ServiceError> {
        actor.require(Operation::Read)?;
        let found = self
            .store
            .item_with(id, with)
            .await?
            .ok_or_else(|| ServiceError::not_found("item", id))?;
        actor.require_item(&found.item)?;
        Ok(found)
    }

    /// An item's audit events, oldest first.
    pub async fn item_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<EventRow>, ServiceError> {
        let item = self.item(actor, id).await?;
        Ok(self.store.events_of(item.id).await?)
    }

    /// An item's extension requests, oldest first.
    pub async fn item_extensions(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<ExtensionRow>, ServiceError> {
        let item = self.item(actor, id).await?;
        Ok(self.store.extensions_of(item.id).await?)
    }

    /// The escalation-level filter for `level`, in each time zone agencies use.
    pub async fn escalation_filter(&self, level: u8) -> Result<EscalationFilter, ServiceError> {
        if level > 3 {
            return Err(ServiceError::invalid(
                "escalationLevel",
                "督办等级为 0 至 3",
            ));
        }
        let policy = self.policy.clone();
        let (open_states, awaiting_state) = self.owner_states();
        let zones = self
            .overdue_cutoffs()
            .await?
            .into_iter()
            .map(|(zone, today)| {
                let tz: chrono_tz::Tz = zone.parse().unwrap_or(self.time_zone);
                let day = today - chrono::Duration::days(policy.accept_within_days - 1);
                let late = day
                    .and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(tz).earliest())
                    .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc));
                (zone, today, late)
            })
            .collect();
        Ok(EscalationFilter {
            level,
            open_states,
            awaiting_state,
            zones,
        })
    }

    /// "Overdue" for the item filter: each time zone agencies use, with today's date there.
    pub async fn overdue_cutoffs(&self) -> Result<Vec<(String, NaiveDate)>, ServiceError> {
        let now = std::time::Instant::now();
        let zones = match self.zones.get(now) {
            Ok(zones) => zones,
            Err(generation) => {
                let zones: std::sync::Arc<[String]> = self.store.time_zones_in_use().await?.into();
                self.zones.put(generation, zones.clone(), now);
                zones
            }
        };
        if zones.is_empty() {
            let zone = self.time_zone.name().to_owned();
            let today = self.today_in(&zone);
            return Ok(vec![(zone, today)]);
        }
        Ok(zones
            .iter()
            .map(|z| (z.clone(), self.today_in(z)))
            .collect())
    }

    /// A page of items and, when `count_total`, how many match over all pages.
    pub async fn items(
        &self,
        actor: &Actor,
        mut filter: ItemFilter,
        page: PageRequest,
        wanted: Wanted,
    ) -> Result<(Page<ItemWith>, Option<u64>), ServiceError> {
        // Items led through a post count for whoever holds it today.
        if let Some(person) = filter.lead_person_id {
            filter.lead_posts = self.store.posts_held(person, self.today()).await?;
        }
        match actor.own_items_only() {
            // Leaders and persons see the items they lead or are in charge of, wherever.
            Some(own) => {
                actor.require(Operation::Read)?;
                filter.involving = Some(own);
            }
            None => filter.agency_ids = actor.scope_agencies(filter.agency_ids)?,
        }
        if filter
            .text
            .as_ref()
            .is_some_and(|t| t.chars().count() > 100)
        {
            return Err(ServiceError::invalid(
                "filter.text",
                "搜索内容最多 100 个字",
            ));
        }
        if let (Some(a), Some(b)) = (filter.due_on_or_after, filter.due_on_or_before)
            && a > b
        {
            return Err(ServiceError::invalid(
                "filter",
                format!("开始日期（{a}）晚于结束日期（{b}）"),
            ));
        }
        // Only what was asked for: a count alone runs one statement, a page alone one.
        let rows = if wanted.rows {
            self.store
                .list_items_with(&filter, page, wanted.with)
                .await?
        } else {
            Page {
                nodes: Vec::new(),
                has_next_page: false,
            }
        };
        let total = if wanted.total {
            Some(self.store.count_items(&filter).await?)
        } else {
            None
        };
        Ok((rows, total))
    }
}
