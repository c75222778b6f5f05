//! Returns: requesting, every state change with its timeline event and notifications in one
//! transaction, the dispute that opens a linked complaint, evidence, breaches and the sweep.
use super::complaints::{self as complaints_db, Filing};
use super::events::{self, Event, Subject};
use super::orders::{ItemRow, OrderRow};
use super::schema::{
    attachments as a, order_items as oi, orders as o, return_attachments as ra,
    return_breaches as rb, return_events as re, return_items as ri, returns as rt, users,
};
use super::{from_db, new_id, to_db, write_tx, DbConnection, DbError};
use crate::calendar::local_date;
use crate::domain::complaints::{Category, Target};
use crate::domain::events::Audience;
use crate::domain::orders::{DeliveryType, OrderStatus};
use crate::domain::pagination::TimeCursor;
use crate::domain::refused::Refused;
use crate::domain::returns::{
    self as rules, apply, check_lines, may_request, open_return, Action, Actor, Command, Line,
    OrderFacts, Reason, Refusal, RequestRefusal, Return, Sla, Status,
};
use crate::policy::{ComplaintPolicy, ReturnPolicy};
use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

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
    pub reason: String,
    pub description: Option<String>,
    pub status: String,
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

fn utc(t: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(from_db)
}

impl ReturnRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Requested)
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
    pub sla: String,
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
    pub data: serde_json::Value,
    pub attachment_ids: Vec<String>,
}

/// A rejection as stored and shown.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StoredRejection {
    pub reason_code: String,
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
    let delivered = order.status == OrderStatus::Delivered.as_str();
    OrderFacts {
        is_buyer: order.buyer_id == viewer_id,
        delivery_type: DeliveryType::parse(&order.delivery_type).unwrap_or(DeliveryType::City),
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
    let held: Vec<(String, i32, String, Option<String>)> = ri::table
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
        held.iter().map(|(item, q, status, dispute)| {
            (
                item.as_str(),
                *q,
                parse_status(status),
                parse_dispute(dispute),
            )
        }),
    ))
}

fn parse_status(s: &str) -> Status {
    Status::parse(s).unwrap_or(Status::Requested)
}

pub(crate) fn parse_dispute(s: &Option<String>) -> Option<crate::domain::complaints::Status> {
    s.as_deref()
        .and_then(crate::domain::complaints::Status::parse)
}

fn order_items(conn: &mut DbConnection, order_id: &str) -> Result<Vec<ItemRow>, DbError> {
    Ok(oi::table
        .filter(oi::order_id.eq(order_id))
        .order(oi::position.asc())
        .select(ItemRow::as_select())
        .load(conn)?)
}

/// Requests a return: the return, its lines, evidence, first event, number and the sellers'
/// notification, in one transaction.
pub fn request(
    conn: &mut DbConnection,
    caller: &Caller,
    req: &Request,
    policy: &ReturnPolicy,
    now: DateTime<Utc>,
) -> Result<ReturnRow, DbError> {
    // The first two requests of a year may race on the counter row (see complaints::file).
    let mut attempt = 0;
    loop {
        match request_once(conn, caller, req, policy, now) {
            Err(e) if attempt < 2 && super::is_unique_violation(&e) => attempt += 1,
            other => return other,
        }
    }
}

fn request_once(
    conn: &mut DbConnection,
    caller: &Caller,
    req: &Request,
    policy: &ReturnPolicy,
    now: DateTime<Utc>,
) -> Result<ReturnRow, DbError> {
    write_tx(conn, |conn| {
        let order = lock_order(conn, &req.order_id)?;
        if order.buyer_id != caller.id {
            return Err(DbError::NotFound);
        }
        let items = order_items(conn, &order.id)?;
        let facts = order_facts(&order, &caller.id);
        let by_id: HashMap<&str, &ItemRow> = items.iter().map(|i| (i.id.as_str(), i)).collect();
        let mut window_until = None;
        for line in &req.lines {
            let category = by_id
                .get(line.order_item_id.as_str())
                .and_then(|i| i.category.as_deref());
            let until = may_request(&facts, req.reason, category, now, policy)
                .map_err(request_refusal_error)?;
            window_until = Some(until);
        }
        let window_until = window_until.ok_or(DbError::NotFound)?;
        let left = available(conn, &order.id, &items)?;
        let problems = check_lines(&req.lines, &left);
        if !problems.is_empty() {
            return Err(Refused::Invalid(
                problems
                    .into_iter()
                    .map(|(f, c)| (f.to_string(), c.to_string()))
                    .collect(),
            )
            .into());
        }
        let types = super::attachments::owned_types(conn, &caller.id, &req.attachment_ids)?;
        let types: Vec<&str> = types.iter().map(String::as_str).collect();
        let evidence = req.reason.evidence();
        if !evidence.met_by(&types) {
            return Err(Refused::field("attachment_ids", evidence.missing_code()).into());
        }
        let refundable = req
            .lines
            .iter()
            .map(|l| i64::from(l.quantity) * by_id[l.order_item_id.as_str()].unit_price)
            .sum();
        let state = open_return(now, refundable, policy);
        let id = new_id();
        diesel::insert_into(rt::table)
            .values((
                rt::id.eq(&id),
                // Unique until the real number is taken, last (see complaints::next_number).
                rt::number.eq(&id),
                rt::order_id.eq(&order.id),
                rt::buyer_id.eq(&caller.id),
                rt::shop_id.eq(&order.shop_id),
                rt::reason.eq(req.reason.as_str()),
                rt::description.eq(req.description.as_deref()),
                rt::status.eq(state.status.as_str()),
                rt::requested_at.eq(to_db(now)),
                rt::window_until.eq(to_db(window_until)),
                rt::seller_decide_by.eq(to_db(state.seller_decide_by)),
                rt::refundable_amount.eq(refundable),
                rt::due_at.eq(state.due_at().map(to_db)),
                rt::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        for line in &req.lines {
            diesel::insert_into(ri::table)
                .values((
                    ri::return_id.eq(&id),
                    ri::order_item_id.eq(&line.order_item_id),
                    ri::quantity.eq(line.quantity),
                    ri::unit_price.eq(by_id[line.order_item_id.as_str()].unit_price),
                ))
                .execute(conn)?;
        }
        cite(conn, &id, &req.attachment_ids, now)?;
        let data = serde_json::json!({
            "reason": req.reason, "description": req.description,
            "items": req.lines.iter().map(|l| serde_json::json!({
                "order_item_id": l.order_item_id, "quantity": l.quantity,
            })).collect::<Vec<_>>(),
            "attachment_ids": req.attachment_ids, "status": state.status,
            "window_until": window_until, "seller_decide_by": state.seller_decide_by,
        });
        // Every request of the year waits for the counter row from here to commit.
        let number = super::numbering::next_number(conn, "R", local_date(now).year())?;
        diesel::update(rt::table.find(&id))
            .set(rt::number.eq(&number))
            .execute(conn)?;
        let row = find(conn, &id)?.ok_or(DbError::NotFound)?;
        record_event(conn, &row, "requested", Some(caller), &data, now)?;
        Ok(row)
    })
}

/// The order row, locked on PostgreSQL so two requests cannot both take the last units.
fn lock_order(conn: &mut DbConnection, id: &str) -> Result<OrderRow, DbError> {
    crate::first_for_update!(conn, o::table.find(id).select(OrderRow::as_select()))?
        .ok_or(DbError::NotFound)
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
    kind: &str,
    actor: Option<&Caller>,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let event = Event {
        kind,
        actor,
        audience: Audience::Public,
        data,
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
        let actor = Actor {
            role: caller.role,
            id: &caller.id,
        };
        let next =
            apply(&before, actor, &step.command, now, policies.returns).map_err(refusal_error)?;
        let mut data = step.data;
        super::attachments::check_owned(conn, &caller.id, &step.attachment_ids)?;
        cite(conn, &row.id, &step.attachment_ids, now)?;
        match &step.command {
            Command::Reject(reason) => {
                let stored = StoredRejection {
                    reason_code: reason.as_str().into(),
                    explanation: data["explanation"].as_str().unwrap_or_default().into(),
                };
                diesel::update(rt::table.find(&row.id))
                    .set(rt::rejection.eq(serde_json::to_string(&stored).ok()))
                    .execute(conn)?;
            }
            Command::Dispute => {
                let complaint = open_dispute(
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
                data["complaint_id"] = complaint.id.clone().into();
                data["complaint_number"] = complaint.number.clone().into();
            }
            _ => {}
        }
        let stored = store(conn, &row.id, &next, now)?;
        if let Some(map) = data.as_object_mut() {
            map.insert("from_status".into(), before.status.as_str().into());
            map.insert("status".into(), next.status.as_str().into());
        }
        let action = step.command.action();
        record_event(conn, &stored, action.event_kind(), Some(caller), &data, now)?;
        if action == Action::Refund {
            // A refund after its deadline is recorded as a breach at once.
            for (sla, due) in next.breaches(now) {
                record_breach(conn, &stored, sla, due, now)?;
            }
        }
        Ok(stored)
    })
}

/// The buyer disputes the rejection: a seller complaint (`return_refused`) linked to the
/// return, filed in the return's transaction.
fn open_dispute(
    conn: &mut DbConnection,
    row: &ReturnRow,
    caller: &Caller,
    data: &serde_json::Value,
    attachment_ids: &[String],
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<complaints_db::ComplaintRow, DbError> {
    let order: OrderRow = o::table
        .find(&row.order_id)
        .select(OrderRow::as_select())
        .first(conn)?;
    let account = super::users::find(conn, &caller.id)?.ok_or(DbError::NotFound)?;
    let filing = Filing {
        order_id: row.order_id.clone(),
        target: Target::Seller,
        category: Category::ReturnRefused,
        description: data["explanation"].as_str().unwrap_or_default().to_string(),
        details: serde_json::json!({
            "desired_resolution": "refund",
            "contact": {"phone": account.phone, "email": account.email},
            "return_id": row.id,
            "return_number": row.number,
        }),
        attachment_ids: attachment_ids.to_vec(),
    };
    complaints_db::open_linked(conn, caller, &order, &filing, policy, now)
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
    let data = serde_json::json!({
        "complaint_id": complaint_id, "from_status": before.status, "status": next.status,
    });
    record_event(conn, &stored, "overturned", Some(moderator), &data, now)
}

/// The return's events in order, with their actors' names.
pub fn timeline(conn: &mut DbConnection, id: &str) -> Result<Vec<EventRecord>, DbError> {
    let rows: Vec<(EventRow, Option<String>)> = re::table
        .left_join(users::table.on(users::id.nullable().eq(re::actor_id)))
        .filter(re::return_id.eq(id))
        .select((EventRow::as_select(), users::full_name.nullable()))
        .order(re::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(event, actor_name)| EventRecord { event, actor_name })
        .collect())
}

/// The returned lines of some returns, by return id.
pub fn lines(
    conn: &mut DbConnection,
    ids: &[&str],
) -> Result<HashMap<String, Vec<ItemLine>>, DbError> {
    let rows: Vec<(String, String, i32, i64, String, String)> = ri::table
        .inner_join(oi::table)
        .filter(ri::return_id.eq_any(ids))
        .order((ri::return_id.asc(), oi::position.asc()))
        .select((
            ri::return_id,
            ri::order_item_id,
            ri::quantity,
            ri::unit_price,
            oi::product_id,
            oi::title,
        ))
        .load(conn)?;
    let mut out: HashMap<String, Vec<ItemLine>> = HashMap::new();
    for (rid, item, quantity, unit_price, product_id, title) in rows {
        out.entry(rid).or_default().push(ItemLine {
            order_item_id: item,
            product_id,
            title,
            quantity,
            unit_price,
        });
    }
    Ok(out)
}

pub fn evidence(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Vec<super::attachments::AttachmentRow>, DbError> {
    Ok(ra::table
        .inner_join(a::table)
        .filter(ra::return_id.eq(id))
        .select(super::attachments::AttachmentRow::as_select())
        .order(ra::added_at.asc())
        .load(conn)?)
}

pub fn breaches(conn: &mut DbConnection, id: &str) -> Result<Vec<BreachRow>, DbError> {
    Ok(rb::table
        .filter(rb::return_id.eq(id))
        .select(BreachRow::as_select())
        .order((rb::recorded_at.asc(), rb::id.asc()))
        .load(conn)?)
}

/// Whose returns a list shows.
pub enum Scope<'a> {
    Buyer(&'a str),
    Shop(&'a str),
    All,
}

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub reason: Option<Reason>,
    pub order_id: Option<String>,
    /// Only returns whose running deadline has passed (as of this instant).
    pub overdue_at: Option<DateTime<Utc>>,
}

/// Newest first, keyset-paged by (requested_at, id).
pub fn list(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &ListFilter,
    after: Option<&TimeCursor>,
    limit: u32,
) -> Result<Vec<ReturnRow>, DbError> {
    let mut q = rt::table
        .select(ReturnRow::as_select())
        .order((rt::requested_at.desc(), rt::id.desc()))
        .limit(i64::from(limit))
        .into_boxed();
    q = match scope {
        Scope::Buyer(id) => q.filter(rt::buyer_id.eq(id.to_string())),
        Scope::Shop(shop) => q.filter(rt::shop_id.eq(shop.to_string())),
        Scope::All => q,
    };
    if let Some(s) = filter.status {
        q = q.filter(rt::status.eq(s.as_str()));
    }
    if let Some(r) = filter.reason {
        q = q.filter(rt::reason.eq(r.as_str()));
    }
    if let Some(o) = &filter.order_id {
        q = q.filter(rt::order_id.eq(o.clone()));
    }
    if let Some(now) = filter.overdue_at {
        q = q.filter(rt::due_at.lt(to_db(now)));
    }
    if let Some(cur) = after {
        let at = to_db(cur.at);
        q = q.filter(
            rt::requested_at
                .lt(at)
                .or(rt::requested_at.eq(at).and(rt::id.lt(cur.id.clone()))),
        );
    }
    Ok(q.load(conn)?)
}

/// Whether a return citing the attachment has the viewer as its buyer or shop seller.
pub fn attachment_visible_to(
    conn: &mut DbConnection,
    attachment_id: &str,
    viewer_id: &str,
    viewer_shop: Option<&str>,
) -> Result<bool, DbError> {
    let parties: Vec<(String, String)> = ra::table
        .inner_join(rt::table)
        .filter(ra::attachment_id.eq(attachment_id))
        .select((rt::buyer_id, rt::shop_id))
        .load(conn)?;
    Ok(parties
        .iter()
        .any(|(buyer, shop)| buyer == viewer_id || viewer_shop == Some(shop.as_str())))
}

/// Escalated returns still waiting for a decision, by their (passed) decision deadline.
#[allow(clippy::type_complexity)]
pub fn escalated(
    conn: &mut DbConnection,
    after: Option<&(NaiveDateTime, String)>,
    n: i64,
) -> Result<Vec<(String, String, NaiveDateTime, NaiveDateTime, String)>, DbError> {
    let mut q = rt::table
        .filter(rt::status.eq(Status::Requested.as_str()))
        .filter(rt::escalated_at.is_not_null())
        .select((
            rt::id,
            rt::number,
            rt::seller_decide_by,
            rt::requested_at,
            rt::reason,
            rt::refundable_amount,
        ))
        .order((rt::seller_decide_by.asc(), rt::id.asc()))
        .limit(n)
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            rt::seller_decide_by
                .gt(*at)
                .or(rt::seller_decide_by.eq(*at).and(rt::id.gt(id.clone()))),
        );
    }
    let rows: Vec<(String, String, NaiveDateTime, NaiveDateTime, String, i64)> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, number, due, requested, reason, amount)| {
            let detail = serde_json::json!({
                "number": number, "status": Status::Requested, "reason": reason,
                "refundable": {"amount": amount, "currency": "KZT"}, "escalated": true,
            });
            (id, number, due, requested, detail.to_string())
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ReturnSweep {
    /// Deadlines found missed for the first time (a breach row and a timeline event each).
    pub breaches: usize,
    /// Returns handed to the moderators because the seller did not decide in time.
    pub escalated: usize,
}

/// Records missed deadlines and escalates the sellers' silence, as of `now`; each return in its
/// own transaction; repeating a pass changes nothing.
pub fn sweep(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<ReturnSweep, DbError> {
    let ids: Vec<String> = rt::table
        .filter(rt::due_at.lt(to_db(now)))
        .select(rt::id)
        .load(conn)?;
    let mut report = ReturnSweep::default();
    for id in ids {
        write_tx(conn, |conn| {
            let row = lock(conn, &id)?;
            let state = row.state();
            for (sla, due) in state.breaches(now) {
                if record_breach(conn, &row, sla, due, now)? {
                    report.breaches += 1;
                }
            }
            if let Some(next) = rules::escalate_for_silence(&state, now) {
                report.escalated += 1;
                let stored = store(conn, &row.id, &next, now)?;
                let data = serde_json::json!({"reason": "seller_silence", "status": next.status});
                record_event(conn, &stored, "escalated", None, &data, now)?;
            }
            Ok(())
        })?;
    }
    Ok(report)
}

/// One breach per (return, deadline, due instant).
fn record_breach(
    conn: &mut DbConnection,
    row: &ReturnRow,
    sla: Sla,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let seen: i64 = rb::table
        .filter(rb::return_id.eq(&row.id))
        .filter(rb::sla.eq(sla.as_str()))
        .filter(rb::due_at.eq(to_db(due)))
        .count()
        .get_result(conn)?;
    if seen > 0 {
        return Ok(false);
    }
    diesel::insert_into(rb::table)
        .values((
            rb::id.eq(new_id()),
            rb::return_id.eq(&row.id),
            rb::sla.eq(sla.as_str()),
            rb::due_at.eq(to_db(due)),
            rb::recorded_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    let data = serde_json::json!({"sla": sla, "due_at": due, "status": row.status});
    record_event(conn, row, "sla_breached", None, &data, now)?;
    Ok(true)
}
