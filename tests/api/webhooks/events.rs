//! What reaches a shop's endpoint: the payloads, their order, and nothing of a rolled-back
//! change or of another shop.
use super::*;

#[actix_web::test]
async fn a_complaint_reaches_the_shop_signed_and_without_the_buyer() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    let (_, secret) = register(
        &app,
        &cast.seller.token,
        &format!("{}/hook", rx.base),
        json!(["*"]),
    )
    .await;
    let (order, complaint) = app.seller_complaint(&cast, "W-1").await;
    let report = dispatch(&app).await;
    assert_eq!(report.delivered, 1, "{report:?}");
    let got = rx.got();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert!(m.id.starts_with("msg_"));
    assert!(
        verifies(&secret, m),
        "the signature verifies with the secret"
    );
    assert_eq!(m.timestamp, app.clock.now_utc().timestamp());
    let body = m.json();
    assert_eq!(body["type"], "complaint.filed");
    assert_eq!(body["data"]["complaint_id"], complaint.as_str());
    assert_eq!(body["data"]["order_id"], order.as_str());
    assert!(!m.body.contains(&cast.buyer.id), "the buyer is not named");
    // … but referred to as the shop's REST views refer to them.
    let seen = app
        .get(
            &format!("/api/v1/complaints/{complaint}"),
            Some(&cast.seller.token),
        )
        .await;
    assert!(body["data"]["buyer_ref"]
        .as_str()
        .unwrap()
        .starts_with("byr_"));
    assert_eq!(body["data"]["buyer_ref"], seen.body["buyer"]["ref"]);
    // The number is taken last in the filing and written into the step's message and notices.
    let number = body["data"]["number"].as_str().unwrap();
    assert!(number.starts_with("C-2026-"), "{number}");
    let feed = app
        .get("/api/v1/notifications", Some(&cast.seller.token))
        .await;
    assert_eq!(feed.body["items"][0]["data"]["number"], number);
    // A second pass finds nothing: delivered once.
    assert_eq!(dispatch(&app).await.attempts, 0);
}

/// A review, a return, a buyer's message and a failed delivery each reach the shop with the
/// payload its schema documents (checked in `Receiver::got`).
#[actix_web::test]
async fn every_family_of_events_matches_its_documented_payload() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    let item = app.delivered_item(&cast, &cast.buyer, "W-F1", 2).await;
    let r = app
        .review(
            &cast.buyer.token,
            &item,
            5,
            "Отличный товар, всё как в описании",
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    app.changed_mind_return(&cast, "W-F2").await;
    let order = app
        .delivered_order(&cast.service, "W-F3", &cast.buyer, cast.shop(), 1)
        .await;
    let order_id = order["id"].as_str().unwrap();
    let m = app
        .post(
            &format!("/api/v1/orders/{order_id}/messages"),
            Some(&cast.buyer.token),
            json!({"body": "Когда будет доставка?"}),
        )
        .await;
    assert_eq!(m.status, 201, "{}", m.body);
    dispatch(&app).await;
    let types: Vec<String> = rx
        .got()
        .iter()
        .map(|m| m.json()["type"].as_str().unwrap().to_string())
        .collect();
    for t in [
        "review.published",
        "return.requested",
        "order.message_received",
    ] {
        assert!(types.contains(&t.to_string()), "{t} missing from {types:?}");
    }
    // No payload names the buyer by id; those about the buyer carry the shop's reference.
    let seen = app
        .get(
            &format!("/api/v1/orders/{order_id}"),
            Some(&cast.seller.token),
        )
        .await;
    for m in rx.got() {
        assert!(!m.body.contains(&cast.buyer.id), "{}", m.body);
        let body = m.json();
        if body["type"] != "review.published" {
            assert_eq!(
                body["data"]["buyer_ref"], seen.body["buyer"]["ref"],
                "{body}"
            );
        }
    }
    // A return's first step, like a complaint's, is recorded before its number is taken, and
    // carries the number once committed: in the message and in the seller's notice.
    let requested = rx
        .got()
        .into_iter()
        .map(|m| m.json())
        .find(|b| b["type"] == "return.requested")
        .unwrap();
    assert_eq!(requested["data"]["number"], "R-2026-000001", "{requested}");
    let feed = app
        .get("/api/v1/notifications", Some(&cast.seller.token))
        .await;
    let notice = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "return_requested")
        .unwrap();
    assert_eq!(notice["data"]["number"], "R-2026-000001", "{notice}");
}

#[actix_web::test]
async fn a_rolled_back_change_sends_nothing() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    let shop = cast.shop().to_string();
    let now = app.clock.now_utc();
    let result: Result<(), DbError> = app.state.db.run(|c| {
        write_tx(c, |c| {
            outbox::enqueue(
                c,
                &shop,
                None,
                EventType::ShopRatingCritical,
                json!({}),
                now,
            )?;
            Err(DbError::Other("the change failed after its event".into()))
        })
    });
    assert!(result.is_err());
    assert_eq!(dispatch(&app).await.attempts, 0);
    assert!(rx.got().is_empty());
}

#[actix_web::test]
async fn one_endpoint_gets_its_messages_in_event_order() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    register(
        &app,
        &cast.seller.token,
        &rx.base,
        json!(["complaint.filed"]),
    )
    .await;
    let mut filed = Vec::new();
    for i in 0..4 {
        filed.push(app.seller_complaint(&cast, &format!("W-O{i}")).await.1);
        app.clock.advance(TimeDelta::seconds(1));
    }
    dispatch(&app).await;
    let got: Vec<String> = rx
        .got()
        .iter()
        .map(|m| {
            m.json()["data"]["complaint_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(got, filed);
}

#[actix_web::test]
async fn another_shop_sees_nothing_of_an_endpoint_or_its_events() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    let (id, _) = register(
        &app,
        &cast.seller.token,
        &format!("{}/a", rx.base),
        json!(["*"]),
    )
    .await;
    register(
        &app,
        &cast.other_seller.token,
        &format!("{}/b", rx.base),
        json!(["*"]),
    )
    .await;
    for path in [
        format!("/api/v1/webhooks/{id}"),
        format!("/api/v1/webhooks/{id}/deliveries"),
    ] {
        app.get(&path, Some(&cast.other_seller.token))
            .await
            .assert_problem(404, "not_found");
    }
    let list = app
        .get("/api/v1/webhooks", Some(&cast.other_seller.token))
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert!(list.body["items"][0].get("secret").is_none());
    app.get("/api/v1/webhooks", Some(&cast.buyer.token))
        .await
        .assert_problem(403, "forbidden");
    app.seller_complaint(&cast, "W-5").await;
    dispatch(&app).await;
    let paths: Vec<String> = rx.got().iter().map(|m| m.path.clone()).collect();
    assert_eq!(paths, vec!["/a".to_string()]);
    let gone = app
        .call(
            Method::DELETE,
            &format!("/api/v1/webhooks/{id}"),
            Some(&cast.other_seller.token),
            None,
        )
        .await;
    gone.assert_problem(404, "not_found");
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/api/v1/webhooks/{id}"),
            Some(&cast.seller.token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
}
