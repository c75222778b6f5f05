use crate::helpers::*;
use chrono::TimeDelta;
use serde_json::{json, Value};

pub(crate) async fn published(
    app: &TestApp,
    cast: &Cast,
    ext: &str,
    rating: i32,
    text: &str,
) -> String {
    let item = app.delivered_item(cast, &cast.buyer, ext, 1).await;
    let r = app.review(&cast.buyer.token, &item, rating, text).await;
    assert_eq!(r.body["status"], "published", "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

pub(crate) async fn flag(
    app: &TestApp,
    token: &str,
    review: &str,
    reason: &str,
) -> crate::helpers::Resp {
    app.post(
        &format!("/api/v1/reviews/{review}/flags"),
        Some(token),
        json!({"reason": reason, "comment": "see attached"}),
    )
    .await
}

fn count(v: &Value) -> i64 {
    v["summary"]["count"].as_i64().unwrap()
}

#[actix_web::test]
async fn a_flag_leaves_the_review_visible_until_upheld() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = published(&app, &cast, "F-1", 1, "Ужасный товар, не работает").await;
    let f = flag(&app, &cast.seller.token, &review, "false_information").await;
    assert_eq!(f.status, 201, "{}", f.body);
    assert_eq!(f.body["status"], "open");
    assert_eq!(f.body["snapshot"]["text"], "Ужасный товар, не работает");
    assert_eq!(f.body["due_at"], "2026-11-25T18:59:59Z");
    flag(&app, &cast.seller.token, &review, "rules_violation")
        .await
        .assert_problem(409, "flag_already_open");
    flag(&app, &cast.other_seller.token, &review, "rules_violation")
        .await
        .assert_problem(404, "not_found");
    flag(&app, &cast.buyer.token, &review, "rules_violation")
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(
        count(&app.get("/api/v1/products/P-1/reviews", None).await.body),
        1,
        "still visible"
    );

    let own = app.get("/api/v1/flags", Some(&cast.seller.token)).await;
    assert_eq!(own.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/flags", Some(&cast.other_seller.token))
            .await
            .body["items"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/flags?status=open", Some(&cast.moderator.token))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let flag_id = f.body["id"].as_str().unwrap();
    let queue = app
        .get(
            "/api/v1/moderation/queue?kind=flag",
            Some(&cast.moderator.token),
        )
        .await;
    assert_eq!(queue.body["items"][0]["id"], flag_id);
    let path = format!("/api/v1/moderation/flags/{flag_id}/decision");
    app.post(
        &path,
        Some(&cast.moderator.token),
        json!({"decision": "uphold"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let d = app
        .post(
            &path,
            Some(&cast.moderator.token),
            json!({"decision": "uphold", "note": "contradicts the order"}),
        )
        .await;
    assert_eq!(d.body["status"], "upheld");
    app.post(
        &path,
        Some(&cast.moderator2.token),
        json!({"decision": "dismiss", "note": "x"}),
    )
    .await
    .assert_problem(409, "invalid_transition");
    let log = app
        .get(
            &format!("/api/v1/moderation/log?subject_id={flag_id}"),
            Some(&cast.moderator.token),
        )
        .await;
    let actions: Vec<(&str, &str)> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor_id"].as_str().unwrap_or("system"),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("flag_upheld", cast.moderator.id.as_str()),
            ("flag_opened", cast.seller.id.as_str())
        ]
    );
    assert_eq!(
        count(&app.get("/api/v1/products/P-1/reviews", None).await.body),
        0
    );
    let mine = app
        .get(
            &format!("/api/v1/reviews/{review}"),
            Some(&cast.buyer.token),
        )
        .await;
    assert_eq!(
        (
            mine.body["status"].as_str(),
            mine.body["removal_reason"].as_str()
        ),
        (Some("removed"), Some("false_information"))
    );
    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"review_removed".to_string()));
    assert!(app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"flag_upheld".to_string()));
}

#[actix_web::test]
async fn personal_data_hides_at_once_and_a_dismissal_restores_it() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = published(&app, &cast, "F-2", 4, "Хорошо").await;
    let f = flag(&app, &cast.seller.token, &review, "personal_data").await;
    assert_eq!(f.status, 201);
    let list = app.get("/api/v1/products/P-1/reviews", None).await;
    assert_eq!(
        (
            count(&list.body),
            list.body["items"].as_array().unwrap().len()
        ),
        (0, 0)
    );
    app.get(&format!("/api/v1/reviews/{review}"), None)
        .await
        .assert_problem(404, "not_found");
    let path = format!(
        "/api/v1/moderation/flags/{}/decision",
        f.body["id"].as_str().unwrap()
    );
    // A review that breaks no rule cannot be removed because a seller asked.
    let d = app
        .post(
            &path,
            Some(&cast.moderator.token),
            json!({"decision": "dismiss", "note": "no personal data"}),
        )
        .await;
    assert_eq!(d.body["status"], "dismissed");
    assert_eq!(
        count(&app.get("/api/v1/products/P-1/reviews", None).await.body),
        1
    );
    assert!(app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"flag_dismissed".to_string()));
    // A new flag may be opened after the first is closed.
    assert_eq!(
        flag(&app, &cast.seller.token, &review, "rules_violation")
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn one_appeal_per_removal_within_14_days_decided_by_another_moderator() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = published(&app, &cast, "A-1", 2, "Плохо упаковано").await;
    let f = flag(&app, &cast.seller.token, &review, "offensive_language").await;
    let appeal_path = format!("/api/v1/reviews/{review}/appeal");
    app.post(
        &appeal_path,
        Some(&cast.buyer.token),
        json!({"text": "nothing offensive"}),
    )
    .await
    .assert_problem(409, "not_appealable");
    app.post(
        &format!(
            "/api/v1/moderation/flags/{}/decision",
            f.body["id"].as_str().unwrap()
        ),
        Some(&cast.moderator.token),
        json!({"decision": "uphold", "note": "rude"}),
    )
    .await;
    app.post(
        &appeal_path,
        Some(&cast.other_buyer.token),
        json!({"text": "x"}),
    )
    .await
    .assert_problem(404, "not_found");
    let a = app
        .post(
            &appeal_path,
            Some(&cast.buyer.token),
            json!({"text": "Там нет оскорблений"}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    app.post(
        &appeal_path,
        Some(&cast.buyer.token),
        json!({"text": "again"}),
    )
    .await
    .assert_problem(409, "already_appealed");
    let queue = app
        .get(
            "/api/v1/moderation/queue?kind=appeal",
            Some(&cast.moderator2.token),
        )
        .await;
    assert_eq!(
        queue.body["items"][0]["detail"]["text"],
        "Там нет оскорблений"
    );

    let decide = format!(
        "/api/v1/moderation/appeals/{}/decision",
        a.body["id"].as_str().unwrap()
    );
    app.post(
        &decide,
        Some(&cast.moderator.token),
        json!({"decision": "reinstate", "note": "x"}),
    )
    .await
    .assert_problem(403, "appeal_needs_another_moderator");
    let d = app
        .post(
            &decide,
            Some(&cast.moderator2.token),
            json!({"decision": "reinstate", "note": "fair criticism"}),
        )
        .await;
    assert_eq!(d.body["status"], "reinstated", "{}", d.body);
    app.post(
        &decide,
        Some(&cast.moderator2.token),
        json!({"decision": "keep_removed", "note": "x"}),
    )
    .await
    .assert_problem(409, "invalid_transition");
    assert_eq!(
        count(&app.get("/api/v1/products/P-1/reviews", None).await.body),
        1
    );
    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"appeal_reinstated".to_string()));
    let appeal_id = a.body["id"].as_str().unwrap();
    let log = app
        .get(
            &format!("/api/v1/moderation/log?subject_id={appeal_id}"),
            Some(&cast.moderator.token),
        )
        .await;
    let actions: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["appeal_reinstated", "appeal_opened"]);
    assert_eq!(log.body["items"][1]["actor_id"], cast.buyer.id.as_str());
}

#[actix_web::test]
async fn appeals_close_14_days_after_the_removal() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = published(&app, &cast, "A-2", 2, "Плохо").await;
    let f = flag(&app, &cast.seller.token, &review, "rules_violation").await;
    app.post(
        &format!(
            "/api/v1/moderation/flags/{}/decision",
            f.body["id"].as_str().unwrap()
        ),
        Some(&cast.moderator.token),
        json!({"decision": "uphold", "note": "x"}),
    )
    .await;
    app.clock
        .advance(TimeDelta::days(14) + TimeDelta::seconds(1));
    app.post(
        &format!("/api/v1/reviews/{review}/appeal"),
        Some(&cast.buyer.token),
        json!({"text": "late"}),
    )
    .await
    .assert_problem(422, "appeal_window_closed");
}

#[actix_web::test]
async fn only_moderators_moderate() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    for token in [&cast.buyer.token, &cast.seller.token, &cast.service] {
        app.get("/api/v1/moderation/queue", Some(token))
            .await
            .assert_problem(403, "forbidden");
        app.get("/api/v1/moderation/log", Some(token))
            .await
            .assert_problem(403, "forbidden");
        app.post(
            "/api/v1/moderation/flags/x/decision",
            Some(token),
            json!({"decision": "uphold", "note": "n"}),
        )
        .await
        .assert_problem(403, "forbidden");
        app.post(
            "/api/v1/moderation/appeals/x/decision",
            Some(token),
            json!({"decision": "reinstate", "note": "n"}),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    app.get("/api/v1/moderation/queue", None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get("/api/v1/flags", Some(&cast.buyer.token))
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/me/reviews", Some(&cast.seller.token))
        .await
        .assert_problem(403, "forbidden");
    app.post(
        "/api/v1/moderation/reviews/nope/decision",
        Some(&cast.moderator.token),
        json!({"decision": "approve"}),
    )
    .await
    .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn the_queue_mixes_kinds_nearest_deadline_first_and_pages() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    // Saturday: a flag due Wednesday 25th.
    let clean = published(&app, &cast, "Q-1", 4, "Хорошо").await;
    let flag_id = flag(&app, &cast.seller.token, &clean, "rules_violation")
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Monday 23rd (Almaty): a held review due Thursday 26th.
    app.clock.set("2026-11-23T05:00:00Z".parse().unwrap());
    let item = app.delivered_item(&cast, &cast.buyer, "Q-2", 1).await;
    let held = app
        .review(&cast.buyer.token, &item, 3, "звоните 87011234567")
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let queue = app
        .get("/api/v1/moderation/queue", Some(&cast.moderator.token))
        .await;
    let order: Vec<(&str, &str)> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["due_at"].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        vec![
            ("flag", "2026-11-25T18:59:59Z"),
            ("review", "2026-11-26T18:59:59Z")
        ]
    );
    let first = app
        .get(
            "/api/v1/moderation/queue?limit=1",
            Some(&cast.moderator.token),
        )
        .await;
    assert_eq!(first.body["items"][0]["id"], flag_id.as_str());
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/moderation/queue?limit=1&cursor={cursor}"),
            Some(&cast.moderator.token),
        )
        .await;
    assert_eq!(second.body["items"][0]["id"], held.as_str());
    assert!(second.body["next_cursor"].is_null());
    // Past Wednesday the flag shows as overdue.
    app.clock.set("2026-11-25T19:00:00Z".parse().unwrap());
    let late = app
        .get("/api/v1/moderation/queue", Some(&cast.moderator.token))
        .await;
    assert_eq!(
        (
            late.body["items"][0]["overdue"].as_bool(),
            late.body["items"][1]["overdue"].as_bool()
        ),
        (Some(true), Some(false))
    );
}
