//! Request and response types of `/complaints`. Views apply the privacy rules: sellers see the
//! buyer as first name + initial with a masked phone; buyers and sellers see moderators by a
//! display name only.
use crate::api::{rfc3339, Money};
use crate::auth::AuthUser;
use crate::db::attachments::AttachmentRow;
use crate::db::complaints::{BreachRow, ComplaintRow, EventRecord, StoredResolution};
use crate::domain::complaints::{
    Action, Audience, Authority, Category, DesiredResolution, Outcome, RemedyKind, Sla, Status,
    Target, Track,
};
use crate::domain::privacy::{mask_name, mask_phone, BuyerRefs};
use crate::domain::roles::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

pub use super::dossier::*;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileComplaintRequest {
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub order_id: String,
    pub target: Target,
    /// Courier: `delivery_delay`, `damaged_in_delivery`, `courier_misconduct`,
    /// `courier_unreachable`, `wrong_delivery`, `other`. Seller: `not_as_described`,
    /// `defective`, `delivery_deadline_missed`, `staff_misconduct`, `return_refused`, `fraud`, `other`.
    pub category: Category,
    /// At least the policy's `description_min_chars` characters (`minLength`).
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub description: String,
    pub desired_resolution: Option<DesiredResolution>,
    /// Defaults to the account's phone and e-mail.
    #[validate(nested)]
    pub contact: Option<ContactInput>,
    /// The courier's or employee's name, if known.
    #[validate(length(min = 1, max = 200), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 200)]
    pub involved_person: Option<String>,
    /// When delivery was expected and when it happened (delays).
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub expected_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub actual_at: Option<DateTime<Utc>>,
    /// Evidence the buyer uploaded: photos, video, screenshots, receipts, expert reports.
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub attachment_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// Kazakhstan number, e.g. `+7 701 123 45 12`.
    #[validate(length(min = 1, max = 32), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 32)]
    pub phone: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondRequest {
    #[validate(length(min = 1, max = 5000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
    pub proposed_resolution: Option<DesiredResolution>,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub attachment_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInfoRequest {
    #[validate(length(min = 1, max = 2000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 2000)]
    pub question: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvideInfoRequest {
    #[validate(length(min = 1, max = 5000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub attachment_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub moderator_id: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeTrackRequest {
    pub track: Track,
    #[validate(length(min = 1, max = 2000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendRequest {
    /// Told to the buyer.
    #[validate(length(min = 1, max = 2000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// The new resolution deadline; later than the current one.
    #[serde(serialize_with = "crate::api::instant::write")]
    pub resolve_by: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub outcome: Outcome,
    #[validate(nested)]
    pub remedy: RemedyInput,
    #[validate(length(min = 1, max = 5000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 5000)]
    pub explanation: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemedyInput {
    pub kind: RemedyKind,
    /// Tenge: required for `partial_refund` and `compensation`, optional for `refund` (the
    /// order total when absent), refused for the others.
    #[validate(range(min = 1, max = 1_000_000_000_000i64))]
    #[schema(minimum = 1, maximum = 1000000000000.0)]
    pub amount: Option<i64>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ComplaintAppealRequest)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    #[validate(length(min = 1, max = 2000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalEscalationRequest {
    pub authority: Authority,
    /// The authority's case or registration number.
    #[validate(length(min = 1, max = 200), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 200)]
    pub reference: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ComplaintMessageRequest)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    #[validate(length(min = 1, max = 5000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub attachment_ids: Option<Vec<String>>,
    /// A note for moderators only (moderators may set it).
    #[serde(default)]
    pub internal: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintListQuery {
    pub status: Option<Status>,
    pub target: Option<Target>,
    pub category: Option<Category>,
    /// `true`: only cases whose nearest running deadline has passed.
    pub overdue: Option<bool>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}

/// The optional parts of the filing form, stored as they were filed.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct FilingDetails {
    pub desired_resolution: Option<DesiredResolution>,
    pub contact: ContactDetails,
    pub involved_person: Option<String>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub expected_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub actual_at: Option<DateTime<Utc>>,
    /// Set when the complaint disputes a return's rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, ToSchema)]
pub struct ContactDetails {
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Someone on the case as the reader may see them.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct PersonView {
    /// `buyer`, `seller`, `moderator` or `system`.
    pub role: String,
    /// Hidden when the reader may not know it: moderators seen by buyers and sellers, and
    /// buyers seen by sellers (who get `ref` instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Only to sellers, only for the buyer: an opaque reference (`byr_…`) in place of the
    /// buyer's id, the same across the shop's orders, returns, complaints, messages and
    /// webhooks (`buyer_ref`), different in every other shop, and not reversible to the id.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Full name for moderators and oneself; first name + initial otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaView {
    pub track: Track,
    /// 3 business days after filing (Asia/Almaty business days).
    #[serde(serialize_with = "crate::api::instant::write")]
    pub acknowledge_by: DateTime<Utc>,
    /// Seller cases: 48 hours after filing.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub seller_respond_by: Option<DateTime<Utc>>,
    /// By track from filing (or from the appeal), plus time spent awaiting the buyer, or the
    /// extended date.
    #[serde(serialize_with = "crate::api::instant::write")]
    pub resolve_by: DateTime<Utc>,
    pub extended: bool,
    /// Set while the case awaits the buyer: the resolution clock is paused.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub paused_since: Option<DateTime<Utc>>,
    /// The nearest deadline still running.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RemedyView {
    pub kind: RemedyKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResolutionView {
    pub outcome: Outcome,
    pub remedy: RemedyView,
    pub explanation: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub resolved_at: DateTime<Utc>,
    /// The buyer may appeal once until this instant.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub appeal_until: Option<DateTime<Utc>>,
    pub decided_by: PersonView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    /// The step; `data` holds its kind's fields.
    #[schema(value_type = crate::domain::complaints::StepKind)]
    pub kind: String,
    pub actor: PersonView,
    pub audience: Audience,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintView {
    pub id: String,
    /// `C-YYYY-NNNNNN`.
    pub number: String,
    pub order_id: String,
    pub shop_id: String,
    pub target: Target,
    pub category: Category,
    pub description: String,
    pub desired_resolution: Option<DesiredResolution>,
    /// Masked for sellers (phone), hidden from them (e-mail).
    pub contact: ContactDetails,
    pub involved_person: Option<String>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub expected_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub actual_at: Option<DateTime<Utc>>,
    pub buyer: PersonView,
    /// The return whose rejection this complaint disputes (`return_refused`); upholding it
    /// approves the return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_id: Option<String>,
    pub status: Status,
    pub assignee: Option<PersonView>,
    pub sla: SlaView,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub seller_responded_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub escalated_at: Option<DateTime<Utc>>,
    pub resolution: Option<ResolutionView>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub filed_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub updated_at: DateTime<Utc>,
    /// What the caller may do now (the same list a 409 gives).
    pub allowed_actions: Vec<Action>,
    /// On single-case responses: the events the caller may see, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<EventView>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintPage {
    pub items: Vec<ComplaintView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub id: String,
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the stored bytes, so the file can be shown to be unaltered.
    pub sha256: String,
    /// The uploader's id; a seller sees the buyer's files as uploaded by the buyer's `ref`
    /// (`byr_…`), never by the buyer's id.
    pub uploaded_by: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub uploaded_at: DateTime<Utc>,
    /// Download path (for the case's parties).
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreachView {
    pub sla: Sla,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub due_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub recorded_at: DateTime<Utc>,
}

/// Who reads, for the privacy rules.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    pub role: Role,
    pub id: &'a str,
    /// A seller's shop and the key of its buyer references: sellers see buyers by reference.
    pub shop_refs: Option<(&'a BuyerRefs, &'a str)>,
}

impl<'a> Reader<'a> {
    pub fn of(user: &'a AuthUser, refs: &'a BuyerRefs) -> Self {
        Reader {
            role: user.role,
            id: &user.id,
            shop_refs: user
                .shop_id
                .as_deref()
                .filter(|_| user.role == Role::Seller)
                .map(|shop| (refs, shop)),
        }
    }
}

/// The reader's view of a person on the case.
pub fn person(reader: Reader, role: &str, id: Option<&str>, full_name: Option<&str>) -> PersonView {
    let myself = id == Some(reader.id);
    let full = reader.role == Role::Moderator || myself;
    let buyer = role == Role::Buyer.as_str();
    // A seller knows a buyer only by the shop's reference (`domain::privacy::BuyerRefs`).
    let by_reference = buyer && reader.role == Role::Seller && !myself;
    let show_id = full || (buyer && !by_reference);
    PersonView {
        role: role.to_string(),
        id: id.filter(|_| show_id).map(String::from),
        reference: id
            .filter(|_| by_reference)
            .zip(reader.shop_refs)
            .map(|(id, (refs, shop))| refs.of(shop, id)),
        name: full_name.map(|n| if full { n.to_string() } else { mask_name(n) }),
    }
}

pub struct Names<'a> {
    pub buyer: (&'a str, Option<&'a str>),
    pub assignee: Option<&'a str>,
    pub resolver: Option<&'a str>,
}

impl ComplaintView {
    pub fn render(
        row: &ComplaintRow,
        reader: Reader,
        names: Names,
        allowed_actions: Vec<Action>,
        now: DateTime<Utc>,
    ) -> Self {
        let case = row.case();
        let details: FilingDetails = serde_json::from_str(&row.details).unwrap_or_default();
        let seller_view = reader.role == Role::Seller;
        let contact = if seller_view {
            ContactDetails {
                phone: details.contact.phone.as_deref().map(mask_phone),
                email: None,
            }
        } else {
            details.contact.clone()
        };
        let due = case.due_at();
        let resolution = row
            .resolution
            .as_deref()
            .and_then(|r| serde_json::from_str::<StoredResolution>(r).ok())
            .zip(case.resolved_at)
            .map(|(r, resolved_at)| ResolutionView {
                outcome: r.outcome,
                remedy: RemedyView {
                    kind: r.remedy.kind,
                    amount: r.remedy.amount.map(Money::kzt),
                },
                explanation: r.explanation,
                resolved_at,
                appeal_until: case.appeal_until,
                decided_by: person(
                    reader,
                    Role::Moderator.as_str(),
                    case.resolved_by.as_deref(),
                    names.resolver,
                ),
            });
        ComplaintView {
            id: row.id.clone(),
            number: row.number.clone(),
            order_id: row.order_id.clone(),
            shop_id: row.shop_id.clone(),
            target: case.target,
            category: row.category,
            description: row.description.clone(),
            desired_resolution: details.desired_resolution,
            contact,
            involved_person: details.involved_person,
            expected_at: details.expected_at,
            actual_at: details.actual_at,
            buyer: person(reader, "buyer", Some(&row.buyer_id), Some(names.buyer.0)),
            return_id: details.return_id.clone(),
            status: case.status,
            assignee: case
                .assignee_id
                .as_deref()
                .map(|id| person(reader, Role::Moderator.as_str(), Some(id), names.assignee)),
            sla: SlaView {
                track: case.track,
                acknowledge_by: case.acknowledge_by,
                seller_respond_by: case.seller_respond_by,
                resolve_by: case.resolve_by,
                extended: case.extended,
                paused_since: case.paused_at,
                due_at: due,
                overdue: due.is_some_and(|d| d < now),
            },
            acknowledged_at: case.acknowledged_at,
            seller_responded_at: case.seller_responded_at,
            escalated_at: case.escalated_at,
            resolution,
            filed_at: rfc3339(row.filed_at),
            updated_at: rfc3339(row.updated_at),
            allowed_actions,
            timeline: None,
        }
    }
}

impl EventView {
    pub fn render(e: EventRecord, reader: Reader) -> Self {
        let ev = e.event;
        EventView {
            actor: if ev.actor_role == "system" {
                PersonView {
                    role: "system".into(),
                    id: None,
                    reference: None,
                    name: None,
                }
            } else {
                person(
                    reader,
                    &ev.actor_role,
                    ev.actor_id.as_deref(),
                    e.actor_name.as_deref(),
                )
            },
            audience: ev.audience,
            data: serde_json::from_str(&ev.data).unwrap_or(serde_json::Value::Null),
            at: rfc3339(ev.created_at),
            kind: ev.kind,
            id: ev.id,
        }
    }
}

impl EvidenceView {
    /// A file of a case or return whose buyer is `buyer_id`, as the reader may see it: the
    /// buyer's files name them as `person` does (by reference to a seller).
    pub fn render(a: AttachmentRow, reader: Reader, buyer_id: &str) -> Self {
        let uploaded_by = if a.uploader_id == buyer_id {
            let p = person(reader, Role::Buyer.as_str(), Some(buyer_id), None);
            p.id.or(p.reference).unwrap_or_default()
        } else {
            a.uploader_id
        };
        EvidenceView {
            url: format!("/api/v1/attachments/{}", a.id),
            id: a.id,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            uploaded_by,
            uploaded_at: rfc3339(a.created_at),
        }
    }
}

impl From<BreachRow> for BreachView {
    fn from(b: BreachRow) -> Self {
        BreachView {
            sla: b.sla,
            due_at: rfc3339(b.due_at),
            recorded_at: rfc3339(b.recorded_at),
        }
    }
}
