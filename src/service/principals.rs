//! Verified callers, remembered for a few seconds by their token's digest, so that a burst
//! of requests from one person costs one lookup. Anything that changes what a caller may do
//! (a revoked token, a disabled account, a new password, an appointment, a new agency)
//! clears the cache on every instance; the short lifetime bounds what a missed message
//! could leave stale.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};

use super::Actor;

/// How long a verified caller is remembered.
pub const PRINCIPAL_TTL: Duration = Duration::from_secs(5);
/// The most callers remembered at once.
const MAX_ENTRIES: usize = 10_000;

struct Entry {
    verified_at: Instant,
    token_expires_at: Option<DateTime<Utc>>,
    actor: Actor,
}

/// The cache of verified callers.
#[derive(Default)]
pub struct PrincipalCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl std::fmt::Debug for PrincipalCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrincipalCache").finish_non_exhaustive()
    }
}

impl PrincipalCache {
    /// The caller verified for `digest` less than [`PRINCIPAL_TTL`] ago, if its token has
    /// not expired since.
    pub fn get(&self, digest: &str, now: Instant) -> Option<Actor> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(digest)?;
        let fresh = now.saturating_duration_since(entry.verified_at) < PRINCIPAL_TTL
            && entry.token_expires_at.is_none_or(|t| t > Utc::now());
        fresh.then(|| entry.actor.clone())
    }

    /// Remembers a verified caller.
    pub fn put(
        &self,
        digest: String,
        actor: Actor,
        token_expires_at: Option<DateTime<Utc>>,
        now: Instant,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| now.saturating_duration_since(e.verified_at) < PRINCIPAL_TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            digest,
            Entry {
                verified_at: now,
                token_expires_at,
                actor,
            },
        );
    }

    /// Forgets every caller (credentials or reach changed somewhere).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_is_remembered_for_a_few_seconds_and_forgotten_on_clear() {
        let cache = PrincipalCache::default();
        let now = Instant::now();
        cache.put("d".into(), Actor::System, None, now);
        assert!(cache.get("d", now + Duration::from_secs(1)).is_some());
        assert!(cache.get("d", now + PRINCIPAL_TTL).is_none());
        cache.put("d".into(), Actor::System, None, now);
        cache.clear();
        assert!(cache.get("d", now).is_none());
    }

    #[test]
    fn an_expired_token_is_not_served_from_the_cache() {
        let cache = PrincipalCache::default();
        let now = Instant::now();
        let past = Utc::now() - chrono::Duration::seconds(1);
        cache.put("d".into(), Actor::System, Some(past), now);
        assert!(cache.get("d", now).is_none());
    }
}
