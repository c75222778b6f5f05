use super::dto::*;
use crate::auth::AuthUser;
use crate::db;
use crate::domain::pagination::{self, encode_id_cursor};
use crate::error::{ApiResult, Problem, Unauthorized};
use crate::i18n::Lang;
use crate::state::AppState;
use actix_web::{get, post, web, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(read_all).service(read_one);
}

fn lang(req: &HttpRequest) -> Lang {
    Lang::from_accept_language(
        req.headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// The caller's in-app feed, newest first.
#[utoipa::path(
    operation_id = "list_notifications",
    tag = "notifications",
    params(NotificationQuery),
    responses(
        (status = 200, body = NotificationPage),
        Unauthorized,
        (status = 422, description = "Bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/notifications")]
async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<NotificationQuery>,
) -> ApiResult<web::Json<NotificationPage>> {
    let q = query.into_inner();
    let (limit, before) = crate::api::id_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let unread_only = q.unread.unwrap_or(false);
    let (rows, unread_count) = state
        .db(move |c| {
            let rows =
                db::notifications::list(c, &user.id, unread_only, before.as_deref(), limit + 1)?;
            Ok((rows, db::notifications::unread_count(c, &user.id)?))
        })
        .await?;
    let lang = lang(&req);
    let views = rows
        .into_iter()
        .map(|r| NotificationView::render(r, lang, &state.policy))
        .collect();
    let (items, next_cursor) =
        pagination::split_page(views, limit, |n: &NotificationView| encode_id_cursor(&n.id));
    Ok(web::Json(NotificationPage {
        items,
        next_cursor,
        unread_count,
    }))
}

/// Mark one notification read.
#[utoipa::path(
    operation_id = "mark_notification_read",
    tag = "notifications",
    params(("id" = String, Path, description = "Notification id")),
    responses(
        (status = 200, body = NotificationView),
        Unauthorized,
        (status = 404, description = "Not the caller's notification", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/notifications/{id}/read")]
async fn read_one(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<web::Json<NotificationView>> {
    let id = path.into_inner();
    let now = state.clock.now();
    let row = state
        .db(move |c| db::notifications::mark_read(c, &user.caller(), &id, now))
        .await?;
    Ok(web::Json(NotificationView::render(
        row,
        lang(&req),
        &state.policy,
    )))
}

/// Mark every notification of the caller read.
#[utoipa::path(
    operation_id = "mark_all_notifications_read",
    tag = "notifications",
    responses(
        (status = 200, body = ReadAllResult),
        Unauthorized,
    ),
    security(("bearer" = []))
)]
#[post("/notifications/read-all")]
async fn read_all(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<ReadAllResult>> {
    let now = state.clock.now();
    let marked = state
        .db(move |c| db::notifications::mark_all_read(c, &user.id, now))
        .await?;
    Ok(web::Json(ReadAllResult { marked }))
}
