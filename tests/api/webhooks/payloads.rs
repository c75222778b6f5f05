//! The delivery log shows what was sent: each delivery's `payload` is the signed body, byte
//! for byte once written compactly, so a seller can debug an integration from the log alone.
use super::*;

#[actix_web::test]
async fn the_delivery_log_shows_the_exact_body_each_endpoint_received() {
    let app = app().await;
    let rx = Receiver::start();
    let cast = app.cast().await;
    let (endpoint, secret) = register(
        &app,
        &cast.seller.token,
        &format!("{}/hook", rx.base),
        json!(["complaint.filed"]),
    )
    .await;
    let (_, complaint) = app.seller_complaint(&cast, "W-P1").await;
    let ping = app
        .post(
            &format!("/api/v1/webhooks/{endpoint}/test"),
            Some(&cast.seller.token),
            json!({}),
        )
        .await;
    assert!(ping.status.is_success(), "{}", ping.body);
    assert_eq!(dispatch(&app).await.delivered, 2);
    let got = rx.got();
    assert_eq!(got.len(), 2);
    let log = app
        .get(
            &format!("/api/v1/webhooks/{endpoint}/deliveries"),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let items = log.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for received in &got {
        let delivery = items
            .iter()
            .find(|d| d["message_id"] == received.id.as_str())
            .unwrap_or_else(|| panic!("{} is not in the log", received.id));
        // The signature covers the body as sent: the logged payload re-signs to it.
        let written = serde_json::to_string(&delivery["payload"]).unwrap();
        assert_eq!(written, received.body);
        assert!(verifies(
            &secret,
            &Received {
                body: written,
                ..received.clone()
            }
        ));
        assert_eq!(delivery["payload"]["type"], delivery["event_type"]);
    }
    let filed = items
        .iter()
        .find(|d| d["event_type"] == "complaint.filed")
        .unwrap();
    assert_eq!(filed["payload"]["data"]["complaint_id"], complaint.as_str());
    let ping = items.iter().find(|d| d["event_type"] == "ping").unwrap();
    assert_eq!(ping["payload"]["data"]["endpoint_id"], endpoint.as_str());
}
