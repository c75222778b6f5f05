use super::delivery_failure::DeliveryFailureView;
use super::dto::*;
use super::eligibility::OrderFacts;
use crate::api::{time_page, validate_with, ApiJson};
use crate::auth::AuthUser;
use crate::db;
use crate::domain::caller::Parties;
use crate::domain::orders::check_draft;
use crate::domain::pagination::{self, TimeCursor};
use crate::domain::roles::Role;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

/// 404 unless the order exists for the caller (its buyer, its shop's sellers, moderators, and
/// service tokens where `service_too`); asked only when a body is refused (see `ApiJson::after`).
pub(crate) async fn order_exists(
    state: &AppState,
    id: &str,
    user: &AuthUser,
    service_too: bool,
) -> ApiResult<()> {
    let (id, who) = (id.to_string(), user.caller());
    state
        .db(move |c| crate::db::orders::for_party(c, &id, &who, service_too).map(|_| ()))
        .await
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upsert_order)
        .service(list_orders)
        .service(get_order);
}

/// Create or update an order from the upstream order system (role `service`).
#[utoipa::path(
    tag = "integration",
    params(("external_id" = String, Path, description = "The upstream system's order id")),
    request_body = OrderUpsertRequest,
    responses(
        (status = 201, description = "Created", body = OrderView),
        (status = 200, description = "Updated", body = OrderView),
        Unauthorized,
        (status = 403, description = "Not a service token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`order_item_in_use`: an item cited elsewhere was dropped", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `unknown_buyer`, `unknown_shop`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/integration/orders/{external_id}")]
async fn upsert_order(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<OrderUpsertRequest>,
) -> ApiResult<HttpResponse> {
    user.require(&[Role::Service])?;
    let external_id = path.into_inner();
    let req = body.into_inner()?;
    let mut extra = Vec::new();
    if external_id.is_empty() || external_id.len() > 100 {
        extra.push(crate::error::FieldError::new("external_id", "length"));
    }
    let total = match check_draft(&req.draft(), state.policy.order_items_max) {
        Ok(total) => Some(total),
        Err(violations) => {
            extra.extend(
                violations
                    .into_iter()
                    .map(|v| crate::error::FieldError::new(v.field, v.code)),
            );
            None
        }
    };
    validate_with(&req, extra)?;
    let total = total.ok_or_else(|| ApiError::internal("order total missing after validation"))?;
    let (now, attempts) = (
        state.clock.now(),
        state.policy.returns.failed_attempts_before_return,
    );
    let (record, created) = state
        .db(move |c| db::orders::upsert(c, &req.write(&external_id, total), attempts, now))
        .await?;
    let view = OrderView::for_viewer(record, Role::Service, &state.buyer_refs().await?);
    Ok(if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// Orders the caller may see, newest first: a buyer's own, a seller's shop's, or all for moderators.
#[utoipa::path(
    tag = "orders",
    params(ListQuery),
    responses(
        (status = 200, body = OrderPage),
        Unauthorized,
        (status = 403, description = "Service tokens cannot list orders", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/orders")]
async fn list_orders(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<OrderPage>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let q = query.into_inner();
    let (limit, cursor) = time_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let (caller, role) = (user.caller(), user.role);
    let rows = state
        .db(move |c| {
            // One extra row tells whether a next page exists.
            db::orders::list(c, caller.scope(), cursor.as_ref(), limit + 1)
        })
        .await?;
    let refs = state.buyer_refs().await?;
    let views = rows
        .into_iter()
        .map(|r| OrderView::for_viewer(r, role, &refs))
        .collect();
    let (items, next_cursor) = pagination::split_page(views, limit, |o: &OrderView| {
        TimeCursor {
            at: o.placed_at,
            id: o.id.clone(),
        }
        .encode()
    });
    Ok(web::Json(OrderPage { items, next_cursor }))
}

/// One order, for its buyer, its shop's seller, or a moderator.
#[utoipa::path(
    tag = "orders",
    params(("id" = String, Path, description = "Order id")),
    responses(
        (status = 200, body = OrderView),
        Unauthorized,
        (status = 403, description = "Service tokens cannot read orders here", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/orders/{id}")]
async fn get_order(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<OrderView>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let id = path.into_inner();
    let attempts_before_return = state.policy.returns.failed_attempts_before_return;
    let (record, failure) = state
        .db(move |c| {
            let Some(record) = db::orders::find(c, &id)? else {
                return Ok((None, None));
            };
            // Only an order that came back has a failed delivery to follow up (one statement
            // fewer on every other order view).
            let came_back = crate::domain::orders::delivery_failed(
                record.order.status,
                record.order.failed_attempts,
                attempts_before_return,
            );
            let failure = match came_back {
                true => match db::delivery_failures::find(c, &id)? {
                    Some(f) => Some((f, db::orders::breaches(c, &id)?)),
                    None => None,
                },
                false => None,
            };
            Ok((Some(record), failure))
        })
        .await?;
    let record = record.ok_or(ErrorCode::NotFound)?;
    let parties = Parties {
        buyer_id: &record.order.buyer_id,
        shop_id: Some(&record.order.shop_id),
        service: false,
    };
    if !user.caller().is_party(parties) {
        // 404, not 403: the caller must not learn that the order exists.
        return Err(ErrorCode::NotFound.into());
    }
    let now = state.clock.now();
    let facts = OrderFacts::of(&record, &user.id);
    let mut view = OrderView::for_viewer(record, user.role, &state.buyer_refs().await?);
    view.delivery_failure =
        failure.map(|(f, breaches)| DeliveryFailureView::render(&f, breaches, user.role, now));
    facts.annotate(&mut view, &state.policy, now);
    Ok(web::Json(view))
}
