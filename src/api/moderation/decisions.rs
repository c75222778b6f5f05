//! A moderator's decision on a held review, a seller's flag or an author's appeal.
use crate::api::reviews::dto::{AppealView, Audience, FlagView, ReviewView};
use crate::api::reviews::handlers::subject_exists;
use crate::api::{validate_with, ApiJson};
use crate::auth::AuthUser;
use crate::db::reviews::{self as store, Subject};
use crate::domain::reviews::{AppealDecision, FlagDecision, ReviewDecision};
use crate::domain::roles::Role;
use crate::error::{ApiResult, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{post, web};
use serde::Deserialize;
use utoipa::ToSchema;
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
pub(crate) async fn decide_review(
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
pub(crate) async fn decide_flag(
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
pub(crate) async fn decide_appeal(
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
