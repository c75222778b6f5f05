//! The committed spec is the seller dashboards' contract: it must equal the generated one.
//! Regenerate with `UPDATE_OPENAPI=1 cargo test openapi` (or `aftersale openapi > openapi/openapi.json`).
use aftersale::startup;

const SPEC: &str = "openapi/openapi.json";

#[test]
fn committed_spec_matches_the_code() {
    let generated = startup::openapi().to_pretty_json().unwrap() + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(SPEC, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(SPEC).unwrap_or_default();
    assert!(
        committed == generated,
        "{SPEC} is out of date: run `UPDATE_OPENAPI=1 cargo test openapi` and commit it"
    );
}

#[test]
fn every_route_of_the_contract_so_far_is_documented_with_errors() {
    let spec: serde_json::Value =
        serde_json::from_str(&startup::openapi().to_json().unwrap()).unwrap();
    let expected = [
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/refresh"),
        ("post", "/api/v1/auth/logout"),
        ("get", "/api/v1/me"),
        ("put", "/api/v1/integration/orders/{external_id}"),
        ("get", "/api/v1/orders"),
        ("get", "/api/v1/orders/{id}"),
        ("post", "/api/v1/attachments"),
        ("get", "/api/v1/attachments/{id}"),
        ("get", "/api/v1/notifications"),
        ("post", "/api/v1/notifications/{id}/read"),
        ("post", "/api/v1/notifications/read-all"),
        ("post", "/api/v1/reviews"),
        ("get", "/api/v1/reviews/{id}"),
        ("patch", "/api/v1/reviews/{id}"),
        ("delete", "/api/v1/reviews/{id}"),
        ("get", "/api/v1/products/{product_id}/reviews"),
        ("get", "/api/v1/shops/{shop_id}/reviews"),
        ("get", "/api/v1/me/reviews"),
        ("put", "/api/v1/reviews/{id}/reply"),
        ("delete", "/api/v1/reviews/{id}/reply"),
        ("post", "/api/v1/reviews/{id}/flags"),
        ("get", "/api/v1/flags"),
        ("post", "/api/v1/reviews/{id}/appeal"),
        ("get", "/api/v1/moderation/queue"),
        ("post", "/api/v1/moderation/reviews/{id}/decision"),
        ("post", "/api/v1/moderation/flags/{id}/decision"),
        ("post", "/api/v1/moderation/appeals/{id}/decision"),
        ("get", "/api/v1/moderation/log"),
        ("get", "/health"),
        ("get", "/ready"),
        ("get", "/metrics"),
    ];
    for (method, path) in expected {
        let op = &spec["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing from the spec");
        let public = [
            "/api/v1/auth/register",
            "/api/v1/auth/login",
            "/api/v1/auth/refresh",
            "/api/v1/products/{product_id}/reviews",
            "/api/v1/shops/{shop_id}/reviews",
        ];
        if path.starts_with("/api/v1") && !public.contains(&path) {
            assert!(
                op["security"].is_array(),
                "{method} {path} lacks bearer security"
            );
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path} lacks its 401"
            );
        }
        let has_problem = op["responses"]
            .as_object()
            .unwrap()
            .iter()
            .any(|(code, r)| {
                code.starts_with('4')
                    || code.starts_with('5') && r["content"]["application/problem+json"].is_object()
            });
        assert!(
            has_problem || path == "/health" || path == "/metrics",
            "{method} {path} lists no error response"
        );
    }
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

fn committed() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(SPEC).unwrap()).unwrap()
}

fn operations(spec: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

#[test]
fn every_reference_resolves_and_every_operation_id_is_unique() {
    let spec = committed();
    let text = spec.to_string();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "dangling $ref to {name}");
    }
    let mut seen = std::collections::HashSet::new();
    for (method, path, op) in operations(&spec) {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
        assert!(
            seen.insert(id.to_string()),
            "operationId {id} is used twice"
        );
        for p in op["parameters"].as_array().into_iter().flatten() {
            assert!(
                p["schema"].is_object(),
                "{method} {path}: parameter {} has no schema",
                p["name"]
            );
        }
    }
}

#[test]
fn every_problem_response_lists_its_codes() {
    for (method, path, op) in operations(&committed()) {
        for (status, r) in op["responses"].as_object().unwrap() {
            if r["content"].get("application/problem+json").is_some() {
                let codes = r["x-problem-codes"].as_array();
                assert!(
                    codes.is_some_and(|c| !c.is_empty()),
                    "{method} {path} {status}: no x-problem-codes"
                );
            }
        }
    }
}

#[test]
fn every_json_request_body_has_an_example_that_matches_its_schema() {
    let spec = committed();
    let mut checked = 0;
    for (method, path, op) in operations(&spec) {
        if let Some(body) = op["requestBody"]["content"].get("application/json") {
            let example = body
                .get("example")
                .unwrap_or_else(|| panic!("{method} {path}: the request body has no example"));
            let errors = crate::conformance::schema_errors(
                &format!("request {method} {path}"),
                &body["schema"],
                example,
            );
            assert!(
                errors.is_empty(),
                "{method} {path}: the request example does not match: {errors:?}"
            );
            checked += 1;
        }
        for (status, r) in op["responses"].as_object().unwrap() {
            for (media, content) in r["content"].as_object().into_iter().flatten() {
                if let Some(example) = content.get("example") {
                    let key = format!("example {method} {path} {status} {media}");
                    let errors =
                        crate::conformance::schema_errors(&key, &content["schema"], example);
                    assert!(errors.is_empty(), "{key} does not match: {errors:?}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} examples");
}

/// The review's limits in the spec are the policy's numbers, not literals of their own.
#[test]
fn review_limits_in_the_spec_are_the_policys() {
    let spec = committed();
    let p = aftersale::policy::Policy::default().reviews;
    for schema in ["CreateReviewRequest", "EditReviewRequest"] {
        let props = &spec["components"]["schemas"][schema]["properties"];
        assert_eq!(props["text"]["maxLength"], p.text_max_chars, "{schema}");
        assert_eq!(
            props["attachment_ids"]["maxItems"], p.photos_max,
            "{schema}"
        );
    }
}
