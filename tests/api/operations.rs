use crate::helpers::*;
use aftersale::clock::FixedClock;
use aftersale::config::Settings;
use aftersale::startup;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// State on an arbitrary database URL, with a short pool checkout timeout.
fn state_on(
    url: &str,
    pool_size: &str,
    timeout_ms: &str,
    dir: &std::path::Path,
) -> aftersale::state::AppState {
    let vars: HashMap<String, String> = [
        ("DATABASE_URL", url),
        ("DATABASE_POOL_SIZE", pool_size),
        ("DATABASE_TIMEOUT_MS", timeout_ms),
        ("ATTACHMENTS_DIR", dir.to_str().unwrap()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    startup::build_state(
        Settings::from_map(&vars).unwrap(),
        Arc::new(FixedClock::new(t0())),
    )
    .unwrap()
}

#[actix_web::test]
async fn health_ready_metrics() {
    let app = TestApp::spawn().await;
    let h = app.get("/health", None).await;
    assert_eq!(h.status, 200);
    assert_eq!(h.body["status"], "ok");
    assert_eq!(app.get("/ready", None).await.status, 200);
    app.get("/api/v1/orders/some-id", None).await;
    let m = app.get("/metrics", None).await;
    assert_eq!(m.status, 200);
    let text = String::from_utf8(m.bytes).unwrap();
    assert!(
        text.contains("http_requests_total{method=\"GET\",route=\"/ready\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("route=\"/api/v1/orders/{id}\",status=\"401\""),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("db_pool_connections{state=\"idle\"}"));
}

#[actix_web::test]
async fn docs_and_spec_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let spec = app.get("/openapi.json", None).await;
    assert_eq!(spec.status, 200);
    assert!(spec.body["paths"]["/api/v1/orders/{id}"].is_object());
    let redirect = app.get("/docs", None).await;
    assert!(redirect.status.is_redirection());
    let ui = app.get("/docs/", None).await;
    assert_eq!(ui.status, 200);
    assert!(
        String::from_utf8_lossy(&ui.bytes).contains("swagger"),
        "Swagger UI page"
    );
    // Only our own scripts, and no framing (clickjacking of "Try it out" with a token in it).
    let csp = ui.headers.get("content-security-policy").unwrap();
    let csp = csp.to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-eval"));
    assert_eq!(ui.headers.get("x-frame-options").unwrap(), "DENY");
}

#[actix_web::test]
async fn every_answer_says_nosniff_errors_included() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    for (path, token, status) in [
        ("/health", None, 200),
        ("/api/v1/me", Some(buyer.token.as_str()), 200),
        ("/api/v1/me", None, 401),
        ("/api/v1/no-such-route", None, 404),
        ("/openapi.json", None, 200),
    ] {
        let r = app.get(path, token).await;
        assert_eq!(r.status, status, "{path}");
        assert_eq!(
            r.headers.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(r.headers.get("referrer-policy").unwrap(), "no-referrer");
        // The API's own answers are not framed documents: no docs policy on them.
        if path != "/openapi.json" {
            assert!(r.headers.get("x-frame-options").is_none(), "{path}");
        }
    }
}

#[actix_web::test]
async fn metrics_can_require_a_token() {
    let app = TestApp::spawn_with(&[("METRICS_TOKEN", "scrape-me-0123456789")]).await;
    app.get("/metrics", None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get("/metrics", Some("scrape-me-012345678"))
        .await
        .assert_problem(401, "unauthenticated");
    let buyer = app.buyer("b@example.kz").await;
    app.get("/metrics", Some(&buyer.token))
        .await
        .assert_problem(401, "unauthenticated");
    let m = app.get("/metrics", Some("scrape-me-0123456789")).await;
    assert_eq!(m.status, 200);
    assert!(String::from_utf8_lossy(&m.bytes).contains("http_requests_total"));
    // Probes stay open.
    assert_eq!(app.get("/health", None).await.status, 200);
    assert_eq!(app.get("/ready", None).await.status, 200);
}

/// A TCP forwarder to PostgreSQL that can be cut and restored, standing in for the database
/// going away and coming back.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let conns: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (up2, conns2) = (up.clone(), conns.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                conns2
                    .lock()
                    .unwrap()
                    .extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Proxy { port, up, conns }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

/// Runs on both passes: the pool's outage behaviour does not depend on the backend the rest
/// of the suite uses, and only a server can go away.
#[actix_web::test]
async fn database_outage_is_503_and_the_service_recovers_without_restart() {
    let base = pg_url_for_parity();
    let (url, schema) = fresh_pg_schema(&base);
    let authority = url
        .split('@')
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let proxy = Proxy::start(authority.clone());
    let proxied = url.replacen(&authority, &format!("127.0.0.1:{}", proxy.port), 1);

    let dir = tempfile::tempdir().unwrap();
    // A long pool timeout: during the outage nothing may wait it out.
    let state = state_on(&proxied, "2", "20000", dir.path());
    state.db.migrate().unwrap();
    let app = actix_web::test::init_service(startup::app(state)).await;
    let get = |path: &'static str| actix_web::test::TestRequest::get().uri(path).to_request();

    assert_eq!(
        actix_web::test::call_service(&app, get("/ready"))
            .await
            .status(),
        200
    );

    proxy.cut();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let res = actix_web::test::call_service(&app, get("/ready")).await;
        assert_eq!(res.status(), 503);
        // The pool knows the database is down: far sooner than the 20 s pool timeout.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        let body: serde_json::Value = actix_web::test::read_body_json(res).await;
        assert_eq!(body["code"], "database_unavailable");
    }
    // A login needs the database too: 503, not 500 and not 401.
    let login = actix_web::test::TestRequest::post()
        .uri("/api/v1/auth/login")
        .set_json(serde_json::json!({"email": "a@example.kz", "password": "whatever-pass"}))
        .to_request();
    let started = std::time::Instant::now();
    let res = actix_web::test::call_service(&app, login).await;
    assert_eq!(res.status(), 503);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(res.headers().get("retry-after").unwrap(), "5");

    proxy.restore();
    let mut recovered = false;
    for _ in 0..10 {
        if actix_web::test::call_service(&app, get("/ready"))
            .await
            .status()
            == 200
        {
            recovered = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(recovered, "the pool reconnects by itself");
    drop_pg_schema(&base, &schema);
}

#[actix_web::test]
async fn an_unreachable_database_is_503_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_on(
        "postgres://postgres@127.0.0.1:1/nowhere",
        "2",
        "20000",
        dir.path(),
    );
    let app = actix_web::test::init_service(startup::app(state)).await;
    let started = std::time::Instant::now();
    let res = actix_web::test::call_service(
        &app,
        actix_web::test::TestRequest::get()
            .uri("/ready")
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 503);
    // Not the 20 s pool timeout: the first refused connection tells the pool.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let res = actix_web::test::call_service(
        &app,
        actix_web::test::TestRequest::get()
            .uri("/health")
            .to_request(),
    )
    .await;
    assert_eq!(
        res.status(),
        200,
        "liveness does not depend on the database"
    );
}

/// Database work queues for one of as many threads as the pool has connections
/// (`db::threads`). Work still waiting when the pool timeout has passed answers 503, as a
/// checkout that waited that long would, and never runs late.
#[actix_web::test]
async fn work_queued_past_the_pool_timeout_is_503_and_does_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("queue.db").display());
    let state = state_on(&url, "1", "150", dir.path());
    state.db.migrate().unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let (busy, late) = {
        let ran = ran.clone();
        futures_util::future::join(
            state.db(|_| {
                std::thread::sleep(Duration::from_millis(600));
                Ok(1)
            }),
            async {
                // Queued behind the busy work on the only thread.
                actix_web::rt::time::sleep(Duration::from_millis(50)).await;
                state
                    .db(move |_| {
                        ran.store(true, Ordering::SeqCst);
                        Ok(2)
                    })
                    .await
            },
        )
        .await
    };
    assert_eq!(busy.unwrap(), 1);
    let err = late.expect_err("waited past the pool timeout");
    assert_eq!(err.code(), aftersale::error::ErrorCode::DatabaseUnavailable);
    assert!(!ran.load(Ordering::SeqCst), "the late work never ran");
    // The queue is empty again: the next piece runs.
    assert_eq!(state.db(|_| Ok(3)).await.unwrap(), 3);
}

/// Three instances started at once against one new database: one migrates, the others wait for
/// it and find nothing left to do. Runs on both passes (only PostgreSQL has several processes).
#[test]
fn instances_started_together_migrate_once() {
    let base = pg_url_for_parity();
    let (url, schema) = fresh_pg_schema(&base);
    let start = std::sync::Arc::new(std::sync::Barrier::new(3));
    let instances: Vec<_> = (0..3)
        .map(|_| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                let db = aftersale::db::Db::connect(&url, 1, Duration::from_secs(30)).unwrap();
                start.wait();
                db.migrate()
            })
        })
        .collect();
    let mut applied: Vec<String> = Vec::new();
    for instance in instances {
        applied.extend(instance.join().unwrap().expect("every instance starts"));
    }
    let mut once = applied.clone();
    once.sort();
    once.dedup();
    assert_eq!(once.len(), applied.len(), "applied twice: {applied:?}");
    assert!(applied.len() >= 18, "{applied:?}");
    drop_pg_schema(&base, &schema);
}
