//! Authors' appeals of a removal, decided by another moderator.
use super::*;

pub fn create_appeal(
    conn: &mut DbConnection,
    review_id: &str,
    author: &Caller,
    body: &str,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<AppealRow, DbError> {
    create_appeal_as(conn, None, review_id, author, body, policy, now)
}

/// [`create_appeal`] under a chosen id (the demo's fixed ids); a new one when `None`.
pub fn create_appeal_as(
    conn: &mut DbConnection,
    id: Option<&str>,
    review_id: &str,
    author: &Caller,
    body: &str,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<AppealRow, DbError> {
    let author_id = author.id.as_str();
    write_tx(conn, |conn| {
        let review = find_for_update(conn, review_id)?;
        if review.author_id != author_id {
            return Err(DbError::NotFound);
        }
        let appealed: i64 = ra::table
            .filter(ra::review_id.eq(review_id))
            .filter(ra::removal_no.eq(review.removal_no))
            .count()
            .get_result(conn)?;
        may_appeal(
            review.status(),
            review.removed_at.map(from_db),
            appealed > 0,
            now,
            policy,
        )
        .map_err(Refused::Appeal)?;
        let id = id.map_or_else(new_id, str::to_string);
        diesel::insert_into(ra::table)
            .values((
                ra::id.eq(&id),
                ra::review_id.eq(review_id),
                ra::removal_no.eq(review.removal_no),
                ra::author_id.eq(author_id),
                ra::body.eq(body),
                ra::removed_by.eq(review.removed_by.as_deref()),
                ra::status.eq("open"),
                ra::due_at.eq(to_db(business_deadline(
                    now,
                    policy.moderation_sla_business_days,
                ))),
                ra::created_at.eq(to_db(now)),
            ))
            .execute(conn)
            .map_err(crate::db::unique_means(Refused::Appeal(
                AppealRefusal::AlreadyAppealed,
            )))?;
        events::record_review(
            conn,
            ReviewStep::log(LogAction {
                actor: Some(author_id),
                action: "appeal_opened",
                subject: ("appeal", &id),
                before: None,
                after: Some("open"),
                note: None,
                due: None,
            }),
            now,
        )?;
        Ok(ra::table
            .find(&id)
            .select(AppealRow::as_select())
            .first(conn)?)
    })
}

pub fn decide_appeal(
    conn: &mut DbConnection,
    appeal_id: &str,
    moderator: &Caller,
    decision: AppealDecision,
    note: &str,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<AppealRow, DbError> {
    let moderator = moderator.id.as_str();
    write_tx(conn, |conn| {
        // Locked: of two decisions at once, the second sees the appeal decided.
        let appeal: AppealRow = crate::first_for_update!(
            conn,
            ra::table.find(appeal_id).select(AppealRow::as_select())
        )?
        .ok_or(DbError::NotFound)?;
        if appeal.status != "open" {
            return Err(Refused::Decided.into());
        }
        if appeal.removed_by.as_deref() == Some(moderator) {
            return Err(Refused::AnotherModeratorRequired.into());
        }
        let before = find_for_update(conn, &appeal.review_id)?;
        // The author deleted the review while the appeal was open: the decision is recorded,
        // but a deleted review stays deleted and nobody is told it came back.
        let deleted = before.status() == ReviewStatus::Deleted;
        let status = match decision {
            AppealDecision::Reinstate if deleted => "reinstated",
            AppealDecision::Reinstate => {
                diesel::update(r::table.find(&before.id))
                    .set((
                        r::status.eq(ReviewStatus::Published.as_str()),
                        r::hidden.eq(false),
                        r::published_at.eq(before.published_at.or(Some(to_db(now)))),
                        r::updated_at.eq(to_db(now)),
                    ))
                    .execute(conn)?;
                "reinstated"
            }
            AppealDecision::KeepRemoved => "kept_removed",
        };
        diesel::update(ra::table.find(appeal_id))
            .set((
                ra::status.eq(status),
                ra::decided_by.eq(moderator),
                ra::decided_at.eq(to_db(now)),
                ra::decision_note.eq(note),
            ))
            .execute(conn)?;
        let after = find_for_update(conn, &before.id)?;
        events::record_review(
            conn,
            ReviewStep::log(LogAction {
                actor: Some(moderator),
                action: &format!("appeal_{status}"),
                subject: ("appeal", appeal_id),
                before: Some("open"),
                after: Some(status),
                note: Some(note),
                due: Some(appeal.due_at),
            }),
            now,
        )?;
        if before.status != after.status {
            events::record_review(
                conn,
                ReviewStep::log(LogAction {
                    actor: Some(moderator),
                    action: "reinstated",
                    subject: ("review", &before.id),
                    before: Some(before.status.as_str()),
                    after: Some(after.status.as_str()),
                    note: Some(note),
                    due: None,
                }),
                now,
            )?;
        }
        if !deleted {
            events::record_review(
                conn,
                ReviewStep::notice(
                    &after,
                    &format!("appeal_{status}"),
                    serde_json::json!({ "appeal_id": appeal_id }),
                ),
                now,
            )?;
        }
        if after.publicly_visible() && !before.publicly_visible() {
            events::record_review(
                conn,
                ReviewStep::notice(&after, "shop_review_reinstated", serde_json::json!({})),
                now,
            )?;
        }
        settle_ratings(conn, &before, &after, policy, now)?;
        Ok(ra::table
            .find(appeal_id)
            .select(AppealRow::as_select())
            .first(conn)?)
    })
}
