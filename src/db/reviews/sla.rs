//! The moderators' deadlines on reviews: a held review, an open flag or an open appeal past its
//! due time gets one `sla_breached` line in the moderation log per deadline, written through
//! the one event pipeline (`events::record_review`). A review held again after an edit has a
//! new deadline, so it can be breached again: the line is keyed by (subject, due), as the
//! complaints' and returns' breaches are by (sla, due).
use super::super::events::{record_review, LogAction, ReviewStep};
use super::super::schema::{moderation_log as ml, review_appeals as ra, review_flags as rf};
use super::{r, to_db, write_tx, DbConnection, DbError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

/// The log action of a missed moderation deadline.
pub const SLA_BREACHED: &str = "sla_breached";
const NOTE: &str = "moderation deadline passed";

/// What a review deadline belongs to, as the moderation log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Watched {
    Review,
    Flag,
    Appeal,
}

impl Watched {
    fn subject_type(self) -> &'static str {
        match self {
            Watched::Review => "review",
            Watched::Flag => "flag",
            Watched::Appeal => "appeal",
        }
    }
}

/// Records every review deadline passed as of `now` that has no line yet; returns how many
/// it recorded.
pub fn record_moderation_breaches(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
) -> Result<usize, DbError> {
    let at = to_db(now);
    let mut overdue: Vec<(Watched, String, String, NaiveDateTime)> = Vec::new();
    let held: Vec<(String, String, Option<NaiveDateTime>)> = r::table
        .filter(r::status.eq("pending_moderation"))
        .filter(r::moderation_due_at.lt(at))
        .select((r::id, r::status, r::moderation_due_at))
        .load(conn)?;
    overdue.extend(
        held.into_iter()
            .filter_map(|(id, s, due)| Some((Watched::Review, id, s, due?))),
    );
    let flags: Vec<(String, String, NaiveDateTime)> = rf::table
        .filter(rf::status.eq("open"))
        .filter(rf::due_at.lt(at))
        .select((rf::id, rf::status, rf::due_at))
        .load(conn)?;
    overdue.extend(
        flags
            .into_iter()
            .map(|(id, s, due)| (Watched::Flag, id, s, due)),
    );
    let appeals: Vec<(String, String, NaiveDateTime)> = ra::table
        .filter(ra::status.eq("open"))
        .filter(ra::due_at.lt(at))
        .select((ra::id, ra::status, ra::due_at))
        .load(conn)?;
    overdue.extend(
        appeals
            .into_iter()
            .map(|(id, s, due)| (Watched::Appeal, id, s, due)),
    );

    let mut recorded = 0;
    for (kind, id, status, due) in overdue {
        let inserted = write_tx(conn, |c| {
            if recorded_for(c, &id, due)? {
                return Ok(false);
            }
            let step = ReviewStep::log(LogAction {
                actor: None,
                action: SLA_BREACHED,
                subject: (kind.subject_type(), &id),
                before: Some(&status),
                after: Some(&status),
                note: Some(NOTE),
                due: Some(due),
            });
            record_review(c, step, now)?;
            Ok(true)
        })?;
        recorded += usize::from(inserted);
    }
    Ok(recorded)
}

/// Whether the deadline `due` of `subject` already has its line. Lines written before the
/// deadline was stored with them (`due_at` empty) count for the deadline they came after.
fn recorded_for(
    conn: &mut DbConnection,
    subject: &str,
    due: NaiveDateTime,
) -> Result<bool, DbError> {
    let n: i64 = ml::table
        .filter(ml::subject_id.eq(subject))
        .filter(ml::action.eq(SLA_BREACHED))
        .filter(
            ml::due_at
                .eq(due)
                .or(ml::due_at.is_null().and(ml::created_at.gt(due))),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
