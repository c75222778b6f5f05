//! `Idempotency-Key` on POST: a repeat with the same body replays the first response with
//! `Idempotent-Replayed: true`; the same key with another request is 422; a repeat while the
//! first is still running is 409. Keys are per caller (the token's subject) and kept 24 hours;
//! anonymous requests have no key scope, so the header is ignored without a token.
//!
//! Only successful responses are kept. A request refused before it ran — no or a bad token
//! (401), the wrong role (403), nothing there (404), a body that does not parse or validate —
//! and one that failed on the server leave nothing behind, so the caller can correct it and
//! retry with the same key: the store comes last in the order of checks.
use crate::db::idempotency::{self, Begin, Claim, Finish, Held, Response};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::i18n::Lang;
use crate::state::AppState;
use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderName, HeaderValue, ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use chrono::TimeDelta;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tracing_actix_web::RequestId;

pub const HEADER: &str = "idempotency-key";

/// Responses under this prefix carry credentials; keeping them in a table for a day would store
/// refresh tokens in clear where everywhere else only their hash is kept. A retried register
/// gets 409 `email_taken` and the client logs in.
const NOT_REPLAYED: &str = "/api/v1/auth/";
pub const REPLAYED: &str = "idempotent-replayed";
/// Kept responses that show a webhook secret (creation, rotation) are sealed like the
/// secrets themselves (`sealing`), so the table holds no secret in clear; marked by this prefix.
const SEALED: &str = "sealed:";

fn shows_a_secret(path: &str) -> bool {
    path == "/api/v1/webhooks"
        || (path.starts_with("/api/v1/webhooks/") && path.ends_with("/rotate-secret"))
}
const KEEP_HOURS: i64 = 24;

/// Who the key belongs to: the token's subject. No token, or an invalid one, has no scope: the
/// request runs without the store and the handler answers it (401 where a token is needed).
fn scope_of(req: &ServiceRequest, state: &AppState) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?;
    let token = value.to_str().ok()?.strip_prefix("Bearer ")?.trim();
    state
        .jwt
        .verify(token, state.clock.now())
        .ok()
        .map(|c| c.sub)
}

fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The whole body, as `api::body` bounds it in size and time.
async fn read_body(payload: &mut Payload) -> Result<web::Bytes, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        body.extend_from_slice(&chunk.map_err(|e| super::body::payload_error(&e))?);
    }
    Ok(body.freeze())
}

fn payload_from(bytes: web::Bytes) -> Payload {
    let (_, mut h1) = actix_http::h1::Payload::create(true);
    h1.unread_data(bytes);
    Payload::from(h1)
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().unwrap_or("").to_string());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let path = super::routed_path(req.request());
    let applies = req.method() == Method::POST && !path.starts_with(NOT_REPLAYED);
    let sealed = shows_a_secret(path);
    let (Some(key), Some(state), true) = (key, state, applies) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let lang = Lang::from_accept_language(
        req.headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let request_id = req.extensions().get::<RequestId>().map(|r| r.to_string());
    let fail = |req: ServiceRequest, e: ApiError| {
        Ok(req.into_response(e.render(lang, request_id.clone())))
    };

    let Some(scope) = scope_of(&req, &state) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    if !valid_key(&key) {
        return fail(
            req,
            ApiError::Validation(vec![FieldError::new("Idempotency-Key", "length")]),
        );
    }
    let body = match read_body(&mut req.take_payload()).await {
        Ok(b) => b,
        Err(e) => return fail(req, e),
    };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b"\n");
    hasher.update(req.uri().to_string());
    hasher.update(b"\n");
    hasher.update(&body);
    let hash = hex::encode(hasher.finalize());
    req.set_payload(payload_from(body));

    let now = state.clock.now();
    let claim = Claim {
        scope,
        key,
        token: uuid::Uuid::new_v4().to_string(),
    };
    let lease = TimeDelta::from_std(state.settings.idempotency_lease).unwrap_or(TimeDelta::MAX);
    let keep = TimeDelta::hours(KEEP_HOURS);
    // On PostgreSQL a claim that answers `Proceed` keeps its transaction (and the key's lock)
    // open on the request's connection until `settle`; see db::idempotency.
    let held = Arc::new(Held::new(claim));
    let (h2, db) = (held.clone(), state.db.clone());
    let begun = web::block(move || h2.begin(&db, &hash, now, keep, lease))
        .await
        .map_err(ApiError::from)
        .and_then(|r| r.map_err(ApiError::from));
    match begun {
        Err(e) => fail(req, e),
        Ok(Begin::Mismatch) => fail(req, ErrorCode::IdempotencyKeyReused.into()),
        Ok(Begin::InProgress) => fail(req, ErrorCode::IdempotencyInProgress.into()),
        Ok(Begin::ResponseLost) => fail(req, ErrorCode::IdempotencyResponseLost.into()),
        Ok(Begin::Replay {
            status,
            content_type,
            body,
        }) => {
            let body = match body.strip_prefix(SEALED) {
                None => body,
                Some(kept) => match state.sealer.open(kept) {
                    Some(body) => body,
                    // Sealed under another key (WEBHOOK_SECRETS_KEY changed): gone.
                    None => return fail(req, ErrorCode::IdempotencyResponseLost.into()),
                },
            };
            let mut res =
                HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
            if !content_type.is_empty() {
                res.content_type(content_type);
            }
            res.insert_header((
                HeaderName::from_static(REPLAYED),
                HeaderValue::from_static("true"),
            ));
            Ok(req.into_response(res.body(body)))
        }
        Ok(Begin::Proceed) => {
            let res = idempotency::serve_holding(held.clone(), next.call(req)).await?;
            let (http_req, res) = res.into_parts();
            let content_type = res
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let status = res.status();
            let (res, body) = res.into_parts();
            let bytes = to_bytes(body)
                .await
                .map_err(|_| ApiError::internal("response body unreadable"))?;
            let text = std::str::from_utf8(&bytes).ok().map(str::to_string);
            let kept = text.filter(|_| status.is_success()).map(|t| match sealed {
                true => format!("{SEALED}{}", state.sealer.seal(&t)),
                false => t,
            });
            match settle(&state, held, status.as_u16(), content_type, kept).await {
                Ok(()) => Ok(ServiceResponse::new(
                    http_req,
                    res.set_body(bytes).map_into_boxed_body(),
                )),
                // The writes did not commit: the caller must not be told they did.
                Err(e) => Ok(ServiceResponse::new(
                    http_req,
                    e.render(lang, request_id.clone()),
                )),
            }
        }
    }
}

/// Commits the request's writes with its response (or rolls them back), then keeps the
/// response of a request that wrote nothing, or forgets its claim so a retry runs again.
async fn settle(
    state: &AppState,
    held: Arc<Held>,
    status: u16,
    content_type: String,
    kept: Option<String>,
) -> Result<(), ApiError> {
    let claim = held.claim().clone();
    let (ct, body) = (content_type.clone(), kept.clone());
    let finished = web::block(move || {
        held.finish(body.as_deref().map(|body| Response {
            status,
            content_type: &ct,
            body,
        }))
    })
    .await?;
    let c2 = claim.clone();
    let forget = || async move {
        let forgotten = state.db(move |c| idempotency::abandon(c, &c2)).await;
        if let Err(e) = forgotten {
            tracing::warn!(error = %e, "idempotency claim not released");
        }
    };
    match (finished, kept) {
        (Ok(Finish::Committed), _) => Ok(()),
        (Ok(Finish::NoWrite), Some(text)) => {
            let stored = state
                .db(move |c| idempotency::complete(c, &claim, status, &content_type, &text))
                .await;
            if let Err(e) = stored {
                tracing::warn!(error = %e, "idempotency record not saved");
            }
            Ok(())
        }
        (Ok(_), _) => {
            forget().await;
            Ok(())
        }
        (Err(e), _) => {
            forget().await;
            Err(ApiError::from(e))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert!(super::valid_key("3f1c2a9e-order-42"));
        assert!(!super::valid_key(""));
        assert!(!super::valid_key("has space"));
        assert!(!super::valid_key(&"k".repeat(256)));
        assert!(!super::valid_key("ключ"));
    }
}
