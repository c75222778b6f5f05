//! Reading: lists filtered, sorted and paged; photos; items upstream may not drop; garbage
//! bodies.
use super::*;

#[actix_web::test]
async fn listing_filters_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    for (i, rating) in [3, 5, 1, 5, 4].iter().enumerate() {
        let item = app
            .delivered_item(&cast, &cast.buyer, &format!("L-{i}"), 1)
            .await;
        app.review(&cast.buyer.token, &item, *rating, "").await;
        app.clock.advance(TimeDelta::minutes(1));
    }
    let ratings = |v: &serde_json::Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["rating"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ratings(&app.get("/api/v1/products/P-1/reviews", None).await.body),
        vec![4, 5, 1, 5, 3]
    );
    assert_eq!(
        ratings(
            &app.get("/api/v1/products/P-1/reviews?sort=highest", None)
                .await
                .body
        ),
        vec![5, 5, 4, 3, 1]
    );
    assert_eq!(
        ratings(
            &app.get("/api/v1/products/P-1/reviews?sort=lowest", None)
                .await
                .body
        ),
        vec![1, 3, 4, 5, 5]
    );
    assert_eq!(
        ratings(
            &app.get("/api/v1/products/P-1/reviews?rating=5", None)
                .await
                .body
        ),
        vec![5, 5]
    );
    // Pages of two through every order, with and without filters: no gaps, no repeats.
    for (query, expected) in [
        ("sort=highest", vec![5, 5, 4, 3, 1]),
        ("sort=lowest", vec![1, 3, 4, 5, 5]),
        ("sort=newest", vec![4, 5, 1, 5, 3]),
        ("sort=highest&rating=5", vec![5, 5]),
        ("sort=lowest&with_media=false", vec![1, 3, 4, 5, 5]),
        ("with_media=true", vec![]),
    ] {
        let mut seen = Vec::new();
        let mut path = format!("/api/v1/products/P-1/reviews?{query}&limit=2");
        loop {
            let page = app.get(&path, None).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            seen.extend(ratings(&page.body));
            match page.body["next_cursor"].as_str() {
                Some(c) => {
                    path = format!("/api/v1/products/P-1/reviews?{query}&limit=2&cursor={c}")
                }
                None => break,
            }
        }
        assert_eq!(seen, expected, "{query}");
    }
    let summary = &app.get("/api/v1/products/P-1/reviews", None).await.body["summary"];
    assert_eq!(summary["average"], 3.6);
    app.get("/api/v1/products/P-1/reviews?rating=7", None)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/products/P-1/reviews?sort=best", None)
        .await
        .assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn review_photos_are_readable_by_whoever_may_see_the_review() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let published_item = app.delivered_item(&cast, &cast.buyer, "PH-1", 1).await;
    let held_item = app.delivered_item(&cast, &cast.buyer, "PH-2", 1).await;
    let shown = upload(&app, &cast.buyer.token, PNG).await;
    let held = upload(&app, &cast.buyer.token, PNG).await;
    let dup = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": published_item, "rating": 5, "attachment_ids": [shown, shown]}),
        )
        .await;
    assert_eq!(
        dup.field_errors(),
        vec![("attachment_ids".to_string(), "duplicate".to_string())]
    );
    let r = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": published_item, "rating": 5, "attachment_ids": [shown]}),
        )
        .await;
    assert_eq!(r.body["status"], "published");
    let r = app
        .post("/api/v1/reviews", Some(&cast.buyer.token), json!({"order_item_id": held_item, "rating": 5, "text": "пишите @cheap_shop_kz", "attachment_ids": [held]}))
        .await;
    assert_eq!(r.body["status"], "pending_moderation");

    assert_eq!(
        app.get(&format!("/api/v1/attachments/{shown}"), None)
            .await
            .status,
        200,
        "a published review's photo is public"
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/attachments/{shown}"),
            Some(&cast.other_buyer.token)
        )
        .await
        .status,
        200
    );
    let held_path = format!("/api/v1/attachments/{held}");
    app.get(&held_path, None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get(&held_path, Some(&cast.other_buyer.token))
        .await
        .assert_problem(404, "not_found");
    app.get(&held_path, Some(&cast.other_seller.token))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.get(&held_path, Some(&cast.seller.token)).await.status,
        200,
        "the shop's seller sees a held review"
    );
}

#[actix_web::test]
async fn upstream_cannot_drop_an_item_that_has_a_review() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "K-1", 1).await;
    app.review(&cast.buyer.token, &item, 4, "").await;
    let now = app.clock.now_utc();
    let mut body = order_body(
        &cast.buyer.id,
        cast.shop(),
        now - TimeDelta::days(3),
        Some(now - TimeDelta::days(1)),
    );
    body["items"].as_array_mut().unwrap().remove(0);
    app.put_order(&cast.service, "K-1", body)
        .await
        .assert_problem(409, "order_item_in_use");
    // Nothing changed: the order still has both items.
    let orders = app.get("/api/v1/orders", Some(&cast.buyer.token)).await;
    assert_eq!(
        orders.body["items"][0]["items"].as_array().unwrap().len(),
        2
    );
}

#[actix_web::test]
async fn garbage_bodies_on_review_and_moderation_routes_are_4xx() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "G-1", 1).await;
    let id = app.review(&cast.buyer.token, &item, 4, "").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bodies = [
        "null",
        "[]",
        "\"x\"",
        "{}",
        "{\"rating\": \"five\"}",
        "{\"rating\": 99999999999}",
        "{\"reason\": \"spite\", \"comment\": \"x\"}",
        "{\"decision\": \"maybe\", \"note\": \"x\"}",
        "{\"text\": 5}",
        "{\"order_item_id\": [], \"rating\": 3}",
        "{\"attachment_ids\": \"a\"}",
    ];
    let routes: Vec<(Method, String, &str)> = vec![
        (Method::POST, "/api/v1/reviews".into(), &cast.buyer.token),
        (
            Method::PATCH,
            format!("/api/v1/reviews/{id}"),
            &cast.buyer.token,
        ),
        (
            Method::PUT,
            format!("/api/v1/reviews/{id}/reply"),
            &cast.seller.token,
        ),
        (
            Method::POST,
            format!("/api/v1/reviews/{id}/flags"),
            &cast.seller.token,
        ),
        (
            Method::POST,
            format!("/api/v1/reviews/{id}/appeal"),
            &cast.buyer.token,
        ),
        (
            Method::POST,
            format!("/api/v1/moderation/reviews/{id}/decision"),
            &cast.moderator.token,
        ),
        (
            Method::POST,
            "/api/v1/moderation/flags/x/decision".into(),
            &cast.moderator.token,
        ),
        (
            Method::POST,
            "/api/v1/moderation/appeals/x/decision".into(),
            &cast.moderator.token,
        ),
    ];
    for body in bodies {
        for (method, path, token) in &routes {
            let req = actix_web::test::TestRequest::default()
                .method(method.clone())
                .uri(path)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Content-Type", "application/json"))
                .set_payload(body);
            let r = app.send(req).await;
            assert!(
                r.status.is_client_error(),
                "{method} {path} {body} → {} {}",
                r.status,
                r.body
            );
        }
    }
}
