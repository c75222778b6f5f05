//! One record of each kind the spec's path parameters name and `history` does not write:
//! the demo buyer's photo, an open flag, an appeal, a notification and a webhook endpoint with
//! one delivery, each under its fixed id (`ids`), so "Try it out" in `/docs` finds them. Each
//! is written when its id is missing, so a database seeded before they existed gets them at
//! the next `serve --demo`, and one that has them is left alone.
use super::ids;
use crate::db::reviews::{NewFlag, ReviewRow};
use crate::db::users::{NewUser, UserRow};
use crate::db::webhooks::{self as hooks, deliveries, outbox, EndpointChange, NewEndpoint};
use crate::db::{self, DbConnection, DbError};
use crate::domain::caller::Caller;
use crate::domain::reviews::{FlagDecision, FlagReason, ReviewStatus};
use crate::domain::roles::Role;
use crate::domain::webhooks::signing;
use crate::state::AppState;
use crate::storage::Rejection;
use chrono::{DateTime, TimeDelta, Utc};

/// A phone photo (one of `samples/`), stored as an upload of the demo buyer would be.
const PHOTO: &[u8] = include_bytes!("../../samples/photo.jpg");

/// A reserved example domain: it never resolves, and the endpoint is disabled anyway.
const WEBHOOK_URL: &str = "https://hooks.example.com/aftersale";

fn caller(u: &UserRow) -> Caller {
    Caller {
        id: u.id.clone(),
        role: u.role(),
        shop_id: u.shop_id.clone(),
    }
}

pub fn write(
    state: &AppState,
    conn: &mut DbConnection,
    buyer: &UserRow,
    seller: &UserRow,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let e = |e: DbError| e.to_string();
    flag(state, conn, seller, now).map_err(e)?;
    // An appeal is decided by a moderator other than the one who removed the review: the
    // removal is a colleague's, so the demo moderator can decide the appeal.
    let colleague = super::find_or_create(
        conn,
        &NewUser {
            email: "moderator2@demo.kz",
            password_hash,
            full_name: "Асель Жаксылыкова",
            phone: None,
            role: Role::Moderator,
            shop_name: None,
            id: None,
            shop_id: None,
        },
        now,
    )
    .map_err(e)?;
    appeal(state, conn, seller, &colleague, now).map_err(e)?;
    // The "delivered" notice DEMO-1001's upsert wrote to the demo buyer, under its fixed id.
    db::notifications::assign_id(
        conn,
        &buyer.id,
        "order_delivered",
        ids::ORDER_1001,
        ids::NOTIFICATION,
    )
    .map_err(e)?;
    webhook(state, conn, seller, now).map_err(e)?;
    Ok(())
}

fn review(conn: &mut DbConnection, id: &str) -> Result<Option<ReviewRow>, DbError> {
    db::reviews::find(conn, id)
}

/// The demo seller's open flag on the demo review: the moderators' queue has it.
/// `FalseInformation` does not hide the review (only personal data does), so the review stays
/// the spec's published example.
fn flag(
    state: &AppState,
    conn: &mut DbConnection,
    seller: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    use crate::db::schema::review_flags as rf;
    use diesel::prelude::*;
    let there: i64 = rf::table.find(ids::FLAG).count().get_result(conn)?;
    let published = review(conn, ids::REVIEW)?
        .is_some_and(|r| r.status() == ReviewStatus::Published && !r.hidden);
    if there > 0 || !published {
        return Ok(());
    }
    let new = NewFlag {
        reason: FlagReason::FalseInformation,
        comment: "В заказе был чехол чёрного цвета, в отзыве говорится о синем.",
        attachment_ids: &[],
    };
    let policy = &state.policy.reviews;
    db::reviews::create_flag_as(
        conn,
        Some(ids::FLAG),
        ids::REVIEW,
        &caller(seller),
        &new,
        policy,
        now,
    )
    .map(drop)
}

/// The history's one-star review, removed on the seller's flag upheld by `moderator` (the
/// colleague) an hour ago and appealed by its author: the appeal waits in the queue.
fn appeal(
    state: &AppState,
    conn: &mut DbConnection,
    seller: &UserRow,
    moderator: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    use crate::db::schema::review_appeals as ra;
    use diesel::prelude::*;
    let there: i64 = ra::table.find(ids::APPEAL).count().get_result(conn)?;
    let Some(before) = review(conn, ids::REVIEW_REMOVED)? else {
        return Ok(());
    };
    // Only from the state `history` left it in: a review a demo user has since acted on is
    // left alone.
    if there > 0 || before.status() != ReviewStatus::Published {
        return Ok(());
    }
    let Some(author) = db::users::find(conn, &before.author_id)? else {
        return Ok(());
    };
    let policy = &state.policy.reviews;
    let new = NewFlag {
        reason: FlagReason::OffensiveLanguage,
        comment: "В отзыве оскорбления в адрес курьера.",
        attachment_ids: &[],
    };
    let flagged = db::reviews::create_flag(
        conn,
        ids::REVIEW_REMOVED,
        &caller(seller),
        &new,
        policy,
        now - TimeDelta::hours(2),
    )?;
    db::reviews::decide_flag(
        conn,
        &flagged.id,
        &caller(moderator),
        FlagDecision::Uphold,
        "Оскорбление курьера: отзыв снят.",
        policy,
        now - TimeDelta::hours(1),
    )?;
    db::reviews::create_appeal_as(
        conn,
        Some(ids::APPEAL),
        ids::REVIEW_REMOVED,
        &caller(&author),
        "Оскорблений в отзыве нет: я описал, как курьер бросил коробку.",
        policy,
        now,
    )
    .map(drop)
}

/// The demo shop's endpoint and its `ping`. The URL never resolves and must not be called:
/// the endpoint is created and at once disabled, and the dispatcher claims deliveries of
/// enabled endpoints only (`deliveries::claim`), so the `ping` stays
/// `pending`, never attempted, until a seller turns the endpoint on (after pointing it at a
/// real URL). The delivery counts in `/metrics`' pending gauge meanwhile. Written through
/// storage, not the API: the API's address checks would refuse a name that does not resolve.
fn webhook(
    state: &AppState,
    conn: &mut DbConnection,
    seller: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let Some(shop) = seller.shop_id.as_deref() else {
        return Ok(());
    };
    let endpoint = match hooks::find(conn, ids::WEBHOOK) {
        Ok(found) => found,
        Err(DbError::NotFound) => {
            let sealed = state.sealer.seal(&signing::new_secret());
            let events =
                ["review.published", "complaint.filed", "return.requested"].map(String::from);
            let limit = state.policy.webhooks.endpoints_per_shop;
            // Created subscribing to nothing, so that no event can queue a delivery to it
            // while it is still enabled (`create` and `update` are a transaction each), then
            // disabled and subscribed in one change.
            let new = NewEndpoint {
                shop_id: shop,
                url: WEBHOOK_URL,
                description: Some("CRM магазина (пример: адрес не существует)"),
                events: &[],
                sealed_secret: &sealed,
            };
            let row = hooks::create_as(conn, Some(ids::WEBHOOK), &new, limit, now)?;
            let off = EndpointChange {
                enabled: Some(false),
                events: Some(&events),
                ..EndpointChange::default()
            };
            hooks::update(conn, shop, &row.id, &off, now)?
        }
        Err(other) => return Err(other),
    };
    match deliveries::find(conn, &endpoint.id, ids::WEBHOOK_DELIVERY) {
        Ok(_) => Ok(()),
        Err(DbError::NotFound) if !endpoint.enabled => {
            outbox::ping_as(conn, Some(ids::WEBHOOK_DELIVERY), &endpoint, now).map(drop)
        }
        // A seller turned it on: no new message to a URL they may not have changed.
        Err(DbError::NotFound) => Ok(()),
        Err(other) => Err(other),
    }
}

/// The demo buyer's photo, under its fixed id: the bytes through the attachments store, the
/// record through `db::attachments::insert`, as an upload is.
pub async fn photo(state: &AppState, buyer: &UserRow) -> Result<(), String> {
    let mut conn = state.db.get().map_err(|e| e.to_string())?;
    if db::attachments::find(&mut conn, ids::ATTACHMENT)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(());
    }
    let mut upload = state
        .attachments
        .upload(ids::ATTACHMENT, state.settings.attachment_max_bytes);
    let stored = async {
        upload.write(PHOTO).await?;
        upload.finish().await
    }
    .await
    .map_err(|e| match e {
        Rejection::Store(e) => format!("demo photo: {e}"),
        Rejection::TooLarge => "demo photo: larger than ATTACHMENT_MAX_BYTES".to_string(),
        Rejection::UnsupportedType => "demo photo: not an accepted type".to_string(),
    })?;
    let new = db::attachments::NewAttachment {
        id: ids::ATTACHMENT,
        uploader_id: &buyer.id,
        content_type: stored.media.mime(),
        size: stored.size as i64,
        sha256: &stored.sha256,
        storage_key: &stored.storage_key,
    };
    let quota = &state.policy.uploads;
    db::attachments::insert(&mut conn, &new, state.clock.now(), quota)
        .map(drop)
        .map_err(|e| e.to_string())
}
