//! Several dispatcher instances over one database.
use super::*;

/// Three instances over one database and a backlog of 1,000 messages to ten endpoints: each
/// message arrives once, none is lost.
#[actix_web::test]
async fn three_dispatchers_deliver_a_backlog_once() {
    let app = app().await;
    let rx = Receiver::start();
    let mut shops = Vec::new();
    for i in 0..10 {
        let seller = app.seller(&format!("s{i}@example.kz")).await;
        register(
            &app,
            &seller.token,
            &format!("{}/s{i}", rx.base),
            json!(["*"]),
        )
        .await;
        shops.push(seller.shop_id.unwrap());
    }
    let now = app.clock.now_utc();
    app.state
        .db
        .run(|c| {
            write_tx(c, |c| {
                for n in 0..100 {
                    for shop in &shops {
                        let data =
                            json!({"shop_id": shop, "average_90d": 3.5, "threshold": 4.0, "n": n});
                        outbox::enqueue(c, shop, None, EventType::ShopRatingCritical, data, now)?;
                    }
                }
                Ok(())
            })
        })
        .unwrap();
    let url = app.state.settings.database_url.expose().to_string();
    let instances: Vec<Dispatcher> = (0..3)
        .map(|_| {
            let db =
                aftersale::db::Db::connect(&url, 3, std::time::Duration::from_secs(10)).unwrap();
            Dispatcher::with_db(&app.state, db)
        })
        .collect();
    for _ in 0..50 {
        let passes = futures_util::future::join_all(instances.iter().map(|d| d.run_once())).await;
        for p in passes {
            p.unwrap();
        }
        let (waiting, _) = app
            .state
            .db
            .run(|c| aftersale::db::webhooks::deliveries::pending(c, now))
            .unwrap();
        if waiting == 0 {
            break;
        }
    }
    let got = rx.got();
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for m in &got {
        *per_id.entry(m.id.clone()).or_default() += 1;
    }
    assert_eq!(per_id.len(), 1000, "every message arrived");
    assert!(per_id.values().all(|n| *n == 1), "none twice");
    // Within one endpoint the messages kept their order.
    let s0: Vec<i64> = got
        .iter()
        .filter(|m| m.path == "/s0")
        .map(|m| m.json()["data"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(s0, (0..100).collect::<Vec<_>>());
}

/// A claim whose lease passed to another instance records no outcome — the deliveries stay
/// due for the instance that holds the endpoint now — but its attempts stay in the log.
#[actix_web::test]
async fn a_claim_that_lost_its_lease_logs_its_attempts_and_decides_nothing() {
    use aftersale::db::webhooks::deliveries::{self, AttemptLog, Attempted, Next};
    let app = app().await;
    let seller = app.seller("lease@example.kz").await;
    let shop = seller.shop_id.clone().unwrap();
    let (endpoint, _) = register(&app, &seller.token, "http://127.0.0.1:9/x", json!(["*"])).await;
    let now = app.clock.now_utc();
    let lease = TimeDelta::minutes(5);
    let report = app
        .state
        .db
        .run(|c| {
            write_tx(c, |c| {
                let data = json!({"shop_id": shop, "average_90d": 3.5, "threshold": 4.0});
                outbox::enqueue(c, &shop, None, EventType::ShopRatingCritical, data, now)?;
                Ok(())
            })?;
            let claimed = deliveries::claim(c, "claim-a", 10, 10, lease, now)?;
            assert_eq!(claimed.len(), 1);
            // The lease passes to another instance before this claim ends.
            diesel::RunQueryDsl::execute(
                diesel::sql_query("UPDATE webhook_endpoints SET lease_token = 'claim-b'"),
                c,
            )?;
            let attempted: Vec<Attempted> = claimed
                .into_iter()
                .map(|claimed| Attempted {
                    claimed,
                    log: AttemptLog {
                        at: now,
                        status_code: Some(200),
                        duration_ms: 3,
                        error: None,
                        response_snippet: None,
                    },
                    next: Next::Delivered,
                    gone: false,
                })
                .collect();
            let row = aftersale::db::webhooks::find(c, &endpoint)?;
            deliveries::finish(c, &row, "claim-a", &attempted, TimeDelta::days(5), now)
        })
        .unwrap();
    assert_eq!(report.leases_lost, 1);
    let log = app
        .get(
            &format!("/api/v1/webhooks/{endpoint}/deliveries"),
            Some(&seller.token),
        )
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let d = &log.body["items"][0];
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["attempts"].as_array().unwrap().len(), 1, "{d}");
}
