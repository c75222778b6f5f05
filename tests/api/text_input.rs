//! Hostile and empty text: NUL and other control characters are refused wherever they come
//! (JSON strings and keys, path ids, query values) instead of reaching the database (NUL was a
//! 500 on PostgreSQL); required text is checked after trimming.
use crate::helpers::*;
use actix_web::http::header;
use actix_web::test::TestRequest;
use serde_json::json;

#[actix_web::test]
async fn control_characters_in_a_body_are_a_field_error() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let order = app
        .delivered_order(&cast.service, "TXT-1", &cast.buyer, cast.shop(), 1)
        .await;
    let body = json!({
        "order_id": order["id"], "target": "seller", "category": "not_as_described",
        "description": "Описание с нулевым символом \u{0} внутри текста"
    });
    let r = app
        .post("/api/v1/complaints", Some(&cast.buyer.token), body)
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.field_errors(),
        [("description".into(), "control_character".into())]
    );
    // In a key, in a nested value, and an escape sequence: the same.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email\u{0}": "a", "password": "b"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a\u{1b}[31m@x.kz", "password": "b"}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [("email".into(), "control_character".into())]
    );
    // Tabs and newlines are text.
    let r = app
        .post(
            &format!("/api/v1/orders/{}/messages", order["id"].as_str().unwrap()),
            Some(&cast.buyer.token),
            json!({"body": "Здравствуйте!\n\tКогда доставка?"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[actix_web::test]
async fn control_characters_in_a_path_or_query_never_reach_the_database() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let r = app
        .get("/api/v1/orders/abc%00def", Some(&cast.buyer.token))
        .await;
    r.assert_problem(404, "not_found");
    let r = app
        .get("/api/v1/returns?order_id=x%00y", Some(&cast.buyer.token))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.field_errors(),
        [("query".into(), "control_character".into())]
    );
    let r = app
        .send(
            TestRequest::post()
                .uri("/api/v1/complaints/%00/withdraw")
                .insert_header((
                    header::AUTHORIZATION,
                    format!("Bearer {}", cast.buyer.token),
                )),
        )
        .await;
    r.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn required_text_is_checked_after_trimming() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = {
        let item = app.delivered_item(&cast, &cast.buyer, "TXT-2", 1).await;
        let r = app
            .review(&cast.buyer.token, &item, 5, "Отличный товар")
            .await;
        r.body["id"].as_str().unwrap().to_string()
    };
    let blank = "   \n\t ";
    let r = app
        .post(
            &format!("/api/v1/reviews/{review}/flags"),
            Some(&cast.seller.token),
            json!({"reason": "rules_violation", "comment": blank}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.field_errors(), [("comment".into(), "blank".into())]);
    let r = app
        .put(
            &format!("/api/v1/reviews/{review}/reply"),
            Some(&cast.seller.token),
            json!({"text": blank}),
        )
        .await;
    assert_eq!(r.field_errors(), [("text".into(), "blank".into())]);
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "b@example.kz", "password": PASSWORD, "full_name": blank, "role": "buyer"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.field_errors(), [("full_name".into(), "blank".into())]);
}
