//! A shop's series (`GET /shops/{id}/stats?interval=`): read from the same day counters as
//! the window's figures (`shop_stat_days` and the deltas not yet folded; `rating_days` for a
//! product), grouped by day in one statement. Nothing is written for them.
use crate::db::{DbConnection, DbError};
use crate::domain::stats::series::{Interval, ProductPoint, ProductSeries, ShopPoint, ShopSeries};
use crate::domain::stats::{Rate, Window};
use crate::stats_query;
use chrono::{NaiveDate, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use std::collections::HashMap;

/// What the caller asked the series for.
#[derive(Debug, Clone)]
pub struct SeriesAsk {
    pub interval: Interval,
    pub product_id: Option<String>,
}

impl Default for SeriesAsk {
    fn default() -> Self {
        SeriesAsk {
            interval: Interval::Week,
            product_id: None,
        }
    }
}

/// The counters a point reads; the others (statuses, reasons) are the window's breakdowns.
const METRICS: &[&str] = &[
    "review.received",
    "review.negative",
    "review.negative_replied",
    "review.negative_in_24h",
    "conversation.started",
    "conversation.answered",
    "conversation.in_24h",
    "complaint.category",
    "complaint.resolved",
    "complaint.resolved_ok",
    "return.reason",
    "return.decided",
    "return.decided_ok",
    "return.refunded",
    "return.refunded_ok",
];

#[derive(QueryableByName)]
struct DayCount {
    #[diesel(sql_type = Text)]
    day: String,
    #[diesel(sql_type = Text)]
    metric: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub fn shop_series(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    ask: &SeriesAsk,
) -> Result<ShopSeries, DbError> {
    // The counters are by UTC day: the points are the UTC days (weeks) the window touches.
    let first = w.from.date_naive();
    let last = (w.to - TimeDelta::microseconds(1)).date_naive();
    let starts = ask.interval.starts(first, last);
    let (Some(from), Some(until)) = (starts.first(), starts.last()) else {
        return Err(DbError::Other("a window without points".into()));
    };
    let end = ask.interval.last_day(*until) + TimeDelta::days(1);
    let metrics = METRICS
        .iter()
        .map(|m| format!("'{m}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT CAST(day AS TEXT) AS day, metric, CAST(SUM(n) AS BIGINT) AS n FROM (
            SELECT day, metric, n FROM shop_stat_days WHERE shop_id = $1 AND day >= $2 AND day < $3
            UNION ALL SELECT day, metric, n FROM shop_stat_deltas WHERE shop_id = $1 AND day >= $2 AND day < $3
         ) x WHERE metric IN ({metrics}) GROUP BY day, metric"
    );
    let rows: Vec<DayCount> =
        stats_query!(conn, sql, [(Text, shop_id), (Date, *from), (Date, end)])?;
    let mut sums: HashMap<(NaiveDate, String), i64> = HashMap::new();
    for r in rows {
        let Ok(day) = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d") else {
            continue;
        };
        *sums
            .entry((ask.interval.start_of(day), r.metric))
            .or_default() += r.n;
    }
    let points = starts
        .into_iter()
        .map(|start| {
            let n = |m: &str| sums.get(&(start, m.to_string())).copied().unwrap_or(0);
            ShopPoint {
                start,
                reviews: n("review.received"),
                negative_reviews: n("review.negative"),
                negative_replied_on_time: Rate::new(
                    n("review.negative_in_24h"),
                    n("review.negative_replied"),
                ),
                conversations: n("conversation.started"),
                answered_on_time: Rate::new(n("conversation.in_24h"), n("conversation.answered")),
                complaints: n("complaint.category"),
                complaints_resolved_on_time: Rate::new(
                    n("complaint.resolved_ok"),
                    n("complaint.resolved"),
                ),
                returns: n("return.reason"),
                returns_decided_on_time: Rate::new(n("return.decided_ok"), n("return.decided")),
                returns_refunded_on_time: Rate::new(n("return.refunded_ok"), n("return.refunded")),
            }
        })
        .collect();
    let product = match &ask.product_id {
        Some(id) => Some(product_series(conn, id, w, ask.interval)?),
        None => None,
    };
    Ok(ShopSeries {
        interval: ask.interval,
        points,
        product,
    })
}

/// A product's published, visible reviews per point, from its rating days (Almaty days, as
/// the product's rating counts them).
fn product_series(
    conn: &mut DbConnection,
    product_id: &str,
    w: Window,
    interval: Interval,
) -> Result<ProductSeries, DbError> {
    let first = crate::calendar::local_date(w.from);
    let last = crate::calendar::local_date(w.to - TimeDelta::microseconds(1));
    let starts = interval.starts(first, last);
    let (Some(from), Some(until)) = (starts.first(), starts.last()) else {
        return Err(DbError::Other("a window without points".into()));
    };
    #[derive(QueryableByName)]
    struct Day {
        #[diesel(sql_type = Text)]
        day: String,
        #[diesel(sql_type = BigInt)]
        c1: i64,
        #[diesel(sql_type = BigInt)]
        c2: i64,
        #[diesel(sql_type = BigInt)]
        c3: i64,
        #[diesel(sql_type = BigInt)]
        c4: i64,
        #[diesel(sql_type = BigInt)]
        c5: i64,
    }
    let days: Vec<Day> = stats_query!(
        conn,
        "SELECT day, c1, c2, c3, c4, c5 FROM rating_days \
         WHERE subject_type = 'product' AND subject_id = $1 AND day >= $2 AND day <= $3",
        [
            (Text, product_id),
            (Text, from.format("%Y-%m-%d").to_string()),
            (
                Text,
                interval.last_day(*until).format("%Y-%m-%d").to_string()
            ),
        ]
    )?;
    let mut per: HashMap<NaiveDate, crate::domain::reviews::Distribution> = HashMap::new();
    for d in days {
        let Ok(day) = NaiveDate::parse_from_str(&d.day, "%Y-%m-%d") else {
            continue;
        };
        let dist = per.entry(interval.start_of(day)).or_default();
        for (star, n) in [d.c1, d.c2, d.c3, d.c4, d.c5].into_iter().enumerate() {
            dist.0[star] += n;
        }
    }
    let points = starts
        .into_iter()
        .map(|start| {
            let d = per.remove(&start).unwrap_or_default();
            ProductPoint {
                start,
                reviews: d.count(),
                negative_reviews: d.0[0] + d.0[1],
                average: d.average(),
            }
        })
        .collect();
    Ok(ProductSeries {
        product_id: product_id.to_string(),
        points,
    })
}
