//! Whether a validly signed token still speaks for an account of this database: the subject
//! exists and has the token's role and shop, and a service token's id is on record and not
//! revoked. A signature alone only says the token was made with our key; the database says
//! whether it still means what it says.
//!
//! Looked up once per subject (and service token) every `CHECK_TTL`: deleting an account,
//! changing its role or shop, and revoking a service token take effect within that long.
use crate::auth::jwt::Claims;
use crate::domain::roles::Role;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long an answer of the database is trusted.
pub const CHECK_TTL: TimeDelta = TimeDelta::seconds(5);

/// Subjects (and service tokens) remembered at most; beyond, the oldest answers go first.
const CAPACITY: usize = 10_000;

/// What the database says about a token's subject (and, for a service token, the token).
#[derive(Debug, Clone, PartialEq)]
pub enum Standing {
    /// No such account, or a service token with no record (or of another account).
    Unknown,
    /// A service token an operator revoked.
    Revoked,
    Account {
        role: Role,
        shop_id: Option<String>,
    },
}

/// The token is honoured only for an account with exactly its role and shop.
pub fn accepts(claims: &Claims, standing: &Standing) -> bool {
    match standing {
        Standing::Account { role, shop_id } => *role == claims.role && *shop_id == claims.shop_id,
        Standing::Unknown | Standing::Revoked => false,
    }
}

/// The cache key: the subject, and a service token's id (each is revoked on its own).
pub fn key_of(claims: &Claims) -> String {
    match claims.role {
        Role::Service => format!("{}/{}", claims.sub, claims.jti),
        _ => claims.sub.clone(),
    }
}

/// A small cache of standings, timed by the injected clock (like token expiry, so that tests
/// move time by setting it). Hand-made rather than a cache crate: those keep their own clock,
/// and this needs no more than a map and a bound.
pub struct Trust {
    ttl: TimeDelta,
    entries: Mutex<HashMap<String, (DateTime<Utc>, Standing)>>,
}

impl Default for Trust {
    fn default() -> Self {
        Trust::new(CHECK_TTL)
    }
}

impl Trust {
    pub fn new(ttl: TimeDelta) -> Self {
        Trust {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Option<Standing> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (at, standing) = entries.get(key)?;
        (now >= *at && now < *at + self.ttl).then(|| standing.clone())
    }

    pub fn put(&self, key: String, now: DateTime<Utc>, standing: Standing) {
        if self.ttl <= TimeDelta::zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| now >= *at && now < *at + ttl);
            if entries.len() >= CAPACITY {
                // Every answer is fresh: a flood of distinct subjects. Dropping them all costs
                // one lookup each, and keeps the bound.
                entries.clear();
            }
        }
        entries.insert(key, (now, standing));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        "2026-11-21T10:00:00Z".parse().unwrap()
    }

    fn claims(role: Role, shop: Option<&str>) -> Claims {
        Claims {
            sub: "u1".into(),
            role,
            shop_id: shop.map(String::from),
            iss: "aftersale".into(),
            aud: "aftersale-api".into(),
            iat: 0,
            nbf: 0,
            exp: 0,
            jti: "j1".into(),
        }
    }

    #[test]
    fn only_the_accounts_own_role_and_shop_are_honoured() {
        let seller = Standing::Account {
            role: Role::Seller,
            shop_id: Some("s1".into()),
        };
        assert!(accepts(&claims(Role::Seller, Some("s1")), &seller));
        assert!(!accepts(&claims(Role::Seller, Some("s2")), &seller));
        assert!(!accepts(&claims(Role::Seller, None), &seller));
        assert!(!accepts(&claims(Role::Moderator, Some("s1")), &seller));
        let buyer = Standing::Account {
            role: Role::Buyer,
            shop_id: None,
        };
        assert!(accepts(&claims(Role::Buyer, None), &buyer));
        assert!(!accepts(&claims(Role::Moderator, None), &buyer));
        assert!(!accepts(&claims(Role::Buyer, None), &Standing::Unknown));
        assert!(!accepts(&claims(Role::Service, None), &Standing::Revoked));
    }

    #[test]
    fn service_tokens_are_kept_apart_by_id() {
        assert_eq!(key_of(&claims(Role::Buyer, None)), "u1");
        assert_eq!(key_of(&claims(Role::Service, None)), "u1/j1");
    }

    #[test]
    fn answers_last_the_ttl_and_no_longer() {
        let trust = Trust::default();
        trust.put("u1".into(), t0(), Standing::Unknown);
        assert_eq!(trust.get("u1", t0()), Some(Standing::Unknown));
        assert_eq!(
            trust.get("u1", t0() + CHECK_TTL - TimeDelta::milliseconds(1)),
            Some(Standing::Unknown)
        );
        assert_eq!(trust.get("u1", t0() + CHECK_TTL), None);
        // A clock set back does not make an answer live longer.
        assert_eq!(trust.get("u1", t0() - TimeDelta::seconds(1)), None);
        assert_eq!(trust.get("u2", t0()), None);
        let never = Trust::new(TimeDelta::zero());
        never.put("u1".into(), t0(), Standing::Unknown);
        assert_eq!(never.get("u1", t0()), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let trust = Trust::default();
        for i in 0..CAPACITY + 10 {
            trust.put(format!("u{i}"), t0(), Standing::Unknown);
        }
        let len = trust.entries.lock().unwrap().len();
        assert!(len <= CAPACITY, "{len}");
        assert_eq!(
            trust.get(&format!("u{}", CAPACITY + 9), t0()),
            Some(Standing::Unknown)
        );
    }
}
