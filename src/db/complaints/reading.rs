//! Reading cases: the timeline, evidence, breaches, lists, attachment visibility and whether an order's buyer may file.
use super::*;

/// The case's events in order; internal ones only when asked (moderators).
pub fn timeline(
    conn: &mut DbConnection,
    id: &str,
    include_internal: bool,
) -> Result<Vec<EventRecord>, DbError> {
    let mut q = ce::table
        .left_join(users::table.on(users::id.nullable().eq(ce::actor_id)))
        .filter(ce::complaint_id.eq(id))
        .select((EventRow::as_select(), users::full_name.nullable()))
        .order(ce::id.asc())
        .into_boxed();
    if !include_internal {
        q = q.filter(ce::audience.eq(Audience::Public.as_str()));
    }
    let rows: Vec<(EventRow, Option<String>)> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(event, actor_name)| EventRecord { event, actor_name })
        .collect())
}

/// Files the case cites, with their checksums, for the dossier.
pub fn evidence(
    conn: &mut DbConnection,
    id: &str,
    include_internal: bool,
) -> Result<Vec<(crate::db::attachments::AttachmentRow, bool)>, DbError> {
    let mut q = ca::table
        .inner_join(a::table)
        .filter(ca::complaint_id.eq(id))
        .select((
            crate::db::attachments::AttachmentRow::as_select(),
            ca::internal,
        ))
        .order(ca::added_at.asc())
        .into_boxed();
    if !include_internal {
        q = q.filter(ca::internal.eq(false));
    }
    Ok(q.load(conn)?)
}

pub fn breaches(conn: &mut DbConnection, id: &str) -> Result<Vec<BreachRow>, DbError> {
    Ok(cb::table
        .filter(cb::complaint_id.eq(id))
        .select(BreachRow::as_select())
        .order((cb::recorded_at.asc(), cb::id.asc()))
        .load(conn)?)
}

pub use crate::domain::caller::Scope;

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub target: Option<Target>,
    pub category: Option<Category>,
    /// Only cases whose nearest deadline has passed (as of this instant).
    pub overdue_at: Option<DateTime<Utc>>,
}

/// Newest first, keyset-paged by (filed_at, id).
pub fn list(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &ListFilter,
    after: Option<&TimeCursor>,
    limit: u32,
) -> Result<Vec<ComplaintRow>, DbError> {
    let mut q = c::table
        .select(ComplaintRow::as_select())
        .order((c::filed_at.desc(), c::id.desc()))
        .limit(i64::from(limit))
        .into_boxed();
    q = match scope {
        Scope::Buyer(id) => q.filter(c::buyer_id.eq(id.to_string())),
        Scope::Shop(shop) => q
            .filter(c::shop_id.eq(shop.to_string()))
            .filter(c::target.eq(Target::Seller.as_str())),
        Scope::All => q,
    };
    if let Some(s) = filter.status {
        q = q.filter(c::status.eq(s.as_str()));
    }
    if let Some(t) = filter.target {
        q = q.filter(c::target.eq(t.as_str()));
    }
    if let Some(cat) = filter.category {
        q = q.filter(c::category.eq(cat.as_str()));
    }
    if let Some(now) = filter.overdue_at {
        q = q.filter(c::due_at.lt(to_db(now)));
    }
    if let Some(cur) = after {
        let at = to_db(cur.at);
        q = q.filter(
            c::filed_at
                .lt(at)
                .or(c::filed_at.eq(at).and(c::id.lt(cur.id.clone()))),
        );
    }
    Ok(q.load(conn)?)
}

/// Whether a case citing the attachment (publicly) has the viewer as its buyer or seller.
pub fn attachment_visible_to(
    conn: &mut DbConnection,
    attachment_id: &str,
    viewer: &Caller,
) -> Result<bool, DbError> {
    let cases: Vec<ComplaintRow> = ca::table
        .inner_join(c::table)
        .filter(ca::attachment_id.eq(attachment_id))
        .filter(ca::internal.eq(false))
        .select(ComplaintRow::as_select())
        .load(conn)?;
    Ok(cases.iter().any(|case| viewer.is_party(case.parties())))
}

/// The names the views of `rows` show (buyer, assignee, resolver), in one query.
pub fn names_of(
    conn: &mut DbConnection,
    rows: &[ComplaintRow],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    let mut ids: Vec<&str> = Vec::new();
    for r in rows {
        ids.push(&r.buyer_id);
        ids.extend(r.assignee_id.as_deref());
        ids.extend(r.resolved_by.as_deref());
    }
    crate::db::users::names(conn, &ids)
}

/// A case as one reader sees it: the row, the names the view shows (buyer, assignee,
/// resolver) and the timeline the reader may see (moderators also the internal steps).
pub struct CaseRecord {
    pub row: ComplaintRow,
    pub names: std::collections::HashMap<String, String>,
    pub events: Vec<EventRecord>,
}

/// Everything a dossier shows.
pub struct DossierRecord {
    pub case: CaseRecord,
    pub order: crate::db::orders::OrderRecord,
    pub shop_name: Option<String>,
    pub evidence: Vec<(crate::db::attachments::AttachmentRow, bool)>,
    pub breaches: Vec<BreachRow>,
}

/// The case, if the caller is a party to it; otherwise "not found" (its existence is not
/// revealed).
pub fn read_case(
    conn: &mut DbConnection,
    id: &str,
    caller: &Caller,
) -> Result<CaseRecord, DbError> {
    let row = find(conn, id)?
        .filter(|row| caller.is_party(row.parties()))
        .ok_or(DbError::NotFound)?;
    let names = names_of(conn, std::slice::from_ref(&row))?;
    let events = timeline(conn, id, caller.role == Role::Moderator)?;
    Ok(CaseRecord { row, names, events })
}

/// The case file of `read_case`, with its order, shop, evidence and breaches.
pub fn read_dossier(
    conn: &mut DbConnection,
    id: &str,
    caller: &Caller,
) -> Result<DossierRecord, DbError> {
    let case = read_case(conn, id, caller)?;
    let order = crate::db::orders::find(conn, &case.row.order_id)?.ok_or(DbError::NotFound)?;
    let shop_name = crate::db::users::shop_name(conn, &case.row.shop_id)?;
    let evidence = evidence(conn, id, caller.role == Role::Moderator)?;
    let breaches = breaches(conn, id)?;
    Ok(DossierRecord {
        case,
        order,
        shop_name,
        evidence,
        breaches,
    })
}
