use crate::helpers::*;
use actix_web::http::{header, Method};
use actix_web::test::TestRequest;
use chrono::TimeDelta;
use serde_json::json;

#[actix_web::test]
async fn delivery_notifies_the_buyer_in_the_same_change() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let other = app.buyer("o@example.kz").await;
    let seller = app.seller("s@example.kz").await;
    let service = app.service_token();
    let shop = seller.shop_id.unwrap();
    let now = app.clock.now_utc();
    // In transit: nothing to tell yet.
    app.put_order(
        &service,
        "N-1",
        order_body(&buyer.id, &shop, now - TimeDelta::days(2), None),
    )
    .await;
    let feed = app.get("/api/v1/notifications", Some(&buyer.token)).await;
    assert_eq!(feed.body["items"].as_array().unwrap().len(), 0);
    // Delivered: one notification; the same state again adds none.
    for _ in 0..2 {
        let r = app
            .put_order(
                &service,
                "N-1",
                order_body(&buyer.id, &shop, now - TimeDelta::days(2), Some(now)),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    let req = TestRequest::get()
        .uri("/api/v1/notifications")
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", buyer.token)))
        .insert_header((header::ACCEPT_LANGUAGE, "en"));
    let feed = app.send(req).await;
    let items = feed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", feed.body);
    assert_eq!(items[0]["kind"], "order_delivered");
    assert_eq!(items[0]["title"], "Order delivered");
    assert_eq!(items[0]["subject"]["type"], "order");
    assert_eq!(items[0]["data"]["external_id"], "N-1");
    assert_eq!(feed.body["unread_count"], 1);
    // Russian by default.
    let feed_ru = app.get("/api/v1/notifications", Some(&buyer.token)).await;
    assert_eq!(feed_ru.body["items"][0]["title"], "Заказ доставлен");
    // Nobody else hears about it.
    let theirs = app.get("/api/v1/notifications", Some(&other.token)).await;
    assert_eq!(theirs.body["items"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn read_one_read_all_unread_filter_and_paging() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let other = app.buyer("o@example.kz").await;
    let seller = app.seller("s@example.kz").await;
    let service = app.service_token();
    let shop = seller.shop_id.unwrap();
    for i in 0..3 {
        app.delivered_order(&service, &format!("R-{i}"), &buyer, &shop, 1)
            .await;
    }
    let page1 = app
        .get("/api/v1/notifications?limit=2", Some(&buyer.token))
        .await;
    assert_eq!(page1.body["items"].as_array().unwrap().len(), 2);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/notifications?limit=2&cursor={cursor}"),
            Some(&buyer.token),
        )
        .await;
    assert_eq!(page2.body["items"].as_array().unwrap().len(), 1);
    assert!(page2.body["next_cursor"].is_null());

    let first_id = page1.body["items"][0]["id"].as_str().unwrap().to_string();
    // Someone else's notification does not exist for them.
    app.call(
        Method::POST,
        &format!("/api/v1/notifications/{first_id}/read"),
        Some(&other.token),
        None,
    )
    .await
    .assert_problem(404, "not_found");
    let read = app
        .call(
            Method::POST,
            &format!("/api/v1/notifications/{first_id}/read"),
            Some(&buyer.token),
            None,
        )
        .await;
    assert_eq!(read.status, 200);
    assert!(read.body["read_at"].is_string());
    let unread = app
        .get("/api/v1/notifications?unread=true", Some(&buyer.token))
        .await;
    assert_eq!(unread.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(unread.body["unread_count"], 2);

    let all = app
        .post(
            "/api/v1/notifications/read-all",
            Some(&buyer.token),
            json!({}),
        )
        .await;
    assert_eq!(all.status, 200);
    assert_eq!(all.body["marked"], 2);
    let unread = app
        .get("/api/v1/notifications?unread=true", Some(&buyer.token))
        .await;
    assert_eq!(unread.body["items"].as_array().unwrap().len(), 0);
    app.get("/api/v1/notifications", None)
        .await
        .assert_problem(401, "unauthenticated");
}
