//! What a supervising office's dashboard page shows, gathered in one call: the headline
//! figures, the items by state and per unit, the trend by month and the three-colour board
//! (蓝/黄/红 per unit), for the agency the office looks at and everything under it within
//! its reach. The figures come from [`Services::dashboard`]; the board counts each level in
//! SQL with the same conditions the item list filters by, so every number a page shows is
//! the count of the list it links to.

use std::collections::HashMap;

use uuid::Uuid;

use super::{
    Actor, ServiceError, Services,
    dashboard::{Dashboard, Reach},
};
use crate::{
    domain::{AccountRole, access::Operation},
    store::{agencies::AgencyRow, dashboard::MonthTally, items::ItemFilter},
};

/// How many months the page's trend covers.
pub const BOARD_MONTHS: u32 = 12;

/// Items at each escalation level: [蓝 1, 黄 2, 红 3].
pub type Levels = [u64; 3];

/// A dashboard page's data.
#[derive(Clone, Debug)]
pub struct Board {
    /// The agency looked at.
    pub agency: AgencyRow,
    /// The other roots the caller may look at (an office's mandates; a coordinator's agency).
    pub roots: Vec<AgencyRow>,
    pub dashboard: Dashboard,
    pub trend: Vec<MonthTally>,
    /// Per unit, its items at each level; units with none are left out.
    pub levels: HashMap<Uuid, Levels>,
    /// Every unit counted, by id.
    pub names: HashMap<Uuid, String>,
}

impl Board {
    /// The whole scope's items at each level.
    pub fn total_levels(&self) -> Levels {
        self.levels.values().fold([0; 3], |mut sum, l| {
            for (s, n) in sum.iter_mut().zip(l) {
                *s += n;
            }
            sum
        })
    }
}

impl Services {
    /// The agencies a caller's dashboard starts from: an office's mandates in force, a
    /// coordinator's own agency, an admin's top-level agencies (at most 50).
    pub async fn board_roots(&self, actor: &Actor) -> Result<Vec<AgencyRow>, ServiceError> {
        actor.require(Operation::Read)?;
        let p = actor.principal()?;
        let ids: Vec<Uuid> = match p.role {
            AccountRole::Supervisor => self
                .own_supervisions(actor)
                .await?
                .into_iter()
                .map(|m| m.agency_id)
                .collect(),
            AccountRole::Admin => {
                return Ok(self
                    .store
                    .list_agencies(
                        &crate::store::agencies::AgencyFilter::default(),
                        crate::store::page::PageRequest::new(Some(200), None),
                    )
                    .await?
                    .nodes
                    .into_iter()
                    .filter(|a| a.parent_id.is_none())
                    .take(50)
                    .collect());
            }
            _ => p.agency_id.into_iter().collect(),
        };
        let mut rows = self.store.agencies_by_ids(&ids).await?;
        rows.sort_by_key(|a| ids.iter().position(|id| *id == a.id));
        rows.dedup_by_key(|a| a.id);
        Ok(rows)
    }

    /// Everything the dashboard page shows for `agency_id` (default: the caller's first
    /// root) and every agency under it within reach.
    #[tracing::instrument(skip(self, actor))]
    pub async fn board(
        &self,
        actor: &Actor,
        agency_id: Option<Uuid>,
    ) -> Result<Board, ServiceError> {
        let roots = self.board_roots(actor).await?;
        let Some(agency_id) = agency_id.or_else(|| roots.first().map(|a| a.id)) else {
            return Err(ServiceError::Forbidden(
                "您的账号没有可督办的单位，请联系系统管理员授予督办授权".into(),
            ));
        };
        let scope = self
            .dashboard_scope(actor, agency_id, Reach::Jurisdiction)
            .await?;
        let agency = self
            .store
            .agency(agency_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("agency", agency_id))?;
        let unit_ids: Vec<Uuid> = scope
            .zones
            .iter()
            .flat_map(|z| z.agency_ids.iter().copied())
            .collect();
        let trend = self.dashboard_trend(&scope, BOARD_MONTHS).await?;
        let mut levels: HashMap<Uuid, Levels> = HashMap::new();
        for level in 1..=3u8 {
            let filter = ItemFilter {
                agency_ids: Some(unit_ids.clone()),
                escalation: Some(self.escalation_filter(level).await?),
                ..ItemFilter::default()
            };
            for (unit, n) in self.store.count_items_by_agency(&filter).await? {
                levels.entry(unit).or_default()[usize::from(level - 1)] = n;
            }
        }
        let names = self
            .store
            .agencies_by_ids(&unit_ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let every_part = super::dashboard::DashboardParts {
            rework: true,
            extensions: true,
            recurring_shortcomings: false,
        };
        let dashboard = self.dashboard(scope, every_part).await?;
        Ok(Board {
            agency,
            roots,
            dashboard,
            trend,
            levels,
            names,
        })
    }
}
