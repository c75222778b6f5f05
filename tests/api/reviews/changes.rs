//! After writing: edits (versions, screened again), deletion, the shop's one public reply.
use super::*;

#[actix_web::test]
async fn edits_make_versions_screened_again_within_the_window() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "P-E", 1).await;
    let id = app
        .review(&cast.buyer.token, &item, 3, "Нормально")
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/reviews/{id}");
    let edited = app
        .call(
            Method::PATCH,
            &path,
            Some(&cast.buyer.token),
            Some(json!({"rating": 5, "text": "Очень хорошо"})),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["edited"], true);
    assert_eq!(
        app.get("/api/v1/products/P-1/reviews", None).await.body["summary"]["average"],
        5.0
    );
    // Screened again: a link holds it, and it leaves the public list and the summary.
    let held = app
        .call(
            Method::PATCH,
            &path,
            Some(&cast.buyer.token),
            Some(json!({"text": "лучше на cheapstore.kz"})),
        )
        .await;
    assert_eq!(held.body["status"], "pending_moderation");
    assert_eq!(held.body["rating"], 5, "fields not sent are kept");
    assert_eq!(
        app.get("/api/v1/products/P-1/reviews", None).await.body["summary"]["count"],
        0
    );
    // History: moderators see every version, the author does not.
    let modview = app.get(&path, Some(&cast.moderator.token)).await;
    let versions = modview.body["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0]["text"], "Нормально");
    assert_eq!(versions[2]["screening"][0]["kind"], "link");
    assert!(app
        .get(&path, Some(&cast.buyer.token))
        .await
        .body
        .get("versions")
        .is_none());
    app.call(
        Method::PATCH,
        &path,
        Some(&cast.other_buyer.token),
        Some(json!({"rating": 1})),
    )
    .await
    .assert_problem(404, "not_found");
    app.clock
        .advance(TimeDelta::days(13) + TimeDelta::seconds(1));
    app.call(
        Method::PATCH,
        &path,
        Some(&cast.buyer.token),
        Some(json!({"rating": 1})),
    )
    .await
    .assert_problem(422, "review_window_closed");
}

#[actix_web::test]
async fn authors_delete_any_time_and_ratings_follow() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "D-1", 1).await;
    let id = app.review(&cast.buyer.token, &item, 1, "").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/reviews/{id}");
    app.call(Method::DELETE, &path, Some(&cast.other_buyer.token), None)
        .await
        .assert_problem(404, "not_found");
    app.clock.advance(TimeDelta::days(60));
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&cast.buyer.token), None)
            .await
            .status,
        204
    );
    let list = app
        .get(&format!("/api/v1/shops/{}/reviews", cast.shop()), None)
        .await;
    assert_eq!(list.body["summary"]["count"], 0);
    assert_eq!(list.body["items"], json!([]));
    app.get(&path, None).await.assert_problem(404, "not_found");
    app.get(&path, Some(&cast.seller.token))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.get(&path, Some(&cast.buyer.token)).await.body["status"],
        "deleted"
    );
    app.call(Method::DELETE, &path, Some(&cast.buyer.token), None)
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn the_shop_has_one_public_reply() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "R-1", 1).await;
    let id = app
        .review(&cast.buyer.token, &item, 2, "Долго везли")
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/reviews/{id}/reply");
    let r = app
        .call(
            Method::PUT,
            &path,
            Some(&cast.seller.token),
            Some(json!({"text": "Извините за задержку"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .call(
            Method::PUT,
            &path,
            Some(&cast.seller.token),
            Some(json!({"text": "Извините, исправимся"})),
        )
        .await;
    assert_eq!(r.body["reply"]["text"], "Извините, исправимся");
    let public = app.get(&format!("/api/v1/reviews/{id}"), None).await;
    assert_eq!(public.body["reply"]["text"], "Извините, исправимся");
    app.call(
        Method::PUT,
        &path,
        Some(&cast.other_seller.token),
        Some(json!({"text": "x"})),
    )
    .await
    .assert_problem(404, "not_found");
    app.call(
        Method::PUT,
        &path,
        Some(&cast.buyer.token),
        Some(json!({"text": "x"})),
    )
    .await
    .assert_problem(403, "forbidden");
    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"review_reply".to_string()));
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&cast.seller.token), None)
            .await
            .status,
        204
    );
    assert!(app.get(&format!("/api/v1/reviews/{id}"), None).await.body["reply"].is_null());
    app.call(Method::DELETE, &path, Some(&cast.seller.token), None)
        .await
        .assert_problem(404, "not_found");
}
