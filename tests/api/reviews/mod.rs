//! Reviews over HTTP: writing and screening, edits and deletion, the shop's reply, listing,
//! photos. This file holds what other suites share (a PNG and its upload); the tests are
//! grouped by what they check.
use crate::helpers::*;
use actix_web::http::Method;
use chrono::TimeDelta;
use serde_json::json;

mod caching;
mod changes;
mod listing;
mod writing;

pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";

pub async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> String {
    let boundary = "b0undary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/attachments")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header((
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body);
    let r = app.send(req).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}
