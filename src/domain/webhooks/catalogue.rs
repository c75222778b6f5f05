//! The event catalogue: every type a shop's webhook may receive, and the one mapping from a
//! step recorded by `db::events` to the types it emits. Only public steps of a shop's own
//! orders, reviews, complaints and returns emit; internal notes and assignments never do.

/// Every webhook event type, dotted snake_case as receivers match them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    ReviewPublished,
    ReviewReplied,
    ReviewRemoved,
    ReviewFlagDecided,
    ComplaintFiled,
    ComplaintStatusChanged,
    ComplaintMessageAdded,
    ComplaintUpdated,
    ComplaintSlaBreached,
    ReturnRequested,
    ReturnStatusChanged,
    ReturnRefundDue,
    ReturnSlaBreached,
    OrderMessageReceived,
    OrderDeliveryFailed,
    ShopRatingCritical,
    Ping,
}

impl EventType {
    pub const ALL: &'static [EventType] = &[
        EventType::ReviewPublished,
        EventType::ReviewReplied,
        EventType::ReviewRemoved,
        EventType::ReviewFlagDecided,
        EventType::ComplaintFiled,
        EventType::ComplaintStatusChanged,
        EventType::ComplaintMessageAdded,
        EventType::ComplaintUpdated,
        EventType::ComplaintSlaBreached,
        EventType::ReturnRequested,
        EventType::ReturnStatusChanged,
        EventType::ReturnRefundDue,
        EventType::ReturnSlaBreached,
        EventType::OrderMessageReceived,
        EventType::OrderDeliveryFailed,
        EventType::ShopRatingCritical,
        EventType::Ping,
    ];

    pub fn as_str(self) -> &'static str {
        self.describe().0
    }

    /// (type, what it tells the seller).
    pub fn describe(self) -> (&'static str, &'static str) {
        use EventType::*;
        match self {
            ReviewPublished => ("review.published", "A review of the shop's product is public (after screening, a moderator's approval or an upheld appeal)."),
            ReviewReplied => ("review.replied", "A seller of the shop replied to a review."),
            ReviewRemoved => ("review.removed", "A published review was taken down (upheld flag, moderator); `reason` says why."),
            ReviewFlagDecided => ("review.flag_decided", "A moderator decided a flag the shop raised: `outcome` is `upheld` or `dismissed`."),
            ComplaintFiled => ("complaint.filed", "A buyer filed a complaint about the shop."),
            ComplaintStatusChanged => ("complaint.status_changed", "A complaint about the shop moved to another status; `event` names the step."),
            ComplaintMessageAdded => ("complaint.message_added", "A public message was added to a complaint about the shop."),
            ComplaintUpdated => ("complaint.updated", "A public step that keeps the status: track changed, deadline extended, external escalation recorded."),
            ComplaintSlaBreached => ("complaint.sla_breached", "A deadline of a complaint about the shop passed; `sla` names it."),
            ReturnRequested => ("return.requested", "A buyer asked to return an item of the shop."),
            ReturnStatusChanged => ("return.status_changed", "A return moved to another status; `event` names the step."),
            ReturnRefundDue => ("return.refund_due", "The courier picked the item up: the refund is due by `refund_due_by`."),
            ReturnSlaBreached => ("return.sla_breached", "A deadline of a return passed; `sla` names it."),
            OrderMessageReceived => ("order.message_received", "The buyer wrote in the order's conversation."),
            OrderDeliveryFailed => ("order.delivery_failed", "A delivery failed and came back to the seller, or the buyer chose what happens next."),
            ShopRatingCritical => ("shop.rating_critical", "The shop's 90-day rating fell below the critical level."),
            Ping => ("ping", "A test event the seller asked for (`POST /webhooks/{id}/test`)."),
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s)
    }
}

/// A step of a case (`complaint`) or a return, as `db::events::record` names it.
pub fn of_case_step(subject: &str, kind: &str) -> &'static [EventType] {
    use EventType::*;
    match (subject, kind) {
        ("complaint", "filed") => &[ComplaintFiled],
        ("complaint", "message") => &[ComplaintMessageAdded],
        ("complaint", "sla_breached") => &[ComplaintSlaBreached],
        ("complaint", "track_changed" | "extended" | "external_escalation") => &[ComplaintUpdated],
        ("complaint", _) => &[ComplaintStatusChanged],
        ("return", "requested") => &[ReturnRequested],
        ("return", "sla_breached") => &[ReturnSlaBreached],
        // The seller hears both: the status moved, and a refund is now due within the hour.
        ("return", "picked_up") => &[ReturnStatusChanged, ReturnRefundDue],
        ("return", _) => &[ReturnStatusChanged],
        _ => &[],
    }
}

/// A review notice (`db::events::record_review`), given whether the review is public after it.
pub fn of_review_notice(kind: &str, published: bool) -> Option<EventType> {
    use EventType::*;
    match kind {
        // A new review reaches the shop once it is public; a held one waits for its approval.
        "review_new" | "review_published" | "appeal_reinstated" if published => {
            Some(ReviewPublished)
        }
        "review_reply" => Some(ReviewReplied),
        "review_removed" => Some(ReviewRemoved),
        "flag_upheld" | "flag_dismissed" => Some(ReviewFlagDecided),
        _ => None,
    }
}

/// The fields of a review notice's extra data a seller may receive, by allow-list: why it was
/// removed or rejected (`reason`), which version was edited (`version`), the status a new
/// review got (`status`), the appeal that reinstated it (`appeal_id`). Anything else a notice
/// carries — who moderated, notes meant for moderators, ids of buyers — is left out without
/// anyone having to list it. Steps of cases and returns do not come through here: their
/// webhook payload is the allow-list projection of their typed step (`domain::steps`).
pub const REVIEW_DETAIL_FIELDS: &[&str] = &["reason", "version", "status", "appeal_id"];

/// A review notice's extra data as a seller may receive it: the allowed fields, as scalars.
pub fn seller_safe(data: &serde_json::Value) -> serde_json::Value {
    let allowed = data
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| {
            REVIEW_DETAIL_FIELDS.contains(&k.as_str()) && !v.is_object() && !v.is_array()
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_json::Value::Object(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_parses_back_and_is_dotted_snake_case() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
            assert!(t
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'));
        }
        assert_eq!(EventType::parse("review"), None);
    }

    #[test]
    fn case_steps_map_to_their_types() {
        assert_eq!(
            of_case_step("complaint", "filed"),
            &[EventType::ComplaintFiled]
        );
        assert_eq!(
            of_case_step("complaint", "resolved"),
            &[EventType::ComplaintStatusChanged]
        );
        assert_eq!(
            of_case_step("return", "picked_up"),
            &[EventType::ReturnStatusChanged, EventType::ReturnRefundDue]
        );
        assert!(of_case_step("order", "filed").is_empty());
    }

    #[test]
    fn only_the_allowed_fields_reach_a_seller() {
        let data = serde_json::json!({
            "reason": "spam", "version": 2, "moderator_id": "m", "internal_note": "n",
            "a_field_added_tomorrow": "secret", "status": {"nested": "objects never pass"}
        });
        assert_eq!(
            seller_safe(&data),
            serde_json::json!({"reason": "spam", "version": 2})
        );
        assert_eq!(seller_safe(&serde_json::json!(null)), serde_json::json!({}));
    }

    #[test]
    fn a_held_review_is_not_announced_until_published() {
        assert_eq!(of_review_notice("review_new", false), None);
        assert_eq!(
            of_review_notice("review_new", true),
            Some(EventType::ReviewPublished)
        );
        assert_eq!(of_review_notice("review_held", false), None);
        assert_eq!(
            of_review_notice("flag_dismissed", true),
            Some(EventType::ReviewFlagDecided)
        );
    }
}
