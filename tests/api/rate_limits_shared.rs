//! Request limits shared through Redis (`RATE_LIMIT_REDIS_URL`): two instances on one Redis
//! limit a caller as one; with Redis unreachable each instance limits on its own and says so
//! in `/metrics`; when Redis answers again the limits are shared again. Tests that need a real
//! Redis run where `TEST_REDIS_URL` names one (CI sets it); each uses a key prefix of its own.
use crate::helpers::*;
use futures_util::future::join_all;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn redis_url() -> Option<String> {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Two instances of the service on one database and one Redis (or a URL that does not answer),
/// `per_minute` requests a minute for every caller.
async fn two_instances(url: &str, per_minute: &str) -> (TestApp, TestApp) {
    let prefix = format!("aftersale-test:{}", uuid::Uuid::now_v7());
    let settings = [
        ("RATE_LIMIT_REDIS_URL", url),
        ("RATE_LIMIT_REDIS_PREFIX", prefix.as_str()),
        ("RATE_LIMIT_PER_MINUTE", per_minute),
    ];
    let a = TestApp::spawn_with(&settings).await;
    let b = a.respawn_with(&settings).await;
    // Skip the background probe's first round: the tests decide when the mode is looked at.
    probe(&a).await;
    probe(&b).await;
    (a, b)
}

async fn probe(app: &TestApp) -> bool {
    let shared = app
        .state
        .limits
        .shared
        .as_ref()
        .expect("RATE_LIMIT_REDIS_URL is set");
    shared.probe().await
}

async fn gauge(app: &TestApp) -> i64 {
    let m = app.get("/metrics", None).await;
    assert_eq!(m.status, 200);
    let text = String::from_utf8(m.bytes).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("aftersale_rate_limit_shared "))
        .expect("the gauge is exported")
        .trim()
        .parse()
        .unwrap()
}

/// `n` requests of one caller to `/api/v1/me`, alternating between the instances, all at
/// once: how many each instance let through.
async fn spread(a: &TestApp, b: &TestApp, token: &str, n: usize) -> (usize, usize) {
    let sends = (0..n).map(|i| {
        let app = if i % 2 == 0 { a } else { b };
        async move { (i % 2, app.get("/api/v1/me", Some(token)).await) }
    });
    let mut passed = (0, 0);
    for (which, r) in join_all(sends).await {
        match r.status.as_u16() {
            200 if which == 0 => passed.0 += 1,
            200 => passed.1 += 1,
            _ => r.assert_problem(429, "rate_limited"),
        }
    }
    passed
}

#[actix_web::test]
async fn two_instances_on_one_redis_limit_a_caller_as_one() {
    let Some(url) = redis_url() else { return };
    let (a, b) = two_instances(&url, "6").await;
    assert_eq!((gauge(&a).await, gauge(&b).await), (1, 1));
    let buyer = a.buyer("one@example.kz").await;
    let (on_a, on_b) = spread(&a, &b, &buyer.token, 20).await;
    assert_eq!(on_a + on_b, 6, "the configured 6, not 12: {on_a} + {on_b}");
    // The 429 says how long to wait, as the in-process limiter does.
    let limited = b.get("/api/v1/me", Some(&buyer.token)).await;
    limited.assert_problem(429, "rate_limited");
    let wait: u64 = limited
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&wait), "{wait}");
    // Another caller has a bucket of its own.
    let other = b.buyer("other@example.kz").await;
    assert_eq!(a.get("/api/v1/me", Some(&other.token)).await.status, 200);
    // Probes and scrapers are never limited, even for a caller over its limit.
    for app in [&a, &b] {
        for path in ["/health", "/ready", "/metrics"] {
            for _ in 0..10 {
                assert_eq!(app.get(path, None).await.status, 200, "{path}");
            }
        }
    }
}

#[actix_web::test]
async fn an_unreachable_redis_means_each_instance_limits_on_its_own() {
    let url = format!("redis://127.0.0.1:{}", free_port());
    let (a, b) = two_instances(&url, "4").await;
    assert_eq!((gauge(&a).await, gauge(&b).await), (0, 0));
    let buyer = a.buyer("alone@example.kz").await;
    let (on_a, on_b) = spread(&a, &b, &buyer.token, 16).await;
    assert_eq!((on_a, on_b), (4, 4), "served, and limited per instance");
    assert_eq!(a.get("/health", None).await.status, 200);
}

/// A TCP relay to Redis that can be cut and restored, so a test can take Redis away from the
/// instances without taking it away from the other tests.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn to(redis: &str) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let target = redis
            .trim_start_matches("redis://")
            .trim_end_matches('/')
            .to_string();
        let (up2, open2) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let mut held = open2.lock().unwrap();
                held.push(client.try_clone().unwrap());
                held.push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Relay { port, up, open }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            for s in self.open.lock().unwrap().drain(..) {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }
}

#[actix_web::test]
async fn limits_are_shared_again_when_redis_comes_back_and_not_while_it_is_gone() {
    let Some(redis) = redis_url() else { return };
    let relay = Relay::to(&redis);
    // Redis is unreachable when the instances start: they start anyway.
    let (a, b) = two_instances(&relay.url(), "4").await;
    assert_eq!((gauge(&a).await, gauge(&b).await), (0, 0));
    let first = a.buyer("first@example.kz").await;
    assert_eq!(spread(&a, &b, &first.token, 12).await, (4, 4));

    relay.set_up(true);
    assert!(probe(&a).await && probe(&b).await);
    assert_eq!((gauge(&a).await, gauge(&b).await), (1, 1));
    let second = a.buyer("second@example.kz").await;
    let (on_a, on_b) = spread(&a, &b, &second.token, 12).await;
    assert_eq!(on_a + on_b, 4, "shared again: {on_a} + {on_b}");

    // Redis goes away mid-flight: no request fails, the instance falls back at once.
    relay.set_up(false);
    let third = a.buyer("third@example.kz").await;
    let (on_a, on_b) = spread(&a, &b, &third.token, 12).await;
    assert_eq!((on_a, on_b), (4, 4), "each on its own again");
    assert_eq!((gauge(&a).await, gauge(&b).await), (0, 0));
}
