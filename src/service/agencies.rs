//! Use cases on agencies.

use uuid::Uuid;

use super::{Actor, ServiceError, Services, text};
use crate::{
    domain::AgencyKind,
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
    #[tracing::instrument(skip(self, _actor), fields(name = %input.name))]
    pub async fn create_agency(
        &self,
        _actor: &Actor,
        input: CreateAgency,
    ) -> Result<AgencyRow, ServiceError> {
        let name = text::required("name", &input.name, 200)?;
        let short_name = text::optional("shortName", input.short_name.as_deref(), 50)?;
        let time_zone = match input.time_zone.as_deref().map(str::trim) {
            None | Some("") => self.time_zone.name().to_owned(),
            Some(tz) => tz
                .parse::<chrono_tz::Tz>()
                .map_err(|_| {
                    ServiceError::invalid(
                        "timeZone",
                        format!("{tz:?} is not an IANA time zone such as Asia/Shanghai"),
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
        self.store
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
                    ServiceError::Conflict(format!("an agency named {name} already exists"))
                } else {
                    e.into()
                }
            })
    }

    /// One agency.
    pub async fn agency(&self, _actor: &Actor, id: Uuid) -> Result<AgencyRow, ServiceError> {
        self.store
            .agency(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("agency", id))
    }

    /// A page of agencies and the total count.
    pub async fn agencies(
        &self,
        _actor: &Actor,
        filter: AgencyFilter,
        page: PageRequest,
    ) -> Result<(Page<AgencyRow>, u64), ServiceError> {
        let rows = self.store.list_agencies(&filter, page).await?;
        let total = self.store.count_agencies(&filter).await?;
        Ok((rows, total))
    }
}
