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

fn schema_of<'a>(spec: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    let s = &spec["components"]["schemas"][name];
    assert!(s.is_object(), "no schema {name}");
    s
}

fn reference(name: &str) -> serde_json::Value {
    serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
}

#[test]
fn every_event_type_is_a_webhook_and_the_event_union_narrows_on_type() {
    use aftersale::domain::webhooks::EventType;
    let spec = committed();
    let webhooks = spec["webhooks"].as_object().expect("top-level webhooks");
    let mut types: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    let declared: Vec<&str> = webhooks.keys().map(String::as_str).collect();
    for t in &types {
        if *t == "ping" {
            assert!(!declared.contains(t), "ping answers a test request only");
            continue;
        }
        let op = &webhooks[*t]["post"];
        assert_eq!(op["security"], serde_json::json!([]), "{t}");
        let body = &op["requestBody"]["content"]["application/json"]["schema"];
        let envelope = body["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
        assert_eq!(
            schema_of(&spec, envelope)["properties"]["type"]["enum"],
            serde_json::json!([t]),
            "{t}"
        );
    }
    assert_eq!(declared.len(), types.len() - 1);
    // `WebhookEvent`: one envelope per type, mapped by `type`; each envelope's `data` is its
    // type's payload schema.
    let union = schema_of(&spec, "WebhookEvent");
    assert_eq!(union["discriminator"]["propertyName"], "type");
    let mapping = union["discriminator"]["mapping"].as_object().unwrap();
    assert_eq!(mapping.len(), types.len());
    assert_eq!(union["oneOf"].as_array().unwrap().len(), types.len());
    for (t, target) in mapping {
        let name = target.as_str().unwrap().rsplit('/').next().unwrap();
        let data = &schema_of(&spec, name)["properties"]["data"];
        let expected = aftersale::openapi::webhooks::data_schema(EventType::parse(t).unwrap());
        assert_eq!(data, &reference(expected), "{t}");
    }
    // A subscription names types of the catalogue, or `*`.
    types.push("*");
    assert_eq!(
        schema_of(&spec, "WebhookEventFilter")["enum"],
        serde_json::json!(types)
    );
    for holder in ["CreateWebhookRequest", "WebhookView"] {
        assert_eq!(
            schema_of(&spec, holder)["properties"]["events"]["items"],
            reference("WebhookEventFilter"),
            "{holder}"
        );
    }
    assert_eq!(
        schema_of(&spec, "WebhookDelivery")["properties"]["payload"]["$ref"],
        "#/components/schemas/WebhookEvent"
    );
}

#[test]
fn the_spec_names_its_server_and_every_operation_states_its_security() {
    let spec = committed();
    assert_eq!(spec["servers"][0]["url"], "/");
    for (method, path, op) in operations(&spec) {
        let security = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path}: no security stated"));
        // Public operations say so with an empty list; the rest name the bearer scheme.
        let bearer = security.iter().any(|r| r.get("bearer").is_some());
        assert!(
            bearer || security.is_empty(),
            "{method} {path}: {security:?}"
        );
        if bearer {
            assert!(op["responses"].get("401").is_some(), "{method} {path}");
        }
    }
}

#[test]
fn closed_sets_are_enums_and_a_refund_has_one_shape() {
    let spec = committed();
    let category = &schema_of(&spec, "ComplaintEventData")["properties"]["category"];
    assert_eq!(category, &reference("ComplaintCategory"));
    let reason = &schema_of(&spec, "ReturnEventData")["properties"]["reason"];
    assert_eq!(reason, &reference("ReturnReason"));
    let log = &schema_of(&spec, "ModerationLogEntry")["properties"];
    assert_eq!(log["actor"], reference("ModerationActor"));
    assert_eq!(log["action"], reference("ModerationAction"));
    let actions = schema_of(&spec, "ModerationAction")["enum"]
        .as_array()
        .unwrap()
        .clone();
    for a in [
        "approved",
        "flag_upheld",
        "sla_breached",
        "assigned",
        "resolved",
    ] {
        assert!(actions.contains(&serde_json::json!(a)), "{a}");
    }
    // One `Refund`, with its instant, wherever a refund is shown.
    let refund = schema_of(&spec, "Refund");
    assert_eq!(
        refund["required"],
        serde_json::json!(["amount", "refunded_at"])
    );
    assert!(spec["components"]["schemas"]
        .get("ReturnRefundView")
        .is_none());
    for view in ["ReturnView", "DeliveryFailureView"] {
        let shown = &schema_of(&spec, view)["properties"]["refund"];
        assert!(
            shown["oneOf"]
                .as_array()
                .is_some_and(|o| o.iter().any(|s| s["$ref"] == reference("Refund")["$ref"])),
            "{view}: {shown}"
        );
    }
}

#[actix_web::test]
async fn swagger_ui_sends_the_document_to_no_outside_validator() {
    let app = crate::helpers::TestApp::spawn().await;
    let init = app.get("/docs/swagger-initializer.js", None).await;
    assert_eq!(init.status, 200);
    let script = String::from_utf8_lossy(&init.bytes).replace(' ', "");
    assert!(
        script.contains("\"validatorUrl\":\"none\""),
        "validatorUrl is not off: {script}"
    );
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
