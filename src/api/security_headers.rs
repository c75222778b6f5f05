//! Headers that tell a browser how little to trust what it receives.
//!
//! - Every response: `X-Content-Type-Options: nosniff` (a browser renders a body only as the
//!   type it was declared, so a JSON error echoing text is never run as HTML) and
//!   `Referrer-Policy: no-referrer`.
//! - `/docs` (Swagger UI, served from the binary): a Content-Security-Policy that allows only
//!   the service's own scripts, styles and spec, and no framing (`X-Frame-Options: DENY` for
//!   browsers without `frame-ancestors`). Swagger UI needs inline styles, not inline scripts.
//! - Evidence downloads set their own `Content-Security-Policy: sandbox` (see attachments):
//!   a file a buyer uploaded is shown, never run with the service's origin.
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderValue, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use actix_web::middleware::Next;

pub const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' \
    'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The policy of an uploaded file: no scripts, no plugins, no same-origin access.
pub const SANDBOX_POLICY: &str = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'";

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = {
        let path = super::routed_path(req.request());
        path == "/docs" || path.starts_with("/docs/")
    };
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if docs {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_POLICY),
        );
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(res)
}
