//! The append-only moderation log.
use super::queue::QueueKindParam;
use crate::api::rfc3339;
use crate::auth::AuthUser;
use crate::db::moderation::{self, LogRow};
use crate::domain::pagination::{self, encode_id_cursor};
use crate::domain::roles::Role;
use crate::error::{ApiResult, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

/// Every moderation action — on reviews, flags, appeals, complaints and returns — newest
/// first (append-only).
#[utoipa::path(
    operation_id = "list_moderation_log",
    tag = "moderation",
    params(LogQuery),
    responses(
        (status = 200, body = LogPage),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/moderation/log")]
pub(crate) async fn log(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<LogQuery>,
) -> ApiResult<web::Json<LogPage>> {
    user.require(&[Role::Moderator])?;
    let q = query.into_inner();
    let (limit, before) = crate::api::id_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let kind = q.kind.map(|k| match k {
        QueueKindParam::Review => "review",
        QueueKindParam::Flag => "flag",
        QueueKindParam::Appeal => "appeal",
        QueueKindParam::Complaint => "complaint",
        QueueKindParam::Return => "return",
    });
    let rows = state
        .db(move |c| {
            let filter = moderation::LogFilter {
                subject_id: q.subject_id.as_deref(),
                subject_type: kind,
                actor_id: q.actor_id.as_deref(),
            };
            moderation::log_entries(c, &filter, before.as_deref(), limit + 1)
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |r| encode_id_cursor(&r.id));
    Ok(web::Json(LogPage {
        items: rows.into_iter().map(LogEntry::from).collect(),
        next_cursor,
    }))
}
