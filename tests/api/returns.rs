//! Returns over HTTP on the configured backend, with a fixed clock: every lifecycle path walked
//! step by step with each deadline checked at its last allowed and first refused instant, the
//! windows per reason, quantities and evidence, the dispute that opens a complaint, the
//! moderation queue, privacy, and authorisation for every route and role.
use crate::helpers::*;
use crate::reviews::{upload, PNG};
use aftersale::jobs::sweeper::sweep;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

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

#[actix_web::test]
async fn lifecycle_paths_with_every_deadline_to_the_second() {
    use Who::*;
    let paths: Vec<(&str, Vec<Step>)> = vec![
        (
            "approved, picked up and refunded on time",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested")
                    .check("/number", json!("R-2026-000001"))
                    .check("/window_until", json!("2026-12-03T10:00:00Z"))
                    .check("/seller_decide_by", json!("2026-11-24T18:59:59Z"))
                    .check("/due_at", json!("2026-11-24T18:59:59Z"))
                    .check("/refundable", json!({"amount": 7000, "currency": "KZT"}))
                    .check("/items/0/quantity", json!(2))
                    .check("/evidence/0/content_type", json!("image/png"))
                    .check("/allowed_actions", json!(["cancel"]))
                    .check("/timeline/0/kind", json!("requested")),
                step("2026-11-21T05:00:00Z", Service, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-23T06:00:00Z"})), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved")
                    .check("/decision/decided_at", json!("2026-11-21T05:00:00Z"))
                    .check("/decision/decided_by/role", json!("seller"))
                    .check("/due_at", Value::Null)
                    .check("/allowed_actions", json!(["schedule_pickup"])),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-21T04:59:59Z"})), 422, "validation_failed")
                    .check("/errors/0/field", json!("pickup_at"))
                    .check("/errors/0/code", json!("in_past")),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-21T05:00:00Z"})), 200, "pickup_scheduled"),
                step("2026-11-21T06:00:00Z", Service, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-23T06:00:00Z"})), 200, "pickup_scheduled")
                    .check("/pickup_at", json!("2026-11-23T06:00:00Z")),
                step("2026-11-23T06:10:00Z", Service, Do::Scan("2026-11-23T06:10:01Z"), 422, "validation_failed")
                    .check("/errors/0/code", json!("in_future")),
                step("2026-11-23T06:10:00Z", Buyer, Do::Scan("2026-11-23T06:10:00Z"), 403, "forbidden"),
                step("2026-11-23T06:10:00Z", Service, Do::Scan("2026-11-23T06:10:00Z"), 200, "picked_up")
                    .check("/refund_due_by", json!("2026-11-23T07:10:00Z"))
                    .check("/due_at", json!("2026-11-23T07:10:00Z")),
                step("2026-11-23T06:20:00Z", Buyer, act("cancel"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-23T07:10:00Z", Mod1, Do::Sweep, 200, "picked_up")
                    .check("/_sweep/breaches", json!(0)),
                step("2026-11-23T07:10:00Z", Seller, Do::Act("refund", json!({"amount": 7001})), 422, "validation_failed")
                    .check("/errors/0/code", json!("exceeds_paid")),
                step("2026-11-23T07:10:00Z", Seller, Do::Act("refund", json!({"amount": 7000})), 200, "refunded")
                    .check("/refund", json!({"amount": {"amount": 7000, "currency": "KZT"}, "refunded_at": "2026-11-23T07:10:00Z"}))
                    .check("/breaches", json!([]))
                    .check("/due_at", Value::Null),
                step("2026-11-23T09:00:00Z", Mod1, Do::Sweep, 200, "refunded")
                    .check("/_sweep/breaches", json!(0))
                    .check("/timeline/5/kind", json!("refunded"))
                    .check("/timeline/6", Value::Null),
            ],
        ),
        (
            "a parcel handed in without a scheduled pickup is picked up all the same",
            vec![
                step(REQUESTED, Buyer, request("wrong_item"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Service, Do::Scan("2026-11-21T05:00:00Z"), 409, "invalid_transition"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T09:00:00Z", Service, Do::Scan("2026-11-21T08:30:00Z"), 200, "picked_up")
                    .check("/pickup_at", Value::Null)
                    .check("/refund_due_by", json!("2026-11-21T09:30:00Z"))
                    .check("/timeline/2/kind", json!("picked_up"))
                    .check("/timeline/2/data/pickup_scheduled", json!(false))
                    .check("/timeline/2/data/from_status", json!("approved")),
                step("2026-11-21T09:10:00Z", Seller, Do::Act("refund", json!({"amount": 5000})), 200, "refunded")
                    .check("/breaches", json!([])),
            ],
        ),
        (
            "a refund later than an hour after the scan is a breach, by the sweep or at once",
            vec![
                step(REQUESTED, Buyer, request("wrong_item"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-22T05:00:00Z"})), 200, "pickup_scheduled"),
                step("2026-11-22T05:30:00Z", Service, Do::Scan("2026-11-21T04:59:59Z"), 422, "validation_failed")
                    .check("/errors/0/code", json!("before_approval")),
                step("2026-11-22T05:30:00Z", Service, Do::Scan("2026-11-22T05:00:00Z"), 200, "picked_up")
                    .check("/refund_due_by", json!("2026-11-22T06:00:00Z")),
                step("2026-11-22T06:00:01Z", Mod1, Do::Sweep, 200, "picked_up")
                    .check("/_sweep/breaches", json!(1))
                    .check("/overdue", json!(true))
                    .check("/breaches/0/sla", json!("refund"))
                    .check("/breaches/0/due_at", json!("2026-11-22T06:00:00Z")),
                step("2026-11-22T06:05:00Z", Mod1, Do::Sweep, 200, "picked_up")
                    .check("/_sweep/breaches", json!(0)),
                step("2026-11-22T06:30:00Z", Service, Do::Act("refund", json!({"amount": 5000})), 200, "refunded")
                    .check("/breaches/1", Value::Null),
            ],
        ),
        (
            "a late refund the sweep never saw is recorded when it is made",
            vec![
                step(REQUESTED, Buyer, request("incomplete"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-22T05:00:00Z"})), 200, "pickup_scheduled"),
                step("2026-11-22T05:00:00Z", Service, Do::Scan("2026-11-22T05:00:00Z"), 200, "picked_up"),
                step("2026-11-22T06:00:01Z", Seller, Do::Act("refund", json!({"amount": 7000})), 200, "refunded")
                    .check("/breaches/0/sla", json!("refund"))
                    .check("/breaches/0/recorded_at", json!("2026-11-22T06:00:01Z")),
            ],
        ),
        (
            "seller silence escalates to the moderators after 2 business days",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-24T18:59:59Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep", json!({"breaches": 0, "escalated": 0}))
                    .check("/escalated_at", Value::Null)
                    .check("/allowed_actions", json!([])),
                step("2026-11-24T18:59:59Z", Mod1, Do::Queue, 200, "queue")
                    .check("/items", json!([])),
                step("2026-11-24T19:00:00Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep", json!({"breaches": 1, "escalated": 1}))
                    .check("/escalated_at", json!("2026-11-24T19:00:00Z"))
                    .check("/overdue", json!(true))
                    .check("/breaches/0/sla", json!("seller_decision"))
                    .check("/allowed_actions", json!(["approve", "reject"])),
                step("2026-11-24T19:01:00Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep", json!({"breaches": 0, "escalated": 0})),
                step("2026-11-25T04:00:00Z", Mod1, Do::Queue, 200, "queue")
                    .check("/items/0/kind", json!("return"))
                    .check("/items/0/due_at", json!("2026-11-24T18:59:59Z"))
                    .check("/items/0/overdue", json!(true))
                    .check("/items/0/detail/number", json!("R-2026-000001"))
                    .check("/items/0/detail/reason", json!("not_as_described"))
                    .check("/items/0/review_id", Value::Null),
                step("2026-11-25T05:00:00Z", Mod1, act("approve"), 200, "approved")
                    .check("/decision/decided_by/role", json!("moderator"))
                    .check("/timeline/1/kind", json!("sla_breached"))
                    .check("/timeline/2/kind", json!("escalated"))
                    .check("/timeline/3/kind", json!("approved")),
                step("2026-11-25T05:00:01Z", Mod1, Do::Queue, 200, "queue")
                    .check("/items", json!([])),
            ],
        ),
        (
            "a moderator may not decide before escalation; a seller may decide late",
            vec![
                step(REQUESTED, Buyer, request("defective"), 201, "requested"),
                step("2026-11-23T05:00:00Z", Mod1, act("approve"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-23T05:00:00Z", Mod1, reject(), 409, "invalid_transition"),
                step("2026-11-25T00:00:00Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep/escalated", json!(1)),
                step("2026-11-25T01:00:00Z", Seller, reject(), 200, "rejected")
                    .check("/rejection", json!({"reason_code": "signs_of_use", "explanation": "На чехле следы использования", "dispute_until": "2026-12-09T01:00:00Z"}))
                    .check("/due_at", Value::Null),
            ],
        ),
        (
            "after escalation a moderator may reject; the buyer may then dispute",
            vec![
                step(REQUESTED, Buyer, request("damaged_in_delivery"), 201, "requested")
                    .check("/window_until", json!("2026-11-29T10:00:00Z")),
                step("2026-11-24T19:00:00Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep/escalated", json!(1)),
                step("2026-11-25T03:00:00Z", Mod2, reject(), 200, "rejected")
                    .check("/decision/decided_by/role", json!("moderator"))
                    .check("/rejection/dispute_until", json!("2026-12-09T03:00:00Z")),
                step("2026-11-25T04:00:00Z", Seller, act("approve"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-25T05:00:00Z", Buyer, dispute(), 200, "rejected")
                    .check("/complaint_id", json!("$some")),
            ],
        ),
        (
            "dispute within 14 days opens a linked complaint; upholding it approves the return",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Buyer, dispute(), 409, "invalid_transition")
                    .check("/allowed_actions", json!(["cancel"])),
                step("2026-11-21T05:00:00Z", Seller, reject(), 200, "rejected")
                    .check("/rejection/dispute_until", json!("2026-12-05T05:00:00Z"))
                    .check("/allowed_actions", json!([])),
                step("2026-11-21T05:00:01Z", Buyer, act("cancel"), 409, "invalid_transition")
                    .check("/allowed_actions", json!(["dispute"])),
                step("2026-11-21T06:00:00Z", Buyer, Do::Act("dispute", json!({"explanation": "Слишком коротко"})), 422, "validation_failed")
                    .check("/errors/0/field", json!("explanation")),
                step("2026-12-05T05:00:00Z", Buyer, dispute(), 200, "rejected")
                    .check("/disputed_at", json!("2026-12-05T05:00:00Z"))
                    .check("/complaint_id", json!("$some"))
                    .check("/timeline/2/kind", json!("disputed"))
                    .check("/timeline/2/data/complaint_number", json!("C-2026-000001")),
                step("2026-12-05T05:00:01Z", Buyer, dispute(), 409, "already_disputed"),
                step("2026-12-05T06:00:00Z", Mod1, Do::Complaint("acknowledge", Value::Null), 200, "acknowledged")
                    .check("/category", json!("return_refused"))
                    .check("/target", json!("seller"))
                    .check("/return_id", json!("$some")),
                step("2026-12-05T07:00:00Z", Mod1, Do::Complaint("resolve", json!({"outcome": "upheld", "remedy": {"kind": "refund"}, "explanation": "Следов использования нет"})), 200, "resolved"),
                step("2026-12-05T07:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-12-06T05:00:00Z"})), 200, "pickup_scheduled")
                    .check("/timeline/3/kind", json!("overturned"))
                    .check("/timeline/3/actor/role", json!("moderator"))
                    .check("/decision/decided_at", json!("2026-12-05T07:00:00Z")),
            ],
        ),
        (
            "the dispute window closes 14 days after the rejection, to the second",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, reject(), 200, "rejected"),
                step("2026-12-05T05:00:01Z", Buyer, dispute(), 422, "dispute_window_closed"),
            ],
        ),
        (
            "a moderator may overturn a disputed rejection directly; a rejected complaint keeps it",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, reject(), 200, "rejected"),
                step("2026-11-21T06:00:00Z", Mod1, act("approve"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-21T07:00:00Z", Buyer, dispute(), 200, "rejected"),
                step("2026-11-21T08:00:00Z", Mod1, Do::Complaint("acknowledge", Value::Null), 200, "acknowledged"),
                step("2026-11-21T09:00:00Z", Mod1, Do::Complaint("resolve", json!({"outcome": "rejected", "remedy": {"kind": "none"}, "explanation": "Следы использования подтверждены"})), 200, "resolved"),
                step("2026-11-21T09:00:00Z", Buyer, act("cancel"), 409, "invalid_transition"),
                step("2026-11-21T10:00:00Z", Mod2, act("approve"), 200, "approved")
                    .check("/decision/decided_by/role", json!("moderator")),
            ],
        ),
        (
            "the buyer cancels a request or an approved return; the seller cannot",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, act("cancel"), 403, "forbidden"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T05:30:00Z", Buyer, act("cancel"), 200, "cancelled")
                    .check("/due_at", Value::Null)
                    .check("/timeline/2/kind", json!("cancelled")),
                step("2026-11-21T05:30:01Z", Buyer, act("cancel"), 409, "invalid_transition"),
                step("2026-11-21T05:30:01Z", Buyer, request("not_as_described"), 201, "requested")
                    .check("/number", json!("R-2026-000002")),
            ],
        ),
        (
            "the buyer cancels before pickup, not after",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-22T05:00:00Z"})), 200, "pickup_scheduled"),
                step("2026-11-21T06:00:00Z", Buyer, act("cancel"), 200, "cancelled")
                    .check("/cancelled_at", json!("2026-11-21T06:00:00Z"))
                    .check("/allowed_actions", json!([])),
                step("2026-11-22T05:00:00Z", Service, Do::Scan("2026-11-22T05:00:00Z"), 409, "invalid_transition"),
                step("2026-11-22T05:00:00Z", Seller, act("approve"), 409, "invalid_transition"),
            ],
        ),
    ];
    for (name, steps) in paths {
        walk(name, steps).await;
    }
}

/// Requests at the last instant of each reason's window succeed; one second later they are
/// refused with `return_window_closed`.
#[actix_web::test]
async fn windows_per_reason_to_the_second() {
    let app = TestApp::spawn().await;
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    // (reason, delivery type, last instant)
    let cases = [
        ("damaged_in_delivery", "city", "2026-11-29T10:00:00Z"),
        ("damaged_in_delivery", "intercity", "2027-01-03T10:00:00Z"),
        ("defective", "city", "2026-12-19T10:00:00Z"),
        ("not_as_described", "city", "2026-12-03T10:00:00Z"),
        ("wrong_item", "intercity", "2026-12-03T10:00:00Z"),
        ("incomplete", "city", "2026-12-03T10:00:00Z"),
        ("changed_mind", "city", "2026-12-03T10:00:00Z"),
    ];
    for (i, (reason, kind, last)) in cases.iter().enumerate() {
        app.clock.set(at(EARLY));
        let (order, _, p2) =
            order_delivered_at(&app, &cast, &format!("W-{i}"), DELIVERED, kind).await;
        let body = json!({"order_id": order, "reason": reason, "attachment_ids": [photo],
                          "items": [{"order_item_id": p2, "quantity": 1}]});
        app.clock.set(at(last) + TimeDelta::seconds(1));
        app.post("/api/v1/returns", Some(&cast.buyer.token), body.clone())
            .await
            .assert_problem(422, "return_window_closed");
        app.clock.set(at(last));
        let r = app
            .post("/api/v1/returns", Some(&cast.buyer.token), body)
            .await;
        assert_eq!(r.status, 201, "{reason} {kind}: {}", r.body);
        assert_eq!(r.body["window_until"], json!(last), "{reason} {kind}");
    }
}

#[actix_web::test]
async fn quantities_evidence_and_excluded_categories() {
    let app = TestApp::spawn().await;
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    let pdf = upload(&app, &cast.buyer.token, PDF).await;
    let others_photo = upload(&app, &cast.other_buyer.token, PNG).await;
    let (order, p1, p2) = order_delivered_at(&app, &cast, "Q-1", DELIVERED, "city").await;
    app.clock.set(at(REQUESTED));
    let buyer = Some(cast.buyer.token.as_str());
    let ask = |items: Value, reason: &str, files: Value| json!({"order_id": order, "items": items, "reason": reason, "attachment_ids": files});
    let post = |body: Value| app.post("/api/v1/returns", buyer, body);

    // Evidence per reason.
    let r = post(ask(
        json!([{"order_item_id": p2, "quantity": 1}]),
        "wrong_item",
        json!([]),
    ))
    .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.field_errors(),
        vec![("attachment_ids".into(), "photo_required".into())]
    );
    let r = post(ask(
        json!([{"order_item_id": p2, "quantity": 1}]),
        "wrong_item",
        json!([pdf]),
    ))
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("attachment_ids".into(), "photo_required".into())]
    );
    let r = post(ask(
        json!([{"order_item_id": p2, "quantity": 1}]),
        "defective",
        json!([]),
    ))
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("attachment_ids".into(), "photo_or_document_required".into())]
    );
    post(ask(
        json!([{"order_item_id": p2, "quantity": 1}]),
        "defective",
        json!([others_photo]),
    ))
    .await
    .assert_problem(422, "invalid_attachment");
    // changed_mind: none needed, refused for a phone.
    post(ask(
        json!([{"order_item_id": p1, "quantity": 1}]),
        "changed_mind",
        json!([]),
    ))
    .await
    .assert_problem(422, "return_reason_excluded");
    // Quantities: what was bought, minus what other returns hold.
    let r = post(ask(
        json!([{"order_item_id": p2, "quantity": 3}, {"order_item_id": "nope", "quantity": 1}]),
        "changed_mind",
        json!([]),
    ))
    .await;
    assert_eq!(
        r.field_errors(),
        vec![
            ("items[0].quantity".into(), "exceeds_available".into()),
            ("items[1].order_item_id".into(), "not_in_order".into()),
        ]
    );
    let first = post(ask(
        json!([{"order_item_id": p2, "quantity": 1}]),
        "defective",
        json!([pdf]),
    ))
    .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["refundable"]["amount"], 3500);
    let first_id = first.body["id"].as_str().unwrap().to_string();
    let r = post(ask(
        json!([{"order_item_id": p2, "quantity": 2}]),
        "changed_mind",
        json!([]),
    ))
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("items[0].quantity".into(), "exceeds_available".into())]
    );
    let order_view = app.get(&format!("/api/v1/orders/{order}"), buyer).await;
    assert_eq!(
        order_view.body["items"][1]["eligibility"]["return"]["quantity_available"],
        1
    );
    // A cancelled return gives its units back.
    let r = app
        .call(
            actix_web::http::Method::POST,
            &format!("/api/v1/returns/{first_id}/cancel"),
            buyer,
            None,
        )
        .await;
    assert_eq!(r.body["status"], "cancelled", "{}", r.body);
    let second = post(ask(
        json!([{"order_item_id": p2, "quantity": 2}, {"order_item_id": p1, "quantity": 1}]),
        "not_as_described",
        json!([photo]),
    ))
    .await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(second.body["number"], "R-2026-000002");
    assert_eq!(second.body["refundable"]["amount"], 157000);
    let order_view = app.get(&format!("/api/v1/orders/{order}"), buyer).await;
    assert_eq!(
        order_view.body["items"][1]["eligibility"]["return"],
        json!({"allowed": false, "reason_code": "nothing_left_to_return", "quantity_available": 0, "reasons": []})
    );
    // An undisputed rejection gives them back too.
    let id = second.body["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/returns/{id}/reject"),
            Some(&cast.seller.token),
            json!({"reason_code": "matches_description", "explanation": "Товар соответствует описанию"}),
        )
        .await;
    assert_eq!(r.body["status"], "rejected", "{}", r.body);
    let units = || async {
        app.get(&format!("/api/v1/orders/{order}"), buyer)
            .await
            .body["items"][1]["eligibility"]["return"]["quantity_available"]
            .clone()
    };
    assert_eq!(units().await, 2);
    // A disputed rejection may be overturned: it holds its units while the dispute is alive,
    // and gives them back when the buyer withdraws it.
    let r = app
        .post(
            &format!("/api/v1/returns/{id}/dispute"),
            buyer,
            json!({"explanation": "Цвет чехла отличается от фото в карточке"}),
        )
        .await;
    let complaint = r.body["complaint_id"].as_str().unwrap().to_string();
    assert_eq!(units().await, 0);
    let r = app
        .call(
            actix_web::http::Method::POST,
            &format!("/api/v1/complaints/{complaint}/withdraw"),
            buyer,
            None,
        )
        .await;
    assert_eq!(r.body["status"], "withdrawn", "{}", r.body);
    assert_eq!(units().await, 2);
    // Bad shapes.
    let r = post(json!({"order_id": order, "items": [], "reason": "defective"})).await;
    assert_eq!(r.field_errors(), vec![("items".into(), "length".into())]);
    let r = post(json!({"order_id": order, "items": [{"order_item_id": p2, "quantity": 0}], "reason": "defective"})).await;
    assert_eq!(
        r.field_errors(),
        vec![("items[0].quantity".into(), "range".into())]
    );
    post(json!({"order_id": order, "items": [{"order_item_id": p2, "quantity": 1}], "reason": "bored"}))
        .await
        .assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn order_eligibility_for_returns() {
    let app = TestApp::spawn().await;
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let (order, _, _) = order_delivered_at(&app, &cast, "E-1", DELIVERED, "city").await;
    let path = format!("/api/v1/orders/{order}");
    let ret = |v: &Value, i: usize| v["items"][i]["eligibility"]["return"].clone();

    app.clock.set(at(REQUESTED));
    let v = app.get(&path, Some(&cast.buyer.token)).await.body;
    // The phone: no changed_mind; the longest window is `defective` (30 days).
    let phone = ret(&v, 0);
    assert_eq!(phone["allowed"], true);
    assert_eq!(phone["until"], "2026-12-19T10:00:00Z");
    assert_eq!(phone["quantity_available"], 1);
    let reasons: Vec<&str> = phone["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "damaged_in_delivery",
            "defective",
            "not_as_described",
            "wrong_item",
            "incomplete"
        ]
    );
    assert_eq!(phone["reasons"][0]["until"], "2026-11-29T10:00:00Z");
    assert_eq!(phone["reasons"][0]["evidence"], "photo");
    assert_eq!(phone["reasons"][1]["evidence"], "photo_or_document");
    assert_eq!(ret(&v, 1)["reasons"].as_array().unwrap().len(), 6);

    app.clock.set(at("2026-12-19T10:00:00Z"));
    let v = app.get(&path, Some(&cast.buyer.token)).await.body;
    assert_eq!(ret(&v, 0)["reasons"].as_array().unwrap().len(), 1);
    app.clock.set(at("2026-12-19T10:00:01Z"));
    let v = app.get(&path, Some(&cast.buyer.token)).await.body;
    assert_eq!(
        ret(&v, 0),
        json!({"allowed": false, "reason_code": "return_window_closed", "quantity_available": 1, "reasons": []})
    );
    // Not the buyer's to return (the seller looks at the same order).
    let v = app.get(&path, Some(&cast.seller.token)).await.body;
    assert_eq!(ret(&v, 0)["reason_code"], "not_order_buyer");
    // Not delivered yet.
    app.clock.set(at(EARLY));
    let body = order_body(&cast.buyer.id, cast.shop(), at(EARLY), None);
    let pending = app.put_order(&cast.service, "E-2", body).await.body;
    let v = app
        .get(
            &format!("/api/v1/orders/{}", pending["id"].as_str().unwrap()),
            Some(&cast.buyer.token),
        )
        .await
        .body;
    assert_eq!(ret(&v, 0)["reason_code"], "order_not_delivered");
    app.post(
        "/api/v1/returns",
        Some(&cast.buyer.token),
        json!({"order_id": pending["id"], "reason": "changed_mind",
               "items": [{"order_item_id": pending["items"][1]["id"], "quantity": 1}]}),
    )
    .await
    .assert_problem(422, "order_not_delivered");
}

#[actix_web::test]
async fn privacy_notifications_and_lists() {
    let app = TestApp::spawn().await;
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    let (order, _, p2) = order_delivered_at(&app, &cast, "N-1", DELIVERED, "city").await;
    let (other_order, _, _) = order_delivered_at(&app, &cast, "N-2", DELIVERED, "city").await;
    app.clock.set(at(REQUESTED));
    let r = app
        .post(
            "/api/v1/returns",
            Some(&cast.buyer.token),
            json!({"order_id": order, "reason": "wrong_item", "attachment_ids": [photo],
                   "items": [{"order_item_id": p2, "quantity": 1}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["buyer"]["name"], "Айгерим Нурланова");
    // The seller sees the buyer masked and can read the evidence.
    let seen = app
        .get(&format!("/api/v1/returns/{id}"), Some(&cast.seller.token))
        .await;
    assert_eq!(seen.body["buyer"]["name"], "Айгерим Н.");
    assert_eq!(seen.body["timeline"][0]["actor"]["name"], "Айгерим Н.");
    assert_eq!(
        app.get(
            &format!("/api/v1/attachments/{photo}"),
            Some(&cast.seller.token)
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/attachments/{photo}"),
            Some(&cast.other_seller.token)
        )
        .await
        .status,
        404
    );
    assert!(app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"return_requested".to_string()));
    app.clock.set(at("2026-11-21T05:00:00Z"));
    app.call(
        actix_web::http::Method::POST,
        &format!("/api/v1/returns/{id}/approve"),
        Some(&cast.seller.token),
        None,
    )
    .await;
    let kinds = app.notification_kinds(&cast.buyer.token).await;
    assert!(kinds.contains(&"return_approved".to_string()), "{kinds:?}");
    assert!(!app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"return_approved".to_string()));
    // Moderators see the buyer and the seller by name.
    let m = app
        .get(
            &format!("/api/v1/returns/{id}"),
            Some(&cast.moderator.token),
        )
        .await;
    assert_eq!(m.body["decision"]["decided_by"]["name"], "Данияр Беков");

    // Lists: role-scoped, filtered, paged.
    let list = |token: &str, q: &str| {
        let path = format!("/api/v1/returns{q}");
        let token = token.to_string();
        let app = &app;
        async move { app.get(&path, Some(&token)).await }
    };
    let mine = list(&cast.buyer.token, "").await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        list(&cast.other_buyer.token, "").await.body["items"],
        json!([])
    );
    assert_eq!(
        list(&cast.other_seller.token, "").await.body["items"],
        json!([])
    );
    assert_eq!(
        list(&cast.seller.token, "?status=approved").await.body["items"][0]["id"],
        json!(id)
    );
    assert_eq!(
        list(&cast.moderator.token, "?status=requested").await.body["items"],
        json!([])
    );
    assert_eq!(
        list(&cast.moderator.token, &format!("?order_id={other_order}"))
            .await
            .body["items"],
        json!([])
    );
    list(&cast.moderator.token, "?status=lost")
        .await
        .assert_problem(422, "validation_failed");
    list(&cast.moderator.token, "?cursor=zzz")
        .await
        .assert_problem(422, "validation_failed");
    let page = list(&cast.moderator.token, "?limit=1").await;
    assert_eq!(page.body["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn authorisation_for_every_route_and_role() {
    let app = TestApp::spawn().await;
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    let (order, _, p2) = order_delivered_at(&app, &cast, "A-1", DELIVERED, "city").await;
    app.clock.set(at(REQUESTED));
    let r = app
        .post(
            "/api/v1/returns",
            Some(&cast.buyer.token),
            json!({"order_id": order, "reason": "wrong_item", "attachment_ids": [photo],
                   "items": [{"order_item_id": p2, "quantity": 1}]}),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let service = cast.service.clone();
    let who: Vec<(&str, Option<&str>)> = vec![
        ("anonymous", None),
        ("service", Some(&service)),
        ("buyer", Some(&cast.buyer.token)),
        ("other_buyer", Some(&cast.other_buyer.token)),
        ("seller", Some(&cast.seller.token)),
        ("other_seller", Some(&cast.other_seller.token)),
        ("moderator", Some(&cast.moderator.token)),
    ];
    // (method, path, body, callers that get past the role and party guards)
    let routes: Vec<(&str, String, Value, &[&str])> = vec![
        (
            "GET",
            "/api/v1/returns".into(),
            Value::Null,
            &[
                "buyer",
                "other_buyer",
                "seller",
                "other_seller",
                "moderator",
            ],
        ),
        (
            "POST",
            "/api/v1/returns".into(),
            json!({"order_id": order, "reason": "changed_mind", "items": [{"order_item_id": p2, "quantity": 1}]}),
            &["buyer"],
        ),
        (
            "GET",
            format!("/api/v1/returns/{id}"),
            Value::Null,
            &["buyer", "seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/returns/{id}/approve"),
            Value::Null,
            &["seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/returns/{id}/reject"),
            json!({"reason_code": "other", "explanation": "x"}),
            &["seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/returns/{id}/dispute"),
            json!({"explanation": "Отказ необоснован, товар не тот"}),
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/returns/{id}/schedule-pickup"),
            json!({"pickup_at": "2026-12-01T05:00:00Z"}),
            &["seller", "service"],
        ),
        (
            "POST",
            format!("/api/v1/returns/{id}/refund"),
            json!({"amount": 1}),
            &["seller", "service"],
        ),
        (
            "POST",
            format!("/api/v1/returns/{id}/cancel"),
            Value::Null,
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/integration/returns/{id}/picked-up"),
            json!({"at": REQUESTED}),
            &["service"],
        ),
        (
            "GET",
            format!("/api/v1/orders/{order}/messages"),
            Value::Null,
            &["buyer", "seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/orders/{order}/messages"),
            json!({"body": "Здравствуйте"}),
            &["buyer", "seller"],
        ),
        (
            "POST",
            format!("/api/v1/orders/{order}/delivery-failure/choice"),
            json!({"choice": "refund"}),
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/orders/{order}/delivery-failure/refund"),
            json!({"amount": 1}),
            &["seller", "service"],
        ),
    ];
    // Which roles may take each route at all (others get 403 before any lookup).
    let role_may = |path: &str, method: &str, name: &str| -> bool {
        let role = name.trim_start_matches("other_");
        let roles: &[&str] = if path.ends_with("/approve") || path.ends_with("/reject") {
            &["seller", "moderator"]
        } else if path.ends_with("/dispute")
            || path.ends_with("/cancel")
            || path.ends_with("/choice")
        {
            &["buyer"]
        } else if path.ends_with("/schedule-pickup") || path.ends_with("/refund") {
            &["seller", "service"]
        } else if path.ends_with("/picked-up") {
            &["service"]
        } else if path.ends_with("/messages") && method == "POST" {
            &["buyer", "seller"]
        } else if path == "/api/v1/returns" && method == "POST" {
            &["buyer"]
        } else {
            &["buyer", "seller", "moderator"]
        };
        roles.contains(&role)
    };
    for (method, path, body, through) in &routes {
        for (name, token) in &who {
            let m = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
            let body = (!body.is_null()).then(|| body.clone());
            let r = app.call(m, path, *token, body).await;
            let label = format!("{name} {method} {path}: {}", r.body);
            match token {
                None => r.assert_problem(401, "unauthenticated"),
                Some(_) if !role_may(path, method, name) => {
                    assert_eq!(r.status, 403, "{label}");
                    assert_eq!(r.code(), "forbidden", "{label}");
                }
                Some(_) if !through.contains(name) => {
                    assert_eq!(r.status, 404, "{label}");
                    assert_eq!(r.code(), "not_found", "{label}");
                }
                // Through the guards: success, or a rule of the return.
                Some(_) => assert!(
                    r.status.is_success() || [409, 422].contains(&r.status.as_u16()),
                    "{label}"
                ),
            }
        }
    }
    // Unknown ids are 404 for every party.
    app.get("/api/v1/returns/nope", Some(&cast.moderator.token))
        .await
        .assert_problem(404, "not_found");
    app.post(
        "/api/v1/integration/returns/nope/picked-up",
        Some(&cast.service),
        json!({"at": REQUESTED}),
    )
    .await
    .assert_problem(404, "not_found");
}
