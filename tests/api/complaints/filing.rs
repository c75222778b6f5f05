//! Filing: who may file about what and until when, eligibility shown on the order, numbers.
use super::*;

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
