//! Failed logins per (account, address) pair and per account (see `domain::login`), in the
//! database so that every instance sees the same counts and a restart forgets nothing. The
//! account's own row has the address `*`.
use super::schema::login_failures as lf;
use super::{from_db, to_db, write_tx, DbConnection, DbError};
use crate::domain::login::{admission, after_failure, Standing};
use crate::policy::LoginPolicy;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

const ACCOUNT: &str = "*";

/// Admits an attempt from `address` on `email`, or says until when it waits. An admitted attempt
/// is counted against its pair before its password is looked at, so that a burst of attempts
/// sent at once from one address is held to the same count as attempts sent one by one; a
/// success clears the pair again (`succeeded`).
pub fn admit(
    conn: &mut DbConnection,
    email: &str,
    address: &str,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<Result<(), DateTime<Utc>>, DbError> {
    retry_first_insert(|| {
        write_tx(conn, |conn| {
            // The account row first, then the pair: one order for every transaction.
            let account = standing(conn, email, ACCOUNT)?;
            let pair = standing(conn, email, address)?;
            if let Err(until) = admission(pair.as_ref(), account.as_ref(), now, policy) {
                return Ok(Err(until));
            }
            let counted = after_failure(pair.as_ref(), policy.free_attempts, now, policy);
            store(conn, email, address, pair.is_some(), &counted)?;
            Ok(Ok(()))
        })
    })
}

/// The password was wrong: the account's own count goes up (the pair's already did).
pub fn failed(
    conn: &mut DbConnection,
    email: &str,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    retry_first_insert(|| {
        write_tx(conn, |conn| {
            let account = standing(conn, email, ACCOUNT)?;
            let counted =
                after_failure(account.as_ref(), policy.account_free_attempts, now, policy);
            store(conn, email, ACCOUNT, account.is_some(), &counted)
        })
    })
}

/// The password was right: the pair's count is forgotten. The account's is not, so that the
/// owner logging in does not hand a spread guess a fresh allowance.
pub fn succeeded(conn: &mut DbConnection, email: &str, address: &str) -> Result<(), DbError> {
    diesel::delete(lf::table.find((email, address))).execute(conn)?;
    Ok(())
}

/// Two first failures at once both find no row to lock; the one whose insert loses is counted
/// again, on the row the other inserted.
fn retry_first_insert<T>(mut attempt: impl FnMut() -> Result<T, DbError>) -> Result<T, DbError> {
    match attempt() {
        Err(e) if super::is_unique_violation(&e) => attempt(),
        other => other,
    }
}

fn standing(
    conn: &mut DbConnection,
    email: &str,
    address: &str,
) -> Result<Option<Standing>, DbError> {
    let row: Option<(i32, NaiveDateTime, Option<NaiveDateTime>)> = crate::first_for_update!(
        conn,
        lf::table.find((email, address)).select((
            lf::failures,
            lf::last_failure_at,
            lf::locked_until
        ))
    )?;
    Ok(row.map(|(failures, last, until)| Standing {
        failures,
        last_failure_at: from_db(last),
        locked_until: until.map(from_db),
    }))
}

fn store(
    conn: &mut DbConnection,
    email: &str,
    address: &str,
    exists: bool,
    s: &Standing,
) -> Result<(), DbError> {
    let values = (
        lf::failures.eq(s.failures),
        lf::locked_until.eq(s.locked_until.map(to_db)),
        lf::last_failure_at.eq(to_db(s.last_failure_at)),
    );
    if exists {
        diesel::update(lf::table.find((email, address)))
            .set(values)
            .execute(conn)?;
    } else {
        diesel::insert_into(lf::table)
            .values((lf::email.eq(email), lf::address.eq(address), values))
            .execute(conn)?;
    }
    Ok(())
}
