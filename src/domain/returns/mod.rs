//! Return rules: which items may go back for which reason until when, with what evidence, and
//! the return's state machine with its deadlines. Pure: a function of (return, actor, command,
//! now, policy) that gives the next state or a typed refusal.
//!
//! docs/rules.md "Returns": windows count from delivery (`damaged_in_delivery` 10 days city / 45
//! intercity, `defective` 30, `not_as_described`/`wrong_item`/`incomplete`/`changed_mind` 14);
//! the seller decides within 2 business days (silence escalates to the moderators); a rejection
//! may be disputed once within 14 days; the pickup scan makes the refund due within 1 hour.
use crate::calendar::business_deadline;
use crate::domain::complaints::Status as ComplaintStatus;
use crate::domain::orders::DeliveryType;
use crate::domain::roles::Role;
use crate::policy::ReturnPolicy;
use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

mod deadlines;
mod steps;
mod transitions;
mod windows;
pub use deadlines::*;
pub use steps::*;
pub use transitions::*;
pub use windows::*;

text_enum!(
    /// Why the buyer returns the items; each has its own window and evidence.
    #[schema(as = ReturnReason)]
    Reason {
        DamagedInDelivery => "damaged_in_delivery",
        Defective => "defective",
        NotAsDescribed => "not_as_described",
        WrongItem => "wrong_item",
        Incomplete => "incomplete",
        ChangedMind => "changed_mind",
    }
);

text_enum!(
    #[schema(as = ReturnStatus)]
    Status {
        Requested => "requested",
        Approved => "approved",
        Rejected => "rejected",
        PickupScheduled => "pickup_scheduled",
        PickedUp => "picked_up",
        Refunded => "refunded",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// Why a seller refuses a return (shown to the buyer with the seller's explanation).
    #[schema(as = ReturnRejectionReason)]
    RejectionReason {
        SignsOfUse => "signs_of_use",
        DefectNotConfirmed => "defect_not_confirmed",
        MatchesDescription => "matches_description",
        IncompleteReturn => "incomplete_return",
        InsufficientEvidence => "insufficient_evidence",
        Other => "other",
    }
);

text_enum!(
    /// What can be done to a return; a 409 lists the ones open to the caller.
    #[schema(as = ReturnAction)]
    Action {
        Approve => "approve",
        Reject => "reject",
        Dispute => "dispute",
        SchedulePickup => "schedule_pickup",
        PickUp => "pick_up",
        Refund => "refund",
        Cancel => "cancel",
    }
);

text_enum!(
    /// Deadlines the sweep watches.
    #[schema(as = ReturnSla)]
    Sla { SellerDecision => "seller_decision", Refund => "refund" }
);

text_enum!(
    /// What a reason needs as evidence.
    #[schema(as = ReturnEvidence)]
    Evidence { None => "none", Photo => "photo", PhotoOrDocument => "photo_or_document" }
);

impl Reason {
    pub fn evidence(self) -> Evidence {
        match self {
            Reason::ChangedMind => Evidence::None,
            Reason::Defective => Evidence::PhotoOrDocument,
            _ => Evidence::Photo,
        }
    }
}

impl Evidence {
    /// Whether the uploaded files' media types satisfy the requirement.
    pub fn met_by(self, content_types: &[&str]) -> bool {
        let photo = |t: &&str| t.starts_with("image/");
        match self {
            Evidence::None => true,
            Evidence::Photo => content_types.iter().any(photo),
            Evidence::PhotoOrDocument => content_types
                .iter()
                .any(|t| photo(t) || *t == "application/pdf"),
        }
    }
    /// The field error code when unmet.
    pub fn missing_code(self) -> &'static str {
        match self {
            Evidence::PhotoOrDocument => "photo_or_document_required",
            _ => "photo_required",
        }
    }
}

impl Status {
    /// Before the courier took the items: the buyer may still cancel.
    pub fn before_pickup(self) -> bool {
        matches!(
            self,
            Status::Requested | Status::Approved | Status::PickupScheduled
        )
    }
}

impl Action {
    /// The roles that may ever take this action; anyone else gets 403.
    pub fn roles(self) -> &'static [Role] {
        use Action::*;
        match self {
            // A moderator approves or rejects once the seller's silence escalated the return.
            Approve | Reject => &[Role::Seller, Role::Moderator],
            Dispute | Cancel => &[Role::Buyer],
            SchedulePickup | Refund => &[Role::Seller, Role::Service],
            PickUp => &[Role::Service],
        }
    }

    /// The timeline event it writes.
    pub fn event_kind(self) -> &'static str {
        use Action::*;
        match self {
            Approve => "approved",
            Reject => "rejected",
            Dispute => "disputed",
            SchedulePickup => "pickup_scheduled",
            PickUp => "picked_up",
            Refund => "refunded",
            Cancel => "cancelled",
        }
    }
}

/// The state a transition reads and writes; the database row maps to it 1:1.
#[derive(Debug, Clone, PartialEq)]
pub struct Return {
    pub status: Status,
    pub requested_at: DateTime<Utc>,
    pub seller_decide_by: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub dispute_until: Option<DateTime<Utc>>,
    pub disputed_at: Option<DateTime<Utc>>,
    pub pickup_at: Option<DateTime<Utc>>,
    pub picked_up_at: Option<DateTime<Utc>>,
    pub refund_due_by: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    pub refund_amount: Option<i64>,
    /// What the buyer paid for the returned items: the refund's ceiling.
    pub refundable: i64,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// What the caller asks for; payloads are already shape-checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Approve,
    Reject(RejectionReason),
    Dispute,
    SchedulePickup { at: DateTime<Utc> },
    PickUp { at: DateTime<Utc> },
    Refund { amount: i64 },
    Cancel,
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::Approve => Action::Approve,
            Command::Reject(_) => Action::Reject,
            Command::Dispute => Action::Dispute,
            Command::SchedulePickup { .. } => Action::SchedulePickup,
            Command::PickUp { .. } => Action::PickUp,
            Command::Refund { .. } => Action::Refund,
            Command::Cancel => Action::Cancel,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The role may never do this (403).
    Forbidden,
    /// Not in this state (409), with what the caller could do instead.
    InvalidState {
        allowed: Vec<Action>,
    },
    AlreadyDisputed,
    DisputeWindowClosed,
    /// A moderator acted on the return directly while its dispute can still change (409).
    UnderDispute,
    /// A field of the payload breaks a rule: (field, code).
    Invalid(&'static str, &'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub role: Role,
    pub id: &'a str,
}

#[cfg(test)]
mod fixtures {
    use super::*;
    use crate::policy::Policy;

    pub(super) fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    pub(super) fn policy() -> ReturnPolicy {
        Policy::default().returns
    }
    pub(super) const SELLER: Actor = Actor {
        role: Role::Seller,
        id: "s1",
    };
    pub(super) const BUYER: Actor = Actor {
        role: Role::Buyer,
        id: "b1",
    };
    pub(super) const MOD: Actor = Actor {
        role: Role::Moderator,
        id: "m1",
    };
    pub(super) const SERVICE: Actor = Actor {
        role: Role::Service,
        id: "svc",
    };

    pub(super) fn facts(kind: DeliveryType) -> OrderFacts {
        OrderFacts {
            is_buyer: true,
            delivery_type: kind,
            delivered_at: Some(t("2026-11-02T10:00:00Z")),
        }
    }

    pub(super) fn requested() -> Return {
        // Friday 2026-11-20 18:30 Almaty: 2 business days → Tuesday 23:59:59 Almaty.
        open_return(t("2026-11-20T13:30:00Z"), 30_000, &policy())
    }
}
