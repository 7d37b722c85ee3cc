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
}
