//! Reviews: writes that keep ratings, the moderation log and notifications in the same
//! transaction, and the reads behind the public, author, seller and moderator views.
use super::notifications::{notify, Notice};
use super::orders::{ItemRow, OrderRow};
use super::schema::{
    attachments, moderation_log as ml, order_items as oi, orders as o, rating_summaries as rs,
    review_appeals as ra, review_flags as rf, review_photos as rp, review_versions as rv,
    reviews as r, shops, users,
};
use super::{from_db, new_id, to_db, write_tx, DbConnection, DbError};
use crate::calendar::{business_deadline, local_date};
use crate::domain::orders::OrderStatus;
use crate::domain::refused::Refused;
use crate::domain::reviews::*;
use crate::domain::screening::{screen, Finding};
use crate::policy::ReviewPolicy;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = r)]
pub struct ReviewRow {
    pub id: String,
    pub order_item_id: String,
    pub order_id: String,
    pub product_id: String,
    pub shop_id: String,
    pub author_id: String,
    pub rating: i32,
    pub shop_rating: Option<i32>,
    pub body: Option<String>,
    pub attachment_ids: String,
    pub has_media: bool,
    pub status: String,
    pub hidden: bool,
    pub version: i32,
    pub screening: String,
    pub moderation_due_at: Option<NaiveDateTime>,
    pub removal_reason: Option<String>,
    pub removed_by: Option<String>,
    pub removed_at: Option<NaiveDateTime>,
    pub removal_no: i32,
    pub reply_body: Option<String>,
    pub reply_author_id: Option<String>,
    pub reply_created_at: Option<NaiveDateTime>,
    pub reply_updated_at: Option<NaiveDateTime>,
    pub window_until: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
}

impl ReviewRow {
    pub fn status(&self) -> ReviewStatus {
        ReviewStatus::parse(&self.status).unwrap_or(ReviewStatus::PendingModeration)
    }
    pub fn counted(&self) -> bool {
        counts_in_ratings(self.status(), self.hidden)
    }
    pub fn publicly_visible(&self) -> bool {
        self.counted()
    }
    pub fn attachment_list(&self) -> Vec<String> {
        serde_json::from_str(&self.attachment_ids).unwrap_or_default()
    }
    pub fn findings(&self) -> Vec<Finding> {
        serde_json::from_str(&self.screening).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rv)]
pub struct VersionRow {
    pub version: i32,
    pub rating: i32,
    pub shop_rating: Option<i32>,
    pub body: Option<String>,
    pub attachment_ids: String,
    pub screening: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rf)]
pub struct FlagRow {
    pub id: String,
    pub review_id: String,
    pub shop_id: String,
    pub seller_id: String,
    pub reason: String,
    pub comment: String,
    pub attachment_ids: String,
    pub snapshot: String,
    pub status: String,
    pub due_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ra)]
pub struct AppealRow {
    pub id: String,
    pub review_id: String,
    pub removal_no: i32,
    pub author_id: String,
    pub body: String,
    pub removed_by: Option<String>,
    pub status: String,
    pub due_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
}

pub struct ReviewInput {
    pub rating: i32,
    pub shop_rating: Option<i32>,
    pub body: Option<String>,
    pub attachment_ids: Vec<String>,
}

/// The review, locked until the transaction ends: every change of a review decides on the row
/// as it stands under the lock, so two moderators (or an edit and a decision) meeting on one
/// review are serialised and the second sees the first's outcome.
/// An edit: what the author changes; anything absent stays as it is.
pub struct ReviewPatch {
    pub rating: Option<i32>,
    pub shop_rating: Option<i32>,
    /// `Some(None)` clears the text.
    pub body: Option<Option<String>>,
    pub attachment_ids: Option<Vec<String>>,
}

impl ReviewPatch {
    fn over(&self, current: &ReviewRow) -> ReviewInput {
        ReviewInput {
            rating: self.rating.unwrap_or(current.rating),
            shop_rating: self.shop_rating.or(current.shop_rating),
            body: self.body.clone().unwrap_or_else(|| current.body.clone()),
            attachment_ids: self
                .attachment_ids
                .clone()
                .unwrap_or_else(|| current.attachment_list()),
        }
    }
}

fn find_for_update(conn: &mut DbConnection, id: &str) -> Result<ReviewRow, DbError> {
    crate::first_for_update!(conn, r::table.find(id).select(ReviewRow::as_select()))?
        .ok_or(DbError::NotFound)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ReviewRow>, DbError> {
    Ok(r::table
        .find(id)
        .select(ReviewRow::as_select())
        .first(conn)
        .optional()?)
}

/// What a moderation decision or a review action names by id.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Review,
    Flag,
    Appeal,
}

/// Whether the review, flag or appeal exists at all.
pub fn exists(conn: &mut DbConnection, subject: Subject, id: &str) -> Result<bool, DbError> {
    use diesel::dsl::exists;
    Ok(match subject {
        Subject::Review => diesel::select(exists(r::table.find(id))).get_result(conn)?,
        Subject::Flag => diesel::select(exists(rf::table.find(id))).get_result(conn)?,
        Subject::Appeal => diesel::select(exists(ra::table.find(id))).get_result(conn)?,
    })
}

pub fn versions(conn: &mut DbConnection, id: &str) -> Result<Vec<VersionRow>, DbError> {
    Ok(rv::table
        .filter(rv::review_id.eq(id))
        .order(rv::version.asc())
        .select(VersionRow::as_select())
        .load(conn)?)
}

pub fn author_name(conn: &mut DbConnection, id: &str) -> Result<String, DbError> {
    Ok(users::table.find(id).select(users::full_name).first(conn)?)
}

/// The buyer's facts about an order item, for the create rule and the order's eligibility.
pub fn item_context(
    conn: &mut DbConnection,
    order_item_id: &str,
) -> Result<Option<(ItemRow, OrderRow)>, DbError> {
    Ok(oi::table
        .inner_join(o::table)
        .filter(oi::id.eq(order_item_id))
        .select((ItemRow::as_select(), OrderRow::as_select()))
        .first(conn)
        .optional()?)
}

/// Which of these items already have a review (any status: one review per item, ever).
pub fn reviewed_items(
    conn: &mut DbConnection,
    item_ids: &[String],
) -> Result<Vec<String>, DbError> {
    Ok(r::table
        .filter(r::order_item_id.eq_any(item_ids))
        .select(r::order_item_id)
        .load(conn)?)
}

/// The current version's photos, for serving them to whoever may see the review.
fn set_photos(conn: &mut DbConnection, review_id: &str, ids: &[String]) -> Result<(), DbError> {
    diesel::delete(rp::table.filter(rp::review_id.eq(review_id))).execute(conn)?;
    for id in ids {
        diesel::insert_into(rp::table)
            .values((rp::review_id.eq(review_id), rp::attachment_id.eq(id)))
            .execute(conn)?;
    }
    Ok(())
}

fn check_photos(
    conn: &mut DbConnection,
    owner: &str,
    ids: &[String],
    max: usize,
) -> Result<(), DbError> {
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    if distinct.len() != ids.len() {
        return Err(Refused::field("attachment_ids", "duplicate").into());
    }
    if ids.len() > max {
        return Err(Refused::field("attachment_ids", "length").into());
    }
    for id in ids {
        let row: Option<(String, String)> = attachments::table
            .find(id)
            .select((attachments::uploader_id, attachments::content_type))
            .first(conn)
            .optional()?;
        match row {
            Some((uploader, ct)) if uploader == owner && ct.starts_with("image/") => {}
            _ => return Err(Refused::InvalidAttachment.into()),
        }
    }
    Ok(())
}

/// One line of the moderation log.
struct LogAction<'a> {
    actor: Option<&'a str>,
    action: &'a str,
    subject: (&'a str, &'a str),
    before: Option<&'a str>,
    after: Option<&'a str>,
    note: Option<&'a str>,
}

fn log(conn: &mut DbConnection, entry: LogAction, now: DateTime<Utc>) -> Result<(), DbError> {
    let LogAction {
        actor,
        action,
        subject,
        before,
        after,
        note,
    } = entry;
    diesel::insert_into(ml::table)
        .values((
            ml::id.eq(new_id()),
            ml::actor_id.eq(actor),
            ml::action.eq(action),
            ml::subject_type.eq(subject.0),
            ml::subject_id.eq(subject.1),
            ml::before_status.eq(before),
            ml::after_status.eq(after),
            ml::note.eq(note),
            ml::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

fn notify_one(
    conn: &mut DbConnection,
    to: &[&str],
    kind: &str,
    review: &ReviewRow,
    extra: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut data = serde_json::json!({ "review_id": review.id, "product_id": review.product_id, "rating": review.rating });
    if let (Some(map), Some(extra)) = (data.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    notify(
        conn,
        to,
        &Notice {
            kind,
            subject_type: "review",
            subject_id: &review.id,
            data,
        },
        now,
    )
}

/// The day a review counts for in the 90-day window: its local (Almaty) creation date.
fn rating_day(created_at: NaiveDateTime) -> String {
    local_date(from_db(created_at))
        .format("%Y-%m-%d")
        .to_string()
}

/// Adds (`delta` = 1) or removes (-1) a review's contribution to every summary it is in.
fn adjust_summaries(
    conn: &mut DbConnection,
    review: &ReviewRow,
    delta: i64,
) -> Result<(), DbError> {
    let shop_star = shop_score(review.rating, review.shop_rating);
    let targets = [
        ("product", review.product_id.as_str(), review.rating),
        ("shop", review.shop_id.as_str(), shop_star),
    ];
    for (kind, id, star) in targets {
        diesel::sql_query(
            "INSERT INTO rating_summaries (subject_type, subject_id, c1, c2, c3, c4, c5) \
             VALUES ($1, $2, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(kind)
        .bind::<Text, _>(id)
        .execute(conn)?;
        // The column name comes from a rating the CHECK constraint holds to 1..=5.
        let star = star.clamp(1, 5);
        diesel::sql_query(format!(
            "UPDATE rating_summaries SET c{star} = c{star} + $1 WHERE subject_type = $2 AND subject_id = $3"
        ))
        .bind::<BigInt, _>(delta)
        .bind::<Text, _>(kind)
        .bind::<Text, _>(id)
        .execute(conn)?;
    }
    let day = rating_day(review.created_at);
    diesel::sql_query(
        "INSERT INTO shop_rating_days (shop_id, day, c1, c2, c3, c4, c5) \
         VALUES ($1, $2, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING",
    )
    .bind::<Text, _>(&review.shop_id)
    .bind::<Text, _>(&day)
    .execute(conn)?;
    let star = shop_star.clamp(1, 5);
    diesel::sql_query(format!(
        "UPDATE shop_rating_days SET c{star} = c{star} + $1 WHERE shop_id = $2 AND day = $3"
    ))
    .bind::<BigInt, _>(delta)
    .bind::<Text, _>(&review.shop_id)
    .bind::<Text, _>(&day)
    .execute(conn)?;
    Ok(())
}

/// Moves a review from `before` to `after` in the summaries (either may not count).
fn move_summaries(
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
fn settle_ratings(
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

#[derive(QueryableByName)]
struct DistRow {
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

/// The shop's distribution over the last `days` local days including today (≤ `days` rows).
pub fn summary_recent(
    conn: &mut DbConnection,
    shop_id: &str,
    now: DateTime<Utc>,
    days: i64,
) -> Result<Distribution, DbError> {
    let first_day = (local_date(now) - TimeDelta::days(days - 1))
        .format("%Y-%m-%d")
        .to_string();
    let row: DistRow = diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(c1), 0) AS BIGINT) AS c1, CAST(COALESCE(SUM(c2), 0) AS BIGINT) AS c2, \
         CAST(COALESCE(SUM(c3), 0) AS BIGINT) AS c3, CAST(COALESCE(SUM(c4), 0) AS BIGINT) AS c4, \
         CAST(COALESCE(SUM(c5), 0) AS BIGINT) AS c5 FROM shop_rating_days WHERE shop_id = $1 AND day >= $2",
    )
    .bind::<Text, _>(shop_id)
    .bind::<Text, _>(&first_day)
    .get_result(conn)?;
    Ok(Distribution([row.c1, row.c2, row.c3, row.c4, row.c5]))
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
    let average = summary_recent(conn, shop_id, now, policy.rating_period_days)?.average();
    if let Some(critical) = critical_transition(was, average, policy.critical_shop_rating) {
        diesel::update(shops::table.find(shop_id))
            .set(shops::rating_critical.eq(critical))
            .execute(conn)?;
        if critical {
            let sellers = super::users::shop_sellers(conn, shop_id)?;
            let to: Vec<&str> = sellers.iter().map(String::as_str).collect();
            let data = serde_json::json!({ "shop_id": shop_id, "average_90d": average, "threshold": policy.critical_shop_rating });
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

fn screened(input: &ReviewInput) -> (Vec<Finding>, String) {
    let findings = input.body.as_deref().map(screen).unwrap_or_default();
    let json = serde_json::to_string(&findings).unwrap_or_else(|_| "[]".into());
    (findings, json)
}

fn insert_version(
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
fn record_screening(
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
    log(
        conn,
        LogAction {
            actor: None,
            action,
            subject: ("review", &review.id),
            before,
            after: Some(&review.status),
            note: note.as_deref(),
        },
        now,
    )?;
    notify_one(
        conn,
        &[&review.author_id],
        kind,
        review,
        serde_json::json!({}),
        now,
    )
}

pub fn create(
    conn: &mut DbConnection,
    order_item_id: &str,
    author_id: &str,
    input: &ReviewInput,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
    write_tx(conn, |conn| {
        let (item, order) = item_context(conn, order_item_id)?.ok_or(DbError::NotFound)?;
        let facts = ItemFacts {
            is_buyer: order.buyer_id == author_id,
            order_status: OrderStatus::parse(&order.status).unwrap_or(OrderStatus::Pending),
            delivered_at: order.delivered_at.map(from_db),
            already_reviewed: !reviewed_items(conn, std::slice::from_ref(&item.id))?.is_empty(),
        };
        let until = may_review(&facts, now, policy).map_err(Refused::Review)?;
        check_photos(conn, author_id, &input.attachment_ids, policy.photos_max)?;
        let (findings, screening) = screened(input);
        let status = status_after_screening(&findings);
        let id = new_id();
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
            .map_err(super::unique_means(Refused::Review(
                Refusal::AlreadyReviewed,
            )))?;
        insert_version(conn, &id, 1, input, &screening, now)?;
        set_photos(conn, &id, &input.attachment_ids)?;
        let review = find_for_update(conn, &id)?;
        record_screening(conn, &review, None, now)?;
        let sellers = super::users::shop_sellers(conn, &review.shop_id)?;
        let to: Vec<&str> = sellers.iter().map(String::as_str).collect();
        notify_one(
            conn,
            &to,
            "review_new",
            &review,
            serde_json::json!({ "status": review.status }),
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
    author_id: &str,
    patch: &ReviewPatch,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
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
        record_screening(conn, &after, Some(&before.status), now)?;
        settle_ratings(conn, &before, &after, policy, now)?;
        Ok(after)
    })
}

/// Soft delete by the author; open flags on it close with it.
pub fn delete(
    conn: &mut DbConnection,
    id: &str,
    author_id: &str,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
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
            log(
                conn,
                LogAction {
                    actor: None,
                    action: "flag_closed_review_deleted",
                    subject: ("review", id),
                    before: Some(&before.status),
                    after: Some("deleted"),
                    note: None,
                },
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
    shop_id: &str,
    seller_id: &str,
    body: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
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
                notify_one(
                    conn,
                    &[&review.author_id],
                    "review_reply",
                    &review,
                    serde_json::json!({}),
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

pub struct NewFlag<'a> {
    pub reason: FlagReason,
    pub comment: &'a str,
    pub attachment_ids: &'a [String],
}

pub fn create_flag(
    conn: &mut DbConnection,
    review_id: &str,
    shop_id: &str,
    seller_id: &str,
    flag: &NewFlag,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<FlagRow, DbError> {
    write_tx(conn, |conn| {
        let before = find_for_update(conn, review_id)?;
        if before.shop_id != shop_id || before.status() == ReviewStatus::Deleted {
            return Err(DbError::NotFound);
        }
        if before.status() != ReviewStatus::Published {
            return Err(Refused::ReviewNotPublished.into());
        }
        super::attachments::check_owned(conn, seller_id, flag.attachment_ids)?;
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
        let id = new_id();
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
            .map_err(super::unique_means(Refused::FlagAlreadyOpen))?;
        if flag.reason.hides_immediately() {
            diesel::update(r::table.find(review_id))
                .set(r::hidden.eq(true))
                .execute(conn)?;
            log(
                conn,
                LogAction {
                    actor: None,
                    action: "hidden_pending_flag",
                    subject: ("review", review_id),
                    before: Some(&before.status),
                    after: Some(&before.status),
                    note: Some(flag.reason.as_str()),
                },
                now,
            )?;
            let after = find_for_update(conn, review_id)?;
            settle_ratings(conn, &before, &after, policy, now)?;
        }
        log(
            conn,
            LogAction {
                actor: Some(seller_id),
                action: "flag_opened",
                subject: ("flag", &id),
                before: None,
                after: Some("open"),
                note: Some(flag.reason.as_str()),
            },
            now,
        )?;
        Ok(rf::table
            .find(&id)
            .select(FlagRow::as_select())
            .first(conn)?)
    })
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
fn remove(
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

/// A moderator's decision on a held review.
pub struct Verdict<'a> {
    pub decision: ReviewDecision,
    pub reason_code: Option<&'a str>,
    pub note: Option<&'a str>,
}

pub fn decide_review(
    conn: &mut DbConnection,
    id: &str,
    moderator: &str,
    verdict: &Verdict,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<ReviewRow, DbError> {
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
                notify_one(
                    conn,
                    &[&after.author_id],
                    "review_published",
                    &after,
                    serde_json::json!({}),
                    now,
                )?;
                after
            }
            _ => {
                let reason = reason_code.unwrap_or("rules_violation");
                let after = remove(conn, &before, next, reason, moderator, now)?;
                notify_one(
                    conn,
                    &[&after.author_id],
                    "review_rejected",
                    &after,
                    serde_json::json!({ "reason": reason }),
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
        log(
            conn,
            LogAction {
                actor: Some(moderator),
                action,
                subject: ("review", id),
                before: Some(&before.status),
                after: Some(&after.status),
                note: note.or(reason_code),
            },
            now,
        )?;
        settle_ratings(conn, &before, &after, policy, now)?;
        Ok(after)
    })
}

pub fn decide_flag(
    conn: &mut DbConnection,
    flag_id: &str,
    moderator: &str,
    decision: FlagDecision,
    note: &str,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<FlagRow, DbError> {
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
                    &flag.reason,
                    moderator,
                    now,
                )?,
            ),
            FlagDecision::Dismiss => {
                // A review hidden for personal data is shown again when the flag fails.
                diesel::update(r::table.find(&before.id))
                    .set(r::hidden.eq(false))
                    .execute(conn)?;
                ("dismissed", find_for_update(conn, &before.id)?)
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
        log(
            conn,
            LogAction {
                actor: Some(moderator),
                action: &format!("flag_{flag_status}"),
                subject: ("flag", flag_id),
                before: Some("open"),
                after: Some(flag_status),
                note: Some(note),
            },
            now,
        )?;
        if before.status != after.status {
            log(
                conn,
                LogAction {
                    actor: Some(moderator),
                    action: "removed",
                    subject: ("review", &before.id),
                    before: Some(&before.status),
                    after: Some(&after.status),
                    note: Some(&flag.reason),
                },
                now,
            )?;
            notify_one(
                conn,
                &[&after.author_id],
                "review_removed",
                &after,
                serde_json::json!({ "reason": flag.reason }),
                now,
            )?;
        }
        let kind = if flag_status == "upheld" {
            "flag_upheld"
        } else {
            "flag_dismissed"
        };
        notify(
            conn,
            &[&flag.seller_id],
            &Notice {
                kind,
                subject_type: "flag",
                subject_id: flag_id,
                data: serde_json::json!({ "flag_id": flag_id, "review_id": flag.review_id, "reason": flag.reason }),
            },
            now,
        )?;
        settle_ratings(conn, &before, &after, policy, now)?;
        Ok(rf::table
            .find(flag_id)
            .select(FlagRow::as_select())
            .first(conn)?)
    })
}

pub fn create_appeal(
    conn: &mut DbConnection,
    review_id: &str,
    author_id: &str,
    body: &str,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<AppealRow, DbError> {
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
        let id = new_id();
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
            .map_err(super::unique_means(Refused::Appeal(
                AppealRefusal::AlreadyAppealed,
            )))?;
        log(
            conn,
            LogAction {
                actor: Some(author_id),
                action: "appeal_opened",
                subject: ("appeal", &id),
                before: None,
                after: Some("open"),
                note: None,
            },
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
    moderator: &str,
    decision: AppealDecision,
    note: &str,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<AppealRow, DbError> {
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
        let status = match decision {
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
        log(
            conn,
            LogAction {
                actor: Some(moderator),
                action: &format!("appeal_{status}"),
                subject: ("appeal", appeal_id),
                before: Some("open"),
                after: Some(status),
                note: Some(note),
            },
            now,
        )?;
        if before.status != after.status {
            log(
                conn,
                LogAction {
                    actor: Some(moderator),
                    action: "reinstated",
                    subject: ("review", &before.id),
                    before: Some(&before.status),
                    after: Some(&after.status),
                    note: Some(note),
                },
                now,
            )?;
        }
        notify_one(
            conn,
            &[&after.author_id],
            &format!("appeal_{status}"),
            &after,
            serde_json::json!({ "appeal_id": appeal_id }),
            now,
        )?;
        settle_ratings(conn, &before, &after, policy, now)?;
        Ok(ra::table
            .find(appeal_id)
            .select(AppealRow::as_select())
            .first(conn)?)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewSort {
    Newest,
    Highest,
    Lowest,
}

pub enum ReviewSubject<'a> {
    Product(&'a str),
    Shop(&'a str),
}

/// Position after a review in any of the three orders (rank = its rating).
pub use crate::domain::pagination::RankedCursor as ReviewCursor;

pub struct PublicFilter {
    pub rating: Option<i32>,
    pub with_media: Option<bool>,
    pub sort: ReviewSort,
}

/// Published, visible reviews of a product or shop with the author's full name (masked by
/// the caller), in the requested order, after `cursor`.
pub fn list_public(
    conn: &mut DbConnection,
    subject: ReviewSubject,
    filter: &PublicFilter,
    cursor: Option<&ReviewCursor>,
    limit: u32,
) -> Result<Vec<(ReviewRow, String)>, DbError> {
    crate::on_backend!(conn, |c| {
        let mut q = r::table
            .inner_join(users::table)
            .select((ReviewRow::as_select(), users::full_name))
            .filter(r::status.eq(ReviewStatus::Published.as_str()))
            .filter(r::hidden.eq(false))
            .limit(i64::from(limit))
            .into_boxed();
        q = match subject {
            ReviewSubject::Product(id) => q.filter(r::product_id.eq(id.to_string())),
            ReviewSubject::Shop(id) => q.filter(r::shop_id.eq(id.to_string())),
        };
        if let Some(rating) = filter.rating {
            q = q.filter(r::rating.eq(rating));
        }
        if let Some(media) = filter.with_media {
            q = q.filter(r::has_media.eq(media));
        }
        q = match filter.sort {
            ReviewSort::Newest => q.order((r::created_at.desc(), r::id.desc())),
            ReviewSort::Highest => q.order((r::rating.desc(), r::created_at.desc(), r::id.desc())),
            ReviewSort::Lowest => q.order((r::rating.asc(), r::created_at.desc(), r::id.desc())),
        };
        if let Some(cur) = cursor {
            let at = to_db(cur.at);
            let after_in_rating = r::created_at
                .lt(at)
                .or(r::created_at.eq(at).and(r::id.lt(cur.id.clone())));
            q = match filter.sort {
                ReviewSort::Newest => q.filter(after_in_rating),
                ReviewSort::Highest => q.filter(
                    r::rating
                        .lt(cur.rank)
                        .or(r::rating.eq(cur.rank).and(after_in_rating)),
                ),
                ReviewSort::Lowest => q.filter(
                    r::rating
                        .gt(cur.rank)
                        .or(r::rating.eq(cur.rank).and(after_in_rating)),
                ),
            };
        }
        q.load(c)
    })
    .map_err(DbError::from)
}

/// The author's own reviews in any status, newest first.
pub fn list_by_author(
    conn: &mut DbConnection,
    author_id: &str,
    before: Option<&str>,
    limit: u32,
) -> Result<Vec<ReviewRow>, DbError> {
    let mut q = r::table
        .filter(r::author_id.eq(author_id))
        .select(ReviewRow::as_select())
        .order(r::id.desc())
        .limit(i64::from(limit))
        .into_boxed();
    if let Some(before) = before {
        q = q.filter(r::id.lt(before.to_string()));
    }
    Ok(q.load(conn)?)
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
