//! Transitions: which actions a return allows now and what each one does to it.
use super::*;

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
    use super::super::fixtures::*;
    use super::*;

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
