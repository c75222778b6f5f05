//! Hostile and empty text: NUL and other control characters are refused wherever they come
//! (JSON strings and keys, path ids, query values) instead of reaching the database (NUL was a
//! 500 on PostgreSQL); invisible and bidirectional controls are refused in the same way (but
//! a zero-width joiner inside an emoji); required text is checked after trimming; a phone
//! written with invisible characters is still screened, and the text shown is what was sent.
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

#[actix_web::test]
async fn bidi_and_invisible_controls_are_refused_in_every_public_text() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    // A right-to-left override makes "cam.zk" read "kz.mac"; a zero-width space splits words.
    let spoofed = "Отличный магазин, заходите на \u{202e}zk.pohsmac";
    let split = "Пишите на +7\u{200b}701\u{200b}555\u{200b}44\u{200b}33";
    let item = app.delivered_item(&cast, &cast.buyer, "TXT-3", 1).await;
    for text in [spoofed, split] {
        let r = app.review(&cast.buyer.token, &item, 5, text).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            r.field_errors(),
            [("text".into(), "invisible_character".into())]
        );
    }
    // The buyer's own emoji with joiners is text: the same item is reviewed.
    let family = "Вся семья 👨\u{200d}👩\u{200d}👧 довольна ❤\u{fe0f}\u{200d}🔥";
    let r = app.review(&cast.buyer.token, &item, 5, family).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["text"], family);
    let review = r.body["id"].as_str().unwrap().to_string();

    // The seller's reply and flag comment, the buyer's complaint, return and message.
    let (order, _) = app.seller_complaint(&cast, "TXT-4").await;
    let attempts = [
        (
            "put",
            format!("/api/v1/reviews/{review}/reply"),
            cast.seller.token.clone(),
            json!({"text": spoofed}),
            "text",
        ),
        (
            "post",
            format!("/api/v1/reviews/{review}/flags"),
            cast.seller.token.clone(),
            json!({"reason": "rules_violation", "comment": spoofed}),
            "comment",
        ),
        (
            "post",
            "/api/v1/complaints".to_string(),
            cast.buyer.token.clone(),
            json!({"order_id": order, "target": "seller", "category": "not_as_described",
                   "description": split}),
            "description",
        ),
        (
            "post",
            "/api/v1/returns".to_string(),
            cast.buyer.token.clone(),
            json!({"order_id": order, "reason": "changed_mind", "description": spoofed,
                   "items": [{"order_item_id": "x", "quantity": 1}]}),
            "description",
        ),
        (
            "post",
            format!("/api/v1/orders/{order}/messages"),
            cast.buyer.token.clone(),
            json!({"body": "Здравствуйте\u{2067}!"}),
            "body",
        ),
    ];
    for (method, path, token, body, field) in attempts {
        let r = if method == "put" {
            app.put(&path, Some(&token), body).await
        } else {
            app.post(&path, Some(&token), body).await
        };
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            r.field_errors(),
            [(field.into(), "invisible_character".into())],
            "{path}"
        );
    }
    // Without the controls the seller replies.
    let r = app
        .put(
            &format!("/api/v1/reviews/{review}/reply"),
            Some(&cast.seller.token),
            json!({"text": "Спасибо! Заходите на cam.zk"}),
        )
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
}

#[actix_web::test]
async fn a_phone_written_with_invisible_characters_is_held_and_shown_as_written() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "TXT-5", 1).await;
    // Word joiners and soft hyphens are not refused (nothing a reader sees changes), so the
    // screening has to see through them.
    let phone = "+7\u{2060}701\u{2060}555\u{ad}44\u{ad}33";
    let text = format!("Звоните {phone}, отдам дешевле");
    let r = app.review(&cast.buyer.token, &item, 5, &text).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["status"], "pending_moderation");
    assert_eq!(
        r.body["screening"],
        json!([{"kind": "phone", "start": 8, "end": 8 + phone.chars().count()}])
    );
    assert_eq!(r.body["text"].as_str(), Some(text.as_str()));
    let id = r.body["id"].as_str().unwrap();
    let list = app.get("/api/v1/products/P-1/reviews", None).await;
    assert_eq!(list.body["summary"]["count"], 0, "not published");
    let own = app
        .get(&format!("/api/v1/reviews/{id}"), Some(&cast.buyer.token))
        .await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body["text"].as_str(), Some(text.as_str()));
}
