use crate::helpers::*;
use actix_web::http::Method;
use chrono::TimeDelta;
use serde_json::json;

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
    let r = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": item, "rating": 6, "shop_rating": 0, "text": "x".repeat(5001)}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, vec!["rating", "shop_rating", "text"]);
    let eleven: Vec<String> = (0..11).map(|i| format!("a{i}")).collect();
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
        .post("/api/v1/reviews", Some(&cast.buyer.token), json!({"order_item_id": item, "rating": 5, "text": "x".repeat(5000), "attachment_ids": [photo]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let media = app
        .get("/api/v1/products/P-1/reviews?with_media=true", None)
        .await;
    assert_eq!(media.body["items"].as_array().unwrap().len(), 1);
}

pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";

pub async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> String {
    let boundary = "b0undary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/attachments")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header((
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body);
    let r = app.send(req).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
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

#[actix_web::test]
async fn listing_filters_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    for (i, rating) in [3, 5, 1, 5, 4].iter().enumerate() {
        let item = app
            .delivered_item(&cast, &cast.buyer, &format!("L-{i}"), 1)
            .await;
        app.review(&cast.buyer.token, &item, *rating, "").await;
        app.clock.advance(TimeDelta::minutes(1));
    }
    let ratings = |v: &serde_json::Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["rating"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ratings(&app.get("/api/v1/products/P-1/reviews", None).await.body),
        vec![4, 5, 1, 5, 3]
    );
    assert_eq!(
        ratings(
            &app.get("/api/v1/products/P-1/reviews?sort=highest", None)
                .await
                .body
        ),
        vec![5, 5, 4, 3, 1]
    );
    assert_eq!(
        ratings(
            &app.get("/api/v1/products/P-1/reviews?sort=lowest", None)
                .await
                .body
        ),
        vec![1, 3, 4, 5, 5]
    );
    assert_eq!(
        ratings(
            &app.get("/api/v1/products/P-1/reviews?rating=5", None)
                .await
                .body
        ),
        vec![5, 5]
    );
    // Pages of two through the highest order: no gaps, no repeats.
    let mut seen = Vec::new();
    let mut path = "/api/v1/products/P-1/reviews?sort=highest&limit=2".to_string();
    loop {
        let page = app.get(&path, None).await;
        seen.extend(ratings(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(c) => {
                path = format!("/api/v1/products/P-1/reviews?sort=highest&limit=2&cursor={c}")
            }
            None => break,
        }
    }
    assert_eq!(seen, vec![5, 5, 4, 3, 1]);
    let summary = &app.get("/api/v1/products/P-1/reviews", None).await.body["summary"];
    assert_eq!(summary["average"], 3.6);
    app.get("/api/v1/products/P-1/reviews?rating=7", None)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/products/P-1/reviews?sort=best", None)
        .await
        .assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn review_photos_are_readable_by_whoever_may_see_the_review() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let published_item = app.delivered_item(&cast, &cast.buyer, "PH-1", 1).await;
    let held_item = app.delivered_item(&cast, &cast.buyer, "PH-2", 1).await;
    let shown = upload(&app, &cast.buyer.token, PNG).await;
    let held = upload(&app, &cast.buyer.token, PNG).await;
    let dup = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": published_item, "rating": 5, "attachment_ids": [shown, shown]}),
        )
        .await;
    assert_eq!(
        dup.field_errors(),
        vec![("attachment_ids".to_string(), "duplicate".to_string())]
    );
    let r = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": published_item, "rating": 5, "attachment_ids": [shown]}),
        )
        .await;
    assert_eq!(r.body["status"], "published");
    let r = app
        .post("/api/v1/reviews", Some(&cast.buyer.token), json!({"order_item_id": held_item, "rating": 5, "text": "пишите @cheap_shop_kz", "attachment_ids": [held]}))
        .await;
    assert_eq!(r.body["status"], "pending_moderation");

    assert_eq!(
        app.get(&format!("/api/v1/attachments/{shown}"), None)
            .await
            .status,
        200,
        "a published review's photo is public"
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/attachments/{shown}"),
            Some(&cast.other_buyer.token)
        )
        .await
        .status,
        200
    );
    let held_path = format!("/api/v1/attachments/{held}");
    app.get(&held_path, None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get(&held_path, Some(&cast.other_buyer.token))
        .await
        .assert_problem(404, "not_found");
    app.get(&held_path, Some(&cast.other_seller.token))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.get(&held_path, Some(&cast.seller.token)).await.status,
        200,
        "the shop's seller sees a held review"
    );
}

#[actix_web::test]
async fn upstream_cannot_drop_an_item_that_has_a_review() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "K-1", 1).await;
    app.review(&cast.buyer.token, &item, 4, "").await;
    let now = app.clock.now_utc();
    let mut body = order_body(
        &cast.buyer.id,
        cast.shop(),
        now - TimeDelta::days(3),
        Some(now - TimeDelta::days(1)),
    );
    body["items"].as_array_mut().unwrap().remove(0);
    app.put_order(&cast.service, "K-1", body)
        .await
        .assert_problem(409, "order_item_in_use");
    // Nothing changed: the order still has both items.
    let orders = app.get("/api/v1/orders", Some(&cast.buyer.token)).await;
    assert_eq!(
        orders.body["items"][0]["items"].as_array().unwrap().len(),
        2
    );
}

#[actix_web::test]
async fn garbage_bodies_on_review_and_moderation_routes_are_4xx() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "G-1", 1).await;
    let id = app.review(&cast.buyer.token, &item, 4, "").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bodies = [
        "null",
        "[]",
        "\"x\"",
        "{}",
        "{\"rating\": \"five\"}",
        "{\"rating\": 99999999999}",
        "{\"reason\": \"spite\", \"comment\": \"x\"}",
        "{\"decision\": \"maybe\", \"note\": \"x\"}",
        "{\"text\": 5}",
        "{\"order_item_id\": [], \"rating\": 3}",
        "{\"attachment_ids\": \"a\"}",
    ];
    let routes: Vec<(Method, String, &str)> = vec![
        (Method::POST, "/api/v1/reviews".into(), &cast.buyer.token),
        (
            Method::PATCH,
            format!("/api/v1/reviews/{id}"),
            &cast.buyer.token,
        ),
        (
            Method::PUT,
            format!("/api/v1/reviews/{id}/reply"),
            &cast.seller.token,
        ),
        (
            Method::POST,
            format!("/api/v1/reviews/{id}/flags"),
            &cast.seller.token,
        ),
        (
            Method::POST,
            format!("/api/v1/reviews/{id}/appeal"),
            &cast.buyer.token,
        ),
        (
            Method::POST,
            format!("/api/v1/moderation/reviews/{id}/decision"),
            &cast.moderator.token,
        ),
        (
            Method::POST,
            "/api/v1/moderation/flags/x/decision".into(),
            &cast.moderator.token,
        ),
        (
            Method::POST,
            "/api/v1/moderation/appeals/x/decision".into(),
            &cast.moderator.token,
        ),
    ];
    for body in bodies {
        for (method, path, token) in &routes {
            let req = actix_web::test::TestRequest::default()
                .method(method.clone())
                .uri(path)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Content-Type", "application/json"))
                .set_payload(body);
            let r = app.send(req).await;
            assert!(
                r.status.is_client_error(),
                "{method} {path} {body} → {} {}",
                r.status,
                r.body
            );
        }
    }
}
