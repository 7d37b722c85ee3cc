//! Queries on reports.

use async_graphql::{Context, ID, Object, Result};

use super::{
    ContextExt,
    connection::{ListConnection, connection},
    error::{parse_cursor, parse_id},
    types::Report,
};
use crate::store::{page::PageRequest, reports::ReportFilter};

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Imported reports, in import order.
    #[graphql(complexity = "first.unwrap_or(50).clamp(1, 200) as usize * child_complexity")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only reports of this agency.")] agency_id: Option<ID>,
        #[graphql(desc = "Only reports on this year.")] year: Option<i32>,
        #[graphql(desc = "Page size, 1–200 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> Result<ListConnection<Report>> {
        let filter = ReportFilter {
            agency_ids: agency_id
                .as_ref()
                .map(|id| parse_id("agencyId", id).map(|id| vec![id]))
                .transpose()?,
            year,
        };
        let page = PageRequest::new(first, parse_cursor(after.as_deref())?);
        let (rows, total) = ctx.services().reports(ctx.actor(), filter, page).await?;
        Ok(connection(
            rows,
            total,
            page.after.is_some(),
            |r| r.id,
            Report::from,
        ))
    }

    /// One report.
    async fn report(&self, ctx: &Context<'_>, id: ID) -> Result<Report> {
        let id = parse_id("id", &id)?;
        Ok(ctx.services().report(ctx.actor(), id).await?.into())
    }
}
