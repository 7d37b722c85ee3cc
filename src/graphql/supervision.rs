//! Who supervises whom: supervision mandates (督办授权), for admins.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::{ContextExt, error::parse_id, loaders::load_error, types::Agency};
use crate::{
    service::supervisions::GrantSupervision,
    store::supervisions::{SupervisionFilter, SupervisionRow},
};

/// A mandate: an office supervises an agency and every agency under it, between two dates.
/// An office's reach, its dashboards, the escalations it receives and the report sections
/// it reads follow its mandates in force, not its own place in the agency tree.
pub struct Supervision(pub SupervisionRow);

impl Supervision {
    async fn load(ctx: &Context<'_>, id: uuid::Uuid) -> Result<Option<Agency>> {
        Ok(ctx
            .loaders()
            .agencies
            .load_one(id)
            .await
            .map_err(load_error)?
            .map(Agency))
    }
}

#[Object]
impl Supervision {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The supervising office (e.g. 依法治市办, 纪委监委).
    async fn office(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        Self::load(ctx, self.0.office_id).await
    }
    /// The supervised agency: the mandate covers it and every agency under it.
    async fn agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        Self::load(ctx, self.0.agency_id).await
    }
    /// The first day in force.
    async fn valid_from(&self) -> NaiveDate {
        self.0.valid_from
    }
    /// The first day no longer in force; null while open.
    async fn valid_to(&self) -> Option<NaiveDate> {
        self.0.valid_to
    }
    /// Whether it is in force today.
    async fn in_force(&self, ctx: &Context<'_>) -> bool {
        self.0.in_force_on(ctx.services().today())
    }
    /// What grants it, e.g. the document's number.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was ended, if it was.
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended_at
    }
}

#[derive(Default)]
pub struct SupervisionQuery;

#[Object]
impl SupervisionQuery {
    /// Supervision mandates (admins), oldest first, at most 1,000.
    async fn supervisions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this office's.")] office_id: Option<ID>,
        #[graphql(desc = "Only those over this agency (as the supervised subtree's root).")]
        agency_id: Option<ID>,
        #[graphql(desc = "Only those in force on this day.")] in_force_on: Option<NaiveDate>,
    ) -> Result<Vec<Supervision>> {
        let filter = SupervisionFilter {
            office_id: office_id
                .as_ref()
                .map(|id| parse_id("officeId", id))
                .transpose()?,
            agency_id: agency_id
                .as_ref()
                .map(|id| parse_id("agencyId", id))
                .transpose()?,
            in_force_on,
        };
        let rows = ctx.services().supervisions(ctx.actor(), filter).await?;
        Ok(rows.into_iter().map(Supervision).collect())
    }
}

/// A mandate to grant.
#[derive(InputObject)]
pub struct GrantSupervisionInput {
    /// The supervising office.
    pub office_id: ID,
    /// The supervised agency: the mandate covers it and every agency under it.
    pub agency_id: ID,
    /// The first day in force; default today.
    pub valid_from: Option<NaiveDate>,
    /// The first day no longer in force; default open.
    pub valid_to: Option<NaiveDate>,
    /// What grants it, e.g. a document's number (at most 200 characters).
    pub note: Option<String>,
}

#[derive(Default)]
pub struct SupervisionMutation;

#[Object]
impl SupervisionMutation {
    /// Grants an office a mandate over an agency's subtree (admins). CONFLICT when the
    /// office already has one over that agency whose dates overlap.
    async fn grant_supervision(
        &self,
        ctx: &Context<'_>,
        input: GrantSupervisionInput,
    ) -> Result<Supervision> {
        let input = GrantSupervision {
            office_id: parse_id("officeId", &input.office_id)?,
            agency_id: parse_id("agencyId", &input.agency_id)?,
            valid_from: input.valid_from,
            valid_to: input.valid_to,
            note: input.note,
        };
        Ok(Supervision(
            ctx.services().grant_supervision(ctx.actor(), input).await?,
        ))
    }

    /// Ends a mandate (admins): no longer in force from `on` (default today); the office's
    /// reach over that subtree ends at once.
    async fn end_supervision(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "The first day no longer in force; default today.")] on: Option<NaiveDate>,
    ) -> Result<Supervision> {
        let id = parse_id("id", &id)?;
        Ok(Supervision(
            ctx.services().end_supervision(ctx.actor(), id, on).await?,
        ))
    }
}
