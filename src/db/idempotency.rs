//! Stored first responses of POSTs that carried an `Idempotency-Key`, with crash-safe claims.
//!
//! A claim has an owner token. While the request runs, every write transaction it makes marks
//! the claim `committed_at` in that same transaction, and only if the claim still carries the
//! request's token; otherwise the write rolls back. So after a crash:
//! - nothing committed and the claim is older than the lease → a retry takes the claim over
//!   (new token) and runs afresh; should the first request still be alive, its write rolls back;
//! - the write committed and its response was stored → the retry replays it;
//! - the write committed but the process died before storing the response (a window of
//!   milliseconds) → after the lease the retry is told so (`ResponseLost`), never run twice.
use super::schema::idempotency_keys as k;
use super::{to_db, write_tx, DbConnection, DbError};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use std::cell::RefCell;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = k)]
struct KeyRow {
    request_hash: String,
    status: Option<i32>,
    content_type: Option<String>,
    body: Option<String>,
    created_at: NaiveDateTime,
    claim_token: Option<String>,
    committed_at: Option<NaiveDateTime>,
}

#[derive(Debug, PartialEq)]
pub enum Begin {
    /// First time (or a takeover of a dead claim): the request runs; its response is recorded
    /// with `complete`.
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
    /// The first request's write committed but its response was lost in a crash.
    ResponseLost,
}

/// The claim a request holds while it runs.
#[derive(Debug, Clone)]
pub struct Claim {
    pub scope: String,
    pub key: String,
    pub token: String,
}

thread_local! {
    static CURRENT: RefCell<Option<Claim>> = const { RefCell::new(None) };
}

/// Runs `f` with the request's claim visible to `write_tx` on this thread.
pub fn with_claim<T>(claim: Option<Claim>, f: impl FnOnce() -> T) -> T {
    let previous = CURRENT.with(|c| c.replace(claim));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    out
}

/// Inside a write transaction of a request that holds a claim: mark it committed, or refuse
/// (rolling the transaction back) when another request took the claim over.
pub(crate) fn mark_committed(conn: &mut DbConnection) -> Result<(), DbError> {
    let Some(claim) = CURRENT.with(|c| c.borrow().clone()) else {
        return Ok(());
    };
    let marked = diesel::update(
        k::table
            .find((&claim.scope, &claim.key))
            .filter(k::claim_token.eq(&claim.token)),
    )
    .set(k::committed_at.eq(Some(to_db(Utc::now()))))
    .execute(conn)?;
    if marked == 0 {
        return Err(crate::error::ErrorCode::IdempotencyInProgress.into());
    }
    Ok(())
}

/// Claims `(scope, key)` for a request with `token`, or says how to answer a repeat. Entries
/// older than `keep` are treated as absent and replaced; an unfinished claim older than
/// `lease` whose request never committed is taken over.
#[allow(clippy::too_many_arguments)]
pub fn begin(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    hash: &str,
    token: &str,
    now: DateTime<Utc>,
    keep: TimeDelta,
    lease: TimeDelta,
) -> Result<Begin, DbError> {
    write_tx(conn, |conn| {
        let existing = crate::first_for_update!(
            conn,
            k::table.find((scope, key)).select(KeyRow::as_select())
        )?;
        if let Some(row) = existing {
            if row.created_at > to_db(now - keep) {
                let stale = row.created_at <= to_db(now - lease);
                let answer = match (row.request_hash == hash, row.status) {
                    (false, _) => Begin::Mismatch,
                    (true, Some(status)) => Begin::Replay {
                        status: status as u16,
                        content_type: row.content_type.unwrap_or_default(),
                        body: row.body.unwrap_or_default(),
                    },
                    (true, None) if !stale => Begin::InProgress,
                    (true, None) if row.committed_at.is_some() => Begin::ResponseLost,
                    (true, None) => {
                        // The first request died before it wrote anything: take the claim over.
                        let taken = diesel::update(
                            k::table
                                .find((scope, key))
                                .filter(k::claim_token.eq(row.claim_token.as_deref())),
                        )
                        .set((k::claim_token.eq(token), k::created_at.eq(to_db(now))))
                        .execute(conn)?;
                        if taken == 1 {
                            Begin::Proceed
                        } else {
                            Begin::InProgress
                        }
                    }
                };
                return Ok(answer);
            }
            diesel::delete(k::table.find((scope, key))).execute(conn)?;
        }
        diesel::insert_into(k::table)
            .values((
                k::scope.eq(scope),
                k::idem_key.eq(key),
                k::request_hash.eq(hash),
                k::created_at.eq(to_db(now)),
                k::claim_token.eq(token),
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

/// Stores the response of the claim's request (only while the claim is still its own).
pub fn complete(
    conn: &mut DbConnection,
    claim: &Claim,
    status: u16,
    content_type: &str,
    body: &str,
) -> Result<(), DbError> {
    diesel::update(
        k::table
            .find((&claim.scope, &claim.key))
            .filter(k::claim_token.eq(&claim.token)),
    )
    .set((
        k::status.eq(Some(i32::from(status))),
        k::content_type.eq(Some(content_type)),
        k::body.eq(Some(body)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Forgets a claim whose request wrote nothing that stands (refused, or failed on our side),
/// so that a retry runs again. A claim whose request committed a write is kept: a retry must
/// not run it twice.
pub fn abandon(conn: &mut DbConnection, claim: &Claim) -> Result<(), DbError> {
    diesel::delete(
        k::table
            .find((&claim.scope, &claim.key))
            .filter(k::claim_token.eq(&claim.token))
            .filter(k::committed_at.is_null()),
    )
    .execute(conn)?;
    Ok(())
}
