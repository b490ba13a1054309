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

    /// Forgets every token (after user or role changes that the floors do not express).
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
    }
}

/// The in-memory copy of the revocation floors.
#[derive(Default)]
pub struct Floors {
    inner: RwLock<FloorSet>,
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
        Self {
            inner: RwLock::new(FloorSet {
                users: users.into_iter().collect(),
                roles: roles.into_iter().collect(),
                global,
            }),
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

    /// The floor a new revocation of `user_id` must set so that every token issued so far (whose
    /// `nbf` is at most max(now, current floor)) is rejected.
    pub fn next_user_floor(&self, user_id: i64, now: i64) -> i64 {
        now.max(self.floor(user_id, &[])) + 1
    }

    /// Like [`Floors::next_user_floor`] for a role.
    pub fn next_role_floor(&self, role_id: i64, now: i64) -> i64 {
        let current = self
            .inner
            .read()
            .map(|f| f.roles.get(&role_id).copied().unwrap_or(0).max(f.global))
            .unwrap_or(0);
        now.max(current) + 1
    }

    /// Like [`Floors::next_user_floor`] for every token.
    pub fn next_global_floor(&self, now: i64) -> i64 {
        let current = self.inner.read().map(|f| {
            f.users
                .values()
                .chain(f.roles.values())
                .copied()
                .fold(f.global, i64::max)
        });
        now.max(current.unwrap_or(0)) + 1
    }

    /// Records a user floor.
    pub fn set_user(&self, user_id: i64, floor: i64) {
        if let Ok(mut f) = self.inner.write() {
            let e = f.users.entry(user_id).or_default();
            *e = (*e).max(floor);
        }
    }

    /// Records a role floor.
    pub fn set_role(&self, role_id: i64, floor: i64) {
        if let Ok(mut f) = self.inner.write() {
            let e = f.roles.entry(role_id).or_default();
            *e = (*e).max(floor);
        }
    }

    /// Records the global floor.
    pub fn set_global(&self, floor: i64) {
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
