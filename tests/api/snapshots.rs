//! One representative response per resource, held whole as an `insta` snapshot
//! (`tests/api/snapshots/`), so that any change to a response's shape shows as one reviewable
//! diff. Ids are replaced by `[id-N]` in order of first appearance (so that links between
//! records stay visible), instants by `[instant]` and buyer references by `[buyer-ref]`. Update with
//! `INSTA_UPDATE=always cargo test --test api snapshots` and review the diff.
use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The response body with ids and instants replaced by stable placeholders.
fn redacted(body: &Value) -> Value {
    fn walk(v: &Value, ids: &mut HashMap<String, usize>) -> Value {
        match v {
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(v, ids))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| walk(v, ids)).collect()),
            Value::String(s) if uuid::Uuid::parse_str(s).is_ok() => {
                let next = ids.len() + 1;
                json!(format!("[id-{}]", ids.entry(s.clone()).or_insert(next)))
            }
            // Buyer references are keyed by the database's random key.
            Value::String(s) if s.starts_with("byr_") => json!("[buyer-ref]"),
            Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => {
                json!("[instant]")
            }
            other => other.clone(),
        }
    }
    walk(body, &mut HashMap::new())
}

#[track_caller]
fn snapshot(name: &str, r: &Resp) {
    assert!(r.status.is_success(), "{}: {} {}", name, r.status, r.body);
    insta::assert_json_snapshot!(name, redacted(&r.body));
}

#[actix_web::test]
async fn one_response_per_resource() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;

    // An order as its buyer sees it, with what each item may still become.
    let order = app
        .delivered_order(&cast.service, "SNAP-1", &cast.buyer, cast.shop(), 1)
        .await;
    let order_id = order["id"].as_str().unwrap();
    let r = app
        .get(
            &format!("/api/v1/orders/{order_id}"),
            Some(&cast.buyer.token),
        )
        .await;
    snapshot("order_for_buyer", &r);

    // A review, published, in its product's public list.
    let item = order["items"][0]["id"].as_str().unwrap();
    let r = app
        .review(
            &cast.buyer.token,
            item,
            5,
            "Отличный смартфон, доставили быстро.",
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app.get("/api/v1/products/P-1/reviews", None).await;
    snapshot("product_reviews", &r);

    // A complaint about the seller, answered by the seller (who acts first), then acknowledged
    // by a moderator, as its buyer sees it.
    let (_, complaint) = app.seller_complaint(&cast, "SNAP-2").await;
    let r = app
        .post(
            &format!("/api/v1/complaints/{complaint}/respond"),
            Some(&cast.seller.token),
            json!({"body": "Готовы заменить товар"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            &format!("/api/v1/complaints/{complaint}/acknowledge"),
            Some(&cast.moderator.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .get(
            &format!("/api/v1/complaints/{complaint}"),
            Some(&cast.buyer.token),
        )
        .await;
    snapshot("complaint_for_buyer", &r);

    // A return, as the shop's seller sees it.
    let ret = app.changed_mind_return(&cast, "SNAP-3").await;
    let r = app
        .get(&format!("/api/v1/returns/{ret}"), Some(&cast.seller.token))
        .await;
    snapshot("return_for_seller", &r);

    // The seller's notifications of all of the above.
    let r = app
        .get("/api/v1/notifications?limit=100", Some(&cast.seller.token))
        .await;
    snapshot("seller_notifications", &r);
}
