//! Webhooks' rules: the event catalogue and which step of which area emits what
//! (`catalogue`), the signature (`signing`), which receivers may be called (`target`) and
//! when a failed attempt is tried again (`schedule`).
pub mod catalogue;
pub mod schedule;
pub mod signing;
pub mod special_addresses;
pub mod target;

pub use catalogue::EventType;

/// What one endpoint listens to: the named types, or every type with `*`.
pub fn subscribed(events: &[String], ty: EventType) -> bool {
    ty == EventType::Ping || events.iter().any(|e| e == "*" || e == ty.as_str())
}

/// Why an endpoint stopped receiving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisabledReason {
    /// The seller turned it off.
    Seller,
    /// The receiver answered 410 Gone.
    Gone,
    /// Every attempt failed for the policy's number of days.
    Failing,
}

impl DisabledReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DisabledReason::Seller => "seller",
            DisabledReason::Gone => "gone",
            DisabledReason::Failing => "failing",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_takes_every_type_and_a_list_only_its_own() {
        let all = vec!["*".to_string()];
        let some = vec!["review.published".to_string()];
        assert!(subscribed(&all, EventType::ComplaintFiled));
        assert!(subscribed(&some, EventType::ReviewPublished));
        assert!(!subscribed(&some, EventType::ComplaintFiled));
        // A ping is asked for by the seller: it reaches the endpoint whatever it listens to.
        assert!(subscribed(&some, EventType::Ping));
    }
}
