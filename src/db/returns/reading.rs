//! Reading returns: the timeline, lines, evidence, breaches, lists and the escalated ones.
use super::*;

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
    let q = ri::table
        .inner_join(oi::table)
        .order((ri::return_id.asc(), oi::position.asc()))
        .select((
            ri::return_id,
            ri::order_item_id,
            ri::quantity,
            ri::unit_price,
            oi::product_id,
            oi::title,
        ));
    // One return (its view) is filtered with `=`: diesel never caches an `IN (…)` statement on
    // SQLite, whose bind count varies, so `eq_any` was parsed and planned on every view.
    let rows: Vec<(String, String, i32, i64, String, String)> = match ids {
        [one] => q.filter(ri::return_id.eq(*one)).load(conn)?,
        _ => q.filter(ri::return_id.eq_any(ids)).load(conn)?,
    };
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
) -> Result<Vec<crate::db::attachments::AttachmentRow>, DbError> {
    Ok(ra::table
        .inner_join(a::table)
        .filter(ra::return_id.eq(id))
        .select(crate::db::attachments::AttachmentRow::as_select())
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

pub use crate::domain::caller::Scope;

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
    viewer: &Caller,
) -> Result<bool, DbError> {
    let returns: Vec<(String, String)> = ra::table
        .inner_join(rt::table)
        .filter(ra::attachment_id.eq(attachment_id))
        .select((rt::buyer_id, rt::shop_id))
        .load(conn)?;
    // The buyer and the shop's sellers; not the integration, which acts on returns but has
    // no business reading the buyer's evidence.
    Ok(returns.iter().any(|(buyer_id, shop)| {
        viewer.is_party(crate::domain::caller::Parties {
            buyer_id,
            shop_id: Some(shop),
            service: false,
        })
    }))
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

/// The people a return names (its buyer, who decided it), by id.
pub type People = HashMap<String, (String, String)>;

/// Lines and the people a list of returns shows, in two queries.
pub fn decorate(
    conn: &mut DbConnection,
    rows: &[ReturnRow],
) -> Result<(HashMap<String, Vec<ItemLine>>, People), DbError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let lines = lines(conn, &ids)?;
    let mut people: Vec<&str> = Vec::new();
    for r in rows {
        people.push(&r.buyer_id);
        people.extend(r.decided_by.as_deref());
    }
    Ok((lines, crate::db::users::people(conn, &people)?))
}

/// Everything a single-return view shows, read in the caller's database hop (as
/// `db::complaints::read_case` reads a case).
pub struct ReturnRecord {
    pub row: ReturnRow,
    pub lines: HashMap<String, Vec<ItemLine>>,
    pub people: People,
    pub events: Vec<EventRecord>,
    pub evidence: Vec<crate::db::attachments::AttachmentRow>,
    pub breaches: Vec<BreachRow>,
}

/// The return `row` with its lines, people, timeline, evidence and breaches.
pub fn read_record(conn: &mut DbConnection, row: ReturnRow) -> Result<ReturnRecord, DbError> {
    let (lines, people) = decorate(conn, std::slice::from_ref(&row))?;
    Ok(ReturnRecord {
        events: timeline(conn, &row.id)?,
        evidence: evidence(conn, &row.id)?,
        breaches: breaches(conn, &row.id)?,
        row,
        lines,
        people,
    })
}

/// The return, if the caller is party to it; otherwise it does not exist for them.
pub fn find_visible(
    conn: &mut DbConnection,
    id: &str,
    who: &crate::domain::caller::Caller,
) -> Result<ReturnRow, DbError> {
    let row = find(conn, id)?.ok_or(DbError::NotFound)?;
    if who.is_party(row.parties()) {
        Ok(row)
    } else {
        Err(DbError::NotFound)
    }
}
