//! `GET /shops/{id}/stats` against a history built on a fixed clock: every figure is compared
//! with the value the history gives by hand (written out below, not computed by the service's
//! queries), for the default window and for one that cuts through the history.
use crate::helpers::*;
use crate::returns::at;
use chrono::TimeDelta;
use serde_json::{json, Value};

/// Monday 2026-11-02, 10:00 in Almaty.
const T0: &str = "2026-11-02T05:00:00Z";

fn t(hours: f64) -> chrono::DateTime<chrono::Utc> {
    at(T0) + TimeDelta::seconds((hours * 3600.0) as i64)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// A POST that must succeed; its body.
async fn ok(app: &TestApp, path: String, token: String, body: Value) -> Value {
    let r = app.post(&path, Some(&token), body).await;
    assert!(r.status.as_u16() < 300, "{path}: {}", r.body);
    r.body
}

struct History {
    c2_resolve_by: chrono::DateTime<chrono::Utc>,
}

/// The shop's history; hours after T0 in brackets.
async fn build(app: &TestApp, cast: &Cast) -> History {
    let (buyer, seller, moderator) = (
        cast.buyer.token.as_str(),
        cast.seller.token.as_str(),
        cast.moderator.token.as_str(),
    );
    let review = |ext: &'static str, rating: i32, text: &'static str| async move {
        let item = app.delivered_item(cast, &cast.buyer, ext, 1).await;
        let r = app.review(&cast.buyer.token, &item, rating, text).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
    };
    let post = |path: String, token: &str, body: Value| ok(app, path, token.to_string(), body);

    // Conversations: answered in 2 h, answered in 30 h, never answered.
    app.clock.set(t(0.0));
    let mut orders = Vec::new();
    for (i, ext) in ["M-1", "M-2", "M-3"].iter().enumerate() {
        app.clock.set(t(i as f64));
        let o = app
            .delivered_order(&cast.service, ext, &cast.buyer, cast.shop(), 1)
            .await;
        let oid = id(&o);
        post(
            format!("/api/v1/orders/{oid}/messages"),
            buyer,
            json!({"body": "Где мой заказ?"}),
        )
        .await;
        orders.push(oid);
    }

    // Reviews.
    app.clock.set(t(0.0));
    let r1 = id(&review("R-1", 5, "").await);
    app.clock.set(t(1.0));
    let r2 = id(&review("R-2", 1, "").await);
    app.clock.set(t(2.0));
    let r3 = id(&review("R-3", 2, "").await);
    // Conversation 1 answered at 2 h.
    post(
        format!("/api/v1/orders/{}/messages", orders[0]),
        seller,
        json!({"body": "Уже в пути"}),
    )
    .await;
    app.clock.set(t(3.0));
    review("R-4", 1, "").await;
    let reply = |review: String| async move {
        let r = app
            .call(
                actix_web::http::Method::PUT,
                &format!("/api/v1/reviews/{review}/reply"),
                Some(seller),
                Some(json!({"text": "Спасибо за отзыв"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    };
    reply(r2.clone()).await; // 2 h after its publication
    app.clock.set(t(4.0));
    let held = review("R-5", 3, "звоните 87011234567").await;
    assert_eq!(held["status"], "pending_moderation");
    app.clock.set(t(5.0));
    let r6 = id(&review("R-6", 4, "Нормально").await);
    app.clock.set(t(5.0 + 1.0 / 6.0));
    let f6 = post(
        format!("/api/v1/reviews/{r6}/flags"),
        seller,
        json!({"reason": "offensive_language", "comment": "see the text"}),
    )
    .await;
    app.clock.set(t(5.5));
    post(
        format!("/api/v1/moderation/flags/{}/decision", id(&f6)),
        moderator,
        json!({"decision": "uphold", "note": "rude"}),
    )
    .await;
    app.clock.set(t(6.0));
    let r7 = id(&review("R-7", 5, "").await);
    app.clock.set(t(6.5));
    let d = app
        .call(
            actix_web::http::Method::DELETE,
            &format!("/api/v1/reviews/{r7}"),
            Some(buyer),
            None,
        )
        .await;
    assert_eq!(d.status, 204, "{}", d.body);
    app.clock.set(t(7.0));
    let f1 = post(
        format!("/api/v1/reviews/{r1}/flags"),
        seller,
        json!({"reason": "rules_violation", "comment": "see the text"}),
    )
    .await;
    post(
        format!("/api/v1/moderation/flags/{}/decision", id(&f1)),
        moderator,
        json!({"decision": "dismiss", "note": "fine"}),
    )
    .await;

    // Complaints about the shop: one answered, acknowledged and resolved in time, one left
    // alone; one about the courier, which the shop's figures leave out.
    let complaint = |ext: &'static str, target: &'static str, category: &'static str| async move {
        let o = app
            .delivered_order(&cast.service, ext, &cast.buyer, cast.shop(), 1)
            .await;
        let r = app
            .post(
                "/api/v1/complaints",
                Some(buyer),
                json!({"order_id": id(&o), "target": target, "category": category,
                       "description": "Описание проблемы длиннее двадцати символов"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
    };
    app.clock.set(t(0.0));
    let c1 = id(&complaint("C-1", "seller", "not_as_described").await);
    app.clock.set(t(1.0));
    let c2 = complaint("C-2", "seller", "defective").await;
    complaint("C-3", "courier", "other").await;
    app.clock.set(t(10.0));
    post(
        format!("/api/v1/complaints/{c1}/respond"),
        seller,
        json!({"body": "Готовы заменить товар"}),
    )
    .await;
    app.clock.set(t(11.0));
    post(
        format!("/api/v1/complaints/{c1}/acknowledge"),
        moderator,
        json!({}),
    )
    .await;
    post(
        format!("/api/v1/complaints/{c1}/assign"),
        moderator,
        json!({"moderator_id": cast.moderator.id}),
    )
    .await;
    app.clock.set(t(12.0));
    post(
        format!("/api/v1/complaints/{c1}/resolve"),
        moderator,
        json!({"outcome": "upheld", "remedy": {"kind": "refund", "amount": 1000},
               "explanation": "Товар не соответствует описанию"}),
    )
    .await;

    // Returns: one decided, picked up (no pickup scheduled) and refunded in time; one left
    // undecided.
    let ret = |ext: &'static str| async move {
        let (order, _, case) = crate::returns::order_delivered_at(
            app,
            cast,
            ext,
            &(app.clock.now_utc() - TimeDelta::days(1)).to_rfc3339(),
            "city",
        )
        .await;
        let r = app
            .post(
                "/api/v1/returns",
                Some(buyer),
                json!({"order_id": order, "reason": "changed_mind",
                       "items": [{"order_item_id": case, "quantity": 1}]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        id(&r.body)
    };
    app.clock.set(t(0.0));
    let ret1 = ret("RT-1").await;
    app.clock.set(t(1.0));
    ret("RT-2").await;
    post(format!("/api/v1/returns/{ret1}/approve"), seller, json!({})).await;
    app.clock.set(t(2.0));
    let service = cast.service.as_str();
    post(
        format!("/api/v1/integration/returns/{ret1}/picked-up"),
        service,
        json!({"at": t(2.0)}),
    )
    .await;
    app.clock.set(t(2.5));
    post(
        format!("/api/v1/returns/{ret1}/refund"),
        seller,
        json!({"amount": 3500}),
    )
    .await;

    // The late reply: 30 hours after R-3's publication; conversation 2 answered 30 hours
    // after the buyer wrote.
    app.clock.set(t(31.0));
    post(
        format!("/api/v1/orders/{}/messages", orders[1]),
        seller,
        json!({"body": "Извините за задержку"}),
    )
    .await;
    app.clock.set(t(32.0));
    reply(r3).await;
    History {
        c2_resolve_by: c2["sla"]["resolve_by"].as_str().unwrap().parse().unwrap(),
    }
}

fn rate(num: i64, den: i64) -> Value {
    let r = if den == 0 {
        Value::Null
    } else {
        json!(((num as f64 / den as f64) * 10_000.0).round() / 10_000.0)
    };
    json!({"rate": r, "numerator": num, "denominator": den})
}

#[actix_web::test]
async fn every_figure_matches_the_history_for_a_whole_and_a_cut_window() {
    let app = TestApp::spawn().await;
    app.clock.set(at("2026-10-01T00:00:00Z"));
    let cast = app.cast().await;
    let history = build(&app, &cast).await;
    let now = t(240.0); // ten days on: every deadline has passed
    app.clock.set(now);
    let path = format!("/api/v1/shops/{}/stats", cast.shop());
    let whole = app.get(&path, Some(&cast.seller.token)).await;
    assert_eq!(whole.status, 200, "{}", whole.body);
    let s = &whole.body;

    // Published and visible: 5, 1, 2, 1 (R-5 held, R-6 removed, R-7 deleted).
    let summary = json!({"average": 2.25, "count": 4,
                         "distribution": {"1": 2, "2": 1, "3": 0, "4": 0, "5": 1}});
    assert_eq!(s["ratings"]["all_time"], summary);
    assert_eq!(s["ratings"]["last_90_days"], summary);
    assert_eq!(s["ratings"]["critical"], true);
    let weeks = s["ratings"]["weekly"].as_array().unwrap();
    assert_eq!(weeks.len(), 14, "2026-08-10 … 2026-11-09");
    assert_eq!(weeks[0]["week_start"], "2026-08-10");
    assert_eq!(
        weeks[12],
        json!({"week_start": "2026-11-02", "average": 2.25, "count": 4})
    );
    assert_eq!(
        weeks[13],
        json!({"week_start": "2026-11-09", "average": null, "count": 0})
    );

    let reviews = json!({
        "received": 7, "published": 4, "held": 1, "deleted": 1,
        "removed_by_reason": {"offensive_language": 1},
        // R-2 (1★) replied in 2 h, R-3 (2★) in 30 h, R-4 (1★) never.
        "negative": {"count": 3, "replied_within_24h": rate(1, 3), "reply_rate": rate(2, 3)},
        "median_reply_seconds": (7200 + 108_000) / 2,
        "flags": {"by_reason": {"offensive_language": 1, "rules_violation": 1},
                  "by_outcome": {"dismissed": 1, "upheld": 1}},
    });
    assert_eq!(s["reviews"], reviews);
    assert_eq!(
        s["messages"],
        json!({"conversations": 3, "answered_within_24h": rate(1, 3),
               "answered_within_48h": rate(2, 3), "median_first_reply_seconds": (7200 + 108_000) / 2})
    );
    // C-2's resolution deadline may still be ahead ten days on; then it does not count yet.
    let resolved_due = if history.c2_resolve_by < now { 2 } else { 1 };
    assert_eq!(
        s["complaints"],
        json!({"filed": 2, "by_category": {"defective": 1, "not_as_described": 1},
               "by_status": {"resolved": 1, "submitted": 1}, "by_outcome": {"upheld": 1},
               "sla": {"seller_responded_within_48h": rate(1, 2),
                       "acknowledged_within_3_business_days": rate(1, 2),
                       "resolved_by_deadline": rate(1, resolved_due)}})
    );
    assert_eq!(
        s["returns"],
        json!({"requested": 2, "by_reason": {"changed_mind": 2},
               "by_status": {"refunded": 1, "requested": 1},
               "decided_within_2_business_days": rate(1, 2),
               "refunded_within_1h_of_pickup": rate(1, 1),
               "refunded_amount": {"amount": 3500, "currency": "KZT"}})
    );

    // A window from 2.5 h to 5.5 h: and R-6's flag; no conversation,
    // complaint or return began in it.
    let cut = app
        .get(
            &format!(
                "{path}?from={}&to={}",
                t(2.5).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                t(5.5).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            Some(&cast.moderator.token),
        )
        .await;
    assert_eq!(cut.status, 200, "{}", cut.body);
    let c = &cut.body;
    assert_eq!(
        c["reviews"],
        json!({"received": 3, "published": 1, "held": 1, "deleted": 0,
               "removed_by_reason": {"offensive_language": 1},
               "negative": {"count": 1, "replied_within_24h": rate(0, 1), "reply_rate": rate(0, 1)},
               "median_reply_seconds": null,
               "flags": {"by_reason": {"offensive_language": 1}, "by_outcome": {"upheld": 1}}})
    );
    assert_eq!(
        c["messages"],
        json!({"conversations": 0, "answered_within_24h": rate(0, 0),
               "answered_within_48h": rate(0, 0), "median_first_reply_seconds": null})
    );
    assert_eq!(c["complaints"]["filed"], 0);
    assert_eq!(c["returns"]["requested"], 0);
    assert_eq!(c["returns"]["refunded_amount"]["amount"], 0);
    assert_eq!(
        c["ratings"]["weekly"],
        json!([{"week_start": "2026-11-02", "average": 2.25, "count": 4}])
    );
    assert_eq!(c["ratings"]["all_time"], summary, "not windowed");

    // The same figures as CSV rows.
    let req = actix_web::test::TestRequest::get()
        .uri(&path)
        .insert_header(("authorization", format!("Bearer {}", cast.seller.token)))
        .insert_header(("accept", "text/csv"));
    let csv = app.send(req).await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(text.starts_with("metric,dimension,value\n"), "{text}");
    for row in [
        "ratings.all_time.average,,2.25",
        "ratings.all_time.distribution,1,2",
        "ratings.weekly.count,2026-11-02,4",
        "reviews.negative.replied_within_24h,numerator,1",
        "reviews.negative.replied_within_24h,denominator,3",
        "reviews.removed_by_reason,offensive_language,1",
        "messages.median_first_reply_seconds,,57600",
        "returns.refunded_amount,KZT,3500",
    ] {
        assert!(text.lines().any(|l| l == row), "{row} missing from\n{text}");
    }
}

#[actix_web::test]
async fn only_the_shops_sellers_and_moderators_see_its_figures() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let path = format!("/api/v1/shops/{}/stats", cast.shop());
    assert_eq!(app.get(&path, Some(&cast.seller.token)).await.status, 200);
    assert_eq!(
        app.get(&path, Some(&cast.moderator.token)).await.status,
        200
    );
    for token in [&cast.buyer.token, &cast.other_seller.token, &cast.service] {
        app.get(&path, Some(token))
            .await
            .assert_problem(404, "not_found");
    }
    app.get("/api/v1/shops/nope/stats", Some(&cast.moderator.token))
        .await
        .assert_problem(404, "not_found");
    app.get(
        &format!("{path}?from=2026-11-20T00:00:00Z&to=2026-11-10T00:00:00Z"),
        Some(&cast.seller.token),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.get(&format!("{path}?from=yesterday"), Some(&cast.seller.token))
        .await
        .assert_problem(422, "validation_failed");
    app.get(
        &format!("{path}?from=2025-01-01T00:00:00Z&to=2026-11-10T00:00:00Z"),
        Some(&cast.seller.token),
    )
    .await
    .assert_problem(422, "validation_failed");
}

/// Ten hours after T0 the deadlines still ahead do not count yet (worked out by hand from the
/// history): C-2 may still be answered, acknowledged and resolved, RT-2 still decided;
/// were published less than a day before, conversation 3 began less than a day
/// before.
#[actix_web::test]
async fn deadlines_still_ahead_do_not_count_yet() {
    let app = TestApp::spawn().await;
    app.clock.set(at("2026-10-01T00:00:00Z"));
    let cast = app.cast().await;
    build(&app, &cast).await;
    app.clock.set(t(20.0));
    let path = format!("/api/v1/shops/{}/stats", cast.shop());
    let r = app.get(&path, Some(&cast.seller.token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = &r.body;
    assert_eq!(s["reviews"]["negative"]["replied_within_24h"], rate(1, 1));
    assert_eq!(s["messages"]["answered_within_24h"], rate(1, 2));
    assert_eq!(s["messages"]["answered_within_48h"], rate(2, 2));
    assert_eq!(
        s["complaints"]["sla"],
        json!({"seller_responded_within_48h": rate(1, 1),
               "acknowledged_within_3_business_days": rate(1, 1),
               "resolved_by_deadline": rate(1, 1)})
    );
    assert_eq!(s["returns"]["decided_within_2_business_days"], rate(1, 1));
    assert_eq!(s["returns"]["refunded_within_1h_of_pickup"], rate(1, 1));
}

/// The day counters (folded by the sweep or not yet) with the window's partial days read from
/// the rows give what the rows alone give, for windows that cut the history's two UTC days
/// anywhere, before and after changes made since the last fold.
#[actix_web::test]
async fn the_day_counters_agree_with_the_rows_for_any_window() {
    use aftersale::db::stats::{days, shop};
    use aftersale::domain::stats::Window;
    let app = TestApp::spawn().await;
    app.clock.set(at("2026-10-01T00:00:00Z"));
    let cast = app.cast().await;
    build(&app, &cast).await;
    let targets = shop::Targets::of(&app.state.policy);
    let ask = aftersale::db::stats::series::SeriesAsk::default();
    let shop_id = cast.shop().to_string();
    let agree = |stage: &str| {
        // T0 is 05:00 UTC: the history runs over 2026-11-02 and 2026-11-03.
        let froms = [t(-72.0), t(-5.0), t(0.5), t(2.5), t(19.0), t(20.0)];
        let tos = [t(3.5), t(19.0), t(25.0), t(43.0), t(240.0)];
        for now in [t(20.0), t(240.0)] {
            for from in froms {
                for to in tos.iter().copied().filter(|to| *to > from) {
                    let w = Window { from, to };
                    let (kept, rows) = app
                        .state
                        .db
                        .run(|c| {
                            let kept = shop::shop_stats(c, &shop_id, w, &targets, &ask, now)?;
                            let counts = days::counts_from_rows(c, &shop_id, w)?;
                            let rows = shop::figures(c, &shop_id, w, &targets, &ask, now, &counts)?;
                            Ok::<_, aftersale::db::DbError>((kept, rows))
                        })
                        .unwrap();
                    assert_eq!(kept, rows, "{stage}: {from} – {to} at {now}");
                }
            }
        }
    };
    agree("nothing folded");
    let sweep = || {
        let now = app.clock.now_utc();
        app.state
            .db
            .run(|c| aftersale::jobs::sweeper::sweep(c, &app.state.policy, now))
            .unwrap()
    };
    assert!(sweep().stat_deltas_folded > 0);
    agree("all folded");
    // Changes after the fold: a late reply to R-4 and a new review on the second day.
    app.clock.set(t(40.0));
    let r = app
        .get(
            &format!("/api/v1/shops/{}/reviews?limit=50", cast.shop()),
            None,
        )
        .await;
    let r4 = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rating"] == 1 && v["reply"].is_null())
        .map(id)
        .expect("R-4 unanswered");
    let reply = app
        .call(
            actix_web::http::Method::PUT,
            &format!("/api/v1/reviews/{r4}/reply"),
            Some(&cast.seller.token),
            Some(json!({"text": "Спасибо за отзыв"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let item = app.delivered_item(&cast, &cast.buyer, "R-8", 1).await;
    assert_eq!(
        app.review(&cast.buyer.token, &item, 2, "").await.status,
        201
    );
    agree("folded, then changed");
    sweep();
    agree("folded again");
}

/// Filings while the sweep folds the figures' deltas: every filing counts once, whether its
/// deltas were folded before, during or after its commit. (PostgreSQL folds in one statement;
/// SQLite serialises the writers.)
#[actix_web::test]
async fn folds_beside_filings_count_every_filing_once() {
    use aftersale::db::complaints::file;
    use aftersale::db::stats::days;
    use aftersale::domain::caller::Caller;
    use aftersale::domain::roles::Role;
    use aftersale::domain::stats::Window;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Barrier};
    const FILERS: usize = 3;
    const EACH: usize = 6;
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let mut orders = Vec::new();
    for i in 0..FILERS * EACH {
        let o = app
            .delivered_order(
                &cast.service,
                &format!("FOLD-{i}"),
                &cast.buyer,
                cast.shop(),
                1,
            )
            .await;
        orders.push(id(&o));
    }
    let buyer = Caller {
        id: cast.buyer.id.clone(),
        role: Role::Buyer,
        shop_id: None,
    };
    let now = app.clock.now_utc();
    let barrier = Arc::new(Barrier::new(FILERS + 1));
    let filing_done = Arc::new(AtomicBool::new(false));
    let mut filers = Vec::new();
    for chunk in orders.chunks(EACH) {
        let (state, barrier, buyer, chunk) = (
            app.state.clone(),
            barrier.clone(),
            buyer.clone(),
            chunk.to_vec(),
        );
        filers.push(std::thread::spawn(move || {
            let mut conn = state.db.get().unwrap();
            barrier.wait();
            for order in chunk {
                let filing = defective_filing(order);
                file(&mut conn, &buyer, &filing, &state.policy.complaints, now).unwrap();
            }
        }));
    }
    let (state, done) = (app.state.clone(), filing_done.clone());
    let folder = std::thread::spawn(move || {
        let mut conn = state.db.get().unwrap();
        barrier.wait();
        let mut folds = 0;
        while !done.load(Ordering::SeqCst) {
            days::rollup(&mut conn).unwrap();
            folds += 1;
        }
        folds
    });
    for f in filers {
        f.join().unwrap();
    }
    filing_done.store(true, Ordering::SeqCst);
    assert!(folder.join().unwrap() > 0);
    let shop = cast.shop().to_string();
    // A window of whole days around the filings: read from the counters and deltas only.
    let day = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let w = Window {
        from: day - TimeDelta::days(1),
        to: day + TimeDelta::days(2),
    };
    let (kept, rows) = app
        .state
        .db
        .run(|c| {
            let kept = days::counts(c, &shop, w)?;
            days::rollup(c)?;
            let folded = days::counts(c, &shop, w)?;
            assert_eq!(kept, folded, "a fold changes no figure");
            Ok::<_, aftersale::db::DbError>((kept, days::counts_from_rows(c, &shop, w)?))
        })
        .unwrap();
    assert_eq!(kept.total("complaint.category"), (FILERS * EACH) as i64);
    assert_eq!(kept, rows);
}

/// `?interval=day|week`: one point per UTC day (week) the window touches, empty ones included,
/// counted from the day counters; a named product's published reviews by Almaty day.
#[actix_web::test]
async fn series_have_a_point_per_interval_with_the_historys_counts() {
    let app = TestApp::spawn().await;
    app.clock.set(at("2026-10-01T00:00:00Z"));
    let cast = app.cast().await;
    build(&app, &cast).await;
    app.clock.set(t(240.0));
    let path = format!("/api/v1/shops/{}/stats", cast.shop());
    let zero = |start: &str| {
        json!({"start": start, "reviews": 0, "negative_reviews": 0,
               "negative_replied_on_time": rate(0, 0), "conversations": 0,
               "answered_on_time": rate(0, 0), "complaints": 0,
               "complaints_resolved_on_time": rate(0, 0), "returns": 0,
               "returns_decided_on_time": rate(0, 0), "returns_refunded_on_time": rate(0, 0)})
    };
    // Everything happened on 2026-11-02 (UTC): R-1 … R-7, three conversations, C-1 and C-2
    // (C-3 is the courier's), RT-1 and RT-2.
    let busy = json!({"start": "2026-11-02", "reviews": 7, "negative_reviews": 3,
        // R-2 replied in 2 h, R-3 in 30 h (R-4 never: not counted until replied).
        "negative_replied_on_time": rate(1, 2),
        "conversations": 3, "answered_on_time": rate(1, 2),
        "complaints": 2, "complaints_resolved_on_time": rate(1, 1),
        "returns": 2, "returns_decided_on_time": rate(1, 1),
        "returns_refunded_on_time": rate(1, 1)});

    // The product the history's reviews are of (R-2's).
    let list = app
        .get(
            &format!("/api/v1/shops/{}/reviews?limit=50", cast.shop()),
            None,
        )
        .await;
    let r2 = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rating"] == 1 && !v["reply"].is_null())
        .expect("R-2")
        .clone();
    let product = r2["product_id"].as_str().unwrap().to_string();

    let daily = app
        .get(
            &format!("{path}?interval=day&from=2026-11-01T00:00:00Z&to=2026-11-04T00:00:00Z&product_id={product}"),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(daily.status, 200, "{}", daily.body);
    let series = &daily.body["series"];
    assert_eq!(series["interval"], "day");
    assert_eq!(
        series["points"],
        json!([zero("2026-11-01"), busy, zero("2026-11-03")])
    );
    // The product's points are Almaty days: the window's last instant is 04:59 on 11-04 there.
    let points = series["product"]["points"].as_array().unwrap();
    assert_eq!(series["product"]["product_id"], product.as_str());
    let starts: Vec<&str> = points
        .iter()
        .map(|p| p["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
    );
    // The history's reviews are all of one product: published and visible R-1 (5★), R-2 and
    // R-4 (1★), R-3 (2★).
    assert_eq!(
        points[1],
        json!({"start": "2026-11-02", "reviews": 4, "negative_reviews": 3, "average": 2.25})
    );
    assert_eq!(points[0]["reviews"], 0);

    // Weekly by default, over the default 90 days: Mondays one week apart, the week of
    // 2026-11-02 holding the day's counts.
    let weekly = app.get(&path, Some(&cast.seller.token)).await;
    let weeks = weekly.body["series"]["points"].as_array().unwrap();
    assert_eq!(weekly.body["series"]["interval"], "week");
    assert_eq!(weeks.len(), 14, "2026-08-10 … 2026-11-09");
    for pair in weeks.windows(2) {
        let (a, b) = (&pair[0]["start"], &pair[1]["start"]);
        let a: chrono::NaiveDate = a.as_str().unwrap().parse().unwrap();
        let b: chrono::NaiveDate = b.as_str().unwrap().parse().unwrap();
        assert_eq!(b - a, TimeDelta::days(7));
    }
    let mut week = busy.clone();
    week["start"] = json!("2026-11-02");
    assert_eq!(weeks[12], week);
    assert_eq!(weeks[13], zero("2026-11-09"));
    assert!(weekly.body["series"].get("product").is_none());

    // The series are in the CSV too, a row per point's count.
    let req = actix_web::test::TestRequest::get()
        .uri(&format!(
            "{path}?interval=day&from=2026-11-01T00:00:00Z&to=2026-11-04T00:00:00Z"
        ))
        .insert_header(("authorization", format!("Bearer {}", cast.seller.token)))
        .insert_header(("accept", "text/csv"));
    let text = String::from_utf8(app.send(req).await.bytes).unwrap();
    for row in [
        "series.points.reviews,2026-11-02,7",
        "series.points.reviews,2026-11-03,0",
        "series.points.negative_replied_on_time,2026-11-02:denominator,2",
    ] {
        assert!(text.lines().any(|l| l == row), "{row} missing from\n{text}");
    }

    let bad = app
        .get(&format!("{path}?interval=month"), Some(&cast.seller.token))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.body["errors"][0]["field"], "interval");
}

/// The reply targets the counters count against are the policy's, stored for the views; a
/// changed target recounts the day counters that depend on it.
#[actix_web::test]
async fn the_stats_targets_are_the_policys_and_a_change_recounts() {
    use aftersale::db::stats::{series::SeriesAsk, shop, targets};
    use aftersale::domain::stats::Window;
    let app = TestApp::spawn().await;
    let p = app.state.policy.as_ref().clone();
    let stored = app.state.db.run(targets::stored).unwrap();
    let hours = |h: i64| h * 3600;
    assert_eq!(
        stored,
        vec![
            (
                "first_reply_limit".to_string(),
                hours(p.messages.seller_first_reply_max_hours)
            ),
            (
                "first_reply_target".to_string(),
                hours(p.messages.seller_first_reply_target_hours)
            ),
            (
                "review_reply".to_string(),
                hours(p.reviews.reply_target_hours)
            ),
        ]
    );
    assert!(
        !app.state.db.run(|c| targets::sync(c, &p)).unwrap(),
        "already in step"
    );

    app.clock.set(at("2026-10-01T00:00:00Z"));
    let cast = app.cast().await;
    build(&app, &cast).await;
    let shop_id = cast.shop().to_string();
    let w = Window {
        from: t(-5.0),
        to: t(48.0),
    };
    let figures = |p: &aftersale::policy::Policy| {
        let targets = shop::Targets::of(p);
        app.state
            .db
            .run(|c| shop::shop_stats(c, &shop_id, w, &targets, &SeriesAsk::default(), t(240.0)))
            .unwrap()
    };
    let before = figures(&p);
    assert_eq!(before.reviews.negative.replied_within_24h.numerator, 1);
    assert_eq!(before.messages.answered_within_24h.numerator, 1);

    // Targets of 31 hours: R-3's reply and conversation 2's answer (30 h) are on time.
    let mut longer = p.clone();
    longer.reviews.reply_target_hours = 31;
    longer.messages.seller_first_reply_target_hours = 31;
    assert!(app.state.db.run(|c| targets::sync(c, &longer)).unwrap());
    let after = figures(&longer);
    assert_eq!(after.reviews.negative.replied_within_24h.numerator, 2);
    assert_eq!(after.messages.answered_within_24h.numerator, 2);
    let point = &after.series.points[0];
    assert_eq!(point.negative_replied_on_time.numerator, 2);

    assert!(app.state.db.run(|c| targets::sync(c, &p)).unwrap());
    assert_eq!(figures(&p), before);
}
