//! Requesting: the windows per reason, quantities and evidence, excluded categories, and the
//! eligibility the order shows.
use super::*;

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
