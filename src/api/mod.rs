//! HTTP: one folder per area (handlers + DTOs); handlers stay thin.
pub mod attachments;
pub mod auth;
pub mod body;
pub mod catalogues;
pub mod client_address;
pub mod complaints;
pub mod idempotency;
pub mod instant;
pub mod json;
pub mod moderation;
pub mod notifications;
pub mod ops;
pub mod orders;
pub mod rate_limit;
pub mod refund;
pub mod refusals;
pub mod returns;
pub mod reviews;
pub mod routes;
pub mod security_headers;
pub mod stats;
pub mod text;
pub mod webhooks;

use crate::domain::pagination::{self, PageError, TimeCursor};
use crate::error::{ApiError, FieldError};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

pub use json::ApiJson;

/// The path as the router matches it: percent-encoded characters decoded (all but `%`, `/`
/// and `+`), so `/api/v1/%61uth/login` is `/api/v1/auth/login`. Every rule that looks at a
/// path (limits, the idempotency exclusions, the 405 table) reads this one, never the raw
/// `req.path()`: a rule on the raw path is bypassed by spelling the same route another way.
pub fn routed_path(req: &actix_web::HttpRequest) -> &str {
    req.match_info().as_str()
}

/// Every `/api/v1` route. The server and the tests use this same function.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(auth::handlers::configure)
            .configure(orders::handlers::configure)
            .configure(orders::messages::configure)
            .configure(orders::delivery_failure::configure)
            .configure(attachments::handlers::configure)
            .configure(notifications::handlers::configure)
            .configure(reviews::handlers::configure)
            .configure(moderation::configure)
            .configure(complaints::handlers::configure)
            .configure(returns::handlers::configure)
            .configure(webhooks::handlers::configure)
            .configure(stats::handlers::configure)
            .configure(catalogues::handlers::configure),
    );
}

// Money is a domain value; re-exported so the DTOs keep naming it `api::Money`.
pub use crate::domain::money::Money;

/// Shape checks (validator) plus any rule checks, reported together.
pub fn validate_with(input: &impl Validate, mut extra: Vec<FieldError>) -> Result<(), ApiError> {
    let mut errors = match input.validate() {
        Ok(()) => Vec::new(),
        Err(e) => match ApiError::from(e) {
            ApiError::Validation(list) => list,
            other => return Err(other),
        },
    };
    errors.append(&mut extra);
    if errors.is_empty() {
        Ok(())
    } else {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        Err(ApiError::Validation(errors))
    }
}

/// A list of attachment ids names each file once.
pub fn distinct_ids(ids: &[String]) -> Vec<FieldError> {
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    if distinct.len() == ids.len() {
        Vec::new()
    } else {
        vec![FieldError::new("attachment_ids", "duplicate")]
    }
}

/// `?limit=` (policy default and maximum) and an id keyset `?cursor=` of a list that pages by
/// time-ordered ids (UUIDv7): the id of the last item of the previous page.
pub fn id_page(
    policy: &crate::policy::Policy,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Result<(u32, Option<String>), ApiError> {
    let limit =
        pagination::limit(limit, policy.page_default, policy.page_max).map_err(page_error)?;
    let cursor = cursor
        .map(pagination::decode_id_cursor)
        .transpose()
        .map_err(page_error)?;
    Ok((limit, cursor))
}

/// `?limit=` (policy default and maximum) and a (time, id) keyset `?cursor=` of a list.
pub fn time_page(
    policy: &crate::policy::Policy,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Result<(u32, Option<TimeCursor>), ApiError> {
    let limit =
        pagination::limit(limit, policy.page_default, policy.page_max).map_err(page_error)?;
    let cursor = cursor
        .map(TimeCursor::decode)
        .transpose()
        .map_err(page_error)?;
    Ok((limit, cursor))
}

pub fn page_error(e: PageError) -> ApiError {
    match e {
        PageError::Limit => ApiError::field("limit", "range"),
        PageError::Cursor => ApiError::field("cursor", "invalid"),
    }
}

pub fn rfc3339(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    crate::db::from_db(t)
}
