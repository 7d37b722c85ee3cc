//! List messages, one mail for many items: the weekly digest of a person's open items, and
//! the January reporting-calendar reminder to each agency's coordinators of earlier reports'
//! shortcomings still open. Both go through the outbox with a key per person (or agency)
//! and day (or year), so sweeping again sends nothing twice.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{
    ServiceError, Services,
    reminders::{Lookups, today_in_zone, webhook_copy},
};
use crate::{
    domain::reminders::{self, Audience, Policy},
    mail::templates::{Template, escape_html},
    store::{items::ItemRow, notifications::NewNotification, reminders::NewReminder},
};

/// The job names under which the list messages record their last run.
const DIGEST_JOB: &str = "weekly_digest";
const CALENDAR_JOB: &str = "report_calendar";
/// Persons judged per round trip for digests.
const DIGEST_BATCH: u64 = 200;
/// The most items a digest lists (the counts cover all).
const DIGEST_ITEMS: u64 = 500;
/// The most items a reporting-calendar reminder lists (the count covers all).
const CALENDAR_ITEMS: u64 = 200;

/// One line of a list message.
struct Line {
    level: u8,
    title: String,
    due_on: Option<NaiveDate>,
    left: Option<i64>,
    state_label: String,
}

impl Services {
    /// Enqueues the weekly digests due on `today` (none when the digest is off).
    pub(crate) async fn enqueue_digests(
        &self,
        template: &Template,
        public_url: &str,
        today: NaiveDate,
    ) -> Result<u64, ServiceError> {
        let policy = self.policy.clone();
        let Some(day) = reminders::digest_day(&policy, today) else {
            return Ok(0);
        };
        // Once per digest day, not on every sweep of it.
        let started = Utc::now();
        if self
            .store
            .job_mark(DIGEST_JOB)
            .await?
            .0
            .is_some_and(|last| last == day)
        {
            return Ok(0);
        }
        let (open_states, _) = self.owner_states();
        let mut enqueued = 0;
        let mut after = None;
        loop {
            let persons = self.store.persons_with_email(after, DIGEST_BATCH).await?;
            let Some(last) = persons.last() else { break };
            after = Some(last.id);
            let zones = self.zones_of(persons.iter().map(|p| p.agency_id)).await?;
            let ids: Vec<Uuid> = persons.iter().map(|p| p.id).collect();
            let held = self.store.posts_held_by(&ids, today).await?;
            let mut news = Vec::new();
            let mut notes = Vec::new();
            for person in &persons {
                let posts: Vec<Uuid> = held
                    .iter()
                    .filter(|(_, p)| *p == person.id)
                    .map(|(post, _)| *post)
                    .collect();
                let items = self
                    .store
                    .items_owned_by(&[person.id], &posts, &open_states, DIGEST_ITEMS)
                    .await?;
                if items.is_empty() {
                    continue;
                }
                let tz = zones
                    .get(&person.agency_id)
                    .copied()
                    .unwrap_or(self.time_zone);
                let local_today = today_in_zone(today, self.time_zone, tz);
                let lines: Vec<Line> = items
                    .iter()
                    .map(|i| self.line(&policy, i, tz, local_today))
                    .collect();
                let overdue = lines
                    .iter()
                    .filter(|l| l.left.is_some_and(|n| n < 0))
                    .count();
                let soon = lines
                    .iter()
                    .filter(|l| l.left.is_some_and(|n| (0..=7).contains(&n)))
                    .count();
                let open_count = if items.len() as u64 >= DIGEST_ITEMS {
                    format!("{}余", items.len())
                } else {
                    items.len().to_string()
                };
                let values = [
                    ("recipient_name", person.name.clone()),
                    ("today", local_today.format("%Y年%m月%d日").to_string()),
                    ("open_count", open_count),
                    ("overdue_count", overdue.to_string()),
                    ("soon_count", soon.to_string()),
                    (
                        "overdue_headline",
                        if overdue > 0 {
                            format!("，{overdue}项已逾期")
                        } else {
                            String::new()
                        },
                    ),
                    ("items_text", lines_text(&lines)),
                    ("items_html", lines_html(&lines)),
                    ("public_url", public_url.to_owned()),
                ];
                let (subject, text, html) = template.render(&values);
                notes.push(NewNotification {
                    person_id: person.id,
                    item_id: None,
                    kind: "digest".into(),
                    // The subject opens with 【整改周报】 already.
                    text: subject.clone(),
                    key: format!("digest:{}:{day}", person.id),
                });
                let address = person.email.clone().unwrap_or_default();
                news.push(NewReminder {
                    item_id: None,
                    agency_id: Some(person.agency_id),
                    recipient_person_id: Some(person.id),
                    idempotency_key: format!(
                        "digest:{}:{day}:{}",
                        person.id,
                        address.to_lowercase()
                    ),
                    recipient_address: address,
                    channel: "email".into(),
                    kind: "digest".into(),
                    refers_to: Some(day),
                    scheduled_at: Utc::now(),
                    escalation_level: i32::from(lines.iter().map(|l| l.level).max().unwrap_or(0)),
                    recipient_name: Some(person.name.clone()),
                    as_of: Some(local_today),
                    subject: Some(subject),
                    body_text: Some(text),
                    body_html: Some(html),
                });
            }
            enqueued += self.store.enqueue_reminders_with_notes(news, notes).await?;
        }
        self.store.set_job_mark(DIGEST_JOB, day, started).await?;
        Ok(enqueued)
    }

    /// Enqueues the reporting-calendar reminders due on `today` (January only): to each
    /// agency's coordinators (and its webhook), the items of earlier reports' shortcomings
    /// still open.
    pub(crate) async fn enqueue_report_calendar(
        &self,
        template: &Template,
        public_url: &str,
        today: NaiveDate,
    ) -> Result<u64, ServiceError> {
        let policy = self.policy.clone();
        let Some(calendar) = reminders::report_calendar(&policy, today) else {
            return Ok(0);
        };
        // Once a day through January (coordinators added later still hear of it).
        let started = Utc::now();
        if self.store.job_mark(CALENDAR_JOB).await?.0 == Some(today) {
            return Ok(0);
        }
        let not_final: Vec<String> = self
            .workflow
            .states()
            .iter()
            .filter(|s| !s.is_final)
            .map(|s| s.name.clone())
            .collect();
        let mut coordinators: BTreeMap<Uuid, Vec<(String, Option<Uuid>)>> = BTreeMap::new();
        for (agency, email, person) in self.store.contacts_with_role("coordinator").await? {
            coordinators
                .entry(agency)
                .or_default()
                .push((email, person));
        }
        let agencies: HashMap<Uuid, (String, Tz)> = self
            .store
            .agencies_by_ids(&coordinators.keys().copied().collect::<Vec<_>>())
            .await?
            .into_iter()
            .map(|a| {
                let tz = self.agency_zone(&a);
                (a.id, (a.name, tz))
            })
            .collect();
        let person_ids: Vec<Uuid> = coordinators
            .values()
            .flatten()
            .filter_map(|(_, p)| *p)
            .collect();
        let names: HashMap<Uuid, String> = self
            .store
            .persons_by_ids(&person_ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let mut lookups = Lookups::default();
        let mut enqueued = 0;
        for (agency_id, contacts) in coordinators {
            let Some((agency_name, tz)) = agencies.get(&agency_id) else {
                continue;
            };
            let (items, total) = self
                .store
                .open_items_of_earlier_reports(
                    agency_id,
                    calendar.earlier_reports_up_to,
                    &not_final,
                    CALENDAR_ITEMS,
                )
                .await?;
            if total == 0 {
                continue;
            }
            let local_today = today_in_zone(today, self.time_zone, *tz);
            let lines: Vec<Line> = items
                .iter()
                .map(|i| self.line(&policy, i, *tz, local_today))
                .collect();
            let mut items_text = lines_text(&lines);
            let mut items_html = lines_html(&lines);
            if total > items.len() as u64 {
                let more = format!(
                    "另有{}项未列出，请登录系统查看。",
                    total - items.len() as u64
                );
                items_text.push_str(&more);
                items_text.push('\n');
                items_html.push_str(&format!("<p>{}</p>", escape_html(&more)));
            }
            let render = |recipient: &str| {
                let values = [
                    ("recipient_name", recipient.to_owned()),
                    ("agency_name", agency_name.clone()),
                    ("year", calendar.reporting_year.to_string()),
                    (
                        "due_to_superior",
                        calendar.due_to_superior.format("%-m月%-d日").to_string(),
                    ),
                    (
                        "due_public",
                        calendar.due_public.format("%-m月%-d日").to_string(),
                    ),
                    ("today", local_today.format("%Y年%m月%d日").to_string()),
                    ("open_count", total.to_string()),
                    ("items_text", items_text.clone()),
                    ("items_html", items_html.clone()),
                    ("public_url", public_url.to_owned()),
                ];
                template.render(&values)
            };
            let message = |recipient: &str, address: String, person: Option<Uuid>, key: String| {
                let (subject, text, html) = render(recipient);
                NewReminder {
                    item_id: None,
                    agency_id: Some(agency_id),
                    recipient_person_id: person,
                    recipient_address: address,
                    channel: "email".into(),
                    kind: "report_calendar".into(),
                    refers_to: Some(
                        NaiveDate::from_ymd_opt(today_year(today), 1, 1).unwrap_or(today),
                    ),
                    scheduled_at: Utc::now(),
                    escalation_level: 0,
                    recipient_name: Some(recipient.to_owned()),
                    as_of: Some(local_today),
                    subject: Some(subject),
                    body_text: Some(text),
                    body_html: Some(html),
                    idempotency_key: key,
                }
            };
            let key = format!("report_calendar:{agency_id}:{}", calendar.reporting_year);
            let mut news: Vec<NewReminder> = contacts
                .into_iter()
                .map(|(email, person)| {
                    let name = person
                        .and_then(|p| names.get(&p).cloned())
                        .unwrap_or_else(|| "年度报告联络人".into());
                    let k = format!("{key}:{}", email.to_lowercase());
                    message(&name, email, person, k)
                })
                .collect();
            if let Some((owner, url)) = self
                .webhook_for(agency_id, Audience::Owners, &mut lookups)
                .await?
            {
                let copy = message("各位", url, None, format!("{key}:webhook"));
                news.push(webhook_copy(copy, owner));
            }
            enqueued += self.store.enqueue_reminders(news).await?;
        }
        self.store
            .set_job_mark(CALENDAR_JOB, today, started)
            .await?;
        Ok(enqueued)
    }

    /// Agencies' time zones.
    pub(crate) async fn zones_of(
        &self,
        agency_ids: impl Iterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, Tz>, ServiceError> {
        let mut ids: Vec<Uuid> = agency_ids.collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(self
            .store
            .agencies_by_ids(&ids)
            .await?
            .into_iter()
            .map(|a| (a.id, self.agency_zone(&a)))
            .collect())
    }

    fn line(&self, policy: &Policy, item: &ItemRow, tz: Tz, today: NaiveDate) -> Line {
        let dates = self.item_dates(item, tz);
        Line {
            level: reminders::escalation_level(policy, &dates, today),
            title: item.title.clone(),
            due_on: item.due_on,
            left: item.due_on.map(|d| (d - today).num_days()),
            state_label: self
                .workflow
                .state(&item.state)
                .map_or(item.state.clone(), |s| s.label.clone()),
        }
    }
}

fn today_year(today: NaiveDate) -> i32 {
    use chrono::Datelike;
    today.year()
}

fn describe_line(l: &Line) -> String {
    let due = match (l.due_on, l.left) {
        (Some(d), Some(n)) if n < 0 => {
            format!("整改时限{}，已逾期{}天", d.format("%Y年%m月%d日"), -n)
        }
        (Some(d), Some(0)) => format!("整改时限{}，今天到期", d.format("%Y年%m月%d日")),
        (Some(d), Some(n)) => format!("整改时限{}，还有{n}天", d.format("%Y年%m月%d日")),
        _ => "未设定时限".to_owned(),
    };
    let level = if l.level > 0 {
        format!("【{}】", reminders::level_label(l.level))
    } else {
        String::new()
    };
    format!("{level}{}（{due}；{}）", l.title, l.state_label)
}

fn lines_text(lines: &[Line]) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(n, l)| format!("{}. {}\n", n + 1, describe_line(l)))
        .collect()
}

fn lines_html(lines: &[Line]) -> String {
    let items: String = lines
        .iter()
        .map(|l| format!("<li>{}</li>", escape_html(&describe_line(l))))
        .collect();
    format!("<ol>{items}</ol>")
}
