//! Reading reviews: one review by audience, the public lists by product and shop (cached,
//! with `ETag`), and the author's own.
use super::*;

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
pub(super) async fn get_review(
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

pub(super) fn public_filter(
    q: &PublicQuery,
) -> ApiResult<(PublicFilter, Option<ReviewCursor>, u32)> {
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
pub(super) async fn public_page(
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
pub(super) async fn product_reviews(
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
pub(super) async fn shop_reviews(
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
pub(super) async fn my_reviews(
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
