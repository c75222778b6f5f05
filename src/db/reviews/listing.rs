//! The public and the author lists of reviews.
use super::public_list::{Cursor, PublicList};
use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewSort {
    Newest,
    Highest,
    Lowest,
}

#[derive(Debug, Clone, Copy)]
pub enum ReviewSubject<'a> {
    Product(&'a str),
    Shop(&'a str),
}

/// Position after a review in any of the three orders (rank = its rating).
pub use crate::domain::pagination::RankedCursor as ReviewCursor;

pub struct PublicFilter {
    pub rating: Option<i32>,
    pub with_media: Option<bool>,
    pub sort: ReviewSort,
}

/// Published, visible reviews of a product or shop with the author's full name (masked by
/// the caller), in the requested order, after `cursor`.
pub fn list_public(
    conn: &mut DbConnection,
    subject: ReviewSubject,
    filter: &PublicFilter,
    cursor: Option<&ReviewCursor>,
    limit: u32,
) -> Result<Vec<(ReviewRow, String)>, DbError> {
    let query = PublicList {
        subject,
        filter,
        cursor: cursor.map(|c| Cursor {
            rank: c.rank,
            at: to_db(c.at),
            id: c.id.clone(),
        }),
        limit: i64::from(limit),
    };
    Ok(crate::on_backend!(conn, |c| query.load(c))?)
}

/// The author's own reviews in any status, newest first.
pub fn list_by_author(
    conn: &mut DbConnection,
    author_id: &str,
    before: Option<&str>,
    limit: u32,
) -> Result<Vec<ReviewRow>, DbError> {
    let mut q = r::table
        .filter(r::author_id.eq(author_id))
        .select(ReviewRow::as_select())
        .order(r::id.desc())
        .limit(i64::from(limit))
        .into_boxed();
    if let Some(before) = before {
        q = q.filter(r::id.lt(before.to_string()));
    }
    Ok(q.load(conn)?)
}

impl ReviewSubject<'_> {
    /// `product` or `shop`, as rating and version rows name their subjects.
    pub fn kind(&self) -> &'static str {
        match self {
            ReviewSubject::Product(_) => "product",
            ReviewSubject::Shop(_) => "shop",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            ReviewSubject::Product(id) | ReviewSubject::Shop(id) => id,
        }
    }
}

/// The version of a product's or shop's reviews, raised by a trigger on every change to one
/// of them (0 while it has none): what the public reads' `ETag` is made of.
pub fn list_version(conn: &mut DbConnection, subject: ReviewSubject) -> Result<i64, DbError> {
    use crate::db::schema::review_list_versions as lv;
    let version: Option<i64> = crate::on_backend!(conn, |c| lv::table
        .find((subject.kind(), subject.id()))
        .select(lv::version)
        .first(c)
        .optional())?;
    Ok(version.unwrap_or(0))
}
