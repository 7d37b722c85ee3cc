//! Verifying the audit trail: every item's hash chain recomputed, page by page, against its
//! head and optionally against head digests exported earlier (`rectify audit digest`), which
//! catch a tail truncated together with its head.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Actor, ServiceError, Services};
use crate::{
    domain::{
        access::Operation,
        audit::{BreakKind, ChainedEvent, StoredEvent, verify_chain},
    },
    store::workflow::EventRow,
};

/// How many items are verified per round trip.
const PAGE: u64 = 500;

/// One item's chain head as exported: enough to detect a later rewrite or truncation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadDigest {
    pub item_id: Uuid,
    pub seq: i32,
    pub hash: String,
}

/// A broken chain: the item and the first event that does not check out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    pub item_id: Uuid,
    pub seq: i32,
    pub kind: BreakKind,
    pub reason: String,
}

impl AuditBreak {
    /// The break in Chinese, for pages.
    pub fn describe(&self) -> String {
        self.kind.describe(self.seq)
    }
}

/// The most lines a head-digest file may have (one per item).
pub const MAX_DIGEST_LINES: usize = 1_000_000;

/// Reads a head-digest file as `rectify audit digest` and the audit page write it: one JSON
/// object per line (`{"item_id":…,"seq":…,"hash":…}`), blank lines skipped.
pub fn parse_digests(text: &str) -> Result<Vec<HeadDigest>, ServiceError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if out.len() >= MAX_DIGEST_LINES {
            return Err(ServiceError::TooLarge(format!(
                "链头摘要文件最多 {MAX_DIGEST_LINES} 行"
            )));
        }
        let digest = serde_json::from_str::<HeadDigest>(line).map_err(|_| {
            ServiceError::invalid(
                "digests",
                format!(
                    "第 {} 行不是链头摘要（应为导出的摘要文件，每行一个 JSON 对象）",
                    n + 1
                ),
            )
        })?;
        out.push(digest);
    }
    Ok(out)
}

/// The outcome of a verification.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub items_checked: u64,
    pub events_checked: u64,
    /// Every broken chain, each at its first break.
    pub breaks: Vec<AuditBreak>,
}

impl AuditReport {
    /// True when every chain checked out.
    pub fn ok(&self) -> bool {
        self.breaks.is_empty()
    }
}

fn chained(e: &EventRow) -> StoredEvent<'_> {
    StoredEvent {
        event: ChainedEvent {
            item_id: e.item_id,
            seq: e.seq,
            action: &e.action,
            from_state: e.from_state.as_deref(),
            to_state: e.to_state.as_deref(),
            actor_account_id: e.actor_account_id,
            actor_person_id: e.actor_person_id,
            comment: e.comment.as_deref(),
            payload_json: &e.payload_json,
            occurred_at: e.occurred_at,
        },
        prev_hash: &e.prev_hash,
        hash: &e.hash,
    }
}

impl Services {
    /// Verifies one item's chain, or every chain within the caller's reach.
    pub async fn verify_audit(
        &self,
        actor: &Actor,
        item_id: Option<Uuid>,
        exported: &[HeadDigest],
    ) -> Result<AuditReport, ServiceError> {
        actor.require(Operation::Audit)?;
        let exported: HashMap<Uuid, &HeadDigest> =
            exported.iter().map(|d| (d.item_id, d)).collect();
        let mut report = AuditReport::default();
        if let Some(id) = item_id {
            let item = self
                .store
                .item(id)
                .await?
                .ok_or_else(|| ServiceError::not_found("item", id))?;
            actor.require_in(Operation::Audit, item.agency_id)?;
            self.verify_page(&[id], &exported, &mut report).await?;
            return Ok(report);
        }
        let reach = actor.reachable_agencies();
        let mut after = None;
        loop {
            let ids = self
                .store
                .item_ids_page(after, PAGE, reach.as_deref())
                .await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            self.verify_page(&ids, &exported, &mut report).await?;
            after = Some(last);
        }
        // An exported item that no longer exists at all was deleted with its whole chain.
        if reach.is_none() {
            for digest in exported.values() {
                if self.store.item(digest.item_id).await?.is_none() {
                    report.breaks.push(AuditBreak {
                        item_id: digest.item_id,
                        seq: 1,
                        kind: BreakKind::Gone,
                        reason: "the item and its whole chain are gone".into(),
                    });
                }
            }
        }
        Ok(report)
    }

    async fn verify_page(
        &self,
        ids: &[Uuid],
        exported: &HashMap<Uuid, &HeadDigest>,
        report: &mut AuditReport,
    ) -> Result<(), ServiceError> {
        let heads: HashMap<Uuid, (i32, String)> = self
            .store
            .chain_heads(ids)
            .await?
            .into_iter()
            .map(|(id, seq, hash)| (id, (seq, hash)))
            .collect();
        let events = self.store.events_of_items(ids).await?;
        let ids = ids.to_vec();
        let exported: HashMap<Uuid, (i32, String)> = ids
            .iter()
            .filter_map(|id| exported.get(id).map(|d| (*id, (d.seq, d.hash.clone()))))
            .collect();
        // Re-hashing a page of chains is CPU work: on the pool, off the request workers.
        let (items, events_checked, breaks) = self
            .cpu
            .run(move || {
                let mut by_item: HashMap<Uuid, Vec<&EventRow>> = HashMap::new();
                for e in &events {
                    by_item.entry(e.item_id).or_default().push(e);
                }
                let mut events_checked = 0u64;
                let mut breaks = Vec::new();
                for id in &ids {
                    let rows = by_item.remove(id).unwrap_or_default();
                    let stored: Vec<StoredEvent<'_>> = rows.iter().map(|e| chained(e)).collect();
                    let head = heads.get(id).map(|(s, h)| (*s, h.as_str()));
                    let export = exported.get(id).map(|(s, h)| (*s, h.as_str()));
                    events_checked += stored.len() as u64;
                    if let Err(b) = verify_chain(&stored, head, export) {
                        breaks.push(AuditBreak {
                            item_id: *id,
                            seq: b.seq,
                            kind: b.kind,
                            reason: b.reason,
                        });
                    }
                }
                (ids.len() as u64, events_checked, breaks)
            })
            .await?;
        report.items_checked += items;
        report.events_checked += events_checked;
        report.breaks.extend(breaks);
        Ok(())
    }

    /// Every chain head within reach, for keeping a copy elsewhere.
    pub async fn audit_digest(&self, actor: &Actor) -> Result<Vec<HeadDigest>, ServiceError> {
        actor.require(Operation::Audit)?;
        let reach = actor.reachable_agencies();
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let ids = self
                .store
                .item_ids_page(after, PAGE, reach.as_deref())
                .await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            let mut heads = self.store.chain_heads(&ids).await?;
            heads.sort();
            out.extend(heads.into_iter().map(|(item_id, seq, hash)| HeadDigest {
                item_id,
                seq,
                hash,
            }));
            after = Some(last);
        }
        Ok(out)
    }
}
