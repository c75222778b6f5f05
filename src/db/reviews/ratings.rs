//! Ratings: the summaries every change of a visible review keeps, the 90-day window and the critical-shop watch.
use super::*;
// A shop's rating is not a step of one review: its notice is sent directly.
use crate::db::notifications::{notify, Notice};

/// The day a review counts for in the 90-day window: its local (Almaty) creation date.
pub(crate) fn rating_day(created_at: NaiveDateTime) -> String {
    local_date(from_db(created_at))
        .format("%Y-%m-%d")
        .to_string()
}

/// Adds (`delta` = 1) or removes (-1) a review's contribution to every summary it is in.
pub(crate) fn adjust_summaries(
    conn: &mut DbConnection,
    review: &ReviewRow,
    delta: i64,
) -> Result<(), DbError> {
    let shop_star = shop_score(review.rating, review.shop_rating);
    let targets = [
        ("product", review.product_id.as_str(), review.rating),
        ("shop", review.shop_id.as_str(), shop_star),
    ];
    let day = rating_day(review.created_at);
    for (kind, id, star) in targets {
        // The column name comes from a rating the CHECK constraint holds to 1..=5.
        let star = star.clamp(1, 5);
        diesel::sql_query(
            "INSERT INTO rating_summaries (subject_type, subject_id, c1, c2, c3, c4, c5) \
             VALUES ($1, $2, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(kind)
        .bind::<Text, _>(id)
        .execute(conn)?;
        diesel::sql_query(format!(
            "UPDATE rating_summaries SET c{star} = c{star} + $1 WHERE subject_type = $2 AND subject_id = $3"
        ))
        .bind::<BigInt, _>(delta)
        .bind::<Text, _>(kind)
        .bind::<Text, _>(id)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO rating_days (subject_type, subject_id, day, c1, c2, c3, c4, c5) \
             VALUES ($1, $2, $3, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(kind)
        .bind::<Text, _>(id)
        .bind::<Text, _>(&day)
        .execute(conn)?;
        diesel::sql_query(format!(
            "UPDATE rating_days SET c{star} = c{star} + $1 \
             WHERE subject_type = $2 AND subject_id = $3 AND day = $4"
        ))
        .bind::<BigInt, _>(delta)
        .bind::<Text, _>(kind)
        .bind::<Text, _>(id)
        .bind::<Text, _>(&day)
        .execute(conn)?;
    }
    Ok(())
}

/// Moves a review from `before` to `after` in the summaries (either may not count).
pub(crate) fn move_summaries(
    conn: &mut DbConnection,
    before: &ReviewRow,
    after: &ReviewRow,
) -> Result<(), DbError> {
    if before.counted() {
        adjust_summaries(conn, before, -1)?;
    }
    if after.counted() {
        adjust_summaries(conn, after, 1)?;
    }
    Ok(())
}

/// After any change to a review: its summaries follow it, and its shop's 90-day rating is
/// re-checked for a crossing. Every write path ends here, so neither step can be forgotten.
pub(crate) fn settle_ratings(
    conn: &mut DbConnection,
    before: &ReviewRow,
    after: &ReviewRow,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    move_summaries(conn, before, after)?;
    check_critical(conn, &after.shop_id, policy, now)
}

pub fn summary_all(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_id: &str,
) -> Result<Distribution, DbError> {
    let row: Option<(i64, i64, i64, i64, i64)> = crate::on_backend!(conn, |c| rs::table
        .find((subject_type, subject_id))
        .select((rs::c1, rs::c2, rs::c3, rs::c4, rs::c5))
        .first(c)
        .optional())?;
    Ok(row
        .map(|(a, b, c, d, e)| Distribution([a, b, c, d, e]))
        .unwrap_or_default())
}

/// A subject's distribution over exactly the last `days` × 24 h before `now`. Whole local
/// days come from the day counters; the day the window starts in is cut at its instant, so
/// that day's reviews are counted from the reviews themselves (one day's worth, by index).
/// Read with the rest of the list's head (`list_head`), so that the list and the critical
/// watch count the same way.
pub fn summary_recent(
    conn: &mut DbConnection,
    subject: ReviewSubject,
    now: DateTime<Utc>,
    days: i64,
) -> Result<Distribution, DbError> {
    Ok(list_head(conn, subject, now, days)?.recent)
}

/// Re-evaluates the shop's 90-day rating and alerts its sellers when it falls below the
/// threshold (once per crossing).
pub fn check_critical(
    conn: &mut DbConnection,
    shop_id: &str,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let was: bool = shops::table
        .find(shop_id)
        .select(shops::rating_critical)
        .first(conn)?;
    let recent = summary_recent(
        conn,
        ReviewSubject::Shop(shop_id),
        now,
        policy.rating_period_days,
    )?;
    let average = recent.average();
    if let Some(critical) = critical_transition(was, &recent, policy.critical_shop_rating) {
        diesel::update(shops::table.find(shop_id))
            .set(shops::rating_critical.eq(critical))
            .execute(conn)?;
        if critical {
            let sellers = crate::db::users::shop_sellers(conn, shop_id)?;
            let to: Vec<&str> = sellers.iter().map(String::as_str).collect();
            let data = serde_json::json!({ "shop_id": shop_id, "average_90d": average, "threshold": policy.critical_shop_rating });
            crate::db::webhooks::outbox::enqueue(
                conn,
                shop_id,
                None,
                crate::domain::webhooks::EventType::ShopRatingCritical,
                data.clone(),
                now,
            )?;
            notify(
                conn,
                &to,
                &Notice {
                    kind: "shop_rating_critical",
                    subject_type: "shop",
                    subject_id: shop_id,
                    data,
                },
                now,
            )?;
        }
    }
    Ok(())
}

/// Recount from the reviews themselves; tests compare it with the maintained summaries.
pub fn recount(conn: &mut DbConnection, subject: ReviewSubject) -> Result<Distribution, DbError> {
    let mut q = r::table
        .filter(r::status.eq(ReviewStatus::Published.as_str()))
        .filter(r::hidden.eq(false))
        .select((r::rating, r::shop_rating))
        .into_boxed();
    let shop = matches!(subject, ReviewSubject::Shop(_));
    q = match subject {
        ReviewSubject::Product(id) => q.filter(r::product_id.eq(id.to_string())),
        ReviewSubject::Shop(id) => q.filter(r::shop_id.eq(id.to_string())),
    };
    let mut d = Distribution::default();
    for (rating, shop_rating) in q.load::<(i32, Option<i32>)>(conn)? {
        let star = if shop {
            shop_score(rating, shop_rating)
        } else {
            rating
        };
        d.0[(star.clamp(1, 5) - 1) as usize] += 1;
    }
    Ok(d)
}
