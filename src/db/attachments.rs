//! Evidence file records; the bytes live on disk under a server-chosen key.
use super::schema::{
    attachments as a, complaint_attachments as ca, order_message_attachments as ma,
    return_attachments as ra, review_flags as rf, review_photos as rp, review_versions as rv,
    reviews as r, users,
};
use super::{to_db, DbConnection, DbError};
use crate::domain::refused::Refused;
use crate::policy::UploadPolicy;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
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

/// Records a received file, if the uploader's last 24 hours leave room for it. The size is
/// known only once the bytes are in, so the quota is decided here, in the transaction that
/// writes the row, on the uploader's locked user row: two uploads by one account at once are
/// counted one after the other (SQLite's `BEGIN IMMEDIATE` serialises them anyway).
pub fn insert(
    conn: &mut DbConnection,
    new: &NewAttachment,
    now: DateTime<Utc>,
    quota: &UploadPolicy,
) -> Result<AttachmentRow, DbError> {
    // A write transaction like every other write: an upload under an Idempotency-Key marks its
    // claim committed with the row (see db::idempotency).
    super::write_tx(conn, |conn| {
        let _uploader: Option<String> =
            crate::first_for_update!(conn, users::table.find(new.uploader_id).select(users::id))?;
        let sizes: Vec<i64> = a::table
            .filter(a::uploader_id.eq(new.uploader_id))
            .filter(a::created_at.gt(to_db(now - TimeDelta::hours(24))))
            .select(a::size)
            .limit(quota.files_per_day)
            .load(conn)?;
        let bytes: i64 = sizes.iter().sum();
        if sizes.len() as i64 >= quota.files_per_day || bytes + new.size > quota.bytes_per_day {
            return Err(Refused::UploadQuotaExceeded.into());
        }
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
    owned_types(conn, owner, ids).map(|_| ())
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
        match lock_for_citing(conn, id)? {
            Some((uploader, content_type)) if uploader == owner => out.push(content_type),
            _ => return Err(Refused::InvalidAttachment.into()),
        }
    }
    Ok(out)
}

/// An attachment about to be cited, as (uploader, content type), read under a key-share lock
/// on PostgreSQL: the sweep claims an orphan with `FOR UPDATE SKIP LOCKED`, so it passes over
/// a file being cited, and a citing that comes second finds the file gone and is refused
/// (`invalid_attachment`) instead of citing a deleted file. Callers cite in the same
/// transaction. On SQLite writes are serialised.
pub fn lock_for_citing(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Option<(String, String)>, DbError> {
    let query = a::table.find(id).select((a::uploader_id, a::content_type));
    Ok(match conn {
        DbConnection::Postgresql(c) => query.for_key_share().first(c).optional()?,
        DbConnection::Sqlite(c) => query.first(c).optional()?,
    })
}

/// Uploads made before `cutoff` that no link table cites: candidates for the sweep, oldest
/// first. `delete_if_orphan` decides each one again under its lock.
pub fn orphan_candidates(
    conn: &mut DbConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    Ok(a::table
        .filter(a::created_at.lt(to_db(cutoff)))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            rp::table.filter(rp::attachment_id.eq(a::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            ca::table.filter(ca::attachment_id.eq(a::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            ra::table.filter(ra::attachment_id.eq(a::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            ma::table.filter(ma::attachment_id.eq(a::id)),
        )))
        .order(a::created_at.asc())
        .select(a::id)
        .limit(limit)
        .load(conn)?)
}

/// Whether any record cites the attachment: a review's photos (current in `review_photos`,
/// earlier versions in `review_versions`), a flag's evidence, a complaint's or return's
/// evidence, a message. The JSON lists hold ids as quoted strings; ids are UUIDs, so a
/// `LIKE` on the quoted id matches nothing else.
pub fn is_cited(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    let quoted = format!("%\"{id}\"%");
    let linked = diesel::select(
        diesel::dsl::exists(rp::table.filter(rp::attachment_id.eq(id)))
            .or(diesel::dsl::exists(
                ca::table.filter(ca::attachment_id.eq(id)),
            ))
            .or(diesel::dsl::exists(
                ra::table.filter(ra::attachment_id.eq(id)),
            ))
            .or(diesel::dsl::exists(
                ma::table.filter(ma::attachment_id.eq(id)),
            ))
            .or(diesel::dsl::exists(
                rv::table.filter(rv::attachment_ids.like(&quoted)),
            ))
            .or(diesel::dsl::exists(
                rf::table.filter(rf::attachment_ids.like(&quoted)),
            ))
            .or(diesel::dsl::exists(
                r::table.filter(r::attachment_ids.like(&quoted)),
            )),
    )
    .get_result(conn)?;
    Ok(linked)
}

/// Deletes the row of an upload made before `cutoff` that nothing cites, and answers its
/// storage key so the caller removes the file after the commit. The row goes first: a crash
/// in between leaves a file without a row (unreachable, harmless), never a row without its
/// file. Rows another transaction holds (one citing it, another sweeper) are skipped.
pub fn delete_if_orphan(
    conn: &mut DbConnection,
    id: &str,
    cutoff: DateTime<Utc>,
) -> Result<Option<String>, DbError> {
    super::write_tx(conn, |conn| {
        let query = a::table
            .find(id)
            .filter(a::created_at.lt(to_db(cutoff)))
            .select(a::storage_key);
        let key: Option<String> = match conn {
            DbConnection::Postgresql(c) => query.for_update().skip_locked().first(c).optional()?,
            DbConnection::Sqlite(c) => query.first(c).optional()?,
        };
        let Some(key) = key else { return Ok(None) };
        if is_cited(conn, id)? {
            return Ok(None);
        }
        diesel::delete(a::table.find(id)).execute(conn)?;
        Ok(Some(key))
    })
}
