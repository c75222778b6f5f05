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
        let held = crate::api::idempotency::HELD
            .try_with(|h| h.clone())
            .ok()
            .flatten();
        match held {
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
}
