//! The buyer–seller conversation of an order: messages with attachments, the seller's reply
//! clock, and the sweep that records unanswered conversations as breaches.
use super::notifications::{notify, Notice};
use super::orders::OrderRow;
use super::schema::{
    order_message_attachments as oma, order_messages as om, order_threads as ot, orders as o, users,
};
use super::{from_db, new_id, to_db, write_tx, DbConnection, DbError};
use crate::domain::caller::Caller;
use crate::domain::messages::Thread;
use crate::domain::pagination::TimeCursor;
use crate::domain::roles::Role;
use crate::policy::MessagePolicy;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = om)]
pub struct MessageRow {
    pub id: String,
    pub order_id: String,
    pub author_id: String,
    pub author_role: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// A message with its author's name and attachment ids.
#[derive(Debug, Clone)]
pub struct MessageRecord {
    pub message: MessageRow,
    pub author_name: String,
    pub attachment_ids: Vec<String>,
}

/// The order, if the caller is its buyer, a seller of its shop, or a moderator.
pub fn order_for(
    conn: &mut DbConnection,
    order_id: &str,
    caller: &Caller,
) -> Result<OrderRow, DbError> {
    super::orders::for_party(conn, order_id, caller, false)
}

pub fn thread(conn: &mut DbConnection, order_id: &str) -> Result<Thread, DbError> {
    let row: Option<(Option<NaiveDateTime>, Option<NaiveDateTime>)> = ot::table
        .find(order_id)
        .select((ot::awaiting_since, ot::last_reply_at))
        .first(conn)
        .optional()?;
    Ok(row
        .map(|(awaiting, reply)| Thread {
            awaiting_since: awaiting.map(from_db),
            last_reply_at: reply.map(from_db),
        })
        .unwrap_or_default())
}

/// Posts a message by the order's buyer or a seller of its shop; the other side is notified
/// and the reply clock moves, in one transaction.
pub fn post(
    conn: &mut DbConnection,
    order_id: &str,
    caller: &Caller,
    body: &str,
    attachment_ids: &[String],
    policy: &MessagePolicy,
    now: DateTime<Utc>,
) -> Result<MessageRecord, DbError> {
    write_tx(conn, |conn| {
        let order = order_for(conn, order_id, caller)?;
        // The order row, locked: the messages of one order are taken one at a time, so the
        // reply clock moves from the state the previous message left (and two first messages
        // do not both create the conversation's row).
        let _: Option<String> =
            crate::first_for_update!(conn, o::table.find(&order.id).select(o::id))?;
        super::attachments::check_owned(conn, caller, attachment_ids)?;
        let id = new_id();
        diesel::insert_into(om::table)
            .values((
                om::id.eq(&id),
                om::order_id.eq(&order.id),
                om::author_id.eq(&caller.id),
                om::author_role.eq(caller.role.as_str()),
                om::body.eq(body),
                om::created_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        for a in attachment_ids {
            diesel::insert_into(oma::table)
                .values((oma::message_id.eq(&id), oma::attachment_id.eq(a)))
                .execute(conn)?;
        }
        let before = thread(conn, &order.id)?;
        let next = before.after_message(caller.role, now);
        let due = next.deadlines(policy).map(|(_, limit)| to_db(limit));
        let values = (
            ot::awaiting_since.eq(next.awaiting_since.map(to_db)),
            ot::last_reply_at.eq(next.last_reply_at.map(to_db)),
            ot::reply_due_by.eq(due),
            ot::updated_at.eq(to_db(now)),
        );
        let updated = diesel::update(ot::table.find(&order.id))
            .set(values)
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(ot::table)
                .values((
                    ot::order_id.eq(&order.id),
                    ot::shop_id.eq(&order.shop_id),
                    values,
                ))
                .execute(conn)?;
        }
        // The conversation's first buyer message and the seller's first answer after it, for
        // the shop's figures (conditional: only the first of each is kept).
        match caller.role {
            Role::Buyer => diesel::update(
                ot::table
                    .find(&order.id)
                    .filter(ot::first_buyer_at.is_null()),
            )
            .set(ot::first_buyer_at.eq(Some(to_db(now))))
            .execute(conn)?,
            _ => diesel::update(
                ot::table
                    .find(&order.id)
                    .filter(ot::first_buyer_at.is_not_null())
                    .filter(ot::first_reply_at.is_null()),
            )
            .set(ot::first_reply_at.eq(Some(to_db(now))))
            .execute(conn)?,
        };
        if caller.role == Role::Buyer {
            let data = serde_json::json!({
                "order_id": order.id, "external_id": order.external_id, "message_id": id,
                "body": body, "reply_due_by": due.map(super::from_db),
            });
            super::webhooks::outbox::enqueue(
                conn,
                &order.shop_id,
                Some(&order.buyer_id),
                crate::domain::webhooks::EventType::OrderMessageReceived,
                data,
                now,
            )?;
        }
        let to = match caller.role {
            Role::Buyer => super::users::shop_sellers(conn, &order.shop_id)?,
            _ => vec![order.buyer_id.clone()],
        };
        let recipients: Vec<&str> = to.iter().map(String::as_str).collect();
        notify(
            conn,
            &recipients,
            &Notice {
                kind: "order_message",
                subject_type: "order",
                subject_id: &order.id,
                data: serde_json::json!({"order_id": order.id, "message_id": id}),
            },
            now,
        )?;
        let message = om::table
            .find(&id)
            .select(MessageRow::as_select())
            .first(conn)?;
        let author_name = super::users::find(conn, &caller.id)?
            .map(|u| u.full_name)
            .unwrap_or_default();
        Ok(MessageRecord {
            message,
            author_name,
            attachment_ids: attachment_ids.to_vec(),
        })
    })
}

/// Newest first, keyset-paged by (created_at, id).
pub fn list(
    conn: &mut DbConnection,
    order_id: &str,
    after: Option<&TimeCursor>,
    limit: u32,
) -> Result<Vec<MessageRecord>, DbError> {
    let mut q = om::table
        .inner_join(users::table.on(users::id.eq(om::author_id)))
        .filter(om::order_id.eq(order_id))
        .select((MessageRow::as_select(), users::full_name))
        .order((om::created_at.desc(), om::id.desc()))
        .limit(i64::from(limit))
        .into_boxed();
    if let Some(cur) = after {
        let at = to_db(cur.at);
        q = q.filter(
            om::created_at
                .lt(at)
                .or(om::created_at.eq(at).and(om::id.lt(cur.id.clone()))),
        );
    }
    let rows: Vec<(MessageRow, String)> = q.load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|(m, _)| m.id.as_str()).collect();
    let files: Vec<(String, String)> = oma::table
        .filter(oma::message_id.eq_any(&ids))
        .select((oma::message_id, oma::attachment_id))
        .order((oma::message_id.asc(), oma::attachment_id.asc()))
        .load(conn)?;
    let mut by_message: HashMap<String, Vec<String>> = HashMap::new();
    for (m, a) in files {
        by_message.entry(m).or_default().push(a);
    }
    Ok(rows
        .into_iter()
        .map(|(message, author_name)| MessageRecord {
            attachment_ids: by_message.remove(&message.id).unwrap_or_default(),
            message,
            author_name,
        })
        .collect())
}

/// Whether a message citing the attachment belongs to an order of the viewer (its buyer or
/// shop).
pub fn attachment_visible_to(
    conn: &mut DbConnection,
    attachment_id: &str,
    viewer: &Caller,
) -> Result<bool, DbError> {
    let orders: Vec<(String, String)> = oma::table
        .inner_join(om::table.inner_join(o::table))
        .filter(oma::attachment_id.eq(attachment_id))
        .select((o::buyer_id, o::shop_id))
        .load(conn)?;
    Ok(orders.iter().any(|(buyer_id, shop)| {
        viewer.is_party(crate::domain::caller::Parties {
            buyer_id,
            shop_id: Some(shop),
            service: false,
        })
    }))
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct MessageSweep {
    /// Reply deadlines (24 h target, 48 h limit) found missed for the first time.
    pub breaches: usize,
}

/// Records unanswered conversations past the reply target and limit, once per deadline; the
/// shop's sellers are told.
pub fn sweep(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    policy: &MessagePolicy,
) -> Result<MessageSweep, DbError> {
    let since = now - TimeDelta::hours(policy.seller_first_reply_target_hours);
    let waiting: Vec<(String, NaiveDateTime)> = ot::table
        .filter(ot::awaiting_since.lt(to_db(since)))
        .select((ot::order_id, ot::awaiting_since.assume_not_null()))
        .load(conn)?;
    let mut report = MessageSweep::default();
    for (order_id, awaiting) in waiting {
        let state = Thread {
            awaiting_since: Some(from_db(awaiting)),
            last_reply_at: None,
        };
        for (sla, due) in state.breaches(now, policy) {
            write_tx(conn, |conn| {
                let order: OrderRow = o::table
                    .find(&order_id)
                    .select(OrderRow::as_select())
                    .first(conn)?;
                if super::orders::record_breach(conn, &order, sla.as_str(), due, now)? {
                    report.breaches += 1;
                    let sellers = super::users::shop_sellers(conn, &order.shop_id)?;
                    let recipients: Vec<&str> = sellers.iter().map(String::as_str).collect();
                    notify(
                        conn,
                        &recipients,
                        &Notice {
                            kind: "order_message_unanswered",
                            subject_type: "order",
                            subject_id: &order.id,
                            data: serde_json::json!({
                                "order_id": order.id, "sla": sla, "due_at": due,
                            }),
                        },
                        now,
                    )?;
                }
                Ok(())
            })?;
        }
    }
    Ok(report)
}
