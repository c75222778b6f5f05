//! The shop's one public reply to a review: put and remove.
use super::*;

pub(super) fn seller_shop(user: &AuthUser) -> ApiResult<String> {
    user.require(&[Role::Seller])?;
    user.shop_id
        .clone()
        .ok_or_else(|| ErrorCode::Forbidden.into())
}

/// Create or replace the shop's public reply.
#[utoipa::path(
    operation_id = "put_review_reply",
    tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    request_body = ReplyRequest,
    responses(
        (status = 200, body = ReviewView),
        Unauthorized,
        (status = 403, description = "Not a seller", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a review of the caller's shop", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`review_not_published`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/reviews/{id}/reply")]
pub(super) async fn put_reply(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ReplyRequest>,
) -> ApiResult<web::Json<ReviewView>> {
    seller_shop(&user)?;
    let (id, now) = (path.into_inner(), state.clock.now());
    let req = body
        .after(
            |r| validate_with(r, Vec::new()),
            subject_exists(&state, Subject::Review, &id),
        )
        .await?;
    let record = state
        .db(move |c| {
            let row = store::set_reply(c, &id, &user.caller(), Some(req.text.trim()), now)?;
            store::read_view(c, row, false)
        })
        .await?;
    Ok(web::Json(render(record, Audience::Party)))
}

/// Remove the shop's reply.
#[utoipa::path(
    operation_id = "delete_review_reply",
    tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    responses(
        (status = 204, description = "Removed"),
        Unauthorized,
        (status = 403, description = "Not a seller", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No reply, or not the caller's shop", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/reviews/{id}/reply")]
pub(super) async fn delete_reply(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    seller_shop(&user)?;
    let (id, now) = (path.into_inner(), state.clock.now());
    state
        .db(move |c| store::set_reply(c, &id, &user.caller(), None, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
