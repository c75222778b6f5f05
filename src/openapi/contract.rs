//! What every operation of a kind shares and utoipa cannot attach per route. The pass runs on
//! the JSON form of the collected document, after the paths are known:
//!
//! - the responses that come from shared machinery rather than the handler (a JSON body that
//!   does not parse, a path id that names nothing, a query that does not fit, rate limits, the
//!   database, the `Idempotency-Key` store) are added to each operation they apply to;
//! - every problem response lists the stable codes it can carry, as `x-problem-codes` and in
//!   its description. The list is the union of the codes the handler's description names and
//!   those of the shared machinery; the conformance test holds the server to it.
use crate::error::{ApiError, ErrorCode};
use crate::i18n::Lang;
use serde_json::{json, Map, Value};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];
const PROBLEM: &str = "application/problem+json";

/// The traits of an operation that decide which shared responses it can give.
struct Traits {
    json_body: bool,
    multipart: bool,
    path_params: bool,
    query_params: bool,
    secured: bool,
    idempotent_post: bool,
    api: bool,
}

impl Traits {
    fn of(path: &str, method: &str, op: &Value) -> Traits {
        let body = &op["requestBody"]["content"];
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let located = |place: &str| params.iter().any(|p| p["in"] == place);
        let secured = op["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        let api = path.starts_with("/api/v1/");
        Traits {
            json_body: body.get("application/json").is_some(),
            multipart: body.get("multipart/form-data").is_some(),
            path_params: located("path"),
            query_params: located("query"),
            secured,
            idempotent_post: api && method == "post" && !path.starts_with("/api/v1/auth/"),
            api,
        }
    }

    /// (status, codes, description when the handler documents none) from shared machinery.
    fn shared_responses(&self) -> Vec<(&'static str, Vec<ErrorCode>, &'static str)> {
        use ErrorCode::*;
        let mut out = Vec::new();
        let body = self.json_body || self.multipart;
        if body {
            out.push((
                "400",
                vec![MalformedRequest],
                "The body could not be parsed",
            ));
        }
        if self.secured {
            out.push((
                "401",
                vec![Unauthenticated, InvalidToken],
                "No token, or an invalid or expired one",
            ));
        }
        if self.path_params {
            out.push((
                "404",
                vec![NotFound],
                "No such resource, or not visible to the caller",
            ));
        }
        if self.idempotent_post {
            out.push((
                "409",
                vec![IdempotencyInProgress, IdempotencyResponseLost],
                "The first request with this `Idempotency-Key` is still running, or was carried out and its response lost in a crash",
            ));
        }
        if body {
            out.push((
                "408",
                vec![RequestTimeout],
                "The body did not arrive in full within the time allowed",
            ));
            out.push((
                "413",
                vec![PayloadTooLarge],
                "The body is larger than the limit",
            ));
            out.push((
                "415",
                vec![UnsupportedMediaType],
                "The body is not of the documented type",
            ));
        }
        if self.json_body || self.query_params || self.idempotent_post {
            out.push((
                "422",
                vec![ValidationFailed],
                "Invalid input; every field is listed under `errors`",
            ));
        }
        if self.idempotent_post {
            out.push((
                "422",
                vec![IdempotencyKeyReused],
                "The `Idempotency-Key` was used with another request",
            ));
        }
        if self.api {
            out.push((
                "429",
                vec![RateLimited],
                "Over the caller's rate limit; retry after `Retry-After` seconds",
            ));
            out.push((
                "503",
                vec![DatabaseUnavailable],
                "The database is unavailable; retry after `Retry-After` seconds",
            ));
        }
        out
    }
}

/// The generic code of a status, which any response of that status may carry.
fn generic(status: &str) -> &'static [ErrorCode] {
    use ErrorCode::*;
    match status {
        "400" => &[MalformedRequest],
        "401" => &[Unauthenticated, InvalidToken],
        "403" => &[Forbidden],
        "404" => &[NotFound],
        "408" => &[RequestTimeout],
        "413" => &[PayloadTooLarge],
        "415" => &[UnsupportedMediaType],
        "422" => &[ValidationFailed],
        "429" => &[RateLimited],
        "503" => &[DatabaseUnavailable],
        _ => &[],
    }
}

/// The codes a description names in backticks.
fn named_codes(description: &str) -> Vec<ErrorCode> {
    let mut found = Vec::new();
    for (i, part) in description.split('`').enumerate() {
        if i % 2 == 1 {
            if let Some(code) = ErrorCode::ALL.iter().find(|c| c.as_str() == part) {
                if !found.contains(code) {
                    found.push(*code);
                }
            }
        }
    }
    found
}

/// What the server sends for a code, in its default language (Russian).
fn problem_example(code: ErrorCode) -> Value {
    let error = match code {
        ErrorCode::ValidationFailed => ApiError::field("description", "length"),
        other => ApiError::from(other),
    };
    let problem = error.problem(
        Lang::Ru,
        Some("6f1d2c3e-8a7b-4c5d-9e0f-1a2b3c4d5e6f".into()),
    );
    serde_json::to_value(problem).expect("a problem serialises")
}

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { PROBLEM: { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

fn finish_operation(path: &str, method: &str, op: &mut Value) {
    let traits = Traits::of(path, method, op);
    let responses = op["responses"].as_object_mut().expect("responses");
    let mut shared: Map<String, Value> = Map::new();
    for (status, codes, description) in traits.shared_responses() {
        let entry = responses.entry(status).or_insert_with(|| {
            let named: Vec<String> = codes.iter().map(|c| format!("`{}`", c.as_str())).collect();
            problem_response(&format!("{}: {description}", named.join(", ")))
        });
        // A response the handler documents without a body (e.g. a bare 401) gets the problem.
        if entry["content"].get(PROBLEM).is_none() {
            entry["content"][PROBLEM] =
                json!({ "schema": { "$ref": "#/components/schemas/Problem" } });
        }
        let list = shared.entry(status).or_insert_with(|| json!([]));
        for c in codes {
            list.as_array_mut().unwrap().push(json!(c.as_str()));
        }
    }
    for (status, response) in responses.iter_mut() {
        if response["content"].get(PROBLEM).is_none() {
            continue;
        }
        let description = response["description"].as_str().unwrap_or("").to_string();
        let mut codes = named_codes(&description);
        // The status's own generic code can come from shared machinery on any operation that
        // documents the status (a role check's 403, a lookup's 404, a field's 422).
        for code in generic(status) {
            if !codes.contains(code) {
                codes.push(*code);
            }
        }
        for c in shared
            .get(status)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let code = ErrorCode::ALL
                .iter()
                .find(|k| k.as_str() == c.as_str().unwrap_or(""))
                .copied()
                .expect("shared code");
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        // The status a code answers with is fixed: a description naming a code of another
        // status is a documentation bug.
        let numeric: u16 = status.parse().unwrap_or(0);
        for c in &codes {
            assert_eq!(
                c.status().as_u16(),
                numeric,
                "{method} {path}: `{}` is documented under {status}",
                c.as_str()
            );
        }
        let unnamed: Vec<String> = codes
            .iter()
            .filter(|c| !description.contains(&format!("`{}`", c.as_str())))
            .map(|c| format!("`{}`", c.as_str()))
            .collect();
        if !unnamed.is_empty() {
            let joined = unnamed.join(", ");
            response["description"] = json!(if description.is_empty() {
                format!("Codes: {joined}.")
            } else {
                format!("{description}. Also: {joined}.")
            });
        }
        response["x-problem-codes"] = json!(codes.iter().map(|c| c.as_str()).collect::<Vec<_>>());
        if let Some(first) = codes.first() {
            response["content"][PROBLEM]["example"] = problem_example(*first);
        }
    }
    add_examples(path, op);
    if traits.idempotent_post {
        let params = op
            .as_object_mut()
            .unwrap()
            .entry("parameters")
            .or_insert_with(|| json!([]));
        params.as_array_mut().unwrap().push(json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "Repeat-safe retries, per caller: the same key with the same body replays the \
first successful response (header `Idempotent-Replayed: true`) for 24 h; with another body → 422 \
`idempotency_key_reused`; while the first is running → 409 `idempotency_request_in_progress`. \
Requests refused before they ran (401, 403, 404, 4xx of the body) keep no key.",
            "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$" }
        }));
    }
}

/// The request body's example (by operation id) and the main responses' (by schema), on the
/// media types, where Swagger UI's "Try it out" and schemathesis's examples phase take them.
fn add_examples(path: &str, op: &mut Value) {
    let id = op["operationId"].as_str().unwrap_or("").to_string();
    for param in op
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let name = param["name"].as_str().unwrap_or("").to_string();
        if param["in"] == "path" {
            if let Some(example) = super::examples::path_param(path, &id, &name) {
                param["example"] = json!(example);
            }
        }
    }
    // `get_mut`, not indexing: indexing a missing key would insert a null.
    let body = op
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
        .and_then(|c| c.get_mut("application/json"));
    if let Some(body) = body {
        if let Some(example) = super::examples::request(&id) {
            body["example"] = example;
        }
    }
    let Some(responses) = op["responses"].as_object_mut() else {
        return;
    };
    for response in responses.values_mut() {
        let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        for media in content.values_mut() {
            let schema = media["schema"]["$ref"].as_str().unwrap_or("");
            let name = schema.rsplit('/').next().unwrap_or("");
            if let Some(example) = super::examples::response(name) {
                media["example"] = example;
            }
        }
    }
}

pub fn finish(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut value = serde_json::to_value(&doc).expect("the document serialises");
    let paths = value["paths"].as_object_mut().expect("paths");
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(method) {
                // A public operation says so (`security: []`), rather than leaving a reader
                // (and linters) to guess whether a global requirement applies.
                op.as_object_mut()
                    .expect("an operation is an object")
                    .entry("security")
                    .or_insert_with(|| json!([]));
                finish_operation(path, method, op);
            }
        }
    }
    super::limits::apply(&mut value, &crate::policy::Policy::default());
    // Relative: the API is served from the host the document was fetched from (`/openapi.json`).
    value["servers"] = json!([{
        "url": "/",
        "description": "The host that serves this document (`aftersale serve`, default port 8080)"
    }]);
    let schemas = value["components"]["schemas"]
        .as_object_mut()
        .expect("schemas");
    super::webhooks::add_envelopes(schemas);
    let mut doc: utoipa::openapi::OpenApi =
        serde_json::from_value(value).expect("the finished document is an OpenAPI document");
    // utoipa 5 has no field for the 3.1 `webhooks`; its extensions are flattened into the
    // document's top level when it is written, which is where `webhooks` belongs.
    doc.extensions
        .get_or_insert_with(Default::default)
        .insert("webhooks".into(), super::webhooks::webhooks());
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_from_backticks_only_when_they_are_codes() {
        let codes = named_codes("`validation_failed` (e.g. `items[0].quantity: exceeds_available`), `return_window_closed`, not_found");
        assert_eq!(
            codes,
            vec![ErrorCode::ValidationFailed, ErrorCode::ReturnWindowClosed]
        );
    }

    #[test]
    fn a_json_post_gets_the_shared_responses() {
        let mut op = json!({
            "requestBody": {"content": {"application/json": {}}},
            "parameters": [{"name": "id", "in": "path"}],
            "security": [{"bearer": []}],
            "responses": {"200": {"description": "ok"},
                          "422": {"description": "`return_window_closed`", "content": {PROBLEM: {}}}}
        });
        finish_operation("/api/v1/returns/{id}/x", "post", &mut op);
        let r = &op["responses"];
        for status in [
            "400", "401", "404", "409", "413", "415", "422", "429", "503",
        ] {
            assert!(r[status]["x-problem-codes"].is_array(), "{status}: {r}");
        }
        assert_eq!(
            r["422"]["x-problem-codes"],
            json!([
                "return_window_closed",
                "validation_failed",
                "idempotency_key_reused"
            ])
        );
        assert!(op["parameters"][1]["name"] == "Idempotency-Key");
    }
}
