//! The failed-login count per account (see `domain::login`), in the database so that every
//! instance sees the same count and a restart forgets nothing.
use super::schema::login_failures as lf;
use super::{from_db, to_db, write_tx, DbConnection, DbError};
use crate::domain::login::{counted, lock_after};
use crate::policy::LoginPolicy;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// Until when the account's logins are locked, if they are at `now`.
pub fn locked_until(
    conn: &mut DbConnection,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let until: Option<Option<chrono::NaiveDateTime>> = lf::table
        .find(email)
        .select(lf::locked_until)
        .first(conn)
        .optional()?;
    Ok(until.flatten().map(from_db).filter(|u| *u > now))
}

/// Counts one more failure, on the row as it stands under the transaction's lock, and returns
/// the lock it earned, if any. Two first failures at once both find no row to lock; the one
/// whose insert loses is counted again as an update.
pub fn record_failure(
    conn: &mut DbConnection,
    email: &str,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbError> {
    match count_one(conn, email, policy, now) {
        Err(e) if super::is_unique_violation(&e) => count_one(conn, email, policy, now),
        other => other,
    }
}

fn count_one(
    conn: &mut DbConnection,
    email: &str,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbError> {
    write_tx(conn, |conn| {
        let row: Option<(i32, chrono::NaiveDateTime)> = crate::first_for_update!(
            conn,
            lf::table
                .find(email)
                .select((lf::failures, lf::last_failure_at))
        )?;
        let failures = row.map_or(0, |(n, last)| counted(n, from_db(last), now, policy)) + 1;
        let until = lock_after(failures, policy).map(|d| now + d);
        let values = (
            lf::failures.eq(failures),
            lf::locked_until.eq(until.map(to_db)),
            lf::last_failure_at.eq(to_db(now)),
        );
        if row.is_some() {
            diesel::update(lf::table.find(email))
                .set(values)
                .execute(conn)?;
        } else {
            diesel::insert_into(lf::table)
                .values((lf::email.eq(email), values))
                .execute(conn)?;
        }
        Ok(until)
    })
}

/// A successful login forgets the failures.
pub fn clear(conn: &mut DbConnection, email: &str) -> Result<(), DbError> {
    diesel::delete(lf::table.find(email)).execute(conn)?;
    Ok(())
}
