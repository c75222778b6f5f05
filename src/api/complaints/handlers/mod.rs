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

mod filing;
mod lifecycle;
mod reading;
pub use filing::*;
pub use lifecycle::*;
pub use reading::*;

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
