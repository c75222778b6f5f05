//! Sellers' flags on reviews and the moderators' decisions on them.
use super::*;

pub struct NewFlag<'a> {
    pub reason: FlagReason,
    pub comment: &'a str,
    pub attachment_ids: &'a [String],
}

pub fn create_flag(
    conn: &mut DbConnection,
    review_id: &str,
    seller: &Caller,
    flag: &NewFlag,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<FlagRow, DbError> {
    create_flag_as(conn, None, review_id, seller, flag, policy, now)
}

/// [`create_flag`] under a chosen id (the demo's fixed ids); a new one when `None`.
pub fn create_flag_as(
    conn: &mut DbConnection,
    id: Option<&str>,
    review_id: &str,
    seller: &Caller,
    flag: &NewFlag,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<FlagRow, DbError> {
    let seller_id = seller.id.as_str();
    let shop_id = seller.shop_id.as_deref().ok_or(DbError::NotFound)?;
    write_tx(conn, |conn| {
        let before = find_for_update(conn, review_id)?;
        if before.shop_id != shop_id || before.status() == ReviewStatus::Deleted {
            return Err(DbError::NotFound);
        }
        if before.status() != ReviewStatus::Published {
            return Err(Refused::ReviewNotPublished.into());
        }
        crate::db::attachments::check_owned(conn, seller, flag.attachment_ids)?;
        let open: i64 = rf::table
            .filter(rf::review_id.eq(review_id))
            .filter(rf::status.eq("open"))
            .count()
            .get_result(conn)?;
        if open > 0 {
            return Err(Refused::FlagAlreadyOpen.into());
        }
        let snapshot = serde_json::json!({
            "version": before.version, "rating": before.rating, "shop_rating": before.shop_rating,
            "text": before.body, "attachment_ids": before.attachment_list(),
        });
        let id = id.map_or_else(new_id, str::to_string);
        diesel::insert_into(rf::table)
            .values((
                rf::id.eq(&id),
                rf::review_id.eq(review_id),
                rf::shop_id.eq(shop_id),
                rf::seller_id.eq(seller_id),
                rf::reason.eq(flag.reason.as_str()),
                rf::comment.eq(flag.comment),
                rf::attachment_ids
                    .eq(serde_json::to_string(flag.attachment_ids).unwrap_or_else(|_| "[]".into())),
                rf::snapshot.eq(snapshot.to_string()),
                rf::status.eq("open"),
                rf::due_at.eq(to_db(business_deadline(now, policy.flag_sla_business_days))),
                rf::created_at.eq(to_db(now)),
            ))
            .execute(conn)
            .map_err(crate::db::unique_means(Refused::FlagAlreadyOpen))?;
        // Decided under the review's lock: a dismissal commits before or after this, not during.
        let dismissed = dismissals(conn, &[review_id])?
            .iter()
            .any(|d| d.version == Some(before.version));
        if crate::domain::reviews::flag_hides_at_once(flag.reason, dismissed) {
            diesel::update(r::table.find(review_id))
                .set(r::hidden.eq(true))
                .execute(conn)?;
            events::record_review(
                conn,
                ReviewStep::log(LogAction {
                    actor: None,
                    action: "hidden_pending_flag",
                    subject: ("review", review_id),
                    before: Some(before.status.as_str()),
                    after: Some(before.status.as_str()),
                    note: Some(flag.reason.as_str()),
                    due: None,
                }),
                now,
            )?;
            let after = find_for_update(conn, review_id)?;
            // The author hears why the review disappeared (not who flagged it).
            events::record_review(
                conn,
                ReviewStep::notice(
                    &after,
                    "review_hidden",
                    serde_json::json!({ "reason": flag.reason.as_str() }),
                ),
                now,
            )?;
            settle_ratings(conn, &before, &after, policy, now)?;
        }
        events::record_review(
            conn,
            ReviewStep::log(LogAction {
                actor: Some(seller_id),
                action: "flag_opened",
                subject: ("flag", &id),
                before: None,
                after: Some("open"),
                note: Some(flag.reason.as_str()),
                due: None,
            }),
            now,
        )?;
        Ok(rf::table
            .find(&id)
            .select(FlagRow::as_select())
            .first(conn)?)
    })
}

/// A moderator's dismissal of a flag (not a flag closed because its review was deleted).
#[derive(Debug, Clone)]
pub struct Dismissal {
    pub review_id: String,
    /// The review's version the flag was about (from its snapshot).
    pub version: Option<i32>,
    pub at: NaiveDateTime,
    pub note: Option<String>,
}

/// Every moderator's dismissal of a flag on these reviews, oldest first.
pub fn dismissals(conn: &mut DbConnection, review_ids: &[&str]) -> Result<Vec<Dismissal>, DbError> {
    let rows: Vec<(String, String, Option<NaiveDateTime>, Option<String>)> = rf::table
        .filter(rf::review_id.eq_any(review_ids))
        .filter(rf::status.eq("dismissed"))
        .filter(rf::decided_by.is_not_null())
        .select((
            rf::review_id,
            rf::snapshot,
            rf::decided_at,
            rf::decision_note,
        ))
        .order((rf::decided_at.asc(), rf::id.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(review_id, snapshot, at, note)| {
            let version = serde_json::from_str::<serde_json::Value>(&snapshot)
                .ok()
                .and_then(|v| v["version"].as_i64())
                .and_then(|v| i32::try_from(v).ok());
            Some(Dismissal {
                review_id,
                version,
                at: at?,
                note,
            })
        })
        .collect())
}

pub fn list_flags(
    conn: &mut DbConnection,
    shop_id: Option<&str>,
    status: Option<&str>,
    before: Option<&str>,
    limit: u32,
) -> Result<Vec<FlagRow>, DbError> {
    let mut q = rf::table
        .select(FlagRow::as_select())
        .order(rf::id.desc())
        .limit(i64::from(limit))
        .into_boxed();
    if let Some(shop) = shop_id {
        q = q.filter(rf::shop_id.eq(shop.to_string()));
    }
    if let Some(status) = status {
        q = q.filter(rf::status.eq(status.to_string()));
    }
    if let Some(before) = before {
        q = q.filter(rf::id.lt(before.to_string()));
    }
    Ok(q.load(conn)?)
}

/// Marks a review removed by a moderator (upheld flag or rejection); appeals hang off this.
pub(crate) fn remove(
    conn: &mut DbConnection,
    review: &ReviewRow,
    status: ReviewStatus,
    reason: &str,
    moderator: &str,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
    diesel::update(r::table.find(&review.id))
        .set((
            r::status.eq(status.as_str()),
            r::hidden.eq(false),
            r::removal_reason.eq(reason),
            r::removed_by.eq(moderator),
            r::removed_at.eq(to_db(now)),
            r::removal_no.eq(review.removal_no + 1),
            r::moderation_due_at.eq(None::<NaiveDateTime>),
            r::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    find_for_update(conn, &review.id)
}

pub fn decide_flag(
    conn: &mut DbConnection,
    flag_id: &str,
    moderator: &Caller,
    decision: FlagDecision,
    note: &str,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<FlagRow, DbError> {
    let moderator = moderator.id.as_str();
    write_tx(conn, |conn| {
        // Locked: of two decisions at once, the second sees the flag decided.
        let flag: FlagRow =
            crate::first_for_update!(conn, rf::table.find(flag_id).select(FlagRow::as_select()))?
                .ok_or(DbError::NotFound)?;
        if flag.status != "open" {
            return Err(Refused::Decided.into());
        }
        let before = find_for_update(conn, &flag.review_id)?;
        let (flag_status, after) = match decision {
            FlagDecision::Uphold => (
                "upheld",
                remove(
                    conn,
                    &before,
                    ReviewStatus::Removed,
                    flag.reason.as_str(),
                    moderator,
                    now,
                )?,
            ),
            FlagDecision::Dismiss => {
                // A review hidden for personal data is shown again when the flag fails.
                diesel::update(r::table.find(&before.id))
                    .set(r::hidden.eq(false))
                    .execute(conn)?;
                let after = find_for_update(conn, &before.id)?;
                if before.hidden && after.publicly_visible() {
                    events::record_review(
                        conn,
                        ReviewStep::notice(&after, "review_restored", serde_json::json!({})),
                        now,
                    )?;
                }
                ("dismissed", after)
            }
        };
        diesel::update(rf::table.find(flag_id))
            .set((
                rf::status.eq(flag_status),
                rf::decided_by.eq(moderator),
                rf::decided_at.eq(to_db(now)),
                rf::decision_note.eq(note),
            ))
            .execute(conn)?;
        events::record_review(
            conn,
            ReviewStep::log(LogAction {
                actor: Some(moderator),
                action: &format!("flag_{flag_status}"),
                subject: ("flag", flag_id),
                before: Some("open"),
                after: Some(flag_status),
                note: Some(note),
                due: Some(flag.due_at),
            }),
            now,
        )?;
        if before.status != after.status {
            events::record_review(
                conn,
                ReviewStep::log(LogAction {
                    actor: Some(moderator),
                    action: "removed",
                    subject: ("review", &before.id),
                    before: Some(before.status.as_str()),
                    after: Some(after.status.as_str()),
                    note: Some(flag.reason.as_str()),
                    due: None,
                }),
                now,
            )?;
            events::record_review(
                conn,
                ReviewStep::notice(
                    &after,
                    "review_removed",
                    serde_json::json!({ "reason": flag.reason }),
                ),
                now,
            )?;
        }
        let kind = if flag_status == "upheld" {
            "flag_upheld"
        } else {
            "flag_dismissed"
        };
        events::record_review(conn, ReviewStep::flag_outcome(&flag, kind), now)?;
        settle_ratings(conn, &before, &after, policy, now)?;
        Ok(rf::table
            .find(flag_id)
            .select(FlagRow::as_select())
            .first(conn)?)
    })
}
