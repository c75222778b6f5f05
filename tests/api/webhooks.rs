//! Sellers' webhooks end to end: a real HTTP receiver in the test process, the dispatcher run
//! pass by pass (`Dispatcher::run_once`) on the test's clock.
use crate::helpers::*;
use actix_web::http::Method;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use aftersale::db::webhooks::outbox;
use aftersale::db::{write_tx, DbError};
use aftersale::domain::webhooks::{signing, EventType};
use aftersale::jobs::dispatcher::Dispatcher;
use chrono::TimeDelta;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    id: String,
    timestamp: i64,
    signature: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Inbox {
    got: Vec<Received>,
    /// Statuses to answer with, in order; 204 once they run out.
    script: VecDeque<u16>,
}

/// A local HTTP server that records what it gets and answers as scripted.
struct Receiver {
    inbox: Arc<Mutex<Inbox>>,
    base: String,
}

impl Receiver {
    fn start() -> Receiver {
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let shared = inbox.clone();
        let server = HttpServer::new(move || {
            let inbox = shared.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let inbox = inbox.clone();
                async move {
                    let h = |n: &str| {
                        req.headers()
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    let mut inbox = inbox.lock().unwrap();
                    inbox.got.push(Received {
                        path: req.path().to_string(),
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp").parse().unwrap_or(0),
                        signature: h("webhook-signature"),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let status = inbox.script.pop_front().unwrap_or(204);
                    let mut res =
                        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
                    if status == 503 {
                        res.insert_header(("Retry-After", "120"));
                    }
                    res.body(format!("answered {status}"))
                }
            }))
        })
        .workers(2)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Receiver {
            inbox,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn script(&self, statuses: &[u16]) {
        self.inbox.lock().unwrap().script.extend(statuses);
    }

    /// What arrived; every body is checked against the spec's `WebhookEvent` and its type's
    /// payload schema, so the catalogue in the spec cannot drift from what is sent.
    fn got(&self) -> Vec<Received> {
        let got = self.inbox.lock().unwrap().got.clone();
        for m in &got {
            let body = m.json();
            let schema = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
            let errors =
                crate::conformance::schema_errors("webhook-event", &schema("WebhookEvent"), &body);
            assert!(errors.is_empty(), "{}: {errors:?}", m.body);
            let ty = body["type"].as_str().unwrap();
            let family = match ty {
                "review.flag_decided" => "FlagDecidedEventData",
                t if t.starts_with("review.") => "ReviewEventData",
                t if t.starts_with("complaint.") => "ComplaintEventData",
                t if t.starts_with("return.") => "ReturnEventData",
                "order.message_received" => "OrderMessageEventData",
                "order.delivery_failed" => "DeliveryFailedEventData",
                "shop.rating_critical" => "RatingCriticalEventData",
                "ping" => "PingEventData",
                other => panic!("{other} is not in the catalogue"),
            };
            let errors = crate::conformance::schema_errors(family, &schema(family), &body["data"]);
            assert!(errors.is_empty(), "{ty}: {errors:?} in {}", m.body);
        }
        got
    }
}

async fn app() -> TestApp {
    TestApp::spawn_with(&[("WEBHOOKS_ALLOW_PRIVATE", "true")]).await
}

/// Registers an endpoint; returns (id, secret).
async fn register(app: &TestApp, token: &str, url: &str, events: Value) -> (String, String) {
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(token),
            json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.body.get("secret").is_some());
    (
        r.body["id"].as_str().unwrap().to_string(),
        r.body["secret"].as_str().unwrap().to_string(),
    )
}

fn verifies(secret: &str, r: &Received) -> bool {
    let key = signing::key_of(secret).unwrap();
    signing::verifies(&key, &r.id, r.timestamp, &r.body, &r.signature)
}

async fn dispatch(app: &TestApp) -> aftersale::jobs::dispatcher::DispatchReport {
    Dispatcher::new(&app.state)
        .unwrap()
        .run_once()
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_complaint_reaches_the_shop_signed_and_without_the_buyer() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    let (_, secret) = register(
        &app,
        &cast.seller.token,
        &format!("{}/hook", rx.base),
        json!(["*"]),
    )
    .await;
    let (order, complaint) = app.seller_complaint(&cast, "W-1").await;
    let report = dispatch(&app).await;
    assert_eq!(report.delivered, 1, "{report:?}");
    let got = rx.got();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert!(m.id.starts_with("msg_"));
    assert!(
        verifies(&secret, m),
        "the signature verifies with the secret"
    );
    assert_eq!(m.timestamp, app.clock.now_utc().timestamp());
    let body = m.json();
    assert_eq!(body["type"], "complaint.filed");
    assert_eq!(body["data"]["complaint_id"], complaint.as_str());
    assert_eq!(body["data"]["order_id"], order.as_str());
    assert!(!m.body.contains(&cast.buyer.id), "the buyer is not named");
    // The number is taken last in the filing and written into the step's message and notices.
    let number = body["data"]["number"].as_str().unwrap();
    assert!(number.starts_with("C-2026-"), "{number}");
    let feed = app
        .get("/api/v1/notifications", Some(&cast.seller.token))
        .await;
    assert_eq!(feed.body["items"][0]["data"]["number"], number);
    // A second pass finds nothing: delivered once.
    assert_eq!(dispatch(&app).await.attempts, 0);
}

/// A review, a return, a buyer's message and a failed delivery each reach the shop with the
/// payload its schema documents (checked in `Receiver::got`).
#[actix_web::test]
async fn every_family_of_events_matches_its_documented_payload() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    let item = app.delivered_item(&cast, &cast.buyer, "W-F1", 2).await;
    let r = app
        .review(
            &cast.buyer.token,
            &item,
            5,
            "Отличный товар, всё как в описании",
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    app.changed_mind_return(&cast, "W-F2").await;
    let order = app
        .delivered_order(&cast.service, "W-F3", &cast.buyer, cast.shop(), 1)
        .await;
    let order_id = order["id"].as_str().unwrap();
    let m = app
        .post(
            &format!("/api/v1/orders/{order_id}/messages"),
            Some(&cast.buyer.token),
            json!({"body": "Когда будет доставка?"}),
        )
        .await;
    assert_eq!(m.status, 201, "{}", m.body);
    dispatch(&app).await;
    let types: Vec<String> = rx
        .got()
        .iter()
        .map(|m| m.json()["type"].as_str().unwrap().to_string())
        .collect();
    for t in [
        "review.published",
        "return.requested",
        "order.message_received",
    ] {
        assert!(types.contains(&t.to_string()), "{t} missing from {types:?}");
    }
}

#[actix_web::test]
async fn a_500_is_retried_with_the_same_id_and_the_log_shows_both_attempts() {
    let app = app().await;
    let rx = Receiver::start();
    rx.script(&[500]);
    let cast = app.cast().await;
    let (id, _) = register(
        &app,
        &cast.seller.token,
        &rx.base,
        json!(["complaint.filed"]),
    )
    .await;
    app.seller_complaint(&cast, "W-2").await;
    let first = dispatch(&app).await;
    assert_eq!((first.attempts, first.retrying), (1, 1));
    // Not due yet: the retry waits its 5 s (± jitter).
    assert_eq!(dispatch(&app).await.attempts, 0);
    app.clock.advance(TimeDelta::seconds(6));
    assert_eq!(dispatch(&app).await.delivered, 1);
    let got = rx.got();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, got[1].id, "the webhook-id survives the retry");
    let log = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries"),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let d = &log.body["items"][0];
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["attempt_count"], 2);
    assert_eq!(d["attempts"][0]["status_code"], 500);
    assert_eq!(d["attempts"][0]["response_snippet"], "answered 500");
    assert_eq!(d["attempts"][1]["status_code"], 204);
    let failed = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries?status=failed"),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(failed.body["items"].as_array().unwrap().len(), 0);
    // Redelivery: the same message again, same webhook-id.
    let d_id = d["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/webhooks/{id}/deliveries/{d_id}/redeliver"),
            Some(&cast.seller.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    dispatch(&app).await;
    let got = rx.got();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].id, got[0].id);
}

#[actix_web::test]
async fn retry_after_on_503_is_honoured() {
    let app = app().await;
    let rx = Receiver::start();
    rx.script(&[503]);
    let cast = app.cast().await;
    let (id, _) = register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    app.post(
        &format!("/api/v1/webhooks/{id}/test"),
        Some(&cast.seller.token),
        json!({}),
    )
    .await;
    dispatch(&app).await;
    // The schedule says 5 s; the receiver asked for 120.
    app.clock.advance(TimeDelta::seconds(60));
    assert_eq!(dispatch(&app).await.attempts, 0);
    app.clock.advance(TimeDelta::seconds(61));
    assert_eq!(dispatch(&app).await.delivered, 1);
}

#[actix_web::test]
async fn a_410_disables_the_endpoint_and_tells_the_seller() {
    let app = app().await;
    let rx = Receiver::start();
    rx.script(&[410]);
    let cast = app.cast().await;
    let (id, _) = register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    app.seller_complaint(&cast, "W-3").await;
    app.seller_complaint(&cast, "W-4").await;
    let report = dispatch(&app).await;
    assert_eq!(
        (report.attempts, report.endpoints_disabled),
        (1, 1),
        "{report:?}"
    );
    let w = app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&cast.seller.token))
        .await;
    assert_eq!(w.body["enabled"], false);
    assert_eq!(w.body["disabled_reason"], "gone");
    assert!(app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"webhook_disabled".to_string()));
    // Nothing more goes out until the seller turns it back on.
    app.clock.advance(TimeDelta::minutes(10));
    assert_eq!(dispatch(&app).await.attempts, 0);
    let on = app
        .call(
            Method::PATCH,
            &format!("/api/v1/webhooks/{id}"),
            Some(&cast.seller.token),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(on.body["disabled_reason"], Value::Null);
    assert_eq!(
        dispatch(&app).await.delivered,
        1,
        "the second complaint's message"
    );
}

#[actix_web::test]
async fn five_days_of_failures_disable_the_endpoint() {
    let app = app().await;
    let rx = Receiver::start();
    rx.script(&[500; 40]);
    let cast = app.cast().await;
    let (id, _) = register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    let mut disabled = 0;
    for day in 0..6 {
        app.post(
            &format!("/api/v1/webhooks/{id}/test"),
            Some(&cast.seller.token),
            json!({}),
        )
        .await;
        disabled += dispatch(&app).await.endpoints_disabled;
        if day < 5 {
            assert_eq!(disabled, 0, "day {day}");
        }
        app.clock.advance(TimeDelta::days(1));
    }
    assert_eq!(disabled, 1);
    let w = app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&cast.seller.token))
        .await;
    assert_eq!(w.body["disabled_reason"], "failing");
}

#[actix_web::test]
async fn a_rotated_secret_signs_beside_the_new_one_for_a_day() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    let (id, old) = register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    let r = app
        .post(
            &format!("/api/v1/webhooks/{id}/rotate-secret"),
            Some(&cast.seller.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let new = r.body["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    let ping = app
        .post(
            &format!("/api/v1/webhooks/{id}/test"),
            Some(&cast.seller.token),
            json!({}),
        )
        .await;
    assert_eq!(ping.status, 202, "{}", ping.body);
    dispatch(&app).await;
    let m = &rx.got()[0];
    assert_eq!(m.json()["type"], "ping");
    assert_eq!(m.signature.split(' ').count(), 2);
    assert!(verifies(&old, m) && verifies(&new, m));
    app.clock.advance(TimeDelta::hours(25));
    app.post(
        &format!("/api/v1/webhooks/{id}/test"),
        Some(&cast.seller.token),
        json!({}),
    )
    .await;
    dispatch(&app).await;
    let m = &rx.got()[1];
    assert_eq!(m.signature.split(' ').count(), 1);
    assert!(verifies(&new, m) && !verifies(&old, m));
}

#[actix_web::test]
async fn a_rolled_back_change_sends_nothing() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    let shop = cast.shop().to_string();
    let now = app.clock.now_utc();
    let result: Result<(), DbError> = app.state.db.run(|c| {
        write_tx(c, |c| {
            outbox::enqueue(c, &shop, EventType::ShopRatingCritical, json!({}), now)?;
            Err(DbError::Other("the change failed after its event".into()))
        })
    });
    assert!(result.is_err());
    assert_eq!(dispatch(&app).await.attempts, 0);
    assert!(rx.got().is_empty());
}

#[actix_web::test]
async fn one_endpoint_gets_its_messages_in_event_order() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    register(
        &app,
        &cast.seller.token,
        &rx.base,
        json!(["complaint.filed"]),
    )
    .await;
    let mut filed = Vec::new();
    for i in 0..4 {
        filed.push(app.seller_complaint(&cast, &format!("W-O{i}")).await.1);
        app.clock.advance(TimeDelta::seconds(1));
    }
    dispatch(&app).await;
    let got: Vec<String> = rx
        .got()
        .iter()
        .map(|m| {
            m.json()["data"]["complaint_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(got, filed);
}

#[actix_web::test]
async fn another_shop_sees_nothing_of_an_endpoint_or_its_events() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    let (id, _) = register(
        &app,
        &cast.seller.token,
        &format!("{}/a", rx.base),
        json!(["*"]),
    )
    .await;
    register(
        &app,
        &cast.other_seller.token,
        &format!("{}/b", rx.base),
        json!(["*"]),
    )
    .await;
    for path in [
        format!("/api/v1/webhooks/{id}"),
        format!("/api/v1/webhooks/{id}/deliveries"),
    ] {
        app.get(&path, Some(&cast.other_seller.token))
            .await
            .assert_problem(404, "not_found");
    }
    let list = app
        .get("/api/v1/webhooks", Some(&cast.other_seller.token))
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert!(list.body["items"][0].get("secret").is_none());
    app.get("/api/v1/webhooks", Some(&cast.buyer.token))
        .await
        .assert_problem(403, "forbidden");
    app.seller_complaint(&cast, "W-5").await;
    dispatch(&app).await;
    let paths: Vec<String> = rx.got().iter().map(|m| m.path.clone()).collect();
    assert_eq!(paths, vec!["/a".to_string()]);
    let gone = app
        .call(
            Method::DELETE,
            &format!("/api/v1/webhooks/{id}"),
            Some(&cast.other_seller.token),
            None,
        )
        .await;
    gone.assert_problem(404, "not_found");
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/api/v1/webhooks/{id}"),
            Some(&cast.seller.token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
}

#[actix_web::test]
async fn registration_refuses_internal_targets_unknown_types_and_an_eleventh_endpoint() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let token = cast.seller.token.as_str();
    for (url, code) in [
        ("http://hooks.example.kz/", "https_required"),
        ("https://127.0.0.1/hook", "private_target"),
        (
            "https://169.254.169.254/latest/meta-data/",
            "private_target",
        ),
        ("https://localhost/hook", "private_target"),
        ("https://[::1]/hook", "private_target"),
        ("https://u:p@93.184.216.34/", "credentials_not_allowed"),
        ("not a url", "url"),
    ] {
        let r = app
            .post(
                "/api/v1/webhooks",
                Some(token),
                json!({"url": url, "events": ["*"]}),
            )
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            r.field_errors(),
            vec![("url".to_string(), code.to_string())],
            "{url}"
        );
    }
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(token),
            json!({"url": "https://93.184.216.34/", "events": ["review.published", "review.eaten"]}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("events[1]".to_string(), "unknown_event".to_string())]
    );
    // An IP literal needs no resolution: ten fit, the eleventh does not.
    for _ in 0..10 {
        let r = app
            .post(
                "/api/v1/webhooks",
                Some(token),
                json!({"url": "https://93.184.216.34/", "events": ["*"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    app.post(
        "/api/v1/webhooks",
        Some(token),
        json!({"url": "https://93.184.216.34/", "events": ["*"]}),
    )
    .await
    .assert_problem(409, "webhook_limit_reached");
}

#[actix_web::test]
async fn without_the_switch_a_stored_loopback_url_is_refused_at_the_attempt() {
    // Registered while the switch was on, sent while it is off: the attempt re-checks.
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let rx = Receiver::start();
    let sealed = app.state.sealer.seal(&signing::new_secret());
    let shop = cast.shop().to_string();
    let url = format!("https://{}/", rx.base.trim_start_matches("http://"));
    let now = app.clock.now_utc();
    let endpoint = app
        .state
        .db
        .run(|c| {
            aftersale::db::webhooks::create(
                c,
                &aftersale::db::webhooks::NewEndpoint {
                    shop_id: &shop,
                    url: &url,
                    description: None,
                    events: &["*".to_string()],
                    sealed_secret: &sealed,
                },
                10,
                now,
            )
        })
        .unwrap();
    app.post(
        &format!("/api/v1/webhooks/{}/test", endpoint.id),
        Some(&cast.seller.token),
        json!({}),
    )
    .await;
    let report = dispatch(&app).await;
    assert_eq!((report.attempts, report.retrying), (1, 1));
    assert!(rx.got().is_empty(), "nothing reached the loopback receiver");
    let log = app
        .get(
            &format!("/api/v1/webhooks/{}/deliveries", endpoint.id),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(
        log.body["items"][0]["attempts"][0]["error"],
        "refused target: private_target"
    );
}

/// Three instances over one database and a backlog of 1,000 messages to ten endpoints: each
/// message arrives once, none is lost.
#[actix_web::test]
async fn three_dispatchers_deliver_a_backlog_once() {
    let app = app().await;
    let rx = Receiver::start();
    let mut shops = Vec::new();
    for i in 0..10 {
        let seller = app.seller(&format!("s{i}@example.kz")).await;
        register(
            &app,
            &seller.token,
            &format!("{}/s{i}", rx.base),
            json!(["*"]),
        )
        .await;
        shops.push(seller.shop_id.unwrap());
    }
    let now = app.clock.now_utc();
    app.state
        .db
        .run(|c| {
            write_tx(c, |c| {
                for n in 0..100 {
                    for shop in &shops {
                        let data =
                            json!({"shop_id": shop, "average_90d": 3.5, "threshold": 4.0, "n": n});
                        outbox::enqueue(c, shop, EventType::ShopRatingCritical, data, now)?;
                    }
                }
                Ok(())
            })
        })
        .unwrap();
    let url = app.state.settings.database_url.expose().to_string();
    let instances: Vec<Dispatcher> = (0..3)
        .map(|_| {
            let db =
                aftersale::db::Db::connect(&url, 3, std::time::Duration::from_secs(10)).unwrap();
            Dispatcher::with_db(&app.state, db)
        })
        .collect();
    for _ in 0..50 {
        let passes = futures_util::future::join_all(instances.iter().map(|d| d.run_once())).await;
        for p in passes {
            p.unwrap();
        }
        let (waiting, _) = app
            .state
            .db
            .run(|c| aftersale::db::webhooks::deliveries::pending(c, now))
            .unwrap();
        if waiting == 0 {
            break;
        }
    }
    let got = rx.got();
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for m in &got {
        *per_id.entry(m.id.clone()).or_default() += 1;
    }
    assert_eq!(per_id.len(), 1000, "every message arrived");
    assert!(per_id.values().all(|n| *n == 1), "none twice");
    // Within one endpoint the messages kept their order.
    let s0: Vec<i64> = got
        .iter()
        .filter(|m| m.path == "/s0")
        .map(|m| m.json()["data"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(s0, (0..100).collect::<Vec<_>>());
}

/// Four registrations at once for the last place, in eight shops: the shop's row is locked
/// while counting, so one gets it and three get `webhook_limit_reached` (without the lock,
/// PostgreSQL let several through the count).
#[actix_web::test]
async fn registrations_at_once_never_pass_the_limit() {
    let app = app().await;
    for round in 0..8 {
        let seller = app.seller(&format!("race{round}@example.kz")).await;
        let shop = seller.shop_id.clone().unwrap();
        let now = app.clock.now_utc();
        let sealed = app.state.sealer.seal(&signing::new_secret());
        let new = |shop: &str, limit| {
            let (state, shop, sealed) = (app.state.clone(), shop.to_string(), sealed.clone());
            move |conn: &mut aftersale::db::DbConnection| {
                let new = aftersale::db::webhooks::NewEndpoint {
                    shop_id: &shop,
                    url: "http://127.0.0.1:9/hook",
                    description: None,
                    events: &["*".to_string()],
                    sealed_secret: &sealed,
                };
                let _ = &state;
                // On PostgreSQL the registration's transaction stays open a moment after its
                // insert, so that the four overlap whatever the threads' timing. (SQLite
                // serialises writers, and its transactions do not nest.)
                if !matches!(conn, aftersale::db::DbConnection::Postgresql(_)) {
                    return aftersale::db::webhooks::create(conn, &new, limit, now);
                }
                write_tx(conn, |conn| {
                    let row = aftersale::db::webhooks::create(conn, &new, limit, now)?;
                    if let aftersale::db::DbConnection::Postgresql(c) = conn {
                        use diesel::RunQueryDsl;
                        diesel::sql_query("SELECT pg_sleep(0.05)")
                            .execute(c)
                            .map_err(DbError::from)?;
                    }
                    Ok(row)
                })
            }
        };
        for _ in 0..9 {
            app.state.db.run(new(&shop, 10)).unwrap();
        }
        let barrier = Arc::new(std::sync::Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (state, barrier, job) = (app.state.clone(), barrier.clone(), new(&shop, 10));
                std::thread::spawn(move || {
                    let mut conn = state.db.get().unwrap();
                    barrier.wait();
                    job(&mut conn)
                        .err()
                        .map(|e| aftersale::error::ApiError::from(e).code())
                })
            })
            .collect();
        let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let won = outcomes.iter().filter(|o| o.is_none()).count();
        let refused = outcomes
            .iter()
            .filter(|o| **o == Some(aftersale::error::ErrorCode::WebhookLimitReached))
            .count();
        assert_eq!((won, refused), (1, 3), "round {round}: {outcomes:?}");
        let list = app.get("/api/v1/webhooks", Some(&seller.token)).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 10);
    }
}

/// A retried registration replays the same endpoint and secret, and the kept response holds
/// the secret sealed, never in clear.
#[actix_web::test]
async fn a_retried_registration_replays_its_secret_sealed_at_rest() {
    use diesel::prelude::*;
    let app = app().await;
    let cast = app.cast().await;
    let send = || {
        actix_web::test::TestRequest::post()
            .uri("/api/v1/webhooks")
            .insert_header(("Idempotency-Key", "hook-1"))
            .insert_header(("Authorization", format!("Bearer {}", cast.seller.token)))
            .set_json(json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}))
    };
    let first = app.send(send()).await;
    let again = app.send(send()).await;
    assert_eq!((first.status.as_u16(), again.status.as_u16()), (201, 201));
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(first.body["secret"], again.body["secret"]);
    assert_eq!(first.body["id"], again.body["id"]);
    let kept: Vec<Option<String>> = {
        let mut conn = app.raw_conn();
        aftersale::db::schema::idempotency_keys::table
            .select(aftersale::db::schema::idempotency_keys::body)
            .load(&mut **conn)
            .unwrap()
    };
    assert_eq!(kept.len(), 1);
    let secret = first.body["secret"].as_str().unwrap();
    assert!(!kept[0].as_deref().unwrap_or_default().contains(secret));
    assert_eq!(
        app.get("/api/v1/webhooks", Some(&cast.seller.token))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
