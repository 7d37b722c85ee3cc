//! Reminders: the sweep that finds what became due and writes it to the outbox (rendered,
//! with an idempotency key, so sweeping twice enqueues nothing new), a supervisor's manual
//! push (督办), and the outbox as seen through the API.

use std::{
    collections::{HashMap, HashSet},
    time::Instant,
};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{Actor, ServiceError, Services, workflow::TransitionInput};
use crate::{
    domain::{
        access::Operation,
        reminders::{self, Audience, Due, Kind, Policy},
    },
    mail::templates::{Templates, escape_html},
    store::{
        StoreError,
        items::ItemRow,
        notifications::NewNotification,
        page::{Page, PageRequest},
        reminders::{NewReminder, ReminderRow, SweepWindow},
    },
};

/// How many items a sweep judges per round trip.
const SWEEP_BATCH: usize = 2000;
/// Outbox writes a sweep keeps going while it judges the next batch.
const WRITES_IN_FLIGHT: usize = 2;
/// How far back overdue items are still reminded weekly.
const OVERDUE_HORIZON_WEEKS: i64 = 104;
/// How many periods after acceptance long-term items are still asked for progress.
const LONG_TERM_HORIZON_PERIODS: i64 = 24;
/// The job name under which the sweep records how far it got.
const SWEEP_JOB: &str = "reminder_sweep";
/// Items changed this long before the last sweep started are judged again (a transaction
/// may commit a little after it stamped `updated_at`).
const CHANGE_MARGIN_SECS: i64 = 30;

/// What a sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub candidates: u64,
    pub enqueued: u64,
    /// Weekly digests and reporting-calendar reminders enqueued.
    pub lists: u64,
    /// Reminders with no address to send to (a person without an email).
    pub unaddressed: u64,
}

/// Where a sweep's time went, for its log line: finding candidates, judging them, and
/// waiting for the outbox writes that judging did not hide.
#[derive(Default)]
struct Spent {
    finding: std::time::Duration,
    judging: std::time::Duration,
    waiting: std::time::Duration,
}

/// The count of rows one background outbox write inserted.
fn written(
    joined: Option<Result<Result<u64, StoreError>, tokio::task::JoinError>>,
) -> Result<u64, ServiceError> {
    match joined {
        None => Ok(0),
        Some(Ok(result)) => Ok(result?),
        Some(Err(e)) => Err(ServiceError::Fault(format!("an outbox write failed: {e}"))),
    }
}

/// Who gets a reminder.
#[derive(Clone, Debug)]
struct Recipient {
    person_id: Option<Uuid>,
    name: String,
    address: String,
}

/// What the sweep learns about agencies once and reuses: the chain of agencies above each,
/// the offices supervising each (by their mandates), their contacts and webhooks.
#[derive(Default)]
pub(crate) struct Lookups {
    people: People,
    chains: HashMap<Uuid, Vec<Uuid>>,
    /// The offices whose mandates cover the agency, the nearest mandate's first.
    offices: HashMap<Uuid, Vec<Uuid>>,
    supervisors: HashMap<Uuid, Vec<Recipient>>,
    webhooks: HashMap<Uuid, Option<String>>,
}

/// Agencies' time zones, posts' holders (`None`: vacant) and people's addresses (`None`:
/// no email), as a sweep learns them.
#[derive(Default)]
struct People {
    zones: HashMap<Uuid, Tz>,
    holders: HashMap<Uuid, Option<Uuid>>,
    persons: HashMap<Uuid, Option<Recipient>>,
}

/// A supervisor's urging: the note and who wrote it.
struct Urge<'a> {
    note: &'a str,
    urged_by: &'a str,
}

/// What rendering a reminder needs beyond the item.
struct Context<'a> {
    templates: &'a Templates,
    shortcomings: &'a HashMap<Uuid, String>,
    public_url: &'a str,
}

impl Services {
    /// The states in which an item is with its owners (reminded and escalated), and the
    /// state of an assignment waiting to be accepted — read from the workflow.
    pub(crate) fn owner_states(&self) -> (Vec<String>, String) {
        (
            self.workflow.owner_states().to_vec(),
            self.workflow
                .awaiting_acceptance_states()
                .first()
                .cloned()
                .unwrap_or_else(|| "assigned".into()),
        )
    }

    /// Which items a sweep judges: those whose dates put a reminder on one of `days` (each
    /// widened by a day either side when agencies' time zones differ from the service's),
    /// and those changed since `changed_since`.
    fn window(
        &self,
        policy: &Policy,
        days: &[NaiveDate],
        zone_slack: i64,
        changed_since: Option<DateTime<Utc>>,
    ) -> SweepWindow {
        let (states, awaiting_state) = self.owner_states();
        let mut dates = HashSet::new();
        let day_start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc();
        let mut accepted_ranges = Vec::new();
        let mut assigned_ranges = Vec::new();
        let period = policy.long_term_every_days.max(1);
        let widen = |d: NaiveDate| {
            (
                day_start(d - Duration::days(zone_slack + 1)),
                day_start(d + Duration::days(zone_slack + 1)),
            )
        };
        for &day in days {
            for j in -zone_slack..=zone_slack {
                let d = day + Duration::days(j);
                for before in &policy.days_before {
                    dates.insert(d + Duration::days(*before));
                }
                dates.insert(d - Duration::days(policy.escalate_after_days));
                let over = (0..OVERDUE_HORIZON_WEEKS)
                    .map(|k| d - Duration::days(1 + k * policy.overdue_every_days.max(1)));
                dates.extend(over);
            }
            for k in 1..=LONG_TERM_HORIZON_PERIODS {
                accepted_ranges.push(widen(day - Duration::days(k * period)));
            }
            assigned_ranges.push(widen(day - Duration::days(policy.accept_within_days)));
            assigned_ranges.push(widen(day - Duration::days(2 * policy.accept_within_days)));
        }
        SweepWindow {
            states,
            due_dates: dates.into_iter().collect(),
            accepted_ranges,
            assigned_ranges,
            awaiting_state,
            changed_since,
        }
    }

    /// Finds the reminders due on `today` (in each agency's time zone; `None`: now) and
    /// writes them to the outbox. Idempotent: a second sweep the same day enqueues nothing.
    pub async fn sweep_reminders(
        &self,
        templates: &Templates,
        public_url: &str,
        today: Option<NaiveDate>,
    ) -> Result<SweepReport, ServiceError> {
        let policy = self.policy.clone();
        let today = today.unwrap_or_else(|| self.today());
        let started = Utc::now();
        // Days not covered yet (at most the catch-up window back); once today is covered,
        // later sweeps judge only the items changed since the last one started.
        let (last_day, last_started) = self.store.job_mark(SWEEP_JOB).await?;
        // A first sweep ever covers today only: no earlier sweep was missed, and reminders
        // of days before the service ran would arrive stale. Later sweeps catch up on the
        // days they missed, at most `catch_up_days` back.
        let first = today - Duration::days(policy.catch_up_days);
        let from = match last_day {
            None => Some(today),
            Some(last) if last >= today => None,
            Some(last) if last + Duration::days(1) > first => Some(last + Duration::days(1)),
            Some(_) => Some(first),
        };
        let days: Vec<NaiveDate> = from
            .map(|from| from.iter_days().take_while(|d| *d <= today).collect())
            .unwrap_or_default();
        let zone_slack = i64::from(
            self.store
                .time_zones_in_use()
                .await?
                .iter()
                .any(|z| *z != self.time_zone),
        );
        let changed_since = match (last_day, last_started) {
            // A sweep of a day already covered, or covering only what the last left: items
            // changed since then may have become due on a day already covered.
            (Some(_), Some(at)) => Some(at - Duration::seconds(CHANGE_MARGIN_SECS)),
            _ => None,
        };
        let window = self.window(&policy, &days, zone_slack, changed_since);
        let mut report = SweepReport::default();
        let mut lookups = Lookups::default();
        let mut spent = Spent::default();
        // Reading the candidates (a task of the store's), judging a batch (here) and writing
        // the ones before it (on other connections) overlap: the database's time and ours
        // add up no longer. `finding` is the time spent waiting for the next batch.
        let mut candidates = self.store.sweep_candidates(window, SWEEP_BATCH);
        let mut writing = tokio::task::JoinSet::new();
        loop {
            let clock = Instant::now();
            let Some(items) = candidates.recv().await else {
                break;
            };
            let items = items?;
            spent.finding += clock.elapsed();
            report.candidates += items.len() as u64;
            let clock = Instant::now();
            let (new, notes, unaddressed) = self
                .reminders_for(&items, &policy, today, &mut lookups)
                .await?;
            spent.judging += clock.elapsed();
            report.unaddressed += unaddressed;
            let clock = Instant::now();
            while writing.len() >= WRITES_IN_FLIGHT {
                report.enqueued += written(writing.join_next().await)?;
            }
            spent.waiting += clock.elapsed();
            let store = self.store.clone();
            writing.spawn(async move { store.enqueue_reminders_with_notes(new, notes).await });
        }
        let clock = Instant::now();
        while !writing.is_empty() {
            report.enqueued += written(writing.join_next().await)?;
        }
        spent.waiting += clock.elapsed();
        report.lists += self
            .enqueue_digests(&templates.digest, public_url, today)
            .await?;
        report.lists += self
            .enqueue_report_calendar(&templates.report_calendar, public_url, today)
            .await?;
        tracing::info!(
            candidates = report.candidates,
            enqueued = report.enqueued,
            lists = report.lists,
            unaddressed = report.unaddressed,
            days = days.len(),
            finding_ms = spent.finding.as_millis() as u64,
            judging_ms = spent.judging.as_millis() as u64,
            waiting_ms = spent.waiting.as_millis() as u64,
            "reminder sweep"
        );
        let covered = last_day.map_or(today, |last| last.max(today));
        self.store.set_job_mark(SWEEP_JOB, covered, started).await?;
        Ok(report)
    }

    async fn reminders_for(
        &self,
        items: &[ItemRow],
        policy: &Policy,
        today: NaiveDate,
        lookups: &mut Lookups,
    ) -> Result<(Vec<NewReminder>, Vec<NewNotification>, u64), ServiceError> {
        // What the batch needs to know of agencies and people, learned once per sweep (a
        // sweep's items share a few thousand people and agencies).
        let mut known = std::mem::take(&mut lookups.people);
        self.learn_people(items, today, &mut known).await?;
        self.learn_agencies(items.iter().map(|i| i.agency_id), lookups)
            .await?;
        let People {
            zones,
            holders,
            persons,
        } = &known;
        let mut out = Vec::new();
        let mut notes = Vec::new();
        let mut unaddressed = 0;
        for item in items {
            let tz = zones
                .get(&item.agency_id)
                .copied()
                .unwrap_or(self.time_zone);
            let local_today = today_in_zone(today, self.time_zone, tz);
            let dates = self.item_dates(item, tz);
            let level = reminders::escalation_level(policy, &dates, local_today);
            for due in reminders::due_reminders(policy, &dates, local_today) {
                let lead = item.lead_person_id.or_else(|| {
                    item.lead_post_id
                        .and_then(|p| holders.get(&p).copied().flatten())
                });
                let recipients: Vec<Recipient> = match due.audience {
                    Audience::Lead => lead
                        .and_then(|p| persons.get(&p).cloned().flatten())
                        .into_iter()
                        .collect(),
                    Audience::Owners => {
                        let mut ids = vec![lead, item.responsible_person_id];
                        ids.dedup();
                        ids.into_iter()
                            .flatten()
                            .filter_map(|p| persons.get(&p).cloned().flatten())
                            .collect()
                    }
                    Audience::Supervisors => self.supervisors_of(item.agency_id, lookups).await?,
                };
                // The inbox copy goes to every person addressed, with an email or without.
                let addressed: Vec<Uuid> = match due.audience {
                    Audience::Lead => lead.into_iter().collect(),
                    Audience::Owners => {
                        let mut ids: Vec<Uuid> = [lead, item.responsible_person_id]
                            .into_iter()
                            .flatten()
                            .collect();
                        ids.dedup();
                        ids
                    }
                    Audience::Supervisors => {
                        let mut ids: Vec<Uuid> =
                            recipients.iter().filter_map(|r| r.person_id).collect();
                        ids.sort_unstable();
                        ids.dedup();
                        ids
                    }
                };
                notes.extend(
                    addressed
                        .into_iter()
                        .map(|person| inbox_copy(item, &due, local_today, person)),
                );
                let webhook = self
                    .webhook_for(item.agency_id, due.audience, lookups)
                    .await?;
                if recipients.is_empty() && webhook.is_none() {
                    unaddressed += 1;
                    continue;
                }
                if let Some((owner, url)) = webhook {
                    let names = match due.audience {
                        Audience::Supervisors => "督办部门".to_owned(),
                        _ => recipients
                            .iter()
                            .map(|r| r.name.as_str())
                            .collect::<Vec<_>>()
                            .join("、"),
                    };
                    let to = Recipient {
                        person_id: None,
                        name: if names.is_empty() {
                            "各位".into()
                        } else {
                            names
                        },
                        address: url,
                    };
                    let email = unrendered(item, &due, level, local_today, &to);
                    out.push(webhook_copy(email, owner));
                }
                for r in recipients {
                    out.push(unrendered(item, &due, level, local_today, &r));
                }
            }
        }
        lookups.people = known;
        Ok((out, notes, unaddressed))
    }

    /// Adds to `known` the time zones, post holders and people of `items` not known yet.
    async fn learn_people(
        &self,
        items: &[ItemRow],
        today: NaiveDate,
        known: &mut People,
    ) -> Result<(), ServiceError> {
        let agency_ids: Vec<Uuid> = items
            .iter()
            .map(|i| i.agency_id)
            .filter(|a| !known.zones.contains_key(a))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for a in self.store.agencies_by_ids(&agency_ids).await? {
            known.zones.insert(a.id, self.agency_zone(&a));
        }
        let posts: Vec<Uuid> = items
            .iter()
            .filter_map(|i| i.lead_post_id)
            .filter(|p| !known.holders.contains_key(p))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let found: HashMap<Uuid, Uuid> = self
            .store
            .post_holders(&posts, today)
            .await?
            .into_iter()
            .collect();
        for post in posts {
            known.holders.insert(post, found.get(&post).copied());
        }
        let person_ids: Vec<Uuid> = items
            .iter()
            .flat_map(|i| {
                [
                    i.lead_person_id,
                    i.lead_post_id
                        .and_then(|p| known.holders.get(&p).copied().flatten()),
                    i.responsible_person_id,
                ]
            })
            .flatten()
            .filter(|p| !known.persons.contains_key(p))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let found: HashMap<Uuid, Recipient> = self
            .store
            .persons_by_ids(&person_ids)
            .await?
            .into_iter()
            .filter_map(|p| {
                p.email.clone().map(|address| {
                    let r = Recipient {
                        person_id: Some(p.id),
                        name: p.name.clone(),
                        address,
                    };
                    (p.id, r)
                })
            })
            .collect();
        for id in person_ids {
            known.persons.insert(id, found.get(&id).cloned());
        }
        Ok(())
    }

    /// Learns, for the agencies not known yet, in a few queries for all of them: their
    /// chains of agencies above them (nearest first), the offices whose mandates in force
    /// cover them (a mandate over any agency of the chain), those offices' supervisor
    /// contacts, and the webhooks. (Asking agency by agency cost a sweep over 1,000
    /// agencies some 5,000 round trips.)
    async fn learn_agencies(
        &self,
        agency_ids: impl IntoIterator<Item = Uuid>,
        lookups: &mut Lookups,
    ) -> Result<(), ServiceError> {
        let new: HashSet<Uuid> = agency_ids
            .into_iter()
            .filter(|a| !lookups.chains.contains_key(a))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        // Parents, a level at a time.
        let mut parents: HashMap<Uuid, Option<Uuid>> = HashMap::new();
        let mut asking: Vec<Uuid> = new.iter().copied().collect();
        while !asking.is_empty() {
            let found = self.store.agencies_by_ids(&asking).await?;
            for a in &asking {
                parents.insert(*a, None);
            }
            for a in found {
                parents.insert(a.id, a.parent_id);
            }
            asking = parents
                .values()
                .flatten()
                .filter(|p| !parents.contains_key(p))
                .copied()
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
        }
        let mut everyone: HashSet<Uuid> = HashSet::new();
        for agency in &new {
            let mut chain = vec![*agency];
            let mut current = *agency;
            while let Some(parent) = parents.get(&current).copied().flatten() {
                if chain.contains(&parent) {
                    break;
                }
                chain.push(parent);
                current = parent;
            }
            everyone.extend(chain.iter().copied());
            lookups.chains.insert(*agency, chain);
        }
        let everyone: Vec<Uuid> = everyone.into_iter().collect();
        let unknown: Vec<Uuid> = everyone
            .iter()
            .filter(|a| !lookups.webhooks.contains_key(a))
            .copied()
            .collect();
        let hooks = self.store.agency_webhooks(&unknown).await?;
        for a in unknown {
            lookups.webhooks.insert(a, hooks.get(&a).cloned());
        }
        // Who supervises each agency: the offices of the mandates over its chain.
        let mut mandates: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (root, office) in self
            .store
            .supervisions_over(&everyone, self.today())
            .await?
        {
            mandates.entry(root).or_default().push(office);
        }
        for agency in &new {
            let mut offices: Vec<Uuid> = Vec::new();
            for office in lookups.chains[agency]
                .iter()
                .flat_map(|a| mandates.get(a).into_iter().flatten())
            {
                if !offices.contains(office) {
                    offices.push(*office);
                }
            }
            lookups.offices.insert(*agency, offices);
        }
        let all_offices: Vec<Uuid> = new
            .iter()
            .flat_map(|a| lookups.offices[a].iter().copied())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut contacts: HashMap<Uuid, Vec<Recipient>> = HashMap::new();
        for (agency, email, person) in self.store.contacts("supervisor", &all_offices).await? {
            contacts.entry(agency).or_default().push(Recipient {
                person_id: person,
                name: "督办部门".into(),
                address: email,
            });
        }
        for agency in &new {
            if lookups.supervisors.contains_key(agency) {
                continue;
            }
            let found = lookups.offices[agency]
                .iter()
                .flat_map(|a| contacts.get(a).cloned().unwrap_or_default())
                .collect();
            lookups.supervisors.insert(*agency, found);
        }
        Ok(())
    }

    /// The agency and every agency above it, nearest first.
    async fn chain_of(
        &self,
        agency_id: Uuid,
        lookups: &mut Lookups,
    ) -> Result<Vec<Uuid>, ServiceError> {
        self.learn_agencies([agency_id], lookups).await?;
        Ok(lookups.chains[&agency_id].clone())
    }

    /// The supervising offices' contacts for an agency: supervisor accounts of the offices
    /// whose mandates cover it, the nearest mandate's first.
    async fn supervisors_of(
        &self,
        agency_id: Uuid,
        lookups: &mut Lookups,
    ) -> Result<Vec<Recipient>, ServiceError> {
        self.learn_agencies([agency_id], lookups).await?;
        Ok(lookups.supervisors[&agency_id].clone())
    }

    /// The webhook a reminder about an item of `agency_id` also goes to, with the agency
    /// that owns it: the agency's own for its people; for escalations the nearest
    /// supervising office's (by mandate), else the nearest agency above's.
    pub(crate) async fn webhook_for(
        &self,
        agency_id: Uuid,
        audience: Audience,
        lookups: &mut Lookups,
    ) -> Result<Option<(Uuid, String)>, ServiceError> {
        let candidates = match audience {
            Audience::Supervisors => {
                let above = self.chain_of(agency_id, lookups).await?[1..].to_vec();
                let mut offices: Vec<Uuid> = lookups.offices[&agency_id]
                    .iter()
                    .copied()
                    .filter(|o| *o != agency_id)
                    .collect();
                for a in above {
                    if !offices.contains(&a) {
                        offices.push(a);
                    }
                }
                offices
            }
            _ => vec![agency_id],
        };
        let unknown: Vec<Uuid> = candidates
            .iter()
            .filter(|a| !lookups.webhooks.contains_key(a))
            .copied()
            .collect();
        if !unknown.is_empty() {
            let found = self.store.agency_webhooks(&unknown).await?;
            for a in unknown {
                lookups.webhooks.insert(a, found.get(&a).cloned());
            }
        }
        Ok(candidates.into_iter().find_map(|a| {
            lookups
                .webhooks
                .get(&a)
                .cloned()
                .flatten()
                .map(|url| (a, url))
        }))
    }

    /// Renders a reminder about `item` of kind `kind`, as of `today` (a date in the agency's
    /// zone), for `recipient_name`: (subject, plain text, HTML).
    fn render_message(
        &self,
        ctx: &Context<'_>,
        item: &ItemRow,
        kind: Kind,
        level: u8,
        today: NaiveDate,
        recipient_name: &str,
    ) -> (String, String, String) {
        let (headline, lead_line) = describe(kind, item, today);
        let mut values = self.item_values(ctx, item, level, today, recipient_name);
        values.push(("headline", headline));
        values.push(("lead_line", lead_line));
        ctx.templates.reminder.render(&values)
    }

    /// What every message about one item says of it: its title, its shortcoming (the
    /// problem as the report states it; none for a hand-made item, whose title is the
    /// problem), its time limit as of `today`, its state and level.
    fn item_values(
        &self,
        ctx: &Context<'_>,
        item: &ItemRow,
        level: u8,
        today: NaiveDate,
        recipient_name: &str,
    ) -> Vec<(&'static str, String)> {
        let days_line = match item.due_on.map(|d| (d - today).num_days()) {
            Some(0) => "今天到期".to_owned(),
            Some(n) if n > 0 => format!("还有{n}天"),
            Some(n) => format!("已逾期{}天", -n),
            None => "未设定时限".to_owned(),
        };
        let shortcoming = item
            .shortcoming_id
            .and_then(|s| ctx.shortcomings.get(&s).cloned())
            .filter(|s| s.trim() != item.title.trim())
            .unwrap_or_default();
        let state_label = self
            .workflow
            .state(&item.state)
            .map_or(item.state.clone(), |s| s.label.clone());
        vec![
            ("recipient_name", recipient_name.to_owned()),
            ("item_title", item.title.clone()),
            ("item_title_short", short(&item.title, 20)),
            ("shortcoming", shortcoming.clone()),
            (
                "shortcoming_line",
                if shortcoming.is_empty() {
                    String::new()
                } else {
                    format!("存在问题：{shortcoming}\n")
                },
            ),
            (
                "shortcoming_row_html",
                if shortcoming.is_empty() {
                    String::new()
                } else {
                    format!(
                        "<tr><th align=\"left\" style=\"white-space: nowrap; vertical-align: top; padding-right: 1em\">存在问题</th><td>{}</td></tr>\n",
                        escape_html(&shortcoming)
                    )
                },
            ),
            (
                "due_on",
                item.due_on
                    .map_or("—".into(), |d| d.format("%Y年%m月%d日").to_string()),
            ),
            ("days_line", days_line),
            ("state_label", state_label),
            ("level_label", reminders::level_label(level).to_owned()),
            ("item_url", format!("{}/items/{}", ctx.public_url, item.id)),
        ]
    }

    /// Renders the item reminders among `rows` (claimed by a sender) that the sweep enqueued
    /// unrendered, from the items as they are now. Returns the ids of rows that cannot be
    /// rendered (their item is gone, or their kind unknown); the others are filled in.
    pub async fn render_claimed(
        &self,
        templates: &Templates,
        public_url: &str,
        rows: &mut [ReminderRow],
    ) -> Result<Vec<Uuid>, ServiceError> {
        let item_ids: Vec<Uuid> = rows
            .iter()
            .filter(|r| r.subject.is_none())
            .filter_map(|r| r.item_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if rows.iter().all(|r| r.subject.is_some()) {
            return Ok(Vec::new());
        }
        let items: HashMap<Uuid, ItemRow> = self
            .store
            .items_by_ids(&item_ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let shortcoming_ids: Vec<Uuid> = items.values().filter_map(|i| i.shortcoming_id).collect();
        let shortcomings: HashMap<Uuid, String> = self
            .store
            .shortcomings_by_ids(&shortcoming_ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s.text))
            .collect();
        let ctx = Context {
            templates,
            shortcomings: &shortcomings,
            public_url,
        };
        let mut unrenderable = Vec::new();
        for row in rows.iter_mut().filter(|r| r.subject.is_none()) {
            let item = row.item_id.and_then(|id| items.get(&id));
            let (Some(item), Some(refers_to)) = (item, row.refers_to) else {
                unrenderable.push(row.id);
                continue;
            };
            let Some(kind) = Kind::from_stored(&row.kind, refers_to, item.due_on) else {
                unrenderable.push(row.id);
                continue;
            };
            let as_of = row.as_of.unwrap_or(refers_to);
            let level = u8::try_from(row.escalation_level).unwrap_or(0);
            let name = row.recipient_name.as_deref().unwrap_or("各位");
            let (subject, text, html) = self.render_message(&ctx, item, kind, level, as_of, name);
            if row.channel == "webhook" {
                row.body_text = Some(webhook_text(&subject, &text));
                row.body_html = Some(String::new());
            } else {
                row.body_text = Some(text);
                row.body_html = Some(html);
            }
            row.subject = Some(subject);
        }
        Ok(unrenderable)
    }

    /// A supervisor presses an item by hand (催办/督办): recorded in the audit trail as the
    /// workflow's `urge`, and a reminder to its owners goes out at once.
    pub async fn urge_item(
        &self,
        actor: &Actor,
        item_id: Uuid,
        note: String,
        expected_version: i32,
        templates: &Templates,
        public_url: &str,
    ) -> Result<ItemRow, ServiceError> {
        let item = self
            .transition_item(
                actor,
                item_id,
                "urge",
                TransitionInput {
                    comment: Some(note.clone()),
                    ..Default::default()
                },
                expected_version,
            )
            .await?;
        let today = self.today();
        let policy = self.policy.clone();
        let mut news = Vec::new();
        let lead = item.lead_person_id.or(match item.lead_post_id {
            Some(post) => self
                .store
                .post_holders(&[post], today)
                .await?
                .first()
                .map(|(_, p)| *p),
            None => None,
        });
        let ids: Vec<Uuid> = [lead, item.responsible_person_id]
            .into_iter()
            .flatten()
            .collect();
        let shortcomings: HashMap<Uuid, String> = match item.shortcoming_id {
            Some(id) => self
                .store
                .shortcomings_by_ids(&[id])
                .await?
                .into_iter()
                .map(|s| (s.id, s.text))
                .collect(),
            None => HashMap::new(),
        };
        let ctx = Context {
            templates,
            shortcomings: &shortcomings,
            public_url,
        };
        // The level is the item's own, as the sweep would give it today: an urge presses
        // the item, it does not make it overdue.
        let tz = self
            .store
            .agency(item.agency_id)
            .await?
            .map_or(self.time_zone, |a| self.agency_zone(&a));
        let local_today = today_in_zone(today, self.time_zone, tz);
        let dates = self.item_dates(&item, tz);
        let level = reminders::escalation_level(&policy, &dates, local_today);
        let today = local_today;
        let urged_by = match actor.agency_id() {
            Some(a) => self
                .store
                .agency(a)
                .await?
                .map_or_else(|| "督办部门".to_owned(), |a| a.name),
            None => "督办部门".to_owned(),
        };
        let urge = Urge {
            note: &note,
            urged_by: &urged_by,
        };
        let due = Due {
            kind: Kind::Overdue(0),
            day: today,
            audience: Audience::Owners,
        };
        for p in self.store.persons_by_ids(&ids).await? {
            let Some(address) = p.email.clone() else {
                continue;
            };
            let to = Recipient {
                person_id: Some(p.id),
                name: p.name.clone(),
                address,
            };
            let mut r = self.urge_message(&ctx, &item, &due, level, today, &to, &urge);
            r.idempotency_key = format!(
                "{}:urge:v{}:{}",
                item.id,
                item.version,
                to.address.to_lowercase()
            );
            news.push(r);
        }
        let mut lookups = Lookups::default();
        if let Some((owner, url)) = self
            .webhook_for(item.agency_id, Audience::Owners, &mut lookups)
            .await?
        {
            let to = Recipient {
                person_id: None,
                name: "各位".into(),
                address: url,
            };
            let mut r = self.urge_message(&ctx, &item, &due, level, today, &to, &urge);
            r.idempotency_key = format!("{}:urge:v{}:webhook", item.id, item.version);
            news.push(webhook_copy(r, owner));
        }
        self.store.enqueue_reminders(news).await?;
        Ok(item)
    }

    /// A supervisor's urging (督办) of `item`, rendered at once from the urge templates:
    /// the note, and the item as it is (its real time limit and level).
    #[allow(clippy::too_many_arguments)]
    fn urge_message(
        &self,
        ctx: &Context<'_>,
        item: &ItemRow,
        due: &Due,
        level: u8,
        today: NaiveDate,
        to: &Recipient,
        urge: &Urge<'_>,
    ) -> NewReminder {
        let mut values = self.item_values(ctx, item, level, today, &to.name);
        values.push(("note", urge.note.to_owned()));
        values.push(("urged_by", urge.urged_by.to_owned()));
        let (subject, text, html) = ctx.templates.urge.render(&values);
        NewReminder {
            kind: "urge".into(),
            subject: Some(subject),
            body_text: Some(text),
            body_html: Some(html),
            ..unrendered(item, due, level, today, to)
        }
    }

    /// The outbox, as admins and supervisors (their jurisdiction) see it.
    pub async fn reminders(
        &self,
        actor: &Actor,
        status: Option<&str>,
        item_id: Option<Uuid>,
        page: PageRequest,
    ) -> Result<(Page<ReminderRow>, u64), ServiceError> {
        actor.require_doing(Operation::Audit, "查看提醒发送记录")?;
        let reach = actor.reachable_agencies();
        Ok(self
            .store
            .list_reminders(status, reach.as_deref(), item_id, page)
            .await?)
    }
}

/// The webhook copy of a reminder for `owner`'s webhook: one message per reminder (not per
/// recipient). Its body is the plain text; the sender wraps it in the robot's JSON with the
/// row's Message-ID. An unrendered reminder stays unrendered (the sender renders it).
pub(crate) fn webhook_copy(mut reminder: NewReminder, owner: Uuid) -> NewReminder {
    let key = reminder
        .idempotency_key
        .rsplit_once(':')
        .map_or(reminder.idempotency_key.as_str(), |(head, _)| head)
        .to_owned();
    reminder.idempotency_key = format!("{key}:webhook:{owner}");
    reminder.recipient_person_id = None;
    reminder.channel = "webhook".into();
    if let (Some(subject), Some(text)) = (&reminder.subject, &reminder.body_text) {
        reminder.body_text = Some(webhook_text(subject, text));
        reminder.body_html = Some(String::new());
    }
    reminder
}

/// A webhook message's text: the subject, then the plain-text body.
fn webhook_text(subject: &str, text: &str) -> String {
    format!("{subject}\n\n{}", text.trim_end())
}

/// A due reminder about `item` for `to`, as the sweep enqueues it: with its identity and
/// what rendering needs beyond the item, rendered by the sender when it goes out.
fn unrendered(
    item: &ItemRow,
    due: &Due,
    level: u8,
    today: NaiveDate,
    to: &Recipient,
) -> NewReminder {
    NewReminder {
        item_id: Some(item.id),
        agency_id: Some(item.agency_id),
        recipient_person_id: to.person_id,
        recipient_address: to.address.clone(),
        recipient_name: Some(to.name.clone()),
        channel: "email".into(),
        kind: due.kind.name().into(),
        refers_to: Some(due.day),
        as_of: Some(today),
        scheduled_at: Utc::now(),
        escalation_level: i32::from(level),
        subject: None,
        body_text: None,
        body_html: None,
        idempotency_key: format!(
            "{}:{}:{}:{}",
            item.id,
            due.kind.name(),
            due.day,
            to.address.to_lowercase()
        ),
    }
}

/// The inbox copy (站内消息) of a due reminder for `person`: its headline after the item's
/// title, under a key of its own, so sweeping twice writes it once.
fn inbox_copy(item: &ItemRow, due: &Due, today: NaiveDate, person: Uuid) -> NewNotification {
    let kind = match due.audience {
        Audience::Supervisors => "escalation",
        _ => "reminder",
    };
    let (headline, _) = describe(due.kind, item, today);
    NewNotification {
        person_id: person,
        item_id: Some(item.id),
        kind: kind.into(),
        text: format!(
            "【{}】{}：{headline}",
            super::notifications::label(kind),
            item.title
        ),
        key: format!(
            "{}:{}:{}:person:{person}",
            item.id,
            due.kind.name(),
            due.day
        ),
    }
}

/// The subject's headline and the message's first line for a due reminder.
fn describe(kind: Kind, item: &ItemRow, today: NaiveDate) -> (String, String) {
    let over = item.due_on.map_or(0, |d| (today - d).num_days());
    match kind {
        Kind::Countdown(0) => (
            "今天到期".into(),
            "您负责的整改事项今天到期，请按时完成并提交佐证材料。".into(),
        ),
        Kind::Countdown(d) => (
            format!("距整改时限还有{d}天"),
            format!("您负责的整改事项距整改时限还有{d}天，请抓紧推进。"),
        ),
        Kind::Overdue(_) => (
            format!("已逾期{over}天"),
            format!("您负责的整改事项已逾期{over}天，请尽快完成整改或申请延期。"),
        ),
        Kind::Escalation(_) => (
            format!("已逾期{over}天，请督办"),
            format!("以下整改事项已逾期{over}天，请督促责任单位落实整改。"),
        ),
        Kind::NotAccepted => (
            "交办后尚未签收".into(),
            "交办给您的整改事项尚未签收，请及时签收并制定整改措施。".into(),
        ),
        Kind::NotAcceptedEscalation => (
            "交办后仍未签收，请督办".into(),
            "以下整改事项交办后仍未签收，请督促责任领导签收。".into(),
        ),
        Kind::ProgressReport => (
            "请报告长期坚持事项进展".into(),
            "您负责的长期坚持整改事项需定期报告进展，请及时填报。".into(),
        ),
    }
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n).chain(['…']).collect()
    }
}

/// "Today" in `zone` when it is `today` in the service's zone (the sweep's reference day
/// may be given; the offset between zones is applied at the current instant).
pub(crate) fn today_in_zone(today: NaiveDate, service: Tz, zone: Tz) -> NaiveDate {
    let now = Utc::now();
    let shift = now.with_timezone(&zone).date_naive() - now.with_timezone(&service).date_naive();
    today + shift
}
