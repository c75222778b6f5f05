//! A failed delivery (docs/rules.md "Orders"): after the second failed attempt upstream reports
//! `returned_to_seller`; the buyer chooses a refund or a redelivery, and a refund is due within
//! 1 hour of the choice. Pure rules over the case's state.
use crate::policy::ReturnPolicy;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum!(
    #[schema(as = DeliveryFailureChoice)]
    Choice { Refund => "refund", Redelivery => "redelivery" }
);

text_enum!(
    #[schema(as = DeliveryFailureStatus)]
    Status {
        AwaitingChoice => "awaiting_choice",
        RefundPending => "refund_pending",
        Refunded => "refunded",
        RedeliveryRequested => "redelivery_requested",
    }
);

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub status: Status,
    pub opened_at: DateTime<Utc>,
    pub chosen_at: Option<DateTime<Utc>>,
    pub refund_due_by: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    pub refund_amount: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The buyer already chose (409 `already_chosen`).
    AlreadyChosen,
    /// No refund is pending (409 `invalid_transition`).
    NoRefundPending,
    /// (field, code)
    Invalid(&'static str, &'static str),
}

pub fn open(now: DateTime<Utc>) -> Failure {
    Failure {
        status: Status::AwaitingChoice,
        opened_at: now,
        chosen_at: None,
        refund_due_by: None,
        refunded_at: None,
        refund_amount: None,
    }
}

/// The buyer's choice; a refund becomes due `failed_delivery_refund_due_hours` after it.
pub fn choose(
    f: &Failure,
    choice: Choice,
    now: DateTime<Utc>,
    p: &ReturnPolicy,
) -> Result<Failure, Refusal> {
    if f.status != Status::AwaitingChoice {
        return Err(Refusal::AlreadyChosen);
    }
    let mut next = f.clone();
    next.chosen_at = Some(now);
    match choice {
        Choice::Refund => {
            next.status = Status::RefundPending;
            next.refund_due_by = Some(now + TimeDelta::hours(p.failed_delivery_refund_due_hours));
        }
        Choice::Redelivery => next.status = Status::RedeliveryRequested,
    }
    Ok(next)
}

/// Records the refund: at least 1 tenge, at most what the order cost.
pub fn refund(
    f: &Failure,
    amount: i64,
    order_total: i64,
    now: DateTime<Utc>,
) -> Result<Failure, Refusal> {
    if f.status != Status::RefundPending {
        return Err(Refusal::NoRefundPending);
    }
    if amount < 1 {
        return Err(Refusal::Invalid("amount", "range"));
    }
    if amount > order_total {
        return Err(Refusal::Invalid("amount", "exceeds_order_total"));
    }
    let mut next = f.clone();
    next.status = Status::Refunded;
    next.refunded_at = Some(now);
    next.refund_amount = Some(amount);
    Ok(next)
}

impl Failure {
    /// The refund deadline, when it passed (or the refund came after it).
    pub fn breach(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let due = self.refund_due_by?;
        let late = match self.refunded_at {
            Some(at) => at > due,
            None => self.status == Status::RefundPending && now > due,
        };
        late.then_some(due)
    }

    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        (self.status == Status::RefundPending)
            .then_some(self.refund_due_by)
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn refund_is_due_an_hour_after_the_choice() {
        let p = Policy::default().returns;
        let f = open(t("2026-11-20T10:00:00Z"));
        let chosen = choose(&f, Choice::Refund, t("2026-11-20T12:00:00Z"), &p).unwrap();
        assert_eq!(chosen.refund_due_by, Some(t("2026-11-20T13:00:00Z")));
        assert_eq!(chosen.breach(t("2026-11-20T13:00:00Z")), None);
        assert_eq!(
            chosen.breach(t("2026-11-20T13:00:01Z")),
            Some(t("2026-11-20T13:00:00Z"))
        );
        assert_eq!(
            choose(&chosen, Choice::Redelivery, t("2026-11-20T12:00:01Z"), &p),
            Err(Refusal::AlreadyChosen)
        );
        assert_eq!(
            refund(&chosen, 5001, 5000, t("2026-11-20T12:30:00Z")),
            Err(Refusal::Invalid("amount", "exceeds_order_total"))
        );
        let done = refund(&chosen, 5000, 5000, t("2026-11-20T13:00:00Z")).unwrap();
        assert_eq!(done.breach(t("2026-11-21T00:00:00Z")), None);
        let late = refund(&chosen, 5000, 5000, t("2026-11-20T13:00:01Z")).unwrap();
        assert_eq!(late.breach(t("2026-11-20T13:00:01Z")), chosen.refund_due_by);
    }

    #[test]
    fn redelivery_owes_no_refund() {
        let p = Policy::default().returns;
        let f = open(t("2026-11-20T10:00:00Z"));
        let r = choose(&f, Choice::Redelivery, t("2026-11-20T10:00:00Z"), &p).unwrap();
        assert_eq!(r.status, Status::RedeliveryRequested);
        assert_eq!(r.due_at(), None);
        assert_eq!(r.breach(t("2027-01-01T00:00:00Z")), None);
        assert_eq!(
            refund(&r, 1, 10, t("2026-11-20T10:00:00Z")),
            Err(Refusal::NoRefundPending)
        );
    }
}
