//! `/complaints`: filing, role-scoped lists, the case with its timeline, every lifecycle
//! action and the dossier. Handlers extract, check the role, shape-check, and hand the
//! command to the rules (`domain::complaints`) through one transaction (`db::complaints`).
use super::dto::*;
use crate::api::{distinct_ids, time_page, validate_with, ApiJson, Money};
use crate::auth::AuthUser;
use crate::db::complaints::{self as store, ComplaintRow, Filing, ListFilter, Scope, Step};
use crate::db::{self, DbConnection, DbError};
use crate::domain::complaints::{allowed_actions, Action, Command, Resolution};
use crate::domain::pagination::{self, TimeCursor};
use crate::domain::privacy::normalize_phone;
use crate::domain::roles::Role;
use crate::error::{ApiResult, ErrorCode, FieldError, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::HashMap;
use utoipa_actix_web::service_config::ServiceConfig;

/// The 404 of every case route: no such complaint, or the caller is no party to it (its
/// existence is not revealed).
#[derive(utoipa::IntoResponses)]
#[response(
    status = 404,
    description = "No such complaint, or the caller is not a party",
    content_type = "application/problem+json"
)]
#[allow(dead_code)] // Documents the response; errors are built from ApiError.
struct NotAParty(Problem);

/// The 409 of a lifecycle action the case's state does not allow.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 409,
    description = "`invalid_transition`, with the caller's `allowed_actions`",
    content_type = "application/problem+json"
)]
#[allow(dead_code)] // Documents the response; errors are built from ApiError.
struct WrongState(Problem);

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(file_complaint)
        .service(list_complaints)
        .service(get_complaint)
        .service(dossier)
        .service(post_message)
        .service(acknowledge)
        .service(respond)
        .service(request_info)
        .service(provide_info)
        .service(assign)
        .service(change_track)
        .service(extend)
        .service(resolve)
        .service(accept)
        .service(appeal)
        .service(escalate)
        .service(withdraw)
        .service(external_escalation);
}

fn reader(user: &AuthUser) -> Reader<'_> {
    Reader {
        role: user.role,
        id: &user.id,
    }
}

/// The names a view shows (buyer, assignee, resolver), in one query.
fn names_of(
    conn: &mut DbConnection,
    rows: &[ComplaintRow],
) -> Result<HashMap<String, String>, DbError> {
    let mut ids: Vec<&str> = Vec::new();
    for r in rows {
        ids.push(&r.buyer_id);
        ids.extend(r.assignee_id.as_deref());
        ids.extend(r.resolved_by.as_deref());
    }
    db::users::names(conn, &ids)
}

fn view(
    state: &AppState,
    row: &ComplaintRow,
    user: &AuthUser,
    names: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> ComplaintView {
    let name = |id: Option<&String>| id.and_then(|i| names.get(i)).map(String::as_str);
    let allowed = allowed_actions(&row.case(), user.role, now, &state.policy.complaints);
    ComplaintView::render(
        row,
        reader(user),
        Names {
            buyer: (name(Some(&row.buyer_id)).unwrap_or(""), None),
            assignee: name(row.assignee_id.as_ref()),
            resolver: name(row.resolved_by.as_ref()),
        },
        allowed,
        now,
    )
}

/// The case with the timeline the caller may see.
async fn detail(state: &AppState, row: ComplaintRow, user: &AuthUser) -> ApiResult<ComplaintView> {
    let internal = user.role == Role::Moderator;
    let id = row.id.clone();
    let rows = vec![row];
    let (rows, names, events) = state
        .db(move |c| {
            let names = names_of(c, &rows)?;
            let events = store::timeline(c, &id, internal)?;
            Ok((rows, names, events))
        })
        .await?;
    let now = state.clock.now();
    let mut v = view(state, &rows[0], user, &names, now);
    v.timeline = Some(
        events
            .into_iter()
            .map(|e| EventView::render(e, reader(user)))
            .collect(),
    );
    Ok(v)
}

/// Loads a case the caller is party to; anything else is 404 (existence is not revealed).
async fn visible(state: &AppState, id: String, user: &AuthUser) -> ApiResult<ComplaintRow> {
    let row = state
        .db(move |c| store::find(c, &id))
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if !user.caller().is_party(row.parties()) {
        return Err(ErrorCode::NotFound.into());
    }
    Ok(row)
}

/// 404 unless the case exists for the caller; asked only when a body is refused, so that a
/// missing case answers 404 whatever was sent (see `ApiJson::after`).
async fn exists(state: &AppState, id: &str, user: &AuthUser) -> ApiResult<()> {
    visible(state, id.to_string(), user).await.map(|_| ())
}

/// Runs one lifecycle command and answers with the updated case.
async fn run(
    state: web::Data<AppState>,
    user: AuthUser,
    id: String,
    command: Command,
    data: serde_json::Value,
    attachment_ids: Vec<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    let (policy, now, who) = (
        state.policy.complaints.clone(),
        state.clock.now(),
        user.caller(),
    );
    let step = Step {
        command,
        data,
        attachment_ids,
    };
    let row = state
        .db(move |c| store::act(c, &id, &who, step, &policy, now))
        .await?;
    Ok(web::Json(detail(&state, row, &user).await?))
}

/// File a complaint about the courier or the seller of one of the buyer's orders.
#[utoipa::path(
    tag = "complaints",
    request_body = FileComplaintRequest,
    responses(
        (status = 201, description = "Filed: number `C-YYYY-NNNNNN` and `sla` deadlines", body = ComplaintView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not a buyer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`complaint_already_open` for the same order, target and category", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (e.g. `category: not_for_target`, `description: length`), `order_not_delivered`, `complaint_window_closed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints")]
async fn file_complaint(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<FileComplaintRequest>,
) -> ApiResult<HttpResponse> {
    user.require(&[Role::Buyer])?;
    let req = body.into_inner()?;
    let policy = state.policy.complaints.clone();
    let description = req.description.trim().to_string();
    let mut extra = Vec::new();
    if description.chars().count() < policy.description_min_chars {
        extra.push(FieldError::new("description", "length"));
    }
    if !req.category.valid_for(req.target) {
        extra.push(FieldError::new("category", "not_for_target"));
    }
    let phone = match req.contact.as_ref().and_then(|c| c.phone.as_deref()) {
        Some(raw) => match normalize_phone(raw) {
            Some(p) => Some(p),
            None => {
                extra.push(FieldError::new("contact.phone", "phone"));
                None
            }
        },
        None => None,
    };
    let attachment_ids = req.attachment_ids.clone().unwrap_or_default();
    extra.extend(crate::api::distinct_ids(&attachment_ids));
    validate_with(&req, extra)?;
    let now = state.clock.now();
    let who = user.caller();
    let row = state
        .db(move |c| {
            // The contact defaults to the account's.
            let account = db::users::find(c, &who.id)?.ok_or(DbError::NotFound)?;
            let email = req.contact.as_ref().and_then(|c| c.email.clone());
            let details = FilingDetails {
                desired_resolution: req.desired_resolution,
                contact: ContactDetails {
                    phone: phone.or(account.phone),
                    email: email.or(Some(account.email)),
                },
                involved_person: req.involved_person.map(|p| p.trim().to_string()),
                expected_at: req.expected_at.map(crate::clock::truncate),
                actual_at: req.actual_at.map(crate::clock::truncate),
                return_id: None,
            };
            let filing = Filing {
                order_id: req.order_id,
                target: req.target,
                category: req.category,
                description,
                details: serde_json::to_value(&details)
                    .map_err(|e| DbError::Other(e.to_string()))?,
                attachment_ids,
            };
            store::file(c, &who, &filing, &policy, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(detail(&state, row, &user).await?))
}

/// The caller's complaints, newest first: a buyer's own, the seller cases of a seller's shop, all for moderators.
#[utoipa::path(
    tag = "complaints",
    params(ComplaintListQuery),
    responses(
        (status = 200, body = ComplaintPage),
        Unauthorized,
        (status = 403, description = "Service tokens cannot list complaints", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/complaints")]
async fn list_complaints(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ComplaintListQuery>,
) -> ApiResult<web::Json<ComplaintPage>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let q = query.into_inner();
    let (limit, cursor) = time_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let now = state.clock.now();
    let filter = ListFilter {
        status: q.status,
        target: q.target,
        category: q.category,
        overdue_at: q.overdue.filter(|o| *o).map(|_| now),
    };
    let (role, id, shop) = (user.role, user.id.clone(), user.shop_id.clone());
    let (rows, names) = state
        .db(move |c| {
            let scope = match role {
                Role::Buyer => Scope::Buyer(&id),
                Role::Seller => Scope::Shop(shop.as_deref().unwrap_or("")),
                _ => Scope::All,
            };
            let rows = store::list(c, scope, &filter, cursor.as_ref(), limit + 1)?;
            let names = names_of(c, &rows)?;
            Ok((rows, names))
        })
        .await?;
    let views: Vec<ComplaintView> = rows
        .iter()
        .map(|r| view(&state, r, &user, &names, now))
        .collect();
    let (items, next_cursor) = pagination::split_page(views, limit, |v| {
        TimeCursor {
            at: v.filed_at,
            id: v.id.clone(),
        }
        .encode()
    });
    Ok(web::Json(ComplaintPage { items, next_cursor }))
}

/// One case with its timeline (moderators also see internal events).
#[utoipa::path(
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Service tokens cannot read complaints", body = Problem, content_type = "application/problem+json"),
        NotAParty,
    ),
    security(("bearer" = []))
)]
#[get("/complaints/{id}")]
async fn get_complaint(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let row = visible(&state, path.into_inner(), &user).await?;
    Ok(web::Json(detail(&state, row, &user).await?))
}

/// The complete case file: parties, order, timeline, messages, evidence with SHA-256,
/// deadlines, breaches and external escalations.
#[utoipa::path(
    operation_id = "get_complaint_dossier",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = Dossier),
        Unauthorized,
        (status = 403, description = "Service tokens cannot read complaints", body = Problem, content_type = "application/problem+json"),
        NotAParty,
    ),
    security(("bearer" = []))
)]
#[get("/complaints/{id}/dossier")]
async fn dossier(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Dossier>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let row = visible(&state, path.into_inner(), &user).await?;
    let internal = user.role == Role::Moderator;
    let (order_id, shop_id, id) = (row.order_id.clone(), row.shop_id.clone(), row.id.clone());
    let (order, shop_name, evidence, breaches) = state
        .db(move |c| {
            let order = db::orders::find(c, &order_id)?.ok_or(DbError::NotFound)?;
            let shop_name = db::users::shop_name(c, &shop_id)?;
            let evidence = store::evidence(c, &id, internal)?;
            let breaches = store::breaches(c, &id)?;
            Ok((order, shop_name, evidence, breaches))
        })
        .await?;
    let complaint = detail(&state, row, &user).await?;
    let timeline = complaint.timeline.as_deref().unwrap_or_default();
    let messages = timeline
        .iter()
        .filter(|e| e.kind == "message")
        .cloned()
        .collect();
    let external_escalations = timeline
        .iter()
        .filter(|e| e.kind == "external_escalation")
        .map(|e| ExternalEscalationView {
            authority: e.data["authority"].as_str().unwrap_or_default().into(),
            reference: e.data["reference"].as_str().unwrap_or_default().into(),
            recorded_at: e.at,
        })
        .collect();
    let o = order.order;
    let parties = DossierParties {
        buyer: complaint.buyer.clone(),
        shop_id: o.shop_id.clone(),
        shop_name,
        courier_name: o.courier_name.clone(),
    };
    Ok(web::Json(Dossier {
        generated_at: state.clock.now(),
        parties,
        order: DossierOrder {
            items: order
                .items
                .into_iter()
                .map(|i| DossierOrderItem {
                    title: i.title,
                    product_id: i.product_id,
                    quantity: i.quantity,
                    unit_price: Money::kzt(i.unit_price),
                })
                .collect(),
            id: o.id,
            external_id: o.external_id,
            placed_at: crate::api::rfc3339(o.placed_at),
            delivery_type: o.delivery_type,
            courier_name: o.courier_name,
            promised_at: o.promised_at.map(crate::api::rfc3339),
            delivered_at: o.delivered_at.map(crate::api::rfc3339),
            status: o.status,
            total: Money::kzt(o.total_amount),
        },
        messages,
        evidence: evidence.into_iter().map(EvidenceView::from).collect(),
        breaches: breaches.into_iter().map(BreachView::from).collect(),
        external_escalations,
        complaint,
    }))
}

/// Post a message on the case; moderators may post internal notes (`internal: true`).
#[utoipa::path(
    operation_id = "post_complaint_message",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The case with the message on its timeline", body = ComplaintView),
        Unauthorized,
        (status = 403, description = "`forbidden`: service token, or an internal note by a non-moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (closed or withdrawn), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/messages")]
async fn post_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<MessageRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::PostMessage.roles())?;
    let id = path.into_inner();
    let req = body
        .after(
            |r| validate_with(r, distinct_ids(r.attachment_ids.as_deref().unwrap_or(&[]))),
            exists(&state, &id, &user),
        )
        .await?;
    let ids = req.attachment_ids.clone().unwrap_or_default();
    let data = json!({"body": req.body.trim(), "attachment_ids": ids});
    let cmd = Command::PostMessage {
        internal: req.internal,
    };
    run(state, user, id, cmd, data, ids).await
}

/// Acknowledge the complaint (the acceptance step, due 3 business days after filing).
#[utoipa::path(
    operation_id = "acknowledge_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (only a submitted case), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/acknowledge")]
async fn acknowledge(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Acknowledge.roles())?;
    run(
        state,
        user,
        path.into_inner(),
        Command::Acknowledge,
        json!({}),
        Vec::new(),
    )
    .await
}

/// The seller's response to a seller case (due 48 hours after filing; silence escalates).
#[utoipa::path(
    operation_id = "respond_to_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = RespondRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a seller", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (already responded, or decided), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/respond")]
async fn respond(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<RespondRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Respond.roles())?;
    let id = path.into_inner();
    let req = body
        .after(
            |r| validate_with(r, distinct_ids(r.attachment_ids.as_deref().unwrap_or(&[]))),
            exists(&state, &id, &user),
        )
        .await?;
    let ids = req.attachment_ids.clone().unwrap_or_default();
    let data = json!({"body": req.body.trim(), "proposed_resolution": req.proposed_resolution, "attachment_ids": ids});
    run(state, user, id, Command::Respond, data, ids).await
}

/// Ask the buyer for more information: `awaiting_buyer`, the resolution clock pauses.
#[utoipa::path(
    operation_id = "request_complaint_info",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = RequestInfoRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator or seller", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/request-info")]
async fn request_info(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<RequestInfoRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::RequestInfo.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = json!({"question": req.question.trim()});
    run(state, user, id, Command::RequestInfo, data, Vec::new()).await
}

/// The buyer's answer: back to `in_review`, the paused time is added to the deadline.
#[utoipa::path(
    operation_id = "provide_complaint_info",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ProvideInfoRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (nothing was asked), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/provide-info")]
async fn provide_info(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ProvideInfoRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::ProvideInfo.roles())?;
    let id = path.into_inner();
    let req = body
        .after(
            |r| validate_with(r, distinct_ids(r.attachment_ids.as_deref().unwrap_or(&[]))),
            exists(&state, &id, &user),
        )
        .await?;
    let ids = req.attachment_ids.clone().unwrap_or_default();
    let data = json!({"body": req.body.trim(), "attachment_ids": ids});
    run(state, user, id, Command::ProvideInfo, data, ids).await
}

/// Assign the case to a moderator (an internal event; `acknowledged` → `in_review`).
#[utoipa::path(
    operation_id = "assign_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = AssignRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (decided cases), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`moderator_id: not_a_moderator`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/assign")]
async fn assign(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<AssignRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Assign.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = json!({"moderator_id": req.moderator_id});
    let cmd = Command::Assign {
        moderator_id: req.moderator_id,
    };
    run(state, user, id, cmd, data, Vec::new()).await
}

/// Change the review track (`standard` 3 business days, `complex` 10 days, `expertise` 30
/// days from filing, plus paused time); the buyer is told the new deadline.
#[utoipa::path(
    operation_id = "change_complaint_track",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ChangeTrackRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed` (`track: unchanged`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/track")]
async fn change_track(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ChangeTrackRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::ChangeTrack.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = json!({"track": req.track, "reason": req.reason});
    run(
        state,
        user,
        id,
        Command::ChangeTrack(req.track),
        data,
        Vec::new(),
    )
    .await
}

/// Extend the resolution deadline, with a reason the buyer is told.
#[utoipa::path(
    operation_id = "extend_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ExtendRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed` (`resolve_by: not_later`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/extend")]
async fn extend(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ExtendRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Extend.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let resolve_by = crate::clock::truncate(req.resolve_by);
    let data = json!({"reason": req.reason.trim(), "resolve_by": resolve_by});
    run(
        state,
        user,
        id,
        Command::Extend { resolve_by },
        data,
        Vec::new(),
    )
    .await
}

/// Decide the case: outcome, remedy and a written explanation. The buyer may accept, or
/// appeal once within 14 days; an appeal is decided by another moderator.
#[utoipa::path(
    operation_id = "resolve_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ResolveRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator; `appeal_needs_another_moderator`", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (not acknowledged yet, awaiting the buyer, decided), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`remedy.amount: required|not_allowed|exceeds_order_total`, `remedy.kind: rejected_needs_none`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/resolve")]
async fn resolve(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ResolveRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Resolve.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = json!({
        "outcome": req.outcome, "remedy": {"kind": req.remedy.kind, "amount": req.remedy.amount},
        "explanation": req.explanation.trim(),
    });
    let cmd = Command::Resolve(Resolution {
        outcome: req.outcome,
        remedy: req.remedy.kind,
        amount: req.remedy.amount,
    });
    run(state, user, id, cmd, data, Vec::new()).await
}

/// The buyer accepts the decision: `closed`.
#[utoipa::path(
    operation_id = "accept_complaint_decision",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (not resolved), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/accept")]
async fn accept(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Accept.roles())?;
    run(
        state,
        user,
        path.into_inner(),
        Command::Accept,
        json!({}),
        Vec::new(),
    )
    .await
}

/// Appeal the decision once, within 14 days: `reopened`, decided by another moderator.
#[utoipa::path(
    operation_id = "appeal_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = AppealRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`already_appealed`; `invalid_transition` (not resolved), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `appeal_window_closed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/appeal")]
async fn appeal(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<AppealRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Appeal.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = json!({"reason": req.reason.trim()});
    run(state, user, id, Command::Appeal, data, Vec::new()).await
}

/// Escalate to the moderators after 2 business days without a public reply (once).
#[utoipa::path(
    operation_id = "escalate_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`already_escalated`; `invalid_transition`, with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`escalation_not_yet_allowed`, with `available_at`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/escalate")]
async fn escalate(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Escalate.roles())?;
    let data = json!({"reason": "no_public_reply"});
    run(
        state,
        user,
        path.into_inner(),
        Command::Escalate,
        data,
        Vec::new(),
    )
    .await
}

/// Withdraw the complaint before it is decided.
#[utoipa::path(
    operation_id = "withdraw_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (decided), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/withdraw")]
async fn withdraw(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Withdraw.roles())?;
    run(
        state,
        user,
        path.into_inner(),
        Command::Withdraw,
        json!({}),
        Vec::new(),
    )
    .await
}

/// Record that the buyer took the decided case to an outside authority.
#[utoipa::path(
    operation_id = "record_external_escalation",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ExternalEscalationRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (no final decision yet), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/external-escalations")]
async fn external_escalation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ExternalEscalationRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::RecordExternalEscalation.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = json!({"authority": req.authority, "reference": req.reference.trim()});
    let cmd = Command::RecordExternalEscalation;
    run(state, user, id, cmd, data, Vec::new()).await
}
