//! Reviews: writes that keep ratings, the moderation log and notifications in the same
//! transaction, and the reads behind the public, author, seller and moderator views.
use super::events::{self, LogAction, ReviewStep};
use super::orders::{ItemRow, OrderRow};
use super::schema::{
    order_items as oi, orders as o, rating_summaries as rs, review_appeals as ra,
    review_flags as rf, review_photos as rp, review_versions as rv, reviews as r, shops, users,
};
use super::{from_db, new_id, to_db, write_tx, DbConnection, DbError};
use crate::calendar::{business_deadline, local_date};
use crate::domain::caller::Caller;
use crate::domain::refused::Refused;
use crate::domain::reviews::*;
use crate::domain::screening::{screen, Finding};
use crate::policy::ReviewPolicy;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

mod appeals;
mod decisions;
mod flags;
mod head;
mod listing;
mod public_list;
mod ratings;
mod sla;
mod writing;
pub use appeals::*;
pub use decisions::{decide_review, Verdict};
pub use flags::*;
pub use head::{list_head, ListHead};
pub use listing::*;
pub use ratings::*;
pub use sla::{record_moderation_breaches, SLA_BREACHED};
pub use writing::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = r)]
pub struct ReviewRow {
    pub id: String,
    pub order_item_id: String,
    pub order_id: String,
    pub product_id: String,
    pub shop_id: String,
    pub author_id: String,
    pub rating: i32,
    pub shop_rating: Option<i32>,
    pub body: Option<String>,
    pub attachment_ids: String,
    pub has_media: bool,
    pub status: ReviewStatus,
    pub hidden: bool,
    pub version: i32,
    pub screening: String,
    pub moderation_due_at: Option<NaiveDateTime>,
    pub removal_reason: Option<String>,
    pub removed_by: Option<String>,
    pub removed_at: Option<NaiveDateTime>,
    pub removal_no: i32,
    pub reply_body: Option<String>,
    pub reply_author_id: Option<String>,
    pub reply_created_at: Option<NaiveDateTime>,
    pub reply_updated_at: Option<NaiveDateTime>,
    pub window_until: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
}

impl ReviewRow {
    pub fn status(&self) -> ReviewStatus {
        self.status
    }
    pub fn counted(&self) -> bool {
        counts_in_ratings(self.status(), self.hidden)
    }
    pub fn publicly_visible(&self) -> bool {
        self.counted()
    }
    pub fn attachment_list(&self) -> Vec<String> {
        serde_json::from_str(&self.attachment_ids).unwrap_or_default()
    }
    pub fn findings(&self) -> Vec<Finding> {
        serde_json::from_str(&self.screening).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rv)]
pub struct VersionRow {
    pub version: i32,
    pub rating: i32,
    pub shop_rating: Option<i32>,
    pub body: Option<String>,
    pub attachment_ids: String,
    pub screening: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rf)]
pub struct FlagRow {
    pub id: String,
    pub review_id: String,
    pub shop_id: String,
    pub seller_id: String,
    pub reason: FlagReason,
    pub comment: String,
    pub attachment_ids: String,
    pub snapshot: String,
    pub status: String,
    pub due_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ra)]
pub struct AppealRow {
    pub id: String,
    pub review_id: String,
    pub removal_no: i32,
    pub author_id: String,
    pub body: String,
    pub removed_by: Option<String>,
    pub status: String,
    pub due_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
}

pub struct ReviewInput {
    pub rating: i32,
    pub shop_rating: Option<i32>,
    pub body: Option<String>,
    pub attachment_ids: Vec<String>,
}

/// The review, locked until the transaction ends: every change of a review decides on the row
/// as it stands under the lock, so two moderators (or an edit and a decision) meeting on one
/// review are serialised and the second sees the first's outcome.
/// An edit: what the author changes; anything absent stays as it is.
pub struct ReviewPatch {
    pub rating: Option<i32>,
    pub shop_rating: Option<i32>,
    /// `Some(None)` clears the text.
    pub body: Option<Option<String>>,
    pub attachment_ids: Option<Vec<String>>,
}

impl ReviewPatch {
    fn over(&self, current: &ReviewRow) -> ReviewInput {
        ReviewInput {
            rating: self.rating.unwrap_or(current.rating),
            shop_rating: self.shop_rating.or(current.shop_rating),
            body: self.body.clone().unwrap_or_else(|| current.body.clone()),
            attachment_ids: self
                .attachment_ids
                .clone()
                .unwrap_or_else(|| current.attachment_list()),
        }
    }
}

fn find_for_update(conn: &mut DbConnection, id: &str) -> Result<ReviewRow, DbError> {
    crate::first_for_update!(conn, r::table.find(id).select(ReviewRow::as_select()))?
        .ok_or(DbError::NotFound)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ReviewRow>, DbError> {
    Ok(r::table
        .find(id)
        .select(ReviewRow::as_select())
        .first(conn)
        .optional()?)
}

/// What a moderation decision or a review action names by id.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Review,
    Flag,
    Appeal,
}

/// Whether the review, flag or appeal exists at all.
pub fn exists(conn: &mut DbConnection, subject: Subject, id: &str) -> Result<bool, DbError> {
    use diesel::dsl::exists;
    Ok(match subject {
        Subject::Review => diesel::select(exists(r::table.find(id))).get_result(conn)?,
        Subject::Flag => diesel::select(exists(rf::table.find(id))).get_result(conn)?,
        Subject::Appeal => diesel::select(exists(ra::table.find(id))).get_result(conn)?,
    })
}

pub fn versions(conn: &mut DbConnection, id: &str) -> Result<Vec<VersionRow>, DbError> {
    Ok(rv::table
        .filter(rv::review_id.eq(id))
        .order(rv::version.asc())
        .select(VersionRow::as_select())
        .load(conn)?)
}

pub fn author_name(conn: &mut DbConnection, id: &str) -> Result<String, DbError> {
    Ok(users::table.find(id).select(users::full_name).first(conn)?)
}

/// A review with what its view shows beside the row: the author's name, and for moderators
/// every version.
pub struct ReviewRecord {
    pub row: ReviewRow,
    pub author_name: String,
    pub versions: Option<Vec<VersionRow>>,
}

pub fn read_view(
    conn: &mut DbConnection,
    row: ReviewRow,
    with_versions: bool,
) -> Result<ReviewRecord, DbError> {
    let author_name = author_name(conn, &row.author_id)?;
    let versions = match with_versions {
        true => Some(versions(conn, &row.id)?),
        false => None,
    };
    Ok(ReviewRecord {
        row,
        author_name,
        versions,
    })
}

/// The buyer's facts about an order item, for the create rule and the order's eligibility.
pub fn item_context(
    conn: &mut DbConnection,
    order_item_id: &str,
) -> Result<Option<(ItemRow, OrderRow)>, DbError> {
    Ok(oi::table
        .inner_join(o::table)
        .filter(oi::id.eq(order_item_id))
        .select((ItemRow::as_select(), OrderRow::as_select()))
        .first(conn)
        .optional()?)
}

/// Which of these items already have a review (any status: one review per item, ever).
pub fn reviewed_items(
    conn: &mut DbConnection,
    item_ids: &[String],
) -> Result<Vec<String>, DbError> {
    Ok(r::table
        .filter(r::order_item_id.eq_any(item_ids))
        .select(r::order_item_id)
        .load(conn)?)
}

/// The current version's photos, for serving them to whoever may see the review.
fn set_photos(conn: &mut DbConnection, review_id: &str, ids: &[String]) -> Result<(), DbError> {
    diesel::delete(rp::table.filter(rp::review_id.eq(review_id))).execute(conn)?;
    for id in ids {
        diesel::insert_into(rp::table)
            .values((rp::review_id.eq(review_id), rp::attachment_id.eq(id)))
            .execute(conn)?;
    }
    Ok(())
}

fn check_photos(
    conn: &mut DbConnection,
    owner: &str,
    ids: &[String],
    max: usize,
) -> Result<(), DbError> {
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    if distinct.len() != ids.len() {
        return Err(Refused::field("attachment_ids", "duplicate").into());
    }
    if ids.len() > max {
        return Err(Refused::field("attachment_ids", "length").into());
    }
    for id in ids {
        match crate::db::attachments::lock_for_citing(conn, id)? {
            Some((uploader, ct)) if uploader == owner && ct.starts_with("image/") => {}
            _ => return Err(Refused::InvalidAttachment.into()),
        }
    }
    Ok(())
}
