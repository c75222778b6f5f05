use super::caching;
use super::dto::*;
use crate::api::{page_error, validate_with, ApiJson};
use crate::auth::{AuthUser, MaybeUser};
use crate::db::reviews::{
    self as store, NewFlag, PublicFilter, ReviewCursor, ReviewInput, ReviewPatch, ReviewRow,
    ReviewSort, ReviewSubject, Subject,
};
use crate::db::DbError;
use crate::domain::pagination::{self, encode_id_cursor};
use crate::domain::roles::Role;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

/// 404 unless the review, flag or appeal exists; asked only when a body is refused (see
/// `ApiJson::after`).
pub(crate) async fn subject_exists(state: &AppState, subject: Subject, id: &str) -> ApiResult<()> {
    let id = id.to_string();
    match state.db(move |c| store::exists(c, subject, &id)).await? {
        true => Ok(()),
        false => Err(ErrorCode::NotFound.into()),
    }
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_review)
        .service(my_reviews)
        .service(get_review)
        .service(edit_review)
        .service(delete_review)
        .service(product_reviews)
        .service(shop_reviews)
        .service(put_reply)
        .service(delete_reply)
        .service(flag_review)
        .service(list_flags)
        .service(appeal_review);
}

/// How much of `row` the caller may see, or None when they may not see it at all.
fn audience(row: &ReviewRow, user: Option<&AuthUser>) -> Option<Audience> {
    match user {
        Some(u) if u.role == Role::Moderator => Some(Audience::Moderator),
        Some(u) if u.id == row.author_id => Some(Audience::Party),
        // A review its author deleted is gone for the shop too.
        Some(u)
            if u.role == Role::Seller
                && u.shop_id.as_deref() == Some(row.shop_id.as_str())
                && row.status() != crate::domain::reviews::ReviewStatus::Deleted =>
        {
            Some(Audience::Party)
        }
        _ if row.publicly_visible() => Some(Audience::Public),
        _ => None,
    }
}

fn text_of(t: Option<String>) -> Option<String> {
    t.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn render(record: store::ReviewRecord, audience: Audience) -> ReviewView {
    ReviewView::render(record.row, &record.author_name, audience, record.versions)
}

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
async fn create_review(
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

/// A review: public once published; its author, the shop's seller and moderators see it in any state.
#[utoipa::path(
    tag = "reviews",
    params(
        ("id" = String, Path, description = "Review id"),
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` from an earlier response: 304 while the published review is unchanged"),
    ),
    responses(
        (status = 200, body = ReviewView, headers(
            ("ETag" = String, description = "For a published review seen as the public sees it; absent for a party's view"),
            ("Cache-Control" = String, description = "`public, max-age=30, stale-while-revalidate=60` for the public view, `private, no-cache` for a party's"),
        )),
        (status = 304, description = "Not modified: `If-None-Match` names the current `ETag` (no body)"),
        (status = 401, description = "A token was sent and is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such review, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/reviews/{id}")]
async fn get_review(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: MaybeUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let if_none_match = caching::if_none_match(&req);
    let found = state
        .db(move |c| {
            let row = store::find(c, &id)?.ok_or(DbError::NotFound)?;
            let audience = audience(&row, user.0.as_ref()).ok_or(DbError::NotFound)?;
            // Only what everyone sees is cacheable; a party's view carries more.
            let tag = if audience == Audience::Public {
                let version = store::list_version(c, ReviewSubject::Product(&row.product_id))?;
                Some(caching::review_tag(&row.id, version))
            } else {
                None
            };
            if let Some(tag) = tag.as_deref() {
                if caching::matches(if_none_match.as_deref(), tag) {
                    return Ok(Err(tag.to_string()));
                }
            }
            let view = store::read_view(c, row, audience == Audience::Moderator)?;
            Ok(Ok((view, audience, tag)))
        })
        .await?;
    let (record, audience, tag) = match found {
        Ok(found) => found,
        Err(tag) => {
            let mut res = caching::not_modified(&tag);
            res.headers_mut().insert(
                actix_web::http::header::VARY,
                actix_web::http::header::HeaderValue::from_static("Authorization"),
            );
            return Ok(res);
        }
    };
    let mut res = HttpResponse::Ok();
    // The same URL answers a party with more than the public: shared caches must not mix them.
    res.insert_header((actix_web::http::header::VARY, "Authorization"));
    match &tag {
        Some(tag) => caching::headers(&mut res, tag),
        None => {
            res.insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-cache"));
        }
    }
    Ok(res.json(render(record, audience)))
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
async fn edit_review(
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
async fn delete_review(
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

fn public_filter(q: &PublicQuery) -> ApiResult<(PublicFilter, Option<ReviewCursor>, u32)> {
    if q.rating.is_some_and(|r| !(1..=5).contains(&r)) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "rating", "range",
        )]));
    }
    let sort = match q.sort.unwrap_or(SortParam::Newest) {
        SortParam::Newest => ReviewSort::Newest,
        SortParam::Highest => ReviewSort::Highest,
        SortParam::Lowest => ReviewSort::Lowest,
    };
    Ok((
        PublicFilter {
            rating: q.rating,
            with_media: q.with_media,
            sort,
        },
        q.cursor
            .as_deref()
            .map(ReviewCursor::decode)
            .transpose()
            .map_err(page_error)?,
        pagination::limit(q.limit, 20, 100).map_err(page_error)?,
    ))
}

/// A public list, or 304 when the caller's `If-None-Match` names the current version: the
/// version is read first with the summaries (one statement), and the page is not read when
/// it matches.
async fn public_page(
    state: &AppState,
    req: &HttpRequest,
    shop: bool,
    subject_id: String,
    q: PublicQuery,
) -> ApiResult<HttpResponse> {
    let (filter, cursor, limit) = public_filter(&q)?;
    let (now, period) = (state.clock.now(), state.policy.reviews.rating_period_days);
    let (if_none_match, query) = (caching::if_none_match(req), req.query_string().to_string());
    let key = format!("{}:{subject_id}", if shop { "shop" } else { "product" });
    // What the caller (a CDN, say) already holds, perhaps from another instance: a replica
    // answer older than that would send its tag backwards.
    let seen = caching::seen_version(if_none_match.as_deref());
    // Public and a little stale is fine: read on the replica when there is a healthy one.
    let (_, found) = state
        .read_replica_versioned(
            Some(key),
            seen,
            move |c| {
                let subject = if shop {
                    ReviewSubject::Shop(&subject_id)
                } else {
                    ReviewSubject::Product(&subject_id)
                };
                let head = store::list_head(c, subject, now, period)?;
                let name = format!("{}:{}", subject.kind(), subject.id());
                let tag = caching::list_tag(&name, head.version, &query, now);
                if caching::matches(if_none_match.as_deref(), &tag) {
                    return Ok((head.version, (tag, None)));
                }
                let rows = store::list_public(c, subject, &filter, cursor.as_ref(), limit + 1)?;
                Ok((head.version, (tag, Some((rows, head.all, head.recent)))))
            },
            |found| found.0,
        )
        .await?;
    let (tag, Some((rows, summary, recent))) = found else {
        return Ok(caching::not_modified(&found.0));
    };
    let (rows, next_cursor) = pagination::split_page(rows, limit, |(r, _)| {
        ReviewCursor {
            rank: r.rating,
            at: crate::api::rfc3339(r.created_at),
            id: r.id.clone(),
        }
        .encode()
    });
    let page = ReviewPage {
        summary: summary.into(),
        summary_90d: recent.into(),
        items: rows
            .into_iter()
            .map(|(r, name)| ReviewView::render(r, &name, Audience::Public, None))
            .collect(),
        next_cursor,
    };
    let mut res = HttpResponse::Ok();
    caching::headers(&mut res, &tag);
    Ok(res.json(page))
}

/// Published reviews of a product with its rating summary.
#[utoipa::path(
    operation_id = "list_product_reviews",
    tag = "reviews",
    params(
        ("product_id" = String, Path, description = "Product id"),
        PublicQuery,
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` from an earlier response: 304 while the page is unchanged"),
    ),
    responses(
        (status = 200, body = ReviewPage, headers(
            ("ETag" = String, description = "Changes with any change to the subject's reviews, the query, and every minute (the 90-day summary moves with the clock)"),
            ("Cache-Control" = String, description = "`public, max-age=30, stale-while-revalidate=60`"),
        )),
        (status = 304, description = "Not modified: `If-None-Match` names the current `ETag` (no body)"),
        (status = 422, description = "Bad `rating`, `sort`, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/products/{product_id}/reviews")]
async fn product_reviews(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PublicQuery>,
) -> ApiResult<HttpResponse> {
    public_page(&state, &req, false, path.into_inner(), query.into_inner()).await
}

/// Published reviews of a shop with its summary, all time and over the last 90 days.
#[utoipa::path(
    operation_id = "list_shop_reviews",
    tag = "reviews",
    params(
        ("shop_id" = String, Path, description = "Shop id"),
        PublicQuery,
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` from an earlier response: 304 while the page is unchanged"),
    ),
    responses(
        (status = 200, body = ReviewPage, headers(
            ("ETag" = String, description = "Changes with any change to the subject's reviews, the query, and every minute (the 90-day summary moves with the clock)"),
            ("Cache-Control" = String, description = "`public, max-age=30, stale-while-revalidate=60`"),
        )),
        (status = 304, description = "Not modified: `If-None-Match` names the current `ETag` (no body)"),
        (status = 422, description = "Bad `rating`, `sort`, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{shop_id}/reviews")]
async fn shop_reviews(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PublicQuery>,
) -> ApiResult<HttpResponse> {
    public_page(&state, &req, true, path.into_inner(), query.into_inner()).await
}

/// The caller's reviews in every status.
#[utoipa::path(
    operation_id = "list_my_reviews",
    tag = "reviews",
    params(PageQuery),
    responses(
        (status = 200, body = MyReviewPage),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me/reviews")]
async fn my_reviews(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PageQuery>,
) -> ApiResult<web::Json<MyReviewPage>> {
    user.require(&[Role::Buyer])?;
    let q = query.into_inner();
    let (limit, before) = crate::api::id_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let uid = user.id.clone();
    let (rows, name) = state
        .db(move |c| {
            Ok((
                store::list_by_author(c, &uid, before.as_deref(), limit + 1)?,
                store::author_name(c, &uid)?,
            ))
        })
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |r| encode_id_cursor(&r.id));
    let items = rows
        .into_iter()
        .map(|r| ReviewView::render(r, &name, Audience::Party, None))
        .collect();
    Ok(web::Json(MyReviewPage { items, next_cursor }))
}

fn seller_shop(user: &AuthUser) -> ApiResult<String> {
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
async fn put_reply(
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
async fn delete_reply(
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
async fn flag_review(
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
async fn list_flags(
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
async fn appeal_review(
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
