//! The moderators' work queue (held reviews, open flags, open appeals; nearest deadline
//! first) and the append-only moderation log.
use super::schema::{
    complaints as c, moderation_log as ml, review_appeals as ra, review_flags as rf, reviews as r,
};
use super::{DbConnection, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    Review,
    Flag,
    Appeal,
    Complaint,
    Return,
}

impl QueueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueKind::Review => "review",
            QueueKind::Flag => "flag",
            QueueKind::Appeal => "appeal",
            QueueKind::Complaint => "complaint",
            QueueKind::Return => "return",
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub kind: QueueKind,
    pub id: String,
    /// The review the item is about; for complaints, the complaint itself.
    pub review_id: String,
    pub due_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    /// Screening findings (review), the author's text (appeal), or a JSON summary: of the flag
    /// and the review's earlier dismissals (flag), or of the case (complaint, return).
    pub detail: String,
}

/// Up to `limit` entries of the given kinds ordered by (due_at, id), after `after`.
pub fn queue(
    conn: &mut DbConnection,
    kinds: &[QueueKind],
    after: Option<(NaiveDateTime, String)>,
    limit: u32,
) -> Result<Vec<QueueEntry>, DbError> {
    let mut out = Vec::new();
    let n = i64::from(limit);
    for kind in kinds {
        let rows: Vec<(String, String, NaiveDateTime, NaiveDateTime, String)> = match kind {
            QueueKind::Review => {
                let mut q = r::table
                    .filter(r::status.eq("pending_moderation"))
                    .filter(r::moderation_due_at.is_not_null())
                    .select((
                        r::id,
                        r::id,
                        r::moderation_due_at.assume_not_null(),
                        r::updated_at,
                        r::screening,
                    ))
                    .order((r::moderation_due_at.asc(), r::id.asc()))
                    .limit(n)
                    .into_boxed();
                if let Some((at, id)) = &after {
                    q = q.filter(
                        r::moderation_due_at
                            .gt(*at)
                            .or(r::moderation_due_at.eq(*at).and(r::id.gt(id.clone()))),
                    );
                }
                q.load(conn)?
            }
            QueueKind::Flag => {
                let mut q = rf::table
                    .filter(rf::status.eq("open"))
                    .select((
                        rf::id,
                        rf::review_id,
                        rf::due_at,
                        rf::created_at,
                        rf::reason,
                    ))
                    .order((rf::due_at.asc(), rf::id.asc()))
                    .limit(n)
                    .into_boxed();
                if let Some((at, id)) = &after {
                    q = q.filter(
                        rf::due_at
                            .gt(*at)
                            .or(rf::due_at.eq(*at).and(rf::id.gt(id.clone()))),
                    );
                }
                let rows = q.load(conn)?;
                flags_with_history(conn, rows)?
            }
            QueueKind::Appeal => {
                let mut q = ra::table
                    .filter(ra::status.eq("open"))
                    .select((ra::id, ra::review_id, ra::due_at, ra::created_at, ra::body))
                    .order((ra::due_at.asc(), ra::id.asc()))
                    .limit(n)
                    .into_boxed();
                if let Some((at, id)) = &after {
                    q = q.filter(
                        ra::due_at
                            .gt(*at)
                            .or(ra::due_at.eq(*at).and(ra::id.gt(id.clone()))),
                    );
                }
                q.load(conn)?
            }
            QueueKind::Complaint => complaint_rows(conn, after.as_ref(), n)?,
            QueueKind::Return => super::returns::escalated(conn, after.as_ref(), n)?,
        };
        out.extend(
            rows.into_iter()
                .map(|(id, review_id, due_at, created_at, detail)| QueueEntry {
                    kind: *kind,
                    id,
                    review_id,
                    due_at,
                    created_at,
                    detail,
                }),
        );
    }
    out.sort_by(|a, b| (a.due_at, &a.id).cmp(&(b.due_at, &b.id)));
    out.truncate(limit as usize);
    Ok(out)
}

type Row = (String, String, NaiveDateTime, NaiveDateTime, String);

/// An open flag's detail: its reason and the moderators' earlier dismissals of flags on the
/// same review, so that a shop flagging again after a dismissal is seen as doing so.
fn flags_with_history(conn: &mut DbConnection, rows: Vec<Row>) -> Result<Vec<Row>, DbError> {
    let reviews: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let dismissals = super::reviews::dismissals(conn, &reviews)?;
    Ok(rows
        .into_iter()
        .map(|(id, review_id, due, created, reason)| {
            let earlier: Vec<_> = dismissals
                .iter()
                .filter(|d| d.review_id == review_id)
                .collect();
            let last = earlier.last().map(|d| {
                serde_json::json!({
                    "at": super::from_db(d.at)
                        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    "note": d.note,
                    "version": d.version,
                })
            });
            let detail = serde_json::json!({
                "reason": reason,
                "previous_dismissals": earlier.len(),
                "last_dismissal": last,
            });
            (id, review_id, due, created, detail.to_string())
        })
        .collect())
}

/// Seller-first routing in SQL, for the dashboard's queue counts (`db::stats`), which must
/// count what the queue shows.
pub const NOT_WITH_SELLER_FIRST_SQL: &str =
    "NOT (target = 'seller' AND seller_respond_by IS NOT NULL AND seller_responded_at IS NULL AND escalated_at IS NULL)";

/// Complaints waiting on a moderator (not only on the buyer), by their nearest deadline.
#[allow(clippy::type_complexity)]
fn complaint_rows(
    conn: &mut DbConnection,
    after: Option<&(NaiveDateTime, String)>,
    n: i64,
) -> Result<Vec<(String, String, NaiveDateTime, NaiveDateTime, String)>, DbError> {
    use crate::domain::complaints::Status;
    let waiting: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.needs_moderator())
        .map(|s| s.as_str())
        .collect();
    // A case awaiting the buyer still waits on a moderator while nobody acknowledged it.
    let unacknowledged = c::status
        .eq(Status::AwaitingBuyer.as_str())
        .and(c::acknowledged_at.is_null());
    // Seller-first routing (`Case::with_seller_first`): a seller case reaches the queue on
    // the seller's answer, on silence (the sweep escalates) or on the buyer's escalation.
    let with_seller_first = c::target
        .eq(crate::domain::complaints::Target::Seller.as_str())
        .and(c::seller_respond_by.is_not_null())
        .and(c::seller_responded_at.is_null())
        .and(c::escalated_at.is_null());
    let mut q = c::table
        .filter(c::status.eq_any(waiting).or(unacknowledged))
        .filter(diesel::dsl::not(with_seller_first))
        .filter(c::due_at.is_not_null())
        .select((
            c::id,
            c::number,
            c::due_at.assume_not_null(),
            c::filed_at,
            c::status,
            c::target,
            c::category,
            c::escalated_at,
        ))
        .order((c::due_at.asc(), c::id.asc()))
        .limit(n)
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            c::due_at
                .gt(*at)
                .or(c::due_at.eq(*at).and(c::id.gt(id.clone()))),
        );
    }
    let rows: Vec<(
        String,
        String,
        NaiveDateTime,
        NaiveDateTime,
        String,
        String,
        String,
        Option<NaiveDateTime>,
    )> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, number, due, filed, status, target, category, escalated)| {
                let detail = serde_json::json!({
                    "number": number, "status": status, "target": target, "category": category,
                    "escalated": escalated.is_some(),
                });
                (id.clone(), id, due, filed, detail.to_string())
            },
        )
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ml)]
pub struct LogRow {
    pub id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub before_status: Option<String>,
    pub after_status: Option<String>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Newest first. There is no update or delete of log rows anywhere in the code.
/// Which log entries to list (each filter optional).
#[derive(Debug, Default)]
pub struct LogFilter<'a> {
    pub subject_id: Option<&'a str>,
    pub subject_type: Option<&'a str>,
    pub actor_id: Option<&'a str>,
}

pub fn log_entries(
    conn: &mut DbConnection,
    filter: &LogFilter<'_>,
    before: Option<&str>,
    limit: u32,
) -> Result<Vec<LogRow>, DbError> {
    let mut q = ml::table
        .select(LogRow::as_select())
        .order(ml::id.desc())
        .limit(i64::from(limit))
        .into_boxed();
    if let Some(s) = filter.subject_id {
        q = q.filter(ml::subject_id.eq(s.to_string()));
    }
    if let Some(t) = filter.subject_type {
        q = q.filter(ml::subject_type.eq(t.to_string()));
    }
    if let Some(a) = filter.actor_id {
        q = q.filter(ml::actor_id.eq(a.to_string()));
    }
    if let Some(b) = before {
        q = q.filter(ml::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}
