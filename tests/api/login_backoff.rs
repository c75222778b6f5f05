//! Failed-login backoff per (account, address) pair with a higher ceiling per account, kept in
//! the database: free mistakes, then locks that double, 429 with Retry-After before the password
//! is checked, the same for every instance and after a restart; a success clears the pair.
//! Unknown accounts are counted alike, and every failure costs the same Argon2 work.
use crate::helpers::*;
use actix_web::test as atest;
use aftersale::startup;
use chrono::TimeDelta;
use serde_json::json;

/// A login whose TCP peer is `peer` (an IP; the port does not matter), with the
/// `X-Forwarded-For` a proxy would add.
async fn attempt(
    app: &TestApp,
    peer: &str,
    forwarded: Option<&str>,
    email: &str,
    pw: &str,
) -> Resp {
    let peer = std::net::SocketAddr::new(peer.parse().unwrap(), 40_000);
    let mut req = atest::TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr(peer)
        .set_json(json!({"email": email, "password": pw}));
    if let Some(forwarded) = forwarded {
        req = req.insert_header(("x-forwarded-for", forwarded));
    }
    app.send(req).await
}

async fn login_from(app: &TestApp, address: &str, email: &str, password: &str) -> Resp {
    attempt(app, address, None, email, password).await
}

/// A login relayed by the proxy at `proxy`.
async fn login_via(app: &TestApp, proxy: &str, forwarded: &str, password: &str) -> Resp {
    attempt(app, proxy, Some(forwarded), "behind@example.kz", password).await
}

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

#[actix_web::test]
async fn a_guesser_locks_out_only_the_address_it_guesses_from() {
    let app = TestApp::spawn().await;
    app.buyer("victim@example.kz").await;
    // Six wrong passwords and then one per period, from the attacker's address.
    for _ in 0..6 {
        login_from(&app, "203.0.113.7", "victim@example.kz", "wrong-password")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    for _ in 0..3 {
        login_from(&app, "203.0.113.7", "victim@example.kz", "wrong-password")
            .await
            .assert_problem(429, "rate_limited");
        // One wrong password each time the lock runs out renews it, doubled.
        app.clock.advance(TimeDelta::seconds(900));
        login_from(&app, "203.0.113.7", "victim@example.kz", "wrong-password")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    // The guesser waits, even when it finally has the password...
    login_from(&app, "203.0.113.7", "victim@example.kz", PASSWORD)
        .await
        .assert_problem(429, "rate_limited");
    // ...and the owner, on their own address, logs in with it meanwhile.
    let owner = login_from(&app, "198.51.100.20", "victim@example.kz", PASSWORD).await;
    assert_eq!(owner.status, 200, "{}", owner.body);
    // An IPv6 guesser is one guesser across its /64, not 2^64 fresh ones.
    for n in 1..=6 {
        login_from(
            &app,
            &format!("2001:db8:7:7::{n}"),
            "victim@example.kz",
            "x",
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }
    login_from(&app, "2001:db8:7:7::99", "victim@example.kz", PASSWORD)
        .await
        .assert_problem(429, "rate_limited");
    let neighbour = login_from(&app, "2001:db8:7:8::1", "victim@example.kz", PASSWORD).await;
    assert_eq!(neighbour.status, 200, "{}", neighbour.body);
}

#[actix_web::test]
async fn a_guess_spread_over_many_addresses_meets_the_account_ceiling() {
    let app = TestApp::spawn().await;
    app.buyer("target@example.kz").await;
    // Twenty-one addresses, one wrong password each: under every pair's allowance, over the
    // account's (20).
    for n in 1..=21 {
        login_from(
            &app,
            &format!("203.0.113.{n}"),
            "target@example.kz",
            "guess",
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }
    // An address that has failed on the account now waits, whatever it sends...
    let held = login_from(&app, "203.0.113.5", "target@example.kz", PASSWORD).await;
    held.assert_problem(429, "rate_limited");
    assert_eq!(held.headers.get("retry-after").unwrap(), "30");
    // ...a fresh address gets exactly one try: the owner with the right password is let in,
    let owner = login_from(&app, "198.51.100.20", "target@example.kz", PASSWORD).await;
    assert_eq!(owner.status, 200, "{}", owner.body);
    // and a fresh guesser is answered once, then waits like the others.
    login_from(&app, "192.0.2.1", "target@example.kz", "guess")
        .await
        .assert_problem(401, "invalid_credentials");
    login_from(&app, "192.0.2.1", "target@example.kz", PASSWORD)
        .await
        .assert_problem(429, "rate_limited");
    // The owner's success does not hand the guessers a fresh allowance.
    login_from(&app, "203.0.113.6", "target@example.kz", PASSWORD)
        .await
        .assert_problem(429, "rate_limited");
    // When the account's lock runs out, an address with a failure may try again.
    app.clock.advance(TimeDelta::seconds(60));
    let back = login_from(&app, "203.0.113.5", "target@example.kz", PASSWORD).await;
    assert_eq!(back.status, 200, "{}", back.body);
}

#[actix_web::test]
async fn a_burst_from_one_address_is_held_to_the_same_count() {
    let app = TestApp::spawn().await;
    app.buyer("burst@example.kz").await;
    let tries = (0..12).map(|_| login_from(&app, "203.0.113.9", "burst@example.kz", "wrong"));
    let answers = futures_util::future::join_all(tries).await;
    let looked_at = answers.iter().filter(|r| r.status == 401).count();
    assert_eq!(
        looked_at, 6,
        "the free five and the one that earned the lock"
    );
    assert!(answers
        .iter()
        .all(|r| [401, 429].contains(&r.status.as_u16())));
}

#[actix_web::test]
async fn every_failed_login_costs_one_password_verification() {
    let app = TestApp::spawn().await;
    app.buyer("real@example.kz").await;
    let service = app
        .state
        .db
        .run(|c| aftersale::demo::service_account(c, "order-sync", chrono::Utc::now()))
        .unwrap();
    // A service account has no password; an unknown e-mail has no account; a buyer has a
    // hash. Each failure is one Argon2 verification, so none answers sooner than the others.
    for email in [
        service.email.as_str(),
        "nobody@example.kz",
        "real@example.kz",
    ] {
        let before = app.state.hashing.verifications();
        login_from(&app, "203.0.113.50", email, "wrong-password")
            .await
            .assert_problem(401, "invalid_credentials");
        assert_eq!(app.state.hashing.verifications() - before, 1, "{email}");
    }
}

#[actix_web::test]
async fn behind_a_trusted_proxy_callers_are_counted_by_the_address_it_saw() {
    let app = TestApp::spawn_with(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10")]).await;
    app.buyer("behind@example.kz").await;
    // The guesser writes a fresh X-Forwarded-For each time; the balancer appends what it saw.
    for n in 0..6 {
        login_via(
            &app,
            "10.0.0.2",
            &format!("198.51.100.{n}, 203.0.113.7"),
            "wrong",
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }
    login_via(&app, "10.0.0.3", "203.0.113.7", PASSWORD)
        .await
        .assert_problem(429, "rate_limited");
    // The owner, through the same balancer, from their own address.
    let owner = login_via(&app, "10.0.0.3", "198.51.100.20", PASSWORD).await;
    assert_eq!(owner.status, 200, "{}", owner.body);
    // A peer that is not a trusted proxy cannot claim to be the owner's address.
    for _ in 0..6 {
        login_via(&app, "203.0.113.99", "198.51.100.20", "wrong").await;
    }
    let owner = login_via(&app, "192.0.2.10", "198.51.100.20", PASSWORD).await;
    assert_eq!(owner.status, 200, "{}", owner.body);
}

#[test]
fn a_trusted_proxy_that_is_no_address_refuses_the_start() {
    let vars = [(
        "TRUSTED_PROXIES".to_string(),
        "10.0.0.0/8, lb.internal".to_string(),
    )];
    let err = aftersale::config::Settings::from_map(&vars.into_iter().collect()).unwrap_err();
    assert!(err.to_string().contains("TRUSTED_PROXIES"), "{err}");
}
