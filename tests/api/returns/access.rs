//! What each party sees and hears (privacy, notifications, lists), and who may do what on
//! every route.
use super::*;

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
