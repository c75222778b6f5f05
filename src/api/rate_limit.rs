//! Per-caller request limits (429 with `Retry-After`). Token buckets keyed by the
//! token's subject, or by the peer address for anonymous callers; `/auth` has a stricter bucket
//! of its own so passwords cannot be guessed at the general rate. In memory, per process.
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::web;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries beyond this many make the next check drop buckets that are full again.
const PRUNE_ABOVE: usize = 100_000;

pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_minute` requests per minute with bursts of the same size; 0 turns it off.
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.per_minute > 0
    }

    /// Ok, or how long until one request is allowed again.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_sec < capacity
            });
        }
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_sec).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / per_sec))
        }
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
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_else(|| "unknown".into())
        ),
    }
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        let limits = &state.limits;
        let limiter = if req.path().starts_with("/api/v1/auth/") {
            &limits.auth
        } else {
            &limits.general
        };
        // Off means no work at all: no token check, no key.
        if limiter.enabled() {
            let key = caller_key(&req, state);
            if let Err(wait) = limiter.check(&key, Instant::now()) {
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

    #[test]
    fn buckets_refill_over_time_and_are_per_key() {
        let l = RateLimiter::new(60);
        let t0 = Instant::now();
        for _ in 0..60 {
            assert!(l.check("a", t0).is_ok());
        }
        let wait = l.check("a", t0).unwrap_err();
        assert!(wait <= Duration::from_secs(1));
        assert!(
            l.check("b", t0).is_ok(),
            "another caller has its own bucket"
        );
        assert!(
            l.check("a", t0 + Duration::from_secs(1)).is_ok(),
            "one token per second"
        );
        assert!(l.check("a", t0 + Duration::from_secs(1)).is_err());
        assert!(RateLimiter::new(0).check("a", t0).is_ok(), "0 turns it off");
    }
}
