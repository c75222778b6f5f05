//! A shop cannot keep a review hidden by flagging it again after a moderator dismissed its
//! flag: the review stays public until a moderator decides, and the queue shows the history.
use crate::helpers::*;
use crate::moderation::{flag, published};
use actix_web::http::Method;
use serde_json::{json, Value};

async fn decide(app: &TestApp, token: &str, flag: &Value, decision: &str, note: &str) -> Resp {
    let r = app
        .post(
            &format!(
                "/api/v1/moderation/flags/{}/decision",
                flag["id"].as_str().unwrap()
            ),
            Some(token),
            json!({"decision": decision, "note": note}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r
}

/// Whether an anonymous visitor sees the review, alone and in the product's list.
async fn public(app: &TestApp, review: &str) -> bool {
    let one = app.get(&format!("/api/v1/reviews/{review}"), None).await;
    let list = app.get("/api/v1/products/P-1/reviews", None).await;
    let listed = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == review);
    assert_eq!(one.status == 200, listed, "{} / {}", one.body, list.body);
    assert_eq!(
        list.body["summary"]["count"],
        i64::from(listed),
        "{}",
        list.body
    );
    listed
}

async fn open_flag_item(app: &TestApp, token: &str, flag: &Value) -> Value {
    let queue = app
        .get("/api/v1/moderation/queue?kind=flag", Some(token))
        .await;
    queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == flag["id"])
        .cloned()
        .unwrap_or_else(|| panic!("flag not queued: {}", queue.body))
}

#[actix_web::test]
async fn after_a_dismissal_a_new_flag_waits_for_a_moderator() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = published(&app, &cast, "RF-1", 1, "Продавец обманул, товар не тот").await;

    let first = flag(&app, &cast.seller.token, &review, "personal_data").await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(
        !public(&app, &review).await,
        "a first personal-data flag hides at once"
    );
    let item = open_flag_item(&app, &cast.moderator.token, &first.body).await;
    assert_eq!(item["detail"]["reason"], "personal_data");
    assert_eq!(item["detail"]["previous_dismissals"], 0);
    assert_eq!(item["detail"]["last_dismissal"], Value::Null);
    app.clock.advance(chrono::TimeDelta::hours(1));
    decide(
        &app,
        &cast.moderator.token,
        &first.body,
        "dismiss",
        "no personal data",
    )
    .await;
    assert!(public(&app, &review).await);

    // The shop's second and third tries: the review stays public, each flag is queued.
    for round in 1..=2 {
        let again = flag(&app, &cast.seller.token, &review, "personal_data").await;
        assert_eq!(again.status, 201, "{}", again.body);
        assert!(
            public(&app, &review).await,
            "round {round}: hidden again by the shop alone"
        );
        let item = open_flag_item(&app, &cast.moderator2.token, &again.body).await;
        assert_eq!(item["detail"]["reason"], "personal_data");
        assert_eq!(item["detail"]["previous_dismissals"], round, "{item}");
        assert_eq!(item["detail"]["last_dismissal"]["note"], "no personal data");
        assert!(item["detail"]["last_dismissal"]["at"].is_string(), "{item}");
        if round == 1 {
            decide(
                &app,
                &cast.moderator2.token,
                &again.body,
                "dismiss",
                "no personal data",
            )
            .await;
            assert!(public(&app, &review).await);
        } else {
            // A moderator who does find personal data still removes it.
            decide(
                &app,
                &cast.moderator2.token,
                &again.body,
                "uphold",
                "a phone number",
            )
            .await;
            assert!(!public(&app, &review).await);
            let r = app
                .get(
                    &format!("/api/v1/reviews/{review}"),
                    Some(&cast.buyer.token),
                )
                .await;
            assert_eq!(r.body["status"], "removed", "{}", r.body);
        }
    }
}

#[actix_web::test]
async fn a_new_version_by_its_author_may_be_hidden_at_once_again() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = published(&app, &cast, "RF-2", 2, "Доставка долгая").await;
    let first = flag(&app, &cast.seller.token, &review, "personal_data").await;
    decide(
        &app,
        &cast.moderator.token,
        &first.body,
        "dismiss",
        "nothing personal",
    )
    .await;
    // Any dismissed reason counts: a moderator has read this text.
    let other = flag(&app, &cast.seller.token, &review, "rules_violation").await;
    decide(&app, &cast.moderator.token, &other.body, "dismiss", "fine").await;
    let again = flag(&app, &cast.seller.token, &review, "personal_data").await;
    assert!(public(&app, &review).await);
    decide(
        &app,
        &cast.moderator.token,
        &again.body,
        "dismiss",
        "still fine",
    )
    .await;

    // The author writes new text: no moderator has seen it yet.
    let edited = app
        .call(
            Method::PATCH,
            &format!("/api/v1/reviews/{review}"),
            Some(&cast.buyer.token),
            Some(json!({"text": "Доставка долгая, курьер грубил"})),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["status"], "published", "{}", edited.body);
    let fresh = flag(&app, &cast.seller.token, &review, "personal_data").await;
    assert_eq!(fresh.status, 201, "{}", fresh.body);
    assert!(!public(&app, &review).await);
    let item = open_flag_item(&app, &cast.moderator.token, &fresh.body).await;
    assert_eq!(item["detail"]["previous_dismissals"], 3, "{item}");
    assert_eq!(item["detail"]["last_dismissal"]["note"], "still fine");
}
