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
