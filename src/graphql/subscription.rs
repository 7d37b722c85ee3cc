//! Subscriptions over WebSocket (`/graphql/ws`): item changes as they commit.

use async_graphql::{Context, ID, Result, SimpleObject, Subscription};
use futures_util::{Stream, StreamExt, stream};
use tokio::sync::broadcast::error::RecvError;

use super::{ContextExt, error::parse_id};
use crate::service::ItemChange;

/// A committed change to an item.
#[derive(SimpleObject, Clone)]
pub struct ItemChanged {
    pub item_id: ID,
    pub agency_id: ID,
    /// The action taken (create, assign, submit, verify, evidence_added …).
    pub action: String,
    pub state: String,
    pub version: i32,
}

impl From<ItemChange> for ItemChanged {
    fn from(c: ItemChange) -> Self {
        Self {
            item_id: ID(c.item_id.to_string()),
            agency_id: ID(c.agency_id.to_string()),
            action: c.action,
            state: c.state,
            version: c.version,
        }
    }
}

/// How often an open subscription checks that its credentials still hold.
const CREDENTIALS_RECHECK: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Default)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// Changes to the items of an agency within your reach, as they commit. Leaders and
    /// persons receive only the items they lead or are responsible for.
    async fn item_changed(
        &self,
        ctx: &Context<'_>,
        agency_id: ID,
    ) -> Result<impl Stream<Item = ItemChanged> + use<>> {
        let agency_id = parse_id("agencyId", &agency_id)?;
        let services = ctx.services().clone();
        let actor = ctx.actor().clone();
        let limited = actor.own_items_only().is_some();
        if !limited {
            services.agency(&actor, agency_id).await?;
        } else {
            actor.require(crate::domain::access::Operation::Read)?;
        }
        let changes = stream::unfold(services.subscribe(), |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(change) => return Some((change, rx)),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        });
        // A revoked or expired token, or a disabled account, ends the stream within seconds
        // (asked of the database, so it holds across instances).
        let signed_out = {
            let services = services.clone();
            let actor = actor.clone();
            async move {
                loop {
                    tokio::time::sleep(CREDENTIALS_RECHECK).await;
                    if !services.still_signed_in(&actor).await {
                        break;
                    }
                }
            }
        };
        Ok(changes.take_until(signed_out).filter_map(move |change| {
            let services = services.clone();
            let actor = actor.clone();
            async move {
                if change.agency_id != agency_id {
                    return None;
                }
                if limited {
                    // Only the items this leader or person may see.
                    services.item(&actor, change.item_id).await.ok()?;
                }
                Some(change.into())
            }
        }))
    }
}
