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
        items::{ItemRow, Joined},
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

    /// What the reminder policy knows of `item`, its timestamps read as dates in `tz` (its
    /// agency's zone): the one way every adapter, the reminders, the digests and the ledger
    /// build it, with the workflow's own idea of "open".
    pub fn item_dates(&self, item: &ItemRow, tz: Tz) -> ItemDates {
        let date = |t: Option<chrono::DateTime<Utc>>| t.map(|t| t.with_timezone(&tz).date_naive());
        self.workflow.item_dates(
            &item.state,
            is_long_term(item),
            item.due_on,
            date(item.assigned_at),
            date(item.accepted_at),
        )
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
        let dates = self.item_dates(item, tz);
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
    item.category == Some(ItemCategory::LongTerm)
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
    /// What the history's details name: people by person id (as `people`) and the lead
    /// post by post id.
    pub names: HashMap<Uuid, String>,
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
        // The item with its agency and shortcoming in one statement, then everything else
        // that depends only on the item read side by side (a page used to wait for some
        // fifteen statements one after another).
        let found = self
            .item_with(
                actor,
                id,
                Joined {
                    agency: true,
                    lead_person: false,
                    shortcoming: true,
                },
            )
            .await?;
        let (item, agency, shortcoming) = (found.item, found.agency, found.shortcoming);
        let store = &self.store;
        let zone = agency
            .as_ref()
            .map_or(self.time_zone, |a| self.agency_zone(a));
        let status = self.item_status_in(&item, zone);
        let sources = async {
            let Some(s) = &shortcoming else {
                return Ok::<_, ServiceError>((None, Vec::new()));
            };
            let ids = [s.id];
            let (report, links) =
                tokio::try_join!(store.report(s.report_id), store.links_of_shortcomings(&ids))?;
            let ids: Vec<Uuid> = links
                .into_iter()
                .filter(|l| l.confirmed_at.is_some())
                .map(|l| l.commitment_id)
                .collect();
            Ok((report, store.commitments_by_ids(&ids).await?))
        };
        let units = async {
            let mut unit_ids = store.supporting_units(item.id).await?;
            unit_ids.extend(item.lead_unit_id);
            Ok::<_, ServiceError>(store.agencies_by_ids(&unit_ids).await?)
        };
        let post = async {
            let Some(post_id) = item.lead_post_id else {
                return Ok::<_, ServiceError>(None);
            };
            let ids = [post_id];
            let (post, holder) =
                tokio::try_join!(store.post(post_id), store.post_holders(&ids, self.today()))?;
            let Some(post) = post else { return Ok(None) };
            let holder = match holder.first() {
                Some((_, person)) => store.person(*person).await?,
                None => None,
            };
            Ok(Some((post, holder)))
        };
        let records = async {
            Ok::<_, ServiceError>(tokio::try_join!(
                store.evidence_of(item.id),
                store.events_of(item.id),
                store.extensions_of(item.id)
            )?)
        };
        let ((report, commitments), units, lead_post, (evidence, history, extensions)) =
            tokio::try_join!(sources, units, post, records)?;
        let lead_unit = item
            .lead_unit_id
            .and_then(|u| units.iter().find(|a| a.id == u).cloned());
        let supporting_units = units
            .iter()
            .filter(|a| Some(a.id) != item.lead_unit_id)
            .cloned()
            .collect();
        let mut person_ids: Vec<Uuid> = history.iter().filter_map(|e| e.actor_person_id).collect();
        // The people an assignment named (its detail reads 责任领导：… 责任人：…).
        for facts in history.iter().map(super::history::EventFacts::of) {
            person_ids.extend(facts.lead_person_id);
            person_ids.extend(facts.responsible_person_id);
        }
        person_ids.extend(item.lead_person_id);
        person_ids.extend(item.responsible_person_id);
        person_ids.sort_unstable();
        person_ids.dedup();
        let mut account_ids: Vec<Uuid> = history
            .iter()
            .filter(|e| e.actor_person_id.is_none())
            .filter_map(|e| e.actor_account_id)
            .collect();
        account_ids.sort_unstable();
        account_ids.dedup();
        let roles = async {
            let mut roles = HashMap::new();
            for account_id in account_ids {
                if let Some(account) = store.account(account_id).await?
                    && let Ok(role) = AccountRole::parse(&account.role)
                {
                    roles.insert(account_id, role);
                }
            }
            Ok::<_, crate::store::StoreError>(roles)
        };
        let (persons, account_roles) = tokio::try_join!(store.persons_by_ids(&person_ids), roles)?;
        let find =
            |id: Option<Uuid>| id.and_then(|id| persons.iter().find(|p| p.id == id).cloned());
        let lead_person = find(item.lead_person_id);
        let responsible = find(item.responsible_person_id);
        let people: HashMap<Uuid, String> =
            persons.iter().map(|p| (p.id, p.name.clone())).collect();
        let mut names = people.clone();
        if let Some((post, _)) = &lead_post {
            names.insert(post.id, post.title.clone());
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
            names,
            account_roles,
            actions,
            may_add_evidence,
        })
    }
}
