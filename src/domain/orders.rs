//! Orders mirrored from the upstream order system: their vocabulary and the consistency
//! rules an upsert must satisfy.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryType {
    City,
    Intercity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    InTransit,
    Delivered,
    ReturnedToSeller,
    Cancelled,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $( Self::$v => $s, )* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $( $s => Some(Self::$v), )* _ => None }
            }
        }
    };
}

text_enum!(DeliveryType { City => "city", Intercity => "intercity" });
text_enum!(OrderStatus {
    Pending => "pending",
    InTransit => "in_transit",
    Delivered => "delivered",
    ReturnedToSeller => "returned_to_seller",
    Cancelled => "cancelled",
});

/// An order as upstream describes it, already shape-checked.
#[derive(Debug, Clone)]
pub struct OrderDraft {
    pub placed_at: DateTime<Utc>,
    pub items: Vec<ItemDraft>,
    pub delivery_type: DeliveryType,
    pub promised_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub failed_attempts: i32,
    pub status: OrderStatus,
}

#[derive(Debug, Clone)]
pub struct ItemDraft {
    pub product_id: String,
    pub quantity: i32,
    pub unit_price: i64,
}

/// A rule an upsert breaks: the JSON path of the field and a stable code. The HTTP edge maps
/// it to its field error (the domain knows nothing of HTTP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub code: &'static str,
}

impl Violation {
    fn new(field: impl Into<String>, code: &'static str) -> Self {
        Violation {
            field: field.into(),
            code,
        }
    }
}

/// Rules beyond field shapes. Returns every violation, not just the first.
pub fn check_draft(d: &OrderDraft, max_items: usize) -> Result<i64, Vec<Violation>> {
    let mut errors = Vec::new();
    if d.items.is_empty() || d.items.len() > max_items {
        errors.push(Violation::new("items", "length"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, item) in d.items.iter().enumerate() {
        if !seen.insert(item.product_id.as_str()) {
            errors.push(Violation::new(
                format!("items[{i}].product_id"),
                "duplicate",
            ));
        }
    }
    if d.status == OrderStatus::Delivered && d.delivered_at.is_none() {
        errors.push(Violation::new(
            "delivery.delivered_at",
            "missing_for_status",
        ));
    }
    if d.delivered_at.is_some_and(|t| t < d.placed_at) {
        errors.push(Violation::new("delivery.delivered_at", "before_placed_at"));
    }
    if d.promised_at.is_some_and(|t| t < d.placed_at) {
        errors.push(Violation::new("delivery.promised_at", "before_placed_at"));
    }
    let total = d.items.iter().try_fold(0i64, |acc, item| {
        i64::from(item.quantity)
            .checked_mul(item.unit_price)
            .and_then(|line| acc.checked_add(line))
    });
    if total.is_none() {
        errors.push(Violation::new("items", "range"));
    }
    match (errors.is_empty(), total) {
        (true, Some(total)) => Ok(total),
        _ => Err(errors),
    }
}

/// The notification the buyer gets when an upsert moves the order into a status that
/// opens new actions to them.
pub fn buyer_notification(before: Option<OrderStatus>, after: OrderStatus) -> Option<&'static str> {
    if before == Some(after) {
        return None;
    }
    match after {
        OrderStatus::Delivered => Some("order_delivered"),
        // A failed delivery is told when its follow-up opens (`delivery_failed`), once.
        _ => None,
    }
}

/// Whether the order's delivery has failed and the buyer owes a choice (refund or
/// redelivery): upstream reports the parcel returned to the seller, or reports the
/// `attempts_before_return`-th failed attempt while the parcel is still on its way — the
/// failure is a fact then, whether or not the return scan has come yet.
pub fn delivery_failed(
    status: OrderStatus,
    failed_attempts: i32,
    attempts_before_return: i32,
) -> bool {
    match status {
        OrderStatus::ReturnedToSeller => true,
        OrderStatus::Pending | OrderStatus::InTransit => failed_attempts >= attempts_before_return,
        OrderStatus::Delivered | OrderStatus::Cancelled => false,
    }
}

/// The status to store for what upstream reported: the `attempts_before_return`-th failed
/// attempt makes an order still `pending` or `in_transit` `returned_to_seller`, decided here
/// from the attempts whatever status came with them (upstream may lag behind the courier's
/// count, or never send the return scan). Other statuses are upstream's to set.
pub fn settled_status(
    reported: OrderStatus,
    failed_attempts: i32,
    attempts_before_return: i32,
) -> OrderStatus {
    match reported {
        OrderStatus::Pending | OrderStatus::InTransit
            if failed_attempts >= attempts_before_return =>
        {
            OrderStatus::ReturnedToSeller
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn draft() -> OrderDraft {
        OrderDraft {
            placed_at: t("2026-11-01T10:00:00Z"),
            items: vec![
                ItemDraft {
                    product_id: "p1".into(),
                    quantity: 2,
                    unit_price: 1500,
                },
                ItemDraft {
                    product_id: "p2".into(),
                    quantity: 1,
                    unit_price: 990,
                },
            ],
            delivery_type: DeliveryType::City,
            promised_at: Some(t("2026-11-03T10:00:00Z")),
            delivered_at: Some(t("2026-11-02T10:00:00Z")),
            failed_attempts: 0,
            status: OrderStatus::Delivered,
        }
    }

    #[test]
    fn a_consistent_order_passes_with_its_total() {
        assert_eq!(check_draft(&draft(), 200), Ok(3990));
    }

    #[test]
    fn every_violation_is_reported() {
        let mut d = draft();
        d.items[1].product_id = "p1".into();
        d.delivered_at = None;
        d.promised_at = Some(t("2026-10-01T00:00:00Z"));
        let fields: Vec<_> = check_draft(&d, 200)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code.to_string()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("items[1].product_id".to_string(), "duplicate".to_string()),
                (
                    "delivery.delivered_at".to_string(),
                    "missing_for_status".to_string()
                ),
                (
                    "delivery.promised_at".to_string(),
                    "before_placed_at".to_string()
                ),
            ]
        );
    }

    #[test]
    fn overflowing_totals_are_refused() {
        let mut d = draft();
        d.items[0].unit_price = i64::MAX / 2;
        assert!(check_draft(&d, 200).is_err());
        d.items.clear();
        assert!(check_draft(&d, 200).is_err());
    }

    #[test]
    fn notifications_fire_on_entering_a_status() {
        assert_eq!(
            buyer_notification(None, OrderStatus::Delivered),
            Some("order_delivered")
        );
        assert_eq!(
            buyer_notification(Some(OrderStatus::InTransit), OrderStatus::Delivered),
            Some("order_delivered")
        );
        assert_eq!(
            buyer_notification(Some(OrderStatus::Delivered), OrderStatus::Delivered),
            None
        );
        assert_eq!(
            buyer_notification(Some(OrderStatus::InTransit), OrderStatus::ReturnedToSeller),
            None,
            "told when the failure opens"
        );
        assert_eq!(buyer_notification(None, OrderStatus::Pending), None);
    }

    #[test]
    fn the_second_failed_attempt_is_a_failed_delivery_in_any_open_status() {
        use OrderStatus::*;
        assert!(delivery_failed(ReturnedToSeller, 0, 2));
        assert!(delivery_failed(InTransit, 2, 2));
        assert!(delivery_failed(Pending, 3, 2));
        assert!(!delivery_failed(InTransit, 1, 2));
        assert!(
            !delivery_failed(Delivered, 2, 2),
            "delivered on a later attempt"
        );
        assert!(!delivery_failed(Cancelled, 2, 2));
    }

    #[test]
    fn the_second_failed_attempt_returns_an_open_order_to_the_seller() {
        use OrderStatus::*;
        let p = crate::policy::Policy::default().returns;
        let n = p.failed_attempts_before_return;
        assert_eq!(settled_status(InTransit, n, n), ReturnedToSeller);
        assert_eq!(settled_status(Pending, n + 1, n), ReturnedToSeller);
        assert_eq!(settled_status(InTransit, n - 1, n), InTransit);
        assert_eq!(
            settled_status(Delivered, n, n),
            Delivered,
            "delivered on a later attempt"
        );
        assert_eq!(settled_status(Cancelled, n, n), Cancelled);
        assert_eq!(settled_status(ReturnedToSeller, 0, n), ReturnedToSeller);
    }

    #[test]
    fn text_round_trip() {
        for s in [
            OrderStatus::Pending,
            OrderStatus::InTransit,
            OrderStatus::Delivered,
            OrderStatus::ReturnedToSeller,
            OrderStatus::Cancelled,
        ] {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            DeliveryType::parse("intercity"),
            Some(DeliveryType::Intercity)
        );
    }
}
