//! The order in which a request is refused: authentication (401), then the role (403) and the
//! target's existence for the caller (404), then the body (400/415/422), then the
//! `Idempotency-Key` store — which is scoped per caller and keeps only what ran.
use crate::helpers::*;
use actix_web::http::header;
use actix_web::test::TestRequest;
use serde_json::{json, Value};

fn post_raw(path: &str, token: Option<&str>, key: Option<&str>, body: &str) -> TestRequest {
    let mut req = TestRequest::post()
        .uri(path)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(body.to_string());
    if let Some(t) = token {
        req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
    }
    if let Some(k) = key {
        req = req.insert_header(("Idempotency-Key", k));
    }
    req
}

#[actix_web::test]
async fn the_role_is_checked_before_the_body() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let nobody = "01900000-0000-7000-8000-000000000000";
    // A buyer on moderator and integration routes, with no body, a broken one and a wrong one.
    for path in [
        format!("/api/v1/moderation/reviews/{nobody}/decision"),
        format!("/api/v1/moderation/flags/{nobody}/decision"),
        format!("/api/v1/moderation/appeals/{nobody}/decision"),
        format!("/api/v1/integration/returns/{nobody}/picked-up"),
        format!("/api/v1/complaints/{nobody}/resolve"),
        format!("/api/v1/returns/{nobody}/refund"),
        "/api/v1/integration/orders/EXT-1".to_string(),
    ] {
        for body in ["", "{", "{}", r#"{"unknown": 1}"#] {
            let method = if path.contains("integration/orders") {
                actix_web::http::Method::PUT
            } else {
                actix_web::http::Method::POST
            };
            let r = app
                .send(post_raw(&path, Some(&cast.buyer.token), None, body).method(method))
                .await;
            r.assert_problem(403, "forbidden");
        }
    }
    // Without a token, 401 whatever the body.
    let r = app
        .send(post_raw("/api/v1/complaints", None, None, "{"))
        .await;
    r.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn a_missing_target_is_404_whatever_the_body() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let nobody = "01900000-0000-7000-8000-000000000000";
    let cases: Vec<(String, &str)> = vec![
        (
            format!("/api/v1/complaints/{nobody}/resolve"),
            &cast.moderator.token,
        ),
        (
            format!("/api/v1/complaints/{nobody}/messages"),
            &cast.buyer.token,
        ),
        (
            format!("/api/v1/returns/{nobody}/reject"),
            &cast.seller.token,
        ),
        (
            format!("/api/v1/returns/{nobody}/dispute"),
            &cast.buyer.token,
        ),
        (
            format!("/api/v1/moderation/reviews/{nobody}/decision"),
            &cast.moderator.token,
        ),
        (
            format!("/api/v1/moderation/flags/{nobody}/decision"),
            &cast.moderator.token,
        ),
        (
            format!("/api/v1/moderation/appeals/{nobody}/decision"),
            &cast.moderator.token,
        ),
        (
            format!("/api/v1/reviews/{nobody}/flags"),
            &cast.seller.token,
        ),
        (
            format!("/api/v1/reviews/{nobody}/appeal"),
            &cast.buyer.token,
        ),
        (
            format!("/api/v1/orders/{nobody}/messages"),
            &cast.buyer.token,
        ),
        (
            format!("/api/v1/orders/{nobody}/delivery-failure/choice"),
            &cast.buyer.token,
        ),
        (
            format!("/api/v1/integration/returns/{nobody}/picked-up"),
            &cast.service,
        ),
    ];
    for (path, token) in &cases {
        for body in ["{", "{}", "[]"] {
            let r = app.send(post_raw(path, Some(token), None, body)).await;
            r.assert_problem(404, "not_found");
        }
    }
    // Someone else's return is missing for the caller too.
    let ret = app.changed_mind_return(&cast, "EXT-9").await;
    let path = format!("/api/v1/returns/{ret}/reject");
    let r = app
        .send(post_raw(&path, Some(&cast.other_seller.token), None, "{}"))
        .await;
    r.assert_problem(404, "not_found");
    // The shop's own seller gets the body's error.
    let r = app
        .send(post_raw(&path, Some(&cast.seller.token), None, "{}"))
        .await;
    r.assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn anonymous_requests_have_no_idempotency_scope() {
    let app = TestApp::spawn().await;
    let a = r#"{"order_id": "x", "target": "seller"}"#;
    let b = r#"{"order_id": "y", "target": "courier"}"#;
    for body in [a, b] {
        let r = app
            .send(post_raw(
                "/api/v1/complaints",
                None,
                Some("shared-key"),
                body,
            ))
            .await;
        r.assert_problem(401, "unauthenticated");
    }
    let r = app
        .send(post_raw(
            "/api/v1/complaints",
            Some("not-a-token"),
            Some("shared-key"),
            a,
        ))
        .await;
    r.assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn a_refused_request_keeps_no_key_and_can_be_corrected() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "I-1", 1).await;
    let bad: Value = json!({"order_item_id": item, "rating": 9});
    let good: Value = json!({"order_item_id": item, "rating": 5, "text": "Отлично"});
    let send = |body: &Value| {
        post_raw(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            Some("review-once"),
            &body.to_string(),
        )
    };
    app.send(send(&bad))
        .await
        .assert_problem(422, "validation_failed");
    let first = app.send(send(&good)).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let replay = app.send(send(&good)).await;
    assert_eq!(replay.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(replay.body, first.body);
    app.send(send(&bad))
        .await
        .assert_problem(422, "idempotency_key_reused");
}
