//! What the buyer may still do with each item of an order — review it, complain, return it —
//! and until when, shown on the order so that the app offers only what will be accepted. The
//! codes are those the refused request would answer (`api::refusals`).
use super::dto::*;
use crate::api::refusals;
use crate::db::orders::OrderRecord;
use crate::domain::orders::OrderStatus;
use crate::domain::returns;
use crate::domain::reviews::{may_review, ItemFacts};
use crate::policy::Policy;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// What the eligibility of an order's items depends on, taken from its record.
pub struct OrderFacts {
    is_buyer: bool,
    order_status: OrderStatus,
    delivered_at: Option<DateTime<Utc>>,
    reviewed: HashSet<String>,
    units_left: HashMap<String, i32>,
    returns: returns::OrderFacts,
    complaint_facts: crate::domain::complaints::OrderFacts,
}

impl OrderFacts {
    pub fn of(record: &OrderRecord, viewer_id: &str) -> OrderFacts {
        let order = &record.order;
        OrderFacts {
            is_buyer: order.buyer_id == viewer_id,
            order_status: order.status,
            delivered_at: order.delivered_at.map(crate::db::from_db),
            reviewed: record.reviewed_items.iter().cloned().collect(),
            units_left: record.units_left.clone(),
            returns: crate::db::returns::order_facts(order, viewer_id),
            complaint_facts: crate::db::complaints::order_facts(order, viewer_id),
        }
    }

    /// Sets each item's eligibility on the view.
    pub fn annotate(self, view: &mut OrderView, policy: &Policy, now: DateTime<Utc>) {
        // Any category: the window of the widest one decides whether the button shows.
        let complaint = Eligibility::of(
            crate::domain::complaints::may_file(
                &self.complaint_facts,
                crate::domain::complaints::Category::Other,
                now,
                &policy.complaints,
            )
            .map_err(|r| refusals::filing(r).as_str()),
        );
        for item in &mut view.items {
            let left = self.units_left.get(&item.id).copied().unwrap_or(0);
            let return_ = return_eligibility(
                &self.returns,
                item.category.as_deref(),
                left,
                now,
                &policy.returns,
            );
            let facts = ItemFacts {
                is_buyer: self.is_buyer,
                order_status: self.order_status,
                delivered_at: self.delivered_at,
                already_reviewed: self.reviewed.contains(&item.id),
            };
            let review = Eligibility::of(
                may_review(&facts, now, &policy.reviews).map_err(|r| refusals::review(r).as_str()),
            );
            item.eligibility = Some(ItemEligibility {
                review,
                complaint: complaint.clone(),
                return_,
            });
        }
    }
}

/// Whether the item may go back now, until when and for which reasons.
fn return_eligibility(
    facts: &returns::OrderFacts,
    category: Option<&str>,
    left: i32,
    now: chrono::DateTime<chrono::Utc>,
    policy: &crate::policy::ReturnPolicy,
) -> ReturnEligibility {
    let open = returns::open_reasons(facts, category, now, policy);
    let refusal = match (&open, left) {
        (Err(r), _) => Some(refusals::return_request(*r).as_str()),
        (Ok(_), n) if n <= 0 => {
            Some(refusals::return_request(returns::RequestRefusal::NothingLeft).as_str())
        }
        _ => None,
    };
    let reasons: Vec<ReturnReasonWindow> = open
        .unwrap_or_default()
        .into_iter()
        .map(|(reason, until)| ReturnReasonWindow {
            reason,
            until,
            evidence: reason.evidence(),
        })
        .collect();
    ReturnEligibility {
        allowed: refusal.is_none(),
        until: refusal
            .is_none()
            .then(|| reasons.iter().map(|r| r.until).max())
            .flatten(),
        reason_code: refusal.map(String::from),
        quantity_available: left.max(0),
        reasons: if refusal.is_none() {
            reasons
        } else {
            Vec::new()
        },
    }
}
