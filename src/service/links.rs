//! Editing what the import proposed: links confirmed, removed or added by hand, and an item
//! split into several (one shortcoming, several measures). Each change is recorded in the
//! audit trail of the items concerned.

use serde_json::json;
use uuid::Uuid;

use super::{Actor, ServiceError, Services, text, workflow::finish};
use crate::domain::{SPLIT_STATE, access::Operation};
use crate::store::{
    items::ItemRow,
    reports::LinkRow,
    tx::{NewEvent, NewItem, Tx},
    workflow::ItemUpdate,
};

fn account(actor: &Actor) -> Option<Uuid> {
    actor.account_id()
}

/// Checks that the caller may edit the items of a shortcoming's report's agency.
async fn require_shortcoming(
    tx: &Tx,
    actor: &Actor,
    shortcoming_id: Uuid,
) -> Result<(), ServiceError> {
    actor.require(Operation::EditItems)?;
    let s = tx
        .shortcoming(shortcoming_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("shortcoming", shortcoming_id))?;
    let agency = tx
        .report_agency(s.report_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("report", s.report_id))?;
    actor.require_in(Operation::EditItems, agency)
}

/// Records `action` on every item of a shortcoming.
async fn record_on_items(
    tx: &Tx,
    actor: &Actor,
    shortcoming_id: Uuid,
    action: &str,
    payload: serde_json::Value,
) -> Result<(), ServiceError> {
    for item in tx.items_of_shortcoming(shortcoming_id).await? {
        tx.append_event(NewEvent {
            item_id: item.id,
            action,
            from_state: Some(&item.state),
            to_state: Some(&item.state),
            actor_account_id: account(actor),
            actor_person_id: actor.person_id(),
            comment: None,
            payload_json: payload.to_string(),
            at: chrono::Utc::now(),
        })
        .await?;
    }
    Ok(())
}

impl Services {
    /// Links a shortcoming to a commitment of the same report, by hand (confirmed at once).
    pub async fn add_link(
        &self,
        actor: &Actor,
        shortcoming_id: Uuid,
        commitment_id: Uuid,
    ) -> Result<LinkRow, ServiceError> {
        actor.require(Operation::EditItems)?;
        let tx = self.store.begin().await?;
        let result = async {
            require_shortcoming(&tx, actor, shortcoming_id).await?;
            let s = tx
                .shortcoming(shortcoming_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("shortcoming", shortcoming_id))?;
            let c = tx
                .commitment(commitment_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("commitment", commitment_id))?;
            if s.report_id != c.report_id {
                return Err(ServiceError::invalid(
                    "commitmentId",
                    "问题只能关联同一份报告中的工作计划",
                ));
            }
            let id = tx
                .insert_link(s.id, c.id, None, "manual")
                .await
                .map_err(|e| match e {
                    crate::store::StoreError::Unique(_) => {
                        ServiceError::Conflict("二者已经关联".into())
                    }
                    other => other.into(),
                })?;
            tx.confirm_link(id, account(actor)).await?;
            record_on_items(
                &tx,
                actor,
                s.id,
                "link_added",
                json!({ "link_id": id, "commitment_id": c.id }),
            )
            .await?;
            tx.link(id)
                .await?
                .ok_or_else(|| ServiceError::not_found("link", id))
        }
        .await;
        finish(tx, result).await
    }

    /// Confirms a proposed link.
    pub async fn confirm_link(
        &self,
        actor: &Actor,
        link_id: Uuid,
    ) -> Result<LinkRow, ServiceError> {
        let tx = self.store.begin().await?;
        let result = async {
            let link = tx
                .link(link_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("link", link_id))?;
            require_shortcoming(&tx, actor, link.shortcoming_id).await?;
            tx.confirm_link(link.id, account(actor)).await?;
            record_on_items(
                &tx,
                actor,
                link.shortcoming_id,
                "link_confirmed",
                json!({ "link_id": link.id }),
            )
            .await?;
            tx.link(link_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("link", link_id))
        }
        .await;
        finish(tx, result).await
    }

    /// Removes a link (proposed or confirmed).
    pub async fn remove_link(&self, actor: &Actor, link_id: Uuid) -> Result<LinkRow, ServiceError> {
        let tx = self.store.begin().await?;
        let result = async {
            let link = tx
                .link(link_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("link", link_id))?;
            require_shortcoming(&tx, actor, link.shortcoming_id).await?;
            tx.delete_link(link.id).await?;
            record_on_items(
                &tx,
                actor,
                link.shortcoming_id,
                "link_removed",
                json!({ "link_id": link.id, "commitment_id": link.commitment_id }),
            )
            .await?;
            Ok(link)
        }
        .await;
        finish(tx, result).await
    }

    /// Splits an item into several, one per measure: each new item has the same shortcoming
    /// and agency, starts `identified`, and points back to the item it came from.
    pub async fn split_item(
        &self,
        actor: &Actor,
        item_id: Uuid,
        titles: Vec<String>,
        expected_version: i32,
    ) -> Result<Vec<ItemRow>, ServiceError> {
        if !(2..=20).contains(&titles.len()) {
            return Err(ServiceError::invalid(
                "titles",
                "请给出 2 至 20 个标题，每个拆分出的事项一个",
            ));
        }
        let titles = titles
            .iter()
            .map(|t| text::required("titles", t, 200))
            .collect::<Result<Vec<_>, _>>()?;
        let tx = self.store.begin().await?;
        let result = async {
            let parent = tx
                .item(item_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("item", item_id))?;
            actor.require_in(Operation::EditItems, parent.agency_id)?;
            if self.workflow.is_final(&parent.state) && parent.state != SPLIT_STATE {
                let label = self
                    .workflow
                    .state(&parent.state)
                    .map_or(parent.state.as_str(), |s| s.label.as_str());
                return Err(ServiceError::Rule {
                    code: "ITEM_CLOSED",
                    message: format!("该事项{label}，须先重新打开才能拆分"),
                });
            }
            // The parent becomes a container (已拆分): counted, reminded and rectified
            // through its parts.
            let container = ItemUpdate {
                state: Some(SPLIT_STATE.to_owned()),
                ..Default::default()
            };
            if !tx
                .update_item(parent.id, expected_version, container)
                .await?
            {
                return Err(ServiceError::StaleVersion {
                    expected: expected_version,
                    actual: parent.version,
                });
            }
            let existing = tx.children_of(parent.id).await?;
            let split_from = format!("拆分自事项“{}”", parent.title);
            let mut children = Vec::new();
            for (i, title) in titles.into_iter().enumerate() {
                let code = parent
                    .code
                    .as_ref()
                    .map(|c| format!("{c}-{}", existing + i as u64 + 1));
                let child = tx
                    .insert_item(NewItem {
                        agency_id: parent.agency_id,
                        code,
                        shortcoming_id: parent.shortcoming_id,
                        parent_item_id: Some(parent.id),
                        source: parent.source.clone(),
                        source_document: parent.source_document.clone(),
                        title,
                        state: self.workflow.initial().to_owned(),
                    })
                    .await?;
                tx.append_event(NewEvent {
                    item_id: child.id,
                    action: "create",
                    from_state: None,
                    to_state: Some(self.workflow.initial()),
                    actor_account_id: account(actor),
                    actor_person_id: actor.person_id(),
                    comment: Some(&split_from),
                    payload_json: json!({ "split_from": parent.id }).to_string(),
                    at: chrono::Utc::now(),
                })
                .await?;
                children.push(child);
            }
            tx.append_event(NewEvent {
                item_id: parent.id,
                action: "split",
                from_state: Some(&parent.state),
                to_state: Some(SPLIT_STATE),
                actor_account_id: account(actor),
                actor_person_id: actor.person_id(),
                comment: Some(&format!("拆分为{}项整改事项", children.len())),
                payload_json: json!({ "into": children.iter().map(|c| c.id).collect::<Vec<_>>() })
                    .to_string(),
                at: chrono::Utc::now(),
            })
            .await?;
            Ok(children)
        }
        .await;
        finish(tx, result).await
    }
}
