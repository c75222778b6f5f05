//! A refund as every view shows it (a return's, a failed delivery's): what was paid back and
//! when, one shape so that clients read refunds one way.
use crate::api::Money;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Refund {
    pub amount: Money,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub refunded_at: DateTime<Utc>,
}

impl Refund {
    /// The refund once both its amount and its instant are recorded.
    pub fn of(amount: Option<i64>, refunded_at: Option<DateTime<Utc>>) -> Option<Refund> {
        amount.zip(refunded_at).map(|(amount, at)| Refund {
            amount: Money::kzt(amount),
            refunded_at: at,
        })
    }
}
