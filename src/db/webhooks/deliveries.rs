//! Deliveries of the outbox's messages: the dispatcher's claim (one instance per due attempt,
//! under a lease), the outcome of an attempt with its log line, and the seller's log and
//! redelivery.
use super::EndpointRow;
use crate::db::notifications::{notify, Notice};
use crate::db::schema::{
    webhook_attempts as wa, webhook_deliveries as wd, webhook_endpoints as we,
    webhook_messages as wm,
};
use crate::db::{new_id, to_db, write_tx, DbConnection, DbError};
use crate::domain::webhooks::DisabledReason;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use std::collections::BTreeMap;

/// The endpoints with a delivery due, none leased, least recently served first, leased to
/// this claim. On PostgreSQL endpoints another instance is claiming are skipped
/// (`FOR NO KEY UPDATE SKIP LOCKED`), and one it has just claimed fails the lease test when
/// its row is re-read: one endpoint is served by one instance at a time, which keeps its
/// messages in order and each attempt with one instance. SQLite serialises the claim
/// (`BEGIN IMMEDIATE`).
///
/// The endpoint's lease is the only one: its deliveries are read, not marked, since no other
/// instance takes them while it holds the endpoint, and `finish` records outcomes only while
/// it still does. (Marking each claimed delivery cost one more row version per message.)
const CLAIM_ENDPOINTS: &str = "
UPDATE webhook_endpoints SET lease_token = $3, lease_until = $4
WHERE id IN (
    SELECT e.id FROM webhook_endpoints e
    WHERE e.enabled AND (e.lease_until IS NULL OR e.lease_until <= $1)
      AND EXISTS (
          SELECT 1 FROM webhook_deliveries d
          WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= $1)
    ORDER BY e.lease_until NULLS FIRST, e.id
    LIMIT $2 {lock})
RETURNING id";

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = Text)]
    id: String,
}

/// One claimed attempt with what it needs to be made.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The claim's own lease token (one per claim, so that one instance's claims do not mix).
    pub token: String,
    pub delivery_id: String,
    pub message_id: String,
    pub event_type: String,
    pub body: String,
    pub attempts: i32,
    pub endpoint: EndpointRow,
}

pub fn claim(
    conn: &mut DbConnection,
    token: &str,
    limit: i64,
    per_endpoint: i64,
    lease: TimeDelta,
    now: DateTime<Utc>,
) -> Result<Vec<Claimed>, DbError> {
    write_tx(conn, |conn| {
        let until = to_db(now + lease);
        let endpoints: Vec<ClaimedId> = match conn {
            DbConnection::Postgresql(c) => diesel::sql_query(
                CLAIM_ENDPOINTS.replace("{lock}", "FOR NO KEY UPDATE OF e SKIP LOCKED"),
            )
            .bind::<Timestamp, _>(to_db(now))
            .bind::<BigInt, _>(limit)
            .bind::<Text, _>(token)
            .bind::<Timestamp, _>(until)
            .load(c)?,
            // SQLite reads `?NNN` as numbered parameters: the same query, bound the same way.
            DbConnection::Sqlite(c) => {
                diesel::sql_query(CLAIM_ENDPOINTS.replace("{lock}", "").replace('$', "?"))
                    .bind::<Timestamp, _>(to_db(now))
                    .bind::<BigInt, _>(limit)
                    .bind::<Text, _>(token)
                    .bind::<Timestamp, _>(until)
                    .load(c)?
            }
        };
        if endpoints.is_empty() {
            return Ok(Vec::new());
        }
        // The first due deliveries of each leased endpoint, in event order: a walk of the
        // pending-deliveries index that stops after `per_endpoint` rows. (Ranking every due
        // delivery of the leased endpoints with a window function read and sorted the whole
        // backlog on each claim: 51 ms a claim with 40k messages waiting.)
        let mut rows: Vec<(String, String, i32, String, String, EndpointRow)> = Vec::new();
        for endpoint in &endpoints {
            rows.extend(crate::on_backend!(conn, |c| wd::table
                .inner_join(wm::table)
                .inner_join(we::table)
                .filter(wd::endpoint_id.eq(&endpoint.id))
                .filter(wd::status.eq("pending"))
                .filter(wd::next_attempt_at.le(to_db(now)))
                .order((wd::next_attempt_at, wd::id))
                .limit(per_endpoint)
                .select((
                    wd::id,
                    wd::message_id,
                    wd::attempts,
                    wm::event_type,
                    wm::body,
                    EndpointRow::as_select(),
                ))
                .load(c))?);
        }
        Ok(rows
            .into_iter()
            .map(
                |(delivery_id, message_id, attempts, event_type, body, endpoint)| Claimed {
                    token: token.to_string(),
                    delivery_id,
                    message_id,
                    event_type,
                    body,
                    attempts,
                    endpoint,
                },
            )
            .collect())
    })
}

/// What one attempt saw.
#[derive(Debug, Clone)]
pub struct AttemptLog {
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub duration_ms: i32,
    pub error: Option<String>,
    pub response_snippet: Option<String>,
}

/// Where the delivery goes after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Delivered,
    RetryAt(DateTime<Utc>),
    /// The schedule is spent, or the endpoint is gone.
    Failed,
}

/// One attempt made under a claim, waiting to be recorded.
#[derive(Debug, Clone)]
pub struct Attempted {
    pub claimed: Claimed,
    pub log: AttemptLog,
    pub next: Next,
    /// The receiver answered 410: the endpoint is disabled at once.
    pub gone: bool,
}

/// What ending a claim did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Finished {
    /// Attempts whose lease had passed to another instance: their deliveries were left to it.
    pub leases_lost: usize,
    pub disabled: Option<DisabledReason>,
}

/// Ends a claim in one transaction: frees the endpoint and, if its lease was still this
/// claim's, records every attempt it made (their log lines, each delivery's next state, and the
/// endpoint's health: disabled at once on `gone`, or after `failing_for` of only failures, its
/// sellers told). The endpoint's `lease_until` keeps the claim's end for fairness. Deliveries
/// the claim did not send stay as they were, due.
///
/// A lease that ran out may have passed to another instance, which then read the same
/// deliveries and sends them again: their outcomes are that instance's to record, and this
/// claim records only its attempts' log lines (`leases_lost`).
///
/// A handful of statements per claim, not several per attempt: the dispatcher shares the
/// database with the requests (measured: filing kept 0.75 of its throughput with a commit per
/// delivered message). The log lines go in one insert, the delivered deliveries in one update
/// per status code; only failures, rare, are recorded one by one.
pub fn finish(
    conn: &mut DbConnection,
    endpoint: &EndpointRow,
    token: &str,
    attempted: &[Attempted],
    failing_for: TimeDelta,
    now: DateTime<Utc>,
) -> Result<Finished, DbError> {
    write_tx(conn, |conn| {
        let mut finished = Finished::default();
        // First, so that the endpoint's row is locked and no other claim takes it meanwhile.
        if !release(conn, &endpoint.id, token, now)? {
            // The attempts were made all the same: logged, for the deliveries still there
            // (an endpoint deleted meanwhile took its deliveries with it).
            let ids: Vec<&str> = attempted
                .iter()
                .map(|a| a.claimed.delivery_id.as_str())
                .collect();
            let there: Vec<String> = wd::table
                .filter(wd::id.eq_any(&ids))
                .select(wd::id)
                .load(conn)?;
            let made: Vec<&Attempted> = attempted
                .iter()
                .filter(|a| there.contains(&a.claimed.delivery_id))
                .collect();
            log_attempts(conn, &made)?;
            finished.leases_lost = attempted.len();
            return Ok(finished);
        }
        log_attempts(conn, &attempted.iter().collect::<Vec<_>>())?;
        let delivered = |a: &&Attempted| a.next == Next::Delivered;
        let mut by_code: BTreeMap<Option<i32>, Vec<&str>> = BTreeMap::new();
        for a in attempted.iter().filter(delivered) {
            let code = a.log.status_code.map(i32::from);
            by_code
                .entry(code)
                .or_default()
                .push(&a.claimed.delivery_id);
        }
        for (code, ids) in &by_code {
            // Still pending: a seller cannot change a delivery, but a row read twice must
            // not be recorded twice.
            let updated = diesel::update(
                wd::table
                    .filter(wd::id.eq_any(ids))
                    .filter(wd::status.eq("pending")),
            )
            .set((
                wd::status.eq("delivered"),
                wd::attempts.eq(wd::attempts + 1),
                wd::next_attempt_at.eq(None::<NaiveDateTime>),
                wd::last_status_code.eq(code),
                wd::last_error.eq(None::<String>),
                wd::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
            finished.leases_lost += ids.len() - updated;
        }
        // The endpoint's failing streak ends at a delivery: before the failures when one
        // came after it, at the end when the claim ended on one.
        let ends_delivered = attempted.last().is_some_and(|a| a.next == Next::Delivered);
        if !by_code.is_empty() && !ends_delivered {
            clear_failing(conn, &endpoint.id)?;
        }
        for a in attempted.iter().filter(|a| a.next != Next::Delivered) {
            let (lease_lost, disabled) = record_failure(conn, a, failing_for, now)?;
            finished.leases_lost += usize::from(lease_lost);
            finished.disabled = finished.disabled.or(disabled);
        }
        if ends_delivered {
            clear_failing(conn, &endpoint.id)?;
        }
        Ok(finished)
    })
}

/// Every attempt's log line, in one insert.
fn log_attempts(conn: &mut DbConnection, attempted: &[&Attempted]) -> Result<(), DbError> {
    if attempted.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = attempted
        .iter()
        .map(|a| {
            (
                wa::id.eq(new_id()),
                wa::delivery_id.eq(&a.claimed.delivery_id),
                wa::attempted_at.eq(to_db(a.log.at)),
                wa::status_code.eq(a.log.status_code.map(i32::from)),
                wa::duration_ms.eq(a.log.duration_ms),
                wa::error.eq(a.log.error.as_deref()),
                wa::response_snippet.eq(a.log.response_snippet.as_deref()),
            )
        })
        .collect();
    crate::on_backend!(conn, |c| diesel::insert_into(wa::table)
        .values(&rows)
        .execute(c))?;
    Ok(())
}

fn clear_failing(conn: &mut DbConnection, endpoint_id: &str) -> Result<(), DbError> {
    diesel::update(
        we::table
            .find(endpoint_id)
            .filter(we::failing_since.is_not_null()),
    )
    .set(we::failing_since.eq(None::<NaiveDateTime>))
    .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: (whether the lease was lost, why it disabled the endpoint).
fn record_failure(
    conn: &mut DbConnection,
    a: &Attempted,
    failing_for: TimeDelta,
    now: DateTime<Utc>,
) -> Result<(bool, Option<DisabledReason>), DbError> {
    let (claimed, log) = (&a.claimed, &a.log);
    let (status, next_at) = match a.next {
        Next::RetryAt(at) => ("pending", Some(to_db(at))),
        Next::Failed | Next::Delivered => ("failed", None),
    };
    let updated = diesel::update(
        wd::table
            .find(&claimed.delivery_id)
            .filter(wd::status.eq("pending")),
    )
    .set((
        wd::status.eq(status),
        wd::attempts.eq(wd::attempts + 1),
        wd::next_attempt_at.eq(next_at),
        wd::last_status_code.eq(log.status_code.map(i32::from)),
        wd::last_error.eq(log.error.as_deref()),
        wd::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    let lease_lost = updated == 0;
    let endpoint = &claimed.endpoint.id;
    diesel::update(we::table.find(endpoint).filter(we::failing_since.is_null()))
        .set(we::failing_since.eq(Some(to_db(now))))
        .execute(conn)?;
    let reason = if a.gone {
        Some(DisabledReason::Gone)
    } else {
        let failing_since: Option<NaiveDateTime> = we::table
            .find(endpoint)
            .select(we::failing_since)
            .first(conn)?;
        failing_since
            .filter(|since| *since <= to_db(now - failing_for))
            .map(|_| DisabledReason::Failing)
    };
    let Some(reason) = reason else {
        return Ok((lease_lost, None));
    };
    // Conditional on `enabled`: of two attempts that both see the end, one disables and
    // tells the sellers.
    let disabled = diesel::update(we::table.find(endpoint).filter(we::enabled.eq(true)))
        .set((
            we::enabled.eq(false),
            we::disabled_reason.eq(reason.as_str()),
            we::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    if disabled == 0 {
        return Ok((lease_lost, None));
    }
    tell_sellers(conn, &claimed.endpoint, reason, now)?;
    Ok((lease_lost, Some(reason)))
}

fn tell_sellers(
    conn: &mut DbConnection,
    endpoint: &EndpointRow,
    reason: DisabledReason,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let sellers = crate::db::users::shop_sellers(conn, &endpoint.shop_id)?;
    let to: Vec<&str> = sellers.iter().map(String::as_str).collect();
    let notice = Notice {
        kind: "webhook_disabled",
        subject_type: "webhook",
        subject_id: &endpoint.id,
        data: serde_json::json!({
            "webhook_id": endpoint.id, "url": endpoint.url, "reason": reason.as_str(),
        }),
    };
    notify(conn, &to, &notice, now)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wd)]
pub struct DeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wa)]
pub struct AttemptRow {
    pub id: String,
    pub delivery_id: String,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
    pub response_snippet: Option<String>,
}

/// A delivery in the seller's log: with its message's type and every attempt, oldest first.
#[derive(Debug, Clone)]
pub struct DeliveryView {
    pub delivery: DeliveryRow,
    pub event_type: String,
    /// The message's body, exactly as sent.
    pub body: String,
    pub attempts: Vec<AttemptRow>,
}

/// An endpoint's deliveries, newest first, after the cursor's delivery.
pub fn list(
    conn: &mut DbConnection,
    endpoint_id: &str,
    status: Option<&str>,
    before: Option<&str>,
    limit: u32,
) -> Result<Vec<DeliveryView>, DbError> {
    let mut q = wd::table
        .inner_join(wm::table)
        .filter(wd::endpoint_id.eq(endpoint_id))
        .into_boxed();
    if let Some(status) = status {
        q = q.filter(wd::status.eq(status));
    }
    if let Some(before) = before {
        q = q.filter(wd::id.lt(before));
    }
    let rows: Vec<(DeliveryRow, String, String)> = q
        .order(wd::id.desc())
        .limit(i64::from(limit))
        .select((DeliveryRow::as_select(), wm::event_type, wm::body))
        .load(conn)?;
    with_attempts(conn, rows)
}

fn with_attempts(
    conn: &mut DbConnection,
    rows: Vec<(DeliveryRow, String, String)>,
) -> Result<Vec<DeliveryView>, DbError> {
    let ids: Vec<&str> = rows.iter().map(|(d, _, _)| d.id.as_str()).collect();
    let mut attempts: Vec<AttemptRow> = wa::table
        .filter(wa::delivery_id.eq_any(&ids))
        .order(wa::id)
        .select(AttemptRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, event_type, body)| {
            let (mine, rest) = attempts
                .drain(..)
                .partition(|a| a.delivery_id == delivery.id);
            attempts = rest;
            DeliveryView {
                delivery,
                event_type,
                body,
                attempts: mine,
            }
        })
        .collect())
}

pub fn find(conn: &mut DbConnection, endpoint_id: &str, id: &str) -> Result<DeliveryView, DbError> {
    let row: (DeliveryRow, String, String) = wd::table
        .inner_join(wm::table)
        .filter(wd::id.eq(id))
        .filter(wd::endpoint_id.eq(endpoint_id))
        .select((DeliveryRow::as_select(), wm::event_type, wm::body))
        .first(conn)?;
    with_attempts(conn, vec![row])?
        .pop()
        .ok_or(DbError::NotFound)
}

/// Sends a delivered or failed message again: a new delivery of the same message (the same
/// `webhook-id`), due now.
pub fn redeliver(
    conn: &mut DbConnection,
    endpoint_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<DeliveryView, DbError> {
    write_tx(conn, |conn| {
        let original = find(conn, endpoint_id, id)?;
        let new =
            super::outbox::insert_delivery(conn, endpoint_id, &original.delivery.message_id, now)?;
        find(conn, endpoint_id, &new)
    })
}

/// How many deliveries are waiting, and how many are due (for `/metrics` and tests).
pub fn pending(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(i64, i64), DbError> {
    let waiting: i64 = wd::table
        .filter(wd::status.eq("pending"))
        .count()
        .get_result(conn)?;
    let due: i64 = wd::table
        .filter(wd::status.eq("pending"))
        .filter(wd::next_attempt_at.le(to_db(now)))
        .count()
        .get_result(conn)?;
    Ok((waiting, due))
}

/// Frees the endpoint if this claim still holds it; whether it did.
fn release(
    conn: &mut DbConnection,
    endpoint_id: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let freed = diesel::update(
        we::table
            .find(endpoint_id)
            .filter(we::lease_token.eq(token)),
    )
    .set((
        we::lease_token.eq(None::<String>),
        we::lease_until.eq(Some(to_db(now))),
    ))
    .execute(conn)?;
    Ok(freed == 1)
}

/// Removes pending deliveries whose endpoint is gone. On PostgreSQL a delivery does not lock
/// its endpoint (see migration 000015), so a filing that read an endpoint just before its
/// delete committed can add one after it; the claim never takes it, and the sweep removes it.
/// Such deliveries were never attempted: they have no log lines.
pub fn purge_orphans(conn: &mut DbConnection) -> Result<usize, DbError> {
    let endpoints = we::table.select(we::id);
    Ok(diesel::delete(
        wd::table
            .filter(wd::status.eq("pending"))
            .filter(wd::endpoint_id.ne_all(endpoints)),
    )
    .execute(conn)?)
}
