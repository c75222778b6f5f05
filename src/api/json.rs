//! `ApiJson<T>`: a JSON body extractor whose failures are problem+json with the path of
//! the offending field (415 wrong media type, 413 too large, 400 unparsable, 422 wrong shape).
//!
//! The extractor never fails the request by itself: a refused body is handed to the handler,
//! which asks for it after the caller's role is checked (403) and, through [`ApiJson::after`],
//! after the target is known to exist for the caller (404). The order of checks is the
//! contract's: authentication, role, existence, body.
use crate::error::{ApiError, ErrorCode, FieldError};
use actix_web::{dev::Payload, error::PayloadError, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(Result<T, ApiError>);

impl<T> ApiJson<T> {
    /// The body, or why it was refused.
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }

    /// The body, checked by `check` (shape and rule checks of the handler). When the body is
    /// refused, `exists` runs first, so that a missing target answers 404 whatever was sent;
    /// an accepted body costs no extra lookup (the action itself answers 404 then).
    pub async fn after<E>(
        self,
        check: impl FnOnce(&T) -> Result<(), ApiError>,
        exists: E,
    ) -> Result<T, ApiError>
    where
        E: std::future::Future<Output = Result<(), ApiError>>,
    {
        let checked = self.0.and_then(|body| check(&body).map(|()| body));
        if checked.is_err() {
            exists.await?;
        }
        checked
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let essence = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        })
        .unwrap_or(false)
}

/// Turns a serde_json failure into our error: syntax → 400, a refused control or invisible
/// character → 422 naming the field, shape → 422 naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first (trailing garbage included), then the text rule over every string, then
    // the shape.
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| ApiError::from(ErrorCode::MalformedRequest))?;
    if let Some((field, code)) = super::text::first_refused(&value) {
        return Err(ApiError::Validation(vec![FieldError::new(field, code)]));
    }
    let value: T = serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
                // "missing field `x`" names the field one level below the path.
                let field = match message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
                {
                    Some(name) if path == "." || path.is_empty() => name.to_string(),
                    Some(name) => format!("{path}.{name}"),
                    None if path == "." => "body".to_string(),
                    None => path,
                };
                let code = if message.starts_with("missing field") {
                    "required"
                } else if message.starts_with("unknown field") {
                    "unknown_field"
                } else {
                    "invalid"
                };
                ApiError::Validation(vec![FieldError::new(field, code)])
            }
            _ => ErrorCode::MalformedRequest.into(),
        }
    })?;
    Ok(value)
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !is_json(req) {
            return Box::pin(async { Ok(ApiJson(Err(ErrorCode::UnsupportedMediaType.into()))) });
        }
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let parsed = match body.await {
                Ok(bytes) => parse_json(&bytes),
                Err(e) => Err(match e.as_error::<PayloadError>() {
                    Some(p) => super::body::payload_error(p),
                    None => ApiError::from(ErrorCode::MalformedRequest),
                }),
            };
            Ok(ApiJson(parsed))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Inner,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn field(e: ApiError) -> (String, String) {
        match e {
            ApiError::Validation(list) => (list[0].field.clone(), list[0].code.clone()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse_json::<Outer>(br#"{"name":"a","inner":{"count":"x"}}"#).unwrap_err();
        assert_eq!(field(e), ("inner.count".into(), "invalid".into()));
        let e = parse_json::<Outer>(br#"{"inner":{"count":1}}"#).unwrap_err();
        assert_eq!(field(e), ("name".into(), "required".into()));
        let e = parse_json::<Outer>(br#"{"name":"a","inner":{}}"#).unwrap_err();
        assert_eq!(field(e), ("inner.count".into(), "required".into()));
        let e = parse_json::<Outer>(br#"{"name":"a","#).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedRequest);
        let e = parse_json::<Outer>(br#"{"name":"a","inner":{"count":1}} trailing"#).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedRequest);
        assert!(parse_json::<Outer>(br#"{"name":"a","inner":{"count":1}}"#).is_ok());
    }
}
