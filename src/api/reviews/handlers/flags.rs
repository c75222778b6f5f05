//! Sellers' flags on reviews, the moderators' flag list, and the author's appeal.
use super::*;

/// Flag a review of the caller's shop for a moderator. `personal_data` hides it at once.
#[utoipa::path(
    tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    request_body = FlagRequest,
    responses(
        (status = 201, body = FlagView),
        Unauthorized,
        (status = 403, description = "Not a seller", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a review of the caller's shop", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`flag_already_open`, `review_not_published`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/reviews/{id}/flags")]
pub(super) async fn flag_review(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<FlagRequest>,
) -> ApiResult<HttpResponse> {
    seller_shop(&user)?;
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
    let row = state
        .db(move |c| {
            let attachments = req.attachment_ids.unwrap_or_default();
            let flag = NewFlag {
                reason: req.reason,
                comment: req.comment.trim(),
                attachment_ids: &attachments,
            };
            store::create_flag(c, &id, &user.caller(), &flag, &policy, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(FlagView::from(row)))
}

/// Flags: a seller's own shop's, or all for moderators.
#[utoipa::path(
    tag = "reviews",
    params(FlagQuery),
    responses(
        (status = 200, body = FlagPage),
        Unauthorized,
        (status = 403, description = "Not a seller or moderator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad `status`, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/flags")]
pub(super) async fn list_flags(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<FlagQuery>,
) -> ApiResult<web::Json<FlagPage>> {
    user.require(&[Role::Seller, Role::Moderator])?;
    let q = query.into_inner();
    let (limit, before) = crate::api::id_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let shop = if user.role == Role::Seller {
        Some(seller_shop(&user)?)
    } else {
        None
    };
    let rows = state
        .db(move |c| {
            store::list_flags(
                c,
                shop.as_deref(),
                q.status.map(FlagStatusFilter::as_str),
                before.as_deref(),
                limit + 1,
            )
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |f| encode_id_cursor(&f.id));
    Ok(web::Json(FlagPage {
        items: rows.into_iter().map(FlagView::from).collect(),
        next_cursor,
    }))
}

/// Appeal the removal of one's review, once, within 14 days; another moderator decides.
#[utoipa::path(
    tag = "reviews",
    params(("id" = String, Path, description = "Review id")),
    request_body = AppealRequest,
    responses(
        (status = 201, body = AppealView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the caller's review", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_appealable`, `already_appealed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `appeal_window_closed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/reviews/{id}/appeal")]
pub(super) async fn appeal_review(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<AppealRequest>,
) -> ApiResult<HttpResponse> {
    user.require(&[Role::Buyer])?;
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
    let row = state
        .db(move |c| store::create_appeal(c, &id, &user.caller(), req.text.trim(), &policy, now))
        .await?;
    Ok(HttpResponse::Created().json(AppealView::from(row)))
}
