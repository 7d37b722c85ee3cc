//! What every adapter shows of an item beyond its columns — overdue, the escalation level
//! (督办等级), days left, the actions the caller may take now — decided once here, with
//! the workflow's own final states, for GraphQL resolvers and web pages alike.

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;

use super::{Actor, Services};
use crate::{
    domain::{
        ItemCategory,
        reminders::{ItemDates, escalation_level},
        workflow::ItemFacts,
    },
    store::items::ItemRow,
};

/// An item's standing on its agency's today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemStatus {
    /// Today where the item's agency is.
    pub today: NaiveDate,
    /// Past its due date and not in a final state.
    pub overdue: bool,
    /// 0 normal, 1 蓝, 2 黄, 3 红 (see `domain::reminders::escalation_level`).
    pub escalation_level: u8,
    /// Days until the due date (negative when overdue); `None` without a due date or once
    /// the item is in a final state.
    pub days_left: Option<i64>,
}

impl Services {
    /// The time zone `zone` names, or the service's own when it names none.
    pub fn zone(&self, zone: Option<&str>) -> Tz {
        zone.and_then(|z| z.parse().ok()).unwrap_or(self.time_zone)
    }

    /// Whether the item is in one of the workflow's final states.
    pub fn is_final(&self, item: &ItemRow) -> bool {
        self.workflow.is_final(&item.state)
    }

    /// A zone looked up in a map, or the service's own.
    pub fn zone_or_default(&self, zone: Option<&Tz>) -> Tz {
        zone.copied().unwrap_or(self.time_zone)
    }

    /// The standing of `item`, judged by the calendar day in `zone` (its agency's time zone).
    pub fn item_status(&self, item: &ItemRow, zone: Option<&str>) -> ItemStatus {
        self.item_status_in(item, self.zone(zone))
    }

    /// The standing of `item`, judged by the calendar day in `tz`.
    pub fn item_status_in(&self, item: &ItemRow, tz: Tz) -> ItemStatus {
        let today = Utc::now().with_timezone(&tz).date_naive();
        let is_final = self.is_final(item);
        let awaiting = self
            .workflow
            .action("accept")
            .is_some_and(|a| a.transitions.iter().any(|t| t.from == item.state));
        let dates = ItemDates {
            open: !is_final && item.state != self.workflow.initial(),
            awaiting_acceptance: awaiting,
            long_term: is_long_term(item),
            due_on: item.due_on,
            assigned_on: item.assigned_at.map(|t| t.with_timezone(&tz).date_naive()),
            accepted_on: item.accepted_at.map(|t| t.with_timezone(&tz).date_naive()),
        };
        ItemStatus {
            today,
            overdue: !is_final && item.due_on.is_some_and(|due| due < today),
            escalation_level: escalation_level(&self.policy, &dates, today),
            days_left: (!is_final)
                .then_some(item.due_on)
                .flatten()
                .map(|due| (due - today).num_days()),
        }
    }

    /// The workflow actions `actor` may take on `item` now (requirements such as evidence
    /// are checked when the action is taken).
    pub fn available_actions(&self, actor: &Actor, item: &ItemRow) -> Vec<&str> {
        let roles = actor.item_roles(item);
        let facts = ItemFacts {
            state: &item.state,
            long_term: is_long_term(item),
            evidence_count: 0,
            has_measures: item.measures.is_some(),
        };
        self.workflow.available_actions(&facts, &roles)
    }
}

/// Whether the item is 长期坚持 (long-term).
fn is_long_term(item: &ItemRow) -> bool {
    item.category.as_deref() == Some(ItemCategory::LongTerm.as_str())
}
