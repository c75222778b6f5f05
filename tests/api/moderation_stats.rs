//! `GET /moderation/stats`: the queue now, and the window's decisions against their deadlines,
//! compared with a history built on a fixed clock.
use crate::helpers::*;
use crate::moderation::{flag, published};
use crate::returns::at;
use chrono::TimeDelta;
use serde_json::{json, Value};

fn rate(num: i64, den: i64) -> Value {
    let r = if den == 0 {
        Value::Null
    } else {
        json!(((num as f64 / den as f64) * 10_000.0).round() / 10_000.0)
    };
    json!({"rate": r, "numerator": num, "denominator": den})
}

#[actix_web::test]
async fn queue_deadlines_per_kind_and_moderator_and_appeal_reversals() {
    let app = TestApp::spawn().await;
    app.clock.set(at("2026-10-01T00:00:00Z"));
    let cast = app.cast().await;
    let (m1, m2) = (&cast.moderator, &cast.moderator2);
    let t0 = at("2026-11-02T05:00:00Z"); // Monday 10:00 in Almaty
    app.clock.set(t0);
    let held = |ext: &'static str| {
        let (app, cast) = (&app, &cast);
        async move {
            let item = app.delivered_item(cast, &cast.buyer, ext, 1).await;
            let r = app
                .review(&cast.buyer.token, &item, 3, "звоните 87011234567")
                .await;
            assert_eq!(r.body["status"], "pending_moderation", "{}", r.body);
            r.body["id"].as_str().unwrap().to_string()
        }
    };
    let decide = |path: String, token: String, body: Value| {
        let app = &app;
        async move {
            let r = app.post(&path, Some(&token), body).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            r.body
        }
    };
    let rv1 = held("MS-1").await;
    held("MS-2").await; // left in the queue
    let shown = published(&app, &cast, "MS-3", 2, "Плохо упаковано").await;
    let f = flag(&app, &cast.seller.token, &shown, "offensive_language").await;
    let (_, complaint) = crate::complaints::filed(&app, &cast, "MS-4", "courier", "other").await;
    let case = complaint["id"].as_str().unwrap();

    // Within their deadlines: the held review approved and the complaint acknowledged (m1).
    app.clock.set(t0 + TimeDelta::hours(1));
    decide(
        format!("/api/v1/moderation/reviews/{rv1}/decision"),
        m1.token.clone(),
        json!({"decision": "approve"}),
    )
    .await;
    decide(
        format!("/api/v1/complaints/{case}/acknowledge"),
        m1.token.clone(),
        json!({}),
    )
    .await;
    // Ten days on: the flag upheld late (m2), the removal appealed and reversed in time (m1).
    app.clock.set(t0 + TimeDelta::days(10));
    decide(
        format!(
            "/api/v1/moderation/flags/{}/decision",
            f.body["id"].as_str().unwrap()
        ),
        m2.token.clone(),
        json!({"decision": "uphold", "note": "rude"}),
    )
    .await;
    app.clock
        .set(t0 + TimeDelta::days(10) + TimeDelta::hours(1));
    let appeal = app
        .post(
            &format!("/api/v1/reviews/{shown}/appeal"),
            Some(&cast.buyer.token),
            json!({"text": "Там нет оскорблений"}),
        )
        .await;
    assert_eq!(appeal.status, 201, "{}", appeal.body);
    app.clock
        .set(t0 + TimeDelta::days(10) + TimeDelta::hours(2));
    decide(
        format!(
            "/api/v1/moderation/appeals/{}/decision",
            appeal.body["id"].as_str().unwrap()
        ),
        m1.token.clone(),
        json!({"decision": "reinstate", "note": "fair criticism"}),
    )
    .await;

    app.clock.set(t0 + TimeDelta::days(11));
    let r = app.get("/api/v1/moderation/stats", Some(&m1.token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = &r.body;
    assert_eq!(s["open"]["review"], 1);
    assert_eq!(
        s["overdue"]["review"], 1,
        "held since 2 November, due on the 5th"
    );
    assert_eq!(
        (s["open"]["flag"].clone(), s["open"]["appeal"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(s["open"]["complaint"], 1);
    assert_eq!(s["open"]["return"], 0);
    assert_eq!(
        s["sla"]["by_kind"],
        json!({"appeal": rate(1, 1), "complaint": rate(1, 1), "flag": rate(0, 1), "review": rate(1, 1)})
    );
    assert_eq!(
        s["sla"]["by_moderator"],
        json!([
            {"moderator_id": m1.id, "name": s["sla"]["by_moderator"][0]["name"], "on_time": rate(3, 3)},
            {"moderator_id": m2.id, "name": s["sla"]["by_moderator"][1]["name"], "on_time": rate(0, 1)},
        ])
    );
    assert!(!s["sla"]["by_moderator"][0]["name"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(
        s["appeals"],
        json!({"decided": 1, "reinstated": 1, "reversal_rate": rate(1, 1)})
    );

    // From the fifth day: only the late flag and the appeal were decided.
    let from = (t0 + TimeDelta::days(5)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let cut = app
        .get(
            &format!("/api/v1/moderation/stats?from={from}"),
            Some(&m2.token),
        )
        .await;
    assert_eq!(
        cut.body["sla"]["by_kind"],
        json!({"appeal": rate(1, 1), "flag": rate(0, 1)})
    );
    assert_eq!(
        cut.body["open"]["review"], 1,
        "the queue is now, whatever the window"
    );

    app.get("/api/v1/moderation/stats", Some(&cast.seller.token))
        .await
        .assert_problem(403, "forbidden");
}

/// `Accept: text/csv` on the moderators' dashboard, as on a shop's: the JSON's figures as
/// `metric,dimension,value` rows.
#[actix_web::test]
async fn the_dashboard_honours_accept_text_csv() {
    let app = TestApp::spawn().await;
    app.clock.set(at("2026-11-02T05:00:00Z"));
    let cast = app.cast().await;
    let item = app.delivered_item(&cast, &cast.buyer, "MC-1", 1).await;
    let held = app
        .review(&cast.buyer.token, &item, 3, "звоните 87011234567")
        .await;
    assert_eq!(held.body["status"], "pending_moderation", "{}", held.body);
    let json = app
        .get("/api/v1/moderation/stats", Some(&cast.moderator.token))
        .await;
    assert_eq!(json.status, 200);
    assert_eq!(json.body["open"]["review"], 1);
    let req = actix_web::test::TestRequest::get()
        .uri("/api/v1/moderation/stats")
        .insert_header(("authorization", format!("Bearer {}", cast.moderator.token)))
        .insert_header(("accept", "text/csv"));
    let csv = app.send(req).await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(text.starts_with("metric,dimension,value\n"), "{text}");
    for row in ["open.review,,1", "overdue.review,,0", "appeals.decided,,0"] {
        assert!(text.lines().any(|l| l == row), "{row} missing from\n{text}");
    }
    // The caller's role is checked before the format.
    let req = actix_web::test::TestRequest::get()
        .uri("/api/v1/moderation/stats")
        .insert_header(("authorization", format!("Bearer {}", cast.seller.token)))
        .insert_header(("accept", "text/csv"));
    assert_eq!(app.send(req).await.status, 403);
}
