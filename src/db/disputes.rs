//! The one link between two areas: a buyer disputes a return's rejection with a seller
//! complaint, and a moderator upholding that complaint overturns the rejection. Complaints and
//! returns know this module, not each other.
use super::complaints::{self, Filing};
use super::orders::OrderRow;
use super::returns::ReturnRow;
use super::schema::orders as o;
use super::{DbConnection, DbError};
use crate::domain::caller::Caller;
use crate::domain::complaints::{Category, Target};
use crate::domain::returns::ReturnStepData;
use crate::policy::ComplaintPolicy;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// The buyer disputes the rejection: a seller complaint (`return_refused`) linked to the
/// return, filed in the return's transaction.
pub fn open(
    conn: &mut DbConnection,
    row: &ReturnRow,
    caller: &Caller,
    step: &ReturnStepData,
    attachment_ids: &[String],
    policy: &ComplaintPolicy,
    now: DateTime<Utc>,
) -> Result<complaints::ComplaintRow, DbError> {
    let order: OrderRow = o::table
        .find(&row.order_id)
        .select(OrderRow::as_select())
        .first(conn)?;
    let account = super::users::find(conn, &caller.id)?.ok_or(DbError::NotFound)?;
    let filing = Filing {
        order_id: row.order_id.clone(),
        target: Target::Seller,
        category: Category::ReturnRefused,
        description: match step {
            ReturnStepData::Disputed { explanation, .. } => explanation.clone(),
            _ => String::new(),
        },
        details: serde_json::json!({
            "desired_resolution": "refund",
            "contact": {"phone": account.phone, "email": account.email},
            "return_id": row.id,
            "return_number": row.number,
        }),
        attachment_ids: attachment_ids.to_vec(),
    };
    complaints::open_linked(conn, caller, &order, &filing, policy, now)
}

/// A moderator upheld a complaint: if it disputes a return's rejection, the return becomes
/// approved, in the complaint's transaction.
pub fn settle(
    conn: &mut DbConnection,
    complaint_id: &str,
    moderator: &Caller,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    super::returns::overturn_linked(conn, complaint_id, moderator, now)
}
