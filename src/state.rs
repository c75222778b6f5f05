//! What every handler shares.
use crate::auth::jwt::JwtKeys;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::threads::DbThreads;
use crate::db::{Db, DbConnection, DbError};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::policy::Policy;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub policy: Arc<Policy>,
    pub clock: Arc<dyn Clock>,
    pub jwt: Arc<JwtKeys>,
    pub metrics: Arc<Metrics>,
    pub limits: Arc<crate::api::rate_limit::Limits>,
    /// Seals and opens webhook secrets (`sealing`).
    pub sealer: Arc<crate::sealing::Sealer>,
    /// Where requests' database work runs (`db::threads`).
    pub db_threads: Arc<DbThreads>,
    /// Where password hashes are computed (`auth::hashing`).
    pub hashing: Arc<crate::auth::hashing::Hashing>,
    /// What the database said lately about tokens' subjects (`auth::trust`).
    pub trust: Arc<crate::auth::trust::Trust>,
    /// The buyer references' key, read from the database once (`db::privacy_keys`).
    pub buyer_refs: Arc<std::sync::OnceLock<crate::domain::privacy::BuyerRefs>>,
    /// The optional read replica (`db::replica`); `None` without `DATABASE_REPLICA_URL`.
    pub replica: Option<Arc<crate::db::replica::Replica>>,
    /// Where evidence bytes live (`storage`): the local folder or an S3-compatible store.
    pub attachments: crate::storage::Store,
}

impl AppState {
    /// The key sellers' buyer references are made with: read (or made) on first need.
    pub async fn buyer_refs(&self) -> Result<crate::domain::privacy::BuyerRefs, ApiError> {
        if let Some(refs) = self.buyer_refs.get() {
            return Ok(refs.clone());
        }
        let refs = self.db(crate::db::privacy_keys::buyer_refs).await?;
        // Every instance reads the one stored key, so a lost race stores the same value.
        Ok(self.buyer_refs.get_or_init(|| refs).clone())
    }

    /// Runs blocking database work off the async workers, with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    {
        let db = self.db.clone();
        // A request holding an Idempotency-Key claim runs all its queries on its own
        // connection, whose writes commit with the stored response (see db::idempotency).
        match crate::db::idempotency::request_claim() {
            // On the general blocking pool: it holds its connection across awaits, so it
            // must not wait behind work that waits for a connection (`db::threads`).
            Some(held) => actix_web::web::block(move || held.run(&db, f)).await?,
            None => {
                let queued = std::time::Instant::now();
                self.db_threads
                    .run(move || db.run_queued(queued, f))
                    .await
                    .map_err(|e| ApiError::internal(format!("database work: {e}")))?
            }
        }
        .map_err(ApiError::from)
    }

    /// `db` for a read that may be a little stale (public lists, summaries, stats): on the
    /// replica while its last check found it within the lag limit, else on the primary. A
    /// replica that fails the read (no connection within 100 ms, a broken one) is marked down
    /// and the read is answered by the primary: it never fails because of the replica.
    pub async fn read_replica<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&mut DbConnection) -> Result<T, DbError> + Send + Sync + 'static,
    {
        self.read_replica_versioned(None, i64::MIN, f, |_| 0).await
    }

    /// `read_replica` for a read that carries a version (a list's `ETag`): a replica answer
    /// older than what this instance already served under `key` is read again on the primary,
    /// so a tag never goes backwards here (`db::replica::VersionFloor`); nor older than `seen`,
    /// the version of a tag the caller already holds (from any instance: `If-None-Match`).
    /// `seen` counts for this read only: a client cannot raise the instance's floor.
    pub async fn read_replica_versioned<T, F>(
        &self,
        key: Option<String>,
        seen: i64,
        f: F,
        version: fn(&T) -> i64,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&mut DbConnection) -> Result<T, DbError> + Send + Sync + 'static,
    {
        let raise = |value: &T| {
            if let (Some(r), Some(key)) = (&self.replica, &key) {
                r.floors.raise(key, version(value));
            }
        };
        let replica = self
            .replica
            .clone()
            .filter(|r| r.state() == crate::db::replica::ReplicaState::Ok);
        let Some(replica) = replica else {
            self.metrics.db_read("primary");
            let value = self.db(f).await?;
            raise(&value);
            return Ok(value);
        };
        let f = Arc::new(f);
        let on_replica = f.clone();
        let r = replica.clone();
        let answered = self
            .db_threads
            .run(move || {
                r.db.run_within(crate::db::replica::CONNECT_BUDGET, |c| on_replica(c))
            })
            .await
            .map_err(|e| ApiError::internal(format!("database work: {e}")))?;
        let behind = |value: &T| {
            version(value) < seen
                || key
                    .as_ref()
                    .is_some_and(|k| !replica.floors.admits(k, version(value)))
        };
        match answered {
            Ok(value) if !behind(&value) => {
                self.metrics.db_read("replica");
                raise(&value);
                Ok(value)
            }
            Ok(_) => {
                self.metrics.db_read("primary");
                let value = self.db(move |c| f(c)).await?;
                raise(&value);
                Ok(value)
            }
            // Any failure is answered by the primary: a row the replica has not replayed yet
            // (not found), a query cancelled by a recovery conflict, a lost connection.
            Err(e) => {
                if matches!(e, DbError::Unavailable(_)) {
                    tracing::warn!(error = %e, "read replica unavailable; reading from the primary");
                    replica.mark_down();
                }
                self.metrics.db_read("primary");
                let value = self.db(move |c| f(c)).await?;
                raise(&value);
                Ok(value)
            }
        }
    }
}
