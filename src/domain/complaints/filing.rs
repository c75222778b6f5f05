//! Filing: who may file, until when, and the case a filing opens.
use super::*;

/// What filing needs to know about the order.
#[derive(Debug, Clone, Copy)]
pub struct OrderFacts {
    pub is_buyer: bool,
    pub delivery_type: DeliveryType,
    pub placed_at: DateTime<Utc>,
    pub promised_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilingRefusal {
    NotOrderBuyer,
    /// `damaged_in_delivery` needs a delivery.
    NotDelivered,
    WindowClosed,
}

/// The last instant a complaint of `category` may be filed: damage within 10 (city) or 45
/// (intercity) days of delivery; anything else within 90 days of delivery, or of the promised
/// date while undelivered (of the order date when upstream promised none).
pub fn filing_window_until(
    o: &OrderFacts,
    category: Category,
    p: &ComplaintPolicy,
) -> Result<DateTime<Utc>, FilingRefusal> {
    if category == Category::DamagedInDelivery {
        let delivered = o.delivered_at.ok_or(FilingRefusal::NotDelivered)?;
        let days = match o.delivery_type {
            DeliveryType::City => p.damaged_window_days_city,
            DeliveryType::Intercity => p.damaged_window_days_intercity,
        };
        return Ok(delivered + TimeDelta::days(days));
    }
    let anchor = o.delivered_at.or(o.promised_at).unwrap_or(o.placed_at);
    Ok(anchor + TimeDelta::days(p.other_window_days))
}

/// May the buyer file now? Ok carries the end of the window.
pub fn may_file(
    o: &OrderFacts,
    category: Category,
    now: DateTime<Utc>,
    p: &ComplaintPolicy,
) -> Result<DateTime<Utc>, FilingRefusal> {
    if !o.is_buyer {
        return Err(FilingRefusal::NotOrderBuyer);
    }
    let until = filing_window_until(o, category, p)?;
    if now > until {
        return Err(FilingRefusal::WindowClosed);
    }
    Ok(until)
}

/// The resolution deadline of a track, counted from `from`, before pauses.
pub fn track_deadline(track: Track, from: DateTime<Utc>, p: &ComplaintPolicy) -> DateTime<Utc> {
    match track {
        Track::Standard => business_deadline(from, p.standard_resolution_business_days),
        Track::Complex => from + TimeDelta::days(p.complex_resolution_days),
        Track::Expertise => from + TimeDelta::days(p.expertise_resolution_days),
    }
}

/// A new case as filed at `now`.
pub fn open_case(target: Target, now: DateTime<Utc>, p: &ComplaintPolicy) -> Case {
    let track = Track::Standard;
    Case {
        status: Status::Submitted,
        target,
        track,
        filed_at: now,
        acknowledge_by: business_deadline(now, p.acknowledge_business_days),
        acknowledged_at: None,
        seller_respond_by: (target == Target::Seller)
            .then(|| now + TimeDelta::hours(p.seller_response_hours)),
        seller_responded_at: None,
        clock_started_at: now,
        paused_at: None,
        paused_secs: 0,
        resolve_by: track_deadline(track, now, p),
        extended: false,
        last_reply_at: now,
        escalated_at: None,
        assignee_id: None,
        resolved_at: None,
        resolved_by: None,
        appeal_until: None,
        appealed_at: None,
        appealed_resolver: None,
    }
}

/// A seller case the buyer opens by disputing a return's rejection: the seller answered with
/// the rejection, so nothing is asked of them again (no 48-hour response deadline) and the
/// case is the moderators' from the start.
pub fn open_dispute(now: DateTime<Utc>, p: &ComplaintPolicy) -> Case {
    Case {
        seller_respond_by: None,
        ..open_case(Target::Seller, now, p)
    }
}
