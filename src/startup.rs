//! Wiring: state from settings, the application (used verbatim by the tests), the server.
use crate::api;
use crate::auth::jwt::JwtKeys;
use crate::clock::{Clock, SystemClock};
use crate::config::{LogFormat, Settings};
use crate::db::Db;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::Lang;
use crate::metrics::Metrics;
use crate::openapi::ApiDoc;
use crate::policy::Policy;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, ACCEPT_LANGUAGE};
use actix_web::{web, App, HttpMessage, HttpServer};
use futures_util::future::Either;
use std::sync::Arc;
use std::time::Instant;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Db(#[from] crate::db::DbError),
    #[error("JWT self-check failed: {0}")]
    Jwt(String),
    #[error("attachments store {0}")]
    Storage(String),
    #[error("configuration: {0}")]
    Config(String),
}

/// Opens the pool, checks signing works, prepares storage. Does not migrate.
pub fn build_state(settings: Settings, clock: Arc<dyn Clock>) -> Result<AppState, StartupError> {
    let db = Db::connect(
        settings.database_url.expose(),
        settings.pool_size,
        settings.pool_timeout,
    )?;
    let jwt = JwtKeys::new(
        settings.jwt_secret.expose().as_bytes(),
        &settings.jwt_issuer,
        &settings.jwt_audience,
    )
    .with_previous(
        settings
            .jwt_previous_secrets
            .iter()
            .map(|s| s.expose().as_bytes()),
    );
    jwt.self_check().map_err(StartupError::Jwt)?;
    let jwt_secrets: Vec<&str> = std::iter::once(&settings.jwt_secret)
        .chain(&settings.jwt_previous_secrets)
        .map(|s| s.expose())
        .collect();
    let previous_keys: Vec<&str> = settings
        .webhook_secrets_key_previous
        .iter()
        .map(|s| s.expose())
        .collect();
    let sealer = crate::sealing::Sealer::new(
        settings.webhook_secrets_key.as_ref().map(|k| k.expose()),
        &previous_keys,
        &jwt_secrets,
    )
    .map_err(|e| StartupError::Config(e.to_string()))?;
    let (settings_replica, pool_size, max_lag_ms) = (
        settings
            .replica_url
            .as_ref()
            .map(|u| u.expose().to_string()),
        settings.pool_size,
        settings.replica_max_lag_ms,
    );
    // Building a client contacts nothing: an unreachable store fails uploads, not the start.
    let attachments =
        crate::storage::Store::open(&settings.attachments_store).map_err(StartupError::Storage)?;
    let db_threads = crate::db::threads::DbThreads::new(settings.pool_size)
        .map_err(|e| StartupError::Config(format!("database threads: {e}")))?;
    let metrics = Metrics::default();
    let limits = crate::api::rate_limit::Limits::new(&settings, metrics.rate_limit_shared.clone())
        .map_err(StartupError::Config)?;
    Ok(AppState {
        db,
        db_threads: Arc::new(db_threads),
        hashing: Arc::new(crate::auth::hashing::Hashing::per_core()),
        trust: Arc::new(crate::auth::trust::Trust::default()),
        limits: Arc::new(limits),
        settings: Arc::new(settings),
        policy: Arc::new(Policy::default()),
        clock,
        jwt: Arc::new(jwt),
        metrics: Arc::new(metrics),
        sealer: Arc::new(sealer),
        buyer_refs: Arc::default(),
        replica: match &settings_replica {
            Some(url) => Some(crate::db::replica::Replica::start(
                url, pool_size, max_lag_ms,
            )?),
            None => None,
        },
        attachments,
    })
}

pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// The OpenAPI document of every registered route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(api::ops::configure)
        .configure(api::configure)
        .split_for_parts();
    crate::openapi::finish(doc)
}

fn lang_of(req: &ServiceRequest) -> Lang {
    Lang::from_accept_language(
        req.headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// Errors raised outside our handlers (actix internals) still leave as problem+json.
fn fallback_code(status: u16) -> ErrorCode {
    match status {
        400 => ErrorCode::MalformedRequest,
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::RouteNotFound,
        413 => ErrorCode::PayloadTooLarge,
        405 => ErrorCode::MethodNotAllowed,
        408 => ErrorCode::RequestTimeout,
        415 => ErrorCode::UnsupportedMediaType,
        503 => ErrorCode::DatabaseUnavailable,
        _ => ErrorCode::Internal,
    }
}

pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let metrics = state.metrics.clone();
    let json_limit = state.settings.json_max_bytes;
    let (app, doc) = App::new()
        .app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(json_limit))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|_, _| ApiError::field("query", "invalid").into()),
        )
        .app_data(
            web::PathConfig::default()
                .error_handler(|_, _| ApiError::from(ErrorCode::NotFound).into()),
        )
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(api::ops::configure)
        .configure(api::configure)
        .split_for_parts();
    // The finished document and its route table are the same for every app built (one per
    // worker, and one per integration test): made once.
    type Finished = (utoipa::openapi::OpenApi, Arc<api::routes::RouteTable>);
    static FINISHED: std::sync::OnceLock<Finished> = std::sync::OnceLock::new();
    let (doc, routes) = FINISHED.get_or_init(|| {
        let doc = crate::openapi::finish(doc);
        let routes = Arc::new(api::routes::RouteTable::from_doc(&doc));
        (doc, routes)
    });
    let (doc, routes) = (doc.clone(), web::Data::from(routes.clone()));
    app.app_data(routes)
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .url("/openapi.json", doc)
                // Swagger UI would otherwise send the document to an outside validator
                // (validator.swagger.io) from every browser that opens `/docs`.
                .config(utoipa_swagger_ui::Config::default().validator_url("none")),
        )
        .service(web::redirect("/docs", "/docs/"))
        .default_service(web::to(api::routes::fallback))
        // Control characters in the path or query never reach a handler or the database.
        .wrap_fn(|req, srv| {
            let refused = api::text::check_uri(req.uri());
            let fut = match refused {
                Ok(()) => Either::Left(srv.call(req)),
                Err(e) => Either::Right(std::future::ready(Ok(req.error_response(e)))),
            };
            async move { fut.await.map(ServiceResponse::map_into_boxed_body) }
        })
        .wrap(actix_web::middleware::from_fn(api::rate_limit::middleware))
        // Renders every error as problem+json in the caller's language, with the request id.
        .wrap_fn(|req, srv| {
            let lang = lang_of(&req);
            let request_id = req.extensions().get::<RequestId>().map(|r| r.to_string());
            let fut = srv.call(req);
            async move {
                // Inner middlewares answer errors as responses carrying them (never Err), so
                // that they pass through here.
                let res = fut.await?;
                let status = res.status();
                let rendered = match res.response().error() {
                    Some(err) => Some(match err.as_error::<ApiError>() {
                        Some(api) => api.render(lang, request_id.clone()),
                        None => ApiError::from(fallback_code(status.as_u16()))
                            .render(lang, request_id.clone()),
                    }),
                    None if status.as_u16() >= 400 && !is_problem(&res) => Some(
                        ApiError::from(fallback_code(status.as_u16()))
                            .render(lang, request_id.clone()),
                    ),
                    None => None,
                };
                let mut res = match rendered {
                    Some(new) => res.into_response(new.map_into_boxed_body()),
                    None => res.map_into_boxed_body(),
                };
                if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
                    res.headers_mut()
                        .insert(HeaderName::from_static("x-request-id"), id);
                }
                Ok(res)
            }
        })
        // Outside the error renderer: a replay returns the first response exactly as it was sent.
        .wrap(actix_web::middleware::from_fn(api::idempotency::middleware))
        // Before anything reads the body (the Idempotency-Key hash included): size and time.
        .wrap(actix_web::middleware::from_fn(api::body::middleware))
        // On every response, error answers and replays included.
        .wrap(actix_web::middleware::from_fn(
            api::security_headers::middleware,
        ))
        .wrap_fn(move |req, srv| {
            let started = Instant::now();
            let method = req.method().clone();
            let metrics = metrics.clone();
            let fut = srv.call(req);
            async move {
                let res = fut.await?;
                let route = res
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| "unmatched".into());
                let (status, elapsed) = (res.status(), started.elapsed().as_secs_f64());
                metrics.observe(method.as_str(), &route, status.as_str(), elapsed);
                let status = status.as_u16();
                // Inside TracingLogger's span, so the line carries the request id.
                tracing::info!(%method, %route, status, ms = elapsed * 1000.0, "request");
                Ok(res)
            }
        })
        .wrap(TracingLogger::default())
}

fn is_problem<B>(res: &ServiceResponse<B>) -> bool {
    res.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

pub fn init_tracing(format: LogFormat) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour only for a person at a terminal: files, pipes and log collectors get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    // try_init: a second call (tests, CLI subcommands) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Runs the deadline sweep every `SWEEP_INTERVAL_SECS` on the blocking pool; a failed pass
/// (database down, say) is logged and the next one tries again.
fn spawn_sweeper(state: AppState) {
    let every = state.settings.sweep_interval;
    if every.is_zero() {
        return;
    }
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(every);
        loop {
            ticks.tick().await;
            let s = state.clone();
            let pass = web::block(move || {
                let now = s.clock.now();
                s.db.run(|c| crate::jobs::sweeper::sweep_with_uploads(c, &s.policy, now))
            })
            .await;
            match pass {
                Ok(Ok((report, swept))) => {
                    crate::jobs::sweeper::remove_swept(&state.attachments, swept).await;
                    tracing::info!(?report, "sweep")
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "sweep failed"),
                Err(e) => tracing::warn!(error = %e, "sweep did not run"),
            }
        }
    });
}

/// Sends due webhook deliveries for the life of the process (see `jobs::dispatcher`).
fn spawn_dispatcher(state: &AppState) {
    let every = state.settings.dispatch_interval;
    if every.is_zero() {
        return;
    }
    match crate::jobs::dispatcher::Dispatcher::new(state) {
        Ok(dispatcher) => {
            actix_web::rt::spawn(Arc::new(dispatcher).run(every));
        }
        // The pool opens lazily; this is a bad URL, which the service's own pool refused first.
        Err(e) => tracing::error!(error = %e, "the webhook dispatcher cannot start"),
    }
}

/// A bind failure that says which address and how to choose another.
fn bind_error(e: std::io::Error, host: &str, port: u16) -> std::io::Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "port {port} on {host} is in use (another aftersale, or another server); \
start on another port with PORT={}, or stop what listens on {port}",
            port.saturating_add(1)
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "no permission to listen on {host}:{port}; ports below 1024 need privileges: set PORT"
        ),
        _ => format!("cannot listen on {host}:{port}: {e}; set HOST and PORT"),
    };
    std::io::Error::new(e.kind(), hint)
}

/// In production, metrics without a token are worth a warning at every start.
fn state_is_open_metrics(settings: &crate::config::Settings) -> bool {
    settings.environment == crate::config::Environment::Production
        && settings.metrics_token.is_none()
}

/// Serves until SIGTERM/SIGINT, then drains in-flight requests (graceful shutdown).
pub async fn serve(state: AppState) -> std::io::Result<()> {
    state
        .settings
        .check_signing_for_host()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
    spawn_sweeper(state.clone());
    spawn_dispatcher(&state);
    let addr = (state.settings.host.clone(), state.settings.port);
    let workers = state.settings.workers;
    let state_settings = state.settings.clone();
    let server = HttpServer::new(move || app(state.clone()))
        .shutdown_timeout(30)
        .bind(addr.clone())
        .map_err(|e| bind_error(e, &addr.0, addr.1))?;
    let server = match workers {
        Some(n) => server.workers(n),
        None => server,
    };
    tracing::info!(host = %addr.0, port = addr.1, "aftersale listening");
    if state_is_open_metrics(&state_settings) {
        tracing::warn!(
            "/metrics is open to anyone who reaches this port: set METRICS_TOKEN, or keep the \
port off the public network"
        );
    }
    server.run().await
}
