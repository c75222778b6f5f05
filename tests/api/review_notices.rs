//! Every public event of a review notifies the other party: the shop's sellers when a review
//! becomes public later than it was written, changes while public, or comes back on appeal
//! (their reply clock runs from then); the author when a report hides the review and when it
//! is shown again.
use crate::helpers::*;
use crate::moderation::{flag, published};
use actix_web::http::Method;
use serde_json::json;

/// How many notices of `kind` the token's feed holds.
async fn heard(app: &TestApp, token: &str, kind: &str) -> usize {
    let kinds = app.notification_kinds(token).await;
    kinds.iter().filter(|k| *k == kind).count()
}

async fn decide(app: &TestApp, token: &str, path: String, body: serde_json::Value) {
    let r = app.post(&path, Some(token), body).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
}

#[actix_web::test]
async fn sellers_hear_when_a_held_review_goes_public_and_when_a_public_one_is_edited() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let seller = cast.seller.token.as_str();
    let item = app.delivered_item(&cast, &cast.buyer, "N-1", 1).await;
    let held = app
        .review(&cast.buyer.token, &item, 2, "звоните 87011234567")
        .await;
    assert_eq!(held.body["status"], "pending_moderation", "{}", held.body);
    let id = held.body["id"].as_str().unwrap().to_string();
    assert_eq!(heard(&app, seller, "shop_review_published").await, 0);
    decide(
        &app,
        &cast.moderator.token,
        format!("/api/v1/moderation/reviews/{id}/decision"),
        json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(heard(&app, seller, "shop_review_published").await, 1);

    let path = format!("/api/v1/reviews/{id}");
    let edit = |text: &'static str| {
        let (app, path, token) = (&app, &path, cast.buyer.token.as_str());
        async move {
            let r = app
                .call(
                    Method::PATCH,
                    path,
                    Some(token),
                    Some(json!({"text": text})),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body["status"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(edit("Упаковка порвана, товар целый").await, "published");
    assert_eq!(heard(&app, seller, "shop_review_edited").await, 1);
    // An edit screening holds is not public: heard of when approved, as "published".
    assert_eq!(edit("звоните 87011234567").await, "pending_moderation");
    assert_eq!(heard(&app, seller, "shop_review_edited").await, 1);
    decide(
        &app,
        &cast.moderator.token,
        format!("/api/v1/moderation/reviews/{id}/decision"),
        json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(heard(&app, seller, "shop_review_published").await, 2);
    // The sellers' notice goes to the sellers only.
    assert_eq!(
        heard(&app, &cast.buyer.token, "shop_review_edited").await,
        0
    );
}

#[actix_web::test]
async fn authors_hear_of_a_hiding_report_and_sellers_of_a_reinstatement() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let (buyer, seller) = (cast.buyer.token.as_str(), cast.seller.token.as_str());
    let review = published(&app, &cast, "N-2", 1, "Курьер опоздал на два дня").await;
    let hiding = flag(&app, seller, &review, "personal_data").await;
    assert_eq!(hiding.status, 201);
    assert_eq!(heard(&app, buyer, "review_hidden").await, 1);
    assert_eq!(heard(&app, seller, "review_hidden").await, 0);
    decide(
        &app,
        &cast.moderator.token,
        format!(
            "/api/v1/moderation/flags/{}/decision",
            hiding.body["id"].as_str().unwrap()
        ),
        json!({"decision": "dismiss", "note": "no personal data"}),
    )
    .await;
    assert_eq!(heard(&app, buyer, "review_restored").await, 1);

    // Removed on a report, reinstated on appeal: the sellers hear it is public again.
    let rude = flag(&app, seller, &review, "offensive_language").await;
    decide(
        &app,
        &cast.moderator.token,
        format!(
            "/api/v1/moderation/flags/{}/decision",
            rude.body["id"].as_str().unwrap()
        ),
        json!({"decision": "uphold", "note": "rude"}),
    )
    .await;
    let appeal = app
        .post(
            &format!("/api/v1/reviews/{review}/appeal"),
            Some(buyer),
            json!({"text": "Там нет оскорблений"}),
        )
        .await;
    assert_eq!(appeal.status, 201, "{}", appeal.body);
    assert_eq!(heard(&app, seller, "shop_review_reinstated").await, 0);
    decide(
        &app,
        &cast.moderator2.token,
        format!(
            "/api/v1/moderation/appeals/{}/decision",
            appeal.body["id"].as_str().unwrap()
        ),
        json!({"decision": "reinstate", "note": "fair criticism"}),
    )
    .await;
    assert_eq!(heard(&app, seller, "shop_review_reinstated").await, 1);
}
