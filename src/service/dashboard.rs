//! Supervisors' dashboards: per agency or per jurisdiction (the agency and every agency under
//! it that the caller reaches), counted in SQL and folded into the figures offices use.

use std::collections::HashMap;

use chrono::{Offset, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{Actor, ServiceError, Services};
use crate::{
    domain::{
        access::Operation,
        dashboard::{Figures, StateNames, StateTally, UnitTallies, trend_months, trend_start},
    },
    store::dashboard::{DashboardScope, MonthTally},
};

/// The workflow action that returns a submitted item to its owners (退回): counted as rework.
pub const REWORK_ACTION: &str = "reject";
/// The most months a trend may cover.
pub const MAX_TREND_MONTHS: u32 = 36;

/// Whose items a dashboard counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The agency's own items.
    Agency,
    /// The agency's and those of every agency under it within the caller's reach.
    Jurisdiction,
}

/// A dashboard's scope, resolved: the agencies counted, grouped by time zone (each zone has
/// its own "today").
#[derive(Clone, Debug)]
pub struct ResolvedScope {
    pub agency_id: Uuid,
    pub reach: Reach,
    pub zones: Vec<DashboardScope>,
}

impl ResolvedScope {
    /// Today where the root agency is (the date the figures are "as of").
    pub fn as_of(&self) -> chrono::NaiveDate {
        self.zones
            .first()
            .map_or_else(|| Utc::now().date_naive(), |z| z.today)
    }

    /// How many agencies are counted.
    pub fn agency_count(&self) -> usize {
        self.zones.iter().map(|z| z.agency_ids.len()).sum()
    }
}

/// One unit's line in the appraisal table (考核).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitFigures {
    pub agency_id: Uuid,
    pub figures: Figures,
    /// Items returned by verifiers (退回), counted per return.
    pub rework: u64,
    /// Extensions approved.
    pub extensions: u64,
}

/// One leader's line.
#[derive(Clone, Debug, PartialEq)]
pub struct LeaderFigures {
    /// `None`: items with no lead person yet.
    pub person_id: Option<Uuid>,
    pub figures: Figures,
}

/// Which counts beyond the tallies a dashboard computes (each costs a query over the
/// scope's items): those the request selects.
#[derive(Clone, Copy, Debug)]
pub struct DashboardParts {
    /// Returns (退回), in total or per unit.
    pub rework: bool,
    /// Approved extensions, in total or per unit.
    pub extensions: bool,
    /// Shortcomings that repeat an earlier one.
    pub recurring_shortcomings: bool,
}

/// The dashboard's headline: totals, by state, per unit.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub scope: ResolvedScope,
    pub figures: Figures,
    /// (state, label, items) in the workflow's order, every state listed.
    pub by_state: Vec<(String, String, u64)>,
    /// Per unit, units with items first by most overdue.
    pub units: Vec<UnitFigures>,
    pub rework: u64,
    pub extensions: u64,
    pub recurring_shortcomings: u64,
}

impl Services {
    /// Resolves who a dashboard counts, after checking the caller may see it: dashboards are
    /// for those who read agencies (admins, supervisors, coordinators), not for accounts
    /// limited to their own items.
    pub async fn dashboard_scope(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        reach: Reach,
    ) -> Result<ResolvedScope, ServiceError> {
        if actor.own_items_only().is_some() {
            return Err(ServiceError::Forbidden(
                "dashboards are for supervising offices and coordinators; \
                 your items are listed by the items query"
                    .into(),
            ));
        }
        actor.require_in(Operation::Read, agency_id)?;
        let mut agencies: Vec<(Uuid, Tz)> = self
            .store
            .agency_subtree_zones(agency_id)
            .await?
            .into_iter()
            .map(|(id, tz)| (id, tz.unwrap_or(self.time_zone)))
            .collect();
        // The subtree starts with the agency itself.
        let Some((_, root_zone)) = agencies.first().cloned() else {
            return Err(ServiceError::not_found("agency", agency_id));
        };
        match reach {
            Reach::Agency => agencies.truncate(1),
            Reach::Jurisdiction => agencies.retain(|(id, _)| actor.reaches(*id)),
        }
        let mut by_zone: Vec<(Tz, Vec<Uuid>)> = Vec::new();
        // The root agency's zone first: its "today" is the dashboard's date.
        let mut zones: Vec<Tz> = vec![root_zone];
        for (_, zone) in &agencies {
            if !zones.contains(zone) {
                zones.push(*zone);
            }
        }
        for zone in zones {
            let ids = agencies
                .iter()
                .filter(|(_, z)| *z == zone)
                .map(|(id, _)| *id)
                .collect::<Vec<_>>();
            if !ids.is_empty() || by_zone.is_empty() {
                by_zone.push((zone, ids));
            }
        }
        let now = Utc::now();
        let zones = by_zone
            .into_iter()
            .map(|(zone, agency_ids)| {
                let local = now.with_timezone(&zone);
                DashboardScope {
                    agency_ids,
                    today: local.date_naive(),
                    utc_offset_seconds: local.offset().fix().local_minus_utc(),
                    time_zone: zone,
                }
            })
            .collect();
        Ok(ResolvedScope {
            agency_id,
            reach,
            zones,
        })
    }

    /// The headline figures, by state and per unit; of the counts beyond, only those in
    /// `parts` (the others are 0).
    pub async fn dashboard(
        &self,
        scope: ResolvedScope,
        parts: DashboardParts,
    ) -> Result<Dashboard, ServiceError> {
        let final_states = self.final_state_names();
        let names = StateNames {
            final_states: &final_states,
            ..StateNames::default()
        };
        let mut tallies = UnitTallies::default();
        let mut rework: HashMap<Uuid, u64> = HashMap::new();
        let mut extensions: HashMap<Uuid, u64> = HashMap::new();
        let mut recurring_shortcomings = 0;
        for zone in &scope.zones {
            let (units, returned, extended, recurring) = tokio::try_join!(
                self.store.unit_tallies(zone, names),
                async {
                    if parts.rework {
                        self.store.unit_action_counts(zone, REWORK_ACTION).await
                    } else {
                        Ok(Vec::new())
                    }
                },
                async {
                    if parts.extensions {
                        self.store.unit_extension_counts(zone).await
                    } else {
                        Ok(Vec::new())
                    }
                },
                async {
                    if parts.recurring_shortcomings {
                        self.store.recurring_shortcoming_count(zone).await
                    } else {
                        Ok(0)
                    }
                },
            )?;
            tallies.merge(units);
            rework.extend(returned);
            extensions.extend(extended);
            recurring_shortcomings += recurring;
        }
        let mut by_state: Vec<(String, String, u64)> = self
            .workflow
            .states()
            .iter()
            .map(|s| {
                let n = tallies.by_state.get(&s.name).copied().unwrap_or(0);
                (s.name.clone(), s.label.clone(), n)
            })
            .collect();
        // States no longer in the workflow (a changed file) still show, under their own name.
        let mut unknown: Vec<(String, String, u64)> = tallies
            .by_state
            .iter()
            .filter(|(s, n)| self.workflow.state(s).is_none() && **n > 0)
            .map(|(s, n)| (s.clone(), s.clone(), *n))
            .collect();
        unknown.sort();
        by_state.extend(unknown);
        let figures = tallies.total();
        let mut units: Vec<UnitFigures> = scope
            .zones
            .iter()
            .flat_map(|z| z.agency_ids.iter().copied())
            .map(|agency_id| UnitFigures {
                agency_id,
                figures: tallies.units.get(&agency_id).cloned().unwrap_or_default(),
                rework: rework.get(&agency_id).copied().unwrap_or(0),
                extensions: extensions.get(&agency_id).copied().unwrap_or(0),
            })
            .collect();
        units.sort_by(|a, b| {
            b.figures
                .overdue
                .cmp(&a.figures.overdue)
                .then(b.figures.total.cmp(&a.figures.total))
                .then(a.agency_id.cmp(&b.agency_id))
        });
        Ok(Dashboard {
            figures,
            by_state,
            rework: rework.values().sum(),
            extensions: extensions.values().sum(),
            recurring_shortcomings,
            units,
            scope,
        })
    }

    /// Per lead person, most overdue first; at most `first` lines.
    pub async fn dashboard_leaders(
        &self,
        scope: &ResolvedScope,
        first: usize,
    ) -> Result<Vec<LeaderFigures>, ServiceError> {
        let mut tallies: HashMap<Option<Uuid>, Vec<StateTally>> = HashMap::new();
        for zone in &scope.zones {
            for (person, tally) in self.store.leader_state_tallies(zone).await? {
                tallies.entry(person).or_default().push(tally);
            }
        }
        let final_states = self.final_state_names();
        let names = StateNames {
            final_states: &final_states,
            ..StateNames::default()
        };
        let mut leaders: Vec<LeaderFigures> = tallies
            .into_iter()
            .map(|(person_id, t)| LeaderFigures {
                person_id,
                figures: Figures::from_tallies(&t, names),
            })
            .collect();
        leaders.sort_by(|a, b| {
            b.figures
                .overdue
                .cmp(&a.figures.overdue)
                .then(b.figures.open.cmp(&a.figures.open))
                .then(a.person_id.cmp(&b.person_id))
        });
        leaders.truncate(first);
        Ok(leaders)
    }

    /// Items created, closed and due per month over the last `months` months (this one
    /// included), every month listed.
    pub async fn dashboard_trend(
        &self,
        scope: &ResolvedScope,
        months: u32,
    ) -> Result<Vec<MonthTally>, ServiceError> {
        if months == 0 || months > MAX_TREND_MONTHS {
            return Err(ServiceError::invalid(
                "months",
                format!("趋势统计的月数须在 1 至 {MAX_TREND_MONTHS} 之间"),
            ));
        }
        let today = scope.as_of();
        let keys = trend_months(today, months);
        let mut by_month: HashMap<String, MonthTally> = HashMap::new();
        for zone in &scope.zones {
            for t in self
                .store
                .month_tallies(zone, trend_start(today, months))
                .await?
            {
                let m = by_month.entry(t.month.clone()).or_default();
                m.created += t.created;
                m.closed += t.closed;
                m.due += t.due;
            }
        }
        Ok(keys
            .into_iter()
            .map(|month| {
                let t = by_month.remove(&month).unwrap_or_default();
                MonthTally { month, ..t }
            })
            .collect())
    }

    /// Moves the dashboards' kept tallies to today (where the service's zone is), recounting
    /// them once a day; true when it recounted.
    pub async fn move_dashboard_tallies(&self) -> Result<bool, ServiceError> {
        Ok(self.store.move_tally_window(self.today()).await?)
    }

    /// The workflow's states that are not final: an "open" item is in one of these (the
    /// dashboards' 未完成, and the item list's filter that figure links to).
    pub fn open_state_names(&self) -> Vec<String> {
        self.workflow
            .states()
            .iter()
            .filter(|s| !s.is_final)
            .map(|s| s.name.clone())
            .collect()
    }

    /// The workflow's final states (closed items can no longer be overdue).
    fn final_state_names(&self) -> Vec<&str> {
        self.workflow.final_states()
    }
}
