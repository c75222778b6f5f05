//! `/returns` and the courier's pickup scan: requesting, role-scoped lists, the return with its
//! timeline, and every lifecycle action. Handlers check the role and the payload's shape and hand
//! the command to the rules (`domain::returns`) through one transaction (`db::returns`).
use super::dto::*;
use crate::api::complaints::dto::{EvidenceView, Reader};
use crate::api::{time_page, validate_with, ApiJson};
use crate::auth::AuthUser;
use crate::db;
use crate::db::returns::{
    self as store, ListFilter, People, Policies, Request, ReturnRecord, ReturnRow, Step,
};
use crate::domain::pagination::{self, TimeCursor};
use crate::domain::privacy::BuyerRefs;
use crate::domain::returns::{allowed_actions, Action, Command, Line, ReturnStepData, StepAmount};
use crate::domain::roles::Role;
use crate::error::{ApiResult, FieldError, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use utoipa_actix_web::service_config::ServiceConfig;

/// The 404 of every return route: no such return, or the caller is no party to it.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 404,
    description = "No such return, or the caller is not a party",
    content_type = "application/problem+json"
)]
#[allow(dead_code)] // Documents the response; errors are built from ApiError.
struct NotAParty(Problem);

/// The 409 of an action the return's state does not allow.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 409,
    description = "`invalid_transition`, with the caller's `allowed_actions`",
    content_type = "application/problem+json"
)]
#[allow(dead_code)] // Documents the response; errors are built from ApiError.
struct WrongState(Problem);

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(request_return)
        .service(list_returns)
        .service(get_return)
        .service(approve)
        .service(reject)
        .service(dispute)
        .service(schedule_pickup)
        .service(refund)
        .service(cancel)
        .service(picked_up);
}

fn view(
    row: &ReturnRow,
    lines: &HashMap<String, Vec<db::returns::ItemLine>>,
    people: &People,
    (user, refs): (&AuthUser, &BuyerRefs),
    now: DateTime<Utc>,
) -> ReturnView {
    let allowed = allowed_actions(&row.state(), user.role, now);
    let empty = Vec::new();
    let items = lines.get(&row.id).unwrap_or(&empty);
    ReturnView::render(row, items, Reader::of(user, refs), people, allowed, now)
}

/// The return with its timeline, evidence and breaches.
fn detail(state: &AppState, d: ReturnRecord, (user, refs): (&AuthUser, &BuyerRefs)) -> ReturnView {
    let mut v = view(&d.row, &d.lines, &d.people, (user, refs), state.clock.now());
    let reader = Reader::of(user, refs);
    v.timeline = Some(
        d.events
            .into_iter()
            .map(|e| ReturnEventView::render(e, reader))
            .collect(),
    );
    v.evidence = Some(
        d.evidence
            .into_iter()
            .map(|a| EvidenceView::render(a, reader, &d.row.buyer_id))
            .collect(),
    );
    v.breaches = Some(d.breaches.into_iter().map(ReturnBreachView::from).collect());
    v
}

/// 404 unless the return exists for the caller; asked only when a body is refused (see
/// `ApiJson::after`).
async fn exists(state: &AppState, id: &str, user: &AuthUser) -> ApiResult<()> {
    let (id, who) = (id.to_string(), user.caller());
    state
        .db(move |c| store::find_visible(c, &id, &who).map(|_| ()))
        .await
}

/// Runs one lifecycle command and answers with the updated return. The role is checked first
/// (403), then the party (404), then the state (409).
async fn run(
    state: web::Data<AppState>,
    user: AuthUser,
    id: String,
    command: Command,
    data: ReturnStepData,
    attachment_ids: Vec<String>,
) -> ApiResult<web::Json<ReturnView>> {
    user.require(command.action().roles())?;
    let (returns, complaints) = (
        state.policy.returns.clone(),
        state.policy.complaints.clone(),
    );
    let (now, who) = (state.clock.now(), user.caller());
    let step = Step {
        command,
        data,
        attachment_ids,
    };
    let d = state
        .db(move |c| {
            let policies = Policies {
                returns: &returns,
                complaints: &complaints,
            };
            let row = store::act(c, &id, &who, step, policies, now)?;
            store::read_record(c, row)
        })
        .await?;
    let refs = state.buyer_refs().await?;
    Ok(web::Json(detail(&state, d, (&user, &refs))))
}

/// Request a return of delivered items of one of the buyer's orders.
#[utoipa::path(
    tag = "returns",
    request_body = RequestReturnRequest,
    responses(
        (status = 201, description = "Requested: number `R-YYYY-NNNNNN`, `window_until`, `seller_decide_by`", body = ReturnView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not a buyer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (e.g. `items[0].quantity: exceeds_available`, `items[0].order_item_id: not_in_order`, `attachment_ids: photo_required`), `order_not_delivered`, `return_window_closed`, `return_reason_excluded`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/returns")]
async fn request_return(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<RequestReturnRequest>,
) -> ApiResult<HttpResponse> {
    user.require(&[Role::Buyer])?;
    let req = body.into_inner()?;
    let attachment_ids = req.attachment_ids.clone().unwrap_or_default();
    validate_with(&req, crate::api::distinct_ids(&attachment_ids))?;
    let request = Request {
        order_id: req.order_id,
        lines: req
            .items
            .into_iter()
            .map(|l| Line {
                order_item_id: l.order_item_id,
                quantity: l.quantity,
            })
            .collect(),
        reason: req.reason,
        description: req
            .description
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty()),
        attachment_ids,
    };
    let (policy, now, who) = (
        state.policy.returns.clone(),
        state.clock.now(),
        user.caller(),
    );
    let d = state
        .db(move |c| {
            let row = store::request(c, &who, &request, &policy, now)?;
            store::read_record(c, row)
        })
        .await?;
    let refs = state.buyer_refs().await?;
    Ok(HttpResponse::Created().json(detail(&state, d, (&user, &refs))))
}

/// The caller's returns, newest first: a buyer's own, a seller's shop's, all for moderators.
#[utoipa::path(
    tag = "returns",
    params(ReturnListQuery),
    responses(
        (status = 200, body = ReturnPage),
        Unauthorized,
        (status = 403, description = "Service tokens cannot list returns", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/returns")]
async fn list_returns(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ReturnListQuery>,
) -> ApiResult<web::Json<ReturnPage>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let q = query.into_inner();
    let (limit, cursor) = time_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let now = state.clock.now();
    let filter = ListFilter {
        status: q.status,
        reason: q.reason,
        order_id: q.order_id,
        overdue_at: q.overdue.filter(|o| *o).map(|_| now),
    };
    let caller = user.caller();
    let (rows, lines, people) = state
        .db(move |c| {
            let rows = store::list(c, caller.scope(), &filter, cursor.as_ref(), limit + 1)?;
            let (lines, people) = store::decorate(c, &rows)?;
            Ok((rows, lines, people))
        })
        .await?;
    let refs = state.buyer_refs().await?;
    let views: Vec<ReturnView> = rows
        .iter()
        .map(|r| view(r, &lines, &people, (&user, &refs), now))
        .collect();
    let (items, next_cursor) = pagination::split_page(views, limit, |v| {
        TimeCursor {
            at: v.requested_at,
            id: v.id.clone(),
        }
        .encode()
    });
    Ok(web::Json(ReturnPage { items, next_cursor }))
}

/// One return with its timeline, evidence and breaches.
#[utoipa::path(
    tag = "returns",
    params(("id" = String, Path, description = "Return id")),
    responses(
        (status = 200, body = ReturnView),
        Unauthorized,
        (status = 403, description = "Service tokens cannot read returns", body = Problem, content_type = "application/problem+json"),
        NotAParty,
    ),
    security(("bearer" = []))
)]
#[get("/returns/{id}")]
async fn get_return(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ReturnView>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let (id, who) = (path.into_inner(), user.caller());
    let d = state
        .db(move |c| {
            let row = store::find_visible(c, &id, &who)?;
            store::read_record(c, row)
        })
        .await?;
    let refs = state.buyer_refs().await?;
    Ok(web::Json(detail(&state, d, (&user, &refs))))
}

/// Approve: the shop's seller while requested; a moderator once the seller's silence escalated
/// it, or to overturn a disputed rejection once its dispute is closed or withdrawn.
#[utoipa::path(
    operation_id = "approve_return",
    tag = "returns",
    params(("id" = String, Path, description = "Return id")),
    responses(
        (status = 200, body = ReturnView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not a seller or moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` with the caller's `allowed_actions`; `return_under_dispute`: a moderator decides a disputed rejection through its dispute complaint until that is closed or withdrawn", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/returns/{id}/approve")]
async fn approve(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ReturnView>> {
    let id = path.into_inner();
    let data = ReturnStepData::Approved {};
    run(state, user, id, Command::Approve, data, vec![]).await
}

/// Reject with a reason code and an explanation for the buyer (a moderator may too once the
/// return was escalated); the buyer may dispute within 14 days.
#[utoipa::path(
    operation_id = "reject_return",
    tag = "returns",
    params(("id" = String, Path, description = "Return id")),
    request_body = RejectReturnRequest,
    responses(
        (status = 200, body = ReturnView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not a seller or moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/returns/{id}/reject")]
async fn reject(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<RejectReturnRequest>,
) -> ApiResult<web::Json<ReturnView>> {
    user.require(Action::Reject.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, vec![]), exists(&state, &id, &user))
        .await?;
    let data = ReturnStepData::Rejected {
        reason_code: req.reason_code,
        explanation: req.explanation.trim().into(),
    };
    run(
        state,
        user,
        id,
        Command::Reject(req.reason_code),
        data,
        vec![],
    )
    .await
}

/// Dispute a rejection (once, within 14 days): opens a linked `return_refused` complaint in the
/// same transaction; a moderator upholding it approves the return.
#[utoipa::path(
    operation_id = "dispute_return",
    tag = "returns",
    params(("id" = String, Path, description = "Return id")),
    request_body = DisputeReturnRequest,
    responses(
        (status = 200, description = "Disputed: `complaint_id` names the new complaint", body = ReturnView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (not rejected) with `allowed_actions`, `already_disputed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`explanation: length`, at least 20 characters), `dispute_window_closed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/returns/{id}/dispute")]
async fn dispute(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<DisputeReturnRequest>,
) -> ApiResult<web::Json<ReturnView>> {
    user.require(Action::Dispute.roles())?;
    let id = path.into_inner();
    let min_chars = state.policy.complaints.description_min_chars;
    let check = |r: &DisputeReturnRequest| {
        let mut extra = crate::api::distinct_ids(r.attachment_ids.as_deref().unwrap_or(&[]));
        if r.explanation.trim().chars().count() < min_chars {
            extra.push(FieldError::new("explanation", "length"));
        }
        validate_with(r, extra)
    };
    let req = body.after(check, exists(&state, &id, &user)).await?;
    let explanation = req.explanation.trim().to_string();
    let attachment_ids = req.attachment_ids.clone().unwrap_or_default();
    // The disputing complaint's id and number are added once it is filed.
    let data = ReturnStepData::Disputed {
        explanation,
        attachment_ids: attachment_ids.clone(),
        complaint_id: None,
        complaint_number: None,
    };
    run(state, user, id, Command::Dispute, data, attachment_ids).await
}

/// Schedule (or move) the courier's pickup of an approved return.
#[utoipa::path(
    operation_id = "schedule_return_pickup",
    tag = "returns",
    params(("id" = String, Path, description = "Return id")),
    request_body = SchedulePickupRequest,
    responses(
        (status = 200, body = ReturnView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not the seller or a service token", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed` (`pickup_at: in_past`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/returns/{id}/schedule-pickup")]
async fn schedule_pickup(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<SchedulePickupRequest>,
) -> ApiResult<web::Json<ReturnView>> {
    user.require(Action::SchedulePickup.roles())?;
    let id = path.into_inner();
    let req = body.after(|_| Ok(()), exists(&state, &id, &user)).await?;
    let at = crate::clock::truncate(req.pickup_at);
    let command = Command::SchedulePickup { at };
    let data = ReturnStepData::PickupScheduled { pickup_at: at };
    run(state, user, id, command, data, vec![]).await
}

/// Record the refund of picked-up items: at most what was paid for them; due within 1 hour
/// of the pickup scan (a later refund is recorded with a breach).
#[utoipa::path(
    operation_id = "refund_return",
    tag = "returns",
    params(("id" = String, Path, description = "Return id")),
    request_body = RefundRequest,
    responses(
        (status = 200, body = ReturnView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not the seller or a service token", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed` (`amount: range`, `amount: exceeds_paid`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/returns/{id}/refund")]
async fn refund(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<RefundRequest>,
) -> ApiResult<web::Json<ReturnView>> {
    user.require(Action::Refund.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, vec![]), exists(&state, &id, &user))
        .await?;
    let data = ReturnStepData::Refunded {
        amount: StepAmount::kzt(req.amount),
    };
    run(
        state,
        user,
        id,
        Command::Refund { amount: req.amount },
        data,
        vec![],
    )
    .await
}

/// Cancel by the buyer, before the courier picked the items up.
#[utoipa::path(
    operation_id = "cancel_return",
    tag = "returns",
    params(("id" = String, Path, description = "Return id")),
    responses(
        (status = 200, body = ReturnView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
    ),
    security(("bearer" = []))
)]
#[post("/returns/{id}/cancel")]
async fn cancel(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ReturnView>> {
    let id = path.into_inner();
    let data = ReturnStepData::Cancelled {};
    run(state, user, id, Command::Cancel, data, vec![]).await
}

/// The courier's pickup scan (role `service`): the refund becomes due 1 hour after `at`.
#[utoipa::path(
    operation_id = "record_return_pickup",
    tag = "integration",
    params(("id" = String, Path, description = "Return id")),
    request_body = PickedUpRequest,
    responses(
        (status = 200, body = ReturnView),
        Unauthorized,
        (status = 403, description = "Not a service token", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed` (`at: in_future`, `at: before_approval`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/integration/returns/{id}/picked-up")]
async fn picked_up(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<PickedUpRequest>,
) -> ApiResult<web::Json<ReturnView>> {
    user.require(Action::PickUp.roles())?;
    let id = path.into_inner();
    let req = body.after(|_| Ok(()), exists(&state, &id, &user)).await?;
    let at = crate::clock::truncate(req.at);
    run(
        state,
        user,
        id,
        Command::PickUp { at },
        // Whether the pickup was scheduled is added with the scan.
        ReturnStepData::PickedUp {
            at,
            pickup_scheduled: None,
        },
        vec![],
    )
    .await
}
