//! What every adapter shows of an item beyond its columns — overdue, the escalation level
//! (督办等级), days left, the actions the caller may take now — decided once here, with
//! the workflow's own final states, for GraphQL resolvers and web pages alike.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{Actor, ServiceError, Services};
use crate::{
    domain::{
        AccountRole, ItemCategory,
        reminders::{ItemDates, escalation_level},
        workflow::ItemFacts,
    },
    store::{
        agencies::AgencyRow,
        items::ItemRow,
        persons::PersonRow,
        posts::PostRow,
        reports::{CommitmentRow, ReportRow, ShortcomingRow},
        workflow::{EventRow, EvidenceRow, ExtensionRow},
    },
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

    /// An agency's time zone (parsed once, by the store), or the service's own when the
    /// stored name is not a zone.
    pub fn agency_zone(&self, agency: &AgencyRow) -> Tz {
        agency.time_zone.unwrap_or(self.time_zone)
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

/// Everything one item's page shows, read after the caller's right to see it was checked.
#[derive(Clone, Debug)]
pub struct ItemDetails {
    pub item: ItemRow,
    pub status: ItemStatus,
    pub agency: Option<AgencyRow>,
    pub shortcoming: Option<ShortcomingRow>,
    pub report: Option<ReportRow>,
    /// The next-year commitments confirmed as answering the shortcoming.
    pub commitments: Vec<CommitmentRow>,
    pub lead_unit: Option<AgencyRow>,
    pub supporting_units: Vec<AgencyRow>,
    pub lead_person: Option<PersonRow>,
    /// The lead post and who holds it today.
    pub lead_post: Option<(PostRow, Option<PersonRow>)>,
    pub responsible: Option<PersonRow>,
    pub evidence: Vec<EvidenceRow>,
    pub history: Vec<EventRow>,
    pub extensions: Vec<ExtensionRow>,
    /// The names of the people named in the history, by person id.
    pub people: HashMap<Uuid, String>,
    /// The role of each account named in the history that acts for no person.
    pub account_roles: HashMap<Uuid, AccountRole>,
    /// The actions the caller may take now.
    pub actions: Vec<String>,
    /// Whether the caller may add evidence now.
    pub may_add_evidence: bool,
}

impl Services {
    /// One item with everything its page shows, for whoever may see it.
    pub async fn item_details(&self, actor: &Actor, id: Uuid) -> Result<ItemDetails, ServiceError> {
        let item = self.item(actor, id).await?;
        let store = &self.store;
        let agency = store.agency(item.agency_id).await?;
        let zone = agency
            .as_ref()
            .map_or(self.time_zone, |a| self.agency_zone(a));
        let status = self.item_status_in(&item, zone);
        let shortcoming = match item.shortcoming_id {
            Some(s) => store.shortcomings_by_ids(&[s]).await?.into_iter().next(),
            None => None,
        };
        let report = match &shortcoming {
            Some(s) => store.report(s.report_id).await?,
            None => None,
        };
        let commitments = match &shortcoming {
            Some(s) => {
                let ids: Vec<Uuid> = store
                    .links_of_shortcomings(&[s.id])
                    .await?
                    .into_iter()
                    .filter(|l| l.confirmed_at.is_some())
                    .map(|l| l.commitment_id)
                    .collect();
                store.commitments_by_ids(&ids).await?
            }
            None => Vec::new(),
        };
        let mut unit_ids = store.supporting_units(item.id).await?;
        unit_ids.extend(item.lead_unit_id);
        let units = store.agencies_by_ids(&unit_ids).await?;
        let lead_unit = item
            .lead_unit_id
            .and_then(|u| units.iter().find(|a| a.id == u).cloned());
        let supporting_units = units
            .iter()
            .filter(|a| Some(a.id) != item.lead_unit_id)
            .cloned()
            .collect();
        let lead_post = match item.lead_post_id {
            Some(post_id) => match store.post(post_id).await? {
                Some(post) => {
                    let holder = store.post_holders(&[post_id], self.today()).await?;
                    let holder = match holder.first() {
                        Some((_, person)) => store.person(*person).await?,
                        None => None,
                    };
                    Some((post, holder))
                }
                None => None,
            },
            None => None,
        };
        let evidence = store.evidence_of(item.id).await?;
        let history = store.events_of(item.id).await?;
        let extensions = store.extensions_of(item.id).await?;
        let mut person_ids: Vec<Uuid> = history.iter().filter_map(|e| e.actor_person_id).collect();
        person_ids.extend(item.lead_person_id);
        person_ids.extend(item.responsible_person_id);
        person_ids.sort_unstable();
        person_ids.dedup();
        let persons = store.persons_by_ids(&person_ids).await?;
        let find =
            |id: Option<Uuid>| id.and_then(|id| persons.iter().find(|p| p.id == id).cloned());
        let lead_person = find(item.lead_person_id);
        let responsible = find(item.responsible_person_id);
        let people = persons.iter().map(|p| (p.id, p.name.clone())).collect();
        let mut account_roles = HashMap::new();
        for account_id in history
            .iter()
            .filter(|e| e.actor_person_id.is_none())
            .filter_map(|e| e.actor_account_id)
        {
            if account_roles.contains_key(&account_id) {
                continue;
            }
            if let Some(account) = store.account(account_id).await?
                && let Ok(role) = AccountRole::parse(&account.role)
            {
                account_roles.insert(account_id, role);
            }
        }
        let actions = self
            .available_actions(actor, &item)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let may_add_evidence = !self.is_final(&item)
            && (matches!(actor, Actor::System)
                || actor
                    .item_roles(&item)
                    .iter()
                    .any(|r| super::evidence::MAY_ADD.contains(r)));
        Ok(ItemDetails {
            item,
            status,
            agency,
            shortcoming,
            report,
            commitments,
            lead_unit,
            supporting_units,
            lead_person,
            lead_post,
            responsible,
            evidence,
            history,
            extensions,
            people,
            account_roles,
            actions,
            may_add_evidence,
        })
    }
}
