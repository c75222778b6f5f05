//! Per-caller request limits (429 with `Retry-After`). GCRA buckets (`governor`) keyed by the
//! token's subject, or by the peer address for anonymous callers; `/auth` has a stricter bucket
//! of its own so passwords cannot be guessed at the general rate. In memory, per process.
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
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        let limits = &state.limits;
        let limiter = if super::routed_path(req.request()).starts_with("/api/v1/auth/") {
            &limits.auth
        } else {
            &limits.general
        };
        // Off means no work at all: no token check, no key.
        if limiter.enabled() {
            let key = caller_key(&req, state);
            if let Err(wait) = limiter.check(key) {
                // A response carrying the error, so the error renderer localises it.
                let res = actix_web::HttpResponse::from_error(ApiError::RateLimited(
                    wait.as_secs().max(1),
                ));
                return Ok(req.into_response(res).map_into_boxed_body());
            }
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
