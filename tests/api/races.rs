//! Two requests that meet on one item: two moderators deciding the same held review, flag or
//! appeal, an edit beside a decision. Every decision is taken on a locked row, so exactly one
//! wins, the other gets 409 and writes nothing — no second log entry, no second notification —
//! and the ratings equal a recount afterwards. (SQLite serialises writers and never showed the
//! race; on PostgreSQL both used to win.)
use crate::helpers::*;
use aftersale::db::reviews::{self, Verdict};
use aftersale::db::{DbConnection, DbError};
use aftersale::domain::reviews::{AppealDecision, FlagDecision, ReviewDecision};
use aftersale::error::{ApiError, ErrorCode};
use futures_util::future::join;
use serde_json::{json, Value};
use std::sync::{Arc, Barrier};

const ROUNDS: usize = 8;

/// A decision as the storage takes it, run on a connection of its own.
type Job = Box<dyn FnOnce(&mut DbConnection) -> Result<(), DbError> + Send>;

/// Runs the jobs on threads released together, each with a pooled connection already in hand
/// (the test pool has four), so that their transactions overlap; the error codes, in order.
fn race(app: &TestApp, jobs: Vec<Job>) -> Vec<Option<ErrorCode>> {
    let barrier = Arc::new(Barrier::new(jobs.len()));
    let threads: Vec<_> = jobs
        .into_iter()
        .map(|job| {
            let (state, barrier) = (app.state.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = state.db.get().unwrap();
                barrier.wait();
                job(&mut conn).err().map(|e| ApiError::from(e).code())
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// Exactly one of two decisions wins; the other is refused as already decided.
fn one_wins(outcomes: &[Option<ErrorCode>]) {
    let won = outcomes.iter().filter(|o| o.is_none()).count();
    let lost = outcomes
        .iter()
        .filter(|o| **o == Some(ErrorCode::InvalidTransition))
        .count();
    assert_eq!((won, lost), (1, outcomes.len() - 1), "{outcomes:?}");
}

async fn log_of(app: &TestApp, moderator: &Account, subject: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/moderation/log?subject_id={subject}&limit=100"),
            Some(&moderator.token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Entries written by either racing moderator.
fn by_racers(log: &[Value], cast: &Cast) -> usize {
    log.iter()
        .filter(|e| e["actor_id"] == cast.moderator.id || e["actor_id"] == cast.moderator2.id)
        .count()
}

/// The product summary equals a count of what the public list shows.
async fn ratings_equal_a_recount(app: &TestApp) {
    let r = app
        .get("/api/v1/products/P-1/reviews?limit=100", None)
        .await;
    let listed = r.body["items"].as_array().unwrap();
    let summary = &r.body["summary"];
    assert_eq!(summary["count"], listed.len(), "{summary}");
    for stars in 1..=5 {
        let n = listed.iter().filter(|v| v["rating"] == stars).count();
        assert_eq!(summary["distribution"][stars.to_string()], n, "{summary}");
    }
}

async fn held_review(app: &TestApp, cast: &Cast, n: usize) -> String {
    let item = app
        .delivered_item(cast, &cast.buyer, &format!("RACE-H-{n}"), 1)
        .await;
    // A phone number in the text holds it for a moderator.
    let r = app
        .review(&cast.buyer.token, &item, 4, "Звоните мне: +7 701 555 44 12")
        .await;
    assert_eq!(r.body["status"], "pending_moderation", "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn published_review(app: &TestApp, cast: &Cast, n: usize) -> String {
    let item = app
        .delivered_item(cast, &cast.buyer, &format!("RACE-P-{n}"), 1)
        .await;
    let r = app
        .review(&cast.buyer.token, &item, 5, "Хороший товар, рекомендую")
        .await;
    assert_eq!(r.body["status"], "published", "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn flag(app: &TestApp, cast: &Cast, review: &str) -> String {
    let r = app
        .post(
            &format!("/api/v1/reviews/{review}/flags"),
            Some(&cast.seller.token),
            json!({"reason": "false_information", "comment": "Отзыв не о нашем товаре"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn two_moderators_decide_a_held_review_once() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let policy = app.state.policy.reviews.clone();
    let now = app.clock.now_utc();
    for round in 0..ROUNDS {
        let id = held_review(&app, &cast, round).await;
        let second = if round % 2 == 0 {
            ReviewDecision::Approve
        } else {
            ReviewDecision::Reject
        };
        let jobs: Vec<Job> = [
            (cast.moderator.id.clone(), ReviewDecision::Approve),
            (cast.moderator2.id.clone(), second),
        ]
        .into_iter()
        .map(|(moderator, decision)| {
            let (id, policy) = (id.clone(), policy.clone());
            Box::new(move |c: &mut DbConnection| {
                let verdict = Verdict {
                    decision,
                    reason_code: Some("personal_data"),
                    note: None,
                };
                reviews::decide_review(c, &id, &as_moderator(&moderator), &verdict, &policy, now)
                    .map(|_| ())
            }) as Job
        })
        .collect();
        one_wins(&race(&app, jobs));
        let log = log_of(&app, &cast.moderator, &id).await;
        assert_eq!(by_racers(&log, &cast), 1, "{log:?}");
    }
    // The author heard of each review's fate once.
    let feed = app.notification_kinds(&cast.buyer.token).await;
    let decided = feed
        .iter()
        .filter(|k| *k == "review_published" || *k == "review_rejected")
        .count();
    assert_eq!(decided, ROUNDS, "{feed:?}");
    ratings_equal_a_recount(&app).await;
}

#[actix_web::test]
async fn two_moderators_decide_a_flag_once() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let policy = app.state.policy.reviews.clone();
    let now = app.clock.now_utc();
    for round in 0..ROUNDS {
        let review = published_review(&app, &cast, round).await;
        let id = flag(&app, &cast, &review).await;
        let second = if round % 2 == 0 {
            FlagDecision::Uphold
        } else {
            FlagDecision::Dismiss
        };
        let jobs: Vec<Job> = [
            (cast.moderator.id.clone(), FlagDecision::Uphold),
            (cast.moderator2.id.clone(), second),
        ]
        .into_iter()
        .map(|(moderator, decision)| {
            let (id, policy) = (id.clone(), policy.clone());
            Box::new(move |c: &mut DbConnection| {
                reviews::decide_flag(
                    c,
                    &id,
                    &as_moderator(&moderator),
                    decision,
                    "решение",
                    &policy,
                    now,
                )
                .map(|_| ())
            }) as Job
        })
        .collect();
        one_wins(&race(&app, jobs));
        let log = log_of(&app, &cast.moderator, &id).await;
        assert_eq!(by_racers(&log, &cast), 1, "{log:?}");
        // A dismissed flag never leaves its review removed, nor an upheld one published.
        let decided = log.iter().find(|e| e["action"] != "flag_opened").unwrap();
        let shown = app
            .get(
                &format!("/api/v1/reviews/{review}"),
                Some(&cast.buyer.token),
            )
            .await;
        let expected = if decided["after_status"] == "upheld" {
            "removed"
        } else {
            "published"
        };
        assert_eq!(shown.body["status"], expected, "{decided} / {}", shown.body);
    }
    ratings_equal_a_recount(&app).await;
}

#[actix_web::test]
async fn two_moderators_decide_an_appeal_once() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let third = app.moderator("mod3@example.kz").await;
    let policy = app.state.policy.reviews.clone();
    let now = app.clock.now_utc();
    for round in 0..ROUNDS {
        let review = published_review(&app, &cast, round).await;
        let flag_id = flag(&app, &cast, &review).await;
        let r = app
            .post(
                &format!("/api/v1/moderation/flags/{flag_id}/decision"),
                Some(&third.token),
                json!({"decision": "uphold", "note": "Удалён"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app
            .post(
                &format!("/api/v1/reviews/{review}/appeal"),
                Some(&cast.buyer.token),
                json!({"text": "Отзыв о купленном товаре"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_string();
        let second = if round % 2 == 0 {
            AppealDecision::Reinstate
        } else {
            AppealDecision::KeepRemoved
        };
        let jobs: Vec<Job> = [
            (cast.moderator.id.clone(), AppealDecision::Reinstate),
            (cast.moderator2.id.clone(), second),
        ]
        .into_iter()
        .map(|(moderator, decision)| {
            let (id, policy) = (id.clone(), policy.clone());
            Box::new(move |c: &mut DbConnection| {
                reviews::decide_appeal(
                    c,
                    &id,
                    &as_moderator(&moderator),
                    decision,
                    "решение",
                    &policy,
                    now,
                )
                .map(|_| ())
            }) as Job
        })
        .collect();
        one_wins(&race(&app, jobs));
        let log = log_of(&app, &cast.moderator, &id).await;
        assert_eq!(by_racers(&log, &cast), 1, "{log:?}");
    }
    ratings_equal_a_recount(&app).await;
}

#[actix_web::test]
async fn two_edits_of_different_fields_both_stand() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    for round in 0..ROUNDS {
        let id = published_review(&app, &cast, round).await;
        let path = format!("/api/v1/reviews/{id}");
        let patch = |body: Value| {
            app.call(
                actix_web::http::Method::PATCH,
                &path,
                Some(&cast.buyer.token),
                Some(body),
            )
        };
        let (a, b) = join(
            patch(json!({"rating": 2})),
            patch(json!({"text": "Через неделю сломалась кнопка"})),
        )
        .await;
        assert_eq!(
            (a.status.as_u16(), b.status.as_u16()),
            (200, 200),
            "{} / {}",
            a.body,
            b.body
        );
        // Each edit merged with the review as it stood under its lock: neither field is lost.
        let shown = app.get(&path, Some(&cast.buyer.token)).await;
        assert_eq!(shown.body["rating"], 2, "{}", shown.body);
        assert_eq!(
            shown.body["text"], "Через неделю сломалась кнопка",
            "{}",
            shown.body
        );
    }
    ratings_equal_a_recount(&app).await;
}

/// A seller complaint, answered by the seller, acknowledged and taken into review by a
/// moderator: ready to be resolved.
async fn acknowledged_complaint(app: &TestApp, cast: &Cast, n: usize) -> String {
    let (_, id) = app.seller_complaint(cast, &format!("RACE-C{n}")).await;
    let r = app
        .post(
            &format!("/api/v1/complaints/{id}/respond"),
            Some(&cast.seller.token),
            json!({"body": "Готовы заменить товар"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for step in ["acknowledge", "start-review"] {
        let r = app
            .post(
                &format!("/api/v1/complaints/{id}/{step}"),
                Some(&cast.moderator.token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    id
}

/// A moderator deciding, by id.
fn as_moderator(id: &str) -> aftersale::domain::caller::Caller {
    aftersale::domain::caller::Caller {
        id: id.to_string(),
        role: aftersale::domain::roles::Role::Moderator,
        shop_id: None,
    }
}

fn caller(
    account: &Account,
    role: aftersale::domain::roles::Role,
) -> aftersale::domain::caller::Caller {
    aftersale::domain::caller::Caller {
        id: account.id.clone(),
        role,
        shop_id: account.shop_id.clone(),
    }
}

/// Exactly one of the racing actions wins; the other meets the new state: 409 invalid_transition.
fn one_acts(outcomes: &[Option<ErrorCode>]) {
    let won = outcomes.iter().filter(|o| o.is_none()).count();
    let lost = outcomes
        .iter()
        .filter(|o| **o == Some(ErrorCode::InvalidTransition))
        .count();
    assert_eq!((won, lost), (1, outcomes.len() - 1), "{outcomes:?}");
}

#[actix_web::test]
async fn two_moderators_resolve_a_complaint_once() {
    use aftersale::db::complaints::{act, Step};
    use aftersale::domain::complaints::{
        Command, ComplaintStep, Outcome, RemedyKind, Resolution, StepRemedy,
    };
    use aftersale::domain::roles::Role;
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let policy = app.state.policy.complaints.clone();
    let now = app.clock.now_utc();
    for round in 0..ROUNDS / 2 {
        let id = acknowledged_complaint(&app, &cast, round).await;
        let jobs: Vec<Job> = [
            (
                caller(&cast.moderator, Role::Moderator),
                Outcome::Upheld,
                RemedyKind::Replacement,
            ),
            (
                caller(&cast.moderator2, Role::Moderator),
                Outcome::Rejected,
                RemedyKind::None,
            ),
        ]
        .into_iter()
        .map(|(who, outcome, remedy)| {
            let (id, policy) = (id.clone(), policy.clone());
            Box::new(move |c: &mut DbConnection| {
                let step = Step {
                    command: Command::Resolve(Resolution {
                        outcome,
                        remedy,
                        amount: None,
                    }),
                    data: ComplaintStep::Resolved {
                        outcome,
                        remedy: StepRemedy {
                            kind: remedy,
                            amount: None,
                        },
                        explanation: "решение".into(),
                    },
                    attachment_ids: Vec::new(),
                };
                act(c, &id, &who, step, &policy, now).map(|_| ())
            }) as Job
        })
        .collect();
        one_acts(&race(&app, jobs));
        let case = app
            .get(
                &format!("/api/v1/complaints/{id}"),
                Some(&cast.moderator.token),
            )
            .await;
        let resolved = case.body["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "resolved")
            .count();
        assert_eq!(resolved, 1, "{}", case.body);
    }
}

#[actix_web::test]
async fn two_moderators_start_the_review_of_a_case_once() {
    use aftersale::db::complaints::{act, Step};
    use aftersale::domain::complaints::{Command, ComplaintStep};
    use aftersale::domain::roles::Role;
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let policy = app.state.policy.complaints.clone();
    let now = app.clock.now_utc();
    for round in 0..ROUNDS / 2 {
        let (_, id) = app.seller_complaint(&cast, &format!("RACE-R{round}")).await;
        for (path, token, body) in [
            (
                "respond",
                &cast.seller.token,
                json!({"body": "Готовы заменить товар"}),
            ),
            ("acknowledge", &cast.moderator.token, json!({})),
        ] {
            let r = app
                .post(
                    &format!("/api/v1/complaints/{id}/{path}"),
                    Some(token),
                    body,
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let jobs: Vec<Job> = [&cast.moderator, &cast.moderator2]
            .into_iter()
            .map(|m| {
                let (id, policy, who) = (id.clone(), policy.clone(), caller(m, Role::Moderator));
                Box::new(move |c: &mut DbConnection| {
                    let step = Step {
                        command: Command::StartReview,
                        data: ComplaintStep::ReviewStarted {},
                        attachment_ids: Vec::new(),
                    };
                    act(c, &id, &who, step, &policy, now).map(|_| ())
                }) as Job
            })
            .collect();
        one_acts(&race(&app, jobs));
        let case = app
            .get(
                &format!("/api/v1/complaints/{id}"),
                Some(&cast.moderator.token),
            )
            .await;
        assert_eq!(case.body["status"], "in_review", "{}", case.body);
        let started = case.body["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "review_started")
            .count();
        assert_eq!(started, 1, "{}", case.body);
    }
}

#[actix_web::test]
async fn a_return_is_approved_or_rejected_once() {
    use aftersale::db::returns::{act, Policies, Step};
    use aftersale::domain::returns::{Command, RejectionReason, ReturnStepData};
    use aftersale::domain::roles::Role;
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let (returns, complaints) = (
        app.state.policy.returns.clone(),
        app.state.policy.complaints.clone(),
    );
    let now = app.clock.now_utc();
    for round in 0..ROUNDS / 2 {
        let id = app
            .changed_mind_return(&cast, &format!("RACE-T{round}"))
            .await;
        let jobs: Vec<Job> = [
            Command::Approve,
            Command::Reject(RejectionReason::SignsOfUse),
        ]
        .into_iter()
        .map(|command| {
            let (id, returns, complaints) = (id.clone(), returns.clone(), complaints.clone());
            let who = caller(&cast.seller, Role::Seller);
            Box::new(move |c: &mut DbConnection| {
                let data = match command {
                    Command::Reject(reason_code) => ReturnStepData::Rejected {
                        reason_code,
                        explanation: "Следы использования".into(),
                    },
                    _ => ReturnStepData::Approved {},
                };
                let step = Step {
                    command,
                    data,
                    attachment_ids: Vec::new(),
                };
                let policies = Policies {
                    returns: &returns,
                    complaints: &complaints,
                };
                act(c, &id, &who, step, policies, now).map(|_| ())
            }) as Job
        })
        .collect();
        one_acts(&race(&app, jobs));
        let shown = app
            .get(&format!("/api/v1/returns/{id}"), Some(&cast.buyer.token))
            .await;
        let decided = shown.body["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "approved" || e["kind"] == "rejected")
            .count();
        assert_eq!(decided, 1, "{}", shown.body);
    }
}

#[actix_web::test]
async fn messages_of_one_order_move_the_reply_clock_one_at_a_time() {
    use aftersale::db::messages::post;
    use aftersale::domain::roles::Role;
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let policy = app.state.policy.messages.clone();
    let now = app.clock.now_utc();
    for round in 0..ROUNDS / 2 {
        let order = app
            .delivered_order(
                &cast.service,
                &format!("RACE-M{round}"),
                &cast.buyer,
                cast.shop(),
                1,
            )
            .await;
        let id = order["id"].as_str().unwrap().to_string();
        // Two first messages of a conversation at once: both land, one conversation.
        let jobs: Vec<Job> = (0..2)
            .map(|i| {
                let (id, policy) = (id.clone(), policy.clone());
                let who = caller(&cast.buyer, Role::Buyer);
                Box::new(move |c: &mut DbConnection| {
                    post(c, &id, &who, &format!("Вопрос {i}"), &[], &policy, now).map(|_| ())
                }) as Job
            })
            .collect();
        assert_eq!(race(&app, jobs), [None, None]);
        let r = app
            .get(
                &format!("/api/v1/orders/{id}/messages"),
                Some(&cast.seller.token),
            )
            .await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 2, "{}", r.body);
        assert_eq!(r.body["reply"]["awaiting_since"], json!(now), "{}", r.body);
    }
}

#[actix_web::test]
async fn two_syncs_of_one_order_apply_one_after_the_other() {
    use aftersale::db::orders::{upsert, ItemWrite, OrderWrite};
    use aftersale::domain::orders::{DeliveryType, OrderStatus};
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let now = app.clock.now_utc();
    let placed = now - chrono::TimeDelta::days(3);
    for round in 0..ROUNDS / 2 {
        let external = format!("RACE-O{round}");
        let body = order_body(&cast.buyer.id, cast.shop(), placed, None);
        let r = app.put_order(&cast.service, &external, body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        // The order marketplace sends the second failed attempt twice at once (a retried
        // sync): as "returned to seller", or, every other round, still "in transit".
        let status = if round % 2 == 0 {
            OrderStatus::ReturnedToSeller
        } else {
            OrderStatus::InTransit
        };
        let jobs: Vec<Job> = (0..2)
            .map(|_| {
                let (external, buyer, shop) = (
                    external.clone(),
                    cast.buyer.id.clone(),
                    cast.shop().to_string(),
                );
                Box::new(move |c: &mut DbConnection| {
                    let write = OrderWrite {
                        id: None,
                        external_id: &external,
                        buyer_id: &buyer,
                        shop_id: &shop,
                        placed_at: placed,
                        items: vec![ItemWrite {
                            id: None,
                            product_id: "P-1",
                            title: "Смартфон",
                            category: Some("mobile_phones"),
                            quantity: 1,
                            unit_price: 150_000,
                        }],
                        delivery_type: DeliveryType::City,
                        courier_id: Some("CR-1"),
                        courier_name: Some("Ерлан К."),
                        promised_at: Some(placed + chrono::TimeDelta::days(2)),
                        delivered_at: None,
                        failed_attempts: 2,
                        status,
                        total_amount: 150_000,
                    };
                    upsert(c, &write, 2, now).map(|_| ())
                }) as Job
            })
            .collect();
        assert_eq!(race(&app, jobs), [None, None]);
    }
    // Each order's failure opened once and told its buyer once, not once per sync.
    let told = app
        .notification_kinds(&cast.buyer.token)
        .await
        .into_iter()
        .filter(|k| k == "order_returned_to_seller")
        .count();
    assert_eq!(told, ROUNDS / 2);
}

#[actix_web::test]
async fn the_first_two_cases_of_a_year_get_two_numbers() {
    use aftersale::db::{numbering::next_number, write_tx};
    let app = TestApp::spawn().await;
    for year in 2030..2030 + ROUNDS as i32 {
        // No counter exists for the year yet: both create it at once.
        let jobs: Vec<Job> = (0..2)
            .map(|_| {
                Box::new(move |c: &mut DbConnection| {
                    write_tx(c, |c| next_number(c, "C", year)).map(|_| ())
                }) as Job
            })
            .collect();
        assert_eq!(race(&app, jobs), [None, None]);
        let mut conn = app.raw_conn();
        let third = write_tx(&mut conn, |c| next_number(c, "C", year)).unwrap();
        assert_eq!(third, format!("C-{year}-000003"));
    }
}
