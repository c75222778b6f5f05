//! Stored first responses of POSTs that carried an `Idempotency-Key`.
use super::schema::idempotency_keys as k;
use super::{to_db, write_tx, DbConnection, DbError};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = k)]
struct KeyRow {
    request_hash: String,
    status: Option<i32>,
    content_type: Option<String>,
    body: Option<String>,
    created_at: NaiveDateTime,
}

#[derive(Debug, PartialEq)]
pub enum Begin {
    /// First time: the request runs; its response is recorded with `complete`.
    Proceed,
    Replay {
        status: u16,
        content_type: String,
        body: String,
    },
    /// Same key, different request.
    Mismatch,
    /// Same key and request, the first one has not finished yet.
    InProgress,
}

/// Claims `(scope, key)` for a request, or says how to answer a repeat. Entries older than
/// `keep` are treated as absent and replaced.
pub fn begin(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    hash: &str,
    now: DateTime<Utc>,
    keep: TimeDelta,
) -> Result<Begin, DbError> {
    write_tx(conn, |conn| {
        let existing = k::table
            .find((scope, key))
            .select(KeyRow::as_select())
            .first(conn)
            .optional()?;
        if let Some(row) = existing {
            if row.created_at > to_db(now - keep) {
                return Ok(match (row.request_hash == hash, row.status) {
                    (false, _) => Begin::Mismatch,
                    (true, None) => Begin::InProgress,
                    (true, Some(status)) => Begin::Replay {
                        status: status as u16,
                        content_type: row.content_type.unwrap_or_default(),
                        body: row.body.unwrap_or_default(),
                    },
                });
            }
            diesel::delete(k::table.find((scope, key))).execute(conn)?;
        }
        diesel::insert_into(k::table)
            .values((
                k::scope.eq(scope),
                k::idem_key.eq(key),
                k::request_hash.eq(hash),
                k::created_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        Ok(Begin::Proceed)
    })
    .or_else(|e| {
        // A concurrent first request claimed the key between our read and insert.
        if super::is_unique_violation(&e) {
            Ok(Begin::InProgress)
        } else {
            Err(e)
        }
    })
}

pub fn complete(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    status: u16,
    content_type: &str,
    body: &str,
) -> Result<(), DbError> {
    diesel::update(k::table.find((scope, key)))
        .set((
            k::status.eq(Some(i32::from(status))),
            k::content_type.eq(Some(content_type)),
            k::body.eq(Some(body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets a claim whose request failed on our side, so that a retry runs again.
pub fn abandon(conn: &mut DbConnection, scope: &str, key: &str) -> Result<(), DbError> {
    diesel::delete(k::table.find((scope, key))).execute(conn)?;
    Ok(())
}
