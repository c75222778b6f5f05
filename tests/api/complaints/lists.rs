//! Notifications of every public step, lists and the queue, and resolutions checked against
//! the order.
use super::*;

#[actix_web::test]
async fn every_public_step_notifies_the_other_parties() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let (_, case) = filed(&app, &cast, "NT-1", "seller", "not_as_described").await;
    let base = format!("/api/v1/complaints/{}", case["id"].as_str().unwrap());
    assert_eq!(
        app.notification_kinds(&cast.seller.token).await,
        ["complaint_filed"]
    );
    assert!(app
        .notification_kinds(&cast.other_seller.token)
        .await
        .is_empty());
    let r = app
        .post(
            &format!("{base}/respond"),
            Some(&cast.seller.token),
            json!({"body": "Заменим"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            &format!("{base}/assign"),
            Some(&cast.moderator.token),
            json!({"moderator_id": cast.moderator2.id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["assignee"]["id"], json!(cast.moderator2.id));
    let r = app
        .post(
            &format!("{base}/extend"),
            Some(&cast.moderator2.token),
            json!({"reason": "Экспертиза", "resolve_by": "2026-12-20T12:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let buyer = app.notification_kinds(&cast.buyer.token).await;
    assert_eq!(
        buyer[..2],
        ["complaint_extended", "complaint_seller_responded"]
    );
    // The assignee hears of the assignment and of public steps by others.
    assert_eq!(
        app.notification_kinds(&cast.moderator2.token).await,
        ["complaint_assigned"]
    );
    let r = app
        .post(
            &format!("{base}/messages"),
            Some(&cast.buyer.token),
            json!({"body": "Жду замену"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        app.notification_kinds(&cast.moderator2.token).await[0],
        "complaint_message"
    );
    assert_eq!(
        app.notification_kinds(&cast.seller.token).await[0],
        "complaint_message"
    );
    // Read in English.
    let feed = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/api/v1/notifications")
                .insert_header(("Authorization", format!("Bearer {}", cast.buyer.token)))
                .insert_header(("Accept-Language", "en")),
        )
        .await;
    assert_eq!(feed.body["items"][0]["title"], "Deadline extended");
}

#[actix_web::test]
async fn lists_filter_and_page_by_role_and_the_queue_orders_by_deadline() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    app.clock.set(at(FILED));
    let (_, a) = filed(&app, &cast, "L-1", "courier", "delivery_delay").await;
    app.clock.set(at(FILED) + TimeDelta::hours(1));
    let (_, b) = filed(&app, &cast, "L-2", "seller", "defective").await;
    app.clock.set(at(FILED) + TimeDelta::hours(2));
    let (_, c) = filed(&app, &cast, "L-3", "seller", "fraud").await;
    let ids = |r: &Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_str().unwrap().to_string())
            .collect()
    };
    let (na, nb, nc) = (
        a["number"].as_str().unwrap(),
        b["number"].as_str().unwrap(),
        c["number"].as_str().unwrap(),
    );

    let all = app.get("/api/v1/complaints", Some(&cast.buyer.token)).await;
    assert_eq!(ids(&all), [nc, nb, na]);
    let page1 = app
        .get("/api/v1/complaints?limit=2", Some(&cast.buyer.token))
        .await;
    assert_eq!(ids(&page1), [nc, nb]);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/complaints?limit=2&cursor={cursor}"),
            Some(&cast.buyer.token),
        )
        .await;
    assert_eq!(ids(&page2), [na]);
    assert!(page2.body["next_cursor"].is_null());
    assert!(ids(&app
        .get("/api/v1/complaints", Some(&cast.other_buyer.token))
        .await)
    .is_empty());
    // Sellers see their shop's seller cases, never courier ones.
    assert_eq!(
        ids(&app
            .get("/api/v1/complaints", Some(&cast.seller.token))
            .await),
        [nc, nb]
    );
    assert!(ids(&app
        .get("/api/v1/complaints", Some(&cast.other_seller.token))
        .await)
    .is_empty());
    let m = &cast.moderator.token;
    assert_eq!(
        ids(&app.get("/api/v1/complaints?target=courier", Some(m)).await),
        [na]
    );
    assert_eq!(
        ids(&app.get("/api/v1/complaints?category=fraud", Some(m)).await),
        [nc]
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/complaints?status=submitted", Some(m))
            .await),
        [nc, nb, na]
    );
    assert!(ids(&app.get("/api/v1/complaints?status=resolved", Some(m)).await).is_empty());
    // Seller cases are due first (48 h), the later-filed one later.
    app.clock.set(at("2026-11-22T14:30:00Z"));
    assert!(ids(&app.get("/api/v1/complaints?overdue=true", Some(m)).await).is_empty());
    app.clock.set(at("2026-11-22T14:30:01Z"));
    assert_eq!(
        ids(&app.get("/api/v1/complaints?overdue=true", Some(m)).await),
        [nb]
    );
    app.clock.set(at("2026-11-22T14:30:00Z"));
    app.get("/api/v1/complaints?status=lost", Some(m))
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/complaints?limit=0", Some(m))
        .await
        .assert_problem(422, "validation_failed");

    let queue = app
        .get("/api/v1/moderation/queue?kind=complaint", Some(m))
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let order: Vec<(&str, &str)> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["detail"]["number"].as_str().unwrap(),
                i["due_at"].as_str().unwrap(),
            )
        })
        .collect();
    // The seller cases are still the seller's (seller-first routing): only the courier case.
    assert_eq!(order, [(na, "2026-11-25T18:59:59Z")]);
    assert_eq!(queue.body["items"][0]["kind"], "complaint");
    assert_eq!(queue.body["items"][0]["overdue"], false);
    assert!(queue.body["items"][0].get("review_id").is_none());
    // A case waiting on the buyer is not the moderators' work once they acknowledged it…
    let a_path = format!("/api/v1/complaints/{}", a["id"].as_str().unwrap());
    let r = app
        .post(&format!("{a_path}/acknowledge"), Some(m), json!(null))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            &format!("{a_path}/request-info"),
            Some(m),
            json!({"question": "Когда курьер звонил?"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // …while a seller's question, their answer, puts an unacknowledged case on it.
    let b_path = format!("/api/v1/complaints/{}", b["id"].as_str().unwrap());
    let r = app
        .post(
            &format!("{b_path}/request-info"),
            Some(&cast.seller.token),
            json!({"question": "Какой цвет заказывали?"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "awaiting_buyer");
    let queue = app
        .get("/api/v1/moderation/queue?kind=complaint", Some(m))
        .await;
    let numbers: Vec<&str> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["detail"]["number"].as_str().unwrap())
        .collect();
    // The question was b's seller response: it reaches the queue, due by the acknowledgement;
    // c is still the seller's.
    assert_eq!(numbers, [nb]);
    let everything = app.get("/api/v1/moderation/queue", Some(m)).await;
    assert_eq!(everything.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn resolutions_check_remedies_against_the_order() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let (_, case) = filed(&app, &cast, "R-1", "seller", "defective").await;
    let base = format!("/api/v1/complaints/{}", case["id"].as_str().unwrap());
    let m = Some(cast.moderator.token.as_str());
    // The seller answers first (seller-first routing).
    let answered = app
        .post(
            &format!("{base}/respond"),
            Some(&cast.seller.token),
            json!({"body": "Готовы вернуть деньги"}),
        )
        .await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    for step in ["acknowledge", "start-review"] {
        let r = app.post(&format!("{base}/{step}"), m, json!(null)).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let resolve = |outcome: &str, remedy: Value| json!({"outcome": outcome, "remedy": remedy, "explanation": "Решение"});
    let cases = [
        (
            resolve("upheld", json!({"kind": "refund", "amount": 157001})),
            "remedy.amount",
            "exceeds_order_total",
        ),
        (
            resolve("partially_upheld", json!({"kind": "partial_refund"})),
            "remedy.amount",
            "required",
        ),
        (
            resolve("upheld", json!({"kind": "redelivery", "amount": 10})),
            "remedy.amount",
            "not_allowed",
        ),
        (
            resolve("rejected", json!({"kind": "compensation", "amount": 10})),
            "remedy.kind",
            "rejected_needs_none",
        ),
        (
            resolve("upheld", json!({"kind": "refund", "amount": 0})),
            "remedy.amount",
            "range",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post(&format!("{base}/resolve"), m, body).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            r.field_errors(),
            [(field.to_string(), code.to_string())],
            "{}",
            r.body
        );
    }
    let r = app
        .post(
            &format!("{base}/resolve"),
            m,
            resolve(
                "partially_upheld",
                json!({"kind": "partial_refund", "amount": 20000}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["resolution"]["remedy"],
        json!({"kind": "partial_refund", "amount": {"amount": 20000, "currency": "KZT"}})
    );
    assert_eq!(
        r.body["resolution"]["decided_by"]["id"],
        json!(cast.moderator.id)
    );
    // The buyer sees who decided by display name only.
    let seen = app.get(&base, Some(&cast.buyer.token)).await;
    assert_eq!(
        seen.body["resolution"]["decided_by"],
        json!({"role": "moderator", "name": "Мадина С."})
    );
    assert_eq!(
        seen.body["allowed_actions"],
        json!([
            "accept",
            "appeal",
            "record_external_escalation",
            "post_message"
        ])
    );
    // A second decision is a conflict.
    app.post(
        &format!("{base}/resolve"),
        m,
        resolve("rejected", json!({"kind": "none"})),
    )
    .await
    .assert_problem(409, "invalid_transition");
    // Assigning to someone who is no moderator is refused.
    let (_, other) = filed(&app, &cast, "R-2", "courier", "other").await;
    let r = app
        .post(
            &format!(
                "/api/v1/complaints/{}/assign",
                other["id"].as_str().unwrap()
            ),
            m,
            json!({"moderator_id": cast.seller.id}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.field_errors(),
        [("moderator_id".to_string(), "not_a_moderator".to_string())]
    );
}
