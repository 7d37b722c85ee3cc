//! Supervisors' figures (考核 and 督办 dashboards), as pure arithmetic over the tallies the
//! store computes with SQL aggregates: which states count as open or done, the rates and
//! averages offices report, and sums over units.

/// What the store counts for one group of items (a unit, a leader, a whole scope) in one
/// state. Date-dependent counts are taken against "today" in the items' time zone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateTally {
    pub state: String,
    /// Items in this state.
    pub items: u64,
    /// Items whose due date is before today.
    pub past_due: u64,
    /// Items due today or within the next seven days.
    pub due_within_7_days: u64,
    /// Σ (today − due date) in days over the items whose due date is before today.
    pub past_due_days: u64,
    /// Items with a due date that were submitted for verification on or before it.
    pub finished_on_time: u64,
    /// Items with a due date that were submitted for verification (on time or late).
    pub finished_with_due_date: u64,
}

/// The figures for a group of items, as offices read them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    pub total: u64,
    /// Neither closed (销号) nor cancelled (撤销).
    pub open: u64,
    /// Closed (已销号).
    pub closed: u64,
    pub cancelled: u64,
    /// Open and past the due date (超期).
    pub overdue: u64,
    /// Open and due today or within seven days.
    pub due_within_7_days: u64,
    /// Σ days overdue over the items overdue now (超期天数合计).
    pub total_overdue_days: u64,
    /// Closed items submitted by their due date.
    pub closed_on_time: u64,
    /// Closed items that had a due date.
    pub closed_with_due_date: u64,
}

/// The state names the figures depend on.
#[derive(Clone, Copy, Debug)]
pub struct StateNames<'a> {
    /// States an item can no longer be overdue in.
    pub final_states: &'a [&'a str],
    /// The state of a rectified item (销号).
    pub closed: &'a str,
    /// The state of a withdrawn item (撤销).
    pub cancelled: &'a str,
}

/// The built-in workflow's final states (the split state included): the default for
/// figures computed without a workflow at hand (tests, tools). Services pass the workflow
/// in force (`Workflow::final_states`); a unit test keeps the two equal.
const BUILTIN_FINAL_STATES: &[&str] = &["closed", "cancelled", super::SPLIT_STATE];

impl Default for StateNames<'static> {
    fn default() -> Self {
        Self {
            final_states: BUILTIN_FINAL_STATES,
            closed: "closed",
            cancelled: "cancelled",
        }
    }
}

impl Figures {
    /// Folds per-state tallies into figures.
    pub fn from_tallies<'t>(
        tallies: impl IntoIterator<Item = &'t StateTally>,
        names: StateNames<'_>,
    ) -> Self {
        let mut f = Figures::default();
        for t in tallies {
            // A split item is counted through its parts.
            if t.state == super::SPLIT_STATE {
                continue;
            }
            f.total += t.items;
            if t.state == names.closed {
                f.closed += t.items;
                f.closed_on_time += t.finished_on_time;
                f.closed_with_due_date += t.finished_with_due_date;
            } else if t.state == names.cancelled {
                f.cancelled += t.items;
            }
            if !names.final_states.contains(&t.state.as_str()) {
                f.open += t.items;
                f.overdue += t.past_due;
                f.due_within_7_days += t.due_within_7_days;
                f.total_overdue_days += t.past_due_days;
            }
        }
        f
    }

    /// Adds another group's figures to these (a jurisdiction is the sum of its units).
    pub fn add(&mut self, other: &Figures) {
        self.total += other.total;
        self.open += other.open;
        self.closed += other.closed;
        self.cancelled += other.cancelled;
        self.overdue += other.overdue;
        self.due_within_7_days += other.due_within_7_days;
        self.total_overdue_days += other.total_overdue_days;
        self.closed_on_time += other.closed_on_time;
        self.closed_with_due_date += other.closed_with_due_date;
    }

    /// 整改完成率: closed items among those not cancelled; `None` when there are none.
    pub fn completion_rate(&self) -> Option<f64> {
        ratio(self.closed, self.total - self.cancelled)
    }

    /// 按期完成率: closed items submitted by their due date among closed items that had one.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.closed_on_time, self.closed_with_due_date)
    }

    /// Average days overdue over the items overdue now; `None` when none is.
    pub fn average_overdue_days(&self) -> Option<f64> {
        ratio(self.total_overdue_days, self.overdue)
    }
}

/// Each unit's figures and the items in each state, for a set of units.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnitTallies {
    pub units: std::collections::HashMap<uuid::Uuid, Figures>,
    pub by_state: std::collections::HashMap<String, u64>,
}

impl UnitTallies {
    /// Folds per-unit, per-state tallies.
    pub fn from_state_tallies<'t>(
        tallies: impl IntoIterator<Item = &'t (uuid::Uuid, StateTally)>,
        names: StateNames<'_>,
    ) -> Self {
        let mut out = UnitTallies::default();
        for (unit, tally) in tallies {
            out.units
                .entry(*unit)
                .or_default()
                .add(&Figures::from_tallies([tally], names));
            *out.by_state.entry(tally.state.clone()).or_default() += tally.items;
        }
        out
    }

    /// Adds another set of units (another time zone's).
    pub fn merge(&mut self, other: UnitTallies) {
        for (unit, f) in other.units {
            self.units.entry(unit).or_default().add(&f);
        }
        for (state, n) in other.by_state {
            *self.by_state.entry(state).or_default() += n;
        }
    }

    /// The figures of all units together.
    pub fn total(&self) -> Figures {
        let mut f = Figures::default();
        for unit in self.units.values() {
            f.add(unit);
        }
        f
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The months a trend covers, oldest first: `count` months ending with the month of `today`,
/// as "YYYY-MM" keys (what the store's month buckets are named).
pub fn trend_months(today: chrono::NaiveDate, count: u32) -> Vec<String> {
    use chrono::Datelike;
    let mut months = Vec::with_capacity(count as usize);
    let (mut year, mut month) = (today.year(), today.month());
    for _ in 0..count {
        months.push(format!("{year:04}-{month:02}"));
        if month == 1 {
            year -= 1;
            month = 12;
        } else {
            month -= 1;
        }
    }
    months.reverse();
    months
}

/// The first day of the oldest month in [`trend_months`].
pub fn trend_start(today: chrono::NaiveDate, count: u32) -> chrono::NaiveDate {
    let oldest = trend_months(today, count.max(1)).remove(0);
    chrono::NaiveDate::parse_from_str(&format!("{oldest}-01"), "%Y-%m-%d").unwrap_or(today)
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_default_final_states_are_the_builtin_workflows() {
        let workflow = crate::domain::workflow::Workflow::builtin();
        let mut builtin = workflow.final_states();
        builtin.sort_unstable();
        let mut default = BUILTIN_FINAL_STATES.to_vec();
        default.sort_unstable();
        assert_eq!(default, builtin);
    }

    use chrono::NaiveDate;

    use super::*;

    fn tally(state: &str, items: u64) -> StateTally {
        StateTally {
            state: state.into(),
            items,
            ..StateTally::default()
        }
    }

    #[test]
    fn open_items_alone_count_as_overdue_and_due_soon() {
        let tallies = [
            StateTally {
                past_due: 3,
                due_within_7_days: 2,
                past_due_days: 30,
                ..tally("in_progress", 10)
            },
            // A closed item past its due date is not overdue.
            StateTally {
                past_due: 4,
                due_within_7_days: 1,
                past_due_days: 99,
                finished_on_time: 3,
                finished_with_due_date: 5,
                ..tally("closed", 6)
            },
            StateTally {
                past_due: 1,
                past_due_days: 5,
                ..tally("cancelled", 2)
            },
        ];
        let f = Figures::from_tallies(&tallies, StateNames::default());
        assert_eq!((f.total, f.open, f.closed, f.cancelled), (18, 10, 6, 2));
        assert_eq!(
            (f.overdue, f.due_within_7_days, f.total_overdue_days),
            (3, 2, 30)
        );
        assert_eq!(f.completion_rate(), Some(6.0 / 16.0));
        assert_eq!(f.on_time_rate(), Some(3.0 / 5.0));
        assert_eq!(f.average_overdue_days(), Some(10.0));
    }

    #[test]
    fn rates_are_absent_rather_than_zero_when_nothing_is_measured() {
        let f = Figures::from_tallies(&[tally("cancelled", 3)], StateNames::default());
        assert_eq!(f.completion_rate(), None);
        assert_eq!(f.on_time_rate(), None);
        assert_eq!(f.average_overdue_days(), None);
        let empty = Figures::from_tallies(&[], StateNames::default());
        assert_eq!(empty, Figures::default());
    }

    #[test]
    fn a_workflow_with_other_state_names_is_honoured() {
        let names = StateNames {
            final_states: &["done", "dropped"],
            closed: "done",
            cancelled: "dropped",
        };
        let f = Figures::from_tallies(
            &[tally("done", 2), tally("dropped", 1), tally("closed", 4)],
            names,
        );
        assert_eq!((f.closed, f.cancelled, f.open), (2, 1, 4));
    }

    #[test]
    fn units_fold_per_state_tallies_and_sum_to_the_whole() {
        let a = uuid::Uuid::from_u128(1);
        let b = uuid::Uuid::from_u128(2);
        let rows = vec![
            (
                a,
                StateTally {
                    past_due: 2,
                    ..tally("in_progress", 3)
                },
            ),
            (
                a,
                StateTally {
                    finished_on_time: 1,
                    finished_with_due_date: 2,
                    ..tally("closed", 2)
                },
            ),
            (
                b,
                StateTally {
                    past_due: 1,
                    past_due_days: 4,
                    ..tally("in_progress", 1)
                },
            ),
            (b, tally("cancelled", 5)),
        ];
        let units = UnitTallies::from_state_tallies(&rows, StateNames::default());
        assert_eq!(units.units[&a].total, 5);
        assert_eq!(units.units[&a].overdue, 2);
        assert_eq!(units.units[&a].closed_on_time, 1);
        assert_eq!(units.units[&b].cancelled, 5);
        assert_eq!(units.by_state["in_progress"], 4);
        let whole = units.total();
        let direct = Figures::from_tallies(rows.iter().map(|(_, t)| t), StateNames::default());
        assert_eq!(whole, direct);
        let mut twice = units.clone();
        twice.merge(units.clone());
        assert_eq!(twice.total().total, 2 * direct.total);
        assert_eq!(twice.by_state["cancelled"], 10);
    }

    #[test]
    fn trend_months_cross_the_year_boundary() {
        let today = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(
            trend_months(today, 4),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(
            trend_start(today, 4),
            NaiveDate::from_ymd_opt(2025, 11, 1).unwrap()
        );
        assert_eq!(trend_months(today, 1), ["2026-02"]);
        assert_eq!(
            trend_start(today, 0),
            NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()
        );
    }
}
