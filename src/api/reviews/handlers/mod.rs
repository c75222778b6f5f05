//! The reviews' HTTP handlers, split by concept; shared here: the audience rule, rendering
//! and the existence check other areas use.
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

mod flags;
mod reading;
mod replies;
mod writing;
use flags::*;
use reading::*;
use replies::*;
use writing::*;

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
pub(super) fn audience(row: &ReviewRow, user: Option<&AuthUser>) -> Option<Audience> {
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

pub(super) fn text_of(t: Option<String>) -> Option<String> {
    t.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub(super) fn render(record: store::ReviewRecord, audience: Audience) -> ReviewView {
    ReviewView::render(record.row, &record.author_name, audience, record.versions)
}
