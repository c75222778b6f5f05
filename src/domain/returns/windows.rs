//! Requesting: which items may go back for which reason until when, and how many units are
//! left.
use super::*;

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

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

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
}
