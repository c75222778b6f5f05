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

/// A message for the shop's endpoints, chosen but not written yet: a new case's first step
/// writes it together with the case's number (`numbering::assign`).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: String,
    pub shop_id: String,
    pub event_type: EventType,
    pub body: String,
    /// The enabled endpoints subscribed to its type, one delivery each.
    pub endpoints: Vec<String>,
    pub at: DateTime<Utc>,
}

/// Offers an event to the shop's enabled endpoints subscribed to its type; the message's id,
/// or `None` when no endpoint listens (then nothing is written). Call inside the change's
/// transaction. An event about a buyer names them as the shop's sellers know them: `data`
/// gets `buyer_ref`, the reference of the REST views (`domain::privacy::BuyerRefs`).
pub fn enqueue(
    conn: &mut DbConnection,
    shop_id: &str,
    buyer: Option<&str>,
    ty: EventType,
    data: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbError> {
    let Some(message) = prepare(conn, shop_id, buyer, ty, data, now)? else {
        return Ok(None);
    };
    write(conn, &message)?;
    Ok(Some(message.id))
}

/// What `enqueue` would write, without writing it; `None` when no endpoint listens. The
/// endpoints are read in the caller's transaction, as `enqueue` reads them.
pub fn prepare(
    conn: &mut DbConnection,
    shop_id: &str,
    buyer: Option<&str>,
    ty: EventType,
    mut data: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Option<Outgoing>, DbError> {
    let endpoints: Vec<(String, String)> = crate::on_backend!(conn, |c| we::table
        .filter(we::shop_id.eq(shop_id))
        .filter(we::enabled.eq(true))
        .select((we::id, we::events))
        .load(c))?;
    let to: Vec<String> = endpoints
        .into_iter()
        .filter(|(_, events)| {
            let events: Vec<String> = serde_json::from_str(events).unwrap_or_default();
            subscribed(&events, ty)
        })
        .map(|(id, _)| id)
        .collect();
    if to.is_empty() {
        return Ok(None);
    }
    if let (Some(buyer), Some(map)) = (buyer, data.as_object_mut()) {
        // Read only when someone listens: the key is one row.
        let reference = crate::db::privacy_keys::buyer_refs(conn)?.of(shop_id, buyer);
        map.insert("buyer_ref".into(), reference.into());
    }
    Ok(Some(Outgoing {
        id: message_id(),
        shop_id: shop_id.to_string(),
        event_type: ty,
        body: body(ty, now, data),
        endpoints: to,
        at: now,
    }))
}

/// Writes a prepared message and its deliveries.
pub fn write(conn: &mut DbConnection, m: &Outgoing) -> Result<(), DbError> {
    insert_message(conn, &m.id, &m.shop_id, m.event_type, &m.body, m.at)?;
    for endpoint in &m.endpoints {
        insert_delivery(conn, endpoint, &m.id, m.at)?;
    }
    Ok(())
}

/// A `ping` to one endpoint, whatever it subscribes to; returns the delivery's id.
pub fn ping(
    conn: &mut DbConnection,
    endpoint: &EndpointRow,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    ping_as(conn, None, endpoint, now)
}

/// [`ping`] whose delivery has a chosen id (the demo's fixed ids); a new one when `None`.
pub fn ping_as(
    conn: &mut DbConnection,
    delivery_id: Option<&str>,
    endpoint: &EndpointRow,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    let data = serde_json::json!({ "endpoint_id": endpoint.id, "shop_id": endpoint.shop_id });
    let (ty, id) = (EventType::Ping, message_id());
    insert_message(conn, &id, &endpoint.shop_id, ty, &body(ty, now, data), now)?;
    insert_delivery_as(conn, delivery_id, &endpoint.id, &id, now)
}

fn insert_message(
    conn: &mut DbConnection,
    id: &str,
    shop_id: &str,
    ty: EventType,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(wm::table)
        .values((
            wm::id.eq(id),
            wm::shop_id.eq(shop_id),
            wm::event_type.eq(ty.as_str()),
            wm::body.eq(body),
            wm::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A delivery due now. Also how a redelivery starts: a new delivery of the same message.
pub(super) fn insert_delivery(
    conn: &mut DbConnection,
    endpoint_id: &str,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    insert_delivery_as(conn, None, endpoint_id, message_id, now)
}

fn insert_delivery_as(
    conn: &mut DbConnection,
    id: Option<&str>,
    endpoint_id: &str,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    let id = id.map_or_else(new_id, str::to_string);
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
