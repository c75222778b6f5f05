//! A shop's figures over a window (`GET /shops/{id}/stats`).
use super::{median_of, CodeCount, Dialect};
use crate::db::reviews::{summary_all, summary_recent, ReviewSubject};
use crate::db::{to_db, DbConnection, DbError};
use crate::domain::reviews::Distribution;
use crate::domain::stats::figures::*;
use crate::domain::stats::{week_start, Rate, Window};
use crate::stats_query;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

/// What the figures are measured against.
pub struct Targets {
    pub rating_period_days: i64,
    pub critical_rating: f64,
}

pub fn shop_stats(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    targets: &Targets,
    now: DateTime<Utc>,
) -> Result<ShopStats, DbError> {
    Ok(ShopStats {
        shop_id: shop_id.to_string(),
        from: w.from,
        to: w.to,
        ratings: ratings(conn, shop_id, w, targets, now)?,
        reviews: reviews(conn, shop_id, w, now)?,
        messages: messages(conn, shop_id, w, now)?,
        complaints: complaints(conn, shop_id, w, now)?,
        returns: returns(conn, shop_id, w, now)?,
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
    let all = summary_all(conn, "shop", shop_id)?;
    let recent = summary_recent(
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

#[derive(QueryableByName, Default)]
struct ReviewCounts {
    #[diesel(sql_type = BigInt)]
    received: i64,
    #[diesel(sql_type = BigInt)]
    published: i64,
    #[diesel(sql_type = BigInt)]
    held: i64,
    #[diesel(sql_type = BigInt)]
    deleted: i64,
    #[diesel(sql_type = BigInt)]
    negative: i64,
    #[diesel(sql_type = BigInt)]
    negative_replied: i64,
    #[diesel(sql_type = BigInt)]
    negative_in_24h: i64,
    #[diesel(sql_type = BigInt)]
    negative_due: i64,
    #[diesel(sql_type = BigInt)]
    replied: i64,
}

fn reviews(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    now: DateTime<Utc>,
) -> Result<ReviewFigures, DbError> {
    let d = Dialect::of(conn);
    let neg = "status = 'published' AND COALESCE(shop_rating, rating) <= 2";
    let in_24h = format!(
        "reply_created_at IS NOT NULL AND {}",
        d.within("published_at", "reply_created_at", 86_400)
    );
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS received,
           CAST(COALESCE(SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END), 0) AS BIGINT) AS published,
           CAST(COALESCE(SUM(CASE WHEN status = 'pending_moderation' THEN 1 ELSE 0 END), 0) AS BIGINT) AS held,
           CAST(COALESCE(SUM(CASE WHEN status = 'deleted' THEN 1 ELSE 0 END), 0) AS BIGINT) AS deleted,
           CAST(COALESCE(SUM(CASE WHEN {neg} THEN 1 ELSE 0 END), 0) AS BIGINT) AS negative,
           CAST(COALESCE(SUM(CASE WHEN {neg} AND reply_created_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS negative_replied,
           CAST(COALESCE(SUM(CASE WHEN {neg} AND {in_24h} THEN 1 ELSE 0 END), 0) AS BIGINT) AS negative_in_24h,
           CAST(COALESCE(SUM(CASE WHEN {neg} AND ({in_24h} OR published_at <= $4) THEN 1 ELSE 0 END), 0) AS BIGINT) AS negative_due,
           CAST(COALESCE(SUM(CASE WHEN status = 'published' AND reply_created_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS replied
         FROM reviews WHERE shop_id = $1 AND created_at >= $2 AND created_at < $3"
    );
    let day_ago = at(now - TimeDelta::hours(24));
    let mut counts: Vec<ReviewCounts> = stats_query!(
        conn,
        sql,
        [
            (Text, shop_id),
            (Timestamp, at(w.from)),
            (Timestamp, at(w.to)),
            (Timestamp, day_ago),
        ]
    )?;
    let c = counts.pop().unwrap_or_default();
    let removed: Vec<CodeCount> = in_window(
        conn,
        "SELECT removal_reason AS code, CAST(NULL AS TEXT) AS code2, CAST(COUNT(*) AS BIGINT) AS n \
         FROM reviews WHERE shop_id = $1 AND created_at >= $2 AND created_at < $3 \
           AND status IN ('removed', 'rejected') GROUP BY removal_reason",
        shop_id,
        w,
    )?;
    let flags: Vec<CodeCount> = in_window(
        conn,
        "SELECT reason AS code, status AS code2, CAST(COUNT(*) AS BIGINT) AS n FROM review_flags \
         WHERE shop_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY reason, status",
        shop_id,
        w,
    )?;
    let replies = format!(
        "SELECT {} AS k FROM reviews WHERE shop_id = $1 AND created_at >= $2 \
           AND created_at < $3 AND status = 'published' AND reply_created_at IS NOT NULL",
        d.gap("published_at", "reply_created_at")
    );
    let median = median_of(conn, &replies, c.replied, |conn, sql| {
        in_window(conn, sql, shop_id, w)
    })?;
    Ok(ReviewFigures {
        received: c.received,
        published: c.published,
        held: c.held,
        deleted: c.deleted,
        removed_by_reason: breakdown(removed.into_iter().map(|r| (r.code, r.n))),
        negative: NegativeReviewFigures {
            count: c.negative,
            replied_within_24h: Rate::new(c.negative_in_24h, c.negative_due),
            reply_rate: Rate::new(c.negative_replied, c.negative),
        },
        median_reply_seconds: median,
        flags: FlagFigures {
            by_reason: breakdown(flags.iter().map(|r| (r.code.clone(), r.n))),
            by_outcome: breakdown(flags.iter().map(|r| (r.code2.clone(), r.n))),
        },
    })
}

#[derive(QueryableByName, Default)]
struct MessageCounts {
    #[diesel(sql_type = BigInt)]
    conversations: i64,
    #[diesel(sql_type = BigInt)]
    answered: i64,
    #[diesel(sql_type = BigInt)]
    in_24h: i64,
    #[diesel(sql_type = BigInt)]
    due_24h: i64,
    #[diesel(sql_type = BigInt)]
    in_48h: i64,
    #[diesel(sql_type = BigInt)]
    due_48h: i64,
}

/// Each conversation begun in the window: when its buyer first wrote, and the seller's first
/// message after that (both kept on the thread by `db::messages::post`).
const CONVERSATIONS: &str = "SELECT first_buyer_at AS first_buyer, first_reply_at AS first_reply
     FROM order_threads WHERE shop_id = $1 AND first_buyer_at >= $2 AND first_buyer_at < $3";

fn messages(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    now: DateTime<Utc>,
) -> Result<MessageFigures, DbError> {
    let d = Dialect::of(conn);
    let conv = CONVERSATIONS;
    let within = |secs| d.within("first_buyer", "first_reply", secs);
    let (in_24h, in_48h) = (within(86_400), within(172_800));
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS conversations,
           CAST(COALESCE(SUM(CASE WHEN first_reply IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS answered,
           CAST(COALESCE(SUM(CASE WHEN first_reply IS NOT NULL AND {in_24h} THEN 1 ELSE 0 END), 0) AS BIGINT) AS in_24h,
           CAST(COALESCE(SUM(CASE WHEN first_reply IS NOT NULL OR first_buyer <= $4 THEN 1 ELSE 0 END), 0) AS BIGINT) AS due_24h,
           CAST(COALESCE(SUM(CASE WHEN first_reply IS NOT NULL AND {in_48h} THEN 1 ELSE 0 END), 0) AS BIGINT) AS in_48h,
           CAST(COALESCE(SUM(CASE WHEN (first_reply IS NOT NULL AND {in_48h}) OR first_buyer <= $5 THEN 1 ELSE 0 END), 0) AS BIGINT) AS due_48h
         FROM ({conv}) c"
    );
    let (from, to) = (at(w.from), at(w.to));
    let mut counts: Vec<MessageCounts> = stats_query!(
        conn,
        sql,
        [
            (Text, shop_id),
            (Timestamp, from),
            (Timestamp, to),
            (Timestamp, at(now - TimeDelta::hours(24))),
            (Timestamp, at(now - TimeDelta::hours(48))),
        ]
    )?;
    let c = counts.pop().unwrap_or_default();
    let waits = format!(
        "SELECT {} AS k FROM ({conv}) c WHERE first_reply IS NOT NULL",
        d.gap("first_buyer", "first_reply")
    );
    let median = median_of(conn, &waits, c.answered, |conn, sql| {
        in_window(conn, sql, shop_id, w)
    })?;
    Ok(MessageFigures {
        conversations: c.conversations,
        answered_within_24h: Rate::new(c.in_24h, c.due_24h),
        answered_within_48h: Rate::new(c.in_48h, c.due_48h),
        median_first_reply_seconds: median,
    })
}

#[derive(QueryableByName, Default)]
struct ComplaintCounts {
    #[diesel(sql_type = BigInt)]
    responded_ok: i64,
    #[diesel(sql_type = BigInt)]
    responded_due: i64,
    #[diesel(sql_type = BigInt)]
    ack_ok: i64,
    #[diesel(sql_type = BigInt)]
    ack_due: i64,
    #[diesel(sql_type = BigInt)]
    resolved_ok: i64,
    #[diesel(sql_type = BigInt)]
    resolved_due: i64,
}

#[derive(QueryableByName)]
struct ComplaintGroup {
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    outcome: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn complaints(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    now: DateTime<Utc>,
) -> Result<ComplaintFigures, DbError> {
    let d = Dialect::of(conn);
    let (from, to, now) = (at(w.from), at(w.to), at(now));
    let scope = "shop_id = $1 AND target = 'seller' AND filed_at >= $2 AND filed_at < $3";
    let outcome = d.json_text("resolution", "outcome");
    let groups: Vec<ComplaintGroup> = in_window(
        conn,
        &format!(
            "SELECT category, status, {outcome} AS outcome, CAST(COUNT(*) AS BIGINT) AS n \
             FROM complaints WHERE {scope} GROUP BY category, status, {outcome}"
        ),
        shop_id,
        w,
    )?;
    // A deadline counts once it is met or has passed on an open case; a case withdrawn
    // before it, or paused (waiting for the buyer, its clock stopped), does not count.
    let sql = format!(
        "SELECT
           CAST(COALESCE(SUM(CASE WHEN seller_responded_at IS NOT NULL AND seller_respond_by IS NOT NULL
                AND seller_responded_at <= seller_respond_by THEN 1 ELSE 0 END), 0) AS BIGINT) AS responded_ok,
           CAST(COALESCE(SUM(CASE WHEN seller_respond_by IS NOT NULL AND (seller_responded_at IS NOT NULL
                OR (seller_respond_by < $4 AND status <> 'withdrawn')) THEN 1 ELSE 0 END), 0) AS BIGINT) AS responded_due,
           CAST(COALESCE(SUM(CASE WHEN acknowledged_at IS NOT NULL AND acknowledged_at <= acknowledge_by
                THEN 1 ELSE 0 END), 0) AS BIGINT) AS ack_ok,
           CAST(COALESCE(SUM(CASE WHEN acknowledged_at IS NOT NULL
                OR (acknowledge_by < $4 AND status <> 'withdrawn') THEN 1 ELSE 0 END), 0) AS BIGINT) AS ack_due,
           CAST(COALESCE(SUM(CASE WHEN resolved_at IS NOT NULL AND resolved_at <= resolve_by
                THEN 1 ELSE 0 END), 0) AS BIGINT) AS resolved_ok,
           CAST(COALESCE(SUM(CASE WHEN resolved_at IS NOT NULL OR (resolve_by < $4 AND paused_at IS NULL
                AND status NOT IN ('withdrawn', 'closed')) THEN 1 ELSE 0 END), 0) AS BIGINT) AS resolved_due
         FROM complaints WHERE {scope}"
    );
    let mut counts: Vec<ComplaintCounts> = stats_query!(
        conn,
        sql,
        [
            (Text, shop_id),
            (Timestamp, from),
            (Timestamp, to),
            (Timestamp, now),
        ]
    )?;
    let c = counts.pop().unwrap_or_default();
    Ok(ComplaintFigures {
        filed: groups.iter().map(|g| g.n).sum(),
        by_category: breakdown(groups.iter().map(|g| (Some(g.category.clone()), g.n))),
        by_status: breakdown(groups.iter().map(|g| (Some(g.status.clone()), g.n))),
        by_outcome: breakdown(groups.iter().map(|g| (g.outcome.clone(), g.n))),
        sla: ComplaintSlaFigures {
            seller_responded_within_48h: Rate::new(c.responded_ok, c.responded_due),
            acknowledged_within_3_business_days: Rate::new(c.ack_ok, c.ack_due),
            resolved_by_deadline: Rate::new(c.resolved_ok, c.resolved_due),
        },
    })
}

#[derive(QueryableByName, Default)]
struct ReturnCounts {
    #[diesel(sql_type = BigInt)]
    decided_ok: i64,
    #[diesel(sql_type = BigInt)]
    decided_due: i64,
    #[diesel(sql_type = BigInt)]
    refund_ok: i64,
    #[diesel(sql_type = BigInt)]
    refund_due: i64,
    #[diesel(sql_type = BigInt)]
    refunded_amount: i64,
}

fn returns(
    conn: &mut DbConnection,
    shop_id: &str,
    w: Window,
    now: DateTime<Utc>,
) -> Result<ReturnFigures, DbError> {
    let (from, to, now) = (at(w.from), at(w.to), at(now));
    let scope = "shop_id = $1 AND requested_at >= $2 AND requested_at < $3";
    let groups: Vec<CodeCount> = in_window(
        conn,
        &format!(
            "SELECT reason AS code, status AS code2, CAST(COUNT(*) AS BIGINT) AS n \
             FROM returns WHERE {scope} GROUP BY reason, status"
        ),
        shop_id,
        w,
    )?;
    let sql = format!(
        "SELECT
           CAST(COALESCE(SUM(CASE WHEN decided_at IS NOT NULL AND decided_at <= seller_decide_by
                THEN 1 ELSE 0 END), 0) AS BIGINT) AS decided_ok,
           CAST(COALESCE(SUM(CASE WHEN decided_at IS NOT NULL
                OR (seller_decide_by < $4 AND status <> 'cancelled') THEN 1 ELSE 0 END), 0) AS BIGINT) AS decided_due,
           CAST(COALESCE(SUM(CASE WHEN refunded_at IS NOT NULL AND refund_due_by IS NOT NULL
                AND refunded_at <= refund_due_by THEN 1 ELSE 0 END), 0) AS BIGINT) AS refund_ok,
           CAST(COALESCE(SUM(CASE WHEN picked_up_at IS NOT NULL AND (refunded_at IS NOT NULL
                OR refund_due_by < $4) THEN 1 ELSE 0 END), 0) AS BIGINT) AS refund_due,
           CAST(COALESCE(SUM(CASE WHEN refunded_at IS NOT NULL THEN refund_amount ELSE 0 END), 0) AS BIGINT)
                AS refunded_amount
         FROM returns WHERE {scope}"
    );
    let mut counts: Vec<ReturnCounts> = stats_query!(
        conn,
        sql,
        [
            (Text, shop_id),
            (Timestamp, from),
            (Timestamp, to),
            (Timestamp, now),
        ]
    )?;
    let c = counts.pop().unwrap_or_default();
    Ok(ReturnFigures {
        requested: groups.iter().map(|g| g.n).sum(),
        by_reason: breakdown(groups.iter().map(|g| (g.code.clone(), g.n))),
        by_status: breakdown(groups.iter().map(|g| (g.code2.clone(), g.n))),
        decided_within_2_business_days: Rate::new(c.decided_ok, c.decided_due),
        refunded_within_1h_of_pickup: Rate::new(c.refund_ok, c.refund_due),
        refunded_amount: crate::api::Money::kzt(c.refunded_amount),
    })
}
