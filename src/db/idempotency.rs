//! Stored first responses of POSTs that carried an `Idempotency-Key`, with crash-safe claims.
//!
//! A request that holds a claim runs on one connection of its own (`Held`). Its writes stay
//! uncommitted until the response is known: `Held::finish` stores the response in the same
//! transaction and commits, so the write and its response commit together or not at all.
//!
//! How a retry tells a live request from a dead one depends on the backend:
//! - PostgreSQL (`Held::begin`): the claim is taken inside the request's own transaction,
//!   which first takes a transaction-level advisory lock on the key and keeps it until the
//!   request commits or rolls back. PostgreSQL releases it the moment that connection ends,
//!   which is when the socket of a killed instance closes. A retry that cannot take the lock
//!   faces a live request (409); one that can faces a finished request (replay) or a dead one,
//!   whose uncommitted writes are gone with its connection, and runs at once. The dead
//!   request cannot commit later: its transaction died with its connection.
//! - SQLite (`begin`): the database file belongs to one process, so every request that could
//!   hold a claim dies with it, and a claim left behind is only seen after a restart. The
//!   claim commits on its own with a lease (`IDEMPOTENCY_LEASE_SECS`); once it is older than
//!   the lease a retry takes it over (new token), and should the first request still be
//!   alive, its first write is refused (`within_request` checks the token).
//!
//! In both, a write that committed committed its response with it and a retry replays it.
//! `ResponseLost` remains for claims written by versions before 1.1, which committed the
//! write and stored the response in two steps.
use super::schema::idempotency_keys as k;
use super::{to_db, write_tx, Backend, Conn, Db, DbConnection, DbError};
use crate::domain::refused::Refused;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError};

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

/// `write_tx` for a request holding a claim: on SQLite the first write opens the request's
/// transaction and takes the claim (refusing if another request took it over); on PostgreSQL
/// that transaction has been open since `Held::begin`. Every write runs in a savepoint of it,
/// so a refused one undoes only itself. Nothing is committed here.
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

tokio::task_local! {
    /// The claim and connection of the request being served: set by the HTTP middleware
    /// (`api::idempotency`) around the handler, read by `AppState::db` so that every query of
    /// the request runs on the held connection. Storage owns it, as it owns `Held`.
    static HELD: Option<Arc<Held>>;
}

/// Serves `work` (a request) holding `held`: `request_claim` answers it inside.
pub async fn serve_holding<F: std::future::Future>(held: Arc<Held>, work: F) -> F::Output {
    HELD.scope(Some(held), work).await
}

/// The claim of the request being served, if it holds one.
pub fn request_claim() -> Option<Arc<Held>> {
    HELD.try_with(|h| h.clone()).ok().flatten()
}

/// The connection of a request that holds a claim, checked out by `Held::begin` on PostgreSQL
/// (on SQLite, on its first query) and kept until `finish`. Dropped without `finish` (the client went away, the handler panicked) it
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

    /// Claims the key for this request, or says how to answer a repeat (see `begin`). On
    /// PostgreSQL the claim is decided under the key's advisory lock inside the request's own
    /// transaction, which stays open (holding the lock) until `finish` when the answer is
    /// `Proceed`; no lease applies there. On SQLite this is `begin` with the lease.
    pub fn begin(
        &self,
        db: &Db,
        hash: &str,
        now: DateTime<Utc>,
        keep: TimeDelta,
        lease: TimeDelta,
    ) -> Result<Begin, DbError> {
        let c = &self.claim;
        let mut conn = db.get()?;
        if db.backend == Backend::Sqlite {
            return begin(
                &mut conn, &c.scope, &c.key, hash, &c.token, now, keep, lease,
            );
        }
        super::begin_write(&mut conn)?;
        let answer = claim_locked(&mut conn, c, hash, now, keep);
        match answer {
            Ok(Begin::Proceed) => {
                *self.conn.lock().unwrap_or_else(PoisonError::into_inner) = Some(conn);
                Ok(Begin::Proceed)
            }
            Ok(other) => {
                super::end_transaction(&mut conn, true)?;
                Ok(other)
            }
            Err(e) => {
                super::end_transaction(&mut conn, false)?;
                Err(e)
            }
        }
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

/// The advisory lock key of a claim: the first 8 bytes of a SHA-256 of (scope, key).
/// Chosen over `SELECT … FOR UPDATE NOWAIT` on the claim row because a first request's row
/// is not committed while it runs: a second request would wait on the row's unique index
/// instead of being answered, and there is no row to lock before the first insert. Two claims
/// whose keys collide (odds 2^-64 per pair, likewise against the sweeper's constant key) only
/// make one of them answer 409 while the other runs — a retry later succeeds; a collision can
/// never make a live claim look dead, since a takeover needs the lock to be free.
fn lock_key(claim: &Claim) -> i64 {
    let digest = Sha256::new()
        .chain_update(b"idempotency\0")
        .chain_update(claim.scope.as_bytes())
        .chain_update(b"\0")
        .chain_update(claim.key.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

/// `begin` on PostgreSQL, in the request's open transaction. The lock is tried, never waited
/// for: a retry of a live request is answered 409 at once, as with the lease.
fn claim_locked(
    conn: &mut DbConnection,
    claim: &Claim,
    hash: &str,
    now: DateTime<Utc>,
    keep: TimeDelta,
) -> Result<Begin, DbError> {
    let DbConnection::Postgresql(pg) = &mut *conn else {
        unreachable!("claim_locked runs on PostgreSQL only");
    };
    // PostgreSQL notices a closed socket when it next reads from it; a request killed while
    // its statement waits on a lock would keep the claim's lock until that statement ends.
    // `client_connection_check_interval` (PostgreSQL 14+, for this transaction only) makes it
    // look every second, so a dead request's lock goes within about a second even then.
    let got: Locked = diesel::sql_query(
        "SELECT pg_try_advisory_xact_lock($1) AS locked, \
         (SELECT set_config('client_connection_check_interval', '1000', true) \
          WHERE current_setting('server_version_num')::int >= 140000) AS checked",
    )
    .bind::<diesel::sql_types::BigInt, _>(lock_key(claim))
    .get_result(pg)?;
    if !got.locked {
        return Ok(Begin::InProgress);
    }
    let (scope, key) = (&claim.scope, &claim.key);
    // Under the lock no other request claims this key, and the row is as its last request
    // left it: committed with its response, or not at all.
    let existing = crate::first_for_update!(
        conn,
        k::table.find((scope, key)).select(KeyRow::as_select())
    )?;
    if let Some(row) = existing {
        if row.created_at > to_db(now - keep) {
            return Ok(match (row.request_hash == hash, row.status) {
                (false, _) => Begin::Mismatch,
                (true, Some(status)) => Begin::Replay {
                    status: status as u16,
                    content_type: row.content_type.unwrap_or_default(),
                    body: row.body.unwrap_or_default(),
                },
                (true, None) if row.committed_at.is_some() => Begin::ResponseLost,
                (true, None) => {
                    // A claim left by a lease-era request (or an older version) that died
                    // before it wrote: nobody holds its lock, so take it over now.
                    diesel::update(k::table.find((scope, key)))
                        .set((
                            k::claim_token.eq(&claim.token),
                            k::created_at.eq(to_db(now)),
                            k::committed_at.eq(Some(to_db(now))),
                        ))
                        .execute(conn)?;
                    Begin::Proceed
                }
            });
        }
        diesel::delete(k::table.find((scope, key))).execute(conn)?;
    }
    // `committed_at` is set from the start: the row only ever commits together with the
    // request's writes and response, so it never marks a claim `abandon` may forget.
    diesel::insert_into(k::table)
        .values((
            k::scope.eq(scope),
            k::idem_key.eq(key),
            k::request_hash.eq(hash),
            k::created_at.eq(to_db(now)),
            k::claim_token.eq(&claim.token),
            k::committed_at.eq(Some(to_db(now))),
        ))
        .execute(conn)?;
    Ok(Begin::Proceed)
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
