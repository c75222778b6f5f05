use crate::helpers::*;
use actix_web::http::header;
use actix_web::test::TestRequest;
use serde_json::{json, Value};

fn post(path: &str, token: Option<&str>, key: &str, body: &Value) -> TestRequest {
    let mut req = TestRequest::post()
        .uri(path)
        .insert_header(("Idempotency-Key", key))
        .set_json(body);
    if let Some(t) = token {
        req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
    }
    req
}

#[actix_web::test]
async fn a_repeat_replays_the_first_response_and_does_nothing_twice() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "I-1", 1).await;
    let body = json!({"order_item_id": item, "rating": 5, "text": "Отлично"});
    let first = app
        .send(post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            "rev-1",
            &body,
        ))
        .await;
    assert_eq!(first.status, 201);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let second = app
        .send(post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            "rev-1",
            &body,
        ))
        .await;
    assert_eq!(
        second.status, 201,
        "not 409 already_reviewed: the first response is replayed"
    );
    assert_eq!(second.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(second.body, first.body);
    // Nothing happened twice: one review, one notification.
    let mine = app.get("/api/v1/me/reviews", Some(&cast.buyer.token)).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    // Without the key the same request is a new one.
    app.post("/api/v1/reviews", Some(&cast.buyer.token), body)
        .await
        .assert_problem(409, "already_reviewed");
}

#[actix_web::test]
async fn credentials_are_never_kept_for_replay() {
    let app = TestApp::spawn().await;
    let body =
        json!({"email": "i@example.kz", "password": PASSWORD, "full_name": "I J", "role": "buyer"});
    assert_eq!(
        app.send(post("/api/v1/auth/register", None, "reg-1", &body))
            .await
            .status,
        201
    );
    let again = app
        .send(post("/api/v1/auth/register", None, "reg-1", &body))
        .await;
    again.assert_problem(409, "email_taken");
    let login = json!({"email": "i@example.kz", "password": PASSWORD});
    let a = app
        .send(post("/api/v1/auth/login", None, "login-1", &login))
        .await;
    let b = app
        .send(post("/api/v1/auth/login", None, "login-1", &login))
        .await;
    assert_ne!(
        a.body["refresh_token"], b.body["refresh_token"],
        "each login is a new session"
    );
    let stored: i64 = {
        use diesel::prelude::*;
        let mut conn = app.raw_conn();
        aftersale::db::schema::idempotency_keys::table
            .count()
            .get_result(&mut **conn)
            .unwrap()
    };
    assert_eq!(stored, 0, "no response of /auth is stored");
}

#[actix_web::test]
async fn the_same_key_with_another_body_is_422_and_keys_are_per_caller() {
    let app = TestApp::spawn().await;
    let a = app.buyer("a@example.kz").await;
    let b = app.buyer("b@example.kz").await;
    let first = app
        .send(post(
            "/api/v1/notifications/read-all",
            Some(&a.token),
            "k-1",
            &json!({}),
        ))
        .await;
    assert_eq!(first.status, 200);
    let other = app
        .send(post(
            "/api/v1/notifications/read-all",
            Some(&a.token),
            "k-1",
            &json!({"x": 1}),
        ))
        .await;
    other.assert_problem(422, "idempotency_key_reused");
    // Another caller's identical key is theirs alone.
    let theirs = app
        .send(post(
            "/api/v1/notifications/read-all",
            Some(&b.token),
            "k-1",
            &json!({}),
        ))
        .await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.headers.get("idempotent-replayed").is_none());
    let bad = app
        .send(post(
            "/api/v1/notifications/read-all",
            Some(&a.token),
            "has space",
            &json!({}),
        ))
        .await;
    bad.assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn keys_expire_after_24_hours() {
    let app = TestApp::spawn().await;
    let a = app.buyer("a@example.kz").await;
    let token = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a@example.kz", "password": PASSWORD}),
        )
        .await;
    assert_eq!(token.status, 200);
    app.send(post(
        "/api/v1/notifications/read-all",
        Some(&a.token),
        "k-2",
        &json!({}),
    ))
    .await;
    app.clock
        .advance(chrono::TimeDelta::hours(24) + chrono::TimeDelta::seconds(1));
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a@example.kz", "password": PASSWORD}),
        )
        .await;
    let fresh = login.body["access_token"].as_str().unwrap();
    let again = app
        .send(post(
            "/api/v1/notifications/read-all",
            Some(fresh),
            "k-2",
            &json!({"other": true}),
        ))
        .await;
    assert_eq!(
        again.status, 200,
        "an expired key is free again: {}",
        again.body
    );
}
