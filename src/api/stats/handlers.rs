//! `GET /shops/{shop_id}/stats`: a shop's figures over a window, as JSON or CSV.
use crate::auth::AuthUser;
use crate::db;
use crate::db::stats::series::SeriesAsk;
use crate::db::stats::shop::Targets;
use crate::domain::roles::Role;
use crate::domain::stats::figures::{ModerationStats, ShopStats};
use crate::domain::stats::series::Interval;
use crate::domain::stats::Window;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(shop_stats).service(moderation_stats);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Start of the window, included (RFC 3339); 90 days before `to` when absent.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub from: Option<DateTime<Utc>>,
    /// End of the window, excluded (RFC 3339); now when absent. At most 366 days after
    /// `from`.
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// One point of `series` per `day` or per `week` (Monday first); `week` when absent.
    #[param(value_type = Option<crate::domain::stats::series::Interval>)]
    pub interval: Option<String>,
    /// A product whose published reviews `series.product` charts too.
    #[param(example = "P-KETTLE")]
    pub product_id: Option<String>,
}

/// The figures as `metric,dimension,value` rows.
#[derive(ToSchema)]
#[schema(value_type = String)]
#[allow(dead_code)] // Documents the CSV body; the handler writes it.
pub struct StatsCsv(String);

/// Whether the caller asked for CSV rather than JSON.
fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"))
}

/// The figures as the caller asked: JSON, or `Accept: text/csv` rows of the same document.
fn respond(req: &HttpRequest, figures: &impl serde::Serialize) -> ApiResult<HttpResponse> {
    if !wants_csv(req) {
        return Ok(HttpResponse::Ok().json(figures));
    }
    let doc = serde_json::to_value(figures)
        .map_err(|e| ApiError::internal(format!("stats not serialisable: {e}")))?;
    let text =
        super::csv::render(&doc).map_err(|e| ApiError::internal(format!("stats CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .body(text))
}

/// A shop's figures over `[from, to)`: ratings, reviews and replies, conversations,
/// complaints and returns with their deadlines kept. The README ("Seller analytics") says
/// what each figure counts.
#[utoipa::path(
    operation_id = "get_shop_stats",
    tag = "analytics",
    params(("shop_id" = String, Path, description = "Shop id"), StatsQuery, SeriesQuery),
    responses(
        (status = 200, description = "The figures; `Accept: text/csv` gives them as `metric,dimension,value` rows", content(
            (ShopStats = "application/json"), (StatsCsv = "text/csv"),
        )),
        Unauthorized,
        (status = 404, description = "No such shop, or not the caller's (only its sellers and moderators see it)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `from` not before `to` (`not_before_to`), a window over 366 days (`window_too_long`), a malformed instant, or an `interval` other than `day`/`week` (`interval: invalid`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/shops/{shop_id}/stats")]
async fn shop_stats(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<StatsQuery>,
    series: web::Query<SeriesQuery>,
) -> ApiResult<HttpResponse> {
    let shop_id = path.into_inner();
    let series = series.into_inner();
    let ask = SeriesAsk {
        interval: Interval::from_param(series.interval.as_deref())
            .map_err(|(f, c)| ApiError::field(f, c))?,
        product_id: series.product_id,
    };
    // Anyone but the shop's sellers and the moderators is told the shop has no figures.
    let sees = match user.role {
        Role::Moderator => true,
        Role::Seller => user.shop_id.as_deref() == Some(shop_id.as_str()),
        _ => false,
    };
    if !sees {
        return Err(ErrorCode::NotFound.into());
    }
    let now = state.clock.now();
    let q = query.into_inner();
    let window = Window::resolve(q.from, q.to, now).map_err(|(f, c)| ApiError::field(f, c))?;
    let targets = Targets::of(&state.policy);
    // Figures over a window, a second stale at most: the replica's kind of read.
    let stats: ShopStats = state
        .read_replica(move |c| {
            if !db::users::shop_exists(c, &shop_id)? {
                return Err(db::DbError::NotFound);
            }
            db::stats::shop::shop_stats(c, &shop_id, window, &targets, &ask, now)
        })
        .await?;
    respond(&req, &stats)
}

/// The moderators' dashboard: the queue now (open and overdue items by kind), and over
/// `[from, to)` the decisions made by their deadline, per kind and per moderator, and how
/// often an appeal reversed a removal.
#[utoipa::path(
    operation_id = "get_moderation_stats",
    tag = "analytics",
    params(StatsQuery),
    responses(
        (status = 200, description = "The figures; `Accept: text/csv` gives them as `metric,dimension,value` rows", content(
            (ModerationStats = "application/json"), (StatsCsv = "text/csv"),
        )),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `from` not before `to`, a window over 366 days, or a malformed instant", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/moderation/stats")]
async fn moderation_stats(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<StatsQuery>,
) -> ApiResult<HttpResponse> {
    user.require(&[Role::Moderator])?;
    let now = state.clock.now();
    let q = query.into_inner();
    let window = Window::resolve(q.from, q.to, now).map_err(|(f, c)| ApiError::field(f, c))?;
    let stats = state
        .db(move |c| db::stats::moderation::moderation_stats(c, window, now))
        .await?;
    respond(&req, &stats)
}
