//! Operations endpoints (no `/api/v1` prefix): liveness, readiness, metrics.
use crate::error::{ApiResult, ErrorCode, Problem};
use crate::metrics::PoolGauges;
use crate::state::AppState;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{get, web, HttpRequest, HttpResponse};
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

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The read replica: `ok`, `lagging` (bypassed: behind more than `REPLICA_MAX_LAG_MS`),
    /// `down` (bypassed: unreachable) or `none` (not configured). Never fails the probe.
    #[schema(example = "ok")]
    pub replica: &'static str,
}

/// The database is reachable. The replica's state is reported, never a reason to fail.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Readiness),
        (status = 503, description = "`database_unavailable`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ready")]
async fn ready(state: web::Data<AppState>) -> ApiResult<web::Json<Readiness>> {
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
    let replica = state
        .replica
        .as_ref()
        .map_or("none", |r| r.state().as_str());
    Ok(web::Json(Readiness {
        status: "ready",
        replica,
    }))
}

/// Prometheus text exposition. With `METRICS_TOKEN` set, only for `Authorization: Bearer
/// <METRICS_TOKEN>`: route names, error rates and pool sizes tell an attacker what hurts.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "Prometheus metrics", content_type = "text/plain"),
    (status = 401, description = "`METRICS_TOKEN` is set and the request does not carry it", body = Problem, content_type = "application/problem+json"),
))]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    if let Some(expected) = &state.settings.metrics_token {
        let given = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same_secret(given, expected.expose()) {
            return Err(ErrorCode::Unauthenticated.into());
        }
    }
    let pool = state.db.pool.state();
    let gauges = PoolGauges {
        max: state.db.pool.max_size(),
        open: pool.connections,
        idle: pool.idle_connections,
    };
    if let Some(replica) = &state.replica {
        state.metrics.set_replica_lag_ms(replica.lag_ms());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&gauges)))
}

/// Compared as digests in constant time: neither the length nor a matching prefix of the
/// token shows in how long the answer takes.
fn same_secret(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    Sha256::digest(given.as_bytes())
        .ct_eq(&Sha256::digest(expected.as_bytes()))
        .into()
}
