use crate::helpers::*;
use actix_web::http::header;
use actix_web::test::TestRequest;
use chrono::TimeDelta;
use serde_json::json;

#[actix_web::test]
async fn register_login_and_me() {
    let app = TestApp::spawn_with(&[("ACCESS_TOKEN_TTL_SECS", "900")]).await;
    let seller = app.seller("Seller@Example.kz").await;
    assert!(seller.shop_id.is_some(), "a seller gets a shop");
    let me = app.get("/api/v1/me", Some(&seller.token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(
        me.body["email"], "seller@example.kz",
        "e-mail is normalised"
    );
    assert_eq!(me.body["role"], "seller");
    assert_eq!(me.body["shop_id"].as_str(), seller.shop_id.as_deref());

    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "seller@example.kz", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 200);
    assert_eq!(login.body["token_type"], "Bearer");
    assert_eq!(login.body["expires_in"], 900);
    assert!(login.body["refresh_token"].as_str().unwrap().len() >= 64);
}

#[actix_web::test]
async fn bad_password_and_unknown_email_are_the_same_401() {
    let app = TestApp::spawn().await;
    app.buyer("a@example.kz").await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a@example.kz", "password": "wrong-password"}),
        )
        .await;
    wrong.assert_problem(401, "invalid_credentials");
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@example.kz", "password": PASSWORD}),
        )
        .await;
    unknown.assert_problem(401, "invalid_credentials");
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

#[actix_web::test]
async fn registration_validates_every_field_and_refuses_privileged_roles() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/v1/auth/register", None, json!({"email": "not-an-email", "password": "short", "full_name": "", "role": "seller", "phone": "12345"}))
        .await;
    r.assert_problem(422, "validation_failed");
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    for f in ["email", "password", "full_name", "phone", "shop_name"] {
        assert!(fields.contains(&f.to_string()), "{f} missing in {fields:?}");
    }
    let r = app
        .post("/api/v1/auth/register", None, json!({"email": "m@example.kz", "password": PASSWORD, "full_name": "M", "role": "moderator"}))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.field_errors(),
        vec![("role".to_string(), "role".to_string())]
    );
    let r = app
        .post("/api/v1/auth/register", None, json!({"email": "m@example.kz", "password": PASSWORD, "full_name": "M", "role": "admin"}))
        .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.field_errors()[0].0, "role");
}

#[actix_web::test]
async fn duplicate_email_conflicts() {
    let app = TestApp::spawn().await;
    app.buyer("dup@example.kz").await;
    let r = app
        .post("/api/v1/auth/register", None, json!({"email": "DUP@example.kz", "password": PASSWORD, "full_name": "X Y", "role": "buyer"}))
        .await;
    r.assert_problem(409, "email_taken");
}

#[actix_web::test]
async fn missing_expired_tampered_none_and_foreign_tokens_are_401() {
    let app = TestApp::spawn_with(&[("ACCESS_TOKEN_TTL_SECS", "900")]).await;
    let buyer = app.buyer("b@example.kz").await;
    app.get("/api/v1/me", None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get("/api/v1/me", Some("garbage"))
        .await
        .assert_problem(401, "invalid_token");

    // Tampered: the payload says moderator, the signature is the buyer's.
    let parts: Vec<&str> = buyer.token.split('.').collect();
    let forged = data_encoding_b64(
        &serde_json::to_vec(&json!({
            "sub": buyer.id, "role": "moderator", "iss": "aftersale", "aud": "aftersale-api",
            "iat": 0, "nbf": 0, "exp": 4_000_000_000i64, "jti": "x"
        }))
        .unwrap(),
    );
    let tampered = format!("{}.{}.{}", parts[0], forged, parts[2]);
    app.get("/api/v1/me", Some(&tampered))
        .await
        .assert_problem(401, "invalid_token");

    // alg: none, no signature.
    let none_header = data_encoding_b64(br#"{"alg":"none","typ":"JWT"}"#);
    let none = format!("{none_header}.{}.", parts[1]);
    app.get("/api/v1/me", Some(&none))
        .await
        .assert_problem(401, "invalid_token");

    // Same secret, wrong audience.
    let foreign_keys = aftersale::auth::jwt::JwtKeys::new(
        b"test-secret-that-is-long-enough-0123456789",
        "aftersale",
        "some-other-api",
    );
    let claims = foreign_keys.claims_for(
        &buyer.id,
        aftersale::domain::roles::Role::Buyer,
        None,
        t0(),
        TimeDelta::minutes(15),
    );
    let foreign = foreign_keys.sign(&claims).unwrap();
    app.get("/api/v1/me", Some(&foreign))
        .await
        .assert_problem(401, "invalid_token");

    // Expired: 15 minutes of validity, the clock moves 16.
    assert_eq!(app.get("/api/v1/me", Some(&buyer.token)).await.status, 200);
    app.clock.advance(TimeDelta::minutes(16));
    let r = app.get("/api/v1/me", Some(&buyer.token)).await;
    r.assert_problem(401, "invalid_token");
    assert_eq!(r.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
}

fn data_encoding_b64(bytes: &[u8]) -> String {
    // base64url without padding, as JWTs use.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("r@example.kz").await;
    let first = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": buyer.refresh}),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let second_refresh = first.body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second_refresh, buyer.refresh, "rotated");
    assert_eq!(
        app.get(
            "/api/v1/me",
            Some(first.body["access_token"].as_str().unwrap())
        )
        .await
        .status,
        200
    );

    // The spent token comes back: someone copied it. The whole family dies.
    let reuse = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": buyer.refresh}),
        )
        .await;
    reuse.assert_problem(401, "refresh_token_reused");
    let after = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": second_refresh}),
        )
        .await;
    after.assert_problem(401, "refresh_token_reused");

    // Another login is a new family and unaffected.
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "r@example.kz", "password": PASSWORD}),
        )
        .await;
    let fresh = login.body["refresh_token"].as_str().unwrap();
    assert_eq!(
        app.post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": fresh})
        )
        .await
        .status,
        200
    );

    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": "unknown"}),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
}

#[actix_web::test]
async fn refresh_tokens_expire_after_30_days_and_are_stored_hashed() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("e@example.kz").await;
    {
        use aftersale::db::schema::refresh_tokens::dsl::*;
        use diesel::prelude::*;
        let mut conn = app.raw_conn();
        let stored: Vec<String> = refresh_tokens.select(token_hash).load(&mut **conn).unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0], buyer.refresh, "only a hash is stored");
    }
    app.clock
        .advance(TimeDelta::days(30) + TimeDelta::seconds(1));
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": buyer.refresh}),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
}

#[actix_web::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("l@example.kz").await;
    let r = app
        .post(
            "/api/v1/auth/logout",
            Some(&buyer.token),
            json!({"refresh_token": buyer.refresh}),
        )
        .await;
    assert_eq!(r.status, 204);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": buyer.refresh}),
    )
    .await
    .assert_problem(401, "refresh_token_reused");
    app.post(
        "/api/v1/auth/logout",
        None,
        json!({"refresh_token": buyer.refresh}),
    )
    .await
    .assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn service_accounts_cannot_log_in_with_an_empty_password() {
    let app = TestApp::spawn().await;
    let _ = app.service_token();
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "order-sync@service.aftersale.local", "password": ""}),
        )
        .await;
    r.assert_problem(401, "invalid_credentials");
}

#[actix_web::test]
async fn bearer_scheme_is_required() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("s@example.kz").await;
    let req = TestRequest::get()
        .uri("/api/v1/me")
        .insert_header((header::AUTHORIZATION, format!("Basic {}", buyer.token)));
    app.send(req).await.assert_problem(401, "invalid_token");
}
