//! "Try it out" works on every path as written: each path parameter's example in the spec names
//! a record of a fresh demo database (`demo::ids`), and every GET path built from the examples
//! is served to one of the demo's accounts.
use crate::helpers::*;
use aftersale::demo::{self, ids};
use serde_json::{json, Value};

/// What the demo does not seed yet, so its ids have no example: evidence files, flags,
/// appeals, notifications (their ids are drawn when written) and webhook endpoints (a demo
/// endpoint would send to an outside address). The list may only shrink.
const WITHOUT_DEMO_RECORD: &[&str] = &[
    "/api/v1/attachments",
    "/api/v1/moderation/appeals",
    "/api/v1/moderation/flags",
    "/api/v1/notifications",
    "/api/v1/webhooks",
];

#[actix_web::test]
async fn every_path_example_names_a_record_the_demo_serves() {
    let app = TestApp::spawn().await;
    let accounts = demo::seed(&app.state).expect("the demo seeds");
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
            for p in params.iter().filter(|p| !p["example"].is_string()) {
                let prefix = path.split("/{").next().unwrap().to_string();
                assert!(
                    WITHOUT_DEMO_RECORD.contains(&prefix.as_str()),
                    "{method} {path}: `{}` has no example",
                    p["name"]
                );
            }
            if method != "get" || params.iter().any(|p| !p["example"].is_string()) {
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
    // The cases, returns and reviews of the demo are among them.
    for id in [ids::COMPLAINT, ids::RETURN, ids::REVIEW, ids::ORDER_1001] {
        assert!(
            served.iter().any(|p| p.contains(id)),
            "{id} is never served"
        );
    }
}
