use crate::helpers::*;
use aftersale::jobs::sweeper::{sweep, SweepReport};
use chrono::TimeDelta;
use serde_json::json;

fn run_sweep(app: &TestApp) -> SweepReport {
    let now = app.clock.now_utc();
    app.state
        .db
        .run(|c| sweep(c, &app.state.policy, now))
        .unwrap()
}

#[actix_web::test]
async fn overdue_moderation_items_are_recorded_once_to_the_second() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let held_item = app.delivered_item(&cast, &cast.buyer, "SW-1", 1).await;
    let review = app
        .review(&cast.buyer.token, &held_item, 3, "пишите 87011234567")
        .await;
    let clean_item = app.delivered_item(&cast, &cast.buyer, "SW-2", 1).await;
    let published = app.review(&cast.buyer.token, &clean_item, 4, "").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let flag = app
        .post(
            &format!("/api/v1/reviews/{published}/flags"),
            Some(&cast.seller.token),
            json!({"reason": "rules_violation", "comment": "c"}),
        )
        .await;
    assert_eq!(flag.status, 201);
    // Both are due Wednesday 2026-11-25 23:59:59 Almaty (18:59:59Z).
    app.clock.set("2026-11-25T18:59:59Z".parse().unwrap());
    assert_eq!(
        run_sweep(&app).sla_breaches,
        0,
        "the last instant is still in time"
    );
    app.clock.advance(TimeDelta::seconds(1));
    assert_eq!(run_sweep(&app).sla_breaches, 2);
    assert_eq!(run_sweep(&app).sla_breaches, 0, "recorded once");
    let id = review.body["id"].as_str().unwrap();
    let log = app
        .get(
            &format!("/api/v1/moderation/log?subject_id={id}"),
            Some(&cast.moderator.token),
        )
        .await;
    assert_eq!(log.body["items"][0]["action"], "sla_breached");
    assert_eq!(log.body["items"][0]["actor"], "system");
}

#[actix_web::test]
async fn a_rating_that_crosses_below_4_by_ageing_alerts_the_seller() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let alerts = |kinds: Vec<String>| {
        kinds
            .iter()
            .filter(|k| *k == "shop_rating_critical")
            .count()
    };
    for i in 0..4 {
        let item = app
            .delivered_item(&cast, &cast.buyer, &format!("AG-{i}"), 1)
            .await;
        app.review(&cast.buyer.token, &item, 5, "").await;
    }
    app.clock.advance(TimeDelta::days(60));
    for i in 4..6 {
        let item = app
            .delivered_item(&cast, &cast.buyer, &format!("AG-{i}"), 1)
            .await;
        app.review(&cast.buyer.token, &item, 3, "").await;
    }
    // 90-day average (4×5 + 2×3) / 6 = 4.33: fine.
    assert_eq!(run_sweep(&app).shops_checked, 1);
    assert_eq!(alerts(app.notification_kinds(&cast.seller.token).await), 0);
    // A month later the fives have aged out: 3.0 with no new review written.
    app.clock.advance(TimeDelta::days(31));
    run_sweep(&app);
    assert_eq!(alerts(app.notification_kinds(&cast.seller.token).await), 1);
    run_sweep(&app);
    assert_eq!(
        alerts(app.notification_kinds(&cast.seller.token).await),
        1,
        "once per crossing"
    );
}

#[actix_web::test]
async fn idempotency_keys_older_than_a_day_are_purged() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/notifications/read-all")
        .insert_header(("Authorization", format!("Bearer {}", buyer.token)))
        .insert_header(("Idempotency-Key", "k-1"))
        .set_json(json!({}));
    assert_eq!(app.send(req).await.status, 200);
    app.clock.advance(TimeDelta::hours(24));
    assert_eq!(run_sweep(&app).idempotency_keys_purged, 0);
    app.clock.advance(TimeDelta::seconds(1));
    assert_eq!(run_sweep(&app).idempotency_keys_purged, 1);
}

#[test]
fn the_cli_runs_one_sweep_as_of_an_instant() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
            .args(args)
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/cli.db", dir.path().display()),
            )
            .env("ATTACHMENTS_DIR", dir.path().join("files"))
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let ok = run(&["sweep", "--at", "2026-11-25T19:00:00Z"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(
        report,
        json!({"sla_breaches": 0, "shops_checked": 0, "idempotency_keys_purged": 0,
               "complaints": {"breaches": 0, "escalated": 0, "closed": 0},
               "returns": {"breaches": 0, "escalated": 0},
               "delivery_failures": {"breaches": 0}, "messages": {"breaches": 0},
               "webhook_orphans_purged": 0, "stat_deltas_folded": 0, "uploads_deleted": 0})
    );
    let bad = run(&["sweep", "--at", "next tuesday"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));
}

/// Overdue items of every kind the sweep watches: held reviews, an open flag, seller
/// complaints nobody acknowledged, returns the seller did not decide, unanswered messages.
async fn backlog(app: &TestApp) {
    let cast = app.cast().await;
    for i in 0..4 {
        let item = app
            .delivered_item(&cast, &cast.buyer, &format!("BL-R{i}"), 1)
            .await;
        let r = app
            .review(&cast.buyer.token, &item, 3, "пишите 87011234567")
            .await;
        assert_eq!(r.body["status"], "pending_moderation", "{}", r.body);
    }
    for i in 0..3 {
        let (order, _) = app.seller_complaint(&cast, &format!("BL-C{i}")).await;
        let r = app
            .post(
                &format!("/api/v1/orders/{order}/messages"),
                Some(&cast.buyer.token),
                json!({"body": "Ответьте, пожалуйста"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    for i in 0..2 {
        app.changed_mind_return(&cast, &format!("BL-T{i}")).await;
    }
}

/// Rows the sweep writes, per table.
fn effects(app: &TestApp) -> Vec<(String, i64)> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut pooled = app.raw_conn();
    let conn: &mut aftersale::db::DbConnection = &mut pooled;
    [
        "moderation_log",
        "complaint_events",
        "complaint_breaches",
        "return_events",
        "return_breaches",
        "order_breaches",
        "notifications",
    ]
    .iter()
    .map(|table| {
        let n: N = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result(conn)
            .unwrap();
        (table.to_string(), n.n)
    })
    .collect()
}

#[actix_web::test]
async fn three_sweepers_at_once_record_every_deadline_once() {
    use std::sync::{Arc, Barrier};
    // The same backlog twice: one database swept by three instances at once, one by one.
    let (racing, alone) = (TestApp::spawn().await, TestApp::spawn().await);
    backlog(&racing).await;
    backlog(&alone).await;
    let later = app_later(&racing);
    alone.clock.set(later);
    let before = effects(&racing);
    assert_eq!(before, effects(&alone));

    let barrier = Arc::new(Barrier::new(3));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let (state, barrier) = (racing.state.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = state.db.get().unwrap();
                barrier.wait();
                sweep(&mut conn, &state.policy, later).unwrap()
            })
        })
        .collect();
    let reports: Vec<SweepReport> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    run_sweep(&alone);
    assert_eq!(effects(&racing), effects(&alone), "{reports:?}");
    assert_ne!(
        effects(&racing),
        before,
        "the backlog produced nothing to sweep"
    );
    // Every effect was there to be had once: one more pass adds nothing.
    let again = run_sweep(&racing);
    assert_eq!(effects(&racing), effects(&alone), "{again:?}");
}

/// Ten days on: every moderation, complaint, return and reply deadline of the backlog passed.
fn app_later(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    app.clock.advance(TimeDelta::days(10));
    app.clock.now_utc()
}

async fn sweep_uploads(app: &TestApp) -> SweepReport {
    let now = app.clock.now_utc();
    let (report, swept) = app
        .state
        .db
        .run(|c| aftersale::jobs::sweeper::sweep_with_uploads(c, &app.state.policy, now))
        .unwrap();
    aftersale::jobs::sweeper::remove_swept(&app.state.attachments, swept).await;
    report
}

async fn on_disk(app: &TestApp, id: &str) -> bool {
    let key = aftersale::storage::key_for(id);
    app.state.attachments.exists(&key).await.unwrap()
}

async fn uploaded(app: &TestApp, token: &str, bytes: &[u8]) -> String {
    let r = crate::attachments::upload(app, token, "file", "f", "application/octet-stream", bytes)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn uploads_nothing_cites_are_deleted_a_day_after_upload() {
    use crate::attachments::{PDF, PNG};
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "UP-1", 1).await;
    let orphan = uploaded(&app, &cast.buyer.token, PNG).await;
    let photo = uploaded(&app, &cast.buyer.token, PNG).await;
    let evidence = uploaded(&app, &cast.seller.token, PDF).await;
    let review = app
        .post(
            "/api/v1/reviews",
            Some(&cast.buyer.token),
            json!({"order_item_id": item, "rating": 5, "text": "", "attachment_ids": [photo]}),
        )
        .await;
    assert_eq!(review.status, 201, "{}", review.body);
    let review = review.body["id"].as_str().unwrap();
    // A flag's evidence is cited only from the flag's JSON list.
    let flag = app
        .post(
            &format!("/api/v1/reviews/{review}/flags"),
            Some(&cast.seller.token),
            json!({"reason": "rules_violation", "comment": "c", "attachment_ids": [evidence]}),
        )
        .await;
    assert_eq!(flag.status, 201, "{}", flag.body);
    app.clock.advance(TimeDelta::hours(12));
    let young = uploaded(&app, &cast.buyer.token, PNG).await;

    app.clock
        .advance(TimeDelta::hours(12) - TimeDelta::seconds(1));
    assert_eq!(
        sweep_uploads(&app).await.uploads_deleted,
        0,
        "not yet a day old"
    );
    app.clock.advance(TimeDelta::seconds(2));
    assert_eq!(sweep_uploads(&app).await.uploads_deleted, 1);
    assert!(!on_disk(&app, &orphan).await);
    app.get(
        &format!("/api/v1/attachments/{orphan}"),
        Some(&cast.buyer.token),
    )
    .await
    .assert_problem(404, "not_found");
    for (id, token) in [
        (&photo, &cast.buyer.token),
        (&evidence, &cast.seller.token),
        (&young, &cast.buyer.token),
    ] {
        assert!(on_disk(&app, id).await);
        let got = app
            .get(&format!("/api/v1/attachments/{id}"), Some(token))
            .await;
        assert_eq!(got.status, 200, "{id}");
    }
    assert_eq!(sweep_uploads(&app).await.uploads_deleted, 0, "idempotent");
    app.clock.advance(TimeDelta::hours(12));
    assert_eq!(
        sweep_uploads(&app).await.uploads_deleted,
        1,
        "the younger one, a day on"
    );
    assert!(!on_disk(&app, &young).await);
}

/// A message citing an upload while the sweep deletes it: either the sweep passes over the
/// file (the message stands and the file with it) or the sweep wins and the message is
/// refused as `invalid_attachment` — never a message citing a deleted file, never a 500.
#[actix_web::test]
async fn a_file_cited_while_the_sweep_runs_is_kept_or_the_citing_refused() {
    use aftersale::domain::caller::Caller;
    use aftersale::domain::roles::Role;
    use aftersale::error::{ApiError, ErrorCode};
    use std::sync::{Arc, Barrier};
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let order = app
        .delivered_order(&cast.service, "RACE-UP", &cast.buyer, cast.shop(), 1)
        .await;
    let order = order["id"].as_str().unwrap().to_string();
    let buyer = Caller {
        id: cast.buyer.id.clone(),
        role: Role::Buyer,
        shop_id: None,
    };
    let now = app.clock.now_utc();
    let cutoff = now + TimeDelta::hours(1);
    for round in 0..8 {
        let id = aftersale::db::new_id();
        let quota = app.state.policy.uploads.clone();
        let new = aftersale::db::attachments::NewAttachment {
            id: &id,
            uploader_id: &cast.buyer.id,
            content_type: "image/png",
            size: 1,
            sha256: "00",
            storage_key: &id,
        };
        aftersale::db::attachments::insert(&mut app.raw_conn(), &new, now, &quota).unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let cite = {
            let (state, barrier) = (app.state.clone(), barrier.clone());
            let (order, id, buyer) = (order.clone(), id.clone(), buyer.clone());
            std::thread::spawn(move || {
                let mut conn = state.db.get().unwrap();
                barrier.wait();
                let policy = state.policy.messages.clone();
                aftersale::db::messages::post(
                    &mut conn,
                    &order,
                    &buyer,
                    "фото",
                    &[id],
                    &policy,
                    now,
                )
                .err()
                .map(|e| ApiError::from(e).code())
            })
        };
        let sweep = {
            let (state, barrier, id) = (app.state.clone(), barrier.clone(), id.clone());
            std::thread::spawn(move || {
                let mut conn = state.db.get().unwrap();
                barrier.wait();
                aftersale::db::attachments::delete_if_orphan(&mut conn, &id, cutoff).unwrap()
            })
        };
        let (cited, swept) = (cite.join().unwrap(), sweep.join().unwrap());
        let exists = aftersale::db::attachments::find(&mut app.raw_conn(), &id)
            .unwrap()
            .is_some();
        match (cited, swept) {
            (None, None) => assert!(exists, "round {round}"),
            (Some(ErrorCode::InvalidAttachment), Some(_)) => assert!(!exists, "round {round}"),
            other => panic!("round {round}: {other:?}"),
        }
    }
}

/// A review held again after an edit has a new deadline: missing it is a second breach, keyed
/// by the deadline (as complaints and returns key theirs by (sla, due)), each recorded once.
#[actix_web::test]
async fn a_review_held_again_after_an_edit_gets_its_own_breach() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "SW-E", 1).await;
    let review = app
        .review(&cast.buyer.token, &item, 3, "пишите 87011234567")
        .await;
    let id = review.body["id"].as_str().unwrap().to_string();
    // Held Saturday: due Wednesday 2026-11-25 23:59:59 Almaty.
    app.clock.set("2026-11-25T19:00:00Z".parse().unwrap());
    assert_eq!(run_sweep(&app).sla_breaches, 1);
    app.clock.set("2026-11-26T10:00:00Z".parse().unwrap());
    let edited = app
        .call(
            actix_web::http::Method::PATCH,
            &format!("/api/v1/reviews/{id}"),
            Some(&cast.buyer.token),
            Some(json!({"text": "лучше на cheapstore.kz"})),
        )
        .await;
    assert_eq!(
        edited.body["status"], "pending_moderation",
        "{}",
        edited.body
    );
    assert_eq!(run_sweep(&app).sla_breaches, 0, "the new deadline runs");
    // Held again Thursday: due Tuesday 2026-12-01 23:59:59 Almaty.
    app.clock.set("2026-12-01T18:59:59Z".parse().unwrap());
    assert_eq!(run_sweep(&app).sla_breaches, 0, "still in time");
    app.clock.advance(TimeDelta::seconds(1));
    assert_eq!(
        run_sweep(&app).sla_breaches,
        1,
        "the second deadline's breach"
    );
    assert_eq!(run_sweep(&app).sla_breaches, 0, "recorded once");
    let log = app
        .get(
            &format!("/api/v1/moderation/log?subject_id={id}"),
            Some(&cast.moderator.token),
        )
        .await;
    let breaches = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "sla_breached")
        .count();
    assert_eq!(breaches, 2, "{}", log.body);
}
