//! Items as ledger rows: everything a row shows beyond the item itself (people, units,
//! report, linked commitments, evidence, verifier) is fetched once per batch of items, never
//! once per item. The export renders pages with this, and the import renders the items it
//! reads so that it compares the sheet with exactly what an export would have written.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::{
    domain::{
        EvidenceKind, ItemSource,
        ledger::{LIST_SEPARATOR, LedgerRow},
        reminders,
    },
    service::{ServiceError, Services},
    store::{
        agencies::AgencyRow, items::ItemRow, persons::PersonRow, posts::PostRow,
        reports::ShortcomingRow,
    },
};

/// How many hex digits of an evidence file's SHA-256 the ledger shows.
const SHA_PREFIX: usize = 12;

/// Related rows of one batch of items, keyed by id.
struct Related {
    agencies: HashMap<Uuid, AgencyRow>,
    persons: HashMap<Uuid, PersonRow>,
    posts: HashMap<Uuid, PostRow>,
    holders: HashMap<Uuid, Uuid>,
    supporting: HashMap<Uuid, Vec<Uuid>>,
    shortcomings: HashMap<Uuid, ShortcomingRow>,
    reports: HashMap<Uuid, crate::store::reports::ReportRow>,
    commitments: HashMap<Uuid, Vec<String>>,
    evidence: HashMap<Uuid, Vec<String>>,
    verifiers: HashMap<Uuid, String>,
}

fn unique(ids: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
    let set: HashSet<Uuid> = ids.into_iter().collect();
    let mut v: Vec<Uuid> = set.into_iter().collect();
    v.sort();
    v
}

impl Services {
    /// Renders `items` as ledger rows, in the same order, with one query per related table.
    pub(crate) async fn ledger_rows(
        &self,
        items: &[ItemRow],
    ) -> Result<Vec<LedgerRow>, ServiceError> {
        let related = self.related(items).await?;
        Ok(items
            .iter()
            .map(|item| self.ledger_row(item, &related))
            .collect())
    }

    async fn related(&self, items: &[ItemRow]) -> Result<Related, ServiceError> {
        let store = &self.store;
        let item_ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
        let pairs = store.supporting_units_of_items(&item_ids).await?;
        let mut supporting: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (item, unit) in &pairs {
            supporting.entry(*item).or_default().push(*unit);
        }

        let post_ids = unique(items.iter().filter_map(|i| i.lead_post_id));
        let posts = if post_ids.is_empty() {
            Vec::new()
        } else {
            store.posts_by_ids(&post_ids).await?
        };
        let holders: HashMap<Uuid, Uuid> = if post_ids.is_empty() {
            HashMap::new()
        } else {
            store
                .post_holders(&post_ids, self.today())
                .await?
                .into_iter()
                .collect()
        };

        let verifier_ids = unique(items.iter().filter_map(|i| i.verified_by));
        let accounts = if verifier_ids.is_empty() {
            Vec::new()
        } else {
            store.accounts_by_ids(&verifier_ids).await?
        };

        let person_ids = unique(
            items
                .iter()
                .flat_map(|i| [i.lead_person_id, i.responsible_person_id])
                .flatten()
                .chain(holders.values().copied())
                .chain(accounts.iter().filter_map(|a| a.person_id)),
        );
        let persons: HashMap<Uuid, PersonRow> = if person_ids.is_empty() {
            HashMap::new()
        } else {
            store
                .persons_by_ids(&person_ids)
                .await?
                .into_iter()
                .map(|p| (p.id, p))
                .collect()
        };
        let verifiers = accounts
            .into_iter()
            .map(|a| {
                let name = a
                    .person_id
                    .and_then(|p| persons.get(&p))
                    .map_or_else(|| a.email.clone(), |p| p.name.clone());
                (a.id, name)
            })
            .collect();

        let agency_ids = unique(
            items
                .iter()
                .flat_map(|i| [Some(i.agency_id), i.lead_unit_id])
                .flatten()
                .chain(pairs.iter().map(|(_, unit)| *unit)),
        );
        let agencies = store
            .agencies_by_ids(&agency_ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();

        // Shortcomings, and the earlier ones they recur (是否复发), with their reports.
        let mut shortcomings: HashMap<Uuid, ShortcomingRow> = HashMap::new();
        let own = unique(items.iter().filter_map(|i| i.shortcoming_id));
        if !own.is_empty() {
            for s in store.shortcomings_by_ids(&own).await? {
                shortcomings.insert(s.id, s);
            }
        }
        let earlier = unique(
            shortcomings
                .values()
                .filter_map(|s| s.recurrence_of_id)
                .filter(|id| !shortcomings.contains_key(id)),
        );
        if !earlier.is_empty() {
            for s in store.shortcomings_by_ids(&earlier).await? {
                shortcomings.insert(s.id, s);
            }
        }
        let report_ids = unique(shortcomings.values().map(|s| s.report_id));
        let reports = if report_ids.is_empty() {
            HashMap::new()
        } else {
            store
                .reports_by_ids(&report_ids)
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect()
        };

        // Linked next-year commitments, best link first.
        let mut commitments: HashMap<Uuid, Vec<String>> = HashMap::new();
        if !own.is_empty() {
            let links = store.links_of_shortcomings(&own).await?;
            let ids = unique(links.iter().map(|l| l.commitment_id));
            let rows: HashMap<Uuid, _> = if ids.is_empty() {
                HashMap::new()
            } else {
                store
                    .commitments_by_ids(&ids)
                    .await?
                    .into_iter()
                    .map(|c| (c.id, c))
                    .collect()
            };
            for link in &links {
                if let Some(c) = rows.get(&link.commitment_id) {
                    let pending = if link.confirmed_at.is_none() && link.origin == "auto" {
                        "（待确认）"
                    } else {
                        ""
                    };
                    commitments
                        .entry(link.shortcoming_id)
                        .or_default()
                        .push(format!("举措{}：{}{pending}", c.ordinal, c.text));
                }
            }
        }

        let mut evidence: HashMap<Uuid, Vec<String>> = HashMap::new();
        for e in store.evidence_of_items(&item_ids).await? {
            let day = e.created_at.with_timezone(&self.time_zone).date_naive();
            let detail = match (&e.sha256, EvidenceKind::parse(&e.kind)) {
                (Some(sha), _) => format!("SHA-256 {}", &sha[..sha.len().min(SHA_PREFIX)]),
                (None, Ok(kind)) => kind.label().to_owned(),
                (None, Err(_)) => e.kind.clone(),
            };
            evidence
                .entry(e.item_id)
                .or_default()
                .push(format!("{}（{day}，{detail}）", e.name));
        }

        Ok(Related {
            agencies,
            persons,
            posts: posts.into_iter().map(|p| (p.id, p)).collect(),
            holders,
            supporting,
            shortcomings,
            reports,
            commitments,
            evidence,
            verifiers,
        })
    }

    fn ledger_row(&self, item: &ItemRow, r: &Related) -> LedgerRow {
        let agency = r.agencies.get(&item.agency_id);
        let tz: Tz = agency.map_or(self.time_zone, |a| self.agency_zone(a));
        let local = |t: Option<DateTime<Utc>>| -> Option<NaiveDate> {
            t.map(|t| t.with_timezone(&tz).date_naive())
        };
        let today = Utc::now().with_timezone(&tz).date_naive();
        let dates = self.item_dates(item, tz);
        let shortcoming = item.shortcoming_id.and_then(|s| r.shortcomings.get(&s));
        let report = shortcoming.and_then(|s| r.reports.get(&s.report_id));

        let source_label =
            ItemSource::parse(&item.source).map_or(item.source.as_str(), |s| s.label());
        let document = item.source_document.clone().or_else(|| {
            report.map(|rep| match &rep.title {
                Some(title) => format!("{title}（{}年度）", rep.year),
                None => format!("{}年度报告", rep.year),
            })
        });
        let source = match document {
            Some(doc) => format!("{source_label}：{doc}"),
            None => source_label.to_owned(),
        };
        let description = match shortcoming {
            Some(s) if s.text.trim() != item.title.trim() => {
                format!("{}\n原文：{}", item.title, s.text)
            }
            _ => item.title.clone(),
        };
        let person = |id: Option<Uuid>| -> String {
            id.and_then(|id| r.persons.get(&id))
                .map(|p| match p.title.as_deref().filter(|t| !t.is_empty()) {
                    Some(title) => format!("{}（{title}）", p.name),
                    None => p.name.clone(),
                })
                .unwrap_or_default()
        };
        let lead = match (item.lead_person_id, item.lead_post_id) {
            (Some(p), _) => person(Some(p)),
            (None, Some(post)) => {
                let title = r.posts.get(&post).map_or("", |p| p.title.as_str());
                match r.holders.get(&post).and_then(|h| r.persons.get(h)) {
                    Some(holder) => format!("{title}（岗位，现任：{}）", holder.name),
                    None => format!("{title}（岗位，空缺）"),
                }
            }
            (None, None) => String::new(),
        };
        let agency_name = |id: &Uuid| r.agencies.get(id).map(|a| a.name.clone());
        let mut supporting: Vec<String> = r
            .supporting
            .get(&item.id)
            .into_iter()
            .flatten()
            .filter_map(agency_name)
            .collect();
        supporting.sort();
        let recurrence = match shortcoming {
            Some(s) => match s.recurrence_of_id.and_then(|e| r.shortcomings.get(&e)) {
                Some(earlier) => match r.reports.get(&earlier.report_id) {
                    Some(rep) => format!("是（{}年度第{}项问题复发）", rep.year, earlier.ordinal),
                    None => "是".to_owned(),
                },
                None if s.recurrence_of_id.is_some() => "是".to_owned(),
                None => "否".to_owned(),
            },
            None => String::new(),
        };
        LedgerRow {
            code: item.code.clone().unwrap_or_default(),
            source,
            description,
            category: item
                .category
                .map(|c| c.label().to_owned())
                .unwrap_or_default(),
            measures: item.measures.clone().unwrap_or_default(),
            commitments: shortcoming
                .and_then(|s| r.commitments.get(&s.id))
                .map(|c| c.join("\n"))
                .unwrap_or_default(),
            lead,
            lead_unit: item
                .lead_unit_id
                .as_ref()
                .and_then(agency_name)
                .unwrap_or_default(),
            supporting_units: supporting.join(LIST_SEPARATOR),
            responsible: person(item.responsible_person_id),
            due_on: item.due_on,
            progress: item.progress.clone().unwrap_or_default(),
            evidence: r
                .evidence
                .get(&item.id)
                .map(|e| e.join("\n"))
                .unwrap_or_default(),
            state: self
                .workflow
                .state(&item.state)
                .map_or_else(|| item.state.clone(), |s| s.label.clone()),
            escalation: reminders::escalation_level(&self.policy, &dates, today),
            submitted_on: local(item.submitted_at),
            verifier: item
                .verified_by
                .and_then(|v| r.verifiers.get(&v).cloned())
                .unwrap_or_default(),
            closed_on: local(item.closed_at),
            outcome: item
                .outcome
                .map(|o| o.label().to_owned())
                .unwrap_or_default(),
            recurrence,
            item_id: item.id,
            version: item.version,
        }
    }
}
