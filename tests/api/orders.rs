use crate::helpers::*;
use chrono::TimeDelta;
use serde_json::json;

#[actix_web::test]
async fn service_upserts_orders_created_then_updated() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let seller = app.seller("s@example.kz").await;
    let service = app.service_token();
    let shop = seller.shop_id.clone().unwrap();
    let now = app.clock.now_utc();

    let created = app
        .put_order(
            &service,
            "EXT-1",
            order_body(&buyer.id, &shop, now - TimeDelta::days(3), None),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["status"], "in_transit");
    assert_eq!(
        created.body["total"],
        json!({"amount": 157000, "currency": "KZT"})
    );
    assert_eq!(created.body["items"][1]["line_total"]["amount"], 7000);
    let item_ids: Vec<_> = created.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();

    let mut body = order_body(
        &buyer.id,
        &shop,
        now - TimeDelta::days(3),
        Some(now - TimeDelta::hours(1)),
    );
    body["items"][1]["quantity"] = json!(3);
    let updated = app.put_order(&service, "EXT-1", body).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["id"], created.body["id"]);
    assert_eq!(updated.body["status"], "delivered");
    assert_eq!(updated.body["total"]["amount"], 160500);
    let new_ids: Vec<_> = updated.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(new_ids, item_ids, "item ids survive an update");

    // Stored effect: one order row, two items.
    let got = app
        .get(
            &format!("/api/v1/orders/{}", created.body["id"].as_str().unwrap()),
            Some(&buyer.token),
        )
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        got.body["delivery"]["delivered_at"],
        json!((now - TimeDelta::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    );

    // Dropping an item removes it.
    let mut body = order_body(
        &buyer.id,
        &shop,
        now - TimeDelta::days(3),
        Some(now - TimeDelta::hours(1)),
    );
    body["items"].as_array_mut().unwrap().pop();
    let r = app.put_order(&service, "EXT-1", body).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn integration_needs_the_service_role() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let seller = app.seller("s@example.kz").await;
    let body = order_body(&buyer.id, seller.shop_id.as_deref().unwrap(), t0(), None);
    app.put_order(&buyer.token, "X", body.clone())
        .await
        .assert_problem(403, "forbidden");
    app.put_order(&seller.token, "X", body.clone())
        .await
        .assert_problem(403, "forbidden");
    let r = app.put("/api/v1/integration/orders/X", None, body).await;
    r.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn unknown_buyer_or_shop_is_422() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let seller = app.seller("s@example.kz").await;
    let service = app.service_token();
    let shop = seller.shop_id.unwrap();
    app.put_order(
        &service,
        "X",
        order_body("no-such-buyer", &shop, t0(), None),
    )
    .await
    .assert_problem(422, "unknown_buyer");
    // A seller is not a buyer.
    app.put_order(&service, "X", order_body(&seller.id, &shop, t0(), None))
        .await
        .assert_problem(422, "unknown_buyer");
    app.put_order(
        &service,
        "X",
        order_body(&buyer.id, "no-such-shop", t0(), None),
    )
    .await
    .assert_problem(422, "unknown_shop");
}

#[actix_web::test]
async fn order_validation_lists_every_field() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let seller = app.seller("s@example.kz").await;
    let service = app.service_token();
    let mut body = order_body(&buyer.id, seller.shop_id.as_deref().unwrap(), t0(), None);
    body["items"][0]["quantity"] = json!(0);
    body["items"][1]["unit_price"] = json!(-5);
    body["items"][1]["product_id"] = json!("P-1");
    body["delivery"]["status"] = json!("delivered");
    body["delivery"]["failed_attempts"] = json!(99);
    let r = app.put_order(&service, "X", body).await;
    r.assert_problem(422, "validation_failed");
    let errors = r.field_errors();
    for expected in [
        ("items[0].quantity", "range"),
        ("items[1].unit_price", "range"),
        ("items[1].product_id", "duplicate"),
        ("delivery.delivered_at", "missing_for_status"),
        ("delivery.failed_attempts", "range"),
    ] {
        assert!(
            errors.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} not in {errors:?}"
        );
    }
    // Wrong enum value: named by path.
    let mut body = order_body(&buyer.id, seller.shop_id.as_deref().unwrap(), t0(), None);
    body["delivery"]["type"] = json!("drone");
    let r = app.put_order(&service, "X", body).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.field_errors(),
        vec![("delivery.type".to_string(), "invalid".to_string())]
    );
    // Missing field.
    let r = app
        .put_order(&service, "X", json!({"buyer_id": buyer.id}))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.field_errors()[0].1, "required");
}

#[actix_web::test]
async fn buyers_see_only_their_own_orders() {
    let app = TestApp::spawn().await;
    let a = app.buyer("a@example.kz").await;
    let b = app.buyer("b@example.kz").await;
    let seller = app.seller("s@example.kz").await;
    let service = app.service_token();
    let shop = seller.shop_id.unwrap();
    let order_a = app.delivered_order(&service, "A-1", &a, &shop, 2).await;
    app.delivered_order(&service, "B-1", &b, &shop, 2).await;

    let list = app.get("/api/v1/orders", Some(&a.token)).await;
    assert_eq!(list.status, 200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["external_id"], "A-1");

    let path = format!("/api/v1/orders/{}", order_a["id"].as_str().unwrap());
    assert_eq!(app.get(&path, Some(&a.token)).await.status, 200);
    app.get(&path, Some(&b.token))
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/orders/does-not-exist", Some(&a.token))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn sellers_see_only_their_shop_with_the_buyer_masked() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let x = app.seller("x@example.kz").await;
    let y = app.seller("y@example.kz").await;
    let moderator = app.moderator("m@example.kz").await;
    let service = app.service_token();
    let in_x = app
        .delivered_order(&service, "X-1", &buyer, x.shop_id.as_deref().unwrap(), 1)
        .await;
    let in_y = app
        .delivered_order(&service, "Y-1", &buyer, y.shop_id.as_deref().unwrap(), 1)
        .await;

    let list = app.get("/api/v1/orders", Some(&x.token)).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["external_id"], "X-1");
    assert_eq!(items[0]["buyer"]["name"], "Айгерим Н.");
    assert_eq!(items[0]["buyer"]["phone"], "+7 7** *** ** 12");

    app.get(
        &format!("/api/v1/orders/{}", in_y["id"].as_str().unwrap()),
        Some(&x.token),
    )
    .await
    .assert_problem(404, "not_found");
    let own = app
        .get(
            &format!("/api/v1/orders/{}", in_x["id"].as_str().unwrap()),
            Some(&x.token),
        )
        .await;
    assert_eq!(own.body["buyer"]["name"], "Айгерим Н.");

    // The buyer and moderators see the full name.
    let mine = app
        .get(
            &format!("/api/v1/orders/{}", in_x["id"].as_str().unwrap()),
            Some(&buyer.token),
        )
        .await;
    assert_eq!(mine.body["buyer"]["name"], "Айгерим Нурланова");
    let all = app.get("/api/v1/orders", Some(&moderator.token)).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(all.body["items"][0]["buyer"]["phone"], "+77015554412");

    // Service tokens do not read orders through the app endpoints.
    let service_list = app.get("/api/v1/orders", Some(&service)).await;
    service_list.assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn listing_pages_newest_first_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let seller = app.seller("s@example.kz").await;
    let service = app.service_token();
    let shop = seller.shop_id.unwrap();
    let now = app.clock.now_utc();
    // Two orders share a placed_at instant: the id breaks the tie.
    for (i, hours) in [5, 4, 4, 3, 1].iter().enumerate() {
        let body = order_body(&buyer.id, &shop, now - TimeDelta::hours(*hours), None);
        assert_eq!(
            app.put_order(&service, &format!("P-{i}"), body)
                .await
                .status,
            201
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/orders?limit=2&cursor={c}"),
            None => "/api/v1/orders?limit=2".to_string(),
        };
        let page = app.get(&path, Some(&buyer.token)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for item in page.body["items"].as_array().unwrap() {
            seen.push((
                item["placed_at"].as_str().unwrap().to_string(),
                item["external_id"].as_str().unwrap().to_string(),
            ));
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    let mut ids: Vec<_> = seen.iter().map(|(_, id)| id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "no repeats");
    assert_eq!(seen[0].1, "P-4", "newest first");
    assert_eq!(seen[4].1, "P-0");
    assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0));

    app.get("/api/v1/orders?limit=0", Some(&buyer.token))
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/orders?limit=101", Some(&buyer.token))
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/orders?limit=abc", Some(&buyer.token))
        .await
        .assert_problem(422, "validation_failed");
    let r = app
        .get("/api/v1/orders?cursor=zzz", Some(&buyer.token))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.field_errors()[0].0, "cursor");
}
