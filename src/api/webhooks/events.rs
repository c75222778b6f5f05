//! The event catalogue as the spec documents it. These types are never built: the payloads
//! are written by `db::events` and its neighbours into the outbox; a test checks each
//! delivered body against these schemas, so the two cannot drift apart.
#![allow(dead_code)]
use crate::domain::complaints::Category;
use crate::domain::returns::Reason;
use crate::domain::webhooks::EventType;
use chrono::{DateTime, Utc};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A type of webhook event (`WebhookEventType`), or what an endpoint subscribes to
/// (`WebhookEventFilter`: a type or `*`). Both enums are read from the one catalogue
/// (`domain::webhooks::EventType`); the envelopes `WebhookEvent` refers to are added by
/// `openapi::webhooks` when the document is finished.
pub struct WebhookEventType;
pub struct WebhookEventFilter;
/// The body of every webhook request: its schema is `openapi::webhooks::event_schema`.
pub struct WebhookEvent;

impl PartialSchema for WebhookEvent {
    fn schema() -> RefOr<Schema> {
        serde_json::from_value(crate::openapi::webhooks::event_schema())
            .expect("the event union is a schema")
    }
}
impl ToSchema for WebhookEvent {}

fn string_enum(description: &str, values: Vec<&str>) -> RefOr<Schema> {
    serde_json::from_value(serde_json::json!({
        "type": "string", "description": description, "enum": values
    }))
    .expect("a string enum is a schema")
}

fn type_names() -> Vec<&'static str> {
    EventType::ALL.iter().map(|t| t.as_str()).collect()
}

impl PartialSchema for WebhookEventType {
    fn schema() -> RefOr<Schema> {
        string_enum("Every webhook event type, dotted snake_case.", type_names())
    }
}
impl ToSchema for WebhookEventType {}

impl PartialSchema for WebhookEventFilter {
    fn schema() -> RefOr<Schema> {
        let mut names = type_names();
        names.push("*");
        string_enum(
            "An event type an endpoint receives, or `*` (alone) for every type.",
            names,
        )
    }
}
impl ToSchema for WebhookEventFilter {}

/// `review.published`, `review.replied`, `review.removed`. No author identity.
#[derive(ToSchema)]
pub struct ReviewEventData {
    pub review_id: String,
    pub product_id: String,
    pub rating: i32,
    /// `published`, `removed`, …
    pub status: String,
    pub body: Option<String>,
    /// Step details, only these (an allow-list): `reason` of a removal or rejection, `version`
    /// of an edit, `status` of a new review, `appeal_id` of a reinstatement.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// `review.flag_decided`.
#[derive(ToSchema)]
pub struct FlagDecidedEventData {
    pub flag_id: String,
    pub review_id: String,
    pub reason: String,
    /// `upheld` or `dismissed`.
    pub outcome: String,
}

/// `complaint.*`: complaints about the shop (not about couriers). No buyer, no moderator.
#[derive(ToSchema)]
pub struct ComplaintEventData {
    pub complaint_id: String,
    pub number: String,
    pub order_id: String,
    /// The buyer as the shop's sellers know them: the `ref` of the REST views (`byr_…`),
    /// never the buyer's id.
    pub buyer_ref: String,
    pub category: Category,
    pub status: String,
    pub track: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub resolve_by: DateTime<Utc>,
    /// The step; `details` holds what its kind shows the seller.
    #[schema(value_type = crate::domain::complaints::StepKind)]
    pub event: String,
    #[schema(value_type = crate::domain::steps::ActorRole)]
    pub actor_role: String,
    /// What the step's timeline entry shows the seller.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// `return.*`.
#[derive(ToSchema)]
pub struct ReturnEventData {
    pub return_id: String,
    pub number: String,
    pub order_id: String,
    /// The buyer as the shop's sellers know them: the `ref` of the REST views (`byr_…`),
    /// never the buyer's id.
    pub buyer_ref: String,
    pub reason: Reason,
    pub status: String,
    /// Set once the courier picked the item up (`return.refund_due`).
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub refund_due_by: Option<DateTime<Utc>>,
    #[schema(value_type = crate::domain::returns::StepKind)]
    pub event: String,
    #[schema(value_type = crate::domain::steps::ActorRole)]
    pub actor_role: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// `order.message_received`: the buyer wrote.
#[derive(ToSchema)]
pub struct OrderMessageEventData {
    pub order_id: String,
    /// The buyer as the shop's sellers know them: the `ref` of the REST views (`byr_…`),
    /// never the buyer's id.
    pub buyer_ref: String,
    pub external_id: String,
    pub message_id: String,
    pub body: String,
    /// The seller's reply is due by then (the 48-hour limit).
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub reply_due_by: Option<DateTime<Utc>>,
}

/// `order.delivery_failed`.
#[derive(ToSchema)]
pub struct DeliveryFailedEventData {
    pub order_id: String,
    /// The buyer as the shop's sellers know them: the `ref` of the REST views (`byr_…`),
    /// never the buyer's id.
    pub buyer_ref: String,
    pub external_id: String,
    pub status: String,
    /// `returned_to_seller` or `failed_attempts` (the failure opened: the parcel came back, or
    /// the sync reported the second failed attempt first), `delivery_failure_refund`,
    /// `delivery_failure_redelivery`.
    pub event: String,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub refund_due_by: Option<DateTime<Utc>>,
}

/// `shop.rating_critical`.
#[derive(ToSchema)]
pub struct RatingCriticalEventData {
    pub shop_id: String,
    pub average_90d: Option<f64>,
    pub threshold: f64,
}

/// `ping`.
#[derive(ToSchema)]
pub struct PingEventData {
    pub endpoint_id: String,
    pub shop_id: String,
}
