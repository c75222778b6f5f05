//! Writing a review: create, edit (a new version, screened again), delete.
use super::*;

/// Review a delivered order item (its buyer, within 14 days of delivery, once).
#[utoipa::path(
    tag = "reviews",
    request_body = CreateReviewRequest,
    responses(
        (status = 201, description = "`status` is `published` (clean) or `pending_moderation` with `screening` findings", body = ReviewView),
        Unauthorized,
        (status = 403, description = "`forbidden` (not a buyer)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order item, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_reviewed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `item_not_delivered`, `review_window_closed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/reviews")]
pub(super) async fn create_review(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<CreateReviewRequest>,
) -> ApiResult<HttpResponse> {
    user.require(&[Role::Buyer])?;
    let req = body.into_inner()?;
    validate_with(&req, req.beyond_policy(&state.policy.reviews))?;
    let input = ReviewInput {
        rating: req.rating,
        shop_rating: req.shop_rating,
        body: text_of(req.text),
        attachment_ids: req.attachment_ids.unwrap_or_default(),
    };
    let (policy, now) = (state.policy.reviews.clone(), state.clock.now());
    let item = req.order_item_id;
    let record = state
        .db(move |c| {
            let row = store::create(c, &item, &user.caller(), &input, &policy, now)?;
            store::read_view(c, row, false)
        })
        .await?;
    Ok(HttpResponse::Created().json(render(record, Audience::Party)))
}

/// Edit within the window: a new version, screened again; history is kept.
#[utoipa::path(
    tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    request_body = EditReviewRequest,
    responses(
        (status = 200, body = ReviewView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the caller's review", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`review_not_editable`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `review_window_closed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/reviews/{id}")]
pub(super) async fn edit_review(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<EditReviewRequest>,
) -> ApiResult<web::Json<ReviewView>> {
    user.require(&[Role::Buyer])?;
    let id = path.into_inner();
    let check = |req: &EditReviewRequest| {
        // An edit that changes nothing would only add an identical version.
        let empty = req.rating.is_none()
            && req.text.is_none()
            && req.shop_rating.is_none()
            && req.attachment_ids.is_none();
        let mut errors = req.beyond_policy(&state.policy.reviews);
        if empty {
            errors.push(FieldError::new("body", "required"));
        }
        validate_with(req, errors)
    };
    let req = body
        .after(check, subject_exists(&state, Subject::Review, &id))
        .await?;
    let (policy, now) = (state.policy.reviews.clone(), state.clock.now());
    let record = state
        .db(move |c| {
            // Merged with the review as it stands under the edit's lock, not as read before it:
            // an edit and a moderator's decision meeting on one review lose nothing.
            let patch = ReviewPatch {
                rating: req.rating,
                shop_rating: req.shop_rating,
                body: req.text.map(|t| text_of(Some(t))),
                attachment_ids: req.attachment_ids,
            };
            let row = store::edit(c, &id, &user.caller(), &patch, &policy, now)?;
            store::read_view(c, row, false)
        })
        .await?;
    Ok(web::Json(render(record, Audience::Party)))
}

/// Delete one's own review (any time).
#[utoipa::path(
    tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses(
        (status = 204, description = "Deleted"),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the caller's review", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/reviews/{id}")]
pub(super) async fn delete_review(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    user.require(&[Role::Buyer])?;
    let id = path.into_inner();
    let (policy, now) = (state.policy.reviews.clone(), state.clock.now());
    state
        .db(move |c| store::delete(c, &id, &user.caller(), &policy, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
