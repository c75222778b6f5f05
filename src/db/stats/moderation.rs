//! The moderators' dashboard (`GET /moderation/stats`): the queue now, and the decisions of a
//! window against the deadline each was due by (`moderation_log.due_at`).
use crate::db::schema::users;
use crate::db::{to_db, DbConnection, DbError};
use crate::domain::stats::figures::*;
use crate::domain::stats::{Rate, Window};
use crate::stats_query;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use std::collections::BTreeMap;

#[derive(QueryableByName, Default)]
struct Queue {
    #[diesel(sql_type = BigInt)]
    review: i64,
    #[diesel(sql_type = BigInt)]
    review_late: i64,
    #[diesel(sql_type = BigInt)]
    flag: i64,
    #[diesel(sql_type = BigInt)]
    flag_late: i64,
    #[diesel(sql_type = BigInt)]
    appeal: i64,
    #[diesel(sql_type = BigInt)]
    appeal_late: i64,
    #[diesel(sql_type = BigInt)]
    complaint: i64,
    #[diesel(sql_type = BigInt)]
    complaint_late: i64,
    #[diesel(sql_type = BigInt)]
    ret: i64,
    #[diesel(sql_type = BigInt)]
    ret_late: i64,
}

#[derive(QueryableByName)]
struct Decided {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    actor: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    on_time: i64,
}

#[derive(QueryableByName)]
struct AppealCounts {
    #[diesel(sql_type = BigInt)]
    decided: i64,
    #[diesel(sql_type = BigInt)]
    reinstated: i64,
}

pub fn moderation_stats(
    conn: &mut DbConnection,
    w: Window,
    now: DateTime<Utc>,
) -> Result<ModerationStats, DbError> {
    // The queue's own predicates (db::moderation): a complaint waits on a moderator in the
    // statuses that need one, or awaiting the buyer while nobody acknowledged it.
    let waiting: Vec<String> = crate::domain::complaints::Status::ALL
        .iter()
        .filter(|s| s.needs_moderator())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let complaint = format!(
        "(status IN ({}) OR (status = 'awaiting_buyer' AND acknowledged_at IS NULL)) AND {} AND due_at IS NOT NULL",
        waiting.join(", "),
        crate::db::moderation::NOT_WITH_SELLER_FIRST_SQL
    );
    let count = |name: &str, table: &str, open: &str, due: &str| {
        format!(
            "(SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE {open}) AS {name},
             (SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE {open} AND {due} < $1) AS {name}_late"
        )
    };
    let sql = format!(
        "SELECT {}, {}, {}, {}, {}",
        count(
            "review",
            "reviews",
            "status = 'pending_moderation'",
            "moderation_due_at"
        ),
        count("flag", "review_flags", "status = 'open'", "due_at"),
        count("appeal", "review_appeals", "status = 'open'", "due_at"),
        count("complaint", "complaints", &complaint, "due_at"),
        count(
            "ret",
            "returns",
            "status = 'requested' AND escalated_at IS NOT NULL",
            "seller_decide_by"
        ),
    );
    let now_db = to_db(now);
    let mut queue: Vec<Queue> = stats_query!(conn, sql, [(Timestamp, now_db)])?;
    let q = queue.pop().unwrap_or_default();

    let (from, to) = (to_db(w.from), to_db(w.to));
    let decided: Vec<Decided> = stats_query!(
        conn,
        "SELECT subject_type AS kind, actor_id AS actor, CAST(COUNT(*) AS BIGINT) AS n,
                CAST(COALESCE(SUM(CASE WHEN created_at <= due_at THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_time
         FROM moderation_log
         WHERE due_at IS NOT NULL AND actor_id IS NOT NULL AND created_at >= $1 AND created_at < $2
         GROUP BY subject_type, actor_id",
        [(Timestamp, from), (Timestamp, to)]
    )?;
    let mut by_kind: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut by_actor: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for d in &decided {
        let k = by_kind.entry(d.kind.clone()).or_default();
        k.0 += d.on_time;
        k.1 += d.n;
        if let Some(actor) = &d.actor {
            let a = by_actor.entry(actor.clone()).or_default();
            a.0 += d.on_time;
            a.1 += d.n;
        }
    }
    let ids: Vec<&String> = by_actor.keys().collect();
    let names: BTreeMap<String, String> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::full_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut by_moderator: Vec<ModeratorFigures> = by_actor
        .into_iter()
        .map(|(id, (on_time, n))| ModeratorFigures {
            name: names.get(&id).cloned().unwrap_or_default(),
            moderator_id: id,
            on_time: Rate::new(on_time, n),
        })
        .collect();
    by_moderator.sort_by(|a, b| {
        (b.on_time.denominator, &a.moderator_id).cmp(&(a.on_time.denominator, &b.moderator_id))
    });

    let mut appeals: Vec<AppealCounts> = stats_query!(
        conn,
        "SELECT CAST(COUNT(*) AS BIGINT) AS decided,
                CAST(COALESCE(SUM(CASE WHEN status = 'reinstated' THEN 1 ELSE 0 END), 0) AS BIGINT) AS reinstated
         FROM review_appeals WHERE status <> 'open' AND decided_at >= $1 AND decided_at < $2",
        [(Timestamp, from), (Timestamp, to)]
    )?;
    let a = appeals.pop().unwrap_or(AppealCounts {
        decided: 0,
        reinstated: 0,
    });
    Ok(ModerationStats {
        from: w.from,
        to: w.to,
        open: QueueCounts {
            review: q.review,
            flag: q.flag,
            appeal: q.appeal,
            complaint: q.complaint,
            return_: q.ret,
        },
        overdue: QueueCounts {
            review: q.review_late,
            flag: q.flag_late,
            appeal: q.appeal_late,
            complaint: q.complaint_late,
            return_: q.ret_late,
        },
        sla: ModerationSla {
            by_kind: by_kind
                .into_iter()
                .map(|(k, (on_time, n))| (k, Rate::new(on_time, n)))
                .collect(),
            by_moderator,
        },
        appeals: AppealFigures {
            decided: a.decided,
            reinstated: a.reinstated,
            reversal_rate: Rate::new(a.reinstated, a.decided),
        },
    })
}
