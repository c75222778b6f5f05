//! Stored first responses of POSTs that carried an `Idempotency-Key`, with crash-safe claims.
//!
//! A request that holds a claim runs on one connection of its own (`Held`). Its first write
//! transaction opens a transaction on that connection and marks the claim `committed_at` —
//! only if the claim still carries the request's token, otherwise the write is refused. Its
//! writes stay uncommitted until the response is known: `Held::finish` stores the response in
//! that same transaction and commits, so the write and its response commit together or not at
//! all. After a crash:
//! - nothing committed → once the claim is older than the lease a retry takes it over (new
//!   token) and runs afresh; should the first request still be alive, its write is refused;
//! - the write committed → its response committed with it and the retry replays it.
//!
//! `ResponseLost` remains for claims written by versions before 1.1, which committed the write
//! and stored the response in two steps.
use super::schema::idempotency_keys as k;
use super::{to_db, write_tx, Conn, Db, DbConnection, DbError};
use crate::domain::refused::Refused;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use std::cell::RefCell;
use std::sync::{Mutex, PoisonError};

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
    /// The first request's write committed but its response was lost in a crash (only claims
    /// from before version 1.1; see the module's comment).
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

/// Runs `f` with the request's claim visible to `write_tx` on this thread. `f` must run on the
/// request's own connection (see `Held::run`): the claim makes `write_tx` leave its
/// transaction open for `Held::finish`.
pub fn with_claim<T>(claim: Option<Claim>, f: impl FnOnce() -> T) -> T {
    let previous = CURRENT.with(|c| c.replace(claim));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    out
}

fn current() -> Option<Claim> {
    CURRENT.with(|c| c.borrow().clone())
}

/// `write_tx` for a request holding a claim: the first write opens the request's transaction
/// and takes the claim (refusing if another request took it over); every write runs in a
/// savepoint of it, so a refused one undoes only itself. Nothing is committed here.
pub(crate) fn within_request<T>(
    conn: &mut DbConnection,
    claim: &Claim,
    f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    if super::transaction_depth(conn)? == 0 {
        super::begin_write(conn)?;
        if let Err(e) = take(conn, claim) {
            super::end_transaction(conn, false)?;
            return Err(e);
        }
    }
    super::begin_savepoint(conn)?;
    let result = f(conn);
    super::end_transaction(conn, result.is_ok())?;
    result
}

/// Marks the claim as having a write in this transaction — only while it is still the
/// request's own. On PostgreSQL the update also locks the row, so a retry's takeover waits
/// for this transaction to end.
fn take(conn: &mut DbConnection, claim: &Claim) -> Result<(), DbError> {
    let marked = diesel::update(
        k::table
            .find((&claim.scope, &claim.key))
            .filter(k::claim_token.eq(&claim.token)),
    )
    .set(k::committed_at.eq(Some(to_db(Utc::now()))))
    .execute(conn)?;
    if marked == 0 {
        return Err(Refused::ClaimTaken.into());
    }
    Ok(())
}

/// Whether this thread runs a request that holds a claim (see `with_claim`).
pub(crate) fn holds_claim() -> Option<Claim> {
    current()
}

/// The response to store with a request's writes.
pub struct Response<'a> {
    pub status: u16,
    pub content_type: &'a str,
    pub body: &'a str,
}

/// What `Held::finish` did.
#[derive(Debug, PartialEq)]
pub enum Finish {
    /// The request wrote nothing: its response is stored (or its claim dropped) on its own.
    NoWrite,
    /// Its writes and its response committed together.
    Committed,
    /// Its writes were rolled back: the response was not a success.
    RolledBack,
}

/// The connection of a request that holds a claim, checked out on its first query and kept
/// until `finish`. Dropped without `finish` (the client went away, the handler panicked) it
/// returns to the pool with a transaction open, and the pool closes it instead of reusing it
/// (see `Manager::has_broken`), which rolls the transaction back.
pub struct Held {
    claim: Claim,
    conn: Mutex<Option<Conn>>,
}

impl Held {
    pub fn new(claim: Claim) -> Self {
        Held {
            claim,
            conn: Mutex::new(None),
        }
    }

    pub fn claim(&self) -> &Claim {
        &self.claim
    }

    /// Runs `f` on the request's connection with the claim visible to `write_tx`.
    pub fn run<T>(
        &self,
        db: &Db,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut slot = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(db.get()?);
        }
        let conn = slot.as_mut().expect("checked out above");
        let result = with_claim(Some(self.claim.clone()), || f(conn));
        if matches!(result, Err(DbError::Unavailable(_))) {
            conn.mark_broken();
        }
        result
    }

    /// Ends the request: with a success response, stores it in the request's transaction and
    /// commits both; otherwise rolls the request's writes back. The connection goes back to
    /// the pool either way.
    pub fn finish(&self, response: Option<Response<'_>>) -> Result<Finish, DbError> {
        let Some(mut conn) = self
            .conn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return Ok(Finish::NoWrite);
        };
        let conn: &mut DbConnection = &mut conn;
        if super::transaction_depth(conn)? == 0 {
            return Ok(Finish::NoWrite);
        }
        let Some(response) = response else {
            super::end_transaction(conn, false)?;
            return Ok(Finish::RolledBack);
        };
        match complete(
            conn,
            &self.claim,
            response.status,
            response.content_type,
            response.body,
        ) {
            Ok(()) => {
                super::end_transaction(conn, true)?;
                Ok(Finish::Committed)
            }
            Err(e) => {
                super::end_transaction(conn, false)?;
                Err(e)
            }
        }
    }
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

/// Stores the response of the claim's request; refused when the claim is no longer its own.
pub fn complete(
    conn: &mut DbConnection,
    claim: &Claim,
    status: u16,
    content_type: &str,
    body: &str,
) -> Result<(), DbError> {
    let stored = diesel::update(
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
    match stored {
        1 => Ok(()),
        _ => Err(Refused::ClaimTaken.into()),
    }
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
