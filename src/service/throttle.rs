//! Sign-in throttling: after a few wrong passwords for one account, or many from one
//! client address, further attempts wait a doubling delay (a temporary lock), whether or
//! not the password is right. Kept in this process's memory, bounded in size: each
//! instance throttles on its own, which still caps guessing at a handful of tries a minute.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Failures allowed for one account before it locks.
const ACCOUNT_FREE_FAILURES: u32 = 5;
/// Failures allowed from one client address (offices share addresses behind NAT).
const ADDRESS_FREE_FAILURES: u32 = 20;
/// The longest lock.
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// A key with no failure for this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// The most keys remembered; past it the stalest are dropped.
const MAX_KEYS: usize = 100_000;

/// What one sign-in attempt is throttled by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ThrottleKey {
    Account(String),
    Address(IpAddr),
}

impl ThrottleKey {
    fn free_failures(&self) -> u32 {
        match self {
            ThrottleKey::Account(_) => ACCOUNT_FREE_FAILURES,
            ThrottleKey::Address(_) => ADDRESS_FREE_FAILURES,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// The failures seen per key.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    keys: Mutex<HashMap<ThrottleKey, Failures>>,
}

impl LoginThrottle {
    /// `Err(wait)` while any of `keys` is locked.
    pub fn check(&self, keys: &[ThrottleKey], now: Instant) -> Result<(), Duration> {
        let map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let wait = keys
            .iter()
            .filter_map(|k| map.get(k)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        match wait {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Records a wrong password for each of `keys`, locking those past their free failures
    /// for a delay that doubles with each further failure.
    pub fn failed(&self, keys: &[ThrottleKey], now: Instant) {
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, f| now.saturating_duration_since(f.last) < FORGET_AFTER);
            if map.len() >= MAX_KEYS {
                // Still full under a flood of distinct keys: drop the older half.
                let mut lasts: Vec<Instant> = map.values().map(|f| f.last).collect();
                lasts.sort_unstable();
                let cut = lasts[lasts.len() / 2];
                map.retain(|_, f| f.last > cut);
            }
        }
        for key in keys {
            let entry = map.entry(key.clone()).or_insert(Failures {
                count: 0,
                last: now,
                locked_until: None,
            });
            if now.saturating_duration_since(entry.last) >= FORGET_AFTER {
                entry.count = 0;
            }
            entry.count += 1;
            entry.last = now;
            let over = entry.count.saturating_sub(key.free_failures());
            if over > 0 {
                let lock = Duration::from_secs(1u64 << (over - 1).min(20)).min(MAX_LOCK);
                entry.locked_until = Some(now + lock);
            }
        }
    }

    /// Forgets the account's failures after a right password (the address's stay: one
    /// success must not unlock guessing at other accounts).
    pub fn succeeded(&self, account: &ThrottleKey) {
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Vec<ThrottleKey> {
        vec![ThrottleKey::Account("a@x.cn".into())]
    }

    #[test]
    fn five_failures_are_free_then_the_lock_doubles() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..5 {
            assert!(t.check(&account(), start).is_ok());
            t.failed(&account(), start);
        }
        assert!(
            t.check(&account(), start).is_ok(),
            "five wrong passwords lock nothing"
        );
        t.failed(&account(), start);
        assert_eq!(t.check(&account(), start), Err(Duration::from_secs(1)));
        t.failed(&account(), start);
        assert_eq!(t.check(&account(), start), Err(Duration::from_secs(2)));
        let later = start + Duration::from_secs(2);
        assert!(t.check(&account(), later).is_ok(), "the lock ends");
    }

    #[test]
    fn the_lock_is_capped_and_forgotten_after_an_hour() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..60 {
            t.failed(&account(), start);
        }
        assert_eq!(t.check(&account(), start), Err(MAX_LOCK));
        let hour = start + FORGET_AFTER;
        t.failed(&account(), hour);
        assert!(t.check(&account(), hour).is_ok(), "counting starts again");
    }

    #[test]
    fn a_success_unlocks_the_account_but_not_the_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let address = ThrottleKey::Address("10.0.0.1".parse().unwrap());
        let keys = [account(), vec![address.clone()]].concat();
        for _ in 0..25 {
            t.failed(&keys, now);
        }
        t.succeeded(&account()[0]);
        assert!(t.check(&account(), now).is_ok());
        assert!(t.check(&[address], now).is_err());
    }

    #[test]
    fn a_flood_of_distinct_keys_stays_bounded() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..(MAX_KEYS + 10) {
            t.failed(&[ThrottleKey::Account(format!("{i}@x.cn"))], now);
        }
        assert!(t.keys.lock().unwrap().len() <= MAX_KEYS);
    }
}
