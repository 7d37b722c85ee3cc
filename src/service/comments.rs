//! Comments on an item (批示/留言): a leader's instruction or anyone's reply, by whoever may
//! see the item. Each is an event of the item's audit trail (action `comment`), so it is
//! hash-chained, in the history, and never edited; it does not change the item's state
//! or version.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, ServiceError, Services, text, workflow::finish};
use crate::{domain::workflow::ItemRole, store::tx::NewEvent};

/// The audit trail's action for a comment.
pub const COMMENT: &str = "comment";

/// What kind of comment it is, by who wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    /// 批示: written by the item's lead leader or a supervising office.
    Instruction,
    /// 留言: written by anyone else who may see the item.
    Reply,
}

impl CommentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentKind::Instruction => "instruction",
            CommentKind::Reply => "reply",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CommentKind::Instruction => "批示",
            CommentKind::Reply => "留言",
        }
    }

    pub fn parse(s: &str) -> Self {
        if s == "instruction" {
            CommentKind::Instruction
        } else {
            CommentKind::Reply
        }
    }
}

/// A comment as read back.
#[derive(Clone, Debug)]
pub struct Comment {
    /// Its place in the item's audit trail.
    pub seq: i32,
    pub item_id: Uuid,
    pub kind: CommentKind,
    pub text: String,
    pub author_person_id: Option<Uuid>,
    pub author_account_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

impl Services {
    /// Adds a comment to an item the caller may see.
    pub async fn add_comment(
        &self,
        actor: &Actor,
        item_id: Uuid,
        text: &str,
    ) -> Result<Comment, ServiceError> {
        if matches!(actor, Actor::Anonymous) {
            return Err(ServiceError::Unauthenticated);
        }
        let body = text::required_as("text", "留言内容", text, 2000)?;
        let tx = self.store.begin().await?;
        let result = async {
            let item = tx
                .item(item_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("item", item_id))?;
            let roles = actor.require_item(&item)?;
            let kind = if roles
                .iter()
                .any(|r| matches!(r, ItemRole::Lead | ItemRole::Supervisor))
            {
                CommentKind::Instruction
            } else {
                CommentKind::Reply
            };
            let at = Utc::now();
            let (seq, _) = tx
                .append_event(NewEvent {
                    item_id,
                    action: COMMENT,
                    from_state: Some(&item.state),
                    to_state: Some(&item.state),
                    actor_account_id: actor.account_id(),
                    actor_person_id: actor.person_id(),
                    comment: Some(&body),
                    payload_json: json!({ "kind": kind.as_str() }).to_string(),
                    at,
                })
                .await?;
            self.notify_item_people(&tx, &item, actor, kind.as_str(), &body)
                .await?;
            Ok((item, kind, at, seq))
        }
        .await;
        let (item, kind, at, seq) = finish(tx, result).await?;
        self.publish_item(&item, COMMENT);
        Ok(Comment {
            seq,
            item_id,
            kind,
            text: body,
            author_person_id: actor.person_id(),
            author_account_id: actor.account_id(),
            at,
        })
    }

    /// An item's comments, oldest first, for whoever may see the item.
    pub async fn comments(
        &self,
        actor: &Actor,
        item_id: Uuid,
    ) -> Result<Vec<Comment>, ServiceError> {
        let item = self.item(actor, item_id).await?;
        Ok(self
            .store
            .events_of_items_by_action(&[item.id], &[COMMENT])
            .await?
            .into_iter()
            .map(|e| Comment {
                seq: e.seq,
                item_id: e.item_id,
                kind: CommentKind::parse(
                    serde_json::from_str::<serde_json::Value>(&e.payload_json)
                        .ok()
                        .and_then(|p| p.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
                        .as_deref()
                        .unwrap_or_default(),
                ),
                text: e.comment.unwrap_or_default(),
                author_person_id: e.actor_person_id,
                author_account_id: e.actor_account_id,
                at: e.occurred_at,
            })
            .collect())
    }
}
