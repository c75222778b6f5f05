//! The OpenAPI document: paths come from the registered services (utoipa-actix-web);
//! this adds the header, the bearer scheme, tags and shared schemas.
use crate::error::{FieldError, Problem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "aftersale",
        description = "After-sale backend of a marketplace: complaints, reviews with moderation, returns. \
Errors are application/problem+json (RFC 9457) with a stable `code`; titles follow Accept-Language (kk, ru, en).",
        version = "1.0.0"
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "orders", description = "Orders mirrored from the order system"),
        (name = "integration", description = "Upstream systems (role `service`)"),
        (name = "attachments", description = "Evidence files"),
        (name = "notifications", description = "In-app feed"),
        (name = "reviews", description = "Verified-purchase reviews, replies, flags, appeals"),
        (name = "moderation", description = "Moderators' queue, decisions and log"),
        (name = "complaints", description = "Complaints about couriers and sellers: lifecycle, SLA deadlines, timeline, dossier"),
        (name = "returns", description = "Returns: windows per reason, seller decision, dispute, pickup and refund deadlines, timeline"),
        (name = "operations", description = "Health, readiness, metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Adds what every operation of a kind shares and utoipa cannot attach per route: 429 and 503
/// on every API operation, and the optional `Idempotency-Key` header on each POST (but /auth).
/// Applied after the paths are collected.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, Required, ResponseBuilder, Type};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        // Every API operation can be rate limited and needs the database.
        if path.starts_with("/api/v1/") {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                op.responses.responses.entry("429".into()).or_insert_with(|| {
                    problem("`rate_limited`: over the caller's limit; retry after `Retry-After` seconds").into()
                });
                op.responses
                    .responses
                    .entry("503".into())
                    .or_insert_with(|| {
                        problem("`database_unavailable`: retry after `Retry-After` seconds").into()
                    });
            }
        }
        if let Some(op) = item
            .post
            .as_mut()
            .filter(|op| !op.tags.iter().flatten().any(|t| t == "auth"))
        {
            let param = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Repeat-safe retries: the same key with the same body replays the first \
response (header `Idempotent-Replayed: true`) for 24 h; with another body → 422 \
`idempotency_key_reused`; while the first is running → 409 `idempotency_request_in_progress`.",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .max_length(Some(255)),
                ))
                .build();
            op.parameters.get_or_insert_with(Vec::new).push(param);
        }
    }
    doc
}
