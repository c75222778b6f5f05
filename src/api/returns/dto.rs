//! Request and response types of `/returns`. Views apply the privacy rules of complaints: sellers
//! see the buyer as first name + initial; buyers and sellers see moderators by name only.
use crate::api::complaints::dto::{person, EvidenceView, PersonView, Reader};
use crate::api::{rfc3339, Money};
use crate::db::returns::{BreachRow, EventRecord, ItemLine, ReturnRow, StoredRejection};
use crate::domain::returns::{Action, Reason, RejectionReason, Sla, Status};
use crate::domain::roles::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestReturnRequest {
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub order_id: String,
    /// Which delivered items and how many of each: at most what was bought minus what other
    /// returns hold.
    #[validate(length(min = 1, max = 200), nested)]
    #[schema(min_items = 1, max_items = 200)]
    pub items: Vec<ReturnLineInput>,
    /// Window from delivery and evidence: `damaged_in_delivery` 10 days (city) / 45
    /// (intercity), ≥ 1 photo; `defective` 30 days, ≥ 1 photo or PDF; `not_as_described`,
    /// `wrong_item`, `incomplete` 14 days, ≥ 1 photo; `changed_mind` 14 days, none (refused
    /// for medicines, underwear, hosiery, animals and plants, goods sold by length, phones).
    pub reason: Reason,
    #[validate(length(min = 1, max = 5000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 5000)]
    pub description: Option<String>,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub attachment_ids: Option<Vec<String>>,
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineInput {
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub order_item_id: String,
    #[validate(range(min = 1, max = 10000))]
    #[schema(minimum = 1, maximum = 10000)]
    pub quantity: i32,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectReturnRequest {
    pub reason_code: RejectionReason,
    /// Shown to the buyer.
    #[validate(length(min = 1, max = 5000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 5000)]
    pub explanation: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeReturnRequest {
    /// Why the rejection is wrong; becomes the linked complaint's description (at least the
    /// policy's `description_min_chars` characters, `minLength`).
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub explanation: String,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub attachment_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchedulePickupRequest {
    /// When the courier comes; not in the past. May be moved until the pickup scan.
    #[serde(serialize_with = "crate::api::instant::write")]
    pub pickup_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ReturnRefundRequest)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Whole tenge; at most what was paid for the returned items.
    #[validate(range(min = 1, max = 1_000_000_000_000i64))]
    #[schema(minimum = 1, maximum = 1000000000000.0)]
    pub amount: i64,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickedUpRequest {
    /// The courier's scan; not in the future. The refund is due 1 hour after it.
    #[serde(serialize_with = "crate::api::instant::write")]
    pub at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReturnListQuery {
    pub status: Option<Status>,
    pub reason: Option<Reason>,
    pub order_id: Option<String>,
    /// `true`: only returns whose running deadline (seller decision, refund) has passed.
    pub overdue: Option<bool>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnLineView {
    pub order_item_id: String,
    pub product_id: String,
    pub title: String,
    pub quantity: i32,
    pub unit_price: Money,
    pub line_total: Money,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReturnRejectionView)]
pub struct RejectionView {
    pub reason_code: RejectionReason,
    pub explanation: String,
    /// The buyer may dispute once until this instant.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub dispute_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReturnDecisionView)]
pub struct DecisionView {
    #[serde(serialize_with = "crate::api::instant::write")]
    pub decided_at: DateTime<Utc>,
    pub decided_by: PersonView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReturnEventView {
    pub id: String,
    /// The step; `data` holds its kind's fields.
    #[schema(value_type = crate::domain::returns::StepKind)]
    pub kind: String,
    pub actor: PersonView,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnBreachView {
    pub sla: Sla,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub due_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnView {
    pub id: String,
    /// `R-YYYY-NNNNNN`.
    pub number: String,
    pub order_id: String,
    pub shop_id: String,
    pub buyer: PersonView,
    pub reason: Reason,
    pub description: Option<String>,
    pub items: Vec<ReturnLineView>,
    /// What was paid for the returned items: the refund's ceiling.
    pub refundable: Money,
    pub status: Status,
    /// The reason's window: the last instant the request could be made.
    #[serde(serialize_with = "crate::api::instant::write")]
    pub window_until: DateTime<Utc>,
    /// 2 business days (Asia/Almaty) after the request; then the moderators decide.
    #[serde(serialize_with = "crate::api::instant::write")]
    pub seller_decide_by: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub escalated_at: Option<DateTime<Utc>>,
    pub decision: Option<DecisionView>,
    pub rejection: Option<RejectionView>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub disputed_at: Option<DateTime<Utc>>,
    /// The complaint the dispute opened (`return_refused`).
    pub complaint_id: Option<String>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub pickup_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub picked_up_at: Option<DateTime<Utc>>,
    /// 1 hour after the pickup scan.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub refund_due_by: Option<DateTime<Utc>>,
    pub refund: Option<crate::api::refund::Refund>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The deadline now running (seller decision or refund).
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub requested_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub updated_at: DateTime<Utc>,
    /// What the caller may do now (the same list a 409 gives).
    pub allowed_actions: Vec<Action>,
    /// On single-return responses: every event, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<ReturnEventView>>,
    /// On single-return responses: the files cited (request, dispute).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<EvidenceView>>,
    /// On single-return responses: deadlines missed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaches: Option<Vec<ReturnBreachView>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnPage {
    pub items: Vec<ReturnView>,
    pub next_cursor: Option<String>,
}

impl ReturnView {
    pub fn render(
        row: &ReturnRow,
        lines: &[ItemLine],
        reader: Reader,
        names: &std::collections::HashMap<String, (String, String)>,
        allowed_actions: Vec<Action>,
        now: DateTime<Utc>,
    ) -> Self {
        let state = row.state();
        let name = |id: &str| names.get(id).map(|(_, n)| n.as_str());
        // Whoever decided: the shop's seller, or a moderator (escalation, overturn).
        let role_of = |id: &str| {
            names
                .get(id)
                .map(|(r, _)| r.as_str())
                .unwrap_or(Role::Seller.as_str())
        };
        let due = state.due_at();
        ReturnView {
            id: row.id.clone(),
            number: row.number.clone(),
            order_id: row.order_id.clone(),
            shop_id: row.shop_id.clone(),
            buyer: person(reader, "buyer", Some(&row.buyer_id), name(&row.buyer_id)),
            reason: row.reason,
            description: row.description.clone(),
            items: lines
                .iter()
                .map(|l| ReturnLineView {
                    order_item_id: l.order_item_id.clone(),
                    product_id: l.product_id.clone(),
                    title: l.title.clone(),
                    quantity: l.quantity,
                    unit_price: Money::kzt(l.unit_price),
                    line_total: Money::kzt(i64::from(l.quantity).saturating_mul(l.unit_price)),
                })
                .collect(),
            refundable: Money::kzt(row.refundable_amount),
            status: state.status,
            window_until: rfc3339(row.window_until),
            seller_decide_by: state.seller_decide_by,
            escalated_at: state.escalated_at,
            decision: state
                .decided_at
                .zip(state.decided_by.as_deref())
                .map(|(at, by)| DecisionView {
                    decided_at: at,
                    decided_by: person(reader, role_of(by), Some(by), name(by)),
                }),
            rejection: row
                .rejection
                .as_deref()
                .and_then(|r| serde_json::from_str::<StoredRejection>(r).ok())
                .map(|r| RejectionView {
                    reason_code: r.reason_code,
                    explanation: r.explanation,
                    dispute_until: state.dispute_until,
                }),
            disputed_at: state.disputed_at,
            complaint_id: row.complaint_id.clone(),
            pickup_at: state.pickup_at,
            picked_up_at: state.picked_up_at,
            refund_due_by: state.refund_due_by,
            refund: crate::api::refund::Refund::of(state.refund_amount, state.refunded_at),
            cancelled_at: state.cancelled_at,
            due_at: due,
            overdue: due.is_some_and(|d| d < now),
            requested_at: state.requested_at,
            updated_at: rfc3339(row.updated_at),
            allowed_actions,
            timeline: None,
            evidence: None,
            breaches: None,
        }
    }
}

impl ReturnEventView {
    pub fn render(e: EventRecord, reader: Reader) -> Self {
        let ev = e.event;
        let actor = match ev.actor_role.as_str() {
            "system" | "service" => PersonView {
                role: ev.actor_role.clone(),
                id: None,
                reference: None,
                name: None,
            },
            role => person(
                reader,
                role,
                ev.actor_id.as_deref(),
                e.actor_name.as_deref(),
            ),
        };
        ReturnEventView {
            actor,
            data: serde_json::from_str(&ev.data).unwrap_or(serde_json::Value::Null),
            at: rfc3339(ev.created_at),
            kind: ev.kind,
            id: ev.id,
        }
    }
}

impl From<BreachRow> for ReturnBreachView {
    fn from(b: BreachRow) -> Self {
        ReturnBreachView {
            sla: b.sla,
            due_at: rfc3339(b.due_at),
            recorded_at: rfc3339(b.recorded_at),
        }
    }
}
