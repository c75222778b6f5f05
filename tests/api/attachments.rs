use crate::helpers::*;
use actix_web::http::header;
use actix_web::test::TestRequest;
use sha2::{Digest, Sha256};

pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";
pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04";

fn multipart(field: &str, filename: &str, declared_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----aftersale-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {declared_type}\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    field: &str,
    filename: &str,
    declared: &str,
    bytes: &[u8],
) -> Resp {
    let (content_type, body) = multipart(field, filename, declared, bytes);
    let req = TestRequest::post()
        .uri("/api/v1/attachments")
        .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
        .insert_header((header::CONTENT_TYPE, content_type))
        .set_payload(body);
    app.send(req).await
}

#[actix_web::test]
async fn upload_sniffs_type_hashes_and_stores_under_a_server_name() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    // The client claims a JPEG named like a path; the bytes are a PDF.
    let r = upload(
        &app,
        &buyer.token,
        "file",
        "../../etc/passwd.jpg",
        "image/jpeg",
        PDF,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["content_type"], "application/pdf");
    assert_eq!(r.body["size"], PDF.len());
    assert_eq!(r.body["sha256"], hex::encode(Sha256::digest(PDF)));
    let id = r.body["id"].as_str().unwrap().to_string();

    // Stored effect: the bytes are on disk under the id, and nothing carries the client's name.
    let files: Vec<_> = app.stored_keys().await;
    assert!(files.iter().any(|p| p.ends_with(&id)), "{files:?}");
    assert!(
        files
            .iter()
            .all(|p| !p.contains("passwd") && !p.ends_with(".part")),
        "{files:?}"
    );

    let got = app
        .get(&format!("/api/v1/attachments/{id}"), Some(&buyer.token))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, PDF);
    assert_eq!(got.content_type(), "application/pdf");
    assert_eq!(
        got.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff"
    );
    // A PDF carries scripts and forms: it is downloaded, never rendered with our origin, and
    // a browser that opens it anyway runs it sandboxed.
    let disposition = got.headers.get(header::CONTENT_DISPOSITION).unwrap();
    assert!(
        disposition.to_str().unwrap().starts_with("attachment;"),
        "{disposition:?}"
    );
    let csp = got.headers.get(header::CONTENT_SECURITY_POLICY).unwrap();
    assert!(csp.to_str().unwrap().starts_with("sandbox"), "{csp:?}");

    let png = upload(
        &app,
        &buyer.token,
        "file",
        "photo.png",
        "application/octet-stream",
        PNG,
    )
    .await;
    assert_eq!(png.status, 201);
    assert_eq!(png.body["content_type"], "image/png");
    // A picture is shown in place, still sandboxed.
    let shown = app
        .get(
            &format!("/api/v1/attachments/{}", png.body["id"].as_str().unwrap()),
            Some(&buyer.token),
        )
        .await;
    let disposition = shown.headers.get(header::CONTENT_DISPOSITION).unwrap();
    assert!(disposition.to_str().unwrap().starts_with("inline;"));
    assert!(shown.headers.get(header::CONTENT_SECURITY_POLICY).is_some());
}

#[actix_web::test]
async fn other_types_are_415_whatever_the_header_says() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    upload(&app, &buyer.token, "file", "x.png", "image/png", GIF)
        .await
        .assert_problem(415, "unsupported_media_type");
    upload(
        &app,
        &buyer.token,
        "file",
        "x.jpg",
        "image/jpeg",
        b"<script>alert(1)</script>",
    )
    .await
    .assert_problem(415, "unsupported_media_type");
    upload(&app, &buyer.token, "file", "x.jpg", "image/jpeg", b"")
        .await
        .assert_problem(415, "unsupported_media_type");
    // Not multipart at all.
    let req = TestRequest::post()
        .uri("/api/v1/attachments")
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", buyer.token)))
        .insert_header((header::CONTENT_TYPE, "image/png"))
        .set_payload(PNG.to_vec());
    app.send(req)
        .await
        .assert_problem(415, "unsupported_media_type");
    // No temp files left behind.
    assert!(app.stored_keys().await.is_empty());
}

#[actix_web::test]
async fn size_limit_from_config_is_413() {
    let app = TestApp::spawn_with(&[("ATTACHMENT_MAX_BYTES", "1024")]).await;
    let buyer = app.buyer("b@example.kz").await;
    let mut big = PNG.to_vec();
    big.resize(1025, 0);
    upload(&app, &buyer.token, "file", "big.png", "image/png", &big)
        .await
        .assert_problem(413, "payload_too_large");
    big.truncate(1024);
    assert_eq!(
        upload(&app, &buyer.token, "file", "ok.png", "image/png", &big)
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn a_form_without_file_is_422() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let r = upload(&app, &buyer.token, "photo", "x.png", "image/png", PNG).await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(
        r.field_errors(),
        vec![("file".to_string(), "required".to_string())]
    );
}

#[actix_web::test]
async fn only_the_uploader_and_moderators_can_read() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let other = app.buyer("o@example.kz").await;
    let seller = app.seller("s@example.kz").await;
    let moderator = app.moderator("m@example.kz").await;
    let id = upload(&app, &buyer.token, "file", "p.png", "image/png", PNG)
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/attachments/{id}");
    app.get(&path, Some(&other.token))
        .await
        .assert_problem(404, "not_found");
    app.get(&path, Some(&seller.token))
        .await
        .assert_problem(404, "not_found");
    app.get(&path, None)
        .await
        .assert_problem(401, "unauthenticated");
    assert_eq!(app.get(&path, Some(&moderator.token)).await.status, 200);
    let r = upload(&app, "not-a-token", "file", "p.png", "image/png", PNG).await;
    r.assert_problem(401, "invalid_token");
}

/// Rows of `n` earlier uploads by `uploader` of `size` bytes each, as the upload would write
/// them (the quota counts rows; their files do not matter).
fn seed_uploads(app: &TestApp, uploader: &str, n: usize, size: i64) {
    let policy = app.state.policy.uploads.clone();
    let mut conn = app.raw_conn();
    for _ in 0..n {
        let id = aftersale::db::new_id();
        let new = aftersale::db::attachments::NewAttachment {
            id: &id,
            uploader_id: uploader,
            content_type: "image/png",
            size,
            sha256: "00",
            storage_key: &id,
        };
        aftersale::db::attachments::insert(&mut conn, &new, app.clock.now_utc(), &policy).unwrap();
    }
}

#[actix_web::test]
async fn an_account_uploads_at_most_300_files_a_day() {
    let app = TestApp::spawn().await;
    let attacker = app.buyer("a@example.kz").await;
    let victim = app.buyer("v@example.kz").await;
    seed_uploads(&app, &attacker.id, 299, 1);
    let r = upload(&app, &attacker.token, "file", "p.png", "image/png", PNG).await;
    assert_eq!(r.status, 201, "the 300th fits: {}", r.body);
    let before = app.stored_keys().await;
    upload(&app, &attacker.token, "file", "p.png", "image/png", PNG)
        .await
        .assert_problem(429, "upload_quota_exceeded");
    assert_eq!(
        app.stored_keys().await,
        before,
        "a refused file is not kept"
    );
    // Another account is not affected.
    let r = upload(&app, &victim.token, "file", "p.png", "image/png", PNG).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // The window rolls: a day after the first uploads there is room again.
    app.clock.advance(chrono::TimeDelta::hours(24));
    let r = upload(&app, &attacker.token, "file", "p.png", "image/png", PNG).await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[actix_web::test]
async fn an_account_uploads_at_most_500_mib_a_day() {
    let app = TestApp::spawn().await;
    let attacker = app.buyer("a@example.kz").await;
    let limit = app.state.policy.uploads.bytes_per_day;
    seed_uploads(&app, &attacker.id, 1, limit - PNG.len() as i64);
    let r = upload(&app, &attacker.token, "file", "p.png", "image/png", PNG).await;
    assert_eq!(r.status, 201, "exactly the limit fits: {}", r.body);
    let r = upload(&app, &attacker.token, "file", "p.png", "image/png", PNG).await;
    r.assert_problem(429, "upload_quota_exceeded");
    assert!(
        r.body["detail"].as_str().unwrap().contains("500"),
        "{}",
        r.body
    );
}

/// Two uploads by one account at once, with room for one: the quota is decided on the
/// uploader's locked row, so exactly one is recorded.
#[actix_web::test]
async fn simultaneous_uploads_do_not_both_pass_the_quota() {
    use std::sync::{Arc, Barrier};
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let quota = aftersale::policy::UploadPolicy {
        files_per_day: 1,
        ..app.state.policy.uploads.clone()
    };
    for round in 0..6 {
        let barrier = Arc::new(Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (state, barrier, quota) = (app.state.clone(), barrier.clone(), quota.clone());
                let (uploader, now) = (buyer.id.clone(), app.clock.now_utc());
                std::thread::spawn(move || {
                    let mut conn = state.db.get().unwrap();
                    let id = aftersale::db::new_id();
                    let new = aftersale::db::attachments::NewAttachment {
                        id: &id,
                        uploader_id: &uploader,
                        content_type: "image/png",
                        size: 10,
                        sha256: "00",
                        storage_key: &id,
                    };
                    barrier.wait();
                    aftersale::db::attachments::insert(&mut conn, &new, now, &quota)
                        .err()
                        .map(|e| aftersale::error::ApiError::from(e).code())
                })
            })
            .collect();
        let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let won = outcomes.iter().filter(|o| o.is_none()).count();
        let refused = outcomes
            .iter()
            .filter(|o| **o == Some(aftersale::error::ErrorCode::UploadQuotaExceeded))
            .count();
        assert_eq!((won, refused), (1, 3), "round {round}: {outcomes:?}");
        app.clock.advance(chrono::TimeDelta::hours(25));
    }
}

/// Above 8 MiB a file goes up in parts (S3 multipart; staged and renamed locally): it arrives
/// whole, hashed, and reads back byte for byte.
#[actix_web::test]
async fn a_large_file_goes_up_in_parts_and_reads_back_whole() {
    let app = TestApp::spawn_with(&[("ATTACHMENT_MAX_BYTES", "30000000")]).await;
    let buyer = app.buyer("b@example.kz").await;
    let mut big = PNG.to_vec();
    // Two full parts and a tail; the pattern catches parts put out of order.
    big.extend((0..aftersale::storage::MULTIPART_THRESHOLD * 2 + 4321).map(|i| (i / 4096) as u8));
    let r = upload(&app, &buyer.token, "file", "big.png", "image/png", &big).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["size"], big.len());
    assert_eq!(r.body["sha256"], hex::encode(Sha256::digest(&big)));
    let id = r.body["id"].as_str().unwrap();
    let got = app
        .get(&format!("/api/v1/attachments/{id}"), Some(&buyer.token))
        .await;
    assert_eq!(got.status, 200);
    assert!(got.bytes == big, "the bytes read back differ");
    // Nothing staged is left beside the file.
    assert_eq!(
        app.stored_keys().await.len(),
        1,
        "{:?}",
        app.stored_keys().await
    );
}

/// A record whose bytes the store no longer has (removed by hand, or swept in between) is a
/// 404 with problem+json, never a server error.
#[actix_web::test]
async fn a_file_missing_from_the_store_is_404() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer("b@example.kz").await;
    let r = upload(&app, &buyer.token, "file", "p.png", "image/png", PNG).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap();
    app.state
        .attachments
        .remove(&aftersale::storage::key_for(id))
        .await
        .unwrap();
    app.get(&format!("/api/v1/attachments/{id}"), Some(&buyer.token))
        .await
        .assert_problem(404, "not_found");
}

/// A second instance on the same database and store serves a file the first one received.
#[actix_web::test]
async fn another_instance_reads_a_file_uploaded_through_the_first() {
    let first = TestApp::spawn().await;
    let buyer = first.buyer("b@example.kz").await;
    let r = upload(
        &first,
        &buyer.token,
        "file",
        "doc.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap();
    let second = first.respawn_with(&[]).await;
    let got = second
        .get(&format!("/api/v1/attachments/{id}"), Some(&buyer.token))
        .await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.bytes, PDF);
    assert_eq!(
        got.headers
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap(),
        format!("attachment; filename=\"{id}\"")
    );
}
