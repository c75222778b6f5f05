//! Complaint cases: filing, every state change with its timeline event and notifications in
//! one transaction, the cited evidence, SLA breaches and the sweep's duties.
use super::events::{self, Event, Subject};
use super::orders::OrderRow;
use super::schema::{
    attachments as a, complaint_attachments as ca, complaint_breaches as cb,
    complaint_events as ce, complaints as c, orders as o, users,
};
use super::{from_db, new_id, to_db, write_tx, DbConnection, DbError};
use crate::calendar::local_date;
use crate::domain::caller::{Caller, Parties};
use crate::domain::complaints::{
    self as rules, apply, may_file, open_case, Action, Actor, Audience, Case, Category, Command,
    FilingRefusal, OrderFacts, Refusal, Sla, Status, Target, Track,
};
use crate::domain::orders::DeliveryType;
use crate::domain::pagination::TimeCursor;
use crate::domain::refused::Refused;
use crate::domain::roles::Role;
use crate::policy::ComplaintPolicy;
use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = c)]
pub struct ComplaintRow {
    pub id: String,
    pub number: String,
    pub order_id: String,
    pub buyer_id: String,
    pub shop_id: String,
    pub target: String,
    pub category: String,
    pub description: String,
    pub details: String,
    pub status: String,
    pub track: String,
    pub assignee_id: Option<String>,
    pub filed_at: NaiveDateTime,
    pub acknowledge_by: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub seller_respond_by: Option<NaiveDateTime>,
    pub seller_responded_at: Option<NaiveDateTime>,
    pub clock_started_at: NaiveDateTime,
    pub paused_at: Option<NaiveDateTime>,
    pub paused_secs: i64,
    pub resolve_by: NaiveDateTime,
    pub extended: bool,
    pub last_reply_at: NaiveDateTime,
    pub escalated_at: Option<NaiveDateTime>,
    pub resolution: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<String>,
    pub appeal_until: Option<NaiveDateTime>,
    pub appealed_at: Option<NaiveDateTime>,
    pub appealed_resolver: Option<String>,
    pub due_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

fn utc(t: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(from_db)
}

impl ComplaintRow {
    pub fn target(&self) -> Target {
        Target::parse(&self.target).unwrap_or(Target::Seller)
    }
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Submitted)
    }

    /// The state the rules work on. Stored values come from CHECK-constrained enums.
    pub fn case(&self) -> Case {
        Case {
            status: self.status(),
            target: self.target(),
            track: Track::parse(&self.track).unwrap_or(Track::Standard),
            filed_at: from_db(self.filed_at),
            acknowledge_by: from_db(self.acknowledge_by),
            acknowledged_at: utc(self.acknowledged_at),
            seller_respond_by: utc(self.seller_respond_by),
            seller_responded_at: utc(self.seller_responded_at),
            clock_started_at: from_db(self.clock_started_at),
            paused_at: utc(self.paused_at),
            paused_secs: self.paused_secs,
            resolve_by: from_db(self.resolve_by),
            extended: self.extended,
            last_reply_at: from_db(self.last_reply_at),
            escalated_at: utc(self.escalated_at),
            assignee_id: self.assignee_id.clone(),
            resolved_at: utc(self.resolved_at),
            resolved_by: self.resolved_by.clone(),
            appeal_until: utc(self.appeal_until),
            appealed_at: utc(self.appealed_at),
            appealed_resolver: self.appealed_resolver.clone(),
        }
    }

    /// The buyer, the shop's sellers on seller cases, moderators.
    pub fn parties(&self) -> Parties<'_> {
        Parties {
            buyer_id: &self.buyer_id,
            shop_id: (self.target() == Target::Seller).then_some(self.shop_id.as_str()),
            service: false,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ce)]
pub struct EventRow {
    pub id: String,
    pub complaint_id: String,
    pub kind: String,
    pub actor_id: Option<String>,
    pub actor_role: String,
    pub audience: String,
    pub data: String,
    pub created_at: NaiveDateTime,
}

/// An event with its actor's name (for the display rules of the reader).
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub event: EventRow,
    pub actor_name: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cb)]
pub struct BreachRow {
    pub id: String,
    pub complaint_id: String,
    pub sla: String,
    pub due_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
}

fn actor(caller: &Caller) -> Actor<'_> {
    Actor {
        role: caller.role,
        id: &caller.id,
    }
}

/// The filing form after shape checks.
pub struct Filing {
    pub order_id: String,
    pub target: Target,
    pub category: Category,
    pub description: String,
    /// JSON of the optional parts of the form (desired resolution, contact, …).
    pub details: serde_json::Value,
    pub attachment_ids: Vec<String>,
}

/// One state change: the command, what the timeline event says, the evidence it cites.
pub struct Step {
    pub command: Command,
    pub data: serde_json::Value,
    pub attachment_ids: Vec<String>,
}

/// Stored with the case once decided.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StoredResolution {
    pub outcome: String,
    pub remedy: StoredRemedy,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StoredRemedy {
    pub kind: String,
    pub amount: Option<i64>,
}

fn refusal_error(r: Refusal) -> DbError {
    Refused::Complaint(r).into()
}

pub fn filing_refusal_error(r: FilingRefusal) -> DbError {
    Refused::Filing(r).into()
}

pub fn order_facts(order: &OrderRow, buyer_id: &str) -> OrderFacts {
    OrderFacts {
        is_buyer: order.buyer_id == buyer_id,
        delivery_type: DeliveryType::parse(&order.delivery_type).unwrap_or(DeliveryType::City),
        placed_at: from_db(order.placed_at),
        promised_at: utc(order.promised_at),
        delivered_at: utc(order.delivered_at),
    }
}

fn cite(
    conn: &mut DbConnection,
    complaint_id: &str,
    ids: &[String],
    internal: bool,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    for id in ids {
        let cited: i64 = ca::table
            .filter(ca::complaint_id.eq(complaint_id))
            .filter(ca::attachment_id.eq(id))
            .count()
            .get_result(conn)?;
        if cited == 0 {
            diesel::insert_into(ca::table)
                .values((
                    ca::complaint_id.eq(complaint_id),
                    ca::attachment_id.eq(id),
                    ca::internal.eq(internal),
                    ca::added_at.eq(to_db(now)),
                ))
                .execute(conn)?;
        } else if !internal {
            // A file first shown in an internal note and later cited publicly becomes public.
            diesel::update(
                ca::table
                    .filter(ca::complaint_id.eq(complaint_id))
                    .filter(ca::attachment_id.eq(id)),
            )
            .set(ca::internal.eq(false))
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Writes the rules' view of the case back, with the derived nearest deadline.
fn store_case(
    conn: &mut DbConnection,
    id: &str,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    let db = |t: Option<DateTime<Utc>>| t.map(to_db);
    diesel::update(c::table.find(id))
        .set((
            c::status.eq(case.status.as_str()),
            c::track.eq(case.track.as_str()),
            c::assignee_id.eq(case.assignee_id.as_deref()),
            c::acknowledged_at.eq(db(case.acknowledged_at)),
            c::seller_responded_at.eq(db(case.seller_responded_at)),
            c::clock_started_at.eq(to_db(case.clock_started_at)),
            c::paused_at.eq(db(case.paused_at)),
            c::paused_secs.eq(case.paused_secs),
            c::resolve_by.eq(to_db(case.resolve_by)),
            c::extended.eq(case.extended),
            c::last_reply_at.eq(to_db(case.last_reply_at)),
            c::escalated_at.eq(db(case.escalated_at)),
            c::resolved_at.eq(db(case.resolved_at)),
            c::resolved_by.eq(case.resolved_by.as_deref()),
            c::appeal_until.eq(db(case.appeal_until)),
            c::appealed_at.eq(db(case.appealed_at)),
            c::appealed_resolver.eq(case.appealed_resolver.as_deref()),
            c::due_at.eq(db(case.due_at())),
            c::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(c::table
        .find(id)
        .select(ComplaintRow::as_select())
        .first(conn)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ComplaintRow>, DbError> {
    Ok(c::table
        .find(id)
        .select(ComplaintRow::as_select())
        .first(conn)
        .optional()?)
}

/// The row, locked for the rest of the transaction on PostgreSQL (SQLite's `BEGIN IMMEDIATE`
/// already serialises writers), so two moderators cannot both resolve a case.
fn lock(conn: &mut DbConnection, id: &str) -> Result<ComplaintRow, DbError> {
    crate::first_for_update!(conn, c::table.find(id).select(ComplaintRow::as_select()))?
        .ok_or(DbError::NotFound)
}

/// Files a complaint: the case, its first event, its evidence and the sellers' notification.
pub fn file(
    conn: &mut DbConnection,
    caller: &Caller,
    f: &Filing,
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    // The first two filings of a year may both find no counter row and both insert it; the
    // loser's transaction is retried and then increments the winner's row.
    let mut attempt = 0;
    loop {
        match file_once(conn, caller, f, policy, now) {
            Err(e) if attempt < 2 && super::is_unique_violation(&e) => attempt += 1,
            other => return other,
        }
    }
}

fn file_once(
    conn: &mut DbConnection,
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
        super::attachments::check_owned(conn, &caller.id, &f.attachment_ids)?;
        insert_case(conn, caller, &order, f, policy, now)
    })
}

/// A complaint the buyer opens by disputing a return's rejection, inside the return's
/// transaction: the dispute has its own window, and each return gets its own case.
pub(crate) fn open_linked(
    conn: &mut DbConnection,
    caller: &Caller,
    order: &OrderRow,
    f: &Filing,
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    super::attachments::check_owned(conn, &caller.id, &f.attachment_ids)?;
    insert_case(conn, caller, order, f, policy, now)
}

/// Inserts a checked filing: the case, its first event, its evidence, its number (last) and the
/// other parties' notifications.
fn insert_case(
    conn: &mut DbConnection,
    caller: &Caller,
    order: &OrderRow,
    f: &Filing,
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    let case = open_case(f.target, now, policy);
    let id = new_id();
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
    let data = serde_json::json!({
        "target": f.target, "category": f.category,
        "description": f.description, "attachment_ids": f.attachment_ids,
        "status": case.status, "acknowledge_by": case.acknowledge_by,
        "seller_respond_by": case.seller_respond_by, "resolve_by": case.resolve_by,
    });
    // Every filing of the year waits for the counter row from here to commit.
    row.number = super::numbering::next_number(conn, "C", local_date(now).year())?;
    diesel::update(c::table.find(&id))
        .set(c::number.eq(&row.number))
        .execute(conn)?;
    let event = Event {
        kind: "filed",
        actor: Some(caller),
        audience: Audience::Public,
        data: &data,
    };
    events::record(conn, Subject::Complaint(&row), &event, now)?;
    Ok(row)
}

fn open_statuses() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect()
}

/// One action on a case by a party, as the rules decide it.
pub fn act(
    conn: &mut DbConnection,
    id: &str,
    caller: &Caller,
    step: Step,
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<ComplaintRow, DbError> {
    write_tx(conn, |conn| {
        let row = lock(conn, id)?;
        if !caller.is_party(row.parties()) {
            return Err(DbError::NotFound);
        }
        let before = row.case();
        let next =
            apply(&before, actor(caller), &step.command, now, policy).map_err(refusal_error)?;
        let mut data = step.data;
        match &step.command {
            Command::Assign { moderator_id } => {
                let role: Option<String> = users::table
                    .find(moderator_id)
                    .select(users::role)
                    .first(conn)
                    .optional()?;
                if role.as_deref() != Some(Role::Moderator.as_str()) {
                    return Err(Refused::field("moderator_id", "not_a_moderator").into());
                }
            }
            Command::Resolve(r) => {
                if let Some(amount) = r.amount {
                    if matches!(
                        r.remedy,
                        rules::RemedyKind::Refund | rules::RemedyKind::PartialRefund
                    ) {
                        let total: i64 = o::table
                            .find(&row.order_id)
                            .select(o::total_amount)
                            .first(conn)?;
                        if amount > total {
                            return Err(
                                Refused::field("remedy.amount", "exceeds_order_total").into()
                            );
                        }
                    }
                }
                let stored = StoredResolution {
                    outcome: r.outcome.as_str().into(),
                    remedy: StoredRemedy {
                        kind: r.remedy.as_str().into(),
                        amount: r.amount,
                    },
                    explanation: data["explanation"].as_str().unwrap_or_default().into(),
                };
                diesel::update(c::table.find(&row.id))
                    .set(c::resolution.eq(serde_json::to_string(&stored).ok()))
                    .execute(conn)?;
            }
            _ => {}
        }
        super::attachments::check_owned(conn, &caller.id, &step.attachment_ids)?;
        let action = step.command.action();
        let audience = match (&step.command, action) {
            (Command::PostMessage { internal: true }, _) | (_, Action::Assign) => {
                Audience::Internal
            }
            _ => Audience::Public,
        };
        cite(
            conn,
            &row.id,
            &step.attachment_ids,
            audience == Audience::Internal,
            now,
        )?;
        let stored = store_case(conn, &row.id, &next, now)?;
        if let Command::Resolve(r) = &step.command {
            // Upholding a dispute of a return's rejection overturns it (docs/rules.md "Returns").
            if r.outcome != rules::Outcome::Rejected {
                super::returns::overturn_linked(conn, &row.id, caller, now)?;
            }
        }
        if let Some(map) = data.as_object_mut() {
            map.insert("from_status".into(), before.status.as_str().into());
            map.insert("status".into(), next.status.as_str().into());
            if next.resolve_by != before.resolve_by {
                map.insert("resolve_by".into(), serde_json::json!(next.resolve_by));
            }
        }
        events::record(
            conn,
            Subject::Complaint(&stored),
            &Event {
                kind: action.event_kind(),
                actor: Some(caller),
                audience,
                data: &data,
            },
            now,
        )?;
        Ok(stored)
    })
}

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
) -> Result<Vec<(super::attachments::AttachmentRow, bool)>, DbError> {
    let mut q = ca::table
        .inner_join(a::table)
        .filter(ca::complaint_id.eq(id))
        .select((super::attachments::AttachmentRow::as_select(), ca::internal))
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

/// Whose cases a list shows.
pub enum Scope<'a> {
    Buyer(&'a str),
    /// Seller cases of a shop.
    Shop(&'a str),
    All,
}

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
    viewer_id: &str,
    viewer_shop: Option<&str>,
) -> Result<bool, DbError> {
    let cases: Vec<(String, String, String)> = ca::table
        .inner_join(c::table)
        .filter(ca::attachment_id.eq(attachment_id))
        .filter(ca::internal.eq(false))
        .select((c::buyer_id, c::shop_id, c::target))
        .load(conn)?;
    Ok(cases.iter().any(|(buyer, shop, target)| {
        buyer == viewer_id
            || (target == Target::Seller.as_str() && viewer_shop == Some(shop.as_str()))
    }))
}

/// The buyer's and the order's facts for `GET /orders/{id}`: open complaints are not needed,
/// only the window, so this is pure on the order row.
pub fn eligibility(
    order: &OrderRow,
    viewer_id: &str,
    now: DateTime<Utc>,
    policy: &ComplaintPolicy,
) -> Result<DateTime<Utc>, FilingRefusal> {
    may_file(&order_facts(order, viewer_id), Category::Other, now, policy)
}

// ---------------------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ComplaintSweep {
    /// Deadlines found missed for the first time (each a breach row and a timeline event).
    pub breaches: usize,
    /// Seller cases handed to the moderators because the seller stayed silent.
    pub escalated: usize,
    /// Resolutions nobody appealed within the window, now closed.
    pub closed: usize,
}

/// Records missed deadlines, escalates seller silence and closes unappealed resolutions, as of
/// `now`. Each case is its own transaction; repeating a pass changes nothing.
pub fn sweep(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<ComplaintSweep, DbError> {
    let at = to_db(now);
    let mut ids: Vec<String> = c::table
        .filter(c::status.eq_any(open_statuses()))
        .filter(c::due_at.lt(at))
        .select(c::id)
        .load(conn)?;
    let unappealed: Vec<String> = c::table
        .filter(c::status.eq(Status::Resolved.as_str()))
        .filter(c::appeal_until.lt(at))
        .select(c::id)
        .load(conn)?;
    ids.extend(unappealed);
    let mut report = ComplaintSweep::default();
    for id in ids {
        write_tx(conn, |conn| sweep_one(conn, &id, now, &mut report))?;
    }
    Ok(report)
}

fn sweep_one(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
    report: &mut ComplaintSweep,
) -> Result<(), DbError> {
    let row = lock(conn, id)?;
    let case = row.case();
    for (sla, due) in case.breaches(now) {
        if record_breach(conn, &row, sla, due, now)? {
            report.breaches += 1;
        }
    }
    let changed = if let Some(next) = rules::escalate_for_silence(&case, now) {
        report.escalated += 1;
        Some((
            next,
            "escalated",
            serde_json::json!({"reason": "seller_silence"}),
        ))
    } else if let Some(next) = rules::close_unappealed(&case, now) {
        report.closed += 1;
        Some((
            next,
            "closed",
            serde_json::json!({"reason": "appeal_window_passed"}),
        ))
    } else {
        None
    };
    if let Some((next, kind, mut data)) = changed {
        let stored = store_case(conn, &row.id, &next, now)?;
        if let Some(map) = data.as_object_mut() {
            map.insert("from_status".into(), case.status.as_str().into());
            map.insert("status".into(), next.status.as_str().into());
        }
        events::record(
            conn,
            Subject::Complaint(&stored),
            &Event {
                kind,
                actor: None,
                audience: Audience::Public,
                data: &data,
            },
            now,
        )?;
    }
    Ok(())
}

/// One breach per (case, deadline, due instant): a later deadline can be missed again.
fn record_breach(
    conn: &mut DbConnection,
    row: &ComplaintRow,
    sla: Sla,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let seen: i64 = cb::table
        .filter(cb::complaint_id.eq(&row.id))
        .filter(cb::sla.eq(sla.as_str()))
        .filter(cb::due_at.eq(to_db(due)))
        .count()
        .get_result(conn)?;
    if seen > 0 {
        return Ok(false);
    }
    diesel::insert_into(cb::table)
        .values((
            cb::id.eq(new_id()),
            cb::complaint_id.eq(&row.id),
            cb::sla.eq(sla.as_str()),
            cb::due_at.eq(to_db(due)),
            cb::recorded_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    let data = serde_json::json!({"sla": sla, "due_at": due, "status": row.status});
    events::record(
        conn,
        Subject::Complaint(row),
        &Event {
            kind: "sla_breached",
            actor: None,
            audience: Audience::Public,
            data: &data,
        },
        now,
    )?;
    Ok(true)
}
