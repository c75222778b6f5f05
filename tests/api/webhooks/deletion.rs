//! An endpoint deleted while its shop's events are being written. On PostgreSQL a delivery
//! does not lock its endpoint (migration 000015): no filing may fail for it, and a delivery
//! written for the endpoint just deleted is never sent and is removed by the sweep.
use super::*;
use aftersale::db::complaints::file;
use aftersale::domain::caller::Caller;
use aftersale::domain::roles::Role;
use std::sync::Barrier;

const ROUNDS: usize = 4;
const FILINGS: usize = 3;

#[actix_web::test]
async fn filings_beside_an_endpoints_delete_all_succeed_and_leave_nothing_behind() {
    let app = app().await;
    let cast = app.cast().await;
    let rx = Receiver::start();
    let buyer = Caller {
        id: cast.buyer.id.clone(),
        role: Role::Buyer,
        shop_id: None,
    };
    for round in 0..ROUNDS {
        let (endpoint, _) = register(
            &app,
            &cast.seller.token,
            &format!("{}/r{round}", rx.base),
            json!(["complaint.filed"]),
        )
        .await;
        let mut orders = Vec::new();
        for i in 0..FILINGS {
            let o = app
                .delivered_order(
                    &cast.service,
                    &format!("DEL-{round}-{i}"),
                    &cast.buyer,
                    cast.shop(),
                    1,
                )
                .await;
            orders.push(o["id"].as_str().unwrap().to_string());
        }
        // The filings and the delete on threads released together, each with a pooled
        // connection in hand (the test pool has four), so that their transactions overlap.
        let barrier = Arc::new(Barrier::new(FILINGS + 1));
        let now = app.clock.now_utc();
        let mut threads = Vec::new();
        for order in orders {
            let (state, barrier, buyer) = (app.state.clone(), barrier.clone(), buyer.clone());
            threads.push(std::thread::spawn(move || {
                let filing = defective_filing(order);
                let mut conn = state.db.get().unwrap();
                barrier.wait();
                file(&mut conn, &buyer, &filing, &state.policy.complaints, now)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }));
        }
        let (state, barrier, shop) = (app.state.clone(), barrier.clone(), cast.shop().to_string());
        threads.push(std::thread::spawn(move || {
            let mut conn = state.db.get().unwrap();
            barrier.wait();
            aftersale::db::webhooks::delete(&mut conn, &shop, &endpoint).map_err(|e| e.to_string())
        }));
        for t in threads {
            t.join().unwrap().unwrap();
        }
    }
    // Whatever was written for the deleted endpoints is never sent…
    let report = dispatch(&app).await;
    assert_eq!(report.attempts, 0, "{report:?}");
    assert!(rx.got().is_empty());
    // …and the sweep leaves no delivery without its endpoint.
    let now = app.clock.now_utc();
    app.state
        .db
        .run(|c| aftersale::jobs::sweeper::sweep(c, &app.state.policy, now))
        .unwrap();
    let left: i64 = app
        .state
        .db
        .run(|c| {
            use aftersale::db::schema::webhook_deliveries as wd;
            use diesel::prelude::*;
            Ok::<_, DbError>(wd::table.count().get_result(c)?)
        })
        .unwrap();
    assert_eq!(left, 0);
    let filed = app
        .get("/api/v1/complaints?limit=100", Some(&cast.buyer.token))
        .await;
    assert_eq!(
        filed.body["items"].as_array().unwrap().len(),
        ROUNDS * FILINGS
    );
}
