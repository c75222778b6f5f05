//! The head of a public review list: the subject's list version (its `ETag`), its all-time
//! summary and its 90-day summary, read in one statement.
//!
//! Read as separate statements these were four round trips before the page itself; on
//! PostgreSQL each one is a wait for the socket, and the list is the busiest public read.
//! Every part is an aggregate without `GROUP BY`, so each yields exactly one row (zeros for
//! a subject nobody has reviewed), tagged with its part number.
//!
//! The parts are joined with `UNION ALL`, not a cross join: SQLite cannot flatten a join of
//! aggregates and materialised each part in a temporary b-tree, opened and closed on every
//! read (16 % of the reviews list's database time, measured with bench/sqlite_ceiling).
//! `UNION ALL` runs the parts one after the other and needs no temporary storage.
//!
//! The statement is fixed text per subject kind with a static query id: diesel prepares it
//! once per connection and keeps it, where a raw `sql_query` would be parsed and planned on
//! every read.
use super::*;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::HasSqlType;
use diesel::sql_types::{Bool, Timestamp};
use std::marker::PhantomData;

/// A subject's version and summaries, as of one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListHead {
    /// Raised by a trigger on every change to one of the subject's reviews (0 while none).
    pub version: i64,
    pub all: Distribution,
    /// Exactly the last `days` × 24 h.
    pub recent: Distribution,
}

/// Reads the head of `subject`'s public list. The 90-day part is counted as
/// `summary_recent` describes: whole local days from the day counters, and the day the
/// window starts in from the reviews themselves, cut at the window's instant.
pub fn list_head(
    conn: &mut DbConnection,
    subject: ReviewSubject,
    now: DateTime<Utc>,
    days: i64,
) -> Result<ListHead, DbError> {
    let since = now - TimeDelta::days(days);
    let window = Window {
        id: subject.id().to_string(),
        first_day: local_date(since).format("%Y-%m-%d").to_string(),
        from: to_db(since),
        to: to_db(crate::calendar::local_midnight_after(since)),
    };
    let rows = match subject {
        ReviewSubject::Product(_) => read(conn, HeadQuery::<OfProduct>::new(window))?,
        ReviewSubject::Shop(_) => read(conn, HeadQuery::<OfShop>::new(window))?,
    };
    // Parts: 0 the version, 1 the all-time counts, 2 the window's whole days, 3 its first day.
    let mut parts = [[0i64; 5]; 4];
    let mut seen = [false; 4];
    for (part, c1, c2, c3, c4, c5) in rows {
        let i = usize::try_from(part)
            .ok()
            .filter(|i| *i < 4 && !seen[*i])
            .ok_or_else(|| DbError::Other(format!("list head: unexpected part {part}")))?;
        parts[i] = [c1, c2, c3, c4, c5];
        seen[i] = true;
    }
    if seen.contains(&false) {
        return Err(DbError::Other("list head: a part is missing".into()));
    }
    let [version, all, days, first_day] = parts;
    Ok(ListHead {
        version: version[0],
        all: Distribution(all),
        recent: Distribution(std::array::from_fn(|i| days[i] + first_day[i])),
    })
}

type HeadRow = (i64, i64, i64, i64, i64, i64);

fn read<K: Kind>(conn: &mut DbConnection, q: HeadQuery<K>) -> Result<Vec<HeadRow>, DbError> {
    Ok(crate::on_backend!(conn, |c| q.load::<HeadRow>(c))?)
}

/// What differs between a product's list and a shop's: the column that names the subject
/// and the star a review counts with (a shop counts the buyer's shop rating when given).
pub trait Kind: Send + 'static {
    const NAME: &'static str;
    const COLUMN: &'static str;
    const STAR: &'static str;
}

pub struct OfProduct;
pub struct OfShop;

impl Kind for OfProduct {
    const NAME: &'static str = "product";
    const COLUMN: &'static str = "product_id";
    const STAR: &'static str = "rating";
}

impl Kind for OfShop {
    const NAME: &'static str = "shop";
    const COLUMN: &'static str = "shop_id";
    // The SQL form of `domain::reviews::shop_score`.
    const STAR: &'static str = "COALESCE(shop_rating, rating)";
}

struct Window {
    id: String,
    /// Local date the window starts in: day counters after it are whole days in the window.
    first_day: String,
    /// The window's start, and the end of the local day it starts in.
    from: NaiveDateTime,
    to: NaiveDateTime,
}

pub struct HeadQuery<K> {
    window: Window,
    kind: PhantomData<K>,
}

impl<K: Kind> HeadQuery<K> {
    fn new(window: Window) -> Self {
        HeadQuery {
            window,
            kind: PhantomData,
        }
    }
}

// One static id per kind: the two kinds' texts differ, and diesel's statement cache is keyed
// by this id.
impl<K: Kind> QueryId for HeadQuery<K> {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<K: Kind> Query for HeadQuery<K> {
    type SqlType = (BigInt, BigInt, BigInt, BigInt, BigInt, BigInt);
}

impl<K: Kind, C> RunQueryDsl<C> for HeadQuery<K> {}

impl<K: Kind, DB> QueryFragment<DB> for HeadQuery<K>
where
    DB: Backend + HasSqlType<Bool> + HasSqlType<Timestamp>,
    str: ToSql<Text, DB>,
    String: ToSql<Text, DB>,
    bool: ToSql<Bool, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let w = &self.window;
        let subject = |out: &mut AstPass<'_, 'b, DB>| -> QueryResult<()> {
            out.push_sql(" WHERE subject_type = ");
            out.push_bind_param::<Text, str>(K::NAME)?;
            out.push_sql(" AND subject_id = ");
            out.push_bind_param::<Text, String>(&w.id)
        };
        // Every column is cast to BIGINT so the arms agree on PostgreSQL (SUM of a bigint is
        // numeric there) and both backends read i64.
        out.push_sql(
            "SELECT CAST(0 AS BIGINT), CAST(COALESCE(MAX(version), 0) AS BIGINT), CAST(0 AS BIGINT), \
             CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT) FROM review_list_versions",
        );
        subject(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT CAST(1 AS BIGINT), CAST(COALESCE(MAX(c1), 0) AS BIGINT), \
             CAST(COALESCE(MAX(c2), 0) AS BIGINT), CAST(COALESCE(MAX(c3), 0) AS BIGINT), \
             CAST(COALESCE(MAX(c4), 0) AS BIGINT), CAST(COALESCE(MAX(c5), 0) AS BIGINT) \
             FROM rating_summaries",
        );
        subject(&mut out)?;
        out.push_sql(
            " UNION ALL SELECT CAST(2 AS BIGINT), CAST(COALESCE(SUM(c1), 0) AS BIGINT), \
             CAST(COALESCE(SUM(c2), 0) AS BIGINT), CAST(COALESCE(SUM(c3), 0) AS BIGINT), \
             CAST(COALESCE(SUM(c4), 0) AS BIGINT), CAST(COALESCE(SUM(c5), 0) AS BIGINT) \
             FROM rating_days",
        );
        subject(&mut out)?;
        out.push_sql(" AND day > ");
        out.push_bind_param::<Text, String>(&w.first_day)?;
        out.push_sql(" UNION ALL SELECT CAST(3 AS BIGINT)");
        for star in ["1", "2", "3", "4", "5"] {
            out.push_sql(", CAST(COUNT(CASE WHEN ");
            out.push_sql(K::STAR);
            out.push_sql(" = ");
            out.push_sql(star);
            out.push_sql(" THEN 1 END) AS BIGINT)");
        }
        out.push_sql(" FROM reviews WHERE status = ");
        out.push_bind_param::<Text, str>(ReviewStatus::Published.as_str())?;
        out.push_sql(" AND hidden = ");
        out.push_bind_param::<Bool, bool>(&false)?;
        out.push_sql(" AND created_at >= ");
        out.push_bind_param::<Timestamp, NaiveDateTime>(&w.from)?;
        out.push_sql(" AND created_at < ");
        out.push_bind_param::<Timestamp, NaiveDateTime>(&w.to)?;
        out.push_sql(" AND ");
        out.push_sql(K::COLUMN);
        out.push_sql(" = ");
        out.push_bind_param::<Text, String>(&w.id)?;
        Ok(())
    }
}
