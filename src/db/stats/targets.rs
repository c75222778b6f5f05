//! The reply targets the day counters count against, written from `policy` into
//! `stat_targets` (migration 000091), which the `*_stat_rows` views read: the numbers live in
//! the policy alone, and a changed number recounts what depends on it.
use crate::db::{write_tx, DbConnection, DbError};
use crate::policy::Policy;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// (name in `stat_targets`, seconds) as the policy sets them.
pub fn wanted(p: &Policy) -> Vec<(&'static str, i64)> {
    let secs = |hours: i64| hours * 3600;
    vec![
        ("review_reply", secs(p.reviews.reply_target_hours)),
        (
            "first_reply_target",
            secs(p.messages.seller_first_reply_target_hours),
        ),
        (
            "first_reply_limit",
            secs(p.messages.seller_first_reply_max_hours),
        ),
    ]
}

/// The counters whose rows compare against a target (see the views).
const DEPENDENT: &str = "'review.negative_in_24h', 'conversation.in_24h', 'conversation.in_48h'";

#[derive(QueryableByName)]
struct Target {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    secs: i64,
}

/// The targets stored now.
pub fn stored(conn: &mut DbConnection) -> Result<Vec<(String, i64)>, DbError> {
    let rows: Vec<Target> = crate::stats_query!(
        conn,
        "SELECT name, secs FROM stat_targets ORDER BY name",
        []
    )?;
    Ok(rows.into_iter().map(|t| (t.name, t.secs)).collect())
}

/// Writes the policy's targets when they differ from the stored ones and recounts the day
/// counters that depend on them, from the rows, in one transaction; whether it changed
/// anything. Run when the service migrates, before it serves.
pub fn sync(conn: &mut DbConnection, p: &Policy) -> Result<bool, DbError> {
    let mut want: Vec<(String, i64)> = wanted(p)
        .into_iter()
        .map(|(n, s)| (n.to_string(), s))
        .collect();
    want.sort();
    if stored(conn)? == want {
        return Ok(false);
    }
    write_tx(conn, |conn| {
        // Instances starting together: one recounts, the others then find the targets set.
        // (SQLite's write transaction already admits one writer.)
        if let DbConnection::Postgresql(c) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock(7161587001)").execute(c)?;
        }
        if stored(conn)? == want {
            return Ok(false);
        }
        let statements = [
            "DELETE FROM stat_targets".to_string(),
            format!("DELETE FROM shop_stat_deltas WHERE metric IN ({DEPENDENT})"),
            format!("DELETE FROM shop_stat_days WHERE metric IN ({DEPENDENT})"),
        ];
        for sql in &statements {
            run(conn, sql, None)?;
        }
        for (name, secs) in &want {
            run(
                conn,
                "INSERT INTO stat_targets (name, secs) VALUES ($1, $2)",
                Some((name, *secs)),
            )?;
        }
        run(
            conn,
            &format!(
                "INSERT INTO shop_stat_days (shop_id, day, metric, code, n)
                 SELECT shop_id, day, metric, code, SUM(n) FROM (
                     SELECT shop_id, day, metric, code, n FROM review_stat_rows
                     UNION ALL SELECT shop_id, day, metric, code, n FROM conversation_stat_rows
                 ) x WHERE metric IN ({DEPENDENT}) GROUP BY shop_id, day, metric, code"
            ),
            None,
        )?;
        Ok(true)
    })
}

fn run(conn: &mut DbConnection, sql: &str, bind: Option<(&str, i64)>) -> Result<usize, DbError> {
    Ok(match (conn, bind) {
        (DbConnection::Postgresql(c), None) => diesel::sql_query(sql).execute(c)?,
        (DbConnection::Sqlite(c), None) => diesel::sql_query(sql).execute(c)?,
        (DbConnection::Postgresql(c), Some((name, secs))) => diesel::sql_query(sql)
            .bind::<Text, _>(name)
            .bind::<BigInt, _>(secs)
            .execute(c)?,
        (DbConnection::Sqlite(c), Some((name, secs))) => diesel::sql_query(sql.replace('$', "?"))
            .bind::<Text, _>(name)
            .bind::<BigInt, _>(secs)
            .execute(c)?,
    })
}
