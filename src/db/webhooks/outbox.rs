//! The outbox: a webhook message is written in the transaction of the change it tells of, so
//! a rolled-back change sends nothing and a committed one is never lost. One message per
//! event, one delivery per subscribed endpoint of the shop; the dispatcher sends them.
use super::EndpointRow;
use crate::db::schema::{
    webhook_deliveries as wd, webhook_endpoints as we, webhook_messages as wm,
};
use crate::db::{new_id, to_db, DbConnection, DbError};
use crate::domain::webhooks::{subscribed, EventType};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// A message id as Standard Webhooks shows them (`msg_…`); time-ordered like every id here.
fn message_id() -> String {
    format!("msg_{}", uuid::Uuid::now_v7().simple())
}

/// The body every receiver gets: `{"type", "timestamp", "data"}`.
pub fn body(ty: EventType, at: DateTime<Utc>, data: serde_json::Value) -> String {
    serde_json::json!({ "type": ty.as_str(), "timestamp": at, "data": data }).to_string()
}

/// Offers an event to the shop's enabled endpoints subscribed to its type; the message's id,
/// or `None` when no endpoint listens (then nothing is written). Call inside the change's
/// transaction.
pub fn enqueue(
    conn: &mut DbConnection,
    shop_id: &str,
    ty: EventType,
    data: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbError> {
    let endpoints: Vec<(String, String)> = crate::on_backend!(conn, |c| we::table
        .filter(we::shop_id.eq(shop_id))
        .filter(we::enabled.eq(true))
        .select((we::id, we::events))
        .load(c))?;
    let to: Vec<&str> = endpoints
        .iter()
        .filter(|(_, events)| {
            let events: Vec<String> = serde_json::from_str(events).unwrap_or_default();
            subscribed(&events, ty)
        })
        .map(|(id, _)| id.as_str())
        .collect();
    if to.is_empty() {
        return Ok(None);
    }
    let id = insert_message(conn, shop_id, ty, body(ty, now, data), now)?;
    for endpoint in to {
        insert_delivery(conn, endpoint, &id, now)?;
    }
    Ok(Some(id))
}

/// A `ping` to one endpoint, whatever it subscribes to; returns the delivery's id.
pub fn ping(
    conn: &mut DbConnection,
    endpoint: &EndpointRow,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    let data = serde_json::json!({ "endpoint_id": endpoint.id, "shop_id": endpoint.shop_id });
    let ty = EventType::Ping;
    let id = insert_message(conn, &endpoint.shop_id, ty, body(ty, now, data), now)?;
    insert_delivery(conn, &endpoint.id, &id, now)
}

fn insert_message(
    conn: &mut DbConnection,
    shop_id: &str,
    ty: EventType,
    body: String,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    let id = message_id();
    diesel::insert_into(wm::table)
        .values((
            wm::id.eq(&id),
            wm::shop_id.eq(shop_id),
            wm::event_type.eq(ty.as_str()),
            wm::body.eq(body),
            wm::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A delivery due now. Also how a redelivery starts: a new delivery of the same message.
pub(super) fn insert_delivery(
    conn: &mut DbConnection,
    endpoint_id: &str,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(wd::table)
        .values((
            wd::id.eq(&id),
            wd::endpoint_id.eq(endpoint_id),
            wd::message_id.eq(message_id),
            wd::status.eq("pending"),
            wd::attempts.eq(0),
            wd::next_attempt_at.eq(Some(to_db(now))),
            wd::created_at.eq(to_db(now)),
            wd::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(id)
}
