//! Refresh-token families: every login starts a family; each refresh spends one token and
//! adds its successor; presenting a spent token revokes the whole family.
use super::schema::refresh_tokens as rt;
use super::users::{self, UserRow};
use super::{new_id, to_db, write_tx, DbConnection, DbError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = rt)]
struct TokenRow {
    id: String,
    user_id: String,
    family_id: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConnection,
    user_id: &str,
    family_id: &str,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(rt::table)
        .values((
            rt::id.eq(new_id()),
            rt::user_id.eq(user_id),
            rt::family_id.eq(family_id),
            rt::token_hash.eq(token_hash),
            rt::created_at.eq(to_db(now)),
            rt::expires_at.eq(to_db(expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub enum Rotation {
    /// The old token is spent and `new_hash` stored in its family.
    Rotated(UserRow),
    /// The token had been spent or revoked before: the family is now revoked.
    Reused,
    /// Unknown or expired.
    Invalid,
}

pub fn rotate(
    conn: &mut DbConnection,
    old_hash: &str,
    new_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Rotation, DbError> {
    write_tx(conn, |conn| {
        let Some(token) = rt::table
            .filter(rt::token_hash.eq(old_hash))
            .select(TokenRow::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(Rotation::Invalid);
        };
        if token.used_at.is_some() || token.revoked_at.is_some() {
            revoke_family(conn, &token.family_id, now)?;
            return Ok(Rotation::Reused);
        }
        if token.expires_at <= to_db(now) {
            return Ok(Rotation::Invalid);
        }
        // Guarded update: of two concurrent refreshes with one token, only one spends it.
        let spent = diesel::update(rt::table.find(&token.id).filter(rt::used_at.is_null()))
            .set(rt::used_at.eq(to_db(now)))
            .execute(conn)?;
        if spent == 0 {
            revoke_family(conn, &token.family_id, now)?;
            return Ok(Rotation::Reused);
        }
        let Some(user) = users::find(conn, &token.user_id)? else {
            return Ok(Rotation::Invalid);
        };
        insert(
            conn,
            &token.user_id,
            &token.family_id,
            new_hash,
            now,
            expires_at,
        )?;
        Ok(Rotation::Rotated(user))
    })
}

fn revoke_family(
    conn: &mut DbConnection,
    family_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::update(
        rt::table
            .filter(rt::family_id.eq(family_id))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(to_db(now)))
    .execute(conn)?;
    Ok(())
}

/// Logout: revokes the family of `hash` when it belongs to `user_id`. Unknown tokens are
/// ignored so that logging out twice is harmless.
pub fn revoke_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        let family: Option<String> = rt::table
            .filter(rt::token_hash.eq(hash))
            .filter(rt::user_id.eq(user_id))
            .select(rt::family_id)
            .first(conn)
            .optional()?;
        if let Some(family) = family {
            revoke_family(conn, &family, now)?;
        }
        Ok(())
    })
}
