//! Failed-login backoff per account, kept in the database: free mistakes, then locks that
//! double, 429 with Retry-After before the password is checked, the same for every instance and
//! after a restart; a success clears it. Unknown accounts are counted alike.
use crate::helpers::*;
use actix_web::test as atest;
use aftersale::startup;
use chrono::TimeDelta;
use serde_json::json;

async fn login(app: &TestApp, email: &str, password: &str) -> Resp {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": password}),
    )
    .await
}

#[actix_web::test]
async fn mistakes_lock_the_account_then_a_success_clears_them() {
    let app = TestApp::spawn().await;
    app.buyer("guessed@example.kz").await;
    for _ in 0..6 {
        login(&app, "guessed@example.kz", "wrong-password")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    // The sixth mistake locked the account for 30 s: even the right password waits, and the
    // answer says how long.
    let locked = login(&app, "Guessed@Example.kz", PASSWORD).await;
    locked.assert_problem(429, "rate_limited");
    assert_eq!(locked.headers.get("retry-after").unwrap(), "30");
    app.clock.advance(TimeDelta::seconds(29));
    login(&app, "guessed@example.kz", PASSWORD)
        .await
        .assert_problem(429, "rate_limited");
    app.clock.advance(TimeDelta::seconds(1));
    // Another mistake after the lock doubles it.
    login(&app, "guessed@example.kz", "wrong-password")
        .await
        .assert_problem(401, "invalid_credentials");
    let locked = login(&app, "guessed@example.kz", PASSWORD).await;
    assert_eq!(locked.headers.get("retry-after").unwrap(), "60");
    app.clock.advance(TimeDelta::seconds(60));
    assert_eq!(
        login(&app, "guessed@example.kz", PASSWORD).await.status,
        200
    );
    // The success forgot the count: five free mistakes again.
    for _ in 0..5 {
        login(&app, "guessed@example.kz", "wrong-password")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    assert_eq!(
        login(&app, "guessed@example.kz", PASSWORD).await.status,
        200
    );
}

#[actix_web::test]
async fn the_lock_holds_for_every_instance_and_after_a_restart() {
    let app = TestApp::spawn().await;
    app.buyer("shared@example.kz").await;
    for _ in 0..6 {
        login(&app, "shared@example.kz", "wrong-password").await;
    }
    // Another instance on the same database (or this one restarted): a fresh process memory.
    let other = startup::build_state((*app.state.settings).clone(), app.clock.clone()).unwrap();
    let service = atest::init_service(startup::app(other)).await;
    let res = atest::call_service(
        &service,
        atest::TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"email": "shared@example.kz", "password": PASSWORD}))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 429);
}

#[actix_web::test]
async fn unknown_accounts_are_counted_alike() {
    let app = TestApp::spawn().await;
    for _ in 0..6 {
        login(&app, "nobody@example.kz", "wrong-password")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    login(&app, "nobody@example.kz", "wrong-password")
        .await
        .assert_problem(429, "rate_limited");
}

#[test]
fn the_per_address_limit_is_sized_for_carrier_nat() {
    let settings = aftersale::config::Settings::from_map(&Default::default()).unwrap();
    assert!(settings.auth_rate_limit_per_minute >= 300);
}
