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

#[actix_web::test]
async fn parallel_complaints_get_distinct_sequential_numbers() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let mut orders = Vec::new();
    for i in 0..10 {
        let order = app
            .delivered_order(
                &cast.service,
                &format!("CC-{i}"),
                &cast.buyer,
                cast.shop(),
                1,
            )
            .await;
        orders.push(order["id"].as_str().unwrap().to_string());
    }
    // The first filings of the year race to create its counter: threads released together,
    // each with its own pooled connection.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let now = app.clock.now_utc();
    let threads: Vec<_> = orders
        .iter()
        .take(4)
        .map(|order| {
            let (state, barrier, order) = (app.state.clone(), barrier.clone(), order.clone());
            let caller = aftersale::domain::caller::Caller {
                id: cast.buyer.id.clone(),
                role: aftersale::domain::roles::Role::Buyer,
                shop_id: None,
            };
            std::thread::spawn(move || {
                let filing = defective_filing(order);
                let mut conn = state.db.get().unwrap();
                barrier.wait();
                aftersale::db::complaints::file(
                    &mut conn,
                    &caller,
                    &filing,
                    &state.policy.complaints,
                    now,
                )
                .map(|row| row.number)
            })
        })
        .collect();
    let mut numbers: Vec<String> = threads
        .into_iter()
        .map(|t| t.join().unwrap().unwrap_or_else(|e| panic!("{e}")))
        .collect();
    // And the rest through HTTP at once.
    let app = &app;
    let filings = orders.iter().skip(4).map(|order| {
        let body = json!({"order_id": order, "target": "seller", "category": "defective",
                          "description": "Не включается после первой зарядки"});
        let token = cast.buyer.token.clone();
        async move { app.post("/api/v1/complaints", Some(&token), body).await }
    });
    numbers.extend(join_all(filings).await.into_iter().map(|r| {
        assert_eq!(r.status, 201, "{}", r.body);
        r.body["number"].as_str().unwrap().to_string()
    }));
    numbers.sort();
    let expected: Vec<String> = (1..=10).map(|n| format!("C-2026-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

#[actix_web::test]
async fn parallel_returns_never_take_more_units_than_were_bought() {
    use aftersale::db::returns::{request, Caller, Request};
    use aftersale::domain::returns::{Line, Reason};
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let order = app
        .delivered_order(&cast.service, "RC-1", &cast.buyer, cast.shop(), 1)
        .await;
    let order_id = order["id"].as_str().unwrap().to_string();
    // P-2: two units bought; four requests for one unit each, released together (the test
    // pool has four connections).
    let item = order["items"][1]["id"].as_str().unwrap().to_string();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let now = app.clock.now_utc();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (state, barrier) = (app.state.clone(), barrier.clone());
            let caller = Caller {
                id: cast.buyer.id.clone(),
                role: aftersale::domain::roles::Role::Buyer,
                shop_id: None,
            };
            let req = Request {
                order_id: order_id.clone(),
                lines: vec![Line {
                    order_item_id: item.clone(),
                    quantity: 1,
                }],
                reason: Reason::ChangedMind,
                description: None,
                attachment_ids: Vec::new(),
            };
            std::thread::spawn(move || {
                let mut conn = state.db.get().unwrap();
                barrier.wait();
                request(&mut conn, &caller, &req, &state.policy.returns, now)
                    .map(|row| row.number)
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    let results: Vec<Result<String, String>> =
        threads.into_iter().map(|t| t.join().unwrap()).collect();
    let mut numbers: Vec<String> = results.iter().filter_map(|r| r.clone().ok()).collect();
    numbers.sort();
    assert_eq!(numbers, ["R-2026-000001", "R-2026-000002"], "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(refused.contains("exceeds_available"), "{refused}");
    }
}
