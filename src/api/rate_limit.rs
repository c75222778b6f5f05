//! Per-caller request limits (429 with `Retry-After`). GCRA buckets (`governor`) keyed by the
//! token's subject, or by the peer address for anonymous callers; `/auth` has a stricter bucket
//! of its own so passwords cannot be guessed at the general rate. In memory, per process,
//! unless `RATE_LIMIT_REDIS_URL` is set: then kept in Redis and shared by every instance
//! (`shared`), with this process' limiter as the fallback while Redis does not answer.
//! `/health`, `/ready` and `/metrics` are never limited: probes and scrapers must get through.
pub mod shared;

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Every this many checks, a limiter holding more than `PRUNE_ABOVE` callers forgets those
/// whose bucket is full again (they would be allowed a whole burst anyway).
const PRUNE_EVERY: u64 = 4096;
const PRUNE_ABOVE: usize = 100_000;

type Keyed<C> = governor::RateLimiter<
    String,
    DashMapStateStore<String>,
    C,
    NoOpMiddleware<<C as Clock>::Instant>,
>;

pub struct RateLimiter<C: Clock = DefaultClock> {
    keyed: Option<Keyed<C>>,
    checks: AtomicU64,
}

impl RateLimiter {
    /// `per_minute` requests per minute with bursts of the same size; 0 turns it off.
    pub fn new(per_minute: u32) -> Self {
        Self::with_clock(per_minute, DefaultClock::default())
    }
}

impl<C: Clock> RateLimiter<C> {
    pub fn with_clock(per_minute: u32, clock: C) -> Self {
        let keyed = NonZeroU32::new(per_minute)
            .map(|n| governor::RateLimiter::dashmap_with_clock(Quota::per_minute(n), clock));
        RateLimiter {
            keyed,
            checks: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.keyed.is_some()
    }

    /// Ok, or how long until one request is allowed again.
    pub fn check(&self, key: String) -> Result<(), Duration> {
        let Some(keyed) = &self.keyed else {
            return Ok(());
        };
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY)
            && keyed.len() > PRUNE_ABOVE
        {
            keyed.retain_recent();
        }
        keyed
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(keyed.clock().now()))
    }
}

pub struct Limits {
    pub general: RateLimiter,
    pub auth: RateLimiter,
    /// Set with `RATE_LIMIT_REDIS_URL`.
    pub shared: Option<std::sync::Arc<shared::Shared>>,
}

impl Limits {
    /// `gauge` reports which mode is on (`aftersale_rate_limit_shared`).
    pub fn new(
        settings: &crate::config::Settings,
        gauge: prometheus::IntGauge,
    ) -> Result<Self, String> {
        let (general, auth) = (
            settings.rate_limit_per_minute,
            settings.auth_rate_limit_per_minute,
        );
        let shared = match &settings.rate_limit_redis_url {
            Some(url) => {
                let shared = shared::Shared::new(
                    url.expose(),
                    &settings.rate_limit_redis_prefix,
                    general,
                    auth,
                    gauge,
                )?;
                // Probing starts now where a runtime runs (serve, tests), else on a request.
                shared.watch();
                Some(shared)
            }
            None => None,
        };
        Ok(Limits {
            general: RateLimiter::new(general),
            auth: RateLimiter::new(auth),
            shared,
        })
    }

    /// Ok, or how long until one request is allowed again. `key` is computed only when the
    /// limit is on.
    pub async fn check(
        &self,
        scope: shared::Scope,
        key: impl FnOnce() -> String,
    ) -> Result<(), Duration> {
        let local = match scope {
            shared::Scope::General => &self.general,
            shared::Scope::Auth => &self.auth,
        };
        // Off means no work at all: no token check, no key.
        if !local.enabled() {
            return Ok(());
        }
        let key = key();
        if let Some(shared) = &self.shared {
            if let Some(verdict) = shared.check(scope, &key).await {
                return verdict;
            }
        }
        local.check(key)
    }
}

/// Liveness, readiness and scraping paths.
fn is_operations(path: &str) -> bool {
    matches!(path, "/health" | "/ready" | "/metrics")
}

fn caller_key(req: &ServiceRequest, state: &AppState) -> String {
    let subject = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| state.jwt.verify(t.trim(), state.clock.now()).ok())
        .map(|c| c.sub);
    match subject {
        Some(sub) => format!("user:{sub}"),
        None => format!(
            "peer:{}",
            super::client_address::of(req.request(), &state.settings.trusted_proxies)
        ),
    }
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    if let Some(state) = state.filter(|_| !is_operations(req.path())) {
        let scope = if super::routed_path(req.request()).starts_with("/api/v1/auth/") {
            shared::Scope::Auth
        } else {
            shared::Scope::General
        };
        let verdict = state.limits.check(scope, || caller_key(&req, &state)).await;
        if let Err(wait) = verdict {
            // A response carrying the error, so the error renderer localises it.
            let res =
                actix_web::HttpResponse::from_error(ApiError::RateLimited(wait.as_secs().max(1)));
            return Ok(req.into_response(res).map_into_boxed_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn buckets_refill_over_time_and_are_per_key() {
        let clock = FakeRelativeClock::default();
        let l = RateLimiter::with_clock(60, clock.clone());
        for _ in 0..60 {
            assert!(l.check("a".into()).is_ok());
        }
        let wait = l.check("a".into()).unwrap_err();
        assert!(wait <= Duration::from_secs(1));
        assert!(
            l.check("b".into()).is_ok(),
            "another caller has its own bucket"
        );
        clock.advance(Duration::from_secs(1));
        assert!(l.check("a".into()).is_ok(), "one token per second");
        assert!(l.check("a".into()).is_err());
        assert!(
            RateLimiter::new(0).check("a".into()).is_ok(),
            "0 turns it off"
        );
    }
}
