//! Sellers never see a buyer's id: every seller view carries the shop's opaque buyer
//! reference (`ref`, `byr_…`) instead, the same across the shop's views, another in another
//! shop; the buyer and moderators still see the id.
use crate::helpers::*;
use crate::reviews::{upload, PNG};
use serde_json::{json, Value};

/// Every `ref` in a body.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("ref", Value::String(s)) => out.push(s.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[actix_web::test]
async fn sellers_see_a_per_shop_reference_never_the_buyer_id() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let (order, complaint) = app.seller_complaint(&cast, "REF-1").await;
    let ret = app.changed_mind_return(&cast, "REF-2").await;
    // The buyer's own evidence on the return, and a message in the order's conversation.
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    let messages = format!("/api/v1/orders/{order}/messages");
    let r = app
        .post(
            &messages,
            Some(&cast.buyer.token),
            json!({"body": "Здравствуйте, где мой заказ?", "attachment_ids": [photo]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let seller_views = [
        format!("/api/v1/orders/{order}"),
        "/api/v1/orders".to_string(),
        format!("/api/v1/complaints/{complaint}"),
        "/api/v1/complaints".to_string(),
        format!("/api/v1/complaints/{complaint}/dossier"),
        format!("/api/v1/returns/{ret}"),
        "/api/v1/returns".to_string(),
        messages.clone(),
    ];
    let mut seen = Vec::new();
    for path in &seller_views {
        let r = app.get(path, Some(&cast.seller.token)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert!(
            !r.body.to_string().contains(&cast.buyer.id),
            "{path} shows the buyer's id to a seller: {}",
            r.body
        );
        let mut found = Vec::new();
        refs(&r.body, &mut found);
        assert!(!found.is_empty(), "{path} has no buyer ref: {}", r.body);
        seen.extend(found);
    }
    let reference = seen[0].clone();
    assert!(reference.starts_with("byr_"), "{reference}");
    assert!(
        seen.iter().all(|r| *r == reference),
        "one buyer, one reference within the shop: {seen:?}"
    );
    // The return's evidence names the buyer by the same reference.
    let r = app
        .get(&format!("/api/v1/returns/{ret}"), Some(&cast.seller.token))
        .await;
    assert_eq!(r.body["buyer"]["ref"], reference.as_str());
    assert!(r.body["buyer"].get("id").is_none(), "{}", r.body);

    // Another shop knows the same buyer by another reference.
    let other_shop = cast.other_seller.shop_id.clone().unwrap();
    let elsewhere = app
        .delivered_order(&cast.service, "REF-3", &cast.buyer, &other_shop, 1)
        .await;
    let r = app
        .get(
            &format!("/api/v1/orders/{}", elsewhere["id"].as_str().unwrap()),
            Some(&cast.other_seller.token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.to_string().contains(&cast.buyer.id), "{}", r.body);
    let other_ref = r.body["buyer"]["ref"].as_str().unwrap();
    assert!(other_ref.starts_with("byr_"));
    assert_ne!(other_ref, reference, "references differ between shops");

    // The buyer and a moderator still see the id, and no reference.
    for token in [&cast.buyer.token, &cast.moderator.token] {
        for path in [
            format!("/api/v1/orders/{order}"),
            format!("/api/v1/complaints/{complaint}"),
            format!("/api/v1/returns/{ret}"),
        ] {
            let r = app.get(&path, Some(token)).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            assert_eq!(r.body["buyer"]["id"], cast.buyer.id.as_str(), "{path}");
            assert!(r.body["buyer"].get("ref").is_none(), "{path}: {}", r.body);
        }
        let r = app.get(&messages, Some(token)).await;
        assert_eq!(r.body["items"][0]["author"]["id"], cast.buyer.id.as_str());
    }
}

#[actix_web::test]
async fn the_reference_key_is_made_once_and_survives_a_new_instance() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let order = app
        .delivered_order(&cast.service, "REF-K", &cast.buyer, cast.shop(), 1)
        .await;
    let path = format!("/api/v1/orders/{}", order["id"].as_str().unwrap());
    let first = app.get(&path, Some(&cast.seller.token)).await.body["buyer"]["ref"].clone();
    // A second start over the same database (another instance) finds the stored key.
    app.state.db.migrate().unwrap();
    let key = app
        .state
        .db
        .run(aftersale::db::privacy_keys::buyer_refs)
        .unwrap();
    assert_eq!(
        first,
        key.of(cast.shop(), &cast.buyer.id),
        "the stored key made the reference"
    );
}
