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
}

impl AppState {
    /// Runs blocking database work off the async workers, with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    {
        let db = self.db.clone();
        // The request's Idempotency-Key claim, if any, follows its writes to the blocking thread.
        let claim = crate::api::idempotency::CLAIM
            .try_with(|c| c.clone())
            .ok()
            .flatten();
        actix_web::web::block(move || crate::db::idempotency::with_claim(claim, || db.run(f)))
            .await?
            .map_err(ApiError::from)
    }
}
