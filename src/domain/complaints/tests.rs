//! The complaint rules, case by case: filing windows, the lifecycle, deadlines and pauses.
use super::*;
use crate::policy::Policy;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}
fn policy() -> ComplaintPolicy {
    Policy::default().complaints
}
const MOD: Actor = Actor {
    role: Role::Moderator,
    id: "m1",
};
const MOD2: Actor = Actor {
    role: Role::Moderator,
    id: "m2",
};
const BUYER: Actor = Actor {
    role: Role::Buyer,
    id: "b1",
};
const SELLER: Actor = Actor {
    role: Role::Seller,
    id: "s1",
};

fn resolution() -> Command {
    Command::Resolve(Resolution {
        outcome: Outcome::Upheld,
        remedy: RemedyKind::Refund,
        amount: None,
    })
}

#[test]
fn categories_belong_to_their_target() {
    assert!(Category::DamagedInDelivery.valid_for(Target::Courier));
    assert!(!Category::DamagedInDelivery.valid_for(Target::Seller));
    assert!(Category::Fraud.valid_for(Target::Seller));
    assert!(!Category::Fraud.valid_for(Target::Courier));
    assert!(
        Category::Other.valid_for(Target::Courier) && Category::Other.valid_for(Target::Seller)
    );
    for c in Category::ALL {
        assert!(c.valid_for(Target::Courier) || c.valid_for(Target::Seller));
        assert_eq!(Category::parse(c.as_str()), Some(*c));
    }
}

#[test]
fn filing_windows_to_the_second() {
    let p = policy();
    let delivered = t("2026-11-01T12:00:00Z");
    let city = OrderFacts {
        is_buyer: true,
        delivery_type: DeliveryType::City,
        placed_at: t("2026-10-28T09:00:00Z"),
        promised_at: Some(t("2026-10-30T09:00:00Z")),
        delivered_at: Some(delivered),
    };
    let intercity = OrderFacts {
        delivery_type: DeliveryType::Intercity,
        ..city
    };
    let undelivered = OrderFacts {
        delivered_at: None,
        ..city
    };
    let cases = [
        (
            city,
            Category::DamagedInDelivery,
            "2026-11-11T12:00:00Z",
            Ok(()),
        ),
        (
            city,
            Category::DamagedInDelivery,
            "2026-11-11T12:00:01Z",
            Err(FilingRefusal::WindowClosed),
        ),
        (
            intercity,
            Category::DamagedInDelivery,
            "2026-12-16T12:00:00Z",
            Ok(()),
        ),
        (
            intercity,
            Category::DamagedInDelivery,
            "2026-12-16T12:00:01Z",
            Err(FilingRefusal::WindowClosed),
        ),
        (
            city,
            Category::DeliveryDelay,
            "2027-01-30T12:00:00Z",
            Ok(()),
        ),
        (
            city,
            Category::DeliveryDelay,
            "2027-01-30T12:00:01Z",
            Err(FilingRefusal::WindowClosed),
        ),
        // Undelivered: 90 days after the promised date.
        (
            undelivered,
            Category::DeliveryDelay,
            "2027-01-28T09:00:00Z",
            Ok(()),
        ),
        (
            undelivered,
            Category::DeliveryDelay,
            "2027-01-28T09:00:01Z",
            Err(FilingRefusal::WindowClosed),
        ),
        (
            undelivered,
            Category::DamagedInDelivery,
            "2026-11-02T00:00:00Z",
            Err(FilingRefusal::NotDelivered),
        ),
        (
            OrderFacts {
                is_buyer: false,
                ..city
            },
            Category::Other,
            "2026-11-02T00:00:00Z",
            Err(FilingRefusal::NotOrderBuyer),
        ),
    ];
    for (facts, category, now, expected) in cases {
        let got = may_file(&facts, category, t(now), &p).map(|_| ());
        assert_eq!(got, expected, "{category:?} at {now}");
    }
}

#[test]
fn a_new_case_has_every_deadline() {
    let p = policy();
    // Friday 2026-11-20 18:30 Almaty.
    let filed = t("2026-11-20T13:30:00Z");
    let seller = open_case(Target::Seller, filed, &p);
    // 3 business days: Mon 23, Tue 24, Wed 25 → Wed 23:59:59 Almaty = 18:59:59Z.
    assert_eq!(seller.acknowledge_by, t("2026-11-25T18:59:59Z"));
    assert_eq!(seller.resolve_by, t("2026-11-25T18:59:59Z"));
    assert_eq!(seller.seller_respond_by, Some(t("2026-11-22T13:30:00Z")));
    let courier = open_case(Target::Courier, filed, &p);
    assert_eq!(courier.seller_respond_by, None);
    assert_eq!(courier.due_at(), Some(t("2026-11-25T18:59:59Z")));
    assert_eq!(seller.due_at(), Some(t("2026-11-22T13:30:00Z")));
}

#[test]
fn tracks_and_pauses_move_the_resolution_deadline() {
    let p = policy();
    let filed = t("2026-11-20T13:30:00Z");
    let c = open_case(Target::Courier, filed, &p);
    let c = apply(
        &c,
        MOD,
        &Command::Acknowledge,
        t("2026-11-23T05:00:00Z"),
        &p,
    )
    .unwrap();
    let c = apply(
        &c,
        MOD,
        &Command::ChangeTrack(Track::Complex),
        t("2026-11-23T06:00:00Z"),
        &p,
    )
    .unwrap();
    assert_eq!(c.resolve_by, t("2026-11-30T13:30:00Z"));
    let c = apply(
        &c,
        MOD,
        &Command::RequestInfo,
        t("2026-11-24T00:00:00Z"),
        &p,
    )
    .unwrap();
    assert_eq!(c.status, Status::AwaitingBuyer);
    assert_eq!(c.due_at(), None, "a paused case has no running deadline");
    assert!(c.breaches(t("2026-12-30T00:00:00Z")).is_empty());
    let c = apply(
        &c,
        BUYER,
        &Command::ProvideInfo,
        t("2026-11-26T01:02:03Z"),
        &p,
    )
    .unwrap();
    assert_eq!(c.status, Status::InReview);
    assert_eq!(c.paused_secs, 2 * 86_400 + 3723);
    assert_eq!(c.resolve_by, t("2026-12-02T14:32:03Z"));
    let c = apply(
        &c,
        MOD,
        &Command::ChangeTrack(Track::Expertise),
        t("2026-11-27T00:00:00Z"),
        &p,
    )
    .unwrap();
    assert_eq!(c.resolve_by, t("2026-12-22T14:32:03Z"));
}

#[test]
fn a_sellers_question_neither_skips_nor_pauses_the_acknowledgement() {
    let p = policy();
    let c = open_case(Target::Seller, t("2026-11-20T13:30:00Z"), &p);
    let asked = apply(
        &c,
        SELLER,
        &Command::RequestInfo,
        t("2026-11-21T00:00:00Z"),
        &p,
    )
    .unwrap();
    assert_eq!(asked.status, Status::AwaitingBuyer);
    assert_eq!(asked.due_at(), Some(t("2026-11-25T18:59:59Z")));
    assert_eq!(
        asked.breaches(t("2026-11-25T19:00:00Z")),
        vec![(Sla::Acknowledge, t("2026-11-25T18:59:59Z"))]
    );
    let answered = apply(
        &asked,
        BUYER,
        &Command::ProvideInfo,
        t("2026-11-22T00:00:00Z"),
        &p,
    )
    .unwrap();
    assert_eq!(answered.status, Status::Submitted);
    let acked = apply(
        &asked,
        MOD,
        &Command::Acknowledge,
        t("2026-11-21T01:00:00Z"),
        &p,
    )
    .unwrap();
    assert_eq!(acked.status, Status::AwaitingBuyer);
    let answered = apply(
        &acked,
        BUYER,
        &Command::ProvideInfo,
        t("2026-11-22T00:00:00Z"),
        &p,
    )
    .unwrap();
    assert_eq!(answered.status, Status::InReview);
    // During an appeal the answer returns the case to `reopened`.
    let mut appealed = answered.clone();
    appealed.status = Status::Reopened;
    appealed.appealed_at = Some(t("2026-11-23T00:00:00Z"));
    let asked = apply(
        &appealed,
        MOD,
        &Command::RequestInfo,
        t("2026-11-23T01:00:00Z"),
        &p,
    )
    .unwrap();
    let back = apply(
        &asked,
        BUYER,
        &Command::ProvideInfo,
        t("2026-11-23T02:00:00Z"),
        &p,
    )
    .unwrap();
    assert_eq!(back.status, Status::Reopened);
}

#[test]
fn extension_must_be_later() {
    let p = policy();
    let c = open_case(Target::Courier, t("2026-11-20T13:30:00Z"), &p);
    let early = Command::Extend {
        resolve_by: t("2026-11-25T18:59:59Z"),
    };
    assert_eq!(
        apply(&c, MOD, &early, t("2026-11-21T00:00:00Z"), &p),
        Err(Refusal::Invalid("resolve_by", "not_later"))
    );
    let ok = Command::Extend {
        resolve_by: t("2026-12-01T12:00:00Z"),
    };
    let c = apply(&c, MOD, &ok, t("2026-11-21T00:00:00Z"), &p).unwrap();
    assert!(c.extended);
    assert_eq!(c.resolve_by, t("2026-12-01T12:00:00Z"));
}

#[test]
fn wrong_state_lists_what_is_possible() {
    let p = policy();
    let now = t("2026-11-21T00:00:00Z");
    let c = open_case(Target::Seller, t("2026-11-20T13:30:00Z"), &p);
    // The moderator's view on a courier case: a seller case is the seller's first
    // (`Refusal::SellerActsFirst`, deadlines.rs).
    let courier = open_case(Target::Courier, t("2026-11-20T13:30:00Z"), &p);
    match apply(&courier, MOD, &resolution(), now, &p) {
        Err(Refusal::InvalidState { allowed }) => assert_eq!(
            allowed,
            vec![
                Action::Acknowledge,
                Action::RequestInfo,
                Action::Assign,
                Action::ChangeTrack,
                Action::Extend,
                Action::PostMessage
            ]
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        apply(&c, BUYER, &Command::Acknowledge, now, &p),
        Err(Refusal::Forbidden)
    );
    assert_eq!(
        apply(
            &c,
            SELLER,
            &Command::PostMessage { internal: true },
            now,
            &p
        ),
        Err(Refusal::Forbidden)
    );
    assert_eq!(
        allowed_actions(&c, Role::Seller, now, &p),
        vec![Action::Respond, Action::RequestInfo, Action::PostMessage]
    );
    assert_eq!(
        allowed_actions(&c, Role::Buyer, now, &p),
        vec![Action::Withdraw, Action::PostMessage]
    );
}

#[test]
fn the_seller_responds_once_and_silence_escalates() {
    let p = policy();
    let filed = t("2026-11-20T13:30:00Z");
    let c = open_case(Target::Seller, filed, &p);
    assert_eq!(escalate_for_silence(&c, t("2026-11-22T13:30:00Z")), None);
    let escalated = escalate_for_silence(&c, t("2026-11-22T13:30:01Z")).unwrap();
    assert_eq!(escalated.escalated_at, Some(t("2026-11-22T13:30:01Z")));
    assert_eq!(escalated.breaches(t("2026-11-22T13:30:01Z")), vec![]);
    assert_eq!(
        c.breaches(t("2026-11-22T13:30:01Z")),
        vec![(Sla::SellerResponse, t("2026-11-22T13:30:00Z"))]
    );
    let answered = apply(&c, SELLER, &Command::Respond, t("2026-11-21T00:00:00Z"), &p).unwrap();
    assert_eq!(
        answered.seller_responded_at,
        Some(t("2026-11-21T00:00:00Z"))
    );
    assert_eq!(
        escalate_for_silence(&answered, t("2026-11-23T00:00:00Z")),
        None
    );
    assert!(matches!(
        apply(
            &answered,
            SELLER,
            &Command::Respond,
            t("2026-11-21T01:00:00Z"),
            &p
        ),
        Err(Refusal::InvalidState { .. })
    ));
}

#[test]
fn breaches_are_strictly_after_the_deadline() {
    let p = policy();
    let c = open_case(Target::Courier, t("2026-11-20T13:30:00Z"), &p);
    assert!(c.breaches(t("2026-11-25T18:59:59Z")).is_empty());
    assert_eq!(
        c.breaches(t("2026-11-25T19:00:00Z")),
        vec![
            (Sla::Acknowledge, t("2026-11-25T18:59:59Z")),
            (Sla::Resolution, t("2026-11-25T18:59:59Z"))
        ]
    );
}

#[test]
fn resolve_appeal_and_another_moderator() {
    let p = policy();
    let c = open_case(Target::Courier, t("2026-11-20T13:30:00Z"), &p);
    let c = apply(
        &c,
        MOD,
        &Command::Acknowledge,
        t("2026-11-23T05:00:00Z"),
        &p,
    )
    .unwrap();
    // An acknowledged case is reviewed before it is decided: no shortcut to `resolved`.
    match apply(&c, MOD, &resolution(), t("2026-11-24T05:00:00Z"), &p) {
        Err(Refusal::InvalidState { allowed }) => {
            assert!(allowed.contains(&Action::StartReview));
            assert!(!allowed.contains(&Action::Resolve));
        }
        other => panic!("{other:?}"),
    }
    let c = apply(
        &c,
        MOD,
        &Command::StartReview,
        t("2026-11-24T04:00:00Z"),
        &p,
    )
    .unwrap();
    assert_eq!(c.status, Status::InReview);
    assert!(matches!(
        apply(
            &c,
            MOD,
            &Command::StartReview,
            t("2026-11-24T04:30:00Z"),
            &p
        ),
        Err(Refusal::InvalidState { .. })
    ));
    let c = apply(&c, MOD, &resolution(), t("2026-11-24T05:00:00Z"), &p).unwrap();
    assert_eq!(c.status, Status::Resolved);
    assert_eq!(c.appeal_until, Some(t("2026-12-08T05:00:00Z")));
    assert_eq!(
        apply(&c, BUYER, &Command::Appeal, t("2026-12-08T05:00:01Z"), &p),
        Err(Refusal::AppealWindowClosed)
    );
    let r = apply(&c, BUYER, &Command::Appeal, t("2026-12-08T05:00:00Z"), &p).unwrap();
    assert_eq!(r.status, Status::Reopened);
    // Tue 2026-12-08 10:00 Almaty + 3 business days → Fri 11 Dec 23:59:59.
    assert_eq!(r.resolve_by, t("2026-12-11T18:59:59Z"));
    assert_eq!(
        apply(&r, MOD, &resolution(), t("2026-12-09T00:00:00Z"), &p),
        Err(Refusal::AnotherModeratorRequired)
    );
    let again = apply(&r, MOD2, &resolution(), t("2026-12-09T00:00:00Z"), &p).unwrap();
    assert_eq!(
        apply(
            &again,
            BUYER,
            &Command::Appeal,
            t("2026-12-09T00:00:01Z"),
            &p
        ),
        Err(Refusal::AlreadyAppealed)
    );
    let closed = apply(
        &again,
        BUYER,
        &Command::Accept,
        t("2026-12-09T00:00:01Z"),
        &p,
    )
    .unwrap();
    assert_eq!(closed.status, Status::Closed);
    assert!(apply(
        &closed,
        BUYER,
        &Command::RecordExternalEscalation,
        t("2026-12-10T00:00:00Z"),
        &p
    )
    .is_ok());
    assert!(matches!(
        apply(
            &closed,
            BUYER,
            &Command::Withdraw,
            t("2026-12-10T00:00:00Z"),
            &p
        ),
        Err(Refusal::InvalidState { .. })
    ));
}

#[test]
fn escalation_after_two_business_days_without_a_public_reply() {
    let p = policy();
    // Friday evening; two business days: Mon, Tue → allowed after Tue 23:59:59 Almaty.
    let c = open_case(Target::Courier, t("2026-11-20T13:30:00Z"), &p);
    let from = t("2026-11-24T18:59:59Z");
    assert_eq!(
        apply(&c, BUYER, &Command::Escalate, from, &p),
        Err(Refusal::EscalationNotYetAllowed { from })
    );
    let e = apply(&c, BUYER, &Command::Escalate, t("2026-11-24T19:00:00Z"), &p).unwrap();
    assert_eq!(
        apply(&e, BUYER, &Command::Escalate, t("2026-11-25T00:00:00Z"), &p),
        Err(Refusal::AlreadyEscalated)
    );
    // A public reply restarts the wait.
    let replied = apply(
        &c,
        MOD,
        &Command::PostMessage { internal: false },
        t("2026-11-24T10:00:00Z"),
        &p,
    )
    .unwrap();
    assert!(apply(
        &replied,
        BUYER,
        &Command::Escalate,
        t("2026-11-24T19:00:00Z"),
        &p
    )
    .is_err());
    let noted = apply(
        &c,
        MOD,
        &Command::PostMessage { internal: true },
        t("2026-11-24T10:00:00Z"),
        &p,
    )
    .unwrap();
    assert!(
        apply(
            &noted,
            BUYER,
            &Command::Escalate,
            t("2026-11-24T19:00:00Z"),
            &p
        )
        .is_ok(),
        "internal notes are no reply"
    );
}

#[test]
fn remedies() {
    let ok = |o, k, a| {
        check_remedy(&Resolution {
            outcome: o,
            remedy: k,
            amount: a,
        })
    };
    assert!(ok(Outcome::Upheld, RemedyKind::Refund, None).is_ok());
    assert!(ok(Outcome::Upheld, RemedyKind::Refund, Some(1000)).is_ok());
    assert!(ok(
        Outcome::PartiallyUpheld,
        RemedyKind::PartialRefund,
        Some(500)
    )
    .is_ok());
    assert!(ok(Outcome::PartiallyUpheld, RemedyKind::PartialRefund, None).is_err());
    assert!(ok(Outcome::Upheld, RemedyKind::Compensation, Some(0)).is_err());
    assert!(ok(Outcome::Upheld, RemedyKind::Redelivery, Some(10)).is_err());
    assert!(ok(Outcome::Rejected, RemedyKind::Refund, None).is_err());
    assert!(ok(Outcome::Rejected, RemedyKind::None, None).is_ok());
}

#[test]
fn unappealed_resolutions_close() {
    let p = policy();
    let c = open_case(Target::Courier, t("2026-11-20T13:30:00Z"), &p);
    let c = apply(
        &c,
        MOD,
        &Command::Acknowledge,
        t("2026-11-21T00:00:00Z"),
        &p,
    )
    .unwrap();
    let c = apply(
        &c,
        MOD,
        &Command::StartReview,
        t("2026-11-21T00:00:00Z"),
        &p,
    )
    .unwrap();
    let c = apply(&c, MOD, &resolution(), t("2026-11-22T00:00:00Z"), &p).unwrap();
    assert_eq!(close_unappealed(&c, t("2026-12-06T00:00:00Z")), None);
    assert_eq!(
        close_unappealed(&c, t("2026-12-06T00:00:01Z"))
            .unwrap()
            .status,
        Status::Closed
    );
}

#[test]
fn only_a_moderator_is_assigned() {
    assert_eq!(check_assignee(Some(Role::Moderator)), Ok(()));
    for role in [Some(Role::Seller), Some(Role::Buyer), None] {
        assert_eq!(
            check_assignee(role),
            Err(Refusal::Invalid("moderator_id", "not_a_moderator"))
        );
    }
}

#[test]
fn a_refund_stays_within_the_order_total() {
    let refund = |remedy, amount| Resolution {
        outcome: Outcome::Upheld,
        remedy,
        amount: Some(amount),
    };
    assert_eq!(
        check_refund_within(&refund(RemedyKind::Refund, 100), 100),
        Ok(())
    );
    assert_eq!(
        check_refund_within(&refund(RemedyKind::PartialRefund, 101), 100),
        Err(Refusal::Invalid("remedy.amount", "exceeds_order_total"))
    );
    // Compensation is not a refund of the order.
    assert_eq!(
        check_refund_within(&refund(RemedyKind::Compensation, 500), 100),
        Ok(())
    );
}

#[test]
fn assignments_and_internal_notes_stay_with_moderators() {
    assert_eq!(
        audience(&Command::Assign {
            moderator_id: "m".into()
        }),
        Audience::Internal
    );
    assert_eq!(
        audience(&Command::PostMessage { internal: true }),
        Audience::Internal
    );
    assert_eq!(
        audience(&Command::PostMessage { internal: false }),
        Audience::Public
    );
}
