//! Limits on a request body, applied before anything reads it, whatever the headers: the size
//! (JSON_MAX_BYTES for JSON; ATTACHMENT_MAX_BYTES plus a small allowance for the multipart
//! upload) and the time it may take to arrive (BODY_TIMEOUT_MS). A declared `Content-Length`
//! above the limit is 413 at once; a body that grows past it while streaming stops there
//! (413); one that does not arrive in full in time stops with 408. Every reader of the body
//! (the JSON extractor, the multipart upload, the `Idempotency-Key` hash) sees these errors.
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use futures_util::Stream;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// What the multipart upload may carry beyond the file itself (boundaries, part headers).
const MULTIPART_ALLOWANCE: usize = 64 * 1024;

/// The error a stream reports when the body did not arrive in time.
pub fn timed_out() -> PayloadError {
    PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "the request body did not arrive in time",
    ))
}

/// How a failure to read the body answers: too large 413, too slow 408, anything else 400.
pub fn payload_error(e: &PayloadError) -> ApiError {
    match e {
        PayloadError::Overflow => ErrorCode::PayloadTooLarge.into(),
        PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            ErrorCode::RequestTimeout.into()
        }
        _ => ErrorCode::MalformedRequest.into(),
    }
}

fn limit_for(req: &ServiceRequest, state: &AppState) -> usize {
    let multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if multipart {
        (state.settings.attachment_max_bytes as usize).saturating_add(MULTIPART_ALLOWANCE)
    } else {
        state.settings.json_max_bytes
    }
}

/// A body stream that stops at a size and a deadline.
struct Bounded {
    inner: Payload,
    deadline: Pin<Box<actix_web::rt::time::Sleep>>,
    read: usize,
    limit: usize,
    finished: bool,
}

impl Stream for Bounded {
    type Item = Result<web::Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.finished {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.read += chunk.len();
                if self.read > self.limit {
                    self.finished = true;
                    return Poll::Ready(Some(Err(PayloadError::Overflow)));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(other) => {
                self.finished = other.is_none();
                Poll::Ready(other)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    self.finished = true;
                    Poll::Ready(Some(Err(timed_out())))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let limit = limit_for(&req, &state);
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        // Answered without reading a byte; the connection is closed rather than drained.
        let mut res = req.error_response(ApiError::from(ErrorCode::PayloadTooLarge));
        res.response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
        return Ok(res.map_into_boxed_body());
    }
    let bounded = Bounded {
        inner: req.take_payload(),
        deadline: Box::pin(actix_web::rt::time::sleep(state.settings.body_timeout)),
        read: 0,
        limit,
        finished: false,
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(bounded),
    });
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_failures_answer_by_cause() {
        assert_eq!(
            payload_error(&PayloadError::Overflow).code(),
            ErrorCode::PayloadTooLarge
        );
        assert_eq!(
            payload_error(&timed_out()).code(),
            ErrorCode::RequestTimeout
        );
        assert_eq!(
            payload_error(&PayloadError::Incomplete(None)).code(),
            ErrorCode::MalformedRequest
        );
    }
}
