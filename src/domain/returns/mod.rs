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

mod steps;
pub use steps::*;

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

// ---------------------------------------------------------------------------------------
// Requesting
// ---------------------------------------------------------------------------------------

/// What a request needs to know about the order.
#[derive(Debug, Clone, Copy)]
pub struct OrderFacts {
    pub is_buyer: bool,
    pub delivery_type: DeliveryType,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestRefusal {
    NotOrderBuyer,
    NotDelivered,
    WindowClosed,
    /// `changed_mind` for an excluded category (medicines, underwear, …).
    ReasonExcluded,
    /// Every unit is already in another return.
    NothingLeft,
}

/// The window's length for a reason (days after delivery).
pub fn window_days(reason: Reason, delivery: DeliveryType, p: &ReturnPolicy) -> i64 {
    match reason {
        Reason::DamagedInDelivery => match delivery {
            DeliveryType::City => p.damaged_window_days_city,
            DeliveryType::Intercity => p.damaged_window_days_intercity,
        },
        Reason::Defective => p.defective_window_days,
        Reason::NotAsDescribed | Reason::WrongItem | Reason::Incomplete => p.mismatch_window_days,
        Reason::ChangedMind => p.changed_mind_window_days,
    }
}

/// May the buyer return an item of `category` for `reason` now? Ok carries the window's last
/// instant (delivery + N × 24 h, inclusive).
pub fn may_request(
    o: &OrderFacts,
    reason: Reason,
    category: Option<&str>,
    now: DateTime<Utc>,
    p: &ReturnPolicy,
) -> Result<DateTime<Utc>, RequestRefusal> {
    if !o.is_buyer {
        return Err(RequestRefusal::NotOrderBuyer);
    }
    let delivered = o.delivered_at.ok_or(RequestRefusal::NotDelivered)?;
    if reason == Reason::ChangedMind
        && category.is_some_and(|c| p.changed_mind_excluded_categories.iter().any(|x| x == c))
    {
        return Err(RequestRefusal::ReasonExcluded);
    }
    let until = delivered + TimeDelta::days(window_days(reason, o.delivery_type, p));
    if now > until {
        return Err(RequestRefusal::WindowClosed);
    }
    Ok(until)
}

/// Per item: every reason still open with its last instant. An item is returnable while the
/// list is non-empty and units are left.
pub fn open_reasons(
    o: &OrderFacts,
    category: Option<&str>,
    now: DateTime<Utc>,
    p: &ReturnPolicy,
) -> Result<Vec<(Reason, DateTime<Utc>)>, RequestRefusal> {
    let mut open = Vec::new();
    for reason in Reason::ALL {
        match may_request(o, *reason, category, now, p) {
            Ok(until) => open.push((*reason, until)),
            Err(r @ (RequestRefusal::NotOrderBuyer | RequestRefusal::NotDelivered)) => {
                return Err(r)
            }
            Err(_) => {}
        }
    }
    if open.is_empty() {
        return Err(RequestRefusal::WindowClosed);
    }
    Ok(open)
}

/// One line of a request: which order item, how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub order_item_id: String,
    pub quantity: i32,
}

/// Whether a return still holds its units against new requests. A cancelled return does not,
/// nor a rejection that stands: nobody disputed it, or the dispute's complaint was closed or
/// withdrawn without overturning it. A rejection under a live dispute (open, or decided and
/// still appealable) may yet be overturned and keeps them.
pub fn holds_units(status: Status, dispute: Option<crate::domain::complaints::Status>) -> bool {
    use crate::domain::complaints::Status as Case;
    match status {
        Status::Cancelled => false,
        Status::Rejected => dispute.is_some_and(|s| s.is_open() || s == Case::Resolved),
        _ => true,
    }
}

/// Units of each item left after what the holding returns take: `bought` per item id, and
/// (item id, quantity, return status, dispute status) per returned line.
pub fn units_left<'a>(
    bought: impl IntoIterator<Item = (&'a str, i32)>,
    lines: impl IntoIterator<
        Item = (
            &'a str,
            i32,
            Status,
            Option<crate::domain::complaints::Status>,
        ),
    >,
) -> HashMap<String, i32> {
    let mut left: HashMap<String, i32> = bought
        .into_iter()
        .map(|(id, q)| (id.to_string(), q))
        .collect();
    for (item, quantity, status, dispute) in lines {
        if holds_units(status, dispute) {
            if let Some(n) = left.get_mut(item) {
                *n -= quantity;
            }
        }
    }
    left
}

/// Quantities against what was bought minus what other returns hold. Returns every problem as
/// (field, code).
pub fn check_lines(
    lines: &[Line],
    available: &HashMap<String, i32>,
) -> Vec<(String, &'static str)> {
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        if !seen.insert(line.order_item_id.as_str()) {
            errors.push((format!("items[{i}].order_item_id"), "duplicate"));
            continue;
        }
        match available.get(&line.order_item_id) {
            None => errors.push((format!("items[{i}].order_item_id"), "not_in_order")),
            Some(left) if line.quantity > *left => {
                errors.push((format!("items[{i}].quantity"), "exceeds_available"))
            }
            Some(_) => {}
        }
    }
    errors
}

/// A new return as requested at `now`.
pub fn open_return(now: DateTime<Utc>, refundable: i64, p: &ReturnPolicy) -> Return {
    Return {
        status: Status::Requested,
        requested_at: now,
        seller_decide_by: business_deadline(now, p.seller_decision_business_days),
        escalated_at: None,
        decided_at: None,
        decided_by: None,
        dispute_until: None,
        disputed_at: None,
        pickup_at: None,
        picked_up_at: None,
        refund_due_by: None,
        refunded_at: None,
        refund_amount: None,
        refundable,
        cancelled_at: None,
    }
}

// ---------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------

impl Return {
    /// The deadline now running, if any (lists, the moderation queue, the sweep).
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        match self.status {
            Status::Requested => Some(self.seller_decide_by),
            Status::PickedUp => self.refund_due_by,
            _ => None,
        }
    }

    /// Deadlines passed as of `now`: (which, due). The sweep records each once.
    pub fn breaches(&self, now: DateTime<Utc>) -> Vec<(Sla, DateTime<Utc>)> {
        let mut out = Vec::new();
        if self.status == Status::Requested && now > self.seller_decide_by {
            out.push((Sla::SellerDecision, self.seller_decide_by));
        }
        if let Some(due) = self.refund_due_by {
            // A refund recorded after its deadline is a breach too.
            let late = match self.refunded_at {
                Some(at) => at > due,
                None => self.status == Status::PickedUp && now > due,
            };
            if late {
                out.push((Sla::Refund, due));
            }
        }
        out
    }
}

/// The seller did not decide in time: the sweep hands the return to the moderators.
pub fn escalate_for_silence(r: &Return, now: DateTime<Utc>) -> Option<Return> {
    if r.status != Status::Requested || r.escalated_at.is_some() || now <= r.seller_decide_by {
        return None;
    }
    let mut next = r.clone();
    next.escalated_at = Some(now);
    Some(next)
}

// ---------------------------------------------------------------------------------------
// Transitions
// ---------------------------------------------------------------------------------------

/// Whether `role` may take `action` in the return's state (ignoring payload rules).
fn open_in_state(r: &Return, action: Action, role: Role, now: DateTime<Utc>) -> bool {
    use Action::*;
    use Status::*;
    let s = r.status;
    match action {
        Approve => match role {
            Role::Seller => s == Requested,
            // Moderators decide escalated returns and may overturn a disputed rejection.
            Role::Moderator => {
                (s == Requested && r.escalated_at.is_some())
                    || (s == Rejected && r.disputed_at.is_some())
            }
            _ => false,
        },
        Reject => match role {
            Role::Seller => s == Requested,
            Role::Moderator => s == Requested && r.escalated_at.is_some(),
            _ => false,
        },
        Dispute => {
            s == Rejected && r.disputed_at.is_none() && r.dispute_until.is_some_and(|u| now <= u)
        }
        SchedulePickup => matches!(s, Approved | PickupScheduled),
        // A scan is a physical fact from upstream (a parcel handed in at a pickup point or a
        // postomat): it is taken whether or not the seller scheduled a pickup.
        PickUp => matches!(s, Approved | PickupScheduled),
        Refund => s == PickedUp,
        Cancel => s.before_pickup(),
    }
}

/// What `role` may do now.
pub fn allowed_actions(r: &Return, role: Role, now: DateTime<Utc>) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| a.roles().contains(&role))
        .filter(|a| open_in_state(r, *a, role, now))
        .collect()
}

/// Applies `cmd` by `actor` at `now`. The caller writes the event named by
/// `cmd.action().event_kind()` in the same transaction.
pub fn apply(
    r: &Return,
    actor: Actor,
    cmd: &Command,
    now: DateTime<Utc>,
    p: &ReturnPolicy,
) -> Result<Return, Refusal> {
    let action = cmd.action();
    if !action.roles().contains(&actor.role) {
        return Err(Refusal::Forbidden);
    }
    // More precise than "wrong state", so the buyer learns why.
    if action == Action::Dispute && r.status == Status::Rejected {
        if r.disputed_at.is_some() {
            return Err(Refusal::AlreadyDisputed);
        }
        if r.dispute_until.is_some_and(|u| now > u) {
            return Err(Refusal::DisputeWindowClosed);
        }
    }
    if !open_in_state(r, action, actor.role, now) {
        return Err(Refusal::InvalidState {
            allowed: allowed_actions(r, actor.role, now),
        });
    }
    let mut next = r.clone();
    match cmd {
        Command::Approve => {
            next.status = Status::Approved;
            next.decided_at = Some(now);
            next.decided_by = Some(actor.id.to_string());
        }
        Command::Reject(_) => {
            next.status = Status::Rejected;
            next.decided_at = Some(now);
            next.decided_by = Some(actor.id.to_string());
            next.dispute_until = Some(now + TimeDelta::days(p.dispute_window_days));
        }
        Command::Dispute => {
            next.disputed_at = Some(now);
        }
        Command::SchedulePickup { at } => {
            if *at < now {
                return Err(Refusal::Invalid("pickup_at", "in_past"));
            }
            next.status = Status::PickupScheduled;
            next.pickup_at = Some(*at);
        }
        Command::PickUp { at } => {
            if *at > now {
                return Err(Refusal::Invalid("at", "in_future"));
            }
            // Scans carry whole seconds; an approval within the scan's second is not later.
            if r.decided_at.is_some_and(|d| *at < d.trunc_subsecs(0)) {
                return Err(Refusal::Invalid("at", "before_approval"));
            }
            next.status = Status::PickedUp;
            next.picked_up_at = Some(*at);
            next.refund_due_by = Some(*at + TimeDelta::hours(p.refund_due_hours));
        }
        Command::Refund { amount } => {
            if *amount < 1 {
                return Err(Refusal::Invalid("amount", "range"));
            }
            if *amount > r.refundable {
                return Err(Refusal::Invalid("amount", "exceeds_paid"));
            }
            next.status = Status::Refunded;
            next.refunded_at = Some(now);
            next.refund_amount = Some(*amount);
        }
        Command::Cancel => {
            next.status = Status::Cancelled;
            next.cancelled_at = Some(now);
        }
    }
    Ok(next)
}

/// Whether a moderator's direct action on a disputed return must wait: while the dispute
/// complaint can still be decided or appealed, the return is decided only through it, so the
/// complaint's appeal rule (another moderator decides an appeal) cannot be side-stepped here.
/// A live dispute is the one `holds_units` keeps units for; a closed or withdrawn one is final
/// and never opens again, so the check needs no lock on the complaint.
pub fn decided_through_dispute(role: Role, dispute: Option<ComplaintStatus>) -> bool {
    role == Role::Moderator
        && dispute.is_some_and(|s| s.is_open() || s == ComplaintStatus::Resolved)
}

/// A moderator's decision upholding the buyer's dispute turns the rejection into an approval.
pub fn overturn(r: &Return, moderator_id: &str, now: DateTime<Utc>) -> Option<Return> {
    if r.status != Status::Rejected || r.disputed_at.is_none() {
        return None;
    }
    let mut next = r.clone();
    next.status = Status::Approved;
    next.decided_at = Some(now);
    next.decided_by = Some(moderator_id.to_string());
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    fn policy() -> ReturnPolicy {
        Policy::default().returns
    }
    const SELLER: Actor = Actor {
        role: Role::Seller,
        id: "s1",
    };
    const BUYER: Actor = Actor {
        role: Role::Buyer,
        id: "b1",
    };
    const MOD: Actor = Actor {
        role: Role::Moderator,
        id: "m1",
    };
    const SERVICE: Actor = Actor {
        role: Role::Service,
        id: "svc",
    };

    fn facts(kind: DeliveryType) -> OrderFacts {
        OrderFacts {
            is_buyer: true,
            delivery_type: kind,
            delivered_at: Some(t("2026-11-02T10:00:00Z")),
        }
    }

    #[test]
    fn a_dispute_that_can_still_change_blocks_moderators_only() {
        use ComplaintStatus as C;
        for open in [
            C::Submitted,
            C::Acknowledged,
            C::InReview,
            C::AwaitingBuyer,
            C::Resolved,
            C::Reopened,
        ] {
            assert!(
                decided_through_dispute(Role::Moderator, Some(open)),
                "{open:?}"
            );
            assert!(!decided_through_dispute(Role::Seller, Some(open)));
        }
        for fin in [C::Closed, C::Withdrawn] {
            assert!(!decided_through_dispute(Role::Moderator, Some(fin)));
        }
        assert!(!decided_through_dispute(Role::Moderator, None));
    }

    #[test]
    fn windows_per_reason_to_the_second() {
        let p = policy();
        let cases = [
            (
                Reason::DamagedInDelivery,
                DeliveryType::City,
                "2026-11-12T10:00:00Z",
            ),
            (
                Reason::DamagedInDelivery,
                DeliveryType::Intercity,
                "2026-12-17T10:00:00Z",
            ),
            (
                Reason::Defective,
                DeliveryType::City,
                "2026-12-02T10:00:00Z",
            ),
            (
                Reason::NotAsDescribed,
                DeliveryType::City,
                "2026-11-16T10:00:00Z",
            ),
            (
                Reason::WrongItem,
                DeliveryType::Intercity,
                "2026-11-16T10:00:00Z",
            ),
            (
                Reason::Incomplete,
                DeliveryType::City,
                "2026-11-16T10:00:00Z",
            ),
            (
                Reason::ChangedMind,
                DeliveryType::City,
                "2026-11-16T10:00:00Z",
            ),
        ];
        for (reason, kind, last) in cases {
            let last = t(last);
            assert_eq!(
                may_request(&facts(kind), reason, None, last, &p),
                Ok(last),
                "{reason:?}"
            );
            assert_eq!(
                may_request(&facts(kind), reason, None, last + TimeDelta::seconds(1), &p),
                Err(RequestRefusal::WindowClosed),
                "{reason:?}"
            );
        }
    }

    #[test]
    fn changed_mind_is_refused_for_excluded_categories_only() {
        let p = policy();
        let now = t("2026-11-03T00:00:00Z");
        let f = facts(DeliveryType::City);
        for cat in &p.changed_mind_excluded_categories {
            assert_eq!(
                may_request(&f, Reason::ChangedMind, Some(cat), now, &p),
                Err(RequestRefusal::ReasonExcluded)
            );
            assert!(may_request(&f, Reason::Defective, Some(cat), now, &p).is_ok());
        }
        assert!(may_request(&f, Reason::ChangedMind, Some("electronics"), now, &p).is_ok());
    }

    #[test]
    fn only_the_buyer_of_a_delivered_order() {
        let p = policy();
        let now = t("2026-11-03T00:00:00Z");
        let mut f = facts(DeliveryType::City);
        f.is_buyer = false;
        assert_eq!(
            may_request(&f, Reason::Defective, None, now, &p),
            Err(RequestRefusal::NotOrderBuyer)
        );
        f.is_buyer = true;
        f.delivered_at = None;
        assert_eq!(
            open_reasons(&f, None, now, &p),
            Err(RequestRefusal::NotDelivered)
        );
    }

    #[test]
    fn open_reasons_shrink_as_windows_close() {
        let p = policy();
        let f = facts(DeliveryType::City);
        let reasons = |at: &str, cat: Option<&str>| {
            open_reasons(&f, cat, t(at), &p)
                .map(|v| v.into_iter().map(|(r, _)| r).collect::<Vec<_>>())
        };
        assert_eq!(reasons("2026-11-12T10:00:00Z", None).unwrap().len(), 6);
        assert_eq!(reasons("2026-11-12T10:00:01Z", None).unwrap().len(), 5);
        assert_eq!(
            reasons("2026-11-16T10:00:01Z", None).unwrap(),
            vec![Reason::Defective]
        );
        assert_eq!(
            reasons("2026-12-02T10:00:01Z", None),
            Err(RequestRefusal::WindowClosed)
        );
        assert!(!reasons("2026-11-03T00:00:00Z", Some("underwear"))
            .unwrap()
            .contains(&Reason::ChangedMind));
    }

    #[test]
    fn evidence_by_reason() {
        assert!(Reason::ChangedMind.evidence().met_by(&[]));
        assert!(!Reason::WrongItem.evidence().met_by(&[]));
        assert!(!Reason::WrongItem.evidence().met_by(&["application/pdf"]));
        assert!(Reason::WrongItem.evidence().met_by(&["image/png"]));
        assert!(!Reason::DamagedInDelivery.evidence().met_by(&["video/mp4"]));
        assert!(Reason::Defective.evidence().met_by(&["application/pdf"]));
        assert!(Reason::Defective.evidence().met_by(&["image/heic"]));
    }

    #[test]
    fn which_returns_hold_their_units() {
        use crate::domain::complaints::Status as Case;
        assert!(holds_units(Status::Requested, None));
        assert!(holds_units(Status::Refunded, None));
        assert!(!holds_units(Status::Cancelled, None));
        assert!(!holds_units(Status::Rejected, None));
        assert!(holds_units(Status::Rejected, Some(Case::Submitted)));
        assert!(holds_units(Status::Rejected, Some(Case::Resolved)));
        assert!(!holds_units(Status::Rejected, Some(Case::Closed)));
        assert!(!holds_units(Status::Rejected, Some(Case::Withdrawn)));
        let left = units_left(
            [("a", 3), ("b", 1)],
            [
                ("a", 1, Status::Approved, None),
                ("a", 1, Status::Cancelled, None),
                ("b", 1, Status::Rejected, Some(Case::InReview)),
            ],
        );
        assert_eq!(left, HashMap::from([("a".into(), 2), ("b".into(), 0)]));
    }

    #[test]
    fn quantities_against_what_is_left() {
        let available: HashMap<String, i32> = [("a".to_string(), 2), ("b".to_string(), 0)].into();
        let line = |id: &str, q| Line {
            order_item_id: id.into(),
            quantity: q,
        };
        assert!(check_lines(&[line("a", 2)], &available).is_empty());
        assert_eq!(
            check_lines(
                &[line("a", 3), line("b", 1), line("c", 1), line("a", 1)],
                &available
            ),
            vec![
                ("items[0].quantity".to_string(), "exceeds_available"),
                ("items[1].quantity".to_string(), "exceeds_available"),
                ("items[2].order_item_id".to_string(), "not_in_order"),
                ("items[3].order_item_id".to_string(), "duplicate"),
            ]
        );
    }

    fn requested() -> Return {
        // Friday 2026-11-20 18:30 Almaty: 2 business days → Tuesday 23:59:59 Almaty.
        open_return(t("2026-11-20T13:30:00Z"), 30_000, &policy())
    }

    #[test]
    fn seller_decides_within_two_business_days() {
        let r = requested();
        assert_eq!(r.seller_decide_by, t("2026-11-24T18:59:59Z"));
        assert_eq!(r.due_at(), Some(r.seller_decide_by));
        assert!(r.breaches(t("2026-11-24T18:59:59Z")).is_empty());
        assert_eq!(escalate_for_silence(&r, t("2026-11-24T18:59:59Z")), None);
        let late = t("2026-11-24T19:00:00Z");
        assert_eq!(
            r.breaches(late),
            vec![(Sla::SellerDecision, r.seller_decide_by)]
        );
        let escalated = escalate_for_silence(&r, late).unwrap();
        assert_eq!(escalated.escalated_at, Some(late));
        assert_eq!(escalate_for_silence(&escalated, late), None);
    }

    #[test]
    fn moderators_decide_only_escalated_returns() {
        let p = policy();
        let r = requested();
        let now = t("2026-11-21T00:00:00Z");
        assert_eq!(allowed_actions(&r, Role::Moderator, now), vec![]);
        assert!(matches!(
            apply(&r, MOD, &Command::Approve, now, &p),
            Err(Refusal::InvalidState { .. })
        ));
        let esc = escalate_for_silence(&r, t("2026-11-25T00:00:00Z")).unwrap();
        assert_eq!(
            allowed_actions(&esc, Role::Moderator, now),
            vec![Action::Approve, Action::Reject]
        );
        // The seller may still decide late.
        assert_eq!(
            allowed_actions(&esc, Role::Seller, now),
            vec![Action::Approve, Action::Reject]
        );
    }

    #[test]
    fn full_path_with_refund_deadline() {
        let p = policy();
        let r = requested();
        let approved = apply(&r, SELLER, &Command::Approve, t("2026-11-21T09:00:00Z"), &p).unwrap();
        assert_eq!(approved.status, Status::Approved);
        assert_eq!(approved.due_at(), None);
        let pickup = t("2026-11-23T06:00:00Z");
        let scheduled = apply(
            &approved,
            SERVICE,
            &Command::SchedulePickup { at: pickup },
            t("2026-11-21T10:00:00Z"),
            &p,
        )
        .unwrap();
        assert_eq!(scheduled.pickup_at, Some(pickup));
        let scan = t("2026-11-23T06:10:00Z");
        let picked = apply(
            &scheduled,
            SERVICE,
            &Command::PickUp { at: scan },
            t("2026-11-23T06:10:05Z"),
            &p,
        )
        .unwrap();
        assert_eq!(picked.refund_due_by, Some(t("2026-11-23T07:10:00Z")));
        assert!(picked.breaches(t("2026-11-23T07:10:00Z")).is_empty());
        assert_eq!(
            picked.breaches(t("2026-11-23T07:10:01Z")),
            vec![(Sla::Refund, t("2026-11-23T07:10:00Z"))]
        );
        assert_eq!(
            apply(
                &picked,
                SELLER,
                &Command::Refund { amount: 30_001 },
                scan,
                &p
            ),
            Err(Refusal::Invalid("amount", "exceeds_paid"))
        );
        let on_time = apply(
            &picked,
            SELLER,
            &Command::Refund { amount: 30_000 },
            t("2026-11-23T07:10:00Z"),
            &p,
        )
        .unwrap();
        assert_eq!(on_time.status, Status::Refunded);
        assert!(on_time.breaches(t("2026-12-01T00:00:00Z")).is_empty());
        let late = apply(
            &picked,
            SELLER,
            &Command::Refund { amount: 100 },
            t("2026-11-23T07:10:01Z"),
            &p,
        )
        .unwrap();
        assert_eq!(late.breaches(t("2026-11-23T07:10:01Z")).len(), 1);
    }

    #[test]
    fn a_scan_in_the_second_of_the_approval_is_not_before_it() {
        let p = policy();
        let approved_at = t("2026-11-21T09:00:00.600Z");
        let approved = apply(&requested(), SELLER, &Command::Approve, approved_at, &p).unwrap();
        let pickup = Command::SchedulePickup { at: approved_at };
        let scheduled = apply(&approved, SELLER, &pickup, approved_at, &p).unwrap();
        let scan = |at: &str| {
            apply(
                &scheduled,
                SERVICE,
                &Command::PickUp { at: t(at) },
                approved_at + TimeDelta::seconds(1),
                &p,
            )
        };
        assert!(scan("2026-11-21T09:00:00Z").is_ok());
        assert_eq!(
            scan("2026-11-21T08:59:59Z"),
            Err(Refusal::Invalid("at", "before_approval"))
        );
    }

    #[test]
    fn pickup_scan_rules() {
        let p = policy();
        let approved = apply(
            &requested(),
            SELLER,
            &Command::Approve,
            t("2026-11-21T09:00:00Z"),
            &p,
        )
        .unwrap();
        let now = t("2026-11-22T09:00:00Z");
        // A parcel handed in without a scheduled pickup is still picked up.
        let handed_in = apply(&approved, SERVICE, &Command::PickUp { at: now }, now, &p).unwrap();
        assert_eq!(handed_in.status, Status::PickedUp);
        assert_eq!(handed_in.pickup_at, None);
        assert_eq!(handed_in.refund_due_by, Some(now + TimeDelta::hours(1)));
        // Not before the return is approved.
        assert!(matches!(
            apply(&requested(), SERVICE, &Command::PickUp { at: now }, now, &p),
            Err(Refusal::InvalidState { .. })
        ));
        assert_eq!(
            apply(
                &approved,
                SELLER,
                &Command::SchedulePickup {
                    at: now - TimeDelta::seconds(1)
                },
                now,
                &p
            ),
            Err(Refusal::Invalid("pickup_at", "in_past"))
        );
        let s = apply(
            &approved,
            SELLER,
            &Command::SchedulePickup { at: now },
            now,
            &p,
        )
        .unwrap();
        // Rescheduling is allowed before the scan.
        assert!(apply(&s, SELLER, &Command::SchedulePickup { at: now }, now, &p).is_ok());
        assert_eq!(
            apply(
                &s,
                SERVICE,
                &Command::PickUp {
                    at: now + TimeDelta::seconds(1)
                },
                now,
                &p
            ),
            Err(Refusal::Invalid("at", "in_future"))
        );
        assert_eq!(
            apply(
                &s,
                SERVICE,
                &Command::PickUp {
                    at: t("2026-11-21T08:59:59Z")
                },
                now,
                &p
            ),
            Err(Refusal::Invalid("at", "before_approval"))
        );
        assert_eq!(
            apply(&s, SELLER, &Command::PickUp { at: now }, now, &p),
            Err(Refusal::Forbidden)
        );
    }

    #[test]
    fn dispute_within_fourteen_days_once_then_overturn() {
        let p = policy();
        let rejected_at = t("2026-11-21T09:00:00Z");
        let rejected = apply(
            &requested(),
            SELLER,
            &Command::Reject(RejectionReason::SignsOfUse),
            rejected_at,
            &p,
        )
        .unwrap();
        let last = t("2026-12-05T09:00:00Z");
        assert_eq!(rejected.dispute_until, Some(last));
        assert_eq!(
            apply(
                &rejected,
                BUYER,
                &Command::Dispute,
                last + TimeDelta::seconds(1),
                &p
            ),
            Err(Refusal::DisputeWindowClosed)
        );
        let disputed = apply(&rejected, BUYER, &Command::Dispute, last, &p).unwrap();
        assert_eq!(
            apply(&disputed, BUYER, &Command::Dispute, last, &p),
            Err(Refusal::AlreadyDisputed)
        );
        assert_eq!(overturn(&rejected, "m1", last), None);
        let over = overturn(&disputed, "m1", last).unwrap();
        assert_eq!(over.status, Status::Approved);
        assert_eq!(
            allowed_actions(&disputed, Role::Moderator, last),
            vec![Action::Approve]
        );
        // A rejected return cannot be cancelled or picked up.
        assert_eq!(
            allowed_actions(&rejected, Role::Buyer, last),
            vec![Action::Dispute]
        );
    }

    #[test]
    fn cancel_only_before_pickup() {
        let p = policy();
        let now = t("2026-11-21T09:00:00Z");
        let mut r = requested();
        for status in Status::ALL {
            r.status = *status;
            let ok = apply(&r, BUYER, &Command::Cancel, now, &p).is_ok();
            assert_eq!(ok, status.before_pickup(), "{status:?}");
        }
        assert_eq!(
            apply(&requested(), SELLER, &Command::Cancel, now, &p),
            Err(Refusal::Forbidden)
        );
    }
}
