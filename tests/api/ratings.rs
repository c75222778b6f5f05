//! Ratings: the maintained summaries against a recount, the 90-day window to the instant,
//! and the critical-shop alert.
use crate::helpers::*;
use crate::moderation::{flag, published};
use aftersale::db::reviews::{
    list_head, list_version, recount, summary_all, summary_recent, ReviewSubject,
};
use chrono::TimeDelta;
use serde_json::{json, Value};

/// Summaries are maintained on write; after any sequence of writes they equal a recount.
#[actix_web::test]
async fn summaries_equal_a_recount_after_a_random_sequence_of_writes() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let mut seed: u64 = 0x5eed_2026;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut live: Vec<String> = Vec::new();
    for step in 0..40 {
        match next(10) {
            0..=4 => {
                let item = app
                    .delivered_item(&cast, &cast.buyer, &format!("S-{step}"), 1)
                    .await;
                let body = json!({"order_item_id": item, "rating": next(5) + 1, "shop_rating": if next(2) == 0 { Value::Null } else { json!(next(5) + 1) }});
                let r = app
                    .post("/api/v1/reviews", Some(&cast.buyer.token), body)
                    .await;
                live.push(r.body["id"].as_str().unwrap().to_string());
            }
            5 | 6 if !live.is_empty() => {
                let id = &live[next(live.len() as u64) as usize];
                let text = if next(3) == 0 {
                    "пишите 87011234567"
                } else {
                    "норм"
                };
                app.call(
                    actix_web::http::Method::PATCH,
                    &format!("/api/v1/reviews/{id}"),
                    Some(&cast.buyer.token),
                    Some(json!({"rating": next(5) + 1, "text": text})),
                )
                .await;
            }
            7 if !live.is_empty() => {
                let id = live.remove(next(live.len() as u64) as usize);
                app.call(
                    actix_web::http::Method::DELETE,
                    &format!("/api/v1/reviews/{id}"),
                    Some(&cast.buyer.token),
                    None,
                )
                .await;
            }
            8 if !live.is_empty() => {
                let id = live[next(live.len() as u64) as usize].clone();
                let f = flag(
                    &app,
                    &cast.seller.token,
                    &id,
                    if next(2) == 0 {
                        "personal_data"
                    } else {
                        "rules_violation"
                    },
                )
                .await;
                if f.status == 201 {
                    let decision = if next(2) == 0 { "uphold" } else { "dismiss" };
                    app.post(
                        &format!(
                            "/api/v1/moderation/flags/{}/decision",
                            f.body["id"].as_str().unwrap()
                        ),
                        Some(&cast.moderator.token),
                        json!({"decision": decision, "note": "n"}),
                    )
                    .await;
                }
            }
            _ => {
                // Approve whatever screening held.
                let queue = app
                    .get(
                        "/api/v1/moderation/queue?kind=review",
                        Some(&cast.moderator.token),
                    )
                    .await;
                for item in queue.body["items"].as_array().unwrap() {
                    app.post(
                        &format!(
                            "/api/v1/moderation/reviews/{}/decision",
                            item["id"].as_str().unwrap()
                        ),
                        Some(&cast.moderator.token),
                        json!({"decision": "approve"}),
                    )
                    .await;
                }
            }
        }
        app.clock.advance(TimeDelta::minutes(7));
    }
    let shop = cast.shop().to_string();
    let now = app.clock.now_utc();
    let (product_kept, product_counted, shop_kept, shop_counted, recent) = app
        .state
        .db
        .run(|c| {
            Ok((
                summary_all(c, "product", "P-1")?,
                recount(c, ReviewSubject::Product("P-1"))?,
                summary_all(c, "shop", &shop)?,
                recount(c, ReviewSubject::Shop(&shop))?,
                summary_recent(c, ReviewSubject::Shop(&shop), now, 90)?,
            ))
        })
        .unwrap();
    assert!(
        product_counted.count() > 3,
        "the sequence published something: {product_counted:?}"
    );
    assert_eq!(product_kept, product_counted);
    assert_eq!(shop_kept, shop_counted);
    assert_eq!(recent, shop_counted, "all within 90 days");
    // The list's head reads the same figures and version in one statement; a subject nobody
    // reviewed has a head of zeros.
    let (head, version, nobody) = app
        .state
        .db
        .run(|c| {
            let subject = ReviewSubject::Shop(&shop);
            Ok((
                list_head(c, subject, now, 90)?,
                list_version(c, subject)?,
                list_head(c, ReviewSubject::Product("P-NOBODY"), now, 90)?,
            ))
        })
        .unwrap();
    assert_eq!((head.all, head.recent), (shop_counted, shop_counted));
    assert!(version > 0);
    assert_eq!(head.version, version);
    assert_eq!(
        (nobody.version, nobody.all.count(), nobody.recent.count()),
        (0, 0, 0)
    );
    let api = app
        .get(&format!("/api/v1/shops/{shop}/reviews"), None)
        .await;
    assert_eq!(api.body["summary"]["count"], shop_counted.count());
    assert_eq!(api.body["summary_90d"]["count"], shop_counted.count());
    // 91 days later the window is empty while the all-time summary stays.
    app.clock.advance(TimeDelta::days(91));
    let later = app
        .get(&format!("/api/v1/shops/{shop}/reviews"), None)
        .await;
    assert_eq!(later.body["summary_90d"]["count"], 0);
    assert_eq!(later.body["summary"]["count"], shop_counted.count());
}

#[actix_web::test]
async fn sellers_are_alerted_once_when_the_90_day_rating_falls_below_4() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let alerts = |kinds: Vec<String>| {
        kinds
            .iter()
            .filter(|k| *k == "shop_rating_critical")
            .count()
    };
    published(&app, &cast, "C-1", 5, "").await;
    published(&app, &cast, "C-2", 4, "").await;
    assert_eq!(alerts(app.notification_kinds(&cast.seller.token).await), 0);
    published(&app, &cast, "C-3", 1, "").await; // 3.33
    assert_eq!(alerts(app.notification_kinds(&cast.seller.token).await), 1);
    published(&app, &cast, "C-4", 1, "").await; // still below: no second alert
    assert_eq!(alerts(app.notification_kinds(&cast.seller.token).await), 1);
    let list = app
        .get(&format!("/api/v1/shops/{}/reviews", cast.shop()), None)
        .await;
    assert_eq!(list.body["summary_90d"]["average"], 2.75);
}

/// "The last 90 days" is 90 × 24 hours back from the instant, for products as for shops: of
/// two reviews written two hours apart on one local day, 90 days and an hour later only the
/// second counts (a window of local days would count both, or neither).
#[actix_web::test]
async fn the_90_day_window_is_cut_at_the_instant_for_products_and_shops() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    // 10:00 and 12:00 Almaty on one day.
    app.clock.set("2026-11-23T05:00:00Z".parse().unwrap());
    published(&app, &cast, "W-1", 5, "").await;
    app.clock.advance(TimeDelta::hours(2));
    published(&app, &cast, "W-2", 1, "").await;
    // Five stars for the product, one for the shop: the shop counts its own rating, in the
    // cut day as in whole days.
    let item = app.delivered_item(&cast, &cast.buyer, "W-3", 1).await;
    let r = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": item, "rating": 5, "shop_rating": 1}),
        )
        .await;
    assert_eq!(r.body["status"], "published", "{}", r.body);
    app.clock.set("2027-02-21T06:00:00Z".parse().unwrap()); // 90 days and 1 hour after the first
    let product = app.get("/api/v1/products/P-1/reviews", None).await;
    let shop = app
        .get(&format!("/api/v1/shops/{}/reviews", cast.shop()), None)
        .await;
    for page in [&product.body, &shop.body] {
        assert_eq!(page["summary"]["count"], 3, "{page}");
        assert_eq!(page["summary_90d"]["count"], 2, "{page}");
    }
    assert_eq!(product.body["summary_90d"]["distribution"]["1"], 1);
    assert_eq!(product.body["summary_90d"]["distribution"]["5"], 1);
    assert_eq!(shop.body["summary_90d"]["distribution"]["1"], 2);
    assert_eq!(shop.body["summary_90d"]["average"], 1.0);
    // Two hours on, the second has aged out too.
    app.clock.advance(TimeDelta::hours(2));
    let product = app.get("/api/v1/products/P-1/reviews", None).await;
    assert_eq!(product.body["summary_90d"]["count"], 0);
    assert_eq!(product.body["summary_90d"]["average"], Value::Null);
    // Whole days inside the window come from the day counters: the same as a recount.
    app.clock.set("2026-12-20T00:00:00Z".parse().unwrap());
    let now = app.clock.now_utc();
    let shop_id = cast.shop().to_string();
    for subject in [ReviewSubject::Product("P-1"), ReviewSubject::Shop(&shop_id)] {
        let (recent, all) = app
            .state
            .db
            .run(|c| Ok((summary_recent(c, subject, now, 90)?, recount(c, subject)?)))
            .unwrap();
        assert_eq!(recent, all, "{subject:?}");
    }
}
