use crate::db::attachments::AttachmentRow;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)] // Documents the request shape; the handler reads the stream itself.
pub struct UploadForm {
    /// JPEG, PNG, WebP, HEIC, MP4 or PDF, recognised by content.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A stored file's bytes, as sent by the download.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // Documents the response body; the handler streams the file.
pub struct FileBytes(Vec<u8>);

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    /// Decided from the file's bytes, not from the client's header.
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the stored bytes.
    pub sha256: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
}

impl From<AttachmentRow> for AttachmentView {
    fn from(a: AttachmentRow) -> Self {
        AttachmentView {
            id: a.id,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            created_at: crate::api::rfc3339(a.created_at),
        }
    }
}
