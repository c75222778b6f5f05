//! Concurrent writers: SQLite serialises them (BEGIN IMMEDIATE + busy timeout), PostgreSQL
//! runs them in parallel; either way every request succeeds and nothing is lost.
use crate::helpers::*;
use chrono::TimeDelta;
use futures_util::future::join_all;
use serde_json::json;

#[actix_web::test]
async fn parallel_registrations_and_upserts_all_land() {
    let app = TestApp::spawn().await;
    let seller = app.seller("s@example.kz").await;
    let service = app.service_token();
    let shop = seller.shop_id.unwrap();

    let registrations = (0..12).map(|i| {
        app.post(
            "/api/v1/auth/register",
            None,
            json!({"email": format!("p{i}@example.kz"), "password": PASSWORD, "full_name": "P Q", "role": "buyer"}),
        )
    });
    let results = join_all(registrations).await;
    for r in &results {
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let buyer_id = results[0].body["user"]["id"].as_str().unwrap().to_string();
    let token = results[0].body["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    // The same order from several sync workers at once, and distinct orders too.
    let now = app.clock.now_utc();
    let app = &app;
    let upserts = (0..12).map(|i| {
        let external = if i % 2 == 0 {
            "SAME".to_string()
        } else {
            format!("D-{i}")
        };
        let body = order_body(&buyer_id, &shop, now - TimeDelta::days(1), None);
        let path = format!("/api/v1/integration/orders/{external}");
        let service = service.clone();
        async move { app.put(&path, Some(&service), body).await }
    });
    for r in join_all(upserts).await {
        assert!(
            r.status == 201 || r.status == 200,
            "{} {}",
            r.status,
            r.body
        );
    }
    let list = app.get("/api/v1/orders?limit=100", Some(&token)).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        7,
        "one SAME + six distinct"
    );
}
