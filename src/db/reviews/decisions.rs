//! Moderators decide held reviews.
use super::*;

/// A moderator's decision on a held review.
pub struct Verdict<'a> {
    pub decision: ReviewDecision,
    pub reason_code: Option<&'a str>,
    pub note: Option<&'a str>,
}

pub fn decide_review(
    conn: &mut DbConnection,
    id: &str,
    moderator: &Caller,
    verdict: &Verdict,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
    let moderator = moderator.id.as_str();
    write_tx(conn, |conn| {
        let before = find_for_update(conn, id)?;
        let (decision, reason_code, note) = (verdict.decision, verdict.reason_code, verdict.note);
        let next = crate::domain::reviews::decide_review(before.status(), decision)
            .ok_or(Refused::Decided)?;
        let after = match next {
            ReviewStatus::Published => {
                diesel::update(r::table.find(id))
                    .set((
                        r::status.eq(next.as_str()),
                        r::moderation_due_at.eq(None::<NaiveDateTime>),
                        r::published_at.eq(before.published_at.or(Some(to_db(now)))),
                        r::updated_at.eq(to_db(now)),
                    ))
                    .execute(conn)?;
                let after = find_for_update(conn, id)?;
                events::record_review(
                    conn,
                    ReviewStep::notice(&after, "review_published", serde_json::json!({})),
                    now,
                )?;
                events::record_review(
                    conn,
                    ReviewStep::notice(&after, "shop_review_published", serde_json::json!({})),
                    now,
                )?;
                after
            }
            _ => {
                let reason = reason_code.unwrap_or("rules_violation");
                let after = remove(conn, &before, next, reason, moderator, now)?;
                events::record_review(
                    conn,
                    ReviewStep::notice(
                        &after,
                        "review_rejected",
                        serde_json::json!({ "reason": reason }),
                    ),
                    now,
                )?;
                after
            }
        };
        let action = if next == ReviewStatus::Published {
            "approved"
        } else {
            "rejected"
        };
        events::record_review(
            conn,
            ReviewStep::log(LogAction {
                actor: Some(moderator),
                action,
                subject: ("review", id),
                before: Some(before.status.as_str()),
                after: Some(after.status.as_str()),
                note: note.or(reason_code),
                due: before.moderation_due_at,
            }),
            now,
        )?;
        settle_ratings(conn, &before, &after, policy, now)?;
        Ok(after)
    })
}
