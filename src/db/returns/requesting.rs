//! Requesting a return: windows, units left, evidence and the number.
use super::*;
use crate::db::events::{self, Event, Payload, Subject};
use crate::db::numbering::{self, Numbered};
use crate::domain::events::Audience;

pub(crate) fn order_items(
    conn: &mut DbConnection,
    order_id: &str,
) -> Result<Vec<ItemRow>, DbError> {
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
    request_as(conn, None, caller, req, policy, now)
}

/// [`request`] under a chosen id (the demo's fixed ids); a new one when `None`.
pub fn request_as(
    conn: &mut DbConnection,
    id: Option<&str>,
    caller: &Caller,
    req: &Request,
    policy: &ReturnPolicy,
    now: DateTime<Utc>,
) -> Result<ReturnRow, DbError> {
    // The first two requests of a year may race on the counter row (see complaints::file).
    let mut attempt = 0;
    loop {
        match request_once(conn, id, caller, req, policy, now) {
            Err(e) if attempt < 2 && crate::db::is_unique_violation(&e) => attempt += 1,
            other => return other,
        }
    }
}

pub(crate) fn request_once(
    conn: &mut DbConnection,
    id: Option<&str>,
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
        let types = crate::db::attachments::owned_types(conn, caller, &req.attachment_ids)?;
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
        let id = id.map_or_else(new_id, str::to_string);
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
        let recorded = ReturnStep::new(ReturnStepData::Requested {
            reason: req.reason,
            description: req.description.clone(),
            items: req.lines.clone(),
            attachment_ids: req.attachment_ids.clone(),
            status: state.status,
            window_until,
            seller_decide_by: state.seller_decide_by,
        });
        // The first step is recorded while the number is still the id; the number comes
        // last, since every request of the year waits for the counter row from there to
        // commit.
        let mut row = find(conn, &id)?.ok_or(DbError::NotFound)?;
        let event = Event {
            actor: Some(caller),
            audience: Audience::Public,
            step: Payload::Return(&recorded),
        };
        let written = events::record_written(conn, Subject::Return(&row), &event, now)?;
        let case = Numbered {
            table: "returns",
            id: &id,
            written: &written,
        };
        row.number = numbering::assign(conn, "R", local_date(now).year(), case)?;
        Ok(row)
    })
}

/// The order row, locked on PostgreSQL so two requests cannot both take the last units.
pub(crate) fn lock_order(conn: &mut DbConnection, id: &str) -> Result<OrderRow, DbError> {
    crate::first_for_update!(conn, o::table.find(id).select(OrderRow::as_select()))?
        .ok_or(DbError::NotFound)
}
