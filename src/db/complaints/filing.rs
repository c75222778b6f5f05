//! Filing a complaint: the checks on the order, the case, its evidence and its number.
use super::*;
use crate::db::numbering::{self, Numbered};

/// Files a complaint: the case, its first event, its evidence and the sellers' notification.
pub fn file(
    conn: &mut DbConnection,
    caller: &Caller,
    f: &Filing,
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    file_as(conn, None, caller, f, policy, now)
}

/// [`file`] under a chosen id (the demo's fixed ids); a new one when `None`.
pub fn file_as(
    conn: &mut DbConnection,
    id: Option<&str>,
    caller: &Caller,
    f: &Filing,
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    // The first two filings of a year may both find no counter row and both insert it; the
    // loser's transaction is retried and then increments the winner's row.
    let mut attempt = 0;
    loop {
        match file_once(conn, id, caller, f, policy, now) {
            Err(e) if attempt < 2 && crate::db::is_unique_violation(&e) => attempt += 1,
            other => return other,
        }
    }
}

pub(crate) fn file_once(
    conn: &mut DbConnection,
    id: Option<&str>,
    caller: &Caller,
    f: &Filing,
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    write_tx(conn, |conn| {
        let order: OrderRow = o::table
            .find(&f.order_id)
            .select(OrderRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(DbError::NotFound)?;
        if order.buyer_id != caller.id {
            // Someone else's order: it does not exist for this caller.
            return Err(DbError::NotFound);
        }
        may_file(&order_facts(&order, &caller.id), f.category, now, policy)
            .map_err(filing_refusal_error)?;
        // Statuses are compared here, not in SQL: a bound list of statuses lets PostgreSQL's
        // generic plan scan every open complaint instead of this order's few.
        let earlier: Vec<String> = c::table
            .filter(c::order_id.eq(&order.id))
            .filter(c::target.eq(f.target.as_str()))
            .filter(c::category.eq(f.category.as_str()))
            .select(c::status)
            .load(conn)?;
        if earlier
            .iter()
            .any(|s| Status::parse(s).is_some_and(Status::is_open))
        {
            return Err(Refused::ComplaintAlreadyOpen.into());
        }
        crate::db::attachments::check_owned(conn, caller, &f.attachment_ids)?;
        let case = open_case(f.target, now, policy);
        insert_case(conn, id, caller, &order, f, case, now)
    })
}

/// A complaint the buyer opens by disputing a return's rejection, inside the return's
/// transaction: the dispute has its own window, and each return gets its own case. The seller
/// has answered already — the rejection is the answer disputed — so the case is not sent back
/// to the seller for another 48 hours: it goes to the moderators at once (`open_dispute`).
pub(crate) fn open_linked(
    conn: &mut DbConnection,
    caller: &Caller,
    order: &OrderRow,
    f: &Filing,
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    crate::db::attachments::check_owned(conn, caller, &f.attachment_ids)?;
    let case = open_dispute(now, policy);
    insert_case(conn, None, caller, order, f, case, now)
}

/// Inserts a checked filing: the case, its first event, its evidence, its number (last) and the
/// other parties' notifications.
pub(crate) fn insert_case(
    conn: &mut DbConnection,
    id: Option<&str>,
    caller: &Caller,
    order: &OrderRow,
    f: &Filing,
    case: Case,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    let id = id.map_or_else(new_id, str::to_string);
    let db = |t: Option<DateTime<Utc>>| t.map(to_db);
    diesel::insert_into(c::table)
        .values((
            (
                c::id.eq(&id),
                // Unique until the real number is taken, last (see `next_number`).
                c::number.eq(&id),
                c::order_id.eq(&order.id),
                c::buyer_id.eq(&caller.id),
                c::shop_id.eq(&order.shop_id),
                c::target.eq(f.target.as_str()),
                c::category.eq(f.category.as_str()),
                c::description.eq(&f.description),
                c::details.eq(f.details.to_string()),
                c::status.eq(case.status.as_str()),
                c::track.eq(case.track.as_str()),
                c::filed_at.eq(to_db(now)),
                c::acknowledge_by.eq(to_db(case.acknowledge_by)),
                c::seller_respond_by.eq(db(case.seller_respond_by)),
            ),
            (
                c::clock_started_at.eq(to_db(case.clock_started_at)),
                c::paused_secs.eq(0i64),
                c::resolve_by.eq(to_db(case.resolve_by)),
                c::extended.eq(false),
                c::last_reply_at.eq(to_db(now)),
                c::due_at.eq(db(case.due_at())),
                c::updated_at.eq(to_db(now)),
            ),
        ))
        .execute(conn)?;
    cite(conn, &id, &f.attachment_ids, false, now)?;
    let mut row = find(conn, &id)?.ok_or(DbError::NotFound)?;
    let recorded = CaseStep::new(ComplaintStep::Filed {
        target: f.target,
        category: f.category,
        description: f.description.clone(),
        attachment_ids: f.attachment_ids.clone(),
        status: case.status,
        acknowledge_by: case.acknowledge_by,
        seller_respond_by: case.seller_respond_by,
        resolve_by: case.resolve_by,
    });
    let event = Event {
        actor: Some(caller),
        audience: Audience::Public,
        step: Payload::Complaint(&recorded),
    };
    // The first step is recorded while the number is still the id; the number comes last,
    // because every filing of the year waits for the counter row from there to commit.
    let written = events::record_written(conn, Subject::Complaint(&row), &event, now)?;
    let case = Numbered {
        table: "complaints",
        id: &id,
        written: &written,
    };
    row.number = numbering::assign(conn, "C", local_date(now).year(), case)?;
    Ok(row)
}

pub(crate) fn open_statuses() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect()
}
