//! Failed deliveries: opened when the order sync reports `returned_to_seller` or the second
//! failed attempt; the buyer's
//! choice (refund or redelivery) and the refund, each with its notifications, and the sweep that
//! records a refund not made within the hour.
use super::notifications::{notify, Notice};
use super::orders::OrderRow;
use super::schema::{delivery_failures as df, orders as o};
use super::{from_db, to_db, write_tx, DbConnection, DbError};
use crate::domain::caller::Caller;
use crate::domain::delivery_failures::{self as rules, Choice, Failure, Refusal, Status};
use crate::domain::orders::OrderStatus;
use crate::domain::refused::Refused;
use crate::domain::webhooks::EventType;
use crate::policy::ReturnPolicy;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = df)]
pub struct FailureRow {
    pub order_id: String,
    pub status: crate::domain::delivery_failures::Status,
    pub opened_at: NaiveDateTime,
    pub chosen_at: Option<NaiveDateTime>,
    pub chosen_by: Option<String>,
    pub refund_due_by: Option<NaiveDateTime>,
    pub refunded_at: Option<NaiveDateTime>,
    pub refund_amount: Option<i64>,
    pub due_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl FailureRow {
    pub fn state(&self) -> Failure {
        Failure {
            status: self.status,
            opened_at: from_db(self.opened_at),
            chosen_at: self.chosen_at.map(from_db),
            refund_due_by: self.refund_due_by.map(from_db),
            refunded_at: self.refunded_at.map(from_db),
            refund_amount: self.refund_amount,
        }
    }
}

/// Called by the order upsert, in its transaction, whenever the delivery has failed: opens
/// the follow-up once, tells the buyer and offers the event to the shop's webhooks.
pub fn open_for(
    conn: &mut DbConnection,
    order_id: &str,
    status: OrderStatus,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let f = rules::open(now);
    // Conditional: of two syncs reporting the failure, one opens it.
    let opened = crate::on_backend!(conn, |c| diesel::insert_into(df::table)
        .values((
            df::order_id.eq(order_id),
            df::status.eq(f.status.as_str()),
            df::opened_at.eq(to_db(now)),
            df::updated_at.eq(to_db(now)),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    if opened == 0 {
        return Ok(());
    }
    let (shop_id, external_id, buyer_id): (String, String, String) = o::table
        .find(order_id)
        .select((o::shop_id, o::external_id, o::buyer_id))
        .first(conn)?;
    let event = match status {
        OrderStatus::ReturnedToSeller => "returned_to_seller",
        _ => "failed_attempts",
    };
    let data = serde_json::json!({
        "order_id": order_id, "external_id": external_id, "status": f.status, "event": event,
    });
    let buyer = Some(buyer_id.as_str());
    super::webhooks::outbox::enqueue(
        conn,
        &shop_id,
        buyer,
        EventType::OrderDeliveryFailed,
        data,
        now,
    )?;
    let notice = Notice {
        kind: "order_returned_to_seller",
        subject_type: "order",
        subject_id: order_id,
        data: serde_json::json!({ "order_id": order_id, "external_id": external_id }),
    };
    notify(conn, &[buyer_id.as_str()], &notice, now)
}

/// On every order view: dispatched statically (see `on_backend!`).
pub fn find(conn: &mut DbConnection, order_id: &str) -> Result<Option<FailureRow>, DbError> {
    Ok(crate::on_backend!(conn, |c| df::table
        .find(order_id)
        .select(FailureRow::as_select())
        .first(c)
        .optional())?)
}

/// The order (a party's) and its failure, locked for the transaction on PostgreSQL.
fn load(
    conn: &mut DbConnection,
    order_id: &str,
    caller: &Caller,
) -> Result<(OrderRow, FailureRow), DbError> {
    let order = super::orders::for_party(conn, order_id, caller, true)?;
    let row = crate::first_for_update!(
        conn,
        df::table.find(order_id).select(FailureRow::as_select())
    )?;
    // An order that did not come back has no choice to make.
    let row = row.ok_or(Refused::NothingToChoose)?;
    Ok((order, row))
}

fn refusal_error(refusal: Refusal, allowed: Vec<String>) -> DbError {
    Refused::DeliveryFailure { refusal, allowed }.into()
}

fn store(
    conn: &mut DbConnection,
    f: &Failure,
    order_id: &str,
    by: Option<&str>,
    now: DateTime<Utc>,
) -> Result<FailureRow, DbError> {
    let db = |t: Option<DateTime<Utc>>| t.map(to_db);
    diesel::update(df::table.find(order_id))
        .set((
            df::status.eq(f.status.as_str()),
            df::chosen_at.eq(db(f.chosen_at)),
            df::refund_due_by.eq(db(f.refund_due_by)),
            df::refunded_at.eq(db(f.refunded_at)),
            df::refund_amount.eq(f.refund_amount),
            df::due_at.eq(db(f.due_at())),
            df::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    if let Some(by) = by {
        diesel::update(df::table.find(order_id))
            .set(df::chosen_by.eq(by))
            .execute(conn)?;
    }
    find(conn, order_id)?.ok_or(DbError::NotFound)
}

fn tell(
    conn: &mut DbConnection,
    to: &[String],
    kind: &str,
    order: &OrderRow,
    f: &FailureRow,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let recipients: Vec<&str> = to.iter().map(String::as_str).collect();
    notify(
        conn,
        &recipients,
        &Notice {
            kind,
            subject_type: "order",
            subject_id: &order.id,
            data: serde_json::json!({
                "order_id": order.id, "external_id": order.external_id, "status": f.status,
                "refund_due_by": f.refund_due_by.map(from_db),
            }),
        },
        now,
    )
}

/// The buyer chooses a refund or a redelivery; the shop's sellers are told.
pub fn choose(
    conn: &mut DbConnection,
    order_id: &str,
    caller: &Caller,
    choice: Choice,
    policy: &ReturnPolicy,
    now: DateTime<Utc>,
) -> Result<FailureRow, DbError> {
    write_tx(conn, |conn| {
        let (order, row) = load(conn, order_id, caller)?;
        let next = rules::choose(&row.state(), choice, now, policy)
            .map_err(|r| refusal_error(r, vec![]))?;
        let stored = store(conn, &next, order_id, Some(&caller.id), now)?;
        let sellers = super::users::shop_sellers(conn, &order.shop_id)?;
        let kind = format!("delivery_failure_{}", choice.as_str());
        tell(conn, &sellers, &kind, &order, &stored, now)?;
        let data = serde_json::json!({
            "order_id": order.id, "external_id": order.external_id, "status": stored.status,
            "event": kind, "refund_due_by": stored.refund_due_by.map(from_db),
        });
        super::webhooks::outbox::enqueue(
            conn,
            &order.shop_id,
            Some(&order.buyer_id),
            EventType::OrderDeliveryFailed,
            data,
            now,
        )?;
        Ok(stored)
    })
}

/// The seller or the payment integration records the refund; the buyer is told. A refund
/// after its deadline is recorded as a breach at once.
pub fn refund(
    conn: &mut DbConnection,
    order_id: &str,
    caller: &Caller,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<FailureRow, DbError> {
    write_tx(conn, |conn| {
        let (order, row) = load(conn, order_id, caller)?;
        let next = rules::refund(&row.state(), amount, order.total_amount, now)
            .map_err(|r| refusal_error(r, vec![]))?;
        let stored = store(conn, &next, order_id, None, now)?;
        if let Some(due) = next.breach(now) {
            super::orders::record_breach(conn, &order, "failed_delivery_refund", due, now)?;
        }
        tell(
            conn,
            std::slice::from_ref(&order.buyer_id),
            "delivery_failure_refunded",
            &order,
            &stored,
            now,
        )?;
        Ok(stored)
    })
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct FailureSweep {
    /// Refunds not made within the hour of the buyer's choice, recorded once each.
    pub breaches: usize,
}

pub fn sweep(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<FailureSweep, DbError> {
    let rows: Vec<FailureRow> = df::table
        .filter(df::status.eq(Status::RefundPending.as_str()))
        .filter(df::due_at.lt(to_db(now)))
        .select(FailureRow::as_select())
        .load(conn)?;
    let mut report = FailureSweep::default();
    for row in rows {
        let Some(due) = row.state().breach(now) else {
            continue;
        };
        write_tx(conn, |conn| {
            let order: OrderRow = o::table
                .find(&row.order_id)
                .select(OrderRow::as_select())
                .first(conn)?;
            if super::orders::record_breach(conn, &order, "failed_delivery_refund", due, now)? {
                report.breaches += 1;
                let mut to = super::users::shop_sellers(conn, &order.shop_id)?;
                to.push(order.buyer_id.clone());
                tell(
                    conn,
                    &to,
                    "delivery_failure_sla_breached",
                    &order,
                    &row,
                    now,
                )?;
            }
            Ok(())
        })?;
    }
    Ok(report)
}
