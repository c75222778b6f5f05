//! Complaint cases: filing, every state change with its timeline event and notifications in
//! one transaction, the cited evidence, SLA breaches and the sweep's duties.
use super::events::{self, Event, Payload, Subject};
use super::orders::OrderRow;
use super::schema::{
    attachments as a, complaint_attachments as ca, complaint_breaches as cb,
    complaint_events as ce, complaints as c, orders as o, users,
};
use super::{from_db, from_db_opt as utc, new_id, to_db, write_tx, DbConnection, DbError};
use crate::calendar::local_date;
use crate::domain::caller::{Caller, Parties};
use crate::domain::complaints::{
    self as rules, apply, may_file, open_case, open_dispute, Actor, Audience, Case, CaseStep,
    Category, Command, ComplaintStep, FilingRefusal, OrderFacts, Refusal, Sla, Status, Target,
    Track,
};
use crate::domain::pagination::TimeCursor;
use crate::domain::refused::Refused;
use crate::domain::roles::Role;
use crate::domain::steps::Change;
use crate::policy::ComplaintPolicy;
use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

mod filing;
mod reading;
mod sweep;
pub use filing::*;
pub use reading::*;
pub use sweep::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = c)]
pub struct ComplaintRow {
    pub id: String,
    pub number: String,
    pub order_id: String,
    pub buyer_id: String,
    pub shop_id: String,
    pub target: Target,
    pub category: Category,
    pub description: String,
    pub details: String,
    pub status: Status,
    pub track: Track,
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

impl ComplaintRow {
    pub fn target(&self) -> Target {
        self.target
    }
    pub fn status(&self) -> Status {
        self.status
    }

    /// The state the rules work on. Stored values come from CHECK-constrained enums.
    pub fn case(&self) -> Case {
        Case {
            status: self.status(),
            target: self.target(),
            track: self.track,
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
    pub audience: Audience,
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
    pub sla: crate::domain::complaints::Sla,
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
    /// What the step's timeline entry records (built by the handler from the request).
    pub data: ComplaintStep,
    pub attachment_ids: Vec<String>,
}

/// Stored with the case once decided.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StoredResolution {
    pub outcome: rules::Outcome,
    pub remedy: StoredRemedy,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StoredRemedy {
    pub kind: rules::RemedyKind,
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
        delivery_type: order.delivery_type,
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
        match &step.command {
            Command::Assign { moderator_id } => {
                let role: Option<String> = users::table
                    .find(moderator_id)
                    .select(users::role)
                    .first(conn)
                    .optional()?;
                rules::check_assignee(role.as_deref().and_then(Role::parse))
                    .map_err(refusal_error)?;
            }
            Command::Resolve(r) => {
                let total: i64 = o::table
                    .find(&row.order_id)
                    .select(o::total_amount)
                    .first(conn)?;
                rules::check_refund_within(r, total).map_err(refusal_error)?;
                let stored = StoredResolution {
                    outcome: r.outcome,
                    remedy: StoredRemedy {
                        kind: r.remedy,
                        amount: r.amount,
                    },
                    explanation: match &step.data {
                        ComplaintStep::Resolved { explanation, .. } => explanation.clone(),
                        _ => String::new(),
                    },
                };
                diesel::update(c::table.find(&row.id))
                    .set(c::resolution.eq(serde_json::to_string(&stored).ok()))
                    .execute(conn)?;
            }
            _ => {}
        }
        super::attachments::check_owned(conn, caller, &step.attachment_ids)?;
        let action = step.command.action();
        let audience = rules::audience(&step.command);
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
                super::disputes::settle(conn, &row.id, caller, now)?;
            }
        }
        let mut change = Change::moved(before.status, next.status);
        if next.resolve_by != before.resolve_by {
            change.resolve_by = Some(next.resolve_by);
        }
        debug_assert_eq!(step.data.kind().as_str(), action.event_kind());
        let recorded = CaseStep::with(step.data, change);
        events::record(
            conn,
            Subject::Complaint(&stored),
            &Event {
                actor: Some(caller),
                audience,
                step: Payload::Complaint(&recorded),
            },
            now,
        )?;
        Ok(stored)
    })
}

// ---------------------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------------------
