//! "Try it out" works on every path as written: each path parameter's example in the spec names
//! a record of a fresh demo database (`demo::ids`), and every GET path built from the examples
//! is served to one of the demo's accounts.
use crate::helpers::*;
use aftersale::demo::{self, ids};
use serde_json::{json, Value};

#[actix_web::test]
async fn every_path_example_names_a_record_the_demo_serves() {
    let app = TestApp::spawn().await;
    let accounts = demo::seed(&app.state).await.expect("the demo seeds");
    // `serve --demo` seeds at every start: a second run adds nothing and breaks nothing.
    demo::seed(&app.state).await.expect("the demo seeds again");
    let mut tokens = vec![accounts.service_token.clone()];
    for role in ["buyer", "seller", "moderator", "regular"] {
        let r = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": format!("{role}@demo.kz"), "password": demo::DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 200, "{role}: {}", r.body);
        tokens.push(r.body["access_token"].as_str().unwrap().to_string());
    }
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap();
    let mut served = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params: Vec<&Value> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .collect();
            for p in &params {
                assert!(
                    p["example"].is_string(),
                    "{method} {path}: `{}` has no example",
                    p["name"]
                );
            }
            if method != "get" {
                continue;
            }
            let mut concrete = path.clone();
            for p in &params {
                concrete = concrete.replace(
                    &format!("{{{}}}", p["name"].as_str().unwrap()),
                    p["example"].as_str().unwrap(),
                );
            }
            let mut statuses = Vec::new();
            for token in &tokens {
                let r = app.get(&concrete, Some(token)).await;
                statuses.push(r.status.as_u16());
                if r.status.is_success() {
                    break;
                }
            }
            assert!(
                statuses.last().is_some_and(|s| (200..300).contains(s)),
                "GET {concrete}: no demo account is served it ({statuses:?})"
            );
            served.push(concrete);
        }
    }
    // The cases, returns, reviews, files and webhooks of the demo are among them.
    for id in [
        ids::COMPLAINT,
        ids::RETURN,
        ids::REVIEW,
        ids::ORDER_1001,
        ids::ATTACHMENT,
        ids::WEBHOOK,
    ] {
        assert!(
            served.iter().any(|p| p.contains(id)),
            "{id} is never served"
        );
    }
}

/// The ids only POST paths name (a flag's and an appeal's decision, a notification's read
/// mark, a redelivery) are records those paths accept: open in the moderators' queue, in the
/// demo buyer's feed, in the demo endpoint's delivery log. The endpoint is disabled, so its
/// `ping` is never attempted: its URL does not resolve.
#[actix_web::test]
async fn the_ids_of_post_only_paths_name_records_waiting_for_them() {
    let app = TestApp::spawn().await;
    demo::seed(&app.state).await.expect("the demo seeds");
    demo::seed(&app.state).await.expect("the demo seeds again");
    let login = |email: &'static str| {
        let app = &app;
        async move {
            let r = app
                .post(
                    "/api/v1/auth/login",
                    None,
                    json!({"email": email, "password": demo::DEMO_PASSWORD}),
                )
                .await;
            assert_eq!(r.status, 200, "{email}: {}", r.body);
            r.body["access_token"].as_str().unwrap().to_string()
        }
    };
    let (buyer, seller, moderator) = (
        login("buyer@demo.kz").await,
        login("seller@demo.kz").await,
        login("moderator@demo.kz").await,
    );
    let queue = app
        .get("/api/v1/moderation/queue?limit=100", Some(&moderator))
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let open: Vec<(&str, &str)> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["id"].as_str().unwrap()))
        .collect();
    assert!(open.contains(&("flag", ids::FLAG)), "{open:?}");
    assert!(open.contains(&("appeal", ids::APPEAL)), "{open:?}");
    // One of each, though the demo was seeded twice.
    assert_eq!(
        open.iter().filter(|(k, _)| *k == "flag").count(),
        1,
        "{open:?}"
    );
    assert_eq!(
        open.iter().filter(|(k, _)| *k == "appeal").count(),
        1,
        "{open:?}"
    );
    // The flagged review is still the spec's published example.
    let review = app
        .get(&format!("/api/v1/reviews/{}", ids::REVIEW), None)
        .await;
    assert_eq!(review.status, 200, "{}", review.body);

    let feed = app
        .get("/api/v1/notifications?limit=100", Some(&buyer))
        .await;
    let mine: Vec<&Value> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["id"] == ids::NOTIFICATION)
        .collect();
    assert_eq!(mine.len(), 1, "{}", feed.body);
    assert_eq!(mine[0]["kind"], "order_delivered");

    let endpoint = app
        .get(&format!("/api/v1/webhooks/{}", ids::WEBHOOK), Some(&seller))
        .await;
    assert_eq!(endpoint.status, 200, "{}", endpoint.body);
    assert_eq!(endpoint.body["enabled"], false, "{}", endpoint.body);
    let report = aftersale::jobs::dispatcher::Dispatcher::new(&app.state)
        .unwrap()
        .run_once()
        .await
        .unwrap();
    assert_eq!(report.attempts, 0, "the demo endpoint is never called");
    let log = app
        .get(
            &format!("/api/v1/webhooks/{}/deliveries", ids::WEBHOOK),
            Some(&seller),
        )
        .await;
    let items = log.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", log.body);
    assert_eq!(items[0]["id"], ids::WEBHOOK_DELIVERY, "{}", log.body);
    assert_eq!(items[0]["status"], "pending", "{}", log.body);

    let photo = app
        .get(
            &format!("/api/v1/attachments/{}", ids::ATTACHMENT),
            Some(&buyer),
        )
        .await;
    assert_eq!(photo.status, 200);
}
