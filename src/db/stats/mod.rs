//! Analytics. A shop's counted figures come from day counters kept on write by triggers
//! (`days`: every later change of a case — a reply, a decision, a refund — revisits its day
//! there, in its own transaction), with the window's partial first and last days read from
//! the rows; what a counter cannot hold (medians, flags, and the "due" counts that move with
//! the clock) is read from the rows through indexes. The moderators' figures are aggregate
//! queries over indexes.
//!
//! The few places where PostgreSQL and SQLite speak differently (durations, JSON fields,
//! parameters) go through `Dialect`.
pub mod days;
pub mod moderation;
pub mod series;
pub mod shop;
pub mod targets;

use super::DbConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    pub fn of(conn: &DbConnection) -> Dialect {
        match conn {
            DbConnection::Postgresql(_) => Dialect::Postgres,
            DbConnection::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// Whether `b` came at most `secs` seconds after `a`: a comparison of instants, not a
    /// duration computed for every row (EXTRACT(EPOCH …) per row was most of a 100k-review
    /// pass on PostgreSQL).
    pub fn within(self, a: &str, b: &str, secs: i64) -> String {
        match self {
            Dialect::Postgres => format!("{b} <= {a} + INTERVAL '{secs} seconds'"),
            Dialect::Sqlite => {
                format!("ROUND((julianday({b}) - julianday({a})) * 86400000.0) <= {secs}000")
            }
        }
    }

    /// What orders durations from `a` to `b` (an interval, or days as a double).
    pub fn gap(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Postgres => format!("({b} - {a})"),
            Dialect::Sqlite => format!("(julianday({b}) - julianday({a}))"),
        }
    }

    /// A column compared in a median's query: on SQLite kept out of the index choice (`+col`),
    /// so that it walks the index on the duration in order and filters the window from the
    /// index entries, rather than sorting every row of the window (measured: 93 ms → 6 ms for
    /// 60k replies). PostgreSQL weighs both plans itself.
    pub fn filter_only(self, column: &str) -> String {
        match self {
            Dialect::Postgres => column.to_string(),
            Dialect::Sqlite => format!("+{column}"),
        }
    }

    /// A query over open items whose deadline is still ahead, with its window column (`col >=
    /// $2 AND col < $3`) kept out of SQLite's index choice: SQLite otherwise walks the window
    /// (every case of 90 days) rather than the deadline's index (the few still open),
    /// measured 20 ms → 1 ms for 20k complaints.
    pub fn deadlines_first(self, sql: &str, column: &str) -> String {
        let kept = self.filter_only(column);
        sql.replace(&format!("{column} >= $2"), &format!("{kept} >= $2"))
            .replace(&format!("{column} < $3"), &format!("{kept} < $3"))
    }

    /// Seconds of a `gap`, to the millisecond.
    fn gap_secs(self, gap: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST(EXTRACT(EPOCH FROM {gap}) AS DOUBLE PRECISION)"),
            Dialect::Sqlite => format!("(ROUND({gap} * 86400000.0) / 1000.0)"),
        }
    }

    /// A text field of a JSON text column.
    pub fn json_text(self, column: &str, field: &str) -> String {
        match self {
            Dialect::Postgres => format!("(CAST({column} AS jsonb) ->> '{field}')"),
            // Not json_extract's `'$.field'`: `$` marks the parameters (see `stats_query!`).
            Dialect::Sqlite => format!("({column} ->> '{field}')"),
        }
    }
}

/// Runs a query written with `$N` parameters on either backend (SQLite reads `?N` as the
/// same numbered parameter), binding the listed `(sql type, value)` pairs in order.
#[macro_export]
macro_rules! stats_query {
    ($conn:expr, $sql:expr, [$(($ty:ty, $val:expr)),* $(,)?]) => {
        match $conn {
            $crate::db::DbConnection::Postgresql(c) => diesel::sql_query($sql.to_string())
                $(.bind::<$ty, _>($val))*
                .load(c),
            $crate::db::DbConnection::Sqlite(c) => diesel::sql_query($sql.replace('$', "?"))
                $(.bind::<$ty, _>($val))*
                .load(c),
        }
    };
}

/// A count by one or two codes.
#[derive(diesel::QueryableByName, Debug)]
pub struct CodeCount {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub code: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub code2: Option<String>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}

/// Durations in seconds, for medians.
#[derive(diesel::QueryableByName, Debug)]
pub struct Secs {
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub s: f64,
}

/// The median of the durations a query lists as `k` (a `Dialect::gap`), given how many there
/// are: sorted by the gap itself, and only the one or two middle rows turned into seconds.
pub fn median_of(
    conn: &mut DbConnection,
    sql: &str,
    count: i64,
    bind: impl Fn(&mut DbConnection, &str) -> Result<Vec<Secs>, super::DbError>,
) -> Result<Option<i64>, super::DbError> {
    if count <= 0 {
        return Ok(None);
    }
    let d = Dialect::of(conn);
    let offset = (count - 1) / 2;
    let take = if count % 2 == 0 { 2 } else { 1 };
    let sql = format!(
        "SELECT {} AS s FROM ({sql} ORDER BY k LIMIT {take} OFFSET {offset}) middle",
        d.gap_secs("k")
    );
    let rows = bind(conn, &sql)?;
    let secs: Vec<i64> = rows.iter().map(|r| r.s.round() as i64).collect();
    Ok(crate::domain::stats::median(&secs))
}
