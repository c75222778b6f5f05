use crate::api::webhooks::events::{WebhookEvent, WebhookEventFilter, WebhookEventType};
use crate::db::webhooks::deliveries::{AttemptRow, DeliveryView as DeliveryRecord};
use crate::db::webhooks::EndpointRow;
use crate::domain::webhooks::{target, EventType};
use crate::error::FieldError;
use crate::policy::WebhookPolicy;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// `https://` only; must not resolve to a loopback, private, link-local or metadata
    /// address. At most the policy's `url_max_chars` (`maxLength`).
    #[validate(length(min = 1))]
    #[schema(min_length = 1, example = "https://hooks.example.kz/aftersale")]
    pub url: String,
    /// Event types to receive, or `["*"]` for all; at most the policy's `events_per_endpoint`
    /// (`maxItems`).
    #[validate(length(min = 1))]
    #[schema(value_type = Vec<WebhookEventFilter>, min_items = 1, example = json!(["review.published", "complaint.filed"]))]
    pub events: Vec<String>,
    /// At most the policy's `description_max_chars` (`maxLength`).
    pub description: Option<String>,
}

impl CreateWebhookRequest {
    /// The limits the policy sets (`WebhookPolicy`), beyond what the derive checks.
    pub fn beyond_policy(&self, p: &WebhookPolicy) -> Vec<FieldError> {
        beyond_policy(
            Some(&self.url),
            Some(&self.events),
            self.description.as_deref(),
            p,
        )
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[validate(length(min = 1))]
    #[schema(min_length = 1)]
    pub url: Option<String>,
    #[validate(length(min = 1))]
    #[schema(value_type = Option<Vec<WebhookEventFilter>>, min_items = 1)]
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    /// `true` turns a disabled endpoint back on (its failure count starts afresh).
    pub enabled: Option<bool>,
}

impl UpdateWebhookRequest {
    /// The limits the policy sets (`WebhookPolicy`), beyond what the derive checks.
    pub fn beyond_policy(&self, p: &WebhookPolicy) -> Vec<FieldError> {
        beyond_policy(
            self.url.as_deref(),
            self.events.as_deref(),
            self.description.as_deref(),
            p,
        )
    }
}

/// An endpoint's URL, events and description against the policy: the numbers live in
/// `policy.rs` alone, and the spec's `maxLength`/`maxItems` are written from the same values
/// (`openapi::limits`).
fn beyond_policy(
    url: Option<&str>,
    events: Option<&[String]>,
    description: Option<&str>,
    p: &WebhookPolicy,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if url.is_some_and(|u| u.chars().count() > p.url_max_chars) {
        errors.push(FieldError::new("url", "length"));
    }
    if events.is_some_and(|e| e.len() > p.events_per_endpoint) {
        errors.push(FieldError::new("events", "length"));
    }
    if description.is_some_and(|d| d.chars().count() > p.description_max_chars) {
        errors.push(FieldError::new("description", "length"));
    }
    errors
}

/// The field errors of a subscription list: unknown types, `*` mixed with types.
pub fn event_errors(events: &[String]) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.as_str() != "*" && EventType::parse(e).is_none())
        .map(|(i, _)| FieldError::new(format!("events[{i}]"), "unknown_event"))
        .collect();
    if events.len() > 1 && events.iter().any(|e| e == "*") {
        errors.push(FieldError::new("events", "invalid"));
    }
    errors
}

/// The field error of a URL the target rules refuse.
pub fn url_error(url: &str, allow_private: bool) -> Option<FieldError> {
    target::check_url(url, allow_private)
        .err()
        .map(|r| FieldError::new("url", r.code()))
}

#[derive(Debug, Serialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum WebhookDisabledReason {
    /// The seller turned it off.
    Seller,
    /// The receiver answered 410 Gone.
    Gone,
    /// Every attempt failed for 5 days.
    Failing,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub shop_id: String,
    pub url: String,
    pub description: Option<String>,
    #[schema(value_type = Vec<WebhookEventFilter>)]
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why it is disabled; absent while enabled.
    pub disabled_reason: Option<WebhookDisabledReason>,
    /// While a rotated secret still signs beside the new one: until when.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub updated_at: DateTime<Utc>,
}

impl WebhookView {
    pub fn of(row: &EndpointRow, now: DateTime<Utc>) -> Self {
        WebhookView {
            id: row.id.clone(),
            shop_id: row.shop_id.clone(),
            url: row.url.clone(),
            description: row.description.clone(),
            events: row.events(),
            enabled: row.enabled,
            disabled_reason: match row.disabled_reason.as_deref() {
                Some("seller") => Some(WebhookDisabledReason::Seller),
                Some("gone") => Some(WebhookDisabledReason::Gone),
                Some("failing") => Some(WebhookDisabledReason::Failing),
                _ => None,
            },
            previous_secret_expires_at: row.previous_secret_expires_at(now),
            created_at: crate::api::rfc3339(row.created_at),
            updated_at: crate::api::rfc3339(row.updated_at),
        }
    }
}

/// A new endpoint with its secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// `whsec_` + base64 key: sign-verification key, never shown again.
    #[schema(example = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSecret {
    /// The new secret, shown this once.
    pub secret: String,
    /// The old secret keeps signing (a second signature) until then.
    #[serde(serialize_with = "crate::api::instant::write")]
    pub previous_secret_expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookView>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl WebhookDeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookDeliveryStatus::Pending => "pending",
            WebhookDeliveryStatus::Delivered => "delivered",
            WebhookDeliveryStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> WebhookDeliveryStatus {
        match s {
            "delivered" => WebhookDeliveryStatus::Delivered,
            "failed" => WebhookDeliveryStatus::Failed,
            _ => WebhookDeliveryStatus::Pending,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookDeliveryQuery {
    pub status: Option<WebhookDeliveryStatus>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(max_length = 512)]
    pub cursor: Option<String>,
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAttempt {
    #[serde(serialize_with = "crate::api::instant::write")]
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status; absent when nothing came back (timeout, refused connection,
    /// refused target).
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
    /// At most 1 KiB of the receiver's answer.
    pub response_snippet: Option<String>,
}

impl WebhookAttempt {
    fn of(a: AttemptRow) -> Self {
        WebhookAttempt {
            attempted_at: crate::api::rfc3339(a.attempted_at),
            status_code: a.status_code,
            duration_ms: a.duration_ms,
            error: a.error,
            response_snippet: a.response_snippet,
        }
    }
}

/// One message to one endpoint, with every attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: String,
    /// The `webhook-id` header: the same on every retry and redelivery.
    pub message_id: String,
    #[schema(value_type = WebhookEventType, example = "complaint.filed")]
    pub event_type: String,
    pub status: WebhookDeliveryStatus,
    pub attempt_count: i32,
    /// When the next attempt is due (pending only).
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    /// The body sent, exactly: the JSON of every attempt of this message (what the signature
    /// covers is this, compact, as sent).
    #[schema(value_type = WebhookEvent)]
    pub payload: serde_json::Value,
    /// Oldest first.
    pub attempts: Vec<WebhookAttempt>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub updated_at: DateTime<Utc>,
}

impl WebhookDelivery {
    pub fn of(d: DeliveryRecord) -> Self {
        WebhookDelivery {
            id: d.delivery.id,
            message_id: d.delivery.message_id,
            event_type: d.event_type,
            status: WebhookDeliveryStatus::parse(&d.delivery.status),
            attempt_count: d.delivery.attempts,
            next_attempt_at: d.delivery.next_attempt_at.map(crate::api::rfc3339),
            last_status_code: d.delivery.last_status_code,
            last_error: d.delivery.last_error,
            // The stored body is what the dispatcher sends; it was written as JSON.
            payload: serde_json::from_str(&d.body).unwrap_or(serde_json::Value::Null),
            attempts: d.attempts.into_iter().map(WebhookAttempt::of).collect(),
            created_at: crate::api::rfc3339(d.delivery.created_at),
            updated_at: crate::api::rfc3339(d.delivery.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryPage {
    /// Newest first.
    pub items: Vec<WebhookDelivery>,
    pub next_cursor: Option<String>,
}
