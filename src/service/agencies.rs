//! Use cases on agencies.

use uuid::Uuid;

use super::{Actor, ServiceError, Services, actor::out_of_reach, text};
use crate::{
    domain::{AgencyKind, access::Operation},
    store::{
        agencies::{AgencyFilter, AgencyRow, NewAgency},
        page::{Page, PageRequest},
    },
};

/// Input for creating an agency.
#[derive(Clone, Debug)]
pub struct CreateAgency {
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<Uuid>,
    pub kind: AgencyKind,
    pub time_zone: Option<String>,
}

impl Services {
    /// Creates an agency, under `parent_id` when given.
    /// Admins create anywhere (top-level agencies too); supervisors under an agency within
    /// their jurisdiction, which then extends to the new agency.
    #[tracing::instrument(skip(self, actor), fields(name = %input.name))]
    pub async fn create_agency(
        &self,
        actor: &Actor,
        input: CreateAgency,
    ) -> Result<AgencyRow, ServiceError> {
        actor.require(Operation::ManageAgencies)?;
        match input.parent_id {
            Some(parent) if !actor.reaches(parent) => return Err(out_of_reach()),
            None if actor.reachable_agencies().is_some() => {
                return Err(ServiceError::Forbidden(
                    "只有管理员能创建顶级单位：请提供您管辖范围内的上级单位（parentId）".into(),
                ));
            }
            _ => {}
        }
        let name = text::required_as("name", "单位名称", &input.name, 200)?;
        let short_name = text::optional("shortName", input.short_name.as_deref(), 50)?;
        let time_zone = match input.time_zone.as_deref().map(str::trim) {
            None | Some("") => self.time_zone.name().to_owned(),
            Some(tz) => tz
                .parse::<chrono_tz::Tz>()
                .map_err(|_| {
                    ServiceError::invalid(
                        "timeZone",
                        format!("{tz:?} 不是有效的时区名称（如 Asia/Shanghai）"),
                    )
                })?
                .name()
                .to_owned(),
        };
        if let Some(parent) = input.parent_id
            && self.store.agency(parent).await?.is_none()
        {
            return Err(ServiceError::not_found("parent agency", parent));
        }
        let row = self
            .store
            .insert_agency(NewAgency {
                name: name.clone(),
                short_name,
                parent_id: input.parent_id,
                kind: input.kind.as_str().to_owned(),
                time_zone,
            })
            .await
            .map_err(|e| {
                if e.is_unique_on("name") {
                    ServiceError::Conflict(format!("已有名为“{name}”的单位"))
                } else {
                    ServiceError::from(e)
                }
            })?;
        // A new agency widens the reach of the offices above it, and may bring a time zone.
        self.agencies_changed();
        Ok(row)
    }

    /// One agency.
    pub async fn agency(&self, actor: &Actor, id: Uuid) -> Result<AgencyRow, ServiceError> {
        actor.require_in(Operation::Read, id)?;
        self.store
            .agency(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("agency", id))
    }

    /// A page of agencies and the total count.
    pub async fn agencies(
        &self,
        actor: &Actor,
        mut filter: AgencyFilter,
        page: PageRequest,
    ) -> Result<(Page<AgencyRow>, u64), ServiceError> {
        actor.require(Operation::Read)?;
        filter.within = actor.reachable_agencies();
        let rows = self.store.list_agencies(&filter, page).await?;
        let total = self.store.count_agencies(&filter).await?;
        Ok((rows, total))
    }

    /// An agency within the caller's reach and the agencies a view of it covers: the agency
    /// alone, or (`jurisdiction`) it and every agency under it that the caller reaches.
    pub async fn agency_with_scope(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        jurisdiction: bool,
    ) -> Result<(AgencyRow, Vec<Uuid>), ServiceError> {
        actor.require_in(Operation::Read, agency_id)?;
        let agency = self
            .store
            .agency(agency_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("agency", agency_id))?;
        let ids = if jurisdiction {
            self.store
                .agency_subtree(agency_id)
                .await?
                .into_iter()
                .filter(|id| actor.reaches(*id))
                .collect()
        } else {
            vec![agency_id]
        };
        Ok((agency, ids))
    }
}
