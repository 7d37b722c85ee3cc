//! Queries and mutations on agencies.

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::{
    ContextExt,
    connection::{ListConnection, connection},
    error::{parse_cursor, parse_id},
    types::{Agency, AgencyKind},
};
use crate::{
    service::agencies::CreateAgency,
    store::{agencies::AgencyFilter, page::PageRequest},
};

#[derive(Default)]
pub struct AgencyQuery;

#[Object]
impl AgencyQuery {
    /// Agencies, in creation order, optionally only the children of one or those whose name contains a text.
    #[graphql(complexity = "first.unwrap_or(50).clamp(1, 200) as usize * child_complexity")]
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the direct children of this agency.")] parent_id: Option<ID>,
        #[graphql(desc = "Only agencies whose name contains this text.")] name_contains: Option<
            String,
        >,
        #[graphql(desc = "Page size, 1–200 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> Result<ListConnection<Agency>> {
        let filter = AgencyFilter {
            parent_id: parent_id
                .as_ref()
                .map(|id| parse_id("parentId", id))
                .transpose()?,
            name_contains: crate::service::text::optional(
                "nameContains",
                name_contains.as_deref(),
                crate::service::text::MAX_SEARCH_CHARS,
            )?,
            within: None,
        };
        let page = PageRequest::new(first, parse_cursor(after.as_deref())?);
        let (rows, total) = ctx.services().agencies(ctx.actor(), filter, page).await?;
        Ok(connection(
            rows,
            total,
            page.after.is_some(),
            |r| r.id,
            Agency,
        ))
    }

    /// One agency.
    async fn agency(&self, ctx: &Context<'_>, id: ID) -> Result<Agency> {
        let id = parse_id("id", &id)?;
        Ok(Agency(ctx.services().agency(ctx.actor(), id).await?))
    }
}

/// A new agency.
#[derive(InputObject)]
pub struct CreateAgencyInput {
    /// Full name, unique, e.g. 厦门市国防动员办公室.
    pub name: String,
    pub short_name: Option<String>,
    /// The supervising agency (its jurisdiction), if any.
    pub parent_id: Option<ID>,
    #[graphql(default_with = "AgencyKind::Department")]
    pub kind: AgencyKind,
    /// IANA time zone; default the service's (Asia/Shanghai).
    pub time_zone: Option<String>,
}

#[derive(Default)]
pub struct AgencyMutation;

#[Object]
impl AgencyMutation {
    /// Creates an agency. Fails with CONFLICT when the name is taken.
    async fn create_agency(&self, ctx: &Context<'_>, input: CreateAgencyInput) -> Result<Agency> {
        let input = CreateAgency {
            name: input.name,
            short_name: input.short_name,
            parent_id: input
                .parent_id
                .as_ref()
                .map(|id| parse_id("parentId", id))
                .transpose()?,
            kind: input.kind.into(),
            time_zone: input.time_zone,
        };
        Ok(Agency(
            ctx.services().create_agency(ctx.actor(), input).await?,
        ))
    }
}
