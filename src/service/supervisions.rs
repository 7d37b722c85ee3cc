//! Who supervises whom (督办授权): an office supervises the agencies of its mandates — each a
//! subtree of the agency tree, in force between two dates — whatever its own place in the
//! tree. Reach (see `auth::principal_for`), dashboards, escalations and the report section
//! all follow from the mandates in force. Only admins grant and end them.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Actor, ServiceError, Services, text};
use crate::{
    domain::{AccountRole, access::Operation},
    store::supervisions::{NewSupervision, SupervisionFilter, SupervisionRow},
};

/// The longest note a mandate carries (e.g. the document that grants it).
pub const MAX_NOTE_CHARS: usize = 200;

/// A mandate to grant.
#[derive(Clone, Debug)]
pub struct GrantSupervision {
    pub office_id: Uuid,
    pub agency_id: Uuid,
    /// Default: today.
    pub valid_from: Option<NaiveDate>,
    /// The first day no longer in force; `None`: open.
    pub valid_to: Option<NaiveDate>,
    pub note: Option<String>,
}

impl Services {
    /// Mandates matching `filter` (admins).
    pub async fn supervisions(
        &self,
        actor: &Actor,
        filter: SupervisionFilter,
    ) -> Result<Vec<SupervisionRow>, ServiceError> {
        actor.require(Operation::ManageSupervision)?;
        Ok(self.store.list_supervisions(&filter).await?)
    }

    /// The mandates in force today of the caller's own office: what a supervisor's pages
    /// start from. Empty for other roles.
    pub async fn own_supervisions(
        &self,
        actor: &Actor,
    ) -> Result<Vec<SupervisionRow>, ServiceError> {
        let p = actor.principal()?;
        let (AccountRole::Supervisor, Some(office)) = (p.role, p.agency_id) else {
            return Ok(Vec::new());
        };
        Ok(self
            .store
            .list_supervisions(&SupervisionFilter {
                office_id: Some(office),
                agency_id: None,
                in_force_on: Some(self.today()),
            })
            .await?)
    }

    /// Grants `office_id` a mandate over `agency_id` and every agency under it. Refused
    /// (`CONFLICT`) when the office already has a mandate over that agency whose dates
    /// overlap.
    #[tracing::instrument(skip(self, actor))]
    pub async fn grant_supervision(
        &self,
        actor: &Actor,
        input: GrantSupervision,
    ) -> Result<SupervisionRow, ServiceError> {
        actor.require(Operation::ManageSupervision)?;
        let note = text::optional("note", input.note.as_deref(), MAX_NOTE_CHARS)?;
        for (field, id) in [("officeId", input.office_id), ("agencyId", input.agency_id)] {
            if self.store.agency(id).await?.is_none() {
                return Err(ServiceError::Validation {
                    field: Some(field),
                    message: format!("没有这个单位（{id}）"),
                });
            }
        }
        let valid_from = input.valid_from.unwrap_or_else(|| self.today());
        if input.valid_to.is_some_and(|end| end <= valid_from) {
            return Err(ServiceError::invalid(
                "validTo",
                "授权的终止日期须晚于起始日期",
            ));
        }
        let existing = self
            .store
            .list_supervisions(&SupervisionFilter {
                office_id: Some(input.office_id),
                agency_id: Some(input.agency_id),
                in_force_on: None,
            })
            .await?;
        let overlaps = |m: &SupervisionRow| {
            m.valid_to.is_none_or(|end| end > valid_from)
                && input.valid_to.is_none_or(|end| end > m.valid_from)
        };
        if existing.iter().any(overlaps) {
            return Err(ServiceError::Conflict(
                "该督办单位对这一单位已有时间重叠的授权".into(),
            ));
        }
        let row = self
            .store
            .insert_supervision(NewSupervision {
                office_id: input.office_id,
                agency_id: input.agency_id,
                valid_from,
                valid_to: input.valid_to,
                note,
                created_by: actor.account_id(),
            })
            .await?;
        self.credentials_changed();
        tracing::info!(supervision = %row.id, office = %row.office_id, agency = %row.agency_id, "mandate granted");
        Ok(row)
    }

    /// Ends a mandate: not in force from `on` (default today), so the office's reach over
    /// that subtree ends at once.
    #[tracing::instrument(skip(self, actor))]
    pub async fn end_supervision(
        &self,
        actor: &Actor,
        id: Uuid,
        on: Option<NaiveDate>,
    ) -> Result<SupervisionRow, ServiceError> {
        actor.require(Operation::ManageSupervision)?;
        let mandate = self
            .store
            .supervision(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("supervision", id))?;
        let on = on.unwrap_or_else(|| self.today());
        if on < mandate.valid_from {
            return Err(ServiceError::invalid(
                "on",
                "终止日期不能早于授权的起始日期",
            ));
        }
        let row = self
            .store
            .end_supervision(id, on)
            .await?
            .ok_or_else(|| ServiceError::not_found("supervision", id))?;
        self.credentials_changed();
        tracing::info!(supervision = %id, %on, "mandate ended");
        Ok(row)
    }
}
