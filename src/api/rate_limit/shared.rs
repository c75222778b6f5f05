//! Request limits kept in Redis, so that N instances allow the configured rate and not N times
//! it. One Lua script takes the GCRA step (the same arithmetic as `governor`), atomically, with
//! Redis' own clock so instances' clocks cannot disagree about a caller.
//!
//! Redis is never on the critical path of availability: while it does not answer (at start or
//! later) the instance uses its own in-process limiter, logs the change once, and a background
//! probe brings it back. Each call to Redis is bounded by `CALL_TIMEOUT`.
use prometheus::IntGauge;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// What a request may wait for Redis before it is limited in process instead.
const CALL_TIMEOUT: Duration = Duration::from_millis(100);
/// A probe connects as well as asks, and keeps no request waiting.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);
/// How often a falling-back instance asks Redis again.
const PROBE_EVERY: Duration = Duration::from_secs(1);

/// KEYS[1]: the caller's key. ARGV: emission interval T and tolerance tau (µs, tau = T·(burst−1)
/// as in `governor`), and optionally "now" (µs; tests), else Redis' TIME. Returns 0 when
/// allowed, else the µs until one request is allowed. The key expires when its bucket is full
/// again, so idle callers cost nothing.
const GCRA: &str = r"
local t = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local earliest = tat - tau
if now < earliest then return earliest - now end
local nxt = tat + t
redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', math.ceil((nxt - now) / 1000) + 1000)
return 0
";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    General,
    Auth,
}

impl Scope {
    fn name(self) -> &'static str {
        match self {
            Scope::General => "general",
            Scope::Auth => "auth",
        }
    }
}

/// GCRA parameters of `per_minute` requests a minute in bursts of the same size, in µs.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    t: u64,
    tau: u64,
}

impl Rate {
    pub fn per_minute(n: u32) -> Option<Rate> {
        let n = u64::from(n);
        (n > 0).then(|| {
            let t = 60_000_000 / n;
            Rate {
                t,
                tau: t * (n - 1),
            }
        })
    }
}

const UNKNOWN: u8 = 0;
const SHARED: u8 = 1;
const FALLBACK: u8 = 2;

pub struct Shared {
    client: redis::Client,
    /// Made on first need (it spawns its driver on the runtime at hand); dropped after a
    /// failed probe, so a connection that hangs rather than breaks is replaced.
    manager: RwLock<Option<ConnectionManager>>,
    script: redis::Script,
    prefix: String,
    general: Option<Rate>,
    auth: Option<Rate>,
    mode: AtomicU8,
    watching: AtomicBool,
    gauge: IntGauge,
}

impl Shared {
    /// Checks the URL only: an instance starts whether Redis answers or not.
    pub fn new(
        url: &str,
        prefix: &str,
        general_per_minute: u32,
        auth_per_minute: u32,
        gauge: IntGauge,
    ) -> Result<Arc<Shared>, String> {
        let client = redis::Client::open(url).map_err(|e| format!("RATE_LIMIT_REDIS_URL: {e}"))?;
        gauge.set(0);
        Ok(Arc::new(Shared {
            client,
            manager: RwLock::new(None),
            script: redis::Script::new(GCRA),
            prefix: prefix.to_string(),
            general: Rate::per_minute(general_per_minute),
            auth: Rate::per_minute(auth_per_minute),
            mode: AtomicU8::new(UNKNOWN),
            watching: AtomicBool::new(false),
            gauge,
        }))
    }

    pub fn is_shared(&self) -> bool {
        self.mode.load(Ordering::Relaxed) == SHARED
    }

    /// The verdict from Redis, or `None` when the caller must use its own limiter.
    pub async fn check(self: &Arc<Self>, scope: Scope, key: &str) -> Option<Result<(), Duration>> {
        if !self.is_shared() {
            self.watch();
            return None;
        }
        let rate = match scope {
            Scope::General => self.general,
            Scope::Auth => self.auth,
        }?;
        let mut conn = self.connection();
        let key = format!("{}:{}:{key}", self.prefix, scope.name());
        let step = step(&self.script, &mut conn, &key, rate, None);
        match tokio::time::timeout(CALL_TIMEOUT, step).await {
            Ok(Ok(0)) => Some(Ok(())),
            Ok(Ok(wait)) => Some(Err(Duration::from_micros(wait))),
            Ok(Err(e)) => {
                self.fall_back(&e.to_string());
                None
            }
            Err(_) => {
                self.fall_back("no answer within 100 ms");
                None
            }
        }
    }

    /// Asks Redis whether it answers and switches mode accordingly. The background watcher
    /// calls it every second while falling back; tests call it to skip the wait.
    pub async fn probe(&self) -> bool {
        let mut conn = self.connection();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut conn);
        match tokio::time::timeout(PROBE_TIMEOUT, ping).await {
            Ok(Ok(_)) => {
                if self.mode.swap(SHARED, Ordering::Relaxed) != SHARED {
                    tracing::warn!(
                        "rate limits: Redis answers; limits are shared by all instances again"
                    );
                    self.gauge.set(1);
                }
                true
            }
            failed => {
                let reason = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => "no answer within 500 ms".into(),
                };
                *self.manager.write().expect("not poisoned") = None;
                self.fall_back(&reason);
                false
            }
        }
    }

    /// Starts the background probe once, on the runtime at hand (none: on a later request).
    pub fn watch(self: &Arc<Self>) {
        if self.watching.swap(true, Ordering::Relaxed) {
            return;
        }
        if tokio::runtime::Handle::try_current().is_err() {
            self.watching.store(false, Ordering::Relaxed);
            return;
        }
        let this = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(shared) = this.upgrade() {
                if !shared.is_shared() {
                    shared.probe().await;
                }
                drop(shared);
                tokio::time::sleep(PROBE_EVERY).await;
            }
        });
    }

    fn fall_back(&self, reason: &str) {
        if self.mode.swap(FALLBACK, Ordering::Relaxed) != FALLBACK {
            tracing::warn!(
                reason,
                "rate limits: Redis does not answer; each instance limits on its own until it does"
            );
            self.gauge.set(0);
        }
    }

    fn connection(&self) -> ConnectionManager {
        if let Some(conn) = self.manager.read().expect("not poisoned").as_ref() {
            return conn.clone();
        }
        let mut slot = self.manager.write().expect("not poisoned");
        slot.get_or_insert_with(|| {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(PROBE_TIMEOUT))
                .set_response_timeout(Some(CALL_TIMEOUT))
                // The probe is the retry loop; a request never waits for reconnection attempts.
                .set_number_of_retries(0);
            ConnectionManager::new_lazy_with_config(self.client.clone(), config)
                .expect("no push sender is configured, the only way this fails")
        })
        .clone()
    }
}

/// One GCRA step on `key`: 0 when allowed, else µs to wait.
async fn step(
    script: &redis::Script,
    conn: &mut ConnectionManager,
    key: &str,
    rate: Rate,
    now_us: Option<u64>,
) -> redis::RedisResult<u64> {
    let mut call = script.key(key);
    call.arg(rate.t).arg(rate.tau);
    if let Some(now) = now_us {
        call.arg(now);
    }
    call.invoke_async(conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs only where `TEST_REDIS_URL` names a Redis (CI sets it).
    fn redis_url() -> Option<String> {
        std::env::var("TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty())
    }

    fn key() -> String {
        format!("aftersale-test:{}:k", uuid::Uuid::now_v7())
    }

    #[actix_web::test]
    async fn the_script_takes_governors_step() {
        let Some(url) = redis_url() else { return };
        let client = redis::Client::open(url).unwrap();
        let mut conn = ConnectionManager::new(client).await.unwrap();
        let script = redis::Script::new(GCRA);
        let rate = Rate::per_minute(60).unwrap();
        let (a, b) = (key(), key());
        let t0 = 1_800_000_000_000_000u64;
        for i in 0..60 {
            assert_eq!(
                step(&script, &mut conn, &a, rate, Some(t0)).await.unwrap(),
                0,
                "{i}"
            );
        }
        assert_eq!(
            step(&script, &mut conn, &a, rate, Some(t0)).await.unwrap(),
            1_000_000,
            "the 61st waits one emission interval, as governor says"
        );
        assert_eq!(
            step(&script, &mut conn, &b, rate, Some(t0)).await.unwrap(),
            0,
            "another caller has its own bucket"
        );
        let t1 = t0 + 1_000_000;
        assert_eq!(
            step(&script, &mut conn, &a, rate, Some(t1)).await.unwrap(),
            0
        );
        assert!(step(&script, &mut conn, &a, rate, Some(t1)).await.unwrap() > 0);
        // Half a second later: half a second to wait.
        assert_eq!(
            step(&script, &mut conn, &a, rate, Some(t1 + 500_000))
                .await
                .unwrap(),
            500_000
        );
        // The key lives until the bucket is full again (plus a second), no longer.
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&a)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!((59_000..=62_000).contains(&ttl), "{ttl}");
        // With Redis' own clock (no "now" given) a fresh key is allowed.
        let c = key();
        assert_eq!(step(&script, &mut conn, &c, rate, None).await.unwrap(), 0);
    }

    #[test]
    fn rates_match_governors_quota() {
        let r = Rate::per_minute(600).unwrap();
        assert_eq!((r.t, r.tau), (100_000, 100_000 * 599));
        assert!(Rate::per_minute(0).is_none());
    }

    #[actix_web::test]
    async fn an_unreachable_redis_means_fallback_and_gauge_0() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let gauge = IntGauge::new("g", "g").unwrap();
        let shared = Shared::new(
            &format!("redis://127.0.0.1:{port}"),
            "p",
            60,
            60,
            gauge.clone(),
        )
        .unwrap();
        assert_eq!(shared.check(Scope::General, "a").await, None);
        assert!(!shared.probe().await);
        assert_eq!(gauge.get(), 0);
        assert_eq!(shared.check(Scope::General, "a").await, None);
        assert!(Shared::new("not a url", "p", 1, 1, gauge).is_err());
    }
}
