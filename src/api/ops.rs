//! Operations endpoints (no `/api/v1` prefix): liveness, readiness, metrics.
use crate::error::{ApiResult, Problem};
use crate::metrics::PoolGauges;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health).service(ready).service(metrics);
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/health")]
async fn health() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The database is reachable.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "`database_unavailable`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ready")]
async fn ready(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    // A probe with a short timeout must see an answer, not a hang: at most 800 ms for a
    // connection, whatever the pool timeout is.
    let db = state.db.clone();
    web::block(move || {
        db.run_within(std::time::Duration::from_millis(800), |c| {
            diesel::RunQueryDsl::execute(diesel::sql_query("SELECT 1"), c)?;
            Ok(())
        })
    })
    .await??;
    Ok(web::Json(Health { status: "ready" }))
}

/// Prometheus text exposition.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Prometheus metrics", content_type = "text/plain")))]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.db.pool.state();
    let gauges = PoolGauges {
        max: state.db.pool.max_size(),
        open: pool.connections,
        idle: pool.idle_connections,
    };
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&gauges))
}
