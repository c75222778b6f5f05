//! Writing a review: who may review what and until when, input rules, what the order shows,
//! and screening that holds a review for a moderator.
use super::*;

#[actix_web::test]
async fn a_clean_review_is_published_at_once_and_shown_masked() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "O-1", 2).await;
    let r = app
        .review(
            &cast.buyer.token,
            &item,
            5,
            "Отличный телефон, доставили быстро",
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["status"], "published");
    assert_eq!(r.body["screening"], json!([]));
    let id = r.body["id"].as_str().unwrap();

    let list = app.get("/api/v1/products/P-1/reviews", None).await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.body["summary"],
        json!({"average": 5.0, "count": 1, "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}})
    );
    let shown = &list.body["items"][0];
    assert_eq!(shown["author"]["name"], "Айгерим Н.");
    assert!(
        shown.get("status").is_none() && shown.get("screening").is_none(),
        "no private fields in public: {shown}"
    );

    let anon = app.get(&format!("/api/v1/reviews/{id}"), None).await;
    assert_eq!(anon.status, 200);
    assert!(anon.body.get("status").is_none());

    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"review_published".to_string()));
    assert!(app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"review_new".to_string()));
    let log = app
        .get(
            &format!("/api/v1/moderation/log?subject_id={id}"),
            Some(&cast.moderator.token),
        )
        .await;
    assert_eq!(log.body["items"][0]["action"], "auto_published");
    assert_eq!(log.body["items"][0]["actor"], "system");
}

#[actix_web::test]
async fn who_may_review_what_and_until_when() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let now = app.clock.now_utc();
    // Delivered exactly 14 days ago: the last allowed instant is now.
    let body = order_body(
        &cast.buyer.id,
        cast.shop(),
        now - TimeDelta::days(16),
        Some(now - TimeDelta::days(14)),
    );
    let order = app.put_order(&cast.service, "W-1", body).await.body;
    let item = order["items"][0]["id"].as_str().unwrap().to_string();
    let other_item = order["items"][1]["id"].as_str().unwrap().to_string();

    // Someone else's item is not found, exactly like an item that does not exist.
    app.review(&cast.other_buyer.token, &item, 5, "")
        .await
        .assert_problem(404, "not_found");
    app.review(
        &cast.other_buyer.token,
        "01900000-0000-7000-8000-000000000000",
        5,
        "",
    )
    .await
    .assert_problem(404, "not_found");
    app.review(&cast.seller.token, &item, 5, "")
        .await
        .assert_problem(403, "forbidden");
    app.review(&cast.buyer.token, "no-such-item", 5, "")
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.review(&cast.buyer.token, &item, 4, "").await.status,
        201,
        "the last allowed instant"
    );
    app.review(&cast.buyer.token, &item, 4, "")
        .await
        .assert_problem(409, "already_reviewed");
    app.clock.advance(TimeDelta::seconds(1));
    app.review(&cast.buyer.token, &other_item, 4, "")
        .await
        .assert_problem(422, "review_window_closed");

    let in_transit = app
        .put_order(
            &cast.service,
            "W-2",
            order_body(&cast.buyer.id, cast.shop(), now, None),
        )
        .await
        .body;
    let transit_item = in_transit["items"][0]["id"].as_str().unwrap();
    app.review(&cast.buyer.token, transit_item, 4, "")
        .await
        .assert_problem(422, "item_not_delivered");
}

#[actix_web::test]
async fn input_rules_rating_text_and_photos() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "V-1", 1).await;
    let limits = app.state.policy.reviews.clone();
    let r = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": item, "rating": 6, "shop_rating": 0, "text": "x".repeat(limits.text_max_chars + 1)}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, vec!["rating", "shop_rating", "text"]);
    let eleven: Vec<String> = (0..=limits.photos_max).map(|i| format!("a{i}")).collect();
    let r = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": item, "rating": 5, "attachment_ids": eleven}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("attachment_ids".to_string(), "length".to_string())]
    );
    // Someone else's photo, or a file that is not a photo, is refused.
    let foreign = upload(&app, &cast.other_buyer.token, PNG).await;
    let r = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": item, "rating": 5, "attachment_ids": [foreign]}),
        )
        .await;
    r.assert_problem(422, "invalid_attachment");
    let pdf = upload(&app, &cast.buyer.token, b"%PDF-1.4\n%%EOF\n").await;
    let r = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": item, "rating": 5, "attachment_ids": [pdf]}),
        )
        .await;
    r.assert_problem(422, "invalid_attachment");
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    let r = app
        .post("/api/v1/reviews", Some(&cast.buyer.token), json!({"order_item_id": item, "rating": 5, "text": "x".repeat(limits.text_max_chars), "attachment_ids": [photo]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let media = app
        .get("/api/v1/products/P-1/reviews?with_media=true", None)
        .await;
    assert_eq!(media.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn order_items_tell_the_app_whether_a_review_is_possible() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let order = app
        .delivered_order(&cast.service, "E-1", &cast.buyer, cast.shop(), 3)
        .await;
    let id = order["id"].as_str().unwrap();
    let item = order["items"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/orders/{id}");
    let before = app.get(&path, Some(&cast.buyer.token)).await;
    let until = (app.clock.now_utc() + TimeDelta::days(11))
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    assert_eq!(
        before.body["items"][0]["eligibility"]["review"],
        json!({"allowed": true, "until": until})
    );
    app.review(&cast.buyer.token, item, 5, "").await;
    let after = app.get(&path, Some(&cast.buyer.token)).await;
    assert_eq!(
        after.body["items"][0]["eligibility"]["review"],
        json!({"allowed": false, "reason_code": "already_reviewed"})
    );
    assert_eq!(
        after.body["items"][1]["eligibility"]["review"]["allowed"],
        true
    );
    let seller = app.get(&path, Some(&cast.seller.token)).await;
    assert_eq!(
        seller.body["items"][0]["eligibility"]["review"]["reason_code"],
        "not_order_buyer"
    );
    app.clock.advance(TimeDelta::days(12));
    let late = app.get(&path, Some(&cast.buyer.token)).await;
    assert_eq!(
        late.body["items"][1]["eligibility"]["review"]["reason_code"],
        "review_window_closed"
    );
}

#[actix_web::test]
async fn findings_hold_a_review_for_a_moderator_with_a_business_day_deadline() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "H-1", 1).await;
    // t0 is Saturday 2026-11-21 15:00 in Almaty: 3 business days end Wednesday 23:59:59.
    let r = app
        .review(&cast.buyer.token, &item, 2, "Звоните мне +7 701 123 45 67")
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["status"], "pending_moderation");
    assert_eq!(
        r.body["screening"],
        json!([{"kind": "phone", "start": 12, "end": 28}])
    );
    let id = r.body["id"].as_str().unwrap().to_string();

    let list = app.get("/api/v1/products/P-1/reviews", None).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(list.body["summary"]["count"], 0);
    app.get(&format!("/api/v1/reviews/{id}"), None)
        .await
        .assert_problem(404, "not_found");
    app.get(
        &format!("/api/v1/reviews/{id}"),
        Some(&cast.other_buyer.token),
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(
        app.get(&format!("/api/v1/reviews/{id}"), Some(&cast.seller.token))
            .await
            .status,
        200
    );
    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"review_held".to_string()));

    let queue = app
        .get(
            "/api/v1/moderation/queue?kind=review",
            Some(&cast.moderator.token),
        )
        .await;
    assert_eq!(queue.body["items"][0]["id"], id);
    assert_eq!(queue.body["items"][0]["due_at"], "2026-11-25T18:59:59Z");
    assert_eq!(
        queue.body["items"][0]["detail"]["findings"][0]["kind"],
        "phone"
    );

    let decision = format!("/api/v1/moderation/reviews/{id}/decision");
    app.post(
        &decision,
        Some(&cast.buyer.token),
        json!({"decision": "approve"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let ok = app
        .post(
            &decision,
            Some(&cast.moderator.token),
            json!({"decision": "approve", "note": "number is the shop's"}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["status"], "published");
    app.post(
        &decision,
        Some(&cast.moderator.token),
        json!({"decision": "reject"}),
    )
    .await
    .assert_problem(409, "invalid_transition");
    let list = app.get("/api/v1/products/P-1/reviews", None).await;
    assert_eq!(list.body["summary"]["count"], 1);
    let log = app
        .get(
            &format!("/api/v1/moderation/log?subject_id={id}"),
            Some(&cast.moderator.token),
        )
        .await;
    let first = &log.body["items"][0];
    assert_eq!(
        (
            first["action"].as_str(),
            first["before_status"].as_str(),
            first["after_status"].as_str()
        ),
        (
            Some("approved"),
            Some("pending_moderation"),
            Some("published")
        )
    );
    assert_eq!(first["actor_id"], cast.moderator.id.as_str());
    assert_eq!(
        app.get(
            "/api/v1/moderation/queue?kind=review",
            Some(&cast.moderator.token)
        )
        .await
        .body["items"],
        json!([])
    );
}

#[actix_web::test]
async fn a_rejected_review_tells_its_author_why() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "J-1", 1).await;
    let id = app
        .review(&cast.buyer.token, &item, 1, "продавец мудак")
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/moderation/reviews/{id}/decision"),
            Some(&cast.moderator.token),
            json!({"decision": "reject", "reason_code": "offensive_language"}),
        )
        .await;
    assert_eq!(r.body["status"], "rejected");
    let mine = app
        .get(&format!("/api/v1/reviews/{id}"), Some(&cast.buyer.token))
        .await;
    assert_eq!(mine.body["removal_reason"], "offensive_language");
    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"review_rejected".to_string()));
    let my = app.get("/api/v1/me/reviews", Some(&cast.buyer.token)).await;
    assert_eq!(my.body["items"][0]["status"], "rejected");
}
