//! The buyer–seller conversation of an order: messages with attachments and a cursor, the
//! seller's reply clock (24 h target, 48 h limit) to the second, breaches, privacy.
use crate::helpers::*;
use crate::returns::{at, EARLY};
use crate::reviews::{upload, PNG};
use aftersale::jobs::sweeper::sweep;
use serde_json::{json, Value};

#[actix_web::test]
async fn conversation_reply_clock_and_breaches() {
    let app = TestApp::spawn().await;
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    let order = app
        .delivered_order(&cast.service, "M-1", &cast.buyer, cast.shop(), 1)
        .await;
    let path = format!("/api/v1/orders/{}/messages", order["id"].as_str().unwrap());
    let buyer = Some(cast.buyer.token.as_str());
    let seller = Some(cast.seller.token.as_str());

    let empty = app.get(&path, buyer).await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert_eq!(empty.body["items"], json!([]));
    assert_eq!(empty.body["reply"]["awaiting_since"], Value::Null);

    app.clock.set(at("2026-11-20T10:00:00Z"));
    let r = app
        .post(
            &path,
            buyer,
            json!({"body": "  Когда отправите чек?  ", "attachment_ids": [photo]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["body"], "Когда отправите чек?");
    assert_eq!(r.body["author"]["role"], "buyer");
    app.clock.set(at("2026-11-20T15:00:00Z"));
    app.post(&path, buyer, json!({"body": "Жду ответа"})).await;
    assert!(app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"order_message".to_string()));

    let seen = app.get(&path, seller).await;
    assert_eq!(seen.body["items"][0]["body"], "Жду ответа");
    assert_eq!(seen.body["items"][1]["author"]["name"], "Айгерим Н.");
    assert_eq!(seen.body["items"][1]["attachment_ids"], json!([photo]));
    assert_eq!(
        seen.body["reply"],
        json!({"awaiting_since": "2026-11-20T10:00:00Z", "target_by": "2026-11-21T10:00:00Z",
               "due_by": "2026-11-22T10:00:00Z", "overdue": false, "last_reply_at": null,
               "breaches": []})
    );
    // The file travels with the message: the shop's seller may read it, another may not.
    assert_eq!(
        app.get(&format!("/api/v1/attachments/{photo}"), seller)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/attachments/{photo}"),
            Some(&cast.other_seller.token)
        )
        .await
        .status,
        404
    );

    let run_sweep = |when: &str| {
        app.clock.set(at(when));
        let now = app.clock.now_utc();
        app.state
            .db
            .run(|c| sweep(c, &app.state.policy, now))
            .unwrap()
            .messages
            .breaches
    };
    assert_eq!(run_sweep("2026-11-21T10:00:00Z"), 0);
    assert_eq!(run_sweep("2026-11-21T10:00:01Z"), 1);
    assert_eq!(run_sweep("2026-11-22T10:00:00Z"), 0);
    assert_eq!(run_sweep("2026-11-22T10:00:01Z"), 1);
    assert_eq!(run_sweep("2026-11-22T11:00:00Z"), 0);
    assert!(app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"order_message_unanswered".to_string()));
    let overdue = app.get(&path, buyer).await;
    assert_eq!(overdue.body["reply"]["overdue"], true);
    let order_id = order["id"].as_str().unwrap().to_string();
    let breaches = app
        .state
        .db
        .run(|c| aftersale::db::orders::breaches(c, &order_id))
        .unwrap();
    let slas: Vec<&str> = breaches.iter().map(|b| b.sla.as_str()).collect();
    assert_eq!(slas, ["reply_target", "reply_limit"]);
    assert_eq!(
        overdue.body["reply"]["breaches"],
        json!([
            {"sla": "reply_target", "due_at": "2026-11-21T10:00:00Z", "recorded_at": "2026-11-21T10:00:01Z"},
            {"sla": "reply_limit", "due_at": "2026-11-22T10:00:00Z", "recorded_at": "2026-11-22T10:00:01Z"},
        ])
    );

    // The seller answers: the clock stops; the buyer hears of it.
    app.clock.set(at("2026-11-22T12:00:00Z"));
    let r = app
        .post(&path, seller, json!({"body": "Чек во вложении"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["author"]["name"], "Данияр Беков");
    let after = app.get(&path, buyer).await;
    assert_eq!(after.body["reply"]["awaiting_since"], Value::Null);
    assert_eq!(after.body["reply"]["last_reply_at"], "2026-11-22T12:00:00Z");
    assert!(app
        .notification_kinds(&cast.buyer.token)
        .await
        .contains(&"order_message".to_string()));
    assert_eq!(run_sweep("2026-11-25T00:00:00Z"), 0);
    // A new question starts a new clock.
    app.clock.set(at("2026-11-25T01:00:00Z"));
    app.post(&path, buyer, json!({"body": "Спасибо, а гарантия?"}))
        .await;
    assert_eq!(run_sweep("2026-11-26T01:00:01Z"), 1);

    // Cursor: newest first, one at a time, no repeats.
    let mut seen_ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{path}?limit=1&cursor={c}"),
            None => format!("{path}?limit=1"),
        };
        let page = app.get(&q, Some(&cast.moderator.token)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        seen_ids.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].clone()),
        );
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen_ids.len(), 4);
    let mut unique = seen_ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), 4);

    // Rules of the form.
    let r = app.post(&path, buyer, json!({"body": "   "})).await;
    assert_eq!(r.field_errors(), vec![("body".into(), "blank".into())]);
    let other = upload(&app, &cast.other_buyer.token, PNG).await;
    app.post(
        &path,
        buyer,
        json!({"body": "x", "attachment_ids": [other]}),
    )
    .await
    .assert_problem(422, "invalid_attachment");
    app.post(&path, Some(&cast.moderator.token), json!({"body": "x"}))
        .await
        .assert_problem(403, "forbidden");
    app.get(&path, Some(&cast.other_buyer.token))
        .await
        .assert_problem(404, "not_found");
    app.post(&path, Some(&cast.other_seller.token), json!({"body": "x"}))
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("{path}?limit=0"), buyer)
        .await
        .assert_problem(422, "validation_failed");
}
