//! `GET /catalogues`: public, the language from `?lang=`, `Accept-Language` or `ru`, an
//! `ETag` per language, and the rule numbers read from the policy the service runs with.
use crate::helpers::*;
use actix_web::test::TestRequest;
use serde_json::Value;

fn entry<'a>(group: &'a Value, code: &str) -> &'a Value {
    group
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == code)
        .unwrap_or_else(|| panic!("{code} missing from {group}"))
}

#[actix_web::test]
async fn the_language_comes_from_the_query_the_header_or_russian() {
    let app = TestApp::spawn().await;
    let ru = app.get("/api/v1/catalogues", None).await;
    assert_eq!(ru.status, 200, "{}", ru.body);
    assert_eq!(ru.body["lang"], "ru");
    assert_eq!(ru.headers.get("content-language").unwrap(), "ru");
    assert_eq!(
        entry(&ru.body["return_reasons"], "changed_mind")["label"],
        "Передумал"
    );
    let kk = app.get("/api/v1/catalogues?lang=kk", None).await;
    assert_eq!(kk.body["lang"], "kk");
    assert_eq!(
        entry(&kk.body["complaint_categories"], "fraud")["label"],
        "Алаяқтық"
    );
    let en = app
        .send(
            TestRequest::get()
                .uri("/api/v1/catalogues")
                .insert_header(("accept-language", "de-DE, en;q=0.8")),
        )
        .await;
    assert_eq!(en.body["lang"], "en");
    assert_eq!(
        entry(&en.body["statuses"]["complaint"], "awaiting_buyer")["label"],
        "Awaiting the buyer"
    );
    // The query wins over the header.
    let ru_again = app
        .send(
            TestRequest::get()
                .uri("/api/v1/catalogues?lang=ru")
                .insert_header(("accept-language", "en")),
        )
        .await;
    assert_eq!(ru_again.body["lang"], "ru");

    let bad = app.get("/api/v1/catalogues?lang=de", None).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.body["code"], "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "lang");
}

#[actix_web::test]
async fn each_language_has_its_etag_and_revalidates_to_304() {
    let app = TestApp::spawn().await;
    let tag = |lang: &'static str| {
        let app = &app;
        async move {
            let r = app
                .get(&format!("/api/v1/catalogues?lang={lang}"), None)
                .await;
            assert_eq!(r.status, 200);
            assert!(r.headers.get("cache-control").is_some());
            r.headers.get("etag").unwrap().to_str().unwrap().to_string()
        }
    };
    let (kk, ru, en) = (tag("kk").await, tag("ru").await, tag("en").await);
    assert!(kk != ru && ru != en && kk != en, "{kk} {ru} {en}");
    assert_eq!(tag("kk").await, kk, "stable across requests");

    let again = app
        .send(
            TestRequest::get()
                .uri("/api/v1/catalogues?lang=kk")
                .insert_header(("if-none-match", kk.clone())),
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());
    assert_eq!(again.headers.get("etag").unwrap().to_str().unwrap(), kk);
    // Another language's tag does not revalidate this one.
    let other = app
        .send(
            TestRequest::get()
                .uri("/api/v1/catalogues?lang=en")
                .insert_header(("if-none-match", kk)),
        )
        .await;
    assert_eq!(other.status, 200);
}

#[actix_web::test]
async fn the_rule_numbers_are_the_policys() {
    let app = TestApp::spawn().await;
    let p = &app.state.policy;
    let c = app.get("/api/v1/catalogues?lang=en", None).await.body;
    let damaged = entry(&c["complaint_categories"], "damaged_in_delivery");
    assert_eq!(
        damaged["window_days_city"],
        p.complaints.damaged_window_days_city
    );
    assert_eq!(
        damaged["window_days_intercity"],
        p.complaints.damaged_window_days_intercity
    );
    assert_eq!(damaged["needs_delivery"], true);
    assert_eq!(damaged["targets"], serde_json::json!(["courier"]));
    assert_eq!(
        entry(&c["complaint_categories"], "fraud")["window_days_city"],
        p.complaints.other_window_days
    );
    let defective = entry(&c["return_reasons"], "defective");
    assert_eq!(
        defective["window_days_city"],
        p.returns.defective_window_days
    );
    assert_eq!(defective["evidence"], "photo_or_document");
    assert_eq!(defective["excluded_categories"], serde_json::json!([]));
    assert_eq!(
        entry(&c["return_reasons"], "changed_mind")["excluded_categories"],
        serde_json::json!(p.returns.changed_mind_excluded_categories)
    );
    assert_eq!(
        entry(&c["rejection_reasons"], "signs_of_use")["dispute_window_days"],
        p.returns.dispute_window_days
    );
    let personal = entry(&c["flag_reasons"], "personal_data");
    assert_eq!(personal["hides_at_once"], true);
    assert_eq!(
        personal["decision_business_days"],
        p.reviews.flag_sla_business_days
    );
    assert_eq!(
        entry(&c["complaint_tracks"], "complex")["resolution_days"],
        p.complaints.complex_resolution_days
    );
    for group in [
        "desired_resolutions",
        "remedies",
        "complaint_outcomes",
        "complaint_targets",
        "external_authorities",
        "delivery_failure_choices",
        "evidence",
    ] {
        assert!(!c[group].as_array().unwrap().is_empty(), "{group}");
    }
    assert_eq!(
        entry(&c["actions"]["return"], "schedule_pickup")["label"],
        "Schedule a pickup"
    );
    for kind in [
        "complaint",
        "return",
        "review",
        "flag",
        "appeal",
        "delivery_failure",
        "order",
    ] {
        let list = c["statuses"][kind].as_array().unwrap();
        assert!(
            list.iter()
                .all(|e| e["label"].as_str().is_some_and(|l| !l.is_empty())),
            "{kind}"
        );
    }
}
