//! The one way a step of a case, a return or a review is recorded, in the transaction of the
//! change: its timeline entry (for reviews, the moderation log's line), then the
//! notifications of everyone the area's recipient rule names (`domain::events::recipients`,
//! `domain::reviews::hearer`), and the webhook messages of the public ones for the shop's
//! endpoints (`webhooks::outbox`, types from `domain::webhooks::catalogue`).
use super::complaints::ComplaintRow;
use super::notifications::{notify, notify_returning, Notice};
use super::returns::ReturnRow;
use super::reviews::{FlagRow, ReviewRow};
use super::schema::{complaint_events as ce, moderation_log as ml, return_events as re};
use super::webhooks::outbox::Outgoing;
use super::{new_id, to_db, DbConnection, DbError};
use crate::domain::caller::Caller;
use crate::domain::complaints::{CaseStep, Target};
use crate::domain::events::{recipients, Audience};
use crate::domain::returns::ReturnStep;
use crate::domain::reviews::{hearer, Hearer, ReviewStatus};
use crate::domain::roles::Role;
use crate::domain::steps::ActorRole;
use crate::domain::webhooks::catalogue::{of_case_step, of_review_notice, seller_safe};
use crate::domain::webhooks::EventType;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

/// What a step happened to.
#[derive(Clone, Copy)]
pub enum Subject<'a> {
    Complaint(&'a ComplaintRow),
    Return(&'a ReturnRow),
}

/// One step: who took it (`None`: the system), who may see it, and its typed payload (its
/// kind, what the timeline shows of it, what a seller receives of it).
pub struct Event<'a> {
    pub actor: Option<&'a Caller>,
    pub audience: Audience,
    pub step: Payload<'a>,
}

/// A step's payload, of a case or of a return.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    Complaint(&'a CaseStep),
    Return(&'a ReturnStep),
}

impl Payload<'_> {
    fn kind(self) -> String {
        match self {
            Payload::Complaint(s) => s.kind(),
            Payload::Return(s) => s.kind(),
        }
    }
    fn data(self) -> serde_json::Value {
        match self {
            Payload::Complaint(s) => s.data(),
            Payload::Return(s) => s.data(),
        }
    }
    /// The allow-listed projection a seller's webhook receives.
    fn for_seller(self) -> serde_json::Value {
        match self {
            Payload::Complaint(s) => s.for_seller(),
            Payload::Return(s) => s.for_seller(),
        }
    }
    /// The status the step moved from, for the moderation log.
    fn moved_from(self) -> Option<&'static str> {
        match self {
            Payload::Complaint(s) => s.change.from_status.map(|x| x.as_str()),
            Payload::Return(s) => s.change.from_status.map(|x| x.as_str()),
        }
    }
}

pub fn record(
    conn: &mut DbConnection,
    subject: Subject<'_>,
    e: &Event<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let written = record_written(conn, subject, e, now)?;
    for message in &written.messages {
        super::webhooks::outbox::write(conn, message)?;
    }
    Ok(())
}

/// The notices a step wrote, and the webhook messages it chose but left to the caller to
/// write (`webhooks::outbox::write`, or `numbering::assign` with the case's number).
#[derive(Debug, Default)]
pub struct Written {
    pub notices: Vec<String>,
    pub messages: Vec<Outgoing>,
}

/// `record`, answering what it wrote and what it left to write: a filing records its first
/// step before it takes the year's case number, then writes the number into the notices
/// (`renumber`) and writes the messages with it, so that the counter row stays locked for as
/// little as possible and no message is written twice.
pub fn record_written(
    conn: &mut DbConnection,
    subject: Subject<'_>,
    e: &Event<'_>,
    now: DateTime<Utc>,
) -> Result<Written, DbError> {
    let mut written = Written::default();
    let (kind, data) = (e.step.kind(), e.step.data());
    let actor_id = e.actor.map(|a| a.id.as_str());
    let actor_role = ActorRole::of(e.actor.map(|a| a.role)).as_str();
    let (id, number, status, assignee, shop) = match subject {
        Subject::Complaint(row) => {
            diesel::insert_into(ce::table)
                .values((
                    ce::id.eq(new_id()),
                    ce::complaint_id.eq(&row.id),
                    ce::kind.eq(&kind),
                    ce::actor_id.eq(actor_id),
                    ce::actor_role.eq(actor_role),
                    ce::audience.eq(e.audience.as_str()),
                    ce::data.eq(data.to_string()),
                    ce::created_at.eq(to_db(now)),
                ))
                .execute(conn)?;
            let shop = (row.target() == Target::Seller).then_some(row.shop_id.as_str());
            let assignee = row.assignee_id.as_deref();
            (&row.id, &row.number, row.status.as_str(), assignee, shop)
        }
        Subject::Return(row) => {
            diesel::insert_into(re::table)
                .values((
                    re::id.eq(new_id()),
                    re::return_id.eq(&row.id),
                    re::kind.eq(&kind),
                    re::actor_id.eq(actor_id),
                    re::actor_role.eq(actor_role),
                    re::data.eq(data.to_string()),
                    re::created_at.eq(to_db(now)),
                ))
                .execute(conn)?;
            (
                &row.id,
                &row.number,
                row.status.as_str(),
                None,
                Some(row.shop_id.as_str()),
            )
        }
    };
    if e.actor.is_some_and(|a| a.role == Role::Moderator) {
        // The moderation log holds every moderator's action, on cases as on reviews.
        let subject_type = match subject {
            Subject::Complaint(_) => "complaint",
            Subject::Return(_) => "return",
        };
        log_line(
            conn,
            &LogAction {
                actor: actor_id,
                action: &kind,
                subject: (subject_type, id),
                before: e.step.moved_from(),
                after: Some(status),
                // A case's step carries no moderators' note: what it says is on the timeline.
                note: None,
                due: moderator_deadline(subject, &kind),
            },
            now,
        )?;
    }
    if let (Audience::Public, Some(shop)) = (e.audience, shop) {
        written.messages = offer_case_step(conn, subject, e, &kind, shop, now)?;
    }
    let mut parties = vec![match subject {
        Subject::Complaint(row) => row.buyer_id.clone(),
        Subject::Return(row) => row.buyer_id.clone(),
    }];
    if let Some(shop) = shop {
        parties.extend(super::users::shop_sellers(conn, shop)?);
    }
    let to = recipients(e.audience, &parties, assignee, actor_id);
    if to.is_empty() {
        return Ok(written);
    }
    let (subject_type, id_field) = match subject {
        Subject::Complaint(_) => ("complaint", "complaint_id"),
        Subject::Return(_) => ("return", "return_id"),
    };
    let notice_kind = format!("{subject_type}_{kind}");
    let mut data = serde_json::json!({ "number": number, "event": kind, "status": status });
    data[id_field] = serde_json::json!(id);
    let to: Vec<&str> = to.iter().map(String::as_str).collect();
    let notice = Notice {
        kind: &notice_kind,
        subject_type,
        subject_id: id,
        data,
    };
    written.notices = notify_returning(conn, &to, &notice, now)?;
    Ok(written)
}

/// Writes a case's number into the notices of its first step, recorded while the number was
/// still the case's id, and writes its webhook messages with the number (see
/// `record_written`).
pub fn renumber(
    conn: &mut DbConnection,
    written: &Written,
    placeholder: &str,
    number: &str,
) -> Result<(), DbError> {
    use super::fixed::{self, Bind};
    let from = format!("\"number\":{}", serde_json::json!(placeholder));
    let to = format!("\"number\":{}", serde_json::json!(number));
    for id in &written.notices {
        // Fixed text: diesel would prepare an UPDATE again on every call.
        let binds = [Bind::Text(&from), Bind::Text(&to), Bind::Text(id)];
        crate::on_backend!(&mut *conn, |c| fixed::statement(
            "UPDATE notifications SET data = replace(data, ?, ?) WHERE id = ?",
            &binds
        )
        .execute(c))?;
    }
    for message in &written.messages {
        let mut message = message.clone();
        message.body = message.body.replace(&from, &to);
        super::webhooks::outbox::write(conn, &message)?;
    }
    Ok(())
}

/// The webhook messages of a public step of a case or return the shop is a party to, chosen
/// but not written. The payload is what the shop's sellers see of it: no buyer, no
/// moderator, no internal note.
fn offer_case_step(
    conn: &mut DbConnection,
    subject: Subject<'_>,
    e: &Event<'_>,
    kind: &str,
    shop: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Outgoing>, DbError> {
    let actor_role = ActorRole::of(e.actor.map(|a| a.role)).as_str();
    let buyer = match subject {
        Subject::Complaint(row) => row.buyer_id.as_str(),
        Subject::Return(row) => row.buyer_id.as_str(),
    };
    let (types, data) = match subject {
        Subject::Complaint(row) => (
            of_case_step("complaint", kind),
            serde_json::json!({
                "complaint_id": row.id, "number": row.number, "order_id": row.order_id,
                "category": row.category, "status": row.status, "track": row.track,
                "resolve_by": super::from_db(row.resolve_by), "event": kind,
                "actor_role": actor_role, "details": e.step.for_seller(),
            }),
        ),
        Subject::Return(row) => (
            of_case_step("return", kind),
            serde_json::json!({
                "return_id": row.id, "number": row.number, "order_id": row.order_id,
                "reason": row.reason, "status": row.status,
                "refund_due_by": super::from_db_opt(row.refund_due_by),
                "event": kind, "actor_role": actor_role, "details": e.step.for_seller(),
            }),
        ),
    };
    let mut messages = Vec::new();
    for ty in types {
        messages.extend(super::webhooks::outbox::prepare(
            conn,
            shop,
            Some(buyer),
            *ty,
            data.clone(),
            now,
        )?);
    }
    Ok(messages)
}

/// One line of the moderation log: who (`None`: the screening or a rule) did what to which
/// review, flag, appeal, complaint or return, from which status to which.
pub struct LogAction<'a> {
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub subject: (&'a str, &'a str),
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub note: Option<&'a str>,
    /// The deadline a moderator's decision was due by, for the moderators' SLA figures.
    pub due: Option<NaiveDateTime>,
}

/// The deadline a moderator's step on a case answers: acknowledging by the acknowledgement
/// deadline, resolving by the resolution deadline; other steps have none of their own.
fn moderator_deadline(subject: Subject<'_>, kind: &str) -> Option<NaiveDateTime> {
    match (subject, kind) {
        (Subject::Complaint(row), "acknowledged") => Some(row.acknowledge_by),
        (Subject::Complaint(row), "resolved") => Some(row.resolve_by),
        _ => None,
    }
}

fn log_line(
    conn: &mut DbConnection,
    entry: &LogAction<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(ml::table)
        .values((
            ml::id.eq(new_id()),
            ml::actor_id.eq(entry.actor),
            ml::action.eq(entry.action),
            ml::subject_type.eq(entry.subject.0),
            ml::subject_id.eq(entry.subject.1),
            ml::before_status.eq(entry.before),
            ml::after_status.eq(entry.after),
            ml::note.eq(entry.note),
            ml::due_at.eq(entry.due),
            ml::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A step of a review, a flag on it or an appeal of it: its moderation-log line, its notice,
/// or both.
#[derive(Default)]
pub struct ReviewStep<'a> {
    pub log: Option<LogAction<'a>>,
    pub notice: Option<ReviewNotice<'a>>,
}

/// What a review step tells; who hears it is the reviews' rule (`domain::reviews::hearer`).
pub enum ReviewNotice<'a> {
    /// About the review: its kind and what it adds to the review's id, product and rating.
    Review {
        review: &'a ReviewRow,
        kind: &'a str,
        extra: serde_json::Value,
    },
    /// A flag's outcome, to the seller who raised it.
    FlagOutcome { flag: &'a FlagRow, kind: &'a str },
}

impl<'a> ReviewStep<'a> {
    pub fn log(entry: LogAction<'a>) -> Self {
        ReviewStep {
            log: Some(entry),
            notice: None,
        }
    }

    pub fn notice(review: &'a ReviewRow, kind: &'a str, extra: serde_json::Value) -> Self {
        ReviewStep {
            log: None,
            notice: Some(ReviewNotice::Review {
                review,
                kind,
                extra,
            }),
        }
    }

    pub fn flag_outcome(flag: &'a FlagRow, kind: &'a str) -> Self {
        ReviewStep {
            log: None,
            notice: Some(ReviewNotice::FlagOutcome { flag, kind }),
        }
    }
}

/// Records a review step in the transaction of the change: the log line, then the notice.
pub fn record_review(
    conn: &mut DbConnection,
    step: ReviewStep<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    if let Some(entry) = step.log {
        log_line(conn, &entry, now)?;
    }
    match step.notice {
        None => Ok(()),
        Some(ReviewNotice::Review {
            review,
            kind,
            extra,
        }) => {
            let published = review.status == ReviewStatus::Published;
            if let Some(ty) = of_review_notice(kind, published) {
                let data = serde_json::json!({
                    "review_id": review.id, "product_id": review.product_id,
                    "rating": review.rating, "status": review.status, "body": review.body,
                    "details": seller_safe(&extra),
                });
                super::webhooks::outbox::enqueue(conn, &review.shop_id, None, ty, data, now)?;
            }
            let to = match hearer(kind) {
                Hearer::Author => vec![review.author_id.clone()],
                Hearer::ShopSellers => super::users::shop_sellers(conn, &review.shop_id)?,
                Hearer::FlagRaiser => Vec::new(),
            };
            let mut data = serde_json::json!({
                "review_id": review.id, "product_id": review.product_id, "rating": review.rating,
            });
            if let (Some(map), Some(extra)) = (data.as_object_mut(), extra.as_object()) {
                map.extend(extra.clone());
            }
            let to: Vec<&str> = to.iter().map(String::as_str).collect();
            let notice = Notice {
                kind,
                subject_type: "review",
                subject_id: &review.id,
                data,
            };
            notify(conn, &to, &notice, now)
        }
        Some(ReviewNotice::FlagOutcome { flag, kind }) => {
            debug_assert_eq!(hearer(kind), Hearer::FlagRaiser);
            let outcome = kind.strip_prefix("flag_").unwrap_or(kind);
            let data = serde_json::json!({
                "flag_id": flag.id, "review_id": flag.review_id, "reason": flag.reason,
                "outcome": outcome,
            });
            super::webhooks::outbox::enqueue(
                conn,
                &flag.shop_id,
                None,
                EventType::ReviewFlagDecided,
                data,
                now,
            )?;
            let notice = Notice {
                kind,
                subject_type: "flag",
                subject_id: &flag.id,
                data: serde_json::json!({
                    "flag_id": flag.id, "review_id": flag.review_id, "reason": flag.reason,
                }),
            };
            notify(conn, &[&flag.seller_id], &notice, now)
        }
    }
}
