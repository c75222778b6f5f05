//! The moderators' work queue: what waits for a decision, nearest deadline first.
use crate::api::rfc3339;
use crate::api::time_page;
use crate::auth::AuthUser;
use crate::db::moderation::{self, QueueEntry, QueueKind};
use crate::domain::pagination::{self, TimeCursor};
use crate::domain::roles::Role;
use crate::error::{ApiResult, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

/// What waits for a moderator, nearest deadline first.
#[utoipa::path(
    operation_id = "list_moderation_queue",
    tag = "moderation",
    params(QueueQuery),
    responses(
        (status = 200, body = QueuePage),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad `kind`, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/moderation/queue")]
pub(crate) async fn queue(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<QueueQuery>,
) -> ApiResult<web::Json<QueuePage>> {
    user.require(&[Role::Moderator])?;
    let q = query.into_inner();
    let (limit, after) = time_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let kinds = match q.kind {
        Some(QueueKindParam::Review) => vec![QueueKind::Review],
        Some(QueueKindParam::Flag) => vec![QueueKind::Flag],
        Some(QueueKindParam::Appeal) => vec![QueueKind::Appeal],
        Some(QueueKindParam::Complaint) => vec![QueueKind::Complaint],
        Some(QueueKindParam::Return) => vec![QueueKind::Return],
        None => vec![
            QueueKind::Review,
            QueueKind::Flag,
            QueueKind::Appeal,
            QueueKind::Complaint,
            QueueKind::Return,
        ],
    };
    let after = after.map(|c| (crate::db::to_db(c.at), c.id));
    let entries = state
        .db(move |c| moderation::queue(c, &kinds, after, limit + 1))
        .await?;
    let now = state.clock.now();
    let items: Vec<QueueItem> = entries
        .into_iter()
        .map(|e| QueueItem::from_entry(e, now))
        .collect();
    let (items, next_cursor) = pagination::split_page(items, limit, |i| {
        TimeCursor {
            at: i.due_at,
            id: i.id.clone(),
        }
        .encode()
    });
    Ok(web::Json(QueuePage { items, next_cursor }))
}
