//! Complaints over HTTP on the configured backend, with a fixed clock: every lifecycle path
//! walked step by step with each deadline checked to the second, the filing rules,
//! authorisation for every route and role, privacy, lists, the queue and the dossier.
use crate::helpers::*;
use crate::reviews::{upload, PNG};
use aftersale::jobs::sweeper::sweep;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

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

#[actix_web::test]
async fn lifecycle_paths_with_every_deadline_to_the_second() {
    use Who::*;
    let paths: Vec<(&str, Vec<Step>)> = vec![
        (
            "standard courier case, decided and accepted",
            vec![
                step(FILED, Buyer, courier("delivery_delay"), 201, "submitted")
                    .check("/number", json!("C-2026-000001"))
                    .check("/sla/track", json!("standard"))
                    .check("/sla/acknowledge_by", json!("2026-11-25T18:59:59Z"))
                    .check("/sla/resolve_by", json!("2026-11-25T18:59:59Z"))
                    .check("/sla/seller_respond_by", Value::Null)
                    .check("/sla/due_at", json!("2026-11-25T18:59:59Z"))
                    .check("/timeline/0/kind", json!("filed")),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged")
                    .check("/acknowledged_at", json!("2026-11-23T04:00:00Z")),
                step("2026-11-23T05:00:00Z", Mod1, act_with("assign", json!({"moderator_id": "$MOD1"})), 200, "in_review"),
                step("2026-11-24T06:00:00Z", Mod1, resolve(), 200, "resolved")
                    .check("/resolution/outcome", json!("upheld"))
                    .check("/resolution/remedy/amount", json!({"amount": 5000, "currency": "KZT"}))
                    .check("/resolution/appeal_until", json!("2026-12-08T06:00:00Z"))
                    .check("/sla/due_at", Value::Null),
                step("2026-11-24T07:00:00Z", Buyer, act("accept"), 200, "closed"),
                step("2026-11-24T08:00:00Z", Buyer, act_with("external-escalations", json!({"authority": "e_tutynushy", "reference": "ET-2026-77"})), 200, "closed"),
                step("2026-11-24T09:00:00Z", Buyer, Do::Dossier, 200, "closed")
                    .check("/external_escalations/0/reference", json!("ET-2026-77"))
                    .check("/order/total", json!({"amount": 157000, "currency": "KZT"})),
            ],
        ),
        (
            "awaiting the buyer pauses the resolution clock; the pause is added back",
            vec![
                step(FILED, Buyer, courier("other"), 201, "submitted"),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged"),
                step("2026-11-23T05:00:00Z", Mod1, act_with("request-info", json!({"question": "Пришлите фото упаковки"})), 200, "awaiting_buyer")
                    .check("/sla/paused_since", json!("2026-11-23T05:00:00Z"))
                    .check("/sla/due_at", Value::Null),
                step("2026-11-23T06:00:00Z", Mod1, resolve(), 409, "invalid_transition")
                    .check("/allowed_actions", json!(["assign", "change_track", "extend", "post_message"])),
                // Paused 1 d 2 h 30 min 15 s.
                step("2026-11-24T07:30:15Z", Buyer, act_with("provide-info", json!({"body": "Фото во вложении"})), 200, "in_review")
                    .check("/sla/resolve_by", json!("2026-11-26T21:30:14Z"))
                    .check("/sla/paused_since", Value::Null),
                step("2026-11-26T21:30:14Z", Mod1, Do::Sweep, 200, "in_review")
                    .check("/_sweep/breaches", json!(0)),
                step("2026-11-26T21:30:15Z", Mod1, Do::Sweep, 200, "in_review")
                    .check("/_sweep/breaches", json!(1))
                    .check("/sla/overdue", json!(true)),
                step("2026-11-26T21:31:00Z", Mod1, Do::Sweep, 200, "in_review")
                    .check("/_sweep/breaches", json!(0)),
                step("2026-11-26T22:00:00Z", Buyer, Do::Dossier, 200, "in_review")
                    .check("/breaches/0/sla", json!("resolution"))
                    .check("/breaches/0/due_at", json!("2026-11-26T21:30:14Z"))
                    .check("/breaches/1", Value::Null),
            ],
        ),
        (
            "an extension sets a later date with a reason; its own breach to the second",
            vec![
                step(FILED, Buyer, courier("wrong_delivery"), 201, "submitted"),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged"),
                step("2026-11-24T04:00:00Z", Mod1, act_with("extend", json!({"reason": "Ждём ответ склада", "resolve_by": "2026-11-25T18:00:00Z"})), 422, "validation_failed"),
                step("2026-11-24T04:00:00Z", Mod1, act_with("extend", json!({"reason": "Ждём ответ склада", "resolve_by": "2026-12-04T12:00:00Z"})), 200, "acknowledged")
                    .check("/sla/resolve_by", json!("2026-12-04T12:00:00Z"))
                    .check("/sla/extended", json!(true))
                    .check("/timeline/2/kind", json!("extended"))
                    .check("/timeline/2/data/reason", json!("Ждём ответ склада")),
                step("2026-12-04T12:00:00Z", Mod1, Do::Sweep, 200, "acknowledged").check("/_sweep/breaches", json!(0)),
                step("2026-12-04T12:00:01Z", Mod1, Do::Sweep, 200, "acknowledged").check("/_sweep/breaches", json!(1)),
            ],
        ),
        (
            "tracks move the resolution deadline",
            vec![
                step(FILED, Buyer, courier("courier_misconduct"), 201, "submitted"),
                step("2026-11-23T05:00:00Z", Mod1, act_with("track", json!({"track": "complex", "reason": "Нужна проверка"})), 200, "submitted")
                    .check("/sla/resolve_by", json!("2026-11-30T13:30:00Z"))
                    .check("/sla/track", json!("complex"))
                    // The acknowledgement is still due first.
                    .check("/sla/due_at", json!("2026-11-25T18:59:59Z")),
                step("2026-11-23T06:00:00Z", Mod1, act_with("track", json!({"track": "expertise"})), 200, "submitted")
                    .check("/sla/resolve_by", json!("2026-12-20T13:30:00Z")),
                step("2026-11-23T07:00:00Z", Mod1, act_with("track", json!({"track": "expertise"})), 422, "validation_failed"),
            ],
        ),
        (
            "seller silence escalates to the moderators after 48 hours",
            vec![
                step(FILED, Buyer, seller("not_as_described"), 201, "submitted")
                    .check("/sla/seller_respond_by", json!("2026-11-22T13:30:00Z"))
                    .check("/sla/due_at", json!("2026-11-22T13:30:00Z")),
                step("2026-11-22T13:30:00Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/escalated_at", Value::Null)
                    .check("/_sweep/escalated", json!(0)),
                step("2026-11-22T13:30:01Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/escalated_at", json!("2026-11-22T13:30:01Z"))
                    .check("/_sweep/escalated", json!(1))
                    .check("/_sweep/breaches", json!(1))
                    .check("/sla/due_at", json!("2026-11-25T18:59:59Z")),
                step("2026-11-22T13:31:00Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/_sweep/escalated", json!(0))
                    .check("/_sweep/breaches", json!(0)),
                // A late answer is still recorded.
                step("2026-11-22T14:00:00Z", Seller, act_with("respond", json!({"body": "Готовы заменить товар", "proposed_resolution": "replacement"})), 200, "submitted")
                    .check("/seller_responded_at", json!("2026-11-22T14:00:00Z")),
                step("2026-11-22T15:00:00Z", Buyer, Do::Dossier, 200, "submitted")
                    .check("/breaches/0/sla", json!("seller_response"))
                    .check("/breaches/0/due_at", json!("2026-11-22T13:30:00Z")),
            ],
        ),
        (
            "a seller that answers in time keeps the case",
            vec![
                step(FILED, Buyer, seller("defective"), 201, "submitted"),
                step("2026-11-21T09:00:00Z", Seller, act_with("respond", json!({"body": "Примем товар на диагностику"})), 200, "submitted")
                    .check("/seller_responded_at", json!("2026-11-21T09:00:00Z"))
                    .check("/sla/due_at", json!("2026-11-25T18:59:59Z")),
                step("2026-11-21T09:05:00Z", Seller, act_with("respond", json!({"body": "Ещё раз"})), 409, "invalid_transition")
                    .check("/allowed_actions", json!(["request_info", "post_message"])),
                step("2026-11-22T13:30:01Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/escalated_at", Value::Null)
                    .check("/_sweep/breaches", json!(0)),
            ],
        ),
        (
            "one appeal, decided by another moderator",
            vec![
                step(FILED, Buyer, courier("damaged_in_delivery"), 201, "submitted"),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged"),
                step("2026-11-24T06:00:00Z", Mod1, resolve(), 200, "resolved"),
                step("2026-12-08T06:00:00Z", Buyer, act_with("appeal", json!({"reason": "Сумма не покрывает ущерб"})), 200, "reopened")
                    // Tuesday 11:00 Almaty + 3 business days → Friday 23:59:59.
                    .check("/sla/resolve_by", json!("2026-12-11T18:59:59Z")),
                step("2026-12-09T06:00:00Z", Mod1, resolve(), 403, "appeal_needs_another_moderator"),
                step("2026-12-09T07:00:00Z", Mod2, resolve(), 200, "resolved")
                    .check("/resolution/appeal_until", json!("2026-12-23T07:00:00Z")),
                step("2026-12-09T08:00:00Z", Buyer, act_with("appeal", json!({"reason": "Снова"})), 409, "already_appealed"),
            ],
        ),
        (
            "the appeal window closes to the second; the sweep closes the case",
            vec![
                step(FILED, Buyer, courier("delivery_delay"), 201, "submitted"),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged"),
                step("2026-11-24T06:00:00Z", Mod1, resolve(), 200, "resolved"),
                step("2026-12-08T06:00:01Z", Buyer, act_with("appeal", json!({"reason": "Поздно"})), 422, "appeal_window_closed"),
                step("2026-12-08T06:00:00Z", Mod1, Do::Sweep, 200, "resolved").check("/_sweep/closed", json!(0)),
                step("2026-12-08T06:00:01Z", Mod1, Do::Sweep, 200, "closed").check("/_sweep/closed", json!(1)),
            ],
        ),
        (
            "withdrawn before a decision; nothing is open afterwards",
            vec![
                step(FILED, Buyer, seller("staff_misconduct"), 201, "submitted"),
                step("2026-11-21T08:00:00Z", Buyer, act("withdraw"), 200, "withdrawn")
                    .check("/sla/due_at", Value::Null)
                    .check("/allowed_actions", json!([])),
                step("2026-11-21T09:00:00Z", Buyer, act("accept"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-23T00:00:00Z", Mod1, Do::Sweep, 200, "withdrawn")
                    .check("/_sweep/escalated", json!(0)),
            ],
        ),
        (
            "the buyer escalates after 2 business days without a public reply, once",
            vec![
                step(FILED, Buyer, courier("courier_unreachable"), 201, "submitted"),
                step("2026-11-24T18:59:59Z", Buyer, act("escalate"), 422, "escalation_not_yet_allowed")
                    .check("/available_at", json!("2026-11-24T18:59:59Z")),
                step("2026-11-24T19:00:00Z", Buyer, act("escalate"), 200, "submitted")
                    .check("/escalated_at", json!("2026-11-24T19:00:00Z")),
                step("2026-11-24T19:01:00Z", Buyer, act("escalate"), 409, "already_escalated"),
            ],
        ),
        (
            "acknowledgement and resolution breaches are recorded once each",
            vec![
                step(FILED, Buyer, courier("delivery_delay"), 201, "submitted"),
                step("2026-11-25T18:59:59Z", Mod1, Do::Sweep, 200, "submitted").check("/_sweep/breaches", json!(0)),
                step("2026-11-25T19:00:00Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/_sweep/breaches", json!(2))
                    .check("/sla/overdue", json!(true)),
                step("2026-11-26T00:00:00Z", Mod1, Do::Sweep, 200, "submitted").check("/_sweep/breaches", json!(0)),
                step("2026-11-26T01:00:00Z", Buyer, Do::Dossier, 200, "submitted")
                    .check("/breaches/0/sla", json!("acknowledge"))
                    .check("/breaches/1/sla", json!("resolution")),
            ],
        ),
    ];
    for (name, steps) in paths {
        walk(name, steps).await;
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

#[actix_web::test]
async fn filing_rules_windows_and_eligibility() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let delivered = at(FILED);
    app.clock.set(delivered - TimeDelta::days(3));
    let body = order_body(
        &cast.buyer.id,
        cast.shop(),
        delivered - TimeDelta::days(2),
        Some(delivered),
    );
    let order = app.put_order(&cast.service, "F-1", body.clone()).await;
    let order_id = order.body["id"].as_str().unwrap().to_string();
    let mut intercity = body.clone();
    intercity["delivery"]["type"] = json!("intercity");
    let far = app.put_order(&cast.service, "F-2", intercity).await;
    let far_id = far.body["id"].as_str().unwrap().to_string();
    let pending = app
        .put_order(
            &cast.service,
            "F-3",
            order_body(
                &cast.buyer.id,
                cast.shop(),
                delivered - TimeDelta::days(2),
                None,
            ),
        )
        .await;
    let pending_id = pending.body["id"].as_str().unwrap().to_string();
    let file = |order: &str, target: &str, category: &str| {
        json!({"order_id": order, "target": target, "category": category,
               "description": "Коробка пришла мятая, экран треснул"})
    };

    // (instant, order, target, category, status, code)
    let cases: Vec<(&str, &str, &str, &str, u16, &str)> = vec![
        (
            "2026-11-30T13:30:00Z",
            &order_id,
            "courier",
            "damaged_in_delivery",
            201,
            "",
        ),
        (
            "2026-11-30T13:30:01Z",
            &order_id,
            "courier",
            "damaged_in_delivery",
            422,
            "complaint_window_closed",
        ),
        (
            "2027-01-04T13:30:00Z",
            &far_id,
            "courier",
            "damaged_in_delivery",
            201,
            "",
        ),
        (
            "2027-01-04T13:30:01Z",
            &far_id,
            "courier",
            "damaged_in_delivery",
            422,
            "complaint_window_closed",
        ),
        (
            "2027-02-18T13:30:00Z",
            &order_id,
            "seller",
            "defective",
            201,
            "",
        ),
        (
            "2027-02-18T13:30:01Z",
            &order_id,
            "seller",
            "fraud",
            422,
            "complaint_window_closed",
        ),
        (
            "2026-11-21T00:00:00Z",
            &pending_id,
            "courier",
            "damaged_in_delivery",
            422,
            "order_not_delivered",
        ),
        // Undelivered: 90 days from the promised date (placed + 2 days = the delivery instant).
        (
            "2027-02-18T13:30:00Z",
            &pending_id,
            "courier",
            "delivery_delay",
            201,
            "",
        ),
        (
            "2026-11-21T00:00:00Z",
            &order_id,
            "courier",
            "fraud",
            422,
            "validation_failed",
        ),
        (
            "2026-11-21T00:00:00Z",
            "no-such-order",
            "courier",
            "other",
            404,
            "not_found",
        ),
    ];
    for (now, order, target, category, status, code) in cases {
        app.clock.set(at(now));
        let r = app
            .post(
                "/api/v1/complaints",
                Some(&cast.buyer.token),
                file(order, target, category),
            )
            .await;
        if status == 201 {
            assert_eq!(r.status, 201, "{now} {category}: {}", r.body);
            // Withdraw so the duplicate rule does not interfere with the next row.
            let id = r.body["id"].as_str().unwrap();
            let w = app
                .call(
                    actix_web::http::Method::POST,
                    &format!("/api/v1/complaints/{id}/withdraw"),
                    Some(&cast.buyer.token),
                    None,
                )
                .await;
            assert_eq!(w.status, 200, "{}", w.body);
        } else {
            r.assert_problem(status, code);
        }
    }

    app.clock.set(at("2026-11-21T00:00:00Z"));
    // Field rules, all reported at once.
    let r = app
        .post(
            "/api/v1/complaints",
            Some(&cast.buyer.token),
            json!({"order_id": order_id, "target": "courier", "category": "fraud", "description": "  коротко  ",
                   "contact": {"phone": "12345", "email": "not-mail"}}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields = r.field_errors();
    for expected in [
        ("category", "not_for_target"),
        ("contact.email", "email"),
        ("contact.phone", "phone"),
        ("description", "length"),
    ] {
        assert!(
            fields.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{fields:?}"
        );
    }
    let r = app
        .post(
            "/api/v1/complaints",
            Some(&cast.buyer.token),
            json!({"order_id": order_id, "target": "drone"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");

    // Someone else's order does not exist for the caller; sellers cannot file.
    let r = app
        .post(
            "/api/v1/complaints",
            Some(&cast.other_buyer.token),
            file(&order_id, "courier", "other"),
        )
        .await;
    r.assert_problem(404, "not_found");
    let r = app
        .post(
            "/api/v1/complaints",
            Some(&cast.seller.token),
            file(&order_id, "courier", "other"),
        )
        .await;
    r.assert_problem(403, "forbidden");

    // Evidence must be the buyer's own upload; the contact defaults to the account's.
    let foreign = upload(&app, &cast.other_buyer.token, PNG).await;
    let mut with_foreign = file(&order_id, "courier", "other");
    with_foreign["attachment_ids"] = json!([foreign]);
    app.post("/api/v1/complaints", Some(&cast.buyer.token), with_foreign)
        .await
        .assert_problem(422, "invalid_attachment");
    let own = upload(&app, &cast.buyer.token, PNG).await;
    let mut ok = file(&order_id, "courier", "other");
    ok["attachment_ids"] = json!([own]);
    let r = app
        .post("/api/v1/complaints", Some(&cast.buyer.token), ok.clone())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["contact"],
        json!({"phone": "+77015554412", "email": "buyer@example.kz"})
    );
    // One open complaint per order, target and category.
    app.post("/api/v1/complaints", Some(&cast.buyer.token), ok)
        .await
        .assert_problem(409, "complaint_already_open");

    // The order tells the app until when a complaint is possible.
    let view = app
        .get(
            &format!("/api/v1/orders/{order_id}"),
            Some(&cast.buyer.token),
        )
        .await;
    assert_eq!(
        view.body["items"][0]["eligibility"]["complaint"],
        json!({"allowed": true, "until": "2027-02-18T13:30:00Z"})
    );
    app.clock.set(at("2027-02-18T13:30:01Z"));
    let view = app
        .get(
            &format!("/api/v1/orders/{order_id}"),
            Some(&cast.buyer.token),
        )
        .await;
    assert_eq!(
        view.body["items"][0]["eligibility"]["complaint"],
        json!({"allowed": false, "reason_code": "complaint_window_closed"})
    );
    let seller_view = app
        .get(
            &format!("/api/v1/orders/{order_id}"),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(
        seller_view.body["items"][0]["eligibility"]["complaint"]["reason_code"],
        "not_order_buyer"
    );
}

#[actix_web::test]
async fn numbers_are_sequential_per_year() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let (_, first) = filed(&app, &cast, "N-1", "courier", "other").await;
    let (_, second) = filed(&app, &cast, "N-2", "seller", "other").await;
    assert_eq!(first["number"], "C-2026-000001");
    assert_eq!(second["number"], "C-2026-000002");
    // The year is the Almaty one: 2026-12-31 19:00Z is already 1 January 2027 there.
    app.clock.set(at("2026-12-31T19:00:00Z"));
    let (_, third) = filed(&app, &cast, "N-3", "courier", "other").await;
    assert_eq!(third["number"], "C-2027-000001");
}

/// Every route, every kind of caller: 401 without a token, 403 for a role that may never
/// act, 404 for a caller who is not a party, and through for the party.
#[actix_web::test]
async fn authorisation_for_every_route_and_role() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let (order_id, case) = filed(&app, &cast, "A-1", "seller", "defective").await;
    let id = case["id"].as_str().unwrap().to_string();
    let (_, courier_case) = filed(&app, &cast, "A-2", "courier", "other").await;
    let courier_id = courier_case["id"].as_str().unwrap().to_string();

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
    // (method, path, body, roles allowed by role) — parties are checked separately.
    let routes: Vec<(&str, String, Value, &[&str])> = vec![
        (
            "GET",
            "/api/v1/complaints".into(),
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
            "GET",
            format!("/api/v1/complaints/{id}"),
            Value::Null,
            &["buyer", "seller", "moderator"],
        ),
        (
            "GET",
            format!("/api/v1/complaints/{id}/dossier"),
            Value::Null,
            &["buyer", "seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "Здравствуйте"}),
            &["buyer", "seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/acknowledge"),
            Value::Null,
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/respond"),
            json!({"body": "Ответ"}),
            &["seller"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/request-info"),
            json!({"question": "?"}),
            &["seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/provide-info"),
            json!({"body": "!"}),
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/assign"),
            json!({"moderator_id": cast.moderator.id}),
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/track"),
            json!({"track": "complex"}),
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/extend"),
            json!({"reason": "r", "resolve_by": "2027-01-01T00:00:00Z"}),
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/resolve"),
            json!({"outcome": "rejected", "remedy": {"kind": "none"}, "explanation": "e"}),
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/accept"),
            Value::Null,
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/appeal"),
            json!({"reason": "r"}),
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/escalate"),
            Value::Null,
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/withdraw"),
            Value::Null,
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/external-escalations"),
            json!({"authority": "court", "reference": "2-1234/2026"}),
            &["buyer"],
        ),
    ];
    let role_of = |name: &str| name.trim_start_matches("other_").to_string();
    for (method, path, body, parties) in &routes {
        for (name, token) in &who {
            let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
            let body = (!body.is_null()).then(|| body.clone());
            let r = app.call(method.clone(), path, *token, body).await;
            let role_may = parties.iter().any(|p| role_of(p) == role_of(name));
            let label = format!("{name} {method} {path}: {}", r.body);
            match (name, token) {
                (_, None) => r.assert_problem(401, "unauthenticated"),
                (&"service", _) => r.assert_problem(403, "forbidden"),
                _ if !role_may => r.assert_problem(403, "forbidden"),
                _ if !parties.contains(name) => r.assert_problem(404, "not_found"),
                // A party gets through the guards: success, or a rule of the case.
                _ => assert!(
                    r.status.is_success() || [409, 422].contains(&r.status.as_u16()),
                    "{label}"
                ),
            }
        }
    }
    // The shop's seller is no party to a courier case.
    app.get(
        &format!("/api/v1/complaints/{courier_id}"),
        Some(&cast.seller.token),
    )
    .await
    .assert_problem(404, "not_found");
    // Internal notes are the moderators'.
    app.post(
        &format!("/api/v1/complaints/{courier_id}/messages"),
        Some(&cast.buyer.token),
        json!({"body": "x", "internal": true}),
    )
    .await
    .assert_problem(403, "forbidden");
    let _ = order_id;
}

#[actix_web::test]
async fn privacy_internal_notes_and_evidence() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    let order = app
        .delivered_order(&cast.service, "P-1", &cast.buyer, cast.shop(), 1)
        .await;
    let r = app
        .post(
            "/api/v1/complaints",
            Some(&cast.buyer.token),
            json!({"order_id": order["id"], "target": "seller", "category": "defective",
                   "description": "Телефон не включается после зарядки",
                   "contact": {"phone": "8 (701) 123-45-12"}, "attachment_ids": [photo]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/complaints/{id}");

    // The seller sees the buyer masked; no e-mail.
    let seen = app.get(&base, Some(&cast.seller.token)).await;
    assert_eq!(seen.body["buyer"]["name"], "Айгерим Н.");
    assert_eq!(
        seen.body["contact"],
        json!({"phone": "+7 7** *** ** 12", "email": null})
    );
    let mine = app.get(&base, Some(&cast.buyer.token)).await;
    assert_eq!(mine.body["buyer"]["name"], "Айгерим Нурланова");
    assert_eq!(mine.body["contact"]["phone"], "+77011234512");

    // A moderator's internal note and its file stay with the moderators.
    let note_file = upload(&app, &cast.moderator.token, PNG).await;
    let r = app
        .post(
            &format!("{base}/messages"),
            Some(&cast.moderator.token),
            json!({"body": "Проверить продавца", "internal": true, "attachment_ids": [note_file]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            &format!("{base}/acknowledge"),
            Some(&cast.moderator.token),
            json!(null),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for token in [&cast.buyer.token, &cast.seller.token] {
        let view = app.get(&base, Some(token)).await;
        let kinds: Vec<&str> = view.body["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["filed", "acknowledged"], "{}", view.body);
        // Moderators appear by display name only.
        let actor = &view.body["timeline"][1]["actor"];
        assert_eq!(actor, &json!({"role": "moderator", "name": "Мадина С."}));
        app.get(&format!("/api/v1/attachments/{note_file}"), Some(token))
            .await
            .assert_problem(404, "not_found");
        let dossier = app.get(&format!("{base}/dossier"), Some(token)).await;
        assert_eq!(
            dossier.body["evidence"].as_array().unwrap().len(),
            1,
            "{}",
            dossier.body
        );
    }
    let full = app.get(&base, Some(&cast.moderator.token)).await;
    assert_eq!(full.body["timeline"].as_array().unwrap().len(), 3);
    assert_eq!(full.body["timeline"][1]["audience"], "internal");
    assert_eq!(
        full.body["timeline"][2]["actor"]["id"],
        json!(cast.moderator.id)
    );

    // The buyer's evidence is readable by the case's seller, not by another shop.
    let file = app
        .get(
            &format!("/api/v1/attachments/{photo}"),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(file.status, 200);
    app.get(
        &format!("/api/v1/attachments/{photo}"),
        Some(&cast.other_seller.token),
    )
    .await
    .assert_problem(404, "not_found");

    // The dossier lists the evidence with its checksum and the whole public timeline.
    let dossier = app
        .get(&format!("{base}/dossier"), Some(&cast.buyer.token))
        .await;
    assert_eq!(dossier.status, 200, "{}", dossier.body);
    let sha = app
        .get(
            &format!("/api/v1/attachments/{photo}"),
            Some(&cast.buyer.token),
        )
        .await;
    assert_eq!(dossier.body["evidence"][0]["id"], json!(photo));
    assert_eq!(
        dossier.body["evidence"][0]["sha256"].as_str().unwrap(),
        sha.headers
            .get("etag")
            .unwrap()
            .to_str()
            .unwrap()
            .trim_matches('"')
    );
    assert_eq!(dossier.body["order"]["external_id"], "P-1");
    assert_eq!(dossier.body["parties"]["shop_name"], "Shop of Данияр Беков");
    assert_eq!(
        dossier.body["complaint"]["timeline"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[actix_web::test]
async fn every_public_step_notifies_the_other_parties() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let (_, case) = filed(&app, &cast, "NT-1", "seller", "not_as_described").await;
    let base = format!("/api/v1/complaints/{}", case["id"].as_str().unwrap());
    assert_eq!(
        app.notification_kinds(&cast.seller.token).await,
        ["complaint_filed"]
    );
    assert!(app
        .notification_kinds(&cast.other_seller.token)
        .await
        .is_empty());
    let r = app
        .post(
            &format!("{base}/respond"),
            Some(&cast.seller.token),
            json!({"body": "Заменим"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            &format!("{base}/assign"),
            Some(&cast.moderator.token),
            json!({"moderator_id": cast.moderator2.id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["assignee"]["id"], json!(cast.moderator2.id));
    let r = app
        .post(
            &format!("{base}/extend"),
            Some(&cast.moderator2.token),
            json!({"reason": "Экспертиза", "resolve_by": "2026-12-20T12:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let buyer = app.notification_kinds(&cast.buyer.token).await;
    assert_eq!(
        buyer[..2],
        ["complaint_extended", "complaint_seller_responded"]
    );
    // The assignee hears of the assignment and of public steps by others.
    assert_eq!(
        app.notification_kinds(&cast.moderator2.token).await,
        ["complaint_assigned"]
    );
    let r = app
        .post(
            &format!("{base}/messages"),
            Some(&cast.buyer.token),
            json!({"body": "Жду замену"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        app.notification_kinds(&cast.moderator2.token).await[0],
        "complaint_message"
    );
    assert_eq!(
        app.notification_kinds(&cast.seller.token).await[0],
        "complaint_message"
    );
    // Read in English.
    let feed = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/api/v1/notifications")
                .insert_header(("Authorization", format!("Bearer {}", cast.buyer.token)))
                .insert_header(("Accept-Language", "en")),
        )
        .await;
    assert_eq!(feed.body["items"][0]["title"], "Deadline extended");
}

#[actix_web::test]
async fn lists_filter_and_page_by_role_and_the_queue_orders_by_deadline() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    app.clock.set(at(FILED));
    let (_, a) = filed(&app, &cast, "L-1", "courier", "delivery_delay").await;
    app.clock.set(at(FILED) + TimeDelta::hours(1));
    let (_, b) = filed(&app, &cast, "L-2", "seller", "defective").await;
    app.clock.set(at(FILED) + TimeDelta::hours(2));
    let (_, c) = filed(&app, &cast, "L-3", "seller", "fraud").await;
    let ids = |r: &Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_str().unwrap().to_string())
            .collect()
    };
    let (na, nb, nc) = (
        a["number"].as_str().unwrap(),
        b["number"].as_str().unwrap(),
        c["number"].as_str().unwrap(),
    );

    let all = app.get("/api/v1/complaints", Some(&cast.buyer.token)).await;
    assert_eq!(ids(&all), [nc, nb, na]);
    let page1 = app
        .get("/api/v1/complaints?limit=2", Some(&cast.buyer.token))
        .await;
    assert_eq!(ids(&page1), [nc, nb]);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/complaints?limit=2&cursor={cursor}"),
            Some(&cast.buyer.token),
        )
        .await;
    assert_eq!(ids(&page2), [na]);
    assert!(page2.body["next_cursor"].is_null());
    assert!(ids(&app
        .get("/api/v1/complaints", Some(&cast.other_buyer.token))
        .await)
    .is_empty());
    // Sellers see their shop's seller cases, never courier ones.
    assert_eq!(
        ids(&app
            .get("/api/v1/complaints", Some(&cast.seller.token))
            .await),
        [nc, nb]
    );
    assert!(ids(&app
        .get("/api/v1/complaints", Some(&cast.other_seller.token))
        .await)
    .is_empty());
    let m = &cast.moderator.token;
    assert_eq!(
        ids(&app.get("/api/v1/complaints?target=courier", Some(m)).await),
        [na]
    );
    assert_eq!(
        ids(&app.get("/api/v1/complaints?category=fraud", Some(m)).await),
        [nc]
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/complaints?status=submitted", Some(m))
            .await),
        [nc, nb, na]
    );
    assert!(ids(&app.get("/api/v1/complaints?status=resolved", Some(m)).await).is_empty());
    // Seller cases are due first (48 h), the later-filed one later.
    app.clock.set(at("2026-11-22T14:30:00Z"));
    assert!(ids(&app.get("/api/v1/complaints?overdue=true", Some(m)).await).is_empty());
    app.clock.set(at("2026-11-22T14:30:01Z"));
    assert_eq!(
        ids(&app.get("/api/v1/complaints?overdue=true", Some(m)).await),
        [nb]
    );
    app.clock.set(at("2026-11-22T14:30:00Z"));
    app.get("/api/v1/complaints?status=lost", Some(m))
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/complaints?limit=0", Some(m))
        .await
        .assert_problem(422, "validation_failed");

    let queue = app
        .get("/api/v1/moderation/queue?kind=complaint", Some(m))
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let order: Vec<(&str, &str)> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["detail"]["number"].as_str().unwrap(),
                i["due_at"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            (nb, "2026-11-22T14:30:00Z"),
            (nc, "2026-11-22T15:30:00Z"),
            (na, "2026-11-25T18:59:59Z"),
        ]
    );
    assert_eq!(queue.body["items"][0]["kind"], "complaint");
    assert_eq!(queue.body["items"][0]["overdue"], false);
    assert!(queue.body["items"][0].get("review_id").is_none());
    // A case waiting on the buyer is not the moderators' work once they acknowledged it…
    let a_path = format!("/api/v1/complaints/{}", a["id"].as_str().unwrap());
    let r = app
        .post(&format!("{a_path}/acknowledge"), Some(m), json!(null))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            &format!("{a_path}/request-info"),
            Some(m),
            json!({"question": "Когда курьер звонил?"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // …but a seller's question does not take an unacknowledged case off the queue.
    let b_path = format!("/api/v1/complaints/{}", b["id"].as_str().unwrap());
    let r = app
        .post(
            &format!("{b_path}/request-info"),
            Some(&cast.seller.token),
            json!({"question": "Какой цвет заказывали?"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "awaiting_buyer");
    let queue = app
        .get("/api/v1/moderation/queue?kind=complaint", Some(m))
        .await;
    let numbers: Vec<&str> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["detail"]["number"].as_str().unwrap())
        .collect();
    // The question was b's seller response: its nearest deadline is now the acknowledgement.
    assert_eq!(numbers, [nc, nb]);
    let everything = app.get("/api/v1/moderation/queue", Some(m)).await;
    assert_eq!(everything.body["items"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn resolutions_check_remedies_against_the_order() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let (_, case) = filed(&app, &cast, "R-1", "seller", "defective").await;
    let base = format!("/api/v1/complaints/{}", case["id"].as_str().unwrap());
    let m = Some(cast.moderator.token.as_str());
    assert_eq!(
        app.post(&format!("{base}/acknowledge"), m, json!(null))
            .await
            .status,
        200
    );
    let resolve = |outcome: &str, remedy: Value| json!({"outcome": outcome, "remedy": remedy, "explanation": "Решение"});
    let cases = [
        (
            resolve("upheld", json!({"kind": "refund", "amount": 157001})),
            "remedy.amount",
            "exceeds_order_total",
        ),
        (
            resolve("partially_upheld", json!({"kind": "partial_refund"})),
            "remedy.amount",
            "required",
        ),
        (
            resolve("upheld", json!({"kind": "redelivery", "amount": 10})),
            "remedy.amount",
            "not_allowed",
        ),
        (
            resolve("rejected", json!({"kind": "compensation", "amount": 10})),
            "remedy.kind",
            "rejected_needs_none",
        ),
        (
            resolve("upheld", json!({"kind": "refund", "amount": 0})),
            "remedy.amount",
            "range",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post(&format!("{base}/resolve"), m, body).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            r.field_errors(),
            [(field.to_string(), code.to_string())],
            "{}",
            r.body
        );
    }
    let r = app
        .post(
            &format!("{base}/resolve"),
            m,
            resolve(
                "partially_upheld",
                json!({"kind": "partial_refund", "amount": 20000}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["resolution"]["remedy"],
        json!({"kind": "partial_refund", "amount": {"amount": 20000, "currency": "KZT"}})
    );
    assert_eq!(
        r.body["resolution"]["decided_by"]["id"],
        json!(cast.moderator.id)
    );
    // The buyer sees who decided by display name only.
    let seen = app.get(&base, Some(&cast.buyer.token)).await;
    assert_eq!(
        seen.body["resolution"]["decided_by"],
        json!({"role": "moderator", "name": "Мадина С."})
    );
    assert_eq!(
        seen.body["allowed_actions"],
        json!([
            "accept",
            "appeal",
            "record_external_escalation",
            "post_message"
        ])
    );
    // A second decision is a conflict.
    app.post(
        &format!("{base}/resolve"),
        m,
        resolve("rejected", json!({"kind": "none"})),
    )
    .await
    .assert_problem(409, "invalid_transition");
    // Assigning to someone who is no moderator is refused.
    let (_, other) = filed(&app, &cast, "R-2", "courier", "other").await;
    let r = app
        .post(
            &format!(
                "/api/v1/complaints/{}/assign",
                other["id"].as_str().unwrap()
            ),
            m,
            json!({"moderator_id": cast.seller.id}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.field_errors(),
        [("moderator_id".to_string(), "not_a_moderator".to_string())]
    );
}
