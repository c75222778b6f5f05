//! A failed delivery: the second failed attempt (`returned_to_seller`, or the count while in transit) opens the buyer's
//! choice; a refund choice is due within 1 hour, checked to the second on both backends.
use crate::helpers::*;
use crate::returns::{at, EARLY};
use aftersale::jobs::sweeper::sweep;
use chrono::TimeDelta;
use serde_json::{json, Value};

/// An order that came back after two failed attempts, synced at `when`; returns its id.
async fn returned_order(app: &TestApp, cast: &Cast, external_id: &str, when: &str) -> String {
    app.clock.set(at(when));
    let placed = at(when) - TimeDelta::days(3);
    let mut body = order_body(&cast.buyer.id, cast.shop(), placed, None);
    body["delivery"]["failed_attempts"] = json!(1);
    let first = app
        .put_order(&cast.service, external_id, body.clone())
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body.get("delivery_failure"), None);
    body["delivery"]["failed_attempts"] = json!(2);
    body["delivery"]["status"] = json!("returned_to_seller");
    let r = app.put_order(&cast.service, external_id, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn refund_choice_is_due_within_the_hour() {
    let app = TestApp::spawn().await;
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let order = returned_order(&app, &cast, "F-1", "2026-11-20T08:00:00Z").await;
    let path = format!("/api/v1/orders/{order}");
    let buyer = Some(cast.buyer.token.as_str());
    let seen = app.get(&path, buyer).await;
    assert_eq!(
        seen.body["delivery_failure"],
        json!({"order_id": order, "status": "awaiting_choice", "opened_at": "2026-11-20T08:00:00Z",
               "choice": null, "chosen_at": null, "refund_due_by": null,
               "refund": null, "overdue": false, "allowed_actions": ["choose"], "breaches": []})
    );
    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"order_returned_to_seller".to_string()));

    app.clock.set(at("2026-11-20T09:15:30Z"));
    let choice = format!("{path}/delivery-failure/choice");
    app.post(&choice, buyer, json!({"choice": "cash"}))
        .await
        .assert_problem(422, "validation_failed");
    let r = app.post(&choice, buyer, json!({"choice": "refund"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "refund_pending");
    assert_eq!(r.body["refund_due_by"], "2026-11-20T10:15:30Z");
    assert_eq!(r.body["allowed_actions"], json!([]));
    app.post(&choice, buyer, json!({"choice": "redelivery"}))
        .await
        .assert_problem(409, "already_chosen");
    assert!(app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"delivery_failure_refund".to_string()));
    let seller_view = app.get(&path, Some(&cast.seller.token)).await;
    assert_eq!(
        seller_view.body["delivery_failure"]["allowed_actions"],
        json!(["refund"])
    );

    let run_sweep = |when: &str| {
        app.clock.set(at(when));
        let now = app.clock.now_utc();
        app.state
            .db
            .run(|c| sweep(c, &app.state.policy, now))
            .unwrap()
            .delivery_failures
            .breaches
    };
    assert_eq!(run_sweep("2026-11-20T10:15:30Z"), 0);
    assert_eq!(run_sweep("2026-11-20T10:15:31Z"), 1);
    assert_eq!(run_sweep("2026-11-20T10:20:00Z"), 0);
    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"delivery_failure_sla_breached".to_string()));
    let overdue = app.get(&path, buyer).await;
    assert_eq!(overdue.body["delivery_failure"]["overdue"], true);

    let refund = format!("{path}/delivery-failure/refund");
    let r = app
        .post(&refund, Some(&cast.service), json!({"amount": 157001}))
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("amount".into(), "exceeds_order_total".into())]
    );
    let r = app
        .post(&refund, Some(&cast.service), json!({"amount": 157000}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "refunded");
    assert_eq!(
        r.body["refund"],
        json!({"amount": {"amount": 157000, "currency": "KZT"},
               "refunded_at": "2026-11-20T10:20:00Z"})
    );
    assert_eq!(r.body["overdue"], false);
    assert_eq!(
        r.body["breaches"],
        json!([{"sla": "failed_delivery_refund", "due_at": "2026-11-20T10:15:30Z",
                "recorded_at": "2026-11-20T10:15:31Z"}])
    );
    app.post(&refund, Some(&cast.seller.token), json!({"amount": 1}))
        .await
        .assert_problem(409, "invalid_transition");
    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"delivery_failure_refunded".to_string()));
    // One breach, recorded once.
    let breaches = app
        .state
        .db
        .run(|c| aftersale::db::orders::breaches(c, &order))
        .unwrap();
    assert_eq!(breaches.len(), 1);
    assert_eq!(breaches[0].sla, "failed_delivery_refund");
}

#[actix_web::test]
async fn a_refund_made_in_time_and_redelivery_owe_nothing() {
    let app = TestApp::spawn().await;
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let on_time = returned_order(&app, &cast, "F-2", "2026-11-20T08:00:00Z").await;
    let redeliver = returned_order(&app, &cast, "F-3", "2026-11-20T08:00:00Z").await;
    let buyer = Some(cast.buyer.token.as_str());
    app.post(
        &format!("/api/v1/orders/{on_time}/delivery-failure/choice"),
        buyer,
        json!({"choice": "refund"}),
    )
    .await;
    app.clock.set(at("2026-11-20T09:00:00Z"));
    let r = app
        .post(
            &format!("/api/v1/orders/{on_time}/delivery-failure/refund"),
            Some(&cast.seller.token),
            json!({"amount": 100000}),
        )
        .await;
    assert_eq!(r.body["status"], "refunded", "{}", r.body);
    let r = app
        .post(
            &format!("/api/v1/orders/{redeliver}/delivery-failure/choice"),
            buyer,
            json!({"choice": "redelivery"}),
        )
        .await;
    assert_eq!(r.body["status"], "redelivery_requested", "{}", r.body);
    assert_eq!(r.body["choice"], "redelivery");
    app.post(
        &format!("/api/v1/orders/{redeliver}/delivery-failure/refund"),
        Some(&cast.service),
        json!({"amount": 1}),
    )
    .await
    .assert_problem(409, "invalid_transition");
    app.clock.set(at("2026-11-21T00:00:00Z"));
    let now = app.clock.now_utc();
    let report = app
        .state
        .db
        .run(|c| sweep(c, &app.state.policy, now))
        .unwrap();
    assert_eq!(report.delivery_failures.breaches, 0);
    for order in [&on_time, &redeliver] {
        let b = app
            .state
            .db
            .run(|c| aftersale::db::orders::breaches(c, order))
            .unwrap();
        assert!(b.is_empty());
    }
    // An order that was delivered has no choice to make.
    let delivered = app
        .delivered_order(&cast.service, "F-4", &cast.buyer, cast.shop(), 1)
        .await;
    let id = delivered["id"].as_str().unwrap();
    assert_eq!(delivered.get("delivery_failure"), None::<&Value>);
    app.post(
        &format!("/api/v1/orders/{id}/delivery-failure/choice"),
        buyer,
        json!({"choice": "refund"}),
    )
    .await
    .assert_problem(409, "invalid_transition");
    // Someone else's order does not exist for the caller.
    app.post(
        &format!("/api/v1/orders/{on_time}/delivery-failure/choice"),
        Some(&cast.other_buyer.token),
        json!({"choice": "refund"}),
    )
    .await
    .assert_problem(404, "not_found");
}

/// The second failed attempt opens the follow-up and makes the order `returned_to_seller` while
/// upstream still says `in_transit` (or `pending`); the return scan that follows opens nothing
/// more and tells nobody twice, and a later sync still saying `in_transit` does not undo it.
#[actix_web::test]
async fn the_second_failed_attempt_opens_the_choice_before_the_return_scan() {
    let app = TestApp::spawn().await;
    app.clock.set(at("2026-11-20T08:00:00Z"));
    let cast = app.cast().await;
    let attempts = app.state.policy.returns.failed_attempts_before_return;
    let placed = at("2026-11-17T08:00:00Z");
    let mut body = order_body(&cast.buyer.id, cast.shop(), placed, None);
    body["delivery"]["failed_attempts"] = json!(attempts - 1);
    let first = app.put_order(&cast.service, "F-3", body.clone()).await;
    assert_eq!(
        first.body["delivery"]["status"], "in_transit",
        "{}",
        first.body
    );
    body["delivery"]["failed_attempts"] = json!(attempts);
    let second = app.put_order(&cast.service, "F-3", body.clone()).await;
    assert_eq!(second.status, 200, "{}", second.body);
    let order = second.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        second.body["delivery"]["status"], "returned_to_seller",
        "decided here from the attempts, whatever status came with them"
    );
    let seen = app
        .get(&format!("/api/v1/orders/{order}"), Some(&cast.buyer.token))
        .await;
    assert_eq!(seen.body["delivery"]["status"], "returned_to_seller");
    assert_eq!(seen.body["delivery_failure"]["status"], "awaiting_choice");
    assert_eq!(
        seen.body["delivery_failure"]["allowed_actions"],
        json!(["choose"])
    );
    let told = |kinds: Vec<String>| {
        kinds
            .iter()
            .filter(|k| *k == "order_returned_to_seller")
            .count()
    };
    assert_eq!(told(app.notification_kinds(&cast.buyer.token).await), 1);
    app.clock.advance(TimeDelta::hours(5));
    let stale = app.put_order(&cast.service, "F-3", body.clone()).await;
    assert_eq!(stale.body["delivery"]["status"], "returned_to_seller");
    body["delivery"]["status"] = json!("pending");
    let pending = app.put_order(&cast.service, "F-3", body.clone()).await;
    assert_eq!(pending.body["delivery"]["status"], "returned_to_seller");
    body["delivery"]["status"] = json!("returned_to_seller");
    app.put_order(&cast.service, "F-3", body).await;
    let seen = app
        .get(&format!("/api/v1/orders/{order}"), Some(&cast.buyer.token))
        .await;
    assert_eq!(
        seen.body["delivery_failure"]["opened_at"], "2026-11-20T08:00:00Z",
        "opened once, at the second attempt"
    );
    assert_eq!(told(app.notification_kinds(&cast.buyer.token).await), 1);
}
