//! Sellers' webhooks end to end: a real HTTP receiver in the test process, the dispatcher run
//! pass by pass (`Dispatcher::run_once`) on the test's clock. This file holds the receiver and
//! the helpers; the tests are grouped by what they check.
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

mod deletion;
mod dispatchers;
mod events;
mod payloads;
mod registration;
mod retries;

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
