//! Seller-first routing: a seller case is the seller's until they answer, stay silent for 48
//! hours (the sweep) or the buyer escalates; until then it is not in the moderators' queue and
//! a moderator acting on it gets 409 `seller_acts_first`.
use super::*;

async fn queued(app: &TestApp, cast: &Cast, complaint: &str) -> bool {
    let q = app
        .get(
            "/api/v1/moderation/queue?kind=complaint&limit=100",
            Some(&cast.moderator.token),
        )
        .await;
    assert_eq!(q.status, 200, "{}", q.body);
    q.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == complaint)
}

fn resolution() -> Value {
    json!({"outcome": "upheld", "remedy": {"kind": "refund", "amount": 5000},
           "explanation": "Товар не соответствует описанию"})
}

#[actix_web::test]
async fn the_seller_acts_first_and_the_case_reaches_the_queue_on_their_answer() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let (_, id) = app.seller_complaint(&cast, "SF-1").await;
    let path = format!("/api/v1/complaints/{id}");
    let moderator = Some(cast.moderator.token.as_str());
    assert!(!queued(&app, &cast, &id).await, "not the moderators' yet");
    app.post(&format!("{path}/resolve"), moderator, resolution())
        .await
        .assert_problem(409, "seller_acts_first");
    app.post(&format!("{path}/acknowledge"), moderator, json!(null))
        .await
        .assert_problem(409, "seller_acts_first");
    let seen = app.get(&path, moderator).await;
    assert_eq!(seen.body["allowed_actions"], json!(["post_message"]));

    app.clock.advance(TimeDelta::hours(3));
    let answered = app
        .post(
            &format!("{path}/respond"),
            Some(&cast.seller.token),
            json!({"body": "Готовы заменить товар"}),
        )
        .await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    assert!(
        queued(&app, &cast, &id).await,
        "the seller's answer hands it on"
    );
    let ack = app
        .post(&format!("{path}/acknowledge"), moderator, json!(null))
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
}

#[actix_web::test]
async fn silence_hands_the_case_to_the_moderators_after_48_hours() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let hours = app.state.policy.complaints.seller_response_hours;
    let filed = app.clock.now_utc();
    let (_, id) = app.seller_complaint(&cast, "SF-2").await;
    let sweep_at = |when: DateTime<Utc>| {
        app.clock.set(when);
        app.state
            .db
            .run(|c| sweep(c, &app.state.policy, when))
            .unwrap()
    };
    sweep_at(filed + TimeDelta::hours(hours));
    assert!(
        !queued(&app, &cast, &id).await,
        "the last instant is the seller's"
    );
    let moderator = Some(cast.moderator.token.as_str());
    let resolve = format!("/api/v1/complaints/{id}/resolve");
    app.post(&resolve, moderator, resolution())
        .await
        .assert_problem(409, "seller_acts_first");
    sweep_at(filed + TimeDelta::hours(hours) + TimeDelta::seconds(1));
    assert!(queued(&app, &cast, &id).await, "silence escalates it");
    let ack = app
        .post(
            &format!("/api/v1/complaints/{id}/acknowledge"),
            moderator,
            json!(null),
        )
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
}

/// The buyer's escalation (2 business days without a public reply) hands the case on even
/// when no sweep has run since the seller's 48 hours passed.
#[actix_web::test]
async fn the_buyers_escalation_hands_the_case_to_the_moderators() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let (_, id) = app.seller_complaint(&cast, "SF-3").await;
    let path = format!("/api/v1/complaints/{id}");
    let last_reply = app.clock.now_utc();
    let opens = aftersale::calendar::business_deadline(
        last_reply,
        app.state.policy.complaints.escalation_after_business_days,
    );
    app.clock.set(opens + TimeDelta::seconds(1));
    assert!(!queued(&app, &cast, &id).await);
    let e = app
        .post(
            &format!("{path}/escalate"),
            Some(&cast.buyer.token),
            json!(null),
        )
        .await;
    assert_eq!(e.status, 200, "{}", e.body);
    assert!(
        queued(&app, &cast, &id).await,
        "the buyer's escalation hands it on"
    );
    let ack = app
        .post(
            &format!("{path}/acknowledge"),
            Some(&cast.moderator.token),
            json!(null),
        )
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
}
