//! Which reminders are due for an item on a date, the escalation level (三色督办), and the
//! retry schedule of a failed delivery. Pure: dates in, decisions out.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The reminder policy (defaults as DESIGN.md says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Countdown reminders, in days before the due date (0 = on the day).
    pub days_before: Vec<i64>,
    /// While overdue, a reminder every this many days (from the first day overdue).
    pub overdue_every_days: i64,
    /// Escalate to the supervising office after this many days overdue.
    pub escalate_after_days: i64,
    /// An assignment not accepted (签收) within this many days reminds the lead leader, and
    /// after twice as long escalates to the supervising office.
    pub accept_within_days: i64,
    /// Long-term items (长期坚持): a progress-report reminder every this many days.
    pub long_term_every_days: i64,
    /// A missed sweep (server down) still sends a reminder whose day passed at most this
    /// many days ago; older ones are skipped as stale.
    pub catch_up_days: i64,
    /// The weekday each person gets one mail listing all their open items (None: no digest).
    pub digest_weekday: Option<Weekday>,
    /// From this day of January on, coordinators are reminded of earlier reports'
    /// shortcomings whose items are still open (0: never).
    pub report_calendar_day: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            days_before: vec![14, 7, 3, 1, 0],
            overdue_every_days: 7,
            escalate_after_days: 3,
            accept_within_days: 3,
            long_term_every_days: 30,
            catch_up_days: 2,
            digest_weekday: None,
            report_calendar_day: 5,
        }
    }
}

/// Who a reminder goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The lead leader and the responsible person.
    Owners,
    /// The lead leader alone.
    Lead,
    /// The supervising office's contacts.
    Supervisors,
}

/// What a reminder is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Days left before the due date (0: due today).
    Countdown(i64),
    /// Days past the due date.
    Overdue(i64),
    /// Overdue long enough to go to the supervising office.
    Escalation(i64),
    /// Assigned but not accepted in time.
    NotAccepted,
    /// Still not accepted: to the supervising office.
    NotAcceptedEscalation,
    /// A long-term item's periodic progress report.
    ProgressReport,
}

impl Kind {
    /// The stored name (part of the idempotency key).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Countdown(_) => "countdown",
            Kind::Overdue(_) => "overdue",
            Kind::Escalation(_) => "escalation",
            Kind::NotAccepted => "not_accepted",
            Kind::NotAcceptedEscalation => "not_accepted_escalation",
            Kind::ProgressReport => "progress_report",
        }
    }
}

impl Kind {
    /// The kind of a stored reminder, from its name, the day it belongs to and the item's
    /// due date (a countdown's days are the distance between the two).
    pub fn from_stored(name: &str, day: NaiveDate, due_on: Option<NaiveDate>) -> Option<Kind> {
        Some(match name {
            "countdown" => Kind::Countdown(due_on.map_or(0, |d| (d - day).num_days().max(0))),
            "overdue" => Kind::Overdue(due_on.map_or(0, |d| (day - d).num_days().max(0))),
            "escalation" => Kind::Escalation(due_on.map_or(0, |d| (day - d).num_days().max(0))),
            "not_accepted" => Kind::NotAccepted,
            "not_accepted_escalation" => Kind::NotAcceptedEscalation,
            "progress_report" => Kind::ProgressReport,
            _ => return None,
        })
    }
}

/// A reminder that is due: what, which day it belongs to, and for whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Due {
    pub kind: Kind,
    /// The day the reminder belongs to (with the item and recipient, its identity: sending
    /// it again for the same day is a duplicate).
    pub day: NaiveDate,
    pub audience: Audience,
}

/// What the policy needs to know of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemDates {
    /// Open (not closed or cancelled) and not waiting for verification.
    pub open: bool,
    /// Assigned but not yet accepted.
    pub awaiting_acceptance: bool,
    pub long_term: bool,
    pub due_on: Option<NaiveDate>,
    pub assigned_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
}

fn within(policy: &Policy, day: NaiveDate, today: NaiveDate) -> bool {
    day <= today && (today - day).num_days() <= policy.catch_up_days
}

/// The reminders due for `item` on `today` (a calendar date in the agency's time zone).
/// A sweep may call this every day or less often: a reminder whose day passed within the
/// catch-up window is still due; an older one is skipped.
pub fn due_reminders(policy: &Policy, item: &ItemDates, today: NaiveDate) -> Vec<Due> {
    let mut out = Vec::new();
    if !item.open {
        return out;
    }
    if item.awaiting_acceptance
        && let Some(assigned) = item.assigned_on
    {
        let first = assigned + Duration::days(policy.accept_within_days);
        let second = assigned + Duration::days(2 * policy.accept_within_days);
        if within(policy, first, today) || (first <= today && today < second) {
            out.push(Due {
                kind: Kind::NotAccepted,
                day: first,
                audience: Audience::Lead,
            });
        }
        if second <= today && within(policy, second, today) {
            out.push(Due {
                kind: Kind::NotAcceptedEscalation,
                day: second,
                audience: Audience::Supervisors,
            });
        }
    }
    if item.long_term {
        // No countdown: a progress report every period from acceptance.
        if let Some(since) = item.accepted_on {
            let period = policy.long_term_every_days.max(1);
            let elapsed = (today - since).num_days();
            if elapsed >= period {
                let day = since + Duration::days(elapsed / period * period);
                if within(policy, day, today) {
                    out.push(Due {
                        kind: Kind::ProgressReport,
                        day,
                        audience: Audience::Owners,
                    });
                }
            }
        }
        return out;
    }
    let Some(due) = item.due_on else {
        return out;
    };
    let left = (due - today).num_days();
    if left >= 0 {
        // The nearest countdown threshold reached (catch-up: at most `catch_up_days` late).
        if let Some(&d) = policy.days_before.iter().filter(|&&d| d >= left).min() {
            let day = due - Duration::days(d);
            if within(policy, day, today) {
                out.push(Due {
                    kind: Kind::Countdown(d),
                    day,
                    audience: Audience::Owners,
                });
            }
        }
        return out;
    }
    let over = -left;
    let every = policy.overdue_every_days.max(1);
    let step = (over - 1) / every * every + 1;
    let day = due + Duration::days(step);
    if within(policy, day, today) {
        out.push(Due {
            kind: Kind::Overdue(step),
            day,
            audience: Audience::Owners,
        });
    }
    if over >= policy.escalate_after_days {
        let day = due + Duration::days(policy.escalate_after_days);
        // Escalated once per due date (a moved due date escalates anew).
        if within(policy, day, today) {
            out.push(Due {
                kind: Kind::Escalation(policy.escalate_after_days),
                day,
                audience: Audience::Supervisors,
            });
        }
    }
    out
}

/// The day of the weekly digest due on `today`: the last digest weekday, if it is within the
/// catch-up window (a sweep missed on the day still sends it, once).
pub fn digest_day(policy: &Policy, today: NaiveDate) -> Option<NaiveDate> {
    let weekday = policy.digest_weekday?;
    let since = (7 + today.weekday().num_days_from_monday() as i64
        - weekday.num_days_from_monday() as i64)
        % 7;
    let day = today - Duration::days(since);
    within(policy, day, today).then_some(day)
}

/// The January reminder of the reporting calendar: annual reports go to the level above by
/// 1 March and are public by 1 April, and must say what became of earlier reports'
/// shortcomings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportCalendar {
    /// The year the report now being written covers.
    pub reporting_year: i32,
    /// Reports covering this year or earlier list the shortcomings to account for.
    pub earlier_reports_up_to: i32,
    pub due_to_superior: NaiveDate,
    pub due_public: NaiveDate,
}

/// The reporting-calendar reminder due on `today`, if any: any day of January from the
/// configured day on (the outbox key makes it once a year).
pub fn report_calendar(policy: &Policy, today: NaiveDate) -> Option<ReportCalendar> {
    if policy.report_calendar_day == 0
        || today.month() != 1
        || today.day() < policy.report_calendar_day
    {
        return None;
    }
    let year = today.year();
    Some(ReportCalendar {
        reporting_year: year - 1,
        earlier_reports_up_to: year - 2,
        due_to_superior: NaiveDate::from_ymd_opt(year, 3, 1)?,
        due_public: NaiveDate::from_ymd_opt(year, 4, 1)?,
    })
}

/// The escalation level offices run (三色督办): 0 normal, 1 蓝 deadline within 7 days,
/// 2 黄 within 3 days or not accepted in time, 3 红 overdue. Derived from dates only, so
/// SQL can filter and count by it (see `store::items`).
pub fn escalation_level(policy: &Policy, item: &ItemDates, today: NaiveDate) -> u8 {
    if !item.open {
        return 0;
    }
    let late_acceptance = item.awaiting_acceptance
        && item
            .assigned_on
            .is_some_and(|a| today >= a + Duration::days(policy.accept_within_days));
    match item.due_on.map(|d| (d - today).num_days()) {
        Some(left) if left < 0 => 3,
        Some(left) if left <= 3 => 2,
        _ if late_acceptance => 2,
        Some(left) if left <= 7 => 1,
        _ => 0,
    }
}

/// The Chinese name of a level.
pub fn level_label(level: u8) -> &'static str {
    match level {
        3 => "红色督办",
        2 => "黄色预警",
        1 => "蓝色提示",
        _ => "正常",
    }
}

/// How long to wait after failed attempt `attempt` (1-based): exponential from `base`,
/// capped at one hour, with `jitter` (0.0–1.0) adding up to half again.
pub fn retry_delay(base: std::time::Duration, attempt: u32, jitter: f64) -> std::time::Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(16);
    let delay = base
        .saturating_mul(factor)
        .min(std::time::Duration::from_secs(3600));
    delay + delay.mul_f64(0.5 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_stored_reminder_gives_back_the_kind_it_was_due_as() {
        let policy = Policy::default();
        let due = d("2026-03-31");
        let mut seen = HashSet::new();
        for offset in -40..20 {
            let today = due + Duration::days(offset);
            for r in due_reminders(&policy, &item("2026-03-31"), today) {
                let back = Kind::from_stored(r.kind.name(), r.day, Some(due));
                assert_eq!(back, Some(r.kind), "{r:?} on {today}");
                seen.insert(r.kind.name());
            }
        }
        assert!(
            seen.contains("countdown") && seen.contains("overdue") && seen.contains("escalation")
        );
        assert_eq!(Kind::from_stored("urge", due, Some(due)), None);
    }

    fn item(due: &str) -> ItemDates {
        ItemDates {
            open: true,
            awaiting_acceptance: false,
            long_term: false,
            due_on: Some(d(due)),
            assigned_on: Some(d("2026-01-01")),
            accepted_on: Some(d("2026-01-02")),
        }
    }

    fn kinds(due: &[Due]) -> Vec<Kind> {
        due.iter().map(|d| d.kind).collect()
    }

    #[test]
    fn countdown_days_and_nothing_between() {
        let p = Policy::default();
        let i = item("2026-03-31");
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-03-17"))),
            [Kind::Countdown(14)]
        );
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-03-24"))),
            [Kind::Countdown(7)]
        );
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-03-30"))),
            [Kind::Countdown(1)]
        );
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-03-31"))),
            [Kind::Countdown(0)]
        );
        assert!(
            due_reminders(&p, &i, d("2026-03-10")).is_empty(),
            "three weeks out"
        );
        assert!(
            due_reminders(&p, &i, d("2026-03-21")).is_empty(),
            "3 days after the 14-day one: stale"
        );
    }

    #[test]
    fn a_missed_day_is_caught_up_within_the_window_with_the_same_identity() {
        let p = Policy::default();
        let i = item("2026-03-31");
        let on_time = due_reminders(&p, &i, d("2026-03-24"));
        let late = due_reminders(&p, &i, d("2026-03-25"));
        assert_eq!(
            on_time, late,
            "same kind and day: the outbox sees a duplicate"
        );
    }

    #[test]
    fn month_ends_and_leap_days() {
        let p = Policy::default();
        let i = item("2028-03-01");
        let r = due_reminders(&p, &i, d("2028-02-29"));
        assert_eq!(r[0].kind, Kind::Countdown(1));
        assert_eq!(r[0].day, d("2028-02-29"));
        let j = item("2026-03-01");
        assert_eq!(
            due_reminders(&p, &j, d("2026-02-28"))[0].kind,
            Kind::Countdown(1)
        );
    }

    #[test]
    fn overdue_weekly_and_escalation_after_three_days() {
        let p = Policy::default();
        let i = item("2026-03-31");
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-04-01"))),
            [Kind::Overdue(1)]
        );
        assert!(
            due_reminders(&p, &i, d("2026-04-04"))
                .iter()
                .any(|r| r.audience == Audience::Supervisors)
        );
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-04-08"))),
            [Kind::Overdue(8)]
        );
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-04-15"))),
            [Kind::Overdue(15)]
        );
        assert!(due_reminders(&p, &i, d("2026-04-12")).is_empty());
    }

    #[test]
    fn a_due_date_moved_by_an_extension_restarts_the_countdown() {
        let p = Policy::default();
        let before = item("2026-03-31");
        let after = item("2026-05-31");
        assert_eq!(
            kinds(&due_reminders(&p, &before, d("2026-04-01"))),
            [Kind::Overdue(1)]
        );
        assert!(due_reminders(&p, &after, d("2026-04-01")).is_empty());
        assert_eq!(
            due_reminders(&p, &after, d("2026-05-24"))[0].day,
            d("2026-05-24")
        );
    }

    #[test]
    fn an_item_closed_the_day_before_gets_nothing() {
        let p = Policy::default();
        let closed = ItemDates {
            open: false,
            ..item("2026-03-31")
        };
        assert!(due_reminders(&p, &closed, d("2026-03-31")).is_empty());
        assert_eq!(escalation_level(&p, &closed, d("2026-05-01")), 0);
    }

    #[test]
    fn long_term_items_get_progress_reminders_not_a_countdown() {
        let p = Policy::default();
        let i = ItemDates {
            long_term: true,
            ..item("2026-03-31")
        };
        assert!(due_reminders(&p, &i, d("2026-03-24")).is_empty());
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-02-01"))),
            [Kind::ProgressReport]
        );
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-03-03"))),
            [Kind::ProgressReport]
        );
    }

    #[test]
    fn an_unaccepted_assignment_reminds_the_lead_then_escalates() {
        let p = Policy::default();
        let i = ItemDates {
            awaiting_acceptance: true,
            ..item("2026-12-31")
        };
        assert!(due_reminders(&p, &i, d("2026-01-03")).is_empty());
        assert_eq!(
            kinds(&due_reminders(&p, &i, d("2026-01-04"))),
            [Kind::NotAccepted]
        );
        let later = due_reminders(&p, &i, d("2026-01-07"));
        assert!(
            later
                .iter()
                .any(|r| r.kind == Kind::NotAcceptedEscalation
                    && r.audience == Audience::Supervisors)
        );
    }

    #[test]
    fn levels_follow_the_dates() {
        let p = Policy::default();
        let i = item("2026-03-31");
        assert_eq!(escalation_level(&p, &i, d("2026-03-01")), 0);
        assert_eq!(escalation_level(&p, &i, d("2026-03-24")), 1);
        assert_eq!(escalation_level(&p, &i, d("2026-03-28")), 2);
        assert_eq!(escalation_level(&p, &i, d("2026-04-01")), 3);
        let waiting = ItemDates {
            awaiting_acceptance: true,
            ..item("2026-12-31")
        };
        assert_eq!(escalation_level(&p, &waiting, d("2026-01-05")), 2);
        assert_eq!(level_label(3), "红色督办");
    }

    #[test]
    fn retries_back_off_exponentially_with_bounded_jitter() {
        let base = std::time::Duration::from_secs(30);
        assert_eq!(retry_delay(base, 1, 0.0).as_secs(), 30);
        assert_eq!(retry_delay(base, 2, 0.0).as_secs(), 60);
        assert_eq!(retry_delay(base, 3, 1.0).as_secs(), 180);
        assert_eq!(retry_delay(base, 30, 0.0).as_secs(), 3600);
    }

    #[test]
    fn the_digest_goes_out_on_its_weekday_or_within_the_catch_up_window() {
        let mut policy = Policy::default();
        // 2026-11-23 is a Monday.
        assert_eq!(digest_day(&policy, d("2026-11-23")), None, "off by default");
        policy.digest_weekday = Some(Weekday::Mon);
        assert_eq!(digest_day(&policy, d("2026-11-23")), Some(d("2026-11-23")));
        assert_eq!(digest_day(&policy, d("2026-11-25")), Some(d("2026-11-23")));
        assert_eq!(
            digest_day(&policy, d("2026-11-26")),
            None,
            "three days late: skipped"
        );
        assert_eq!(digest_day(&policy, d("2026-11-22")), None, "Sunday before");
        policy.digest_weekday = Some(Weekday::Fri);
        // Across a month and a year end: Friday 2027-01-01.
        assert_eq!(digest_day(&policy, d("2027-01-02")), Some(d("2027-01-01")));
    }

    #[test]
    fn the_reporting_calendar_reminds_in_january_from_the_configured_day() {
        let mut policy = Policy::default();
        assert_eq!(report_calendar(&policy, d("2027-01-04")), None);
        let due = report_calendar(&policy, d("2027-01-05")).unwrap();
        assert_eq!(due.reporting_year, 2026);
        assert_eq!(due.earlier_reports_up_to, 2025);
        assert_eq!(due.due_to_superior, d("2027-03-01"));
        assert_eq!(due.due_public, d("2027-04-01"));
        assert!(report_calendar(&policy, d("2027-01-31")).is_some());
        assert_eq!(report_calendar(&policy, d("2027-02-01")), None);
        assert_eq!(report_calendar(&policy, d("2026-12-31")), None);
        policy.report_calendar_day = 0;
        assert_eq!(report_calendar(&policy, d("2027-01-20")), None);
    }
}
