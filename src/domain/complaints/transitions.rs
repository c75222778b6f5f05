//! Transitions: which actions a case allows now and what each one does to it.
use super::deadlines::pushed_by_pause;
use super::*;

/// Whether `action` is open in the case's state (ignoring who asks and payload rules).
pub(crate) fn open_in_state(
    case: &Case,
    action: Action,
    now: DateTime<Utc>,
    p: &ComplaintPolicy,
) -> bool {
    use Action::*;
    use Status::*;
    let s = case.status;
    match action {
        Acknowledge => case.acknowledged_at.is_none() && matches!(s, Submitted | AwaitingBuyer),
        Respond => {
            case.target == Target::Seller
                && case.seller_responded_at.is_none()
                && matches!(s, Submitted | Acknowledged | InReview | Reopened)
        }
        RequestInfo => matches!(s, Submitted | Acknowledged | InReview | Reopened),
        ProvideInfo => s == AwaitingBuyer,
        Assign | ChangeTrack | Extend | Withdraw => s.is_open(),
        StartReview => s == Acknowledged,
        // A decision follows a review: an acknowledged case is first assigned or taken into
        // review (docs/rules.md "Lifecycle").
        Resolve => matches!(s, InReview | Reopened),
        Accept => s == Resolved,
        Appeal => {
            s == Resolved
                && case.appealed_at.is_none()
                && case.appeal_until.is_some_and(|u| now <= u)
        }
        Escalate => {
            s.needs_moderator()
                && case.escalated_at.is_none()
                && now > case.escalation_allowed_after(p)
        }
        RecordExternalEscalation => matches!(s, Resolved | Closed),
        PostMessage => s.is_open() || s == Resolved,
    }
}

/// What `role` may do now; the seller only on seller cases (they are not party otherwise).
pub fn allowed_actions(
    case: &Case,
    role: Role,
    now: DateTime<Utc>,
    p: &ComplaintPolicy,
) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| a.roles().contains(&role))
        .filter(|a| !held_for_seller(case, role, *a))
        .filter(|a| open_in_state(case, *a, now, p))
        .collect()
}

/// A moderator's step on a case still with the seller first (messages aside).
fn held_for_seller(case: &Case, role: Role, action: Action) -> bool {
    role == Role::Moderator && action != Action::PostMessage && case.with_seller_first()
}

/// Applies `cmd` by `actor` at `now`. The result is the case to store; the caller writes the
/// event named by `cmd.action().event_kind()` in the same transaction.
pub fn apply(
    case: &Case,
    actor: Actor,
    cmd: &Command,
    now: DateTime<Utc>,
    p: &ComplaintPolicy,
) -> Result<Case, Refusal> {
    let action = cmd.action();
    if !action.roles().contains(&actor.role) {
        return Err(Refusal::Forbidden);
    }
    if let Command::PostMessage { internal: true } = cmd {
        if actor.role != Role::Moderator {
            return Err(Refusal::Forbidden);
        }
    }
    if held_for_seller(case, actor.role, action) {
        return Err(Refusal::SellerActsFirst);
    }
    // Refusals more precise than "wrong state", checked first so the buyer learns why.
    match action {
        Action::Appeal if case.status == Status::Resolved => {
            if case.appealed_at.is_some() {
                return Err(Refusal::AlreadyAppealed);
            }
            if case.appeal_until.is_some_and(|u| now > u) {
                return Err(Refusal::AppealWindowClosed);
            }
        }
        Action::Escalate if case.status.needs_moderator() => {
            if case.escalated_at.is_some() {
                return Err(Refusal::AlreadyEscalated);
            }
            let from = case.escalation_allowed_after(p);
            if now <= from {
                return Err(Refusal::EscalationNotYetAllowed { from });
            }
        }
        _ => {}
    }
    if !open_in_state(case, action, now, p) {
        return Err(Refusal::InvalidState {
            allowed: allowed_actions(case, actor.role, now, p),
        });
    }

    let mut next = case.clone();
    let public_reply = matches!(actor.role, Role::Moderator | Role::Seller)
        && !matches!(
            cmd,
            Command::PostMessage { internal: true } | Command::Assign { .. }
        );
    if public_reply {
        next.last_reply_at = now;
    }
    // Any public step of the seller is their response.
    if actor.role == Role::Seller && next.seller_responded_at.is_none() {
        next.seller_responded_at = Some(now);
    }
    match cmd {
        Command::Acknowledge => {
            // A case already awaiting the buyer (the seller asked) stays so.
            if case.status == Status::Submitted {
                next.status = Status::Acknowledged;
            }
            next.acknowledged_at = Some(now);
        }
        Command::Respond | Command::PostMessage { .. } | Command::RecordExternalEscalation => {}
        Command::RequestInfo => {
            next.status = Status::AwaitingBuyer;
            next.paused_at = Some(now);
        }
        Command::ProvideInfo => {
            let (secs, days) = case.pause_so_far(now);
            next.paused_secs += secs;
            next.resolve_by = pushed_by_pause(case.track, case.resolve_by, secs, days);
            next.paused_at = None;
            // Back to where the question came from: still unacknowledged, an appeal, or review.
            next.status = if case.acknowledged_at.is_none() {
                Status::Submitted
            } else if case.appealed_at.is_some() {
                Status::Reopened
            } else {
                Status::InReview
            };
        }
        Command::Assign { moderator_id } => {
            next.assignee_id = Some(moderator_id.clone());
            if case.status == Status::Acknowledged {
                next.status = Status::InReview;
            }
        }
        Command::StartReview => {
            next.status = Status::InReview;
        }
        Command::ChangeTrack(track) => {
            if *track == case.track {
                return Err(Refusal::Invalid("track", "unchanged"));
            }
            next.track = *track;
            // The new track's deadline replaces an earlier extension: the moderator re-judged
            // the case, and the buyer is told the new date (an extension can follow).
            next.extended = false;
            next.resolve_by = next.track_resolve_by(p);
        }
        Command::Extend { resolve_by } => {
            if *resolve_by <= case.resolve_by || *resolve_by <= now {
                return Err(Refusal::Invalid("resolve_by", "not_later"));
            }
            next.resolve_by = *resolve_by;
            next.extended = true;
            if case.paused_at.is_some() {
                // Made while the case waits: the new date is set knowing the wait so far, so
                // only the rest of the pause moves it (the total keeps the whole pause).
                next.paused_secs += case.pause_so_far(now).0;
                next.paused_at = Some(now);
            }
        }
        Command::Resolve(r) => {
            if case.appealed_resolver.as_deref() == Some(actor.id) {
                return Err(Refusal::AnotherModeratorRequired);
            }
            check_remedy(r)?;
            next.status = Status::Resolved;
            next.resolved_at = Some(now);
            next.resolved_by = Some(actor.id.to_string());
            next.appeal_until = Some(now + TimeDelta::days(p.appeal_window_days));
        }
        Command::Accept => {
            next.status = Status::Closed;
        }
        Command::Appeal => {
            next.status = Status::Reopened;
            next.appealed_at = Some(now);
            next.appealed_resolver = case.resolved_by.clone();
            // A fresh resolution clock for the appeal.
            next.clock_started_at = now;
            next.paused_secs = 0;
            next.extended = false;
            next.resolve_by = next.track_resolve_by(p);
        }
        Command::Escalate => {
            next.escalated_at = Some(now);
        }
        Command::Withdraw => {
            next.status = Status::Withdrawn;
            next.paused_at = None;
        }
    }
    Ok(next)
}

/// Rejected complaints get no remedy; partial refunds and compensation name an amount, other
/// remedies none.
pub(crate) fn check_remedy(r: &Resolution) -> Result<(), Refusal> {
    if r.outcome == Outcome::Rejected && r.remedy != RemedyKind::None {
        return Err(Refusal::Invalid("remedy.kind", "rejected_needs_none"));
    }
    match (r.remedy.needs_amount(), r.amount) {
        (true, None) => Err(Refusal::Invalid("remedy.amount", "required")),
        (true, Some(a)) if a <= 0 => Err(Refusal::Invalid("remedy.amount", "range")),
        (false, Some(_)) if r.remedy != RemedyKind::Refund => {
            Err(Refusal::Invalid("remedy.amount", "not_allowed"))
        }
        (false, Some(a)) if a <= 0 => Err(Refusal::Invalid("remedy.amount", "range")),
        _ => Ok(()),
    }
}

/// Only a moderator may be assigned a case (`role`: the assignee's, if the account exists).
pub fn check_assignee(role: Option<Role>) -> Result<(), Refusal> {
    match role {
        Some(Role::Moderator) => Ok(()),
        _ => Err(Refusal::Invalid("moderator_id", "not_a_moderator")),
    }
}

/// A refund never exceeds what the order cost.
pub fn check_refund_within(r: &Resolution, order_total: i64) -> Result<(), Refusal> {
    let refund = matches!(r.remedy, RemedyKind::Refund | RemedyKind::PartialRefund);
    match r.amount {
        Some(amount) if refund && amount > order_total => {
            Err(Refusal::Invalid("remedy.amount", "exceeds_order_total"))
        }
        _ => Ok(()),
    }
}

/// Who may read the step a command records: assignments and internal notes stay with the
/// moderators; everything else is seen by every party.
pub fn audience(command: &Command) -> Audience {
    match command {
        Command::PostMessage { internal: true } | Command::Assign { .. } => Audience::Internal,
        _ => Audience::Public,
    }
}

/// The seller stayed silent past the deadline: the sweep hands the case to the moderators.
pub fn escalate_for_silence(case: &Case, now: DateTime<Utc>) -> Option<Case> {
    let by = case.seller_respond_by?;
    if !case.seller_response_pending() || now <= by {
        return None;
    }
    let mut next = case.clone();
    next.escalated_at = Some(now);
    Some(next)
}

/// A resolution nobody appealed within the window becomes final.
pub fn close_unappealed(case: &Case, now: DateTime<Utc>) -> Option<Case> {
    let until = case.appeal_until?;
    if case.status != Status::Resolved || now <= until {
        return None;
    }
    let mut next = case.clone();
    next.status = Status::Closed;
    Some(next)
}
