//! Body limits hold before anything is buffered, whatever the headers: a declared length above
//! the limit is 413 at once, a body over it is 413 with or without `Idempotency-Key` (which
//! used to lift the JSON limit to the upload limit), and a body that does not arrive in time
//! is 408.
use crate::helpers::*;
use actix_web::http::header;
use actix_web::test::TestRequest;
use std::io::{Read, Write};
use std::time::Duration;

#[actix_web::test]
async fn a_declared_length_above_the_limit_is_413_before_reading() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    for (path, content_type) in [
        ("/api/v1/complaints", "application/json"),
        ("/api/v1/attachments", "multipart/form-data; boundary=x"),
    ] {
        let r = app
            .send(
                TestRequest::post()
                    .uri(path)
                    .insert_header((header::AUTHORIZATION, format!("Bearer {}", buyer.token)))
                    .insert_header(("Idempotency-Key", "big-1"))
                    .insert_header((header::CONTENT_TYPE, content_type))
                    .insert_header((header::CONTENT_LENGTH, "1000000000")),
            )
            .await;
        r.assert_problem(413, "payload_too_large");
    }
}

#[actix_web::test]
async fn the_idempotency_key_does_not_lift_the_json_limit() {
    let app = TestApp::spawn_with(&[("JSON_MAX_BYTES", "4096")]).await;
    let buyer = app.buyer("b@example.kz").await;
    let big = format!(r#"{{"description": "{}"}}"#, "а".repeat(50_000));
    for key in [None, Some("big-2")] {
        let mut req = TestRequest::post()
            .uri("/api/v1/complaints")
            .insert_header((header::AUTHORIZATION, format!("Bearer {}", buyer.token)))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload(big.clone());
        if let Some(k) = key {
            req = req.insert_header(("Idempotency-Key", k));
        }
        app.send(req).await.assert_problem(413, "payload_too_large");
    }
}

/// A body that stops arriving is answered 408 once BODY_TIMEOUT_MS passes (the real server, on
/// a socket of its own).
#[test]
fn a_body_that_does_not_arrive_in_time_is_408() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/a.db", dir.path().display()),
        )
        .env("ATTACHMENTS_DIR", dir.path().join("files"))
        .env("PORT", port.to_string())
        .env("BODY_TIMEOUT_MS", "400")
        .env("SWEEP_INTERVAL_SECS", "0")
        .env("RUST_LOG", "warn")
        .env_remove("APP_ENV")
        .spawn()
        .unwrap();
    let answer = slow_login(port);
    let _ = server.kill();
    let _ = server.wait();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
}

/// Sends the head of a login and ten bytes of its hundred-byte body, then waits for an answer.
fn slow_login(port: u16) -> String {
    let mut stream = None;
    for _ in 0..100 {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            stream = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut stream = stream.expect("the server did not start");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n\
                  Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
        )
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).to_string()
}
