//! Returns: requesting, every state change with its timeline event and notifications in one
//! transaction, the dispute that opens a linked complaint, evidence, breaches and the sweep.
use super::events::{self, Event, Payload, Subject};
use super::orders::{ItemRow, OrderRow};
use super::schema::{
    attachments as a, order_items as oi, orders as o, return_attachments as ra,
    return_breaches as rb, return_events as re, return_items as ri, returns as rt, users,
};
use super::{from_db, from_db_opt as utc, new_id, to_db, write_tx, DbConnection, DbError};
use crate::calendar::local_date;
use crate::domain::events::Audience;
use crate::domain::orders::OrderStatus;
use crate::domain::pagination::TimeCursor;
use crate::domain::refused::Refused;
use crate::domain::returns::{
    self as rules, apply, check_lines, may_request, open_return, Action, Actor, Command, Line,
    OrderFacts, Reason, Refusal, RequestRefusal, Return, ReturnStep, ReturnStepData, Sla, Status,
};
use crate::domain::steps::Change;
use crate::policy::{ComplaintPolicy, ReturnPolicy};
use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

mod reading;
mod requesting;
mod sweep;
pub use reading::*;
pub use requesting::*;
pub use sweep::*;

pub use crate::domain::caller::Caller;
use crate::domain::caller::Parties;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rt)]
pub struct ReturnRow {
    pub id: String,
    pub number: String,
    pub order_id: String,
    pub buyer_id: String,
    pub shop_id: String,
    pub reason: crate::domain::returns::Reason,
    pub description: Option<String>,
    pub status: crate::domain::returns::Status,
    pub requested_at: NaiveDateTime,
    pub window_until: NaiveDateTime,
    pub seller_decide_by: NaiveDateTime,
    pub escalated_at: Option<NaiveDateTime>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<String>,
    pub rejection: Option<String>,
    pub dispute_until: Option<NaiveDateTime>,
    pub disputed_at: Option<NaiveDateTime>,
    pub complaint_id: Option<String>,
    pub pickup_at: Option<NaiveDateTime>,
    pub picked_up_at: Option<NaiveDateTime>,
    pub refund_due_by: Option<NaiveDateTime>,
    pub refunded_at: Option<NaiveDateTime>,
    pub refund_amount: Option<i64>,
    pub refundable_amount: i64,
    pub cancelled_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl ReturnRow {
    pub fn status(&self) -> Status {
        self.status
    }

    /// The state the rules work on.
    pub fn state(&self) -> Return {
        Return {
            status: self.status(),
            requested_at: from_db(self.requested_at),
            seller_decide_by: from_db(self.seller_decide_by),
            escalated_at: utc(self.escalated_at),
            decided_at: utc(self.decided_at),
            decided_by: self.decided_by.clone(),
            dispute_until: utc(self.dispute_until),
            disputed_at: utc(self.disputed_at),
            pickup_at: utc(self.pickup_at),
            picked_up_at: utc(self.picked_up_at),
            refund_due_by: utc(self.refund_due_by),
            refunded_at: utc(self.refunded_at),
            refund_amount: self.refund_amount,
            refundable: self.refundable_amount,
            cancelled_at: utc(self.cancelled_at),
        }
    }

    /// The buyer, the shop's sellers, moderators; the integration acts on any return.
    pub fn parties(&self) -> Parties<'_> {
        Parties {
            buyer_id: &self.buyer_id,
            shop_id: Some(&self.shop_id),
            service: true,
        }
    }
}

/// A returned line with the item's title, for views.
#[derive(Debug, Clone)]
pub struct ItemLine {
    pub order_item_id: String,
    pub product_id: String,
    pub title: String,
    pub quantity: i32,
    pub unit_price: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = re)]
pub struct EventRow {
    pub id: String,
    pub return_id: String,
    pub kind: String,
    pub actor_id: Option<String>,
    pub actor_role: String,
    pub data: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct EventRecord {
    pub event: EventRow,
    pub actor_name: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rb)]
pub struct BreachRow {
    pub id: String,
    pub return_id: String,
    pub sla: crate::domain::returns::Sla,
    pub due_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
}

/// The request form after shape checks.
pub struct Request {
    pub order_id: String,
    pub lines: Vec<Line>,
    pub reason: Reason,
    pub description: Option<String>,
    pub attachment_ids: Vec<String>,
}

/// One state change: the command, what its event says, and (dispute) the linked complaint's text.
pub struct Step {
    pub command: Command,
    /// What the step's timeline entry records (built by the handler from the request).
    pub data: ReturnStepData,
    pub attachment_ids: Vec<String>,
}

/// A rejection as stored and shown.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StoredRejection {
    pub reason_code: crate::domain::returns::RejectionReason,
    pub explanation: String,
}

fn refusal_error(r: Refusal) -> DbError {
    Refused::Return(r).into()
}

pub fn request_refusal_error(r: RequestRefusal) -> DbError {
    Refused::ReturnRequest(r).into()
}

/// What the return rules need from the order. Only a delivered order's items go back.
pub fn order_facts(order: &OrderRow, viewer_id: &str) -> OrderFacts {
    let delivered = order.status == OrderStatus::Delivered;
    OrderFacts {
        is_buyer: order.buyer_id == viewer_id,
        delivery_type: order.delivery_type,
        delivered_at: utc(order.delivered_at).filter(|_| delivered),
    }
}

/// Units of each item of the order not held by another return (`rules::holds_units`).
pub fn available(
    conn: &mut DbConnection,
    order_id: &str,
    items: &[ItemRow],
) -> Result<HashMap<String, i32>, DbError> {
    use super::schema::complaints as c;
    type Held = (
        String,
        i32,
        Status,
        Option<crate::domain::complaints::Status>,
    );
    let held: Vec<Held> = ri::table
        .inner_join(rt::table)
        .left_join(c::table.on(c::id.nullable().eq(rt::complaint_id)))
        .filter(rt::order_id.eq(order_id))
        .select((
            ri::order_item_id,
            ri::quantity,
            rt::status,
            c::status.nullable(),
        ))
        .load(conn)?;
    Ok(rules::units_left(
        items.iter().map(|i| (i.id.as_str(), i.quantity)),
        held.iter()
            .map(|(item, q, status, dispute)| (item.as_str(), *q, *status, *dispute)),
    ))
}

fn lock(conn: &mut DbConnection, id: &str) -> Result<ReturnRow, DbError> {
    crate::first_for_update!(conn, rt::table.find(id).select(ReturnRow::as_select()))?
        .ok_or(DbError::NotFound)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ReturnRow>, DbError> {
    Ok(rt::table
        .find(id)
        .select(ReturnRow::as_select())
        .first(conn)
        .optional()?)
}

fn cite(
    conn: &mut DbConnection,
    return_id: &str,
    ids: &[String],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    for id in ids {
        let cited: i64 = ra::table
            .filter(ra::return_id.eq(return_id))
            .filter(ra::attachment_id.eq(id))
            .count()
            .get_result(conn)?;
        if cited == 0 {
            diesel::insert_into(ra::table)
                .values((
                    ra::return_id.eq(return_id),
                    ra::attachment_id.eq(id),
                    ra::added_at.eq(to_db(now)),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Every step of a return is public: its parties hear of it (see `db::events`).
fn record_event(
    conn: &mut DbConnection,
    row: &ReturnRow,
    actor: Option<&Caller>,
    step: &ReturnStep,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let event = Event {
        actor,
        audience: Audience::Public,
        step: Payload::Return(step),
    };
    events::record(conn, Subject::Return(row), &event, now)
}

/// Writes the rules' view back, with the derived running deadline.
fn store(
    conn: &mut DbConnection,
    id: &str,
    r: &Return,
    now: DateTime<Utc>,
) -> Result<ReturnRow, DbError> {
    let db = |t: Option<DateTime<Utc>>| t.map(to_db);
    diesel::update(rt::table.find(id))
        .set((
            rt::status.eq(r.status.as_str()),
            rt::escalated_at.eq(db(r.escalated_at)),
            rt::decided_at.eq(db(r.decided_at)),
            rt::decided_by.eq(r.decided_by.as_deref()),
            rt::dispute_until.eq(db(r.dispute_until)),
            rt::disputed_at.eq(db(r.disputed_at)),
            rt::pickup_at.eq(db(r.pickup_at)),
            rt::picked_up_at.eq(db(r.picked_up_at)),
            rt::refund_due_by.eq(db(r.refund_due_by)),
            rt::refunded_at.eq(db(r.refunded_at)),
            rt::refund_amount.eq(r.refund_amount),
            rt::cancelled_at.eq(db(r.cancelled_at)),
            rt::due_at.eq(db(r.due_at())),
            rt::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    find(conn, id)?.ok_or(DbError::NotFound)
}

/// Policies a step may need: a dispute files a complaint.
pub struct Policies<'a> {
    pub returns: &'a ReturnPolicy,
    pub complaints: &'a ComplaintPolicy,
}

/// One action on a return by a party, as the rules decide it.
pub fn act(
    conn: &mut DbConnection,
    id: &str,
    caller: &Caller,
    step: Step,
    policies: Policies,
    now: DateTime<Utc>,
) -> Result<ReturnRow, DbError> {
    write_tx(conn, |conn| {
        let row = lock(conn, id)?;
        if !caller.is_party(row.parties()) {
            return Err(DbError::NotFound);
        }
        let before = row.state();
        // Decided on the locked row: an upheld dispute overturns the return under this lock.
        if let Some(complaint_id) = &row.complaint_id {
            use super::schema::complaints as c;
            let dispute: crate::domain::complaints::Status =
                c::table.find(complaint_id).select(c::status).first(conn)?;
            if rules::decided_through_dispute(caller.role, Some(dispute)) {
                return Err(refusal_error(Refusal::UnderDispute));
            }
        }
        let actor = Actor {
            role: caller.role,
            id: &caller.id,
        };
        let next =
            apply(&before, actor, &step.command, now, policies.returns).map_err(refusal_error)?;
        let mut data = step.data;
        super::attachments::check_owned(conn, caller, &step.attachment_ids)?;
        cite(conn, &row.id, &step.attachment_ids, now)?;
        match &step.command {
            Command::Reject(reason) => {
                let stored = StoredRejection {
                    reason_code: *reason,
                    explanation: match &data {
                        ReturnStepData::Rejected { explanation, .. } => explanation.clone(),
                        _ => String::new(),
                    },
                };
                diesel::update(rt::table.find(&row.id))
                    .set(rt::rejection.eq(serde_json::to_string(&stored).ok()))
                    .execute(conn)?;
            }
            Command::Dispute => {
                let complaint = super::disputes::open(
                    conn,
                    &row,
                    caller,
                    &data,
                    &step.attachment_ids,
                    policies.complaints,
                    now,
                )?;
                diesel::update(rt::table.find(&row.id))
                    .set(rt::complaint_id.eq(&complaint.id))
                    .execute(conn)?;
                if let ReturnStepData::Disputed {
                    complaint_id,
                    complaint_number,
                    ..
                } = &mut data
                {
                    *complaint_id = Some(complaint.id.clone());
                    *complaint_number = Some(complaint.number.clone());
                }
            }
            // Recorded with the scan: whether the seller had scheduled the pickup.
            Command::PickUp { .. } => {
                if let ReturnStepData::PickedUp {
                    pickup_scheduled, ..
                } = &mut data
                {
                    *pickup_scheduled = Some(before.status == Status::PickupScheduled);
                }
            }
            _ => {}
        }
        let stored = store(conn, &row.id, &next, now)?;
        let action = step.command.action();
        debug_assert_eq!(data.kind().as_str(), action.event_kind());
        let recorded = ReturnStep::with(data, Change::moved(before.status, next.status));
        record_event(conn, &stored, Some(caller), &recorded, now)?;
        if action == Action::Refund {
            // A refund after its deadline is recorded as a breach at once.
            for (sla, due) in next.breaches(now) {
                record_breach(conn, &stored, sla, due, now)?;
            }
        }
        Ok(stored)
    })
}

/// A moderator upheld the complaint disputing a rejection: the return becomes approved, in the
/// complaint's transaction. Does nothing for complaints no return links to.
pub fn overturn_linked(
    conn: &mut DbConnection,
    complaint_id: &str,
    moderator: &Caller,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let id: Option<String> = rt::table
        .filter(rt::complaint_id.eq(complaint_id))
        .select(rt::id)
        .first(conn)
        .optional()?;
    let Some(id) = id else {
        return Ok(());
    };
    let row = lock(conn, &id)?;
    let before = row.state();
    let Some(next) = rules::overturn(&before, &moderator.id, now) else {
        return Ok(());
    };
    let stored = store(conn, &row.id, &next, now)?;
    let recorded = ReturnStep::with(
        ReturnStepData::Overturned {
            complaint_id: complaint_id.to_string(),
        },
        Change::moved(before.status, next.status),
    );
    record_event(conn, &stored, Some(moderator), &recorded, now)
}

// ---------------------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------------------
