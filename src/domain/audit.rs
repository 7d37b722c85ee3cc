//! The audit trail's hash chain: each event's digest covers the previous digest and a
//! canonical encoding of the event, so a changed, removed, reordered or truncated event
//! is detectable.

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `prev_hash` of an item's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an event that its digest covers.
#[derive(Clone, Debug)]
pub struct ChainedEvent<'a> {
    pub item_id: Uuid,
    pub seq: i32,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub actor_account_id: Option<Uuid>,
    pub actor_person_id: Option<Uuid>,
    pub comment: Option<&'a str>,
    pub payload_json: &'a str,
    pub occurred_at: DateTime<Utc>,
}

/// Event times are kept to the microsecond, the precision both stores hold.
pub fn event_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// SHA-256 (hex) over `prev_hash` and the event's canonical encoding: every field as
/// `name=<byte length>:<value>\n`, absent values as `name=-\n`, so no two events encode alike.
pub fn digest(prev_hash: &str, e: &ChainedEvent<'_>) -> String {
    let mut h = Sha256::new();
    let mut field = |name: &str, value: Option<&str>| {
        h.update(name.as_bytes());
        match value {
            Some(v) => {
                h.update(format!("={}:", v.len()).as_bytes());
                h.update(v.as_bytes());
            }
            None => h.update(b"=-"),
        }
        h.update(b"\n");
    };
    field("prev", Some(prev_hash));
    field("item", Some(&e.item_id.to_string()));
    field("seq", Some(&e.seq.to_string()));
    field("action", Some(e.action));
    field("from", e.from_state);
    field("to", e.to_state);
    field(
        "account",
        e.actor_account_id.map(|u| u.to_string()).as_deref(),
    );
    field(
        "person",
        e.actor_person_id.map(|u| u.to_string()).as_deref(),
    );
    field("comment", e.comment);
    field("payload", Some(e.payload_json));
    field(
        "at",
        Some(
            &event_time(e.occurred_at)
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string(),
        ),
    );
    hex::encode(h.finalize())
}

/// An event as stored: the chained fields with the digests written beside them.
#[derive(Clone, Debug)]
pub struct StoredEvent<'a> {
    pub event: ChainedEvent<'a>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// Where and how a chain is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first event that does not check out.
    pub seq: i32,
    pub kind: BreakKind,
    pub reason: String,
}

/// What is wrong with a chain, for saying it in Chinese.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// An event is missing from the sequence.
    Missing,
    /// An event does not follow the one before it.
    Unlinked,
    /// An event's content no longer matches its digest.
    Changed,
    /// Events without a recorded head.
    HeadMissing,
    /// An item without any event.
    Empty,
    /// The tail is gone (by the head, or by an exported digest).
    Truncated,
    /// The head does not match the last event.
    HeadMismatch,
    /// An event differs from the digest exported earlier.
    Rewritten,
    /// An exported item no longer exists at all.
    Gone,
}

impl BreakKind {
    /// The break in words, at event `seq` (第 seq 条记录).
    pub fn describe(self, seq: i32) -> String {
        match self {
            Self::Missing => format!("第 {seq} 条记录缺失"),
            Self::Unlinked => format!("第 {seq} 条记录与前一条衔接不上（前一条的摘要不符）"),
            Self::Changed => format!("第 {seq} 条记录写入后被改动（摘要与内容不符）"),
            Self::HeadMissing => "记录链的链头缺失".to_owned(),
            Self::Empty => "事项没有任何审计记录".to_owned(),
            Self::Truncated => format!("记录链被截断：自第 {seq} 条起的记录已不存在"),
            Self::HeadMismatch => "链头与最后一条记录不符".to_owned(),
            Self::Rewritten => format!("第 {seq} 条记录与此前导出的链头摘要不同：记录链被改写"),
            Self::Gone => "事项及其全部记录已被删除".to_owned(),
        }
    }
}

/// Checks one item's chain, events in stored order (by `seq`), against its head (the last
/// `(seq, hash)` recorded when appending) and, when given, against a head exported earlier.
/// Returns the first break: a changed event, a missing one, two swapped, a truncated tail.
pub fn verify_chain(
    events: &[StoredEvent<'_>],
    head: Option<(i32, &str)>,
    exported: Option<(i32, &str)>,
) -> Result<(), ChainBreak> {
    let mut prev = GENESIS.to_owned();
    for (i, stored) in events.iter().enumerate() {
        let expected_seq = i as i32 + 1;
        let seq = stored.event.seq;
        if seq != expected_seq {
            return Err(ChainBreak {
                seq: expected_seq,
                kind: BreakKind::Missing,
                reason: format!("event {expected_seq} is missing (the next stored is {seq})"),
            });
        }
        if stored.prev_hash != prev {
            return Err(ChainBreak {
                seq,
                kind: BreakKind::Unlinked,
                reason: format!(
                    "event {seq} does not follow the event before it (its previous digest differs)"
                ),
            });
        }
        let recomputed = digest(&prev, &stored.event);
        if recomputed != stored.hash {
            return Err(ChainBreak {
                seq,
                kind: BreakKind::Changed,
                reason: format!(
                    "event {seq} was changed after it was written (its digest does not match its content)"
                ),
            });
        }
        prev = recomputed;
    }
    let last = events.len() as i32;
    match head {
        None if last > 0 => {
            return Err(ChainBreak {
                seq: last,
                kind: BreakKind::HeadMissing,
                reason: "the chain head is missing".into(),
            });
        }
        None => {
            return Err(ChainBreak {
                seq: 0,
                kind: BreakKind::Empty,
                reason: "the item has no audit events".into(),
            });
        }
        Some((head_seq, _)) if head_seq > last => {
            return Err(ChainBreak {
                seq: last + 1,
                kind: BreakKind::Truncated,
                reason: format!(
                    "the chain was truncated: it ends at event {last}, its head records {head_seq}"
                ),
            });
        }
        Some((head_seq, head_hash)) if head_seq != last || head_hash != prev => {
            return Err(ChainBreak {
                seq: head_seq,
                kind: BreakKind::HeadMismatch,
                reason: format!(
                    "the chain head (event {head_seq}) does not match the last event ({last})"
                ),
            });
        }
        Some(_) => {}
    }
    if let Some((seq, hash)) = exported {
        if seq > last {
            return Err(ChainBreak {
                seq: last + 1,
                kind: BreakKind::Truncated,
                reason: format!(
                    "the chain was truncated: the exported digest has event {seq}, the chain ends at {last}"
                ),
            });
        }
        if seq >= 1 && events[seq as usize - 1].hash != hash {
            return Err(ChainBreak {
                seq,
                kind: BreakKind::Rewritten,
                reason: format!(
                    "event {seq} differs from the exported digest: the chain was rewritten"
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(comment: Option<&str>) -> ChainedEvent<'_> {
        ChainedEvent {
            item_id: Uuid::nil(),
            seq: 1,
            action: "create",
            from_state: None,
            to_state: Some("identified"),
            actor_account_id: None,
            actor_person_id: None,
            comment,
            payload_json: "{}",
            occurred_at: DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap(),
        }
    }

    #[test]
    fn the_digest_changes_with_any_field_and_with_the_previous_digest() {
        let base = digest(GENESIS, &event(None));
        assert_eq!(base.len(), 64);
        assert_eq!(base, digest(GENESIS, &event(None)), "deterministic");
        assert_ne!(
            base,
            digest(GENESIS, &event(Some(""))),
            "absent and empty differ"
        );
        assert_ne!(base, digest(&base, &event(None)));
    }

    fn chain(n: i32) -> Vec<(ChainedEvent<'static>, String, String)> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let e = ChainedEvent { seq, ..event(None) };
                let hash = digest(&prev, &e);
                let out = (e, prev.clone(), hash.clone());
                prev = hash;
                out
            })
            .collect()
    }

    fn stored<'a>(c: &'a [(ChainedEvent<'static>, String, String)]) -> Vec<StoredEvent<'a>> {
        c.iter()
            .map(|(e, p, h)| StoredEvent {
                event: e.clone(),
                prev_hash: p,
                hash: h,
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_every_tampering_is_located() {
        let c = chain(4);
        let head = Some((4, c[3].2.as_str()));
        assert_eq!(verify_chain(&stored(&c), head, None), Ok(()));

        let mut changed = c.clone();
        changed[1].0.action = "verify";
        assert_eq!(
            verify_chain(&stored(&changed), head, None).unwrap_err().seq,
            2
        );

        let mut deleted = c.clone();
        deleted.remove(2);
        assert_eq!(
            verify_chain(&stored(&deleted), head, None).unwrap_err().seq,
            3
        );

        let truncated = &c[..3];
        let err = verify_chain(&stored(truncated), head, None).unwrap_err();
        assert_eq!(err.seq, 4, "{err:?}");

        // Truncated with the head rewritten to match: only an exported digest catches it.
        let covered = Some((3, c[2].2.as_str()));
        assert_eq!(verify_chain(&stored(truncated), covered, None), Ok(()));
        let err = verify_chain(&stored(truncated), covered, Some((4, &c[3].2))).unwrap_err();
        assert!(err.reason.contains("truncated"), "{err:?}");
    }
}
