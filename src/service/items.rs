//! Use cases that read items.

use uuid::Uuid;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::{Actor, ServiceError, Services};
use crate::{
    domain::access::Operation,
    store::{
        items::{EscalationFilter, ItemFilter, ItemRow, ItemSort, ItemWith, Joined},
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
            .map(|(tz, today)| {
                let day = today - chrono::Duration::days(policy.accept_within_days - 1);
                let late = day
                    .and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(tz).earliest())
                    .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc));
                (tz, today, late)
            })
            .collect();
        Ok(EscalationFilter {
            level,
            open_states,
            awaiting_state,
            zones,
        })
    }

    /// "Overdue" for the item filter: today in each time zone agencies use, and the states
    /// an item can be overdue in (the workflow's, not final).
    pub async fn overdue_filter(&self) -> Result<crate::store::items::Overdue, ServiceError> {
        Ok(crate::store::items::Overdue {
            cutoffs: self.overdue_cutoffs().await?,
            open_states: self
                .workflow
                .open_states()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        })
    }

    /// Each time zone agencies use, with today's date there.
    pub async fn overdue_cutoffs(&self) -> Result<Vec<(Tz, NaiveDate)>, ServiceError> {
        let now = std::time::Instant::now();
        let zones = match self.zones.get(now) {
            Ok(zones) => zones,
            Err(generation) => {
                let zones: std::sync::Arc<[Tz]> = self.store.time_zones_in_use().await?.into();
                self.zones.put(generation, zones.clone(), now);
                zones
            }
        };
        if zones.is_empty() {
            return Ok(vec![(self.time_zone, self.today_in(self.time_zone))]);
        }
        Ok(zones.iter().map(|z| (*z, self.today_in(*z))).collect())
    }

    /// A page of items and, when `count_total`, how many match over all pages.
    pub async fn items(
        &self,
        actor: &Actor,
        filter: ItemFilter,
        page: PageRequest,
        wanted: Wanted,
    ) -> Result<(Page<ItemWith>, Option<u64>), ServiceError> {
        let filter = self.scoped_filter(actor, filter).await?;
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

    /// `filter` narrowed to what the caller may see, once its own bounds are checked.
    async fn scoped_filter(
        &self,
        actor: &Actor,
        mut filter: ItemFilter,
    ) -> Result<ItemFilter, ServiceError> {
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
        Ok(filter)
    }

    /// Page `page` (from 0) of `per_page` matching items in `order`, and how many match.
    /// Pages past [`MAX_SORTED_PAGE`] are refused (a numbered page is read by offset).
    pub async fn items_sorted(
        &self,
        actor: &Actor,
        filter: ItemFilter,
        order: ItemOrder,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<ItemRow>, u64), ServiceError> {
        if page > MAX_SORTED_PAGE {
            return Err(ServiceError::invalid(
                "page",
                format!("页码最多到 {}，请缩小筛选范围", MAX_SORTED_PAGE + 1),
            ));
        }
        let per_page = per_page.clamp(1, crate::store::page::MAX_PAGE);
        let (rows, total) = self
            .items_ordered(actor, filter, order, page * per_page, per_page, true)
            .await?;
        Ok((rows, total.unwrap_or(0)))
    }

    /// `limit` matching items in `order` from `offset` on, and how many match over all
    /// when `count_total`. An offset past [`MAX_SORTED_OFFSET`] is refused: deep offsets
    /// cost a scan of every row before them.
    pub async fn items_ordered(
        &self,
        actor: &Actor,
        filter: ItemFilter,
        order: ItemOrder,
        offset: u64,
        limit: u64,
        count_total: bool,
    ) -> Result<(Vec<ItemRow>, Option<u64>), ServiceError> {
        let filter = self.scoped_filter(actor, filter).await?;
        if offset > MAX_SORTED_OFFSET {
            return Err(ServiceError::invalid(
                "after",
                format!("排序后的列表最多翻到第 {MAX_SORTED_OFFSET} 项，请缩小筛选范围"),
            ));
        }
        let sort = match order {
            ItemOrder::Created => ItemSort::Created,
            ItemOrder::DueOn => ItemSort::DueOn,
            ItemOrder::Code => ItemSort::Code,
            ItemOrder::Updated => ItemSort::Updated,
            ItemOrder::State => ItemSort::State(
                self.workflow
                    .states()
                    .iter()
                    .map(|s| s.name.clone())
                    .collect(),
            ),
        };
        let rows = if limit == 0 {
            Vec::new()
        } else {
            self.store
                .list_items_sorted(&filter, &sort, offset, limit)
                .await?
        };
        let total = if count_total {
            Some(self.store.count_items(&filter).await?)
        } else {
            None
        };
        Ok((rows, total))
    }
}

/// The farthest offset into a sorted list (numbered pages and GraphQL's ordered lists).
pub const MAX_SORTED_OFFSET: u64 = 10_000;

/// The deepest numbered page of a sorted list (0-based).
pub const MAX_SORTED_PAGE: u64 = 500;

/// How a list of items is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ItemOrder {
    /// As created.
    #[default]
    Created,
    /// By due date, the earliest first.
    DueOn,
    /// By state in the workflow's order, then by due date.
    State,
    /// By ledger number (台账编号).
    Code,
    /// The most recently changed first.
    Updated,
}

impl ItemOrder {
    /// The order named `name` in a URL (`due`, `state`, `code`, `updated`; else as created).
    pub fn parse(name: &str) -> Self {
        match name {
            "due" => Self::DueOn,
            "state" => Self::State,
            "code" => Self::Code,
            "updated" => Self::Updated,
            _ => Self::Created,
        }
    }
}
