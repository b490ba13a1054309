//! Hot-path caches for bearer tokens: signature verification results, and the revocation floors.
//!
//! Verifying an ES512 signature costs about a millisecond, so a verified token is remembered until it
//! expires (bounded in number). Revocation is checked on every request against the in-memory copy of
//! the floors, which every revocation updates after writing the store (the durable source).

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use crate::auth::jwt::Claims;

/// How many verified tokens are remembered at most.
const MAX_CACHED: usize = 10_000;

/// Verified tokens, by their exact text.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<String, (Claims, i64)>>,
}

impl VerifiedTokens {
    /// The claims and user id of a token verified earlier, if it has not expired.
    pub fn get(&self, token: &str, now: i64) -> Option<(Claims, i64)> {
        let entries = self.entries.lock().ok()?;
        entries.get(token).filter(|(c, _)| c.exp > now).cloned()
    }

    /// Remembers a verified token.
    pub fn insert(&self, token: &str, claims: Claims, user_id: i64, now: i64) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= MAX_CACHED {
            entries.retain(|_, (c, _)| c.exp > now);
            if entries.len() >= MAX_CACHED {
                entries.clear();
            }
        }
        entries.insert(token.to_owned(), (claims, user_id));
    }
}

/// The in-memory copy of the revocation floors, plus the high-water mark of every `nbf` issued and
/// a counter of revocations (so a login can tell that one happened while it was verifying).
#[derive(Default)]
pub struct Floors {
    inner: RwLock<FloorSet>,
    high_water: std::sync::atomic::AtomicI64,
    revocations: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct FloorSet {
    users: HashMap<i64, i64>,
    roles: HashMap<i64, i64>,
    global: i64,
}

impl Floors {
    /// Loads the floors read from the store.
    pub fn load(users: Vec<(i64, i64)>, roles: Vec<(i64, i64)>, global: i64) -> Self {
        let set = FloorSet {
            users: users.into_iter().collect(),
            roles: roles.into_iter().collect(),
            global,
        };
        let high = set
            .users
            .values()
            .chain(set.roles.values())
            .copied()
            .fold(set.global, i64::max);
        Self {
            inner: RwLock::new(set),
            high_water: std::sync::atomic::AtomicI64::new(high),
            revocations: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The earliest `nbf` a token of `user_id` carrying `roles` may have.
    pub fn floor(&self, user_id: i64, roles: &[i64]) -> i64 {
        let Ok(f) = self.inner.read() else { return i64::MAX };
        let mut floor = f.global.max(f.users.get(&user_id).copied().unwrap_or(0));
        for r in roles {
            floor = floor.max(f.roles.get(r).copied().unwrap_or(0));
        }
        floor
    }

    /// The floor a new revocation must set: above every `nbf` issued so far and every floor, so
    /// that every token issued before the revocation is rejected whatever its user or roles.
    pub fn next_floor(&self, now: i64) -> i64 {
        use std::sync::atomic::Ordering;
        let floors = self.inner.read().map(|f| {
            f.users
                .values()
                .chain(f.roles.values())
                .copied()
                .fold(f.global, i64::max)
        });
        now.max(floors.unwrap_or(0)).max(self.high_water.load(Ordering::SeqCst)) + 1
    }

    /// Notes a token issued with `nbf`.
    pub fn note_issued(&self, nbf: i64) {
        self.high_water.fetch_max(nbf, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many revocations have happened (changes while a login verifies make it retry).
    pub fn revocation_count(&self) -> u64 {
        self.revocations.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn revoked(&self, floor: i64) {
        use std::sync::atomic::Ordering;
        self.high_water.fetch_max(floor, Ordering::SeqCst);
        self.revocations.fetch_add(1, Ordering::SeqCst);
    }

    /// Records a user floor.
    pub fn set_user(&self, user_id: i64, floor: i64) {
        self.revoked(floor);
        if let Ok(mut f) = self.inner.write() {
            let e = f.users.entry(user_id).or_default();
            *e = (*e).max(floor);
        }
    }

    /// Records a role floor.
    pub fn set_role(&self, role_id: i64, floor: i64) {
        self.revoked(floor);
        if let Ok(mut f) = self.inner.write() {
            let e = f.roles.entry(role_id).or_default();
            *e = (*e).max(floor);
        }
    }

    /// Records the global floor.
    pub fn set_global(&self, floor: i64) {
        self.revoked(floor);
        if let Ok(mut f) = self.inner.write() {
            f.global = f.global.max(floor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_take_the_highest_applicable() {
        let f = Floors::load(vec![(1, 100)], vec![(7, 150)], 50);
        assert_eq!(f.floor(1, &[]), 100);
        assert_eq!(f.floor(1, &[7]), 150);
        assert_eq!(f.floor(2, &[3]), 50);
        f.set_global(200);
        assert_eq!(f.floor(1, &[7]), 200);
        f.set_user(1, 10);
        assert_eq!(f.floor(1, &[]), 200, "a floor never moves back");
    }
}
