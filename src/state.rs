//! What every handler shares.
use crate::auth::jwt::JwtKeys;
use crate::clock::Clock;
use crate::config::Settings;
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
}

impl AppState {
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
        actix_web::web::block(move || match held {
            Some(held) => held.run(&db, f),
            None => db.run(f),
        })
        .await?
        .map_err(ApiError::from)
    }
}
