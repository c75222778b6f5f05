//! The shop's figures by UTC day, kept on write (migration 000016): what every row of reviews,
//! conversations, complaints and returns counts towards, summed by (day, metric, code).
//!
//! A window `[from, to)` reads its whole days from the day counters and the deltas not yet
//! folded into them, in one statement, and its partial first and last days from the rows
//! themselves through the same definitions (the `*_stat_rows` views), so a window cut to the
//! second and one of whole days count alike.
use crate::db::{to_db, write_tx, DbConnection, DbError};
use crate::domain::stats::figures::Breakdown;
use crate::domain::stats::Window;
use crate::stats_query;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text, Timestamp};
use std::collections::HashMap;

/// Sums by (metric, code) over a window.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts(HashMap<(String, String), i64>);

impl Counts {
    /// A figure without a code (`review.received`).
    pub fn get(&self, metric: &str) -> i64 {
        self.code(metric, "")
    }

    pub fn code(&self, metric: &str, code: &str) -> i64 {
        self.0
            .get(&(metric.to_string(), code.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// A figure by its codes, without the empty code (no reason given) and without zeros.
    pub fn breakdown(&self, metric: &str) -> Breakdown {
        self.0
            .iter()
            .filter(|((m, code), n)| m == metric && !code.is_empty() && **n != 0)
            .map(|((_, code), n)| (code.clone(), *n))
            .collect()
    }

    /// The sum of a figure over its codes.
    pub fn total(&self, metric: &str) -> i64 {
        self.0
            .iter()
            .filter(|((m, _), _)| m == metric)
            .map(|(_, n)| n)
            .sum()
    }

    fn add(&mut self, rows: Vec<Row>) {
        for r in rows {
            *self.0.entry((r.metric, r.code)).or_default() += r.n;
        }
    }
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    metric: String,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The whole UTC days inside a window, as `[first, end)`; `None` when it holds none.
pub fn whole_days(w: Window) -> Option<(NaiveDate, NaiveDate)> {
    let from = w.from.date_naive();
    let first = if w.from.time() == NaiveTime::MIN {
        from
    } else {
        from + TimeDelta::days(1)
    };
    let end = w.to.date_naive();
    (first < end).then_some((first, end))
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// What the rows of `[from, to)` count, through the views.
const ROWS: &str = "SELECT metric, code, CAST(SUM(n) AS BIGINT) AS n FROM (
    SELECT metric, code, n FROM review_stat_rows WHERE shop_id = $1 AND at >= $2 AND at < $3
    UNION ALL SELECT metric, code, n FROM conversation_stat_rows WHERE shop_id = $1 AND at >= $2 AND at < $3
    UNION ALL SELECT metric, code, n FROM complaint_stat_rows WHERE shop_id = $1 AND at >= $2 AND at < $3
    UNION ALL SELECT metric, code, n FROM return_stat_rows WHERE shop_id = $1 AND at >= $2 AND at < $3
) x GROUP BY metric, code";

/// What the days `[$2, $3)` count: folded counters and the deltas written since.
const DAYS: &str = "SELECT metric, code, CAST(SUM(n) AS BIGINT) AS n FROM (
    SELECT metric, code, n FROM shop_stat_days WHERE shop_id = $1 AND day >= $2 AND day < $3
    UNION ALL SELECT metric, code, n FROM shop_stat_deltas WHERE shop_id = $1 AND day >= $2 AND day < $3
) x GROUP BY metric, code";

fn rows(
    conn: &mut DbConnection,
    shop_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Row>, DbError> {
    if from >= to {
        return Ok(Vec::new());
    }
    Ok(stats_query!(
        conn,
        ROWS,
        [
            (Text, shop_id),
            (Timestamp, to_db(from)),
            (Timestamp, to_db(to))
        ]
    )?)
}

/// Every counted figure of the shop over the window.
pub fn counts(conn: &mut DbConnection, shop_id: &str, w: Window) -> Result<Counts, DbError> {
    let mut counts = Counts::default();
    let Some((first, end)) = whole_days(w) else {
        counts.add(rows(conn, shop_id, w.from, w.to)?);
        return Ok(counts);
    };
    counts.add(rows(conn, shop_id, w.from, midnight(first))?);
    let days: Vec<Row> = stats_query!(conn, DAYS, [(Text, shop_id), (Date, first), (Date, end)])?;
    counts.add(days);
    counts.add(rows(conn, shop_id, midnight(end), w.to)?);
    Ok(counts)
}

/// The same figures from the rows alone: what the counters must always agree with.
pub fn counts_from_rows(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
) -> Result<Counts, DbError> {
    let mut counts = Counts::default();
    counts.add(rows(conn, shop_id, w.from, w.to)?);
    Ok(counts)
}

/// Folds the deltas written so far into the day counters; how many it folded. One instance
/// at a time (the sweep's lock), so no two folds meet on a counter row; writers only insert
/// deltas and never wait for it. Readers see the deltas before or after the fold, never
/// both: the fold is one transaction and a window's days are read in one statement.
pub fn rollup(conn: &mut DbConnection) -> Result<usize, DbError> {
    const FOLD: &str = "INSERT INTO shop_stat_days (shop_id, day, metric, code, n)
        SELECT shop_id, day, metric, code, SUM(n) FROM {deltas} WHERE TRUE
        GROUP BY shop_id, day, metric, code
        ON CONFLICT (shop_id, day, metric, code) DO UPDATE SET n = shop_stat_days.n + excluded.n";
    match conn {
        // One statement, so one snapshot: exactly the deltas it deletes are folded, also those
        // of a transaction that took its id before others and committed after them.
        DbConnection::Postgresql(c) => {
            let sql = format!(
                "WITH moved AS (DELETE FROM shop_stat_deltas RETURNING shop_id, day, metric, code, n),
                 folded AS ({} RETURNING 1)
                 SELECT CAST(COUNT(*) AS BIGINT) AS n FROM moved",
                FOLD.replace("{deltas}", "moved")
            );
            #[derive(QueryableByName)]
            struct Moved {
                #[diesel(sql_type = BigInt)]
                n: i64,
            }
            let moved: Moved = diesel::sql_query(sql).get_result(c)?;
            Ok(moved.n as usize)
        }
        // The write transaction keeps every other writer out between the two statements.
        DbConnection::Sqlite(_) => write_tx(conn, |conn| {
            let DbConnection::Sqlite(c) = conn else {
                unreachable!("a SQLite connection stays one");
            };
            diesel::sql_query(FOLD.replace("{deltas}", "shop_stat_deltas")).execute(c)?;
            Ok(diesel::sql_query("DELETE FROM shop_stat_deltas").execute(c)?)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_window_is_cut_into_its_whole_utc_days_and_two_edges() {
        let w = |from, to| Window {
            from: at(from),
            to: at(to),
        };
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            whole_days(w("2026-11-01T10:00:00Z", "2026-11-04T09:00:00Z")),
            Some((d("2026-11-02"), d("2026-11-04")))
        );
        assert_eq!(
            whole_days(w("2026-11-01T00:00:00Z", "2026-11-03T00:00:00Z")),
            Some((d("2026-11-01"), d("2026-11-03")))
        );
        assert_eq!(
            whole_days(w("2026-11-01T10:00:00Z", "2026-11-02T09:00:00Z")),
            None
        );
        assert_eq!(
            whole_days(w("2026-11-01T00:00:00Z", "2026-11-01T23:59:59Z")),
            None
        );
    }
}
