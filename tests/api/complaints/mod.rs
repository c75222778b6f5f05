//! Complaints over HTTP on the configured backend, with a fixed clock: every lifecycle path
//! walked step by step with each deadline checked to the second, the filing rules,
//! authorisation for every route and role, privacy, lists, the queue and the dossier. This
//! file holds the walk (a path of steps, each checked) and the helpers; the tests are grouped
//! by what they check.
use crate::helpers::*;
use crate::reviews::{upload, PNG};
use aftersale::jobs::sweeper::sweep;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

mod access;
mod filing;
mod lifecycle;
mod lists;
mod seller_first;

/// Friday 2026-11-20 18:30 in Almaty: 3 business days end Wednesday 25th 23:59:59 local.
const FILED: &str = "2026-11-20T13:30:00Z";
const EARLY: &str = "2026-11-10T00:00:00Z";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Who {
    Buyer,
    Seller,
    Mod1,
    Mod2,
}

#[derive(Debug)]
enum Do {
    /// File with this body (`$ORDER` is replaced by the order id).
    File(Value),
    /// POST /complaints/{id}/{action} with a body (`$MOD1` → the first moderator's id).
    Act(&'static str, Value),
    /// One deadline sweep; the case is then read by a moderator.
    Sweep,
    /// The dossier, read by the buyer.
    Dossier,
}

struct Step {
    at: &'static str,
    who: Who,
    what: Do,
    status: u16,
    /// The problem code for an error, or the case status for a success.
    expect: &'static str,
    /// JSON pointers into the response and their expected values.
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

fn courier(category: &str) -> Do {
    Do::File(json!({
        "order_id": "$ORDER", "target": "courier", "category": category,
        "description": "Курьер опоздал на три часа и не предупредил об этом",
    }))
}

fn seller(category: &str) -> Do {
    Do::File(json!({
        "order_id": "$ORDER", "target": "seller", "category": category,
        "description": "Товар не соответствует описанию на странице магазина",
        "desired_resolution": "refund",
    }))
}

fn act(action: &'static str) -> Do {
    Do::Act(action, json!(null))
}

fn act_with(action: &'static str, body: Value) -> Do {
    Do::Act(action, body)
}

fn resolve() -> Do {
    act_with(
        "resolve",
        json!({"outcome": "upheld", "remedy": {"kind": "refund", "amount": 5000}, "explanation": "Доставка задержана по вине службы"}),
    )
}

async fn walk(name: &str, steps: Vec<Step>) {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    app.clock.set(at(FILED) - TimeDelta::days(3));
    let order = app
        .delivered_order(&cast.service, "CMP-1", &cast.buyer, cast.shop(), 1)
        .await;
    let order_id = order["id"].as_str().unwrap().to_string();
    let mut complaint = String::new();
    for (i, s) in steps.into_iter().enumerate() {
        app.clock.set(at(s.at));
        let token = match s.who {
            Who::Buyer => &cast.buyer.token,
            Who::Seller => &cast.seller.token,
            Who::Mod1 => &cast.moderator.token,
            Who::Mod2 => &cast.moderator2.token,
        };
        let fill = |v: &Value| -> Value {
            let text = v
                .to_string()
                .replace("$ORDER", &order_id)
                .replace("$MOD1", &cast.moderator.id);
            serde_json::from_str(&text).unwrap()
        };
        let r = match &s.what {
            Do::File(body) => {
                let r = app
                    .post("/api/v1/complaints", Some(token), fill(body))
                    .await;
                if r.status == 201 {
                    complaint = r.body["id"].as_str().unwrap().to_string();
                }
                r
            }
            Do::Act(action, body) => {
                let path = format!("/api/v1/complaints/{complaint}/{action}");
                let body = fill(body);
                if body.is_null() {
                    app.call(actix_web::http::Method::POST, &path, Some(token), None)
                        .await
                } else {
                    app.post(&path, Some(token), body).await
                }
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
                        &format!("/api/v1/complaints/{complaint}"),
                        Some(&cast.moderator.token),
                    )
                    .await;
                r.body["_sweep"] = serde_json::to_value(&report.complaints).unwrap();
                r
            }
            Do::Dossier => {
                app.get(
                    &format!("/api/v1/complaints/{complaint}/dossier"),
                    Some(&cast.buyer.token),
                )
                .await
            }
        };
        let label = format!("{name}, step {i} ({:?} {:?} at {})", s.who, s.what, s.at);
        if s.status >= 400 {
            r.assert_problem(s.status, s.expect);
        } else {
            assert_eq!(r.status.as_u16(), s.status, "{label}: {}", r.body);
            let status = r
                .body
                .pointer("/status")
                .or(r.body.pointer("/complaint/status"));
            assert_eq!(status, Some(&json!(s.expect)), "{label}: {}", r.body);
        }
        for (pointer, expected) in &s.checks {
            let got = r.body.pointer(pointer).cloned().unwrap_or(Value::Null);
            assert_eq!(&got, expected, "{label}: {pointer} in {}", r.body);
        }
    }
}

/// A buyer's delivered order (delivered `days_ago`) and a filed complaint about it.
pub(crate) async fn filed(
    app: &TestApp,
    cast: &Cast,
    external: &str,
    target: &str,
    category: &str,
) -> (String, Value) {
    let order = app
        .delivered_order(&cast.service, external, &cast.buyer, cast.shop(), 1)
        .await;
    let order_id = order["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/complaints",
            Some(&cast.buyer.token),
            json!({"order_id": order_id, "target": target, "category": category,
                   "description": "Описание проблемы длиннее двадцати символов"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    (order_id, r.body)
}
