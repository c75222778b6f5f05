//! Service tokens on record: issued by `aftersale issue-token`, listed by `list-tokens`,
//! revoked by `revoke-token`. A service token is honoured only while its row is here and not
//! revoked (`auth::trust`).
use super::schema::{service_tokens as st, users};
use super::{from_db, from_db_opt, to_db, DbConnection, DbError};
use crate::auth::trust::Standing;
use crate::domain::roles::Role;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

pub fn insert(
    conn: &mut DbConnection,
    id: &str,
    user_id: &str,
    name: &str,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(st::table)
        .values((
            st::id.eq(id),
            st::user_id.eq(user_id),
            st::name.eq(name),
            st::issued_at.eq(to_db(issued_at)),
            st::expires_at.eq(to_db(expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A token as `list-tokens` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub id: String,
    pub account: String,
    pub name: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Every token on record, oldest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Listed>, DbError> {
    type Row = (
        String,
        String,
        String,
        NaiveDateTime,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = st::table
        .inner_join(users::table)
        .order((st::issued_at.asc(), st::id.asc()))
        .select((
            st::id,
            users::full_name,
            st::name,
            st::issued_at,
            st::expires_at,
            st::revoked_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, account, name, issued, expires, revoked)| Listed {
            id,
            account,
            name,
            issued_at: from_db(issued),
            expires_at: from_db(expires),
            revoked_at: from_db_opt(revoked),
        })
        .collect())
}

#[derive(Debug, PartialEq)]
pub enum Revocation {
    Revoked,
    /// Revoked before, at this instant: nothing changes.
    AlreadyRevoked(DateTime<Utc>),
    Unknown,
}

/// Revokes the token `id`. A conditional update: of two revocations, the first one's instant
/// stays.
pub fn revoke(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Revocation, DbError> {
    let changed = diesel::update(st::table.find(id).filter(st::revoked_at.is_null()))
        .set(st::revoked_at.eq(to_db(now)))
        .execute(conn)?;
    if changed > 0 {
        return Ok(Revocation::Revoked);
    }
    let before: Option<Option<NaiveDateTime>> = st::table
        .find(id)
        .select(st::revoked_at)
        .first(conn)
        .optional()?;
    Ok(match before {
        Some(Some(at)) => Revocation::AlreadyRevoked(from_db(at)),
        _ => Revocation::Unknown,
    })
}

/// What this database says about a token for `sub`, with the id of a service token (which must
/// be on record for `sub` and not revoked).
pub fn standing(
    conn: &mut DbConnection,
    sub: &str,
    service_token: Option<&str>,
) -> Result<Standing, DbError> {
    let account: Option<(String, Option<String>)> = users::table
        .find(sub)
        .select((users::role, users::shop_id))
        .first(conn)
        .optional()?;
    let Some((role, shop_id)) = account else {
        return Ok(Standing::Unknown);
    };
    let Some(role) = Role::parse(&role) else {
        return Ok(Standing::Unknown);
    };
    if let Some(jti) = service_token {
        let token: Option<(String, Option<NaiveDateTime>)> = st::table
            .find(jti)
            .select((st::user_id, st::revoked_at))
            .first(conn)
            .optional()?;
        match token {
            Some((owner, None)) if owner == sub => {}
            Some((owner, Some(_))) if owner == sub => return Ok(Standing::Revoked),
            _ => return Ok(Standing::Unknown),
        }
    }
    Ok(Standing::Account { role, shop_id })
}
