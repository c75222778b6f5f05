//! Sellers' webhook endpoints: storage of their URL, subscriptions and (sealed) secrets.
//! The outbox (`outbox`) and the deliveries with their attempts (`deliveries`) live beside.
pub mod deliveries;
pub mod outbox;
pub mod sealed;

use super::schema::webhook_endpoints as we;
use super::{from_db, from_db_opt, new_id, to_db, write_tx, DbConnection, DbError};
use crate::domain::refused::Refused;
use crate::domain::webhooks::DisabledReason;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = we)]
pub struct EndpointRow {
    pub id: String,
    pub shop_id: String,
    pub url: String,
    pub description: Option<String>,
    pub events: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub failing_since: Option<NaiveDateTime>,
    pub lease_token: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EndpointRow {
    /// The subscribed types (`*` for all), stored as a JSON array.
    pub fn events(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }

    /// The sealed secrets that sign now: the current one, and the previous one during its
    /// overlap.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if let (Some(prev), Some(until)) = (&self.previous_secret, self.previous_secret_until) {
            if from_db(until) > now {
                out.push(prev);
            }
        }
        out
    }

    pub fn previous_secret_expires_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        from_db_opt(self.previous_secret_until).filter(|t| *t > now)
    }
}

pub struct NewEndpoint<'a> {
    pub shop_id: &'a str,
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub events: &'a [String],
    pub sealed_secret: &'a str,
}

/// Adds an endpoint unless the shop has `limit` already. The shop's row is locked so two
/// registrations at once cannot both take the last place.
pub fn create(
    conn: &mut DbConnection,
    e: &NewEndpoint<'_>,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<EndpointRow, DbError> {
    create_as(conn, None, e, limit, now)
}

/// [`create`] under a chosen id (the demo's fixed ids); a new one when `None`.
pub fn create_as(
    conn: &mut DbConnection,
    id: Option<&str>,
    e: &NewEndpoint<'_>,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<EndpointRow, DbError> {
    write_tx(conn, |conn| {
        use super::schema::shops;
        let _shop: String =
            crate::first_for_update!(conn, shops::table.find(e.shop_id).select(shops::id))?
                .ok_or(Refused::UnknownShop)?;
        let count: i64 = we::table
            .filter(we::shop_id.eq(e.shop_id))
            .count()
            .get_result(conn)?;
        if count >= limit {
            return Err(Refused::WebhookLimitReached.into());
        }
        let id = id.map_or_else(new_id, str::to_string);
        diesel::insert_into(we::table)
            .values((
                we::id.eq(&id),
                we::shop_id.eq(e.shop_id),
                we::url.eq(e.url),
                we::description.eq(e.description),
                we::events.eq(serde_json::to_string(e.events).unwrap_or_default()),
                we::enabled.eq(true),
                we::secret.eq(e.sealed_secret),
                we::created_at.eq(to_db(now)),
                we::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        find(conn, &id)
    })
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<EndpointRow, DbError> {
    Ok(we::table
        .find(id)
        .select(EndpointRow::as_select())
        .first(conn)?)
}

/// The endpoint if it belongs to the shop; another shop's endpoint is not found.
pub fn find_of_shop(
    conn: &mut DbConnection,
    shop_id: &str,
    id: &str,
) -> Result<EndpointRow, DbError> {
    Ok(we::table
        .find(id)
        .filter(we::shop_id.eq(shop_id))
        .select(EndpointRow::as_select())
        .first(conn)?)
}

/// The endpoint if it belongs to the shop, locked for the rest of the transaction.
fn lock_of_shop(conn: &mut DbConnection, shop_id: &str, id: &str) -> Result<EndpointRow, DbError> {
    crate::first_for_update!(
        conn,
        we::table
            .find(id)
            .filter(we::shop_id.eq(shop_id))
            .select(EndpointRow::as_select())
    )?
    .ok_or(DbError::NotFound)
}

pub fn list(conn: &mut DbConnection, shop_id: &str) -> Result<Vec<EndpointRow>, DbError> {
    Ok(we::table
        .filter(we::shop_id.eq(shop_id))
        .order(we::id)
        .select(EndpointRow::as_select())
        .load(conn)?)
}

/// A partial change; `None` keeps the field.
#[derive(Default)]
pub struct EndpointChange<'a> {
    pub url: Option<&'a str>,
    pub description: Option<Option<&'a str>>,
    pub events: Option<&'a [String]>,
    pub enabled: Option<bool>,
}

pub fn update(
    conn: &mut DbConnection,
    shop_id: &str,
    id: &str,
    change: &EndpointChange<'_>,
    now: DateTime<Utc>,
) -> Result<EndpointRow, DbError> {
    write_tx(conn, |conn| {
        let row = lock_of_shop(conn, shop_id, id)?;
        let url = change.url.unwrap_or(&row.url);
        let description = change.description.unwrap_or(row.description.as_deref());
        let events = match change.events {
            Some(e) => serde_json::to_string(e).unwrap_or_default(),
            None => row.events.clone(),
        };
        let enabled = change.enabled.unwrap_or(row.enabled);
        // Turning an endpoint back on starts its failure count afresh.
        let (reason, failing_since) = match (enabled, row.enabled) {
            (true, false) => (None, None),
            (true, true) => (None, row.failing_since),
            (false, true) => (Some(DisabledReason::Seller.as_str()), row.failing_since),
            (false, false) => (row.disabled_reason.as_deref(), row.failing_since),
        };
        diesel::update(we::table.find(id))
            .set((
                we::url.eq(url),
                we::description.eq(description),
                we::events.eq(events),
                we::enabled.eq(enabled),
                we::disabled_reason.eq(reason),
                we::failing_since.eq(failing_since),
                we::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        find(conn, id)
    })
}

/// Deletes an endpoint with its deliveries and their attempts (the messages stay: another
/// endpoint may still deliver them).
pub fn delete(conn: &mut DbConnection, shop_id: &str, id: &str) -> Result<(), DbError> {
    use super::schema::{webhook_attempts as wa, webhook_deliveries as wd};
    write_tx(conn, |conn| {
        let row: String = crate::first_for_update!(
            conn,
            we::table
                .find(id)
                .filter(we::shop_id.eq(shop_id))
                .select(we::id)
        )?
        .ok_or(DbError::NotFound)?;
        let deliveries = wd::table.filter(wd::endpoint_id.eq(&row)).select(wd::id);
        diesel::delete(wa::table.filter(wa::delivery_id.eq_any(deliveries))).execute(conn)?;
        diesel::delete(wd::table.filter(wd::endpoint_id.eq(&row))).execute(conn)?;
        diesel::delete(we::table.find(&row)).execute(conn)?;
        Ok(())
    })
}

/// A new secret; the current one keeps signing beside it for `overlap`.
pub fn rotate_secret(
    conn: &mut DbConnection,
    shop_id: &str,
    id: &str,
    sealed_secret: &str,
    overlap: TimeDelta,
    now: DateTime<Utc>,
) -> Result<EndpointRow, DbError> {
    write_tx(conn, |conn| {
        let row = lock_of_shop(conn, shop_id, id)?;
        diesel::update(we::table.find(id))
            .set((
                we::previous_secret.eq(Some(&row.secret)),
                we::previous_secret_until.eq(Some(to_db(now + overlap))),
                we::secret.eq(sealed_secret),
                we::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        find(conn, id)
    })
}
