//! Mutations that edit what an import proposed: links and item splits.

use async_graphql::{Context, ID, Object, Result};

use super::{
    ContextExt,
    error::parse_id,
    types::{Item, Link},
};

#[derive(Default)]
pub struct LinkMutation;

#[Object]
impl LinkMutation {
    /// Links a shortcoming to a commitment of the same report (confirmed at once).
    /// CONFLICT when they are already linked.
    async fn add_link(
        &self,
        ctx: &Context<'_>,
        shortcoming_id: ID,
        commitment_id: ID,
    ) -> Result<Link> {
        let s = parse_id("shortcomingId", &shortcoming_id)?;
        let c = parse_id("commitmentId", &commitment_id)?;
        Ok(Link(ctx.services().add_link(ctx.actor(), s, c).await?))
    }

    /// Confirms a link the import proposed.
    async fn confirm_link(&self, ctx: &Context<'_>, id: ID) -> Result<Link> {
        let id = parse_id("id", &id)?;
        Ok(Link(ctx.services().confirm_link(ctx.actor(), id).await?))
    }

    /// Removes a link; returns the removed link's id.
    async fn remove_link(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let id = parse_id("id", &id)?;
        let link = ctx.services().remove_link(ctx.actor(), id).await?;
        Ok(ID(link.id.to_string()))
    }

    /// Splits an item into several (one shortcoming, several measures): one new `identified`
    /// item per title, each pointing back to the item. `expectedVersion` is the version you
    /// read; a stale one fails with STALE_VERSION and changes nothing.
    async fn split_item(
        &self,
        ctx: &Context<'_>,
        id: ID,
        titles: Vec<String>,
        expected_version: i32,
    ) -> Result<Vec<Item>> {
        let id = parse_id("id", &id)?;
        let items = ctx
            .services()
            .split_item(ctx.actor(), id, titles, expected_version)
            .await?;
        Ok(items.into_iter().map(Item).collect())
    }
}
