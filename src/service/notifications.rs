//! The inbox in the application (站内消息): returns (退回), urges (督办) and comments
//! (批示/留言) addressed to an item's people also land in their inboxes, written in the
//! same transaction as the change; so do the reminder sweep's due reminders and
//! escalations (with the outbox rows, in one transaction, to everyone addressed, with an
//! email or without) and the weekly digests. Email and webhooks are unchanged.

use uuid::Uuid;

use super::{Actor, ServiceError, Services};
use crate::store::{items::ItemRow, notifications::NotificationRow, tx::Tx};

/// How many messages an inbox lists at most.
pub const INBOX_SIZE: u64 = 100;

/// The message kinds, by the action that makes them, and their labels.
pub fn label(kind: &str) -> &'static str {
    match kind {
        "reject" => "退回",
        "urge" => "督办",
        "instruction" => "批示",
        "reply" => "留言",
        "reminder" => "到期提醒",
        "escalation" => "逾期督办提醒",
        "digest" => "每周提醒",
        _ => "消息",
    }
}

impl Services {
    /// Puts a message about `item` in the inboxes of its people (its lead leader, in
    /// person or the holder of its lead post today, and its responsible person), but not
    /// in the author's.
    pub(crate) async fn notify_item_people(
        &self,
        tx: &Tx,
        item: &ItemRow,
        author: &Actor,
        kind: &str,
        text: &str,
    ) -> Result<(), ServiceError> {
        let mut people: Vec<Uuid> = Vec::new();
        people.extend(item.lead_person_id);
        if let Some(post) = item.lead_post_id {
            people.extend(
                self.store
                    .post_holders(&[post], self.today())
                    .await?
                    .into_iter()
                    .map(|(_, person)| person),
            );
        }
        people.extend(item.responsible_person_id);
        people.sort_unstable();
        people.dedup();
        people.retain(|p| Some(*p) != author.person_id());
        let message = format!("【{}】{}：{}", label(kind), item.title, text);
        tx.notify(&people, item.id, kind, &message).await?;
        Ok(())
    }

    /// The caller's latest messages, newest first.
    pub async fn notifications(&self, actor: &Actor) -> Result<Vec<NotificationRow>, ServiceError> {
        let principal = actor.principal()?;
        match principal.person_id {
            Some(person) => Ok(self.store.notifications_of(person, INBOX_SIZE).await?),
            None => Ok(Vec::new()),
        }
    }

    /// How many of the caller's messages are unread.
    pub async fn unread_notifications(&self, actor: &Actor) -> Result<u64, ServiceError> {
        let principal = actor.principal()?;
        match principal.person_id {
            Some(person) => Ok(self.store.unread_notifications(person).await?),
            None => Ok(0),
        }
    }

    /// Marks the caller's messages read (`ids`, or all); how many changed.
    pub async fn mark_notifications_read(
        &self,
        actor: &Actor,
        ids: Option<&[Uuid]>,
    ) -> Result<u64, ServiceError> {
        let principal = actor.principal()?;
        match principal.person_id {
            Some(person) => Ok(self.store.mark_notifications_read(person, ids).await?),
            None => Ok(0),
        }
    }
}
