//! `ApiJson<T>`: a JSON body extractor whose failures are problem+json with the path of
//! the offending field (415 wrong media type, 413 too large, 400 unparsable, 422 wrong shape).
use crate::error::{ApiError, ErrorCode, FieldError};
use actix_web::{dev::Payload, error::PayloadError, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
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

/// Turns a serde_json failure into our error: syntax → 400, shape → 422 naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
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
    // Trailing garbage after the value is malformed input, not a shape problem.
    de.end()
        .map_err(|_| ApiError::from(ErrorCode::MalformedRequest))?;
    Ok(value)
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !is_json(req) {
            return Box::pin(async { Err(ErrorCode::UnsupportedMediaType.into()) });
        }
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => ApiError::from(ErrorCode::PayloadTooLarge),
                _ => ApiError::from(ErrorCode::MalformedRequest),
            })?;
            parse_json(&bytes).map(ApiJson)
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
