use super::dto::*;
use crate::api::{validate_with, ApiJson};
use crate::auth::AuthUser;
use crate::db::webhooks::{self as store, deliveries, outbox, EndpointChange, NewEndpoint};
use crate::domain::pagination::{self, encode_id_cursor};
use crate::domain::roles::Role;
use crate::domain::webhooks::{signing, target};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::TimeDelta;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(read)
        .service(update)
        .service(remove)
        .service(rotate_secret)
        .service(test)
        .service(list_deliveries)
        .service(redeliver);
}

/// The caller's shop: webhooks are a seller's.
fn seller_shop(user: &AuthUser) -> Result<String, ApiError> {
    user.require(&[Role::Seller])?;
    user.shop_id
        .clone()
        .ok_or_else(|| ErrorCode::Forbidden.into())
}

/// The URL's target rules, and — unless private targets are allowed — its resolution now.
async fn check_target(url: &str, allow_private: bool) -> Result<(), ApiError> {
    let parsed =
        target::check_url(url, allow_private).map_err(|r| ApiError::field("url", r.code()))?;
    if allow_private {
        return Ok(());
    }
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']']);
    let port = parsed.port_or_known_default().unwrap_or(443);
    crate::jobs::dispatcher::client::resolves_publicly(host, port)
        .await
        .map_err(|code| ApiError::field("url", code))
}

/// Register an endpoint for the caller's shop. The secret is in this answer only.
#[utoipa::path(
    operation_id = "create_webhook",
    tag = "webhooks",
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, body = CreatedWebhook),
        Unauthorized,
        (status = 403, description = "Only sellers have webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`webhook_limit_reached`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`url: url|https_required|credentials_not_allowed|port_not_allowed|private_target|unreachable_target`, `events[i]: unknown_event`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/webhooks")]
async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<CreateWebhookRequest>,
) -> ApiResult<HttpResponse> {
    let shop = seller_shop(&user)?;
    let allow = state.settings.webhooks_allow_private;
    let req = body.into_inner()?;
    let mut extra = event_errors(&req.events);
    extra.extend(url_error(&req.url, allow));
    extra.extend(req.beyond_policy(&state.policy.webhooks));
    validate_with(&req, extra)?;
    check_target(&req.url, allow).await?;
    let secret = signing::new_secret();
    let sealed = state.sealer.seal(&secret);
    let (limit, now) = (state.policy.webhooks.endpoints_per_shop, state.clock.now());
    let row = state
        .db(move |c| {
            let new = NewEndpoint {
                shop_id: &shop,
                url: req.url.trim(),
                description: req.description.as_deref(),
                events: &req.events,
                sealed_secret: &sealed,
            };
            store::create(c, &new, limit, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedWebhook {
        webhook: WebhookView::of(&row, now),
        secret,
    }))
}

/// The caller's shop's endpoints (no secrets).
#[utoipa::path(
    operation_id = "list_webhooks",
    tag = "webhooks",
    responses(
        (status = 200, body = WebhookList),
        Unauthorized,
        (status = 403, description = "Only sellers have webhooks", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/webhooks")]
async fn list(state: web::Data<AppState>, user: AuthUser) -> ApiResult<web::Json<WebhookList>> {
    let shop = seller_shop(&user)?;
    let rows = state.db(move |c| store::list(c, &shop)).await?;
    let now = state.clock.now();
    Ok(web::Json(WebhookList {
        items: rows.iter().map(|r| WebhookView::of(r, now)).collect(),
    }))
}

/// One endpoint of the caller's shop.
#[utoipa::path(
    operation_id = "get_webhook",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    responses(
        (status = 200, body = WebhookView),
        Unauthorized,
        (status = 403, description = "Only sellers have webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in the caller's shop", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}")]
async fn read(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<WebhookView>> {
    let (shop, id) = (seller_shop(&user)?, path.into_inner());
    let row = state
        .db(move |c| store::find_of_shop(c, &shop, &id))
        .await?;
    Ok(web::Json(WebhookView::of(&row, state.clock.now())))
}

/// Change the URL, the subscriptions, the description, or turn the endpoint off and on.
#[utoipa::path(
    operation_id = "update_webhook",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, body = WebhookView),
        Unauthorized,
        (status = 403, description = "Only sellers have webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in the caller's shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`url: …`, `events[i]: unknown_event`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/webhooks/{id}")]
async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<UpdateWebhookRequest>,
) -> ApiResult<web::Json<WebhookView>> {
    let (shop, id) = (seller_shop(&user)?, path.into_inner());
    let allow = state.settings.webhooks_allow_private;
    let exists = {
        let (state, shop, id) = (state.clone(), shop.clone(), id.clone());
        async move {
            state
                .db(move |c| store::find_of_shop(c, &shop, &id))
                .await
                .map(|_| ())
        }
    };
    let check = |r: &UpdateWebhookRequest| {
        let mut extra = r.events.as_deref().map(event_errors).unwrap_or_default();
        extra.extend(r.url.as_deref().and_then(|u| url_error(u, allow)));
        extra.extend(r.beyond_policy(&state.policy.webhooks));
        validate_with(r, extra)
    };
    let req = body.after(check, exists).await?;
    if let Some(url) = &req.url {
        check_target(url, allow).await?;
    }
    let now = state.clock.now();
    let row = state
        .db(move |c| {
            let change = EndpointChange {
                url: req.url.as_deref().map(str::trim),
                description: req.description.as_deref().map(Some),
                events: req.events.as_deref(),
                enabled: req.enabled,
            };
            store::update(c, &shop, &id, &change, now)
        })
        .await?;
    Ok(web::Json(WebhookView::of(&row, now)))
}

/// Delete an endpoint with its delivery log.
#[utoipa::path(
    operation_id = "delete_webhook",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    responses(
        (status = 204, description = "Deleted"),
        Unauthorized,
        (status = 403, description = "Only sellers have webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in the caller's shop", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/webhooks/{id}")]
async fn remove(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (shop, id) = (seller_shop(&user)?, path.into_inner());
    state.db(move |c| store::delete(c, &shop, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new secret, shown once. The old one keeps signing beside it for 24 hours (two
/// signatures in `webhook-signature`), so receivers can switch without losing a message.
#[utoipa::path(
    operation_id = "rotate_webhook_secret",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    responses(
        (status = 200, body = RotatedSecret),
        Unauthorized,
        (status = 403, description = "Only sellers have webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in the caller's shop", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/webhooks/{id}/rotate-secret")]
async fn rotate_secret(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<RotatedSecret>> {
    let (shop, id) = (seller_shop(&user)?, path.into_inner());
    let secret = signing::new_secret();
    let sealed = state.sealer.seal(&secret);
    let overlap = TimeDelta::hours(state.policy.webhooks.secret_overlap_hours);
    let now = state.clock.now();
    state
        .db(move |c| store::rotate_secret(c, &shop, &id, &sealed, overlap, now))
        .await?;
    Ok(web::Json(RotatedSecret {
        secret,
        previous_secret_expires_at: now + overlap,
    }))
}

/// Send a `ping` event to this endpoint now (whatever it subscribes to); the answer is the
/// ping's delivery, which the delivery log then follows.
#[utoipa::path(
    operation_id = "test_webhook",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    responses(
        (status = 202, body = WebhookDelivery),
        Unauthorized,
        (status = 403, description = "Only sellers have webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in the caller's shop", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/webhooks/{id}/test")]
async fn test(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (shop, id) = (seller_shop(&user)?, path.into_inner());
    let now = state.clock.now();
    let delivery = state
        .db(move |c| {
            crate::db::write_tx(c, |c| {
                let endpoint = store::find_of_shop(c, &shop, &id)?;
                let delivery = outbox::ping(c, &endpoint, now)?;
                deliveries::find(c, &endpoint.id, &delivery)
            })
        })
        .await?;
    Ok(HttpResponse::Accepted().json(WebhookDelivery::of(delivery)))
}

/// The endpoint's deliveries, newest first, each with every attempt.
#[utoipa::path(
    operation_id = "list_webhook_deliveries",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id"), WebhookDeliveryQuery),
    responses(
        (status = 200, body = WebhookDeliveryPage),
        Unauthorized,
        (status = 403, description = "Only sellers have webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in the caller's shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad `status`, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}/deliveries")]
async fn list_deliveries(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<WebhookDeliveryQuery>,
) -> ApiResult<web::Json<WebhookDeliveryPage>> {
    let (shop, id) = (seller_shop(&user)?, path.into_inner());
    let q = query.into_inner();
    let (limit, before) = crate::api::id_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let status = q.status.map(WebhookDeliveryStatus::as_str);
    let rows = state
        .db(move |c| {
            let endpoint = store::find_of_shop(c, &shop, &id)?;
            deliveries::list(c, &endpoint.id, status, before.as_deref(), limit + 1)
        })
        .await?;
    let views = rows.into_iter().map(WebhookDelivery::of).collect();
    let (items, next_cursor) =
        pagination::split_page(views, limit, |d: &WebhookDelivery| encode_id_cursor(&d.id));
    Ok(web::Json(WebhookDeliveryPage { items, next_cursor }))
}

/// Send a message again with the same `webhook-id` (a new delivery, due now).
#[utoipa::path(
    operation_id = "redeliver_webhook_delivery",
    tag = "webhooks",
    params(
        ("id" = String, Path, description = "Webhook id"),
        ("delivery_id" = String, Path, description = "Delivery id"),
    ),
    responses(
        (status = 202, body = WebhookDelivery),
        Unauthorized,
        (status = 403, description = "Only sellers have webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook or delivery in the caller's shop", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
async fn redeliver(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let shop = seller_shop(&user)?;
    let (id, delivery_id) = path.into_inner();
    let now = state.clock.now();
    let delivery = state
        .db(move |c| {
            let endpoint = store::find_of_shop(c, &shop, &id)?;
            deliveries::redeliver(c, &endpoint.id, &delivery_id, now)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(WebhookDelivery::of(delivery)))
}
