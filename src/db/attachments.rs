//! Evidence file records; the bytes live on disk under a server-chosen key.
use super::schema::{attachments as a, review_photos as rp, reviews as r};
use super::{to_db, DbConnection, DbError};
use crate::domain::refused::Refused;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AttachmentRow {
    pub id: String,
    pub uploader_id: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
    pub created_at: NaiveDateTime,
}

pub struct NewAttachment<'a> {
    pub id: &'a str,
    pub uploader_id: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
}

pub fn insert(
    conn: &mut DbConnection,
    new: &NewAttachment,
    now: DateTime<Utc>,
) -> Result<AttachmentRow, DbError> {
    // A write transaction like every other write: an upload under an Idempotency-Key marks its
    // claim committed with the row (see db::idempotency).
    super::write_tx(conn, |conn| {
        diesel::insert_into(a::table)
            .values((
                a::id.eq(new.id),
                a::uploader_id.eq(new.uploader_id),
                a::content_type.eq(new.content_type),
                a::size.eq(new.size),
                a::sha256.eq(new.sha256),
                a::storage_key.eq(new.storage_key),
                a::created_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        find(conn, new.id)?.ok_or(DbError::NotFound)
    })
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<AttachmentRow>, DbError> {
    Ok(a::table
        .find(id)
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether a review citing the attachment is visible to the viewer: anyone for published
/// visible reviews; the author and the shop's sellers in any state.
pub fn visible_through_reviews(
    conn: &mut DbConnection,
    attachment_id: &str,
    viewer: Option<&crate::domain::caller::Caller>,
) -> Result<bool, DbError> {
    let viewer_id = viewer.map(|v| v.id.as_str());
    let viewer_shop = viewer.and_then(|v| v.shop_id.as_deref());
    let reviews: Vec<(String, bool, String, String)> = rp::table
        .inner_join(r::table)
        .filter(rp::attachment_id.eq(attachment_id))
        .select((r::status, r::hidden, r::author_id, r::shop_id))
        .load(conn)?;
    Ok(reviews.iter().any(|(status, hidden, author, shop)| {
        (status == crate::domain::reviews::ReviewStatus::Published.as_str() && !hidden)
            || viewer_id == Some(author.as_str())
            || viewer_shop == Some(shop.as_str())
    }))
}

/// Evidence must be files the caller uploaded (any sniffed type: photo, video, PDF).
pub fn check_owned(
    conn: &mut DbConnection,
    owner: &crate::domain::caller::Caller,
    ids: &[String],
) -> Result<(), DbError> {
    let owner = owner.id.as_str();
    for id in ids {
        let uploader: Option<String> = a::table
            .find(id)
            .select(a::uploader_id)
            .first(conn)
            .optional()?;
        if uploader.as_deref() != Some(owner) {
            return Err(Refused::InvalidAttachment.into());
        }
    }
    Ok(())
}

/// The media types of files the caller uploaded, in order; anyone else's file is refused.
pub fn owned_types(
    conn: &mut DbConnection,
    owner: &crate::domain::caller::Caller,
    ids: &[String],
) -> Result<Vec<String>, DbError> {
    let owner = owner.id.as_str();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Option<(String, String)> = a::table
            .find(id)
            .select((a::uploader_id, a::content_type))
            .first(conn)
            .optional()?;
        match row {
            Some((uploader, content_type)) if uploader == owner => out.push(content_type),
            _ => return Err(Refused::InvalidAttachment.into()),
        }
    }
    Ok(out)
}
