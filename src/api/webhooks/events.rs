//! The event catalogue as the spec documents it. These types are never built: the payloads
//! are written by `db::events` and its neighbours into the outbox; a test checks each
//! delivered body against these schemas, so the two cannot drift apart.
#![allow(dead_code)]
use chrono::{DateTime, Utc};
use utoipa::ToSchema;

/// Every webhook event type (dotted snake_case). `data` by type: `review.*` →
/// `ReviewEventData` (`review.flag_decided` → `FlagDecidedEventData`); `complaint.*` →
/// `ComplaintEventData`; `return.*` → `ReturnEventData`; `order.message_received` →
/// `OrderMessageEventData`; `order.delivery_failed` → `DeliveryFailedEventData`;
/// `shop.rating_critical` → `RatingCriticalEventData`; `ping` → `PingEventData`.
#[derive(ToSchema)]
pub enum WebhookEventType {
    #[schema(rename = "review.published")]
    ReviewPublished,
    #[schema(rename = "review.replied")]
    ReviewReplied,
    #[schema(rename = "review.removed")]
    ReviewRemoved,
    #[schema(rename = "review.flag_decided")]
    ReviewFlagDecided,
    #[schema(rename = "complaint.filed")]
    ComplaintFiled,
    #[schema(rename = "complaint.status_changed")]
    ComplaintStatusChanged,
    #[schema(rename = "complaint.message_added")]
    ComplaintMessageAdded,
    #[schema(rename = "complaint.updated")]
    ComplaintUpdated,
    #[schema(rename = "complaint.sla_breached")]
    ComplaintSlaBreached,
    #[schema(rename = "return.requested")]
    ReturnRequested,
    #[schema(rename = "return.status_changed")]
    ReturnStatusChanged,
    #[schema(rename = "return.refund_due")]
    ReturnRefundDue,
    #[schema(rename = "return.sla_breached")]
    ReturnSlaBreached,
    #[schema(rename = "order.message_received")]
    OrderMessageReceived,
    #[schema(rename = "order.delivery_failed")]
    OrderDeliveryFailed,
    #[schema(rename = "shop.rating_critical")]
    ShopRatingCritical,
    #[schema(rename = "ping")]
    Ping,
}

/// The body of every webhook request, signed as Standard Webhooks v1 (`webhook-id`,
/// `webhook-timestamp`, `webhook-signature`: `v1,<base64 HMAC-SHA256>` per live secret).
#[derive(ToSchema)]
pub struct WebhookEvent {
    #[schema(rename = "type")]
    pub type_: WebhookEventType,
    /// When the event happened.
    #[serde(serialize_with = "crate::api::instant::write")]
    pub timestamp: DateTime<Utc>,
    /// By type, see `WebhookEventType`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// `review.published`, `review.replied`, `review.removed`. No author identity.
#[derive(ToSchema)]
pub struct ReviewEventData {
    pub review_id: String,
    pub product_id: String,
    pub rating: i32,
    /// `published`, `removed`, …
    pub status: String,
    pub body: Option<String>,
    /// Step details (e.g. `reason` of a removal).
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
    pub category: String,
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
    pub reason: String,
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
