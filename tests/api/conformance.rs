//! The conformance check: every response the integration suite receives is held to the
//! committed `openapi/openapi.json` — the route and method are documented, the status is
//! documented for the operation, the content type is one the status documents, a JSON body
//! validates against the documented schema (JSON Schema 2020-12, formats checked), and a
//! problem's `code` is one the response lists in `x-problem-codes`.
//!
//! `TestApp::send` calls [`check`] on each response, so a mismatch fails the test that
//! produced it, with the operation, the status and the reason.
use jsonschema::{Draft, Validator};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = std::fs::read_to_string("openapi/openapi.json").expect("openapi/openapi.json");
        serde_json::from_str(&text).expect("the committed spec is JSON")
    })
}

/// One validator per documented (operation, status, media type), built on first use.
fn validator(key: &str, schema: &Value) -> Arc<Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(key) {
        return v.clone();
    }
    // The response schema, with the spec's components beside it so that its `$ref`s resolve.
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": spec()["components"],
        "allOf": [schema],
    });
    let built = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("{key}: the documented schema does not compile: {e}"));
    let built = Arc::new(built);
    cache.lock().unwrap().insert(key.to_string(), built.clone());
    built
}

/// Why `value` does not match `schema` (a schema of the spec, `$ref`s resolved against it);
/// empty when it matches. `key` names the schema for the validator cache.
pub fn schema_errors(key: &str, schema: &Value, value: &Value) -> Vec<String> {
    validator(key, schema)
        .iter_errors(value)
        .map(|e| format!("at `{}`: {e}", e.instance_path()))
        .take(5)
        .collect()
}

fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a documented media range (`image/*`, `*/*` or exact) covers a sent type.
fn covers(range: &str, sent: &str) -> bool {
    range == sent
        || range == "*/*"
        || range
            .strip_suffix("/*")
            .is_some_and(|top| sent.split('/').next() == Some(top))
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

/// Holds one response to the spec; panics with every mismatch found.
pub fn check(method: &str, pattern: Option<&str>, status: u16, content_type: &str, body: &[u8]) {
    // Unmatched routes (the 404 fallback) and the routes outside the contract (Swagger UI,
    // the spec itself) have no operation to hold them to.
    let Some(path) = pattern else { return };
    let Some(item) = spec()["paths"].get(path) else {
        return;
    };
    let method = method.to_ascii_lowercase();
    let where_ = format!("{} {path} → {status}", method.to_uppercase());
    let op = item
        .get(&method)
        .unwrap_or_else(|| panic!("conformance: {where_}: the method is not documented"));
    let response = op["responses"]
        .get(status.to_string())
        .or_else(|| op["responses"].get("default"))
        .unwrap_or_else(|| panic!("conformance: {where_}: status not documented"));
    let sent = essence(content_type);
    let content = response["content"].as_object();
    if body.is_empty() && content.is_none_or(|c| c.is_empty()) {
        return;
    }
    let Some(content) = content else {
        panic!("conformance: {where_}: a body of `{sent}` where the spec documents none");
    };
    let Some((media, entry)) = content.iter().find(|(range, _)| covers(range, &sent)) else {
        panic!(
            "conformance: {where_}: content type `{sent}` not documented (documented: {:?})",
            content.keys().collect::<Vec<_>>()
        );
    };
    if !is_json(&sent) {
        return;
    }
    let value: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("conformance: {where_}: the body is not JSON: {e}"));
    if let Some(schema) = entry.get("schema") {
        let errors = schema_errors(&format!("{where_} {media}"), schema, &value);
        assert!(
            errors.is_empty(),
            "conformance: {where_}: the body does not match the documented schema:\n  {}\nbody: {value}",
            errors.join("\n  ")
        );
    }
    if sent == "application/problem+json" {
        let code = value["code"].as_str().unwrap_or("");
        let listed = response["x-problem-codes"].as_array();
        assert!(
            listed.is_some_and(|l| l.iter().any(|c| c == code)),
            "conformance: {where_}: code `{code}` is not among the documented {:?}",
            listed
        );
    }
}

#[test]
fn the_check_itself_refuses_what_the_spec_does_not_say() {
    let ok = std::panic::catch_unwind(|| {
        check(
            "GET",
            Some("/health"),
            200,
            "application/json",
            br#"{"status":"ok"}"#,
        )
    });
    assert!(ok.is_ok());
    for (status, ct, body) in [
        (418u16, "application/json", &br#"{"status":"ok"}"#[..]),
        (200, "text/html", &b"<p>ok</p>"[..]),
        (200, "application/json", &br#"{"status":1}"#[..]),
    ] {
        let r = std::panic::catch_unwind(|| check("GET", Some("/health"), status, ct, body));
        assert!(r.is_err(), "{status} {ct} passed");
    }
    let wrong_code = std::panic::catch_unwind(|| {
        check(
            "GET",
            Some("/api/v1/orders/{id}"),
            404,
            "application/problem+json",
            br#"{"type":"t","title":"t","status":404,"detail":"d","code":"email_taken"}"#,
        )
    });
    assert!(wrong_code.is_err(), "an undocumented code passed");
}
