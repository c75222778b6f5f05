//! A failed delivery's follow-up: after the second failed attempt (`returned_to_seller`) the
//! buyer chooses a refund or a redelivery; a refund is due within 1 hour of the choice.
//! `POST /orders/{id}/delivery-failure/choice` (buyer) and `/refund` (seller, service).
use super::handlers::order_exists;
use super::messages::OrderBreachView;
use crate::api::{validate_with, ApiJson};
use crate::auth::AuthUser;
use crate::db::delivery_failures::{self as store, FailureRow};
use crate::db::orders::OrderBreachRow;
use crate::domain::delivery_failures::{Choice, Status};
use crate::domain::roles::Role;
use crate::error::{ApiResult, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(choose).service(refund);
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryFailureChoiceRequest {
    pub choice: Choice,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryFailureRefundRequest {
    /// Whole tenge; at most the order total.
    #[validate(range(min = 1, max = 1_000_000_000_000i64))]
    #[schema(minimum = 1, maximum = 1000000000000.0)]
    pub amount: i64,
}

/// The follow-up of an order that came back after two failed delivery attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryFailureView {
    pub order_id: String,
    pub status: Status,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub opened_at: DateTime<Utc>,
    pub choice: Option<Choice>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub chosen_at: Option<DateTime<Utc>>,
    /// 1 hour after a refund choice.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub refund_due_by: Option<DateTime<Utc>>,
    /// Once paid: the amount and when.
    pub refund: Option<crate::api::refund::Refund>,
    pub overdue: bool,
    /// `choose` (the buyer, until chosen) or `refund` (the seller and the integration).
    pub allowed_actions: Vec<String>,
    /// The refund hour missed (`failed_delivery_refund`), once recorded.
    pub breaches: Vec<OrderBreachView>,
}

impl DeliveryFailureView {
    pub fn render(
        row: &FailureRow,
        breaches: Vec<OrderBreachRow>,
        role: Role,
        now: DateTime<Utc>,
    ) -> Self {
        let f = row.state();
        let choice = match f.status {
            Status::AwaitingChoice => None,
            Status::RedeliveryRequested => Some(Choice::Redelivery),
            Status::RefundPending | Status::Refunded => Some(Choice::Refund),
        };
        let mut allowed = Vec::new();
        if f.status == Status::AwaitingChoice && role == Role::Buyer {
            allowed.push("choose".to_string());
        }
        if f.status == Status::RefundPending && matches!(role, Role::Seller | Role::Service) {
            allowed.push("refund".to_string());
        }
        DeliveryFailureView {
            order_id: row.order_id.clone(),
            status: f.status,
            opened_at: f.opened_at,
            choice,
            chosen_at: f.chosen_at,
            refund_due_by: f.refund_due_by,
            refund: crate::api::refund::Refund::of(f.refund_amount, f.refunded_at),
            overdue: f.due_at().is_some_and(|d| d < now),
            allowed_actions: allowed,
            breaches: OrderBreachView::of(breaches, &["failed_delivery_refund"]),
        }
    }
}

/// The buyer chooses a refund or a redelivery (once).
#[utoipa::path(
    operation_id = "choose_delivery_failure_remedy",
    tag = "orders",
    params(("id" = String, Path, description = "Order id")),
    request_body = DeliveryFailureChoiceRequest,
    responses(
        (status = 200, body = DeliveryFailureView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not a buyer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_chosen`; `invalid_transition` when the order did not come back", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/delivery-failure/choice")]
async fn choose(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<DeliveryFailureChoiceRequest>,
) -> ApiResult<web::Json<DeliveryFailureView>> {
    user.require(&[Role::Buyer])?;
    let (id, who, now) = (path.into_inner(), user.caller(), state.clock.now());
    let choice = body
        .after(|_| Ok(()), order_exists(&state, &id, &user, false))
        .await?
        .choice;
    let policy = state.policy.returns.clone();
    let (row, breaches) = state
        .db(move |c| {
            let row = store::choose(c, &id, &who, choice, &policy, now)?;
            Ok((row, crate::db::orders::breaches(c, &id)?))
        })
        .await?;
    Ok(web::Json(DeliveryFailureView::render(
        &row, breaches, user.role, now,
    )))
}

/// The seller or the payment integration records the refund; a refund after the 1-hour
/// deadline is recorded with a breach.
#[utoipa::path(
    operation_id = "refund_delivery_failure",
    tag = "orders",
    params(("id" = String, Path, description = "Order id")),
    request_body = DeliveryFailureRefundRequest,
    responses(
        (status = 200, body = DeliveryFailureView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not the seller or a service token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's shop's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: no refund is pending", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`amount: range`, `amount: exceeds_order_total`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/delivery-failure/refund")]
async fn refund(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<DeliveryFailureRefundRequest>,
) -> ApiResult<web::Json<DeliveryFailureView>> {
    user.require(&[Role::Seller, Role::Service])?;
    let (id, who, now) = (path.into_inner(), user.caller(), state.clock.now());
    let req = body
        .after(
            |r| validate_with(r, vec![]),
            order_exists(&state, &id, &user, true),
        )
        .await?;
    let (row, breaches) = state
        .db(move |c| {
            let row = store::refund(c, &id, &who, req.amount, now)?;
            Ok((row, crate::db::orders::breaches(c, &id)?))
        })
        .await?;
    Ok(web::Json(DeliveryFailureView::render(
        &row, breaches, user.role, now,
    )))
}
