//! Case numbers: per-year series (`C-2026-000001` for complaints, `R-…` for returns).
use super::events::Written;
use super::fixed::{self, Bind};
use super::{DbConnection, DbError};
use crate::domain::numbering::case_number;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text, Timestamp};

/// The next number of a series, gap-free, inside the caller's transaction (the same upsert
/// PostgreSQL's `assign` starts with). One statement (insert the year's counter at 1, or add
/// one to it) so that the first two filings of a year at once cannot both try to create the
/// counter. The counter row stays locked until the transaction ends and every filing of the
/// year waits for it, so callers take the number as their last step before commit (see
/// `assign`). Fixed text: diesel would prepare an upsert again on every call.
pub fn next_number(conn: &mut DbConnection, prefix: &str, year: i32) -> Result<String, DbError> {
    let binds = [Bind::Text(prefix), Bind::Int(year)];
    let seq: i64 = crate::on_backend!(conn, |c| fixed::query::<BigInt>(
        "INSERT INTO case_counters (prefix, year, last_value) VALUES (?, ?, 1) \
         ON CONFLICT (prefix, year) DO UPDATE SET last_value = case_counters.last_value + 1 \
         RETURNING last_value",
        &binds,
    )
    .get_result(c))?;
    Ok(case_number(prefix, year, seq))
}

/// A new case or return, written with its id standing in for its number, and the notices and
/// webhook messages its first step wrote with that stand-in.
pub struct Numbered<'a> {
    /// `complaints` or `returns`.
    pub table: &'static str,
    pub id: &'a str,
    pub written: &'a Written,
}

/// Takes the next number of the series, writes it into the case and into its first step's
/// notices, and writes the step's webhook messages with it: the filing's last step, since from
/// the counter's increment to the commit every filing of the year waits on the counter row.
///
/// On PostgreSQL that is one statement (data-modifying CTEs), so the wait is one round trip
/// and the commit, however many notices and messages the step wrote — taking the number and
/// then patching each row cost filing a sixth of its throughput once a webhook message was
/// among them, and writing a message with a stand-in to rewrite it here cost one more row
/// version per filing. SQLite runs one writer at a time anyway: there it is one statement per
/// row.
pub fn assign(
    conn: &mut DbConnection,
    prefix: &str,
    year: i32,
    case: Numbered<'_>,
) -> Result<String, DbError> {
    let stand_in = format!("\"number\":{}", serde_json::json!(case.id));
    match conn {
        DbConnection::Postgresql(c) => {
            #[derive(QueryableByName)]
            struct Assigned {
                #[diesel(sql_type = Text)]
                number: String,
            }
            let messages = &case.written.messages;
            let (mut d_ids, mut d_endpoints, mut d_messages) = (Vec::new(), Vec::new(), Vec::new());
            for m in messages {
                for endpoint in &m.endpoints {
                    d_ids.push(super::new_id());
                    d_endpoints.push(endpoint.as_str());
                    d_messages.push(m.id.as_str());
                }
            }
            // The step's instant (every message of a step has it); unused without messages.
            let at = messages
                .first()
                .map_or(chrono::DateTime::UNIX_EPOCH, |m| m.at);
            let sql = format!(
                "WITH k AS (
                    INSERT INTO case_counters (prefix, year, last_value) VALUES ($1, $2, 1)
                    ON CONFLICT (prefix, year) DO UPDATE SET last_value = case_counters.last_value + 1
                    RETURNING $1 || '-' || $2::text || '-' || CASE WHEN last_value < 1000000
                        THEN lpad(last_value::text, 6, '0') ELSE last_value::text END AS number
                ), c AS (
                    UPDATE {table} SET number = k.number FROM k WHERE {table}.id = $3 RETURNING 1
                ), n AS (
                    UPDATE notifications SET data = replace(data, $4, '\"number\":\"' || k.number || '\"')
                    FROM k WHERE notifications.id = ANY($5) RETURNING 1
                ), m AS (
                    INSERT INTO webhook_messages (id, shop_id, event_type, body, created_at)
                    SELECT x.id, x.shop_id, x.event_type,
                           replace(x.body, $4, '\"number\":\"' || k.number || '\"'), $10
                    FROM k, unnest($6::text[], $7::text[], $8::text[], $9::text[])
                        AS x(id, shop_id, event_type, body)
                    RETURNING 1
                ), d AS (
                    INSERT INTO webhook_deliveries
                        (id, endpoint_id, message_id, status, attempts, next_attempt_at, created_at, updated_at)
                    SELECT y.id, y.endpoint_id, y.message_id, 'pending', 0, $10, $10, $10
                    FROM unnest($11::text[], $12::text[], $13::text[]) AS y(id, endpoint_id, message_id)
                    RETURNING 1
                )
                SELECT number FROM k",
                table = case.table
            );
            let row: Assigned = diesel::sql_query(sql)
                .bind::<Text, _>(prefix)
                .bind::<Integer, _>(year)
                .bind::<Text, _>(case.id)
                .bind::<Text, _>(&stand_in)
                .bind::<Array<Text>, _>(&case.written.notices)
                .bind::<Array<Text>, _>(messages.iter().map(|m| m.id.as_str()).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(
                    messages
                        .iter()
                        .map(|m| m.shop_id.as_str())
                        .collect::<Vec<_>>(),
                )
                .bind::<Array<Text>, _>(
                    messages
                        .iter()
                        .map(|m| m.event_type.as_str())
                        .collect::<Vec<_>>(),
                )
                .bind::<Array<Text>, _>(
                    messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
                )
                .bind::<Timestamp, _>(super::to_db(at))
                .bind::<Array<Text>, _>(&d_ids)
                .bind::<Array<Text>, _>(&d_endpoints)
                .bind::<Array<Text>, _>(&d_messages)
                .get_result(c)?;
            Ok(row.number)
        }
        DbConnection::Sqlite(_) => {
            let number = next_number(conn, prefix, year)?;
            let update = match case.table {
                "complaints" => "UPDATE complaints SET number = ? WHERE id = ?",
                "returns" => "UPDATE returns SET number = ? WHERE id = ?",
                other => return Err(DbError::Other(format!("no numbered table {other}"))),
            };
            let binds = [Bind::Text(&number), Bind::Text(case.id)];
            crate::on_backend!(&mut *conn, |c| fixed::statement(update, &binds).execute(c))?;
            super::events::renumber(conn, case.written, case.id, &number)?;
            Ok(number)
        }
    }
}
