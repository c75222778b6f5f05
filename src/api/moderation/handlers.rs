use super::dto::*;
use crate::api::reviews::dto::{AppealView, Audience, FlagView, ReviewView};
use crate::api::reviews::handlers::subject_exists;
use crate::api::{time_page, validate_with, ApiJson};
use crate::auth::AuthUser;
use crate::db::moderation::{self, QueueKind};
use crate::db::reviews::{self as store, Subject};
use crate::domain::pagination::{self, encode_id_cursor, TimeCursor};
use crate::domain::roles::Role;
use crate::error::{ApiResult, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(queue)
        .service(decide_review)
        .service(decide_flag)
        .service(decide_appeal)
        .service(log);
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
async fn queue(
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

/// Approve or reject a review held by screening. A second decision is 409.
#[utoipa::path(
    tag = "moderation",
    params(("id" = String, Path, description = "Review id")),
    request_body = ReviewDecisionRequest,
    responses(
        (status = 200, body = ReviewView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such review", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: decided already (also the loser of two decisions at once)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/moderation/reviews/{id}/decision")]
async fn decide_review(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ReviewDecisionRequest>,
) -> ApiResult<web::Json<ReviewView>> {
    user.require(&[Role::Moderator])?;
    let (id, policy, now) = (
        path.into_inner(),
        state.policy.reviews.clone(),
        state.clock.now(),
    );
    let req = body
        .after(
            |r| validate_with(r, Vec::new()),
            subject_exists(&state, Subject::Review, &id),
        )
        .await?;
    let (row, name, versions) = state
        .db(move |c| {
            let row = store::decide_review(
                c,
                &id,
                &user.caller(),
                &store::Verdict {
                    decision: req.decision,
                    reason_code: req.reason_code.as_deref(),
                    note: req.note.as_deref(),
                },
                &policy,
                now,
            )?;
            let name = store::author_name(c, &row.author_id)?;
            let versions = store::versions(c, &row.id)?;
            Ok((row, name, versions))
        })
        .await?;
    Ok(web::Json(ReviewView::render(
        row,
        &name,
        Audience::Moderator,
        Some(versions),
    )))
}

/// Uphold (the review is removed, the reason shown to its author) or dismiss (it stays) a flag.
#[utoipa::path(
    tag = "moderation",
    params(("id" = String, Path, description = "Flag id")),
    request_body = FlagDecisionRequest,
    responses(
        (status = 200, body = FlagView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such flag", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: decided already (also the loser of two decisions at once)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/moderation/flags/{id}/decision")]
async fn decide_flag(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<FlagDecisionRequest>,
) -> ApiResult<web::Json<FlagView>> {
    user.require(&[Role::Moderator])?;
    let (id, policy, now) = (
        path.into_inner(),
        state.policy.reviews.clone(),
        state.clock.now(),
    );
    let req = body
        .after(
            |r| validate_with(r, Vec::new()),
            subject_exists(&state, Subject::Flag, &id),
        )
        .await?;
    let row = state
        .db(move |c| {
            store::decide_flag(
                c,
                &id,
                &user.caller(),
                req.decision,
                req.note.trim(),
                &policy,
                now,
            )
        })
        .await?;
    Ok(web::Json(FlagView::from(row)))
}

/// Decide an appeal; the moderator who removed the review may not.
#[utoipa::path(
    tag = "moderation",
    params(("id" = String, Path, description = "Appeal id")),
    request_body = AppealDecisionRequest,
    responses(
        (status = 200, body = AppealView),
        Unauthorized,
        (status = 403, description = "Not a moderator, or `appeal_needs_another_moderator`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appeal", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: decided already (also the loser of two decisions at once)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/moderation/appeals/{id}/decision")]
async fn decide_appeal(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<AppealDecisionRequest>,
) -> ApiResult<web::Json<AppealView>> {
    user.require(&[Role::Moderator])?;
    let (id, policy, now) = (
        path.into_inner(),
        state.policy.reviews.clone(),
        state.clock.now(),
    );
    let req = body
        .after(
            |r| validate_with(r, Vec::new()),
            subject_exists(&state, Subject::Appeal, &id),
        )
        .await?;
    let row = state
        .db(move |c| {
            store::decide_appeal(
                c,
                &id,
                &user.caller(),
                req.decision,
                req.note.trim(),
                &policy,
                now,
            )
        })
        .await?;
    Ok(web::Json(AppealView::from(row)))
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
async fn log(
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
