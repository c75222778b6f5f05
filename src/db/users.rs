//! Accounts and shops.
use super::schema::{shops, users};
use super::{new_id, to_db, write_tx, DbConnection, DbError};
use crate::domain::refused::Refused;
use crate::domain::roles::Role;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub full_name: String,
    pub phone: Option<String>,
    pub role: crate::domain::roles::Role,
    pub shop_id: Option<String>,
    pub created_at: NaiveDateTime,
}

impl UserRow {
    pub fn role(&self) -> Role {
        // The CHECK constraint admits only known roles; an unknown one gets the least power.
        self.role
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    id: &'a str,
    email: &'a str,
    password_hash: &'a str,
    full_name: &'a str,
    phone: Option<&'a str>,
    role: &'a str,
    shop_id: Option<&'a str>,
    created_at: NaiveDateTime,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub full_name: &'a str,
    pub phone: Option<&'a str>,
    pub role: Role,
    /// Required for sellers: their shop is created with the account.
    pub shop_name: Option<&'a str>,
    /// Ids chosen by the caller (the demo data, so that documented examples name real
    /// records); new ones otherwise.
    pub id: Option<&'a str>,
    pub shop_id: Option<&'a str>,
}

/// Creates the account (and a seller's shop) in one transaction; 409 `email_taken` when
/// the address is registered already.
pub fn create(
    conn: &mut DbConnection,
    new: &NewUser,
    now: DateTime<Utc>,
) -> Result<UserRow, DbError> {
    write_tx(conn, |conn| {
        let taken: i64 = users::table
            .filter(users::email.eq(new.email))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(Refused::EmailTaken.into());
        }
        let shop_id = match (new.role, new.shop_name) {
            (Role::Seller, Some(name)) => {
                let id = new.shop_id.map_or_else(new_id, str::to_string);
                diesel::insert_into(shops::table)
                    .values((
                        shops::id.eq(&id),
                        shops::name.eq(name),
                        shops::created_at.eq(to_db(now)),
                    ))
                    .execute(conn)?;
                Some(id)
            }
            _ => None,
        };
        let id = new.id.map_or_else(new_id, str::to_string);
        diesel::insert_into(users::table)
            .values(NewUserRow {
                id: &id,
                email: new.email,
                password_hash: new.password_hash,
                full_name: new.full_name,
                phone: new.phone,
                role: new.role.as_str(),
                shop_id: shop_id.as_deref(),
                created_at: to_db(now),
            })
            .execute(conn)
            .map_err(super::unique_means(Refused::EmailTaken))?;
        find(conn, &id)?.ok_or(DbError::NotFound)
    })
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<UserRow>, DbError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<UserRow>, DbError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn shop_exists(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    let n: i64 = shops::table
        .filter(shops::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn shop_name(conn: &mut DbConnection, id: &str) -> Result<Option<String>, DbError> {
    Ok(shops::table
        .find(id)
        .select(shops::name)
        .first(conn)
        .optional()?)
}

/// The seller accounts of a shop (every one of them is notified of the shop's cases).
pub fn shop_sellers(conn: &mut DbConnection, shop_id: &str) -> Result<Vec<String>, DbError> {
    Ok(users::table
        .filter(users::shop_id.eq(shop_id))
        .filter(users::role.eq("seller"))
        .select(users::id)
        .load(conn)?)
}

/// Full names of the given accounts (unknown ids are left out).
pub fn names(
    conn: &mut DbConnection,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    // One reading of a few people, so that the statements that stay prepared are one set.
    Ok(people(conn, ids)?
        .into_iter()
        .map(|(id, (_, name))| (id, name))
        .collect())
}

/// Role and full name of each of `ids` (unknown ids are left out).
pub fn people(
    conn: &mut DbConnection,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, (String, String)>, DbError> {
    let q = users::table.select((users::id, users::role, users::full_name));
    // A single case or return names one to three people (its buyer, and who handled or
    // decided it): those are fixed statements that stay prepared. diesel never caches an
    // `IN (…)` statement on SQLite, whose bind count varies, so `eq_any` is kept for lists.
    let rows: Vec<(String, String, String)> = match ids {
        [one] => q.filter(users::id.eq(*one)).load(conn)?,
        [a, b] => q.filter(users::id.eq(*a).or(users::id.eq(*b))).load(conn)?,
        [a, b, c] => q
            .filter(users::id.eq(*a).or(users::id.eq(*b)).or(users::id.eq(*c)))
            .load(conn)?,
        _ => q.filter(users::id.eq_any(ids)).load(conn)?,
    };
    Ok(rows
        .into_iter()
        .map(|(id, role, name)| (id, (role, name)))
        .collect())
}
