//! Money as the API shows it and the figures count it: whole tenge. A domain value (the
//! figures and the refunds are counted in it), so `api`, `db` and `domain` share this one.
use serde::Serialize;
use utoipa::ToSchema;

/// Money in whole tenge.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Money {
    pub amount: i64,
    /// Always `KZT`.
    #[schema(example = "KZT")]
    pub currency: &'static str,
}

impl Money {
    pub fn kzt(amount: i64) -> Self {
        Money {
            amount,
            currency: "KZT",
        }
    }
}
