//! A shop's figures over a window (`GET /shops/{id}/stats`).
use super::days::{self, Counts};
use super::series::SeriesAsk;
use super::{median_of, CodeCount, Dialect};
use crate::db::reviews::{list_head, ListHead, ReviewSubject};
use crate::db::{to_db, DbConnection, DbError};
use crate::domain::reviews::Distribution;
use crate::domain::stats::figures::*;
use crate::domain::stats::{week_start, Rate, Window};
use crate::stats_query;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

/// What the figures are measured against: the policy's numbers, never literals here.
pub struct Targets {
    pub rating_period_days: i64,
    pub critical_rating: f64,
    /// A negative review's reply is on time within this (`reviews.reply_target_hours`).
    pub review_reply_secs: i64,
    /// A conversation's first answer: the target and the limit
    /// (`messages.seller_first_reply_*_hours`).
    pub first_reply_target_secs: i64,
    pub first_reply_limit_secs: i64,
}

impl Targets {
    pub fn of(p: &crate::policy::Policy) -> Targets {
        let secs = |hours: i64| hours * 3600;
        Targets {
            rating_period_days: p.reviews.rating_period_days,
            critical_rating: p.reviews.critical_shop_rating,
            review_reply_secs: secs(p.reviews.reply_target_hours),
            first_reply_target_secs: secs(p.messages.seller_first_reply_target_hours),
            first_reply_limit_secs: secs(p.messages.seller_first_reply_max_hours),
        }
    }
}

pub fn shop_stats(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    targets: &Targets,
    ask: &SeriesAsk,
    now: DateTime<Utc>,
) -> Result<ShopStats, DbError> {
    let counts = days::counts(conn, shop_id, w)?;
    figures(conn, shop_id, w, targets, ask, now, &counts)
}

/// The figures over the given counts (`days::counts`, or `days::counts_from_rows` to check
/// the counters against the rows).
pub fn figures(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    targets: &Targets,
    ask: &SeriesAsk,
    now: DateTime<Utc>,
    c: &Counts,
) -> Result<ShopStats, DbError> {
    Ok(ShopStats {
        shop_id: shop_id.to_string(),
        from: w.from,
        to: w.to,
        ratings: ratings(conn, shop_id, w, targets, now)?,
        reviews: reviews(conn, shop_id, w, targets, now, c)?,
        messages: messages(conn, shop_id, w, targets, now, c)?,
        complaints: complaints(conn, shop_id, w, now, c)?,
        returns: returns(conn, shop_id, w, now, c)?,
        series: super::series::shop_series(conn, shop_id, w, ask)?,
    })
}

/// The window's bounds and the instants "24 / 48 hours before now" as bound parameters.
fn at(t: DateTime<Utc>) -> NaiveDateTime {
    to_db(t)
}

/// Rows of a query whose parameters are the shop and the window (`$1`, `$2`, `$3`): most of
/// the figures' queries.
fn in_window<T>(
    conn: &mut DbConnection,
    sql: &str,
    shop_id: &str,
    w: Window,
) -> Result<Vec<T>, DbError>
where
    T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    Ok(stats_query!(
        conn,
        sql,
        [
            (Text, shop_id),
            (Timestamp, at(w.from)),
            (Timestamp, at(w.to))
        ]
    )?)
}

fn breakdown(rows: impl IntoIterator<Item = (Option<String>, i64)>) -> Breakdown {
    let mut out = Breakdown::new();
    for (code, n) in rows {
        if let Some(code) = code {
            *out.entry(code).or_default() += n;
        }
    }
    out.retain(|_, n| *n > 0);
    out
}

fn ratings(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    t: &Targets,
    now: DateTime<Utc>,
) -> Result<RatingFigures, DbError> {
    // One statement for both summaries (the head a public list reads).
    let ListHead { all, recent, .. } = list_head(
        conn,
        ReviewSubject::Shop(shop_id),
        now,
        t.rating_period_days,
    )?;
    let weeks = w.weeks();
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
    let (first, last) = match (weeks.first(), weeks.last()) {
        (Some(f), Some(l)) => (*f, *l + TimeDelta::days(6)),
        _ => return Err(DbError::Other("a window without weeks".into())),
    };
    let days: Vec<Day> = stats_query!(
        conn,
        "SELECT day, c1, c2, c3, c4, c5 FROM rating_days \
         WHERE subject_type = 'shop' AND subject_id = $1 AND day >= $2 AND day <= $3",
        [
            (Text, shop_id),
            (Text, first.format("%Y-%m-%d").to_string()),
            (Text, last.format("%Y-%m-%d").to_string()),
        ]
    )?;
    let mut per_week: Vec<Distribution> = vec![Distribution::default(); weeks.len()];
    for d in days {
        let Ok(day) = chrono::NaiveDate::parse_from_str(&d.day, "%Y-%m-%d") else {
            continue;
        };
        if let Some(i) = weeks.iter().position(|w| *w == week_start(day)) {
            for (star, n) in [d.c1, d.c2, d.c3, d.c4, d.c5].into_iter().enumerate() {
                per_week[i].0[star] += n;
            }
        }
    }
    Ok(RatingFigures {
        all_time: all.into(),
        last_90_days: recent.into(),
        critical: recent.average_below(t.critical_rating),
        weekly: weeks
            .iter()
            .zip(per_week)
            .map(|(week, d)| WeekFigures {
                week_start: *week,
                average: d.average(),
                count: d.count(),
            })
            .collect(),
    })
}

/// The one row of a query whose parameters are the shop, the window and one instant (`$4`).
fn at_instant<T>(
    conn: &mut DbConnection,
    sql: &str,
    shop_id: &str,
    w: Window,
    instant: DateTime<Utc>,
) -> Result<T, DbError>
where
    T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + Default,
    T: 'static,
{
    let rows: Vec<T> = stats_query!(
        conn,
        sql,
        [
            (Text, shop_id),
            (Timestamp, at(w.from)),
            (Timestamp, at(w.to)),
            (Timestamp, at(instant)),
        ]
    )?;
    Ok(rows.into_iter().next().unwrap_or_default())
}

#[derive(QueryableByName, Default)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn reviews(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    t: &Targets,
    now: DateTime<Utc>,
    c: &Counts,
) -> Result<ReviewFigures, DbError> {
    let d = Dialect::of(conn);
    // A negative review counts towards "replied within 24 h" (the reply target) once it was,
    // or once the target has passed: every one, less those published within the target and
    // not answered in time. Through `reviews_shop_published`: those publications are few.
    let in_24h = d.within("published_at", "reply_created_at", t.review_reply_secs);
    let (created, status) = (d.filter_only("created_at"), d.filter_only("status"));
    let waiting: Count = at_instant(
        conn,
        &format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM reviews
             WHERE shop_id = $1 AND published_at > $4 AND {created} >= $2 AND {created} < $3
               AND {status} = 'published' AND COALESCE(shop_rating, rating) <= 2
               AND NOT (reply_created_at IS NOT NULL AND {in_24h})"
        ),
        shop_id,
        w,
        now - TimeDelta::seconds(t.review_reply_secs),
    )?;
    let negative = c.get("review.negative");
    let flags: Vec<CodeCount> = in_window(
        conn,
        "SELECT reason AS code, status AS code2, CAST(COUNT(*) AS BIGINT) AS n FROM review_flags \
         WHERE shop_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY reason, status",
        shop_id,
        w,
    )?;
    // In the order of `reviews_shop_reply_gap` (migration 000016).
    let created = d.filter_only("created_at");
    let replies = format!(
        "SELECT {} AS k FROM reviews WHERE shop_id = $1 AND {created} >= $2 \
           AND {created} < $3 AND status = 'published' AND reply_created_at IS NOT NULL",
        d.gap("published_at", "reply_created_at")
    );
    let median = median_of(conn, &replies, c.get("review.replied"), |conn, sql| {
        in_window(conn, sql, shop_id, w)
    })?;
    Ok(ReviewFigures {
        received: c.get("review.received"),
        published: c.code("review.status", "published"),
        held: c.code("review.status", "pending_moderation"),
        deleted: c.code("review.status", "deleted"),
        removed_by_reason: c.breakdown("review.removed"),
        negative: NegativeReviewFigures {
            count: negative,
            replied_within_24h: Rate::new(c.get("review.negative_in_24h"), negative - waiting.n),
            reply_rate: Rate::new(c.get("review.negative_replied"), negative),
        },
        median_reply_seconds: median,
        flags: FlagFigures {
            by_reason: breakdown(flags.iter().map(|r| (r.code.clone(), r.n))),
            by_outcome: breakdown(flags.iter().map(|r| (r.code2.clone(), r.n))),
        },
    })
}

fn messages(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    t: &Targets,
    now: DateTime<Utc>,
    c: &Counts,
) -> Result<MessageFigures, DbError> {
    let d = Dialect::of(conn);
    // A conversation counts towards "answered within 24 h (48 h)" once it was, or once that
    // time has passed: every one, less those begun since and not answered in time.
    #[derive(QueryableByName, Default)]
    struct Waiting {
        #[diesel(sql_type = BigInt)]
        for_24h: i64,
        #[diesel(sql_type = BigInt)]
        for_48h: i64,
    }
    let within = |secs| d.within("first_buyer_at", "first_reply_at", secs);
    let sql = format!(
        "SELECT
           CAST(COALESCE(SUM(CASE WHEN first_buyer_at > $5 AND first_reply_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS for_24h,
           CAST(COALESCE(SUM(CASE WHEN NOT (first_reply_at IS NOT NULL AND {}) THEN 1 ELSE 0 END), 0) AS BIGINT) AS for_48h
         FROM order_threads WHERE shop_id = $1 AND first_buyer_at >= $2 AND first_buyer_at < $3
           AND first_buyer_at > $4",
        within(t.first_reply_limit_secs)
    );
    let waiting: Vec<Waiting> = stats_query!(
        conn,
        sql,
        [
            (Text, shop_id),
            (Timestamp, at(w.from)),
            (Timestamp, at(w.to)),
            (
                Timestamp,
                at(now - TimeDelta::seconds(t.first_reply_limit_secs))
            ),
            (
                Timestamp,
                at(now - TimeDelta::seconds(t.first_reply_target_secs))
            ),
        ]
    )?;
    let waiting = waiting.into_iter().next().unwrap_or_default();
    let started = c.get("conversation.started");
    // In the order of `order_threads_shop_reply_gap` (migration 000016).
    let began = d.filter_only("first_buyer_at");
    let waits = format!(
        "SELECT {} AS k FROM order_threads WHERE shop_id = $1 AND {began} >= $2 \
           AND {began} < $3 AND first_reply_at IS NOT NULL",
        d.gap("first_buyer_at", "first_reply_at")
    );
    let median = median_of(conn, &waits, c.get("conversation.answered"), |conn, sql| {
        in_window(conn, sql, shop_id, w)
    })?;
    Ok(MessageFigures {
        conversations: started,
        answered_within_24h: Rate::new(c.get("conversation.in_24h"), started - waiting.for_24h),
        answered_within_48h: Rate::new(c.get("conversation.in_48h"), started - waiting.for_48h),
        median_first_reply_seconds: median,
    })
}

/// Open items of the window whose deadline is still ahead: not due yet.
#[derive(QueryableByName, Default)]
struct Ahead {
    #[diesel(sql_type = BigInt)]
    a: i64,
    #[diesel(sql_type = BigInt)]
    b: i64,
    #[diesel(sql_type = BigInt)]
    c: i64,
}

/// Each deadline's open cases still before it, one index walk per deadline (the
/// `*_shop_<deadline>` indexes of migration 000016; see `Dialect::deadlines_first`).
const COMPLAINTS_AHEAD: &str = "SELECT
    (SELECT CAST(COUNT(*) AS BIGINT) FROM complaints WHERE shop_id = $1 AND seller_respond_by >= $4
       AND target = 'seller' AND filed_at >= $2 AND filed_at < $3
       AND seller_responded_at IS NULL AND status <> 'withdrawn') AS a,
    (SELECT CAST(COUNT(*) AS BIGINT) FROM complaints WHERE shop_id = $1 AND acknowledge_by >= $4
       AND target = 'seller' AND filed_at >= $2 AND filed_at < $3
       AND acknowledged_at IS NULL AND status <> 'withdrawn') AS b,
    (SELECT CAST(COUNT(*) AS BIGINT) FROM complaints WHERE shop_id = $1 AND resolve_by >= $4
       AND target = 'seller' AND filed_at >= $2 AND filed_at < $3
       AND resolved_at IS NULL AND paused_at IS NULL AND status NOT IN ('withdrawn', 'closed')) AS c";

fn complaints(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    now: DateTime<Utc>,
    c: &Counts,
) -> Result<ComplaintFigures, DbError> {
    // A deadline counts once it is met or has passed on an open case; a case withdrawn
    // before it, or paused (waiting for the buyer, its clock stopped), does not count.
    let ahead: Ahead = at_instant(
        conn,
        &Dialect::of(conn).deadlines_first(COMPLAINTS_AHEAD, "filed_at"),
        shop_id,
        w,
        now,
    )?;
    let due = |done: &str, open: &str, ahead: i64| c.get(done) + c.get(open) - ahead;
    Ok(ComplaintFigures {
        filed: c.total("complaint.category"),
        by_category: c.breakdown("complaint.category"),
        by_status: c.breakdown("complaint.status"),
        by_outcome: c.breakdown("complaint.outcome"),
        sla: ComplaintSlaFigures {
            seller_responded_within_48h: Rate::new(
                c.get("complaint.responded_ok"),
                due("complaint.responded", "complaint.responded_open", ahead.a),
            ),
            acknowledged_within_3_business_days: Rate::new(
                c.get("complaint.acknowledged_ok"),
                due(
                    "complaint.acknowledged",
                    "complaint.acknowledged_open",
                    ahead.b,
                ),
            ),
            resolved_by_deadline: Rate::new(
                c.get("complaint.resolved_ok"),
                due("complaint.resolved", "complaint.resolved_open", ahead.c),
            ),
        },
    })
}

const RETURNS_AHEAD: &str = "SELECT
    (SELECT CAST(COUNT(*) AS BIGINT) FROM returns WHERE shop_id = $1 AND seller_decide_by >= $4
       AND requested_at >= $2 AND requested_at < $3
       AND decided_at IS NULL AND status <> 'cancelled') AS a,
    (SELECT CAST(COUNT(*) AS BIGINT) FROM returns WHERE shop_id = $1 AND refund_due_by >= $4
       AND requested_at >= $2 AND requested_at < $3
       AND picked_up_at IS NOT NULL AND refunded_at IS NULL) AS b,
    CAST(0 AS BIGINT) AS c";

fn returns(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    now: DateTime<Utc>,
    c: &Counts,
) -> Result<ReturnFigures, DbError> {
    let ahead: Ahead = at_instant(
        conn,
        &Dialect::of(conn).deadlines_first(RETURNS_AHEAD, "requested_at"),
        shop_id,
        w,
        now,
    )?;
    Ok(ReturnFigures {
        requested: c.total("return.reason"),
        by_reason: c.breakdown("return.reason"),
        by_status: c.breakdown("return.status"),
        decided_within_2_business_days: Rate::new(
            c.get("return.decided_ok"),
            c.get("return.decided") + c.get("return.decided_open") - ahead.a,
        ),
        refunded_within_1h_of_pickup: Rate::new(
            c.get("return.refunded_ok"),
            c.get("return.refunded") + c.get("return.refund_open") - ahead.b,
        ),
        refunded_amount: crate::domain::money::Money::kzt(c.get("return.refunded_amount")),
    })
}
