//! Complaint rules: who may file what until when, the case state machine, and every SLA
//! deadline. Pure: a function of (case, actor, command, now, policy) that returns the next
//! case or a typed refusal. Handlers and the sweep never re-implement a transition.
//!
//! Clocks (docs/rules.md "Complaints"):
//! - acknowledge: 3 business days after filing;
//! - seller response (seller cases): 48 hours after filing; silence escalates (the sweep);
//! - resolution: by track, from filing (or from the appeal for a reopened case) — `standard`
//!   3 business days, `complex` 10 days, `expertise` 30 days; `awaiting_buyer` pauses it and
//!   the paused time is added back; an extension sets a later date;
//! - escalation by the buyer: once no public reply came for 2 business days;
//! - appeal: once, within 14 days of the resolution.
use crate::calendar::business_deadline;
use crate::domain::orders::DeliveryType;
use crate::domain::roles::Role;
use crate::policy::ComplaintPolicy;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod deadlines;
mod filing;
mod steps;
mod transitions;
pub use filing::*;
pub use steps::*;
pub use transitions::*;

text_enum!(
    /// Whom the complaint is about.
    #[schema(as = ComplaintTarget)]
    Target { Courier => "courier", Seller => "seller" }
);

text_enum!(
    #[schema(as = ComplaintCategory)]
    Category {
        DeliveryDelay => "delivery_delay",
        DamagedInDelivery => "damaged_in_delivery",
        CourierMisconduct => "courier_misconduct",
        CourierUnreachable => "courier_unreachable",
        WrongDelivery => "wrong_delivery",
        NotAsDescribed => "not_as_described",
        Defective => "defective",
        DeliveryDeadlineMissed => "delivery_deadline_missed",
        StaffMisconduct => "staff_misconduct",
        ReturnRefused => "return_refused",
        Fraud => "fraud",
        Other => "other",
    }
);

text_enum!(DesiredResolution {
    Refund => "refund",
    PartialRefund => "partial_refund",
    Replacement => "replacement",
    Redelivery => "redelivery",
    Compensation => "compensation",
    Apology => "apology",
    Other => "other",
});

text_enum!(
    #[schema(as = ComplaintStatus)]
    Status {
        Submitted => "submitted",
        Acknowledged => "acknowledged",
        InReview => "in_review",
        AwaitingBuyer => "awaiting_buyer",
        Resolved => "resolved",
        Closed => "closed",
        Withdrawn => "withdrawn",
        Reopened => "reopened",
    }
);

text_enum!(
    #[schema(as = ComplaintTrack)]
    Track { Standard => "standard", Complex => "complex", Expertise => "expertise" }
);

text_enum!(
    #[schema(as = ComplaintOutcome)]
    Outcome {
        Upheld => "upheld",
        PartiallyUpheld => "partially_upheld",
        Rejected => "rejected",
    }
);

text_enum!(RemedyKind {
    Refund => "refund",
    PartialRefund => "partial_refund",
    Compensation => "compensation",
    Redelivery => "redelivery",
    Replacement => "replacement",
    None => "none",
});

text_enum!(
    #[schema(as = ExternalAuthority)]
    Authority {
        ETutynushy => "e_tutynushy",
        Eotinish => "eotinish",
        Court => "court",
        Other => "other",
    }
);

text_enum!(
    /// Who may read an event: everyone on the case, or moderators only.
    #[schema(as = EventAudience)]
    Audience { Public => "public", Internal => "internal" }
);

text_enum!(
    /// Every deadline the sweep watches.
    #[schema(as = ComplaintSla)]
    Sla { Acknowledge => "acknowledge", SellerResponse => "seller_response", Resolution => "resolution" }
);

text_enum!(
    /// What can be done to a case; a 409 lists the ones open to the caller.
    #[schema(as = ComplaintAction)]
    Action {
        Acknowledge => "acknowledge",
        Respond => "respond",
        RequestInfo => "request_info",
        ProvideInfo => "provide_info",
        Assign => "assign",
        StartReview => "start_review",
        ChangeTrack => "change_track",
        Extend => "extend",
        Resolve => "resolve",
        Accept => "accept",
        Appeal => "appeal",
        Escalate => "escalate",
        Withdraw => "withdraw",
        RecordExternalEscalation => "record_external_escalation",
        PostMessage => "post_message",
    }
);

impl Category {
    pub fn valid_for(self, target: Target) -> bool {
        use Category::*;
        match target {
            Target::Courier => matches!(
                self,
                DeliveryDelay
                    | DamagedInDelivery
                    | CourierMisconduct
                    | CourierUnreachable
                    | WrongDelivery
                    | Other
            ),
            Target::Seller => matches!(
                self,
                NotAsDescribed
                    | Defective
                    | DeliveryDeadlineMissed
                    | StaffMisconduct
                    | ReturnRefused
                    | Fraud
                    | Other
            ),
        }
    }
}

impl Status {
    /// Not yet decided: the buyer may still withdraw.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Submitted
                | Status::Acknowledged
                | Status::InReview
                | Status::AwaitingBuyer
                | Status::Reopened
        )
    }
    /// Waiting on a moderator (the moderation queue shows these).
    pub fn needs_moderator(self) -> bool {
        self.is_open() && self != Status::AwaitingBuyer
    }
}

impl RemedyKind {
    /// Kinds that carry an amount in tenge.
    pub fn needs_amount(self) -> bool {
        matches!(self, RemedyKind::PartialRefund | RemedyKind::Compensation)
    }
}

impl Action {
    /// The roles that may ever take this action; anyone else gets 403.
    pub fn roles(self) -> &'static [Role] {
        use Action::*;
        match self {
            Acknowledge | Assign | StartReview | ChangeTrack | Extend | Resolve => {
                &[Role::Moderator]
            }
            Respond => &[Role::Seller],
            RequestInfo => &[Role::Moderator, Role::Seller],
            ProvideInfo | Accept | Appeal | Escalate | Withdraw | RecordExternalEscalation => {
                &[Role::Buyer]
            }
            PostMessage => &[Role::Buyer, Role::Seller, Role::Moderator],
        }
    }

    /// The timeline event it writes.
    pub fn event_kind(self) -> &'static str {
        use Action::*;
        match self {
            Acknowledge => "acknowledged",
            Respond => "seller_responded",
            RequestInfo => "info_requested",
            ProvideInfo => "info_provided",
            Assign => "assigned",
            StartReview => "review_started",
            ChangeTrack => "track_changed",
            Extend => "extended",
            Resolve => "resolved",
            Accept => "accepted",
            Appeal => "appealed",
            Escalate => "escalated",
            Withdraw => "withdrawn",
            RecordExternalEscalation => "external_escalation",
            PostMessage => "message",
        }
    }
}

/// The deadlines and state a transition reads and writes. The database row maps to it 1:1.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub status: Status,
    pub target: Target,
    pub track: Track,
    pub filed_at: DateTime<Utc>,
    pub acknowledge_by: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub seller_respond_by: Option<DateTime<Utc>>,
    pub seller_responded_at: Option<DateTime<Utc>>,
    /// When the resolution clock (re)started: filing, or the appeal.
    pub clock_started_at: DateTime<Utc>,
    pub paused_at: Option<DateTime<Utc>>,
    /// Seconds spent in `awaiting_buyer` since the clock started.
    pub paused_secs: i64,
    pub resolve_by: DateTime<Utc>,
    pub extended: bool,
    /// Filing, or the latest public step of a seller or moderator.
    pub last_reply_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    pub appeal_until: Option<DateTime<Utc>>,
    pub appealed_at: Option<DateTime<Utc>>,
    /// The moderator whose decision was appealed; they may not decide the appeal.
    pub appealed_resolver: Option<String>,
}

/// What the caller asks for. Payloads are already shape-checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Acknowledge,
    Respond,
    RequestInfo,
    ProvideInfo,
    Assign { moderator_id: String },
    StartReview,
    ChangeTrack(Track),
    Extend { resolve_by: DateTime<Utc> },
    Resolve(Resolution),
    Accept,
    Appeal,
    Escalate,
    Withdraw,
    RecordExternalEscalation,
    PostMessage { internal: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub outcome: Outcome,
    pub remedy: RemedyKind,
    pub amount: Option<i64>,
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::Acknowledge => Action::Acknowledge,
            Command::Respond => Action::Respond,
            Command::RequestInfo => Action::RequestInfo,
            Command::ProvideInfo => Action::ProvideInfo,
            Command::Assign { .. } => Action::Assign,
            Command::StartReview => Action::StartReview,
            Command::ChangeTrack(_) => Action::ChangeTrack,
            Command::Extend { .. } => Action::Extend,
            Command::Resolve(_) => Action::Resolve,
            Command::Accept => Action::Accept,
            Command::Appeal => Action::Appeal,
            Command::Escalate => Action::Escalate,
            Command::Withdraw => Action::Withdraw,
            Command::RecordExternalEscalation => Action::RecordExternalEscalation,
            Command::PostMessage { .. } => Action::PostMessage,
        }
    }
}

/// Why a command was refused; each maps to one stable error code.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The role may never do this (403).
    Forbidden,
    /// Not in this state (409), with what the caller could do instead.
    InvalidState {
        allowed: Vec<Action>,
    },
    AlreadyAppealed,
    AppealWindowClosed,
    AlreadyEscalated,
    /// No public reply is owed yet; the buyer may escalate after this instant.
    EscalationNotYetAllowed {
        from: DateTime<Utc>,
    },
    /// A reopened case is decided by another moderator.
    AnotherModeratorRequired,
    /// A seller case is the seller's until they answer, stay silent past their deadline or
    /// the buyer escalates (409 `seller_acts_first`).
    SellerActsFirst,
    /// A field of the payload breaks a rule: (field, code).
    Invalid(&'static str, &'static str),
}

/// Who acts: the role, and their id (for the other-moderator rule).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub role: Role,
    pub id: &'a str,
}

#[cfg(test)]
mod tests;
