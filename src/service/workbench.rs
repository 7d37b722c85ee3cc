//! What waits for a person (工作台): items to accept (待签收), items in progress by urgency,
//! items a verifier returned (被退回) with the reason, and extension requests with their
//! answers. The items are the caller's own (led, in person or through a post held today,
//! or in their charge), read in one bounded page.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Actor, ServiceError, Services, item_view::ItemStatus};
use crate::store::{
    items::{ItemFilter, ItemRow},
    page::{MAX_PAGE, PageRequest},
    workflow::ExtensionRow,
};

/// One item on the workbench.
#[derive(Clone, Debug)]
pub struct WorkItem {
    pub item: ItemRow,
    pub status: ItemStatus,
    /// The verifier's reason, when the last word on the item was a return (退回).
    pub returned_because: Option<String>,
}

/// An extension request of one of the caller's items.
#[derive(Clone, Debug)]
pub struct WorkExtension {
    pub item: ItemRow,
    pub request: ExtensionRow,
}

/// The caller's workbench.
#[derive(Clone, Debug, Default)]
pub struct Workbench {
    /// Assigned and waiting to be accepted, most urgent first.
    pub to_accept: Vec<WorkItem>,
    /// Returned by the verifier, most urgent first.
    pub returned: Vec<WorkItem>,
    /// Being worked on (not returned), most urgent first.
    pub in_progress: Vec<WorkItem>,
    /// Submitted and waiting for verification.
    pub submitted: Vec<WorkItem>,
    /// Extension requests, pending ones first, then the latest answers.
    pub extensions: Vec<WorkExtension>,
    /// Open items past their due date.
    pub overdue: usize,
    /// More open items exist than one page holds (the lists show the first ones).
    pub truncated: bool,
}

/// How many answered extension requests the workbench shows.
const ANSWERS_SHOWN: usize = 5;

impl Services {
    /// The caller's workbench.
    pub async fn workbench(&self, actor: &Actor) -> Result<Workbench, ServiceError> {
        let principal = actor.principal()?;
        let Some(person) = principal.person_id else {
            // An account that acts for no person has no items of its own.
            return Ok(Workbench::default());
        };
        let open: Vec<String> = self
            .workflow
            .states()
            .iter()
            .filter(|s| !s.is_final && s.name != self.workflow.initial())
            .map(|s| s.name.clone())
            .collect();
        let filter = ItemFilter {
            states: Some(open),
            involving: Some((person, principal.posts_held.clone())),
            ..Default::default()
        };
        let (page, _) = self
            .items(
                actor,
                filter,
                PageRequest::new(Some(MAX_PAGE as i32), None),
                super::items::Wanted {
                    rows: true,
                    total: false,
                    with: Default::default(),
                },
            )
            .await?;
        let items: Vec<_> = page.nodes.into_iter().map(|w| w.item).collect();
        let ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
        let zones = self.zones_of(items.iter().map(|i| i.agency_id)).await?;
        let mut last_word: HashMap<Uuid, (String, Option<String>)> = HashMap::new();
        for event in self
            .store
            .events_of_items_by_action(&ids, &["accept", "submit", "reject", "reopen"])
            .await?
        {
            last_word.insert(event.item_id, (event.action, event.comment));
        }
        let awaiting: Vec<&str> = self
            .workflow
            .action("accept")
            .map(|a| a.transitions.iter().map(|t| t.from.as_str()).collect())
            .unwrap_or_default();
        let waiting_verification: Vec<&str> = self
            .workflow
            .action("verify")
            .map(|a| a.transitions.iter().map(|t| t.from.as_str()).collect())
            .unwrap_or_default();
        let mut bench = Workbench {
            truncated: page.has_next_page,
            ..Default::default()
        };
        for item in &items {
            let status =
                self.item_status_in(item, self.zone_or_default(zones.get(&item.agency_id)));
            if status.overdue {
                bench.overdue += 1;
            }
            let returned_because = match last_word.get(&item.id) {
                Some((action, comment)) if action == "reject" => {
                    Some(comment.clone().unwrap_or_default())
                }
                _ => None,
            };
            let work = WorkItem {
                item: item.clone(),
                status,
                returned_because,
            };
            if awaiting.contains(&item.state.as_str()) {
                bench.to_accept.push(work);
            } else if waiting_verification.contains(&item.state.as_str()) {
                bench.submitted.push(work);
            } else if work.returned_because.is_some() {
                bench.returned.push(work);
            } else {
                bench.in_progress.push(work);
            }
        }
        for list in [
            &mut bench.to_accept,
            &mut bench.returned,
            &mut bench.in_progress,
            &mut bench.submitted,
        ] {
            list.sort_by_key(urgency);
        }
        let by_id: HashMap<Uuid, &ItemRow> = items.iter().map(|i| (i.id, i)).collect();
        let mut requests = self.store.extensions_of_items(&ids).await?;
        requests.reverse();
        let (pending, answered): (Vec<_>, Vec<_>) =
            requests.into_iter().partition(|r| r.status == "pending");
        bench.extensions = pending
            .into_iter()
            .chain(answered.into_iter().take(ANSWERS_SHOWN))
            .filter_map(|request| {
                by_id.get(&request.item_id).map(|item| WorkExtension {
                    item: (*item).clone(),
                    request,
                })
            })
            .collect();
        Ok(bench)
    }
}

/// Most urgent first: the higher escalation level, then the earlier due date (none last).
fn urgency(work: &WorkItem) -> (std::cmp::Reverse<u8>, bool, Option<chrono::NaiveDate>) {
    (
        std::cmp::Reverse(work.status.escalation_level),
        work.item.due_on.is_none(),
        work.item.due_on,
    )
}
