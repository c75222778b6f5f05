//! `/complaints`: filing, role-scoped lists, the case with its timeline, every lifecycle
//! action and the dossier. Handlers extract, check the role, shape-check, and hand the
//! command to the rules (`domain::complaints`) through one transaction (`db::complaints`).
use super::dto::*;
use crate::api::{distinct_ids, time_page, validate_with, ApiJson};
use crate::auth::AuthUser;
use crate::db::complaints::{self as store, CaseRecord, ComplaintRow, Filing, ListFilter, Step};
use crate::db::{self, DbError};
use crate::domain::complaints::{
    allowed_actions, Action, Command, ComplaintStep, Resolution, StepRemedy,
};
use crate::domain::pagination::{self, TimeCursor};
use crate::domain::privacy::{normalize_phone, BuyerRefs};
use crate::domain::roles::Role;
use crate::error::{ApiResult, FieldError, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
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

/// The 409 of a lifecycle action the case's state does not allow (every action using it is a
/// moderator's, so seller-first routing applies).
#[derive(utoipa::IntoResponses)]
#[response(
    status = 409,
    description = "`invalid_transition`, with the caller's `allowed_actions`; `seller_acts_first`: a moderator's step on a seller case before the seller answered, stayed silent for 48 hours or the buyer escalated",
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
        .service(start_review)
        .service(change_track)
        .service(extend)
        .service(resolve)
        .service(accept)
        .service(appeal)
        .service(escalate)
        .service(withdraw)
        .service(external_escalation);
}

fn view(
    state: &AppState,
    row: &ComplaintRow,
    (user, refs): (&AuthUser, &BuyerRefs),
    names: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> ComplaintView {
    let name = |id: Option<&String>| id.and_then(|i| names.get(i)).map(String::as_str);
    let allowed = allowed_actions(&row.case(), user.role, now, &state.policy.complaints);
    ComplaintView::render(
        row,
        Reader::of(user, refs),
        Names {
            buyer: (name(Some(&row.buyer_id)).unwrap_or(""), None),
            assignee: name(row.assignee_id.as_ref()),
            resolver: name(row.resolved_by.as_ref()),
        },
        allowed,
        now,
    )
}

/// The case with the timeline the caller may see, from its one-hop read.
fn render(state: &AppState, record: CaseRecord, viewer: (&AuthUser, &BuyerRefs)) -> ComplaintView {
    let mut v = view(state, &record.row, viewer, &record.names, state.clock.now());
    v.timeline = Some(
        record
            .events
            .into_iter()
            .map(|e| EventView::render(e, Reader::of(viewer.0, viewer.1)))
            .collect(),
    );
    v
}

/// Reads a case the caller is party to (anything else is 404: existence is not revealed) and
/// renders it.
async fn read(state: &AppState, id: String, user: &AuthUser) -> ApiResult<ComplaintView> {
    let who = user.caller();
    let record = state.db(move |c| store::read_case(c, &id, &who)).await?;
    Ok(render(state, record, (user, &state.buyer_refs().await?)))
}

/// 404 unless the case exists for the caller; asked only when a body is refused, so that a
/// missing case answers 404 whatever was sent (see `ApiJson::after`).
async fn exists(state: &AppState, id: &str, user: &AuthUser) -> ApiResult<()> {
    let (id, who) = (id.to_string(), user.caller());
    state
        .db(move |c| match store::find(c, &id)? {
            Some(row) if who.is_party(row.parties()) => Ok(()),
            _ => Err(DbError::NotFound),
        })
        .await
}

/// Runs one lifecycle command and answers with the updated case.
async fn run(
    state: web::Data<AppState>,
    user: AuthUser,
    id: String,
    command: Command,
    data: ComplaintStep,
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
    // The step and the case as it now reads, in one hop.
    let record = state
        .db(move |c| {
            store::act(c, &id, &who, step, &policy, now)?;
            store::read_case(c, &id, &who)
        })
        .await?;
    let refs = state.buyer_refs().await?;
    Ok(web::Json(render(&state, record, (&user, &refs))))
}

impl FileComplaintRequest {
    /// The checks the derive cannot make: the trimmed description's length, a category that
    /// fits the target, a phone that normalises, distinct attachments. The normalised phone.
    fn check(&self, policy: &crate::policy::ComplaintPolicy) -> ApiResult<Option<String>> {
        let mut extra = Vec::new();
        if self.description.trim().chars().count() < policy.description_min_chars {
            extra.push(FieldError::new("description", "length"));
        }
        if !self.category.valid_for(self.target) {
            extra.push(FieldError::new("category", "not_for_target"));
        }
        let raw = self.contact.as_ref().and_then(|c| c.phone.as_deref());
        let phone = raw.and_then(normalize_phone);
        if raw.is_some() && phone.is_none() {
            extra.push(FieldError::new("contact.phone", "phone"));
        }
        extra.extend(distinct_ids(
            self.attachment_ids.as_deref().unwrap_or_default(),
        ));
        validate_with(self, extra)?;
        Ok(phone)
    }

    /// The checked form as storage files it; the contact defaults to the account's.
    fn filing(
        self,
        phone: Option<String>,
        account: &db::users::UserRow,
    ) -> Result<Filing, DbError> {
        let email = self.contact.as_ref().and_then(|c| c.email.clone());
        let details = FilingDetails {
            desired_resolution: self.desired_resolution,
            contact: ContactDetails {
                phone: phone.or_else(|| account.phone.clone()),
                email: email.or_else(|| Some(account.email.clone())),
            },
            involved_person: self.involved_person.map(|p| p.trim().to_string()),
            expected_at: self.expected_at.map(crate::clock::truncate),
            actual_at: self.actual_at.map(crate::clock::truncate),
            return_id: None,
        };
        Ok(Filing {
            order_id: self.order_id,
            target: self.target,
            category: self.category,
            description: self.description.trim().to_string(),
            details: serde_json::to_value(&details).map_err(|e| DbError::Other(e.to_string()))?,
            attachment_ids: self.attachment_ids.unwrap_or_default(),
        })
    }
}
