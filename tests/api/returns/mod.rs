//! Returns over HTTP on the configured backend, with a fixed clock: every lifecycle path walked
//! step by step with each deadline checked at its last allowed and first refused instant, the
//! windows per reason, quantities and evidence, the dispute that opens a complaint, the
//! moderation queue, privacy, and authorisation for every route and role. This file holds the
//! walk (a path of steps, each checked) and the helpers other tests share; the tests are
//! grouped by what they check.
use crate::helpers::*;
use crate::reviews::{upload, PNG};
use aftersale::jobs::sweeper::sweep;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

mod access;
mod lifecycle;
mod requesting;

/// Friday 2026-11-20 18:30 in Almaty: 2 business days end Tuesday 24th 23:59:59 local.
pub const REQUESTED: &str = "2026-11-20T13:30:00Z";
pub const DELIVERED: &str = "2026-11-19T10:00:00Z";
pub const EARLY: &str = "2026-11-10T00:00:00Z";

pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A delivered order (P-1 phone ×1 at 150 000, P-2 case ×2 at 3 500) of `buyer`, delivered at
/// `delivered` by `kind` delivery. Returns (order id, P-1 item id, P-2 item id).
pub async fn order_delivered_at(
    app: &TestApp,
    cast: &Cast,
    external_id: &str,
    delivered: &str,
    kind: &str,
) -> (String, String, String) {
    let delivered = at(delivered);
    let mut body = order_body(
        &cast.buyer.id,
        cast.shop(),
        delivered - TimeDelta::days(2),
        Some(delivered),
    );
    body["delivery"]["type"] = json!(kind);
    let r = app.put_order(&cast.service, external_id, body).await;
    assert!(r.status == 201 || r.status == 200, "{}", r.body);
    let item = |i: usize| r.body["items"][i]["id"].as_str().unwrap().to_string();
    (r.body["id"].as_str().unwrap().to_string(), item(0), item(1))
}

#[derive(Clone, Copy, Debug)]
enum Who {
    Buyer,
    Seller,
    Mod1,
    Mod2,
    Service,
}

#[derive(Debug)]
enum Do {
    /// POST /returns (`$ORDER`, `$P1`, `$P2`, `$PHOTO` are filled in).
    Request(Value),
    /// POST /returns/{id}/{action} with a body (null: none).
    Act(&'static str, Value),
    /// The courier's scan: POST /integration/returns/{id}/picked-up.
    Scan(&'static str),
    /// One deadline sweep; the return is then read by a moderator.
    Sweep,
    /// POST /complaints/{linked}/{action} (the dispute's complaint).
    Complaint(&'static str, Value),
    /// GET /moderation/queue?kind=return by a moderator.
    Queue,
}

struct Step {
    at: &'static str,
    who: Who,
    what: Do,
    status: u16,
    /// The problem code for an error, or the status (`/status`) for a success.
    expect: &'static str,
    checks: Vec<(&'static str, Value)>,
}

fn step(at: &'static str, who: Who, what: Do, status: u16, expect: &'static str) -> Step {
    Step {
        at,
        who,
        what,
        status,
        expect,
        checks: Vec::new(),
    }
}

impl Step {
    fn check(mut self, pointer: &'static str, value: Value) -> Self {
        self.checks.push((pointer, value));
        self
    }
}

fn request(reason: &str) -> Do {
    Do::Request(json!({
        "order_id": "$ORDER", "items": [{"order_item_id": "$P2", "quantity": 2}],
        "reason": reason, "description": "Чехол другого цвета, не как на фото",
        "attachment_ids": ["$PHOTO"],
    }))
}

fn act(action: &'static str) -> Do {
    Do::Act(action, Value::Null)
}

fn reject() -> Do {
    Do::Act(
        "reject",
        json!({"reason_code": "signs_of_use", "explanation": "На чехле следы использования"}),
    )
}

fn dispute() -> Do {
    Do::Act(
        "dispute",
        json!({"explanation": "Чехол не использовался, упаковка была вскрыта при доставке"}),
    )
}

async fn walk(name: &str, steps: Vec<Step>) {
    let app = TestApp::spawn().await;
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    let (order, p1, p2) = order_delivered_at(&app, &cast, "RET-1", DELIVERED, "city").await;
    let mut id = String::new();
    let mut complaint = String::new();
    for (i, s) in steps.into_iter().enumerate() {
        app.clock.set(at(s.at));
        let token = match s.who {
            Who::Buyer => cast.buyer.token.as_str(),
            Who::Seller => cast.seller.token.as_str(),
            Who::Mod1 => cast.moderator.token.as_str(),
            Who::Mod2 => cast.moderator2.token.as_str(),
            Who::Service => cast.service.as_str(),
        };
        let fill = |v: &Value| -> Value {
            let text = v
                .to_string()
                .replace("$ORDER", &order)
                .replace("$P1", &p1)
                .replace("$P2", &p2)
                .replace("$PHOTO", &photo);
            serde_json::from_str(&text).unwrap()
        };
        let post = |path: String, body: Value| {
            let app = &app;
            async move {
                if body.is_null() {
                    app.call(actix_web::http::Method::POST, &path, Some(token), None)
                        .await
                } else {
                    app.post(&path, Some(token), body).await
                }
            }
        };
        let r = match &s.what {
            Do::Request(body) => {
                let r = app.post("/api/v1/returns", Some(token), fill(body)).await;
                if r.status == 201 {
                    id = r.body["id"].as_str().unwrap().to_string();
                }
                r
            }
            Do::Act(action, body) => {
                let r = post(format!("/api/v1/returns/{id}/{action}"), fill(body)).await;
                if let Some(c) = r.body["complaint_id"].as_str() {
                    complaint = c.to_string();
                }
                r
            }
            Do::Scan(scan_at) => {
                post(
                    format!("/api/v1/integration/returns/{id}/picked-up"),
                    json!({"at": scan_at}),
                )
                .await
            }
            Do::Sweep => {
                let now = app.clock.now_utc();
                let report = app
                    .state
                    .db
                    .run(|c| sweep(c, &app.state.policy, now))
                    .unwrap();
                let mut r = app
                    .get(
                        &format!("/api/v1/returns/{id}"),
                        Some(&cast.moderator.token),
                    )
                    .await;
                r.body["_sweep"] = serde_json::to_value(&report.returns).unwrap();
                r
            }
            Do::Complaint(action, body) => {
                post(
                    format!("/api/v1/complaints/{complaint}/{action}"),
                    fill(body),
                )
                .await
            }
            Do::Queue => {
                let mut r = app
                    .get("/api/v1/moderation/queue?kind=return", Some(token))
                    .await;
                r.body["status"] = json!("queue");
                r
            }
        };
        let label = format!("{name}, step {i} ({:?} {:?} at {})", s.who, s.what, s.at);
        if s.status >= 400 {
            assert_eq!(r.status.as_u16(), s.status, "{label}: {}", r.body);
            assert_eq!(r.code(), s.expect, "{label}: {}", r.body);
        } else {
            assert_eq!(r.status.as_u16(), s.status, "{label}: {}", r.body);
            assert_eq!(r.body["status"], json!(s.expect), "{label}: {}", r.body);
        }
        for (pointer, expected) in &s.checks {
            let got = r.body.pointer(pointer).cloned().unwrap_or(Value::Null);
            if expected == "$some" {
                assert!(!got.is_null(), "{label}: {pointer} missing in {}", r.body);
            } else {
                assert_eq!(&got, expected, "{label}: {pointer} in {}", r.body);
            }
        }
    }
}
