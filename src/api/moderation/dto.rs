use crate::api::rfc3339;
use crate::db::moderation::{LogRow, QueueEntry, QueueKind};
use crate::domain::reviews::{AppealDecision, FlagDecision, ReviewDecision};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReviewDecisionRequest {
    pub decision: ReviewDecision,
    /// Why a review is rejected (shown to the author), e.g. `offensive_language`.
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub reason_code: Option<String>,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct FlagDecisionRequest {
    pub decision: FlagDecision,
    #[validate(length(min = 1, max = 2000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct AppealDecisionRequest {
    pub decision: AppealDecision,
    #[validate(length(min = 1, max = 2000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QueueKindParam {
    Review,
    Flag,
    Appeal,
    Complaint,
    Return,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `review`, `flag`, `appeal`, `complaint` or `return`; all when absent.
    #[param(inline)]
    pub kind: Option<QueueKindParam>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ModerationQueueItem)]
pub struct QueueItem {
    /// `review`, `flag`, `appeal`, `complaint` or `return`.
    pub kind: String,
    /// The review, flag or appeal id (decide it at /moderation/{kind}s/{id}/decision), or the
    /// complaint id (act on it under /complaints/{id}), or the return id (escalated returns:
    /// approve or reject under /returns/{id}).
    pub id: String,
    /// The review concerned (reviews, flags, appeals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_id: Option<String>,
    /// Reviews, flags, appeals: 3 business days (Asia/Almaty, Kazakhstan holidays) from
    /// submission. Complaints: the case's nearest running deadline. Returns: the seller's
    /// missed decision deadline.
    #[serde(serialize_with = "crate::api::instant::write")]
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
    /// `{findings}` (the screening's findings) for reviews,
    /// `{reason, previous_dismissals, last_dismissal}` for flags (how many earlier flags on the
    /// review a moderator dismissed, and the last one's `{at, note, version}` or null; after a
    /// dismissal of the current version a new flag no longer hides the review),
    /// `{text}` (the author's) for appeals,
    /// `{number, status, target, category, escalated}` for complaints,
    /// `{number, status, reason, refundable, escalated}` for returns.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl QueueItem {
    pub fn from_entry(e: QueueEntry, now: DateTime<Utc>) -> Self {
        let due = rfc3339(e.due_at);
        QueueItem {
            kind: e.kind.as_str().into(),
            detail: match e.kind {
                // Every kind's detail is an object, so that clients read it as one type.
                QueueKind::Review => serde_json::json!({
                    "findings": serde_json::from_str::<serde_json::Value>(&e.detail)
                        .unwrap_or_else(|_| serde_json::json!([]))
                }),
                QueueKind::Appeal => serde_json::json!({ "text": e.detail }),
                QueueKind::Flag | QueueKind::Complaint | QueueKind::Return => {
                    serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null)
                }
            },
            id: e.id,
            review_id: matches!(
                e.kind,
                QueueKind::Review | QueueKind::Flag | QueueKind::Appeal
            )
            .then_some(e.review_id),
            overdue: due < now,
            due_at: due,
            created_at: rfc3339(e.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ModerationQueuePage)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    pub next_cursor: Option<String>,
}

/// Who made a moderation-log entry.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schema(as = ModerationActor)]
pub enum Actor {
    /// A moderator (`actor_id`).
    Moderator,
    /// The service itself: screening, the sweep.
    System,
}

/// What a moderation-log entry records. The review steps are written by `db::reviews` (and
/// `sla_breached` by the sweep); a moderator's step on a complaint or a return is logged
/// under its timeline event, so those are read from the two action catalogues.
pub struct ModerationAction;

const REVIEW_ACTIONS: &[&str] = &[
    "auto_published",
    "auto_held",
    "approved",
    "rejected",
    "hidden_pending_flag",
    "flag_opened",
    "flag_upheld",
    "flag_dismissed",
    "flag_closed_review_deleted",
    "removed",
    "appeal_opened",
    "appeal_reinstated",
    "appeal_kept_removed",
    "reinstated",
    "sla_breached",
];

impl ModerationAction {
    pub fn all() -> Vec<&'static str> {
        use crate::domain::{complaints, returns};
        let cases = complaints::Action::ALL.iter().map(|a| a.event_kind());
        let returns = returns::Action::ALL.iter().map(|a| a.event_kind());
        let mut all: Vec<&'static str> = REVIEW_ACTIONS.to_vec();
        for kind in cases.chain(returns) {
            if !all.contains(&kind) {
                all.push(kind);
            }
        }
        all
    }
}

impl utoipa::PartialSchema for ModerationAction {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        serde_json::from_value(serde_json::json!({
            "type": "string",
            "description": "A review step (`approved`, `flag_upheld`, …, `sla_breached` by the sweep), \
or the timeline event of a moderator's step on a complaint or a return (`assigned`, `resolved`, …).",
            "enum": ModerationAction::all(),
        }))
        .expect("a string enum is a schema")
    }
}
impl ToSchema for ModerationAction {}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ModerationLogEntry)]
pub struct LogEntry {
    pub id: String,
    /// The moderator; null for automatic decisions.
    pub actor_id: Option<String>,
    pub actor: Actor,
    #[schema(value_type = ModerationAction)]
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub before_status: Option<String>,
    pub after_status: Option<String>,
    pub note: Option<String>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
}

impl From<LogRow> for LogEntry {
    fn from(l: LogRow) -> Self {
        LogEntry {
            actor: if l.actor_id.is_some() {
                Actor::Moderator
            } else {
                Actor::System
            },
            id: l.id,
            actor_id: l.actor_id,
            action: l.action,
            subject_type: l.subject_type,
            subject_id: l.subject_id,
            before_status: l.before_status,
            after_status: l.after_status,
            note: l.note,
            created_at: rfc3339(l.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ModerationLogPage)]
pub struct LogPage {
    pub items: Vec<LogEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Only entries about this review, flag, appeal, complaint or return.
    pub subject_id: Option<String>,
    /// Only entries about subjects of this kind: `review`, `flag`, `appeal`, `complaint` or
    /// `return`.
    #[param(inline)]
    pub kind: Option<QueueKindParam>,
    /// Only this moderator's actions.
    pub actor_id: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}
