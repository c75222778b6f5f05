//! An optional PostgreSQL streaming replica for the public reads (`DATABASE_REPLICA_URL`).
//!
//! A watcher thread measures the replica's lag once a second and keeps the verdict in an
//! atomic, so a read never waits for a check: it goes to the replica only while the last
//! check said "ok", and a connection that cannot be had within 100 ms sends it to the
//! primary and marks the replica down until the next check sees it back.
use super::{Db, DbConnection, DbError};
use diesel::prelude::*;
use std::sync::atomic::{AtomicI64, AtomicU8, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How long a read waits for a replica connection before it goes to the primary.
pub const CONNECT_BUDGET: Duration = Duration::from_millis(100);
/// How often the lag is measured.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// What `/ready` says of the replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    Ok,
    Lagging,
    Down,
}

impl ReplicaState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaState::Ok => "ok",
            ReplicaState::Lagging => "lagging",
            ReplicaState::Down => "down",
        }
    }
}

/// The verdict on a lag measurement (pure, so it is unit-tested).
pub fn judge(lag_ms: Option<i64>, max_lag_ms: u64) -> ReplicaState {
    match lag_ms {
        None => ReplicaState::Down,
        Some(ms) if ms > max_lag_ms as i64 => ReplicaState::Lagging,
        Some(_) => ReplicaState::Ok,
    }
}

pub struct Replica {
    pub db: Db,
    max_lag_ms: u64,
    state: AtomicU8,
    lag_ms: AtomicI64,
    /// The highest version this instance has served per list (see `VersionFloor`).
    pub floors: VersionFloor,
}

/// Keeps a list's `ETag` from going backwards on this instance: a cache that revalidates
/// and gets an older version from a replica that fell behind would otherwise replace a newer
/// page with an older one. A replica answer below the floor is read again on the primary,
/// which is never behind. Bounded: past `FLOOR_CAP` subjects the map starts over (a subject
/// forgotten then is protected again from its next read on).
#[derive(Default)]
pub struct VersionFloor(std::sync::Mutex<std::collections::HashMap<String, i64>>);

const FLOOR_CAP: usize = 100_000;

impl VersionFloor {
    /// Whether `version` is at least the highest seen for `key`.
    pub fn admits(&self, key: &str, version: i64) -> bool {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).is_none_or(|&floor| version >= floor)
    }

    /// Raises `key`'s floor to `version`.
    pub fn raise(&self, key: &str, version: i64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= FLOOR_CAP && !map.contains_key(key) {
            map.clear();
        }
        let floor = map.entry(key.to_string()).or_insert(version);
        *floor = (*floor).max(version);
    }
}

impl Replica {
    /// Builds the pool (without waiting for the replica) and starts the watcher, which ends
    /// when the last handle to the replica is dropped.
    pub fn start(url: &str, size: u32, max_lag_ms: u64) -> Result<Arc<Replica>, DbError> {
        let db = Db::connect(url, size, CONNECT_BUDGET)?;
        if db.backend != super::Backend::Postgres {
            return Err(DbError::Other(
                "DATABASE_REPLICA_URL must be a PostgreSQL URL".into(),
            ));
        }
        let replica = Arc::new(Replica {
            db,
            max_lag_ms,
            // Down until the first check: reads go to the primary meanwhile.
            state: AtomicU8::new(ReplicaState::Down as u8),
            lag_ms: AtomicI64::new(-1),
            floors: VersionFloor::default(),
        });
        replica.check();
        let weak: Weak<Replica> = Arc::downgrade(&replica);
        std::thread::Builder::new()
            .name("replica-watch".into())
            .spawn(move || loop {
                std::thread::sleep(CHECK_EVERY);
                match weak.upgrade() {
                    Some(r) => r.check(),
                    None => return,
                }
            })
            .map_err(|e| DbError::Other(format!("replica watcher: {e}")))?;
        Ok(replica)
    }

    pub fn state(&self) -> ReplicaState {
        match self.state.load(Ordering::Relaxed) {
            0 => ReplicaState::Ok,
            1 => ReplicaState::Lagging,
            _ => ReplicaState::Down,
        }
    }

    /// The last measured lag in milliseconds; negative while the replica is down.
    pub fn lag_ms(&self) -> i64 {
        self.lag_ms.load(Ordering::Relaxed)
    }

    /// A read that could not get a replica connection: the replica is left alone until
    /// the watcher's next check.
    pub fn mark_down(&self) {
        self.state
            .store(ReplicaState::Down as u8, Ordering::Relaxed);
    }

    /// Measures the lag now and records the verdict.
    pub fn check(&self) {
        let lag = self.db.run_within(CONNECT_BUDGET, measure_lag).ok();
        self.lag_ms.store(lag.unwrap_or(-1), Ordering::Relaxed);
        self.state
            .store(judge(lag, self.max_lag_ms) as u8, Ordering::Relaxed);
    }
}

#[derive(QueryableByName)]
struct Lag {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    ms: i64,
}

/// 0 while everything received has been replayed, else the age of the last replayed
/// transaction. A server that is not in recovery is no replica: an error (down).
fn measure_lag(c: &mut DbConnection) -> Result<i64, DbError> {
    let row: Option<Lag> = diesel::sql_query(
        "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
         ELSE COALESCE((EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000)::bigint, 0) \
         END AS ms WHERE pg_is_in_recovery()",
    )
    .get_result(c)
    .optional()?;
    row.map(|r| r.ms.max(0))
        .ok_or_else(|| DbError::Other("DATABASE_REPLICA_URL is not in recovery".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_over_the_limit_is_lagging_and_no_answer_is_down() {
        assert_eq!(judge(Some(0), 1000), ReplicaState::Ok);
        assert_eq!(judge(Some(1000), 1000), ReplicaState::Ok);
        assert_eq!(judge(Some(1001), 1000), ReplicaState::Lagging);
        assert_eq!(judge(None, 1000), ReplicaState::Down);
    }

    #[test]
    fn a_version_below_the_floor_is_not_admitted() {
        let f = VersionFloor::default();
        assert!(f.admits("product:P1", 3));
        f.raise("product:P1", 5);
        f.raise("product:P1", 4);
        assert!(!f.admits("product:P1", 4));
        assert!(f.admits("product:P1", 5));
        assert!(f.admits("product:P2", 1));
    }
}
