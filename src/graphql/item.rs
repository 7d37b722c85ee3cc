//! Queries on items.

use async_graphql::{Context, ID, InputObject, Lookahead, Object, Result};
use chrono::NaiveDate;

use super::{
    ContextExt,
    connection::{ListConnection, connection},
    error::{parse_cursor, parse_id},
    types::Item,
};
use crate::{
    service::items::Wanted,
    store::{
        items::{ItemFilter, Joined},
        page::PageRequest,
    },
};

/// What to read with items, from the fields selected on them (`nodes` may be one of several
/// selections): their agency (also behind `overdue` and `escalationLevel`), lead person and
/// shortcoming come in the same statement as the items.
fn joined_for(nodes: &[Lookahead<'_>]) -> Joined {
    let any = |fields: &[&str]| {
        nodes
            .iter()
            .any(|n| fields.iter().any(|f| n.field(f).exists()))
    };
    Joined {
        agency: any(&["agency", "overdue", "escalationLevel"]),
        lead_person: any(&["leadPerson"]),
        shortcoming: any(&["shortcoming"]),
    }
}

/// Narrows the item list; every field given must hold.
#[derive(InputObject, Default)]
pub struct ItemFilterInput {
    /// Only items owned by this agency.
    pub agency_id: Option<ID>,
    /// Only items in one of these states.
    pub states: Option<Vec<String>>,
    /// Only items led by this person (责任领导).
    pub lead_person_id: Option<ID>,
    /// Only items of this shortcoming.
    pub shortcoming_id: Option<ID>,
    /// Only items due on or before this date.
    pub due_before: Option<NaiveDate>,
    /// Only items due on or after this date.
    pub due_after: Option<NaiveDate>,
    /// true: only overdue items (due date passed in the agency's time zone, neither closed nor cancelled).
    pub overdue: Option<bool>,
    /// Only items at this escalation level: 0 normal, 1 蓝, 2 黄, 3 红 (督办).
    pub escalation_level: Option<i32>,
    /// Only items whose title or ledger number contains this text (at most 100 characters).
    pub text: Option<String>,
    /// true: only items a verifier returned (退回) at least once.
    pub returned: Option<bool>,
    /// true: only items granted an extension (延期) at least once.
    pub extended: Option<bool>,
    /// true: only items with an extension request waiting for a decision.
    pub extension_pending: Option<bool>,
    /// true: only items of a shortcoming that repeats an earlier report's (屡查屡犯; the
    /// earlier one is the shortcoming's `recurrenceOf`).
    pub recurring: Option<bool>,
}

/// The order of an item list.
#[derive(async_graphql::Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ItemOrderBy {
    /// As created (the default; cursors are item ids).
    #[default]
    Created,
    /// By due date, the earliest first; items without one last.
    DueOn,
    /// By state in the workflow's order, then by due date.
    State,
    /// By ledger number (台账编号); items without one last.
    Code,
    /// The most recently changed first.
    Updated,
}

/// The cursor of the row at `position` (1-based) of an ordered list.
fn position_cursor(position: u64) -> String {
    format!("pos:{position}")
}

/// The offset an ordered list's `after` cursor points past.
fn position_after(after: Option<&str>) -> Result<u64> {
    match after {
        None => Ok(0),
        Some(c) => c
            .strip_prefix("pos:")
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| {
                crate::service::ServiceError::invalid(
                    "after",
                    format!("{c:?} 不是本列表的翻页游标（after）"),
                )
                .into()
            }),
    }
}

#[derive(Default)]
pub struct ItemQuery;

#[Object]
impl ItemQuery {
    /// Items (整改事项), filtered, in creation order or `orderBy`.
    #[graphql(complexity = "first.unwrap_or(50).clamp(1, 200) as usize * child_complexity")]
    async fn items(
        &self,
        ctx: &Context<'_>,
        filter: Option<ItemFilterInput>,
        #[graphql(desc = "Page size, 1–200 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
        #[graphql(
            desc = "The order (default CREATED). Ordered lists page by position, up to the 10,000th item."
        )]
        order_by: Option<ItemOrderBy>,
    ) -> Result<ListConnection<Item>> {
        let f = filter.unwrap_or_default();
        let services = ctx.services();
        let filter = ItemFilter {
            agency_ids: f
                .agency_id
                .as_ref()
                .map(|id| parse_id("agencyId", id).map(|id| vec![id]))
                .transpose()?,
            states: crate::service::text::bounded_list("states", f.states, 32, 64)?,
            lead_person_id: f
                .lead_person_id
                .as_ref()
                .map(|id| parse_id("leadPersonId", id))
                .transpose()?,
            lead_posts: Vec::new(),
            shortcoming_id: f
                .shortcoming_id
                .as_ref()
                .map(|id| parse_id("shortcomingId", id))
                .transpose()?,
            due_on_or_before: f.due_before,
            due_on_or_after: f.due_after,
            involving: None,
            escalation: match f.escalation_level {
                Some(level) => Some(
                    services
                        .escalation_filter(u8::try_from(level).unwrap_or(u8::MAX))
                        .await?,
                ),
                None => None,
            },
            overdue_on: match f.overdue {
                Some(true) => Some(services.overdue_filter().await?),
                _ => None,
            },
            text: f.text,
            with_action: (f.returned == Some(true))
                .then(|| crate::service::dashboard::REWORK_ACTION.to_owned()),
            with_extension: match (f.extension_pending, f.extended) {
                (Some(true), _) => Some("pending".to_owned()),
                (_, Some(true)) => Some("approved".to_owned()),
                _ => None,
            },
            recurring: f.recurring == Some(true),
        };
        if let Some(order) = order_by.filter(|o| *o != ItemOrderBy::Created) {
            return ordered_items(ctx, filter, order, first, after.as_deref()).await;
        }
        let page = PageRequest::new(first, parse_cursor(after.as_deref())?);
        // Counting every match costs a scan of them all: only when the total is asked for;
        // and the page only when its rows or page info are.
        let look = ctx.look_ahead();
        let wanted = Wanted {
            rows: ["nodes", "edges", "pageInfo"]
                .iter()
                .any(|f| look.field(f).exists()),
            total: look.field("totalCount").exists(),
            with: joined_for(&[look.field("nodes"), look.field("edges").field("node")]),
        };
        let (rows, total) = services.items(ctx.actor(), filter, page, wanted).await?;
        ctx.loaders().feed_joined(&rows.nodes).await;
        Ok(connection(
            rows,
            total.unwrap_or(0),
            page.after.is_some(),
            |r| r.item.id,
            |r| Item(r.item),
        ))
    }

    /// One item.
    async fn item(&self, ctx: &Context<'_>, id: ID) -> Result<Item> {
        let id = parse_id("id", &id)?;
        let with = joined_for(&[ctx.look_ahead()]);
        let found = ctx.services().item_with(ctx.actor(), id, with).await?;
        ctx.loaders().feed_joined([&found]).await;
        Ok(Item(found.item))
    }
}

/// A page of an ordered item list: rows by offset, cursors by position.
async fn ordered_items(
    ctx: &Context<'_>,
    filter: ItemFilter,
    order: ItemOrderBy,
    first: Option<i32>,
    after: Option<&str>,
) -> Result<ListConnection<Item>> {
    use crate::service::items::ItemOrder;
    let offset = position_after(after)?;
    let first = PageRequest::new(first, None).first;
    let look = ctx.look_ahead();
    let rows_wanted = ["nodes", "edges", "pageInfo"]
        .iter()
        .any(|f| look.field(f).exists());
    let order = match order {
        ItemOrderBy::Created => ItemOrder::Created,
        ItemOrderBy::DueOn => ItemOrder::DueOn,
        ItemOrderBy::State => ItemOrder::State,
        ItemOrderBy::Code => ItemOrder::Code,
        ItemOrderBy::Updated => ItemOrder::Updated,
    };
    // One row more than the page tells whether another page follows.
    let (mut rows, total) = ctx
        .services()
        .items_ordered(
            ctx.actor(),
            filter,
            order,
            offset,
            if rows_wanted { first + 1 } else { 0 },
            look.field("totalCount").exists(),
        )
        .await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(first as usize);
    let mut c = async_graphql::connection::Connection::with_additional_fields(
        offset > 0,
        has_next,
        super::types::ListInfo {
            total_count: total.unwrap_or(0),
        },
    );
    c.edges.extend(rows.into_iter().enumerate().map(|(i, r)| {
        async_graphql::connection::Edge::new(position_cursor(offset + i as u64 + 1), Item(r))
    }));
    Ok(c)
}
