//! Supervisors' dashboards (督办/考核): `dashboard(agencyId, scope)`.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;

use super::{
    ContextExt,
    error::parse_id,
    loaders::load_error,
    types::{Agency, Person},
};
use crate::{
    domain::dashboard::Figures as DomainFigures,
    service::dashboard::{self as service, Reach, ResolvedScope},
    store::dashboard::MonthTally,
};

/// Whose items a dashboard counts.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum DashboardScope {
    /// The agency's own items.
    Agency,
    /// The agency's and those of every agency under it within your reach (辖区).
    Jurisdiction,
}

/// The figures offices report for a group of items.
#[derive(SimpleObject)]
pub struct Figures {
    pub total: u64,
    /// Neither closed nor cancelled.
    pub open: u64,
    /// 已销号
    pub closed: u64,
    /// 已撤销
    pub cancelled: u64,
    /// Open and past the due date (超期).
    pub overdue: u64,
    /// Open and due today or within the next seven days.
    pub due_within_7_days: u64,
    /// 整改完成率: closed among items not cancelled; null when there are none.
    pub completion_rate: Option<f64>,
    /// 按期完成率: closed items submitted by their due date, among closed items with one.
    pub on_time_rate: Option<f64>,
    /// Σ days overdue over the items overdue now (超期天数合计).
    pub total_overdue_days: u64,
    /// Average days overdue over the items overdue now.
    pub average_overdue_days: Option<f64>,
}

impl From<&DomainFigures> for Figures {
    fn from(f: &DomainFigures) -> Self {
        Self {
            total: f.total,
            open: f.open,
            closed: f.closed,
            cancelled: f.cancelled,
            overdue: f.overdue,
            due_within_7_days: f.due_within_7_days,
            completion_rate: f.completion_rate(),
            on_time_rate: f.on_time_rate(),
            total_overdue_days: f.total_overdue_days,
            average_overdue_days: f.average_overdue_days(),
        }
    }
}

/// Items in one state.
#[derive(SimpleObject)]
pub struct StateCount {
    pub state: String,
    /// The state's name for people, e.g. 整改中.
    pub label: String,
    pub count: u64,
}

/// One unit's line in the appraisal table (考核).
pub struct UnitLine(service::UnitFigures);

#[Object]
impl UnitLine {
    async fn agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        Ok(ctx
            .loaders()
            .agencies
            .load_one(self.0.agency_id)
            .await
            .map_err(load_error)?
            .map(Agency))
    }
    async fn figures(&self) -> Figures {
        Figures::from(&self.0.figures)
    }
    /// Items returned by verifiers (退回), counted per return.
    async fn rework_count(&self) -> u64 {
        self.0.rework
    }
    /// Extensions approved (延期).
    async fn extension_count(&self) -> u64 {
        self.0.extensions
    }
}

/// One lead person's line.
pub struct LeaderLine(service::LeaderFigures);

#[Object]
impl LeaderLine {
    /// Null for items without a lead person yet.
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.0.person_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .persons
            .load_one(id)
            .await
            .map_err(load_error)?
            .map(Person))
    }
    async fn figures(&self) -> Figures {
        Figures::from(&self.0.figures)
    }
}

/// One month of the trend.
#[derive(SimpleObject)]
pub struct MonthFigures {
    /// "YYYY-MM"
    pub month: String,
    /// Items created (立项) that month.
    pub created: u64,
    /// Items closed (销号) that month.
    pub closed: u64,
    /// Items due that month.
    pub due: u64,
}

impl From<MonthTally> for MonthFigures {
    fn from(t: MonthTally) -> Self {
        Self {
            month: t.month,
            created: t.created,
            closed: t.closed,
            due: t.due,
        }
    }
}

/// A supervisor's dashboard for an agency or a jurisdiction. The lists by leader and the
/// trend are counted only when asked for.
pub struct Dashboard(service::Dashboard);

#[Object]
impl Dashboard {
    /// The agency the dashboard is for.
    async fn agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        Ok(ctx
            .loaders()
            .agencies
            .load_one(self.0.scope.agency_id)
            .await
            .map_err(load_error)?
            .map(Agency))
    }
    async fn scope(&self) -> DashboardScope {
        match self.0.scope.reach {
            Reach::Agency => DashboardScope::Agency,
            Reach::Jurisdiction => DashboardScope::Jurisdiction,
        }
    }
    /// Today where the agency is: the date "overdue" and "due within 7 days" refer to.
    async fn as_of(&self) -> NaiveDate {
        self.0.scope.as_of()
    }
    /// How many agencies are counted.
    async fn agency_count(&self) -> usize {
        self.0.scope.agency_count()
    }
    async fn figures(&self) -> Figures {
        Figures::from(&self.0.figures)
    }
    /// Items per state, every state of the workflow listed.
    async fn by_state(&self) -> Vec<StateCount> {
        self.0
            .by_state
            .iter()
            .map(|(state, label, count)| StateCount {
                state: state.clone(),
                label: label.clone(),
                count: *count,
            })
            .collect()
    }
    /// Items returned by verifiers (退回), counted per return.
    async fn rework_count(&self) -> u64 {
        self.0.rework
    }
    /// Extensions approved (延期).
    async fn extension_count(&self) -> u64 {
        self.0.extensions
    }
    /// Shortcomings in the scope's reports that repeat an earlier one (重复出现的问题).
    async fn recurring_shortcomings(&self) -> u64 {
        self.0.recurring_shortcomings
    }
    /// Per unit, most overdue first (at most `first`, default 50, up to 1,000).
    #[graphql(complexity = "first.unwrap_or(50).clamp(1, 1000) as usize * child_complexity")]
    async fn units(&self, first: Option<i32>) -> Vec<UnitLine> {
        let n = first.unwrap_or(50).clamp(1, 1000) as usize;
        self.0.units.iter().take(n).cloned().map(UnitLine).collect()
    }
    /// Per lead person, most overdue first (at most `first`, default 20, up to 200).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 200) as usize * child_complexity")]
    async fn by_leader(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<LeaderLine>> {
        let n = first.unwrap_or(20).clamp(1, 200) as usize;
        Ok(ctx
            .services()
            .dashboard_leaders(&self.0.scope, n)
            .await?
            .into_iter()
            .map(LeaderLine)
            .collect())
    }
    /// Items created, closed and due per month, the last `months` months (default 12, up
    /// to 36), oldest first, every month listed.
    async fn trend(&self, ctx: &Context<'_>, months: Option<i32>) -> Result<Vec<MonthFigures>> {
        let months = u32::try_from(months.unwrap_or(12)).unwrap_or(0);
        Ok(ctx
            .services()
            .dashboard_trend(&self.0.scope, months)
            .await?
            .into_iter()
            .map(MonthFigures::from)
            .collect())
    }
}

#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// A supervisor's dashboard: counts by state, overdue, due within 7 days, completion
    /// and on-time rates, overdue days, rework and extensions, per unit, by leader and by
    /// month — for the agency alone or its whole jurisdiction (default). Admins,
    /// supervisors and coordinators within reach.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        agency_id: ID,
        scope: Option<DashboardScope>,
    ) -> Result<Dashboard> {
        let agency_id = parse_id("agencyId", &agency_id)?;
        let reach = match scope.unwrap_or(DashboardScope::Jurisdiction) {
            DashboardScope::Agency => Reach::Agency,
            DashboardScope::Jurisdiction => Reach::Jurisdiction,
        };
        let services = ctx.services();
        let resolved: ResolvedScope = services
            .dashboard_scope(ctx.actor(), agency_id, reach)
            .await?;
        // Only the counts selected (each is a query over the scope's items).
        let look = ctx.look_ahead();
        let units = look.field("units");
        let parts = service::DashboardParts {
            rework: look.field("reworkCount").exists() || units.field("reworkCount").exists(),
            extensions: look.field("extensionCount").exists()
                || units.field("extensionCount").exists(),
            recurring_shortcomings: look.field("recurringShortcomings").exists(),
        };
        Ok(Dashboard(services.dashboard(resolved, parts).await?))
    }
}
