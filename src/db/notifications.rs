//! The in-app notification feed. `notify` is called inside the transaction of the change
//! that causes it, so a notification exists exactly when its change does.
use super::schema::notifications as n;
use super::{new_id, to_db, DbConnection, DbError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = n)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: String,
    pub data: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// What happened, to whom, about which resource.
pub struct Notice<'a> {
    pub kind: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub data: serde_json::Value,
}

pub fn notify(
    conn: &mut DbConnection,
    recipients: &[&str],
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    notify_returning(conn, recipients, notice, now).map(drop)
}

/// `notify`, answering the ids it wrote (a filing patches its number into them, see
/// `db::events::renumber`).
pub fn notify_returning(
    conn: &mut DbConnection,
    recipients: &[&str],
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbError> {
    let data = notice.data.to_string();
    let mut ids = Vec::with_capacity(recipients.len());
    for user_id in recipients {
        let id = new_id();
        diesel::insert_into(n::table)
            .values((
                n::id.eq(&id),
                n::user_id.eq(*user_id),
                n::kind.eq(notice.kind),
                n::subject_type.eq(notice.subject_type),
                n::subject_id.eq(notice.subject_id),
                n::data.eq(&data),
                n::created_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        ids.push(id);
    }
    Ok(ids)
}

/// Newest first; `before` is the id of the last item of the previous page (ids are UUIDv7,
/// so they order by creation).
pub fn list(
    conn: &mut DbConnection,
    user_id: &str,
    unread_only: bool,
    before: Option<&str>,
    limit: u32,
) -> Result<Vec<NotificationRow>, DbError> {
    let mut query = n::table
        .filter(n::user_id.eq(user_id))
        .select(NotificationRow::as_select())
        .order(n::id.desc())
        .limit(i64::from(limit))
        .into_boxed();
    if unread_only {
        query = query.filter(n::read_at.is_null());
    }
    if let Some(before) = before {
        query = query.filter(n::id.lt(before));
    }
    Ok(query.load(conn)?)
}

pub fn unread_count(conn: &mut DbConnection, user_id: &str) -> Result<i64, DbError> {
    Ok(n::table
        .filter(n::user_id.eq(user_id))
        .filter(n::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks one of the caller's notifications read (idempotent); someone else's is NotFound.
pub fn mark_read(
    conn: &mut DbConnection,
    reader: &crate::domain::caller::Caller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<NotificationRow, DbError> {
    let user_id = reader.id.as_str();
    diesel::update(
        n::table
            .filter(n::id.eq(id))
            .filter(n::user_id.eq(user_id))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(to_db(now)))
    .execute(conn)?;
    Ok(n::table
        .filter(n::id.eq(id))
        .filter(n::user_id.eq(user_id))
        .select(NotificationRow::as_select())
        .first(conn)?)
}

pub fn mark_all_read(
    conn: &mut DbConnection,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        n::table
            .filter(n::user_id.eq(user_id))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(to_db(now)))
    .execute(conn)?)
}

/// Gives the user's first notification of `kind` about `subject_id` the id `id` (the demo's
/// fixed ids: a notification is written by the event that causes it, under an id drawn then).
/// Whether one was there to rename; none when `id` is taken already.
pub fn assign_id(
    conn: &mut DbConnection,
    user_id: &str,
    kind: &str,
    subject_id: &str,
    id: &str,
) -> Result<bool, DbError> {
    if n::table.find(id).count().get_result::<i64>(conn)? > 0 {
        return Ok(false);
    }
    let first: Option<String> = n::table
        .filter(n::user_id.eq(user_id))
        .filter(n::kind.eq(kind))
        .filter(n::subject_id.eq(subject_id))
        .order(n::id.asc())
        .select(n::id)
        .first(conn)
        .optional()?;
    let Some(first) = first else {
        return Ok(false);
    };
    let renamed = diesel::update(n::table.find(&first))
        .set(n::id.eq(id))
        .execute(conn)?;
    Ok(renamed == 1)
}
