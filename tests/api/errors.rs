use crate::helpers::*;
use actix_web::http::header;
use actix_web::test::TestRequest;
use serde_json::json;

#[actix_web::test]
async fn malformed_json_is_400_and_wrong_media_type_415() {
    let app = TestApp::spawn().await;
    let req = TestRequest::post()
        .uri("/api/v1/auth/login")
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload("{\"email\": ");
    app.send(req).await.assert_problem(400, "malformed_request");
    let req = TestRequest::post()
        .uri("/api/v1/auth/login")
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .set_payload("{}");
    app.send(req)
        .await
        .assert_problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn oversize_json_is_413() {
    let app = TestApp::spawn_with(&[("JSON_MAX_BYTES", "2048")]).await;
    let big = format!("{{\"email\":\"{}\",\"password\":\"x\"}}", "a".repeat(4096));
    let req = TestRequest::post()
        .uri("/api/v1/auth/login")
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(big);
    app.send(req).await.assert_problem(413, "payload_too_large");
}

#[actix_web::test]
async fn unknown_routes_are_problem_json_404() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/no-such-thing", None).await;
    r.assert_problem(404, "route_not_found");
    assert!(r.body["request_id"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    assert_eq!(
        r.headers.get("x-request-id").unwrap().to_str().unwrap(),
        r.body["request_id"].as_str().unwrap()
    );
}

#[actix_web::test]
async fn titles_follow_accept_language_and_codes_do_not() {
    let app = TestApp::spawn().await;
    let mut titles = Vec::new();
    for lang in ["kk", "ru", "en", "de"] {
        let req = TestRequest::get()
            .uri("/api/v1/me")
            .insert_header((header::ACCEPT_LANGUAGE, lang));
        let r = app.send(req).await;
        r.assert_problem(401, "unauthenticated");
        titles.push(r.body["title"].as_str().unwrap().to_string());
    }
    assert_eq!(titles[0], "Авторизация қажет");
    assert_eq!(titles[1], "Требуется авторизация");
    assert_eq!(titles[2], "Authentication required");
    assert_eq!(
        titles[3], titles[1],
        "unsupported languages fall back to Russian"
    );
}

#[actix_web::test]
async fn garbage_in_every_field_never_500s() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let service = app.service_token();
    let bodies = [
        "null", "[]", "1", "\"x\"", "{}", "{\"buyer_id\": 5}", "{\"items\": \"x\"}",
        "{\"buyer_id\":\"a\",\"shop_id\":\"b\",\"placed_at\":\"yesterday\",\"items\":[],\"delivery\":{}}",
        "{\"buyer_id\":\"a\",\"shop_id\":\"b\",\"placed_at\":\"2026-01-01T00:00:00Z\",\"items\":[{\"product_id\":\"p\",\"title\":\"t\",\"quantity\":99999999999,\"unit_price\":1}],\"delivery\":{\"type\":\"city\",\"status\":\"pending\"}}",
    ];
    for body in bodies {
        for (path, token) in [
            ("/api/v1/auth/register", None),
            ("/api/v1/auth/login", None),
            ("/api/v1/auth/refresh", None),
            ("/api/v1/auth/logout", Some(buyer.token.as_str())),
        ] {
            let mut req = TestRequest::post()
                .uri(path)
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload(body);
            if let Some(t) = token {
                req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
            }
            let r = app.send(req).await;
            assert!(
                r.status.is_client_error(),
                "{path} {body} → {} {}",
                r.status,
                r.body
            );
        }
        let req = TestRequest::put()
            .uri("/api/v1/integration/orders/G-1")
            .insert_header((header::AUTHORIZATION, format!("Bearer {service}")))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload(body);
        let r = app.send(req).await;
        assert!(
            r.status.is_client_error(),
            "order {body} → {} {}",
            r.status,
            r.body
        );
    }
}

#[actix_web::test]
async fn callers_over_their_limit_get_429_with_retry_after() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "5")]).await;
    let a = app.buyer("a@example.kz").await;
    let b = app.buyer("b@example.kz").await;
    for _ in 0..5 {
        assert_eq!(app.get("/api/v1/me", Some(&a.token)).await.status, 200);
    }
    let limited = app.get("/api/v1/me", Some(&a.token)).await;
    limited.assert_problem(429, "rate_limited");
    let wait: u64 = limited
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=12).contains(&wait), "{wait}");
    assert_eq!(
        app.get("/api/v1/me", Some(&b.token)).await.status,
        200,
        "per caller"
    );
}

#[actix_web::test]
async fn password_guessing_is_limited_separately() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
    let seller = app.seller("s@example.kz").await; // the registration spends one
    let wrong = json!({"email": "s@example.kz", "password": "guess-guess"});
    for _ in 0..2 {
        app.post("/api/v1/auth/login", None, wrong.clone())
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let right = json!({"email": "s@example.kz", "password": PASSWORD});
    app.post("/api/v1/auth/login", None, right)
        .await
        .assert_problem(429, "rate_limited");
    // The general limit is separate: the seller's token still works.
    assert_eq!(app.get("/api/v1/me", Some(&seller.token)).await.status, 200);
}
