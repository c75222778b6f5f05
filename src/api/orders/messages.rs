//! `GET/POST /orders/{id}/messages`: the buyer ↔ seller conversation of an order, with
//! attachments, a cursor, and the seller's reply clock (24 h target, 48 h limit).
use crate::api::complaints::dto::{person, PersonView, Reader};
use crate::api::orders::handlers::order_exists;
use crate::api::{rfc3339, time_page, validate_with, ApiJson};
use crate::auth::AuthUser;
use crate::db::messages::{self as store, MessageRecord};
use crate::domain::pagination::{self, TimeCursor};
use crate::domain::roles::Role;
use crate::error::{ApiResult, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_messages).service(post_message);
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderMessageRequest {
    #[validate(length(min = 1, max = 5000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
    /// Files the author uploaded (photos, video, PDF).
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub attachment_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageListQuery {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderMessageView {
    pub id: String,
    pub order_id: String,
    /// The buyer appears to sellers as first name + initial, with `ref` instead of `id`.
    pub author: PersonView,
    pub body: String,
    pub attachment_ids: Vec<String>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
}

/// The seller's answer owed to the buyer, if any.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyClockView {
    /// The buyer's earliest message still unanswered.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub awaiting_since: Option<DateTime<Utc>>,
    /// 24 hours after it: the target.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub target_by: Option<DateTime<Utc>>,
    /// 48 hours after it: the limit; missing it is recorded as a breach.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub due_by: Option<DateTime<Utc>>,
    pub overdue: bool,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub last_reply_at: Option<DateTime<Utc>>,
    /// Reply deadlines missed so far (`reply_target`, `reply_limit`), oldest first.
    pub breaches: Vec<OrderBreachView>,
}

/// A missed deadline of an order's conversation or failed delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderBreachView {
    /// `reply_target`, `reply_limit` or `failed_delivery_refund`.
    pub sla: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub due_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub recorded_at: DateTime<Utc>,
}

impl OrderBreachView {
    pub fn of(rows: Vec<crate::db::orders::OrderBreachRow>, slas: &[&str]) -> Vec<Self> {
        rows.into_iter()
            .filter(|b| slas.contains(&b.sla.as_str()))
            .map(|b| OrderBreachView {
                sla: b.sla,
                due_at: rfc3339(b.due_at),
                recorded_at: rfc3339(b.recorded_at),
            })
            .collect()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderMessagePage {
    /// Newest first.
    pub items: Vec<OrderMessageView>,
    pub next_cursor: Option<String>,
    pub reply: ReplyClockView,
}

fn render(m: MessageRecord, reader: Reader) -> OrderMessageView {
    OrderMessageView {
        author: person(
            reader,
            &m.message.author_role,
            Some(&m.message.author_id),
            Some(&m.author_name),
        ),
        id: m.message.id,
        order_id: m.message.order_id,
        body: m.message.body,
        attachment_ids: m.attachment_ids,
        created_at: rfc3339(m.message.created_at),
    }
}

/// The conversation, newest first, with the seller's reply clock. Moderators read it.
#[utoipa::path(
    operation_id = "list_order_messages",
    tag = "orders",
    params(("id" = String, Path, description = "Order id"), MessageListQuery),
    responses(
        (status = 200, body = OrderMessagePage),
        Unauthorized,
        (status = 403, description = "Service tokens cannot read conversations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/orders/{id}/messages")]
async fn list_messages(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<MessageListQuery>,
) -> ApiResult<web::Json<OrderMessagePage>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let q = query.into_inner();
    let (limit, cursor) = time_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let (id, who) = (path.into_inner(), user.caller());
    let (records, thread, breaches) = state
        .db(move |c| {
            let order = store::order_for(c, &id, &who)?;
            let records = store::list(c, &order.id, cursor.as_ref(), limit + 1)?;
            let breaches = crate::db::orders::breaches(c, &order.id)?;
            Ok((records, store::thread(c, &order.id)?, breaches))
        })
        .await?;
    let now = state.clock.now();
    let refs = state.buyer_refs().await?;
    let reader = Reader::of(&user, &refs);
    let views: Vec<OrderMessageView> = records.into_iter().map(|m| render(m, reader)).collect();
    let (items, next_cursor) = pagination::split_page(views, limit, |m| {
        TimeCursor {
            at: m.created_at,
            id: m.id.clone(),
        }
        .encode()
    });
    let deadlines = thread.deadlines(&state.policy.messages);
    Ok(web::Json(OrderMessagePage {
        items,
        next_cursor,
        reply: ReplyClockView {
            awaiting_since: thread.awaiting_since,
            target_by: deadlines.map(|(t, _)| t),
            due_by: deadlines.map(|(_, d)| d),
            overdue: deadlines.is_some_and(|(_, d)| d < now),
            last_reply_at: thread.last_reply_at,
            breaches: OrderBreachView::of(breaches, &["reply_target", "reply_limit"]),
        },
    }))
}

/// Write to the other side of the order: the buyer to the shop, a seller of the shop to the
/// buyer. A buyer's message into an answered conversation starts the seller's reply clock.
#[utoipa::path(
    operation_id = "post_order_message",
    tag = "orders",
    params(("id" = String, Path, description = "Order id")),
    request_body = OrderMessageRequest,
    responses(
        (status = 201, body = OrderMessageView),
        Unauthorized,
        (status = 403, description = "`forbidden`: moderators read only; service tokens cannot write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`body: length`), `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/messages")]
async fn post_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<OrderMessageRequest>,
) -> ApiResult<HttpResponse> {
    user.require(&[Role::Buyer, Role::Seller])?;
    let (id, who, now) = (path.into_inner(), user.caller(), state.clock.now());
    let check = |r: &OrderMessageRequest| {
        validate_with(
            r,
            crate::api::distinct_ids(r.attachment_ids.as_deref().unwrap_or(&[])),
        )
    };
    let req = body
        .after(check, order_exists(&state, &id, &user, false))
        .await?;
    let text = req.body.trim().to_string();
    let attachment_ids = req.attachment_ids.clone().unwrap_or_default();
    let policy = state.policy.messages.clone();
    let record = state
        .db(move |c| store::post(c, &id, &who, &text, &attachment_ids, &policy, now))
        .await?;
    let refs = state.buyer_refs().await?;
    Ok(HttpResponse::Created().json(render(record, Reader::of(&user, &refs))))
}
