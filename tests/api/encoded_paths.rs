//! Rules that look at a path act on the path the router matched, not on how the caller spelled
//! it: `/api/v1/%61uth/login` is the login route, so it shares the login's limit and its
//! exclusion from replays.
use crate::helpers::*;
use actix_web::test as atest;
use serde_json::json;

const SPELLINGS: [&str; 3] = [
    "/api/v1/%61uth/login",
    "/api/v1/auth/%6Cogin",
    "/api/v1/%61%75%74%68/login",
];

#[actix_web::test]
async fn the_auth_limit_counts_every_spelling_of_the_login_path() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMIT_PER_MINUTE", "4")]).await;
    let seller = app.seller("s@example.kz").await; // the registration spends one
    let wrong = json!({"email": "s@example.kz", "password": "guess-guess"});
    app.post("/api/v1/auth/login", None, wrong.clone())
        .await
        .assert_problem(401, "invalid_credentials");
    // Each spelling reaches the login (the router decodes it) and is counted with it.
    for path in &SPELLINGS[..2] {
        app.post(path, None, wrong.clone())
            .await
            .assert_problem(401, "invalid_credentials");
    }
    for path in SPELLINGS.iter().chain(["/api/v1/auth/login"].iter()) {
        app.post(path, None, wrong.clone())
            .await
            .assert_problem(429, "rate_limited");
    }
    // The victim's side: the seller's own token is under the general limit and still works.
    assert_eq!(app.get("/api/v1/me", Some(&seller.token)).await.status, 200);
}

#[actix_web::test]
async fn an_encoded_auth_path_is_never_kept_for_replay() {
    // A keyed login sent with a token would be stored with its fresh credentials and replayed
    // to whoever repeats the key, if the exclusion looked at the raw path.
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let body = json!({"email": "b@example.kz", "password": PASSWORD});
    let mut refresh_tokens = Vec::new();
    for _ in 0..2 {
        let req = atest::TestRequest::post()
            .uri(SPELLINGS[0])
            .insert_header(("Authorization", format!("Bearer {}", buyer.token)))
            .insert_header(("Idempotency-Key", "login-once"))
            .set_json(body.clone());
        let r = app.send(req).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.headers.get("idempotent-replayed").is_none());
        refresh_tokens.push(r.body["refresh_token"].as_str().unwrap().to_string());
    }
    assert_ne!(
        refresh_tokens[0], refresh_tokens[1],
        "a fresh login each time"
    );
}
