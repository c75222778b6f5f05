//! A review its author deleted stays deleted, whatever the moderators decide afterwards.
use crate::helpers::*;
use crate::moderation::{flag, published};
use actix_web::http::Method;
use serde_json::json;

#[actix_web::test]
async fn an_upheld_appeal_does_not_bring_back_a_deleted_review() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = published(&app, &cast, "D-1", 2, "Плохо упаковано").await;
    let f = flag(&app, &cast.seller.token, &review, "offensive_language").await;
    app.post(
        &format!(
            "/api/v1/moderation/flags/{}/decision",
            f.body["id"].as_str().unwrap()
        ),
        Some(&cast.moderator.token),
        json!({"decision": "uphold", "note": "rude"}),
    )
    .await;
    let a = app
        .post(
            &format!("/api/v1/reviews/{review}/appeal"),
            Some(&cast.buyer.token),
            json!({"text": "Там нет оскорблений"}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let gone = app
        .call(
            Method::DELETE,
            &format!("/api/v1/reviews/{review}"),
            Some(&cast.buyer.token),
            None,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    let shop_notices = app.notification_kinds(&cast.seller.token).await.len();

    // The appeal is still decided (and recorded), by another moderator as always.
    let d = app
        .post(
            &format!(
                "/api/v1/moderation/appeals/{}/decision",
                a.body["id"].as_str().unwrap()
            ),
            Some(&cast.moderator2.token),
            json!({"decision": "reinstate", "note": "fair criticism"}),
        )
        .await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(d.body["status"], "reinstated", "{}", d.body);

    app.get(&format!("/api/v1/reviews/{review}"), None)
        .await
        .assert_problem(404, "not_found");
    let list = app.get("/api/v1/products/P-1/reviews", None).await;
    assert_eq!(list.body["summary"]["count"], 0, "{}", list.body);
    assert!(list.body["items"].as_array().unwrap().is_empty());
    let mine = app.get("/api/v1/me/reviews", Some(&cast.buyer.token)).await;
    for r in mine.body["items"].as_array().unwrap() {
        if r["id"] == review.as_str() {
            assert_eq!(r["status"], "deleted", "{r}");
        }
    }
    let kinds = app.notification_kinds(&cast.seller.token).await;
    assert_eq!(kinds.len(), shop_notices, "{kinds:?}");
    assert!(!kinds.contains(&"shop_review_reinstated".to_string()));
    assert!(!app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"appeal_reinstated".to_string()));
}

#[actix_web::test]
async fn a_held_review_deleted_before_its_decision_cannot_be_approved() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "D-2", 1).await;
    // A phone number holds the review for a moderator.
    let r = app
        .review(&cast.buyer.token, &item, 5, "Звоните +7 701 555 44 33")
        .await;
    assert_eq!(r.body["status"], "pending_moderation", "{}", r.body);
    let review = r.body["id"].as_str().unwrap().to_string();
    let gone = app
        .call(
            Method::DELETE,
            &format!("/api/v1/reviews/{review}"),
            Some(&cast.buyer.token),
            None,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    let d = app
        .post(
            &format!("/api/v1/moderation/reviews/{review}/decision"),
            Some(&cast.moderator.token),
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(d.status, 409, "{}", d.body);
    app.get(&format!("/api/v1/reviews/{review}"), None)
        .await
        .assert_problem(404, "not_found");
}
