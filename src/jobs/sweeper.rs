//! The deadline sweep: one pass as of an instant. `aftersale sweep --at` runs it once; `serve`
//! runs the same pass every minute. Each step is idempotent, so a pass may repeat.
use crate::db::schema::{idempotency_keys, rating_summaries};
use crate::db::{to_db, write_tx, DbConnection, DbError};
use crate::policy::Policy;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde::Serialize;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct SweepReport {
    /// Another instance was sweeping; this one did nothing (printed only then).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
    /// Moderation items found past their deadline for the first time (logged as `sla_breached`).
    pub sla_breaches: usize,
    /// Shops whose 90-day rating was re-evaluated (it moves as reviews age out of the window).
    pub shops_checked: usize,
    /// Idempotency keys older than 24 hours removed.
    pub idempotency_keys_purged: usize,
    /// Complaint deadlines: breaches recorded, seller silence escalated, unappealed decisions closed.
    pub complaints: crate::db::complaints::ComplaintSweep,
    /// Return deadlines: breaches recorded, sellers' silence escalated to the moderators.
    pub returns: crate::db::returns::ReturnSweep,
    /// Refunds for failed deliveries not made within the hour of the buyer's choice.
    pub delivery_failures: crate::db::delivery_failures::FailureSweep,
    /// Conversations the seller left unanswered past 24 h (target) and 48 h (limit).
    pub messages: crate::db::messages::MessageSweep,
    /// Pending webhook deliveries of endpoints deleted while their event was being written.
    pub webhook_orphans_purged: usize,
    /// Changes to the shops' figures folded into their day counters.
    pub stat_deltas_folded: usize,
    /// Uploads no record cited a day after their upload: row and file deleted.
    pub uploads_deleted: usize,
}

/// One pass, by one instance at a time. On PostgreSQL the pass holds a session advisory lock
/// (`pg_try_advisory_lock`): an instance that finds it taken skips the minute (`skipped`), so
/// several instances sharing a database record, escalate and notify every deadline once. One
/// lock per pass rather than per step: the steps read, then write (count, then insert) across
/// several tables and transactions, and a pass is short. The lock lives with the connection,
/// so a crashed sweeper frees it when its connection closes. SQLite serves one instance.
///
/// Also returns the storage keys of the uploads it deleted: their files go with
/// `remove_swept`, after the rows' commits and off the database thread (the store is async).
pub fn sweep_with_uploads(
    conn: &mut DbConnection,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<(SweepReport, Vec<String>), DbError> {
    let mut swept = Vec::new();
    let report = pass_once(conn, policy, Some(&mut swept), now)?;
    Ok((report, swept))
}

/// Deletes the files of swept uploads. A file that cannot be removed is logged and left; its
/// row is gone, so nothing serves it.
pub async fn remove_swept(store: &crate::storage::Store, keys: Vec<String>) {
    for key in keys {
        if let Err(e) = store.remove(&key).await {
            tracing::warn!(key = %key, error = %e, "swept upload's file not removed");
        }
    }
}

/// The pass without the uploads' step, for callers with no file store at hand (the tests of
/// the other deadlines): uploads are deleted only where their files can be deleted too.
pub fn sweep(
    conn: &mut DbConnection,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<SweepReport, DbError> {
    pass_once(conn, policy, None, now)
}

fn pass_once(
    conn: &mut DbConnection,
    policy: &Policy,
    swept: Option<&mut Vec<String>>,
    now: DateTime<Utc>,
) -> Result<SweepReport, DbError> {
    if !lock::try_acquire(conn)? {
        return Ok(SweepReport {
            skipped: true,
            ..SweepReport::default()
        });
    }
    let report = pass(conn, policy, swept, now);
    let released = lock::release(conn);
    let report = report?;
    released?;
    Ok(report)
}

mod lock {
    use crate::db::{DbConnection, DbError};
    use diesel::prelude::*;

    /// "aftersale sweep" as a 64-bit key.
    const KEY: i64 = 0x6166_7465_7273_7765;

    #[derive(QueryableByName)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        held: bool,
    }

    pub fn try_acquire(conn: &mut DbConnection) -> Result<bool, DbError> {
        match conn {
            DbConnection::Postgresql(c) => {
                let row: Held = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS held")
                    .bind::<diesel::sql_types::BigInt, _>(KEY)
                    .get_result(c)?;
                Ok(row.held)
            }
            DbConnection::Sqlite(_) => Ok(true),
        }
    }

    pub fn release(conn: &mut DbConnection) -> Result<(), DbError> {
        if let DbConnection::Postgresql(c) = conn {
            diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<diesel::sql_types::BigInt, _>(KEY)
                .execute(c)?;
        }
        Ok(())
    }
}

fn pass(
    conn: &mut DbConnection,
    policy: &Policy,
    swept: Option<&mut Vec<String>>,
    now: DateTime<Utc>,
) -> Result<SweepReport, DbError> {
    let sla_breaches = crate::db::reviews::record_moderation_breaches(conn, now)?;
    let complaints = crate::db::complaints::sweep(conn, now)?;
    let returns = crate::db::returns::sweep(conn, now)?;
    let delivery_failures = crate::db::delivery_failures::sweep(conn, now)?;
    let messages = crate::db::messages::sweep(conn, now, &policy.messages)?;
    let shops: Vec<String> = rating_summaries::table
        .filter(rating_summaries::subject_type.eq("shop"))
        .select(rating_summaries::subject_id)
        .load(conn)?;
    for shop in &shops {
        write_tx(conn, |c| {
            crate::db::reviews::check_critical(c, shop, &policy.reviews, now)
        })?;
    }
    let idempotency_keys_purged = diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::created_at.lt(to_db(now - TimeDelta::hours(24)))),
    )
    .execute(conn)?;
    let webhook_orphans_purged = crate::db::webhooks::deliveries::purge_orphans(conn)?;
    let stat_deltas_folded = crate::db::stats::days::rollup(conn)?;
    let uploads_deleted = match swept {
        Some(swept) => delete_orphaned_uploads(conn, policy, swept, now)?,
        None => 0,
    };
    let report = SweepReport {
        skipped: false,
        sla_breaches,
        shops_checked: shops.len(),
        idempotency_keys_purged,
        complaints,
        returns,
        delivery_failures,
        messages,
        webhook_orphans_purged,
        stat_deltas_folded,
        uploads_deleted,
    };
    Ok(report)
}

/// Uploads nothing cites, a day (policy) after their upload: each row is deleted in its own
/// transaction; its key joins `swept`, for its file to be deleted after the commit (see
/// `db::attachments::delete_if_orphan`).
fn delete_orphaned_uploads(
    conn: &mut DbConnection,
    policy: &Policy,
    swept: &mut Vec<String>,
    now: DateTime<Utc>,
) -> Result<usize, DbError> {
    let cutoff = now - TimeDelta::hours(policy.uploads.unreferenced_kept_hours);
    let mut deleted = 0;
    // Batches bound a pass; a backlog drains over the following minutes.
    for id in crate::db::attachments::orphan_candidates(conn, cutoff, 500)? {
        let Some(key) = crate::db::attachments::delete_if_orphan(conn, &id, cutoff)? else {
            continue;
        };
        swept.push(key);
        deleted += 1;
    }
    Ok(deleted)
}
