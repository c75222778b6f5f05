//! An author's review: writing, editing, deleting it, with its screening and versions; the shop's public reply.
use super::*;

pub(crate) fn screened(input: &ReviewInput) -> (Vec<Finding>, String) {
    let findings = input.body.as_deref().map(screen).unwrap_or_default();
    let json = serde_json::to_string(&findings).unwrap_or_else(|_| "[]".into());
    (findings, json)
}

pub(crate) fn insert_version(
    conn: &mut DbConnection,
    review_id: &str,
    version: i32,
    input: &ReviewInput,
    screening: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(rv::table)
        .values((
            rv::id.eq(new_id()),
            rv::review_id.eq(review_id),
            rv::version.eq(version),
            rv::rating.eq(input.rating),
            rv::shop_rating.eq(input.shop_rating),
            rv::body.eq(input.body.as_deref()),
            rv::attachment_ids
                .eq(serde_json::to_string(&input.attachment_ids).unwrap_or_else(|_| "[]".into())),
            rv::screening.eq(screening),
            rv::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// After screening: the automatic decision, logged and told to the author.
pub(crate) fn record_screening(
    conn: &mut DbConnection,
    review: &ReviewRow,
    before: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let (action, kind) = match review.status() {
        ReviewStatus::Published => ("auto_published", "review_published"),
        _ => ("auto_held", "review_held"),
    };
    let kinds: Vec<&str> = review
        .findings()
        .iter()
        .map(|f| match f.kind {
            crate::domain::screening::FindingKind::Profanity => "profanity",
            crate::domain::screening::FindingKind::Phone => "phone",
            crate::domain::screening::FindingKind::Email => "email",
            crate::domain::screening::FindingKind::Iin => "iin",
            crate::domain::screening::FindingKind::CardNumber => "card_number",
            crate::domain::screening::FindingKind::Link => "link",
            crate::domain::screening::FindingKind::Advertising => "advertising",
        })
        .collect();
    let note = (!kinds.is_empty()).then(|| kinds.join(","));
    events::record_review(
        conn,
        ReviewStep::log(LogAction {
            actor: None,
            action,
            subject: ("review", &review.id),
            before,
            after: Some(review.status.as_str()),
            note: note.as_deref(),
            due: None,
        }),
        now,
    )?;
    events::record_review(
        conn,
        ReviewStep::notice(review, kind, serde_json::json!({})),
        now,
    )
}

pub fn create(
    conn: &mut DbConnection,
    order_item_id: &str,
    author: &Caller,
    input: &ReviewInput,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
    create_as(conn, None, order_item_id, author, input, policy, now)
}

/// [`create`] under a chosen id (the demo's fixed ids); a new one when `None`.
pub fn create_as(
    conn: &mut DbConnection,
    id: Option<&str>,
    order_item_id: &str,
    author: &Caller,
    input: &ReviewInput,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
    let author_id = author.id.as_str();
    write_tx(conn, |conn| {
        let (item, order) = item_context(conn, order_item_id)?.ok_or(DbError::NotFound)?;
        // Someone else's item answers as if it did not exist, as complaints and returns do:
        // the caller must not learn which item ids are real.
        if order.buyer_id != author_id {
            return Err(DbError::NotFound);
        }
        let facts = ItemFacts {
            is_buyer: true,
            order_status: order.status,
            delivered_at: order.delivered_at.map(from_db),
            already_reviewed: !reviewed_items(conn, std::slice::from_ref(&item.id))?.is_empty(),
        };
        let until = may_review(&facts, now, policy).map_err(Refused::Review)?;
        check_photos(conn, author_id, &input.attachment_ids, policy.photos_max)?;
        let (findings, screening) = screened(input);
        let status = status_after_screening(&findings);
        let id = id.map_or_else(new_id, str::to_string);
        diesel::insert_into(r::table)
            .values((
                (
                    r::id.eq(&id),
                    r::order_item_id.eq(&item.id),
                    r::order_id.eq(&order.id),
                    r::product_id.eq(&item.product_id),
                    r::shop_id.eq(&order.shop_id),
                    r::author_id.eq(author_id),
                    r::rating.eq(input.rating),
                    r::shop_rating.eq(input.shop_rating),
                    r::body.eq(input.body.as_deref()),
                    r::attachment_ids.eq(serde_json::to_string(&input.attachment_ids)
                        .unwrap_or_else(|_| "[]".into())),
                    r::has_media.eq(!input.attachment_ids.is_empty()),
                    r::status.eq(status.as_str()),
                    r::hidden.eq(false),
                    r::version.eq(1),
                ),
                (
                    r::screening.eq(&screening),
                    r::moderation_due_at.eq((status == ReviewStatus::PendingModeration).then(
                        || to_db(business_deadline(now, policy.moderation_sla_business_days)),
                    )),
                    r::removal_no.eq(0),
                    r::window_until.eq(to_db(until)),
                    r::created_at.eq(to_db(now)),
                    r::updated_at.eq(to_db(now)),
                    r::published_at.eq((status == ReviewStatus::Published).then(|| to_db(now))),
                ),
            ))
            .execute(conn)
            .map_err(crate::db::unique_means(Refused::Review(
                Refusal::AlreadyReviewed,
            )))?;
        insert_version(conn, &id, 1, input, &screening, now)?;
        set_photos(conn, &id, &input.attachment_ids)?;
        let review = find_for_update(conn, &id)?;
        record_screening(conn, &review, None, now)?;
        events::record_review(
            conn,
            ReviewStep::notice(
                &review,
                "review_new",
                serde_json::json!({ "status": review.status }),
            ),
            now,
        )?;
        if review.counted() {
            adjust_summaries(conn, &review, 1)?;
            check_critical(conn, &review.shop_id, policy, now)?;
        }
        Ok(review)
    })
}

pub fn edit(
    conn: &mut DbConnection,
    id: &str,
    author: &Caller,
    patch: &ReviewPatch,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
    let author_id = author.id.as_str();
    write_tx(conn, |conn| {
        let before = find_for_update(conn, id)?;
        if before.author_id != author_id {
            return Err(DbError::NotFound);
        }
        let input = &patch.over(&before);
        if !editable(before.status()) {
            return Err(Refused::ReviewNotEditable.into());
        }
        if to_db(now) > before.window_until {
            return Err(Refused::Review(Refusal::ReviewWindowClosed).into());
        }
        check_photos(conn, author_id, &input.attachment_ids, policy.photos_max)?;
        let (findings, screening) = screened(input);
        let status = status_after_screening(&findings);
        let version = before.version + 1;
        diesel::update(r::table.find(id))
            .set((
                r::rating.eq(input.rating),
                r::shop_rating.eq(input.shop_rating),
                r::body.eq(input.body.as_deref()),
                r::attachment_ids
                    .eq(serde_json::to_string(&input.attachment_ids)
                        .unwrap_or_else(|_| "[]".into())),
                r::has_media.eq(!input.attachment_ids.is_empty()),
                r::status.eq(status.as_str()),
                r::version.eq(version),
                r::screening.eq(&screening),
                r::moderation_due_at.eq((status == ReviewStatus::PendingModeration)
                    .then(|| to_db(business_deadline(now, policy.moderation_sla_business_days)))),
                r::updated_at.eq(to_db(now)),
                r::published_at.eq(if status == ReviewStatus::Published {
                    before.published_at.or(Some(to_db(now)))
                } else {
                    before.published_at
                }),
            ))
            .execute(conn)?;
        insert_version(conn, id, version, input, &screening, now)?;
        set_photos(conn, id, &input.attachment_ids)?;
        let after = find_for_update(conn, id)?;
        record_screening(conn, &after, Some(before.status.as_str()), now)?;
        // The sellers hear of an edit the public sees; a held edit is heard of when approved.
        if after.publicly_visible() {
            let kind = if before.publicly_visible() {
                "shop_review_edited"
            } else {
                "shop_review_published"
            };
            let extra = serde_json::json!({ "version": after.version });
            events::record_review(conn, ReviewStep::notice(&after, kind, extra), now)?;
        }
        settle_ratings(conn, &before, &after, policy, now)?;
        Ok(after)
    })
}

/// Soft delete by the author; open flags on it close with it.
pub fn delete(
    conn: &mut DbConnection,
    id: &str,
    author: &Caller,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let author_id = author.id.as_str();
    write_tx(conn, |conn| {
        let before = find_for_update(conn, id)?;
        if before.author_id != author_id || before.status() == ReviewStatus::Deleted {
            return Err(DbError::NotFound);
        }
        diesel::update(r::table.find(id))
            .set((
                r::status.eq(ReviewStatus::Deleted.as_str()),
                r::deleted_at.eq(to_db(now)),
                r::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        let closed = diesel::update(
            rf::table
                .filter(rf::review_id.eq(id))
                .filter(rf::status.eq("open")),
        )
        .set((
            rf::status.eq("dismissed"),
            rf::decided_at.eq(to_db(now)),
            rf::decision_note.eq("review deleted by its author"),
        ))
        .execute(conn)?;
        if closed > 0 {
            events::record_review(
                conn,
                ReviewStep::log(LogAction {
                    actor: None,
                    action: "flag_closed_review_deleted",
                    subject: ("review", id),
                    before: Some(before.status.as_str()),
                    after: Some("deleted"),
                    note: None,
                    due: None,
                }),
                now,
            )?;
        }
        let after = find_for_update(conn, id)?;
        settle_ratings(conn, &before, &after, policy, now)?;
        Ok(())
    })
}

/// The shop's one public reply: create or replace (`Some`), or delete (`None`).
pub fn set_reply(
    conn: &mut DbConnection,
    id: &str,
    seller: &Caller,
    body: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
    let seller_id = seller.id.as_str();
    let shop_id = seller.shop_id.as_deref().ok_or(DbError::NotFound)?;
    write_tx(conn, |conn| {
        let review = find_for_update(conn, id)?;
        if review.shop_id != shop_id || review.status() == ReviewStatus::Deleted {
            return Err(DbError::NotFound);
        }
        match body {
            Some(text) => {
                if review.status() != ReviewStatus::Published {
                    return Err(Refused::ReviewNotPublished.into());
                }
                diesel::update(r::table.find(id))
                    .set((
                        r::reply_body.eq(text),
                        r::reply_author_id.eq(seller_id),
                        r::reply_created_at.eq(review.reply_created_at.unwrap_or(to_db(now))),
                        r::reply_updated_at.eq(to_db(now)),
                    ))
                    .execute(conn)?;
                events::record_review(
                    conn,
                    ReviewStep::notice(&review, "review_reply", serde_json::json!({})),
                    now,
                )?;
            }
            None => {
                if review.reply_body.is_none() {
                    return Err(DbError::NotFound);
                }
                diesel::update(r::table.find(id))
                    .set((
                        r::reply_body.eq(None::<String>),
                        r::reply_author_id.eq(None::<String>),
                        r::reply_created_at.eq(None::<NaiveDateTime>),
                        r::reply_updated_at.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)?;
            }
        }
        find_for_update(conn, id)
    })
}
