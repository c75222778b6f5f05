//! A validly signed token counts only for an account of this database with the token's role
//! and shop; service tokens are on record and can be revoked; keys rotate with an overlap.
use crate::helpers::*;
use actix_web::http::header;
use actix_web::test::TestRequest;
use aftersale::domain::roles::Role;
use chrono::TimeDelta;
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

/// A token signed with the service's own key for whatever the caller claims.
fn forge(app: &TestApp, sub: &str, role: Role, shop: Option<&str>) -> String {
    let jwt = &app.state.jwt;
    let claims = jwt.claims_for(
        sub,
        role,
        shop.map(String::from),
        app.clock.now_utc(),
        TimeDelta::days(1),
    );
    jwt.sign(&claims).unwrap()
}

async fn upload(app: &TestApp, token: &str) -> Resp {
    let boundary = "----aftersale-test-boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
    body.extend_from_slice(PNG);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = TestRequest::post()
        .uri("/api/v1/attachments")
        .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
        .insert_header((
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body);
    app.send(req).await
}

async fn picked_up(app: &TestApp, token: &str, id: &str) -> Resp {
    app.post(
        &format!("/api/v1/integration/returns/{id}/picked-up"),
        Some(token),
        json!({"at": "2026-11-21T10:00:00Z"}),
    )
    .await
}

#[actix_web::test]
async fn tokens_of_no_account_or_of_another_role_or_shop_are_401_everywhere() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let ret = app.changed_mind_return(&cast, "EXT-RET").await;
    let r = app
        .post(
            &format!("/api/v1/returns/{ret}/approve"),
            Some(&cast.seller.token),
            json!(null),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let order = order_body(
        &cast.buyer.id,
        cast.shop(),
        app.clock.now_utc() - TimeDelta::days(3),
        Some(app.clock.now_utc() - TimeDelta::days(1)),
    );

    let ghost = "01938f00-0000-7000-8000-00000000dead";
    let other_shop = cast.other_seller.shop_id.as_deref().unwrap();
    let forged = [
        (
            "no such account, moderator",
            forge(&app, ghost, Role::Moderator, None),
        ),
        (
            "no such account, service",
            forge(&app, ghost, Role::Service, None),
        ),
        (
            "no such account, buyer",
            forge(&app, ghost, Role::Buyer, None),
        ),
        (
            "a buyer as moderator",
            forge(&app, &cast.buyer.id, Role::Moderator, None),
        ),
        (
            "a buyer as service",
            forge(&app, &cast.buyer.id, Role::Service, None),
        ),
        (
            "a seller with another shop",
            forge(&app, &cast.seller.id, Role::Seller, Some(other_shop)),
        ),
        (
            "a seller without its shop",
            forge(&app, &cast.seller.id, Role::Seller, None),
        ),
    ];
    for (what, token) in &forged {
        for r in [
            app.get("/api/v1/me", Some(token)).await,
            app.get("/api/v1/moderation/log", Some(token)).await,
            app.put_order(token, "EXT-FORGED", order.clone()).await,
            upload(&app, token).await,
            picked_up(&app, token, &ret).await,
        ] {
            assert_eq!(r.status, 401, "{what}: {}", r.body);
            r.assert_problem(401, "invalid_token");
        }
    }

    // The real accounts are served.
    for token in [&cast.buyer.token, &cast.seller.token, &cast.moderator.token] {
        assert_eq!(app.get("/api/v1/me", Some(token)).await.status, 200);
    }
    let log = app
        .get("/api/v1/moderation/log", Some(&cast.moderator.token))
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    assert_eq!(upload(&app, &cast.buyer.token).await.status, 201);
    let put = app.put_order(&cast.service, "EXT-REAL", order).await;
    assert_eq!(put.status, 201, "{}", put.body);
    let r = picked_up(&app, &cast.service, &ret).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[actix_web::test]
async fn a_service_token_not_on_record_is_401() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let now = app.clock.now_utc();
    let service_id = app
        .state
        .db
        .run(|c| aftersale::demo::service_account(c, "order-sync", now))
        .unwrap()
        .id;
    let body = order_body(&cast.buyer.id, cast.shop(), now, None);
    let real = app.put_order(&cast.service, "EXT-1", body.clone()).await;
    assert_eq!(real.status, 201, "{}", real.body);
    // The service account exists; this token of it was never issued (no record of its id).
    let unrecorded = forge(&app, &service_id, Role::Service, None);
    let r = app.put_order(&unrecorded, "EXT-2", body).await;
    r.assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn a_revoked_service_token_is_refused_within_the_check_ttl_and_its_sibling_still_works() {
    use aftersale::db::service_tokens::{self, Revocation};
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let (first, second) = (app.service_token(), app.service_token());
    let body = |n: i64| {
        order_body(
            &cast.buyer.id,
            cast.shop(),
            app.clock.now_utc() - TimeDelta::days(n),
            None,
        )
    };
    assert_eq!(app.put_order(&first, "EXT-1", body(1)).await.status, 201);
    assert_eq!(app.put_order(&second, "EXT-2", body(1)).await.status, 201);

    let listed = app.state.db.run(service_tokens::list).unwrap();
    let jti = app
        .state
        .jwt
        .verify(&first, app.clock.now_utc())
        .unwrap()
        .jti;
    assert!(listed.iter().any(|t| t.id == jti && t.revoked_at.is_none()));
    let now = app.clock.now_utc();
    assert_eq!(
        app.state
            .db
            .run(|c| service_tokens::revoke(c, &jti, now))
            .unwrap(),
        Revocation::Revoked
    );
    assert_eq!(
        app.state
            .db
            .run(|c| service_tokens::revoke(c, &jti, now))
            .unwrap(),
        Revocation::AlreadyRevoked(now)
    );
    assert_eq!(
        app.state
            .db
            .run(|c| service_tokens::revoke(c, "nope", now))
            .unwrap(),
        Revocation::Unknown
    );

    // Past the check's cache: refused. The same account's other token still works.
    app.clock.advance(aftersale::auth::trust::CHECK_TTL);
    app.put_order(&first, "EXT-3", body(1))
        .await
        .assert_problem(401, "invalid_token");
    assert_eq!(app.put_order(&second, "EXT-4", body(1)).await.status, 201);
    // A token never used before the revocation is refused at once.
    let third = app.service_token();
    let jti3 = app
        .state
        .jwt
        .verify(&third, app.clock.now_utc())
        .unwrap()
        .jti;
    app.state
        .db
        .run(|c| service_tokens::revoke(c, &jti3, now))
        .unwrap();
    app.put_order(&third, "EXT-5", body(1))
        .await
        .assert_problem(401, "invalid_token");
}

const OLD_SECRET: &str = "the-old-secret-that-is-long-enough-0123456789";
const NEW_SECRET: &str = "the-new-secret-that-is-long-enough-9876543210";

#[actix_web::test]
async fn tokens_of_the_previous_secret_are_accepted_until_it_is_removed() {
    let app = TestApp::spawn_with(&[("JWT_SECRET", OLD_SECRET)]).await;
    let buyer = app.buyer("b@example.kz").await;
    let with = |previous: &'static str| {
        [
            ("JWT_SECRET", NEW_SECRET),
            ("JWT_PREVIOUS_SECRETS", previous),
        ]
    };
    // The same database, served with the new secret and the old one as previous.
    let overlap = app.respawn_with(&with(OLD_SECRET)).await;
    assert_eq!(
        overlap.get("/api/v1/me", Some(&buyer.token)).await.status,
        200
    );
    let fresh = overlap
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "b@example.kz", "password": PASSWORD}),
        )
        .await;
    let fresh = fresh.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(overlap.get("/api/v1/me", Some(&fresh)).await.status, 200);
    // A key the service does not know: its id names no key of ours.
    let stranger = aftersale::auth::jwt::JwtKeys::new(
        b"a-stranger-secret-that-is-long-enough-0123",
        "aftersale",
        "aftersale-api",
    );
    let claims = stranger.claims_for(
        &buyer.id,
        Role::Buyer,
        None,
        overlap.clock.now_utc(),
        TimeDelta::minutes(15),
    );
    overlap
        .get("/api/v1/me", Some(&stranger.sign(&claims).unwrap()))
        .await
        .assert_problem(401, "invalid_token");
    // The old secret removed: its tokens are refused, the new ones served.
    let after = app.respawn_with(&with("")).await;
    after
        .get("/api/v1/me", Some(&buyer.token))
        .await
        .assert_problem(401, "invalid_token");
    assert_eq!(after.get("/api/v1/me", Some(&fresh)).await.status, 200);
}

#[actix_web::test]
async fn webhook_secrets_stay_readable_across_a_jwt_secret_rotation() {
    use aftersale::db::webhooks;
    let app = TestApp::spawn_with(&[
        ("JWT_SECRET", OLD_SECRET),
        ("WEBHOOKS_ALLOW_PRIVATE", "true"),
    ])
    .await;
    let seller = app.seller("s@example.kz").await;
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(&seller.token),
            json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (id, secret) = (
        r.body["id"].as_str().unwrap().to_string(),
        r.body["secret"].as_str().unwrap().to_string(),
    );
    let stored = |app: &TestApp| {
        let id = id.clone();
        app.state
            .db
            .run(move |c| webhooks::find(c, &id))
            .unwrap()
            .secret
    };
    let opened = |app: &TestApp| app.state.sealer.open(&stored(app));
    assert_eq!(opened(&app).as_deref(), Some(secret.as_str()));

    // Rotated with the old secret kept as previous: still readable; resealed.
    let overlap = app
        .respawn_with(&[
            ("JWT_SECRET", NEW_SECRET),
            ("JWT_PREVIOUS_SECRETS", OLD_SECRET),
        ])
        .await;
    assert_eq!(opened(&overlap).as_deref(), Some(secret.as_str()));
    let report = overlap
        .state
        .db
        .run(|c| webhooks::sealed::reseal_all(c, &overlap.state.sealer))
        .unwrap();
    assert_eq!((report.resealed, report.current), (1, 0), "{report:?}");
    let again = overlap
        .state
        .db
        .run(|c| webhooks::sealed::reseal_all(c, &overlap.state.sealer))
        .unwrap();
    assert_eq!((again.resealed, again.current), (0, 1), "{again:?}");

    // The old secret removed: the resealed secret opens with the new one alone.
    let after = app.respawn_with(&[("JWT_SECRET", NEW_SECRET)]).await;
    assert_eq!(opened(&after).as_deref(), Some(secret.as_str()));
}

/// Two operators revoke one token at once: the conditional update lets exactly one record its
/// instant; the other is told it was revoked already. (On PostgreSQL the two overlap.)
#[actix_web::test]
async fn two_revocations_of_one_token_record_one_instant() {
    use aftersale::db::service_tokens::{self, Revocation};
    use std::sync::{Arc, Barrier};
    let app = TestApp::spawn().await;
    for round in 0..8 {
        let token = app.service_token();
        let jti = app
            .state
            .jwt
            .verify(&token, app.clock.now_utc())
            .unwrap()
            .jti;
        let barrier = Arc::new(Barrier::new(2));
        let threads: Vec<_> = (0..2)
            .map(|i| {
                let (state, barrier, jti) = (app.state.clone(), barrier.clone(), jti.clone());
                let at = app.clock.now_utc() + TimeDelta::seconds(i);
                std::thread::spawn(move || {
                    let mut conn = state.db.get().unwrap();
                    barrier.wait();
                    service_tokens::revoke(&mut conn, &jti, at).unwrap()
                })
            })
            .collect();
        let outcomes: Vec<Revocation> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let won = outcomes
            .iter()
            .filter(|o| **o == Revocation::Revoked)
            .count();
        assert_eq!(won, 1, "round {round}: {outcomes:?}");
        let listed = app.state.db.run(service_tokens::list).unwrap();
        let recorded = listed.iter().find(|t| t.id == jti).unwrap().revoked_at;
        let loser = outcomes
            .iter()
            .find_map(|o| match o {
                Revocation::AlreadyRevoked(at) => Some(*at),
                _ => None,
            })
            .unwrap();
        assert_eq!(recorded, Some(loser), "round {round}");
    }
}
