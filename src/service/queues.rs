//! A supervising office's queues (督办队列): what waits for it to act — submitted items to
//! verify (待验收) with their evidence, extension requests to decide, and red items (overdue
//! or pressed) to urge, one or many at once. Read through the item list's own scope checks;
//! every action goes through the workflow's use cases, which decide who may take it.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Actor, ServiceError, Services, items::Wanted};
use crate::{
    mail::templates::Templates,
    store::{
        items::{ItemFilter, ItemRow},
        page::PageRequest,
        reports::ShortcomingRow,
        workflow::{EvidenceRow, ExtensionRow},
    },
};

/// The most items one queue page lists (the oldest first; the rest after these are done).
pub const QUEUE_PAGE: i32 = 50;
/// The most items urged at once.
pub const MAX_URGED_AT_ONCE: usize = 50;
/// The state in which items wait for verification.
const SUBMITTED: &str = "submitted";

/// A queue: its items (oldest first) and whether more wait beyond them.
#[derive(Clone, Debug)]
pub struct Queue<T> {
    pub entries: Vec<T>,
    pub more: bool,
}

/// A submitted item with its evidence.
#[derive(Clone, Debug)]
pub struct ToVerify {
    pub item: ItemRow,
    pub evidence: Vec<EvidenceRow>,
}

/// An open item of a shortcoming that repeats an earlier report's (屡查屡犯), with what it
/// repeats.
#[derive(Clone, Debug)]
pub struct Recurring {
    pub item: ItemRow,
    /// The item's own shortcoming, as its report states it.
    pub shortcoming: Option<String>,
    /// The earlier shortcoming: its report's year, its ordinal there, its text.
    pub earlier: Option<(i32, i32, String)>,
}

/// An item with its pending extension request.
#[derive(Clone, Debug)]
pub struct ToDecide {
    pub item: ItemRow,
    pub request: ExtensionRow,
}

impl Services {
    /// The queues are for those who read agencies as a whole: leader and person accounts
    /// have their workbench instead.
    fn queue_items_of(actor: &Actor) -> Result<(), ServiceError> {
        if actor.own_items_only().is_some() {
            return Err(ServiceError::Forbidden(
                "督办队列供督办部门使用；您的事项请看工作台".into(),
            ));
        }
        Ok(())
    }

    async fn queue(
        &self,
        actor: &Actor,
        filter: ItemFilter,
    ) -> Result<Queue<ItemRow>, ServiceError> {
        Self::queue_items_of(actor)?;
        let (page, _) = self
            .items(
                actor,
                filter,
                PageRequest::new(Some(QUEUE_PAGE), None),
                Wanted {
                    rows: true,
                    total: false,
                    with: Default::default(),
                },
            )
            .await?;
        Ok(Queue {
            entries: page.nodes.into_iter().map(|w| w.item).collect(),
            more: page.has_next_page,
        })
    }

    /// 待验收: submitted items within reach, with their evidence.
    pub async fn verification_queue(&self, actor: &Actor) -> Result<Queue<ToVerify>, ServiceError> {
        let queue = self
            .queue(
                actor,
                ItemFilter {
                    states: Some(vec![SUBMITTED.to_owned()]),
                    ..ItemFilter::default()
                },
            )
            .await?;
        let ids: Vec<Uuid> = queue.entries.iter().map(|i| i.id).collect();
        let mut evidence: HashMap<Uuid, Vec<EvidenceRow>> = HashMap::new();
        for e in self.store.evidence_of_items(&ids).await? {
            evidence.entry(e.item_id).or_default().push(e);
        }
        Ok(Queue {
            entries: queue
                .entries
                .into_iter()
                .map(|item| ToVerify {
                    evidence: evidence.remove(&item.id).unwrap_or_default(),
                    item,
                })
                .collect(),
            more: queue.more,
        })
    }

    /// Pending extension requests on items within reach.
    pub async fn extension_queue(&self, actor: &Actor) -> Result<Queue<ToDecide>, ServiceError> {
        let queue = self
            .queue(
                actor,
                ItemFilter {
                    with_extension: Some("pending".into()),
                    ..ItemFilter::default()
                },
            )
            .await?;
        let ids: Vec<Uuid> = queue.entries.iter().map(|i| i.id).collect();
        let mut requests: HashMap<Uuid, ExtensionRow> = self
            .store
            .pending_extensions_of(&ids)
            .await?
            .into_iter()
            .map(|r| (r.item_id, r))
            .collect();
        Ok(Queue {
            entries: queue
                .entries
                .into_iter()
                .filter_map(|item| {
                    requests
                        .remove(&item.id)
                        .map(|request| ToDecide { item, request })
                })
                .collect(),
            more: queue.more,
        })
    }

    /// Red items (红色督办: overdue, or pressed) within reach, to urge.
    pub async fn press_queue(&self, actor: &Actor) -> Result<Queue<ItemRow>, ServiceError> {
        let red = self.escalation_filter(3).await?;
        self.queue(
            actor,
            ItemFilter {
                escalation: Some(red),
                ..ItemFilter::default()
            },
        )
        .await
    }

    /// 屡查屡犯: open items within reach whose shortcoming repeats an earlier report's, with
    /// the earlier shortcoming (matched on import, above `RECURRENCE_THRESHOLD`).
    pub async fn recurring_queue(&self, actor: &Actor) -> Result<Queue<Recurring>, ServiceError> {
        let queue = self
            .queue(
                actor,
                ItemFilter {
                    states: Some(self.open_state_names()),
                    recurring: true,
                    ..ItemFilter::default()
                },
            )
            .await?;
        let own: Vec<Uuid> = queue
            .entries
            .iter()
            .filter_map(|i| i.shortcoming_id)
            .collect();
        let mut shortcomings: HashMap<Uuid, ShortcomingRow> = HashMap::new();
        if !own.is_empty() {
            shortcomings.extend(
                self.store
                    .shortcomings_by_ids(&own)
                    .await?
                    .into_iter()
                    .map(|s| (s.id, s)),
            );
        }
        let earlier: Vec<Uuid> = shortcomings
            .values()
            .filter_map(|s| s.recurrence_of_id)
            .filter(|id| !shortcomings.contains_key(id))
            .collect();
        if !earlier.is_empty() {
            shortcomings.extend(
                self.store
                    .shortcomings_by_ids(&earlier)
                    .await?
                    .into_iter()
                    .map(|s| (s.id, s)),
            );
        }
        let report_ids: Vec<Uuid> = shortcomings.values().map(|s| s.report_id).collect();
        let years: HashMap<Uuid, i32> = if report_ids.is_empty() {
            HashMap::new()
        } else {
            self.store
                .reports_by_ids(&report_ids)
                .await?
                .into_iter()
                .map(|r| (r.id, r.year))
                .collect()
        };
        Ok(Queue {
            entries: queue
                .entries
                .into_iter()
                .map(|item| {
                    let own = item.shortcoming_id.and_then(|id| shortcomings.get(&id));
                    let earlier = own
                        .and_then(|s| s.recurrence_of_id)
                        .and_then(|id| shortcomings.get(&id))
                        .map(|e| {
                            (
                                years.get(&e.report_id).copied().unwrap_or_default(),
                                e.ordinal,
                                e.text.clone(),
                            )
                        });
                    Recurring {
                        shortcoming: own.map(|s| s.text.clone()),
                        earlier,
                        item,
                    }
                })
                .collect(),
            more: queue.more,
        })
    }

    /// Urges several items with one note, each as [`Services::urge_item`] would (its own
    /// check, audit event and message); returns each item's outcome, in the order given.
    pub async fn urge_items(
        &self,
        actor: &Actor,
        targets: Vec<(Uuid, i32)>,
        note: String,
        templates: &Templates,
        public_url: &str,
    ) -> Result<Vec<(Uuid, Result<ItemRow, ServiceError>)>, ServiceError> {
        if targets.is_empty() {
            return Err(ServiceError::invalid("ids", "请至少选择一项事项"));
        }
        if targets.len() > MAX_URGED_AT_ONCE {
            return Err(ServiceError::invalid(
                "ids",
                format!("一次最多督办 {MAX_URGED_AT_ONCE} 项"),
            ));
        }
        let mut out = Vec::with_capacity(targets.len());
        for (id, version) in targets {
            let result = self
                .urge_item(actor, id, note.clone(), version, templates, public_url)
                .await;
            out.push((id, result));
        }
        Ok(out)
    }
}
