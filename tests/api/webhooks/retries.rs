//! Failed attempts: retries with the same id, `Retry-After`, endpoints disabled by a 410 or
//! by five days of failures, and a rotated secret's overlap.
use super::*;

#[actix_web::test]
async fn a_500_is_retried_with_the_same_id_and_the_log_shows_both_attempts() {
    let app = app().await;
    let rx = Receiver::start();
    rx.script(&[500]);
    let cast = app.cast().await;
    let (id, _) = register(
        &app,
        &cast.seller.token,
        &rx.base,
        json!(["complaint.filed"]),
    )
    .await;
    app.seller_complaint(&cast, "W-2").await;
    let first = dispatch(&app).await;
    assert_eq!((first.attempts, first.retrying), (1, 1));
    // Not due yet: the retry waits its 5 s (± jitter).
    assert_eq!(dispatch(&app).await.attempts, 0);
    app.clock.advance(TimeDelta::seconds(6));
    assert_eq!(dispatch(&app).await.delivered, 1);
    let got = rx.got();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, got[1].id, "the webhook-id survives the retry");
    let log = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries"),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let d = &log.body["items"][0];
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["attempt_count"], 2);
    assert_eq!(d["attempts"][0]["status_code"], 500);
    assert_eq!(d["attempts"][0]["response_snippet"], "answered 500");
    assert_eq!(d["attempts"][1]["status_code"], 204);
    let failed = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries?status=failed"),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(failed.body["items"].as_array().unwrap().len(), 0);
    // Redelivery: the same message again, same webhook-id.
    let d_id = d["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/webhooks/{id}/deliveries/{d_id}/redeliver"),
            Some(&cast.seller.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    dispatch(&app).await;
    let got = rx.got();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].id, got[0].id);
}

#[actix_web::test]
async fn retry_after_on_503_is_honoured() {
    let app = app().await;
    let rx = Receiver::start();
    rx.script(&[503]);
    let cast = app.cast().await;
    let (id, _) = register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    app.post(
        &format!("/api/v1/webhooks/{id}/test"),
        Some(&cast.seller.token),
        json!({}),
    )
    .await;
    dispatch(&app).await;
    // The schedule says 5 s; the receiver asked for 120.
    app.clock.advance(TimeDelta::seconds(60));
    assert_eq!(dispatch(&app).await.attempts, 0);
    app.clock.advance(TimeDelta::seconds(61));
    assert_eq!(dispatch(&app).await.delivered, 1);
}

#[actix_web::test]
async fn a_410_disables_the_endpoint_and_tells_the_seller() {
    let app = app().await;
    let rx = Receiver::start();
    rx.script(&[410]);
    let cast = app.cast().await;
    let (id, _) = register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    app.seller_complaint(&cast, "W-3").await;
    app.seller_complaint(&cast, "W-4").await;
    let report = dispatch(&app).await;
    assert_eq!(
        (report.attempts, report.endpoints_disabled),
        (1, 1),
        "{report:?}"
    );
    let w = app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&cast.seller.token))
        .await;
    assert_eq!(w.body["enabled"], false);
    assert_eq!(w.body["disabled_reason"], "gone");
    assert!(app
        .notification_kinds(&cast.seller.token)
        .await
        .contains(&"webhook_disabled".to_string()));
    // Nothing more goes out until the seller turns it back on.
    app.clock.advance(TimeDelta::minutes(10));
    assert_eq!(dispatch(&app).await.attempts, 0);
    let on = app
        .call(
            Method::PATCH,
            &format!("/api/v1/webhooks/{id}"),
            Some(&cast.seller.token),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(on.body["disabled_reason"], Value::Null);
    assert_eq!(
        dispatch(&app).await.delivered,
        1,
        "the second complaint's message"
    );
}

#[actix_web::test]
async fn five_days_of_failures_disable_the_endpoint() {
    let app = app().await;
    let rx = Receiver::start();
    rx.script(&[500; 40]);
    let cast = app.cast().await;
    let (id, _) = register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    let mut disabled = 0;
    for day in 0..6 {
        app.post(
            &format!("/api/v1/webhooks/{id}/test"),
            Some(&cast.seller.token),
            json!({}),
        )
        .await;
        disabled += dispatch(&app).await.endpoints_disabled;
        if day < 5 {
            assert_eq!(disabled, 0, "day {day}");
        }
        app.clock.advance(TimeDelta::days(1));
    }
    assert_eq!(disabled, 1);
    let w = app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&cast.seller.token))
        .await;
    assert_eq!(w.body["disabled_reason"], "failing");
}

#[actix_web::test]
async fn a_rotated_secret_signs_beside_the_new_one_for_a_day() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    let (id, old) = register(&app, &cast.seller.token, &rx.base, json!(["*"])).await;
    let r = app
        .post(
            &format!("/api/v1/webhooks/{id}/rotate-secret"),
            Some(&cast.seller.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let new = r.body["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    let ping = app
        .post(
            &format!("/api/v1/webhooks/{id}/test"),
            Some(&cast.seller.token),
            json!({}),
        )
        .await;
    assert_eq!(ping.status, 202, "{}", ping.body);
    dispatch(&app).await;
    let m = &rx.got()[0];
    assert_eq!(m.json()["type"], "ping");
    assert_eq!(m.signature.split(' ').count(), 2);
    assert!(verifies(&old, m) && verifies(&new, m));
    app.clock.advance(TimeDelta::hours(25));
    app.post(
        &format!("/api/v1/webhooks/{id}/test"),
        Some(&cast.seller.token),
        json!({}),
    )
    .await;
    dispatch(&app).await;
    let m = &rx.got()[1];
    assert_eq!(m.signature.split(' ').count(), 1);
    assert!(verifies(&new, m) && !verifies(&old, m));
}
