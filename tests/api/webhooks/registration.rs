//! Registering endpoints: refused targets and types, the per-shop limit under a race, the
//! stored URL checked again at the attempt, and a retried registration's sealed secret.
use super::*;

#[actix_web::test]
async fn registration_refuses_internal_targets_unknown_types_and_an_eleventh_endpoint() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let token = cast.seller.token.as_str();
    for (url, code) in [
        ("http://hooks.example.kz/", "https_required"),
        ("https://127.0.0.1/hook", "private_target"),
        (
            "https://169.254.169.254/latest/meta-data/",
            "private_target",
        ),
        ("https://localhost/hook", "private_target"),
        ("https://[::1]/hook", "private_target"),
        // IPv6 forms that carry an internal IPv4 address, and special-purpose IPv6 space.
        ("https://[64:ff9b::a9fe:a9fe]/", "private_target"),
        ("https://[64:ff9b::7f00:1]/", "private_target"),
        ("https://[2002:7f00:1::]/", "private_target"),
        (
            "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "private_target",
        ),
        ("https://[::ffff:0:7f00:1]/", "private_target"),
        ("https://[fec0::1]/", "private_target"),
        ("https://[100::1]/", "private_target"),
        // Only the web ports: a public address's other services are not a seller's to call.
        ("https://93.184.216.34:6379/", "port_not_allowed"),
        ("https://hooks.example.kz:8443/", "port_not_allowed"),
        ("https://u:p@93.184.216.34/", "credentials_not_allowed"),
        ("not a url", "url"),
    ] {
        let r = app
            .post(
                "/api/v1/webhooks",
                Some(token),
                json!({"url": url, "events": ["*"]}),
            )
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            r.field_errors(),
            vec![("url".to_string(), code.to_string())],
            "{url}"
        );
    }
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(token),
            json!({"url": "https://93.184.216.34/", "events": ["review.published", "review.eaten"]}),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("events[1]".to_string(), "unknown_event".to_string())]
    );
    // An IP literal needs no resolution: ten fit, the eleventh does not.
    for _ in 0..10 {
        let r = app
            .post(
                "/api/v1/webhooks",
                Some(token),
                json!({"url": "https://93.184.216.34/", "events": ["*"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    app.post(
        "/api/v1/webhooks",
        Some(token),
        json!({"url": "https://93.184.216.34/", "events": ["*"]}),
    )
    .await
    .assert_problem(409, "webhook_limit_reached");
}

#[actix_web::test]
async fn without_the_switch_a_stored_loopback_url_is_refused_at_the_attempt() {
    // Registered while the switch was on, sent while it is off: the attempt re-checks.
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let rx = Receiver::start();
    let sealed = app.state.sealer.seal(&signing::new_secret());
    let shop = cast.shop().to_string();
    let url = format!("https://{}/", rx.base.trim_start_matches("http://"));
    let now = app.clock.now_utc();
    let endpoint = app
        .state
        .db
        .run(|c| {
            aftersale::db::webhooks::create(
                c,
                &aftersale::db::webhooks::NewEndpoint {
                    shop_id: &shop,
                    url: &url,
                    description: None,
                    events: &["*".to_string()],
                    sealed_secret: &sealed,
                },
                10,
                now,
            )
        })
        .unwrap();
    app.post(
        &format!("/api/v1/webhooks/{}/test", endpoint.id),
        Some(&cast.seller.token),
        json!({}),
    )
    .await;
    let report = dispatch(&app).await;
    assert_eq!((report.attempts, report.retrying), (1, 1));
    assert!(rx.got().is_empty(), "nothing reached the loopback receiver");
    let log = app
        .get(
            &format!("/api/v1/webhooks/{}/deliveries", endpoint.id),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(
        log.body["items"][0]["attempts"][0]["error"],
        "refused target: private_target"
    );
}

/// Four registrations at once for the last place, in eight shops: the shop's row is locked
/// while counting, so one gets it and three get `webhook_limit_reached` (without the lock,
/// PostgreSQL let several through the count).
#[actix_web::test]
async fn registrations_at_once_never_pass_the_limit() {
    let app = app().await;
    for round in 0..8 {
        let seller = app.seller(&format!("race{round}@example.kz")).await;
        let shop = seller.shop_id.clone().unwrap();
        let now = app.clock.now_utc();
        let sealed = app.state.sealer.seal(&signing::new_secret());
        let new = |shop: &str, limit| {
            let (state, shop, sealed) = (app.state.clone(), shop.to_string(), sealed.clone());
            move |conn: &mut aftersale::db::DbConnection| {
                let new = aftersale::db::webhooks::NewEndpoint {
                    shop_id: &shop,
                    url: "http://127.0.0.1:9/hook",
                    description: None,
                    events: &["*".to_string()],
                    sealed_secret: &sealed,
                };
                let _ = &state;
                // On PostgreSQL the registration's transaction stays open a moment after its
                // insert, so that the four overlap whatever the threads' timing. (SQLite
                // serialises writers, and its transactions do not nest.)
                if !matches!(conn, aftersale::db::DbConnection::Postgresql(_)) {
                    return aftersale::db::webhooks::create(conn, &new, limit, now);
                }
                write_tx(conn, |conn| {
                    let row = aftersale::db::webhooks::create(conn, &new, limit, now)?;
                    if let aftersale::db::DbConnection::Postgresql(c) = conn {
                        use diesel::RunQueryDsl;
                        diesel::sql_query("SELECT pg_sleep(0.05)")
                            .execute(c)
                            .map_err(DbError::from)?;
                    }
                    Ok(row)
                })
            }
        };
        for _ in 0..9 {
            app.state.db.run(new(&shop, 10)).unwrap();
        }
        let barrier = Arc::new(std::sync::Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (state, barrier, job) = (app.state.clone(), barrier.clone(), new(&shop, 10));
                std::thread::spawn(move || {
                    let mut conn = state.db.get().unwrap();
                    barrier.wait();
                    job(&mut conn)
                        .err()
                        .map(|e| aftersale::error::ApiError::from(e).code())
                })
            })
            .collect();
        let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let won = outcomes.iter().filter(|o| o.is_none()).count();
        let refused = outcomes
            .iter()
            .filter(|o| **o == Some(aftersale::error::ErrorCode::WebhookLimitReached))
            .count();
        assert_eq!((won, refused), (1, 3), "round {round}: {outcomes:?}");
        let list = app.get("/api/v1/webhooks", Some(&seller.token)).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 10);
    }
}

/// A retried registration replays the same endpoint and secret, and the kept response holds
/// the secret sealed, never in clear.
#[actix_web::test]
async fn a_retried_registration_replays_its_secret_sealed_at_rest() {
    use diesel::prelude::*;
    let app = app().await;
    let cast = app.cast().await;
    let send = || {
        actix_web::test::TestRequest::post()
            .uri("/api/v1/webhooks")
            .insert_header(("Idempotency-Key", "hook-1"))
            .insert_header(("Authorization", format!("Bearer {}", cast.seller.token)))
            .set_json(json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}))
    };
    let first = app.send(send()).await;
    let again = app.send(send()).await;
    assert_eq!((first.status.as_u16(), again.status.as_u16()), (201, 201));
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(first.body["secret"], again.body["secret"]);
    assert_eq!(first.body["id"], again.body["id"]);
    let kept: Vec<Option<String>> = {
        let mut conn = app.raw_conn();
        aftersale::db::schema::idempotency_keys::table
            .select(aftersale::db::schema::idempotency_keys::body)
            .load(&mut **conn)
            .unwrap()
    };
    assert_eq!(kept.len(), 1);
    let secret = first.body["secret"].as_str().unwrap();
    assert!(!kept[0].as_deref().unwrap_or_default().contains(secret));
    assert_eq!(
        app.get("/api/v1/webhooks", Some(&cast.seller.token))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn the_sizes_of_an_endpoint_are_the_policys() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let token = cast.seller.token.as_str();
    let p = aftersale::policy::Policy::default().webhooks;
    let long_url = format!(
        "https://93.184.216.34/{}",
        "a".repeat(p.url_max_chars + 1 - "https://93.184.216.34/".len())
    );
    let events = vec!["review.published"; p.events_per_endpoint + 1];
    let description = "д".repeat(p.description_max_chars + 1);
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(token),
            json!({"url": long_url, "events": events, "description": description}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let mut errors = r.field_errors();
    errors.sort();
    assert_eq!(
        errors,
        vec![
            ("description".to_string(), "length".to_string()),
            ("events".to_string(), "length".to_string()),
            ("url".to_string(), "length".to_string()),
        ]
    );
    // One less of each is accepted, and the same limits hold on an update.
    let ok_url = &long_url[..p.url_max_chars];
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(token),
            json!({"url": ok_url, "events": ["*"], "description": "д".repeat(p.description_max_chars)}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .call(
            actix_web::http::Method::PATCH,
            &format!("/api/v1/webhooks/{id}"),
            Some(token),
            Some(json!({"description": description})),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("description".to_string(), "length".to_string())]
    );
}
