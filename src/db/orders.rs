//! Orders mirrored from upstream, with their items.
use super::notifications::{notify, Notice};
use super::schema::{
    complaints as cp, order_items as oi, orders as o, return_items as ri, returns as rt, reviews,
    users,
};
use super::{new_id, to_db, write_tx, DbConnection, DbError};
use crate::domain::orders::{
    buyer_notification, delivery_failed, settled_status, DeliveryType, OrderStatus,
};
use crate::domain::pagination::TimeCursor;
use crate::domain::refused::Refused;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = o)]
pub struct OrderRow {
    pub id: String,
    pub external_id: String,
    pub buyer_id: String,
    pub shop_id: String,
    pub placed_at: NaiveDateTime,
    pub delivery_type: crate::domain::orders::DeliveryType,
    pub courier_id: Option<String>,
    pub courier_name: Option<String>,
    pub promised_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub failed_attempts: i32,
    pub status: crate::domain::orders::OrderStatus,
    pub total_amount: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = oi)]
pub struct ItemRow {
    pub id: String,
    pub order_id: String,
    pub position: i32,
    pub product_id: String,
    pub title: String,
    pub category: Option<String>,
    pub quantity: i32,
    pub unit_price: i64,
}

/// An order with its items and what the service knows of its buyer.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub order: OrderRow,
    pub items: Vec<ItemRow>,
    /// Items that have a review (any status), from `find` only.
    pub reviewed_items: Vec<String>,
    /// Units of each item no return holds, from `find` only (return eligibility).
    pub units_left: HashMap<String, i32>,
    pub buyer_name: String,
    pub buyer_phone: Option<String>,
}

/// The upsert as the integration endpoint validated it.
pub struct OrderWrite<'a> {
    /// The id of a new order when the caller chooses it (the demo data); new otherwise.
    pub id: Option<&'a str>,
    pub external_id: &'a str,
    pub buyer_id: &'a str,
    pub shop_id: &'a str,
    pub placed_at: DateTime<Utc>,
    pub items: Vec<ItemWrite<'a>>,
    pub delivery_type: DeliveryType,
    pub courier_id: Option<&'a str>,
    pub courier_name: Option<&'a str>,
    pub promised_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub failed_attempts: i32,
    pub status: OrderStatus,
    pub total_amount: i64,
}

pub struct ItemWrite<'a> {
    /// The id of a new item when the caller chooses it (the demo data); new otherwise.
    pub id: Option<&'a str>,
    pub product_id: &'a str,
    pub title: &'a str,
    pub category: Option<&'a str>,
    pub quantity: i32,
    pub unit_price: i64,
}

/// Inserts or updates by `external_id`. Returns the stored order and whether it was created.
/// Items are matched by product id so their ids (which reviews and returns cite) survive updates.
/// `attempts_before_return` (policy): the failed attempt that makes the delivery failed.
pub fn upsert(
    conn: &mut DbConnection,
    w: &OrderWrite,
    attempts_before_return: i32,
    now: DateTime<Utc>,
) -> Result<(OrderRecord, bool), DbError> {
    // Two sync workers may insert the same new order at once; the loser's insert violates the
    // unique external_id and, retried, finds the winner's row and updates it.
    let mut attempt = 0;
    let (order_id, created) = loop {
        match upsert_once(conn, w, attempts_before_return, now) {
            Err(e) if attempt < 2 && super::is_unique_violation(&e) => attempt += 1,
            other => break other?,
        }
    };
    let record = find(conn, &order_id)?.ok_or(DbError::NotFound)?;
    Ok((record, created))
}

fn upsert_once(
    conn: &mut DbConnection,
    w: &OrderWrite,
    attempts_before_return: i32,
    now: DateTime<Utc>,
) -> Result<(String, bool), DbError> {
    write_tx(conn, |conn| {
        let buyer_role: Option<String> = users::table
            .find(w.buyer_id)
            .select(users::role)
            .first(conn)
            .optional()?;
        if buyer_role.as_deref() != Some("buyer") {
            return Err(Refused::UnknownBuyer.into());
        }
        if !super::users::shop_exists(conn, w.shop_id)? {
            return Err(Refused::UnknownShop.into());
        }
        // Locked: two syncs of one order at once apply one after the other, each to the
        // status the other left, never both to the same stale one.
        let existing: Option<(String, String)> = crate::first_for_update!(
            conn,
            o::table
                .filter(o::external_id.eq(w.external_id))
                .select((o::id, o::status))
        )?;
        // Upstream's status, unless the attempts already decided the delivery failed.
        let status = settled_status(w.status, w.failed_attempts, attempts_before_return);
        let values = (
            o::buyer_id.eq(w.buyer_id),
            o::shop_id.eq(w.shop_id),
            o::placed_at.eq(to_db(w.placed_at)),
            o::delivery_type.eq(w.delivery_type.as_str()),
            o::courier_id.eq(w.courier_id),
            o::courier_name.eq(w.courier_name),
            o::promised_at.eq(w.promised_at.map(to_db)),
            o::delivered_at.eq(w.delivered_at.map(to_db)),
            o::failed_attempts.eq(w.failed_attempts),
            o::status.eq(status.as_str()),
            o::total_amount.eq(w.total_amount),
            o::updated_at.eq(to_db(now)),
        );
        let (order_id, before) = match existing {
            Some((id, status)) => {
                diesel::update(o::table.find(&id))
                    .set(values)
                    .execute(conn)?;
                (id, OrderStatus::parse(&status))
            }
            None => {
                let id = w.id.map_or_else(new_id, str::to_string);
                diesel::insert_into(o::table)
                    .values((
                        o::id.eq(&id),
                        o::external_id.eq(w.external_id),
                        o::created_at.eq(to_db(now)),
                        values,
                    ))
                    .execute(conn)?;
                (id, None)
            }
        };
        sync_items(conn, &order_id, &w.items)?;
        if let Some(kind) = buyer_notification(before, status) {
            let notice = Notice {
                kind,
                subject_type: "order",
                subject_id: &order_id,
                data: serde_json::json!({ "order_id": order_id, "external_id": w.external_id }),
            };
            notify(conn, &[w.buyer_id], &notice, now)?;
        }
        if delivery_failed(status, w.failed_attempts, attempts_before_return) {
            // The buyer now owes a choice: refund or redelivery (opened once, told once). The
            // event names what upstream reported: the return scan, or only the attempts.
            super::delivery_failures::open_for(conn, &order_id, w.status, now)?;
        }
        Ok((order_id, before.is_none()))
    })
}

fn sync_items(conn: &mut DbConnection, order_id: &str, items: &[ItemWrite]) -> Result<(), DbError> {
    let current: Vec<(String, String)> = oi::table
        .filter(oi::order_id.eq(order_id))
        .select((oi::product_id, oi::id))
        .load(conn)?;
    let mut current: HashMap<String, String> = current.into_iter().collect();
    for (position, item) in items.iter().enumerate() {
        let values = (
            oi::position.eq(position as i32),
            oi::title.eq(item.title),
            oi::category.eq(item.category),
            oi::quantity.eq(item.quantity),
            oi::unit_price.eq(item.unit_price),
        );
        match current.remove(item.product_id) {
            Some(id) => {
                diesel::update(oi::table.find(id))
                    .set(values)
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(oi::table)
                    .values((
                        oi::id.eq(item.id.map_or_else(new_id, str::to_string)),
                        oi::order_id.eq(order_id),
                        oi::product_id.eq(item.product_id),
                        values,
                    ))
                    .execute(conn)?;
            }
        }
    }
    for (_, id) in current {
        diesel::delete(oi::table.find(id))
            .execute(conn)
            .map_err(|e| match DbError::from(e) {
                // Items cited by reviews, complaints or returns must stay.
                DbError::ForeignKeyViolation(_) => Refused::OrderItemInUse.into(),
                other => other,
            })?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<OrderRecord>, DbError> {
    let row: Option<(OrderRow, String, Option<String>)> = crate::on_backend!(conn, |c| o::table
        .inner_join(users::table)
        .filter(o::id.eq(id))
        .select((OrderRow::as_select(), users::full_name, users::phone))
        .first(c)
        .optional())?;
    let Some((order, buyer_name, buyer_phone)) = row else {
        return Ok(None);
    };
    // One query for the items, whether each has a review (at most one: unique per item) and
    // the lines of returns citing it with their status and dispute (a row per line).
    type ItemJoin = (
        ItemRow,
        Option<String>,
        Option<i32>,
        Option<crate::domain::returns::Status>,
        Option<crate::domain::complaints::Status>,
    );
    let rows: Vec<ItemJoin> = crate::on_backend!(conn, |c| oi::table
        .left_join(reviews::table.on(reviews::order_item_id.eq(oi::id)))
        .left_join(ri::table.on(ri::order_item_id.eq(oi::id)))
        .left_join(rt::table.on(rt::id.eq(ri::return_id)))
        .left_join(cp::table.on(cp::id.nullable().eq(rt::complaint_id)))
        .filter(oi::order_id.eq(id))
        .order((oi::position.asc(), ri::return_id.asc()))
        .select((
            ItemRow::as_select(),
            reviews::id.nullable(),
            ri::quantity.nullable(),
            rt::status.nullable(),
            cp::status.nullable(),
        ))
        .load(c))?;
    let mut items: Vec<ItemRow> = Vec::new();
    let mut reviewed_items = Vec::new();
    let mut returned = Vec::new();
    for (item, review, quantity, status, dispute) in rows {
        if let (Some(q), Some(s)) = (quantity, status) {
            returned.push((item.id.clone(), q, s, dispute));
        }
        if items.last().map(|i: &ItemRow| &i.id) != Some(&item.id) {
            if review.is_some() {
                reviewed_items.push(item.id.clone());
            }
            items.push(item);
        }
    }
    let units_left = crate::domain::returns::units_left(
        items.iter().map(|i| (i.id.as_str(), i.quantity)),
        returned
            .iter()
            .map(|(item, q, s, d)| (item.as_str(), *q, *s, *d)),
    );
    Ok(Some(OrderRecord {
        order,
        items,
        reviewed_items,
        units_left,
        buyer_name,
        buyer_phone,
    }))
}

pub use crate::domain::caller::Scope as OrderScope;

/// Newest first by (placed_at, id), after `cursor`.
pub fn list(
    conn: &mut DbConnection,
    scope: OrderScope,
    cursor: Option<&TimeCursor>,
    limit: u32,
) -> Result<Vec<OrderRecord>, DbError> {
    let rows: Vec<(OrderRow, String, Option<String>)> = crate::on_backend!(conn, |c| {
        let mut query = o::table
            .inner_join(users::table)
            .select((OrderRow::as_select(), users::full_name, users::phone))
            .order((o::placed_at.desc(), o::id.desc()))
            .limit(i64::from(limit))
            .into_boxed();
        query = match &scope {
            OrderScope::Buyer(id) => query.filter(o::buyer_id.eq(id.to_string())),
            OrderScope::Shop(id) => query.filter(o::shop_id.eq(id.to_string())),
            OrderScope::All => query,
        };
        if let Some(cursor) = cursor {
            let at = to_db(cursor.at);
            query = query.filter(
                o::placed_at
                    .lt(at)
                    .or(o::placed_at.eq(at).and(o::id.lt(cursor.id.clone()))),
            );
        }
        query.load(c)
    })?;
    let ids: Vec<&str> = rows.iter().map(|(r, _, _)| r.id.as_str()).collect();
    let mut items: HashMap<String, Vec<ItemRow>> = HashMap::new();
    if !ids.is_empty() {
        let all: Vec<ItemRow> = crate::on_backend!(conn, |c| oi::table
            .filter(oi::order_id.eq_any(&ids))
            .order((oi::order_id.asc(), oi::position.asc()))
            .select(ItemRow::as_select())
            .load(c))?;
        for item in all {
            items.entry(item.order_id.clone()).or_default().push(item);
        }
    }
    Ok(rows
        .into_iter()
        .map(|(order, buyer_name, buyer_phone)| OrderRecord {
            items: items.remove(&order.id).unwrap_or_default(),
            reviewed_items: Vec::new(),
            units_left: HashMap::new(),
            order,
            buyer_name,
            buyer_phone,
        })
        .collect())
}

/// One breach per (order, deadline, due instant) of a failed delivery or a conversation.
/// Returns whether it is new.
pub fn record_breach(
    conn: &mut DbConnection,
    order: &OrderRow,
    sla: &str,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    use super::schema::order_breaches as ob;
    let seen: i64 = ob::table
        .filter(ob::order_id.eq(&order.id))
        .filter(ob::sla.eq(sla))
        .filter(ob::due_at.eq(to_db(due)))
        .count()
        .get_result(conn)?;
    if seen > 0 {
        return Ok(false);
    }
    diesel::insert_into(ob::table)
        .values((
            ob::id.eq(new_id()),
            ob::order_id.eq(&order.id),
            ob::shop_id.eq(&order.shop_id),
            ob::sla.eq(sla),
            ob::due_at.eq(to_db(due)),
            ob::recorded_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(true)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::order_breaches)]
pub struct OrderBreachRow {
    pub id: String,
    pub order_id: String,
    pub shop_id: String,
    pub sla: String,
    pub due_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
}

pub fn breaches(conn: &mut DbConnection, order_id: &str) -> Result<Vec<OrderBreachRow>, DbError> {
    use super::schema::order_breaches as ob;
    Ok(ob::table
        .filter(ob::order_id.eq(order_id))
        .select(OrderBreachRow::as_select())
        .order((ob::recorded_at.asc(), ob::id.asc()))
        .load(conn)?)
}

/// The order, if `caller` is a party to it: its buyer, a seller of its shop, a moderator, and
/// an integration when `service_too`. Anyone else gets "not found" (existence is not revealed).
pub fn for_party(
    conn: &mut DbConnection,
    id: &str,
    caller: &crate::domain::caller::Caller,
    service_too: bool,
) -> Result<OrderRow, DbError> {
    let order: OrderRow = o::table
        .find(id)
        .select(OrderRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DbError::NotFound)?;
    let parties = crate::domain::caller::Parties {
        buyer_id: &order.buyer_id,
        shop_id: Some(&order.shop_id),
        service: service_too,
    };
    if caller.is_party(parties) {
        Ok(order)
    } else {
        Err(DbError::NotFound)
    }
}
