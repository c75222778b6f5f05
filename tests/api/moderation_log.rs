//! The moderation log holds every moderator's action — on complaints and returns as on
//! reviews — and filters by kind, actor and subject.
use crate::complaints::filed;
use crate::helpers::*;
use crate::moderation::{flag, published};
use serde_json::{json, Value};

async fn log(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/moderation/log?{query}"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn actions(entries: &[Value]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|e| {
            (
                e["subject_type"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn moderators_actions_on_cases_are_logged_and_filtered() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let (m1, m2) = (&cast.moderator, &cast.moderator2);
    let (_, complaint) = filed(&app, &cast, "L-1", "courier", "other").await;
    let case = complaint["id"].as_str().unwrap();
    for (who, action, body) in [
        (m1, "acknowledge", json!({})),
        (m1, "assign", json!({"moderator_id": m2.id})),
    ] {
        let r = app
            .post(
                &format!("/api/v1/complaints/{case}/{action}"),
                Some(&who.token),
                body,
            )
            .await;
        assert_eq!(r.status, 200, "{action}: {}", r.body);
    }
    // A buyer's step on the same case is not a moderation action.
    let review = published(&app, &cast, "L-2", 1, "Курьер опоздал").await;
    let f = flag(&app, &cast.seller.token, &review, "rules_violation").await;
    app.post(
        &format!(
            "/api/v1/moderation/flags/{}/decision",
            f.body["id"].as_str().unwrap()
        ),
        Some(&m2.token),
        json!({"decision": "dismiss", "note": "no breach"}),
    )
    .await;

    let token = m1.token.as_str();
    let on_case = log(&app, token, &format!("subject_id={case}")).await;
    assert_eq!(
        actions(&on_case),
        vec![
            ("complaint".into(), "assigned".into()),
            ("complaint".into(), "acknowledged".into())
        ],
        "{on_case:?}"
    );
    assert_eq!(on_case[1]["actor_id"], m1.id.as_str());
    assert_eq!(on_case[1]["actor"], "moderator");
    assert_eq!(on_case[1]["before_status"], "submitted");
    assert_eq!(on_case[1]["after_status"], "acknowledged");
    let complaints = log(&app, token, "kind=complaint").await;
    assert_eq!(complaints.len(), 2);
    let flags = log(&app, token, "kind=flag").await;
    assert!(actions(&flags).contains(&("flag".into(), "flag_dismissed".into())));
    assert!(flags.iter().all(|e| e["subject_type"] == "flag"));
    let by_m2 = log(&app, token, &format!("actor_id={}", m2.id)).await;
    assert!(!by_m2.is_empty());
    assert!(
        by_m2.iter().all(|e| e["actor_id"] == m2.id.as_str()),
        "{by_m2:?}"
    );
    let both = log(&app, token, &format!("actor_id={}&kind=complaint", m1.id)).await;
    assert_eq!(both.len(), 2, "{both:?}");
    app.get("/api/v1/moderation/log?kind=order", Some(token))
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/moderation/log", Some(&cast.seller.token))
        .await
        .assert_problem(403, "forbidden");
}
