use super::dto::*;
use crate::auth::{AuthUser, MaybeUser};
use crate::db::{self, attachments::NewAttachment};
use crate::domain::roles::Role;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem, Unauthorized};
use crate::state::AppState;
use crate::storage::{self, Rejection, Store};
use actix_multipart::{Multipart, MultipartError};
use actix_web::{get, http::header, post, web, HttpResponse};
use futures_util::StreamExt;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload).service(download);
}

fn multipart_error(e: MultipartError) -> ApiError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => ErrorCode::UnsupportedMediaType.into(),
        MultipartError::Payload(p) => crate::api::body::payload_error(&p),
        _ => ErrorCode::MalformedRequest.into(),
    }
}

fn rejection(e: Rejection) -> ApiError {
    match e {
        Rejection::TooLarge => ErrorCode::PayloadTooLarge.into(),
        Rejection::UnsupportedType => ErrorCode::UnsupportedMediaType.into(),
        Rejection::Store(e) => ApiError::internal(format!("attachment storage: {e}")),
    }
}

/// Upload one evidence file (`multipart/form-data`, field `file`).
#[utoipa::path(
    operation_id = "upload_attachment",
    tag = "attachments",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = AttachmentView),
        (status = 400, description = "Broken multipart body", body = Problem, content_type = "application/problem+json"),
        Unauthorized,
        (status = 413, description = "Larger than ATTACHMENT_MAX_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or not an accepted file type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No `file` field", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`upload_quota_exceeded`: the account's uploads of the last 24 hours leave no room for this file", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/attachments")]
async fn upload(
    state: web::Data<AppState>,
    user: AuthUser,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    let store = state.attachments.clone();
    let id = db::new_id();
    let stored = receive(&mut form, &store, &id, state.settings.attachment_max_bytes).await?;
    let now = state.clock.now();
    let key = stored.storage_key.clone();
    let quota = state.policy.uploads.clone();
    let result = state
        .db(move |c| {
            db::attachments::insert(
                c,
                &NewAttachment {
                    id: &id,
                    uploader_id: &user.id,
                    content_type: stored.media.mime(),
                    size: stored.size as i64,
                    sha256: &stored.sha256,
                    storage_key: &stored.storage_key,
                },
                now,
                &quota,
            )
        })
        .await;
    match result {
        Ok(row) => Ok(HttpResponse::Created().json(AttachmentView::from(row))),
        Err(e) => {
            // No record, no file.
            if let Err(gone) = store.remove(&key).await {
                tracing::warn!(key = %key, error = %gone, "unrecorded upload's file not removed");
            }
            Err(e)
        }
    }
}

/// Download a file: its uploader, moderators, whoever may see a review citing it (anyone
/// for a published review's photos), the buyer and seller of a complaint or return citing it,
/// and the buyer and seller of an order whose conversation carries it.
#[utoipa::path(
    operation_id = "download_attachment",
    tag = "attachments",
    params(("id" = String, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The file, with the type its bytes were recognised as", content(
            (FileBytes = "image/jpeg"), (FileBytes = "image/png"), (FileBytes = "image/webp"),
            (FileBytes = "image/heic"), (FileBytes = "video/mp4"), (FileBytes = "application/pdf"),
        )),
        (status = 401, description = "Not public and no token (or an invalid one)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such attachment, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/attachments/{id}")]
async fn download(
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let viewer = user.0.clone();
    let (row, through_review) = state.db(move |c| readable(c, &id, viewer.as_ref())).await?;
    let row = match (row, through_review, user.0.is_some()) {
        (Some(row), true, _) => row,
        // Without a token, say so rather than pretend the file does not exist.
        (_, _, false) => return Err(ErrorCode::Unauthenticated.into()),
        _ => return Err(ErrorCode::NotFound.into()),
    };
    // Streamed through the service rather than answered with a presigned URL: the access
    // check above and the headers below (sandbox CSP, disposition, nosniff) stay ours, and
    // the store needs no public address.
    let reading = state
        .attachments
        .read(&row.storage_key)
        .await
        .map_err(|e| ApiError::internal(format!("attachment {} unreadable: {e}", row.id)))?;
    // Its row is there but the store lost the bytes (swept between the two reads, or
    // removed by hand): as good as no file, never a server error.
    let Some(reading) = reading else {
        tracing::warn!(attachment = %row.id, "attachment's file missing from the store");
        return Err(ErrorCode::NotFound.into());
    };
    Ok(HttpResponse::Ok()
        .no_chunking(reading.size)
        .content_type(row.content_type.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{}; filename=\"{}\"",
                disposition(&row.content_type),
                row.id
            ),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            crate::api::security_headers::SANDBOX_POLICY,
        ))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .insert_header((header::ETAG, format!("\"{}\"", row.sha256)))
        .streaming(reading.bytes))
}

/// Pictures and video are shown in place; anything a browser would run as a document of its
/// own (a PDF has scripts and forms) is downloaded instead.
fn disposition(content_type: &str) -> &'static str {
    if content_type.starts_with("image/") || content_type.starts_with("video/") {
        "inline"
    } else {
        "attachment"
    }
}

/// Streams the form's `file` part to the store (sniffed, size-capped, hashed); other parts are
/// read and discarded within a small allowance.
async fn receive(
    form: &mut Multipart,
    store: &Store,
    id: &str,
    max: u64,
) -> ApiResult<storage::Stored> {
    let mut stored = None;
    let mut other_bytes: u64 = 0;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(multipart_error)?;
        let is_file = field.name() == Some("file") && stored.is_none();
        if !is_file {
            while let Some(chunk) = field.next().await {
                other_bytes += chunk.map_err(multipart_error)?.len() as u64;
                if other_bytes > 64 * 1024 {
                    return Err(ErrorCode::PayloadTooLarge.into());
                }
            }
            continue;
        }
        let mut incoming = store.upload(id, max);
        while let Some(chunk) = field.next().await {
            incoming
                .write(&chunk.map_err(multipart_error)?)
                .await
                .map_err(rejection)?;
        }
        stored = Some(incoming.finish().await.map_err(rejection)?);
    }
    stored.ok_or_else(|| ApiError::field("file", "required"))
}

/// The attachment, and whether `viewer` may read it: its uploader, moderators, whoever may
/// see a review citing it, the buyer and seller of a complaint or return citing it, and the
/// parties of an order whose conversation carries it.
fn readable(
    c: &mut crate::db::DbConnection,
    id: &str,
    viewer: Option<&AuthUser>,
) -> Result<(Option<db::attachments::AttachmentRow>, bool), crate::db::DbError> {
    let Some(row) = db::attachments::find(c, id)? else {
        return Ok((None, false));
    };
    let viewer = viewer.map(AuthUser::caller);
    let direct = viewer
        .as_ref()
        .is_some_and(|u| u.id == row.uploader_id || u.role == Role::Moderator);
    let readable = direct
        || db::attachments::visible_through_reviews(c, &row.id, viewer.as_ref())?
        || match &viewer {
            Some(u) => {
                db::complaints::attachment_visible_to(c, &row.id, u)?
                    || db::returns::attachment_visible_to(c, &row.id, u)?
                    || db::messages::attachment_visible_to(c, &row.id, u)?
            }
            None => false,
        };
    Ok((Some(row), readable))
}
