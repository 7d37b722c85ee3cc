//! The time zones agencies use, known without a query per request: "overdue" in a list
//! filter is judged in each of them. Remembered for a minute; a new agency clears them
//! here and on every other instance (through the same relay as verified callers), and a
//! generation number keeps a read that raced a change from storing the older answer.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono_tz::Tz;

/// How long the zones are remembered (bounds what a missed notification leaves stale).
pub const ZONES_TTL: Duration = Duration::from_secs(60);

#[derive(Default)]
struct State {
    generation: u64,
    zones: Option<(Instant, Arc<[Tz]>)>,
}

/// The time zones in use, when known.
#[derive(Default)]
pub struct ZoneCache {
    state: Mutex<State>,
}

impl std::fmt::Debug for ZoneCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoneCache").finish_non_exhaustive()
    }
}

impl ZoneCache {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The zones read less than [`ZONES_TTL`] ago, or else the generation to pass to
    /// [`ZoneCache::put`] with a fresh read.
    pub fn get(&self, now: Instant) -> Result<Arc<[Tz]>, u64> {
        let state = self.state();
        match &state.zones {
            Some((at, zones)) if now.saturating_duration_since(*at) < ZONES_TTL => {
                Ok(Arc::clone(zones))
            }
            _ => Err(state.generation),
        }
    }

    /// Remembers zones read at `generation`, unless they changed since.
    pub fn put(&self, generation: u64, zones: Arc<[Tz]>, now: Instant) {
        let mut state = self.state();
        if state.generation == generation {
            state.zones = Some((now, zones));
        }
    }

    /// Forgets the zones (an agency was added or changed).
    pub fn clear(&self) {
        let mut state = self.state();
        state.generation += 1;
        state.zones = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_for_a_while_and_forgets_on_a_change() {
        let cache = ZoneCache::default();
        let t0 = Instant::now();
        let generation = cache.get(t0).unwrap_err();
        cache.put(generation, Arc::from(vec![chrono_tz::Asia::Shanghai]), t0);
        assert_eq!(&*cache.get(t0).unwrap(), [chrono_tz::Asia::Shanghai]);
        assert!(cache.get(t0 + ZONES_TTL).is_err(), "stale after the TTL");
        cache.clear();
        assert!(cache.get(t0).is_err());
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_kept() {
        let cache = ZoneCache::default();
        let t0 = Instant::now();
        let generation = cache.get(t0).unwrap_err();
        cache.clear();
        cache.put(generation, Arc::from(vec![chrono_tz::UTC]), t0);
        assert!(cache.get(t0).is_err());
    }
}
