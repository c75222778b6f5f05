use crate::api::{rfc3339, Money};
use crate::db::orders::OrderRecord;
use crate::db::orders::{ItemWrite, OrderWrite};
use crate::domain::orders::{DeliveryType, OrderStatus};
use crate::domain::orders::{ItemDraft, OrderDraft};
use crate::domain::privacy::{mask_name, mask_phone, BuyerRefs};
use crate::domain::roles::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct OrderUpsertRequest {
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub buyer_id: String,
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub shop_id: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub placed_at: DateTime<Utc>,
    #[validate(length(min = 1, max = 200), nested)]
    #[schema(min_items = 1, max_items = 200)]
    pub items: Vec<OrderItemInput>,
    #[validate(nested)]
    pub delivery: DeliveryInput,
}

impl OrderUpsertRequest {
    /// What the rules check of an upsert (`domain::orders::check_draft`).
    pub fn draft(&self) -> OrderDraft {
        OrderDraft {
            placed_at: self.placed_at,
            items: self
                .items
                .iter()
                .map(|i| ItemDraft {
                    product_id: i.product_id.clone(),
                    quantity: i.quantity,
                    unit_price: i.unit_price,
                })
                .collect(),
            delivery_type: self.delivery.kind,
            promised_at: self.delivery.promised_at,
            delivered_at: self.delivery.delivered_at,
            failed_attempts: self.delivery.failed_attempts,
            status: self.delivery.status,
        }
    }

    /// The checked upsert as storage writes it; instants to the stored precision.
    pub fn write<'a>(&'a self, external_id: &'a str, total: i64) -> OrderWrite<'a> {
        OrderWrite {
            id: None,
            external_id,
            buyer_id: &self.buyer_id,
            shop_id: &self.shop_id,
            placed_at: crate::clock::truncate(self.placed_at),
            items: self
                .items
                .iter()
                .map(|i| ItemWrite {
                    id: None,
                    product_id: &i.product_id,
                    title: &i.title,
                    category: i.category.as_deref(),
                    quantity: i.quantity,
                    unit_price: i.unit_price,
                })
                .collect(),
            delivery_type: self.delivery.kind,
            courier_id: self.delivery.courier_id.as_deref(),
            courier_name: self.delivery.courier_name.as_deref(),
            promised_at: self.delivery.promised_at.map(crate::clock::truncate),
            delivered_at: self.delivery.delivered_at.map(crate::clock::truncate),
            failed_attempts: self.delivery.failed_attempts,
            status: self.delivery.status,
            total_amount: total,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
pub struct OrderItemInput {
    #[validate(length(min = 1, max = 100), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 100)]
    pub product_id: String,
    #[validate(length(min = 1, max = 300), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// Catalogue category (e.g. `mobile_phones`, `underwear`): decides return eligibility.
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub category: Option<String>,
    #[validate(range(min = 1, max = 10000))]
    #[schema(minimum = 1, maximum = 10000)]
    pub quantity: i32,
    /// Price of one unit in whole tenge.
    #[validate(range(min = 0, max = 1_000_000_000_000i64))]
    #[schema(minimum = 0, maximum = 1000000000000.0)]
    pub unit_price: i64,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct DeliveryInput {
    #[serde(rename = "type")]
    pub kind: DeliveryType,
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub courier_id: Option<String>,
    #[validate(length(min = 1, max = 200), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 200)]
    pub courier_name: Option<String>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub promised_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[validate(range(min = 0, max = 20))]
    #[schema(minimum = 0, maximum = 20)]
    pub failed_attempts: i32,
    pub status: OrderStatus,
}

/// The buyer as the caller may see them: sellers get first name + initial, a masked phone,
/// and `ref` instead of `id`; the buyer, moderators and the integration get `id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BuyerView {
    /// The buyer's id: never shown to sellers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Only to sellers: an opaque reference (`byr_…`) in place of the buyer's id, the same
    /// across the shop's orders, returns, complaints, messages and webhooks (`buyer_ref`),
    /// different in every other shop, and not reversible to the id.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    #[serde(rename = "type")]
    pub kind: DeliveryType,
    pub courier_id: Option<String>,
    pub courier_name: Option<String>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub promised_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub delivered_at: Option<DateTime<Utc>>,
    pub failed_attempts: i32,
    pub status: OrderStatus,
}

/// Whether an action is open to the caller now, until when, or why not (a stable code).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(as = ActionEligibility)]
pub struct Eligibility {
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
}

impl Eligibility {
    /// From a rule's answer: open until an instant, or refused with a stable code.
    pub fn of(rule: Result<DateTime<Utc>, &'static str>) -> Self {
        match rule {
            Ok(until) => Eligibility {
                allowed: true,
                until: Some(until),
                reason_code: None,
            },
            Err(code) => Eligibility {
                allowed: false,
                until: None,
                reason_code: Some(code.into()),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemEligibility {
    pub review: Eligibility,
    /// Filing a complaint about the order (courier or seller). `until` is the end of the
    /// general 90-day window; `damaged_in_delivery` closes earlier (10 days city, 45 intercity).
    pub complaint: Eligibility,
    /// Requesting a return of this item: `until` is the latest window still open, `reasons`
    /// each open reason with its own window and evidence; refused with `order_not_delivered`,
    /// `return_window_closed` or `nothing_left_to_return`.
    #[serde(rename = "return")]
    pub return_: ReturnEligibility,
}

#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct ReturnEligibility {
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Units not held by another return.
    pub quantity_available: i32,
    pub reasons: Vec<ReturnReasonWindow>,
}

#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct ReturnReasonWindow {
    pub reason: crate::domain::returns::Reason,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub until: DateTime<Utc>,
    pub evidence: crate::domain::returns::Evidence,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderItemView {
    pub id: String,
    pub product_id: String,
    pub title: String,
    pub category: Option<String>,
    pub quantity: i32,
    pub unit_price: Money,
    pub line_total: Money,
    /// On `GET /orders/{id}`: what the caller may do with this item now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<ItemEligibility>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub id: String,
    pub external_id: String,
    pub buyer: BuyerView,
    pub shop_id: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub placed_at: DateTime<Utc>,
    pub status: OrderStatus,
    pub delivery: DeliveryView,
    pub items: Vec<OrderItemView>,
    pub total: Money,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub updated_at: DateTime<Utc>,
    /// On `GET /orders/{id}` after two failed delivery attempts: the buyer's refund or
    /// redelivery choice and the refund deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_failure: Option<crate::api::orders::delivery_failure::DeliveryFailureView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPage {
    pub items: Vec<OrderView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}

impl OrderView {
    pub fn for_viewer(r: OrderRecord, viewer: Role, refs: &BuyerRefs) -> Self {
        let o = r.order;
        let buyer = match viewer {
            Role::Seller => BuyerView {
                id: None,
                reference: Some(refs.of(&o.shop_id, &o.buyer_id)),
                name: mask_name(&r.buyer_name),
                phone: r.buyer_phone.as_deref().map(mask_phone),
            },
            _ => BuyerView {
                id: Some(o.buyer_id.clone()),
                reference: None,
                name: r.buyer_name,
                phone: r.buyer_phone,
            },
        };
        // Stored values come from the CHECK-constrained enums; defaults only guard corruption.
        let status = o.status;
        OrderView {
            id: o.id,
            external_id: o.external_id,
            buyer,
            shop_id: o.shop_id,
            placed_at: rfc3339(o.placed_at),
            status,
            delivery: DeliveryView {
                kind: o.delivery_type,
                courier_id: o.courier_id,
                courier_name: o.courier_name,
                promised_at: o.promised_at.map(rfc3339),
                delivered_at: o.delivered_at.map(rfc3339),
                failed_attempts: o.failed_attempts,
                status,
            },
            items: r
                .items
                .into_iter()
                .map(|i| OrderItemView {
                    line_total: Money::kzt(i64::from(i.quantity).saturating_mul(i.unit_price)),
                    id: i.id,
                    product_id: i.product_id,
                    title: i.title,
                    category: i.category,
                    quantity: i.quantity,
                    unit_price: Money::kzt(i.unit_price),
                    eligibility: None,
                })
                .collect(),
            total: Money::kzt(o.total_amount),
            updated_at: rfc3339(o.updated_at),
            delivery_failure: None,
        }
    }
}
